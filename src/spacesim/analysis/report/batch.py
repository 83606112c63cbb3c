"""A batch's report: its sections in order, and the scenario discovery section (``spacesim discover``'s files)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ...output.result_folder import BatchManifest
from .comparison_section import COMPARISON_COLUMNS, _comparison_section
from .figures import _figure
from .findings import _findings_section
from .formatting import MAX_ROWS, _share
from .html import _p, _section, render, table
from .outcomes import _by_parameter_section, _outcomes_section
from .reading import _read_table
from .runs_section import _failed_section, _replication_section
from .sensitivity_section import SENSITIVITY_COLUMNS, _sensitivity_section
from .what_ran import _what_ran


def _batch_sections(folder: Path, manifest: BatchManifest, plots: list[Path], used: set[Path]) -> tuple[str, list[tuple[str, str, str]]]:
    """A batch's title and sections: findings, what ran, outcomes, and each analysis the folder holds."""
    title = str(manifest.experiment.name or manifest.scenario.name or folder.name)
    runs = _read_table(folder / "runs.parquet", ("run_id", "status"))
    design = manifest.design
    outcomes = list(manifest.outcomes or [c.removeprefix("final_") for c in runs.columns if c.startswith("final_")])
    sections = [_what_ran(folder, manifest, runs, design)]
    sections.append(_outcomes_section(runs, design, outcomes, sampled=bool(manifest.sensitivity or design.sampled)))
    if design.sampled:
        sections.append(_by_parameter_section(runs, design, outcomes))

    comparison_plots = [p for p in plots if p.stem.startswith("comparison")]
    if (folder / "comparison.parquet").exists():
        used.update(comparison_plots)
        sections.append(_comparison_section(folder, manifest, _read_table(folder / "comparison.parquet", COMPARISON_COLUMNS), comparison_plots))
    sensitivity_plots = [p for p in plots if p.stem.startswith("sensitivity")]
    if (folder / "sensitivity.parquet").exists() or manifest.sensitivity:
        used.update(sensitivity_plots)
        frame = _read_table(folder / "sensitivity.parquet", SENSITIVITY_COLUMNS) if (folder / "sensitivity.parquet").exists() else None
        sections.append(_sensitivity_section(folder, manifest, frame, sensitivity_plots))
    if (folder / "discovery" / "discovery.json").exists():
        sections.append(_discovery_section(folder, manifest))
    if manifest.replication:
        sections.append(_replication_section(manifest.replication, design))
    sections.append(_failed_section(runs, design))
    sections.insert(0, _findings_section(folder, manifest, runs, design, outcomes))
    return title, sections


def _discovery_section(folder: Path, manifest: BatchManifest) -> tuple[str, str, str]:
    """What ``spacesim discover`` found (its ``discovery/`` subfolder): the question, PRIM's chosen box with quasi-p-values, CART's leaves, the plots."""
    from ..discovery import FOLDER, format_discovery

    where = folder / FOLDER
    try:
        account = json.loads((where / "discovery.json").read_text(encoding="utf-8"))
        body = _p(
            f"Scenario discovery ({account['question']}: {account['of_interest']:,} of {account['runs']:,} runs are cases of interest). "
            "PRIM (the EMA Workbench's) peels a box of parameters, trading coverage (the share of all cases of interest inside the box) for density "
            "(the share of the box's runs that are of interest); the chosen box has the most coverage among boxes at least "
            f"{account['prim']['min_density']:g} dense. A quasi-p-value tests whether a limit raises the density (small: the limit matters). "
            "The CART tree (scikit-learn) is a second view: each leaf is a box with its share of cases of interest.",
            "note",
        )
        body += render("pre.html.j2", text=format_discovery(account))
        leaves = pd.read_csv(where / "cart_leaves.csv") if (where / "cart_leaves.csv").exists() else pd.DataFrame()
        if len(leaves):
            rows = [[r["rule"], r["runs"], _share(r["share_of_interest"])] for _, r in leaves.head(MAX_ROWS).iterrows()]
            body += render("h3.html.j2", text="CART leaves, most cases of interest first") + table(["rule", "runs", "of interest"], rows, [False, True, True])
    except (OSError, ValueError, KeyError) as exc:
        body = _p(f"discovery/ cannot be read ({exc}); run spacesim discover again.", "warn")
    body += "".join(
        _figure(where / name, manifest, folder, caption)
        for name, caption in (
            (
                "prim_trajectory.png",
                "PRIM's peeling trajectory: density against coverage of each box, coloured by the number of parameters restricted; the chosen box is ringed.",
            ),
            ("prim_box.png", "The chosen PRIM box: its limits within each restricted parameter's range, with the quasi-p-value of each limit."),
            ("cart_tree.png", "The CART tree: each split, and in each leaf the share of runs of interest."),
        )
        if (where / name).exists()
    )
    return _section("discovery", "Scenario discovery", body)
