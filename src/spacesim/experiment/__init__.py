"""Experiments: designs, replicate seeds, executors (local, Dask) and the crash-safe result store."""

from ..scenario.experiment import Experiment, ExperimentSpec, build_experiment, load_experiment, parse_experiment
from .batch import BatchInterrupted, BatchResult, run_batch
from .design import Design, RunTask, build_design

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
    "run_batch",
]
