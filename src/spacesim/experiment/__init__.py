"""Experiments: designs, replicate seeds, executors (local, Dask) and the crash-safe result store."""

from ..scenario.experiment import Experiment, ExperimentSpec, build_experiment, load_experiment, parse_experiment
from .design import Design, RunTask, build_design

_BATCH = ("BatchInterrupted", "BatchResult", "retry_failed", "run_batch")


def __getattr__(name: str) -> object:
    """The batch runner, imported on first use: checking an experiment (its size, :mod:`.limits`) needs neither it nor the model."""
    if name in _BATCH:
        from . import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BatchInterrupted",
    "BatchResult",
    "Design",
    "Experiment",
    "ExperimentSpec",
    "RunTask",
    "build_design",
    "build_experiment",
    "load_experiment",
    "parse_experiment",
    "retry_failed",
    "run_batch",
]
