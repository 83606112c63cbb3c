"""Plots of a run's tables. Each function takes ``ax=None`` and returns the axes; no pyplot state.

The figures of a run (here) and of a batch (:mod:`.batch_plots`) follow the same conventions (the dashboard shares
the calendar and the bloc colours):

* **Time** is calendar time where the scenario has a calendar (its ``start_year`` and a ``step_meaning`` of quarter,
  month or year): ticks at whole years, or at quarters for a run under two years, and the axis label says what a step
  is (:func:`time_axis`). Step 0 is 1 January of the start year, the state before the first step.
* **Units**: every value axis says its unit (:func:`outcome_unit`): a number, tracked debris pieces, or a 0-1 scale.
* **Colours** come from the Okabe-Ito palette (:data:`LINE_COLOURS`, :data:`BLOC_COLOURS`), which readers with any
  common colour-vision deficiency tell apart; an ordered series of values takes viridis instead.
* **Legends** sit outside the axes, so they never cover data; event markers (destructive ASAT tests) have an entry.
* **Titles** say what ran: the scenario, its seed (or the replicates) and the policy levers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..catalogue import COUNT_OUTCOMES, PER_STEP_COUNTS
from ..parameters import PARAMETERS, value_label
from ..scenario.history import STEPS_PER_YEAR

#: Panels of the time-series figure: title and the outcomes drawn in it (the outcomes of a panel share a unit).
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Partnerships", ("n_bilateral", "n_memberships")),
    ("Trust", ("mean_trust", "trust_within_blocs", "trust_between_blocs")),
    ("Security", ("mean_security", "collective_security")),
    ("Debris", ("debris",)),
    ("Threat and norms", ("threat_level", "norm_strength")),
    ("Network", ("tie_density", "bilateral_density", "tie_clustering", "bilateral_clustering")),
)

#: The Okabe-Ito palette (Okabe and Ito 2008, "Color Universal Design"), which readers with any common colour-vision
#: deficiency tell apart.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: Bloc colours: blue, vermillion, bluish green, reddish purple, sky blue, orange. Yellow is left for frameworks and
#: grey for unaligned nations.
BLOC_COLOURS = tuple(OKABE_ITO[c] for c in ("blue", "vermillion", "bluish green", "reddish purple", "sky blue", "orange"))
#: Line colours of every plot that tells a few things apart (outcomes of a panel, variants, design points): the bloc
#: colours, then black and grey (yellow is too pale for a line on white).
LINE_COLOURS = (*BLOC_COLOURS, OKABE_ITO["black"], "#999999")
UNALIGNED = "#7f7f7f"
FRAMEWORK_COLOUR, FRAMEWORK_EDGE_COLOUR = "#f2c14e", "#8a6d1d"
#: Colour and style of the mark of a destructive ASAT test on a time axis.
ASAT_MARK: dict[str, Any] = {"color": "black", "alpha": 0.45, "linestyle": ":", "linewidth": 1.2}

#: Units of the outcomes that are neither counts nor on a 0-1 scale (a test checks every other one stays within 0-1).
OUTCOME_UNITS: dict[str, str] = {
    "debris": "tracked pieces",
    "bloc_trust_gap": "difference of 0-1 scales",
    "trust_reliability_correlation": "correlation, -1 to 1",
}

#: A calendar for a time axis: the start year and the steps per year.
Calendar = tuple[int, int]


def outcome_unit(name: str, cumulative: bool = False) -> str:
    """The unit of an outcome's values, as a value axis says it.

    >>> outcome_unit("n_bilateral"), outcome_unit("debris"), outcome_unit("mean_trust"), outcome_unit("n_asat_tests", cumulative=True)
    ('number', 'tracked pieces', '0-1 scale', 'number so far')
    """
    if name in PER_STEP_COUNTS:
        return "number so far" if cumulative else "number in the step"
    if name in COUNT_OUTCOMES:
        return "number"
    return OUTCOME_UNITS.get(name, "0-1 scale")


def outcome_label(name: str) -> str:
    """An outcome's name as words: ``mean_trust`` -> "mean trust"."""
    return name.replace("_", " ")


def calendar_of(step_meaning: Any, start_year: Any) -> Calendar | None:
    """The calendar of a scenario (start year, steps per year), or None when a step is not a quarter, a month or a year.

    >>> calendar_of("quarter", 2025), calendar_of("round", 2025)
    ((2025, 4), None)
    """
    per_year = STEPS_PER_YEAR.get(str(step_meaning or "").strip().lower())
    return (int(start_year), per_year) if per_year and start_year is not None else None


def step_date(step: int, calendar: Calendar | None) -> str:
    """A step as a date: "2027 Q3" when steps are quarters, "2026-03" for months, "2028" for years, else "step 10".

    The state recorded at step ``s`` is the state at the start of period ``s + 1`` (step 0: 1 January of the start year).

    >>> step_date(10, (2025, 4)), step_date(14, (2025, 12)), step_date(3, (2025, 1)), step_date(3, None)
    ('2027 Q3', '2026-03', '2028', 'step 3')
    """
    if calendar is None:
        return f"step {step}"
    start, per_year = calendar
    year, period = divmod(int(step), per_year)
    if per_year == 4:
        return f"{start + year} Q{period + 1}"
    if per_year == 12:
        return f"{start + year}-{period + 1:02d}"
    return f"{start + year}" if per_year == 1 else f"{start + step / per_year:.1f}"


def time_axis(ax: Axes, last_step: int, calendar: Calendar | None, first_step: int = 0, label: bool = True) -> None:
    """Ticks and label of a time axis whose data are steps: whole years from the calendar (quarters or months for a run under two years), or steps without one.

    The label says what a step is and where step 0 lies, e.g. "year (step 0 = 1 Jan 2025; a step is a quarter)".
    """
    if calendar is None:
        if label:
            ax.set_xlabel("step")
        return
    start, per_year = calendar
    last = max(int(last_step), first_step + 1)
    if per_year == 1 or last >= 2 * per_year:
        years = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=True).tick_values(first_step / per_year, last / per_year)
        ticks = [int(round(y * per_year)) for y in years if 0 <= y * per_year <= last]  # the start year's tick too: it is within the axis's margin
        labels = [f"{start + t // per_year}" for t in ticks]
    else:
        ticks = [int(t) for t in MaxNLocator(nbins=5, integer=True).tick_values(first_step, last) if first_step <= t <= last]
        labels = [step_date(t, calendar) for t in ticks]
    ax.set_xticks(ticks, labels)
    if label:
        meaning = {4: "quarter", 12: "month", 1: "year"}[per_year]
        ax.set_xlabel(f"{'year' if labels and labels[0].isdigit() else 'date'} (step 0 = 1 Jan {start}; a step is a {meaning})")


def levers_text(values: Mapping[str, Any]) -> str:
    """The policy levers among ``values``, in their declared order, as a title says them.

    >>> levers_text({"legal_clarity": 0.9, "allow_bilateral": True, "trust_gain": 0.1})
    'allow_bilateral=true, legal_clarity=0.9'
    """
    return ", ".join(f"{p.name}={value_label(values[p.name])}" for p in PARAMETERS if p.group == "policy" and p.name in values)


@dataclass(frozen=True)
class PlotContext:
    """What a figure says about where its numbers come from: a title (the scenario or experiment), a line under it (seed
    or replicates, levers) and the calendar of its time axis."""

    title: str = ""
    subtitle: str = ""
    calendar: Calendar | None = None

    def heading(self, width: int = 110) -> str:
        """Title and subtitle, the subtitle wrapped at ``width`` characters so that it stays within the figure."""
        import textwrap

        return "\n".join([self.title] * bool(self.title) + textwrap.wrap(self.subtitle, width, break_on_hyphens=False))


def run_context(name: str, seed: Any, steps: Any, step_meaning: Any, start_year: Any, parameters: Mapping[str, Any]) -> PlotContext:
    """The context of a single run's figures: scenario name; seed, length and every policy lever.

    >>> run_context("teaching_small", 7, 40, "quarter", 2025, {"legal_clarity": 0.3}).heading().splitlines()
    ['teaching_small', 'seed 7, 40 quarters from 2025; levers: legal_clarity=0.3']
    """
    calendar = calendar_of(step_meaning, start_year)
    length = f"{steps} {step_meaning}s from {start_year}" if calendar and steps is not None else f"{steps} steps" if steps is not None else ""
    parts = [x for x in (f"seed {seed}" if seed is not None else "", length) if x]
    levers = levers_text(parameters)
    return PlotContext(name, ", ".join(parts) + (f"; levers: {levers}" if levers else ""), calendar)


def _axes(ax: Axes | None, size: tuple[float, float] = (6, 4)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").add_subplot()


def timeseries(steps: pd.DataFrame, outcomes: tuple[str, ...], ax: Axes | None = None, title: str | None = None, calendar: Calendar | None = None) -> Axes:
    """Outcomes of one run over time; steps with a destructive ASAT test are marked (a legend entry says so).

    The value axis names the outcomes' unit; the legend sits to the right of the axes, never over a line.
    """
    ax = _axes(ax)
    drawn = [name for name in outcomes if name in steps and steps[name].notna().any()]
    for k, name in enumerate(drawn):
        ax.plot(steps["step"], steps[name], color=LINE_COLOURS[k % len(LINE_COLOURS)], linewidth=1.6, label=outcome_label(name))
    if "n_asat_tests" in steps:
        for n, step in enumerate(steps.loc[steps["n_asat_tests"] > 0, "step"]):
            ax.axvline(step, **ASAT_MARK, label="destructive ASAT test" if n == 0 else "_nolegend_")
    last = int(steps["step"].max()) if len(steps) else 1
    time_axis(ax, last, calendar)
    units = {outcome_unit(name) for name in drawn}
    if len(units) == 1:
        ax.set_ylabel(units.pop())
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.25)
    handles, names = ax.get_legend_handles_labels()
    if len(handles) > 1:
        ax.legend(
            handles, names, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False
        )  # outside the axes: never over a line
    return ax


def timeseries_panel(steps: pd.DataFrame, title: str = "", context: PlotContext | None = None) -> Figure:
    """The main outcomes of a run in a grid of panels, two across (dotted lines: destructive ASAT tests)."""
    context = context or PlotContext(title)
    fig = Figure(figsize=(13, 9.5), layout="constrained")
    axes = fig.subplots(3, 2)
    for ax, (panel_title, outcomes) in zip(axes.flat, PANELS):
        timeseries(steps, outcomes, ax=ax, title=panel_title, calendar=context.calendar)
    if context.heading():
        fig.suptitle(context.heading())
    return fig


def active_at(partnerships: pd.DataFrame, step: int) -> pd.DataFrame:
    """Partnerships active at ``step`` (started by then and not yet ended)."""
    end = partnerships["end_step"]
    return partnerships[(partnerships["start_step"] <= step) & (end.isna() | (end > step))]


def partnership_graph(nations_at_step: pd.DataFrame, partnerships: pd.DataFrame, step: int) -> nx.Graph:
    """A graph of nations and frameworks: bilateral edges between nations, membership edges to frameworks."""
    g = nx.Graph()
    for row in nations_at_step.itertuples():
        g.add_node(row.nation, kind="nation", capability=row.capability, bloc=getattr(row, "bloc", None))
    active = active_at(partnerships, step)
    for row in active.itertuples():
        if row.kind == "bilateral":
            g.add_edge(row.party_a, row.party_b, kind="bilateral", domain=row.domain)
        else:
            g.add_node(row.framework, kind="framework")
            g.add_edge(row.party_a, row.framework, kind="membership")
    return g


#: Least distance (layout units; the ring of nations has radius 1) between two frameworks' diamonds, so that
#: neither the diamonds nor their labels overlap: a label is about 0.3 wide and sits below its diamond.
FRAMEWORK_GAP = (0.34, 0.24)


def ring_layout(nations: list[tuple[str, str | None, float]], frameworks: list[tuple[str, list[str]]]) -> dict[str, tuple[float, float]]:
    """Positions that keep blocs apart: nations on a circle of radius 1, each bloc on its own arc, frameworks inside.

    ``nations`` are (code, bloc or None, capability); ``frameworks`` are (code, member codes).
    Blocs take arcs in the order of their names, unaligned nations last, with
    an empty gap between arcs; within an arc the most capable nation sits in
    the middle, the others alternating outwards. A framework sits inside the
    circle, pulled towards its members, and frameworks are kept
    :data:`FRAMEWORK_GAP` apart. Positions depend only on the inputs (no
    random start), so the same world is always drawn the same way, and every
    label can go just outside its node, pointing away from the centre, where
    no other node is.

    >>> pos = ring_layout([("A", "x", 1.0), ("B", "x", 0.5), ("C", None, 0.2)], [("F", ["A", "B"])])
    >>> sorted(pos), all(abs(x) <= 1 and abs(y) <= 1 for x, y in pos.values())
    (['A', 'B', 'C', 'F'], True)
    """
    blocs = sorted({bloc for _, bloc, _ in nations if bloc})
    groups = [[x for x in nations if x[1] == b] for b in blocs] + [[x for x in nations if not x[1]]]
    ordered = []
    for group in (g for g in groups if g):
        by_capability = sorted(group, key=lambda x: (-x[2], x[0]))
        # Largest in the middle of the arc, the others alternating outwards.
        ordered.append([x for k, x in enumerate(by_capability) if k % 2][::-1] + [x for k, x in enumerate(by_capability) if not k % 2])
    gap = 1.5  # empty slots between blocs
    slots = sum(len(g) for g in ordered) + gap * len(ordered)
    pos: dict[str, tuple[float, float]] = {}
    k = 0.0
    for arc in ordered:
        for code, _, _ in arc:
            angle = np.pi / 2 - 2 * np.pi * k / slots
            pos[code] = (float(np.cos(angle)), float(np.sin(angle)))
            k += 1
        k += gap
    wanted = []
    for f, (_, members) in enumerate(frameworks):
        at = [pos[c] for c in members if c in pos]
        if at:
            cx, cy = np.mean(at, axis=0)
            r = float(np.hypot(cx, cy))
            scale = 0.45 / r if r > 0.45 else 1.0
            wanted.append((cx * scale, cy * scale))
        else:
            angle = np.pi / 2 - 2 * np.pi * f / max(len(frameworks), 1)
            wanted.append((0.25 * np.cos(angle), 0.25 * np.sin(angle)))
    for (code, _), xy in zip(frameworks, spread(np.array(wanted, dtype=float).reshape(-1, 2))):
        pos[code] = (float(xy[0]), float(xy[1]))
    return pos


def spread(xy: np.ndarray, gap: tuple[float, float] = FRAMEWORK_GAP, inside: float = 0.62) -> np.ndarray:
    """Move framework positions apart until no two are closer than ``gap`` (horizontally, vertically), staying within radius ``inside``.

    Deterministic (same input, same output), so the layout stays stable.

    >>> out = spread(np.array([[0.1, 0.0], [0.12, 0.01], [0.0, 0.5]]))
    >>> bool(abs(out[0, 0] - out[1, 0]) >= 0.34 or abs(out[0, 1] - out[1, 1]) >= 0.24)
    True
    """
    xy = xy.copy()
    gx, gy = gap
    for _ in range(200):
        moved = False
        for a in range(len(xy)):
            for b in range(a + 1, len(xy)):
                d = xy[b] - xy[a]
                ox, oy = gx - abs(d[0]), gy - abs(d[1])
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                # Push apart along the axis that needs the smaller move (ties: horizontally, a to the left).
                if ox / gx <= oy / gy:
                    sign = 1.0 if d[0] > 0 or (d[0] == 0 and a < b) else -1.0
                    xy[a, 0] -= sign * ox / 2 * 1.02
                    xy[b, 0] += sign * ox / 2 * 1.02
                else:
                    sign = 1.0 if d[1] > 0 or (d[1] == 0 and a < b) else -1.0
                    xy[a, 1] -= sign * oy / 2 * 1.02
                    xy[b, 1] += sign * oy / 2 * 1.02
        r = np.hypot(xy[:, 0], xy[:, 1])
        xy[r > inside] *= (inside / r[r > inside])[:, None]
        if not moved:
            break
    return xy


#: Marker areas (points squared) of the least and the most capable nation in :func:`network`.
NODE_AREA = (30.0, 420.0)


def network(
    nations: pd.DataFrame,
    partnerships: pd.DataFrame,
    step: int | None = None,
    ax: Axes | None = None,
    pos: dict | None = None,
    calendar: Calendar | None = None,
) -> Axes:
    """The partnership network at ``step`` (default: the last), readable at the baseline's 34 nations.

    Nations sit on a ring, each bloc on its own arc (:func:`ring_layout`), coloured from the colour-blind-safe
    :data:`BLOC_COLOURS`; circle area is space capability. Each nation's code sits just outside its circle, pointing
    away from the centre, so no label overlaps another or hides under a node. Bilateral agreements are solid lines
    (wider when deeper); framework memberships dotted lines to yellow diamonds. The legend is below the picture,
    outside the axes, so it never covers a node.
    """
    ax = _axes(ax, (8, 8.6))
    step = int(nations["step"].max()) if step is None else step
    at = nations[nations["step"] == step].sort_values("nation")
    active = active_at(partnerships, step)
    bloc_of = {row.nation: (row.bloc if isinstance(getattr(row, "bloc", None), str) and row.bloc else None) for row in at.itertuples()}
    capability = dict(zip(at["nation"], at["capability"].astype(float)))
    members = active[active["kind"] != "bilateral"]
    frameworks = sorted(set(members["framework"].dropna()))
    if pos is None:
        pos = ring_layout(
            [(c, bloc_of[c], capability[c]) for c in at["nation"]], [(f, sorted(members.loc[members["framework"] == f, "party_a"])) for f in frameworks]
        )
    blocs = sorted({b for b in bloc_of.values() if b})
    colour = {b: BLOC_COLOURS[i % len(BLOC_COLOURS)] for i, b in enumerate(blocs)}

    member_lines = [(pos[a], pos[f]) for a, f in zip(members["party_a"], members["framework"]) if a in pos and f in pos]
    ax.add_collection(LineCollection(member_lines, colors="#999999", linewidths=0.8, linestyles=(0, (1, 2)), zorder=1))
    ties = active[active["kind"] == "bilateral"]
    drawn = [(pos[a], pos[b], float(d)) for a, b, d in zip(ties["party_a"], ties["party_b"], ties["depth"]) if a in pos and b in pos]
    tie_lines = [(a, b) for a, b, _ in drawn]
    ax.add_collection(LineCollection(tie_lines, colors="#333333", alpha=0.6, linewidths=[0.8 + 3.0 * d for _, _, d in drawn], zorder=2))

    codes = list(at["nation"])
    caps = np.array([capability[c] for c in codes])
    areas = NODE_AREA[0] + (NODE_AREA[1] - NODE_AREA[0]) * caps / max(float(caps.max()), 1e-9) if caps.size else caps
    xy = np.array([pos[c] for c in codes]).reshape(-1, 2)
    ax.scatter(xy[:, 0], xy[:, 1], s=areas, c=[colour.get(bloc_of[c], UNALIGNED) for c in codes], edgecolors="white", linewidths=0.8, zorder=3)
    for code, (x, y), area in zip(codes, xy, areas):
        norm = float(np.hypot(x, y)) or 1.0
        ux, uy = x / norm, y / norm
        away = np.sqrt(area) / 2 + 3  # points from the node's centre to just outside its circle
        ha = "left" if ux > 0.3 else "right" if ux < -0.3 else "center"
        va = "bottom" if uy > 0.3 else "top" if uy < -0.3 else "center"
        ax.annotate(code, (x, y), xytext=(ux * away, uy * away), textcoords="offset points", ha=ha, va=va, fontsize=8, zorder=5, gid=f"nation-label-{code}")
    if frameworks:
        fxy = np.array([pos[f] for f in frameworks])
        ax.scatter(fxy[:, 0], fxy[:, 1], marker="D", s=110, c=FRAMEWORK_COLOUR, edgecolors=FRAMEWORK_EDGE_COLOUR, zorder=4)
        halo = [patheffects.withStroke(linewidth=3, foreground="white")]
        for f, (x, y) in zip(frameworks, fxy):
            ax.annotate(
                f,
                (x, y),
                xytext=(0, -8),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8,
                zorder=5,
                path_effects=halo,
                gid=f"framework-label-{f}",
            )
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    handles = [
        Line2D([], [], color="#333333", linewidth=1.8, label="bilateral agreement (wider: deeper)"),
        Line2D([], [], color="#999999", linestyle=(0, (1, 2)), label="framework membership"),
    ]
    handles += [Line2D([], [], marker="D", color=FRAMEWORK_COLOUR, markeredgecolor=FRAMEWORK_EDGE_COLOUR, linestyle="", label="framework")]
    handles += [Line2D([], [], marker="o", color=colour[b], linestyle="", markersize=8, label=f"bloc: {b}") for b in blocs]
    if any(b is None for b in bloc_of.values()):
        handles += [Line2D([], [], marker="o", color=UNALIGNED, linestyle="", markersize=8, label="unaligned")]
    ax.legend(handles=handles, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False)  # below the picture: never over a node
    when = f"step {step} ({step_date(step, calendar)})" if calendar else f"step {step}"
    ax.set_title(
        f"Partnership network at {when}: {len(tie_lines)} bilateral agreements, {len(member_lines)} framework memberships\n(circle area: space capability)"
    )
    ax.set_axis_off()
    return ax


def draw_run_plots(
    steps: pd.DataFrame, nations: pd.DataFrame, partnerships: pd.DataFrame, folder: Path, title: str = "", context: PlotContext | None = None
) -> list[Path]:
    """Write a run's standard plots into ``folder``; return their paths.

    ``context`` (:func:`run_context`) gives the figures their heading (scenario, seed, levers) and calendar; without
    it the heading is ``title`` and time is in steps.
    """
    context = context or PlotContext(title)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    fig = timeseries_panel(steps, context=context)
    path = folder / "timeseries.png"
    fig.savefig(path, dpi=110)
    out.append(path)
    fig = Figure(figsize=(9, 9), layout="constrained")
    ax = network(nations, partnerships, ax=fig.add_subplot(), calendar=context.calendar)
    if context.heading():
        ax.set_title(f"{context.heading(80)}\n{ax.get_title()}", fontsize="medium")
    path = folder / "network.png"
    fig.savefig(path, dpi=110)
    out.append(path)
    return out
