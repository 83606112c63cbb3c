"""C9: political change. A new government may reduce commitment or withdraw.

Each step nation i changes government with probability
government_change_rate (1 - political_stability_i). A new government ends
each agreement and membership with probability reversal_withdrawal, forgets
a share reversal_trust_reset of its trust evidence, and its sovereignty
shifts by a normal draw of standard deviation reversal_sovereignty_shift.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import government_change_chance, toward_prior
from ..state import WorldState


def draw_government_changes(state: WorldState, p: SimpleNamespace, rng: np.random.Generator) -> list[int]:
    """Nations whose government changes this step."""
    return _changes(state.stability, p.government_change_rate, rng.random(state.n)).tolist()


@njit(cache=True)
def _changes(stability, rate, draws):  # noqa: ANN001, ANN202 - compiled
    out = []
    for i in range(stability.size):
        if draws[i] < government_change_chance(stability[i], rate):
            out.append(i)
    return np.array(out, dtype=np.int64)


def new_government_attitudes(state: WorldState, nation: int, p: SimpleNamespace, rng: np.random.Generator) -> float:
    """Apply a new government's change of attitude to ``nation``; return its change in sovereignty."""
    i = nation
    _forget(state.alpha, state.beta, state.prior_alpha, state.prior_beta, i, 1.0 - p.reversal_trust_reset)
    old = state.sovereignty[i]
    state.sovereignty[i] = float(min(max(old + rng.normal(0.0, p.reversal_sovereignty_shift), 0.0), 1.0))  # clipped to [0, 1] (np.clip costs ~7 us on one number)
    return float(state.sovereignty[i] - old)


@njit(cache=True)
def _forget(alpha, beta, prior_alpha, prior_beta, i, keep):  # noqa: ANN001, ANN202 - compiled
    """Row i of the evidence moves back toward the prior: x <- prior + keep (x - prior)."""
    for j in range(alpha.shape[1]):
        alpha[i, j] = toward_prior(alpha[i, j], prior_alpha[i, j], keep)
        beta[i, j] = toward_prior(beta[i, j], prior_beta[i, j], keep)


@njit(cache=True)
def reversals(ties, memberships, tie_draws, membership_draws, withdrawal):  # noqa: ANN001, ANN201 - compiled
    """What a new government drops: the partners j with ``ties[j] > 0`` and ``tie_draws[j] < withdrawal``, and the frameworks f it is in with ``membership_draws[f] < withdrawal``, each in index order."""
    partners = [j for j in range(ties.size) if ties[j] > 0 and tie_draws[j] < withdrawal]
    frameworks = [f for f in range(memberships.size) if memberships[f] and membership_draws[f] < withdrawal]
    return np.array(partners, dtype=np.int64), np.array(frameworks, dtype=np.int64)
