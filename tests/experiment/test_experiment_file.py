"""Experiment files are validated as precisely as scenario files."""

from __future__ import annotations

import pytest

from spacesim import InputError
from spacesim.experiment import load_experiment
from spacesim.scenario.experiment import load_any
from spacesim.scenario.library import shipped_experiments

HEAD = "schema_version: 1\nname: t\ndescription: d\nscenario: teaching_small.yaml\n"


def _problems(workdir, body: str) -> list[str]:
    path = workdir / "bad.yaml"
    path.write_text(HEAD + body)
    with pytest.raises(InputError) as err:
        load_experiment(path)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("name", sorted(shipped_experiments()))
def test_shipped_experiments_validate(name):
    e = load_experiment(shipped_experiments()[name])
    assert e.spec.replicates >= 1


@pytest.mark.parametrize(
    "body,expected",
    [
        ("replicate: 3\n", "bad.yaml:5: replicate: unknown field"),
        ("parameters: {legal_clarty: 0.5}\n", "did you mean 'legal_clarity'"),
        ("parameters: {legal_clarity: 1.5}\n", "parameters.legal_clarity"),
        ("vary:\n  grid:\n    legal_clarity: '0.1, 0.5'\n", "vary.grid.legal_clarity: Input should be a valid list"),
        ("vary:\n  grid:\n    legal_clarity: [0.1, 2.0]\n", "vary.grid.legal_clarity[1]"),
        ("vary:\n  grid:\n    legal_clarity: []\n", "an empty list gives no design points"),
        ("vary:\n  sample: {method: sobol, n: 10, ranges: {legal_clarity: [0, 1]}}\n", "power of two"),
        ("vary:\n  sample: {method: latin_hypercube, n: 10, ranges: {legal_clarity: [0, 3]}}\n", "leaves the allowed range"),
        ("vary:\n  sample: {method: latin_hypercube, n: 10, ranges: {allow_bilateral: [0, 1]}}\n", "cannot be sampled from a range"),
        ("vary:\n  sample: {method: grid_search, n: 10, ranges: {legal_clarity: [0, 1]}}\n", "vary.sample.method"),
        ("parameters: {legal_clarity: 0.5}\nvary:\n  grid:\n    legal_clarity: [0.1]\n", "either fixed or varied"),
        ("vary:\n  grid:\n    allow_bilateral: [true]\nvariants:\n  a: {allow_bilateral: false}\n", "a variant cannot set a varied parameter"),
        ("variants:\n  a: {alow_bilateral: false}\n", "variants.a.alow_bilateral: not a parameter of the model; did you mean 'allow_bilateral'"),
        ("outcomes: [mean_trust, mean_trusts]\n", "outcomes[1]: unknown outcome 'mean_trusts'; did you mean 'mean_trust'"),
        ("plots: [envelope, pie]\n", "plots[1]"),
        ("replicates: 0\n", "replicates: Input should be greater than or equal to 1"),
    ],
)
def test_invalid_experiments_name_the_file_field_and_problem(workdir, body, expected):
    problems = _problems(workdir, body)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(workdir / "bad.yaml")) for p in problems)


def test_missing_scenario_file_is_named(workdir):
    path = workdir / "bad.yaml"
    path.write_text(HEAD.replace("teaching_small.yaml", "nowhere.yaml"))
    with pytest.raises(InputError, match=r"bad.yaml:4: scenario: no such scenario file: nowhere.yaml"):
        load_experiment(path)


def test_invalid_base_scenario_is_reported_with_its_own_problems(workdir):
    (workdir / "broken.yaml").write_text((workdir / "teaching_small.yaml").read_text().replace("schema_version: 1", "schema_version: 1\nsurprise: 1"))
    path = workdir / "bad.yaml"
    path.write_text(HEAD.replace("teaching_small.yaml", "broken.yaml"))
    with pytest.raises(InputError) as err:
        load_experiment(path)
    text = str(err.value)
    assert "the scenario file broken.yaml is invalid" in text and "surprise: unknown field" in text


def test_load_any_tells_scenarios_from_experiments(workdir, small_experiment):
    assert type(load_any(small_experiment)).__name__ == "Experiment"
    assert type(load_any(workdir / "teaching_small.yaml")).__name__ == "ScenarioSpec"


def test_experiment_overrides_reach_the_scenario(small_experiment):
    e = load_experiment(small_experiment)
    assert e.scenario.steps == 8
