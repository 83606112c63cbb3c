"""Result folders: manifest, Parquet tables and plots, written crash-safely."""

from .folder import ResultFolder, prepare_output, read_tables
from .run_result import RunResult, run_scenario

__all__ = ["ResultFolder", "RunResult", "prepare_output", "read_tables", "run_scenario"]
