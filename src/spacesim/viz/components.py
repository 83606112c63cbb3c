"""What the page shows: the headline, the partnership network, the trust heatmap, what just happened, and the outcomes over time.

The main area redraws when Mesa's update counter moves (after a step, a
Reset or a shock): :func:`MainArea` alone listens to it and hands its value
(``tick``) to the pictures, since every listener costs Solara one more pass
over the whole page per step. The network, the heatmap and the outcome charts are SVG
pictures (:mod:`spacesim.viz.pictures`), drawn in milliseconds; the charts
read the model's Mesa DataCollector. Text colours come from the page's
theme (light or dark); secondary text is the same colour, faded.

How the pieces are laid out at each width is ``app.PAGE_CSS``'s job: the
components only name their places (CSS classes).
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from .pictures import chart_svg, network_legend_html, network_svg, trust_key_html, trust_svg
from .session import DashboardModel

#: The outcome panels: title, and the Mesa DataCollector measures drawn in each with their short legend labels.
OUTCOME_PANELS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Partnerships", (("n_bilateral", "bilateral"), ("n_memberships", "memberships"))),
    ("Mean trust", (("mean_trust", "mean trust"),)),
    ("Collective security", (("collective_security", "collective security"),)),
    ("Debris (tracked pieces)", (("debris", "debris"),)),
)

#: How many of the latest events the "what just happened" panel lists.
EVENTS_SHOWN = 12

#: Secondary text: the theme's text colour, faded (legible on light and dark cards alike).
FADED = {"opacity": "0.75"}


#: The outcomes that are shares (0 to 1): their charts' axes fit the data but stay within 0 to 1 and span at least :data:`SHARE_MIN_SPAN`.
SHARES = ("mean_trust", "collective_security")

#: The least span of a share's axis: a change of a few hundredths should look like one, not fill the chart.
SHARE_MIN_SPAN = 0.1


def share_range(values: list[float]) -> tuple[float, float]:
    """The axis of a share: the data's range padded by a tenth, at least :data:`SHARE_MIN_SPAN` wide, within 0 to 1.

    A fixed 0-1 axis would flatten the changes a class is asked to read (mean trust moves from 0.45 to 0.52).

    >>> share_range([0.45, 0.52])
    (0.435, 0.535)
    >>> share_range([0.98, 0.99]), share_range([])
    ((0.9, 1.0), (0.0, 1.0))
    """
    data = [v for v in values if v == v]
    if not data:
        return (0.0, 1.0)
    lo, hi = min(data), max(data)
    pad = 0.1 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    if hi - lo < SHARE_MIN_SPAN:
        mid = (lo + hi) / 2
        lo, hi = mid - SHARE_MIN_SPAN / 2, mid + SHARE_MIN_SPAN / 2
    if lo < 0:
        lo, hi = 0.0, max(hi - lo, SHARE_MIN_SPAN)
    if hi > 1:
        lo, hi = min(lo - (hi - 1), 1 - SHARE_MIN_SPAN), 1.0
    return (round(max(lo, 0.0), 4), round(min(hi, 1.0), 4))


def outcome_charts(model: DashboardModel) -> list[str]:
    """The main outcomes so far, one SVG chart each, from the model's Mesa DataCollector; dotted lines mark ASAT tests.

    The time axis is in years (from the scenario's start year and step meaning), as the header dates the steps.

    >>> from spacesim.viz.session import Choices
    >>> charts = outcome_charts(Choices().build())
    >>> len(charts), ">2025<" in charts[0]
    (4, True)
    """
    data = model.datacollector.model_vars
    asat_steps = [step for step, n in enumerate(model.recorder.steps["n_asat_tests"]) if n]
    out = []
    for title, measures in OUTCOME_PANELS:
        series = {label: list(data[m]) for m, label in measures}
        y_range = share_range([v for vs in series.values() for v in vs]) if measures[0][0] in SHARES else None
        out.append(chart_svg(title, series, model.spec.steps, asat_steps, y_range, calendar=model.calendar))
    return out


def _redraw_key(model: DashboardModel, tick: int) -> list:
    """What a redraw depends on: the model object, its step, and Mesa's update counter (``tick``: a shock moves it)."""
    return [id(model), model.steps, tick]


def headline(model: DashboardModel) -> str:
    """The headline numbers of the current state (a shock shows in them at once).

    >>> from spacesim.viz.session import Choices
    >>> headline(Choices().build()).split(" · ")[0]
    '0 bilateral agreements'
    """
    latest = model.recorder.latest
    return (
        f"{plural(latest['n_bilateral'], 'bilateral agreement')} · {plural(latest['n_memberships'], 'framework membership')} · "
        f"mean trust {latest['mean_trust']:.2f} · collective security {latest['collective_security']:.2f} · debris {latest['debris']:,.0f}"
    )


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one.

    >>> plural(1, "framework"), plural(4, "framework"), plural(0, "bilateral agreement")
    ('1 framework', '4 frameworks', '0 bilateral agreements')
    """
    return f"{count} {noun}{'' if count == 1 else 's'}"


@solara.component
def StatusBar(model: DashboardModel, tick: int = 0):
    """The scenario's name, where the run is and its headline numbers, across the top of the main area; the scenario's
    description under them (never its file's path)."""
    finished = "" if model.running else " (finished: press Reset)"
    with solara.Row(gap="16px", style={"align-items": "baseline", "flex-wrap": "wrap", "padding": "8px 12px"}):
        solara.Text(f"{model.choice.name}, {model.when}{finished}", style={"font-weight": "bold", "font-size": "1.1rem"}, classes=["spacesim-step-counter"])
        solara.Text(headline(model), style={"font-size": "1rem"}, classes=["spacesim-headline"])
    if model.choice.description:
        solara.Text(
            model.choice.description,
            style={"font-size": "0.9rem", "padding": "0 12px 8px", "display": "block", **FADED},
            classes=["spacesim-scenario-description"],
        )


@solara.component
def NetworkView(model: DashboardModel, tick: int = 0):
    """The partnership network at the current step; positions are fixed for the scenario."""
    s = model.state

    def draw() -> tuple[str, str]:
        with model.lock:
            title = (
                f"Partnership network, {model.when}: {plural(int((s.tie_depth > 0).sum()) // 2, 'bilateral agreement')}, "
                f"{plural(int(s.membership.sum()), 'framework membership')}"
            )
            return title, network_svg(s, model.layout, title)

    title, svg = solara.use_memo(draw, _redraw_key(model, tick))
    with solara.Column(gap="2px"):
        solara.Text("Partnership network", style={"font-weight": "bold", "font-size": "1rem"})
        solara.Text("Circle size: space capability; colour: bloc; line width: depth of sharing. Hover for details.", style={"font-size": "0.85rem", **FADED})
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["spacesim-network-view", "spacesim-picture"])
        solara.HTML(tag="div", unsafe_innerHTML=network_legend_html(s))


@solara.component
def TrustHeatmap(model: DashboardModel, tick: int = 0):
    """Who trusts whom at the current step."""

    def draw() -> tuple[str, str]:
        with model.lock:
            mean = model.recorder.latest["mean_trust"]
            title = f"Who trusts whom, {model.when}: mean trust {mean:.2f}"
            return f"Who trusts whom (mean trust {mean:.2f})", trust_svg(model.state, title)

    title, svg = solara.use_memo(draw, _redraw_key(model, tick))
    with solara.Column(gap="2px"):
        solara.Text(title, style={"font-weight": "bold", "font-size": "1rem"})
        solara.Text("Row: the nation that trusts; column: the nation trusted. Nations grouped by bloc.", style={"font-size": "0.85rem", **FADED})
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["spacesim-trust-view", "spacesim-picture"])
        solara.HTML(tag="div", unsafe_innerHTML=trust_key_html())


@solara.component
def OutcomePlots(model: DashboardModel, tick: int = 0):
    """Partnerships, mean trust, collective security and debris over the steps so far."""

    def draw() -> list[str]:
        with model.lock:
            return outcome_charts(model)

    charts = solara.use_memo(draw, _redraw_key(model, tick))
    with solara.Column(gap="4px", classes=["spacesim-outcomes"]):
        solara.Text("Outcomes over time (dotted lines: ASAT tests)", style={"font-weight": "bold", "font-size": "1rem"})
        with solara.Div(classes=["spacesim-charts"]):
            for svg in charts:
                solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["spacesim-plot"])


def latest_events(model: DashboardModel, count: int = EVENTS_SHOWN) -> list[dict]:
    """The ``count`` latest events and agreement lines, newest first (each a row with its narrative).

    Events come from the model's event log (hostile acts, accessions,
    withdrawals, changes of government); the agreements signed, deepened and
    ended from :attr:`DashboardModel.news`.

    >>> from spacesim.viz.session import Choices
    >>> m = Choices().build()
    >>> m.trigger("asat_test", 0)
    >>> latest_events(m, 1)[0]["kind"]
    'asat_test'
    """
    return list(reversed(model.happenings[-count:]))


@solara.component
def WhatJustHappened(model: DashboardModel, tick: int = 0):
    """The narratives of the latest events, newest first; this step's in bold."""
    with solara.Column(gap="4px"):
        solara.Text("What just happened", style={"font-weight": "bold", "font-size": "1rem"})
        everything = model.happenings
        rows = list(reversed(everything[-EVENTS_SHOWN:]))
        if not rows:
            solara.Text("No events yet: press Step or ▶.", style={"font-style": "italic", "font-size": "0.95rem"})
        for row in rows:
            recent = row["step"] == model.steps
            style = {"font-weight": "bold", "font-size": "0.95rem"} if recent else {"font-size": "0.95rem", **FADED}
            solara.Text(f"• {row['narrative']}", style=style, classes=["spacesim-event"])
        if len(everything) > EVENTS_SHOWN:
            solara.Text(f"({len(everything) - EVENTS_SHOWN} earlier lines not shown)", style={"font-size": "0.85rem", **FADED})


@solara.component
def MainArea(model: DashboardModel):
    """The main area: the headline; network, trust heatmap and what just happened; the outcome charts below."""
    tick = update_counter.get()
    with solara.Div(classes=["spacesim-main"]):
        with solara.Card(margin=0, classes=["spacesim-status"]):
            StatusBar(model, tick)
        with solara.Div(classes=["spacesim-top"]):
            with solara.Card(margin=0, classes=["spacesim-card", "spacesim-network-card"]):
                NetworkView(model, tick)
            with solara.Card(margin=0, classes=["spacesim-card", "spacesim-trust-card"]):
                TrustHeatmap(model, tick)
            with solara.Card(margin=0, classes=["spacesim-card", "spacesim-events-card"]):
                WhatJustHappened(model, tick)
        with solara.Card(margin=0, classes=["spacesim-card"]):
            OutcomePlots(model, tick)
