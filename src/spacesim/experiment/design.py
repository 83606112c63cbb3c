"""From an experiment to the list of runs: design points, variants, replicates and seeds.

Design points are the full factorial over ``vary.grid`` (explicit lists
only), crossed with the points sampled from ``vary.sample`` (Latin
hypercube or scrambled Sobol', seeded from the experiment's seed). Every
design point runs every variant for every replicate.

Seeds: the base seed's :class:`numpy.random.SeedSequence` spawns one child
per design point and each of those one child per replicate; a run's seed is
drawn from its child. Variants of the same point and replicate share the
seed, so they are compared under common random numbers; different points or
replicates never share one, except in a DGSM sensitivity design, where a base
point's finite-difference steps run with the base point's seeds. Any run can be reproduced alone with
``spacesim run`` and the seed and parameters recorded in ``runs.parquet``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..parameters import PARAMETERS_BY_NAME
from ..scenario.experiment import Experiment, ExperimentSpec, SampleMethod


@dataclass(frozen=True)
class RunTask:
    """One run of a batch: where it sits in the design, its seed, and the parameters it sets."""

    run_id: int
    point: int
    variant: str
    replicate: int
    seed: int
    settings: dict[str, Any] = field(default_factory=dict)


def grid_points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The full factorial over explicit lists, first parameter varying slowest.

    >>> grid_points({"a": [1, 2], "b": [True, False]})
    [{'a': 1, 'b': True}, {'a': 1, 'b': False}, {'a': 2, 'b': True}, {'a': 2, 'b': False}]
    >>> grid_points({})
    [{}]
    """
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def sample_points(method: SampleMethod, n: int, ranges: dict[str, tuple[float, float]], seed: int) -> list[dict[str, Any]]:
    """``n`` points in the box ``ranges``, by Latin hypercube or scrambled Sobol' sequence.

    Integer parameters are rounded to the nearest integer. The same seed gives
    the same points.

    >>> pts = sample_points(SampleMethod.latin_hypercube, 4, {"legal_clarity": (0.0, 1.0)}, seed=1)
    >>> sorted(int(p["legal_clarity"] * 4) for p in pts)  # one point in each quarter
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc  # imported here: workers import this module and never sample (scipy.stats costs ~0.7 s)

    names = list(ranges)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5A3D1E]))
    if method == SampleMethod.sobol:
        unit = qmc.Sobol(d=len(names), scramble=True, rng=rng).random_base2(int(np.log2(n)))
    else:
        unit = qmc.LatinHypercube(d=len(names), rng=rng).random(n)
    low = np.array([ranges[k][0] for k in names], dtype=float)
    high = np.array([ranges[k][1] for k in names], dtype=float)
    return [_as_point(names, row) for row in qmc.scale(unit, low, high)]


def sensitivity_sample(spec: ExperimentSpec) -> np.ndarray:
    """The unrounded sample matrix of a sensitivity experiment (points x parameters), seeded by the experiment's seed."""
    from .sampling import sensitivity_design

    assert spec.sensitivity is not None
    return sensitivity_design(spec.sensitivity, spec.seed)


def _as_point(names: list[str], row: np.ndarray) -> dict[str, Any]:
    return {name: int(round(v)) if PARAMETERS_BY_NAME[name].kind is int else float(v) for name, v in zip(names, row)}


def count_points(spec: ExperimentSpec) -> int:
    """How many design points :func:`design_points` gives, by arithmetic alone (a 10^10-point grid is counted, never built).

    Sobol' (Saltelli): N(2D + 2) points with second order, N(D + 2) without;
    Morris and DGSM: N(D + 1); FAST: N D; RBD-FAST, delta and PAWN: N (see
    :func:`spacesim.experiment.sampling.sample`); a grid: the product of
    its lists' lengths, times the sampled points.

    >>> from spacesim.scenario.experiment import VarySpec
    >>> spec = ExperimentSpec.model_construct(sensitivity=None, vary=VarySpec(grid={f"p{i}": list(range(10)) for i in range(10)}))
    >>> count_points(spec)
    10000000000
    """
    s = spec.sensitivity
    if s is not None:
        d = len(s.parameters)
        per_sample = {"sobol": 2 * d + 2 if s.second_order else d + 2, "morris": d + 1, "dgsm": d + 1, "fast": d}
        return s.samples * per_sample.get(s.method, 1)  # rbd_fast, delta, pawn: a Latin hypercube of N points
    points = math.prod(len(values) for values in spec.vary.grid.values())
    return points * (spec.vary.sample.n if spec.vary.sample is not None else 1)


def count_runs(experiment: Experiment) -> int:
    """How many runs :func:`build_design` makes: points x variants x (the most) replicates, counted without building them."""
    return count_points(experiment.spec) * len(experiment.variant_names) * experiment.max_replicates


def design_points(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """Every design point: the sensitivity sample, or the grid crossed with the sampled points (one empty point if nothing varies)."""
    if spec.sensitivity is not None:
        names = list(spec.sensitivity.parameters)
        return [_as_point(names, row) for row in sensitivity_sample(spec)]
    grid = grid_points(spec.vary.grid)
    if spec.vary.sample is None:
        return grid
    s = spec.vary.sample
    sampled = sample_points(s.method, s.n, {k: (float(a), float(b)) for k, (a, b) in s.ranges.items()}, spec.seed)
    return [{**g, **x} for g in grid for x in sampled]


def replicate_seeds(base_seed: int, n_points: int, replicates: int) -> np.ndarray:
    """Seeds as an array ``[point, replicate]``, spawned from the base seed.

    Each seed is a non-negative 63-bit integer (fits Parquet's int64).

    >>> s = replicate_seeds(7, 2, 3)
    >>> s.shape, len(set(s.ravel().tolist()))
    ((2, 3), 6)
    >>> bool((replicate_seeds(7, 2, 3) == s).all())
    True
    """
    out = np.empty((n_points, replicates), dtype=np.int64)
    for p, point_seq in enumerate(np.random.SeedSequence(base_seed).spawn(n_points)):
        for r, run_seq in enumerate(point_seq.spawn(replicates)):
            out[p, r] = int(run_seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    return out


@dataclass(frozen=True)
class Design:
    """The design of an experiment: its points, variants and every run, in run-id order.

    With adaptive replication, ``replicates`` is the most a point can get and
    ``tasks`` holds every run that may be needed; the batch runs them in
    rounds (see :mod:`spacesim.experiment.replication`).
    """

    points: list[dict[str, Any]]
    variants: dict[str, dict[str, Any]]
    replicates: int
    tasks: list[RunTask]
    adaptive: dict[str, Any] | None = None

    @property
    def varied(self) -> list[str]:
        """Names of the parameters that differ between design points."""
        return list(self.points[0]) if self.points else []

    def describe(self, spec: ExperimentSpec) -> dict[str, Any]:
        """The design as plain data for ``manifest.json`` and the plots."""
        sample = spec.vary.sample
        return {
            "varied": self.varied,
            "grid": {k: list(v) for k, v in spec.vary.grid.items()} or None,
            "sample": None if sample is None else {"method": sample.method.value, "n": sample.n, "ranges": {k: list(v) for k, v in sample.ranges.items()}},
            "points": self.points,
            "variants": self.variants,
            "replicates": self.replicates,
            "adaptive": self.adaptive,
            "sensitivity": None if spec.sensitivity is None else spec.sensitivity.model_dump(mode="json"),
            "runs": len(self.tasks),
        }


def build_design(experiment: Experiment, *, allow_large: bool = False, max_runs: int | None = None, override: str | None = None) -> Design:
    """Every run of the experiment with its seed: points x variants x replicates, in that order.

    The design is counted first and refused when it is too large for this
    machine (more than ``max_runs`` runs, default
    :data:`~.limits.MAX_RUNS`; runs that need more memory than is
    available) unless ``allow_large``; see :mod:`.limits`. ``override``
    names the way to allow it in the refusal (default ``allow_large=True``).
    """
    from .limits import MAX_RUNS, PYTHON_OVERRIDE, check_experiment  # limits counts with this module's functions

    check_experiment(experiment, allow_large=allow_large, max_runs=MAX_RUNS if max_runs is None else max_runs, override=override or PYTHON_OVERRIDE)
    spec = experiment.spec
    points = design_points(spec)
    variants = {name: experiment.variant_settings(name) for name in experiment.variant_names}
    replicates = experiment.max_replicates
    seeds = replicate_seeds(spec.seed, len(points), replicates)
    draws = posterior_draws(experiment)
    if spec.sensitivity is not None and spec.sensitivity.method == "dgsm":
        # DGSM differentiates between a base point and its small steps: they share the base point's seeds
        # (common random numbers), or the finite differences would measure luck, not the parameters.
        block = len(spec.sensitivity.parameters) + 1
        seeds = seeds[(np.arange(len(points)) // block) * block]
    tasks = []
    for p, point in enumerate(points):
        for name, levers in variants.items():
            for r in range(replicates):
                drawn = draws[r % len(draws)] if draws else {}
                tasks.append(RunTask(len(tasks), p, name, r, int(seeds[p, r]), {**drawn, **point, **levers}))
    adaptive = experiment.adaptive
    return Design(points, variants, replicates, tasks, None if adaptive is None else adaptive.model_dump(mode="json"))


def posterior_draws(experiment: Experiment) -> list[dict[str, float]]:
    """The parameter sets drawn from the experiment's posterior (``parameters_from``): weighted, with replacement, seeded by the experiment's seed; none without one.

    Replicate r of every point and variant runs with draw r (cycled), so variants are compared under the same parameters as well as the same seed.
    """
    folder = experiment.posterior_folder
    if folder is None:
        return []
    import pandas as pd

    from ..scenario.experiment import POSTERIOR_TABLE, posterior_columns

    names = posterior_columns(folder)
    posterior = pd.read_parquet(folder / POSTERIOR_TABLE)
    weights = posterior["weight"].to_numpy(dtype=float)
    n = experiment.spec.parameters_from.draws or experiment.max_replicates
    rng = np.random.default_rng(np.random.SeedSequence([experiment.spec.seed, 0xCA1B]))
    picked = rng.choice(len(posterior), size=n, replace=True, p=weights / weights.sum())
    return [{name: float(posterior[name].iloc[i]) for name in names} for i in picked]


def chunked(tasks: list[RunTask], size: int) -> list[list[RunTask]]:
    """Consecutive runs grouped into chunks of ``size`` (the last may be shorter).

    >>> [len(c) for c in chunked([RunTask(i, 0, "default", i, i) for i in range(5)], 2)]
    [2, 2, 1]
    """
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def default_chunk_size(total: int, workers: int) -> int:
    """About four chunks per worker, at most 50 runs a chunk, so that short runs do not drown in task overhead."""
    return max(1, min(50, -(-total // (4 * max(1, workers)))))
