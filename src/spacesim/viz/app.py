"""The dashboard's page: Mesa's SolaraViz with a scenario picker, parameter controls and shock buttons around it.

The sidebar reads top to bottom as a lesson runs: pick a scenario, then
Mesa's controls (Reset, play/pause, Step, and the play interval: the speed),
the seed, the policy levers and key parameters, and the shock buttons. The
main area shows the network, the trust heatmap, what just happened and the
outcomes over time.

``spacesim dashboard`` serves this module with ``solara run``; the scenario
file given on the command line arrives in the environment variable
:data:`SCENARIO_ENV`.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from .components import MainArea
from .controls import ParameterControls
from .session import Choices, DashboardModel, spec_of
from .shocks import ShockPanel

#: The environment variable that carries the scenario file ``spacesim dashboard`` was given.
SCENARIO_ENV = "SPACESIM_DASHBOARD_SCENARIO"

#: Where the picked scenario's rule is stated on the page (and in docs/teaching.md).
SETTINGS_RULE = "Picking a scenario, or Restore, puts its own seed and settings in the controls; Reset loads them, with any change you make after."

#: Mesa's play interval at start, in milliseconds (its "Play Interval" slider is the speed control).
PLAY_INTERVAL_MS = 150


@solara.component
def ScenarioPicker(choices: Choices):
    """The shipped scenarios (and the file given on the command line) with their descriptions; Reset loads the one picked.

    "Restore scenario settings" puts the picked scenario's own seed and
    settings back (the picker cannot: choosing the entry already chosen
    changes nothing).
    """
    labels = {c.label: c.name for c in choices.catalogue}
    current = choices.choice
    solara.Select("Scenario (loaded by Reset)", values=list(labels), value=current.label, on_value=lambda label: choices.pick(labels[label]))
    spec = spec_of(current)
    caption = {"font-size": "0.8em", "color": "#666"}
    solara.Text(f"{len(spec.nations)} nations, {len(spec.frameworks)} frameworks, {spec.steps} steps of a {spec.step_meaning} from {spec.start_year}; seed {spec.seed}.", style=caption)
    changed = choices.changed
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "margin-top": "4px"}, gap="6px"):
        solara.Button("Restore scenario settings", small=True, outlined=True, color="primary", on_click=choices.restore, disabled=not changed)
        text = "changed: " + ", ".join(name.replace("_", " ") for name in changed) if changed else "its own settings"
        solara.Text(text, style=caption, classes=["spacesim-changed"])
    solara.Text(SETTINGS_RULE, style=caption)


@solara.component
def _Below(children=[]):
    # Solara orders sidebar content by component depth: one level below
    # SolaraViz's own sidebar puts these cards after Mesa's controls.
    with solara.Sidebar():
        with solara.Column():
            for child in children:
                solara.Column(children=[child])


@solara.component
def _AfterMesa(choices: Choices, model: solara.Reactive[DashboardModel]):
    with _Below():
        with solara.Card("Policy levers and key parameters"):
            ParameterControls(choices.values)
        with solara.Card("Shocks: make it happen now"):
            ShockPanel(model)


def seed_param(choices: Choices) -> dict:
    """Mesa's seed slider, bound to ``choices.seed``: it shows the seed the next Reset uses, including the one a scenario pick sets.

    >>> from spacesim import shipped_scenario
    >>> seed_param(Choices(shipped_scenario("teaching_small")))["value"].value
    7
    """
    seed = choices.seed.value
    return {"type": "SliderInt", "value": choices.seed, "min": 0, "max": max(99, seed), "step": 1, "label": "Random seed (same seed, same run)"}


@solara.component
def Dashboard(scenario_file: str | None = None, choices: Choices | None = None, model: solara.Reactive[DashboardModel] | None = None):
    """The whole page for one browser session, starting from ``scenario_file`` (default: the shipped baseline).

    A caller may pass its own ``choices`` and reactive ``model`` to watch them (the tests do).
    """
    own_choices = solara.use_memo(lambda: Choices(scenario_file) if choices is None else None, [scenario_file])
    choices = choices if choices is not None else own_choices
    own_model = solara.use_reactive(solara.use_memo(lambda: choices.build() if model is None else None, [choices]))
    model = model if model is not None else own_model
    # Mesa passes model_params back to DashboardModel at Reset; the seed slider writes to
    # choices.seed, which DashboardModel reads (see DashboardModel's seed_slider).
    model_params = {"choices": choices, "seed_slider": seed_param(choices)}
    with solara.Sidebar():
        with solara.Card("Scenario"):
            ScenarioPicker(choices)
    # Mesa's SolaraViz runs the model (Reset, play/pause, Step, speed) and holds the sidebar;
    # the main area is laid out here rather than in Mesa's draggable grid, whose fixed
    # cell height would crop the pictures.
    SolaraViz(model, components=[], model_params=model_params, name="spacesim: space-security cooperation", play_interval=PLAY_INTERVAL_MS)
    _AfterMesa(choices, model)
    MainArea(model.value)


@solara.component
def Page():
    """The page ``solara run`` serves: the dashboard of the scenario named by :data:`SCENARIO_ENV`."""
    Dashboard(os.environ.get(SCENARIO_ENV) or None)
