"""Result folders: manifest, Parquet tables and plots, written crash-safely."""

from .folder import StagedRun, prepare_output, read_tables
from .result_folder import BatchManifest, CalibrationManifest, ResultFolder, RunManifest
from .run_result import RunResult, run_scenario

__all__ = ["BatchManifest", "CalibrationManifest", "ResultFolder", "RunManifest", "StagedRun", "RunResult", "prepare_output", "read_tables", "run_scenario"]
