"""Any function of (parameters, seed) run as the engine runs the model: the same seeds, chunks and executors.

EMA Workbench's ``Model(function=...)`` shape: a design's points, each run
``replicates`` times with the batch's seed scheme
(:func:`~.design.replicate_seeds`: replicate r of point p always gets the
same seed), cut into chunks and sent to the executor the options ask for
(:func:`~.executors.make_executor`: this process, local processes, a Dask
cluster). The tables do not depend on the executor. The sensitivity of a
plain function (:func:`spacesim.analysis.sensitivity.sensitivity_of_function`)
runs through here.

>>> tables = evaluate(lambda p, seed: {"y": p["a"] + p["b"]}, [{"a": 1.0, "b": 2.0}, {"a": 0.5, "b": 0.0}], replicates=2)
>>> tables["runs"][["run_id", "point", "replicate", "status", "final_y"]].values.tolist()
[[0, 0, 0, 'completed', 3.0], [1, 0, 1, 'completed', 3.0], [2, 1, 0, 'completed', 0.5], [3, 1, 1, 'completed', 0.5]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .design import RunTask, chunked, default_chunk_size, replicate_seeds
from .executors import make_executor
from .wording import PYTHON, Wording
from .worker import FunctionModel, OutcomeFunction


def function_tasks(points: Sequence[dict[str, Any]], replicates: int = 1, seed: int = 0) -> list[RunTask]:
    """Every run of ``points`` x ``replicates``, in run-id order, with the batch's seeds (one variant, ``default``)."""
    seeds = replicate_seeds(seed, len(points), replicates)
    return [RunTask(p * replicates + r, p, "default", r, int(seeds[p, r]), dict(point)) for p, point in enumerate(points) for r in range(replicates)]


def evaluate(
    function: OutcomeFunction,
    points: Sequence[dict[str, Any]],
    *,
    replicates: int = 1,
    seed: int = 0,
    outcomes: Sequence[str] = (),
    workers: int | None = 1,
    cluster: str | None = None,
    chunk_size: int | None = None,
    wording: Wording = PYTHON,
) -> dict[str, pd.DataFrame]:
    """Run ``function(parameters, seed)`` at every point ``replicates`` times through an executor; return its tables (``runs`` first), in run-id order.

    ``function`` returns a number per outcome (``final_<name>`` columns of
    ``runs``) or a DataFrame per table (concatenated over the runs, labelled
    with the run); a call that raises is a failed run (``status``, ``error``).
    ``outcomes`` names the numbers a failed run leaves empty. ``workers``
    local processes (1: this process; the function must then be picklable,
    which cloudpickle makes true of lambdas and notebook functions) or a Dask
    ``cluster``.
    """
    tasks = function_tasks(points, replicates, seed)
    size = chunk_size or default_chunk_size(len(tasks), workers or 1)
    model = FunctionModel(function, tuple(outcomes))
    results = []
    with make_executor(workers, cluster, wording) as executor:
        results.extend(executor.run(list(enumerate(chunked(tasks, size))), model))
    results.sort(key=lambda r: r.chunk)
    names = list(dict.fromkeys(name for r in results for name in r.tables))
    tables = {}
    for name in names or ["runs"]:
        frames = [r.tables[name] for r in results if name in r.tables]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return tables
