"""The hidden reliability of each government is recorded (nation outcome ``reliability``), and so is whether trust
tracks it (step outcome ``trust_reliability_correlation``, docs/model.md 3.3.18).

A new government's reliability is settled by Python after the step's compiled pass, which has already recorded the
step: the recorded values must be the settled ones, so the tests run a scenario where governments change.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spacesim import SpaceModel, shipped_scenario
from spacesim.catalogue import NATION_OUTCOMES, STEP_OUTCOMES
from spacesim.model.equations import trust_reliability_correlation
from spacesim.model.finite import UNDEFINED_WHEN_EMPTY

STEPS = 30


@pytest.fixture(scope="module")
def unstable() -> tuple[SpaceModel, list[np.ndarray]]:
    """unstable_politics stepped one step at a time, with a copy of the state's reliabilities after each step (step 0 first)."""
    model = SpaceModel(shipped_scenario("unstable_politics"), rng=4, steps=STEPS)
    seen = [model.state.reliability.copy()]
    for _ in range(STEPS):
        model.step()
        seen.append(model.state.reliability.copy())
    return model, seen


def test_reliability_and_the_correlation_are_declared_outcomes():
    assert "reliability" in NATION_OUTCOMES and "trust_reliability_correlation" in STEP_OUTCOMES
    assert "trust_reliability_correlation" in UNDEFINED_WHEN_EMPTY


def test_the_nations_table_records_each_governments_reliability_after_the_step(unstable):
    model, seen = unstable
    nations = model.nations_frame()
    steps = model.steps_frame()
    changed = steps.loc[steps["n_government_changes"] > 0, "step"].tolist()
    assert len(changed) >= 3, "the scenario must change governments for this test to mean anything"
    for step, reliability in enumerate(seen):
        recorded = nations.loc[nations["step"] == step].set_index("nation").loc[model.state.codes, "reliability"].to_numpy()
        np.testing.assert_array_equal(recorded, reliability, err_msg=f"step {step}")
    assert np.isfinite(nations["reliability"]).all() and nations["reliability"].between(0.0, 1.0).all()
    # A step with a government change records the new government's reliability, not the old one's (nor NaN).
    events = model.events_frame()
    for step in changed:
        for code in events.loc[(events["kind"] == "government_change") & (events["step"] == step), "actor"]:
            i = model.state.index[code]
            assert seen[step][i] != seen[step - 1][i], (step, code)


def test_the_correlation_is_numpys_over_the_recorded_nation_values(unstable):
    model, seen = unstable
    nations, steps = model.nations_frame(), model.steps_frame()
    for step in range(STEPS + 1):
        rows = nations.loc[nations["step"] == step]
        expect = np.corrcoef(seen[step], rows["mean_trust_received"].to_numpy())[0, 1]
        got = steps.loc[steps["step"] == step, "trust_reliability_correlation"].item()
        assert got == pytest.approx(expect, rel=1e-9, abs=1e-12), step


def test_the_correlation_against_trust_computed_from_the_state(unstable):
    """At the last step, from the Beta beliefs themselves (T = alpha / (alpha + beta)), not from the recorded trust received."""
    model, _ = unstable
    s = model.state
    t = s.alpha / (s.alpha + s.beta)
    off = ~np.eye(s.n, dtype=bool)
    received = np.where(off, t, 0.0).sum(axis=0) / (s.n - 1)
    expect = np.corrcoef(s.reliability, received)[0, 1]
    assert model.recorder.last("trust_reliability_correlation") == pytest.approx(expect, rel=1e-9)


def test_mesa_collects_the_new_outcomes(unstable):
    model, seen = unstable
    agents = model.datacollector.get_agent_vars_dataframe()
    last = agents.xs(STEPS, level="Step")["reliability"].to_numpy()
    np.testing.assert_array_equal(last, seen[-1])
    collected = model.datacollector.get_model_vars_dataframe()["trust_reliability_correlation"].to_numpy()
    np.testing.assert_array_equal(collected, model.steps_frame()["trust_reliability_correlation"].to_numpy())


def test_a_shock_between_steps_is_recorded_again_with_the_new_reliability():
    model = SpaceModel(shipped_scenario("baseline"), rng=3)
    model.run(2)
    before = model.state.reliability.copy()
    model.trigger("government_change", actor=0)
    model.record_again()
    assert model.state.reliability[0] != before[0]
    nations = model.nations_frame()
    assert nations.loc[(nations["step"] == 2) & (nations["nation"] == model.state.codes[0]), "reliability"].item() == model.state.reliability[0]
    assert np.isfinite(model.recorder.last("trust_reliability_correlation"))


def test_equal_reliabilities_leave_the_correlation_undefined_and_the_run_completes(tiny_spec, quiet_params):
    """Every government equally reliable (given by the scenario): NaN by definition, not an overflow."""
    spec = tiny_spec.model_copy(update={"nations": [n.model_copy(update={"reliability": 0.8}) for n in tiny_spec.nations]})
    frame = SpaceModel(spec, rng=0, **quiet_params).run(4)
    assert len(frame) == 5 and frame["trust_reliability_correlation"].isna().all()


# ---------------------------------------------------------------- the equation


def test_the_equation_is_undefined_for_fewer_than_three_nations_or_no_spread():
    f = trust_reliability_correlation
    assert np.isnan(f(np.array([0.2, 0.9]), np.array([0.1, 0.8])))
    assert np.isnan(f(np.full(5, 0.8), np.linspace(0.1, 0.9, 5)))
    assert np.isnan(f(np.linspace(0.1, 0.9, 5), np.full(5, 0.4)))
    almost = np.full(4, 0.7) + np.array([0.0, 1e-16, -1e-16, 0.0])  # equal values up to rounding
    assert np.isnan(f(almost, np.array([0.1, 0.5, 0.2, 0.9])))
    assert f(np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.4, 0.6])) == pytest.approx(1.0)
    assert f(np.array([0.1, 0.5, 0.9]), np.array([0.6, 0.4, 0.2])) == pytest.approx(-1.0)


unit = arrays(np.float64, st.integers(3, 40), elements=st.floats(0.0, 1.0))


@given(unit, st.data())
def test_the_equation_is_numpys_correlation(reliability, data):
    received = data.draw(arrays(np.float64, reliability.size, elements=st.floats(0.0, 1.0)))
    assume(np.ptp(reliability) > 1e-6 and np.ptp(received) > 1e-6)
    got = trust_reliability_correlation(reliability, received)
    assert -1.0 <= got <= 1.0
    assert got == pytest.approx(np.corrcoef(reliability, received)[0, 1], rel=1e-7, abs=1e-9)
    assert got == trust_reliability_correlation.py_func(reliability, received) or got == pytest.approx(
        trust_reliability_correlation.py_func(reliability, received), rel=1e-12
    )
