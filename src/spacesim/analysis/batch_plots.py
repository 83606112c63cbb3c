"""Summary plots of a batch, drawn from its tables alone.

* ``envelopes.png``: for each chosen outcome, the mean over replicates over
  time and a band from the 2.5th to the 97.5th percentile of the replicates
  (the interval that holds 95% of them), one band per design point and
  variant. A per-step count is drawn cumulated (its total so far), which
  ends at the run's total.
* ``heatmap_OUTCOME.png``: for a grid over exactly two parameters, the mean
  over replicates of the outcome's run value in each cell (one panel per
  variant).
* ``final_distributions.png``: every replicate's run value of each outcome,
  per design point and variant, as box plots with the replicates as points.
* ``by_parameter_OUTCOME.png`` (``scatter``): each outcome against each
  varied parameter, a point per design point, with a LOWESS smoother and
  Spearman's rho (:mod:`spacesim.analysis.sampled`); the view of a sampled
  design, whose points lie on no grid.
* ``network_runN.png``: the partnership network at the last step of a
  representative run (the completed run whose value of the first outcome is
  closest to the median).

A run's value of an outcome is its final value, or for a per-step count
(ASAT tests, leaks, ...) its total over the run
(:func:`spacesim.output.outcomes.run_value`); titles say which.

**Groups.** Every design point × variant with a completed run is a group
and gets its own band and box, up to :data:`MAX_GROUPS` groups; which is
told apart how (:func:`grouping`):

* several variants: a colour per variant, and with several design points
  a column of panels per point (small multiples);
* one variant and a grid over two parameters: a column per value of the
  first, a colour per value of the second;
* one variant otherwise: a colour per design point, the legend naming its
  settings; more points than :data:`MAX_HUES` are spread over columns of
  at most that many.

Colours run along a sequential scale (viridis) when they stand for the values
of one numeric parameter, and are distinct otherwise, from the Okabe-Ito
palette (:data:`spacesim.analysis.plots.LINE_COLOURS`), which readers with a
colour-vision deficiency tell apart. A variant's legend entry names its levers.

**Time and titles.** The time axis is calendar time when the scenario has a
calendar (:func:`spacesim.analysis.plots.time_axis`), every value axis names
its unit, legends sit outside the axes, and the title says the experiment,
scenario, variants, replicates and seed (:func:`batch_context`).

**Step 0 in variant plots.** Step 0 is the scenario's initial state, recorded
before a variant's levers act on it (they act from step 1 on). Every variant
therefore shares step 0, and a lever that removes agreements
(``allow_multilateral: false`` ends every framework membership) would draw a
plunge from step 0 to step 1 that reads as a bug. The envelopes of a batch
whose variants (or varied parameters) differ in policy levers therefore start
at step 1, the first state under each variant's levers, and say so. A
destructive ASAT test that every run has at the same step (a scheduled one)
is marked, with a legend entry, as on a run's plot.

With more than :data:`MAX_GROUPS` groups (a large sampled design) the plots
pool the design points, per variant, and their titles say so. A sampled
design's boxes are numbered ``P0``, ``P1``, ... with a key of their settings
under the figure. Failed runs are left out. Figures are built without pyplot
state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..output.outcomes import run_value
from ..output.result_folder import BatchManifest, DesignLike, DesignRecord, as_design
from ..parameters import PARAMETERS_BY_NAME, value_label
from .plots import ASAT_MARK, LINE_COLOURS, PlotContext, calendar_of, network, outcome_label, outcome_unit, time_axis

#: Most groups (design points x variants) drawn one by one; beyond, the design points are pooled per variant.
MAX_GROUPS = 25
#: Most colours in one panel.
MAX_HUES = 8
#: Most columns of panels, one per design point (or value of the first grid parameter); with more, they become rows.
MAX_FACET_COLUMNS = 4
#: Distinct colours, in order: the Okabe-Ito palette of every figure (:data:`spacesim.analysis.plots.LINE_COLOURS`).
COLOURS = LINE_COLOURS


@dataclass
class Grouping:
    """How the runs of a batch are split into groups and how the plots tell the groups apart.

    Each completed run belongs to one group, drawn in the colour of its
    ``hue`` within the panel column of its ``facet``. ``hues`` and
    ``facets`` are in drawing order; ``facet_titles`` label the columns
    ("" when there is one column); ``legend`` names the hue (its title);
    ``per_facet`` says that the hue labels differ from one column to the
    next (chunks of design points), so each column has its own legend.
    ``note`` says what was pooled, when the design was too large.
    """

    run_hue: pd.Series
    run_facet: pd.Series
    hues: list[str]
    facets: list[str]
    facet_titles: dict[str, str]
    colours: dict[str, str]
    legend: str
    per_facet: bool = False
    note: str = ""

    def groups(self) -> list[tuple[str, str]]:
        """The (facet, hue) pairs that have runs, facet by facet, in drawing order."""
        present = set(zip(self.run_facet, self.run_hue))
        return [(f, h) for f in self.facets for h in self.hues if (f, h) in present]

    def label(self, facet: str, hue: str) -> str:
        """A group's name, e.g. "both, legal_clarity=0.2" or "asat_rate=0.02, sovereignty_shift=0.3"."""
        return ", ".join(x for x in (self.facet_titles.get(facet, ""), hue) if x) if not self.per_facet else hue


def batch_context(folder: Path, manifest: BatchManifest) -> PlotContext:
    """What a batch's figures say about it: the experiment's name; the scenario, variants, replicates, seed and fixed settings; the scenario's calendar.

    The calendar is read from the copy of the scenario in ``folder/inputs/`` (or, failing that, the file the manifest
    names); when neither can be read the time axis stays in steps.
    """
    experiment, scenario, design = manifest.experiment, manifest.scenario, manifest.design
    variants = list(design.variants)
    replicates = design.replicates
    parts = [f"scenario {scenario.name}"] if scenario.name else []
    many = f"{len(variants)} variants x " if len(variants) > 1 else ""
    if replicates:
        up_to = "up to " if design.adaptive else ""
        parts.append(f"{many}{up_to}{replicates} replicate{'s' if replicates != 1 else ''}" + (" (common random numbers)" if many else ""))
    parts.append(f"seed {manifest.base_seed}")
    calendar = _scenario_calendar(folder, scenario.file)
    if manifest.steps:
        meaning = {4: "quarters", 12: "months", 1: "years"}[calendar[1]] if calendar else "steps"
        parts.append(f"{manifest.steps} {meaning}" + (f" from {calendar[0]}" if calendar else ""))
    fixed = manifest.fixed_overrides
    if fixed:
        parts.append("set: " + ", ".join(f"{k}={value_label(v)}" for k, v in fixed.items()))
    return PlotContext(str(experiment.name or scenario.name or folder.name), ", ".join(parts), calendar)


def _scenario_calendar(folder: Path, file: str | None) -> tuple[int, int] | None:
    from ..scenario import InputError, load_scenario

    if not file:
        return None
    for candidate in (folder / "inputs" / Path(str(file)).name, Path(str(file))):
        if candidate.is_file():
            try:
                spec = load_scenario(candidate)
            except (InputError, OSError, ValueError):
                continue
            return calendar_of(spec.step_meaning, spec.start_year)
    return None


def _levers_differ(design: DesignRecord) -> bool:
    """Whether the groups of a design differ in a policy lever: several variants, or a varied lever (levers act from
    step 1, so step 0 is left out of its envelopes)."""
    if len(design.variants) > 1:
        return True
    return any(getattr(PARAMETERS_BY_NAME.get(k), "group", "") == "policy" for k in design.varied)


def _hue_names(g: Grouping, design: DesignRecord) -> dict[str, str]:
    """Legend names of the hues: a variant's name with the levers it sets, e.g. "bilateral only (allow_multilateral=false)"."""
    variants = design.variants
    out = {}
    for h in g.hues:
        levers = variants.get(h) if g.legend.startswith("variant") else None
        out[h] = f"{h} ({', '.join(f'{k}={value_label(v)}' for k, v in levers.items())})" if levers else h
    return out


def _settings(point: dict[str, Any], keys: list[str], sampled: bool = False) -> str:
    """A design point's settings, e.g. "legal_clarity=0.2"; a sampled point's numbers to three significant digits, which tell points apart on a plot."""

    def shown(v: Any) -> str:
        return f"{v:.3g}" if sampled and isinstance(v, float | np.floating) else value_label(v)

    return ", ".join(f"{k}={shown(point.get(k))}" for k in keys)


def _sequential(n: int) -> list[str]:
    """``n`` colours along viridis, dark to light, leaving out its palest end (hard to see on white)."""
    from matplotlib.colors import to_hex

    cmap = colormaps["viridis"]
    return [to_hex(cmap(x)) for x in (np.linspace(0.0, 0.82, n) if n > 1 else [0.35])]


def _distinct(n: int) -> list[str]:
    """``n`` distinct colours: the Okabe-Ito palette, then (beyond its eight) evenly spaced along viridis, which also stays legible to colour-blind readers."""
    if n <= len(COLOURS):
        return list(COLOURS[:n])
    return _sequential(n)


def _numeric(values: list[Any]) -> bool:
    return len(values) > 1 and all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_) for v in values)


def grouping(runs: pd.DataFrame, design: DesignLike) -> Grouping:
    """The groups of ``runs`` and how they are drawn, following the rule in the module docstring.

    >>> runs = pd.DataFrame({"variant": ["a", "a"], "point": [0, 1]})
    >>> g = grouping(runs, {"variants": {"a": {}}, "points": [{"x": 0.5}, {"x": 1.0}], "varied": ["x"], "grid": {"x": [0.5, 1.0]}})
    >>> g.hues, g.legend, g.facets
    (['x=0.5', 'x=1'], 'x', [''])
    >>> g = grouping(pd.DataFrame({"variant": ["a", "b"] * 2, "point": [0, 0, 1, 1]}),
    ...              {"variants": {"a": {}, "b": {}}, "points": [{"x": 0.5}, {"x": 1.0}], "varied": ["x"]})
    >>> g.hues, g.facets, [g.facet_titles[f] for f in g.facets]
    (['a', 'b'], ['0', '1'], ['x=0.5', 'x=1'])
    """
    design = as_design(design)
    variants = [str(v) for v in design.variants] or [str(v) for v in pd.unique(runs["variant"])]
    points: list[dict[str, Any]] = list(design.points or [{}])
    varied = list(design.varied)
    grid = design.grid or {}
    present_points = sorted(int(p) for p in pd.unique(runs["point"])) if "point" in runs else [0]
    present_variants = [v for v in variants if v in set(runs["variant"].astype(str))] or [str(v) for v in pd.unique(runs["variant"])]
    n_groups = len(present_points) * len(present_variants)
    variant = runs["variant"].astype(str)
    point = runs["point"].astype(int) if "point" in runs else pd.Series(0, index=runs.index)
    nothing = pd.Series("", index=runs.index, dtype=str)
    sampled = design.sampled
    point_label = {p: (_settings(points[p], varied, sampled) if p < len(points) and varied else f"point {p}") for p in present_points}

    if n_groups > MAX_GROUPS:  # a large sampled design: pooled per variant, and said so
        note = (
            f"{len(present_points)} design points x {len(present_variants)} variant{'s' if len(present_variants) != 1 else ''} are too many groups "
            "for a band each: the design points are pooled"
        )
        if len(present_variants) > 1:
            return Grouping(
                variant,
                nothing,
                present_variants,
                [""],
                {"": ""},
                dict(zip(present_variants, _distinct(len(present_variants)))),
                "variant (all design points)",
                note=note + " per variant",
            )
        label = f"all {len(present_points)} design points"
        return Grouping(pd.Series(label, index=runs.index, dtype=str), nothing, [label], [""], {"": ""}, {label: COLOURS[0]}, "", note=note)

    if len(present_variants) > 1:
        colours = dict(zip(present_variants, _distinct(len(present_variants))))
        if len(present_points) == 1:
            return Grouping(variant, nothing, present_variants, [""], {"": ""}, colours, "variant")
        facets = [str(p) for p in present_points]
        return Grouping(variant, point.astype(str), present_variants, facets, {str(p): point_label[p] for p in present_points}, colours, "variant")

    if len(present_points) == 1:
        label = point_label[present_points[0]] if varied else present_variants[0]
        return Grouping(pd.Series(label, index=runs.index, dtype=str), nothing, [label], [""], {"": ""}, {label: COLOURS[0]}, "")

    if len(grid) == 2 and not design.sampled and set(grid) == set(varied):
        (first, first_values), (second, second_values) = grid.items()
        of = {p: points[p] for p in present_points}
        facet_of = {p: value_label(of[p].get(first)) for p in present_points}
        hue_of = {p: f"{second}={value_label(of[p].get(second))}" for p in present_points}
        hues = [f"{second}={value_label(v)}" for v in second_values if f"{second}={value_label(v)}" in set(hue_of.values())]
        facets = [value_label(v) for v in first_values if value_label(v) in set(facet_of.values())]
        colours = dict(zip(hues, _sequential(len(hues)) if _numeric(list(second_values)) else _distinct(len(hues))))
        return Grouping(point.map(hue_of).astype(str), point.map(facet_of).astype(str), hues, facets, {f: f"{first}={f}" for f in facets}, colours, second)

    hue_of = {p: point_label[p] for p in present_points}
    ordered = len(varied) == 1 and _numeric([points[p].get(varied[0]) for p in present_points])
    limit = 12 if ordered else MAX_HUES
    if len(present_points) <= limit:
        hues = [hue_of[p] for p in present_points]
        colours = dict(zip(hues, _sequential(len(hues)) if ordered else _distinct(len(hues))))
        return Grouping(point.map(hue_of).astype(str), nothing, hues, [""], {"": ""}, colours, varied[0] if len(varied) == 1 else "design point")
    chunks = math.ceil(len(present_points) / MAX_HUES)
    size = math.ceil(len(present_points) / chunks)
    chunk_of = {p: i // size for i, p in enumerate(present_points)}
    facets = [str(c) for c in range(chunks)]
    titles = {str(c): f"design points {present_points[c * size]}-{present_points[min(len(present_points), (c + 1) * size) - 1]}" for c in range(chunks)}
    colours = {hue_of[p]: COLOURS[i % size % len(COLOURS)] for i, p in enumerate(present_points)}
    return Grouping(
        point.map(hue_of).astype(str),
        point.map(lambda p: str(chunk_of[p])),
        [hue_of[p] for p in present_points],
        facets,
        titles,
        colours,
        "design point",
        per_facet=True,
    )


def group_labels(runs: pd.DataFrame, design: DesignLike) -> pd.Series:
    """The name of the group each run is summarised in (indexed like ``runs``): its design point's settings and its variant, as :func:`grouping` splits them.

    >>> runs = pd.DataFrame({"variant": ["a", "a"], "point": [0, 1], "x": [0.5, 1.0]})
    >>> group_labels(runs, {"variants": {"a": {}}, "points": [{"x": 0.5}, {"x": 1.0}], "varied": ["x"]}).tolist()
    ['x=0.5', 'x=1']
    """
    g = grouping(runs, design)
    return pd.Series([g.label(f, h) for f, h in zip(g.run_facet, g.run_hue)], index=runs.index, dtype=str)


def _quantiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, 2.5th and 97.5th percentile over axis 0, ignoring NaN; NaN where a step has no value."""
    ok = ~np.isnan(values)
    count = ok.sum(axis=0)
    mean = np.full(values.shape[1], np.nan)
    low = np.full(values.shape[1], np.nan)
    high = np.full(values.shape[1], np.nan)
    has = count > 0
    if has.any():
        v = values[:, has]
        mean[has] = np.nansum(v, axis=0) / count[has]
        low[has], high[has] = np.nanpercentile(v, [2.5, 97.5], axis=0)
    return mean, low, high


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _legend_title(g: Grouping, what: str, width: int = 110) -> str:
    return _wrap(f"{g.legend}; {what}" if g.legend else what, width)


def _chars(fig: Figure) -> int:
    """About how many characters of small text fit across ``fig``."""
    return max(40, int(fig.get_figwidth() * 12))


def _title(fig: Figure, title: str, g: Grouping) -> None:
    lines = [title] if title else []
    if g.note:
        lines.append(_wrap(f"({g.note}; every run is in runs.parquet and steps.parquet)", int(_chars(fig) * 0.8)))  # the title's font is larger
    if lines:
        fig.suptitle("\n".join(lines))


def _n_label(counts: list[int]) -> str:
    if not counts:
        return ""
    return f"n = {counts[0]}" if min(counts) == max(counts) else f"n = {min(counts)}-{max(counts)}"


def envelopes(runs: pd.DataFrame, steps: pd.DataFrame, design: DesignLike, outcomes: list[str], title: str = "", context: PlotContext | None = None) -> Figure:
    """Mean and 95% interval over replicates of each outcome over time, one band per group (:func:`grouping`).

    Without columns of panels, the outcomes are laid out three to a row;
    with them, a row per outcome (shared y axis) and a column per design
    point or value of the first grid parameter. Time is calendar time when
    ``context`` has a calendar; when the groups differ in policy levers the
    bands start at step 1 (see the module docstring); the legend is below
    the panels, outside them.
    """
    context = context or PlotContext(title)
    design = as_design(design)
    g = grouping(runs, design)
    names = _hue_names(g, design)
    first = 1 if _levers_differ(design) else 0
    steps = steps[steps["step"] >= first]
    last = int(steps["step"].max()) if len(steps) else first + 1
    facets = g.facets
    faceted = len(facets) > 1
    across = faceted and len(facets) <= MAX_FACET_COLUMNS  # facets as columns, outcomes as rows; else the other way round
    if faceted:
        rows, cols = (len(outcomes), len(facets)) if across else (len(facets), len(outcomes))
        fig = Figure(figsize=(3.6 * cols + 0.8, 2.5 * rows + 1.9), layout="constrained")
        grid = np.atleast_2d(fig.subplots(rows, cols, squeeze=False, sharex=True, sharey="row" if across else "col"))
        panel = (lambda o, f: grid[o, f]) if across else (lambda o, f: grid[f, o])  # noqa: E731
    else:
        cols = min(3, len(outcomes))
        rows = -(-len(outcomes) // cols)
        fig = Figure(figsize=(5.2 * cols, 3.6 * rows + 1.0), layout="constrained")
        flat = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax in flat[len(outcomes) :]:
            ax.set_axis_off()
        panel = lambda o, f: flat[o]  # noqa: E731
    run_hue = dict(zip(runs["run_id"], g.run_hue))
    run_facet = dict(zip(runs["run_id"], g.run_facet))
    wide = steps.assign(_hue=steps["run_id"].map(run_hue), _facet=steps["run_id"].map(run_facet))
    counts: dict[str, list[int]] = {f: [] for f in facets}
    shared = _shared_asat_steps(wide)
    for o, outcome in enumerate(outcomes):
        cumulative = run_value(outcome).is_total
        unit = outcome_unit(outcome, cumulative)
        for fi, facet in enumerate(facets):
            ax = panel(o, fi)
            here = wide[wide["_facet"] == facet]
            for hue in g.hues:
                table = here[here["_hue"] == hue].pivot(index="run_id", columns="step", values=outcome)
                if table.empty:
                    continue
                values = table.to_numpy(dtype=float)
                if cumulative:
                    values = np.cumsum(np.where(table.columns.to_numpy() > 0, values, 0.0), axis=1)
                mean, low, high = _quantiles(values)
                x = table.columns.to_numpy()
                colour = g.colours.get(hue, COLOURS[0])
                ax.fill_between(x, low, high, color=colour, alpha=0.16 if len(g.hues) > 3 else 0.2, linewidth=0)
                ax.plot(x, mean, color=colour, linewidth=1.6, label=names.get(hue, hue))
                if o == 0:
                    counts[facet].append(len(table))
            for k, step in enumerate(shared.get(facet, [])):
                ax.axvline(step, **ASAT_MARK, label="destructive ASAT test (in every run)" if k == 0 else "_nolegend_")
            name = f"{outcome_label(outcome)}, cumulative" if cumulative else outcome_label(outcome)
            facet_name = f"{g.facet_titles[facet]}\n({_n_label(counts[facet])} runs per band)"
            bottom = (o == len(outcomes) - 1) if (faceted and across) else (fi == len(facets) - 1) if faceted else True
            time_axis(ax, last, context.calendar, first_step=first, label=bottom)
            if faceted and across:
                if o == 0:
                    ax.set_title(facet_name, fontsize="medium")
                if fi == 0:
                    ax.set_ylabel(f"{name}\n({unit})", fontsize="medium")
            elif faceted:
                if fi == 0:
                    ax.set_title(f"{name} ({unit})", fontsize="medium")
                if o == 0:
                    ax.set_ylabel(facet_name.replace(", ", "\n"), fontsize="small")
            else:
                ax.set_title(name)
                ax.set_ylabel(unit)
            ax.grid(alpha=0.25)
    what = "mean over replicates; band: 2.5th-97.5th percentile"
    if first:
        what += (
            f"; from step 1, the first under each {'variant' if len(design.variants) > 1 else 'design point'}'s levers (step 0, the initial state, "
            "is before they act)"
        )
    if g.per_facet:  # each column or row of panels shows other design points: a legend of its own
        for fi in range(len(facets)):
            ax = panel(len(outcomes) - 1, fi)
            handles, labels = ax.get_legend_handles_labels()
            if across:
                ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=1, fontsize="x-small", frameon=False)
            else:
                ax.legend(handles, labels, loc="center left", bbox_to_anchor=(1.02, 0.5), ncols=1, fontsize="x-small", frameon=False)
        fig.legend([], [], loc="outside lower center", title=_wrap(what, _chars(fig)), frameon=False, title_fontsize="small")
    else:
        handles, labels = panel(0, 0).get_legend_handles_labels()
        if not faceted:
            what = f"{_n_label(counts[''])} runs per band; {what}"
        if handles:
            fig.legend(
                handles,
                labels,
                loc="outside lower center",
                ncols=min(len(handles), 3 if max(len(n) for n in labels) > 24 else 6),
                fontsize="small",
                title=_legend_title(g, what, _chars(fig)),
                title_fontsize="small",
            )
    _title(fig, context.heading(), g)
    return fig


def _shared_asat_steps(steps: pd.DataFrame) -> dict[str, list[int]]:
    """Per column of panels, the steps at which every run has a destructive ASAT test (a scheduled one): they are marked as a single run's are."""
    if "n_asat_tests" not in steps or steps.empty:
        return {}
    tested = steps.assign(_tested=steps["n_asat_tests"].fillna(0) > 0)
    every = tested.groupby(["_facet", "step"])["_tested"].all()
    return {str(f): [int(st) for (ff, st), v in every.items() if ff == f and v and st > 0] for f in pd.unique(tested["_facet"])}


def final_distributions(runs: pd.DataFrame, design: DesignLike, outcomes: list[str], title: str = "", context: PlotContext | None = None) -> Figure:
    """Every replicate's run value of each outcome per group: box plots with the replicates drawn as points, coloured as in :func:`envelopes`.

    Groups are ordered column by column of the envelopes (design point, then
    variant); with columns, thin lines separate them and their names are
    written under the boxes. The ticks name the groups when their names are
    short; a sampled design's points, whose settings are long, are numbered
    instead (``P3``), and a key under the figure gives each number's settings.
    """
    context = context or PlotContext(title)
    design = as_design(design)
    g = grouping(runs, design)
    names = _hue_names(g, design)
    order = g.groups()
    faceted = len(g.facets) > 1 and not g.per_facet
    n = len(order)
    cols = 1 if n > 12 else 2 if n > 5 else min(3, len(outcomes))
    cols = min(cols, len(outcomes))
    rows = -(-len(outcomes) // cols)
    member = {grp: (g.run_facet == grp[0]) & (g.run_hue == grp[1]) for grp in order}
    numbered = {} if faceted else _numbered(runs, g, order, member, design.sampled)
    width = max(5.2, 0.55 * n + 2.0) if faceted or numbered else max(5.2, 1.1 * n + 1.5)
    fig = Figure(
        figsize=(width * cols, 3.9 * rows + 0.9 + (0.18 * len(numbered) / max(1, int(width * cols // 4.2)) + 0.4 if numbered else 0)), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    jitter = np.random.default_rng(0)
    for ax, outcome in zip(axes, outcomes):
        value = run_value(outcome, runs.columns)
        data = [runs.loc[member[grp], value.column].dropna().to_numpy(dtype=float) for grp in order]
        positions = [i + 1 for i, d in enumerate(data) if d.size]
        if positions:
            ax.boxplot([d for d in data if d.size], positions=positions, widths=0.55, showfliers=False, medianprops={"color": "black"})
        for i, (d, grp) in enumerate(zip(data, order)):
            if d.size:
                ax.scatter(i + 1 + jitter.uniform(-0.13, 0.13, d.size), d, s=12, alpha=0.75, color=g.colours.get(grp[1], COLOURS[0]), zorder=3)
        if faceted:
            ax.set_xticks(range(1, n + 1), ["" for _ in order])
            ax.tick_params(axis="x", length=0)
            starts = [i for i, grp in enumerate(order) if i == 0 or grp[0] != order[i - 1][0]]
            for a, b in zip(starts, [*starts[1:], n]):
                if a:
                    ax.axvline(a + 0.5, color="#bbbbbb", linewidth=0.8)
                ax.text(
                    (a + b + 1) / 2,
                    -0.04,
                    g.facet_titles[order[a][0]].replace(", ", "\n"),
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="top",
                    fontsize="small",
                )
        elif numbered:
            ax.set_xticks(range(1, n + 1), list(numbered), fontsize="small")
            ax.set_xlabel("design point (settings in the key below)")
        else:
            ax.set_xticks(range(1, n + 1), [g.label(*grp).replace(", ", "\n") for grp in order], fontsize="small")
        ax.set_xlim(0.4, n + 0.6)
        ax.set_title(value.label)
        ax.set_ylabel(outcome_unit(outcome, value.is_total).replace("so far", "over the run"))
        ax.grid(axis="y", alpha=0.25)
    for ax in axes[len(outcomes) :]:
        ax.set_axis_off()
    from matplotlib.lines import Line2D

    if faceted or any(names.get(h, h) != h for h in g.hues):  # otherwise the ticks name the groups; a variant's levers are too long for a tick
        handles = [Line2D([], [], marker="o", linestyle="none", color=g.colours[h], label=names.get(h, h)) for h in g.hues]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 6 if max(len(str(x.get_label())) for x in handles) < 25 else 3),
            fontsize="small",
            title=g.legend or None,
        )
    elif numbered:
        key = [
            Line2D([], [], marker="o", linestyle="none", color=g.colours.get(grp[1], COLOURS[0]), label=f"{number}: {g.label(*grp)}")
            for number, grp in numbered.items()
        ]
        fig.legend(
            handles=key,
            loc="outside lower center",
            ncols=max(1, min(len(key), int(width * cols // 4.2))),
            fontsize="x-small",
            title="design points",
            title_fontsize="small",
            frameon=False,
        )
    _title(fig, context.heading(), g)
    return fig


def _numbered(
    runs: pd.DataFrame, g: Grouping, order: list[tuple[str, str]], member: dict[tuple[str, str], pd.Series], sampled: bool
) -> dict[str, tuple[str, str]]:
    """Short tick names ("P3", the ``point`` of runs.parquet) for groups of one design point each whose settings are too long for a tick, else {}."""
    long = sampled or len(order) > MAX_HUES or max((len(g.label(*grp)) for grp in order), default=0) > 24
    if not long or "point" not in runs or g.legend.startswith("variant"):
        return {}
    out = {}
    for grp in order:
        points = pd.unique(runs.loc[member[grp], "point"])
        if len(points) != 1:
            return {}
        out[f"P{int(points[0])}"] = grp
    return out


def heatmap(runs: pd.DataFrame, design: DesignLike, outcome: str, title: str = "") -> Figure | None:
    """Mean final outcome over a two-parameter grid, one panel per variant; ``None`` unless the grid has exactly two parameters."""
    design = as_design(design)
    grid = design.grid or {}
    if len(grid) != 2 or design.sampled:
        return None
    (row_name, row_values), (col_name, col_values) = grid.items()
    variants = list(design.variants)
    fig = Figure(figsize=(1.4 * len(col_values) * len(variants) + 2.5, 1.0 * len(row_values) + 2.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(variants), squeeze=False)).ravel()
    measure = run_value(outcome, runs.columns)
    column = measure.column
    cells = np.full((len(variants), len(row_values), len(col_values)), np.nan)
    for v, variant in enumerate(variants):
        sub = runs[runs["variant"] == variant]
        for i, rv in enumerate(row_values):
            for j, cv in enumerate(col_values):
                vals = sub.loc[(sub[row_name] == rv) & (sub[col_name] == cv), column].dropna()
                if len(vals):
                    cells[v, i, j] = vals.mean()
    finite = cells[np.isfinite(cells)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    image = None
    for v, (ax, variant) in enumerate(zip(axes, variants)):
        image = ax.imshow(cells[v], origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1e-9)
        for i in range(len(row_values)):
            for j in range(len(col_values)):
                value = cells[v, i, j]
                text = "n/a" if np.isnan(value) else f"{value:.3g}"
                shade = "white" if np.isnan(value) or value < (vmin + vmax) / 2 else "black"
                ax.text(j, i, text, ha="center", va="center", color=shade, fontsize="small")
        ax.set_xticks(range(len(col_values)), [value_label(x) for x in col_values])
        ax.set_yticks(range(len(row_values)), [value_label(x) for x in row_values])
        ax.set_xlabel(col_name)
        ax.set_ylabel(row_name)
        if len(variants) > 1:
            ax.set_title(variant)
    if image is not None:
        fig.colorbar(image, ax=list(axes), label=f"mean {measure.label} ({outcome_unit(outcome, measure.is_total).replace('so far', 'over the run')})")
    fig.suptitle((f"{title}: " if title else "") + f"{measure.label}, mean over replicates")
    return fig


def representative_run(runs: pd.DataFrame, outcome: str) -> int | None:
    """The completed run whose value of ``outcome`` (final, or total for a per-step count) is closest to the median of completed runs (ties: lowest run id).

    >>> runs = pd.DataFrame({"run_id": [0, 1, 2, 3], "status": ["completed"] * 3 + ["failed"], "final_x": [1.0, 5.0, 3.0, float("nan")]})
    >>> representative_run(runs, "x")
    2
    """
    column = run_value(outcome, runs.columns).column
    done = runs[(runs["status"] == "completed") & runs[column].notna()]
    if done.empty:
        done = runs[runs["status"] == "completed"]
        return int(done["run_id"].min()) if len(done) else None
    distance = (done[column] - done[column].median()).abs()
    best = done.assign(_d=distance).sort_values(["_d", "run_id"])
    return int(best["run_id"].iloc[0])


def draw_batch_plots(
    plots_dir: Path,
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    partnerships: pd.DataFrame | None,
    nations: pd.DataFrame | None,
    design: DesignLike,
    outcomes: list[str],
    kinds: list[str],
    title: str,
    context: PlotContext | None = None,
) -> list[Path]:
    """Write the chosen summary plots (``kinds``) into ``plots_dir`` and return their paths.

    ``context`` (:func:`batch_context`) gives the figures their heading and calendar; without it the heading is
    ``title`` and time is in steps. Nothing is drawn when no run completed.
    """
    context = context or PlotContext(title)
    design = as_design(design)
    plots_dir.mkdir(parents=True, exist_ok=True)
    done = runs[runs["status"] == "completed"].reset_index(drop=True)
    if done.empty:
        return []
    steps = steps[steps["run_id"].isin(done["run_id"])]
    written: list[Path] = []

    def save(fig: Figure, name: str) -> None:
        path = plots_dir / name
        fig.savefig(path, dpi=100)
        written.append(path)

    if "envelope" in kinds:
        save(envelopes(done, steps, design, outcomes, context=context), "envelopes.png")
    if "heatmap" in kinds:
        for outcome in outcomes:
            fig = heatmap(done, design, outcome, context.title)
            if fig is not None:
                save(fig, f"heatmap_{outcome}.png")
    if "scatter" in kinds:
        from .sampled import parameter_panel

        for outcome in outcomes:
            fig = parameter_panel(done, design, outcome, context.title)
            if fig is not None:
                save(fig, f"by_parameter_{outcome}.png")
    if "distribution" in kinds:
        save(final_distributions(done, design, outcomes, context=context), "final_distributions.png")
    if "network" in kinds and partnerships is not None and nations is not None:
        run_id = representative_run(done, outcomes[0])
        if run_id is not None:
            fig = Figure(figsize=(9, 9.4), layout="constrained")
            ax = fig.add_subplot()
            pick = lambda df: df[df["run_id"] == run_id].drop(columns="run_id")  # noqa: E731
            network(pick(nations), pick(partnerships), ax=ax, calendar=context.calendar)
            ax.set_title(f"{representative_title(done, design, run_id, outcomes[0], context)}\n{ax.get_title()}", fontsize="medium")
            save(fig, f"network_run{run_id}.png")
    return written


def representative_title(runs: pd.DataFrame, design: DesignLike, run_id: int, outcome: str, context: PlotContext | None = None) -> str:
    """Which run a representative network shows: its variant (with its levers), design point, replicate and seed, and why it was chosen.

    >>> runs = pd.DataFrame({"run_id": [0, 1], "point": [0, 0], "variant": ["both", "bilateral only"], "replicate": [3, 3], "seed": [11, 11],
    ...                      "status": "completed", "final_x": [1.0, 2.0]})
    >>> print(representative_title(runs, {"variants": {"both": {}, "bilateral only": {"allow_multilateral": False}}, "points": [{}]}, 1, "x"))
    variant "bilateral only" (allow_multilateral=false), replicate 3: run 1,
    the run whose final x is closest to the median of all 2 completed runs
    """
    design = as_design(design)
    row = runs.loc[runs["run_id"] == run_id].iloc[0]
    parts = []
    variants = design.variants
    if "variant" in row and (len(variants) > 1 or variants.get(str(row["variant"]))):
        levers = variants.get(str(row["variant"])) or {}
        parts.append(f'variant "{row["variant"]}"' + (f" ({', '.join(f'{k}={value_label(v)}' for k, v in levers.items())})" if levers else ""))
    points = design.points
    varied = list(design.varied)
    if "point" in row and varied and len(points) > 1:
        parts.append(f"design point {int(row['point'])} ({_settings(points[int(row['point'])], varied, design.sampled)})")
    if "replicate" in row:
        parts.append(f"replicate {int(row['replicate'])}")
    which = ", ".join(parts)
    head = f"{context.title}: " if context and context.title else ""
    return (
        f"{head}{which + ': ' if which else ''}run {run_id},\nthe run whose {run_value(outcome, runs.columns).label} is closest to the median of all "
        f"{len(runs)} completed runs"
    )
