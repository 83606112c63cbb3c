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
    """What a cooperation round produced: evidence per interacting (observer, actor) pair, and the leaks (leaker, victim).

    ``observers``/``actors`` list every directed interacting pair once, in
    row-major order; ``good_at``/``bad_at`` are the evidence each observer
    records about that actor.
    """

    n: int
    observers: np.ndarray
    actors: np.ndarray
    good_at: np.ndarray
    bad_at: np.ndarray
    leaks: list[tuple[int, int]]

    @property
    def good(self) -> np.ndarray:
        """Cooperation evidence as an N x N matrix [observer, actor]."""
        return self._dense(self.good_at)

    @property
    def bad(self) -> np.ndarray:
        """Defection evidence as an N x N matrix [observer, actor]."""
        return self._dense(self.bad_at)

    def _dense(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n, self.n))
        out[self.observers, self.actors] = values
        return out


def play_round(intensity: np.ndarray, trust: np.ndarray, p: SimpleNamespace, rng: np.random.Generator, draws: np.ndarray | None = None) -> RoundOutcome:
    """One cooperation round over all interacting pairs.

    ``intensity`` is W (symmetric, zero diagonal); ``trust`` is T. Evidence is
    indexed [observer, actor]. ``draws``, if given, is a (3, N, N) buffer to
    fill with this round's uniform draws (saves allocating it every step).
    Three draws are made for every ordered pair, interacting or not, so the
    random stream does not depend on who interacts.
    """
    n = intensity.shape[0]
    draws = rng.random((3, n, n)) if draws is None else rng.random(out=draws)
    # Directed interacting pairs (a, b), row-major; W and so the set of pairs is symmetric.
    flat = np.flatnonzero(intensity > 0)
    a, b = np.divmod(flat, n)
    flat_ba = b * n + a  # flat index of (b, a)
    w = intensity.ravel()[flat]
    t = trust.ravel()
    # b's act toward a: b shirks with probability shirk_rate (1 - T[b, a]); a is the observer.
    shirk = draws[0].ravel()[flat_ba] < p.shirk_rate * (1.0 - t[flat_ba])
    misread = ~shirk & (draws[1].ravel()[flat_ba] < p.misperception * (1.0 - p.legal_clarity))
    seen_defect = shirk | misread
    good = ~seen_defect * w * (p.trust_gain * (1.0 + p.clarity_trust_bonus * p.legal_clarity))
    bad = seen_defect * w * p.trust_loss
    # b leaks what a shares with it.
    leak = draws[2].ravel()[flat] < leak_probability(w, t[flat], p)
    bad[leak] += p.leak_trust_damage
    leaks = [(int(leaker), int(victim)) for victim, leaker in zip(a[leak], b[leak])]
    return RoundOutcome(n=n, observers=a, actors=b, good_at=good, bad_at=bad, leaks=leaks)
