"""Summary plots of a batch: which files, from which runs, grouped how."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.image import imread

from spacesim import load_scenario, shipped_scenario
from spacesim.analysis.batch_plots import draw_batch_plots, group_labels, representative_run
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


def test_groups_are_variants_then_design_points_then_everything(grid_batch):
    runs, _, _, _, design = grid_batch
    labels = group_labels(runs, design)
    assert labels.iloc[0] == "legal_clarity=0.2, allow_bilateral=true"
    assert labels.nunique() == 4
    many = {**design, "points": design["points"] * 3}
    assert set(group_labels(runs, many)) == {"all 12 design points"}
    two = {**design, "variants": {"a": {}, "b": {}}}
    assert set(group_labels(runs.assign(variant=["a", "b"] * 4 + ["a"]), two)) == {"a", "b"}
