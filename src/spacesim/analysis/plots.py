"""Plots of a run's tables. Each function takes ``ax=None`` and returns the axes; no pyplot state."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

#: Panels of the time-series figure: title and the outcomes drawn in it.
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Partnerships", ("n_bilateral", "n_memberships")),
    ("Trust", ("mean_trust", "trust_within_blocs", "trust_between_blocs")),
    ("Security", ("mean_security", "collective_security")),
    ("Debris (tracked pieces)", ("debris",)),
    ("Threat and norms", ("threat_level", "norm_strength")),
    ("Network", ("network_density", "clustering")),
)

BLOC_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
UNALIGNED = "#7f7f7f"


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


def stable_layout(g: nx.Graph, seed: int = 0, previous: dict | None = None) -> dict:
    """Node positions: a seeded spring layout, started from ``previous`` positions so it does not jump.

    A hidden hub, weakly tied to every node, keeps nations without partners
    near the rest instead of drifting to the edges and squeezing the network.
    """
    n = max(g.number_of_nodes(), 1)
    fixed_start = {k: v for k, v in (previous or {}).items() if k in g}
    hub = object()
    held = g.copy()
    held.add_edges_from(((hub, node) for node in g.nodes), weight=0.4)
    for u, v in g.edges:
        held.edges[u, v]["weight"] = 1.0
    pos = nx.spring_layout(held, seed=seed, k=2.5 / np.sqrt(n), iterations=80, pos=fixed_start or None, weight="weight")
    pos.pop(hub)
    return pos


def network(nations: pd.DataFrame, partnerships: pd.DataFrame, step: int | None = None, ax: Axes | None = None, pos: dict | None = None, seed: int = 0) -> Axes:
    """The partnership network at ``step`` (default: the last): nodes sized by capability, coloured by bloc."""
    ax = _axes(ax, (8, 8))
    step = int(nations["step"].max()) if step is None else step
    at = nations[nations["step"] == step]
    g = partnership_graph(at, partnerships, step)
    if pos is None:
        pos = stable_layout(g, seed=seed)
    nation_nodes = [n for n, d in g.nodes(data=True) if d["kind"] == "nation"]
    framework_nodes = [n for n, d in g.nodes(data=True) if d["kind"] == "framework"]
    blocs = sorted({d.get("bloc") for _, d in g.nodes(data=True) if d["kind"] == "nation" and isinstance(d.get("bloc"), str)})
    colour = {b: BLOC_COLOURS[i % len(BLOC_COLOURS)] for i, b in enumerate(blocs)}
    caps = np.array([g.nodes[n]["capability"] for n in nation_nodes], dtype=float)
    sizes = 40 + 560 * caps / max(caps.max(), 1e-9) if caps.size else []
    member_edges = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "membership"]
    bilateral_edges = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "bilateral"]
    nx.draw_networkx_edges(g, pos, edgelist=member_edges, ax=ax, style="dotted", edge_color="#999999", width=0.8)
    nx.draw_networkx_edges(g, pos, edgelist=bilateral_edges, ax=ax, edge_color="#333333", width=1.8)
    nx.draw_networkx_nodes(g, pos, nodelist=nation_nodes, node_size=sizes, ax=ax, node_color=[colour.get(g.nodes[n].get("bloc"), UNALIGNED) for n in nation_nodes], edgecolors="white")
    nx.draw_networkx_nodes(g, pos, nodelist=framework_nodes, node_shape="D", node_size=260, node_color="#f2c14e", ax=ax, edgecolors="#8a6d1d")
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=7)
    handles = [Line2D([], [], color="#333333", linewidth=1.8, label="bilateral agreement"), Line2D([], [], color="#999999", linestyle="dotted", label="framework membership")]
    handles += [Line2D([], [], marker="D", color="#f2c14e", linestyle="", label="framework")]
    handles += [Line2D([], [], marker="o", color=colour[b], linestyle="", label=f"bloc: {b}") for b in blocs]
    handles += [Line2D([], [], marker="o", color=UNALIGNED, linestyle="", label="unaligned")]
    ax.legend(handles=handles, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False)  # below the picture: never over a node
    ax.set_title(f"Partnership network at step {step} (node size: capability)")
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
