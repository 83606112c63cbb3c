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

    Each observer k tells what it saw; every other nation i (not the actor)
    adds ``reputation_spread`` T[i, k] / (N - 1) of it
    (:func:`spacesim.model.equations.hearsay`): what j did to a partner
    shapes others' view of j, as far as they trust the partner who tells it
    (image scoring). ``trust`` is T (default: as the state stands).
    """
    t = state.trust if trust is None else trust
    _add_evidence(state.alpha, state.beta, t, observers, actors, np.asarray(good, dtype=np.float64), np.asarray(bad, dtype=np.float64), p.reputation_spread)


@njit(cache=True)
def _add_evidence(alpha: np.ndarray, beta: np.ndarray, t: np.ndarray, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, spread: float) -> None:
    n = alpha.shape[0]
    for k in range(observers.size):
        alpha[observers[k], actors[k]] += good[k]
        beta[observers[k], actors[k]] += bad[k]
    if spread > 0 and observers.size:
        # Each observer k tells every other nation i what it saw, which weighs as far as i trusts k:
        # heard[i, j] = sum_{k != i} T[i, k] e[k, j]. Accumulated per pair along contiguous rows
        # (heard_t[j, i] += e[k, j] T[k-th column, as a row of T transposed]), N operations per pair.
        listener = np.ascontiguousarray(t.T)  # listener[k, i] = T[i, k]
        for k in range(n):
            listener[k, k] = 0.0  # nobody hears its own report
        heard_good = np.zeros((n, n))  # [actor, listener]
        heard_bad = np.zeros((n, n))
        for k in range(observers.size):
            teller, actor = observers[k], actors[k]
            g, b = good[k], bad[k]
            row = listener[teller]
            if g != 0.0:
                acc = heard_good[actor]
                for i in range(n):
                    acc[i] += g * row[i]
            if b != 0.0:
                acc = heard_bad[actor]
                for i in range(n):
                    acc[i] += b * row[i]
        for i in range(n):
            for j in range(n):
                if i != j:  # nobody gathers evidence about itself
                    alpha[i, j] += hearsay(heard_good[j, i], n, spread)
                    beta[i, j] += hearsay(heard_bad[j, i], n, spread)


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
