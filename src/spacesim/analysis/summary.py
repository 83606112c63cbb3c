"""The lines printed at the end of a batch: counts, mean outcomes, and what the post-run step found."""

from __future__ import annotations

import pandas as pd

from ..experiment.batch import BatchResult
from ..output.outcomes import run_value
from ..output.result_folder import BatchManifest
from .comparison import batch_summary_lines
from .sampled import summary_lines
from .sensitivity import method_named, ranking


def batch_summary(result: BatchResult, outcomes: list[str] | None = None, manifest: BatchManifest | None = None) -> str:
    """A few lines a person reads at the end of a batch: counts, then mean final outcomes per variant, then what the
    post-run step found (sensitivity ranking, paired differences).

    ``manifest`` is the folder's manifest once the post-run step has run (default: the batch's own).
    """
    m = manifest if manifest is not None else result.manifest
    design = m.design
    total, failed = m.runs.total, m.runs.failed
    lines = [
        f"{m.experiment.name}: {_count(total, 'run')} ({_count(len(design.points), 'design point')} x {_count(len(design.variants), 'variant')} x "
        f"{'up to ' if design.adaptive else ''}{_count(design.replicates, 'replicate')}), "
        f"{total - failed} completed, {failed} failed; {result.ran_now} of {total} ran in this session ({result.seconds:.1f} s)",
    ]
    done = result.runs[result.runs["status"] == "completed"]
    outcomes = outcomes or m.outcomes
    if len(done):
        values = [run_value(o, done.columns) for o in outcomes]
        keys = [k for k in design.varied if done[k].nunique() > 1]
        if len(design.variants) > 1 or not keys:
            keys = ["variant", *keys]
        sampled = done.groupby(keys).ngroups > 12 and design.sampled
        if done.groupby(keys).ngroups > 12:
            keys = ["variant"]
        if sampled:  # a point per sampled design point: each parameter's rank correlation, not one pooled row
            lines.extend(summary_lines(done, design, outcomes))
        else:
            table = done.groupby(keys, sort=True if keys != ["variant"] else False)[[v.column for v in values]].mean()
            table.columns = [v.header for v in values]
            totals = [v.outcome for v in values if v.is_total]
            what = "final outcomes" if not totals else f"final outcomes ({', '.join(totals)}: total over the run)"
            lines.append(f"mean {what} over replicates, by {', '.join(keys)}:")
            lines.append(table.to_string(float_format=lambda v: f"{v:,.3f}"))
    replication = m.replication
    if replication:
        stops = pd.Series([pt.stopped for pt in replication.points]).value_counts()
        n = [pt.replicates for pt in replication.points]
        lines.append(
            f"adaptive replication on {run_value(replication.outcome, result.runs.columns).header} (target half-width "
            f"{replication.target_halfwidth:g}): {_count(replication.rounds, 'round')}, "
            f"{_count(max(n), 'replicate') if min(n) == max(n) else f'{min(n)}-{max(n)} replicates'} per point; "
            + ", ".join(f"{_count(v, 'point')} {k}" for k, v in stops.items())
        )
    sens = m.sensitivity
    if sens:
        if sens.error:
            lines.append(f"sensitivity: not computed: {sens.error}")
        elif (result.out / "sensitivity.parquet").exists():
            lines.append(
                f"{method_named(sens.method).title} sensitivity over {_count(sens.points or 0, 'sample point')} (95% intervals where SALib gives "
                "them; sensitivity.parquet):"
            )
            lines.append(ranking(pd.read_parquet(result.out / "sensitivity.parquet"), sens.noise, samples=sens.samples, convergence=sens.verdicts()))
    lines.extend(batch_summary_lines(result.out, outcomes))
    if failed:
        first = result.runs[result.runs["status"] == "failed"].iloc[0]
        lines.append(f"first failure: run {first['run_id']}: {first['error_type']}: {first['error']}")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    """``1 variant``, ``3 variants``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
