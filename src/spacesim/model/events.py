"""Events and their effects: a compiled handler registered for each kind a scenario can schedule, and the log row of every event.

Each kind is declared once in :mod:`spacesim.catalogue` (fields, values,
count, sentence, effect, docs); its effect is the compiled handler registered
here with :func:`handles`. The values its row carries are the catalogue's
``values``: the compiled code writes each at the column the declaration
gives it (constants from :func:`~spacesim.model.ledger.value_columns`, which
fails on import unless a writer names exactly the declared values), and the
log reads them back by name; a function registered with :func:`describes`
adds only text derived from them. Random events drawn
in the compiled step call the handler registered for their kind
(``HANDLERS["asat_test"]``) from compiled code; scheduled events (from the
scenario's timeline) and shocks triggered by hand call the same compiled
handler from Python, through :func:`happen`, so they act and are recorded
alike. The model's own acts (an agreement formed or ended, a nation joining
or leaving a framework) are compiled functions here too, each writing the
ledger and the log (:mod:`spacesim.model.ledger`).

A handler's signature is ``(a, b, rng, record, actor, target, framework,
debris, scheduled) -> Books``: the state's arrays (:class:`~spacesim.model.state.World`),
the books, the model's generator, the parameter record, the nations and
framework involved (-1: none), the debris of a scheduled ASAT test (NaN: the
default), and whether it was scheduled. It returns the books it ends with
(grown if a table was short, :func:`spacesim.model.ledger.reserve`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from ..catalogue import EVENTS, SCHEDULABLE, WITHDRAWAL_REASONS
from .equations import attacked_capability, militarised, shocked_threat, trust
from .ledger import (
    C_ENDED,
    C_FORMED,
    E_COUNT,
    KIND,
    P_LAST_DEPTH,
    REASON,
    REASONS,
    close_partnership,
    log_event,
    open_partnership,
    plural,
    possessive,
    read_values,
    reserve,
    revise,
    value_columns,
)
from .rules.politics import _forget, _set_aside, reversals
from .rules.trust import _add_evidence
from .state import ENV_DEBRIS, _trust_column, _trust_into, domain_code

if TYPE_CHECKING:
    from .space_model import SpaceModel

__all__ = ["DESCRIBERS", "HANDLERS", "describes", "happen", "handles", "plural", "possessive"]

#: The compiled effect of each kind of event a scenario can schedule, by kind (see :func:`handles`).
HANDLERS: dict[str, Any] = {}

#: How each kind's sentence reads its log row: ``(row, names) -> values`` for the catalogue's templates, by kind: the
#: values the catalogue declares, by name, and the text a function registered with :func:`describes` derives.
DESCRIBERS: dict[str, Callable[[np.ndarray, dict[str, Any]], dict[str, Any]]] = {}

#: What a kind's sentence derives from its row beyond its declared values: ``(row, values, names) -> text``, by kind.
DERIVED: dict[str, Callable[[np.ndarray, dict[str, Any], dict[str, Any]], dict[str, Any]]] = {}

# Codes the compiled code uses (compile-time constants).
ASAT_TEST, CYBER_ATTACK, LEAK, GOVERNMENT_CHANGE = KIND["asat_test"], KIND["cyber_attack"], KIND["leak"], KIND["government_change"]
WITHDRAWAL, ACCESSION, COLLISION, INVITATION = KIND["withdrawal"], KIND["accession"], KIND["collision"], KIND["invitation"]
FRAMEWORK_OPENS, FRAMEWORK_FOUNDED, HISTORY = KIND["framework_opens"], KIND["framework_founded"], KIND["history"]
BY_GOVERNMENT_CHANGE, BY_POLICY, BY_SCHEDULE = REASON["government_change"], REASON["policy"], REASON["scheduled"]
BILATERAL, MEMBERSHIP = 0, 1

# Where each writer puts the values its kind declares (compile-time constants, from the catalogue's ``values``).
ASAT_PIECES, ASAT_DROP, ASAT_FEARFUL = value_columns("asat_test", "pieces", "drop", "fearful")
CYBER_VICTIM_DROP, CYBER_DROP, CYBER_LOSS = value_columns("cyber_attack", "victim_drop", "drop", "loss")
(LEAK_DROP,) = value_columns("leak", "drop")
GC_SHIFT, GC_ENDED, GC_LEFT, GC_RELIABILITY, GC_UNIFORM = value_columns("government_change", "shift", "ended", "left", "reliability", "uniform")
WITHDRAWAL_REASON, WITHDRAWAL_MEMBERS = value_columns("withdrawal", "reason", "members")
(ACCESSION_MEMBERS,) = value_columns("accession", "members")
(COLLISION_PIECES,) = value_columns("collision", "pieces")
HISTORY_YEAR, HISTORY_DROP = value_columns("history", "year", "drop")
value_columns("framework_opens")  # these write none
value_columns("invitation")
value_columns("framework_founded")  # its founders are the row's notes (not numbers)


def handles(kind: str) -> Callable[[Any], Any]:
    """Register the decorated compiled function as the effect of events of ``kind`` (a kind :mod:`spacesim.catalogue` declares)."""
    if kind not in EVENTS:
        raise KeyError(f"event kind {kind!r} is not declared in spacesim.catalogue.EVENT_KINDS")

    def register(handler: Any) -> Any:
        HANDLERS[kind] = handler
        return handler

    return register


def describes(kind: str) -> Callable[[Callable], Callable]:
    """Register the decorated function as the text the sentence of a ``kind`` row derives: ``(row, values, names) -> text``.

    ``values`` are the row's declared values by name (:func:`~spacesim.model.ledger.read_values`); a kind whose
    templates read only those and the row's names needs none."""
    if kind not in EVENTS:
        raise KeyError(f"event kind {kind!r} is not declared in spacesim.catalogue.EVENT_KINDS")

    def register(derive: Callable) -> Callable:
        DERIVED[kind] = derive
        DESCRIBERS[kind] = _describer(kind, derive)
        return derive

    return register


def _describer(kind: str, derive: Callable | None = None) -> Callable[[np.ndarray, dict[str, Any]], dict[str, Any]]:
    """What a ``kind`` row's sentence reads: its declared values by name, and the text ``derive`` adds."""

    def describe(row: np.ndarray, names: dict[str, Any]) -> dict[str, Any]:
        values = read_values(kind, row)
        return values if derive is None else {**values, **derive(row, values, names)}

    return describe


def happen(
    model: SpaceModel,
    kind: str,
    actor: int | None = None,
    target: int | None = None,
    framework: int | None = None,
    *,
    debris: float | None = None,
    scheduled: bool = False,
) -> None:
    """Make an event of ``kind`` happen now, from Python: the compiled handler registered for its kind acts and logs it."""
    given = {"actor": actor, "target": target, "framework": framework}
    for name in SCHEDULABLE[kind]:
        if given[name] is None:
            raise ValueError(f"a {kind} event without its {name}")
    n, f_count = model.state.membership.shape
    for name, index, size in (("actor", actor, n), ("target", target, n), ("framework", framework, f_count)):
        if index is not None and not 0 <= int(index) < size:  # compiled handlers index without bounds checks
            raise IndexError(f"a {kind} event's {name} {index} is not one of the model's {size} {'frameworks' if name == 'framework' else 'nations'}")
    model.act(
        HANDLERS[kind],
        -1 if actor is None else int(actor),
        -1 if target is None else int(target),
        -1 if framework is None else int(framework),
        np.nan if debris is None else float(debris),
        bool(scheduled),
    )


# ---------------------------------------------------------------- compiled helpers


@njit(cache=True)
def _numpy_sum(x):  # noqa: ANN001, ANN202 - compiled
    """The sum of ``x`` as NumPy's ``sum`` adds it (pairwise, eight accumulators), to the last bit."""
    n = x.size
    if n < 8:
        res = -0.0
        for i in range(n):
            res += x[i]
        return res
    if n <= 128:
        r = x[:8].copy()
        i = 8
        while i < n - (n % 8):
            for k in range(8):
                r[k] += x[i + k]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += x[i]
            i += 1
        return res
    half = n // 2
    half -= half % 8
    return _numpy_sum(x[:half]) + _numpy_sum(x[half:])


@njit(cache=True)
def condemn(a, actor, weight, victim):  # noqa: ANN001, ANN201 - compiled
    """Every other nation adds ``weight`` defection evidence against ``actor`` (twice for ``victim``, -1 for none).

    Returns the mean fall in others' trust in the actor."""
    n = a.alpha.shape[0]
    before = _trust_column(a.alpha, a.beta, actor)
    for i in range(n):
        a.beta[i, actor] += weight
    if victim >= 0:
        a.beta[victim, actor] += weight
    a.beta[actor, actor] -= weight
    after = _trust_column(a.alpha, a.beta, actor)
    fall = np.empty(n - 1)
    k = 0
    for i in range(n):
        if i != actor:
            fall[k] = before[i] - after[i]
            k += 1
    return _numpy_sum(fall) / (n - 1)


# ---------------------------------------------------------------- the model's acts (each reserves the rows it writes)


@njit(cache=True)
def form_agreement(a, b, record, i, j, depth):  # noqa: ANN001, ANN201 - compiled
    """Open a bilateral agreement between nations i and j."""
    b = reserve(b, 1, 0, 0)
    pid = open_partnership(b, BILATERAL, min(i, j), max(i, j), -1, domain_code(depth, record), depth)
    a.tie_depth[i, j] = a.tie_depth[j, i] = depth
    a.tie_id[i, j] = a.tie_id[j, i] = pid
    b.clock[C_FORMED] += 1
    return b


@njit(cache=True)
def end_agreement(a, b, i, j, reason):  # noqa: ANN001, ANN201 - compiled
    """End the bilateral agreement between nations i and j, for ``reason`` (a code of :data:`~spacesim.model.ledger.REASONS`)."""
    close_partnership(b, a.tie_id[i, j], reason)
    a.tie_depth[i, j] = a.tie_depth[j, i] = 0.0
    a.tie_id[i, j] = a.tie_id[j, i] = -1
    b.clock[C_ENDED] += 1
    return b


@njit(cache=True)
def _members(membership, f):  # noqa: ANN001, ANN202 - compiled
    count = 0
    for i in range(membership.shape[0]):
        if membership[i, f]:
            count += 1
    return count


@njit(cache=True)
def join_framework(a, b, i, f):  # noqa: ANN001, ANN201 - compiled
    """Nation i joins framework f (an accession)."""
    b = reserve(b, 1, 0, 1)
    a.membership[i, f] = True
    a.ever_member[i, f] = True
    a.membership_id[i, f] = open_partnership(b, MEMBERSHIP, i, -1, f, a.framework_domain[f], a.integration[f])
    row = log_event(b, ACCESSION, i, -1, f, False, 1, 0.0, 0.0)
    row[ACCESSION_MEMBERS] = _members(a.membership, f)
    return b


@njit(cache=True)
def leave_framework(a, b, i, f, reason, scheduled):  # noqa: ANN001, ANN201 - compiled
    """Nation i leaves framework f, for ``reason`` (a code of :data:`~spacesim.model.ledger.REASONS`): a withdrawal."""
    b = reserve(b, 0, 0, 1)
    close_partnership(b, a.membership_id[i, f], reason)
    a.membership[i, f] = False
    a.membership_id[i, f] = -1
    row = log_event(b, WITHDRAWAL, i, -1, f, scheduled, 1, 0.0, 0.0)
    row[WITHDRAWAL_REASON] = reason
    row[WITHDRAWAL_MEMBERS] = _members(a.membership, f)
    return b


@njit(cache=True)
def invitation(a, b, lead, i, f):  # noqa: ANN001, ANN201 - compiled
    """Log a framework's lead inviting a nation that accepts (3.3.6; the accession is logged as it joins)."""
    b = reserve(b, 0, 0, 1)
    log_event(b, INVITATION, i, lead, f, False, 1, 0.0, 0.0)
    return b


@njit(cache=True)
def collisions(a, b, record, count):  # noqa: ANN001, ANN201 - compiled
    """Log random collisions in orbit (C14): one row carrying their number."""
    b = reserve(b, 0, 0, 1)
    pieces = count * record[0].collision_fragments
    row = log_event(b, COLLISION, -1, -1, -1, False, count, pieces, 0.0)
    row[COLLISION_PIECES] = pieces
    return b


@njit(cache=True)
def log_leak(a, b, leaker, victim, trust_before, scheduled):  # noqa: ANN001, ANN201 - compiled
    """Log a leak whose evidence is already recorded (the cooperation round's leaks carry it in the round's evidence)."""
    b = reserve(b, 0, 0, 1)
    drop = trust_before - trust(a.alpha[victim, leaker], a.beta[victim, leaker])
    row = log_event(b, LEAK, leaker, victim, -1, scheduled, 1, 0.0, -drop)
    row[LEAK_DROP] = drop
    return b


@njit(cache=True)
def log_row(a, b, kind, actor, target, framework, scheduled, trust_change, v0, v1):  # noqa: ANN001, ANN201 - compiled
    """Log a row from Python (the past's ASAT tests, a founding): reserves its room.

    ``v0`` and ``v1`` are a ``history`` row's year and drop; the other kinds logged from Python (a founding)
    carry no values, and must give 0."""
    b = reserve(b, 0, 0, 1)
    row = log_event(b, kind, actor, target, framework, scheduled, 1, 0.0, trust_change)
    if kind == HISTORY:
        row[HISTORY_YEAR] = v0
        row[HISTORY_DROP] = v1
    elif v0 != 0.0 or v1 != 0.0:
        raise RuntimeError("log_row: only a history row carries values")
    return b


@njit(cache=True)
def founding_membership(a, b, i, f):  # noqa: ANN001, ANN201 - compiled
    """A membership the scenario starts with (ledger start step 0, no accession logged)."""
    b = reserve(b, 1, 0, 0)
    a.membership_id[i, f] = open_partnership(b, MEMBERSHIP, i, -1, f, a.framework_domain[f], a.integration[f])
    return b


@njit(cache=True)
def revise_agreements(a, b, record):  # noqa: ANN001, ANN201 - compiled
    """Record in the ledger each agreement whose depth has changed since its last record (and so perhaps its domain, 3.3.5), in id order."""
    n = a.tie_id.shape[0]
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            if a.tie_id[i, j] >= 0:
                count += 1
    if count == 0:
        return b
    pids = np.empty(count, dtype=np.int64)
    depths = np.empty(count)
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            if a.tie_id[i, j] >= 0:
                pids[k] = a.tie_id[i, j]
                depths[k] = a.tie_depth[i, j]
                k += 1
    b = reserve(b, 0, count, 0)
    for k in np.argsort(pids):
        pid, depth = pids[k], depths[k]
        if depth != b.partnerships[pid, P_LAST_DEPTH]:
            revise(b, pid, depth, domain_code(depth, record))
    return b


@njit(cache=True)
def end_all_agreements(a, b):  # noqa: ANN001, ANN201 - compiled
    """Policy forbids bilateral agreements: each ends (row-major order of the upper triangle)."""
    n = a.tie_depth.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            if a.tie_depth[i, j] > 0:
                b = end_agreement(a, b, i, j, BY_POLICY)
    return b


@njit(cache=True)
def leave_all_frameworks(a, b):  # noqa: ANN001, ANN201 - compiled
    """Policy forbids frameworks: each member leaves (nation, then framework order)."""
    n, f_count = a.membership.shape
    for i in range(n):
        for f in range(f_count):
            if a.membership[i, f]:
                b = leave_framework(a, b, i, f, BY_POLICY, False)
    return b


# ---------------------------------------------------------------- handlers: what each kind does


@handles("asat_test")
@njit(cache=True)
def asat_test(a, b, rng, record, actor, target, framework, debris, scheduled):  # noqa: ANN001, ANN201, ARG001 - a handler's signature
    """A destructive ASAT test: debris rises, every nation feels more threatened, trust in the tester falls, distrustful nations arm (C8, C14)."""
    p = record[0]
    b = reserve(b, 0, 0, 1)
    pieces = p.asat_debris if np.isnan(debris) else debris
    a.env[ENV_DEBRIS] += pieces
    n = a.threat.size
    for j in range(n):
        a.threat[j] = shocked_threat(a.threat[j], p.asat_threat_shock)
    drop = condemn(a, actor, p.hostile_trust_damage, -1)
    trust_in_actor = _trust_column(a.alpha, a.beta, actor)
    fearful = 0
    for j in range(n):
        if trust_in_actor[j] < p.arming_threshold and j != actor:
            a.counterspace[j] = militarised(a.counterspace[j], trust_in_actor[j], p.militarisation_response, p.arming_threshold, p.arming_factor)
            fearful += 1
    row = log_event(b, ASAT_TEST, actor, -1, -1, scheduled, 1, pieces, -drop)
    row[ASAT_PIECES] = pieces
    row[ASAT_DROP] = drop
    row[ASAT_FEARFUL] = fearful
    return b


@handles("cyber_attack")
@njit(cache=True)
def cyber_attack(a, b, rng, record, actor, target, framework, debris, scheduled):  # noqa: ANN001, ANN201, ARG001 - a handler's signature
    """A cyber attack on a nation's space systems: the victim loses some capability and trust, and feels threatened (C8)."""
    p = record[0]
    b = reserve(b, 0, 0, 1)
    a.capability[target] = attacked_capability(a.capability[target], p.cyber_capability_loss)
    a.threat[target] = shocked_threat(a.threat[target], p.asat_threat_shock * p.cyber_threat_share)
    before = trust(a.alpha[target, actor], a.beta[target, actor])
    drop = condemn(a, actor, p.hostile_trust_damage * p.cyber_trust_share, target)
    victim_drop = before - trust(a.alpha[target, actor], a.beta[target, actor])
    row = log_event(b, CYBER_ATTACK, actor, target, -1, scheduled, 1, 0.0, -victim_drop)
    row[CYBER_VICTIM_DROP] = victim_drop
    row[CYBER_DROP] = drop
    row[CYBER_LOSS] = p.cyber_capability_loss
    return b


@handles("leak")
@njit(cache=True)
def leak(a, b, rng, record, actor, target, framework, debris, scheduled):  # noqa: ANN001, ANN201, ARG001 - a handler's signature
    """A scheduled or triggered leak by ``actor`` of what ``target`` shared: the victim's evidence against the leaker,
    spread to third parties as in the round (C10)."""
    p = record[0]
    before = trust(a.alpha[target, actor], a.beta[target, actor])
    t = np.empty_like(a.alpha)
    _trust_into(a.alpha, a.beta, t)
    observers, actors = np.array([target]), np.array([actor])
    _add_evidence(a.alpha, a.beta, t, observers, actors, np.zeros(1), np.array([p.leak_trust_damage]), p.reputation_spread)
    return log_leak(a, b, actor, target, before, scheduled)


@handles("government_change")
@njit(cache=True)
def government_change(a, b, rng, record, actor, target, framework, debris, scheduled):  # noqa: ANN001, ANN201, ARG001 - a handler's signature
    """A new government: a new hidden reliability that partners must learn, attitudes shift, and (by doctrine,
    ``reversal_withdrawal``) commitments may be dropped (C9).

    The new reliability is the inverse Beta CDF (SciPy's) of a uniform drawn here: the uniform is left in the
    log row and the reliability NaN until Python settles it (``SpaceModel._settle_reliabilities``, from ``SpaceModel.call``), right after the
    compiled call; nothing in a step reads a reliability after its political changes.
    """
    p = record[0]
    i = actor
    n, f_count = a.membership.shape
    b = reserve(b, 0, 0, 1 + f_count)
    _forget(a.alpha, a.beta, a.prior_alpha, a.prior_beta, i, 1.0 - p.reversal_trust_reset)
    _set_aside(a.alpha, a.beta, a.prior_alpha, a.prior_beta, i, 1.0 - p.reputation_reset)
    old = a.sovereignty[i]
    a.sovereignty[i] = min(max(old + rng.normal(0.0, p.reversal_sovereignty_shift), 0.0), 1.0)
    u = rng.random()
    a.reliability[i] = np.nan
    shift = a.sovereignty[i] - old
    # Fixed-size draws (one per nation, one per framework) keep the random stream aligned across policy variants.
    tie_draws, membership_draws = rng.random(n), rng.random(f_count)
    partners, frameworks = reversals(a.tie_depth[i], a.membership[i], tie_draws, membership_draws, p.reversal_withdrawal)
    for k in range(partners.size):
        b = end_agreement(a, b, i, partners[k], BY_GOVERNMENT_CHANGE)
    row = log_event(b, GOVERNMENT_CHANGE, i, -1, -1, scheduled, 1, 0.0, 0.0)
    row[GC_SHIFT] = shift
    row[GC_ENDED] = partners.size
    row[GC_LEFT] = frameworks.size
    row[GC_RELIABILITY] = np.nan
    row[GC_UNIFORM] = u
    for k in range(frameworks.size):
        b = leave_framework(a, b, i, frameworks[k], BY_GOVERNMENT_CHANGE, False)
    return b


@describes("government_change")
def _government_change_text(row: np.ndarray, values: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    ended, left = values["ended"], values["left"]
    if ended or left:
        return {"consequences": f"it ends {plural(ended, 'bilateral agreement')} and leaves {plural(left, 'framework')}"}
    return {"consequences": "its partners must learn again whether it keeps its commitments"}


@handles("withdrawal")
@njit(cache=True)
def scheduled_withdrawal(a, b, rng, record, actor, target, framework, debris, scheduled):  # noqa: ANN001, ANN201, ARG001 - a handler's signature
    """A nation leaves a framework as scheduled (nothing happens if it is not a member)."""
    if a.membership[actor, framework]:
        b = leave_framework(a, b, actor, framework, BY_SCHEDULE, scheduled)
    return b


@describes("withdrawal")
def _withdrawal_text(row: np.ndarray, values: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    reason = REASONS[values["reason"]]
    return {"why": WITHDRAWAL_REASONS.get(reason, reason)}


@handles("framework_opens")
@njit(cache=True)
def framework_opens(a, b, rng, record, actor, target, framework, debris, scheduled):  # noqa: ANN001, ANN201, ARG001 - a handler's signature
    """A framework opens for new members."""
    b = reserve(b, 0, 0, 1)
    a.framework_open[framework] = True
    log_event(b, FRAMEWORK_OPENS, -1, -1, framework, scheduled, 1, 0.0, 0.0)
    return b


@describes("invitation")
def _invitation_text(row: np.ndarray, values: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    return {"lead_name": names["target_name"]}  # the row's target is the lead


@describes("collision")
def _collision_text(row: np.ndarray, values: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    count = int(row[E_COUNT])
    return {"collisions": plural(count, "collision"), "create": "creates" if count == 1 else "create"}


# Every other kind's sentence reads only its declared values and the row's names (a founding's founders are its
# notes, SpaceModel.found_framework).
DESCRIBERS.update({kind: _describer(kind) for kind in EVENTS if kind not in DESCRIBERS})
