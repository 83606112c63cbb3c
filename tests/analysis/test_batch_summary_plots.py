"""Summary plots of a batch: which files, from which runs, grouped how."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from spacesim import load_scenario, shipped_scenario
from spacesim.analysis.batch_plots import MAX_GROUPS, draw_batch_plots, envelopes, final_distributions, group_labels, grouping, representative_run
from spacesim.model.metrics import STEP_OUTCOMES
from spacesim.output.run_result import run_scenario


@pytest.fixture(scope="module")
def grid_batch():
    """Eight real runs of teaching_small over a 2 x 2 grid with two replicates, one more run failed."""
    spec = load_scenario(shipped_scenario("teaching_small"))
    rows, steps, nations, partnerships = [], [], [], []
    points = [{"legal_clarity": a, "allow_bilateral": b} for a in (0.2, 0.8) for b in (True, False)]
    run_id = 0
    for p, point in enumerate(points):
        for r in range(2):
            result = run_scenario(spec.with_parameters(steps=6, **point), seed=r + 1, run_id=run_id)
            final = result.steps.iloc[-1]
            rows.append({"run_id": run_id, "point": p, "variant": "default", "replicate": r, "seed": r + 1, "status": "completed", **point, **{f"final_{k}": float(final[k]) for k in STEP_OUTCOMES}})
            steps.append(result.steps)
            nations.append(result.nations)
            partnerships.append(result.partnerships)
            run_id += 1
    rows.append({"run_id": run_id, "point": 0, "variant": "default", "replicate": 2, "seed": 9, "status": "failed", **points[0], **{f"final_{k}": float("nan") for k in STEP_OUTCOMES}})
    design = {"varied": ["legal_clarity", "allow_bilateral"], "grid": {"legal_clarity": [0.2, 0.8], "allow_bilateral": [True, False]}, "sample": None, "points": points, "variants": {"default": {}}, "replicates": 2}
    return pd.DataFrame(rows), pd.concat(steps), pd.concat(nations), pd.concat(partnerships), design


def test_every_kind_is_drawn_as_a_readable_png(grid_batch, tmp_path):
    runs, steps, nations, partnerships, design = grid_batch
    paths = draw_batch_plots(tmp_path, runs, steps, partnerships, nations, design, ["mean_trust", "n_bilateral"], ["envelope", "heatmap", "distribution", "network"], "grid")
    names = sorted(p.name for p in paths)
    rep = representative_run(runs, "mean_trust")
    assert names == sorted(["envelopes.png", "heatmap_mean_trust.png", "heatmap_n_bilateral.png", "final_distributions.png", f"network_run{rep}.png"])
    for p in paths:
        assert imread(p).shape[0] > 100


def test_heatmap_only_for_a_two_parameter_grid_and_network_only_with_its_tables(grid_batch, tmp_path):
    runs, steps, nations, partnerships, design = grid_batch
    one = {**design, "grid": {"legal_clarity": [0.2, 0.8]}, "varied": ["legal_clarity"]}
    paths = draw_batch_plots(tmp_path, runs, steps, None, None, one, ["mean_trust"], ["heatmap", "network", "envelope"], "x")
    assert [p.name for p in paths] == ["envelopes.png"]


def test_all_failed_draws_nothing(grid_batch, tmp_path):
    runs, steps, nations, partnerships, design = grid_batch
    failed = runs.assign(status="failed")
    assert draw_batch_plots(tmp_path, failed, steps, partnerships, nations, design, ["mean_trust"], ["envelope", "distribution"], "x") == []


def test_representative_run_is_the_completed_run_nearest_the_median():
    runs = pd.DataFrame({"run_id": [0, 1, 2, 3, 4], "status": ["completed"] * 4 + ["failed"], "final_x": [1.0, 2.0, 4.0, 10.0, 3.0]})
    assert representative_run(runs, "x") == 1  # median 3.0: runs 1 and 2 are 1 away; the lower id wins


def test_groups_are_design_points_and_variants_pooled_only_when_too_many(grid_batch):
    runs, _, _, _, design = grid_batch
    labels = group_labels(runs, design)
    assert labels.iloc[0] == "legal_clarity=0.2, allow_bilateral=true"
    assert labels.nunique() == 4, "a band per design point"
    many = {**design, "grid": None, "points": design["points"] * 7}  # 28 design points, each with a run: more than MAX_GROUPS
    spread = pd.concat([runs.assign(point=runs["point"] + 4 * k, run_id=runs["run_id"] + 100 * k) for k in range(7)], ignore_index=True)
    assert set(group_labels(spread, many)) == {"all 28 design points"}
    assert "too many groups for a band each" in grouping(spread, many).note
    two = {**design, "variants": {"a": {}, "b": {}}}
    both = runs.assign(variant=["a", "b"] * 4 + ["a"])
    assert group_labels(both, two).nunique() == 8, "a band per design point and variant"


# --- synthetic batches: grouping and layout without running the model ---------------------------


def synthetic(points: list[dict], variants: list[str], replicates: int = 3, steps: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A runs and a steps table with a value per design point, variant and replicate."""
    rows, frames = [], []
    rng = np.random.default_rng(1)
    run_id = 0
    for p, point in enumerate(points):
        for v, variant in enumerate(variants):
            for r in range(replicates):
                level = p + 10 * v + rng.normal(0, 0.1)
                rows.append({"run_id": run_id, "point": p, "variant": variant, "replicate": r, "status": "completed", **point, "final_mean_trust": level, "final_n_leaks": 1.0, "total_n_leaks": float(p + v)})
                frames.append(pd.DataFrame({"run_id": run_id, "step": range(steps + 1), "mean_trust": level + np.arange(steps + 1), "n_leaks": [0] + [1] * steps}))
                run_id += 1
    return pd.DataFrame(rows), pd.concat(frames, ignore_index=True)


def design_of(points: list[dict], variants: list[str], grid: dict | None = None, sample: dict | None = None) -> dict:
    return {"varied": list(points[0]), "grid": grid, "sample": sample, "points": points, "variants": {v: {} for v in variants}, "replicates": 3}


def panels(fig) -> list:
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


def test_a_three_by_three_grid_gets_a_column_per_first_value_and_a_colour_per_second():
    grid = {"asat_rate": [0.0, 0.004, 0.02], "sovereignty_shift": [-0.3, 0.0, 0.3]}
    points = [{"asat_rate": a, "sovereignty_shift": b} for a in grid["asat_rate"] for b in grid["sovereignty_shift"]]
    runs, steps = synthetic(points, ["default"])
    design = design_of(points, ["default"], grid=grid)
    fig = envelopes(runs, steps, design, ["mean_trust", "n_leaks"], "grid")
    axes = panels(fig)
    assert len(axes) == 2 * 3, "a row per outcome, a column per asat_rate"
    assert [ax.get_title().splitlines()[0] for ax in axes[:3]] == ["asat_rate=0", "asat_rate=0.004", "asat_rate=0.02"]
    for ax in axes:
        assert len(ax.lines) == 3 and len(ax.collections) == 3, "a band and a mean line per sovereignty_shift"
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["sovereignty_shift=-0.3", "sovereignty_shift=0", "sovereignty_shift=0.3"]
    assert "n = 3 runs per band" in axes[0].get_title()
    leaks = axes[3].lines[0].get_ydata()
    assert list(leaks) == [0, 1, 2, 3, 4, 5], "a per-step count is drawn cumulated"
    assert axes[3].get_ylabel() == "n leaks, cumulative\n(number so far)"
    boxes = final_distributions(runs, design, ["mean_trust", "n_leaks"], "grid")
    first = panels(boxes)[0]
    assert sum(len(c.get_offsets()) for c in first.collections) == 27, "every replicate of the nine points"
    assert len([t for t in first.texts]) == 3 and panels(boxes)[1].get_title() == "n leaks (total over the run)"


def test_variants_at_several_points_get_a_colour_per_variant_and_a_column_per_point():
    points = [{"legal_clarity": 0.2}, {"legal_clarity": 0.8}]
    runs, steps = synthetic(points, ["both", "bilateral only", "multilateral only"])
    design = design_of(points, ["both", "bilateral only", "multilateral only"])
    fig = envelopes(runs, steps, design, ["mean_trust"])
    axes = panels(fig)
    assert [ax.get_title().splitlines()[0] for ax in axes] == ["legal_clarity=0.2", "legal_clarity=0.8"]
    assert all(len(ax.lines) == 3 for ax in axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["both", "bilateral only", "multilateral only"]
    assert group_labels(runs, design).nunique() == 6


def test_nine_points_by_three_variants_put_the_points_in_rows():
    grid = {"a": [0.0, 0.5, 1.0], "b": [1, 2, 3]}
    points = [{"a": x, "b": y} for x in grid["a"] for y in grid["b"]]
    runs, steps = synthetic(points, ["u", "v"])
    fig = envelopes(runs, steps, design_of(points, ["u", "v"], grid=grid), ["mean_trust", "n_leaks"])
    axes = panels(fig)
    assert len(axes) == 18 and axes[0].get_title() == "mean trust (0-1 scale)" and axes[0].get_ylabel().startswith("a=0\nb=1")


def test_a_sample_of_sixteen_points_is_split_over_columns_with_legends_of_their_own():
    points = [{"trust_loss": 1.0 + i / 7} for i in range(16)]
    runs, steps = synthetic(points, ["default"], replicates=2)
    design = design_of(points, ["default"], sample={"method": "latin_hypercube", "n": 16, "ranges": {"trust_loss": [1, 4]}})
    fig = envelopes(runs, steps, design, ["mean_trust"])
    axes = panels(fig)
    assert [ax.get_title().splitlines()[0] for ax in axes] == ["design points 0-7", "design points 8-15"]
    assert all(ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 8 for ax in axes)
    assert axes[0].get_legend().get_texts()[1].get_text() == "trust_loss=1.14"


def test_more_than_max_groups_are_pooled_per_variant_and_the_title_says_so():
    points = [{"trust_loss": 1.0 + i / 10} for i in range(14)]
    runs, steps = synthetic(points, ["a", "b"], replicates=2)
    design = design_of(points, ["a", "b"], sample={"method": "sobol", "n": 14, "ranges": {}})
    assert 14 * 2 > MAX_GROUPS
    fig = envelopes(runs, steps, design, ["mean_trust"], "big")
    assert "14 design points x 2 variants are too many groups for a band each: the design points are pooled per variant" in fig.get_suptitle().replace("\n", " ")
    assert len(panels(fig)[0].lines) == 2
    assert "pooled per variant" in final_distributions(runs, design, ["mean_trust"], "big").get_suptitle().replace("\n", " ")


def test_the_shipped_grid_experiments_get_a_band_per_design_point():
    from spacesim.experiment import build_design, load_experiment
    from spacesim.scenario.library import shipped_experiment

    for name, groups in (("threat_sovereignty", 9), ("legal_clarity", 6), ("policy_comparison", 3)):
        experiment = load_experiment(shipped_experiment(name))
        design = build_design(experiment)
        described = design.describe(experiment.spec)
        runs = pd.DataFrame([{"run_id": t.run_id, "point": t.point, "variant": t.variant} for t in design.tasks])
        assert group_labels(runs, described).nunique() == groups, name
