"""C8, C13, C14: debris, threat perception, norms and the chance of hostile acts.

Debris (Talent 1992, particles in a box): D' = D + A - B D + fragments x
Poisson(collision_rate D^2 max(0, 1 - D / debris_capacity)) + pieces from
destructive tests, so growth has a linear and a quadratic (Kessler) part; the
cascade saturates at ``debris_capacity``.

Threat: theta_i <- inertia theta_i + (1 - inertia) theta*_i, with
theta*_i = clip(base_i + w_D D / (D + D_ref) + w_R sum_{j != i} (1 - T_ij) a_j k_j / sum_{j != i} k_j),
and base_i set so the scenario's initial threat perception is the starting point.

Norms: norm <- norm + norm_growth (share of nations in a framework - norm).

docs/model.md 3.3.8-3.3.12; each formula is a function of :mod:`spacesim.model.equations`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from .. import equations as eq
from ..state import WorldState


def debris_step(debris: float, p: SimpleNamespace, rng: np.random.Generator) -> tuple[float, int]:
    """Next debris stock from launches, decay and random collisions; also the number of collisions."""
    collisions = int(rng.poisson(eq.expected_collisions(debris, p.collision_rate, p.debris_capacity)))
    return eq.next_debris(debris, collisions, p.debris_source, p.debris_decay, p.collision_fragments), collisions


def assessed_threat(state: WorldState, trust: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Threat each nation would perceive from debris and distrusted rivals' counterspace, before its baseline."""
    return _assessed_threat(state.capability, state.counterspace, trust, state.debris, p.debris_threat_weight, p.debris_reference, p.rival_threat_weight)


@njit(cache=True)
def _assessed_threat(k, counterspace, trust, debris, debris_threat_weight, debris_reference, rival_threat_weight):  # noqa: ANN001, ANN202 - compiled
    n = k.size
    debris_part = eq.debris_threat(debris, debris_threat_weight, debris_reference)
    armed = counterspace * k
    k_total = k.sum()
    out = np.empty(n)
    for i in range(n):
        hostile = 0.0  # sum_{j != i} (1 - T_ij) a_j k_j
        for j in range(n):
            if j != i:
                hostile += (1.0 - trust[i, j]) * armed[j]
        out[i] = debris_part + eq.rival_threat(hostile, k_total - k[i], rival_threat_weight)
    return out


def calibrate_base_threat(state: WorldState, p: SimpleNamespace) -> None:
    """Set each baseline so that the initial threat perception is the assessed threat's fixed point."""
    state.base_threat = state.threat - assessed_threat(state, state.trust, p)


def update_threat(state: WorldState, trust: np.ndarray, p: SimpleNamespace) -> None:
    """Threat perception moves toward the assessed threat (C8)."""
    state.threat = _moved_threat(state.threat, state.base_threat, assessed_threat(state, trust, p), p.threat_inertia)


@njit(cache=True)
def _moved_threat(threat, base, assessed, inertia):  # noqa: ANN001, ANN202 - compiled
    out = np.empty(threat.size)
    for i in range(threat.size):
        out[i] = eq.moved_threat(threat[i], base[i], assessed[i], inertia)
    return out


def update_norm(state: WorldState, p: SimpleNamespace) -> None:
    """Norm strength tracks the share of nations bound by at least one framework (C13)."""
    participation = _bound_share(state.membership)
    state.norm = eq.next_norm(state.norm, participation, p.norm_growth)


@njit(cache=True)
def _bound_share(membership):  # noqa: ANN001, ANN202 - compiled
    """Share of nations in at least one framework (0 with no frameworks)."""
    n, f_count = membership.shape
    bound = 0
    for i in range(n):
        for f in range(f_count):
            if membership[i, f]:
                bound += 1
                break
    return bound / n if n else 0.0


def hostile_rate_factor(state: WorldState, p: SimpleNamespace) -> float:
    """Factor by which norms lower every hostile act's rate (C13)."""
    return eq.hostile_rate_factor(state.norm, p.norm_deterrence)


def draw_asat_tests(state: WorldState, trust: np.ndarray, p: SimpleNamespace, rng: np.random.Generator) -> list[int]:
    """Nations that conduct a destructive ASAT test this step.

    Rate: asat_rate x counterspace x (norm factor) x (asat_distrust_offset + mean distrust of others).
    """
    draws = rng.random(state.n)
    return _asat_testers(trust, state.counterspace, p.asat_rate, hostile_rate_factor(state, p), p.asat_distrust_offset, draws).tolist()


@njit(cache=True)
def _asat_testers(trust, counterspace, asat_rate, norm_factor, distrust_offset, draws):  # noqa: ANN001, ANN202 - compiled
    n = trust.shape[0]
    out = []
    for i in range(n):
        distrust = 0.0
        for j in range(n):
            if j != i:
                distrust += 1.0 - trust[i, j]
        if draws[i] < eq.probability(eq.asat_rate(counterspace[i], distrust / max(n - 1, 1), norm_factor, asat_rate, distrust_offset)):
            out.append(i)
    return np.array(out, dtype=np.int64)


def count_partners(tie_depth: np.ndarray, co_member: np.ndarray) -> np.ndarray:
    """Each nation's number of partners: nations linked to it by an agreement (d > 0) or a shared framework (C > 0), each once."""
    return _count_partners(tie_depth, co_member)


@njit(cache=True)
def _count_partners(tie_depth, co_member):  # noqa: ANN001, ANN202 - compiled
    n = tie_depth.shape[0]
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        for j in range(n):
            if tie_depth[i, j] > 0 or co_member[i, j] > 0:
                out[i] += 1
    return out


def draw_cyber_attacks(state: WorldState, trust: np.ndarray, partners: np.ndarray, p: SimpleNamespace, rng: np.random.Generator) -> list[tuple[int, int]]:
    """(attacker, target) pairs this step; each attacker targets the nation it trusts least.

    ``partners`` is each nation's number of partners (bilateral or through a framework, :func:`count_partners`).

    Rate: cyber_rate x counterspace x (norm factor) / (1 + alliance_deterrence x target's partners).
    """
    draws = rng.random(state.n)
    attackers, targets = _cyber_attacks(trust, np.asarray(partners, dtype=np.float64), state.counterspace, p.cyber_rate, hostile_rate_factor(state, p), p.alliance_deterrence, draws)
    return list(zip(attackers.tolist(), targets.tolist()))


@njit(cache=True)
def _cyber_attacks(trust, partners, counterspace, cyber_rate, norm_factor, alliance_deterrence, draws):  # noqa: ANN001, ANN202 - compiled
    n = trust.shape[0]
    attackers, targets = [], []
    for i in range(n):
        target, lowest = 0, np.inf  # the first nation of lowest trust, never itself (argmin with an infinite diagonal)
        for j in range(n):
            if j != i and trust[i, j] < lowest:
                target, lowest = j, trust[i, j]
        if draws[i] < eq.probability(eq.cyber_rate(counterspace[i], partners[target], norm_factor, cyber_rate, alliance_deterrence)):
            attackers.append(i)
            targets.append(target)
    return np.array(attackers, dtype=np.int64), np.array(targets, dtype=np.int64)
