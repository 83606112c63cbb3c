"""Summary plots of a batch, drawn from its tables alone.

* ``envelopes.png``: for each chosen outcome, the mean over replicates over
  time and a band from the 2.5th to the 97.5th percentile of the replicates
  (the interval that holds 95% of them), one band per group.
* ``heatmap_OUTCOME.png``: for a grid over exactly two parameters, the mean
  over replicates of the outcome's run value in each cell (one panel per
  variant).
* ``final_distributions.png``: every replicate's run value of each outcome,
  per group, as box plots with the replicates as points.
* ``network_runN.png``: the partnership network at the last step of a
  representative run (the completed run whose value of the first outcome is
  closest to the median).

A run's value of an outcome is its final value, or for a per-step count
(ASAT tests, leaks, ...) its total over the run
(:func:`spacesim.output.outcomes.run_value`); titles say which.

A group is a variant when the experiment has several; otherwise a design
point when there are at most :data:`MAX_POINT_GROUPS`; otherwise all runs
together. Failed runs are left out. Figures are built without pyplot state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..output.outcomes import run_value
from .plots import network

MAX_POINT_GROUPS = 8
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def value_label(v: Any) -> str:
    """A parameter value as a label: ``true``/``false``, ``0.5`` rather than ``0.500000``."""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return f"{v:g}"
    return str(v)


def group_labels(runs: pd.DataFrame, design: dict[str, Any]) -> pd.Series:
    """The group each run is summarised in (indexed like ``runs``), following the rule in the module docstring.

    >>> runs = pd.DataFrame({"variant": ["a", "a"], "point": [0, 1], "x": [0.5, 1.0]})
    >>> group_labels(runs, {"variants": {"a": {}}, "points": [{"x": 0.5}, {"x": 1.0}], "varied": ["x"]}).tolist()
    ['x=0.5', 'x=1']
    """
    if len(design["variants"]) > 1:
        return runs["variant"].astype(str)
    varied = design.get("varied") or []
    if varied and len(design["points"]) <= MAX_POINT_GROUPS:
        return runs.apply(lambda r: ", ".join(f"{k}={value_label(r[k])}" for k in varied), axis=1).astype(str)
    label = f"all {len(design['points'])} design points" if varied else "all runs"
    return pd.Series(label, index=runs.index, dtype=str)


def _ordered_groups(labels: pd.Series) -> list[str]:
    return list(dict.fromkeys(labels.tolist()))


def _quantiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, 2.5th and 97.5th percentile over axis 0, ignoring NaN; NaN where a step has no value."""
    ok = ~np.isnan(values)
    count = ok.sum(axis=0)
    mean = np.full(values.shape[1], np.nan)
    low = np.full(values.shape[1], np.nan)
    high = np.full(values.shape[1], np.nan)
    has = count > 0
    if has.any():
        v = values[:, has]
        mean[has] = np.nansum(v, axis=0) / count[has]
        low[has], high[has] = np.nanpercentile(v, [2.5, 97.5], axis=0)
    return mean, low, high


def envelopes(runs: pd.DataFrame, steps: pd.DataFrame, design: dict[str, Any], outcomes: list[str], title: str = "") -> Figure:
    """Mean and 95% interval over replicates of each outcome over time, one band per group."""
    labels = group_labels(runs, design)
    groups = _ordered_groups(labels)
    cols = min(3, len(outcomes))
    rows = -(-len(outcomes) // cols)
    fig = Figure(figsize=(5.2 * cols, 3.6 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    run_group = dict(zip(runs["run_id"], labels))
    for ax, outcome in zip(axes, outcomes):
        for i, group in enumerate(groups):
            ids = [r for r, g in run_group.items() if g == group]
            table = steps[steps["run_id"].isin(ids)].pivot(index="run_id", columns="step", values=outcome)
            if table.empty:
                continue
            mean, low, high = _quantiles(table.to_numpy(dtype=float))
            x = table.columns.to_numpy()
            colour = COLOURS[i % len(COLOURS)]
            ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
            ax.plot(x, mean, color=colour, label=f"{group} (n={len(table)})")
        ax.set_title(outcome.replace("_", " "))
        ax.set_xlabel("step")
    for ax in axes[len(outcomes) :]:
        ax.set_axis_off()
    handles, names = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside lower center", ncols=min(4, len(handles)), fontsize="small", title="mean over replicates; band: 2.5th-97.5th percentile")
    if title:
        fig.suptitle(title)
    return fig


def final_distributions(runs: pd.DataFrame, design: dict[str, Any], outcomes: list[str], title: str = "") -> Figure:
    """Final outcomes of every replicate per group: box plots with the replicates drawn as points."""
    labels = group_labels(runs, design)
    groups = _ordered_groups(labels)
    cols = min(3, len(outcomes))
    rows = -(-len(outcomes) // cols)
    fig = Figure(figsize=(max(5.2, 1.2 * len(groups) + 2) * cols, 3.8 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    jitter = np.random.default_rng(0)
    for ax, outcome in zip(axes, outcomes):
        value = run_value(outcome, runs.columns)
        data = [runs.loc[labels == g, value.column].dropna().to_numpy(dtype=float) for g in groups]
        positions = [i + 1 for i, d in enumerate(data) if d.size]
        if positions:
            ax.boxplot([d for d in data if d.size], positions=positions, widths=0.5, showfliers=False)
        for i, d in enumerate(data):
            if d.size:
                ax.scatter(i + 1 + jitter.uniform(-0.12, 0.12, d.size), d, s=10, alpha=0.6, color=COLOURS[i % len(COLOURS)])
        ax.set_xticks(range(1, len(groups) + 1), groups, rotation=20 if len(groups) > 3 else 0, fontsize="small")
        ax.set_title(value.label)
    for ax in axes[len(outcomes) :]:
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


def heatmap(runs: pd.DataFrame, design: dict[str, Any], outcome: str, title: str = "") -> Figure | None:
    """Mean final outcome over a two-parameter grid, one panel per variant; ``None`` unless the grid has exactly two parameters."""
    grid = design.get("grid") or {}
    if len(grid) != 2 or design.get("sample"):
        return None
    (row_name, row_values), (col_name, col_values) = grid.items()
    variants = list(design["variants"])
    fig = Figure(figsize=(1.4 * len(col_values) * len(variants) + 2.5, 1.0 * len(row_values) + 2.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(variants), squeeze=False)).ravel()
    measure = run_value(outcome, runs.columns)
    column = measure.column
    cells = np.full((len(variants), len(row_values), len(col_values)), np.nan)
    for v, variant in enumerate(variants):
        sub = runs[runs["variant"] == variant]
        for i, rv in enumerate(row_values):
            for j, cv in enumerate(col_values):
                vals = sub.loc[(sub[row_name] == rv) & (sub[col_name] == cv), column].dropna()
                if len(vals):
                    cells[v, i, j] = vals.mean()
    finite = cells[np.isfinite(cells)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    image = None
    for v, (ax, variant) in enumerate(zip(axes, variants)):
        image = ax.imshow(cells[v], origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1e-9)
        for i in range(len(row_values)):
            for j in range(len(col_values)):
                value = cells[v, i, j]
                text = "n/a" if np.isnan(value) else f"{value:.3g}"
                shade = "white" if np.isnan(value) or value < (vmin + vmax) / 2 else "black"
                ax.text(j, i, text, ha="center", va="center", color=shade, fontsize="small")
        ax.set_xticks(range(len(col_values)), [value_label(x) for x in col_values])
        ax.set_yticks(range(len(row_values)), [value_label(x) for x in row_values])
        ax.set_xlabel(col_name)
        ax.set_ylabel(row_name)
        if len(variants) > 1:
            ax.set_title(variant)
    if image is not None:
        fig.colorbar(image, ax=list(axes), label=f"mean {measure.label}")
    fig.suptitle((f"{title}: " if title else "") + f"{measure.label}, mean over replicates")
    return fig


def representative_run(runs: pd.DataFrame, outcome: str) -> int | None:
    """The completed run whose value of ``outcome`` (final, or total for a per-step count) is closest to the median of completed runs (ties: lowest run id).

    >>> runs = pd.DataFrame({"run_id": [0, 1, 2, 3], "status": ["completed"] * 3 + ["failed"], "final_x": [1.0, 5.0, 3.0, float("nan")]})
    >>> representative_run(runs, "x")
    2
    """
    column = run_value(outcome, runs.columns).column
    done = runs[(runs["status"] == "completed") & runs[column].notna()]
    if done.empty:
        done = runs[runs["status"] == "completed"]
        return int(done["run_id"].min()) if len(done) else None
    distance = (done[column] - done[column].median()).abs()
    best = done.assign(_d=distance).sort_values(["_d", "run_id"])
    return int(best["run_id"].iloc[0])


def draw_batch_plots(
    plots_dir: Path,
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    partnerships: pd.DataFrame | None,
    nations: pd.DataFrame | None,
    design: dict[str, Any],
    outcomes: list[str],
    kinds: list[str],
    title: str,
) -> list[Path]:
    """Write the chosen summary plots (``kinds``) into ``plots_dir`` and return their paths.

    Nothing is drawn when no run completed.
    """
    plots_dir.mkdir(parents=True, exist_ok=True)
    done = runs[runs["status"] == "completed"].reset_index(drop=True)
    if done.empty:
        return []
    steps = steps[steps["run_id"].isin(done["run_id"])]
    written: list[Path] = []

    def save(fig: Figure, name: str) -> None:
        path = plots_dir / name
        fig.savefig(path, dpi=100)
        written.append(path)

    if "envelope" in kinds:
        save(envelopes(done, steps, design, outcomes, title), "envelopes.png")
    if "heatmap" in kinds:
        for outcome in outcomes:
            fig = heatmap(done, design, outcome, title)
            if fig is not None:
                save(fig, f"heatmap_{outcome}.png")
    if "distribution" in kinds:
        save(final_distributions(done, design, outcomes, title), "final_distributions.png")
    if "network" in kinds and partnerships is not None and nations is not None:
        run_id = representative_run(done, outcomes[0])
        if run_id is not None:
            fig = Figure(figsize=(9, 9), layout="constrained")
            ax = fig.add_subplot()
            pick = lambda df: df[df["run_id"] == run_id].drop(columns="run_id")  # noqa: E731
            network(pick(nations), pick(partnerships), ax=ax)
            ax.set_title(f"{title}: run {run_id}, the run whose {run_value(outcomes[0], done.columns).label} is closest to the median\n{ax.get_title()}", fontsize="medium")
            save(fig, f"network_run{run_id}.png")
    return written
