"""C2, C5, C10: the cooperation round every active partnership plays each step.

For each pair interacting at intensity W[i, j] (bilateral depth, or the
integration of a framework both belong to): i shirks on j with probability
shirk_rate (1 - T[i, j]); j sees a shirk as a defection, and misreads a
cooperation as one with probability misperception (1 - legal_clarity).
Cooperation seen adds W trust_gain (1 + clarity_trust_bonus legal_clarity)
evidence; defection seen adds W trust_loss. A leak by j of what i shares
happens with leak_probability and costs j leak_trust_damage of i's trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .bilateral import leak_probability


@dataclass
class RoundOutcome:
    """What a cooperation round produced, as N x N evidence and the leaks (leaker, victim)."""

    good: np.ndarray
    bad: np.ndarray
    leaks: list[tuple[int, int]]


def play_round(intensity: np.ndarray, trust: np.ndarray, p: SimpleNamespace, rng: np.random.Generator) -> RoundOutcome:
    """One cooperation round over all interacting pairs.

    ``intensity`` is W (symmetric, zero diagonal); ``trust`` is T. Evidence is
    indexed [observer, actor].
    """
    active = intensity > 0
    n = intensity.shape[0]
    draws = rng.random((3, n, n))
    # shirk[i, j]: i shirks on j; the observer of that act is j, so evidence lands at [j, i].
    shirk = active & (draws[0] < p.shirk_rate * (1.0 - trust))
    misread = active & ~shirk & (draws[1] < p.misperception * (1.0 - p.legal_clarity))
    seen_defect = (shirk | misread).T
    seen_coop = active.T & ~seen_defect
    w = intensity  # symmetric
    good = seen_coop * w * (p.trust_gain * (1.0 + p.clarity_trust_bonus * p.legal_clarity))
    bad = seen_defect * w * p.trust_loss
    # leak[i, j]: j leaks what i shares with it.
    leak = active & (draws[2] < leak_probability(intensity, trust, p))
    victims, leakers = np.nonzero(leak)
    if victims.size:
        bad[victims, leakers] += p.leak_trust_damage
    return RoundOutcome(good=good, bad=bad, leaks=[(int(j), int(i)) for i, j in zip(victims, leakers)])
