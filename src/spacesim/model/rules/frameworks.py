"""C4, C7, C11, C13: frameworks as clubs: founding, inviting, admitting, staying and leaving.

A member values a framework for the members it expects, not only those it
has (:func:`spacesim.model.equations.expected_member`): the members and the
prospects, outsiders that may apply or that the lead would invite, that the
members would admit and that would gain by joining. So a framework founded
by one nation or a few is worth keeping before anyone else has joined. An
outsider values it for the members it has, so it grows in stages: first
those that gain from the founders alone (close allies, the lead's invitees),
then, as the pool grows, those that gain only from a larger club. Its value is
:func:`spacesim.model.equations.membership_value` (docs/model.md 3.3.6); a
framework is stable in Barrett's (1994) sense when no member gains by
leaving (V >= -exit_margin) and no admissible outsider gains by joining.

Admission is by the members' consent
(:func:`spacesim.model.equations.admitted_by_consent`): every member's trust
in the applicant must reach :func:`spacesim.model.equations.required_trust`
at high integration, a majority's at low (clubs exclude, Nordhaus 2015),
and the applicant's mean trust in the members must reach it too. A nation
joins by application (an open framework, or a closed one it was a member
of, as France returned to NATO's integrated command in 2009) when it
reconsiders, or by invitation: each step the lead, with probability
:func:`spacesim.model.equations.invitation_chance`, invites the outsider it trusts most among those it
trusts enough, the members admit and that would gain; the invitee decides
at once. A member whose mean trust in the members it expects falls below
the requirement leaves.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import admitted_by_consent, expected_member, framework_pooled, invitation_chance, membership_value, required_trust, share_factor
from ..state import WorldState, parameter_record


@njit(cache=True)
def mutual_trust_with_members(membership, trust):  # noqa: ANN001, ANN201 - compiled
    """Per nation and framework (N x F): its mean trust in the other members (``given``), and the lowest trust any other
    member has in it (``received``) (3.3.6).

    Admission is by consensus, so the least trusting member decides (any
    member may veto). NaN where there are no other members.
    """
    n, f_count = membership.shape
    given = np.full((n, f_count), np.nan)
    received = np.full((n, f_count), np.nan)
    lowest = np.empty(n)
    for f in range(f_count):
        members = np.flatnonzero(membership[:, f])
        lowest[:] = np.inf
        for j in members:  # the members' trust in each nation, read along their rows of T
            for i in range(n):
                if j != i:
                    lowest[i] = min(lowest[i], trust[j, i])
        for i in range(n):
            total, others = 0.0, 0
            for j in members:
                if j != i:
                    total += trust[i, j]
                    others += 1
            if others:
                given[i, f] = total / others
                received[i, f] = lowest[i]
    return given, received


def decisions(
    state: WorldState, p: SimpleNamespace, trust: np.ndarray, k_eff: np.ndarray, total: np.ndarray, pooled: np.ndarray, rng: np.random.Generator
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]], list[tuple[int, int, int]]]:
    """Leavers (nation, framework, reason), joiners (nation, framework) and the invitations accepted (lead, nation, framework) this step.

    Each nation reconsiders with probability ``membership_rate`` (one draw
    per nation), then each framework's lead invites with probability
    ``invitation_rate`` (one draw per framework); a nation joins at most one
    framework per step (the one of highest value). Leavers are listed for
    distrust first, then for lost value, each in (nation, framework) order;
    joiners and invitations in nation order.
    """
    n, f = state.membership.shape
    if f == 0:
        return [], [], []
    reconsider = rng.random(n) < p.membership_rate
    invite_draw = rng.random(f)
    leave, join, inviter = _decide(
        state.membership,
        state.ever_member,
        state.framework_open,
        state.framework_lead,
        state.integration,
        state.sovereignty,
        state.threat,
        trust,
        state.interop,
        k_eff,
        total,
        pooled,
        reconsider,
        invite_draw,
        parameter_record(p),
    )
    return leavers_and_joiners(leave, join, inviter)


def leavers_and_joiners(
    leave: np.ndarray, join: np.ndarray, inviter: np.ndarray
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]], list[tuple[int, int, int]]]:
    """Leavers (distrust first, then not worth it, each in (nation, framework) order), joiners and accepted invitations
    (lead, nation, framework) (nation order) from the decisions' codes."""
    leavers = []
    if np.count_nonzero(leave):  # (ndarray.any() costs ~1 us more on a few dozen values)
        for code, reason in ((1, "distrust"), (2, "not worth it")):
            rows, cols = (leave == code).nonzero()
            leavers += [(i, k, reason) for i, k in zip(rows.tolist(), cols.tolist())]
    joiners = [(i, f) for i, f in enumerate(join.tolist()) if f >= 0]
    invitations = [(int(inviter[i]), i, f) for i, f in joiners if inviter[i] >= 0]
    return leavers, joiners, invitations


@njit(cache=True)
def acting_lead(membership, framework_lead, trust, f):  # noqa: ANN001, ANN201 - compiled
    """Who leads framework f now (3.3.6): its declared lead while a member; otherwise the member the other members trust
    most on average (the first on ties); -1 if it has no members."""
    lead = framework_lead[f]
    if lead >= 0 and membership[lead, f]:
        return lead
    members = np.flatnonzero(membership[:, f])
    best, best_trust = -1, -np.inf
    for a in members:
        total, others = 0.0, 0
        for b in members:
            if b != a:
                total += trust[b, a]
                others += 1
        mean = total / others if others else 0.0
        if mean > best_trust:
            best, best_trust = a, mean
    return best


@njit(cache=True)
def _decide(
    membership,
    ever_member,
    framework_open,
    framework_lead,
    integration,
    sovereignty,
    threat,
    trust,
    interop,
    k_eff,
    total,
    pooled,
    reconsider,
    invite_draw,
    record,
):  # noqa: ANN001, ANN202 - compiled
    """leave[i, f]: 0 stay, 1 leave for distrust, 2 leave as not worth it; join[i]: the framework i joins, or -1;
    inviter[i]: the lead that invited it there, or -1."""
    p = record[0]
    n, f_count = membership.shape
    given, _ = mutual_trust_with_members(membership, trust)
    sf = share_factor(p.sharing_strictness, p.strictness_share_loss)
    value = np.zeros((n, f_count))  # V[i,f] on the expected members
    given_expected = np.full((n, f_count), np.nan)  # a member's mean trust in the other members it expects
    admissible = np.zeros((n, f_count), dtype=np.bool_)  # an outsider the members admit and that trusts them
    invited = np.full(f_count, -1, dtype=np.int64)
    leads = np.full(f_count, -1, dtype=np.int64)
    expected = np.zeros(n, dtype=np.bool_)
    votes = np.zeros(n, dtype=np.int64)
    for f in range(f_count):
        required = required_trust(integration[f], p.trust_floor, p.integration_trust_requirement)
        count = 0
        for j in range(n):
            count += membership[j, f]
        lead = acting_lead(membership, framework_lead, trust, f)
        leads[f] = lead
        # The members each nation expects: the members and the prospects (equations.expected_member).
        votes[:] = 0  # members whose trust in j reaches the requirement, counted along the members' rows of T
        for m in range(n):
            if membership[m, f]:
                for j in range(n):
                    if trust[m, j] >= required:
                        votes[j] += 1
        for j in range(n):
            if membership[j, f]:
                expected[j] = True
                continue
            admitted = admitted_by_consent(votes[j], count, integration[f], p.unanimity_integration)
            admissible[j, f] = admitted and given[j, f] >= required  # (NaN >= x is false: no members, nobody admitted)
            invitable = framework_open[f] or ever_member[j, f] or (lead >= 0 and trust[lead, j] >= required)
            value_now = membership_value(0.0, pooled[j, f], total[j], threat[j], sovereignty[j], integration[f], p)
            expected[j] = expected_member(False, invitable, admitted, given[j, f] >= required, value_now)
        expecting = np.flatnonzero(expected)  # in nation order, so each sum below adds up in that order
        for i in range(n):
            cover, trusting, others = 0.0, 0.0, 0
            for j in expecting:
                if j != i:
                    cover += interop[i, j] * k_eff[j]
                    trusting += trust[i, j]
                    others += 1
            if membership[i, f]:  # a member values f for the members it expects
                value[i, f] = membership_value(
                    pooled[i, f],
                    framework_pooled(cover, integration[f], sf, p.framework_standard_bonus),
                    total[i],
                    threat[i],
                    sovereignty[i],
                    integration[f],
                    p,
                )
            else:  # an outsider for the members f has
                value[i, f] = membership_value(0.0, pooled[i, f], total[i], threat[i], sovereignty[i], integration[f], p)
            if others:
                given_expected[i, f] = trusting / others
        # The lead's invitation: the outsider it trusts most among those it trusts enough, the members admit and that would gain.
        if lead >= 0 and invite_draw[f] < invitation_chance(integration[f], p.invitation_rate):
            best_trust = -np.inf
            for j in range(n):
                if not membership[j, f] and admissible[j, f] and trust[lead, j] >= required and value[j, f] > 0 and trust[lead, j] > best_trust:
                    invited[f], best_trust = j, trust[lead, j]
    leave = np.zeros((n, f_count), dtype=np.int8)
    join = np.full(n, -1, dtype=np.int64)
    inviter = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        best, best_value = -1, -np.inf
        for f in range(f_count):
            required = required_trust(integration[f], p.trust_floor, p.integration_trust_requirement)
            if membership[i, f]:
                if not reconsider[i]:
                    continue
                # A member expecting no other member has nobody to distrust; its value (nothing pooled) decides.
                if given_expected[i, f] < required:
                    leave[i, f] = 1
                elif value[i, f] < -p.exit_margin:
                    leave[i, f] = 2
            elif admissible[i, f] and value[i, f] > 0 and ((reconsider[i] and (framework_open[f] or ever_member[i, f])) or invited[f] == i):
                if value[i, f] > best_value:  # the first framework of highest value (argmax)
                    best, best_value = f, value[i, f]
        join[i] = best
        if best >= 0 and invited[best] == i:
            inviter[i] = leads[best]
    return leave, join, inviter
