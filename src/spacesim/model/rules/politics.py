"""C9: political change. A new government has a new reliability and may reduce commitment.

Each step nation i changes government with probability
government_change_rate (1 - political_stability_i). A new government draws a
new hidden reliability from the model's generator (issue 15: its partners
must learn it again, and set aside a share reputation_reset of what they had
learned about its predecessor), forgets a share reversal_trust_reset of its
own trust evidence, and its sovereignty shifts by a normal draw of standard
deviation reversal_sovereignty_shift. By doctrine it may also end each
agreement and membership with probability reversal_withdrawal (0 by
default: distrust ends agreements instead, once partners learn).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit
from scipy.special import betaincinv

from ..equations import government_change_chance, reliability_shape, toward_prior
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


def reliability_from(u: np.ndarray | float, p: SimpleNamespace) -> np.ndarray:
    """Reliabilities drawn by inverse CDF from uniforms ``u``: the ``u`` quantile of Beta(m c, (1 - m) c) (:func:`spacesim.model.equations.reliability_shape`).

    One uniform per government, so the random stream does not depend on the
    distribution's parameters, and a nation keeps its rank across sweeps of them.

    >>> from types import SimpleNamespace
    >>> [round(float(r), 3) for r in reliability_from(np.array([0.1, 0.5, 0.9]), SimpleNamespace(reliability_mean=0.8, reliability_concentration=10.0))]
    [0.632, 0.82, 0.939]
    """
    a, b = reliability_shape(p.reliability_mean, p.reliability_concentration)
    u = np.asarray(u, dtype=float)
    if a <= 0.0:
        return np.zeros_like(u)
    if b <= 0.0:
        return np.ones_like(u)
    return betaincinv(a, b, u)


def initial_reliability(state: WorldState, p: SimpleNamespace, rng: np.random.Generator) -> None:
    """The first governments' hidden reliabilities: N uniforms are drawn (always, so the stream is the same whatever the
    scenario sets); nations whose scenario gives a ``reliability`` keep it."""
    drawn = reliability_from(rng.random(state.n), p)
    unset = np.isnan(state.reliability)
    state.reliability[unset] = drawn[unset]


@njit(cache=True)
def _forget(alpha, beta, prior_alpha, prior_beta, i, keep):  # noqa: ANN001, ANN202 - compiled
    """Row i of the evidence moves back toward the prior: x <- prior + keep (x - prior)."""
    for j in range(alpha.shape[1]):
        alpha[i, j] = toward_prior(alpha[i, j], prior_alpha[i, j], keep)
        beta[i, j] = toward_prior(beta[i, j], prior_beta[i, j], keep)


@njit(cache=True)
def _set_aside(alpha, beta, prior_alpha, prior_beta, i, keep):  # noqa: ANN001, ANN202 - compiled
    """Column i of the evidence (what others learned about i's government) moves back toward the prior: x <- prior + keep (x - prior); i's own entry stays."""
    for j in range(alpha.shape[0]):
        if j != i:
            alpha[j, i] = toward_prior(alpha[j, i], prior_alpha[j, i], keep)
            beta[j, i] = toward_prior(beta[j, i], prior_beta[j, i], keep)


@njit(cache=True)
def reversals(ties, memberships, tie_draws, membership_draws, withdrawal):  # noqa: ANN001, ANN201 - compiled
    """What a new government drops: the partners j with ``ties[j] > 0`` and ``tie_draws[j] < withdrawal``, and the
    frameworks f it is in with ``membership_draws[f] < withdrawal``, each in index order."""
    partners = [j for j in range(ties.size) if ties[j] > 0 and tie_draws[j] < withdrawal]
    frameworks = [f for f in range(memberships.size) if memberships[f] and membership_draws[f] < withdrawal]
    return np.array(partners, dtype=np.int64), np.array(frameworks, dtype=np.int64)
