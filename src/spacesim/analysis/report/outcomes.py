"""The batch report's outcomes: the summary per design point and variant (a pandas frame, drawn by the outcome
templates) and, for a sampled design, each outcome's rank correlation with each parameter."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from markupsafe import Markup

from ...output.outcomes import run_value
from ...output.result_folder import DesignRecord
from .formatting import COLLAPSE_POINTS, MAX_OUTCOME_ROWS, WIDE_OUTCOMES, _interval, _is_missing, _outcome_name, _point_label, fmt, mean_interval
from .html import _note, _p, _section, render, table


def _by_parameter_section(runs: pd.DataFrame, design: DesignRecord, outcomes: list[str]) -> tuple[str, str, str]:
    """A sampled design's outcomes per parameter: Spearman's rho of each outcome with each parameter and its 95% interval."""
    from ..sampled import rank_correlations

    df = rank_correlations(runs, design, outcomes)
    body = _p(
        "Each design point of the sample is a point of its own: the outcome (its mean over the point's replicates) is rank-correlated with each parameter. "
        "rho is Spearman's rank correlation, with its 95% interval (Fisher's z, Bonett & Wright's standard error); an interval that excludes 0 shows "
        "a monotone association. "
        "It sees one parameter at a time; the plots show the shape (LOWESS), spacesim sensitivity and spacesim discover look further.",
        "note",
    )
    several = df["variant"].nunique() > 1
    rows = [
        [
            *([r["variant"]] if several else []),
            _outcome_name(r["outcome"], runs.columns),
            r["parameter"],
            r["points"],
            "–" if _is_missing(r["rho"]) else f"{r['rho']:+.2f}",
            "–" if _is_missing(r["low"]) else f"[{r['low']:+.2f}, {r['high']:+.2f}]",
        ]
        for _, r in df.iterrows()
    ]
    headers = [*(["variant"] if several else []), "outcome", "parameter", "design points", "rho", "95% interval"]
    body += table(headers, rows, [False] * (len(headers) - 3) + [True, True, False])
    return _section("by-parameter", "Outcomes by parameter", body)


def _group_columns(design: DesignRecord, runs: pd.DataFrame) -> tuple[bool, bool]:
    many_points = runs["point"].nunique() > 1 if "point" in runs else False
    many_variants = runs["variant"].nunique() > 1 if "variant" in runs else False
    return many_points, many_variants


def outcome_summary(runs: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str]) -> pd.DataFrame:
    """Mean, sd and 95% interval of the mean of each outcome's run value (final, or total over the run for a per-step
    count) over completed runs, per group of ``keys``, in order of appearance.

    >>> runs = pd.DataFrame({"status": ["completed"] * 3 + ["failed"], "variant": ["a", "a", "b", "b"], "final_x": [1.0, 3.0, 5.0, float("nan")]})
    >>> outcome_summary(runs, ["x"], ["variant"])[["variant", "n", "x_mean", "x_sd"]].to_dict("records")
    [{'variant': 'a', 'n': 2, 'x_mean': 2.0, 'x_sd': 1.4142135623730951}, {'variant': 'b', 'n': 1, 'x_mean': 5.0, 'x_sd': nan}]
    """
    done = runs[runs["status"] == "completed"]
    rows = []
    groups = done.groupby(list(keys), sort=False) if keys else [((), done)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(keys, key))
        row["n"] = len(group)
        for o in outcomes:
            col = run_value(o, group.columns).column
            _, mean, sd, low, high = mean_interval(group[col].to_numpy(dtype=float)) if col in group else (0, math.nan, math.nan, math.nan, math.nan)
            row.update({f"{o}_mean": mean, f"{o}_sd": sd, f"{o}_low": low, f"{o}_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def _outcome_rows(summary: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str], labels: dict[str, Callable[[Any], str]]) -> list[dict[str, Any]]:
    """The summary frame's rows as the outcome templates take them: the group's labels, n, and per outcome the mean, sd and interval, formatted."""
    return [
        {
            "keys": [labels.get(k, fmt)(row[k]) for k in keys],
            "n": fmt(int(row["n"])),
            "cells": {o: (fmt(row[f"{o}_mean"]), fmt(row[f"{o}_sd"]), _interval(row[f"{o}_low"], row[f"{o}_high"])) for o in outcomes},
        }
        for _, row in summary.iterrows()
    ]


def _outcome_table(
    summary: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str], labels: dict[str, Callable[[Any], str]], names: dict[str, str] | None = None
) -> str:
    """A row per group, three columns (mean, sd, 95% CI) per outcome."""
    names = {o: (names or {}).get(o, o.replace("_", " ")) for o in outcomes}
    return render("outcomes_wide.html.j2", keys=list(keys), outcomes=list(outcomes), names=names, rows=_outcome_rows(summary, outcomes, keys, labels))


def _outcome_table_long(
    summary: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str], labels: dict[str, Callable[[Any], str]], names: dict[str, str] | None = None
) -> str:
    """The same numbers as :func:`_outcome_table` with a block of rows per outcome: readable, not wide, when there are many outcomes."""
    names = {o: (names or {}).get(o, o.replace("_", " ")) for o in outcomes}
    return render("outcomes_long.html.j2", keys=list(keys), outcomes=list(outcomes), names=names, rows=_outcome_rows(summary, outcomes, keys, labels))


def _outcomes_section(runs: pd.DataFrame, design: DesignRecord, outcomes: list[str], sampled: bool = False) -> tuple[str, str, str]:
    done = runs[runs["status"] == "completed"]
    if done.empty:
        return _section("outcomes", "Outcomes", _p("No run completed, so there are no outcomes to summarise.", "warn"))
    many_points, many_variants = _group_columns(design, runs)
    keys = [k for k, on in (("point", many_points), ("variant", many_variants)) if on]
    labels = {"point": lambda p: _point_label(p, design)}
    names = {o: _outcome_name(o, runs.columns) for o in outcomes}
    totals = [o for o in outcomes if run_value(o, runs.columns).is_total]
    intro = _p(
        "Final value of each outcome (at the last step)"
        + (
            f"; for the per-step counts ({', '.join(names[o] for o in totals)}), the total over the run (steps 1 to the last), not the last step's count"
            if totals
            else ""
        )
        + ", over the completed replicates: mean, standard deviation and the 95% confidence interval "
        "of the mean (Student t with n − 1 degrees of freedom; – where n < 2).",
        "note",
    )
    body = intro
    summary = outcome_summary(runs.sort_values(["point", "run_id"]) if "point" in runs else runs, outcomes, keys)
    wide = len(outcomes) <= WIDE_OUTCOMES
    draw = _outcome_table if wide else _outcome_table_long
    cap = MAX_OUTCOME_ROWS if wide else max(8, 3 * MAX_OUTCOME_ROWS // len(outcomes))
    note = _note(
        cap, len(summary), "design point × variant groups" if many_variants else "design points" if many_points else "variants", "runs.parquet (a row per run)"
    )
    if many_points and (len(summary) > cap or summary["point"].nunique() > COLLAPSE_POINTS or sampled):
        pooled_keys = ["variant"] if many_variants else []
        pooled = outcome_summary(runs, outcomes, pooled_keys)
        body += render("h3.html.j2", text="Over all design points") + draw(pooled, outcomes, pooled_keys, labels, names)
        body += render("h3.html.j2", text=f"By design point{' and variant' if many_variants else ''}")
        summary_line = f"{len(summary):,} groups (show{' the first ' + str(cap) if len(summary) > cap else ''})"
        body += render("details.html.j2", summary=summary_line, body=Markup(draw(summary.head(cap), outcomes, keys, labels, names) + note))
        return _section("outcomes", "Outcomes", body)
    body += draw(summary.head(cap), outcomes, keys, labels, names) + note
    return _section("outcomes", "Outcomes", body)
