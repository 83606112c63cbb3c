"""The folder's plots in the report: their order, their captions (from their file names) and each embedded as a data URI."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from ...output.outcomes import PER_STEP_COUNTS, run_value
from ...output.result_folder import BatchManifest
from .html import figure

_PLOT_ORDER: tuple[tuple[str, int], ...] = (
    ("timeseries", 0),
    ("envelopes", 1),
    ("heatmap_", 2),
    ("by_parameter_", 3),
    ("final_distributions", 3),
    ("comparison", 4),
    ("sensitivity", 5),
    ("network", 6),
)


def plot_sort_key(path: Path) -> tuple[int, str]:
    """Where a plot goes in the report: over time first, then grids, distributions, comparisons, sensitivity, networks, the rest.

    >>> names = ["network_run3.png", "zeta.png", "heatmap_debris.png", "envelopes.png", "sensitivity_sobol.png"]
    >>> [p.name for p in sorted(map(Path, names), key=plot_sort_key)]
    ['envelopes.png', 'heatmap_debris.png', 'sensitivity_sobol.png', 'network_run3.png', 'zeta.png']
    """
    stem = path.stem
    for prefix, rank in _PLOT_ORDER:
        if stem.startswith(prefix):
            return rank, str(path)
    return len(_PLOT_ORDER), str(path)


def plot_caption(path: Path, manifest: Any = None) -> str:
    """A sentence saying what a plot of the folder shows, from its file name.

    >>> plot_caption(Path("heatmap_mean_trust.png"))
    'Mean final mean trust over replicates in each cell of the two-parameter grid (one panel per variant).'
    """
    stem = path.stem
    batch = manifest if isinstance(manifest, BatchManifest) else None
    outcomes = batch.outcomes if batch else []
    if stem == "timeseries":
        return "The main outcomes over time, dated from the scenario's start year where it has one (dotted lines: destructive ASAT tests)."
    if stem == "network":
        return "The partnership network at the last step: nations, bilateral agreements and framework memberships."
    if stem == "envelopes":
        counts = [o for o in outcomes if o in PER_STEP_COUNTS]
        cumulated = (
            f" {', '.join(o.replace('_', ' ') for o in counts)} {'is' if len(counts) == 1 else 'are'} drawn cumulated (the total so far)." if counts else ""
        )
        return (
            "Each chosen outcome over time: the mean over replicates (line) and the band from the 2.5th to the 97.5th percentile of the replicates, "
            "one band per design point and variant (colours and columns of panels as the legend and the titles say; a very large design is pooled, "
            "and its title says so). "
            "When the variants differ in policy levers the bands start at step 1: step 0, the shared initial state, is recorded before the levers act."
            + cumulated
        )
    if stem.startswith("heatmap_"):
        return f"Mean {run_value(stem.removeprefix('heatmap_')).label} over replicates in each cell of the two-parameter grid (one panel per variant)."
    if stem.startswith("by_parameter_"):
        return (
            f"{run_value(stem.removeprefix('by_parameter_')).label.capitalize()} against each varied parameter: a point per design point (its "
            "replicates averaged), "
            "a LOWESS smoother per variant, and Spearman's rank correlation with its 95% interval above each panel."
        )
    if stem == "final_distributions":
        counts = [o for o in outcomes if o in PER_STEP_COUNTS]
        of = f" (for {', '.join(o.replace('_', ' ') for o in counts)}: the total over the run)" if counts else ""
        return f"Final outcomes{of} of every completed replicate per design point and variant: box plots, with each replicate drawn as a point."
    if stem.startswith("network_run"):
        first = f" whose {run_value(outcomes[0]).label} is closest to the median" if outcomes else ""
        return f"The partnership network at the last step of run {stem.removeprefix('network_run')}, the completed run{first} (a representative run)."
    if stem.startswith("comparison_forest"):
        return (
            "Paired policy comparison: the mean difference between variants under the same seeds, with its bootstrap confidence interval, per "
            "outcome (forest plot)."
        )
    if stem.startswith("sensitivity"):
        rest = stem.removeprefix("sensitivity").strip("_").lstrip("0123456789").strip("_").replace("_", " ")
        rest = re.sub(r" mean of steps (\d+) (\d+)$", r" (mean of steps \1–\2)", rest)
        of = f" of {rest}" if rest else ""
        method = str(batch.sensitivity.method if batch and batch.sensitivity else "").lower()
        for kind, words in (
            (
                "interactions",
                "Second-order Sobol' indices S2 as a matrix: the share of variance from each pair's interaction, with its 95% half-width; ! and ? "
                "mark unreliable values.",
            ),
            (
                "convergence",
                "Convergence check: the main index of each parameter at N/4, N/2 and N with its 95% interval, and the verdict on whether samples is enough.",
            ),
            (
                "over_time",
                "The main index of each parameter per window of steps (the outcome's mean over the window): how the parameters' influence changes over a run.",
            ),
        ):
            if stem.startswith(f"sensitivity_{kind}"):
                return words
        if method == "morris":
            return (
                f"Morris screening{of}: mu* against sigma, a point per parameter: mu* the mean absolute elementary effect (importance), "
                "sigma the spread of the effects (non-linearity or interactions); the dashed rays are sigma/mu* = 0.1, 0.5 and 1. "
                "Only mu* has an interval (SALib gives none for sigma). ! and ? mark unreliable values; the replicate noise ratio is written under the plot."
            )
        if method not in ("", "sobol"):
            from ..sensitivity import METHODS

            m = METHODS.get(method)
            if m is not None:
                return f"{m.title} sensitivity{of}: {m.meaning}. ! and ? mark unreliable values; the replicate noise ratio is written under the plot."
        return (
            f"Sobol' indices{of}: ST (blue), the share of the outcome's variance the parameter explains including its interactions, and S1 (orange), "
            "alone; bars: 95% intervals; ! and ? mark unreliable values; the replicate noise ratio is written under the plot."
        )
    return stem.replace("_", " ").capitalize() + "."


def _figure(path: Path, manifest: Any, folder: Path, caption: str | None = None) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = caption or plot_caption(path, manifest)
    name = path.relative_to(folder).as_posix()
    return figure(data, caption, name)


def _plots(folder: Path) -> list[Path]:
    plots = folder / "plots"
    return sorted((p for p in plots.rglob("*.png") if p.is_file()), key=plot_sort_key) if plots.is_dir() else []
