"""Adaptive replication: replicates are added per design point in rounds until the outcome is known precisely enough.

The rule (``replicates: {target_halfwidth: X, outcome: NAME, min: M, max: K}``):

* round 0 runs ``M`` replicates of every design point (and every variant:
  variants of a point always get the same replicates, so they stay paired
  under common random numbers);
* after each round, for every point still open and every variant, the
  half-width of the 95% interval of the variant's mean outcome (its final
  value, or its total over the run for a per-step count) is
  ``h = t(0.975, n-1) s / sqrt(n)`` over its ``n`` completed replicates
  (infinite with fewer than two); the point stops when the largest ``h``
  over its variants is at most ``X`` ("target reached": every variant's
  mean is that precise) or it has ``K`` replicates ("max reached");
* otherwise it gets ``n' = min(K, max(n + 1, min(2n, ceil((t s / X)^2))))``
  replicates in the next round: the number the current spread says is
  needed, at most doubling per round so that one noisy estimate of ``s``
  cannot overshoot much.

The manifest records, per point, the replicates, the widest half-width and
the variant it belongs to, why the point stopped, and per variant its
completed replicates, mean and half-width: a point's mean is always a
variant's (the variants are different policies; pooling them would give a
number the rule never looked at).

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

from ..output.outcomes import run_value
from ..stats import halfwidth, t_quantile

TARGET = "target reached"
MAXED = "max reached"


@dataclass(frozen=True)
class VariantEstimate:
    """One variant at one design point after a round: its completed replicates, mean and 95% half-width."""

    variant: str
    replicates: int
    mean: float
    halfwidth: float

    def record(self, target: float) -> dict[str, Any]:
        """The variant as the manifest records it (``None`` for a mean or half-width that does not exist yet)."""
        return {
            "variant": self.variant,
            "replicates": self.replicates,
            "mean": None if math.isnan(self.mean) else self.mean,
            "halfwidth": None if math.isinf(self.halfwidth) else self.halfwidth,
            "within_target": self.halfwidth <= target,
        }


@dataclass(frozen=True)
class PointDecision:
    """Where a design point stands after a round: its replicates, each variant's estimate, the widest half-width, and what comes next."""

    point: int
    replicates: int
    variants: tuple[VariantEstimate, ...]
    halfwidth: float
    stopped: str | None
    next_replicates: int
    target: float = math.inf

    @property
    def widest(self) -> str | None:
        """The variant whose half-width the rule compared with the target (the widest)."""
        return max(self.variants, key=lambda v: v.halfwidth).variant if self.variants else None

    def record(self) -> dict[str, Any]:
        """The point as the manifest records it."""
        return {
            "point": self.point,
            "replicates": self.replicates,
            "halfwidth": None if math.isinf(self.halfwidth) else self.halfwidth,
            "widest_variant": self.widest,
            "stopped": self.stopped,
            "variants": [v.record(self.target) for v in self.variants],
        }


def decide(rule: dict[str, Any], counts: dict[int, int], runs: pd.DataFrame) -> dict[int, PointDecision]:
    """After a round in which point ``p`` has ``counts[p]`` replicates: stop or continue each point.

    ``runs`` holds at least the columns point, variant, replicate, status and
    the outcome's run value (``final_<outcome>``, or ``total_<outcome>`` for a
    per-step count: :func:`spacesim.output.outcomes.run_value`); only replicates below ``counts[p]`` are read. Every
    variant that has a run at the point counts, also one whose runs all failed
    (its half-width is infinite, so the point cannot reach the target).

    >>> runs = pd.DataFrame({"point": [0] * 3 + [1] * 3, "variant": "default", "replicate": [0, 1, 2] * 2,
    ...                      "status": "completed", "final_x": [1.0, 1.01, 0.99, 0.0, 5.0, 10.0]})
    >>> d = decide({"outcome": "x", "target_halfwidth": 0.5, "min": 3, "max": 10}, {0: 3, 1: 3}, runs)
    >>> d[0].stopped, d[1].stopped, d[1].next_replicates, d[1].variants[0].mean
    ('target reached', None, 6, 5.0)
    """
    x, top = float(rule["target_halfwidth"]), int(rule["max"])
    column = run_value(rule["outcome"], runs.columns).column
    decisions = {}
    for p, n in counts.items():
        here = runs[(runs["point"] == p) & (runs["replicate"] < n)]
        estimates, spreads = [], []
        for variant in pd.unique(here["variant"]):  # in run order: the experiment file's order
            values = here[(here["variant"] == variant) & (here["status"] == "completed")][column].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            estimates.append(VariantEstimate(str(variant), len(values), float(values.mean()) if len(values) else math.nan, halfwidth(values)))
            spreads.append(float(values.std(ddof=1)) if len(values) > 1 else math.inf)
        h = max((e.halfwidth for e in estimates), default=math.inf)
        variants = tuple(estimates)
        if h <= x:
            decisions[p] = PointDecision(p, n, variants, h, TARGET, n, x)
        elif n >= top:
            decisions[p] = PointDecision(p, n, variants, h, MAXED, n, x)
        else:
            s = max(spreads, default=math.inf)
            needed = top if math.isinf(s) else math.ceil((t_quantile(max(1, n - 1)) * s / x) ** 2)
            decisions[p] = PointDecision(p, n, variants, h, None, min(top, max(n + 1, min(2 * n, needed))), x)
    return decisions
