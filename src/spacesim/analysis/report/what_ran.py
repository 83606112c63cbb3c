"""The report's What ran: the files, seeds, design, variants, replicates, the parameters' values and the input files as they ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from ...output.outcomes import run_value
from ...output.result_folder import BatchManifest, DesignRecord, ReplicationRecord
from .formatting import COLLAPSE_POINTS, MAX_ROWS, _points_summary, fmt
from .html import Raw, _code, _file_cell, _kv, _note, _p, _section, render, table


def _what_ran(folder: Path, manifest: BatchManifest, runs: pd.DataFrame, design: DesignRecord) -> tuple[str, str, str]:
    """What ran: the files, seeds, design, variants, replicates, runs and the parameters' values."""
    exp, scen, counts = manifest.experiment, manifest.scenario, manifest.runs
    points, variants, sample = design.points, design.variants, design.sample
    pairs: list[tuple[str, Any]] = [
        ("experiment file", Raw(_file_cell(exp.file, exp.sha256, folder)) if exp.file else None),
        ("scenario file", Raw(_file_cell(scen.file, scen.sha256, folder)) if scen.file else None),
        ("base seed", str(manifest.base_seed)),
        ("seeding rule", _code(manifest.seeding) if manifest.seeding else None),
        ("steps per run", manifest.steps),
        ("varied parameters", ", ".join(design.varied) or "none"),
    ]
    if design.grid:
        pairs.append(("grid", "; ".join(f"{k}: {fmt(list(v))}" for k, v in design.grid.items())))
    if sample:
        ranges = "; ".join(f"{k} in [{fmt(a)}, {fmt(b)}]" for k, (a, b) in sample.ranges.items())
        pairs.append(("sample", f"{sample.method.replace('_', ' ')}, n = {sample.n}: {ranges}"))
    pairs += [
        ("design points", len(points) if points else None),
        ("variants", ", ".join(variants) if variants else None),
        ("replicates per point and variant", _replicates_cell(design, manifest.replication)),
        ("runs", f"{fmt(counts.total)} in total: {fmt(counts.completed)} completed, {fmt(counts.failed)} failed"),
        ("outcomes summarised", ", ".join(manifest.outcomes)),
        ("tables", ", ".join(manifest.tables)),
    ]
    body = _kv(pairs)
    if variants:
        body += render("h3.html.j2", text="Variants") + _p(
            "Every variant runs with the same seeds at each design point and replicate (common random numbers).", "note"
        )
        body += table(["variant", "settings"], [[name, settings or "the scenario as it is"] for name, settings in variants.items()])
    if points and design.varied:
        shown = points[:MAX_ROWS]
        varied = list(design.varied)
        listing = table(["point", *varied], [[i, *(p.get(k) for k in varied)] for i, p in enumerate(shown)], [True] * (1 + len(varied))) + _note(
            len(shown), len(points), "design points", "manifest.json (design.points)"
        )
        body += render("h3.html.j2", text="Design points")
        if manifest.sensitivity or len(points) > COLLAPSE_POINTS:  # a sample: its points are read in the Sensitivity section, not one by one
            body += render("details.html.j2", summary=_points_summary(points, varied), body=Markup(listing))
        else:
            body += listing
    body += _parameter_table(manifest.parameters, manifest.fixed_overrides, design)
    body += _inputs(folder)
    return _section("what-ran", "What ran", body)


def _replicates_cell(design: DesignRecord, replication: ReplicationRecord | None) -> Any:
    """A fixed number of replicates, or the adaptive rule and what each point actually got (the details are in the Replication section)."""
    rule = design.adaptive
    if not rule:
        return design.replicates
    text = (
        f"adaptive: rounds until the 95% half-width of every variant's mean {run_value(rule.outcome).label} "
        f"is at most {fmt(rule.target_halfwidth)}, from {fmt(rule.min)} to {fmt(rule.max)} per point"
    )
    counts = [p.replicates for p in replication.points] if replication else []
    if counts:
        text += f"; ran {min(counts)}–{max(counts)} per point" if min(counts) != max(counts) else f"; ran {counts[0]} at every point"
    return Raw(render("replicates.html.j2", text=text, linked=replication is not None))


def _parameter_table(params: dict[str, Any], fixed: dict[str, Any], design: DesignRecord | None = None) -> str:
    """Every parameter's value, those varied, set or different from the default first (``fixed``: the experiment's settings)."""
    from ...parameters import PARAMETERS_BY_NAME

    if not params:
        return ""
    design = design or DesignRecord()
    varied = set(design.varied)
    by_variant: dict[str, list[str]] = {}
    for name, settings in design.variants.items():
        for key, value in (settings or {}).items():
            by_variant.setdefault(key, []).append(f"{name}: {fmt(value)}")
    grid = design.grid or {}
    ranges = design.sample.ranges if design.sample else {}
    noted: list[list[Any]] = []
    plain: list[list[Any]] = []
    for name, value in params.items():
        declared = PARAMETERS_BY_NAME.get(name)
        default = declared.default if declared else None
        notes = []
        if name in varied:
            notes.append("varied by the design")
            parts = [fmt(list(grid[name]))] if name in grid else []
            parts += [f"range [{fmt(ranges[name][0])}, {fmt(ranges[name][1])}]"] if name in ranges else []
            value = "; ".join(parts) or "varied"
        if name in by_variant:
            notes.append("set by variant (" + "; ".join(by_variant[name]) + ")")
        if name in fixed:
            notes.append("set by the experiment")
        if declared is not None and name not in varied and value != default:
            notes.append("differs from the default")
        (noted if notes else plain).append([name, value, default, "; ".join(notes), declared.meaning if declared else ""])
    body = table(["parameter", "value used", "default", "note", "meaning"], noted + plain, [False, True, True, False, False])
    summary = (
        f"Parameters: {len(params)} values, {len(noted)} of them varied, set or different from the default (listed first; every run's values are in "
        "runs.parquet)"
    )
    return render("details.html.j2", summary=summary, body=Markup(body))


def _inputs(folder: Path) -> str:
    inputs = folder / "inputs"
    if not inputs.is_dir():
        return ""
    parts = []
    for path in sorted(inputs.iterdir()):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".txt"):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            parts.append(render("details.html.j2", summary=f"Input file {path.name} (as it ran)", body=Markup(render("pre.html.j2", text=text))))
    return "".join(parts)
