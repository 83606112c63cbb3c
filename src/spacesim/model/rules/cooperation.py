"""C2, C5, C9, C10: the cooperation round every active partnership plays each step, in which behaviour reveals each government's hidden type.

For each pair interacting at intensity W[i, j] (bilateral depth, or the
integration of a framework both belong to), j's government may defect on i.
Defecting pays when the gain of the opportunity that arises (exponential,
mean defection_temptation) exceeds w_j b[j, i], what i's cooperation is worth
to j each step discounted by the shadow of the future (Nowak 2006); j then
honours its commitment with probability r_j, its hidden reliability (Kydd
2005). i sees a defection with a chance that rises with legal clarity, and
misreads a cooperation as one with probability misperception (1 -
legal_clarity). Cooperation seen adds W trust_gain evidence; defection seen
adds W trust_loss. j leaks what i shares with leak_probability at
reliability r_j, which costs j leak_trust_damage of i's trust
(docs/model.md 3.3.7; the formulas are in :mod:`spacesim.model.equations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import (
    defection_chance,
    defection_pays_chance,
    detection_chance,
    leak_probability,
    misread_chance,
    partner_benefit,
    shadow_of_future,
    share_factor,
)
from ..state import WorldState, parameter_record


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


def play_round(
    intensity: np.ndarray,
    state: WorldState,
    k_eff: np.ndarray,
    total: np.ndarray,
    p: SimpleNamespace,
    rng: np.random.Generator,
    draws: np.ndarray | None = None,
) -> RoundOutcome:
    """One cooperation round over all interacting pairs.

    ``intensity`` is W (symmetric, zero diagonal); ``k_eff`` and ``total`` the
    coverage as it stands (:func:`spacesim.model.rules.security.coverage`),
    from which each side values the other's cooperation. Evidence is indexed
    [observer, actor]. ``draws``, if given, is a (3, N, N) buffer to fill with
    this round's uniform draws (saves allocating it every step). Three draws
    are made for every ordered pair, interacting or not, so the random stream
    does not depend on who interacts.
    """
    n = intensity.shape[0]
    draws = rng.random((3, n, n)) if draws is None else rng.random(out=draws)
    s = state
    a, b, good, bad, leak = _round(intensity, s.reliability, s.stability, s.interop, k_eff, total, s.threat, draws, parameter_record(p))
    leaks = list(zip(b[leak].tolist(), a[leak].tolist())) if np.count_nonzero(leak) else []  # (leaker, victim)
    return RoundOutcome(n=n, observers=a, actors=b, good_at=good, bad_at=bad, leaks=leaks)


@njit(cache=True)
def _round(
    intensity: np.ndarray,
    reliability: np.ndarray,
    stability: np.ndarray,
    interop: np.ndarray,
    k_eff: np.ndarray,
    total: np.ndarray,
    threat: np.ndarray,
    draws: np.ndarray,
    record: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every directed interacting pair (a, b), row-major: b's act toward a as a sees it, and whether b leaks what a shares."""
    p = record[0]
    n = intensity.shape[0]
    row_start = np.zeros(n + 1, dtype=np.int64)  # pairs (i, .) are at row_start[i]:row_start[i + 1]
    for i in range(n):
        count = 0
        for j in range(n):
            if intensity[i, j] > 0:
                count += 1
        row_start[i + 1] = row_start[i] + count
    pairs = row_start[n]
    a = np.empty(pairs, dtype=np.int64)
    b = np.empty(pairs, dtype=np.int64)
    good = np.empty(pairs)
    bad = np.empty(pairs)
    leak = np.empty(pairs, dtype=np.bool_)
    sf = share_factor(p.sharing_strictness, p.strictness_share_loss)
    detect = detection_chance(p.defection_detection, p.legal_clarity)
    misread = misread_chance(p.misperception, p.legal_clarity)
    shadow = np.empty(n)
    for j in range(n):
        shadow[j] = shadow_of_future(stability[j], p.continuation, p.government_change_rate)
    # Rows are taken a block at a time and the block's columns in turn, so that j's acts toward the
    # block (draws[0, j, i], draws[1, j, i], interop[j, i]) are read along rows; each pair keeps its
    # row-major place through a cursor per row.
    cursor = np.empty(_ROW_BLOCK, dtype=np.int64)
    for i0 in range(0, n, _ROW_BLOCK):
        rows = min(_ROW_BLOCK, n - i0)
        for c in range(rows):
            cursor[c] = row_start[i0 + c]
        for j in range(n):
            for c in range(rows):
                i = i0 + c
                w = intensity[i, j]
                if w > 0:
                    k = cursor[c]
                    cursor[c] = k + 1
                    # j's act toward i: j defects when defecting pays and it does not honour the commitment anyway.
                    # The chance that it pays is at most 1 (w_j, b[j, i] >= 0), so a draw at or above the
                    # chance with certain pay rules a defection out without the exponentials.
                    u = draws[0, j, i]
                    defect = False
                    if u < defection_chance(reliability[j], 1.0):
                        pays = defection_pays_chance(shadow[j], partner_benefit(w, interop[j, i], sf, k_eff[i], total[j], threat[j], p), p.defection_temptation)
                        defect = u < defection_chance(reliability[j], pays)
                    # i sees a defection with the chance clarity gives; it misreads a cooperation with the chance unclear law leaves.
                    if (draws[1, j, i] < detect) if defect else (draws[1, j, i] < misread):
                        good[k] = 0.0
                        bad[k] = w * p.trust_loss
                    else:
                        good[k] = w * p.trust_gain
                        bad[k] = 0.0
                    # j leaks what i shares with it, as unreliable governments do.
                    leak[k] = draws[2, i, j] < leak_probability(w, reliability[j], p.leak_rate, p.sharing_strictness, p.leak_protection)
                    if leak[k]:
                        bad[k] += p.leak_trust_damage
                    a[k] = i
                    b[k] = j
    return a, b, good, bad, leak


#: Rows of the cooperation round taken at once by :func:`_round` (the block's draws by its partners are read along rows).
_ROW_BLOCK = 16
