"""Sliders and switches for the key parameters and policy levers, generated from their one declaration.

Which parameters the dashboard shows is decided here and only here
(:data:`KEY_RULE_PARAMETERS`, plus every policy lever); their names, ranges,
defaults and meanings (shown as help text) are read from
:data:`spacesim.parameters.PARAMETERS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import solara

from ..parameters import PARAMETERS, Parameter

#: Rule parameters a class can explore live, besides every policy lever: how fast
#: trust is won and lost, how tempted nations are to defect, attack or change government,
#: how much threats push cooperation and how strongly norms deter.
KEY_RULE_PARAMETERS: tuple[str, ...] = (
    "trust_gain",
    "trust_loss",
    "defection_temptation",
    "threat_benefit_weight",
    "cyber_rate",
    "government_change_rate",
    "norm_deterrence",
)


def key_parameters() -> tuple[Parameter, ...]:
    """The parameters the dashboard shows: every policy lever, then the key rule parameters, in declaration order.

    >>> [p.name for p in key_parameters()][:2]
    ['allow_bilateral', 'allow_multilateral']
    >>> all(p.group == "policy" for p in key_parameters()[:6])
    True
    """
    levers = [p for p in PARAMETERS if p.group == "policy"]
    rules = [p for p in PARAMETERS if p.name in KEY_RULE_PARAMETERS]
    return tuple(levers + rules)


def slider_step(p: Parameter) -> float:
    """A round step for ``p``'s slider: about a hundredth of its range, fine enough to hit its default.

    >>> from spacesim.parameters import PARAMETERS_BY_NAME as P
    >>> slider_step(P["legal_clarity"]), slider_step(P["trust_loss"]), slider_step(P["trust_memory"])
    (0.01, 0.1, 0.01)
    >>> slider_step(P["asat_rate"])  # default 0.004 lies on the slider
    0.001
    """
    span = float(p.high) - float(p.low)
    step = 10.0 ** math.floor(math.log10(span / 100)) if span > 0 else 1.0
    for _ in range(6):
        if abs(round(float(p.default) / step) * step - float(p.default)) <= step * 1e-6:
            break
        step /= 10
    if p.kind is int:
        step = max(1.0, round(step))
    return float(f"{step:.12g}")


@dataclass(frozen=True)
class Control:
    """One input of the dashboard: a switch (bool) or a slider (int or float)."""

    name: str
    kind: type
    low: float | None
    high: float | None
    step: float | None
    help: str

    @property
    def label(self) -> str:
        """The control's label: the parameter's name in words.

        >>> control_for(__import__("spacesim").PARAMETERS_BY_NAME["legal_clarity"]).label
        'legal clarity'
        """
        return self.name.replace("_", " ")


def control_for(p: Parameter) -> Control:
    """The control of one declared parameter (its meaning, range and unit make the help text)."""
    if p.kind is bool:
        return Control(p.name, bool, None, None, None, p.meaning)
    unit = f" ({p.unit})" if p.unit else ""
    help_text = f"{p.meaning} Range {p.low:g} to {p.high:g}{unit}; model default {p.default:g}."
    return Control(p.name, p.kind, float(p.low), float(p.high), slider_step(p), help_text)


def controls() -> tuple[Control, ...]:
    """Controls of every key parameter, in the order the page shows them."""
    return tuple(control_for(p) for p in key_parameters())


@solara.component
def ParameterInput(control: Control, value: float | int | bool, on_value: Callable[[object], None]):
    """A switch or slider with the parameter's meaning as its tooltip and caption; a slider always shows its value (under its thumb)."""
    with solara.Column(gap="0px", style={"margin-bottom": "8px"}, classes=["spacesim-parameter"]):
        with solara.Tooltip(control.help):
            if control.kind is bool:
                solara.Switch(label=control.label, value=bool(value), on_value=on_value)
            elif control.kind is int:
                solara.SliderInt(control.label, value=int(value), min=int(control.low), max=int(control.high), step=int(control.step), on_value=on_value, thumb_label="always")
            else:
                solara.SliderFloat(control.label, value=float(value), min=control.low, max=control.high, step=control.step, on_value=on_value, thumb_label="always")
        solara.Text(control.help, style={"font-size": "0.8rem", "opacity": "0.75", "line-height": "1.25"})


@solara.component
def ParameterControls(values: solara.Reactive[dict]):
    """Policy levers and key parameters; a change applies at the next Reset."""
    current = values.value

    def setter(name: str) -> Callable[[object], None]:
        def on_value(value: object) -> None:
            values.set({**values.value, name: value})

        return on_value

    solara.Text("Changes apply when you press Reset.", style={"font-style": "italic"})
    levers = [c for c in controls() if c.name not in KEY_RULE_PARAMETERS]
    rules = [c for c in controls() if c.name in KEY_RULE_PARAMETERS]
    solara.Text("Policy levers", style={"font-weight": "bold"})
    for control in levers:
        ParameterInput(control, current[control.name], setter(control.name))
    solara.Text("Key rule parameters", style={"font-weight": "bold"})
    for control in rules:
        ParameterInput(control, current[control.name], setter(control.name))
