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
    """Net value U[i, j] to i of an agreement with j at the depth trust allows, and that depth.

    For an existing agreement the benefit is what losing it would cost; for a
    new one, what adding it would bring.
    """
    depth = sharing_depth(trust, p)
    added = depth * state.interop * sec.share_factor(p) * k_eff[None, :]
    existing = state.tie_depth > 0
    current = state.tie_depth * state.interop * sec.share_factor(p) * k_eff[None, :]
    # Existing ties: value of keeping = loss if removed, evaluated with today's depth.
    base = np.where(existing, total[:, None] - current, total[:, None])
    gain = sec.gain_of_adding(base, added, p) * (1.0 + p.threat_benefit_weight * state.threat[:, None])

    cap = state.capability
    gap = np.maximum(0.0, cap[:, None] - cap[None, :]) / np.maximum(cap[:, None] + cap[None, :], 1e-12)
    own_security = sec.security(total, p)
    cost = (
        p.transaction_cost * (1.0 - p.legal_clarity)
        + p.sovereignty_cost_bilateral * state.sovereignty[:, None] * depth
        + p.disparity_aversion * (1.0 + p.export_control) * depth * gap
        + leak_probability(depth, trust, p) * own_security[:, None]
    )
    u = gain - cost
    np.fill_diagonal(u, -np.inf)
    return u, depth


def proposals(u: np.ndarray, depth: np.ndarray, tie_depth: np.ndarray, rng: np.random.Generator, p: SimpleNamespace) -> list[tuple[int, int]]:
    """New agreements this step: (i, j) pairs with i < j, each wanted by both sides.

    Each nation proposes, with probability ``proposal_rate``, to one non-partner
    drawn with probability proportional to its positive value U[i, j] (so a
    refusal does not block every other option); the receiver accepts if its
    own value U[j, i] is positive.
    """
    n = u.shape[0]
    # Always 2n draws, whoever proposes, so the random stream stays aligned across policy variants.
    propose_draw, choice_draw = rng.random(n), rng.random(n)
    proposers = np.flatnonzero(propose_draw < p.proposal_rate)
    if proposers.size == 0:
        return []
    weight = np.where((tie_depth[proposers] == 0) & (depth[proposers] > 0) & (u[proposers] > 0), u[proposers], 0.0)
    cumulative = np.cumsum(weight, axis=1)
    total = cumulative[:, -1]
    pairs = set()
    for row, i in enumerate(proposers):
        if total[row] <= 0:
            continue
        j = int(np.searchsorted(cumulative[row], choice_draw[i] * total[row], side="right"))
        j = min(j, n - 1)
        if weight[row, j] > 0 and u[j, i] > 0:
            pairs.add((int(min(i, j)), int(max(i, j))))
    return sorted(pairs)


def ending(u: np.ndarray, depth: np.ndarray, tie_depth: np.ndarray, p: SimpleNamespace) -> list[tuple[int, int, str]]:
    """Agreements that end this step: (i, j, reason) with i < j.

    An agreement ends when mutual trust no longer supports any sharing
    ("distrust") or one side's value falls below ``-exit_margin`` ("not worth it").
    """
    active = np.triu(tie_depth > 0, 1)
    distrust = active & (depth == 0)
    unworthy = active & ~distrust & ((u < -p.exit_margin) | (u.T < -p.exit_margin))
    out = [(int(i), int(j), "distrust") for i, j in zip(*np.nonzero(distrust))]
    out += [(int(i), int(j), "not worth it") for i, j in zip(*np.nonzero(unworthy))]
    return out
