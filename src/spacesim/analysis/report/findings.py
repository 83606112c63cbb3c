"""The batch report's findings: sentences generated from the comparison, the outcomes' spread and the sensitivity indices, each one row of a table below."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ...output.outcomes import FINAL, run_value
from ...output.result_folder import BatchManifest, DesignRecord
from .formatting import _compared_name, _is_missing, _point_label, _share, _with_conf, fmt
from .html import _p, _section, render

#: At most this many sentences about differences between variants in the findings.
MAX_FINDINGS = 8


def _findings_section(folder: Path, manifest: BatchManifest, runs: pd.DataFrame, design: DesignRecord, outcomes: list[str]) -> tuple[str, str, str]:
    """The report's first section: what the tables say, in sentences, each generated from a table below it."""
    items: list[str] = []
    counts = manifest.runs
    if counts.failed:
        items.append(f"{counts.failed} of {counts.total} runs failed and are left out of every number below (see Failed runs).")
    if (folder / "comparison.parquet").exists():
        items += comparison_findings(pd.read_parquet(folder / "comparison.parquet"), design)
    items += chance_findings(runs, outcomes)
    if (folder / "sensitivity.parquet").exists():
        items += sensitivity_findings(pd.read_parquet(folder / "sensitivity.parquet"))
    if not items:
        items.append(
            "No run completed, so there is nothing to summarise."
            if not (runs["status"] == "completed").any()
            else "Nothing to compare: one variant and one design point."
        )
    body = _p(
        "Generated from the tables of this report; each sentence is one of their rows in words. Higher is not always better: less debris and threat are.",
        "note",
    )
    body += render("findings.html.j2", items=items)
    return _section("findings", "Findings", body)


def comparison_findings(comparison: pd.DataFrame, design: DesignRecord | None = None, limit: int = MAX_FINDINGS) -> list[str]:
    """Sentences from a paired comparison table: which variant is higher on which outcome, by how much, with its
    interval, or that the two cannot be told apart; the clearest differences first.

    >>> table = pd.DataFrame({"outcome": ["mean_trust", "debris"], "point": [0, 0], "variant_a": "weak law", "variant_b": "clear law", "n_pairs": 10,
    ...                       "mean_diff": [0.111, 12.0], "confidence": 0.95, "ci_low": [0.105, -40.0], "ci_high": [0.117, 60.0],
    ...                       "effect_size": [10.5, 0.1], "share_b_better": [1.0, 0.5]})
    >>> for line in comparison_findings(table): print(line)
    Final mean trust is higher under clear law than under weak law by 0.111 (95% CI 0.105 to 0.117; 10 paired replicates, higher in 100% of them).
    Final debris: clear law and weak law cannot be told apart (difference +12, 95% CI -40 to 60 includes 0).
    """
    from ..comparison import level_label

    if comparison.empty:
        return []
    statistics = comparison.attrs.get("statistics")
    several_points = "point" in comparison.columns and comparison["point"].nunique(dropna=True) > 1
    df = comparison.assign(
        _clear=(comparison["ci_low"] > 0) | (comparison["ci_high"] < 0), _size=comparison.get("effect_size", comparison["mean_diff"]).abs().fillna(0)
    )
    df = df.sort_values(["_clear", "_size"], ascending=False, kind="stable")
    lines = []
    for _, r in df.head(limit).iterrows():
        name = _compared_name(str(r["outcome"]), statistics)
        name = "Final " + name if (statistics or {}).get(str(r["outcome"]), FINAL) == FINAL else name[0].upper() + name[1:]
        where = f" at {_point_label(r['point'], design)}" if several_points and not _is_missing(r.get("point")) else ""
        level = level_label(float(r["confidence"])) if "confidence" in r and not _is_missing(r["confidence"]) else "95%"
        a, b, d = str(r["variant_a"]), str(r["variant_b"]), float(r["mean_diff"])
        interval = f"{level} CI {fmt(r['ci_low'])} to {fmt(r['ci_high'])}"
        if r["_clear"]:
            share = r.get("share_b_better") if d > 0 else r.get("share_a_better")
            often = f", higher in {_share(share)} of them" if not _is_missing(share) else ""
            pairs = f"; {int(r['n_pairs'])} paired replicates{often}" if "n_pairs" in r and not _is_missing(r["n_pairs"]) else ""
            high, low = (b, a) if d > 0 else (a, b)
            lines.append(f"{name}{where} is higher under {high} than under {low} by {fmt(abs(d))} ({interval}{pairs}).")
        else:
            lines.append(f"{name}{where}: {b} and {a} cannot be told apart (difference {'+' if d > 0 else ''}{fmt(d)}, {interval} includes 0).")
    if len(df) > limit:
        lines.append(f"{len(df) - limit} more comparisons are in the Policy comparison section.")
    return lines


def chance_findings(runs: pd.DataFrame, outcomes: Sequence[str]) -> list[str]:
    """What chance alone spreads: per outcome, the standard deviation between replicates of the same settings (design
    point and variant), pooled over those groups.

    >>> runs = pd.DataFrame({"status": "completed", "point": 0, "variant": ["a", "a", "b", "b"], "final_x": [1.0, 3.0, 5.0, 7.0]})
    >>> chance_findings(runs, ["x"])  # doctest: +NORMALIZE_WHITESPACE
    ['Chance alone: runs with the same settings and different seeds differ by a standard deviation of 1.414 in final x
    (pooled over 2 groups of 2 replicates; x ranges from 1 to 7 over all runs).']
    """
    done = runs[runs["status"] == "completed"]
    keys = [k for k in ("point", "variant") if k in done.columns]
    if done.empty or not keys:
        return []
    groups = done.groupby(keys, sort=False)
    sizes = groups.size()
    if sizes.max() < 2:
        return ["Each setting ran once, so these runs cannot say how much of a difference is chance; run replicates to know."]
    parts = []
    for o in outcomes:
        value = run_value(o, done.columns)
        if value.column not in done.columns:
            continue
        variances = groups[value.column].var(ddof=1)
        dof = sizes - 1
        ok = dof > 0
        pooled = math.sqrt(float((variances[ok] * dof[ok]).sum() / dof[ok].sum())) if dof[ok].sum() else math.nan
        column = done[value.column]
        parts.append(f"{fmt(pooled)} in {value.label}" + f" ({o.replace('_', ' ')} ranges from {fmt(column.min())} to {fmt(column.max())} over all runs)")
    if not parts:
        return []
    reps = f"{int(sizes.min())}" if sizes.min() == sizes.max() else f"{int(sizes.min())}–{int(sizes.max())}"
    first, rest = parts[0], parts[1:]
    first = first.replace(" (", f" (pooled over {len(sizes)} group{'s' if len(sizes) != 1 else ''} of {reps} replicates; ", 1)
    return [f"Chance alone: runs with the same settings and different seeds differ by a standard deviation of {'; '.join([first, *rest])}."]


def sensitivity_findings(df: pd.DataFrame) -> list[str]:
    """Per outcome, the parameter the sensitivity analysis ranks first, with its index and whether the estimate can be read as a number."""
    from ..sensitivity import caveat

    lines: list[str] = []
    if df.empty or "method" not in df.columns:
        return lines
    method = str(df["method"].iloc[0]).lower()
    index = "ST" if method == "sobol" else "mu_star"
    first = df[(df["index"] == index) & (df["parameter2"].isna() if "parameter2" in df.columns else True)]
    for outcome, group in first.groupby("outcome", sort=False):
        top = group.sort_values("value", ascending=False).iloc[0]
        conf = top.get("confidence", math.nan)
        flag = caveat(method, index, top["value"], conf)
        reading = (
            "; the estimate has not converged: raise the samples before citing it"
            if flag == "outside"
            else "; its interval includes 0: the ranking is uncertain"
            if flag == "wide"
            else ""
        )
        lines.append(f"{str(outcome).replace('_', ' ').capitalize()} depends most on {top['parameter']} ({index} {_with_conf(top['value'], conf)}{reading}).")
    return lines
