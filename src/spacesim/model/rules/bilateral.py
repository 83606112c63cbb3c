"""C1, C3, C4, C5, C6, C10: the value of a bilateral agreement to each side.

U[i, j] = (1 + w_threat theta_i) * dSecurity_i(j)
          - transaction_cost (1 - legal_clarity)
          - sovereignty_cost_bilateral s_i d_ij
          - disparity_aversion (1 + export_control) d_ij max(0, k_i - k_j) / (k_i + k_j)
          - P(leak by j) security_i
Proposals go to a partner drawn in proportion to its value; the other side
accepts when its own value is positive (no agreement without both sides' consent).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..state import WorldState, parameter_record


def leak_probability(depth: np.ndarray, trust: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Chance per step that j leaks what i shares: deeper sharing with less trusted partners leaks more (C10).

    ``trust`` is T[i, j]; the result is indexed [i, j].
    """
    return p.leak_rate * depth * (1.0 - trust) * (1.0 - 0.5 * p.sharing_strictness)


def utility(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Net value U[i, j] to i of an agreement with j at the depth trust allows, and that depth (N x N).

    For an existing agreement the benefit is what losing it would cost; for a
    new one, what adding it would bring. The model itself evaluates only the
    entries phase 3 reads (:func:`review_agreements`, :func:`new_agreements`),
    with the same per-pair formula.
    """
    return utility_rows(state, p, trust, total, k_eff, np.arange(state.n))


def depth_at(trust: np.ndarray, i: np.ndarray | int, j: np.ndarray | int, p: SimpleNamespace) -> np.ndarray:
    """:func:`~spacesim.model.rules.trust.sharing_depth` for the pairs (i, j) only."""
    return np.clip((np.minimum(trust[i, j], trust[j, i]) - p.trust_floor) / (1.0 - p.trust_floor), 0.0, 1.0)


def utility_at(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray, i: np.ndarray, j: np.ndarray, tie: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """U[i, j] and the depth trust allows, for index arrays ``i`` and ``j`` (broadcast together, results flattened).

    ``tie`` overrides the current depth of agreement between i and j (as
    it stood when the step's values were taken). U[i, i] is -inf.
    """
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    if i.shape != j.shape or i.ndim != 1:
        i, j = (np.ascontiguousarray(x).ravel() for x in np.broadcast_arrays(i, j))
    tie = state.tie_depth[i, j] if tie is None else np.asarray(tie, dtype=np.float64).ravel()
    return _value_pairs(i, j, tie, trust, state.interop, total, k_eff, state.threat, state.capability, state.sovereignty, parameter_record(p))


def utility_rows(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray, rows: np.ndarray, tie_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``rows`` of U and of the depth trust allows (len(rows) x N).

    ``tie_rows`` overrides those rows of the agreement depths.
    """
    rows = np.asarray(rows, dtype=np.int64)
    tie = state.tie_depth[rows] if tie_rows is None else np.ascontiguousarray(tie_rows, dtype=np.float64)
    return _value_rows(rows, tie, trust, state.interop, total, k_eff, state.threat, state.capability, state.sovereignty, parameter_record(p))


@njit(cache=True)
def _pair_value(same, t_ij, t_ji, interop_ij, tie, total_i, k_j, threat_i, cap_i, cap_j, sovereignty_i, own_security_i, exposure_i, p):  # noqa: ANN001, ANN202 - compiled
    """U[i, j] and depth[i, j] for one pair: the formula of the module docstring (docs/model.md 3.3.4).

    Scalars only (arrays passed to a compiled call cost reference counting):
    ``same`` is i == j, ``own_security_i`` is security(total_i) and
    ``exposure_i`` is exp(-total_i / kappa), the factor of a new tie's gain.
    """
    depth = (min(t_ij, t_ji) - p.trust_floor) / (1.0 - p.trust_floor)  # = sharing_depth
    if depth < 0.0:
        depth = 0.0
    elif depth > 1.0:
        depth = 1.0
    sf = 1.0 - 0.25 * p.sharing_strictness  # = security.share_factor
    added = depth * interop_ij * sf * k_j
    scale = -p.security_scale
    if tie > 0:  # an existing tie is worth what losing it (at today's depth) would cost
        remaining = np.exp((total_i - tie * interop_ij * sf * k_j) / scale)
    else:
        remaining = exposure_i
    gain = remaining * (1.0 - np.exp(added / scale)) * (1.0 + p.threat_benefit_weight * threat_i)  # = security.gain_of_adding
    gap = max(0.0, cap_i - cap_j) / max(cap_i + cap_j, 1e-12)
    cost = (
        p.transaction_cost * (1.0 - p.legal_clarity)
        + p.sovereignty_cost_bilateral * sovereignty_i * depth
        + p.disparity_aversion * (1.0 + p.export_control) * depth * gap
        + p.leak_rate * depth * (1.0 - t_ij) * (1.0 - 0.5 * p.sharing_strictness) * own_security_i  # = leak_probability x security
    )
    return (-np.inf if same else gain - cost), depth


@njit(cache=True)
def _exposure(total, p):  # noqa: ANN001, ANN202 - compiled
    """exp(-total_i / kappa) per nation: 1 - security (security.security), and the factor of a new tie's gain."""
    out = np.empty(total.size)
    for i in range(total.size):
        out[i] = np.exp(total[i] / -p.security_scale)
    return out


@njit(cache=True)
def _value_rows(rows, tie_rows, trust, interop, total, k_eff, threat, capability, sovereignty, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    n = trust.shape[0]
    exposure = _exposure(total, p)
    own = 1.0 - exposure
    u = np.empty((rows.size, n))
    depth = np.empty((rows.size, n))
    for r in range(rows.size):
        i = rows[r]
        for j in range(n):
            u[r, j], depth[r, j] = _pair_value(
                i == j, trust[i, j], trust[j, i], interop[i, j], tie_rows[r, j], total[i], k_eff[j], threat[i], capability[i], capability[j], sovereignty[i], own[i], exposure[i], p
            )
    return u, depth


@njit(cache=True)
def _value_pairs(i, j, tie, trust, interop, total, k_eff, threat, capability, sovereignty, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    exposure = _exposure(total, p)
    own = 1.0 - exposure
    u = np.empty(i.size)
    depth = np.empty(i.size)
    for k in range(i.size):
        a, b = i[k], j[k]
        u[k], depth[k] = _pair_value(a == b, trust[a, b], trust[b, a], interop[a, b], tie[k], total[a], k_eff[b], threat[a], capability[a], capability[b], sovereignty[a], own[a], exposure[a], p)
    return u, depth


def review_agreements(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray) -> tuple[list[tuple[int, int, str]], np.ndarray, np.ndarray]:
    """Phase 3's review of every agreement, valued at the phase's start: which end, and every survivor takes today's depth.

    Returns the endings (i, j, reason) as :func:`ending` lists them
    ("distrust" first, then "not worth it", each in row-major order) and
    the agreements' pairs (i < j). Survivors' depths are written into
    ``state.tie_depth`` at once; the caller ends the others.
    """
    ti, tj, codes = _review(state.tie_depth, trust, state.interop, total, k_eff, state.threat, state.capability, state.sovereignty, parameter_record(p))
    ends = []
    if np.count_nonzero(codes):  # (ndarray.any() costs ~1 us more on a few dozen values)
        for code, reason in ((1, "distrust"), (2, "not worth it")):
            at = codes == code
            ends += [(i, j, reason) for i, j in zip(ti[at].tolist(), tj[at].tolist())]
    return ends, ti, tj


@njit(cache=True)
def _review(tie_depth, trust, interop, total, k_eff, threat, capability, sovereignty, record):  # noqa: ANN001, ANN202 - compiled
    """Agreements (i < j, row-major), their fate (0 kept, 1 distrust, 2 not worth it), survivors re-depthed in place (ending_at's rule)."""
    p = record[0]
    n = tie_depth.shape[0]
    exposure = _exposure(total, p)
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            if tie_depth[i, j] > 0:
                count += 1
    ti = np.empty(count, dtype=np.int64)
    tj = np.empty(count, dtype=np.int64)
    codes = np.zeros(count, dtype=np.int8)
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            tie = tie_depth[i, j]
            if tie > 0:
                u_ij, depth = _pair_value(False, trust[i, j], trust[j, i], interop[i, j], tie, total[i], k_eff[j], threat[i], capability[i], capability[j], sovereignty[i], 1.0 - exposure[i], exposure[i], p)
                u_ji, _ = _pair_value(False, trust[j, i], trust[i, j], interop[j, i], tie, total[j], k_eff[i], threat[j], capability[j], capability[i], sovereignty[j], 1.0 - exposure[j], exposure[j], p)
                if depth == 0:
                    codes[k] = 1
                elif u_ij < -p.exit_margin or u_ji < -p.exit_margin:
                    codes[k] = 2
                else:
                    tie_depth[i, j] = tie_depth[j, i] = depth  # depth is symmetric: it follows the lower of the two trusts
                ti[k], tj[k] = i, j
                k += 1
    return ti, tj, codes


def new_agreements(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray, proposers: np.ndarray, choice_draw: np.ndarray, tie_then: np.ndarray) -> list[tuple[int, int, float]]:
    """Phase 3's proposals: (i, j, depth) of every agreement both sides want, i < j, sorted, each once.

    Each proposer's row of U is valued with ``tie_then`` (its agreements
    at the phase's start) and its partner drawn among today's non-partners
    (:func:`choose_partners`); the receiver accepts when its own value,
    also taken at the phase's start, is positive (:func:`agreed`).
    """
    if proposers.size == 0:
        return []
    a, b, depth = _proposals(proposers, choice_draw, tie_then, state.tie_depth, trust, state.interop, total, k_eff, state.threat, state.capability, state.sovereignty, parameter_record(p))
    return list(zip(a.tolist(), b.tolist(), depth.tolist()))


@njit(cache=True)
def _proposals(proposers, choice_draw, tie_then, tie_now, trust, interop, total, k_eff, threat, capability, sovereignty, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    n = trust.shape[0]
    exposure = _exposure(total, p)
    weight = np.empty(n)
    cumulative = np.empty(n)
    agreed_pairs = np.empty(proposers.size, dtype=np.int64)  # min(i, j) * n + max(i, j)
    m = 0
    for r in range(proposers.size):
        i = proposers[r]
        total_weight = 0.0
        for j in range(n):
            u, depth = _pair_value(i == j, trust[i, j], trust[j, i], interop[i, j], tie_then[r, j], total[i], k_eff[j], threat[i], capability[i], capability[j], sovereignty[i], 1.0 - exposure[i], exposure[i], p)
            weight[j] = u if (tie_now[i, j] == 0 and depth > 0 and u > 0) else 0.0
            total_weight += weight[j]
            cumulative[j] = total_weight
        target = choice_draw[i] * total_weight
        below = 0  # as _choose: the first j whose cumulative weight exceeds the draw
        for j in range(n):
            if cumulative[j] <= target:
                below += 1
        j = min(below, n - 1)
        if total_weight > 0 and weight[j] > 0:
            u_back, _ = _pair_value(False, trust[j, i], trust[i, j], interop[j, i], tie_then[r, j], total[j], k_eff[i], threat[j], capability[j], capability[i], sovereignty[j], 1.0 - exposure[j], exposure[j], p)
            if u_back > 0:
                agreed_pairs[m] = min(i, j) * n + max(i, j)
                m += 1
    pairs = np.unique(agreed_pairs[:m])
    a = pairs // n
    b = pairs % n
    depth = np.empty(pairs.size)
    for k in range(pairs.size):
        d = (min(trust[a[k], b[k]], trust[b[k], a[k]]) - p.trust_floor) / (1.0 - p.trust_floor)  # = depth_at
        depth[k] = 0.0 if d < 0.0 else (1.0 if d > 1.0 else d)
    return a, b, depth


def draw_proposers(n: int, rng: np.random.Generator, p: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    """Nations that propose this step (each with probability ``proposal_rate``) and every nation's choice draw.

    Always 2n draws, whoever proposes, so the random stream stays aligned across policy variants.
    """
    propose_draw, choice_draw = rng.random(n), rng.random(n)
    return (propose_draw < p.proposal_rate).nonzero()[0], choice_draw


def choose_partners(proposers: np.ndarray, u_rows: np.ndarray, depth_rows: np.ndarray, tie_rows: np.ndarray, choice_draw: np.ndarray) -> list[tuple[int, int]]:
    """(proposer, partner) for each proposer with somebody worth proposing to.

    ``u_rows``, ``depth_rows``, ``tie_rows`` are the proposers' rows of U,
    depth and current agreements. The partner is drawn among non-partners
    with probability proportional to positive value.
    """
    n = u_rows.shape[1] if u_rows.ndim == 2 else 0
    if n == 0 or len(proposers) == 0:
        return []
    senders, receivers = _choose(np.asarray(proposers, dtype=np.int64), u_rows, depth_rows, np.ascontiguousarray(tie_rows, dtype=np.float64), choice_draw)
    return list(zip(senders.tolist(), receivers.tolist()))


@njit(cache=True)
def _choose(proposers, u_rows, depth_rows, tie_rows, choice_draw):  # noqa: ANN001, ANN202 - compiled
    """Inverse-CDF draw per proposer: the first j whose cumulative weight exceeds draw x total (docs/model.md 3.3.5)."""
    m, n = u_rows.shape
    senders = np.empty(m, dtype=np.int64)
    receivers = np.empty(m, dtype=np.int64)
    weight = np.empty(n)
    cumulative = np.empty(n)
    chosen = 0
    for r in range(m):
        total = 0.0
        for j in range(n):
            u = u_rows[r, j]
            weight[j] = u if (tie_rows[r, j] == 0 and depth_rows[r, j] > 0 and u > 0) else 0.0
            total += weight[j]
            cumulative[j] = total
        target = choice_draw[proposers[r]] * total
        below = 0  # entries <= target: np.searchsorted(cumulative, target, side="right")
        for j in range(n):
            if cumulative[j] <= target:
                below += 1
        j = min(below, n - 1)
        if total > 0 and weight[j] > 0:
            senders[chosen] = proposers[r]
            receivers[chosen] = j
            chosen += 1
    return senders[:chosen], receivers[:chosen]


def agreed(offers: list[tuple[int, int]], accepts: np.ndarray) -> list[tuple[int, int]]:
    """New agreements from offers and whether each receiver accepts: (i, j) pairs with i < j, sorted, each once."""
    return sorted({(min(i, j), max(i, j)) for (i, j), yes in zip(offers, accepts) if yes})


def proposals(u: np.ndarray, depth: np.ndarray, tie_depth: np.ndarray, rng: np.random.Generator, p: SimpleNamespace) -> list[tuple[int, int]]:
    """New agreements this step: (i, j) pairs with i < j, each wanted by both sides.

    Each nation proposes, with probability ``proposal_rate``, to one non-partner
    drawn with probability proportional to its positive value U[i, j] (so a
    refusal does not block every other option); the receiver accepts if its
    own value U[j, i] is positive.
    """
    proposers, choice_draw = draw_proposers(u.shape[0], rng, p)
    if proposers.size == 0:
        return []
    offers = choose_partners(proposers, u[proposers], depth[proposers], tie_depth[proposers], choice_draw)
    return agreed(offers, np.array([u[j, i] > 0 for i, j in offers], dtype=bool))


def ending(u: np.ndarray, depth: np.ndarray, tie_depth: np.ndarray, p: SimpleNamespace) -> list[tuple[int, int, str]]:
    """Agreements that end this step: (i, j, reason) with i < j.

    An agreement ends when mutual trust no longer supports any sharing
    ("distrust") or one side's value falls below ``-exit_margin`` ("not worth it").
    """
    i, j = agreement_pairs(tie_depth)
    return ending_at(i, j, u[i, j], u[j, i], depth[i, j], p)


def agreement_pairs(tie_depth: np.ndarray, positions: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of every agreement, i < j, in row-major order.

    ``positions`` are the rows and columns of every ``tie_depth > 0`` entry in
    row-major order, when already known (:meth:`WorldState.agreements`).
    """
    i, j = np.divmod(np.flatnonzero(tie_depth > 0), tie_depth.shape[0]) if positions is None else positions
    upper = i < j
    return i[upper], j[upper]


def ending_at(i: np.ndarray, j: np.ndarray, u_ij: np.ndarray, u_ji: np.ndarray, depth: np.ndarray, p: SimpleNamespace) -> list[tuple[int, int, str]]:
    """:func:`ending` for the agreements (i, j), i < j, in row-major order, given both sides' values and the depth trust allows."""
    distrust = depth == 0
    unworthy = ~distrust & ((u_ij < -p.exit_margin) | (u_ji < -p.exit_margin))
    out = [(a, b, "distrust") for a, b in zip(i[distrust].tolist(), j[distrust].tolist())]
    out += [(a, b, "not worth it") for a, b in zip(i[unworthy].tolist(), j[unworthy].tolist())]
    return out
