"""C2: trust as a Beta belief updated by evidence, lost faster than won (docs/model.md 3.3.2).

T[i, j] = alpha[i, j] / (alpha[i, j] + beta[i, j]) (Kydd 2000, 2005;
:func:`spacesim.model.equations.trust`). Observed
cooperation adds ``trust_gain`` to alpha; observed defection adds
``trust_loss`` (> gain) to beta; each step evidence decays toward the prior
with retention ``trust_memory``. Third parties hear what observers saw and
add a share ``reputation_spread`` of it, weighted by their trust in the
teller (image scoring; Nowak & Sigmund 1998). The belief is about each
government's hidden reliability, which its behaviour in the cooperation
round reveals (:mod:`spacesim.model.rules.cooperation`).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import hearsay, toward_prior
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


def record_evidence_at(state: WorldState, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, p: SimpleNamespace, trust: np.ndarray | None = None) -> None:
    """Add observed cooperation (``good``) and defection (``bad``) evidence, given as (observer, actor) pairs, each pair at most once.

    Each observer k tells what it saw; every third party i (neither k nor
    the actor) adds ``reputation_spread`` T[i, k] / (N - 1) of it
    (:func:`spacesim.model.equations.hearsay`): what j did to a partner
    shapes others' view of j, as far as they trust the partner who tells it
    (image scoring). ``trust`` is T (default: as the state stands). The
    pairs are the few that interacted, so this costs N per pair, not N^3.
    """
    t = state.trust if trust is None else trust
    _add_evidence(state.alpha, state.beta, t, observers, actors, np.asarray(good, dtype=np.float64), np.asarray(bad, dtype=np.float64), p.reputation_spread)


@njit(cache=True)
def _add_evidence(alpha: np.ndarray, beta: np.ndarray, t: np.ndarray, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, spread: float) -> None:
    n = alpha.shape[0]
    for k in range(observers.size):
        alpha[observers[k], actors[k]] += good[k]
        beta[observers[k], actors[k]] += bad[k]
    if spread > 0:
        # Each observer tells every third party what it saw, which weighs as far as the listener trusts the teller.
        for k in range(observers.size):
            teller, actor = observers[k], actors[k]
            if good[k] == 0.0 and bad[k] == 0.0:
                continue
            for i in range(n):
                if i != teller and i != actor:
                    alpha[i, actor] += hearsay(good[k], t[i, teller], n, spread)
                    beta[i, actor] += hearsay(bad[k], t[i, teller], n, spread)


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
