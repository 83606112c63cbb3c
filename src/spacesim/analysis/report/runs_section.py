"""The batch report's Replication (adaptive replicates per design point) and Failed runs."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from ...output.outcomes import FINAL
from ...output.result_folder import DesignRecord, ReplicationRecord
from .formatting import MAX_ROWS, _is_missing, _point_label, fmt
from .html import Raw, _code, _kv, _note, _p, _section, render, table


def _replication_section(rep: ReplicationRecord, design: DesignRecord) -> tuple[str, str, str]:
    """Adaptive replication: the rule, and where each design point (and each of its variants) stopped."""
    points = rep.points
    stopped = pd.Series([p.stopped for p in points], dtype="object")
    reached = int((stopped == "target reached").sum())
    per_variant = any(p.variants for p in points)
    body = _p(
        "Replicates were added in rounds until the 95% confidence interval of the mean outcome (its final value, or its total over the run for a "
        "per-step count) of every variant was at most the target "
        "half-width on each side, or the maximum number of replicates was reached. The variants of a point always get the same replicates "
        "(they stay paired), so a point stops when its widest variant (bold) is within the target; each variant's mean and half-width are its own.",
        "note",
    )
    counts = [p.replicates for p in points]
    body += _kv(
        [
            ("outcome", rep.outcome.replace("_", " ") + (f" ({rep.statistic})" if rep.statistic not in (None, FINAL) else "")),
            ("target half-width", rep.target_halfwidth),
            ("replicates per point", f"at least {fmt(rep.min)}, at most {fmt(rep.max)}"),
            ("replicates run", (f"{min(counts)}–{max(counts)} per point" if min(counts) != max(counts) else f"{counts[0]} at every point") if counts else None),
            ("rounds", rep.rounds),
            ("points", f"{reached} of {len(points)} reached the target" if points else None),
        ]
    )
    if points:
        shown = points[:MAX_ROWS]
        rows = []
        for p in shown:
            cell = Raw(render("flag.html.j2", reached=p.stopped == "target reached", text=fmt(p.stopped)))
            label = _point_label(p.point, design)
            if per_variant:
                for v in p.variants:
                    bold = v.variant == p.widest_variant
                    rows.append([label, v.variant, v.replicates, v.mean, Raw(render("strong.html.j2", text=fmt(v.halfwidth))) if bold else v.halfwidth, cell])
            else:  # a manifest written before the variants were recorded one by one
                rows.append([label, p.replicates, p.mean, p.halfwidth, cell])
        if per_variant:
            body += table(["point", "variant", "replicates", "mean", "95% half-width", "point stopped"], rows, [False, False, True, True, True, False])
        else:
            body += table(["point", "replicates", "mean", "95% half-width", "stopped"], rows, [False, True, True, True, False])
        body += _note(len(shown), len(points), "design points", "manifest.json (replication.points)")
    return _section("replication", "Replication", body)


def _failed_section(runs: pd.DataFrame, design: DesignRecord) -> tuple[str, str, str]:
    """The failed runs, each with its error and the command that reproduces it alone."""
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return _section("failed", "Failed runs", _p(f"None: all {len(runs):,} runs completed." if len(runs) != 1 else "None: the run completed.", "ok"))
    counts = failed["error_type"].fillna("unknown").value_counts() if "error_type" in failed else pd.Series(dtype=int)
    body = _p(f"{len(failed):,} of {len(runs):,} runs failed" + (": " + ", ".join(f"{n} {t}" for t, n in counts.items()) if len(counts) else "") + ".", "warn")
    body += _p("Each failed run is left out of the outcomes and plots above; its reproduce command repeats it alone.", "note")
    cols = [c for c in ("run_id", "variant", "point", "seed", "error_type", "error", "reproduce") if c in failed.columns]
    headers = {"run_id": "run", "error_type": "error type", "error": "message", "reproduce": "reproduce with"}
    rows = []
    for _, r in failed.head(MAX_ROWS).iterrows():
        row: list[Any] = []  # text, or Raw HTML (the reproduce command)
        for c in cols:
            if c == "point":
                row.append(_point_label(r[c], design))
            elif c in ("seed", "run_id"):
                row.append(str(int(r[c])))
            elif c == "reproduce":
                row.append(_code(str(r[c])) if not _is_missing(r[c]) else "–")
            else:
                row.append(r[c])
        rows.append(row)
    body += render("wide.html.j2", body=Markup(table([headers.get(c, c) for c in cols], rows, [c in ("run_id", "seed") for c in cols])))
    body += _note(MAX_ROWS, len(failed), "failed runs", "runs.parquet (status, error_type, error, reproduce)")
    return _section("failed", "Failed runs", body)
