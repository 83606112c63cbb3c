"""Every figure type, drawn from a small result and checked on its artists (issue 18, item 1).

What a policy reader needs from a figure, tested here for the run's time series and network, and the batch's
envelopes, distributions, heatmap and representative network: calendar time where the scenario has a calendar, a
unit on each value axis, a title that says what ran (scenario, seed or replicates, levers), colours from the
colour-blind-safe palette, legends that lie outside every axes (so they cannot cover data), the ASAT mark in the
legend, variant plots without the step before the levers act, and tick labels that do not overlap.
"""

from __future__ import annotations

import itertools
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from spacesim import load_scenario, shipped_scenario
from spacesim.analysis.batch_plots import batch_context, envelopes, final_distributions, heatmap, representative_title
from spacesim.analysis.findings import run_findings
from spacesim.analysis.plots import (
    LINE_COLOURS,
    OKABE_ITO,
    OUTCOME_UNITS,
    PANELS,
    PlotContext,
    draw_run_plots,
    network,
    outcome_unit,
    run_context,
    time_axis,
    timeseries_panel,
)
from spacesim.catalogue import STEP_OUTCOME_DEFS
from spacesim.output.result_folder import BatchManifest
from spacesim.output.run_result import run_scenario, write_run

SAFE = {c.lower() for c in OKABE_ITO.values()} | {"#999999"}


@pytest.fixture(scope="module")
def teaching_run():
    """teaching_small for 14 quarters: its scheduled ASAT test is at step 12."""
    spec = load_scenario(shipped_scenario("teaching_small"))
    return run_scenario(spec.with_parameters(steps=14), seed=5)


def drawn(fig: Figure) -> Figure:
    FigureCanvasAgg(fig).draw()  # lays the figure out as savefig does, so the boxes are the PNG's
    return fig


def panels(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


def assert_legends_outside_every_axes(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    assert legends, "the figure has a legend"
    for legend, ax in itertools.product(legends, panels(fig)):
        box, frame = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        overlap_w = min(box.x1, frame.x1) - max(box.x0, frame.x0)
        overlap_h = min(box.y1, frame.y1) - max(box.y0, frame.y0)
        assert overlap_w <= 1 or overlap_h <= 1, f"a legend ({[t.get_text() for t in legend.get_texts()][:3]}) lies over the axes {ax.get_title()!r}"


def line_colours(fig: Figure) -> set[str]:
    return {
        to_hex(line.get_color()).lower()
        for ax in panels(fig)
        for line in ax.lines
        if line.get_label() and not line.get_label().startswith("_") and line.get_linestyle() == "-"
    }


def tick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


# --------------------------------------------------------------------- a single run


def test_run_time_series_have_calendar_time_units_levers_and_a_legend_for_the_asat_mark(teaching_run):
    spec = teaching_run.spec
    context = run_context(spec.name, 5, spec.steps, spec.step_meaning, spec.start_year, spec.parameter_values())
    fig = drawn(timeseries_panel(teaching_run.steps, context=context))
    heading = fig.get_suptitle()
    assert heading.startswith("teaching_small\nseed 5, 14 quarters from 2025; levers: allow_bilateral=true, allow_multilateral=true, legal_clarity=0.3")
    axes = panels(fig)
    assert [ax.get_title() for ax in axes] == [title for title, _ in PANELS]
    for ax, (_, outcomes) in zip(axes, PANELS):
        assert ax.get_xlabel() == "year (step 0 = 1 Jan 2025; a step is a quarter)"
        assert tick_texts(ax)[:3] == ["2025", "2026", "2027"]
        assert ax.get_ylabel() == outcome_unit(outcomes[0]), "the unit of the panel's outcomes"
        marks = [line for line in ax.lines if list(line.get_xdata()) == [12, 12]]
        assert len(marks) == 1, "the ASAT test of step 12 is marked"
        assert "destructive ASAT test" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert axes[3].get_ylabel() == "tracked pieces" and axes[0].get_ylabel() == "number" and axes[1].get_ylabel() == "0-1 scale"
    assert line_colours(fig) <= SAFE
    assert_legends_outside_every_axes(fig)


def test_a_run_under_two_years_is_dated_by_quarter_and_one_without_a_calendar_by_step(teaching_run):
    fig = Figure()
    ax = fig.add_subplot()
    time_axis(ax, 6, (2025, 4))
    assert tick_texts(ax)[0] == "2025 Q1" and ax.get_xlabel().startswith("date (step 0 = 1 Jan 2025")
    fig = drawn(timeseries_panel(teaching_run.steps, "plain"))
    assert fig.get_suptitle() == "plain" and all(ax.get_xlabel() == "step" for ax in panels(fig))


def test_run_network_is_dated_and_the_written_plots_carry_the_heading(teaching_run, tmp_path):
    spec = teaching_run.spec
    context = run_context(spec.name, 5, spec.steps, spec.step_meaning, spec.start_year, spec.parameter_values())
    fig = Figure(figsize=(9, 9), layout="constrained")
    ax = network(teaching_run.nations, teaching_run.partnerships, ax=fig.add_subplot(), calendar=context.calendar)
    assert ax.get_title().startswith("Partnership network at step 14 (2028 Q3):")
    drawn(fig)
    legend_box, axes_box = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend_box.y1 <= axes_box.y0 + 1, "the key is below the picture"
    paths = draw_run_plots(teaching_run.steps, teaching_run.nations, teaching_run.partnerships, tmp_path, context=context)
    assert [p.name for p in paths] == ["timeseries.png", "network.png"]


def test_spacesim_plot_redraws_a_run_with_its_calendar_and_heading(teaching_run, tmp_path, monkeypatch):
    """`spacesim plot` reads the heading and calendar back from the run's manifest."""
    from spacesim.analysis import plots
    from spacesim.cli import main

    folder = write_run(teaching_run, tmp_path / "run")
    seen = {}
    monkeypatch.setattr(plots, "draw_run_plots", lambda *a, context=None, **k: seen.setdefault("context", context) and [])
    assert main(["plot", str(folder)]) == 0
    assert seen["context"].calendar == (2025, 4) and seen["context"].subtitle.startswith("seed 5, 14 quarters from 2025; levers:")


def test_every_outcome_without_a_declared_unit_is_on_a_0_1_scale():
    """:func:`outcome_unit` calls every float outcome not in OUTCOME_UNITS a 0-1 scale: check it on two worlds."""
    for name, steps in (("teaching_small", 40), ("baseline", 30)):
        result = run_scenario(load_scenario(shipped_scenario(name)).with_parameters(steps=steps), seed=3)
        for o in STEP_OUTCOME_DEFS:
            if o.type is float and o.name not in OUTCOME_UNITS:
                values = result.steps[o.name].dropna()
                assert ((values >= 0) & (values <= 1)).all(), (name, o.name, values.min(), values.max())


# --------------------------------------------------------------------- a batch


def synthetic(points: list[dict], variants: list[str], replicates: int = 3, steps: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A runs and a steps table; each variant other than the first drops at step 1 (as a lever that ends agreements does)."""
    rows, frames = [], []
    run_id = 0
    rng = np.random.default_rng(2)
    for p, point in enumerate(points):
        for v, variant in enumerate(variants):
            for r in range(replicates):
                level = 0.5 + 0.02 * p + 0.05 * v + rng.normal(0, 0.01)
                trust = np.r_[0.5, np.full(steps, level)] if v == 0 else np.r_[0.5, np.full(steps, 0.1 * v)]
                rows.append(
                    {
                        "run_id": run_id,
                        "point": p,
                        "variant": variant,
                        "replicate": r,
                        "seed": 100 + r,
                        "status": "completed",
                        **point,
                        "final_mean_trust": trust[-1],
                        "final_debris": 30000.0 + p,
                        "total_n_asat_tests": float(r),
                    }
                )
                frames.append(
                    pd.DataFrame(
                        {
                            "run_id": run_id,
                            "step": range(steps + 1),
                            "mean_trust": trust,
                            "debris": 30000.0 + np.arange(steps + 1),
                            "n_asat_tests": [0] * steps + [r],
                        }
                    )
                )
                run_id += 1
    return pd.DataFrame(rows), pd.concat(frames, ignore_index=True)


VARIANTS = {"both": {}, "bilateral only": {"allow_multilateral": False}, "multilateral only": {"allow_bilateral": False}}
CONTEXT = PlotContext("policy_comparison", "scenario baseline, 3 variants x 3 replicates (common random numbers), seed 7, 12 quarters from 2025", (2025, 4))


def design_of(points: list[dict], variants: dict, sample: dict | None = None, grid: dict | None = None) -> dict:
    return {"varied": list(points[0]), "grid": grid, "sample": sample, "points": points, "variants": variants, "replicates": 3}


def test_variant_envelopes_leave_out_step_0_name_levers_and_keep_the_legend_off_the_data():
    runs, steps = synthetic([{}], list(VARIANTS))
    fig = drawn(envelopes(runs, steps, design_of([{}], VARIANTS), ["mean_trust", "debris", "n_asat_tests"], context=CONTEXT))
    assert fig.get_suptitle() == CONTEXT.heading()
    axes = panels(fig)
    for ax in axes:
        assert min(min(line.get_xdata()) for line in ax.lines) == 1, "step 0 precedes the levers: left out"
        assert ax.get_xlabel() == "year (step 0 = 1 Jan 2025; a step is a quarter)" and "2026" in tick_texts(ax)
    assert [ax.get_ylabel() for ax in axes] == ["0-1 scale", "tracked pieces", "number so far"]
    assert [ax.get_title() for ax in axes] == ["mean trust", "debris", "n asat tests, cumulative"]
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["both", "bilateral only (allow_multilateral=false)", "multilateral only (allow_bilateral=false)"]
    assert "from step 1" in legend.get_title().get_text() and "step 0, the initial state" in legend.get_title().get_text().replace("\n", " ")
    assert line_colours(fig) <= SAFE and len(line_colours(fig)) == 3
    assert_legends_outside_every_axes(fig)


def test_envelopes_of_one_variant_keep_step_0():
    runs, steps = synthetic([{"trust_gain": 0.1}, {"trust_gain": 0.2}], ["default"])
    fig = drawn(envelopes(runs, steps, design_of([{"trust_gain": 0.1}, {"trust_gain": 0.2}], {"default": {}}), ["mean_trust"], context=CONTEXT))
    ax = panels(fig)[0]
    assert min(min(line.get_xdata()) for line in ax.lines) == 0
    assert_legends_outside_every_axes(fig)


def test_a_sampled_design_s_boxes_are_numbered_with_a_key_and_their_ticks_do_not_overlap():
    points = [{"legal_clarity": 0.0613 + i / 11, "trust_gain": 0.02 + i / 70, "asat_rate": 0.0176 - i / 700} for i in range(10)]
    runs, _ = synthetic(points, ["default"], replicates=2)
    design = design_of(points, {"default": {}}, sample={"method": "latin_hypercube", "n": 10, "ranges": {}})
    fig = drawn(final_distributions(runs, design, ["mean_trust", "debris", "n_asat_tests"], context=CONTEXT))
    axes = panels(fig)
    for ax in axes:
        assert tick_texts(ax) == [f"P{i}" for i in range(10)]
        boxes = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2)), "tick labels overlap"
        assert ax.get_xlabel() == "design point (settings in the key below)"
    assert [ax.get_ylabel() for ax in axes] == ["0-1 scale", "tracked pieces", "number over the run"]
    key = [t.get_text() for t in fig.legends[0].get_texts()]
    assert key[0] == "P0: legal_clarity=0.0613, trust_gain=0.02, asat_rate=0.0176" and len(key) == 10
    assert_legends_outside_every_axes(fig)


def test_variant_boxes_are_named_with_their_levers():
    runs, _ = synthetic([{}], list(VARIANTS))
    fig = drawn(final_distributions(runs, design_of([{}], VARIANTS), ["mean_trust"], context=CONTEXT))
    ax = panels(fig)[0]
    assert tick_texts(ax) == list(VARIANTS)
    assert not any(a.overlaps(b) for a, b in itertools.combinations([t.get_window_extent() for t in ax.get_xticklabels()], 2))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "both",
        "bilateral only (allow_multilateral=false)",
        "multilateral only (allow_bilateral=false)",
    ]
    assert fig.get_suptitle() == CONTEXT.heading()
    assert_legends_outside_every_axes(fig)


def test_heatmap_names_its_axes_and_scale():
    grid = {"legal_clarity": [0.2, 0.8], "trust_gain": [0.1, 0.2]}
    points = [{"legal_clarity": a, "trust_gain": b} for a in grid["legal_clarity"] for b in grid["trust_gain"]]
    runs, _ = synthetic(points, ["default"])
    fig = heatmap(runs, design_of(points, {"default": {}}, grid=grid), "mean_trust", "grid")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("trust_gain", "legal_clarity")
    assert fig.axes[-1].get_ylabel() == "mean final mean trust (0-1 scale)"


def test_the_representative_network_says_which_variant_and_replicate_it_shows():
    runs, _ = synthetic([{}], list(VARIANTS))
    title = representative_title(runs, design_of([{}], VARIANTS), 4, "mean_trust", CONTEXT)
    assert title.startswith('policy_comparison: variant "bilateral only" (allow_multilateral=false), replicate 1: run 4,')
    assert "closest to the median of all 9 completed runs" in title


def test_batch_context_reads_the_calendar_from_the_folder_s_copy_of_the_scenario(tmp_path):
    (tmp_path / "inputs").mkdir()
    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "inputs" / "teaching_small.yaml")
    manifest = {
        "experiment": {"name": "lesson"},
        "scenario": {"name": "teaching_small", "file": "/elsewhere/teaching_small.yaml"},
        "design": {"variants": VARIANTS, "replicates": 4},
        "base_seed": 7,
        "steps": 40,
        "fixed_overrides": {"trust_gain": 0.2},
    }
    manifest = BatchManifest.model_validate(json.loads(json.dumps(manifest)))  # as read back from a folder
    context = batch_context(tmp_path, manifest)
    assert context == PlotContext(
        "lesson", "scenario teaching_small, 3 variants x 4 replicates (common random numbers), seed 7, 40 quarters from 2025, set: trust_gain=0.2", (2025, 4)
    )
    (tmp_path / "inputs" / "teaching_small.yaml").unlink()
    assert batch_context(tmp_path, manifest).calendar is None, "no scenario to read: time in steps"


def test_the_palette_is_okabe_ito():
    assert {c.lower() for c in LINE_COLOURS} <= SAFE


# --------------------------------------------------------------------- a single run's findings


def test_run_findings_state_changes_the_asat_test_and_the_events(teaching_run):
    lines = run_findings(teaching_run.steps, teaching_run.events, calendar=(2025, 4), seed=5)
    assert lines[0] == "From the initial state to the last step, over 14 quarters (2025 Q1 to 2028 Q3):"
    first, last = teaching_run.steps.iloc[0], teaching_run.steps.iloc[-1]
    assert f"Active bilateral agreements rose from {int(first['n_bilateral'])} to {int(last['n_bilateral'])}." in lines
    trust = next(line for line in lines if line.startswith("Mean directed trust"))
    assert f"to {last['mean_trust']:.3f}" in trust, "a 0-1 scale with three decimals"
    debris = next(line for line in lines if line.startswith("Tracked debris pieces"))
    assert debris.startswith(f"Tracked debris pieces rose from 30,000 to {last['debris']:,.0f} (+{last['debris'] - 30000:,.0f}, +")
    asat = next(line for line in lines if "destructive ASAT test in 2028 Q1 (step 12)" in line)
    assert asat.startswith("RUS conducted") and "mean threat perception rose" in asat
    n_asat = int((teaching_run.events["kind"] == "asat_test").sum())
    assert any(line.startswith(f"Events over the run: {n_asat} destructive ASAT test{'' if n_asat == 1 else 's'}") for line in lines)
    assert lines[-1].startswith("This is one run (seed 5)")


def test_an_asat_test_in_every_run_is_marked_on_the_envelopes_with_a_legend_entry():
    runs, steps = synthetic([{}], list(VARIANTS))
    scheduled = steps.assign(n_asat_tests=(steps["step"] == 5).astype(int))
    fig = drawn(envelopes(runs, scheduled, design_of([{}], VARIANTS), ["mean_trust", "debris"], context=CONTEXT))
    for ax in panels(fig):
        assert [list(line.get_xdata()) for line in ax.lines if line.get_linestyle() == ":"] == [[5, 5]]
    assert [t.get_text() for t in fig.legends[0].get_texts()][-1] == "destructive ASAT test (in every run)"
    assert_legends_outside_every_axes(fig)
    some = steps.assign(n_asat_tests=((steps["step"] == 5) & (steps["run_id"] == 0)).astype(int))  # a random test in one run: not marked
    fig = envelopes(runs, some, design_of([{}], VARIANTS), ["mean_trust"], context=CONTEXT)
    assert not [line for line in panels(fig)[0].lines if line.get_linestyle() == ":"]


def test_the_by_parameter_panel_names_its_unit_and_colours_variants_from_the_palette():
    from spacesim.analysis.sampled import parameter_panel

    points = [{"legal_clarity": i / 9, "trust_gain": 0.02 + i / 50} for i in range(10)]
    runs, _ = synthetic(points, ["both", "bilateral only"], replicates=2)
    fig = drawn(
        parameter_panel(
            runs,
            design_of(points, {"both": {}, "bilateral only": {"allow_multilateral": False}}, sample={"method": "latin_hypercube", "n": 10, "ranges": {}}),
            "mean_trust",
            "lhs",
        )
    )
    axes = panels(fig)
    assert axes[0].get_ylabel() == "final mean trust (0-1 scale)" and [ax.get_xlabel() for ax in axes] == ["legal_clarity", "trust_gain"]
    assert {to_hex(c).lower() for ax in axes for c in (line.get_color() for line in ax.lines)} <= SAFE
