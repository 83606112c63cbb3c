"""docs/teaching.md tells a teacher what students will see: check that the model, and the dashboard's pictures, still do it.

Each claim about a colour is checked on the colour the heatmap really draws
(:func:`spacesim.viz.pictures.trust_colour`) for the trust level the model
really has; each number in the lesson is checked against a run made the way
the lesson makes it (through the dashboard's choices: pick, restore,
change a slider, Reset).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from spacesim import SpaceModel, shipped_scenario, shipped_scenarios
from spacesim.viz.pictures import trust_colour
from spacesim.viz.session import Choices
from spacesim.viz.shocks import SHOCKS

DOC = " ".join((Path(__file__).resolve().parents[2] / "docs" / "teaching.md").read_text(encoding="utf-8").split())  # one line: quotes may wrap


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[k : k + 2], 16) for k in (1, 3, 5))


def looks(value: float) -> str:
    """What a student calls the heatmap's colour for trust ``value``: the words the lesson uses."""
    r, g, b = rgb(trust_colour(value))
    if r > 200 and g > 200 and b > 200 and max(r, g, b) - min(r, g, b) < 40:
        return "almost white"
    if r > 230 and g > 220 and b < 215:
        return "pale yellow"
    if b > r + 20:
        return "light blue" if r > 120 else "blue"
    if r > 230 and 120 < g <= 200 and b < 130:
        return "orange"
    if r > g + 80 and r > b + 80:
        return "orange-red" if g > 80 else "red"
    return "other"


def within_and_between(model: SpaceModel) -> tuple[float, float]:
    """Mean trust within blocs and between blocs (nations in a bloc only), as the heatmap's blocks show them."""
    s = model.state
    b = s.bloc
    inb = b >= 0
    same = (b[:, None] == b[None, :]) & inb[:, None] & inb[None, :] & ~np.eye(s.n, dtype=bool)
    cross = (b[:, None] != b[None, :]) & inb[:, None] & inb[None, :]
    return float(s.trust[same].mean()), float(s.trust[cross].mean())


def about(text: str) -> float:
    """The number the lesson gives after ``text`` ("... about 0.52 ...")."""
    match = re.search(re.escape(text) + r"\D*?([\d.]+)", DOC)
    assert match, f"the lesson no longer says {text!r}"
    return float(match.group(1).rstrip("."))


def test_the_lesson_names_only_shipped_scenarios_and_every_shock_button():
    named = set(re.findall(r"`(\w+)`", DOC)) & (set(shipped_scenarios()) | {"teaching_small"})
    assert {"teaching_small", "bipolar_rivalry", "strong_regime"} <= named
    for name in re.findall(r"\*\*(\w+_\w+)\*\*", DOC):
        assert name in shipped_scenarios(), name
    for shock in SHOCKS:
        assert f"**{shock.button}**" in DOC
    assert "**Restore scenario settings**" in DOC


def test_the_colours_the_lesson_names_are_the_colours_the_heatmap_draws():
    assert "red is distrust, pale yellow is neutral (about 0.5), blue is trust (light blue about 0.7, dark blue near 1)" in DOC
    assert (looks(0.05), looks(0.5), looks(0.7), looks(0.97)) == ("red", "pale yellow", "light blue", "blue")
    model = SpaceModel(shipped_scenario("teaching_small"))
    within, between = within_and_between(model)
    india = model.state.index["IND"]
    towards = np.delete(model.state.trust[india], india)
    assert "two light-blue blocks on the diagonal (trust about 0.7) and orange-red between them (about 0.2)" in DOC
    assert abs(within - 0.7) < 0.02 and looks(within) == "light blue"
    assert abs(between - 0.2) < 0.02 and looks(between) == "orange-red"
    assert "India's row and column are pale yellow (about 0.45 towards everyone" in DOC
    assert np.allclose(towards, 0.45, atol=0.01) and looks(0.45) == "pale yellow"


def test_teaching_small_tells_the_story_the_lesson_tells():
    model = SpaceModel(shipped_scenario("teaching_small"))
    model.run(10)
    steps = model.steps_frame()
    assert steps["collective_security"].iloc[0] < 0.25 and steps["collective_security"].iloc[-1] > 0.4
    assert "step 1: India joins Combined Space Operations (SSA sharing)" in set(model.events_frame()["narrative"])
    rus = model.state.index["RUS"]
    model.run(1)
    before = model.state.trust_in(rus).copy()
    model.step()  # step 12: the scheduled ASAT test
    quoted = "Russia conducts a destructive ASAT test; debris rises by 1,500 pieces; trust in Russia falls across 5 nations"
    assert quoted in DOC
    assert any(n.endswith(quoted) for n in model.events_frame()["narrative"])
    others = [i for i in range(model.state.n) if i != rus]
    assert (model.state.trust_in(rus)[others] < before[others]).all()
    chn = model.state.index["CHN"]
    assert "from about 0.75 to 0.61: from light blue to almost white" in DOC
    assert (round(before[chn], 2), round(model.state.trust_in(rus)[chn], 2)) == (0.75, 0.61)
    assert (looks(before[chn]), looks(model.state.trust_in(rus)[chn])) == ("light blue", "almost white")
    assert model.recorder.steps["n_asat_tests"][12] == 1 and "a dotted line marks the test at step 12" in DOC


def test_the_first_partnerships_are_the_ones_the_lesson_names():
    model = SpaceModel(shipped_scenario("teaching_small"))
    model.run(10)
    ties = model.partnerships_frame()
    ties = ties[ties["kind"] == "bilateral"]
    formed = {int(step): {frozenset((a, b)) for a, b in zip(group["party_a"], group["party_b"])} for step, group in ties.groupby("start_step")}
    assert "at step 1 three agreements form at once: the United States with France and China with Russia inside the blocs, and Japan with India" in DOC
    assert min(formed) == 1 and formed[1] == {frozenset({"USA", "FRA"}), frozenset({"CHN", "RUS"}), frozenset({"JPN", "IND"})}
    assert "At step 2 the United States and Japan sign, and China reaches out to India" in DOC
    assert formed[2] == {frozenset({"USA", "JPN"}), frozenset({"CHN", "IND"})} and formed[3] == {frozenset({"USA", "IND"})}
    s = model.state
    bloc = {c: s.bloc[k] for k, c in enumerate(s.codes)}
    depth = {frozenset((s.codes[i], s.codes[j])): s.tie_depth[i, j] for i, j in zip(*np.nonzero(np.triu(s.tie_depth > 0, 1)))}
    inside = [d for pair, d in depth.items() if len({bloc[c] for c in pair}) == 1 and -1 not in {bloc[c] for c in pair}]
    with_india = [d for pair, d in depth.items() if "IND" in pair]
    assert "The ties inside the blocs are the thickest lines" in DOC and min(inside) > max(with_india)
    assert "No line joins the western and eastern blocs directly: only India links them" in DOC
    assert all(-1 in {bloc[c] for c in pair} or len({bloc[c] for c in pair}) == 1 for pair in depth)
    assert {c for pair in depth if "IND" in pair for c in pair} >= {"USA", "FRA", "JPN", "CHN", "RUS"}  # partners on both sides
    assert "they have shared data since step 5" in DOC and frozenset({"FRA", "IND"}) in formed[5]


@pytest.mark.parametrize("lever, value, outcome, direction", [("legal_clarity", 0.9, "mean_trust", 1), ("allow_multilateral", False, "collective_security", -1)])
def test_the_variations_move_outcomes_as_the_lesson_says(lever, value, outcome, direction):
    plain = SpaceModel(shipped_scenario("teaching_small")).run()
    varied = SpaceModel(shipped_scenario("teaching_small"), **{lever: value}).run()
    least = 0.02 if lever == "legal_clarity" else 0.05  # clarity raises trust "a little": it makes defection visible, it adds no trust by itself
    assert direction * (varied[outcome].iloc[-1] - plain[outcome].iloc[-1]) > least


def run_to_end(choices: Choices) -> dict:
    """Reset with the current choices and run to the end, as the page's Reset and ▶ do."""
    model = choices.build()
    model.run()
    return model.recorder.latest


def test_the_variations_done_in_order_on_the_page_give_the_lessons_numbers():
    choices = Choices(shipped_scenario("teaching_small"))
    plain = run_to_end(choices)
    assert abs(plain["mean_trust"] - about("Mean trust ends about 0.46 instead of")) < 0.006
    # Law matters: legal clarity 0.9, Reset, run.
    choices.values.set({**choices.values.value, "legal_clarity": 0.9})
    law = run_to_end(choices)
    assert abs(law["mean_trust"] - about("Mean trust ends about")) < 0.006
    # No frameworks: Restore first, then switch off allow multilateral.
    choices.restore()
    assert choices.values.value["legal_clarity"] == 0.3 and choices.changed == []
    assert "(legal clarity goes back to 0.3)" in DOC
    choices.values.set({**choices.values.value, "allow_multilateral": False})
    alone = run_to_end(choices)
    assert abs(alone["collective_security"] - about("Collective security ends about")) < 0.006
    assert abs(plain["collective_security"] - about("Collective security ends about 0.34 instead of")) < 0.006
    # Without the Restore, the lesson warns, the number is another.
    choices.values.set({**choices.values.value, "legal_clarity": 0.9})
    assert abs(run_to_end(choices)["collective_security"] - about("and it would end about")) < 0.006


def test_the_two_worlds_differ_as_the_table_says_when_picked_after_teaching_small():
    rows = {label: (float(a), float(b)) for label, a, b in re.findall(r"\| ([a-z ]+) \| about ([\d.]+) \| about ([\d.]+) \|", DOC)}
    assert set(rows) == {"bilateral agreements", "trust between blocs", "mean trust"}
    columns = {"bilateral agreements": "n_bilateral", "trust between blocs": "trust_between_blocs", "mean trust": "mean_trust"}
    choices = Choices(shipped_scenario("teaching_small"))  # the lesson starts here, with seed 7
    choices.seed.set(7)
    for k, name in enumerate(("bipolar_rivalry", "strong_regime")):
        choices.pick(name)  # and the pick brings the scenario's own seed, 1
        assert choices.seed.value == 1 and "moves from `teaching_small`'s 7 to 1" in DOC
        model = choices.build()
        model.run(40)
        latest = model.recorder.latest
        for label, column in columns.items():
            tolerance = 2 if column == "n_bilateral" else 0.006
            assert abs(latest[column] - rows[label][k]) <= tolerance, (name, label, latest[column])
        assert SpaceModel(shipped_scenario(name)).run(40).iloc[-1][columns["mean trust"]] == latest["mean_trust"]  # = its own settings


def test_the_two_worlds_look_as_the_lesson_says():
    rivalry = SpaceModel(shipped_scenario("bipolar_rivalry"))
    rivalry.run(40)
    within, between = within_and_between(rivalry)
    assert "the heatmap stays two light-blue blocks in a red field (trust between the blocs about 0.05)" in DOC
    assert looks(within) == "light blue" and looks(between) == "red" and abs(between - 0.05) < 0.006
    regime = SpaceModel(shipped_scenario("strong_regime"))
    start_within, start_between = within_and_between(regime)
    trust = regime.run()["mean_trust"].to_numpy()
    assert "the heatmap's off-diagonal blocks stay orange (about 0.32" in DOC
    assert looks(start_between) == "orange"
    regime40 = SpaceModel(shipped_scenario("strong_regime"))
    regime40.run(40)
    within40, between40 = within_and_between(regime40)
    assert looks(between40) == "orange" and abs(between40 - 0.32) < 0.006
    assert "while the blocs themselves turn a deeper blue" in DOC and within40 > start_within + 0.1 and looks(within40) in ("light blue", "blue")
    assert "climbs for the first ten years (0.52 to 0.61) and then flattens" in DOC
    assert abs(trust[0] - 0.52) < 0.006 and abs(trust[40] - 0.61) < 0.006 and trust[40] - trust[0] > 3 * (trust[80] - trust[40])
    assert "stays at about 0.62 from step 80 to the end" in DOC
    assert np.ptp(trust[80:]) < 0.02 and abs(trust[80:].mean() - 0.62) < 0.01  # flat: it rose 0.09 in the first 40 steps


def test_the_homework_scenarios_do_what_the_lesson_says():
    politics = SpaceModel(shipped_scenario("unstable_politics")).run()
    assert "over 200 changes in 30 years" in DOC and politics["n_government_changes"].sum() > 200 and len(politics) - 1 == 120
    assert "watch memberships churn" in DOC and "invite them back" in DOC
    assert politics["n_memberships"].min() < politics["n_memberships"].iloc[0]  # new governments leave frameworks
    assert (politics["n_accessions"].sum() > 0) and (politics["n_withdrawals"].sum() > 0)  # and rejoin them
    debris = np.diff(SpaceModel(shipped_scenario("debris_crisis")).run()["debris"].to_numpy())
    assert "watch the debris chart curve upwards" in DOC and debris[-20:].mean() > 5 * debris[:20].mean() > 0


def test_the_narrative_panel_says_what_the_lesson_quotes():
    """Every "step N: ..." line the lesson quotes is a line of the "What just happened" panel of the run the lesson makes."""
    from spacesim.viz.components import latest_events, outcome_charts

    model = Choices(shipped_scenario("teaching_small")).build()
    model.step()
    shown_at_step_1 = [row["narrative"] for row in latest_events(model)]
    quoted = re.findall(r'"(step \d+: [^"]+?)"', DOC)
    assert len(quoted) >= 6
    # At step 1 the panel shows, newest first, the agreements, India joining and the invitation, as the lesson quotes them.
    at_step_1 = [q for q in quoted if q.startswith("step 1: ")]
    assert len(at_step_1) == 3 and shown_at_step_1[:3] == at_step_1
    model.run(12)  # to step 13: past the ASAT test
    said = {row["narrative"] for row in model.happenings}
    for line in quoted:
        assert line in said, line
    assert "step 1: India joins Combined Space Operations (SSA sharing)" in said
    # The charts are dated as the page says ("over the years of the run").
    assert "over the years of the run" in DOC and ">2025<" in outcome_charts(model)[0]
    assert "Render Interval" not in DOC and "Use Threads" not in DOC
