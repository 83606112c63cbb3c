"""Unit tests of each rule on tiny hand-built states, with numbers worked out by hand.

Formulas are checked in their one compiled definition (:mod:`spacesim.model.equations`)
or, for N x N forms, in the reference (reference.py), which the differential
tests tie to the kernels the model runs.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from spacesim import SpaceModel
from spacesim.model import equations as eq
from spacesim.model import events
from spacesim.model.rules import capability, cooperation, environment, frameworks, politics, security, trust
from spacesim.model.state import world_of

from . import reference as ref


def ns(**kw) -> SimpleNamespace:
    from spacesim.parameters import defaults

    return SimpleNamespace(**{**defaults(), **kw})


# --- C1: security and pooling -------------------------------------------------
def test_security_has_diminishing_returns():
    p = ns(security_scale=1.0)
    s = np.array([eq.security(x, 1.0) for x in (0.0, 1.0, 2.0, 3.0)])
    assert_allclose(ref.security(np.array([0.0, 1.0, 2.0, 3.0]), p), s, rtol=1e-15)
    assert_allclose(s, [0.0, 0.632121, 0.864665, 0.950213], rtol=1e-5)
    assert np.all(np.diff(np.diff(s)) < 0)  # each unit of coverage adds less


def test_collective_security_share():
    p = ns(security_scale=1.0)
    share = ref.collective_security_share(np.array([0.5, 1.0]), np.array([1.0, 1.0]), p)
    assert_allclose([eq.collective_share(eq.security(1.0, 1.0), eq.security(k, 1.0)) for k in (0.5, 1.0)], share, rtol=1e-12)
    # own 1 - e^-0.5 = 0.393469, total 0.632121 -> (0.632121 - 0.393469) / 0.632121
    assert_allclose(share, [0.377543, 0.0], rtol=1e-5)


def test_gain_is_an_exact_difference():
    p = ns(security_scale=1.0)
    base, x = np.array([1.0, 2.0]), np.array([0.5, 0.25])
    assert_allclose(ref.gain_of_adding(base, x, p), ref.security(base + x, p) - ref.security(base, p))
    for b, a in zip(base, x):
        assert eq.gain_of_adding(b, a, 1.0) == pytest.approx(eq.security(b + a, 1.0) - eq.security(b, 1.0), rel=1e-12)


# --- C2: trust ------------------------------------------------------------------
def test_trust_is_beta_mean(tiny_model):
    s = tiny_model.state
    assert_allclose(s.trust[0, 1], 0.675)
    assert_allclose(s.trust[0, 2], 0.5)
    assert_allclose(s.alpha[0, 1] + s.beta[0, 1], tiny_model.p.trust_prior_strength)


def test_decay_pulls_evidence_back_to_the_prior(tiny_model):
    s, p = tiny_model.state, ns(trust_memory=0.5)
    s.alpha[0, 2] = s.prior_alpha[0, 2] + 4.0
    trust.decay(s, p)
    assert_allclose(s.alpha[0, 2], s.prior_alpha[0, 2] + 2.0)


def test_evidence_and_hearsay_weighted_by_trust_in_the_teller(tiny_model):
    s = tiny_model.state
    p = ns(reputation_spread=0.2)
    a0, b0 = s.alpha.copy(), s.beta.copy()
    t = s.trust  # AAA-BBB 0.675 (same bloc), with CCC 0.5
    # AAA saw BBB cooperate (1.0) and CCC defect (2.0); the teller hears nothing of its own report.
    trust.record_evidence_at(s, np.array([0, 0]), np.array([1, 2]), np.array([1.0, 0.0]), np.array([0.0, 2.0]), p)
    assert_allclose(s.alpha - a0, [[0, 1.0, 0], [0, 0, 0], [0, 0.2 * t[2, 0] * 1.0 / 2, 0]])  # CCC hears of BBB from AAA: 0.2 * 0.5 / (n - 1)
    assert_allclose(s.beta - b0, [[0, 0, 2.0], [0, 0, 0.2 * t[1, 0] * 2.0 / 2], [0, 0, 0]])  # BBB hears of CCC from AAA: 0.2 * 0.675 * 2 / (n - 1)
    assert_allclose([s.alpha[2, 1] - a0[2, 1], s.beta[1, 2] - b0[1, 2]], [0.05, 0.135])


def test_hearsay_from_a_distrusted_teller_counts_less():
    assert eq.hearsay(0.2 * 2.0, 11, 0.5) < eq.hearsay(0.8 * 2.0, 11, 0.5)
    assert_allclose(eq.hearsay(0.8 * 2.0, 11, 0.5), 0.5 * 0.8 * 2.0 / 10)


def test_trust_is_lost_faster_than_won(tiny_model):
    s, p = tiny_model.state, tiny_model.p
    t0 = s.trust[0, 1]
    up = np.zeros((3, 3))
    up[0, 1] = 1.0
    ref.record_evidence(s, up * p.trust_gain, np.zeros((3, 3)), ns(reputation_spread=0.0), s.trust)
    gain = s.trust[0, 1] - t0
    t1 = s.trust[0, 1]
    ref.record_evidence(s, np.zeros((3, 3)), up * p.trust_loss, ns(reputation_spread=0.0), s.trust)
    loss = t1 - s.trust[0, 1]
    assert loss > 3 * gain > 0


def test_condemn_hits_the_victim_twice(tiny_model):
    s = tiny_model.state
    b0 = s.beta.copy()
    expect = copy.deepcopy(s)
    drop = events.condemn(world_of(s), 2, 1.0, 0)
    assert_allclose((s.beta - b0)[:, 2], [2.0, 1.0, 0.0])
    assert drop > 0
    assert drop == pytest.approx(ref.condemn(expect, 2, 1.0, 0), rel=1e-12)  # the compiled act against the oracle
    assert_allclose(s.beta, expect.beta, rtol=1e-15)


# --- C3: depth follows trust --------------------------------------------------------
def test_sharing_depth_needs_mutual_trust():
    t = np.array([[1.0, 0.9, 0.2], [0.5, 1.0, 0.9], [0.9, 0.9, 1.0]])
    d = ref.sharing_depth(t, ns(trust_floor=0.5))
    assert_allclose([[eq.sharing_depth(t[i, j], t[j, i], 0.5) for j in range(3)] for i in range(3)], d, rtol=1e-15)
    assert_allclose(d[0, 1], 0.0)  # B trusts A only 0.5: nothing sensitive
    assert_allclose(d[1, 2], 0.8)  # (0.9 - 0.5) / 0.5
    assert_allclose(d, d.T)


# --- C1, C4, C5, C6, C10: bilateral value --------------------------------------------
def test_bilateral_utility_by_hand(tiny_model):
    s = tiny_model.state
    p = ns(
        sharing_strictness=0.0,
        commercial_integration=0.0,
        threat_benefit_weight=0.0,
        security_scale=1.0,
        transaction_cost=0.05,
        legal_clarity=0.3,
        sovereignty_cost_bilateral=0.05,
        leak_rate=0.05,
    )
    s.membership[:] = False
    t = s.trust
    k_eff, _, _, total = security.coverage(s, p)
    u, depth = ref.utility(s, p, t, total, k_eff)
    assert_allclose(depth[0, 1], 0.5)
    # gain e^-1 (1 - e^-0.5) = 0.144749; transaction 0.05 x 0.7 = 0.035; sovereignty 0.05 x 0.5 x 0.5 = 0.0125;
    # leak 0.05 x 0.5 x 0.325 x 0.632121 = 0.005136; no disparity between equals.
    assert_allclose(u[0, 1], 0.144749 - 0.035 - 0.0125 - 0.005136, atol=1e-5)


def test_stronger_side_values_a_partnership_less():
    from spacesim import parse_scenario

    spec = parse_scenario(
        """
schema_version: 1
name: two
description: a strong and a weak nation
nations:
  - {name: Strong, code: STR, sovereignty: 0.5, capability: 2.0, threat_perception: 0.0}
  - {name: Weak, code: WEA, sovereignty: 0.5, capability: 0.2, threat_perception: 0.0}
trust: {default: 0.9}
"""
    )
    m = SpaceModel(spec, rng=0)
    s, p = m.state, m.p
    k_eff, _, _, total = security.coverage(s, p)
    u, _ = ref.utility(s, p, s.trust, total, k_eff)
    assert u[1, 0] > 0 > u[0, 1]  # C6: the weak side wants it, the strong side does not
    p.export_control, p.disparity_aversion = 0.0, 0.0
    u2, _ = ref.utility(s, p, s.trust, total, k_eff)
    assert u2[0, 1] > u[0, 1]


def test_clear_law_lowers_the_cost_of_agreements(tiny_model):
    s = tiny_model.state
    k_eff, _, _, total = security.coverage(s, tiny_model.p)
    low, _ = ref.utility(s, ns(legal_clarity=0.0, transaction_cost=0.05), s.trust, total, k_eff)
    high, _ = ref.utility(s, ns(legal_clarity=1.0, transaction_cost=0.05), s.trust, total, k_eff)
    assert_allclose(high[0, 1] - low[0, 1], 0.05)  # exactly the transaction cost


def test_leaks_rise_with_depth_and_unreliability():
    p = ns(leak_rate=0.1, sharing_strictness=0.0)
    probs = [eq.leak_probability(d, r, p.leak_rate, p.sharing_strictness, p.leak_protection) for d, r in ((0.2, 0.5), (1.0, 0.5), (1.0, 0.9))]
    assert_allclose(probs, [0.01, 0.05, 0.01])
    assert_allclose(eq.leak_probability(1.0, 0.5, 0.1, 1.0, 0.5), 0.025)  # the strictest protocols halve leaks at leak_protection 0.5
    assert_allclose(eq.leak_probability(1.0, 0.5, 0.1, 1.0, 0.8), 0.01)


def test_proposal_needs_both_sides():
    u = np.array([[-np.inf, 0.3, 0.1], [0.2, -np.inf, -0.1], [0.1, 0.5, -np.inf]])
    depth = np.ones((3, 3))
    pairs = ref.proposals(u, depth, np.zeros((3, 3)), np.random.default_rng(0), ns(proposal_rate=1.0))
    assert (1, 2) not in pairs  # BBB does not want CCC
    assert (0, 1) in pairs
    assert all(i < j for i, j in pairs)


def test_agreements_end_for_distrust_or_lost_value():
    tie = np.zeros((3, 3))
    tie[0, 1] = tie[1, 0] = 0.5
    tie[0, 2] = tie[2, 0] = 0.5
    depth = np.ones((3, 3))
    depth[0, 1] = depth[1, 0] = 0.0
    u = np.full((3, 3), 0.1)
    u[2, 0] = -0.5
    ends = ref.ending(u, depth, tie, ns(exit_margin=0.02))
    assert sorted(ends) == [(0, 1, "distrust"), (0, 2, "not worth it")]


# --- C7, C11: frameworks -------------------------------------------------------------
def test_deep_integration_demands_deep_trust(tiny_model):
    s = tiny_model.state
    assert_allclose(ref.required_trust(s.integration, ns(trust_floor=0.35, integration_trust_requirement=0.5)), [0.675])
    assert_allclose(eq.required_trust(s.integration[0], 0.35, 0.5), 0.675)


def test_outsider_joins_when_it_pays_and_is_trusted(tiny_model):
    s = tiny_model.state
    p = ns(membership_rate=1.0, sovereignty_cost_multilateral=0.0, trust_floor=0.0, integration_trust_requirement=0.0)
    k_eff, _, pooled, total = security.coverage(s, p)
    leavers, joiners, _ = frameworks.decisions(s, p, s.trust, k_eff, total, pooled, np.random.default_rng(0))
    assert joiners == [(2, 0)] and leavers == []
    # The same applicant is refused when the framework demands more trust than it has.
    p = ns(membership_rate=1.0, sovereignty_cost_multilateral=0.0, trust_floor=0.35, integration_trust_requirement=0.5)
    _, joiners = frameworks.decisions(s, p, s.trust, k_eff, total, pooled, np.random.default_rng(0))[0:2]
    assert joiners == []


def test_any_member_may_veto_an_applicant(tiny_model):
    """Admission by consensus: the least trusting member decides, not the average."""
    s = tiny_model.state
    p = ns(membership_rate=1.0, sovereignty_cost_multilateral=0.0, trust_floor=0.4, integration_trust_requirement=0.0)
    k_eff, _, pooled, total = security.coverage(s, p)
    t = np.full((3, 3), 0.9)
    t[1, 2] = 0.3  # Beta distrusts Gamma; Alpha trusts it, so the members' mean trust (0.6) would pass
    given, received = frameworks.mutual_trust_with_members(s.membership, t)
    assert_allclose(received[2, 0], 0.3)
    assert_allclose(given[2, 0], 0.9)
    assert frameworks.decisions(s, p, t, k_eff, total, pooled, np.random.default_rng(0))[1] == []
    t[1, 2] = 0.4  # exactly the requirement: admitted
    assert frameworks.decisions(s, p, t, k_eff, total, pooled, np.random.default_rng(0))[1] == [(2, 0)]


def test_closed_framework_takes_back_only_former_members(tiny_model):
    s = tiny_model.state
    p = ns(membership_rate=1.0, sovereignty_cost_multilateral=0.0, trust_floor=0.0, integration_trust_requirement=0.0, invitation_rate=0.0)
    k_eff, _, pooled, total = security.coverage(s, p)
    s.framework_open[:] = False
    assert frameworks.decisions(s, p, s.trust, k_eff, total, pooled, np.random.default_rng(0))[1] == []
    s.ever_member[2, 0] = True  # Gamma was once a member (as France was of NATO's integrated command)
    assert frameworks.decisions(s, p, s.trust, k_eff, total, pooled, np.random.default_rng(0))[1] == [(2, 0)]


def test_high_sovereignty_makes_members_leave(tiny_model):
    s = tiny_model.state
    s.sovereignty[:] = 1.0
    p = ns(membership_rate=1.0, sovereignty_cost_multilateral=5.0)
    k_eff, _, pooled, total = security.coverage(s, p)
    leavers, _, _ = frameworks.decisions(s, p, s.trust, k_eff, total, pooled, np.random.default_rng(0))
    assert sorted(leavers) == [(0, 0, "not worth it"), (1, 0, "not worth it")]


# --- C2, C5, C10: cooperation round ----------------------------------------------------
def pair_world(n: int = 2, reliability: float = 1.0, stability: float = 1.0) -> SimpleNamespace:
    """The arrays a cooperation round reads, for n identical nations."""
    return SimpleNamespace(reliability=np.full(n, reliability), stability=np.full(n, stability), interop=np.ones((n, n)), threat=np.zeros(n))


def test_round_of_pure_cooperation():
    w = np.array([[0.0, 0.5], [0.5, 0.0]])
    p = ns(defection_temptation=0.05, misperception=0.0, leak_rate=0.0, trust_gain=0.5, legal_clarity=0.4)
    out = cooperation.play_round(w, pair_world(reliability=1.0), np.ones(2), np.full(2, 1.5), p, np.random.default_rng(0))  # wholly reliable: never defects
    assert_allclose(out.good, w * 0.5)  # clarity no longer multiplies the gain
    assert not out.bad.any() and out.leaks == []


def test_round_with_certain_defection_and_leaks():
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    # Reliability 0 and a temptation so large that defecting always pays; full clarity: every defection is seen.
    p = ns(defection_temptation=1.0, misperception=0.0, legal_clarity=1.0, leak_rate=1.0, sharing_strictness=0.0, trust_loss=2.0, leak_trust_damage=4.0)
    out = cooperation.play_round(w, pair_world(reliability=0.0), np.full(2, 1e-9), np.full(2, 1e-9), p, np.random.default_rng(0))
    assert_allclose(out.bad, [[0.0, 6.0], [6.0, 0.0]])
    assert sorted(out.leaks) == [(0, 1), (1, 0)]


def test_unclear_law_causes_misperception():
    w = np.ones((40, 40)) - np.eye(40)
    p = ns(defection_temptation=0.0, misperception=0.5, leak_rate=0.0, legal_clarity=0.0)
    world, k_eff, total = pair_world(40), np.ones(40), np.full(40, 40.0)
    share = (cooperation.play_round(w, world, k_eff, total, p, np.random.default_rng(1)).bad > 0).sum() / (40 * 39)
    assert 0.45 < share < 0.55
    p.legal_clarity = 1.0
    assert not cooperation.play_round(w, world, k_eff, total, p, np.random.default_rng(1)).bad.any()


def test_unclear_law_hides_defections():
    """Clarity makes defection verifiable: at clarity 0 half the defections go unseen (defection_detection 0.5), at clarity 1 none."""
    w = np.ones((40, 40)) - np.eye(40)
    p = ns(defection_temptation=1.0, defection_detection=0.5, misperception=0.0, leak_rate=0.0, legal_clarity=0.0)
    world, k_eff, total = pair_world(40, reliability=0.0), np.full(40, 1e-9), np.full(40, 1e-9)  # every act is a defection
    share = (cooperation.play_round(w, world, k_eff, total, p, np.random.default_rng(1)).bad > 0).sum() / (40 * 39)
    assert 0.45 < share < 0.55
    p.legal_clarity = 1.0
    assert (cooperation.play_round(w, world, k_eff, total, p, np.random.default_rng(1)).bad > 0).sum() == 40 * 39
    assert_allclose([eq.detection_chance(0.5, 0.0), eq.detection_chance(0.5, 0.4), eq.detection_chance(0.5, 1.0)], [0.5, 0.7, 1.0])


def test_defection_is_honoured_more_when_the_partnership_is_worth_more_and_lasts_longer():
    """Nowak 2006: defecting pays when the one-step gain c exceeds w b; with c exponential of mean tau, P = exp(-w b / tau)."""
    tau = 0.01
    assert_allclose(eq.defection_pays_chance(0.9, 0.02, tau), np.exp(-1.8))
    assert eq.defection_pays_chance(0.9, 0.04, tau) < eq.defection_pays_chance(0.9, 0.02, tau)  # a more valuable partner
    assert eq.defection_pays_chance(0.95, 0.02, tau) < eq.defection_pays_chance(0.5, 0.02, tau)  # a longer shadow of the future
    assert eq.defection_pays_chance(0.9, 0.02, 0.0) == 0.0  # no temptation, no defection
    assert_allclose(eq.shadow_of_future(0.5, 0.95, 0.08), 0.95 * (1 - 0.04))  # an unstable government has a shorter horizon
    p = ns(security_scale=3.0, threat_benefit_weight=3.0)
    deep, shallow = (eq.partner_benefit(d, 1.0, 0.875, 1.0, 2.0, 0.2, _record(p)) for d in (0.8, 0.2))
    assert deep > shallow > 0  # deep partnerships are worth more to keep
    assert_allclose(eq.defection_chance(0.75, 0.4), 0.1)


def _record(p: SimpleNamespace) -> np.void:
    from spacesim.model.state import parameter_record

    return parameter_record(p)[0]


def test_behaviour_reveals_the_hidden_type(tiny_spec, quiet_params):
    """Two partners of the same standing; the unreliable one is found out (its partner's trust in it falls below its trust in the reliable one)."""
    gaps = []
    for seed in range(6):
        model = SpaceModel(tiny_spec, rng=seed, **{**quiet_params, "defection_temptation": 0.05, "misperception": 0.0, "legal_clarity": 1.0})
        s = model.state
        s.reliability[:] = [0.9, 0.2, 0.95]  # BBB is unreliable
        model.run(30)
        gaps.append(s.trust_of(1, 0) - s.trust_of(0, 1))  # BBB's trust in AAA minus AAA's trust in BBB
    assert np.mean(gaps) > 0.05 and min(gaps) > 0, gaps


# --- C8, C13, C14: environment ------------------------------------------------------------
def test_debris_without_collisions_is_linear():
    d, hits = environment.debris_step(10_000.0, ns(debris_source=100.0, debris_decay=0.01, collision_rate=0.0), np.random.default_rng(0))
    assert hits == 0 and d == pytest.approx(10_000 + 100 - 100)


def test_collisions_grow_with_the_square_of_debris():
    p = ns(debris_source=0.0, debris_decay=0.0, collision_rate=1e-8, collision_fragments=1.0)
    rng = np.random.default_rng(0)
    mean_small = np.mean([environment.debris_step(5_000.0, p, rng)[1] for _ in range(2000)])
    mean_large = np.mean([environment.debris_step(10_000.0, p, rng)[1] for _ in range(2000)])
    assert mean_small == pytest.approx(0.25, rel=0.15)
    assert mean_large / mean_small == pytest.approx(4.0, rel=0.2)


def test_threat_is_at_rest_until_something_changes(tiny_model):
    s, p = tiny_model.state, tiny_model.p
    before = s.threat.copy()
    environment.update_threat(s, s.trust, p)
    assert_allclose(s.threat, before)
    s.debris *= 5
    environment.update_threat(s, s.trust, p)
    assert np.all(s.threat > before)


def test_distrust_of_armed_rivals_raises_threat(tiny_model):
    s, p = tiny_model.state, tiny_model.p
    base = environment.assessed_threat(s, s.trust, p)
    lower = s.trust.copy()
    lower[0, 2] = 0.0
    assert environment.assessed_threat(s, lower, p)[0] > base[0]


def test_norms_follow_participation(tiny_model):
    s = tiny_model.state
    s.norm = 0.0
    environment.update_norm(s, ns(norm_growth=0.5))
    assert s.norm == pytest.approx(0.5 * 2 / 3)


def test_norms_deter_hostile_acts(tiny_model):
    s, p = tiny_model.state, ns(asat_rate=0.5, norm_deterrence=1.0)
    s.norm = 1.0
    assert environment.draw_asat_tests(s, s.trust, p, np.random.default_rng(0)) == []


def test_alliances_deter_cyber_attacks(tiny_model):
    s = tiny_model.state
    p = ns(cyber_rate=1.0, alliance_deterrence=0.0)
    attacks = environment.draw_cyber_attacks(s, s.trust, np.zeros(3), p, np.random.default_rng(0))
    assert (2, 0) in attacks or (2, 1) in attacks
    p = ns(cyber_rate=1.0, alliance_deterrence=1e9)
    assert environment.draw_cyber_attacks(s, s.trust, np.ones(3), p, np.random.default_rng(0)) == []


# --- C9: political change -----------------------------------------------------------------
def test_new_government_forgets_and_shifts(tiny_spec):
    model = SpaceModel(
        tiny_spec, rng=0, reversal_trust_reset=0.5, reputation_reset=0.75, reversal_sovereignty_shift=0.0, reliability_mean=0.5, reliability_concentration=2.0
    )
    s = model.state
    s.alpha[0, 2] += 4.0
    s.beta[2, 0] += 4.0  # what CCC learned about AAA's government
    sovereignty = s.sovereignty[0]
    rng = copy.deepcopy(model.rng)
    model.trigger("government_change", 0)  # the compiled handler the step runs
    assert_allclose(s.alpha[0, 2], s.prior_alpha[0, 2] + 2.0)
    assert_allclose(s.beta[2, 0], s.prior_beta[2, 0] + 1.0)  # others set aside 75% of what they learned
    assert s.sovereignty[0] == sovereignty
    rng.normal(0.0, 0.0)
    assert_allclose(s.reliability[0], rng.random())  # Beta(1, 1): the uniform itself


def test_reliabilities_are_drawn_from_the_generator_unless_the_scenario_sets_them(tiny_spec):
    data = tiny_spec.model_dump(mode="json", by_alias=True)
    data["nations"][1]["reliability"] = 0.3
    from spacesim.scenario.loader import scenario_from_data

    spec = scenario_from_data(data, "tiny")
    a, b = SpaceModel(spec, rng=5), SpaceModel(spec, rng=5)
    assert_allclose(a.state.reliability, b.state.reliability)
    assert a.state.reliability[1] == 0.3
    draws = SpaceModel(tiny_spec, rng=5).state.reliability
    assert draws[0] == a.state.reliability[0] and draws[2] == a.state.reliability[2]  # the other nations draw the same (N uniforms always)
    assert np.all((draws > 0) & (draws < 1))
    many = politics.reliability_from(np.random.default_rng(0).random(20_000), ns(reliability_mean=0.8, reliability_concentration=5.0))
    assert abs(many.mean() - 0.8) < 0.005 and abs(many.std() - 0.163) < 0.005


def test_government_change_can_end_everything(tiny_model):
    m = tiny_model
    m.form_agreement(0, 1, 0.5)
    m.p.reversal_withdrawal = 1.0
    m.trigger("government_change", 0)
    assert m.state.tie_depth[0, 1] == 0 and not m.state.membership[0].any()
    reasons = m.partnerships_frame()["end_reason"].dropna().tolist()
    assert reasons == ["government_change", "government_change"]


def test_a_new_government_drops_only_what_its_draws_select():
    ties = np.array([0.0, 0.4, 0.7, 0.0, 0.2])
    memberships = np.array([True, False, True])
    partners, frameworks = politics.reversals(ties, memberships, np.array([0.0, 0.1, 0.5, 0.0, 0.29]), np.array([0.2, 0.0, 0.31]), 0.3)
    assert partners.tolist() == [1, 4]  # 0 and 3 are not partners; 2 drew 0.5 >= 0.3
    assert frameworks.tolist() == [0]  # 1 is not a membership; 2 drew 0.31 >= 0.3
    none, nothing = politics.reversals(np.zeros(3), np.zeros(0, dtype=bool), np.zeros(3), np.zeros(0), 0.3)
    assert none.size == 0 and nothing.size == 0


def test_stable_nations_do_not_change_government(tiny_model):
    assert politics.draw_government_changes(tiny_model.state, ns(government_change_rate=1.0), np.random.default_rng(0)) == []


# --- C1, C6, C12: capability -----------------------------------------------------------------
def test_capability_grows_and_transfers(tiny_model):
    s = tiny_model.state
    s.growth[:] = 0.01
    capability.grow(s, ns(tech_transfer_rate=0.0))
    assert_allclose(s.capability, [1.01, 1.01, 0.505])
    s.tie_depth[0, 2] = s.tie_depth[2, 0] = 1.0
    s.interop[:] = 1.0
    s.growth[:] = 0.0
    capability.grow(s, ns(tech_transfer_rate=0.1, export_control=0.5))
    assert_allclose(s.capability[2], 0.505 + 0.1 * 0.5 * 0.505)


def test_frameworks_harmonise_standards(tiny_model):
    s = tiny_model.state
    s.interop[:] = 0.5
    capability.harmonise(s, s.co_membership(), ns(interoperability_growth=0.1))
    assert_allclose(s.interop[0, 1], 0.55)
    assert_allclose(s.interop[0, 2], 0.5)


def test_commercial_capacity_counts_toward_security(tiny_model):
    s = tiny_model.state
    s.commercial[:] = 1.0
    assert_allclose(ref.effective_capability(s, ns(commercial_integration=0.5)), s.capability + 0.5)
    k_eff, _, _, _ = security.coverage(s, ns(commercial_integration=0.5))
    assert_allclose(k_eff, s.capability + 0.5)


# --- events ------------------------------------------------------------------------------------
def test_asat_test_raises_debris_and_threat_and_costs_trust(tiny_model):
    m = tiny_model
    s = m.state
    d0, t0, th0 = s.debris, s.trust[:, 2].copy(), s.threat.copy()
    m.trigger("asat_test", 2, debris=1500.0)
    assert s.debris == d0 + 1500
    assert np.all(s.trust[:2, 2] < t0[:2])
    assert np.all(s.threat >= th0 + m.p.asat_threat_shock - 1e-12)
    (row,) = m.events_frame().itertuples()
    assert row.narrative.startswith("step 0: Gamma conducts a destructive ASAT test; debris rises by 1,500 pieces")


def test_scheduled_leak_hurts_the_victim_most(tiny_model):
    m = tiny_model
    t0 = m.state.trust.copy()
    m.trigger("leak", 1, 0)  # BBB leaks what AAA shared
    drop = t0 - m.state.trust
    assert drop[0, 1] > drop[2, 1] > 0


def test_a_shock_between_steps_is_recorded_at_its_step():
    """record_again replaces the current step's record: the shock's effect and count join that step, nothing is added."""
    m = SpaceModel(rng=1)
    m.run(3)
    before = m.steps_frame().iloc[-1]
    m.trigger("asat_test", 0)
    m.record_again()
    steps = m.steps_frame()
    assert list(steps["step"]) == [0, 1, 2, 3]
    assert steps.iloc[-1]["debris"] == before["debris"] + m.p.asat_debris
    assert steps.iloc[-1]["n_asat_tests"] == before["n_asat_tests"] + 1
    assert len(m.nations_frame()) == 4 * m.state.n
    assert len(m.datacollector.get_model_vars_dataframe()) == 4
    m.step()  # the next step counts only its own events
    assert m.steps_frame().iloc[-1]["step"] == 4


def test_last_values_are_what_last_gives_each():
    model = SpaceModel(rng=11)
    model.run(5)
    recorder = model.recorder
    outcomes = ("step", "n_bilateral", "mean_trust", "debris", "n_leaks")
    values = recorder.last_values(outcomes)
    assert values == [recorder.last(k) for k in outcomes]
    assert [type(v) for v in values] == [int, int, float, float, int]
