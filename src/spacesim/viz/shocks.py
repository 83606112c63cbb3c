"""Shock buttons: make an ASAT test, a leak, a cyber attack or a change of government happen now.

A shock goes through :meth:`SpaceModel.trigger`, the path scheduled events
take, so it acts and is logged like any other event.
"""

from __future__ import annotations

from dataclasses import dataclass

import solara
from mesa.visualization.utils import force_update, update_counter

from ..catalogue import EVENT_KINDS
from ..scenario.schema import EventKind
from .session import DashboardModel


@dataclass(frozen=True)
class Shock:
    """A kind of event the teacher can trigger, and whether it needs a second nation."""

    kind: EventKind
    button: str
    needs_target: bool
    help: str


#: The shock buttons: every event kind :mod:`spacesim.catalogue` gives a button, in its order.
SHOCKS: tuple[Shock, ...] = tuple(Shock(EventKind(e.kind), e.shock.button, e.shock.needs_target, e.shock.help) for e in EVENT_KINDS if e.shock is not None)

#: The one shock that needs something shared between its two nations (EventKind is built from the catalogue, so by value).
LEAK = EventKind("leak")


def shared(model: DashboardModel, a: str, b: str) -> list[str]:
    """What nations ``a`` and ``b`` (codes) share now: their bilateral agreement and the frameworks both belong to.

    >>> from spacesim import shipped_scenario
    >>> from spacesim.viz.session import Choices
    >>> m = DashboardModel(Choices(shipped_scenario("teaching_small")))
    >>> shared(m, "USA", "FRA"), shared(m, "FRA", "IND")
    (['CSPO'], [])
    """
    s = model.state
    i, j = s.index[a], s.index[b]
    out = [f"a bilateral agreement (depth {s.tie_depth[i, j]:.2f})"] if s.tie_depth[i, j] > 0 else []
    return out + [code for f, code in enumerate(s.framework_codes) if s.membership[i, f] and s.membership[j, f]]


def fire(model: DashboardModel, shock: Shock, actor: str, target: str | None = None) -> None:
    """Make ``shock`` happen now, by nation ``actor`` (code) against ``target`` (code) when it needs one.

    A leak needs something to leak: ``target`` must share an agreement or a
    framework with ``actor`` (:func:`shared`), else :class:`ValueError`.

    >>> from spacesim.viz.session import Choices
    >>> m = DashboardModel(Choices())
    >>> fire(m, SHOCKS[0], "CHN")
    >>> m.events_frame()["narrative"].iloc[-1][:41]
    'step 0: China conducts a destructive ASAT'
    """
    s = model.state
    if shock.needs_target:
        if target is None or target == actor:
            raise ValueError(f"a {shock.button.lower()} needs a target nation other than {actor}")
        if shock.kind is LEAK and not shared(model, actor, target):
            raise ValueError(leak_impossible(model, actor, target))
        model.trigger(shock.kind, s.index[actor], s.index[target])
    else:
        model.trigger(shock.kind, s.index[actor])


def leak_impossible(model: DashboardModel, actor: str, target: str) -> str:
    """Why there can be no leak by ``actor`` of what ``target`` shared: they share nothing."""
    names = dict(zip(model.state.codes, model.state.names))
    return (
        f"No leak possible: {names[target]} shares nothing with {names[actor]} (no bilateral agreement, no common framework). "
        "Pick a pair linked in the network."
    )


@solara.component
def ShockPanel(model: solara.Reactive[DashboardModel]):
    """Choose a nation (and a target), then press a shock button: the event happens now, is logged and shows at once."""
    update_counter.get()  # what the pair shares changes as the run goes
    m = model.value
    codes = m.state.codes
    names = dict(zip(m.state.codes, m.state.names))
    chosen_actor = solara.use_reactive(codes[0])
    chosen_target = solara.use_reactive(codes[1] if len(codes) > 1 else codes[0])
    message = solara.use_reactive("")
    # After a Reset into another scenario an earlier choice may name no nation: fall back to the first ones.
    actor = chosen_actor.value if chosen_actor.value in names else codes[0]
    others = [c for c in codes if c != actor] or codes
    target = chosen_target.value if chosen_target.value in others else others[0]
    with m.lock:
        common = shared(m, actor, target) if target != actor else []

    def press(shock: Shock) -> None:
        try:
            fire(model.value, shock, actor, target if shock.needs_target else None)
        except ValueError as exc:
            message.set(str(exc))
            return
        message.set("")
        force_update()

    solara.Select("Nation", values=codes, value=actor, on_value=chosen_actor.set)
    solara.Select("Target (leak, cyber attack)", values=others, value=target, on_value=chosen_target.set)
    link = f"share {' and '.join(common)}" if common else "share nothing yet: no leak possible"
    solara.Text(f"{names[actor]} → {names[target]}: {link}", style={"font-size": "0.85rem", "opacity": "0.75"}, classes=["spacesim-shock-pair"])
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        for shock in SHOCKS:
            disabled = shock.kind is LEAK and not common
            with solara.Tooltip(shock.help if not disabled else leak_impossible(m, actor, target)):
                solara.Button(shock.button, color="error", outlined=True, small=True, disabled=disabled, on_click=lambda shock=shock: press(shock))
    if message.value:
        solara.Warning(message.value)
