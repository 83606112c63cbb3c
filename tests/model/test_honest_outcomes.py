"""Issue 15, honest outcomes: the tie and bilateral networks apart, polarisation that means polarisation, the ledger
following each agreement's depth and domain, rates per quarter converted per step, and the constants made parameters."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spacesim import InputError, SpaceModel, load_scenario, shipped_scenario
from spacesim.catalogue import RENAMED_OUTCOMES, STEP_OUTCOMES, renamed_hint
from spacesim.experiment import load_experiment
from spacesim.model import equations as eq
from spacesim.model.state import domain_for_depth, per_step_values, step_length
from spacesim.parameters import PARAMETERS_BY_NAME, RATE_SCALING, defaults
from spacesim.scenario import apply_overrides

from . import reference as ref
from .test_invariants import common, scenarios


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder holding a copy of teaching_small.yaml."""
    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    return tmp_path


@pytest.fixture(scope="module")
def baseline_start():
    return SpaceModel(shipped_scenario("baseline")).recorder.latest


# ---------------------------------------------------------------- the two networks


def test_shared_membership_is_a_tie_but_not_a_bilateral_agreement(baseline_start):
    """At step 0 the baseline has frameworks and no bilateral agreement: the tie network is dense, the bilateral one empty."""
    row = baseline_start
    assert row["n_bilateral"] == 0
    assert row["bilateral_density"] == 0.0 and row["bilateral_clustering"] == 0.0
    assert row["tie_density"] == pytest.approx(0.5936, abs=1e-4)
    assert row["tie_clustering"] == pytest.approx(0.9161, abs=1e-4)


def test_bilateral_clustering_is_networkx_on_the_agreements_alone():
    model = SpaceModel(shipped_scenario("baseline"), rng=3, steps=12)
    model.run()
    values = ref.world_outcomes(model.state, model.p)
    row = model.recorder.latest
    assert row["n_bilateral"] > 0
    for outcome in ("bilateral_density", "bilateral_clustering", "tie_density", "tie_clustering"):
        assert row[outcome] == pytest.approx(values[outcome], rel=1e-12), outcome
    assert row["bilateral_density"] < row["tie_density"]


# ---------------------------------------------------------------- polarisation


def _er(values: np.ndarray) -> float:
    counts, sums = np.zeros(eq.TRUST_BINS), np.zeros(eq.TRUST_BINS)
    for v in values:
        counts[eq.trust_bin(v)] += 1
        sums[eq.trust_bin(v)] += v
    return eq.esteban_ray_polarisation(counts, sums, eq.POLARISATION_ALPHA)


def test_two_equal_camps_at_the_extremes_are_fully_polarised_and_one_camp_not_at_all():
    assert _er(np.array([0.0, 0.0, 1.0, 1.0])) == pytest.approx(1.0)
    assert _er(np.array([0.31, 0.35, 0.39])) == 0.0
    assert np.isnan(_er(np.array([])))


def test_polarisation_is_not_dispersion():
    """Trust spread evenly has about the spread of two camps but much less polarisation (Esteban & Ray 1994)."""
    even = np.linspace(0.0, 1.0, 101)
    camps = np.r_[np.full(50, 0.1), np.full(51, 0.9)]
    assert even.std() / 0.5 > 0.55 and camps.std() / 0.5 > 0.75
    assert _er(camps) > 2 * _er(even)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60))
def test_polarisation_is_the_references_and_lies_in_0_1(values):
    v = np.array(values)
    assert _er(v) == pytest.approx(ref.esteban_ray(v), rel=1e-12, abs=1e-15)
    assert -1e-12 <= _er(v) <= 1.0 + 1e-12


def test_bloc_trust_gap_is_within_minus_between(baseline_start):
    row = baseline_start
    assert row["bloc_trust_gap"] == pytest.approx(row["trust_within_blocs"] - row["trust_between_blocs"])
    assert 0 < row["esteban_ray_polarisation"] < 1


# ---------------------------------------------------------------- renamed outcomes


@pytest.mark.parametrize("old", sorted(RENAMED_OUTCOMES))
def test_old_outcome_names_are_gone_and_their_errors_name_the_new(old, workdir):
    assert old not in STEP_OUTCOMES
    new = RENAMED_OUTCOMES[old].split(" ", 1)[0]
    assert new in STEP_OUTCOMES and old in renamed_hint(new)
    path = workdir / "old.yaml"
    path.write_text(f"schema_version: 1\nname: t\ndescription: d\nscenario: teaching_small.yaml\noutcomes: [mean_trust, {old}]\n")
    with pytest.raises(InputError) as err:
        load_experiment(path)
    assert f"outcomes[1]: unknown outcome '{old}'; '{old}' was renamed: ask for {new}" in str(err.value)


# ---------------------------------------------------------------- the ledger follows depth and domain


@common
@given(spec=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_ledger_follows_each_agreements_depth_and_domain(spec, seed):
    """After every step, each active agreement's latest record in the ledger is its live depth and that depth's domain."""
    model = SpaceModel(spec, rng=seed)
    s = model.state
    for _ in range(spec.steps):
        model.step()
        table = model.partnerships_frame().set_index("partnership_id")
        for i, j in zip(*np.nonzero(np.triu(s.tie_depth > 0, 1))):
            row = table.loc[int(s.tie_id[i, j])]
            assert row["last_depth"] == s.tie_depth[i, j]
            assert row["last_domain"] == domain_for_depth(s.tie_depth[i, j], model.p).value
    revisions = model.revisions_frame()
    table = model.partnerships_frame().set_index("partnership_id")
    assert (table.loc[revisions["partnership_id"], "kind"] == "bilateral").all()
    start = table.loc[revisions["partnership_id"], "start_step"].to_numpy()
    end = table.loc[revisions["partnership_id"], "end_step"].fillna(10**9).to_numpy()
    assert ((revisions["step"].to_numpy() >= start) & (revisions["step"].to_numpy() < end)).all()
    assert not revisions.duplicated(["partnership_id", "step"]).any()


def test_an_agreement_that_deepens_is_recorded_with_its_new_domain():
    model = SpaceModel(shipped_scenario("baseline"), rng=1, steps=40)
    model.run()
    table = model.partnerships_frame()
    revisions = model.revisions_frame()
    assert len(revisions) > 0
    changed = table[(table["kind"] == "bilateral") & (table["domain"] != table["last_domain"])]
    assert len(changed) > 0  # trust moves, so some agreements change domain after formation
    last = revisions.groupby("partnership_id").last()
    assert (last.loc[changed["partnership_id"], "domain"].to_numpy() == changed["last_domain"].to_numpy()).all()


# ---------------------------------------------------------------- rates per quarter, converted per step


def test_step_lengths_in_quarters():
    assert (step_length("quarter"), step_length("year"), step_length("month")) == (1.0, 4.0, 1 / 3)


def test_a_quarterly_scenario_keeps_every_declared_value_exactly():
    values = defaults()
    assert per_step_values(values, "quarter") == values


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 1.0), st.sampled_from([1 / 3, 4.0]))
def test_chances_and_shares_compound_over_the_step(p, dt):
    """A chance per step of dt quarters is the chance of at least one occurrence in dt quarters; a share kept likewise."""
    assert 1.0 - eq.chance_per_step(p, dt) == pytest.approx((1.0 - p) ** dt, abs=1e-12)
    assert eq.kept_per_step(p, dt) == pytest.approx(p**dt, abs=1e-12)
    if dt == 4.0:  # four quarters in a row
        q = p
        survive = (1 - q) ** 4
        assert eq.chance_per_step(q, 4.0) == pytest.approx(1 - survive, abs=1e-12)


def test_every_rate_is_declared_per_quarter_and_every_per_quarter_parameter_is_a_rate():
    per_quarter = {p.name for p in PARAMETERS_BY_NAME.values() if "quarter" in p.unit}
    assert per_quarter == set(RATE_SCALING)
    assert set(RATE_SCALING.values()) <= {"chance", "kept", "amount", "growth"}


def test_a_yearly_scenario_has_yearly_rates():
    spec = load_scenario(shipped_scenario("teaching_small"))
    yearly = SpaceModel(spec.model_copy(update={"step_meaning": "year"}))
    quarterly = SpaceModel(spec)
    assert quarterly.p.asat_rate == spec.parameter_values()["asat_rate"]
    assert yearly.p.asat_rate == pytest.approx(1 - (1 - quarterly.p.asat_rate) ** 4)
    assert yearly.p.trust_memory == pytest.approx(quarterly.p.trust_memory**4)
    assert yearly.p.debris_source == pytest.approx(4 * quarterly.p.debris_source)
    assert yearly.p.legal_clarity == quarterly.p.legal_clarity  # not a rate
    g = np.array([n.capability_growth for n in spec.nations])
    assert np.allclose(yearly.state.growth, (1 + g) ** 4 - 1)


def test_a_step_meaning_without_a_length_is_refused(workdir):
    path = workdir / "teaching_small.yaml"
    path.write_text(path.read_text().replace("step_meaning: quarter", "step_meaning: round"))
    with pytest.raises(InputError, match=r"teaching_small.yaml:\d+: step_meaning: .*'quarter', 'month' or 'year'"):
        load_scenario(path)


# ---------------------------------------------------------------- constants made parameters


def test_the_new_parameters_default_to_the_constants_they_replace():
    expected = {
        "strictness_share_loss": 0.25,
        "depth_joint_exercises": 0.25,
        "depth_missile_warning": 0.5,
        "depth_technology_transfer": 0.75,
        "cyber_capability_loss": 0.02,
        "cyber_threat_share": 0.5,
        "cyber_trust_share": 0.5,
        "arming_threshold": 0.5,
        "arming_factor": 2.0,
        "asat_distrust_offset": 0.5,
        "initial_trust_clip": 1e-3,
    }
    assert {k: PARAMETERS_BY_NAME[k].default for k in expected} == expected


def test_domain_thresholds_are_read_from_the_parameters():
    p = SimpleNamespace(**{**defaults(), "depth_joint_exercises": 0.1, "depth_missile_warning": 0.2, "depth_technology_transfer": 0.3})
    assert [domain_for_depth(d, p).value for d in (0.05, 0.15, 0.25, 0.35)] == ["ssa_sharing", "joint_exercises", "missile_warning", "technology_transfer"]


def test_cyber_losses_and_arming_are_the_parameters():
    spec = load_scenario(shipped_scenario("teaching_small"))
    m = SpaceModel(spec, cyber_capability_loss=0.1, cyber_threat_share=0.0)
    before_k, before_theta = m.state.capability[1], m.state.threat[1]
    m.trigger("cyber_attack", 0, 1)
    assert m.state.capability[1] == pytest.approx(0.9 * before_k)
    assert m.state.threat[1] == before_theta
    calm = SpaceModel(spec, arming_threshold=0.0)
    before = calm.state.counterspace.copy()
    calm.trigger("asat_test", 0)
    assert np.array_equal(calm.state.counterspace, before)  # no trust is below 0: nobody arms


def test_initial_trust_clip_and_share_loss_reach_the_model():
    spec = load_scenario(shipped_scenario("teaching_small"))
    spec = apply_overrides(spec, {"initial_trust_clip": 0.45})
    t = SpaceModel(spec).state.trust
    off = ~np.eye(len(t), dtype=bool)
    assert t[off].min() >= 0.45 - 1e-12 and t[off].max() <= 0.55 + 1e-12
    loose, strict = (SpaceModel(shipped_scenario("teaching_small"), strictness_share_loss=v).recorder.latest["mean_security"] for v in (0.0, 1.0))
    assert loose > strict
