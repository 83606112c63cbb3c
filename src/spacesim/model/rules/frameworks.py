"""C4, C7, C11, C13: joining, staying in and leaving multilateral frameworks.

A nation's value of membership in framework f is
:func:`spacesim.model.equations.membership_value` (docs/model.md 3.3.6). A framework is stable in Barrett's (1994) sense when no member gains by
leaving (V >= -exit_margin) and no admissible outsider gains by joining
(V <= 0). Admission needs consensus: the applicant's mean trust in the
members and every member's trust in the applicant must reach
:func:`spacesim.model.equations.required_trust` (deep
integration demands deep trust; clubs exclude those they do not trust,
Nordhaus 2015). A member whose own trust in the others falls below it leaves.
A closed framework admits no newcomers but takes back former members (as
France returned to NATO's integrated command in 2009).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import membership_value, required_trust
from ..state import WorldState, parameter_record


@njit(cache=True)
def mutual_trust_with_members(membership, trust):  # noqa: ANN001, ANN201 - compiled
    """Per nation and framework (N x F): its mean trust in the other members (``given``), and the lowest trust any other member has in it (``received``) (3.3.6).

    Admission is by consensus, so the least trusting member decides (any
    member may veto). NaN where there are no other members.
    """
    n, f_count = membership.shape
    given = np.full((n, f_count), np.nan)
    received = np.full((n, f_count), np.nan)
    for f in range(f_count):
        members = np.flatnonzero(membership[:, f])
        for i in range(n):
            total, others, lowest = 0.0, 0, np.inf
            for j in members:
                if j != i:
                    total += trust[i, j]
                    others += 1
                    lowest = min(lowest, trust[j, i])
            if others:
                given[i, f] = total / others
                received[i, f] = lowest
    return given, received


def decisions(state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, pooled: np.ndarray, rng: np.random.Generator) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Leavers (nation, framework, reason) and joiners (nation, framework) this step.

    Each nation reconsiders with probability ``membership_rate``; it may join
    at most one framework per step (the one of highest value). Leavers are
    listed for distrust first, then for lost value, each in (nation,
    framework) order; joiners in nation order.
    """
    n, f = state.membership.shape
    if f == 0:
        return [], []
    reconsider = rng.random(n) < p.membership_rate
    leave, join = _decide(state.membership, state.ever_member, state.framework_open, state.integration, state.sovereignty, state.threat, trust, total, pooled, reconsider, parameter_record(p))
    return leavers_and_joiners(leave, join)


def leavers_and_joiners(leave: np.ndarray, join: np.ndarray) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Leavers (distrust first, then not worth it, each in (nation, framework) order) and joiners (nation order) from the decisions' codes."""
    leavers = []
    if np.count_nonzero(leave):  # (ndarray.any() costs ~1 us more on a few dozen values)
        for code, reason in ((1, "distrust"), (2, "not worth it")):
            rows, cols = (leave == code).nonzero()
            leavers += [(i, k, reason) for i, k in zip(rows.tolist(), cols.tolist())]
    return leavers, [(i, f) for i, f in enumerate(join.tolist()) if f >= 0]


@njit(cache=True)
def _decide(membership, ever_member, framework_open, integration, sovereignty, threat, trust, total, pooled, reconsider, record):  # noqa: ANN001, ANN202 - compiled
    """leave[i, f]: 0 stay, 1 leave for distrust, 2 leave as not worth it; join[i]: the framework i joins, or -1."""
    p = record[0]
    n, f_count = membership.shape
    given, received = mutual_trust_with_members(membership, trust)
    leave = np.zeros((n, f_count), dtype=np.int8)
    join = np.full(n, -1, dtype=np.int64)
    founded = np.zeros(f_count, dtype=np.bool_)  # a framework with no members has nothing to offer
    for f in range(f_count):
        founded[f] = membership[:, f].any()
    for i in range(n):
        if not reconsider[i]:
            continue
        best, best_value = -1, -np.inf
        for f in range(f_count):
            member = membership[i, f]
            value = membership_value(pooled[i, f], member, total[i], threat[i], sovereignty[i], integration[f], p)
            required = required_trust(integration[f], p.trust_floor, p.integration_trust_requirement)
            # With no other member there is nobody to distrust: NaN counts as full trust (1.0).
            trusted = (1.0 if np.isnan(given[i, f]) else given[i, f]) >= required
            accepted = (1.0 if np.isnan(received[i, f]) else received[i, f]) >= required
            if member:
                if not trusted:
                    leave[i, f] = 1
                elif value < -p.exit_margin:
                    leave[i, f] = 2
            elif (framework_open[f] or ever_member[i, f]) and trusted and accepted and value > 0 and founded[f]:
                if value > best_value:  # the first framework of highest value (argmax)
                    best, best_value = f, value
        join[i] = best
    return leave, join
