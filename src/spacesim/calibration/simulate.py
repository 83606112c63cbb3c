"""One run of the model reduced to what a calibration's patterns read (a :class:`~.patterns.Trace`).

The run stops at the last step any pattern looks at. :class:`Simulator` is
the model function pyabc calls: it draws the run's seed from NumPy's global
generator (which pyabc seeds in every worker), runs the model with the
particle's parameters and returns the fitted patterns' distances as the
summary statistics (observed: all zero).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..model import SpaceModel
from ..scenario.schema import ScenarioSpec
from .patterns import Pattern, PatternKind, Trace


class Simulator:
    """Runs the scenario with given parameters and seed and measures the patterns on the run."""

    def __init__(self, scenario: ScenarioSpec, patterns: list[Pattern]):
        self.scenario = scenario
        self.patterns = patterns
        self.fitted = [p for p in patterns if not p.held_out]
        self.frameworks = sorted({p.framework for p in patterns})
        self.last_step = min(scenario.steps, max((p.step for p in patterns), default=scenario.steps))
        self.votes = sorted((p.step, p.name, p.framework) for p in patterns if p.kind == PatternKind.vote_split)

    def warm_up(self) -> None:
        """Run the scenario for two steps here, so that the model's compiled loops are loaded in this process.

        pyabc's multicore sampler forks fresh workers every generation; a
        worker forked from a process that has run the model inherits the
        loaded loops, instead of loading them again each generation.
        """
        SpaceModel(self.scenario, rng=0).run(min(2, self.scenario.steps))

    def trace(self, parameters: dict[str, float], seed: int) -> Trace:
        """Run the model to the last step a pattern needs; return who joined what when, and the vote proxies."""
        model = SpaceModel(self.scenario, rng=int(seed), **{k: float(v) for k, v in parameters.items()})
        yes: dict[str, list[str]] = {}
        for step, name, framework in self.votes:
            if step > model.steps:
                model.run(step - model.steps)
            yes[name] = _would_vote_yes(model, framework)
        if self.last_step > model.steps:
            model.run(self.last_step - model.steps)
        cols = model.ledger.columns
        joins: dict[str, dict[str, list[tuple[int, int | None]]]] = {f: {} for f in self.frameworks}
        for kind, code, framework, start, end in zip(cols["kind"], cols["party_a"], cols["framework"], cols["start_step"], cols["end_step"]):
            if kind == "membership" and framework in joins:
                joins[framework].setdefault(code, []).append((int(start), None if end is None else int(end)))
        return Trace(codes=list(model.state.codes), steps=int(model.steps), joins=joins, yes=yes)

    def distances(self, parameters: dict[str, float], seed: int, patterns: list[Pattern] | None = None) -> dict[str, float]:
        """Each pattern's distance (the fitted ones by default) for one run."""
        trace = self.trace(parameters, seed)
        return {p.name: p.distance(trace) for p in (self.fitted if patterns is None else patterns)}

    def __call__(self, parameters: Any) -> dict[str, float]:
        """pyabc's model: the fitted patterns' distances of a run with a seed from NumPy's global generator."""
        seed = int(np.random.randint(0, 2**31 - 1))
        return self.distances(dict(parameters), seed)


def _would_vote_yes(model: SpaceModel, framework: str) -> list[str]:
    """Nations that belong to ``framework`` now, or whose mean trust in its members reaches the trust floor."""
    s = model.state
    f = s.framework_codes.index(framework)
    members = np.flatnonzero(s.membership[:, f])
    if members.size == 0:
        return []
    trust = s.trust
    out = []
    for i, code in enumerate(s.codes):
        others = members[members != i]
        if s.membership[i, f] or (others.size and float(trust[i, others].mean()) >= model.p.trust_floor):
            out.append(code)
    return out
