"""The batch report's Policy comparison: the paired differences between variants (``comparison.parquet``) and the forest plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from ...output.result_folder import BatchManifest
from .figures import _figure
from .formatting import MAX_ROWS, _compared_name, _interval, _is_missing, _point_label, _share, fmt
from .html import Raw, _note, _p, _section, render, table

COMPARISON_COLUMNS = ("outcome", "variant_a", "variant_b", "mean_diff", "ci_low", "ci_high")


def _difference_direction(df: pd.DataFrame) -> str:
    """Which way ``mean_diff`` is taken, from the data: "B − A", "A − B" or "" when the table does not say."""
    if not {"mean_a", "mean_b"} <= set(df.columns):
        return ""
    d, a, b = (pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in ("mean_diff", "mean_a", "mean_b"))
    ok = np.isfinite(d) & np.isfinite(a) & np.isfinite(b)
    if not ok.any():
        return ""
    if np.allclose(d[ok], (b - a)[ok], rtol=1e-6, atol=1e-9):
        return "B − A"
    if np.allclose(d[ok], (a - b)[ok], rtol=1e-6, atol=1e-9):
        return "A − B"
    return ""


def _comparison_section(folder: Path, manifest: BatchManifest, df: pd.DataFrame, plots: list[Path]) -> tuple[str, str, str]:
    """The paired comparison of variants (``comparison.parquet``) and its forest plot."""
    from ..comparison import confidence_level, level_label

    design = manifest.design
    direction = _difference_direction(df)
    diff_name = f"difference ({direction})" if direction else "mean difference"
    level = level_label(confidence_level(df))
    mixed = not level and "confidence" in df.columns
    intro = (
        "Variants compared in pairs of runs that share a seed (common random numbers): the mean of the paired differences of each outcome's final value "
        "(its total over the run for a per-step count), "
        f"its {level or 'bootstrap'} confidence interval{' (the level of each row is in its level column)' if mixed else ''}, "
        "the interval an unpaired comparison would give (wider when pairing removes shared luck), the effect size, "
        "and how often each variant did better in a pair."
    )
    settings = df.attrs
    if "n_boot" in settings and "seed" in settings:
        intro += f" Percentile bootstrap over replicate pairs, {int(settings['n_boot']):,} resamples, seed {settings['seed']}."
    body = _p(intro, "note")
    show = df.head(MAX_ROWS)
    statistics = df.attrs.get("statistics")
    has = lambda c: c in df.columns  # noqa: E731
    headers = ["outcome"] + (["point"] if has("point") and df["point"].notna().any() else []) + ["A", "B"]
    headers += ["pairs"] if has("n_pairs") else []
    headers += [h for h, c in (("mean A", "mean_a"), ("mean B", "mean_b")) if has(c)]
    ci = f"{level} CI" if level else "CI"
    headers += ["level"] if mixed else []
    headers += [diff_name, f"{ci} (paired)"]
    headers += [f"{ci} (unpaired)"] if has("unpaired_ci_low") and has("unpaired_ci_high") else []
    headers += ["effect size"] if has("effect_size") else []
    headers += [h for h, c in (("B better", "share_b_better"), ("A better", "share_a_better"), ("tied", "share_tied")) if has(c)]
    rows = []
    for _, r in show.iterrows():
        row: list[Any] = [_compared_name(str(r["outcome"]), statistics)]
        if "point" in headers:
            row.append("all points" if _is_missing(r["point"]) else _point_label(r["point"], design))
        row += [r["variant_a"], r["variant_b"]]
        if has("n_pairs"):
            row.append(r["n_pairs"])
        row += [r[c] for c in ("mean_a", "mean_b") if has(c)]
        if mixed:
            row.append(level_label(float(r["confidence"])) if not _is_missing(r["confidence"]) else "–")
        significant = not _is_missing(r["ci_low"]) and not _is_missing(r["ci_high"]) and (float(r["ci_low"]) > 0 or float(r["ci_high"]) < 0)
        row.append(Raw(render("strong.html.j2", text=fmt(r["mean_diff"]))) if significant else r["mean_diff"])
        row.append(_interval(r["ci_low"], r["ci_high"]))
        if f"{ci} (unpaired)" in headers:
            row.append(_interval(r["unpaired_ci_low"], r["unpaired_ci_high"]))
        if has("effect_size"):
            row.append(r["effect_size"])
        row += [_share(r[c]) for c in ("share_b_better", "share_a_better", "share_tied") if has(c)]
        rows.append(row)
    numeric = [h not in ("outcome", "point", "A", "B") for h in headers]
    body += render("wide.html.j2", body=Markup(table(headers, rows, numeric)))
    body += _p(f"Bold: the {level + ' ' if level else ''}confidence interval of the paired difference excludes zero.", "note")
    body += _note(len(show), len(df), "comparisons", "comparison.parquet")
    caption = (
        "Paired policy comparison: the mean difference between variants under the same seeds, with its "
        f"{level + ' ' if level else ''}paired bootstrap interval (thick) and the unpaired one (thin grey), per outcome (forest plot)."
    )
    body += "".join(_figure(p, manifest, folder, caption if p.stem == "comparison_forest" else None) for p in plots)
    return _section("comparison", "Policy comparison", body)
