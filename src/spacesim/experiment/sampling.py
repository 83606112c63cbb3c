"""Sampling designs of a sensitivity experiment: the parameters in SALib's terms and the sample each method's analyser needs.

A design belongs to the experiment (the batch runs its points); the indices
estimated from the runs belong to :mod:`spacesim.analysis.sensitivity`,
which imports these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scenario.experiment import SENSITIVITY_METHODS, Distribution, SensitivitySpec

#: FAST's interference factor (SALib's default): a sample needs more than 4 M^2 points per curve.
FAST_M = 4
#: DGSM's finite-difference step, as a share of the parameter's value at the base point (SALib's finite_diff).
DGSM_STEP = 0.001


@dataclass(frozen=True)
class SensitivityProblem:
    """Parameters, their bounds and distributions, in SALib's terms.

    ``bounds`` follow SALib: ``[low, high]`` for ``unif``; ``[low, high,
    peak fraction]`` for ``triang``; ``[low, high, mean, sd]`` for
    ``truncnorm``.
    """

    names: tuple[str, ...]
    bounds: tuple[tuple[float, ...], ...]
    dists: tuple[str, ...]

    def salib(self) -> dict[str, Any]:
        """The problem dictionary SALib's samplers and analysers take."""
        return {"num_vars": len(self.names), "names": list(self.names), "bounds": [list(b) for b in self.bounds], "dists": list(self.dists)}

    @classmethod
    def uniform(cls, ranges: dict[str, tuple[float, float]]) -> SensitivityProblem:
        """Independent uniform parameters.

        >>> SensitivityProblem.uniform({"a": (0, 1), "b": (-1, 1)}).salib()["bounds"]
        [[0.0, 1.0], [-1.0, 1.0]]
        """
        return cls(tuple(ranges), tuple((float(a), float(b)) for a, b in ranges.values()), tuple("unif" for _ in ranges))

    @classmethod
    def from_spec(cls, spec: SensitivitySpec) -> SensitivityProblem:
        """The problem an experiment's ``sensitivity`` section declares."""
        bounds, dists = [], []
        for r in spec.parameters.values():
            low, high = float(r.low), float(r.high)
            if r.distribution == Distribution.triangular:
                assert r.peak is not None
                bounds.append((low, high, (float(r.peak) - low) / (high - low)))
                dists.append("triang")
            elif r.distribution == Distribution.truncnorm:
                assert r.mean is not None and r.sd is not None
                bounds.append((low, high, float(r.mean), float(r.sd)))
                dists.append("truncnorm")
            else:
                bounds.append((low, high))
                dists.append("unif")
        return cls(tuple(spec.parameters), tuple(bounds), tuple(dists))

    def describe(self) -> dict[str, dict[str, Any]]:
        """Each parameter's distribution and bounds as plain data (for the manifest)."""
        out = {}
        for name, b, d in zip(self.names, self.bounds, self.dists):
            entry: dict[str, Any] = {"distribution": {"unif": "uniform", "triang": "triangular"}.get(d, d), "low": b[0], "high": b[1]}
            if d == "triang":
                entry["peak"] = b[0] + b[2] * (b[1] - b[0])
            elif d == "truncnorm":
                entry["mean"], entry["sd"] = b[2], b[3]
            out[name] = entry
        return out



def sample(problem: SensitivityProblem, method: str, samples: int, *, second_order: bool = True, levels: int = 4, seed: int = 0) -> np.ndarray:
    """The sample matrix (points x parameters) for ``method`` (a name of :data:`METHODS`), deterministic in ``seed``.

    Sobol': Saltelli's extension of a scrambled Sobol' sequence, ``samples``
    x (2D + 2) points with second order, ``samples`` x (D + 2) without.
    Morris: ``samples`` trajectories of D + 1 points on a ``levels`` grid.
    FAST: ``samples`` points along each parameter's search curve (D x
    ``samples``; more than 64). RBD-FAST, delta and PAWN: a Latin hypercube of
    ``samples`` points. DGSM: ``samples`` base points of a Sobol' sequence,
    each followed by a step of 0.1% of its value in every parameter
    (``samples`` x (D + 1)).

    >>> p = SensitivityProblem.uniform({"a": (0, 1), "b": (0, 10)})
    >>> sample(p, "sobol", 8, seed=1).shape, sample(p, "sobol", 8, second_order=False, seed=1).shape
    ((48, 2), (32, 2))
    >>> sample(p, "morris", 5, seed=1).shape, sample(p, "fast", 65, seed=1).shape, sample(p, "delta", 10, seed=1).shape, sample(p, "dgsm", 10, seed=1).shape
    ((15, 2), (130, 2), (10, 2), (30, 2))
    """
    if method not in SENSITIVITY_METHODS:
        raise ValueError(f"unknown sensitivity method {method!r}; use one of {', '.join(SENSITIVITY_METHODS)}")
    salib = problem.salib()
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(salib, samples, calc_second_order=second_order, scramble=True, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(salib, samples, num_levels=levels, seed=seed)
    if method == "fast":
        from SALib.sample import fast_sampler

        return fast_sampler.sample(salib, samples, M=FAST_M, seed=seed)
    if method == "dgsm":
        from SALib.sample import finite_diff

        return finite_diff.sample(salib, samples, delta=DGSM_STEP, seed=seed)
    from SALib.sample import latin

    return latin.sample(salib, samples, seed=seed)


def sensitivity_design(spec: SensitivitySpec, seed: int) -> np.ndarray:
    """The unrounded sample matrix (points x parameters) a ``sensitivity`` section declares, seeded by the experiment's seed.

    The batch runs its points; the indices are estimated on it.
    """
    return sample(SensitivityProblem.from_spec(spec), spec.method, spec.samples, second_order=spec.second_order, levels=spec.levels, seed=seed)
