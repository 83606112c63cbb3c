"""A run whose state overflows stops as failed, naming the step and the variable, and is never reported as completed.

The construction: a nation of capability 100 that grows by half each step
(the largest growth a scenario may declare) passes 1e307 at step 1736,
since 100 x 1.5^1736 = 10^(2 + 1736 x 0.17609) = 10^307.7; the next step
passes the largest float64 (1.8e308). The shipped teaching_small reaches
the same within 100,000 steps (China's 1.2% a step: 1.012^t overflows at
t of about 59,000; found at step 69,259, ten seconds of running).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pandas as pd
import pytest

from spacesim import SpaceModel, parse_scenario
from spacesim.experiment import run_batch
from spacesim.model.finite import UNDEFINED_WHEN_EMPTY, NonFiniteState
from spacesim.output.run_result import run_scenario
from spacesim.scenario.errors import RunFailed

RUNAWAY = """\
schema_version: 1
name: runaway
description: A capability that grows by half every step overflows float64 within 1,800 steps.
steps: 2000
seed: 1
nations:
  - {name: Alpha, code: AAA, sovereignty: 0.5, capability: 100, capability_growth: 0.5}
  - {name: Beta, code: BBB, sovereignty: 0.5, capability: 1}
"""


def test_the_construction_provably_overflows():
    assert 2 + 1736 * math.log10(1.5) > 307 and 2 + 1737 * math.log10(1.5) + 0.01 > math.log10(1.7976931348623157e308) - 1


def test_the_model_stops_at_the_first_non_finite_step_naming_the_variable():
    model = SpaceModel(parse_scenario(RUNAWAY, "runaway.yaml"))
    with pytest.raises(NonFiniteState) as caught:
        model.run()
    error = caught.value
    assert isinstance(error, RunFailed) and 1700 <= error.step <= 1800
    assert str(error).startswith(f"the model's state is no longer finite at step {error.step}: capability_gini = ")
    assert "capability of AAA = " in str(error) and str(error).endswith("the run is stopped as failed")
    recorded = model.steps_frame()
    assert recorded["step"].iloc[-1] == error.step - 1  # the bad step's row is not kept
    assert recorded.drop(columns=list(UNDEFINED_WHEN_EMPTY)).map(math.isfinite).all().all()  # two nations: no correlation either


def test_run_scenario_raises_and_never_returns_a_completed_run():
    with pytest.raises(NonFiniteState):
        run_scenario(parse_scenario(RUNAWAY, "runaway.yaml"))


def test_outcomes_that_are_undefined_by_definition_are_not_failures(tiny_spec, quiet_params):
    """No agreement yet (bilateral_share = 0/0) and no bloc pairs are NaN by definition, not overflow."""
    spec = tiny_spec.with_parameters(allow_bilateral=False, allow_multilateral=False)
    frame = SpaceModel(spec, rng=0, **quiet_params).run(5)
    assert frame["bilateral_share"].iloc[1:].isna().all() and len(frame) == 6  # step 0 has the initial memberships


def test_spacesim_run_exits_3_writes_nothing_and_names_the_step(tmp_path):
    scenario = tmp_path / "runaway.yaml"
    scenario.write_text(RUNAWAY)
    done = subprocess.run([sys.executable, "-m", "spacesim", "run", str(scenario), "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("spacesim: the run failed: the model's state is no longer finite at step 17") and done.stderr.count("\n") == 1
    assert "internal error" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_a_batch_records_the_run_as_failed_with_the_message(tmp_path):
    (tmp_path / "runaway.yaml").write_text(RUNAWAY)
    (tmp_path / "e.yaml").write_text(
        "schema_version: 1\nname: e\ndescription: overflowing runs\nscenario: runaway.yaml\nreplicates: 2\noutcomes: [debris]\nplots: []\n"
    )
    result = run_batch(tmp_path / "e.yaml", tmp_path / "b", workers=1)
    runs = result.runs
    assert list(runs["status"]) == ["failed", "failed"] and result.failed == 2
    assert set(runs["error_type"]) == {"NonFiniteState"}
    assert all(e.startswith("the model's state is no longer finite at step ") for e in runs["error"])
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["runs"]["failed"] == 2 and manifest["runs"]["completed"] == 0
    assert pd.read_parquet(tmp_path / "b" / "runs.parquet")["status"].eq("failed").all()
