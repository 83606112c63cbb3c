"""What the page shows: the partnership network, the trust heatmap, the outcomes over time, and what just happened.

Each component redraws when Mesa's update counter moves (after a step, a
Reset or a shock). The network and the heatmap are SVG pictures
and the outcome charts are SVG pictures (:mod:`spacesim.viz.pictures`), drawn
in milliseconds; the charts read the model's Mesa DataCollector.
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from ..model.metrics import STEP_OUTCOMES
from .pictures import chart_svg, network_svg, trust_svg
from .session import DashboardModel

#: The outcome panels: title and the Mesa DataCollector measures drawn in each.
OUTCOME_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Partnerships", ("n_bilateral", "n_memberships")),
    ("Mean trust", ("mean_trust",)),
    ("Collective security", ("collective_security",)),
    ("Debris (tracked pieces)", ("debris",)),
)

#: How many of the latest events the "what just happened" panel lists.
EVENTS_SHOWN = 12


def outcome_charts(model: DashboardModel) -> list[str]:
    """The main outcomes so far, one SVG chart each, from the model's Mesa DataCollector; dotted lines mark ASAT tests.

    >>> from spacesim.viz.session import Choices
    >>> len(outcome_charts(Choices().build()))
    4
    """
    data = model.datacollector.model_vars
    asat_steps = [step for step, n in enumerate(model.recorder.steps["n_asat_tests"]) if n]
    out = []
    for title, measures in OUTCOME_PANELS:
        y_range = (0.0, 1.0) if measures[0] in ("mean_trust", "collective_security") else None
        out.append(chart_svg(title, {STEP_OUTCOMES[m]: list(data[m]) for m in measures}, model.spec.steps, asat_steps, y_range))
    return out


def _redraw_key(model: DashboardModel) -> list:
    """What a redraw depends on: the model object, its step, and Mesa's update counter (a shock moves it)."""
    return [id(model), model.steps, update_counter.value]


@solara.component
def NetworkView(model: DashboardModel):
    """The partnership network at the current step; positions are fixed for the scenario."""
    update_counter.get()
    s = model.state

    def draw() -> str:
        with model.lock:
            title = f"Partnership network, {model.when}: {int((s.tie_depth > 0).sum()) // 2} bilateral agreements, {int(s.membership.sum())} framework memberships"
            return title, network_svg(s, model.layout, title)

    title, svg = solara.use_memo(draw, _redraw_key(model))
    with solara.Column(gap="2px", style={"padding": "6px"}):
        solara.Text(title, style={"font-weight": "bold", "font-size": "0.9em"})
        solara.Text("Node size: capability; colour: bloc; line width: depth of sharing. Hover for details.", style={"font-size": "0.75em", "color": "#666"})
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["spacesim-network-view"])


@solara.component
def TrustHeatmap(model: DashboardModel):
    """Who trusts whom at the current step."""
    update_counter.get()

    def draw() -> str:
        with model.lock:
            title = f"Who trusts whom, {model.when}: mean trust {model.recorder.latest['mean_trust']:.2f}"
            return title, trust_svg(model.state, title)

    title, svg = solara.use_memo(draw, _redraw_key(model))
    with solara.Column(gap="2px", style={"padding": "6px"}):
        solara.Text(title, style={"font-weight": "bold", "font-size": "0.9em"})
        solara.Text("Row: the nation that trusts; column: the nation trusted. Nations grouped by bloc.", style={"font-size": "0.75em", "color": "#666"})
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["spacesim-trust-view"])


@solara.component
def OutcomePlots(model: DashboardModel):
    """Partnerships, mean trust, collective security and debris over the steps so far."""
    update_counter.get()

    def draw() -> list[str]:
        with model.lock:
            return outcome_charts(model)

    charts = solara.use_memo(draw, _redraw_key(model))
    with solara.Column(gap="2px", style={"padding": "6px"}, classes=["spacesim-outcomes"]):
        solara.Text("Outcomes over time (dotted lines: ASAT tests)", style={"font-weight": "bold", "font-size": "0.9em"})
        with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
            for svg in charts:
                solara.HTML(tag="div", unsafe_innerHTML=svg, style="flex: 1 1 23%; min-width: 220px", classes=["spacesim-plot"])


def latest_events(model: DashboardModel, count: int = EVENTS_SHOWN) -> list[dict]:
    """The ``count`` latest events, newest first (each a row of the event log, with its narrative).

    >>> from spacesim.viz.session import Choices
    >>> m = Choices().build()
    >>> m.trigger("asat_test", 0)
    >>> latest_events(m, 1)[0]["kind"]
    'asat_test'
    """
    return list(reversed(model.log.rows[-count:]))


@solara.component
def WhatJustHappened(model: DashboardModel):
    """The step counter, the latest outcomes, and the narratives of the latest events, newest first."""
    update_counter.get()
    latest = model.recorder.latest
    with solara.Column(gap="4px", style={"padding": "8px", "overflow-y": "auto", "max-height": "100%"}):
        solara.HTML(tag="h3", unsafe_innerHTML="What just happened")
        finished = "" if model.running else " (finished: press Reset)"
        solara.Text(f"{model.choice.name}, {model.when}{finished}", style={"font-weight": "bold"}, classes=["spacesim-step-counter"])
        solara.Text(
            f"{latest['n_bilateral']} bilateral agreements · {latest['n_memberships']} memberships · mean trust {latest['mean_trust']:.2f} · "
            f"collective security {latest['collective_security']:.2f} · debris {latest['debris']:,.0f}",
            style={"font-size": "0.85em"},
        )
        rows = latest_events(model)
        if not rows:
            solara.Text("No events yet: press Step or ▶.", style={"font-style": "italic"})
        for row in rows:
            recent = row["step"] == model.steps
            style = {"font-weight": "bold" if recent else "normal", "color": "#000" if recent else "#555", "font-size": "0.85em"}
            solara.Text(f"• {row['narrative']}", style=style, classes=["spacesim-event"])
        if len(model.log.rows) > EVENTS_SHOWN:
            solara.Text(f"({len(model.log.rows) - EVENTS_SHOWN} earlier events not shown)", style={"font-size": "0.8em", "color": "#888"})


@solara.component
def MainArea(model: DashboardModel):
    """The main area: network, trust heatmap and what just happened side by side, the outcome charts below."""
    with solara.Columns([4, 3, 3], gutters_dense=True):
        with solara.Card(margin=0):
            NetworkView(model)
        with solara.Card(margin=0):
            TrustHeatmap(model)
        with solara.Card(margin=0, style={"max-height": "560px", "overflow-y": "auto"}):
            WhatJustHappened(model)
    with solara.Card(margin=0):
        OutcomePlots(model)
