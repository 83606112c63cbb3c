"""Events and their effects, each logged with a one-sentence narrative.

Scheduled events (from the scenario's timeline), random events (drawn by the
rules) and shocks triggered by hand all go through these functions, so they
act and are recorded alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .rules import trust as trust_rule
from .rules.politics import new_government_attitudes, reversals

if TYPE_CHECKING:
    from .space_model import SpaceModel


def _others(model: "SpaceModel") -> int:
    return model.state.n - 1


def possessive(name: str) -> str:
    """``China's``, ``United States'``.

    >>> possessive("China"), possessive("United States")
    ("China's", "United States'")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def asat_test(model: "SpaceModel", actor: int, debris: float | None = None, scheduled: bool = False) -> None:
    """A destructive ASAT test: debris rises, every nation feels more threatened, trust in the tester falls, distrustful nations arm (C8, C14)."""
    s, p = model.state, model.p
    pieces = p.asat_debris if debris is None else debris
    s.debris += pieces
    s.threat = (s.threat + p.asat_threat_shock).clip(0.0, 1.0)
    drop = trust_rule.condemn(s, actor, p.hostile_trust_damage)
    trust_in_actor = s.trust_in(actor)
    fearful = (trust_in_actor < 0.5) & (np.arange(s.n) != actor)
    s.counterspace = np.where(fearful, np.minimum(1.0, s.counterspace + p.militarisation_response * 2 * (0.5 - trust_in_actor)), s.counterspace)
    name = s.names[actor]
    model.log.add(
        model.steps,
        "asat_test",
        f"{name} conducts a destructive ASAT test; debris rises by {pieces:,.0f} pieces; trust in {name} falls across {_others(model)} nations",
        actor=s.codes[actor],
        effect=f"debris +{pieces:,.0f}; others' trust in {s.codes[actor]} -{drop:.3f} on average; {int(fearful.sum())} nations raise counterspace capability",
        debris_change=pieces,
        trust_change=-drop,
        scheduled=scheduled,
    )


def cyber_attack(model: "SpaceModel", actor: int, target: int, scheduled: bool = False) -> None:
    """A cyber attack on a nation's space systems: the victim loses some capability and trust, and feels threatened (C8)."""
    s, p = model.state, model.p
    s.capability[target] *= 0.98
    s.threat[target] = min(1.0, s.threat[target] + p.asat_threat_shock / 2)
    before = s.trust_of(target, actor)
    drop = trust_rule.condemn(s, actor, p.hostile_trust_damage / 2, victim=target)
    victim_drop = before - s.trust_of(target, actor)
    model.log.add(
        model.steps,
        "cyber_attack",
        f"{s.names[actor]} attacks {possessive(s.names[target])} space systems in cyberspace; {possessive(s.names[target])} trust in {s.names[actor]} falls by {victim_drop:.2f}",
        actor=s.codes[actor],
        target=s.codes[target],
        effect=f"{s.codes[target]} capability -2%; victim's trust -{victim_drop:.3f}; others' trust -{drop:.3f} on average",
        trust_change=-victim_drop,
        scheduled=scheduled,
    )


def leak(model: "SpaceModel", leaker: int, victim: int, trust_before: float, *, apply_damage: bool, scheduled: bool = False) -> None:
    """Log a leak by ``leaker`` of what ``victim`` shared (C10).

    Leaks drawn in the cooperation round already carry their evidence; a
    scheduled or triggered leak (``apply_damage``) adds it here, spread to
    third parties as in the round.
    """
    s, p = model.state, model.p
    if apply_damage:
        bad = np.zeros((s.n, s.n))
        bad[victim, leaker] = p.leak_trust_damage
        trust_rule.record_evidence(s, np.zeros_like(bad), bad, p)
    drop = trust_before - s.trust_of(victim, leaker)
    model.log.add(
        model.steps,
        "leak",
        f"intelligence {s.names[victim]} shared with {s.names[leaker]} leaks; {possessive(s.names[victim])} trust in {s.names[leaker]} falls by {drop:.2f}",
        actor=s.codes[leaker],
        target=s.codes[victim],
        effect=f"{s.codes[victim]}'s trust in {s.codes[leaker]} -{drop:.3f}",
        trust_change=-drop,
        scheduled=scheduled,
    )


def government_change(model: "SpaceModel", nation: int, scheduled: bool = False) -> None:
    """A new government: attitudes shift and each commitment may be dropped (C9)."""
    s, p, rng = model.state, model.p, model.rng
    shift = new_government_attitudes(s, nation, p, rng)
    ended = 0
    # Fixed-size draws (one per nation, one per framework) keep the random stream aligned across policy variants.
    tie_draws, membership_draws = rng.random(s.n), rng.random(s.membership.shape[1])
    partners, frameworks = reversals(s.tie_depth[nation], s.membership[nation], tie_draws, membership_draws, p.reversal_withdrawal)
    for j in partners.tolist():
        model.end_agreement(nation, j, "government_change")
        ended += 1
    n_leave = frameworks.size
    model.log.add(
        model.steps,
        "government_change",
        f"a new government takes office in {s.names[nation]}; it ends {ended} bilateral agreement{'s' if ended != 1 else ''} and leaves {n_leave} framework{'s' if n_leave != 1 else ''}",
        actor=s.codes[nation],
        effect=f"sovereignty {shift:+.3f}; {ended} agreements ended; {n_leave} memberships ended",
        scheduled=scheduled,
    )
    for f in frameworks.tolist():
        model.leave_framework(nation, f, "government_change")


def withdrawal(model: "SpaceModel", nation: int, framework: int, reason: str, scheduled: bool = False) -> None:
    """Log a nation leaving a framework (the ledger is updated by the model)."""
    s = model.state
    why = {"government_change": "after a change of government", "distrust": "for lack of trust in its members", "not worth it": "as membership no longer pays", "policy": "as policy no longer allows it", "scheduled": "as scheduled"}.get(reason, reason)
    model.log.add(
        model.steps,
        "withdrawal",
        f"{s.names[nation]} withdraws from {s.framework_names[framework]} {why}",
        actor=s.codes[nation],
        framework=s.framework_codes[framework],
        effect=f"{int(s.membership[:, framework].sum())} members remain",
        scheduled=scheduled,
    )


def accession(model: "SpaceModel", nation: int, framework: int) -> None:
    """Log a nation joining a framework."""
    s = model.state
    model.log.add(
        model.steps,
        "accession",
        f"{s.names[nation]} joins {s.framework_names[framework]}",
        actor=s.codes[nation],
        framework=s.framework_codes[framework],
        effect=f"{int(s.membership[:, framework].sum())} members",
    )


def framework_opens(model: "SpaceModel", framework: int, scheduled: bool = True) -> None:
    """A framework opens for new members."""
    s = model.state
    s.framework_open[framework] = True
    model.log.add(
        model.steps,
        "framework_opens",
        f"{s.framework_names[framework]} opens for new members",
        framework=s.framework_codes[framework],
        effect="open to applicants",
        scheduled=scheduled,
    )


def framework_founded(model: "SpaceModel", framework: int, founders: list[int]) -> None:
    """A framework is founded: its founding members join it now (each an accession), and it is open or closed as declared."""
    s = model.state
    names = [s.names[i] for i in founders]
    model.log.add(
        model.steps,
        "framework_founded",
        f"{s.framework_names[framework]} is founded by {len(founders)} nation{'s' if len(founders) != 1 else ''}: {', '.join(names)}",
        framework=s.framework_codes[framework],
        effect=f"{len(founders)} founding members; {'open' if s.framework_open[framework] else 'closed'} to applicants",
        scheduled=True,
    )
    for i in founders:
        model.join_framework(i, framework)


def collisions(model: "SpaceModel", count: int) -> None:
    """Log random collisions in orbit (C14)."""
    pieces = count * model.p.collision_fragments
    model.log.add(
        model.steps,
        "collision",
        f"{count} collision{'s' if count > 1 else ''} in orbit create{'s' if count == 1 else ''} {pieces:,.0f} pieces of debris",
        effect=f"debris +{pieces:,.0f}",
        debris_change=pieces,
        count=count,
    )
