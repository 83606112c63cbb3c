"""Synthetic worlds and observations for the calibration tests: the model itself, with known parameters, is the "history"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from spacesim.calibration.patterns import Pattern, PatternKind
from spacesim.calibration.simulate import Simulator
from spacesim.scenario import load_scenario
from spacesim.scenario.library import shipped_scenario
from spacesim.scenario.loader import scenario_from_data

STEPS = 40
#: The parameters that made the synthetic history, unless a test says otherwise.
TRUTH = {"membership_rate": 0.1, "sovereignty_cost_multilateral": 0.5}


def small_world(steps: int = STEPS) -> dict[str, Any]:
    """The baseline world with the Artemis Accords cut back to three founders, so that who joins when carries information."""
    data = load_scenario(shipped_scenario()).model_dump(mode="json", by_alias=True)
    data["name"] = "small_world"
    data["steps"] = steps
    for f in data["frameworks"]:
        if f["code"] == "ARTEMIS":
            f["members"] = ["USA", "JPN", "GBR"]
    data["events"] = [e for e in data["events"] if e["step"] <= steps]
    return data


def observed_accessions(parameters: dict[str, float], seed: int, steps: int = STEPS) -> dict[str, int]:
    """Who joined the Accords at which step in one run with ``parameters`` (founders at step 0)."""
    spec = scenario_from_data(small_world(steps), "small_world")
    sim = Simulator(spec, [Pattern("c", {"kind": PatternKind.member_count, "step": steps, "accessions": {}}, "ARTEMIS")])
    trace = sim.trace(parameters, seed)
    return {code: trace.first_join("ARTEMIS", code) for code in trace.joins["ARTEMIS"]}


def write_calibration(
    folder: Path, accessions: dict[str, int], *, fit: dict[str, Any] | None = None, abc: dict[str, Any] | None = None, seed: int = 1, held_out: bool = True
) -> Path:
    """Write small_world.yaml and calibration.yaml into ``folder``; return the calibration file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small_world.yaml").write_text(yaml.safe_dump(small_world(), sort_keys=False), encoding="utf-8")
    patterns: dict[str, Any] = {
        "accords_count": {"kind": "member_count", "framework": "ARTEMIS", "accessions": dict(accessions), "date": STEPS},
        "accords_members": {"kind": "member_set", "framework": "ARTEMIS", "accessions": dict(accessions), "date": STEPS, "weight": 0.5},
    }
    if held_out:
        patterns["accords_order"] = {"kind": "accession_order", "framework": "ARTEMIS", "accessions": dict(accessions), "held_out": True}
    data = {
        "schema_version": 1,
        "name": "synthetic",
        "description": "Recover known parameters from the model's own history.",
        "scenario": "small_world.yaml",
        "fit": fit
        or {"membership_rate": {"prior": "uniform", "low": 0.02, "high": 0.6}, "sovereignty_cost_multilateral": {"prior": "uniform", "low": 0.0, "high": 1.5}},
        "patterns": patterns,
        "abc": {"population": 40, "generations": 3, "posterior_draws": 10, **(abc or {})},
        "seed": seed,
    }
    path = folder / "calibration.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
