"""A step's phases 1.3 to 7 (docs/model.md 1.3) as one compiled pass over the state arrays, the ledger and the event log.

:func:`run_step` composes the rules' compiled kernels in the documented
order, drawing from the model's own NumPy generator (numba draws the same
numbers from it as NumPy does). What happens to the ledger and the event log
(an agreement ends or forms, a nation joins or leaves a framework, a leak, a
collision, a random hostile act or change of government) is done in the pass
by the compiled acts and handlers of :mod:`spacesim.model.events`, the very
functions that scheduled or triggered events call from Python, writing the
column arrays of :mod:`spacesim.model.ledger`: the pass never leaves compiled
code. The one thing left to Python after it is a new government's
reliability (SciPy's inverse Beta CDF of the uniform the pass drew;
:meth:`spacesim.model.space_model.SpaceModel.call` settles it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from . import events
from .equations import expected_collisions, hostile_rate_factor, next_debris, next_norm
from .ledger import REASON
from .metrics import record_pass
from .rules.bilateral import _proposals, _review
from .rules.capability import _grow, _harmonise
from .rules.cooperation import _round
from .rules.environment import _asat_testers, _assessed_threat, _bound_share, _count_partners, _cyber_attacks, _moved_threat
from .rules.frameworks import _decide
from .rules.politics import _changes
from .rules.security import _coverage
from .rules.trust import _add_evidence
from .state import ENV_DEBRIS, ENV_NORM, _co_membership, _trust_column, _trust_into

if TYPE_CHECKING:
    from .space_model import SpaceModel


def run_step(model: SpaceModel, t: np.ndarray, intensity: np.ndarray, draws: np.ndarray) -> None:
    """Phases 1.3 to 7 of a step, after decay and the scheduled events, with ``t``, ``intensity``, ``draws`` as working arrays (N x N, N x N, 3 x N x N),
    and the step's record (:func:`spacesim.model.metrics.record_pass`) written in the recorder's next row (the model commits it)."""
    recorder = model.recorder
    model.call(_step_and_record, model.rng, t, intensity, draws, model.p.record, model.state.bloc, *recorder.layout, *recorder.slot(model.state.n))


@njit(cache=True)
def _step_and_record(a, b, rng, t, intensity, draws, record, bloc, w, c, count_columns, row, nat):  # noqa: ANN001, ANN202 - compiled
    b = _step(a, b, rng, t, intensity, draws, record)
    return record_pass(a, b, record, bloc, w, c, count_columns, row, nat)


# The handlers of the kinds drawn in the step, as registered (compiled code calls them by these names).
_ASAT_TEST = events.HANDLERS["asat_test"]
_CYBER_ATTACK = events.HANDLERS["cyber_attack"]
_GOVERNMENT_CHANGE = events.HANDLERS["government_change"]
# Why agreements and memberships end, by the codes the rules' kernels give (1 distrust, 2 not worth it).
_DISTRUST, _NOT_WORTH_IT = REASON["distrust"], REASON["not worth it"]


@njit(cache=True)
def _end_reviewed(a, b, ti, tj, codes):  # noqa: ANN001, ANN202 - compiled
    """The agreements the review ends: "distrust" first, then "not worth it", each in the review's (row-major) order."""
    for code, reason in ((1, _DISTRUST), (2, _NOT_WORTH_IT)):
        for k in range(codes.size):
            if codes[k] == code:
                b = events.end_agreement(a, b, ti[k], tj[k], reason)
    return b


@njit(cache=True)
def _membership_changes(a, b, leave, join, inviter):  # noqa: ANN001, ANN202 - compiled
    """Leavers (distrust first, then not worth it, each in (nation, framework) order), then joiners in nation order, each
    accepted invitation logged just before its accession."""
    n, f_count = leave.shape
    for code, reason in ((1, _DISTRUST), (2, _NOT_WORTH_IT)):
        for i in range(n):
            for f in range(f_count):
                if leave[i, f] == code:
                    b = events.leave_framework(a, b, i, f, reason, False)
    for i in range(n):
        f = join[i]
        if f >= 0:
            if inviter[i] >= 0:
                b = events.invitation(a, b, inviter[i], i, f)
            b = events.join_framework(a, b, i, f)
    return b


# ---------------------------------------------------------------- the compiled pass


@njit(cache=True)
def _step(a, b, rng, t, intensity, draws, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    debris, norm = a.env[ENV_DEBRIS], a.env[ENV_NORM]
    n = a.alpha.shape[0]
    f_count = a.membership.shape[1]
    _trust_into(a.alpha, a.beta, t)  # this step's working copy of trust

    # 1.3 Random hostile acts (3.3.9), on trust as it stands; each act changes trust in its actor only.
    h = hostile_rate_factor(norm, p.norm_deterrence)
    testers = _asat_testers(t, a.counterspace, p.asat_rate, h, p.asat_distrust_offset, rng.random(n))
    for k in range(testers.size):
        actor = testers[k]
        b = _ASAT_TEST(a, b, rng, record, actor, -1, -1, np.nan, False)
        debris = a.env[ENV_DEBRIS]
        t[:, actor] = _trust_column(a.alpha, a.beta, actor)
    partners = _count_partners(a.tie_depth, _co_membership(a.membership, a.integration))
    attackers, targets = _cyber_attacks(t, partners.astype(np.float64), a.counterspace, p.cyber_rate, h, p.alliance_deterrence, rng.random(n))
    for k in range(attackers.size):
        actor, target = attackers[k], targets[k]
        b = _CYBER_ATTACK(a, b, rng, record, actor, target, -1, np.nan, False)
        t[:, actor] = _trust_column(a.alpha, a.beta, actor)

    # 1.4 Debris (3.3.12), 1.5 norms (3.3.11).
    collisions = rng.poisson(expected_collisions(debris, p.collision_rate, p.debris_capacity))
    debris = next_debris(debris, collisions, p.debris_source, p.debris_decay, p.collision_fragments)
    a.env[ENV_DEBRIS] = debris
    if collisions:
        b = events.collisions(a, b, record, collisions)
    norm = next_norm(norm, _bound_share(a.membership), p.norm_growth)

    # 2. Threat (3.3.8) and coverage (3.3.1).
    a.threat[:] = _moved_threat(
        a.threat,
        a.base_threat,
        _assessed_threat(a.capability, a.counterspace, t, debris, p.debris_threat_weight, p.debris_reference, p.rival_threat_weight),
        p.threat_inertia,
    )
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
            b = _end_reviewed(a, b, ti, tj, codes)
        if proposers.size:
            first, second, depth = _proposals(
                proposers, choice_draw, tie_then, a.tie_depth, t, a.interop, total, k_eff, a.threat, a.capability, a.sovereignty, record
            )
            for k in range(first.size):
                b = events.form_agreement(a, b, record, first[k], second[k], depth[k])
    else:
        rng.random(2 * n)  # the draws proposals would use: keeps variants on common random numbers
        b = events.end_all_agreements(a, b)

    # 4. Framework membership (3.3.6).
    if f_count:
        if p.allow_multilateral:
            k_eff, _, pooled, total = _coverage(
                a.capability, a.commercial, a.tie_depth, a.interop, a.membership, a.integration, pooled, False, record
            )  # frameworks' pools are unchanged since phase 2
            reconsider = rng.random(n) < p.membership_rate
            invite_draw = rng.random(f_count)
            leave, join, inviter = _decide(
                a.membership,
                a.ever_member,
                a.framework_open,
                a.framework_lead,
                a.integration,
                a.sovereignty,
                a.threat,
                t,
                a.interop,
                k_eff,
                total,
                pooled,
                reconsider,
                invite_draw,
                record,
            )
            b = _membership_changes(a, b, leave, join, inviter)
        else:
            rng.random(n + f_count)  # the draws membership decisions and invitations would use
            b = events.leave_all_frameworks(a, b)

    # 5. Cooperation round (3.3.7) and its evidence (3.3.2).
    co = _co_membership(a.membership, a.integration)
    for i in range(n):
        for j in range(n):
            intensity[i, j] = max(a.tie_depth[i, j], co[i, j])
    for x in range(3):  # 3 N^2 uniforms, in the order NumPy fills the array
        for i in range(n):
            for j in range(n):
                draws[x, i, j] = rng.random()
    k_eff, _, pooled, total = _coverage(
        a.capability, a.commercial, a.tie_depth, a.interop, a.membership, a.integration, np.empty((0, 0)), True, record
    )  # coverage as it stands: what each side's cooperation is worth to the other
    observers, actors, good, bad, leak = _round(intensity, a.reliability, a.stability, a.interop, k_eff, total, a.threat, draws, record)
    _add_evidence(a.alpha, a.beta, t, observers, actors, good, bad, p.reputation_spread)
    for k in range(leak.size):
        if leak[k]:
            b = events.log_leak(a, b, actors[k], observers[k], t[observers[k], actors[k]], False)

    # 6. Capability (3.3.14).
    a.capability[:] = _grow(a.capability, a.growth, a.tie_depth, a.interop, p.tech_transfer_rate * (1.0 - p.export_control))
    _harmonise(a.interop, co, p.interoperability_growth)

    # 7. Political change (3.3.13), in nation order.
    changes = _changes(a.stability, p.government_change_rate, rng.random(n))
    for k in range(changes.size):
        b = _GOVERNMENT_CHANGE(a, b, rng, record, changes[k], -1, -1, np.nan, False)
    a.env[ENV_NORM] = norm
    return b
