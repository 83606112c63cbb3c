"""C8, C13, C14: debris, threat perception, norms and the chance of hostile acts.

Debris (Talent 1992, particles in a box): D' = D + A - B D + fragments x
Poisson(collision_rate D^2 max(0, 1 - D / debris_capacity)) + pieces from
destructive tests, so growth has a linear and a quadratic (Kessler) part; the
cascade saturates at ``debris_capacity``.

Threat: theta_i <- inertia theta_i + (1 - inertia) theta*_i, with
theta*_i = clip(base_i + w_D D / (D + D_ref) + w_R sum_{j != i} (1 - T_ij) a_j k_j / sum_{j != i} k_j),
and base_i set so the scenario's initial threat perception is the starting point.

Norms: norm <- norm + norm_growth (share of nations in a framework - norm).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..state import WorldState


def debris_step(debris: float, p: SimpleNamespace, rng: np.random.Generator) -> tuple[float, int]:
    """Next debris stock from launches, decay and random collisions; also the number of collisions."""
    expected = p.collision_rate * debris * debris * max(0.0, 1.0 - debris / p.debris_capacity)
    collisions = int(rng.poisson(expected))
    nxt = debris + p.debris_source - p.debris_decay * debris + collisions * p.collision_fragments
    return max(nxt, 0.0), collisions


def assessed_threat(state: WorldState, trust: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Threat each nation would perceive from debris and distrusted rivals' counterspace, before its baseline."""
    debris_part = p.debris_threat_weight * state.debris / (state.debris + p.debris_reference)
    k = state.capability
    others = k.sum() - k
    armed = state.counterspace * k
    # sum_{j != i} (1 - T_ij) a_j k_j, as one matrix-vector product.
    hostile = armed.sum() - trust @ armed - (1.0 - trust.diagonal()) * armed
    rival_part = p.rival_threat_weight * hostile / np.maximum(others, 1e-12)
    return debris_part + rival_part


def calibrate_base_threat(state: WorldState, p: SimpleNamespace) -> None:
    """Set each baseline so that the initial threat perception is the assessed threat's fixed point."""
    state.base_threat = state.threat - assessed_threat(state, state.trust, p)


def update_threat(state: WorldState, trust: np.ndarray, p: SimpleNamespace) -> None:
    """Threat perception moves toward the assessed threat (C8)."""
    target = (state.base_threat + assessed_threat(state, trust, p)).clip(0.0, 1.0)
    state.threat = (p.threat_inertia * state.threat + (1.0 - p.threat_inertia) * target).clip(0.0, 1.0)


def update_norm(state: WorldState, p: SimpleNamespace) -> None:
    """Norm strength tracks the share of nations bound by at least one framework (C13)."""
    if state.membership.shape[1]:
        participation = np.count_nonzero(state.membership.any(axis=1)) / state.n
    else:
        participation = 0.0
    state.norm += p.norm_growth * (participation - state.norm)


def hostile_rate_factor(state: WorldState, p: SimpleNamespace) -> float:
    """Factor by which norms lower every hostile act's rate (C13)."""
    return 1.0 - p.norm_deterrence * state.norm


def draw_asat_tests(state: WorldState, trust: np.ndarray, p: SimpleNamespace, rng: np.random.Generator) -> list[int]:
    """Nations that conduct a destructive ASAT test this step.

    Rate: asat_rate x counterspace x (norm factor) x (0.5 + mean distrust of others).
    """
    n = state.n
    distrust = (n - trust.sum(axis=1) - (1.0 - trust.diagonal())) / max(n - 1, 1)
    rate = p.asat_rate * state.counterspace * hostile_rate_factor(state, p) * (0.5 + distrust)
    return (rng.random(n) < rate.clip(0.0, 1.0)).nonzero()[0].tolist()


def draw_cyber_attacks(state: WorldState, trust: np.ndarray, partners: np.ndarray, p: SimpleNamespace, rng: np.random.Generator) -> list[tuple[int, int]]:
    """(attacker, target) pairs this step; each attacker targets the nation it trusts least.

    ``partners`` is each nation's number of partners (bilateral or through a framework).

    Rate: cyber_rate x counterspace x (norm factor) / (1 + alliance_deterrence x target's partners).
    """
    n = state.n
    t = trust.copy()
    np.fill_diagonal(t, np.inf)
    target = np.argmin(t, axis=1)
    deterrence = 1.0 / (1.0 + p.alliance_deterrence * partners[target])
    rate = p.cyber_rate * state.counterspace * hostile_rate_factor(state, p) * deterrence
    attackers = (rng.random(n) < rate.clip(0.0, 1.0)).nonzero()[0]
    return [(int(i), int(target[i])) for i in attackers]
