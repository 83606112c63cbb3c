"""Sampled designs analysed: each outcome against each varied parameter, and its rank correlation with each.

A Latin hypercube, Sobol' or sensitivity sample puts every design point at a
different place in the parameter space, so box plots per point (in sampling
order) and one row pooled over all points say little. Here each design
point is one point of a scatter per parameter (its replicates averaged),
with a smoother through them, and the summary gives each parameter's
Spearman rank correlation with the outcome and its 95% interval:

* the interval is Fisher's z-interval with Bonett & Wright's (2000,
  Psychometrika 65) standard error for Spearman's rho,
  ``sqrt((1 + rho^2 / 2) / (n - 3))``, over the ``n`` design points;
* the smoother is LOWESS (statsmodels, Cleveland 1979) with a third of the
  points in each local fit.

With several variants each gets its own row and colour. A rank correlation
sees only monotone effects, one parameter at a time; the sensitivity
methods and ``spacesim discover`` look further.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..output.outcomes import run_value
from ..output.result_folder import DesignLike, as_design
from .plots import LINE_COLOURS, outcome_unit

#: A colour per variant: the colour-blind-safe palette of every figure.
COLOURS = LINE_COLOURS
#: Share of the points in each local fit of the LOWESS smoother.
LOWESS_FRACTION = 1 / 3


def varied_numbers(runs: pd.DataFrame, design: DesignLike) -> list[str]:
    """The design's varied parameters that are numbers and take more than one value among ``runs``."""
    out = []
    for name in as_design(design).varied:
        if name in runs.columns and runs[name].nunique() > 1 and pd.api.types.is_numeric_dtype(runs[name]) and not pd.api.types.is_bool_dtype(runs[name]):
            out.append(name)
    return out


def point_means(runs: pd.DataFrame, parameters: list[str], column: str) -> pd.DataFrame:
    """One row per design point and variant of the completed runs: the parameters and the mean of ``column`` over the replicates."""
    done = runs[(runs["status"] == "completed") & runs[column].notna()]
    keys = ["variant", "point"] if "point" in done.columns else ["variant", *parameters]
    return done.groupby(keys, sort=False).agg({**{p: "first" for p in parameters if p not in keys}, column: "mean"}).reset_index()


def spearman_interval(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Spearman's rho of ``x`` and ``y``, its interval (Fisher's z with Bonett & Wright's standard error) and scipy's
    p-value; NaN where undefined (fewer than 4 points, or a constant).

    >>> rho, low, high, p = spearman_interval(np.arange(20.0), np.arange(20.0) ** 2)
    >>> round(rho, 3), round(low, 3), high == 1.0 or round(high, 3)
    (1.0, 1.0, True)
    >>> rho, low, high, p = spearman_interval(np.array([1.0, 2, 3, 4, 5, 6, 7, 8]), np.array([2.0, 1, 4, 3, 6, 5, 8, 7]))
    >>> round(rho, 3), round(low, 2), round(high, 2)  # z = atanh(0.905) = 1.50, se = sqrt(1.41 / 5) = 0.53: tanh(1.50 -+ 1.96 x 0.53)
    (0.905, 0.43, 0.99)
    """
    from scipy.stats import norm, spearmanr

    n = len(x)
    if n < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return (math.nan,) * 4
    result = spearmanr(x, y)
    rho, p = float(result.statistic), float(result.pvalue)
    if abs(rho) >= 1.0:
        return rho, rho, rho, p
    z = math.atanh(rho)
    half = float(norm.ppf(0.5 + confidence / 2)) * math.sqrt((1 + rho * rho / 2) / (n - 3))
    return rho, math.tanh(z - half), math.tanh(z + half), p


def rank_correlations(runs: pd.DataFrame, design: DesignLike, outcomes: list[str]) -> pd.DataFrame:
    """Per variant, outcome and varied parameter: Spearman's rho of the outcome's per-point mean with the parameter, its
    95% interval, p-value and the number of design points.

    >>> runs = pd.DataFrame({"run_id": range(6), "point": [0, 1, 2, 3, 4, 5], "variant": "v", "status": "completed",
    ...                      "a": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "final_x": [1.0, 2, 3, 4, 6, 5]})
    >>> rank_correlations(runs, {"varied": ["a"]}, ["x"])[["outcome", "parameter", "points", "rho"]].round(3).values.tolist()
    [['x', 'a', 6, 0.943]]
    """
    parameters = varied_numbers(runs, design)
    rows = []
    for outcome in outcomes:
        value = run_value(outcome, runs.columns)
        if value.column not in runs.columns:
            continue
        means = point_means(runs, parameters, value.column)
        for variant, group in means.groupby("variant", sort=False):
            for p in parameters:
                rho, low, high, pvalue = spearman_interval(group[p].to_numpy(dtype=float), group[value.column].to_numpy(dtype=float))
                rows.append(
                    {
                        "variant": str(variant),
                        "outcome": outcome,
                        "statistic": value.statistic,
                        "parameter": p,
                        "points": len(group),
                        "rho": rho,
                        "low": low,
                        "high": high,
                        "p_value": pvalue,
                    }
                )
    return pd.DataFrame(rows, columns=["variant", "outcome", "statistic", "parameter", "points", "rho", "low", "high", "p_value"])


def summary_lines(runs: pd.DataFrame, design: DesignLike, outcomes: list[str]) -> list[str]:
    """The batch summary of a sampled design: per outcome (and variant), each parameter's Spearman rho with its 95% interval, strongest first."""
    table = rank_correlations(runs, design, outcomes)
    if table.empty:
        return []
    several = table["variant"].nunique() > 1
    lines = [
        "Spearman rank correlation of each outcome (mean over replicates per design point) with each parameter, 95% interval, over "
        f"{int(table['points'].max())} design points:"
    ]
    for (variant, outcome), df in table.groupby(["variant", "outcome"], sort=False):
        value = run_value(outcome, runs.columns)
        lines.append(f"  {value.header}" + (f" ({variant})" if several else "") + ":")
        for r in df.assign(order=df["rho"].abs()).sort_values("order", ascending=False, na_position="last").itertuples():
            if r.rho != r.rho:
                lines.append(f"    {r.parameter:<28} (undefined: the outcome does not vary)")
                continue
            clear = "" if r.low <= 0 <= r.high else " *"
            lines.append(f"    {r.parameter:<28} rho {r.rho:+.2f} [{r.low:+.2f}, {r.high:+.2f}]{clear}")
    lines.append("  * the interval excludes 0: a monotone association (one parameter at a time; the sensitivity methods and spacesim discover look further)")
    return lines


def outcome_against_parameter(
    x: np.ndarray, y: np.ndarray, ax: Axes | None = None, colour: str = COLOURS[0], label: str | None = None, smoother: bool = True
) -> Axes:
    """One outcome against one parameter: a point per design point and a LOWESS smoother through them."""
    ax = ax if ax is not None else Figure(figsize=(4, 3.2), layout="constrained").add_subplot()
    ax.scatter(x, y, s=12, alpha=0.6, color=colour, label=label, linewidths=0)
    if smoother and len(x) >= 5 and np.ptp(x) > 0:
        from statsmodels.nonparametric.smoothers_lowess import lowess

        fit = lowess(y, x, frac=LOWESS_FRACTION, return_sorted=True)
        ax.plot(fit[:, 0], fit[:, 1], color=colour, linewidth=2)
    return ax


def parameter_panel(runs: pd.DataFrame, design: DesignLike, outcome: str, title: str = "") -> Figure | None:
    """An outcome against each varied parameter (a panel each), a point per design point (replicates averaged), a LOWESS
    smoother per variant, and rho with its interval in each panel's title; ``None`` when no numeric parameter varies."""
    parameters = varied_numbers(runs, design)
    if not parameters:
        return None
    value = run_value(outcome, runs.columns)
    means = point_means(runs, parameters, value.column)
    cols = min(3, len(parameters))
    rows = -(-len(parameters) // cols)
    fig = Figure(figsize=(4.3 * cols, 3.4 * rows + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharey=True)).ravel()
    variants = list(pd.unique(means["variant"]))
    correlations = rank_correlations(runs, design, [outcome])
    for ax, p in zip(axes, parameters):
        for k, variant in enumerate(variants):
            group = means[means["variant"] == variant]
            outcome_against_parameter(
                group[p].to_numpy(dtype=float),
                group[value.column].to_numpy(dtype=float),
                ax=ax,
                colour=COLOURS[k % len(COLOURS)],
                label=str(variant) if len(variants) > 1 else None,
            )
        ax.set_xlabel(p)
        here = correlations[correlations["parameter"] == p]
        if len(here) == 1 and here["rho"].iloc[0] == here["rho"].iloc[0]:
            r = here.iloc[0]
            ax.set_title(f"rho {r['rho']:+.2f} [{r['low']:+.2f}, {r['high']:+.2f}]", fontsize="small")
        ax.grid(alpha=0.25)
    axes[0].set_ylabel(f"{value.label} ({outcome_unit(outcome, value.is_total).replace('so far', 'over the run')})")
    for ax in axes[len(parameters) :]:
        ax.set_axis_off()
    if len(variants) > 1:
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 6), fontsize="small", title="variant")
    n = means.groupby("variant").size().max()
    fig.suptitle(
        (f"{title}: " if title else "")
        + f"{value.label} against each parameter\n({n} design points, replicates averaged; line: LOWESS; rho: Spearman, 95% interval)",
        fontsize="medium",
    )
    return fig
