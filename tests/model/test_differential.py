"""Differential tests: every phase of a step, as the model runs it, against the reference (reference.py).

The model evaluates each rule only where it needs it (rows, pairs,
interacting pairs), in compiled kernels built from
:mod:`spacesim.model.equations`; the reference states each phase in plain
N x N NumPy as docs/model.md writes it. Each test takes states from real runs
(agreements, memberships and uneven trust all exist) and compares, phase by
phase: decay, the events drawn, debris, threat, coverage, the bilateral
phase, framework decisions, the cooperation round and its evidence, norms,
politics, capability and the record.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from spacesim import SpaceModel, load_scenario, shipped_scenario
from spacesim.model import events
from spacesim.model.rules import bilateral, capability, cooperation, environment, frameworks, politics, security
from spacesim.model.rules import trust as trust_rule

from . import reference as ref

RTOL = 1e-12


def states(scenario: str = "baseline", seed: int = 11, at: tuple[int, ...] = (5, 30, 60)) -> list[SpaceModel]:
    """Models of ``scenario`` advanced to each step of ``at`` (copies: a test may change them)."""
    model = SpaceModel(shipped_scenario(scenario), rng=seed)
    out = []
    for step in at:
        model.run(step - model.steps)
        out.append(copy.deepcopy(model))
    assert (model.state.tie_depth > 0).any() and model.state.membership.any()
    return out


@pytest.fixture(scope="module")
def running() -> list[SpaceModel]:
    return states() + states("unstable_politics", seed=3, at=(20, 45))


def each(running: list[SpaceModel]):  # noqa: ANN201
    for model in running:
        yield copy.deepcopy(model)


# ---------------------------------------------------------------- 1.1 decay


def test_decay(running):
    for model in each(running):
        s, p = model.state, model.p
        expect = copy.deepcopy(s)
        ref.decay(expect, p)
        trust_rule.decay(s, p)
        assert_allclose(s.alpha, expect.alpha, rtol=RTOL)
        assert_allclose(s.beta, expect.beta, rtol=RTOL)


# ---------------------------------------------------------------- 1.3 events drawn, 1.4 debris, 1.5 norms


def test_hostile_events_drawn(running):
    for model in each(running):
        s = model.state
        p = copy.copy(model.p)
        p.asat_rate, p.cyber_rate = 0.3, 0.5  # enough events to compare
        t = s.trust
        draws = np.random.default_rng(2).random(s.n)
        assert environment.draw_asat_tests(s, t, p, np.random.default_rng(2)) == ref.asat_testers(s, t, p, draws)
        n_partners = environment.count_partners(s.tie_depth, s.co_membership())
        assert_array_equal(n_partners, ref.partners(s.tie_depth, ref.co_membership(s.membership, s.integration)))
        attacks = environment.draw_cyber_attacks(s, t, n_partners, p, np.random.default_rng(3))
        assert attacks == ref.cyber_attacks(s, t, n_partners, p, np.random.default_rng(3).random(s.n))
        assert attacks  # the comparison covers some attacks


@pytest.mark.parametrize("debris", [0.0, 30_000.0, 4e5, 2e6])
def test_debris(running, debris):
    p = copy.copy(running[0].p)
    p.collision_rate = 1e-8
    assert environment.debris_step(debris, p, np.random.default_rng(4)) == pytest.approx(ref.debris_step(debris, p, np.random.default_rng(4)), rel=RTOL)


def test_norms(running):
    for model in each(running):
        s, p = model.state, model.p
        expect = s.norm + p.norm_growth * (ref.norm_participation(s.membership) - s.norm)
        environment.update_norm(s, p)
        assert s.norm == pytest.approx(expect, rel=RTOL)


# ---------------------------------------------------------------- 2 threat and coverage


def test_threat(running):
    for model in each(running):
        s, p = model.state, model.p
        t = s.trust
        s.debris *= 3  # away from the calibrated rest point
        assert_allclose(environment.assessed_threat(s, t, p), ref.assessed_threat(s, t, p), rtol=RTOL)
        expect = ref.moved_threat(s, t, p)
        environment.update_threat(s, t, p)
        assert_allclose(s.threat, expect, rtol=RTOL)


def test_coverage(running):
    for model in each(running):
        s, p = model.state, model.p
        got, expect = security.coverage(s, p), ref.coverage(s, p)
        for a, b in zip(got, expect):
            assert_allclose(a, b, rtol=RTOL)
        reused = security.coverage(s, p, pooled=got[2])
        assert_array_equal(reused[3], got[3])


# ---------------------------------------------------------------- 3 bilateral phase


def test_review_of_agreements(running):
    """Endings and re-depthing of the kernel against the reference U, with a margin that makes some end as not worth it."""
    reasons = set()
    for k, model in enumerate(each(running)):
        s = model.state
        p = copy.copy(model.p)
        if k % 2 == 0:
            p.exit_margin = -0.005  # a margin some agreements fall below
        t = s.trust
        k_eff, _, _, total = security.coverage(s, p)
        u, depth = ref.utility(s, p, t, total, k_eff)
        expect_ends = ref.ending(u, depth, s.tie_depth, p)
        ends, ti, tj = bilateral.review_agreements(s, p, t, total, k_eff)
        assert ends == expect_ends
        survivors = [(i, j) for i, j in zip(ti.tolist(), tj.tolist()) if (i, j) not in {(a, b) for a, b, _ in ends}]
        for i, j in survivors:
            assert s.tie_depth[i, j] == s.tie_depth[j, i] == pytest.approx(depth[i, j], rel=RTOL)
        reasons |= {reason for _, _, reason in ends}
    assert "not worth it" in reasons, "the comparison must cover both reasons"


def test_proposals(running):
    formed = 0
    for model in each(running):
        s, p = model.state, model.p
        t = s.trust
        k_eff, _, _, total = security.coverage(s, p)
        u, depth = ref.utility(s, p, t, total, k_eff)
        proposers, choice_draw = bilateral.draw_proposers(s.n, np.random.default_rng(6), p)
        got = bilateral.new_agreements(s, p, t, total, k_eff, proposers, choice_draw, s.tie_depth[proposers].copy())
        offers = ref.choose_partners(proposers, u[proposers], depth[proposers], s.tie_depth[proposers], choice_draw)
        expect = ref.agreed(offers, np.array([u[j, i] > 0 for i, j in offers], dtype=bool))
        assert [(a, b) for a, b, _ in got] == expect
        assert [d for _, _, d in got] == pytest.approx([depth[a, b] for a, b in expect], rel=RTOL)
        formed += len(got)
    assert formed, "the comparison must cover some new agreements"


@pytest.mark.parametrize("scenario", ["baseline", "unstable_politics"])
def test_bilateral_phase_step_after_step(scenario):
    """The model's phase 3 does what the reference phase does, step after step, ledger included."""
    spec = shipped_scenario(scenario)
    fast, dense = SpaceModel(spec, rng=4, steps=60), SpaceModel(spec, rng=4, steps=60)
    ended = 0
    for _ in range(60):
        fast.step()
        dense.step()
        for model, phase in (
            (fast, lambda t, total, k: ref.kernel_bilateral_phase(fast, t, total, k)),
            (dense, lambda t, total, k: ref.bilateral_phase(dense, t, total, k)),
        ):
            k_eff, _, _, total = security.coverage(model.state, model.p)
            phase(model.state.trust, total, k_eff)
        assert_array_equal(fast.state.tie_depth, dense.state.tie_depth)
        ended = int(fast.partnerships_frame()["end_reason"].notna().sum())
    pd.testing.assert_frame_equal(fast.partnerships_frame(), dense.partnerships_frame())
    assert ended, "some agreements must end for the comparison to cover ending"


# ---------------------------------------------------------------- 4 framework decisions


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"membership_rate": 1.0},
        {"membership_rate": 1.0, "sovereignty_cost_multilateral": 0.05},
        {"membership_rate": 1.0, "trust_floor": 0.6},
        # Frameworks as clubs: invitations every step; unanimity everywhere, or a majority everywhere.
        {"invitation_rate": 1.0, "sovereignty_cost_multilateral": 0.05},
        {"membership_rate": 1.0, "invitation_rate": 1.0, "unanimity_integration": 0.0, "sovereignty_cost_multilateral": 0.05},
        {"membership_rate": 1.0, "invitation_rate": 1.0, "unanimity_integration": 1.0, "sovereignty_cost_multilateral": 0.05, "trust_floor": 0.2},
    ],
)
def test_framework_decisions(running, changes):
    seen = invited = 0
    for model in each(running):
        s = model.state
        p = copy.copy(model.p)
        for k, v in changes.items():
            setattr(p, k, v)
        t = s.trust
        k_eff, _, pooled, total = security.coverage(s, p)
        got = frameworks.decisions(s, p, t, k_eff, total, pooled, np.random.default_rng(8))
        assert got == ref.decisions(s, p, t, k_eff, total, pooled, np.random.default_rng(8))
        given, received = frameworks.mutual_trust_with_members(s.membership, t)
        expect_given, expect_received = ref.mutual_trust_with_members(s.membership, t)
        assert_allclose(given, expect_given, rtol=RTOL)
        assert_array_equal(received, expect_received)
        seen += len(got[0]) + len(got[1])
        invited += len(got[2])
        # The acting lead when every declared lead has left: the member the others trust most.
        s.membership[s.framework_lead, np.arange(s.framework_lead.size)] = False
        leads = [frameworks.acting_lead(s.membership, s.framework_lead, t, f) for f in range(s.membership.shape[1])]
        assert leads == ref.lead(s, t).tolist()
    if changes:
        assert seen, "the comparison must cover some decisions"
    if changes.get("invitation_rate"):
        assert invited, "the comparison must cover some invitations"


# ---------------------------------------------------------------- 5 cooperation round and evidence


def test_cooperation_round(running):
    defections = 0
    for model in each(running):
        s = model.state
        p = copy.copy(model.p)
        p.leak_rate = 0.3  # enough leaks to compare
        w = np.maximum(s.tie_depth, s.co_membership())
        k_eff, _, _, total = security.coverage(s, p)
        out = cooperation.play_round(w, s, k_eff, total, p, np.random.default_rng(9))
        good, bad, leaks = ref.play_round(w, s, k_eff, total, p, np.random.default_rng(9).random((3, s.n, s.n)))
        assert_array_equal(np.sort(out.observers * s.n + out.actors), np.flatnonzero(w > 0))  # every interacting pair once
        assert_allclose(out.good, good, rtol=RTOL)
        assert_allclose(out.bad, bad, rtol=RTOL)
        assert sorted(out.leaks) == sorted(leaks) and leaks
        again = cooperation.play_round(w, s, k_eff, total, p, np.random.default_rng(9), draws=np.empty((3, s.n, s.n)))
        assert_array_equal(out.good_at, again.good_at)
        assert again.leaks == out.leaks
        defections += int(((bad > 0) & (bad < p.leak_trust_damage)).sum())
    assert defections, "the comparison must cover some defections seen"


def test_evidence(running):
    for model in each(running):
        s, p = model.state, model.p
        rng = np.random.default_rng(0)
        good = np.where(rng.random((s.n, s.n)) < 0.1, rng.random((s.n, s.n)), 0.0)
        bad = np.where(rng.random((s.n, s.n)) < 0.05, rng.random((s.n, s.n)), 0.0)
        np.fill_diagonal(good, 0.0)
        np.fill_diagonal(bad, 0.0)
        t = s.trust
        expect = copy.deepcopy(s)
        ref.record_evidence(expect, good, bad, p, t)
        observers, actors = np.nonzero((good != 0) | (bad != 0))
        trust_rule.record_evidence_at(s, observers, actors, good[observers, actors], bad[observers, actors], p, trust=t)
        assert_allclose(s.alpha, expect.alpha, rtol=RTOL)
        assert_allclose(s.beta, expect.beta, rtol=RTOL)


def _large_world(n: int, seed: int):  # noqa: ANN202
    """A random world of ``n`` nations (the state fields the round and the evidence read), and p from the baseline."""
    rng = np.random.default_rng(seed)
    p = copy.copy(SpaceModel(shipped_scenario("baseline"), rng=0).p)
    p.leak_rate, p.misperception = 0.3, 0.2  # enough leaks and defections seen to compare
    w = np.where(rng.random((n, n)) < 0.3, rng.choice([0.2, 0.5, 0.8], size=(n, n)), 0.0)
    w = np.maximum(w, w.T)
    np.fill_diagonal(w, 0.0)
    alpha, beta = 1.0 + 5.0 * rng.random((n, n)), 1.0 + 5.0 * rng.random((n, n))
    interop = rng.random((n, n))
    s = SimpleNamespace(
        n=n,
        alpha=alpha,
        beta=beta,
        trust=alpha / (alpha + beta),
        reliability=rng.random(n),
        stability=rng.random(n),
        interop=(interop + interop.T) / 2,
        threat=rng.random(n),
    )
    return s, p, w, rng.random(n), 1.0 + rng.random(n)


@pytest.mark.parametrize("n", [150, 203])
def test_round_and_evidence_over_several_blocks(n):
    """The round (taken 16 rows at a time) and the hearsay (64 listeners at a time) with partial last blocks, reports in any order."""
    s, p, w, k_eff, total = _large_world(n, seed=n)
    out = cooperation.play_round(w, s, k_eff, total, p, np.random.default_rng(4))
    good, bad, leaks = ref.play_round(w, s, k_eff, total, p, np.random.default_rng(4).random((3, n, n)))
    assert_array_equal(out.observers * n + out.actors, np.flatnonzero(w > 0))  # every interacting pair once, row-major
    assert_allclose(out.good, good, rtol=RTOL)
    assert_allclose(out.bad, bad, rtol=RTOL)
    assert sorted(out.leaks) == sorted(leaks) and leaks
    assert ((bad > 0) & (bad < p.leak_trust_damage)).any()
    expect = copy.deepcopy(s)
    ref.record_evidence(expect, good, bad, p, s.trust)
    order = np.random.default_rng(5).permutation(out.observers.size)  # the hearsay does not depend on the reports' order
    trust_rule.record_evidence_at(s, out.observers[order], out.actors[order], out.good_at[order], out.bad_at[order], p, trust=s.trust)
    assert_allclose(s.alpha, expect.alpha, rtol=RTOL)
    assert_allclose(s.beta, expect.beta, rtol=RTOL)


# ---------------------------------------------------------------- 6 capability, 7 politics


def test_capability_and_harmonisation(running):
    for model in each(running):
        s, p = model.state, model.p
        expect_k = ref.grown_capability(s, p)
        co = s.co_membership()
        expect_interop = ref.harmonised(s.interop, co, p)
        capability.grow(s, p)
        capability.harmonise(s, co, p)
        assert_allclose(s.capability, expect_k, rtol=RTOL)
        assert_allclose(s.interop, expect_interop, rtol=RTOL)


def test_politics(running):
    for model in each(running):
        s = model.state
        p = copy.copy(model.p)
        p.government_change_rate = 0.9
        changes = politics.draw_government_changes(s, p, np.random.default_rng(10))
        assert changes == ref.government_changes(s.stability, p, np.random.default_rng(10).random(s.n)) and changes
        expect = copy.deepcopy(s)
        ref.forget(expect, changes[0], p)
        draws = copy.deepcopy(model.rng)
        model.act(events.HANDLERS["government_change"], changes[0], -1, -1, np.nan, False)  # the compiled handler the step runs
        assert_allclose(s.alpha, expect.alpha, rtol=RTOL)
        assert_allclose(s.beta, expect.beta, rtol=RTOL)
        shift = draws.normal(0.0, p.reversal_sovereignty_shift)  # the sovereignty shift, then the new reliability's uniform
        assert s.sovereignty[changes[0]] == pytest.approx(min(max(expect.sovereignty[changes[0]] + shift, 0.0), 1.0), rel=1e-12)
        assert s.reliability[changes[0]] == pytest.approx(ref.reliability_quantile(draws.random(), p), rel=1e-9)


def test_initial_reliability():
    """The first governments' reliabilities are the quantiles of the model's first N uniforms (scipy.stats against the model's scipy.special)."""
    spec = shipped_scenario("baseline")
    model = SpaceModel(spec, rng=12)
    rng = np.random.default_rng(12)
    assert_allclose(model.state.reliability, ref.reliability_quantile(rng.random(model.state.n), model.p), rtol=1e-9)


# ---------------------------------------------------------------- 8 record


def test_record(running):
    for model in each(running):
        row = model.recorder.latest
        expect = ref.world_outcomes(model.state, model.p)
        for outcome, value in expect.items():
            assert row[outcome] == pytest.approx(value, rel=1e-9, nan_ok=True), outcome


def test_co_membership(running):
    for model in each(running):
        s = model.state
        assert_array_equal(s.co_membership(), ref.co_membership(s.membership, s.integration))
    membership = np.array([[1, 1], [1, 0], [1, 1], [0, 1]], dtype=bool)
    from spacesim.model.state import _co_membership

    assert_array_equal(_co_membership(membership, np.array([0.3, 0.8])), ref.co_membership(membership, np.array([0.3, 0.8])))
    assert_array_equal(_co_membership(np.zeros((3, 0), dtype=bool), np.zeros(0)), np.zeros((3, 3)))


def test_co_membership_follows_membership_changes():
    model = SpaceModel(rng=1)
    s = model.state
    f = int(np.argmax(s.membership.sum(axis=0)))
    i = int(np.flatnonzero(s.membership[:, f])[0])
    before = s.co_membership().copy()
    model.leave_framework(i, f, "policy")
    assert_array_equal(s.co_membership(), ref.co_membership(s.membership, s.integration))
    assert not np.array_equal(before, s.co_membership())


def test_trust_written_into_a_kept_array_is_trust(running):
    s = running[0].state
    out = np.full((s.n, s.n), np.nan)
    assert s.trust_into(out) is out
    assert_array_equal(out, ref.trust(s.alpha, s.beta))


@pytest.mark.parametrize(
    ("scenario", "changes", "seed"),
    [
        ("baseline", {}, 1),
        ("unstable_politics", {}, 2),
        ("asat_shock", {}, 0),
        ("debris_crisis", {"collision_rate": 2e-8}, 4),
        ("baseline", {"allow_bilateral": False}, 3),
        ("baseline", {"allow_multilateral": False}, 3),
        ("strong_regime", {"leak_rate": 0.2, "cyber_rate": 0.3}, 5),
    ],
)
def test_the_compiled_step_is_the_phases_in_their_order(scenario, changes, seed):
    """The model's compiled pass against the same step as a sequence of Python calls to the rules: the four tables, step after step."""
    spec = load_scenario(shipped_scenario(scenario)).with_parameters(steps=25, **changes)
    compiled, phases = SpaceModel(spec, rng=seed), SpaceModel(spec, rng=seed)
    for _ in range(spec.steps):
        compiled.step()
        phases.steps += 1  # what Mesa's step wrapper does before each step
        ref.phase_by_phase_step(phases)
        assert_array_equal(compiled.state.alpha, phases.state.alpha)
    for table in ("steps_frame", "nations_frame", "events_frame", "partnerships_frame"):
        pd.testing.assert_frame_equal(getattr(compiled, table)(), getattr(phases, table)())
