"""Figures of a calibration folder: posteriors over priors, pairs, generations, and each pattern's posterior predictive.

Every figure is built on a :class:`matplotlib.figure.Figure` (no pyplot
state) and saved into ``plots/``; :func:`draw_calibration_plots` returns the paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.plots import OKABE_ITO
from ..output.result_folder import CalibrationManifest
from .patterns import Pattern, PatternKind
from .priors import frozen
from .spec import Calibration

#: Posterior, prior and observed in the figures' colour-blind-safe palette (Okabe-Ito, as every other figure).
POSTERIOR, PRIOR, OBSERVED = OKABE_ITO["blue"], "#7f7f7f", OKABE_ITO["vermillion"]


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def marginals(posterior: pd.DataFrame, calibration: Calibration) -> Figure:
    """Each fitted parameter's weighted posterior histogram over its prior density."""
    names = list(calibration.spec.fit)
    fig = Figure(figsize=(4 * len(names), 3.2), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    w = posterior["weight"].to_numpy(dtype=float)
    for ax, name in zip(axes, names):
        prior = frozen(name, calibration.spec.fit[name])
        lo, hi = prior.support()
        bins = np.geomspace(lo, hi, 25) if calibration.spec.fit[name].prior.value == "log_uniform" else np.linspace(lo, hi, 25)
        ax.hist(posterior[name], bins=bins, weights=w, density=True, color=POSTERIOR, alpha=0.7, label="posterior")
        grid = np.geomspace(lo, hi, 200) if calibration.spec.fit[name].prior.value == "log_uniform" else np.linspace(lo, hi, 200)
        ax.plot(grid, prior.pdf(grid), color=PRIOR, ls="--", label="prior")
        if calibration.spec.fit[name].prior.value == "log_uniform":
            ax.set_xscale("log")
        ax.set_xlabel(name)
        ax.set_yticks([])
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle("Marginal posteriors (bars) over priors (dashed)")
    return fig


def pairs(posterior: pd.DataFrame, names: list[str]) -> Figure:
    """Every pair of fitted parameters: the last generation's particles, sized by weight."""
    k = len(names)
    fig = Figure(figsize=(2.6 * k, 2.6 * k), layout="constrained")
    axes = fig.subplots(k, k, squeeze=False)
    w = posterior["weight"].to_numpy(dtype=float)
    size = 4 + 60 * w / w.max()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i][j]
            if i == j:
                ax.hist(posterior[a], bins=20, weights=w, color=POSTERIOR, alpha=0.7)
            else:
                ax.scatter(posterior[b], posterior[a], s=size, alpha=0.4, color=POSTERIOR, linewidths=0)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=8)
            if j == 0:
                ax.set_ylabel(a, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("Posterior particles (size: weight)")
    return fig


def generations(manifest: CalibrationManifest) -> Figure:
    """Epsilon and acceptance rate by generation."""
    gens = manifest.fitted_generations
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    t = [g.t + 1 for g in gens]
    ax1.plot(t, [np.nan if g.epsilon is None else g.epsilon for g in gens], marker="o", color=POSTERIOR)
    ax1.set_xlabel("generation")
    ax1.set_ylabel("epsilon (weighted distance)")
    ax1.set_yscale("log")
    ax2.plot(t, [100 * (g.acceptance or 0) for g in gens], marker="o", color=OBSERVED)
    ax2.set_xlabel("generation")
    ax2.set_ylabel("acceptance rate (%)")
    ax2.set_ylim(bottom=0)
    for ax in (ax1, ax2):
        ax.set_xticks(t)
    return fig


def predictive(pattern: Pattern, predictive: pd.DataFrame, fit_row: dict[str, Any]) -> Figure:
    """The posterior predictive of one pattern against its observation."""
    d = predictive[predictive["pattern"] == pattern.name]
    tag = "held out" if pattern.held_out else "fitted"
    title = f"{pattern.name} ({tag}): distance median {fit_row['distance_median']:.3g} [90%: {fit_row['distance_q05']:.3g}-{fit_row['distance_q95']:.3g}]"
    if pattern.kind == PatternKind.member_count:
        fig = Figure(figsize=(7, 3.6), layout="constrained")
        ax = fig.subplots()
        table = d.pivot(index="draw", columns="key", values="value")
        table = table[sorted(table.columns, key=int)]
        steps = np.array([int(c) for c in table.columns])
        q = np.quantile(table.to_numpy(), [0.05, 0.5, 0.95], axis=0)
        ax.fill_between(steps, q[0], q[2], color=POSTERIOR, alpha=0.3, label="posterior predictive, 90%")
        ax.plot(steps, q[1], color=POSTERIOR, label="median")
        ax.plot(np.arange(1, pattern.step + 1), pattern.observed_counts(), "o", color=OBSERVED, ms=3, label="observed")
        ax.set_xlabel("step")
        ax.set_ylabel(f"members of {pattern.framework}")
        ax.legend(frameon=False, fontsize=8)
    elif pattern.kind in (PatternKind.member_set, PatternKind.vote_split):
        prob = d.groupby("key")["value"].mean().sort_values(ascending=False)
        if pattern.kind == PatternKind.member_set:
            real = pattern.observed_members()
            marked = [c in real for c in prob.index]
            label, ylabel = "real member", f"P(member of {pattern.framework})"
        else:
            votes = pattern.obs["votes"]
            marked = [votes.get(c) == "yes" for c in prob.index]
            label, ylabel = "voted yes", "P(would vote yes)"
        fig = Figure(figsize=(max(6, 0.22 * len(prob)), 3.6), layout="constrained")
        ax = fig.subplots()
        colours = [OBSERVED if m else PRIOR for m in marked]
        ax.bar(range(len(prob)), prob.to_numpy(), color=colours)
        ax.set_xticks(range(len(prob)), prob.index, rotation=90, fontsize=7)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1)
        ax.bar([0], [0], color=OBSERVED, label=label)
        ax.bar([0], [0], color=PRIOR, label="not " + label)
        ax.legend(frameon=False, fontsize=8)
    else:
        table = d.pivot(index="draw", columns="key", values="value")
        obs = pattern.obs["accessions"]
        codes = sorted(table.columns, key=lambda c: (obs[c], c))
        q = np.quantile(table[codes].to_numpy(), [0.05, 0.5, 0.95], axis=0)
        fig = Figure(figsize=(max(6, 0.25 * len(codes)), 3.6), layout="constrained")
        ax = fig.subplots()
        x = np.arange(len(codes))
        ax.errorbar(
            x,
            q[1],
            yerr=[q[1] - q[0], q[2] - q[1]],
            fmt="s",
            color=POSTERIOR,
            ms=3,
            label=f"simulated join step (median, 90%; {pattern.step + 1} = not joined)",
        )
        ax.plot(x, [obs[c] for c in codes], "o", color=OBSERVED, ms=4, label="observed join step")
        ax.set_xticks(x, codes, rotation=90, fontsize=7)
        ax.set_ylabel("step")
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title, fontsize=9)
    return fig


def draw_calibration_plots(
    out: Path,
    manifest: CalibrationManifest,
    posterior: pd.DataFrame,
    fit: pd.DataFrame,
    predictive_table: pd.DataFrame,
    calibration: Calibration,
    patterns: list[Pattern],
) -> list[Path]:
    """Draw every figure of a calibration folder into ``out/plots``; return the paths."""
    plots = out / "plots"
    names = list(calibration.spec.fit)
    paths = [_save(marginals(posterior, calibration), plots / "posterior_marginals.png")]
    if len(names) > 1:
        paths.append(_save(pairs(posterior, names), plots / "posterior_pairs.png"))
    paths.append(_save(generations(manifest), plots / "generations.png"))
    rows = {r["pattern"]: r for r in fit.to_dict("records")}
    for p in patterns:
        paths.append(_save(predictive(p, predictive_table, rows[p.name]), plots / f"predictive_{p.name}.png"))
    return paths
