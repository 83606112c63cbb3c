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

from ..state import WorldState
from . import security as sec
from .trust import sharing_depth


def leak_probability(depth: np.ndarray, trust: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Chance per step that j leaks what i shares: deeper sharing with less trusted partners leaks more (C10).

    ``trust`` is T[i, j]; the result is indexed [i, j].
    """
    return p.leak_rate * depth * (1.0 - trust) * (1.0 - 0.5 * p.sharing_strictness)


def utility(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Net value U[i, j] to i of an agreement with j at the depth trust allows, and that depth (N x N).

    For an existing agreement the benefit is what losing it would cost; for a
    new one, what adding it would bring. The model itself evaluates only the
    entries it needs, with :func:`utility_at`.
    """
    # Every pair at once: i runs down the rows, j along the columns (broadcast views, no gathered copies).
    own, other = np.s_[:, None], np.s_[None, :]
    return value_of_pairs(state, p, total, k_eff, own, other, trust, trust.T, state.interop, state.tie_depth, same=np.eye(state.n, dtype=bool))


def depth_at(trust: np.ndarray, i: np.ndarray | int, j: np.ndarray | int, p: SimpleNamespace) -> np.ndarray:
    """:func:`~spacesim.model.rules.trust.sharing_depth` for the pairs (i, j) only."""
    return np.clip((np.minimum(trust[i, j], trust[j, i]) - p.trust_floor) / (1.0 - p.trust_floor), 0.0, 1.0)


def utility_at(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray, i: np.ndarray, j: np.ndarray, tie: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """U[i, j] and the depth trust allows, for index arrays ``i`` and ``j`` (broadcast together).

    ``tie`` overrides the current depth of agreement between i and j (as
    it stood when the step's values were taken). U[i, i] is -inf.
    """
    i, j = np.broadcast_arrays(i, j)
    tie = state.tie_depth[i, j] if tie is None else tie
    return value_of_pairs(state, p, total, k_eff, i, j, trust[i, j], trust[j, i], state.interop[i, j], tie)


def utility_rows(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray, rows: np.ndarray, tie_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``rows`` of U and of the depth trust allows (len(rows) x N), taken with whole-row copies.

    ``tie_rows`` overrides those rows of the agreement depths.
    """
    i = rows[:, None]
    j = np.arange(state.n)[None, :]
    tie = state.tie_depth[rows] if tie_rows is None else tie_rows
    return value_of_pairs(state, p, total, k_eff, i, j, trust[rows], trust[:, rows].T, state.interop[rows], tie)


def value_of_pairs(state: WorldState, p: SimpleNamespace, total: np.ndarray, k_eff: np.ndarray, i: np.ndarray | tuple, j: np.ndarray | tuple, t_ij: np.ndarray, t_ji: np.ndarray, interop: np.ndarray, tie: np.ndarray, same: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The value formula on the pairwise quantities T[i, j], T[j, i], interop[i, j] and agreement depth, already gathered for the pairs (i, j).

    ``i`` and ``j`` index the per-nation arrays (index arrays, or ``np.s_[:, None]``
    and ``np.s_[None, :]`` for the whole matrix); ``same`` marks the pairs with
    i == j (default: ``i == j``).
    """
    depth = ((np.minimum(t_ij, t_ji) - p.trust_floor) / (1.0 - p.trust_floor)).clip(0.0, 1.0)  # = sharing_depth
    sf = sec.share_factor(p)
    k_j = k_eff[j]
    added = depth * interop * sf * k_j
    existing = tie > 0
    current = tie * interop * sf * k_j
    # Existing ties: value of keeping = loss if removed, evaluated with today's depth.
    total_i = total[i]
    base = np.where(existing, total_i - current, total_i)
    gain = sec.gain_of_adding(base, added, p) * (1.0 + p.threat_benefit_weight * state.threat[i])

    cap_i, cap_j = state.capability[i], state.capability[j]
    gap = np.maximum(0.0, cap_i - cap_j) / np.maximum(cap_i + cap_j, 1e-12)
    own_security = sec.security(total, p)[i]
    cost = (
        p.transaction_cost * (1.0 - p.legal_clarity)
        + p.sovereignty_cost_bilateral * state.sovereignty[i] * depth
        + p.disparity_aversion * (1.0 + p.export_control) * depth * gap
        + leak_probability(depth, t_ij, p) * own_security
    )
    u = np.where((i == j) if same is None else same, -np.inf, gain - cost)
    return u, depth


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
    weight = np.where((tie_rows == 0) & (depth_rows > 0) & (u_rows > 0), u_rows, 0.0)
    cumulative = np.cumsum(weight, axis=1)
    total = cumulative[:, -1]
    # Each row's partner is the first j whose cumulative weight exceeds draw x total: the count of
    # entries <= it, which is np.searchsorted(cumulative[row], draw x total, side="right") for all rows at once.
    target = choice_draw[proposers] * total
    j = np.minimum((cumulative <= target[:, None]).sum(axis=1), n - 1)
    chosen = (total > 0) & (weight[np.arange(len(proposers)), j] > 0)
    return list(zip(np.asarray(proposers)[chosen].tolist(), j[chosen].tolist()))


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
    out = [(int(a), int(b), "distrust") for a, b in zip(i[distrust], j[distrust])]
    out += [(int(a), int(b), "not worth it") for a, b in zip(i[unworthy], j[unworthy])]
    return out
