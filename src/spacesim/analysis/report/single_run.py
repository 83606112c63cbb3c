"""A single run's report (``spacesim run``): its findings in words, what ran, its outcomes at the start and the end, its events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...output.outcomes import PER_STEP_COUNTS
from ...output.result_folder import RunManifest
from .formatting import MAX_ROWS
from .html import Raw, _file_cell, _kv, _note, _p, _section, render, table
from .reading import _read_table
from .what_ran import _parameter_table


def _run_sections(folder: Path, manifest: RunManifest) -> tuple[str, list[tuple[str, str, str]]]:
    """A single run's title and sections: the findings, what ran, the outcomes at the start and the end, the events."""
    from ...catalogue import STEP_OUTCOMES

    scen = manifest.scenario
    title = str(scen.name or folder.name)
    runs = _read_table(folder / "runs.parquet", ("run_id",))
    seed = next(iter(manifest.seeds.values()), None)
    if seed is None and "seed" in runs:
        seed = int(runs["seed"].iloc[0])
    pairs: list[tuple[str, Any]] = [
        ("scenario file", Raw(_file_cell(scen.file, scen.sha256, folder)) if scen.file else None),
        ("seed", str(seed) if seed is not None else None),
        ("steps", manifest.steps),
        ("one step is", scen.step_meaning),
        ("nations", scen.nations),
        ("frameworks", ", ".join(scen.frameworks) or None),
        ("scheduled events", scen.events),
        ("tables", ", ".join(manifest.tables)),
    ]
    body = _kv(pairs) + _parameter_table(manifest.parameters, {})
    sections = [_section("what-ran", "What ran", body)]

    if (folder / "steps.parquet").exists():
        steps = _read_table(folder / "steps.parquet", ("step",)).sort_values("step")
        first, last = steps.iloc[0], steps.iloc[-1]
        state, counts = [], []
        for name, meaning in STEP_OUTCOMES.items():
            if name not in steps.columns:
                continue
            if name in PER_STEP_COUNTS:
                counts.append([name.replace("_", " "), steps.loc[steps["step"] > first["step"], name].sum(), meaning.removesuffix(" this step")])
            else:
                start, end = first[name], last[name]
                state.append([name.replace("_", " "), start, end, float(end) - float(start), meaning])
        body = _p(f"Each outcome at step {int(first['step'])} (the initial state) and at the last step, {int(last['step'])}.", "note")
        body += table(["outcome", "start", "final", "change", "meaning"], state, [False, True, True, True, False])
        if counts:
            body += render("h3.html.j2", text="Counted over the run") + table(
                ["count", f"total over steps 1–{int(last['step'])}", "meaning"], counts, [False, True, False]
            )
        sections.append(_section("outcomes", "Final outcomes", body))

    if (folder / "events.parquet").exists():
        events = _read_table(folder / "events.parquet", ("step", "kind"))
        if events.empty:
            body = _p("No event happened.", "note")
        else:
            counts = events["kind"].value_counts()
            body = table(["event", "count"], [[str(k).replace("_", " "), int(n)] for k, n in counts.items()], [False, True])
            shown = events.sort_values("step", kind="stable").head(MAX_ROWS)
            text_col = "narrative" if "narrative" in events.columns else None
            rows = [[int(r["step"]), str(r["kind"]).replace("_", " "), r[text_col] if text_col else ""] for _, r in shown.iterrows()]
            body += render("h3.html.j2", text="What happened") + table(["step", "event", "narrative"], rows, [True, False, False])
            body += _note(len(shown), len(events), "events", "events.parquet")
        sections.append(_section("events", "Events", body))
    sections.insert(0, _run_findings_section(folder, manifest, seed))
    return title, sections


def _run_findings_section(folder: Path, manifest: RunManifest, seed: Any) -> tuple[str, str, str]:
    """The single-run report's first section: :func:`spacesim.analysis.findings.run_findings` as a list."""
    import pandas as pd

    from ..findings import run_findings
    from ..plots import calendar_of

    steps = _read_table(folder / "steps.parquet", ("step",)) if (folder / "steps.parquet").exists() else pd.DataFrame({"step": []})
    events = _read_table(folder / "events.parquet", ("step", "kind")) if (folder / "events.parquet").exists() else None
    items = run_findings(steps, events, calendar=calendar_of(manifest.scenario.step_meaning, manifest.scenario.start_year), seed=seed)
    body = _p("Generated from this run's tables: its steps (the Final outcomes section) and its events.", "note")
    body += render("findings.html.j2", items=items)
    return _section("findings", "Findings", body)
