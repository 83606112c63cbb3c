"""C2: trust as a Beta belief updated by evidence, lost faster than won (docs/model.md 3.3.2).

T[i, j] = alpha[i, j] / (alpha[i, j] + beta[i, j]) (Kydd 2000, 2005;
:func:`spacesim.model.equations.trust`). Observed
cooperation adds ``trust_gain`` to alpha; observed defection adds
``trust_loss`` (> gain) to beta; each step evidence decays toward the prior
with retention ``trust_memory``. Third parties receive a share
``reputation_spread`` of what they see others do (image scoring; Nowak &
Sigmund 1998).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import reputation_share, toward_prior
from ..state import WorldState


def decay(state: WorldState, p: SimpleNamespace) -> None:
    """Evidence fades back toward first impressions at rate 1 - trust_memory.

    alpha <- prior_alpha + trust_memory (alpha - prior_alpha), likewise beta (in place).
    """
    _decay(state.alpha, state.beta, state.prior_alpha, state.prior_beta, p.trust_memory)


@njit(cache=True)
def _decay(alpha: np.ndarray, beta: np.ndarray, prior_alpha: np.ndarray, prior_beta: np.ndarray, m: float) -> None:
    rows, cols = alpha.shape
    for i in range(rows):
        for j in range(cols):
            alpha[i, j] = toward_prior(alpha[i, j], prior_alpha[i, j], m)
            beta[i, j] = toward_prior(beta[i, j], prior_beta[i, j], m)


def record_evidence_at(state: WorldState, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, p: SimpleNamespace) -> None:
    """Add observed cooperation (``good``) and defection (``bad``) evidence, given as (observer, actor) pairs, each pair at most once.

    Third parties get ``reputation_spread`` times the mean evidence about
    each actor (:func:`spacesim.model.equations.reputation_share`): what j
    did to a typical partner shapes everyone's view of j (image scoring, in
    which observers see a sample of an actor's acts). The pairs are the few
    that interacted, so this costs what they cost, not N x N; pairs in
    row-major order give the same sums, bit for bit, as the dense form
    (``tests/model/reference.py``).
    """
    _add_evidence(state.alpha, state.beta, observers, actors, np.asarray(good, dtype=np.float64), np.asarray(bad, dtype=np.float64), p.reputation_spread)


@njit(cache=True)
def _add_evidence(alpha: np.ndarray, beta: np.ndarray, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, spread: float) -> None:
    n = alpha.shape[0]
    for k in range(observers.size):
        alpha[observers[k], actors[k]] += good[k]
        beta[observers[k], actors[k]] += bad[k]
    if spread > 0 and observers.size:
        # What each actor did, summed over the observers that saw it; a share reaches every third party.
        spread_good = np.zeros(n)
        spread_bad = np.zeros(n)
        for k in range(actors.size):
            spread_good[actors[k]] += good[k]
            spread_bad[actors[k]] += bad[k]
        for j in range(n):
            spread_good[j] = reputation_share(spread_good[j], n, spread)
            spread_bad[j] = reputation_share(spread_bad[j], n, spread)
        for i in range(n):
            for j in range(n):
                alpha[i, j] += spread_good[j]
                beta[i, j] += spread_bad[j]
        # Nobody gathers evidence about itself: take back what the diagonal received.
        for i in range(n):
            alpha[i, i] = alpha[i, i] - spread_good[i]
            beta[i, i] = beta[i, i] - spread_bad[i]


def condemn(state: WorldState, actor: int, weight: float, victim: int | None = None) -> float:
    """Every other nation adds ``weight`` defection evidence against ``actor`` (twice for the victim).

    Returns the mean fall in others' trust in the actor.
    """
    before = state.trust_in(actor)
    state.beta[:, actor] += weight
    if victim is not None:
        state.beta[victim, actor] += weight
    state.beta[actor, actor] -= weight
    after = state.trust_in(actor)
    others = np.arange(state.n) != actor
    return float((before - after)[others].mean())
