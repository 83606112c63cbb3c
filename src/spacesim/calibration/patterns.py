"""Observed patterns and their distances to a simulated run.

Every pattern kind is declared once here, with what it reads from a run and
its distance (0 means the run reproduces the observation):

================  ===========================================  ==========================================
kind              observation                                  distance
================  ===========================================  ==========================================
member_set        who belongs to a framework at a date         1 - F1 of simulated against observed members
member_count      how many belong, every step up to a date     RMSE of log(1 + count) over those steps
accession_order   the order in which nations joined            1 - Kendall's tau-b (joined vs simulated step)
vote_split        each nation's vote on a resolution           threshold: |simulated - observed yes share|
                                                               beyond a tolerance (0 inside it)
================  ===========================================  ==========================================

Observations are restricted to the scenario's nations (a real framework
may have members the scenario does not model; they are listed in the
manifest). A simulated nation "votes yes" on a vote_split pattern when it
belongs to the pattern's framework at the vote, or when its mean trust in
the framework's members is at least the model's trust floor (it would share
with them): the model has no votes, so the pattern tests whether support
for the framework's norm is as wide as the vote says.

>>> trace = Trace(codes=["A", "B", "C", "D"], steps=4, joins={"F": {"A": [(0, None)], "B": [(2, None)], "C": [(3, 4)]}}, yes={})
>>> p = Pattern("set", {"kind": PatternKind.member_set, "step": 3, "accessions": {"A": 0, "B": 1, "D": 3}}, "F")
>>> sorted(trace.members("F", 3)), round(p.distance(trace), 3)  # F1 = 2*2/(3+3)
(['A', 'B', 'C'], 0.333)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from .spec import Calibration, PatternKind


@dataclass
class Trace:
    """What the patterns read from one run: who joined which framework when (and left), and the vote proxies."""

    codes: list[str]
    steps: int
    #: framework -> nation -> [(start step, end step or None), ...]
    joins: dict[str, dict[str, list[tuple[int, int | None]]]] = field(default_factory=dict)
    #: pattern name -> nations that would vote yes
    yes: dict[str, list[str]] = field(default_factory=dict)

    def members(self, framework: str, step: int) -> set[str]:
        """Nations that belong to ``framework`` at the end of ``step``."""
        return {c for c, spans in self.joins.get(framework, {}).items() if any(s <= step and (e is None or e > step) for s, e in spans)}

    def counts(self, framework: str, last: int) -> np.ndarray:
        """Members of ``framework`` at steps 1..last."""
        out = np.zeros(last, dtype=float)
        for spans in self.joins.get(framework, {}).values():
            for s, e in spans:
                lo, hi = max(s, 1), last if e is None else min(e - 1, last)
                if lo <= hi:
                    out[lo - 1 : hi] += 1
        # a nation with overlapping spans is counted once (spans of one nation never overlap in the ledger)
        return out

    def first_join(self, framework: str, code: str) -> int | None:
        """The step at which ``code`` first belonged to ``framework`` (0: from the start), or None."""
        spans = self.joins.get(framework, {}).get(code)
        return min(s for s, _ in spans) if spans else None


class Pattern:
    """One observed pattern of a calibration: its name, kind, framework, weight and observation (in steps)."""

    def __init__(self, name: str, obs: dict[str, Any], framework: str, weight: float = 1.0, held_out: bool = False):
        self.name = name
        self.kind: PatternKind = obs["kind"]
        self.framework = framework
        self.weight = weight
        self.held_out = held_out
        self.obs = obs
        self.step: int = obs.get("step", 0)

    # ------------------------------------------------------------- observed
    def observed_members(self) -> set[str]:
        """Observed members at the pattern's step."""
        return {c for c, s in self.obs.get("accessions", {}).items() if s <= self.step}

    def observed_counts(self) -> np.ndarray:
        """Observed members (scenario nations) at steps 1..step."""
        acc = np.array(list(self.obs.get("accessions", {}).values()), dtype=int)
        return np.array([(acc <= t).sum() for t in range(1, self.step + 1)], dtype=float)

    def observed_yes_share(self) -> float:
        votes = self.obs["votes"]
        return sum(v == "yes" for v in votes.values()) / len(votes)

    # ------------------------------------------------------------ distances
    def distance(self, trace: Trace) -> float:
        """The pattern's distance to a run (0: reproduced)."""
        if self.kind == PatternKind.member_set:
            observed, simulated = self.observed_members(), trace.members(self.framework, self.step)
            if not observed and not simulated:
                return 0.0
            return 1.0 - 2.0 * len(observed & simulated) / (len(observed) + len(simulated))
        if self.kind == PatternKind.member_count:
            if self.step < 1:
                return 0.0
            sim, obs = trace.counts(self.framework, self.step), self.observed_counts()
            return float(np.sqrt(np.mean((np.log1p(sim) - np.log1p(obs)) ** 2)))
        if self.kind == PatternKind.accession_order:
            codes = sorted(self.obs["accessions"])
            observed_steps = [self.obs["accessions"][c] for c in codes]
            simulated_steps = [self._joined(trace, c) for c in codes]
            tau = stats.kendalltau(observed_steps, simulated_steps).statistic if len(codes) > 1 else math.nan
            return 1.0 if math.isnan(tau) else float(1.0 - tau)
        # vote_split: a threshold pattern
        share = self.simulated_yes_share(trace)
        return max(0.0, abs(share - self.observed_yes_share()) - self.obs["tolerance"])

    def _joined(self, trace: Trace, code: str) -> int:
        first = trace.first_join(self.framework, code)
        return self.step + 1 if first is None or first > self.step else first

    def simulated_yes_share(self, trace: Trace) -> float:
        voters = self.obs["votes"]
        yes = set(trace.yes.get(self.name, ()))
        return sum(c in yes for c in voters) / len(voters)

    # ---------------------------------------------------------- predictions
    def prediction(self, trace: Trace) -> dict[str, Any]:
        """What the posterior predictive plots draw from one run: counts, membership or votes per nation, join steps."""
        if self.kind == PatternKind.member_count:
            return {"counts": trace.counts(self.framework, self.step).tolist()}
        if self.kind == PatternKind.member_set:
            members = trace.members(self.framework, self.step)
            return {"member": {c: c in members for c in trace.codes}}
        if self.kind == PatternKind.accession_order:
            return {"joined": {c: self._joined(trace, c) for c in self.obs["accessions"]}}
        yes = set(trace.yes.get(self.name, ()))
        return {"yes": {c: c in yes for c in self.obs["votes"]}}

    def describe(self) -> str:
        """The pattern in words."""
        if self.kind == PatternKind.member_set:
            return f"members of {self.framework} at step {self.step} ({len(self.observed_members())} observed); distance 1 - F1"
        if self.kind == PatternKind.member_count:
            return f"member count of {self.framework}, steps 1-{self.step}; distance RMSE of log(1 + count)"
        if self.kind == PatternKind.accession_order:
            return f"order in which {len(self.obs['accessions'])} nations joined {self.framework}; distance 1 - Kendall tau-b"
        return (
            f"vote split at step {self.step}: yes share {self.observed_yes_share():.2f} of {len(self.obs['votes'])} voters, "
            f"tolerance {self.obs['tolerance']:g}; yes = member of {self.framework} or trusts its members"
        )


def patterns_of(calibration: Calibration) -> list[Pattern]:
    """The calibration's patterns, in file order."""
    return [Pattern(name, calibration.observations[name], p.framework, p.weight, p.held_out) for name, p in calibration.spec.patterns.items()]
