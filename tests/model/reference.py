"""The reference (oracle): every phase of a step written as docs/model.md states it, in plain N x N NumPy.

Nothing in spacesim calls these. The model runs compiled kernels that
evaluate only what each phase reads; the differential tests
(test_differential.py) check that each kernel gives what its reference gives,
on states from real runs. The references are written from the doc's
equations, independently of :mod:`spacesim.model.equations`, so that a
mistake in one is caught by the other.
"""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np

# ---------------------------------------------------------------- 3.3.1 security and coverage


def share_factor(p: SimpleNamespace) -> float:
    return 1.0 - p.strictness_share_loss * p.sharing_strictness


def security(cov: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    return 1.0 - np.exp(-cov / p.security_scale)


def gain_of_adding(base: np.ndarray, added: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    return np.exp(-base / p.security_scale) * (1.0 - np.exp(-added / p.security_scale))


def collective_security_share(k_eff: np.ndarray, total: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    sec, own = security(total, p), security(k_eff, p)
    return np.where(sec > 0, (sec - own) / np.maximum(sec, 1e-12), 0.0)


def effective_capability(state, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    return state.capability + p.commercial_integration * state.commercial


def bilateral_pooled(state, k_eff: np.ndarray, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    """X[i, j] = d[i, j] interop[i, j] sf k_eff[j]."""
    return state.tie_depth * state.interop * share_factor(p) * k_eff[None, :]


def framework_pooled(state, k_eff: np.ndarray, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    """Y[i, f] = (1 + bonus) I_f sf sum_{j != i} interop[i, j] k_eff[j] M[j, f]."""
    n, f = state.membership.shape
    out = np.zeros((n, f))
    for i in range(n):
        others = np.arange(n) != i
        for k in range(f):
            cover = (state.interop[i, others] * k_eff[others] * state.membership[others, k]).sum()
            out[i, k] = (1.0 + p.framework_standard_bonus) * state.integration[k] * share_factor(p) * cover
    return out


def coverage(state, p: SimpleNamespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # noqa: ANN001
    """k_eff, sum_j X[i, j], Y, total[i] = k_eff[i] + sum_j X[i, j] + sum_f M[i, f] Y[i, f]."""
    k_eff = effective_capability(state, p)
    x = bilateral_pooled(state, k_eff, p).sum(axis=1)
    y = framework_pooled(state, k_eff, p)
    return k_eff, x, y, k_eff + x + (state.membership * y).sum(axis=1)


# ---------------------------------------------------------------- 3.3.2, 3.3.3 trust and depth


def trust(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return alpha / (alpha + beta)


def decay(state, p: SimpleNamespace) -> None:  # noqa: ANN001
    state.alpha = state.prior_alpha + p.trust_memory * (state.alpha - state.prior_alpha)
    state.beta = state.prior_beta + p.trust_memory * (state.beta - state.prior_beta)


def record_evidence(state, good: np.ndarray, bad: np.ndarray, p: SimpleNamespace, t: np.ndarray) -> None:  # noqa: ANN001
    """alpha[i, j] += good[i, j] + [i != j] rho sum_{k != i} T[i, k] good[k, j] / max(N - 1, 1); likewise beta (hearsay weighted by trust in the teller)."""
    n = state.n
    heard = t * (1.0 - np.eye(n))  # nobody hears its own report
    off = 1.0 - np.eye(n)  # nobody hears about itself
    state.alpha = state.alpha + good + off * (p.reputation_spread * heard @ good / max(n - 1, 1))
    state.beta = state.beta + bad + off * (p.reputation_spread * heard @ bad / max(n - 1, 1))


def sharing_depth(t: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    return np.clip((np.minimum(t, t.T) - p.trust_floor) / (1.0 - p.trust_floor), 0.0, 1.0)


def co_membership(membership: np.ndarray, integration: np.ndarray) -> np.ndarray:
    out = np.zeros((membership.shape[0],) * 2)
    for k in range(membership.shape[1]):
        m = membership[:, k]
        out = np.maximum(out, np.outer(m, m) * integration[k])
    np.fill_diagonal(out, 0.0)
    return out


# ---------------------------------------------------------------- 3.3.4, 3.3.5 bilateral agreements


def leak_probability(depth: np.ndarray, reliable: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    return p.leak_rate * depth * (1.0 - reliable) * (1.0 - p.leak_protection * p.sharing_strictness)


def utility(state, p: SimpleNamespace, t: np.ndarray, total: np.ndarray, k_eff: np.ndarray, tie: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """U (N x N, -inf on the diagonal) and depth, with ``tie`` the agreements' depths (default: the state's)."""
    tie = state.tie_depth if tie is None else tie
    depth = sharing_depth(t, p)
    sf = share_factor(p)
    added = depth * state.interop * sf * k_eff[None, :]
    current = tie * state.interop * sf * k_eff[None, :]
    base = np.where(tie > 0, total[:, None] - current, total[:, None])
    gain = gain_of_adding(base, added, p) * (1.0 + p.threat_benefit_weight * state.threat[:, None])
    k = state.capability
    gap = np.maximum(0.0, k[:, None] - k[None, :]) / np.maximum(k[:, None] + k[None, :], 1e-12)
    cost = (
        p.transaction_cost * (1.0 - p.legal_clarity)
        + p.sovereignty_cost_bilateral * state.sovereignty[:, None] * depth
        + p.disparity_aversion * (1.0 + p.export_control) * depth * gap
        + leak_probability(depth, t, p) * security(total, p)[:, None]
    )
    u = gain - cost
    np.fill_diagonal(u, -np.inf)
    return u, depth


def ending(u: np.ndarray, depth: np.ndarray, tie_depth: np.ndarray, p: SimpleNamespace) -> list[tuple[int, int, str]]:
    """(i, j, reason), i < j: "distrust" (depth 0) first, then "not worth it" (a side's U < -exit_margin), each row-major."""
    i, j = np.nonzero(np.triu(tie_depth > 0, 1))
    distrust = depth[i, j] == 0
    unworthy = ~distrust & ((u[i, j] < -p.exit_margin) | (u[j, i] < -p.exit_margin))
    return [(a, b, "distrust") for a, b in zip(i[distrust].tolist(), j[distrust].tolist())] + [
        (a, b, "not worth it") for a, b in zip(i[unworthy].tolist(), j[unworthy].tolist())
    ]


def choose_partners(proposers: np.ndarray, u_rows: np.ndarray, depth_rows: np.ndarray, tie_rows: np.ndarray, choice_draw: np.ndarray) -> list[tuple[int, int]]:
    """(proposer, partner) by inverse CDF over the weights w = U where no agreement, depth > 0 and U > 0."""
    out = []
    for r, i in enumerate(np.asarray(proposers).tolist()):
        w = np.where((tie_rows[r] == 0) & (depth_rows[r] > 0) & (u_rows[r] > 0), u_rows[r], 0.0)
        cumulative = np.cumsum(w)
        total = cumulative[-1] if cumulative.size else 0.0
        j = min(int(np.searchsorted(cumulative, choice_draw[i] * total, side="right")), w.size - 1)
        if total > 0 and w[j] > 0:
            out.append((i, j))
    return out


def agreed(offers: list[tuple[int, int]], accepts: np.ndarray) -> list[tuple[int, int]]:
    return sorted({(min(i, j), max(i, j)) for (i, j), yes in zip(offers, accepts) if yes})


def proposals(u: np.ndarray, depth: np.ndarray, tie_depth: np.ndarray, rng: np.random.Generator, p: SimpleNamespace) -> list[tuple[int, int]]:
    n = u.shape[0]
    propose_draw, choice_draw = rng.random(n), rng.random(n)
    proposers = np.flatnonzero(propose_draw < p.proposal_rate)
    offers = choose_partners(proposers, u[proposers], depth[proposers], tie_depth[proposers], choice_draw)
    return agreed(offers, np.array([u[j, i] > 0 for i, j in offers], dtype=bool))


def bilateral_phase(model, t: np.ndarray, total: np.ndarray, k_eff: np.ndarray) -> None:  # noqa: ANN001
    """Phase 3 as docs/model.md states it, on the whole U matrix taken at the phase's start."""
    s, p = model.state, model.p
    u, depth = utility(s, p, t, total, k_eff)
    ends = ending(u, depth, s.tie_depth, p)
    n = s.n
    propose_draw, choice_draw = model.rng.random(n), model.rng.random(n)
    proposers = np.flatnonzero(propose_draw < p.proposal_rate)
    for i, j, reason in ends:
        model.end_agreement(i, j, reason)
    np.copyto(s.tie_depth, depth, where=s.tie_depth > 0)
    offers = choose_partners(proposers, u[proposers], depth[proposers], s.tie_depth[proposers], choice_draw)
    for a, b in agreed(offers, np.array([u[j, i] > 0 for i, j in offers], dtype=bool)):
        model.form_agreement(a, b, depth[a, b])


# ---------------------------------------------------------------- 3.3.6 frameworks


def required_trust(integration: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    return p.trust_floor + p.integration_trust_requirement * integration * (1.0 - p.trust_floor)


def membership_value(state, p: SimpleNamespace, total: np.ndarray, pooled: np.ndarray, expected: np.ndarray | None = None) -> np.ndarray:  # noqa: ANN001
    """V[i,f]: gain of adding the expected pool Y^e (default: today's pool Y) to total minus today's Y for a member, less the costs."""
    expected = pooled if expected is None else expected
    base = total[:, None] - pooled * state.membership
    gain = gain_of_adding(base, expected, p) * (1.0 + p.threat_benefit_weight * state.threat[:, None])
    return gain - p.sovereignty_cost_multilateral * state.sovereignty[:, None] * state.integration[None, :] - p.transaction_cost * (1.0 - p.legal_clarity)


def mutual_trust_with_members(membership: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, f = membership.shape
    given, received = np.full((n, f), np.nan), np.full((n, f), np.nan)
    for i in range(n):
        for k in range(f):
            others = [j for j in np.flatnonzero(membership[:, k]) if j != i]
            if others:
                given[i, k] = t[i, others].mean()
                received[i, k] = t[others, i].min()
    return given, received


# ---------------------------------------------------------------- 3.3.6 frameworks as clubs: consent, lead, expected members, invitation


def admitted(state, t: np.ndarray, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    """admitted[j,f]: the members' consent: all of them trust j at least required[f] when I_f >= unanimity_integration, more than half otherwise."""
    m = state.membership.astype(float)
    required = required_trust(state.integration, p)
    votes = ((t[:, :, None] >= required[None, None, :]) * m[:, None, :]).sum(axis=0)  # votes[j,f] = sum_m M[m,f] [T[m,j] >= required[f]]
    count = m.sum(axis=0)[None, :]
    unanimity = (state.integration >= p.unanimity_integration)[None, :]
    return (count > 0) & np.where(unanimity, votes == count, 2 * votes > count)


def lead(state, t: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """The acting lead of each framework: the declared one while a member, else the member the others trust most on average (-1 if none)."""
    out = np.full(state.membership.shape[1], -1)
    for k in range(state.membership.shape[1]):
        members = np.flatnonzero(state.membership[:, k])
        declared = state.framework_lead[k]
        if declared >= 0 and state.membership[declared, k]:
            out[k] = declared
        elif members.size:
            received = [t[np.setdiff1d(members, [a]), a].mean() if members.size > 1 else 0.0 for a in members]
            out[k] = members[int(np.argmax(received))]
    return out


def decisions(
    state, p: SimpleNamespace, t: np.ndarray, k_eff: np.ndarray, total: np.ndarray, pooled: np.ndarray, rng: np.random.Generator
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]], list[tuple[int, int, int]]]:  # noqa: ANN001
    """Leavers (distrust first, then not worth it, each in (nation, framework) order), joiners and accepted invitations
    (lead, nation, framework) (nation order)."""
    n, f = state.membership.shape
    if f == 0:
        return [], [], []
    reconsider = rng.random(n) < p.membership_rate
    invite_draw = rng.random(f)
    member = state.membership
    required = required_trust(state.integration, p)[None, :]
    given, _ = mutual_trust_with_members(member, t)
    consent = admitted(state, t, p)
    leads = lead(state, t)
    lead_trust = np.where(leads[None, :] >= 0, t[np.maximum(leads, 0), :].T, -np.inf)  # [j,f] = T[lead_f, j]
    with np.errstate(invalid="ignore"):
        trusting = given >= required  # NaN (no other member) is not trust
    value_now = membership_value(state, p, total, pooled)
    invitable = state.framework_open[None, :] | state.ever_member | (lead_trust >= required)
    expected = member | (invitable & consent & trusting & (value_now > 0))
    # Y^e[i,f] = (1 + bonus) I_f sf sum_{j != i} interop[i,j] k_eff[j] E[j,f]
    reach = state.interop * k_eff[None, :]
    np.fill_diagonal(reach, 0.0)
    y_expected = (1.0 + p.framework_standard_bonus) * state.integration[None, :] * share_factor(p) * (reach @ expected.astype(float))
    value = np.where(member, membership_value(state, p, total, pooled, y_expected), value_now)  # members: the expected; outsiders: today's
    tt = t.copy()
    np.fill_diagonal(tt, 0.0)
    others = expected.sum(axis=0)[None, :] - expected
    with np.errstate(invalid="ignore", divide="ignore"):
        given_expected = np.where(others > 0, (tt @ expected.astype(float)) / others, np.nan)
    admissible = ~member & consent & trusting
    invited = np.full(f, -1)
    for k in range(f):
        if leads[k] >= 0 and invite_draw[k] < p.invitation_rate * (1.0 - state.integration[k]):
            candidates = admissible[:, k] & (lead_trust[:, k] >= required[0, k]) & (value[:, k] > 0)
            if candidates.any():
                invited[k] = int(np.argmax(np.where(candidates, lead_trust[:, k], -np.inf)))
    m = member & reconsider[:, None]
    with np.errstate(invalid="ignore"):
        distrust = m & (given_expected < required)
    unworthy = m & ~distrust & (value < -p.exit_margin)
    leavers = [(i, k, "distrust") for i, k in zip(*map(np.ndarray.tolist, np.nonzero(distrust)))]
    leavers += [(i, k, "not worth it") for i, k in zip(*map(np.ndarray.tolist, np.nonzero(unworthy)))]
    was_invited = invited[None, :] == np.arange(n)[:, None]
    may_apply = reconsider[:, None] & (state.framework_open[None, :] | state.ever_member)
    can_join = admissible & (value > 0) & (may_apply | was_invited)
    joiners, invitations = [], []
    for i in range(n):
        if can_join[i].any():
            k = int(np.argmax(np.where(can_join[i], value[i], -np.inf)))
            joiners.append((i, k))
            if invited[k] == i:
                invitations.append((int(leads[k]), i, k))
    return leavers, joiners, invitations


# ---------------------------------------------------------------- 3.3.7 cooperation round


def play_round(
    intensity: np.ndarray, state, k_eff: np.ndarray, total: np.ndarray, p: SimpleNamespace, draws: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:  # noqa: ANN001
    """good, bad (N x N, [observer, actor]) and the leaks (leaker, victim), from the round's (3, N, N) uniform draws.

    Arrays [a, o] are indexed actor, observer (the draws' layout); transposed to [observer, actor] at the end.
    """
    w = intensity  # symmetric
    r = state.reliability
    added = w * state.interop * share_factor(p) * k_eff[None, :]  # [a, o]: what o's cooperation adds to a
    b = gain_of_adding(total[:, None] - added, added, p) * (1.0 + p.threat_benefit_weight * state.threat[:, None])
    shadow = p.continuation * (1.0 - p.government_change_rate * (1.0 - state.stability))
    pays = np.exp(-shadow[:, None] * b / p.defection_temptation) if p.defection_temptation > 0 else np.zeros_like(b)
    defect = draws[0] < (1.0 - r[:, None]) * pays
    detect = p.defection_detection + (1.0 - p.defection_detection) * p.legal_clarity
    seen = np.where(defect, draws[1] < detect, draws[1] < p.misperception * (1.0 - p.legal_clarity)).T  # [observer, actor]
    good = np.where((w > 0) & ~seen, w * p.trust_gain, 0.0)
    bad = np.where((w > 0) & seen, w * p.trust_loss, 0.0)
    leak = (w > 0) & (draws[2] < leak_probability(w, r[None, :], p))  # [victim, leaker]
    bad = bad + leak * p.leak_trust_damage
    victims, leakers = np.nonzero(leak)
    return good, bad, list(zip(leakers.tolist(), victims.tolist()))


# ---------------------------------------------------------------- 3.3.8-3.3.12 environment


def assessed_threat(state, t: np.ndarray, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    hostile = (1.0 - t) * (state.counterspace * state.capability)[None, :]
    np.fill_diagonal(hostile, 0.0)
    others = state.capability.sum() - state.capability
    return p.debris_threat_weight * state.debris / (state.debris + p.debris_reference) + p.rival_threat_weight * hostile.sum(axis=1) / np.maximum(others, 1e-12)


def moved_threat(state, t: np.ndarray, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    target = np.clip(state.base_threat + assessed_threat(state, t, p), 0.0, 1.0)
    return np.clip(p.threat_inertia * state.threat + (1.0 - p.threat_inertia) * target, 0.0, 1.0)


def asat_testers(state, t: np.ndarray, p: SimpleNamespace, draws: np.ndarray) -> list[int]:  # noqa: ANN001
    n = state.n
    distrust = ((1.0 - t) * (1.0 - np.eye(n))).sum(axis=1) / max(n - 1, 1)
    h = 1.0 - p.norm_deterrence * state.norm
    rate = np.clip(p.asat_rate * state.counterspace * h * (p.asat_distrust_offset + distrust), 0.0, 1.0)
    return np.flatnonzero(draws < rate).tolist()


def partners(tie_depth: np.ndarray, co_member: np.ndarray) -> np.ndarray:
    return ((tie_depth > 0) | (co_member > 0)).sum(axis=1)


def cyber_attacks(state, t: np.ndarray, n_partners: np.ndarray, p: SimpleNamespace, draws: np.ndarray) -> list[tuple[int, int]]:  # noqa: ANN001
    masked = t + np.diag(np.full(state.n, np.inf))
    target = masked.argmin(axis=1)
    h = 1.0 - p.norm_deterrence * state.norm
    rate = np.clip(p.cyber_rate * state.counterspace * h / (1.0 + p.alliance_deterrence * n_partners[target]), 0.0, 1.0)
    attackers = np.flatnonzero(draws < rate)
    return list(zip(attackers.tolist(), target[attackers].tolist()))


def debris_step(debris: float, p: SimpleNamespace, rng: np.random.Generator) -> tuple[float, int]:
    collisions = int(rng.poisson(p.collision_rate * debris**2 * max(0.0, 1.0 - debris / p.debris_capacity)))
    return max(debris + p.debris_source - p.debris_decay * debris + collisions * p.collision_fragments, 0.0), collisions


def norm_participation(membership: np.ndarray) -> float:
    return float(membership.any(axis=1).mean()) if membership.shape[1] else 0.0


# ---------------------------------------------------------------- 3.3.13 politics, 3.3.14 capability


def government_changes(stability: np.ndarray, p: SimpleNamespace, draws: np.ndarray) -> list[int]:
    return np.flatnonzero(draws < p.government_change_rate * (1.0 - stability)).tolist()


def forget(state, i: int, p: SimpleNamespace) -> None:  # noqa: ANN001
    """A new government in i: its own evidence (row i) and, but for its own entry, others' evidence about it (column i) move toward the prior."""
    keep = 1.0 - p.reversal_trust_reset
    state.alpha[i] = state.prior_alpha[i] + keep * (state.alpha[i] - state.prior_alpha[i])
    state.beta[i] = state.prior_beta[i] + keep * (state.beta[i] - state.prior_beta[i])
    aside = 1.0 - p.reputation_reset
    others = np.arange(state.n) != i
    state.alpha[others, i] = state.prior_alpha[others, i] + aside * (state.alpha[others, i] - state.prior_alpha[others, i])
    state.beta[others, i] = state.prior_beta[others, i] + aside * (state.beta[others, i] - state.prior_beta[others, i])


def condemn(state, actor: int, weight: float, victim: int | None = None) -> float:  # noqa: ANN001
    """Every other nation adds ``weight`` defection evidence against ``actor`` (twice for the victim); the mean fall in others' trust in it."""
    before = state.trust_in(actor)
    state.beta[:, actor] += weight
    if victim is not None:
        state.beta[victim, actor] += weight
    state.beta[actor, actor] -= weight
    others = np.arange(state.n) != actor
    return float((before - state.trust_in(actor))[others].mean())


def reliability_quantile(u: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """The u quantile of Beta(m c, (1 - m) c), by scipy.stats (independently of the model's scipy.special call)."""
    from scipy.stats import beta

    return beta.ppf(u, p.reliability_mean * p.reliability_concentration, (1.0 - p.reliability_mean) * p.reliability_concentration)


def grown_capability(state, p: SimpleNamespace) -> np.ndarray:  # noqa: ANN001
    k = state.capability
    gap = np.maximum(0.0, k[None, :] - k[:, None])
    transfer = np.minimum((state.tie_depth * state.interop * gap).sum(axis=1), gap.max(axis=1))
    return np.maximum(k * (1.0 + state.growth) + p.tech_transfer_rate * (1.0 - p.export_control) * transfer, 0.0)


def harmonised(interop: np.ndarray, co_member: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    return np.where(co_member > 0, interop + p.interoperability_growth * (1.0 - interop), interop)


# ---------------------------------------------------------------- 5 outcomes (the record)


def gini(values: np.ndarray) -> float:
    v = np.sort(values)
    n, total = v.size, v.sum()
    if n == 0 or total <= 0:
        return 0.0
    return float(np.abs(v[:, None] - v[None, :]).sum() / (2 * n * total))


def esteban_ray(values: np.ndarray, alpha: float = 1.0, bins: int = 10) -> float:
    """Esteban & Ray (1994) polarisation of values in [0, 1] grouped in ``bins`` equal bins, each at its mean, over its largest value 0.5^(1+α) (section 5)."""
    if values.size == 0:
        return np.nan
    group = np.minimum((values * bins).astype(int), bins - 1)
    shares = np.array([np.mean(group == g) for g in range(bins)])
    means = np.array([values[group == g].mean() if (group == g).any() else 0.0 for g in range(bins)])
    gaps = np.abs(means[:, None] - means[None, :])
    return float((shares[:, None] ** (1 + alpha) * shares[None, :] * gaps).sum() / 0.5 ** (1 + alpha))


def reliability_correlation(reliability: np.ndarray, received: np.ndarray) -> float:
    """Pearson correlation of the governments' reliabilities and the trust received (3.3.18); NaN if N < 3 or either has no spread."""
    if reliability.size < 3 or np.ptp(reliability) <= 1e-12 or np.ptp(received) <= 1e-12:
        return np.nan
    return float(np.corrcoef(reliability, received)[0, 1])


def world_outcomes(state, p: SimpleNamespace) -> dict[str, float]:  # noqa: ANN001
    """The step's world outcomes computed from the state as section 5.1 defines them (the event counts aside)."""
    n = state.n
    t = trust(state.alpha, state.beta)
    off = ~np.eye(n, dtype=bool)
    k_eff, _, _, total = coverage(state, p)
    co = co_membership(state.membership, state.integration)
    ties = state.tie_depth > 0
    linked = (ties | (co > 0)) & off
    n_bilateral = int(ties.sum() // 2)
    n_memberships = int(state.membership.sum())
    same = (state.bloc[:, None] == state.bloc[None, :]) & (state.bloc[:, None] >= 0) & off
    between = (state.bloc[:, None] != state.bloc[None, :]) & (state.bloc[:, None] >= 0) & (state.bloc[None, :] >= 0)
    graph = nx.from_numpy_array(linked.astype(int))
    pairs = n * (n - 1)
    within = t[same].mean() if same.any() else np.nan
    across = t[between].mean() if between.any() else np.nan
    both = n_bilateral + n_memberships
    return {
        "n_bilateral": n_bilateral,
        "n_memberships": n_memberships,
        "bilateral_share": n_bilateral / both if both else np.nan,
        "tie_density": linked.sum() / pairs,
        "tie_clustering": nx.average_clustering(graph),
        "bilateral_density": (ties & off).sum() / pairs,
        "bilateral_clustering": nx.average_clustering(nx.from_numpy_array((ties & off).astype(int))),
        "mean_trust": t[off].mean(),
        "trust_within_blocs": within,
        "trust_between_blocs": across,
        "bloc_trust_gap": within - across,
        "esteban_ray_polarisation": esteban_ray(t[off]),
        "trust_spread": t[off].std() / 0.5,
        "trust_reliability_correlation": reliability_correlation(state.reliability, np.where(off, t, 0.0).sum(axis=0) / max(n - 1, 1)),
        "capability_gini": gini(state.capability),
        "mean_security": security(total, p).mean(),
        "collective_security": collective_security_share(k_eff, total, p).mean(),
        "debris": state.debris,
        "threat_level": state.threat.mean(),
        "norm_strength": state.norm,
    }


# ---------------------------------------------------------------- 1.3 the order of a step


def phase_by_phase_step(model) -> None:  # noqa: ANN001
    """One step as docs/model.md 1.3 orders it, each phase a Python call to the rules' public functions (the compiled pass must do exactly this)."""
    from spacesim.model import events
    from spacesim.model.rules import capability as capability_rule
    from spacesim.model.rules import cooperation, environment, frameworks, politics
    from spacesim.model.rules import security as security_rule
    from spacesim.model.rules import trust as trust_rule

    s, p, rng = model.state, model.p, model.rng
    model._formed = model._ended = 0
    trust_rule.decay(s, p)
    model._scheduled_events()
    t = s.trust
    for i in environment.draw_asat_tests(s, t, p, rng):
        events.happen(model, "asat_test", i)
        t[:, i] = s.trust_in(i)
    n_partners = environment.count_partners(s.tie_depth, s.co_membership())
    for i, j in environment.draw_cyber_attacks(s, t, n_partners, p, rng):
        events.happen(model, "cyber_attack", i, j)
        t[:, i] = s.trust_in(i)
    s.debris, n_collisions = environment.debris_step(s.debris, p, rng)
    if n_collisions:
        model.call(events.collisions, p.record, int(n_collisions))
    environment.update_norm(s, p)
    s.threat[:] = _threat_now(environment, s, t, p)
    k_eff, _, pooled, total = security_rule.coverage(s, p)
    if p.allow_bilateral:
        kernel_bilateral_phase(model, t, total, k_eff)
    else:
        rng.random(2 * s.n)
        for i, j in zip(*np.nonzero(np.triu(s.tie_depth > 0, 1))):
            model.end_agreement(int(i), int(j), "policy")
    if s.membership.shape[1]:
        if p.allow_multilateral:
            k_eff, _, pooled, total = security_rule.coverage(s, p, pooled=pooled)
            leavers, joiners, invitations = frameworks.decisions(s, p, t, k_eff, total, pooled, rng)
            for i, f, reason in leavers:
                model.leave_framework(i, f, reason)
            leads = {(i, f): lead for lead, i, f in invitations}
            for i, f in joiners:
                if (i, f) in leads:
                    model.call(events.invitation, int(leads[i, f]), int(i), int(f))
                model.join_framework(i, f)
        else:
            rng.random(s.n + s.membership.shape[1])
            for i, f in zip(*np.nonzero(s.membership)):
                model.leave_framework(int(i), int(f), "policy")
    co = s.co_membership()
    k_eff, _, _, total = security_rule.coverage(s, p)
    outcome = cooperation.play_round(np.maximum(s.tie_depth, co), s, k_eff, total, p, rng)
    trust_rule.record_evidence_at(s, outcome.observers, outcome.actors, outcome.good_at, outcome.bad_at, p, trust=t)
    for leaker, victim in outcome.leaks:
        model.call(events.log_leak, int(leaker), int(victim), float(t[victim, leaker]), False)
    s.capability[:] = _grown(capability_rule, s, p)
    capability_rule.harmonise(s, co, p)
    for i in politics.draw_government_changes(s, p, rng):
        events.happen(model, "government_change", i)
    model._record()
    if model.steps >= model.spec.steps:
        model.running = False


def _threat_now(environment, s, t, p) -> np.ndarray:  # noqa: ANN001
    """The threat update of phase 2, into a copy (the model writes it in place)."""
    keep = s.threat
    s.threat = s.threat.copy()
    environment.update_threat(s, t, p)
    moved, s.threat = s.threat, keep
    return moved


def _grown(capability_rule, s, p) -> np.ndarray:  # noqa: ANN001
    keep = s.capability
    s.capability = s.capability.copy()
    capability_rule.grow(s, p)
    grown, s.capability = s.capability, keep
    return grown


def kernel_bilateral_phase(model, t: np.ndarray, total: np.ndarray, k_eff: np.ndarray) -> None:  # noqa: ANN001
    """Phase 3 through the rules' public functions (the kernels the compiled pass runs), values taken at the phase's start."""
    from spacesim.model.rules import bilateral

    s, p = model.state, model.p
    proposers, choice_draw = bilateral.draw_proposers(s.n, model.rng, p)
    tie_then = s.tie_depth[proposers].copy()
    ends, _, _ = bilateral.review_agreements(s, p, t, total, k_eff)
    for i, j, reason in ends:
        model.end_agreement(i, j, reason)
    for a, b, depth in bilateral.new_agreements(s, p, t, total, k_eff, proposers, choice_draw, tie_then):
        model.form_agreement(a, b, depth)
