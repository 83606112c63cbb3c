"""Paired comparison of policy variants run under common random numbers.

In a batch, every variant of a design point runs with the same replicate
seeds (see ``experiment/design.py``), so replicate ``r`` of variant A and
replicate ``r`` of variant B met the same chance events up to the point
where the policies made them differ. Comparing them pair by pair removes
the shared luck from the comparison; what is left is the effect of the
policy. For each outcome, design point and pair of variants (A, B) in file
order, :func:`paired_comparison` reports over the replicates where both
completed:

* ``mean_diff``: the mean paired difference B − A of the outcome's run
  value: its final value, or its total over the run for a per-step count
  (:func:`spacesim.output.outcomes.run_value`);
* ``confidence``: the level of the intervals (0.95 unless ``--confidence``
  said otherwise), so that a reader of the table knows what they are;
* ``ci_low``, ``ci_high``: its percentile bootstrap confidence interval,
  resampling replicate *pairs*;
* ``unpaired_ci_low``, ``unpaired_ci_high``: the interval an analysis that
  ignores the pairing would give (A and B resampled independently), for
  comparison; with common random numbers it is usually much wider;
* ``effect_size``: Cohen's d_z, the mean difference over the standard
  deviation of the differences (ddof=1): how many "noise units" apart the
  variants are. It is NaN when fewer than two pairs exist or every
  difference is the same (standard deviation 0, e.g. identical variants);
* ``share_b_better``, ``share_a_better``, ``share_tied``: the fractions of
  pairs in which B's value is larger, smaller or equal. "Better" means a
  *larger* value; for outcomes where less is better (``debris``,
  ``threat_level``, counts of hostile acts) read ``share_a_better`` instead.

:func:`forest_plot` draws the differences and intervals, one panel per
outcome. :func:`compare_batch` does both for a batch result folder and is
what ``spacesim compare DIR`` and the end of ``spacesim batch`` call.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..catalogue import renamed_hint
from ..output.folder import write_parquet_atomic
from ..output.outcomes import FINAL, is_value_column, run_value
from ..output.result_folder import BatchManifest, ComparisonRecord, ResultFolder
from ..parameters import value_label
from ..scenario.errors import InputError
from ..stats import difference_intervals

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Columns of a comparison table, in order (the varied parameters follow ``point`` when a batch has several design points).
COLUMNS: tuple[str, ...] = (
    "outcome",
    "point",
    "variant_a",
    "variant_b",
    "n_pairs",
    "mean_a",
    "mean_b",
    "mean_diff",
    "confidence",
    "ci_low",
    "ci_high",
    "unpaired_ci_low",
    "unpaired_ci_high",
    "effect_size",
    "share_b_better",
    "share_a_better",
    "share_tied",
)

FILE = "comparison.parquet"
PLOT = "comparison_forest.png"
DEFAULT_BOOT = 10_000

#: Most rows (pairs x design points) per panel of the forest plot.
MAX_FOREST_ROWS = 60

#: Columns of runs.parquet that are not parameters.
_RUN_COLUMNS = frozenset({"run_id", "point", "variant", "replicate", "seed", "status", "error_type", "error", "steps", "reproduce", "scenario"})


@dataclass
class _Row:
    """One comparison before the bootstrap: its keys and the paired values."""

    keys: dict[str, Any]
    a: np.ndarray
    b: np.ndarray


def paired_comparison(
    runs: pd.DataFrame,
    outcomes: list[str],
    variants: list[str] | None = None,
    *,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    confidence: float = 0.95,
    varied: list[str] | None = None,
    source: str | Path = "runs.parquet",
) -> pd.DataFrame:
    """Paired differences between variants of a batch's runs, with bootstrap intervals.

    ``runs`` is a batch's runs table (``runs.parquet``: ``point``,
    ``variant``, ``replicate``, ``status`` and ``final_<outcome>`` columns,
    ``total_<outcome>`` for per-step counts, which are compared by their
    totals);
    failed runs are left out. ``variants`` picks and orders the variants to
    compare (default: every variant, in the order of the runs, which is the
    experiment file's order); every pair (A, B) with A before B is compared,
    and differences are B − A. Replicate ``r`` of A is paired with replicate
    ``r`` of B of the same design point; ``n_pairs`` counts the replicates
    where both completed with a value, and ``mean_a``/``mean_b`` are means
    over those pairs.

    When the runs span several design points, there is a row per point and
    the values of the varied parameters (``varied``; by default the
    parameter columns that are constant within each point and differ
    between points) follow the ``point`` column. The columns are
    :data:`COLUMNS` (see the module docstring for their meaning).

    Intervals are percentile bootstrap intervals at level ``confidence``
    from ``n_boot`` resamples, by ``scipy.stats.bootstrap``: ``paired=True``
    (the pairs resampled) for the interval of the paired difference,
    ``paired=False`` (A's and B's values resampled apart) for the unpaired
    one, each from a fresh ``numpy.random.default_rng(seed)`` (see
    :func:`spacesim.stats.difference_intervals`). So a row's interval does
    not depend on which other outcomes or variants are compared, and the
    same seed gives the same table. Rows with no pairs (every run of a variant failed at that point)
    have NaN statistics.

    Raises :class:`InputError` (naming ``source``) when fewer than two
    variants are compared, a variant or outcome is unknown, or no pair exists.

    >>> runs = pd.DataFrame({"point": 0, "replicate": [0, 1, 2, 0, 1, 2], "status": "completed",
    ...                      "variant": ["a"] * 3 + ["b"] * 3, "final_x": [1.0, 2.0, 3.0, 2.0, 2.5, 4.0]})
    >>> row = paired_comparison(runs, ["x"], n_boot=1000).iloc[0]
    >>> row["variant_b"], int(row["n_pairs"]), float(row["mean_diff"]), float(row["share_b_better"])
    ('b', 3, 0.8333333333333334, 1.0)
    >>> bool(row["ci_high"] - row["ci_low"] < row["unpaired_ci_high"] - row["unpaired_ci_low"])
    True
    """
    if n_boot < 1:
        raise InputError.single(source, "n_boot", f"the number of bootstrap resamples must be at least 1, not {n_boot}")
    if not 0 < confidence < 1:
        raise InputError.single(source, "confidence", f"the confidence level must be between 0 and 1 (e.g. 0.95), not {confidence}")
    missing = [c for c in ("point", "variant", "replicate") if c not in runs.columns]
    if missing:
        raise InputError.single(source, "", f"not a batch's runs table: no {', '.join(missing)} column")
    if "run_id" in runs.columns:
        runs = runs.sort_values("run_id", kind="stable")
    known = [str(v) for v in pd.unique(runs["variant"])]
    variants = _check_variants(known, variants, source)
    outcomes = _check_outcomes(runs, outcomes, source)

    done = runs[runs["status"] == "completed"] if "status" in runs.columns else runs
    points = sorted(int(p) for p in pd.unique(runs["point"]))
    several = len(points) > 1
    varied = [v for v in (_infer_varied(runs) if varied is None else varied) if v in runs.columns] if several else []
    point_values = {int(p): g.iloc[0] for p, g in runs.groupby("point")}

    rows: list[_Row] = []
    for outcome in outcomes:
        column = run_value(outcome, runs.columns).column
        for point in points:
            here = done[done["point"] == point]
            duplicated = here.duplicated(["variant", "replicate"])
            if duplicated.any():
                first = here[duplicated].iloc[0]
                raise InputError.single(
                    source, "", f"point {point}, variant {first['variant']!r}, replicate {first['replicate']} appears twice; a runs table has one row per run"
                )
            table = here.pivot(index="replicate", columns="variant", values=column)
            for a, b in itertools.combinations(variants, 2):
                if a in table.columns and b in table.columns:
                    pair = table[[a, b]].astype(float).dropna()
                    values_a, values_b = pair[a].to_numpy(), pair[b].to_numpy()
                else:
                    values_a = values_b = np.empty(0)
                keys = {"outcome": outcome, "point": point, **{k: point_values[point][k] for k in varied}, "variant_a": a, "variant_b": b}
                rows.append(_Row(keys, values_a, values_b))
    if not any(r.a.size for r in rows):
        raise InputError.single(source, "", f"no pairs to compare: no replicate completed under two of the variants {', '.join(map(repr, variants))}")

    stats = _bootstrap(rows, n_boot, seed, confidence)
    records = [{**row.keys, **_describe(row), "confidence": float(confidence), **s} for row, s in zip(rows, stats)]
    order = ["outcome", "point", *varied, *COLUMNS[2:]]
    out = pd.DataFrame.from_records(records, columns=order)
    out["point"] = out["point"].astype("int64")
    out["n_pairs"] = out["n_pairs"].astype("int64")
    statistics = {o: run_value(o, runs.columns).statistic for o in outcomes}
    out.attrs.update({"n_boot": int(n_boot), "seed": int(seed), "confidence": float(confidence), "varied": list(varied), "statistics": statistics})
    return out


def _check_variants(known: list[str], variants: list[str] | None, source: str | Path) -> list[str]:
    if variants is None:
        if len(known) < 2:
            raise InputError.single(
                source,
                "variant",
                f"the batch has {'only the variant ' + repr(known[0]) if known else 'no runs'}; a paired comparison needs two or more variants (add "
                "'variants:' to the experiment file)",
            )
        return known
    unknown = [v for v in variants if v not in known]
    if unknown:
        raise InputError.single(source, "variant", f"unknown variant {', '.join(map(repr, unknown))}; the batch has {', '.join(map(repr, known))}")
    if len(set(variants)) != len(variants):
        raise InputError.single(source, "variant", f"a variant is named twice in {', '.join(map(repr, variants))}")
    if len(variants) < 2:
        raise InputError.single(
            source, "variant", f"a paired comparison needs two or more variants, not {len(variants)}; the batch has {', '.join(map(repr, known))}"
        )
    return list(variants)


def _check_outcomes(runs: pd.DataFrame, outcomes: list[str], source: str | Path) -> list[str]:
    valid = [c.removeprefix("final_") for c in runs.columns if c.startswith("final_")]
    if not outcomes:
        raise InputError.single(source, "outcome", f"no outcome to compare; choose from {', '.join(valid)}")
    unknown = [o for o in outcomes if o not in valid]
    if unknown:
        raise InputError.single(
            source, "outcome", f"unknown outcome {', '.join(map(repr, unknown))}{renamed_hint(unknown[0])}; the runs table has {', '.join(valid)}"
        )
    return list(dict.fromkeys(outcomes))


def _infer_varied(runs: pd.DataFrame) -> list[str]:
    """Parameter columns constant within each design point and different between points."""
    names = []
    for column in runs.columns:
        if column in _RUN_COLUMNS or is_value_column(column):
            continue
        per_point = runs.groupby("point")[column].nunique(dropna=False)
        if (per_point == 1).all() and runs[column].nunique(dropna=False) > 1:
            names.append(column)
    return names


def _describe(row: _Row) -> dict[str, Any]:
    n = row.a.size
    if n == 0:
        nan = math.nan
        return {
            "n_pairs": 0,
            "mean_a": nan,
            "mean_b": nan,
            "mean_diff": nan,
            "effect_size": nan,
            "share_b_better": nan,
            "share_a_better": nan,
            "share_tied": nan,
        }
    diff = row.b - row.a
    sd = float(np.std(diff, ddof=1)) if n > 1 else 0.0
    return {
        "n_pairs": n,
        "mean_a": float(row.a.mean()),
        "mean_b": float(row.b.mean()),
        "mean_diff": float(diff.mean()),
        "effect_size": float(diff.mean()) / sd if sd > 0 else math.nan,
        "share_b_better": float(np.mean(diff > 0)),
        "share_a_better": float(np.mean(diff < 0)),
        "share_tied": float(np.mean(diff == 0)),
    }


def _bootstrap(rows: list[_Row], n_boot: int, seed: int, confidence: float) -> list[dict[str, float]]:
    """Paired and unpaired percentile intervals of every row (:func:`spacesim.stats.difference_intervals`, on
    ``scipy.stats.bootstrap``), rows with the same number of pairs together.

    Rows of equal size share the resamples (each group starts from ``default_rng(seed)``), so
    a row's interval does not depend on which other rows are compared.
    """
    nan = {"ci_low": math.nan, "ci_high": math.nan, "unpaired_ci_low": math.nan, "unpaired_ci_high": math.nan}
    out: list[dict[str, float]] = [dict(nan) for _ in rows]
    by_size: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        if row.a.size:
            by_size.setdefault(row.a.size, []).append(i)
    for members in by_size.values():
        intervals = difference_intervals(np.stack([rows[i].a for i in members]), np.stack([rows[i].b for i in members]), n_boot, seed, confidence)
        for k, i in enumerate(members):
            out[i] = {
                "ci_low": float(intervals.low[k]),
                "ci_high": float(intervals.high[k]),
                "unpaired_ci_low": float(intervals.unpaired_low[k]),
                "unpaired_ci_high": float(intervals.unpaired_high[k]),
            }
    return out


def confidence_level(comparison: pd.DataFrame) -> float | None:
    """The level of a comparison table's intervals: its ``confidence`` column; ``None`` when its rows disagree.

    Tables written before the column existed fall back to the level kept in
    the table's attrs, then to 0.95 (the only level those versions wrote by default).

    >>> confidence_level(pd.DataFrame({"confidence": [0.5, 0.5]})), confidence_level(pd.DataFrame({"x": [1]}))
    (0.5, 0.95)
    """
    if "confidence" in comparison.columns:
        levels = pd.unique(pd.to_numeric(comparison["confidence"], errors="coerce").dropna())
        if len(levels) == 1:
            return float(levels[0])
        if len(levels) > 1:
            return None
    return float(comparison.attrs.get("confidence", 0.95))


def _outcome_label(outcome: str, statistics: dict[str, str] | None, spaces: bool = True) -> str:
    """How a comparison names an outcome's values: "final mean trust", or "n asat tests (total over the run)" for a compared total.

    ``statistics`` is the table's ``attrs["statistics"]`` (outcome to
    statistic); a table without it compared final values (tables written
    before totals existed, or built by hand).

    >>> _outcome_label("mean_trust", None), _outcome_label("n_leaks", {"n_leaks": "total over the run"}, spaces=False), _outcome_label("n_leaks", None)
    ('final mean trust', 'n_leaks (total over the run)', 'final n leaks')
    """
    statistic = (statistics or {}).get(outcome, FINAL)
    name = outcome.replace("_", " ") if spaces else outcome
    return f"{name} ({statistic})" if statistic != FINAL else f"final {name}"


def level_label(confidence: float | None) -> str:
    """A level as a percentage for labels ("95%", "97.5%"); "" when unknown (mixed levels).

    >>> level_label(0.95), level_label(0.975), level_label(0.5), level_label(None)
    ('95%', '97.5%', '50%', '')
    """
    return "" if confidence is None else f"{100 * confidence:.4g}%"


# --- the forest plot ---------------------------------------------------------------


def row_labels(comparison: pd.DataFrame) -> list[str]:
    """A label for each row of one outcome: "B − A", and the design point when there are several.

    >>> table = pd.DataFrame({"outcome": "x", "point": [0, 1], "legal_clarity": [0.2, 0.8], "variant_a": "a", "variant_b": "b"})
    >>> row_labels(table)
    ['b − a (legal_clarity=0.2)', 'b − a (legal_clarity=0.8)']
    """
    varied = [c for c in comparison.columns if c not in COLUMNS]
    several = comparison["point"].nunique() > 1
    labels = []
    for _, r in comparison.iterrows():
        label = f"{r['variant_b']} − {r['variant_a']}"
        if several:
            where = ", ".join(f"{k}={value_label(r[k])}" for k in varied) if varied else f"point {r['point']}"
            label += f" ({where})"
        labels.append(label)
    return labels


def forest_plot(comparison: pd.DataFrame, title: str = "") -> Figure:
    """A forest plot of a comparison table: one panel per outcome, a row per pair of variants (and design point).

    The dot is the mean paired difference B − A, the thick bar its paired
    bootstrap interval, the thin grey bar below it the unpaired interval;
    the dashed line is zero (no difference); thin lines separate design
    points. Every panel has the same rows, so the labels are written on the
    left column only. With more than :data:`MAX_FOREST_ROWS` rows per
    outcome (a large sampled design) the first of them are drawn and the
    title says so.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from .plots import OKABE_ITO

    level = level_label(confidence_level(comparison))
    statistics = comparison.attrs.get("statistics")
    outcomes = list(dict.fromkeys(comparison["outcome"]))
    total = int((comparison["outcome"] == outcomes[0]).sum())
    if total > MAX_FOREST_ROWS:  # a large sampled design: the first rows only, and the title says so
        comparison = comparison.groupby("outcome", sort=False).head(MAX_FOREST_ROWS)
    first = comparison[comparison["outcome"] == outcomes[0]]
    labels = row_labels(first)
    n_rows = len(labels)
    cols = min(2, len(outcomes))
    rows = -(-len(outcomes) // cols)
    longest = max(len(s) for s in labels)
    fig = Figure(figsize=(cols * 4.6 + min(0.075 * longest, 4.5), rows * (0.42 * n_rows + 1.3) + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharey=True)).ravel()
    y = np.arange(n_rows)[::-1].astype(float)
    point_of_row = first["point"].to_numpy()
    breaks = [y[i] + 0.5 for i in range(1, n_rows) if point_of_row[i] != point_of_row[i - 1]]  # between design points
    for ax, outcome in zip(axes, outcomes):
        table = comparison[comparison["outcome"] == outcome]
        ax.axvline(0.0, color="black", linestyle="--", linewidth=0.9, alpha=0.6)
        for b in breaks:
            ax.axhline(b, color="#cccccc", linewidth=0.8)
        ax.hlines(y - 0.22, table["unpaired_ci_low"], table["unpaired_ci_high"], color="#9a9a9a", linewidth=1.2)
        ax.hlines(y, table["ci_low"], table["ci_high"], color=OKABE_ITO["blue"], linewidth=3.0)
        ax.plot(table["mean_diff"], y, "o", color=OKABE_ITO["vermillion"], markersize=6, zorder=3)
        finite = table[["ci_low", "ci_high", "unpaired_ci_low", "unpaired_ci_high", "mean_diff"]].to_numpy(dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            lo, hi = min(finite.min(), 0.0), max(finite.max(), 0.0)
            pad = 0.06 * (hi - lo) if hi > lo else 1.0
            ax.set_xlim(lo - pad, hi + pad)
        ax.set_yticks(y, labels, fontsize="small")
        ax.set_ylim(-0.7, n_rows - 0.4)
        n = table["n_pairs"].max()
        label = _outcome_label(outcome, statistics)
        ax.set_title(f"{label} (n = {n} pair{'' if n == 1 else 's'})" if table["n_pairs"].nunique() == 1 else label, fontsize="medium")
        ax.set_xlabel("difference B − A")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(outcomes) :]:
        ax.set_axis_off()
    handles = [
        Line2D([], [], marker="o", color=OKABE_ITO["vermillion"], linestyle="none", label="mean paired difference"),
        Line2D([], [], color=OKABE_ITO["blue"], linewidth=3, label=f"{level} paired bootstrap interval".lstrip()),
        Line2D([], [], color="#9a9a9a", linewidth=1.2, label=f"{level} unpaired interval (ignores common random numbers)".lstrip()),
    ]
    shown = f"(the first {MAX_FOREST_ROWS} of {total} rows per outcome; every row is in {FILE})" if total > MAX_FOREST_ROWS else ""
    heading = (f"{title}: " if title else "") + "paired differences of variants (B − A) under common random numbers"
    _fit_legend_and_title(fig, handles, heading, shown)
    return fig


def _fit_legend_and_title(fig: Figure, handles: list[Any], heading: str, extra: str) -> None:
    """Put the legend below the panels and the title above them so that both fit the figure's width.

    The legend goes on one row when it fits, else one entry a line; the
    title is wrapped at words to the width; if a piece still does not fit
    (a very long experiment name) the figure is widened to it. Widths are
    measured with the Agg renderer that writes the PNG, so nothing is cut
    at the edges, whatever the number of outcomes.
    """
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    margin = 0.2  # inches kept free at each edge
    width = fig.get_figwidth() - 2 * margin

    def inches(artist: Any) -> float:
        return artist.get_window_extent(renderer).width / fig.dpi

    legend = fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize="small")
    if inches(legend) > width:
        legend.remove()
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=1, fontsize="small")
    title = fig.suptitle(heading + (f"\n{extra}" if extra else ""))
    if inches(title) > width:
        chars = len(heading)
        while chars > 20 and inches(title) > width:
            chars = int(chars * 0.9)
            lines = textwrap.wrap(heading.replace("B − A", "B\u00a0−\u00a0A"), chars) + (textwrap.wrap(extra, chars) if extra else [])
            title.set_text("\n".join(lines))
    needed = max(inches(legend), inches(title)) + 2 * margin
    if needed > fig.get_figwidth():
        fig.set_figwidth(needed)


def draw_forest(comparison: pd.DataFrame, plots_dir: Path, title: str = "", name: str = PLOT) -> Path:
    """Write :func:`forest_plot` to ``plots_dir/comparison_forest.png`` (or ``name``; to a temporary name, then renamed) and return its path."""
    plots_dir.mkdir(parents=True, exist_ok=True)
    path = plots_dir / name
    tmp = plots_dir / f".{name}.tmp-{os.getpid()}.png"
    forest_plot(comparison, title).savefig(tmp, dpi=100)
    tmp.replace(path)
    return path


# --- the readable table ------------------------------------------------------------------


def _numbers(*values: float) -> list[str]:
    """Numbers printed with a shared number of decimals: three significant digits of the largest.

    >>> _numbers(-0.01234, -0.03, 0.0005), _numbers(12.0, 3.25, 25.5), _numbers(0.0, 0.0, float("nan"))
    (['-0.0123', '-0.0300', '0.0005'], ['12.0', '3.2', '25.5'], ['0', '0', 'n/a'])
    """
    finite = [abs(v) for v in values if math.isfinite(v)]
    scale = max(finite, default=0.0)
    decimals = 0 if scale == 0 else min(6, max(0, 2 - math.floor(math.log10(scale))))
    return [f"{v:,.{decimals}f}" if math.isfinite(v) else "n/a" for v in values]


def format_comparison(comparison: pd.DataFrame, limit: int | None = None) -> str:
    """The comparison as text a person reads: per outcome, a line per pair with B − A, its interval, d_z and how often B was higher.

    ``limit`` caps the number of pair lines (the rest are counted, not shown).

    >>> table = pd.DataFrame([{"outcome": "x", "point": 0, "variant_a": "a", "variant_b": "b", "n_pairs": 3, "mean_a": 1.0, "mean_b": 2.0,
    ...     "mean_diff": 1.0, "ci_low": 0.5, "ci_high": 1.5, "unpaired_ci_low": -0.5, "unpaired_ci_high": 2.5, "effect_size": 2.0,
    ...     "share_b_better": 1.0, "share_a_better": 0.0, "share_tied": 0.0}])
    >>> print(format_comparison(table))
    final x, B − A over 3 paired replicates, 95% bootstrap interval:
      b − a  +1.00 [0.50, 1.50]  d_z +2.00  b higher in 100% of replicates (a higher 0%, tied 0%)
    """
    lines: list[str] = []
    shown = 0
    statistics = comparison.attrs.get("statistics")
    for outcome, table in comparison.groupby("outcome", sort=False):
        level = level_label(confidence_level(table))
        if limit is not None and shown >= limit:
            break
        n = table["n_pairs"]
        over = f"{n.iloc[0]} paired replicate{'' if n.iloc[0] == 1 else 's'}" if n.nunique() == 1 else f"{n.min()}-{n.max()} paired replicates"
        lines.append(f"{_outcome_label(outcome, statistics, spaces=False)}, B − A over {over}, {level + ' ' if level else ''}bootstrap interval:")
        labels = row_labels(table)
        width = max(len(s) for s in labels)
        for label, (_, r) in zip(labels, table.iterrows()):
            if limit is not None and shown >= limit:
                break
            shown += 1
            if r["n_pairs"] == 0:
                lines.append(f"  {label:<{width}}  no pairs (no replicate completed under both)")
                continue
            diff, low, high = _numbers(r["mean_diff"], r["ci_low"], r["ci_high"])
            diff = diff if diff.startswith("-") or diff in ("n/a", "0") else "+" + diff
            dz = "n/a" if not math.isfinite(r["effect_size"]) else f"{r['effect_size']:+.2f}"
            lines.append(
                f"  {label:<{width}}  {diff} [{low}, {high}]  d_z {dz}  "
                f"{r['variant_b']} higher in {r['share_b_better']:.0%} of replicates ({r['variant_a']} higher {r['share_a_better']:.0%}, tied "
                f"{r['share_tied']:.0%})"
            )
    if limit is not None and shown < len(comparison):
        lines.append(f"  ... {len(comparison) - shown} more rows in {FILE} (spacesim compare DIR prints them all)")
    return "\n".join(lines)


# --- a batch result folder -----------------------------------------------------------------


def read_batch(folder: str | Path) -> tuple[BatchManifest, pd.DataFrame]:
    """The manifest and runs table of a finished batch folder; :class:`InputError` if it is not one."""
    folder = Path(folder)
    manifest = read_finished(folder, "a paired comparison (two or more variants)", kind="batch")
    return manifest, pd.read_parquet(folder / "runs.parquet")


def read_finished(folder: Path, needed_for: str, kind: str | None = None) -> Any:
    """A finished result folder's manifest; an unfinished batch is refused with the command that finishes it (batch or sensitivity, same method)."""
    return ResultFolder(folder).read(kind=kind, needed_for=needed_for)


def compare_batch(
    folder: str | Path,
    outcomes: list[str] | None = None,
    variants: list[str] | None = None,
    *,
    n_boot: int = DEFAULT_BOOT,
    seed: int | None = None,
    confidence: float = 0.95,
    plot: bool = True,
    out: str | Path | None = None,
    force: bool = False,
    write: bool = True,
) -> tuple[pd.DataFrame, list[Path], str | None]:
    """Compare the variants of a finished batch folder; write the table and its forest plot (not with ``write=False``: the table alone, nothing written).

    Defaults: the manifest's outcomes and the experiment's base seed (so the
    result equals the one the batch wrote). The table goes to
    ``folder/comparison.parquet`` and the plot to
    ``folder/plots/comparison_forest.png``, or with ``out`` to that
    ``.parquet`` file and a ``.png`` of the same name beside it.

    The batch's own ``comparison.parquet`` is what its report shows, so it is
    not replaced silently: when the file exists and holds another comparison
    (other outcomes, variants, level, resamples or seed), this is refused
    unless ``force``. The same goes for an existing ``out``. Returns the
    table, the paths written and a sentence saying what was replaced (or
    ``None``). Raises :class:`InputError` for a folder that is not a
    finished batch, and as :func:`paired_comparison` does.
    """
    folder = Path(folder)
    manifest, runs = read_batch(folder)
    target, picture = _targets(folder, out)
    table = paired_comparison(
        runs,
        list(outcomes or manifest.outcomes),
        variants,
        n_boot=n_boot,
        seed=manifest.base_seed if seed is None else seed,
        confidence=confidence,
        varied=manifest.design.varied,
        source=folder / "runs.parquet",
    )
    if not write:
        return table, [], None
    replaced = None
    own = target == folder / FILE
    if target.exists():
        old = _read_existing(target)
        if old is None or describe_comparison(old) != describe_comparison(table):
            was = "an unreadable table" if old is None else describe_comparison(old)
            if not force:
                what = "holds the comparison the batch's report shows" if own else "exists"
                raise InputError.single(
                    target,
                    "--out" if not own else "",
                    f"{what} ({was}); this one ({describe_comparison(table)}) would replace it"
                    + (", and the report would show only this one" if own else "")
                    + ". Pass --force to replace it"
                    + (", or --out FILE.parquet to write this one beside it" if own else ", or choose another --out"),
                )
            replaced = f"replaced {target} (it held {was})" + (
                f"; spacesim compare {folder} --out {folder / FILE} writes the batch's own comparison again" if own else ""
            )
    paths = [write_comparison(target.parent, table, target.name)]
    if plot:
        paths.append(draw_forest(table, picture.parent, manifest.experiment.name, picture.name))
    return table, paths, replaced


def _targets(folder: Path, out: str | Path | None) -> tuple[Path, Path]:
    """Where the table and the plot go: the folder's own files, or ``out`` and a .png beside it."""
    if out is None:
        return folder / FILE, folder / "plots" / PLOT
    out = Path(out)
    if out.is_dir():
        raise InputError.single(out, "--out", "is a folder; give the name of the .parquet file to write, e.g. --out comparison_trust.parquet")
    if out.suffix != ".parquet":
        raise InputError.single(
            out, "--out", "the comparison is a Parquet table: give a file name ending in .parquet (its forest plot is written beside it as .png)"
        )
    if out.resolve() == (folder / FILE).resolve():
        return folder / FILE, folder / "plots" / PLOT
    return out, out.with_suffix(".png")


def _read_existing(path: Path) -> pd.DataFrame | None:
    try:
        return pd.read_parquet(path)
    except Exception:  # noqa: BLE001 - an unreadable old file is simply "another comparison"
        return None


def describe_comparison(comparison: pd.DataFrame) -> str:
    """What a comparison table compares, in words: outcomes, variants, level, resamples and seed (equal for equal settings).

    >>> runs = pd.DataFrame({"point": 0, "replicate": [0, 1, 0, 1], "status": "completed", "variant": ["a", "a", "b", "b"], "final_x": [1.0, 2.0, 2.0, 2.5]})
    >>> describe_comparison(paired_comparison(runs, ["x"], n_boot=100, seed=3))
    "1 outcome (x), variants 'a', 'b', 95% intervals, 100 resamples, seed 3"
    """
    outcomes = [str(o) for o in dict.fromkeys(comparison["outcome"])] if "outcome" in comparison.columns else []
    variants = list(dict.fromkeys([*comparison.get("variant_a", []), *comparison.get("variant_b", [])]))
    attrs = comparison.attrs
    parts = [
        f"{len(outcomes)} outcome{'s' if len(outcomes) != 1 else ''} ({', '.join(outcomes)})",
        "variants " + ", ".join(map(repr, map(str, variants))),
        f"{level_label(confidence_level(comparison)) or 'mixed'} intervals",
    ]
    if "n_boot" in attrs:
        parts.append(f"{int(attrs['n_boot']):,} resamples")
    if "seed" in attrs:
        parts.append(f"seed {attrs['seed']}")
    return ", ".join(parts)


def write_comparison(folder: Path, comparison: pd.DataFrame, name: str = FILE) -> Path:
    """Write ``comparison.parquet`` (or ``name``) into ``folder`` atomically (temporary name, then renamed); its settings travel in the table's attrs."""
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet_atomic(path, comparison)
    return path


# --- hooks of the batch runner ------------------------------------------------------------------


def _has_variants(manifest: BatchManifest) -> bool:
    return len(manifest.design.variants) >= 2


#: How the comparison's intervals are computed, as the manifest records it.
METHOD = (
    "percentile bootstrap of the mean difference B - A (scipy.stats.bootstrap; paired=True over common-random-number replicates, paired=False for "
    "the unpaired interval)"
)


def write_batch_comparison(out: Path, manifest: BatchManifest, runs: pd.DataFrame) -> ComparisonRecord | None:
    """At the end of a batch with two or more variants: write ``comparison.parquet``; return the manifest's account of it.

    Uses the manifest's outcomes, :data:`DEFAULT_BOOT` resamples and the base
    seed. Writes nothing (and returns ``None``) with a single variant or when
    no pair of runs completed.
    """
    if not _has_variants(manifest):
        return None
    try:
        table = paired_comparison(runs, list(manifest.outcomes), seed=manifest.base_seed, varied=manifest.design.varied, source=out / "runs.parquet")
    except InputError:
        return None
    write_comparison(out, table)
    return ComparisonRecord(
        table=FILE, outcomes=list(dict.fromkeys(table["outcome"])), resamples=DEFAULT_BOOT, seed=manifest.base_seed, confidence=0.95, method=METHOD
    )


def draw_batch_forest(out: Path, manifest: BatchManifest, runs: pd.DataFrame) -> list[Path]:
    """Redraw ``plots/comparison_forest.png`` of a batch with variants from ``comparison.parquet`` (computed and written first if missing)."""
    if not _has_variants(manifest):
        return []
    if not (out / FILE).exists() and write_batch_comparison(out, manifest, runs) is None:
        return []
    table = pd.read_parquet(out / FILE)
    return [draw_forest(table, out / "plots", manifest.experiment.name)]


def batch_summary_lines(out: Path, outcomes: list[str] | None = None, limit: int = 12) -> list[str]:
    """Lines for :func:`spacesim.analysis.summary.batch_summary`: the paired differences in ``comparison.parquet``, if the batch has one."""
    path = Path(out) / FILE
    if not path.exists():
        return []
    table = pd.read_parquet(path)
    if outcomes:
        table = table[table["outcome"].isin(outcomes)]
    if table.empty:
        return []
    return ["paired differences between variants (common random numbers; details: spacesim compare DIR):", format_comparison(table, limit=limit)]


# --- two single runs ------------------------------------------------------------------------------

#: The outcomes two single runs are compared on by default: those a run's summary prints.
RUN_OUTCOMES = ("n_bilateral", "n_memberships", "mean_trust", "collective_security", "debris", "threat_level")


def compare_runs(run_a: str | Path, run_b: str | Path, outcomes: list[str] | None = None) -> pd.DataFrame:
    """The outcomes of two single runs side by side: A's and B's value (final, or total over the run for a per-step count) and B − A.

    One run per side gives one difference, with no interval: it says how
    these two runs differ, not how much of that chance alone would give (a
    batch with replicates says that). ``attrs`` hold the runs' seeds and
    the parameters that differ between them.
    """
    folders = [Path(run_a), Path(run_b)]
    rows = []
    for folder in folders:
        ResultFolder(folder).read(kind="run", needed_for="comparing two single runs")
        runs = pd.read_parquet(folder / "runs.parquet")
        if len(runs) != 1:
            raise InputError.single(folder / "runs.parquet", "", f"holds {len(runs)} runs; comparing two single runs needs the folders of spacesim run")
        rows.append(runs.iloc[0])
    a, b = rows
    outcomes = list(outcomes or RUN_OUTCOMES)
    columns = set(a.index) & set(b.index)
    unknown = [o for o in outcomes if run_value(o, columns).column not in columns]
    if unknown:
        known = sorted(c.removeprefix("final_") for c in columns if c.startswith("final_"))
        raise InputError.single("--outcomes", unknown[0], f"unknown outcome{renamed_hint(unknown[0])}; the runs have {', '.join(known)}")
    values = [run_value(o, columns) for o in outcomes]
    table = pd.DataFrame(
        {
            "outcome": outcomes,
            "statistic": [v.statistic for v in values],
            "value_a": [float(a[v.column]) for v in values],
            "value_b": [float(b[v.column]) for v in values],
        }
    )
    table["difference"] = table["value_b"] - table["value_a"]
    parameters = [c for c in sorted(columns) if not is_value_column(c) and c not in _RUN_COLUMNS]
    differ = {c: (a[c], b[c]) for c in parameters if not _same(a[c], b[c])}
    table.attrs = {
        "run_a": str(folders[0]),
        "run_b": str(folders[1]),
        "seed_a": int(a["seed"]),
        "seed_b": int(b["seed"]),
        "steps_a": int(a["steps"]),
        "steps_b": int(b["steps"]),
        "differ": {k: [_plain(x) for x in v] for k, v in differ.items()},
    }
    return table


def _same(x: Any, y: Any) -> bool:
    try:
        return bool(x == y) or (pd.isna(x) and pd.isna(y))
    except (TypeError, ValueError):
        return str(x) == str(y)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def format_run_comparison(table: pd.DataFrame) -> str:
    """What :func:`compare_runs` found, as lines a person reads: what differs between the runs, then each outcome's A, B and B − A."""
    attrs = table.attrs
    lines = [
        f"A: {attrs['run_a']} (seed {attrs['seed_a']}, {attrs['steps_a']} steps)",
        f"B: {attrs['run_b']} (seed {attrs['seed_b']}, {attrs['steps_b']} steps)",
    ]
    differ = attrs.get("differ") or {}
    settings = ", ".join(f"{k} {_word(a)} -> {_word(b)}" for k, (a, b) in differ.items())
    lines.append(f"settings that differ: {settings or 'none'}")
    if attrs["seed_a"] == attrs["seed_b"]:
        lines.append("same seed: both runs met the same luck until their settings made them differ")
    else:
        lines.append("different seeds: part of any difference is chance; compare variants in a batch with replicates to tell policy from luck")
    labels = [f"{o} (total)" if st != FINAL else o for o, st in zip(table["outcome"], table["statistic"])]
    width = max([len("outcome"), *map(len, labels)])
    lines.append(f"  {'outcome':<{width}}  {'A':>12}  {'B':>12}  {'B - A':>12}")
    for label, row in zip(labels, table.itertuples()):
        lines.append(f"  {label:<{width}}  {_num(row.value_a):>12}  {_num(row.value_b):>12}  {_num(row.difference, sign=True):>12}")
    return "\n".join(lines)


def _word(value: Any) -> str:
    return "true" if value is True else "false" if value is False else f"{value:g}" if isinstance(value, float) else str(value)


def _num(value: float, sign: bool = False) -> str:
    if not math.isfinite(value):
        return "nan"
    text = f"{value:+,.3f}" if sign else f"{value:,.3f}"
    if abs(value) >= 1000 or float(value).is_integer():
        text = f"{value:+,.0f}" if sign else f"{value:,.0f}"
    return text
