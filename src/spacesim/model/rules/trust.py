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
    if not spread > 0 or m == 0:  # (no hearsay unless the spread is positive)
        return
    # Each observer k tells every other nation i what it saw, which weighs as far as i trusts k:
    # heard[i, j] = sum_{k != i} T[i, k] e[k, j] (nobody hears its own report), summed over the
    # reports about j in the order given, so that each sum is added up in the same order whatever
    # the blocking. The reports are grouped by actor (stable counting sorts, one list for cooperation
    # seen and one for defection), and the listeners taken a block at a time: for a block, the
    # listeners' trust in every teller (packed, teller-major) stays in cache while each actor's
    # reports are summed, N operations per report in all.
    good_start, good_teller, good_value = _by_actor(n, observers, actors, good)
    bad_start, bad_teller, bad_value = _by_actor(n, observers, actors, bad)
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
        _heard(packed, w, good_start, good_teller, good_value, heard_good)
        _heard(packed, w, bad_start, bad_teller, bad_value, heard_bad)
        for c in range(w):
            i = i0 + c
            for j in range(n):
                if i != j:  # nobody gathers evidence about itself
                    alpha[i, j] += hearsay(heard_good[j, c], n, spread)
                    beta[i, j] += hearsay(heard_bad[j, c], n, spread)


@njit(cache=True)
def _by_actor(n: int, observers: np.ndarray, actors: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The nonzero reports grouped by actor, in the order given within each: actor j's are ``teller[start[j]:start[j + 1]]`` with ``value[...]``."""
    start = np.zeros(n + 1, dtype=np.int64)
    for k in range(observers.size):
        if values[k] != 0.0:
            start[actors[k] + 1] += 1
    for j in range(n):
        start[j + 1] += start[j]
    fill = start[:n].copy()
    teller = np.empty(start[n], dtype=np.int64)
    value = np.empty(start[n])
    for k in range(observers.size):
        if values[k] != 0.0:
            r = fill[actors[k]]
            teller[r] = observers[k]
            value[r] = values[k]
            fill[actors[k]] = r + 1
    return start, teller, value


@njit(cache=True)
def _heard(packed: np.ndarray, width: int, start: np.ndarray, teller: np.ndarray, value: np.ndarray, heard: np.ndarray) -> None:
    """heard[j, c] = sum over j's reports r, in order, of value[r] packed[teller[r], c] (c < width): one block of listeners.

    Four reports are added per pass over the block, in their order (the same sums, a quarter of the passes).
    """
    for j in range(start.size - 1):
        acc = heard[j]
        for c in range(width):
            acc[c] = 0.0
        r, end = start[j], start[j + 1]
        while r + 3 < end:
            row1, row2, row3, row4 = packed[teller[r]], packed[teller[r + 1]], packed[teller[r + 2]], packed[teller[r + 3]]
            e1, e2, e3, e4 = value[r], value[r + 1], value[r + 2], value[r + 3]
            for c in range(width):
                acc[c] = (((acc[c] + e1 * row1[c]) + e2 * row2[c]) + e3 * row3[c]) + e4 * row4[c]
            r += 4
        while r < end:
            row = packed[teller[r]]
            e = value[r]
            for c in range(width):
                acc[c] += e * row[c]
            r += 1
