"""C2, C3: trust as a Beta belief updated by evidence, lost faster than won.

T[i, j] = alpha[i, j] / (alpha[i, j] + beta[i, j]) (Kydd 2000, 2005). Observed
cooperation adds ``trust_gain`` to alpha; observed defection adds
``trust_loss`` (> gain) to beta; each step evidence decays toward the prior
with retention ``trust_memory``. Third parties receive a share
``reputation_spread`` of what they see others do (image scoring; Nowak &
Sigmund 1998).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..state import WorldState


def sharing_depth(trust: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Depth of sharing both sides accept (C3): rises from 0 at ``trust_floor`` to 1 at full mutual trust.

    >>> from types import SimpleNamespace
    >>> t = np.array([[1.0, 0.9], [0.6, 1.0]])
    >>> sharing_depth(t, SimpleNamespace(trust_floor=0.5)).round(2).tolist()
    [[1.0, 0.2], [0.2, 1.0]]
    """
    mutual = np.minimum(trust, trust.T)
    return np.clip((mutual - p.trust_floor) / (1.0 - p.trust_floor), 0.0, 1.0)


def decay(state: WorldState, p: SimpleNamespace) -> None:
    """Evidence fades back toward first impressions at rate 1 - trust_memory.

    alpha <- prior_alpha + trust_memory (alpha - prior_alpha), likewise beta (in place).
    """
    m = p.trust_memory
    for evidence, prior in ((state.alpha, state.prior_alpha), (state.beta, state.prior_beta)):
        np.subtract(evidence, prior, out=evidence)
        evidence *= m
        evidence += prior


def record_evidence(state: WorldState, good: np.ndarray, bad: np.ndarray, p: SimpleNamespace) -> None:
    """Add observed cooperation (``good``) and defection (``bad``) evidence, N x N, row = observer.

    Third parties get ``reputation_spread`` times the column means: what j
    did to a typical partner shapes everyone's view of j (image scoring, in
    which observers see a sample of an actor's acts).
    """
    observers, actors = np.nonzero((good != 0) | (bad != 0))
    record_evidence_at(state, observers, actors, good[observers, actors], bad[observers, actors], p)


def record_evidence_at(state: WorldState, observers: np.ndarray, actors: np.ndarray, good: np.ndarray, bad: np.ndarray, p: SimpleNamespace) -> None:
    """:func:`record_evidence` for evidence given as (observer, actor) pairs, each pair at most once.

    The pairs are the few that interacted, so this costs what they cost,
    not N x N. Pairs in row-major order give the same sums, bit for bit, as
    the dense form.
    """
    n = state.n
    # alpha[observers, actors] += good, likewise beta, through row-major positions (take/put: a third of the cost of 2-D fancy indexing).
    pairs = observers * n + actors
    state.alpha.put(pairs, state.alpha.take(pairs) + good)
    state.beta.put(pairs, state.beta.take(pairs) + bad)
    if p.reputation_spread > 0 and observers.size:
        spread_good = p.reputation_spread * np.bincount(actors, weights=good, minlength=n) / max(n - 1, 1)
        spread_bad = p.reputation_spread * np.bincount(actors, weights=bad, minlength=n) / max(n - 1, 1)
        state.alpha += spread_good[None, :]
        state.beta += spread_bad[None, :]
        # Nobody gathers evidence about itself: alpha[i, i] -= spread_good[i], likewise beta.
        diagonal = np.arange(n) * (n + 1)
        state.alpha.put(diagonal, state.alpha.take(diagonal) - spread_good)
        state.beta.put(diagonal, state.beta.take(diagonal) - spread_bad)


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
