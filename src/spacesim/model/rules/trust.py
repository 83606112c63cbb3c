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


def record_evidence_at(
    state: WorldState, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, p: SimpleNamespace, trust: np.ndarray | None = None
) -> None:
    """Add observed cooperation (``good``) and defection (``bad``) evidence, given as (observer, actor) pairs, each pair at most once.

    Each observer k tells what it saw; every other nation i (not the actor)
    adds ``reputation_spread`` T[i, k] / (N - 1) of it
    (:func:`spacesim.model.equations.hearsay`): what j did to a partner
    shapes others' view of j, as far as they trust the partner who tells it
    (image scoring). ``trust`` is T (default: as the state stands).
    """
    t = state.trust if trust is None else trust
    _add_evidence(state.alpha, state.beta, t, observers, actors, np.asarray(good, dtype=np.float64), np.asarray(bad, dtype=np.float64), p.reputation_spread)


#: Listeners heard at once by :func:`_add_evidence`: their trust in every teller (N x 64 floats, 512 kB at
#: 1,000 nations) stays in the core's cache while every actor's tellers are summed.
_LISTENER_BLOCK = 64


@njit(cache=True)
def _add_evidence(
    alpha: np.ndarray, beta: np.ndarray, t: np.ndarray, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, spread: float
) -> None:
    n = alpha.shape[0]
    m = observers.size
    for k in range(m):
        alpha[observers[k], actors[k]] += good[k]
        beta[observers[k], actors[k]] += bad[k]
    if spread <= 0 or m == 0:
        return
    # Each observer k tells every other nation i what it saw, which weighs as far as i trusts k:
    # heard[i, j] = sum_{k != i} T[i, k] e[k, j] (nobody hears its own report), summed over the
    # reports about j in the order given, so that each sum is added up in the same order whatever
    # the blocking. The reports are grouped by actor (a stable counting sort), and the listeners
    # taken a block at a time: for a block, the listeners' trust in every teller (packed, teller-major)
    # stays in cache while each actor's reports are summed, N operations per report in all.
    start = np.zeros(n + 1, dtype=np.int64)
    for k in range(m):
        start[actors[k] + 1] += 1
    for j in range(n):
        start[j + 1] += start[j]
    fill = start[:n].copy()
    order = np.empty(m, dtype=np.int64)
    for k in range(m):
        order[fill[actors[k]]] = k
        fill[actors[k]] += 1
    teller = np.empty(m, dtype=np.int64)
    g = np.empty(m)
    b = np.empty(m)
    for r in range(m):
        teller[r] = observers[order[r]]
        g[r] = good[order[r]]
        b[r] = bad[order[r]]
    width = _LISTENER_BLOCK
    packed = np.empty((n, width))  # packed[k, c] = T[i0 + c, k], 0 where i0 + c == k
    heard_good = np.empty((n, width))  # [actor, listener in the block]
    heard_bad = np.empty((n, width))
    for i0 in range(0, n, width):
        w = min(width, n - i0)
        for c in range(w):
            for k in range(n):
                packed[k, c] = t[i0 + c, k]
            packed[i0 + c, c] = 0.0  # nobody hears its own report
        for j in range(n):
            acc_good = heard_good[j]
            acc_bad = heard_bad[j]
            for c in range(w):
                acc_good[c] = 0.0
                acc_bad[c] = 0.0
            for r in range(start[j], start[j + 1]):
                row = packed[teller[r]]
                if g[r] != 0.0:
                    e = g[r]
                    for c in range(w):
                        acc_good[c] += e * row[c]
                if b[r] != 0.0:
                    e = b[r]
                    for c in range(w):
                        acc_bad[c] += e * row[c]
        for c in range(w):
            i = i0 + c
            for j in range(n):
                if i != j:  # nobody gathers evidence about itself
                    alpha[i, j] += hearsay(heard_good[j, c], n, spread)
                    beta[i, j] += hearsay(heard_bad[j, c], n, spread)


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
