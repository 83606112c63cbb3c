"""Designs and worlds too large for the machine are refused before anything is built, with the size, the time and the override."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from spacesim import InputError
from spacesim.experiment import build_design, load_experiment
from spacesim.experiment import limits
from spacesim.experiment.design import count_points, count_runs, design_points
from spacesim.experiment.limits import MAX_RUNS, check_experiment, check_run
from spacesim.model.cost import run_bytes, run_seconds
from spacesim.scenario.errors import LargeInputWarning
from spacesim.scenario.experiment import parse_experiment
from spacesim.scenario.library import shipped_experiments, shipped_scenario

TEN_PARAMETERS = ("legal_clarity", "sharing_strictness", "export_control", "commercial_integration", "trust_gain", "trust_loss", "trust_memory", "reputation_spread", "defection_temptation", "misperception")


def spacesim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spacesim", *args], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=cwd)


@pytest.fixture
def bomb(workdir: Path) -> Path:
    """An experiment of 833 bytes whose grid has 10^10 points: ten parameters of ten values each."""
    body = "schema_version: 1\nname: bomb\ndescription: ten by ten\nscenario: teaching_small.yaml\nreplicates: 1\nvary:\n  grid:\n"
    body += "".join(f"    {name}: [{', '.join(f'0.{i}5' for i in range(10))}]\n" for name in TEN_PARAMETERS)
    path = workdir / "bomb.yaml"
    path.write_text(body)
    assert len(body) < 1000
    return path


def test_the_grid_bomb_is_refused_in_milliseconds_without_expanding(bomb, monkeypatch):
    experiment = load_experiment(bomb)
    monkeypatch.setattr("spacesim.experiment.design.grid_points", lambda grid: pytest.fail("the design was expanded"))
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        build_design(experiment)
    assert time.perf_counter() - started < 0.5  # counted, not built (generous: the machine is shared)
    (problem,) = caught.value.problems
    assert (problem.file, problem.path, problem.line) == (str(bomb), "vary", 6)
    assert problem.message.startswith("10,000,000,000 design points x 1 variant x 1 replicate = 10,000,000,000 runs, more than the limit of 1,000,000 (about ")
    assert "years of computing on one core: 40 steps a run at " in problem.message and "allow_large=True" in problem.message


def test_validate_and_batch_refuse_the_bomb_with_exit_2_naming_the_override(bomb, tmp_path):
    for args in (("validate", str(bomb)), ("batch", str(bomb), "--out", str(tmp_path / "out"))):
        done = spacesim(*args)
        assert done.returncode == 2, done.stderr
        assert "10,000,000,000 runs, more than the limit of 1,000,000" in done.stderr and "--allow-large" in done.stderr and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_the_limit_is_configurable_and_the_override_lifts_it(workdir):
    experiment = parse_experiment("schema_version: 1\nname: e\ndescription: d\nscenario: teaching_small.yaml\nreplicates: 3\nvary:\n  grid:\n    legal_clarity: [0.1, 0.9]\n", "e.yaml", base_dir=workdir)
    assert count_runs(experiment) == 6
    with pytest.raises(InputError, match="2 design points x 1 variant x 3 replicates = 6 runs, more than the limit of 5 "):
        build_design(experiment, max_runs=5)
    assert len(build_design(experiment, max_runs=5, allow_large=True).tasks) == 6


def test_a_large_design_under_the_limit_warns_with_the_time(workdir):
    experiment = parse_experiment("schema_version: 1\nname: e\ndescription: d\nscenario: teaching_small.yaml\nreplicates: 200\nvary:\n  grid:\n    legal_clarity: [" + ", ".join(f"0.{i:03d}" for i in range(1000)) + "]\n", "e.yaml", base_dir=workdir)
    with pytest.warns(LargeInputWarning, match=r"e.yaml: 1,000 design points x 1 variant x 200 replicates = 200,000 runs: about \d+(\.\d)? (hours|days) of computing on one core"):
        check_experiment(experiment)


@pytest.mark.parametrize(
    "section",
    [
        "vary:\n  grid:\n    legal_clarity: [0.1, 0.2, 0.3]\n    allow_bilateral: [true, false]\n  sample: {method: latin_hypercube, n: 5, ranges: {trust_gain: [0.1, 1.0]}}\n",
        "vary:\n  sample: {method: sobol, n: 8, ranges: {trust_gain: [0.1, 1.0], legal_clarity: [0, 1]}}\n",
        "sensitivity:\n  samples: 4\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}, trust_loss: {low: 1, high: 3}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  samples: 4\n  second_order: false\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  method: morris\n  samples: 3\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  method: fast\n  samples: 65\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}, trust_loss: {low: 1, high: 3}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  method: rbd_fast\n  samples: 20\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}, trust_loss: {low: 1, high: 3}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  method: delta\n  samples: 20\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}, trust_loss: {low: 1, high: 3}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  method: pawn\n  samples: 20\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}, trust_loss: {low: 1, high: 3}}\n  outcomes: [mean_trust]\n",
        "sensitivity:\n  method: dgsm\n  samples: 5\n  parameters: {legal_clarity: {low: 0, high: 1}, trust_gain: {low: 0.1, high: 1}, trust_loss: {low: 1, high: 3}}\n  outcomes: [mean_trust]\n",
        "variants:\n  a: {legal_clarity: 0.1}\n  b: {legal_clarity: 0.9}\n",
    ],
)
def test_counting_agrees_with_building(workdir, section):
    experiment = parse_experiment("schema_version: 1\nname: e\ndescription: d\nscenario: teaching_small.yaml\nreplicates: 2\n" + section, "e.yaml", base_dir=workdir)
    assert count_points(experiment.spec) == len(design_points(experiment.spec))
    assert count_runs(experiment) == len(build_design(experiment).tasks)


@pytest.mark.parametrize("name", sorted(shipped_experiments()))
def test_shipped_experiments_are_within_the_limits_without_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_experiment(load_experiment(shipped_experiments()[name]))
    assert count_runs(load_experiment(shipped_experiments()[name])) < MAX_RUNS


# ------------------------------------------------------------------- nations against memory

def _world(path: Path, n: int, steps: int = 3) -> Path:
    """A scenario of ``n`` nations, one compact line each."""
    lines = [f"schema_version: 1\nname: world{n}\ndescription: {n} nations\nsteps: {steps}\nnations:\n"]
    lines += [f"  - {{name: N{i}, code: N{i:05d}, sovereignty: 0.5, capability: 1}}\n" for i in range(n)]
    path.write_text("".join(lines))
    return path


def test_a_world_larger_than_memory_is_refused_before_anything_is_allocated(tmp_path):
    """40,000 nations: 1.6 billion pairs at over a hundred bytes each, far beyond any machine that runs these tests."""
    world = _world(tmp_path / "huge.yaml", 40_000)
    assert run_bytes(40_000, 3) > 150e9
    done = spacesim("run", str(world), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {world}: nations: 40,000 nations x 3 steps need about ") and "of memory available; use fewer nations or steps, or pass --allow-large to try anyway" in done.stderr
    assert done.stderr.count("\n") == 1 and not (tmp_path / "out").exists()
    done = spacesim("validate", str(world))
    assert done.returncode == 2 and "more than the" in done.stderr


def test_memory_refusal_warning_and_override_follow_available_memory(tmp_path, monkeypatch, tiny_spec):
    need = run_bytes(3, tiny_spec.steps)
    monkeypatch.setattr(limits, "available_memory", lambda: need - 1)
    with pytest.raises(InputError) as caught:
        check_run(tiny_spec, "tiny.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == ("tiny.yaml", "nations") and problem.message.endswith("or pass allow_large=True to try anyway")
    with pytest.warns(LargeInputWarning, match="tiny.yaml: 3 nations x 10 steps need about .* of the .* of memory available"):
        check_run(tiny_spec, "tiny.yaml", allow_large=True)
    monkeypatch.setattr(limits, "available_memory", lambda: need * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_run(tiny_spec, "tiny.yaml")


def test_a_batch_checks_its_runs_memory(workdir, monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 1000)
    experiment = parse_experiment("schema_version: 1\nname: e\ndescription: d\nscenario: teaching_small.yaml\nreplicates: 2\n", "e.yaml", base_dir=workdir)
    with pytest.raises(InputError, match=r"teaching_small.yaml: nations: 6 nations x 40 steps need about .*, more than the 1 kB of memory available"):
        build_design(experiment)


def test_a_long_run_warns_with_its_time(tiny_spec):
    spec = tiny_spec.with_parameters(steps=100_000)
    assert run_seconds(3, 100_000) < limits.WARN_SECONDS
    big = _spec_with_nations(700).with_parameters(steps=100_000)
    assert run_seconds(700, 100_000) > limits.WARN_SECONDS
    check_run(spec, "tiny.yaml")
    with pytest.warns(LargeInputWarning) as caught:
        check_run(big, "big.yaml", allow_large=True)  # allowed, though its record alone needs some 17 GB (a warning of its own)
    pattern = r"big.yaml: 700 nations x 100,000 steps: about \d+(\.\d)? hours of computing: 100,000 steps a run at \d+ ms a step for 700 nations"
    assert any(re.match(pattern, str(w.message)) for w in caught), [str(w.message) for w in caught]


def _spec_with_nations(n: int):
    from spacesim.scenario.loader import scenario_from_data

    nations = [{"name": f"N{i}", "code": f"N{i:05d}", "sovereignty": 0.5, "capability": 1.0} for i in range(n)]
    return scenario_from_data({"schema_version": 1, "name": "w", "description": "d", "nations": nations}, "w.yaml")


def test_the_cli_prints_warnings_as_one_line_each(tmp_path):
    world = _world(tmp_path / "long.yaml", 700, steps=100_000)
    done = spacesim("validate", str(world), "--allow-large")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith(f"warning: {world}: 700 nations x 100,000 steps") for line in lines) and "Warning" not in done.stderr
    assert any("hours of computing" in line for line in lines)
    assert done.stdout == f"{world}: ok\n"


def test_a_shipped_scenario_runs_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from spacesim import load_scenario

        check_run(load_scenario(shipped_scenario("baseline")), "baseline.yaml")
    assert os.path.exists(shipped_scenario("baseline"))
