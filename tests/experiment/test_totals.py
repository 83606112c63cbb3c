"""A run's value of a per-step count is its total over the run: runs.parquet's total_ columns and every summary that reads them."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from spacesim import shipped_scenario
from spacesim.analysis.batch_plots import final_distributions, heatmap, representative_run
from spacesim.analysis.comparison import paired_comparison
from spacesim.analysis.postrun import analyse_folder
from spacesim.analysis.report import write_report
from spacesim.analysis.sensitivity import run_values, statistic_of
from spacesim.analysis.summary import batch_summary
from spacesim.experiment import run_batch
from spacesim.experiment.replication import decide
from spacesim.model.metrics import STEP_OUTCOMES
from spacesim.output.outcomes import PER_STEP_COUNTS, run_value

TOTALS = """\
schema_version: 1
name: totals
description: Enough ASAT tests that the last step's count is not the run's.
scenario: teaching_small.yaml
steps: 10
replicates: 2
seed: 3
vary:
  grid:
    asat_rate: [0.05, 0.3]
    legal_clarity: [0.2, 0.8]
variants:
  both: {}
  bilateral only: {allow_multilateral: false}
outcomes: [n_asat_tests, n_agreements_formed, mean_trust]
plots: [envelope, heatmap, distribution]
tables: []
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("totals")
    shutil.copy(shipped_scenario("teaching_small"), folder / "teaching_small.yaml")
    (folder / "totals.yaml").write_text(TOTALS)
    result = run_batch(folder / "totals.yaml", folder / "out", workers=1)
    analyse_folder(result.out, plots=False)  # the comparison, as the command line makes it after the batch
    return result


def test_the_per_step_counts_are_the_count_outcomes_that_mean_this_step():
    assert PER_STEP_COUNTS == (
        "n_asat_tests", "n_cyber_attacks", "n_leaks", "n_government_changes", "n_withdrawals",
        "n_accessions", "n_collisions", "n_agreements_formed", "n_agreements_ended",
    )  # fmt: skip
    assert all(STEP_OUTCOMES[k].endswith("this step") for k in PER_STEP_COUNTS)
    assert run_value("n_bilateral").column == "final_n_bilateral" and run_value("n_leaks").column == "total_n_leaks"


def test_runs_hold_the_total_over_steps_beside_the_final_value(batch):
    runs, steps = batch.runs.set_index("run_id"), batch.steps
    assert [c for c in runs.columns if c.startswith("total_")] == [f"total_{k}" for k in PER_STEP_COUNTS]
    summed = steps[steps["step"] > 0].groupby("run_id")[list(PER_STEP_COUNTS)].sum().reindex(runs.index)
    for k in PER_STEP_COUNTS:
        assert (runs[f"total_{k}"].to_numpy() == summed[k].to_numpy()).all(), k
    last = steps.sort_values("step").groupby("run_id").tail(1).set_index("run_id").reindex(runs.index)
    assert (runs["final_n_asat_tests"].to_numpy() == last["n_asat_tests"].to_numpy()).all()
    assert runs["total_n_asat_tests"].sum() > runs["final_n_asat_tests"].sum() + 10, "the test needs runs whose tests were not all at the last step"


def test_the_printed_summary_gives_the_mean_total_and_says_so(batch):
    text = batch_summary(batch)
    assert "mean final outcomes (n_asat_tests, n_agreements_formed: total over the run) over replicates" in text
    assert "n_asat_tests (total)" in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("variant ")) + 1
    printed = [float(line.split()[-3]) for line in lines[start : start + 8]]  # the n_asat_tests column, groups in sorted order
    expected = batch.runs.groupby(["variant", "asat_rate", "legal_clarity"])["total_n_asat_tests"].mean().round(3).tolist()
    assert printed == expected
    assert "n_asat_tests (total over the run), B − A over 2 paired replicates" in text


def test_plots_show_totals_with_labels_that_say_so(batch):
    design = batch.manifest.design
    fig = final_distributions(batch.runs, design, ["n_asat_tests", "mean_trust"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert "n asat tests (total over the run)" in titles and "final mean trust" in titles
    shown = np.sort(
        np.concatenate([c.get_offsets()[:, 1] for c in fig.axes[titles.index("n asat tests (total over the run)")].collections if len(c.get_offsets())])
    )
    assert np.array_equal(shown, np.sort(batch.runs["total_n_asat_tests"].to_numpy()))
    grid = heatmap(batch.runs, design, "n_asat_tests")
    assert "n asat tests (total over the run), mean over replicates" in grid.get_suptitle()
    cell = batch.runs[(batch.runs["variant"] == "both") & (batch.runs["asat_rate"] == 0.3) & (batch.runs["legal_clarity"] == 0.8)]["total_n_asat_tests"].mean()
    assert any(t.get_text() == f"{cell:.3g}" for t in grid.axes[0].texts)
    runs = batch.runs
    rep = representative_run(runs, "n_asat_tests")
    median = runs["total_n_asat_tests"].median()
    assert abs(runs.set_index("run_id").loc[rep, "total_n_asat_tests"] - median) == (runs["total_n_asat_tests"] - median).abs().min()


def test_comparison_sensitivity_and_replication_read_totals(batch):
    runs = batch.runs
    table = paired_comparison(runs, ["n_asat_tests"], n_boot=100)
    at = table[table["point"] == 3].iloc[0]
    here = runs[runs["point"] == 3]
    assert at["mean_a"] == here[here["variant"] == "both"]["total_n_asat_tests"].mean()
    assert table.attrs["statistics"] == {"n_asat_tests": "total over the run"}
    values = run_values(runs, batch.steps, "n_asat_tests")
    assert (values.to_numpy() == runs["total_n_asat_tests"].to_numpy()).all()
    assert statistic_of("n_asat_tests", runs.columns) == "total over the run"
    decision = decide({"outcome": "n_asat_tests", "target_halfwidth": 100.0, "min": 2, "max": 4}, {3: 2}, runs)[3]
    assert decision.variants[0].mean == here[here["variant"] == "both"]["total_n_asat_tests"].mean()


def test_the_report_tables_give_totals_and_say_so(batch):
    page = write_report(batch.out).read_text()
    assert "n asat tests (total over the run)" in page
    assert "the total over the run (steps 1 to the last), not the last step&#39;s count" in page


def test_a_runs_table_without_totals_falls_back_to_final_values_labelled_as_such():
    old = pd.DataFrame({"run_id": [0, 1], "status": "completed", "final_n_leaks": [1.0, 2.0]})
    value = run_value("n_leaks", old.columns)
    assert value.column == "final_n_leaks" and value.label == "final n leaks"
