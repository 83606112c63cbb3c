"""Batches: determinism across executors, failure isolation, refusals, reproduction of one run."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from spacesim import InputError, load_scenario
from spacesim.analysis.summary import batch_summary
from spacesim.experiment import run_batch
from spacesim.experiment.worker import FAULT_ENV
from spacesim.output.run_result import run_scenario


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


def assert_same_batch(a, b) -> None:
    """runs and steps equal after sorting by run id and step (the reproduction column holds no paths that differ)."""
    assert_frame_equal(_sorted(a.runs, ["run_id"]), _sorted(b.runs, ["run_id"]))
    assert_frame_equal(_sorted(a.steps, ["run_id", "step"]), _sorted(b.steps, ["run_id", "step"]))


@pytest.mark.subprocess  # a pool of local worker processes
def test_one_and_two_workers_give_identical_tables(small_experiment, tmp_path):
    one = run_batch(small_experiment, tmp_path / "one", workers=1)
    two = run_batch(small_experiment, tmp_path / "two", workers=2)
    assert len(one.runs) == 12 and (one.runs["status"] == "completed").all()
    assert one.runs["run_id"].is_unique and sorted(one.steps["run_id"].unique()) == list(range(12))
    assert_same_batch(one, two)
    for name in ("nations", "events", "partnerships"):
        assert_frame_equal(_sorted(one.table(name), ["run_id"]), _sorted(two.table(name), ["run_id"]), check_like=False)
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["runs"] == {"total": 12, "completed": 12, "failed": 0}
    assert manifest["sessions"][0]["executor"] == "local processes" and manifest["sessions"][0]["workers"] == 2
    assert not (tmp_path / "two" / "chunks").exists()


def test_variants_run_under_common_random_numbers(small_experiment, tmp_path):
    runs = run_batch(small_experiment, tmp_path / "b", workers=1).runs
    pivot = runs.pivot_table(index=["point", "replicate"], columns="variant", values="seed")
    assert (pivot["both"] == pivot["bilateral only"]).all()
    assert not runs.loc[runs["variant"] == "bilateral only", "allow_multilateral"].any()
    assert set(runs["legal_clarity"]) == {0.2, 0.8}


def test_a_batch_run_is_reproduced_alone_from_its_recorded_seed_and_parameters(small_experiment, tmp_path):
    runs = run_batch(small_experiment, tmp_path / "b", workers=1).runs
    row = runs.iloc[7]
    spec = load_scenario(small_experiment.parent / "teaching_small.yaml").with_parameters(
        steps=8, legal_clarity=row["legal_clarity"], allow_multilateral=bool(row["allow_multilateral"])
    )
    alone = run_scenario(spec, seed=int(row["seed"]))
    assert alone.steps.iloc[-1]["mean_trust"] == row["final_mean_trust"]
    assert f"--seed {row['seed']} --steps 8" in row["reproduce"] and "--set legal_clarity=0.8" in row["reproduce"] or "legal_clarity=0.2" in row["reproduce"]


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.subprocess)])  # 2: a pool of local worker processes
def test_failing_runs_are_recorded_and_the_batch_goes_on(small_experiment, tmp_path, monkeypatch, workers):
    monkeypatch.setenv(FAULT_ENV, "3,10")
    batch = run_batch(small_experiment, tmp_path / "b", workers=workers)
    failed = batch.runs[batch.runs["status"] == "failed"]
    assert list(failed["run_id"]) == [3, 10]
    assert set(failed["error_type"]) == {"InjectedFault"} and failed["error"].str.contains("failed on purpose").all()
    assert failed["final_mean_trust"].isna().all()
    assert sorted(batch.steps["run_id"].unique()) == [i for i in range(12) if i not in (3, 10)]
    assert batch.manifest.runs.model_dump() == {"total": 12, "completed": 10, "failed": 2}
    assert "10 completed, 2 failed" in batch_summary(batch)


def test_existing_folder_is_refused_without_resume_or_force(small_experiment, tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(
        InputError, match="pass resume=True to continue the batch in it, force=True to delete it and start again, or choose another out folder"
    ) as refused:
        run_batch(small_experiment, out, workers=1)
    assert "--" not in str(refused.value), "from Python the refusal names run_batch's arguments, not the command line's flags"
    assert (out / "precious.txt").read_text() == "keep me"
    with pytest.raises(InputError, match="choose one: resume=True continues") as refused:
        run_batch(small_experiment, out, workers=1, resume=True, force=True)
    assert "--" not in str(refused.value)
    with pytest.raises(InputError, match="not a spacesim batch; choose another out folder"):
        run_batch(small_experiment, out, workers=1, resume=True)
    assert (out / "precious.txt").read_text() == "keep me"
    with pytest.raises(InputError, match="force=True: not deleted: it holds what spacesim did not write: precious.txt"):
        run_batch(small_experiment, out, workers=1, force=True)
    assert (out / "precious.txt").read_text() == "keep me" and sorted(p.name for p in out.iterdir()) == ["precious.txt"]
    (out / "precious.txt").unlink()
    run_batch(small_experiment, out, workers=1)
    again = run_batch(small_experiment, out, workers=1, force=True)  # a batch's own folder is replaced
    assert again.ran_now == 12 and not (out / ".spacesim.lock").exists()


def test_resuming_a_changed_experiment_is_refused(small_experiment, tmp_path):
    out = tmp_path / "b"
    run_batch(small_experiment, out, workers=1)
    before = (out / "runs.parquet").read_bytes()
    small_experiment.write_text(small_experiment.read_text().replace("replicates: 3", "replicates: 4"))
    with pytest.raises(InputError, match="experiment file changed since the batch.*start again with force=True or another out folder"):
        run_batch(small_experiment, out, workers=1, resume=True)
    assert (out / "runs.parquet").read_bytes() == before


def test_resuming_a_completed_batch_runs_nothing(small_experiment, tmp_path):
    out = tmp_path / "b"
    first = run_batch(small_experiment, out, workers=1)
    again = run_batch(small_experiment, out, workers=1, resume=True)
    assert again.ran_now == 0
    assert_same_batch(first, again)


@pytest.mark.subprocess  # a pool of local worker processes
def test_resume_runs_only_missing_chunks(small_experiment, tmp_path):
    """Delete some committed chunks of an unfinished batch (as a kill would leave it) and resume."""
    import shutil

    from spacesim.experiment.store import BatchStore

    full = run_batch(small_experiment, tmp_path / "full", workers=1)
    out = tmp_path / "partial"
    # Simulate a batch that was killed after committing chunks 0, 2 and 5 of 6.
    from spacesim.experiment import batch as batch_module

    class Boom(Exception):
        pass

    original = BatchStore.merge

    def kill_before_merge(self, *args):
        raise Boom

    BatchStore.merge = kill_before_merge
    try:
        with pytest.raises(Boom):
            run_batch(small_experiment, out, workers=1)
    finally:
        BatchStore.merge = original
    store = BatchStore(out)
    for c in (1, 3, 4):
        shutil.rmtree(store.chunk_dir(c))
    (store.chunks_dir / ".000004.tmp-999").mkdir()  # a half-written chunk of a killed process
    resumed = batch_module.run_batch(small_experiment, out, workers=2, resume=True)
    assert resumed.ran_now == 6  # three chunks of two runs
    assert_same_batch(full, resumed)
    assert len(resumed.manifest.sessions) == 2


def test_the_summary_counts_in_words_that_agree_with_the_numbers(workdir, tmp_path):
    """'1 run ... 1 replicate', not '1 runs ... 1 replicates'; what this session ran, not '20 run now'."""
    one = workdir / "one.yaml"
    one.write_text(
        "schema_version: 1\nname: one\ndescription: A single run.\nscenario: teaching_small.yaml\nsteps: 3\nreplicates: 1\nseed: 2\ntables: []\nplots: []\n"
    )
    batch = run_batch(one, tmp_path / "one", workers=1)
    first = batch_summary(batch).splitlines()[0]
    assert first.startswith("one: 1 run (1 design point x 1 variant x 1 replicate), 1 completed, 0 failed; 1 of 1 ran in this session (")
    again = batch_summary(run_batch(one, tmp_path / "one", workers=1, resume=True)).splitlines()[0]
    assert "0 of 1 ran in this session" in again and "run now" not in again


def test_the_adaptive_summary_says_round_and_replicates_in_the_singular_when_there_is_one(small_experiment, tmp_path):
    text = small_experiment.read_text().replace("replicates: 3", "replicates: {target_halfwidth: 1000, outcome: mean_trust, min: 2, max: 4}")
    small_experiment.write_text(text)
    summary = batch_summary(run_batch(small_experiment, tmp_path / "a", workers=1))
    assert "x up to 4 replicates), 8 completed" in summary
    assert ": 1 round, 2 replicates per point; 2 points target reached" in summary


def test_a_chunks_tables_are_each_runs_frames_labelled_and_concatenated(small_experiment, monkeypatch):
    """The worker builds a chunk's tables once, column by column, from each run's record; they must be the tables the
    per-run frames give (label_rows of each run's frame, concatenated), with the same Arrow types, failed runs included."""
    import pyarrow as pa

    from spacesim.experiment.design import build_design
    from spacesim.experiment.worker import arrow_table, label_rows, run_chunk
    from spacesim.scenario.experiment import load_experiment
    from spacesim.scenario.loader import apply_overrides

    experiment = load_experiment(small_experiment)
    tasks = build_design(experiment).tasks[:5]
    monkeypatch.setenv(FAULT_ENV, str(tasks[1].run_id))
    tables = ("nations", "events", "partnerships")
    chunk = run_chunk(0, tasks, experiment.scenario, tables, {"scenario_file": "small.yaml", "fixed": {}})
    assert chunk.failed == 1 and all(isinstance(t, pa.Table) for t in chunk.tables.values())
    for name in ("steps", *tables):
        frames = []
        for task in tasks:
            if task.run_id == tasks[1].run_id:
                continue
            spec = apply_overrides(experiment.scenario, task.settings, source="design", check_horizon=False)
            frames.append(label_rows(getattr(run_scenario(spec, seed=task.seed, run_id=task.run_id), name), task))
        expected = arrow_table(pd.concat(frames, ignore_index=True))
        assert chunk.tables[name].schema.equals(expected.schema), name
        assert chunk.tables[name].equals(expected), name
