"""Experiments built in Python: the same checks and messages as a file, copies with changes, saved files that run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from spacesim import InputError, shipped_scenario
from spacesim.experiment import build_experiment, load_experiment, parse_experiment

FIELDS = {"steps": 6, "replicates": 2, "vary": {"grid": {"legal_clarity": [0.2, 0.8]}}, "outcomes": ["mean_trust"], "plots": ["envelope"], "tables": []}


def _messages(exc: InputError) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in exc.problems]


@pytest.mark.parametrize(
    "bad",
    [
        {"replicates": 0},
        {"vary": {"grid": {"legal_clarty": [0.2]}}},
        {"outcomes": ["mean_trus"]},
        {"plots": ["heatmap"]},
        {
            "sensitivity": {"samples": 6, "parameters": {"legal_clarity": {"low": 0, "high": 1}, "trust_loss": {"low": 1, "high": 2}}, "outcomes": ["debris"]},
            "vary": {},
        },
    ],
)
def test_built_experiments_get_the_checks_and_messages_of_a_file(tmp_path: Path, bad: dict) -> None:
    fields = {**FIELDS, **bad}
    with pytest.raises(InputError) as built:
        build_experiment(shipped_scenario("teaching_small"), name="x", description="y", **fields)
    text = yaml.safe_dump({"schema_version": 1, "name": "x", "description": "y", "scenario": str(shipped_scenario("teaching_small")), **fields})
    with pytest.raises(InputError) as parsed:
        parse_experiment(text, "file.yaml")
    assert _messages(built.value) == _messages(parsed.value)
    assert all(p.file == "<python>" for p in built.value.problems)


def test_replace_keeps_what_was_given_and_checks_again() -> None:
    base = build_experiment(shipped_scenario("teaching_small"), **FIELDS)
    more = base.replace(replicates=5)
    assert more.spec.replicates == 5 and more.spec.vary.grid == base.spec.vary.grid and base.spec.replicates == 2
    assert "seed" not in more.spec.model_fields_set  # a default stays a default
    with pytest.raises(InputError) as exc:
        base.replace(vary={"grid": {"legal_clarity": [0.2, 2.0]}})
    assert exc.value.problems[0].path == "vary.grid.legal_clarity[1]"


def test_a_saved_experiment_reads_back_the_same_and_is_not_written_over(tmp_path: Path) -> None:
    from_file = load_experiment(shipped_scenario("teaching_small").parent.parent / "experiments" / "teaching.yaml")
    changed = from_file.replace(replicates=3)
    saved = changed.save(tmp_path / "teaching3.yaml")
    assert saved.path == tmp_path / "teaching3.yaml" and saved.spec.replicates == 3
    assert saved.spec.model_dump(exclude={"scenario"}) == changed.spec.model_dump(exclude={"scenario"})
    assert saved.scenario_path == from_file.scenario_path
    with pytest.raises(InputError, match="exists; pass force=True"):
        changed.save(tmp_path / "teaching3.yaml")
    assert changed.replace(replicates=4).save(tmp_path / "teaching3.yaml", force=True).spec.replicates == 4
