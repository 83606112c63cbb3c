"""docs/teaching.md tells a teacher what students will see: check that the model still does it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spacesim import SpaceModel, shipped_scenario, shipped_scenarios
from spacesim.viz.shocks import SHOCKS

DOC = " ".join((Path(__file__).resolve().parents[2] / "docs" / "teaching.md").read_text(encoding="utf-8").split())  # one line: quotes may wrap


def test_the_lesson_names_only_shipped_scenarios_and_every_shock_button():
    named = set(re.findall(r"`(\w+)`", DOC)) & (set(shipped_scenarios()) | {"teaching_small"})
    assert {"teaching_small", "bipolar_rivalry", "strong_regime"} <= named
    for name in re.findall(r"\*\*(\w+_\w+)\*\*", DOC):
        assert name in shipped_scenarios(), name
    for shock in SHOCKS:
        assert f"**{shock.button}**" in DOC


def test_teaching_small_tells_the_story_the_lesson_tells():
    model = SpaceModel(shipped_scenario("teaching_small"))
    model.run(10)
    steps = model.steps_frame()
    assert steps["collective_security"].iloc[0] < 0.25 and steps["collective_security"].iloc[-1] > 0.4
    assert "step 9: India joins Combined Space Operations (SSA sharing)" in set(model.events_frame()["narrative"])
    rus = model.state.index["RUS"]
    model.run(1)
    before = model.state.trust_in(rus).copy()
    model.step()  # step 12: the scheduled ASAT test
    quoted = "Russia conducts a destructive ASAT test; debris rises by 1,500 pieces; trust in Russia falls across 5 nations"
    assert quoted in DOC
    assert any(n.endswith(quoted) for n in model.events_frame()["narrative"])
    others = [i for i in range(model.state.n) if i != rus]
    assert (model.state.trust_in(rus)[others] < before[others]).all()


@pytest.mark.parametrize("lever, value, outcome, direction", [("legal_clarity", 0.9, "mean_trust", 1), ("allow_multilateral", False, "collective_security", -1)])
def test_the_variations_move_outcomes_as_the_lesson_says(lever, value, outcome, direction):
    plain = SpaceModel(shipped_scenario("teaching_small")).run()
    varied = SpaceModel(shipped_scenario("teaching_small"), **{lever: value}).run()
    assert direction * (varied[outcome].iloc[-1] - plain[outcome].iloc[-1]) > 0.05


def test_the_two_worlds_differ_as_the_table_says():
    rivalry = SpaceModel(shipped_scenario("bipolar_rivalry")).run(40).iloc[-1]
    regime = SpaceModel(shipped_scenario("strong_regime")).run(40).iloc[-1]
    assert regime["n_bilateral"] > 1.5 * rivalry["n_bilateral"]
    assert rivalry["trust_between_blocs"] < 0.15 < 0.4 < regime["trust_between_blocs"]
    assert regime["mean_trust"] > rivalry["mean_trust"] + 0.2
