"""The model evaluates rules only where it needs them (rows, pairs, interacting pairs).

Each fast path must give what the plain N x N form of the same rule gives;
these tests compare them on a state taken from a real run, where agreements,
memberships and uneven trust all exist.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from spacesim import SpaceModel
from spacesim.model.rules import bilateral, capability, cooperation, environment, security
from spacesim.model.rules import trust as trust_rule


@pytest.fixture(scope="module")
def running() -> SpaceModel:
    model = SpaceModel(rng=11)
    model.run(30)
    assert (model.state.tie_depth > 0).any() and model.state.membership.any()
    return model


def test_utility_rows_and_pairs_equal_the_full_matrix(running):
    s, p = running.state, running.p
    t = s.trust
    k_eff, _, _, total = security.coverage(s, p)
    u, depth = bilateral.utility(s, p, t, total, k_eff)
    rows = np.array([0, 3, 7, s.n - 1])
    u_rows, depth_rows = bilateral.utility_rows(s, p, t, total, k_eff, rows)
    assert_array_equal(u_rows, u[rows])
    assert_array_equal(depth_rows, depth[rows])
    i, j = np.array([0, 5, 2, 9]), np.array([1, 5, 8, 0])
    u_pairs, depth_pairs = bilateral.utility_at(s, p, t, total, k_eff, i, j)
    assert_array_equal(u_pairs, u[i, j])
    assert_array_equal(depth_pairs, depth[i, j])
    assert u_pairs[1] == -np.inf  # nobody partners with itself
    assert_array_equal(bilateral.depth_at(t, i, j, p), depth[i, j])


def test_ending_at_agrees_with_ending(running):
    s, p = running.state, running.p
    t = s.trust
    k_eff, _, _, total = security.coverage(s, p)
    u, depth = bilateral.utility(s, p, t, total, k_eff)
    strict = p.__class__(**{**vars(p), "exit_margin": -0.5})  # make some agreements end as "not worth it"
    i, j = bilateral.agreement_pairs(s.tie_depth)
    assert i.size and np.all(i < j)
    assert bilateral.ending_at(i, j, u[i, j], u[j, i], depth[i, j], strict) == bilateral.ending(u, depth, s.tie_depth, strict)


def test_bilateral_received_is_the_row_sum_of_pooled_coverage(running):
    s, p = running.state, running.p
    k_eff = s.effective_capability(p)
    assert_allclose(security.bilateral_received(s, k_eff, p), security.bilateral_pooled(s, k_eff, p).sum(axis=1), rtol=1e-12)


def test_reused_framework_pool_gives_the_same_coverage(running):
    s, p = running.state, running.p
    fresh = security.coverage(s, p)
    _, _, pooled, _ = fresh
    reused = security.coverage(s, p, pooled=pooled)
    assert_array_equal(fresh[3], reused[3])


def test_sparse_evidence_equals_dense_evidence(running):
    p = running.p
    a = running.state
    rng = np.random.default_rng(0)
    good = np.where(rng.random((a.n, a.n)) < 0.1, rng.random((a.n, a.n)), 0.0)
    bad = np.where(rng.random((a.n, a.n)) < 0.05, rng.random((a.n, a.n)), 0.0)
    np.fill_diagonal(good, 0.0)
    np.fill_diagonal(bad, 0.0)
    alpha, beta = a.alpha.copy(), a.beta.copy()
    # The dense form, written out: every entry gains its evidence, third parties a share of each column.
    spread = p.reputation_spread / (a.n - 1)
    expect_alpha = alpha + good + spread * good.sum(axis=0)[None, :]
    expect_beta = beta + bad + spread * bad.sum(axis=0)[None, :]
    idx = np.arange(a.n)
    expect_alpha[idx, idx] -= spread * good.sum(axis=0)
    expect_beta[idx, idx] -= spread * bad.sum(axis=0)
    try:
        trust_rule.record_evidence(a, good, bad, p)
        assert_allclose(a.alpha, expect_alpha, rtol=1e-12)
        assert_allclose(a.beta, expect_beta, rtol=1e-12)
    finally:
        a.alpha, a.beta = alpha, beta


def test_cooperation_round_acts_only_on_interacting_pairs(running):
    s, p = running.state, running.p
    w = np.maximum(s.tie_depth, s.co_membership())
    t = s.trust
    out = cooperation.play_round(w, t, p, np.random.default_rng(5))
    # Exactly the interacting pairs get evidence, each once.
    assert_array_equal(np.sort(out.observers * s.n + out.actors), np.flatnonzero(w > 0))
    assert not out.good[w == 0].any() and not out.bad[w == 0].any()
    # The same generator state gives the same round, whether or not a buffer is passed.
    again = cooperation.play_round(w, t, p, np.random.default_rng(5), draws=np.empty((3, s.n, s.n)))
    assert_array_equal(out.good_at, again.good_at)
    assert_array_equal(out.bad_at, again.bad_at)
    assert out.leaks == again.leaks


def test_cooperation_round_matches_its_definition_pair_by_pair(running):
    """Recompute every interacting pair's outcome from the same draws, by the rule's text."""
    s, p = running.state, running.p
    w = np.maximum(s.tie_depth, s.co_membership())
    t = s.trust
    draws = np.random.default_rng(9).random((3, s.n, s.n))
    out = cooperation.play_round(w, t, p, np.random.default_rng(9))
    gain = p.trust_gain * (1.0 + p.clarity_trust_bonus * p.legal_clarity)
    for a, b, good, bad in zip(out.observers[:200], out.actors[:200], out.good_at[:200], out.bad_at[:200]):
        shirk = draws[0, b, a] < p.shirk_rate * (1.0 - t[b, a])
        misread = not shirk and draws[1, b, a] < p.misperception * (1.0 - p.legal_clarity)
        leak = draws[2, a, b] < bilateral.leak_probability(w[a, b], t[a, b], p)
        defect = shirk or misread
        assert good == pytest.approx(0.0 if defect else w[a, b] * gain)
        assert bad == pytest.approx((w[a, b] * p.trust_loss if defect else 0.0) + (p.leak_trust_damage if leak else 0.0))


def test_threat_and_transfer_match_their_dense_forms(running):
    s, p = running.state, running.p
    t = s.trust
    hostile = (1.0 - t) * (s.counterspace * s.capability)[None, :]
    np.fill_diagonal(hostile, 0.0)
    others = s.capability.sum() - s.capability
    expect = p.debris_threat_weight * s.debris / (s.debris + p.debris_reference) + p.rival_threat_weight * hostile.sum(axis=1) / others
    assert_allclose(environment.assessed_threat(s, t, p), expect, rtol=1e-12)

    k = s.capability.copy()
    gap = np.maximum(0.0, k[None, :] - k[:, None])
    transfer = np.minimum((s.tie_depth * s.interop * gap).sum(axis=1), gap.max(axis=1))
    expect_k = np.maximum(k * (1.0 + s.growth) + p.tech_transfer_rate * (1.0 - p.export_control) * transfer, 0.0)
    try:
        capability.grow(s, p)
        assert_allclose(s.capability, expect_k, rtol=1e-12)
    finally:
        s.capability = k


def test_co_membership_follows_membership_changes():
    model = SpaceModel(rng=1)
    s = model.state
    f = int(np.argmax(s.membership.sum(axis=0)))
    i = int(np.flatnonzero(s.membership[:, f])[0])
    before = s.co_membership().copy()
    model.leave_framework(i, f, "policy")
    after = s.co_membership()
    # Recomputed, not served stale: i no longer shares f with anyone (unless another framework links them).
    dense = np.zeros_like(before)
    for k in range(s.membership.shape[1]):
        m = s.membership[:, k]
        dense = np.maximum(dense, np.outer(m, m) * s.integration[k])
    np.fill_diagonal(dense, 0.0)
    assert_array_equal(after, dense)
    assert not np.array_equal(before, after)


def test_co_membership_of_overlapping_frameworks_is_the_highest_shared_integration():
    from spacesim.model.state import _co_membership

    membership = np.array([[1, 1], [1, 0], [1, 1], [0, 1]], dtype=bool)
    c = _co_membership(membership, np.array([0.3, 0.8]))
    expect = np.array([[0.0, 0.3, 0.8, 0.8], [0.3, 0.0, 0.3, 0.0], [0.8, 0.3, 0.0, 0.8], [0.8, 0.0, 0.8, 0.0]])
    assert_array_equal(c, expect)
    assert_array_equal(_co_membership(np.zeros((3, 0), dtype=bool), np.zeros(0)), np.zeros((3, 3)))


def test_trust_written_into_a_kept_array_is_trust(running):
    s = running.state
    out = np.full((s.n, s.n), np.nan)
    assert s.trust_into(out) is out
    assert_array_equal(out, s.trust)


def test_last_values_are_what_last_gives_each(running):
    recorder = running.recorder
    outcomes = ("step", "n_bilateral", "mean_trust", "debris", "n_leaks")
    values = recorder.last_values(outcomes)
    assert values == [recorder.last(k) for k in outcomes]
    assert [type(v) for v in values] == [int, int, float, float, int]


def _dense_bilateral_phase(model: SpaceModel, t: np.ndarray, total: np.ndarray, k_eff: np.ndarray) -> None:
    """Phase 3 as docs/model.md states it, on the whole U matrix taken at the phase's start."""
    s, p = model.state, model.p
    u, depth = bilateral.utility(s, p, t, total, k_eff)
    ends = bilateral.ending(u, depth, s.tie_depth, p)
    proposers, choice_draw = bilateral.draw_proposers(s.n, model.rng, p)
    for i, j, reason in ends:
        model.end_agreement(i, j, reason)
    np.copyto(s.tie_depth, depth, where=s.tie_depth > 0)
    offers = bilateral.choose_partners(proposers, u[proposers], depth[proposers], s.tie_depth[proposers], choice_draw)
    for a, b in bilateral.agreed(offers, np.array([u[j, i] > 0 for i, j in offers], dtype=bool)):
        model.form_agreement(a, b, depth[a, b])


@pytest.mark.parametrize("scenario", ["baseline", "unstable_politics"])
def test_selective_bilateral_phase_equals_the_dense_rule(scenario):
    """The model values only the pairs phase 3 reads; the phase must do what the dense rule does, step after step."""
    from spacesim.model.space_model import shipped_scenario

    spec = shipped_scenario(scenario)
    fast, dense = SpaceModel(spec, rng=4, steps=60), SpaceModel(spec, rng=4, steps=60)
    ended = 0
    for _ in range(60):
        fast.step()
        dense.step()
        for model, phase in ((fast, fast._bilateral_phase), (dense, lambda t, total, k: _dense_bilateral_phase(dense, t, total, k))):
            k_eff, _, _, total = security.coverage(model.state, model.p)
            phase(model.state.trust, total, k_eff)
        assert_array_equal(fast.state.tie_depth, dense.state.tie_depth)
        ended = int(fast.partnerships_frame()["end_reason"].notna().sum())
    pd.testing.assert_frame_equal(fast.partnerships_frame(), dense.partnerships_frame())
    assert ended, "some agreements must end for the comparison to cover ending"
