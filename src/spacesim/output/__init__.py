"""Result folders: manifest, Parquet tables and plots, written crash-safely."""

from typing import Any

from .folder import StagedRun, prepare_output, read_tables
from .result_folder import BatchManifest, CalibrationManifest, ResultFolder, RunManifest

_RUN = ("RunResult", "run_scenario")


def __getattr__(name: str) -> Any:
    """A run's result, imported on first use: reading a folder or the code's fingerprint (what every worker does first)
    needs neither it nor the model (numba)."""
    if name in _RUN:
        from . import run_result

        return getattr(run_result, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BatchManifest", "CalibrationManifest", "ResultFolder", "RunManifest", "StagedRun", "RunResult", "prepare_output", "read_tables", "run_scenario"]
