"""C4, C7, C11, C13: joining, staying in and leaving multilateral frameworks.

A nation's value of membership in framework f:
  V[i, f] = (1 + w_threat theta_i) dSecurity_i(pooled coverage of f)
            - sovereignty_cost_multilateral s_i I_f - transaction_cost (1 - legal_clarity)
A framework is stable in Barrett's (1994) sense when no member gains by
leaving (V >= -exit_margin) and no admissible outsider gains by joining
(V <= 0). Admission needs consensus: the applicant's mean trust in the
members and every member's trust in the applicant must reach
trust_floor + integration_trust_requirement x I_f x (1 - trust_floor) (deep
integration demands deep trust; clubs exclude those they do not trust,
Nordhaus 2015). A member whose own trust in the others falls below it leaves.
A closed framework admits no newcomers but takes back former members (as
France returned to NATO's integrated command in 2009).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..state import WorldState
from . import security as sec


def mutual_trust_with_members(state: WorldState, trust: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per nation and framework (N x F): its mean trust in the other members, and the lowest trust any other member has in it.

    Admission is by consensus, so the least trusting member decides (any
    member may veto). NaN where there are no other members.
    """
    m = state.membership.astype(float)
    others = m.sum(axis=0)[None, :] - m  # other members, per nation and framework
    t = trust.copy()  # one working copy: a nation's trust in itself counts neither in the mean nor in the minimum
    np.fill_diagonal(t, 0.0)
    given = np.divide(t @ m, others, out=np.full(m.shape, np.nan), where=others > 0)
    np.fill_diagonal(t, np.inf)
    lowest = np.full(m.shape, np.inf)  # lowest trust of any other member in each nation, per framework (inf: nobody)
    for f in range(m.shape[1]):
        members = state.membership[:, f].nonzero()[0]
        if members.size:
            lowest[:, f] = t[members].min(axis=0)
    received = np.where(np.isinf(lowest), np.nan, lowest)
    return given, received


def required_trust(state: WorldState, p: SimpleNamespace) -> np.ndarray:
    """Mutual trust a framework demands of its members, per framework (C11)."""
    return p.trust_floor + p.integration_trust_requirement * state.integration * (1.0 - p.trust_floor)


def membership_value(state: WorldState, p: SimpleNamespace, total: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """V[i, f]: net value to i of being in f (for members: of staying; for outsiders: of joining)."""
    member = state.membership
    base = total[:, None] - pooled * member  # members: coverage without this framework
    gain = sec.gain_of_adding(base, pooled, p) * (1.0 + p.threat_benefit_weight * state.threat[:, None])
    cost = p.sovereignty_cost_multilateral * state.sovereignty[:, None] * state.integration[None, :] + p.transaction_cost * (1.0 - p.legal_clarity)
    return gain - cost


def decisions(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, pooled: np.ndarray, rng: np.random.Generator) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Leavers (nation, framework, reason) and joiners (nation, framework) this step.

    Each nation reconsiders with probability ``membership_rate``; it may join
    at most one framework per step (the one of highest value).
    """
    n, f = state.membership.shape
    if f == 0:
        return [], []
    value = membership_value(state, p, total, pooled)
    given, received = mutual_trust_with_members(state, trust)
    required = required_trust(state, p)[None, :]
    # With no other member there is nobody to distrust: NaN counts as full trust (1.0).
    trusted = np.where(np.isnan(given), 1.0, given) >= required
    accepted = np.where(np.isnan(received), 1.0, received) >= required
    reconsider = (rng.random(n) < p.membership_rate)[:, None]
    member = state.membership

    reconsidering_members = reconsider & member
    leave_distrust = reconsidering_members & ~trusted
    leave_value = reconsidering_members & trusted & (value < -p.exit_margin)
    leavers = [(int(i), int(k), "distrust") for i, k in zip(*leave_distrust.nonzero())]
    leavers += [(int(i), int(k), "not worth it") for i, k in zip(*leave_value.nonzero())]

    admissible = state.framework_open[None, :] | state.ever_member  # a closed framework takes back former members
    can_join = reconsider & ~member & admissible & trusted & accepted & (value > 0)
    # A framework with no members has nothing to offer until it is founded by the scenario.
    can_join &= member.any(axis=0)[None, :]
    joiners = []
    rows = can_join.any(axis=1).nonzero()[0]
    if rows.size:
        best = np.argmax(np.where(can_join[rows], value[rows], -np.inf), axis=1)
        joiners = [(int(i), int(k)) for i, k in zip(rows, best)]
    return leavers, joiners
