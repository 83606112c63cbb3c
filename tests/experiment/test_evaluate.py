"""The engine runs any function of (parameters, seed): the batch's seeds, chunks and executors, the same tables whatever the executor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from spacesim.analysis.sensitivity import sensitivity_of_function
from spacesim.experiment.design import replicate_seeds
from spacesim.experiment.evaluate import evaluate
from spacesim.scenario.experiment import SensitivitySpec

POINTS = [{"a": 0.5, "b": 1.0}, {"a": 2.0, "b": -1.0}, {"a": -3.0, "b": 0.25}]


def noisy(parameters: dict[str, float], seed: int) -> dict[str, object]:
    """A number, a table of three steps, and a failure at one point."""
    if parameters["a"] < 0:
        raise ValueError("a must not be negative")
    rng = np.random.default_rng(seed)
    path = parameters["a"] + np.cumsum(rng.normal(0, parameters["b"] ** 2, 3))
    return {"y": float(path[-1]), "steps": pd.DataFrame({"step": [1, 2, 3], "y": path})}


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.subprocess)])  # 2: a pool of local worker processes
def test_a_function_runs_with_the_batchs_seeds_and_its_failures_are_rows(workers: int) -> None:
    tables = evaluate(noisy, POINTS, replicates=2, seed=11, outcomes=["y"], workers=workers, chunk_size=1)
    runs = tables["runs"]
    assert runs["run_id"].tolist() == list(range(6)) and runs["point"].tolist() == [0, 0, 1, 1, 2, 2]
    assert runs["seed"].tolist() == replicate_seeds(11, 3, 2).ravel().tolist()
    assert runs["status"].tolist() == ["completed"] * 4 + ["failed"] * 2
    assert runs.loc[4, "error_type"] == "ValueError" and runs.loc[4, "error"].startswith("a must not be negative") and np.isnan(runs.loc[4, "final_y"])
    first = np.random.default_rng(int(runs.loc[0, "seed"]))
    assert runs.loc[0, "final_y"] == pytest.approx(0.5 + first.normal(0, 1.0, 3).sum())
    steps = tables["steps"]
    assert list(steps.columns[:4]) == ["run_id", "point", "variant", "replicate"] and len(steps) == 4 * 3
    assert steps.groupby("run_id")["y"].last().tolist() == runs["final_y"].iloc[:4].tolist()


@pytest.mark.subprocess  # a pool of local worker processes
def test_local_processes_give_the_same_tables_as_this_process_even_for_a_lambda() -> None:
    here = evaluate(noisy, POINTS, replicates=3, seed=5, outcomes=["y"], workers=1)
    there = evaluate(noisy, POINTS, replicates=3, seed=5, outcomes=["y"], workers=2, chunk_size=2)
    for name in ("runs", "steps"):
        assert_frame_equal(here[name], there[name])
    scaled = evaluate(lambda p, seed: {"y": 10 * p["a"]}, POINTS[:2], workers=2)  # sent by value: defined here, not importable
    assert scaled["runs"]["final_y"].tolist() == [5.0, 20.0]


@pytest.mark.subprocess  # a pool of local worker processes
def test_the_sensitivity_of_a_plain_function_goes_through_the_engine_on_any_executor(tmp_path) -> None:
    spec = SensitivitySpec(samples=64, parameters={"a": {"low": 0, "high": 1}, "b": {"low": 0, "high": 1}}, outcomes=["y"])
    fn = lambda v, rng: {"y": 3 * v["a"] + v["b"] + rng.normal(0, 0.01)}  # noqa: E731
    one, account = sensitivity_of_function(spec, fn, tmp_path / "one", replicates=2, seed=3)
    two, _ = sensitivity_of_function(spec, fn, tmp_path / "two", replicates=2, seed=3, workers=2)
    assert_frame_equal(one, two)
    assert account["points"] == 64 * 6
    st = one[(one["index"] == "ST") & one["parameter2"].isna()].set_index("parameter")["value"]
    assert st["a"] > st["b"] > 0
