"""Adaptive replication: replicates are added per design point in rounds until the outcome is known precisely enough.

The rule (``replicates: {target_halfwidth: X, outcome: NAME, min: M, max: K}``):

* round 0 runs ``M`` replicates of every design point (and every variant:
  variants of a point always get the same replicates, so they stay paired
  under common random numbers);
* after each round, for every point still open, the half-width of the 95%
  interval of the mean final outcome is ``h = t(0.975, n-1) s / sqrt(n)``
  over its ``n`` completed replicates (the largest ``h`` over its variants);
  the point stops when ``h <= X`` ("target reached") or ``n >= K`` ("max
  reached");
* otherwise it gets ``n' = min(K, max(n + 1, min(2n, ceil((t s / X)^2))))``
  replicates in the next round: the number the current spread says is
  needed, at most doubling per round so that one noisy estimate of ``s``
  cannot overshoot much.

Replicate ``r`` of a point always has the same seed (the design spawns seeds
for ``K`` replicates), and each round's decision reads only the replicates
of earlier rounds, so the whole sequence of rounds is a function of the
experiment file: a resumed batch replays it exactly, whatever the workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

TARGET = "target reached"
MAXED = "max reached"


def halfwidth(values: np.ndarray) -> float:
    """Half-width of the t-based 95% interval of the mean (infinite with fewer than two values).

    >>> round(halfwidth(np.array([1.0, 2.0, 3.0, 4.0])), 4)
    2.0543
    >>> halfwidth(np.array([1.0]))
    inf
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n < 2:
        return math.inf
    return float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n))


@dataclass(frozen=True)
class PointDecision:
    """Where a design point stands after a round: its replicates, mean, half-width, and what comes next."""

    point: int
    replicates: int
    mean: float
    halfwidth: float
    stopped: str | None
    next_replicates: int

    def record(self) -> dict[str, Any]:
        """The point as the manifest records it."""
        return {
            "point": self.point,
            "replicates": self.replicates,
            "mean": None if math.isnan(self.mean) else self.mean,
            "halfwidth": None if math.isinf(self.halfwidth) else self.halfwidth,
            "stopped": self.stopped,
        }


def decide(rule: dict[str, Any], counts: dict[int, int], runs: pd.DataFrame) -> dict[int, PointDecision]:
    """After a round in which point ``p`` has ``counts[p]`` replicates: stop or continue each point.

    ``runs`` holds at least the columns point, variant, replicate, status and
    ``final_<outcome>``; only replicates below ``counts[p]`` are read.

    >>> runs = pd.DataFrame({"point": [0] * 3 + [1] * 3, "variant": "default", "replicate": [0, 1, 2] * 2,
    ...                      "status": "completed", "final_x": [1.0, 1.01, 0.99, 0.0, 5.0, 10.0]})
    >>> d = decide({"outcome": "x", "target_halfwidth": 0.5, "min": 3, "max": 10}, {0: 3, 1: 3}, runs)
    >>> d[0].stopped, d[1].stopped, d[1].next_replicates
    ('target reached', None, 6)
    """
    x, top = float(rule["target_halfwidth"]), int(rule["max"])
    column = f"final_{rule['outcome']}"
    done = runs[runs["status"] == "completed"]
    decisions = {}
    for p, n in counts.items():
        mine = done[(done["point"] == p) & (done["replicate"] < n)]
        widths, spreads = [], []
        for _, group in mine.groupby("variant", sort=True):
            values = group[column].to_numpy(dtype=float)
            widths.append(halfwidth(values))
            spreads.append(float(np.nanstd(values, ddof=1)) if np.count_nonzero(~np.isnan(values)) > 1 else math.inf)
        h = max(widths) if widths else math.inf
        mean = float(mine[column].mean()) if len(mine) else math.nan
        if h <= x:
            decisions[p] = PointDecision(p, n, mean, h, TARGET, n)
        elif n >= top:
            decisions[p] = PointDecision(p, n, mean, h, MAXED, n)
        else:
            s = max(spreads)
            needed = top if math.isinf(s) else math.ceil((stats.t.ppf(0.975, max(1, n - 1)) * s / x) ** 2)
            decisions[p] = PointDecision(p, n, mean, h, None, min(top, max(n + 1, min(2 * n, needed))))
    return decisions
