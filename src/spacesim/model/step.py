"""A step's phases 1.3 to 7 (docs/model.md 1.3) as one compiled pass over the state arrays.

:func:`run_step` composes the rules' compiled kernels in the documented
order, drawing from the model's own NumPy generator (numba draws the same
numbers from it as NumPy does). What happens to the ledger and the event log
(an agreement ends or forms, a nation joins or leaves a framework, a leak, a
collision, a random hostile act or change of government) is handed to the
model's Python methods and event handlers as it happens, in a short
object-mode call, so that events drawn in the step act and are logged exactly
as scheduled or triggered ones are; a step in which nothing happens never
leaves compiled code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit, objmode

from . import events
from .equations import expected_collisions, hostile_rate_factor, next_debris, next_norm
from .rules.bilateral import _proposals, _review, endings
from .rules.capability import _grow, _harmonise
from .rules.cooperation import _round
from .rules.environment import _asat_testers, _assessed_threat, _bound_share, _count_partners, _cyber_attacks, _moved_threat
from .rules.frameworks import _decide, leavers_and_joiners
from .rules.politics import _changes
from .rules.security import _coverage
from .rules.trust import _add_evidence
from .state import _co_membership, _trust_column, _trust_into

if TYPE_CHECKING:
    from .space_model import SpaceModel


class StepArrays(NamedTuple):
    """The state arrays a step reads and writes in place, by name (compiled code reads ``a.alpha``)."""

    alpha: np.ndarray
    beta: np.ndarray
    tie_depth: np.ndarray
    interop: np.ndarray
    capability: np.ndarray
    commercial: np.ndarray
    growth: np.ndarray
    counterspace: np.ndarray
    threat: np.ndarray
    base_threat: np.ndarray
    stability: np.ndarray
    sovereignty: np.ndarray
    membership: np.ndarray
    ever_member: np.ndarray
    framework_open: np.ndarray
    integration: np.ndarray
    framework_lead: np.ndarray  # frameworks as clubs (3.3.6): each framework's declared lead
    reliability: np.ndarray


#: The models whose step is running, by key: object-mode calls find the model here (compiled code holds only the key).
_RUNNING: dict[int, "SpaceModel"] = {}


def run_step(model: "SpaceModel", t: np.ndarray, intensity: np.ndarray, draws: np.ndarray) -> None:
    """Phases 1.3 to 7 of a step, after decay and the scheduled events, with ``t``, ``intensity``, ``draws`` as working arrays (N x N, N x N, 3 x N x N)."""
    s = model.state
    a = StepArrays(s.alpha, s.beta, s.tie_depth, s.interop, s.capability, s.commercial, s.growth, s.counterspace, s.threat, s.base_threat, s.stability, s.sovereignty, s.membership, s.ever_member, s.framework_open, s.integration, s.framework_lead, s.reliability)
    key = id(model)
    _RUNNING[key] = model
    try:
        s.debris, s.norm = _step(key, model.rng, a, t, intensity, draws, model.p.record, float(s.debris), float(s.norm))
    finally:
        del _RUNNING[key]


# ---------------------------------------------------------------- what the compiled pass hands to Python


def _event(key: int, kind: str, actor: int, target: int) -> float:
    """A random event drawn in the step: its handler acts and logs it. Returns the debris stock after it (an ASAT test adds to it)."""
    model = _RUNNING[key]
    events.happen(model, kind, actor, None if target < 0 else target)
    return float(model.state.debris)


def _collisions(key: int, count: int) -> None:
    events.collisions(_RUNNING[key], count)


def _end_agreements(key: int, ti: np.ndarray, tj: np.ndarray, codes: np.ndarray) -> None:
    model = _RUNNING[key]
    for i, j, reason in endings(ti, tj, codes):
        model.end_agreement(i, j, reason)


def _form_agreements(key: int, first: np.ndarray, second: np.ndarray, depth: np.ndarray) -> None:
    model = _RUNNING[key]
    for i, j, d in zip(first.tolist(), second.tolist(), depth.tolist()):
        model.form_agreement(i, j, d)


def _end_all_agreements(key: int) -> None:
    model = _RUNNING[key]
    for i, j in zip(*np.nonzero(np.triu(model.state.tie_depth > 0, 1))):
        model.end_agreement(int(i), int(j), "policy")


def _membership_changes(key: int, leave: np.ndarray, join: np.ndarray, inviter: np.ndarray) -> None:
    model = _RUNNING[key]
    leavers, joiners, invitations = leavers_and_joiners(leave, join, inviter)
    for i, f, reason in leavers:
        model.leave_framework(i, f, reason)
    leads = {(i, f): lead for lead, i, f in invitations}
    for i, f in joiners:
        if (i, f) in leads:
            events.invitation(model, leads[i, f], i, f)
        model.join_framework(i, f)


def _leave_all_frameworks(key: int) -> None:
    model = _RUNNING[key]
    for i, f in zip(*np.nonzero(model.state.membership)):
        model.leave_framework(int(i), int(f), "policy")


def _leaks(key: int, leakers: np.ndarray, victims: np.ndarray, trust_before: np.ndarray) -> None:
    model = _RUNNING[key]
    for leaker, victim, before in zip(leakers.tolist(), victims.tolist(), trust_before.tolist()):
        events.log_leak(model, leaker, victim, before)


_KINDS = ("asat_test", "cyber_attack", "government_change")


@njit(cache=True)
def _to_python_event(key, kind, actor, target):  # noqa: ANN001, ANN202 - compiled
    with objmode(debris="float64"):
        debris = _event(key, _KINDS[kind], actor, target)
    return debris


@njit(cache=True)
def _to_python_collisions(key, count):  # noqa: ANN001, ANN202 - compiled
    with objmode():
        _collisions(key, count)


@njit(cache=True)
def _to_python_ends(key, ti, tj, codes):  # noqa: ANN001, ANN202 - compiled
    with objmode():
        _end_agreements(key, ti, tj, codes)


@njit(cache=True)
def _to_python_forms(key, first, second, depth):  # noqa: ANN001, ANN202 - compiled
    with objmode():
        _form_agreements(key, first, second, depth)


@njit(cache=True)
def _to_python_policy(key, what):  # noqa: ANN001, ANN202 - compiled
    with objmode():
        if what == 0:
            _end_all_agreements(key)
        else:
            _leave_all_frameworks(key)


@njit(cache=True)
def _to_python_memberships(key, leave, join, inviter):  # noqa: ANN001, ANN202 - compiled
    with objmode():
        _membership_changes(key, leave, join, inviter)


@njit(cache=True)
def _to_python_leaks(key, leakers, victims, before):  # noqa: ANN001, ANN202 - compiled
    with objmode():
        _leaks(key, leakers, victims, before)


# ---------------------------------------------------------------- the compiled pass


@njit(cache=True)
def _step(key, rng, a, t, intensity, draws, record, debris, norm):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    n = a.alpha.shape[0]
    f_count = a.membership.shape[1]
    _trust_into(a.alpha, a.beta, t)  # this step's working copy of trust

    # 1.3 Random hostile acts (3.3.9), on trust as it stands; each act changes trust in its actor only.
    h = hostile_rate_factor(norm, p.norm_deterrence)
    testers = _asat_testers(t, a.counterspace, p.asat_rate, h, p.asat_distrust_offset, rng.random(n))
    for k in range(testers.size):
        actor = testers[k]
        debris = _to_python_event(key, 0, actor, -1)
        t[:, actor] = _trust_column(a.alpha, a.beta, actor)
    partners = _count_partners(a.tie_depth, _co_membership(a.membership, a.integration))
    attackers, targets = _cyber_attacks(t, partners.astype(np.float64), a.counterspace, p.cyber_rate, h, p.alliance_deterrence, rng.random(n))
    for k in range(attackers.size):
        actor, target = attackers[k], targets[k]
        _to_python_event(key, 1, actor, target)
        t[:, actor] = _trust_column(a.alpha, a.beta, actor)

    # 1.4 Debris (3.3.12), 1.5 norms (3.3.11).
    collisions = rng.poisson(expected_collisions(debris, p.collision_rate, p.debris_capacity))
    debris = next_debris(debris, collisions, p.debris_source, p.debris_decay, p.collision_fragments)
    if collisions:
        _to_python_collisions(key, collisions)
    norm = next_norm(norm, _bound_share(a.membership), p.norm_growth)

    # 2. Threat (3.3.8) and coverage (3.3.1).
    a.threat[:] = _moved_threat(a.threat, a.base_threat, _assessed_threat(a.capability, a.counterspace, t, debris, p.debris_threat_weight, p.debris_reference, p.rival_threat_weight), p.threat_inertia)
    k_eff, _, pooled, total = _coverage(a.capability, a.commercial, a.tie_depth, a.interop, a.membership, a.integration, np.empty((0, 0)), True, record)

    # 3. Bilateral agreements (3.3.5): values taken at the phase's start.
    if p.allow_bilateral:
        propose_draw = rng.random(n)
        choice_draw = rng.random(n)
        proposers = np.flatnonzero(propose_draw < p.proposal_rate)
        tie_then = np.empty((proposers.size, n))  # the proposers' agreements as they stand at the phase's start
        for r in range(proposers.size):
            tie_then[r] = a.tie_depth[proposers[r]]
        ti, tj, codes = _review(a.tie_depth, t, a.interop, total, k_eff, a.threat, a.capability, a.sovereignty, record)  # survivors take today's depth
        if np.any(codes):
            _to_python_ends(key, ti, tj, codes)
        if proposers.size:
            first, second, depth = _proposals(proposers, choice_draw, tie_then, a.tie_depth, t, a.interop, total, k_eff, a.threat, a.capability, a.sovereignty, record)
            if first.size:
                _to_python_forms(key, first, second, depth)
    else:
        rng.random(2 * n)  # the draws proposals would use: keeps variants on common random numbers
        if np.any(a.tie_depth > 0):
            _to_python_policy(key, 0)

    # 4. Framework membership (3.3.6).
    if f_count:
        if p.allow_multilateral:
            k_eff, _, pooled, total = _coverage(a.capability, a.commercial, a.tie_depth, a.interop, a.membership, a.integration, pooled, False, record)  # frameworks' pools are unchanged since phase 2
            reconsider = rng.random(n) < p.membership_rate
            invite_draw = rng.random(f_count)
            leave, join, inviter = _decide(a.membership, a.ever_member, a.framework_open, a.framework_lead, a.integration, a.sovereignty, a.threat, t, a.interop, k_eff, total, pooled, reconsider, invite_draw, record)
            if np.any(leave) or np.any(join >= 0):
                _to_python_memberships(key, leave, join, inviter)
        else:
            rng.random(n + f_count)  # the draws membership decisions and invitations would use
            if np.any(a.membership):
                _to_python_policy(key, 1)

    # 5. Cooperation round (3.3.7) and its evidence (3.3.2).
    co = _co_membership(a.membership, a.integration)
    for i in range(n):
        for j in range(n):
            intensity[i, j] = max(a.tie_depth[i, j], co[i, j])
    for x in range(3):  # 3 N^2 uniforms, in the order NumPy fills the array
        for i in range(n):
            for j in range(n):
                draws[x, i, j] = rng.random()
    k_eff, _, pooled, total = _coverage(a.capability, a.commercial, a.tie_depth, a.interop, a.membership, a.integration, np.empty((0, 0)), True, record)  # coverage as it stands: what each side's cooperation is worth to the other
    observers, actors, good, bad, leak = _round(intensity, a.reliability, a.stability, a.interop, k_eff, total, a.threat, draws, record)
    _add_evidence(a.alpha, a.beta, t, observers, actors, good, bad, p.reputation_spread)
    if np.any(leak):
        leakers, victims = actors[leak], observers[leak]
        before = np.empty(leakers.size)
        for k in range(leakers.size):
            before[k] = t[victims[k], leakers[k]]
        _to_python_leaks(key, leakers, victims, before)

    # 6. Capability (3.3.14).
    a.capability[:] = _grow(a.capability, a.growth, a.tie_depth, a.interop, p.tech_transfer_rate * (1.0 - p.export_control))
    _harmonise(a.interop, co, p.interoperability_growth)

    # 7. Political change (3.3.13), in nation order.
    changes = _changes(a.stability, p.government_change_rate, rng.random(n))
    for k in range(changes.size):
        actor = changes[k]
        _to_python_event(key, 2, actor, -1)
    return debris, norm
