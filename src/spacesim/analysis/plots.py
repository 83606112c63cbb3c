"""Plots of a run's tables. Each function takes ``ax=None`` and returns the axes; no pyplot state."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

#: Panels of the time-series figure: title and the outcomes drawn in it.
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Partnerships", ("n_bilateral", "n_memberships")),
    ("Trust", ("mean_trust", "trust_within_blocs", "trust_between_blocs")),
    ("Security", ("mean_security", "collective_security")),
    ("Debris (tracked pieces)", ("debris",)),
    ("Threat and norms", ("threat_level", "norm_strength")),
    ("Network", ("tie_density", "bilateral_density", "tie_clustering", "bilateral_clustering")),
)

#: Bloc colours: the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal Design"), which readers with any common
#: colour-vision deficiency tell apart: blue, vermillion, bluish green, reddish purple, sky blue, orange. Yellow is left
#: for frameworks and grey for unaligned nations.
BLOC_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")
UNALIGNED = "#7f7f7f"
FRAMEWORK_COLOUR, FRAMEWORK_EDGE_COLOUR = "#f2c14e", "#8a6d1d"


def _axes(ax: Axes | None, size: tuple[float, float] = (6, 4)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").add_subplot()


def timeseries(steps: pd.DataFrame, outcomes: tuple[str, ...], ax: Axes | None = None, title: str | None = None) -> Axes:
    """Outcomes of one run over steps; steps with a destructive ASAT test are marked."""
    ax = _axes(ax)
    for name in outcomes:
        if name in steps and steps[name].notna().any():
            ax.plot(steps["step"], steps[name], label=name.replace("_", " "))
    if "n_asat_tests" in steps:
        for step in steps.loc[steps["n_asat_tests"] > 0, "step"]:
            ax.axvline(step, color="black", alpha=0.25, linestyle=":", linewidth=1)
    ax.set_xlabel("step")
    if title:
        ax.set_title(title)
    if len(outcomes) > 1:
        ax.legend(fontsize="small")
    return ax


def timeseries_panel(steps: pd.DataFrame, title: str = "") -> Figure:
    """The main outcomes of a run in a grid of panels (dotted lines: ASAT tests)."""
    fig = Figure(figsize=(13, 7.5), layout="constrained")
    axes = fig.subplots(2, 3)
    for ax, (panel_title, outcomes) in zip(axes.flat, PANELS):
        timeseries(steps, outcomes, ax=ax, title=panel_title)
    if title:
        fig.suptitle(title)
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


def network(nations: pd.DataFrame, partnerships: pd.DataFrame, step: int | None = None, ax: Axes | None = None, pos: dict | None = None) -> Axes:
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
        pos = ring_layout([(c, bloc_of[c], capability[c]) for c in at["nation"]], [(f, sorted(members.loc[members["framework"] == f, "party_a"])) for f in frameworks])
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
            ax.annotate(f, (x, y), xytext=(0, -8), textcoords="offset points", ha="center", va="top", fontsize=8, zorder=5, path_effects=halo, gid=f"framework-label-{f}")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    handles = [Line2D([], [], color="#333333", linewidth=1.8, label="bilateral agreement (wider: deeper)"), Line2D([], [], color="#999999", linestyle=(0, (1, 2)), label="framework membership")]
    handles += [Line2D([], [], marker="D", color=FRAMEWORK_COLOUR, markeredgecolor=FRAMEWORK_EDGE_COLOUR, linestyle="", label="framework")]
    handles += [Line2D([], [], marker="o", color=colour[b], linestyle="", markersize=8, label=f"bloc: {b}") for b in blocs]
    if any(b is None for b in bloc_of.values()):
        handles += [Line2D([], [], marker="o", color=UNALIGNED, linestyle="", markersize=8, label="unaligned")]
    ax.legend(handles=handles, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False)  # below the picture: never over a node
    ax.set_title(f"Partnership network at step {step}: {len(tie_lines)} bilateral agreements, {len(member_lines)} framework memberships\n(circle area: space capability)")
    ax.set_axis_off()
    return ax


def draw_run_plots(steps: pd.DataFrame, nations: pd.DataFrame, partnerships: pd.DataFrame, folder: Path, title: str = "") -> list[Path]:
    """Write a run's standard plots into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    fig = timeseries_panel(steps, title)
    path = folder / "timeseries.png"
    fig.savefig(path, dpi=110)
    out.append(path)
    fig = Figure(figsize=(9, 9), layout="constrained")
    network(nations, partnerships, ax=fig.add_subplot())
    path = folder / "network.png"
    fig.savefig(path, dpi=110)
    out.append(path)
    return out
