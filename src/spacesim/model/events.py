"""Events and their effects: a handler registered for each kind a scenario can schedule, and the log row of every event.

Each kind is declared once in :mod:`spacesim.catalogue` (fields, count,
sentence, effect, docs); its effect is the handler registered here with
:func:`handles`. Scheduled events (from the scenario's timeline), random
events (drawn by the rules) and shocks triggered by hand all go through
:func:`happen`, so they act and are recorded alike. :func:`log` writes an
event's row with the sentence and effect its catalogue entry declares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalogue import EVENTS, WITHDRAWAL_REASONS
from .equations import attacked_capability, militarised, shocked_threat
from .rules import trust as trust_rule
from .rules.politics import new_government_attitudes, reversals

if TYPE_CHECKING:
    from .space_model import SpaceModel


@dataclass(frozen=True)
class Occurrence:
    """One event to make happen: its kind, who acts, on whom, in which framework (indices), and how it came about."""

    kind: str
    actor: int | None = None
    target: int | None = None
    framework: int | None = None
    debris: float | None = None
    scheduled: bool = False


Handler = Callable[["SpaceModel", Occurrence], None]

#: The effect of each kind of event a scenario can schedule, by kind (see :func:`handles`).
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the effect of events of ``kind`` (a kind :mod:`spacesim.catalogue` declares)."""
    if kind not in EVENTS:
        raise KeyError(f"event kind {kind!r} is not declared in spacesim.catalogue.EVENT_KINDS")

    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


def happen(model: "SpaceModel", kind: str, actor: int | None = None, target: int | None = None, framework: int | None = None, *, debris: float | None = None, scheduled: bool = False) -> None:
    """Make an event of ``kind`` happen now: its handler acts and logs it."""
    HANDLERS[kind](model, Occurrence(str(kind), actor, target, framework, debris, scheduled))


def possessive(name: str) -> str:
    """``China's``, ``United States'``.

    >>> possessive("China"), possessive("United States")
    ("China's", "United States'")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def plural(count: int, noun: str) -> str:
    """``1 framework``, ``2 frameworks``.

    >>> plural(1, "framework"), plural(0, "bilateral agreement")
    ('1 framework', '0 bilateral agreements')
    """
    return f"{count} {noun}{'' if count == 1 else 's'}"


def log(model: "SpaceModel", kind: str, *, actor: int | None = None, target: int | None = None, framework: int | None = None, scheduled: bool = False, debris_change: float = 0.0, trust_change: float = 0.0, count: int = 1, **values: Any) -> None:
    """Log an event of ``kind`` at the current step, its sentence and effect filled from its catalogue entry.

    The templates may use ``values`` and the names of the nations and
    framework involved (see :class:`spacesim.catalogue.EventKindDef`).
    """
    s = model.state
    names: dict[str, Any] = {"others": s.n - 1}
    if actor is not None:
        names.update(name=s.names[actor], code=s.codes[actor], possessive=possessive(s.names[actor]))
    if target is not None:
        names.update(target_name=s.names[target], target_code=s.codes[target], target_possessive=possessive(s.names[target]))
    if framework is not None:
        names.update(framework_name=s.framework_names[framework], framework_code=s.framework_codes[framework])
    names.update(values)
    entry = EVENTS[kind]
    model.log.add(
        model.steps,
        kind,
        entry.narrative.format(**names),
        actor=names.get("code"),
        target=names.get("target_code"),
        framework=names.get("framework_code"),
        effect=entry.effect.format(**names),
        debris_change=debris_change,
        trust_change=trust_change,
        scheduled=scheduled,
        count=count,
    )


# ---------------------------------------------------------------- handlers: what each kind does


@handles("asat_test")
def asat_test(model: "SpaceModel", e: Occurrence) -> None:
    """A destructive ASAT test: debris rises, every nation feels more threatened, trust in the tester falls, distrustful nations arm (C8, C14)."""
    s, p, actor = model.state, model.p, e.actor
    pieces = p.asat_debris if e.debris is None else e.debris
    s.debris += pieces
    for j in range(s.n):
        s.threat[j] = shocked_threat(s.threat[j], p.asat_threat_shock)
    drop = trust_rule.condemn(s, actor, p.hostile_trust_damage)
    trust_in_actor = s.trust_in(actor)
    fearful = np.flatnonzero((trust_in_actor < p.arming_threshold) & (np.arange(s.n) != actor)).tolist()
    for j in fearful:
        s.counterspace[j] = militarised(s.counterspace[j], trust_in_actor[j], p.militarisation_response, p.arming_threshold, p.arming_factor)
    log(model, "asat_test", actor=actor, scheduled=e.scheduled, debris_change=pieces, trust_change=-drop, pieces=pieces, drop=drop, fearful=len(fearful))


@handles("cyber_attack")
def cyber_attack(model: "SpaceModel", e: Occurrence) -> None:
    """A cyber attack on a nation's space systems: the victim loses some capability and trust, and feels threatened (C8)."""
    s, p, actor, target = model.state, model.p, e.actor, e.target
    s.capability[target] = attacked_capability(s.capability[target], p.cyber_capability_loss)
    s.threat[target] = shocked_threat(s.threat[target], p.asat_threat_shock * p.cyber_threat_share)
    before = s.trust_of(target, actor)
    drop = trust_rule.condemn(s, actor, p.hostile_trust_damage * p.cyber_trust_share, victim=target)
    victim_drop = before - s.trust_of(target, actor)
    log(model, "cyber_attack", actor=actor, target=target, scheduled=e.scheduled, trust_change=-victim_drop, victim_drop=victim_drop, drop=drop, loss=p.cyber_capability_loss)


@handles("leak")
def leak(model: "SpaceModel", e: Occurrence) -> None:
    """A scheduled or triggered leak by ``actor`` of what ``target`` shared: the victim's evidence against the leaker, spread to third parties as in the round (C10)."""
    s, p = model.state, model.p
    before = s.trust_of(e.target, e.actor)
    trust_rule.record_evidence_at(s, np.array([e.target]), np.array([e.actor]), np.zeros(1), np.array([p.leak_trust_damage]), p)
    log_leak(model, e.actor, e.target, before, scheduled=e.scheduled)


def log_leak(model: "SpaceModel", leaker: int, victim: int, trust_before: float, scheduled: bool = False) -> None:
    """Log a leak whose evidence is already recorded (the cooperation round's leaks carry it in the round's evidence)."""
    drop = trust_before - model.state.trust_of(victim, leaker)
    log(model, "leak", actor=leaker, target=victim, scheduled=scheduled, trust_change=-drop, drop=drop)


@handles("government_change")
def government_change(model: "SpaceModel", e: Occurrence) -> None:
    """A new government: a new hidden reliability that partners must learn, attitudes shift, and (by doctrine, ``reversal_withdrawal``) commitments may be dropped (C9)."""
    s, p, rng, nation = model.state, model.p, model.rng, e.actor
    shift = new_government_attitudes(s, nation, p, rng)
    # Fixed-size draws (one per nation, one per framework) keep the random stream aligned across policy variants.
    tie_draws, membership_draws = rng.random(s.n), rng.random(s.membership.shape[1])
    partners, frameworks = reversals(s.tie_depth[nation], s.membership[nation], tie_draws, membership_draws, p.reversal_withdrawal)
    for j in partners.tolist():
        model.end_agreement(nation, j, "government_change")
    ended, left = partners.size, frameworks.size
    if ended or left:
        consequences = f"it ends {plural(ended, 'bilateral agreement')} and leaves {plural(left, 'framework')}"
    else:
        consequences = "its partners must learn again whether it keeps its commitments"
    log(model, "government_change", actor=nation, scheduled=e.scheduled, consequences=consequences, shift=shift, ended=ended, left=left, reliability=float(s.reliability[nation]))
    for f in frameworks.tolist():
        model.leave_framework(nation, f, "government_change")


@handles("withdrawal")
def scheduled_withdrawal(model: "SpaceModel", e: Occurrence) -> None:
    """A nation leaves a framework as scheduled (nothing happens if it is not a member)."""
    if model.state.membership[e.actor, e.framework]:
        model.leave_framework(e.actor, e.framework, "scheduled", e.scheduled)


@handles("framework_opens")
def framework_opens(model: "SpaceModel", e: Occurrence) -> None:
    """A framework opens for new members."""
    model.state.framework_open[e.framework] = True
    log(model, "framework_opens", framework=e.framework, scheduled=e.scheduled)


# ---------------------------------------------------------------- log rows of the model's own acts


def withdrawal(model: "SpaceModel", nation: int, framework: int, reason: str, scheduled: bool = False) -> None:
    """Log a nation leaving a framework (the ledger is updated by the model)."""
    members = int(model.state.membership[:, framework].sum())
    log(model, "withdrawal", actor=nation, framework=framework, scheduled=scheduled, why=WITHDRAWAL_REASONS.get(reason, reason), members=members)


def accession(model: "SpaceModel", nation: int, framework: int) -> None:
    """Log a nation joining a framework."""
    log(model, "accession", actor=nation, framework=framework, members=int(model.state.membership[:, framework].sum()))


def invitation(model: "SpaceModel", lead: int, nation: int, framework: int) -> None:
    """Log a framework's lead inviting a nation that accepts (3.3.6; the accession is logged by the model as it joins)."""
    log(model, "invitation", actor=nation, target=lead, framework=framework, lead_name=model.state.names[lead])


def framework_founded(model: "SpaceModel", framework: int, founders: list[int]) -> None:
    """A framework is founded: its founding members join it now (each an accession), and it is open or closed as declared."""
    s = model.state
    status = "open" if s.framework_open[framework] else "closed"
    log(model, "framework_founded", framework=framework, scheduled=True, founders=plural(len(founders), "nation"), names=", ".join(s.names[i] for i in founders), founders_count=len(founders), status=status)
    for i in founders:
        model.join_framework(i, framework)


def collisions(model: "SpaceModel", count: int) -> None:
    """Log random collisions in orbit (C14)."""
    pieces = count * model.p.collision_fragments
    log(model, "collision", debris_change=pieces, count=count, collisions=plural(count, "collision"), create="creates" if count == 1 else "create", pieces=pieces)
