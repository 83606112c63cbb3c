"""A run's value of an outcome, as runs.parquet holds it and every summary reads it: its final value, or its total over the run.

Most outcomes describe a state (agreements in force, mean trust, debris),
and a run's value of one is its value at the last step: ``final_<x>``. A
per-step count (ASAT tests, leaks, agreements formed *this step*) describes
what happened in one step; its value at the last step says only what
happened then, so a run's value of one is its total over steps 1 to the
last: ``total_<x>`` (``final_<x>`` is kept beside it). :data:`PER_STEP_COUNTS`
lists them: the outcomes :mod:`spacesim.catalogue` declares ``per_step``.

Everything that summarises runs (the batch's printed summary, its plots,
the paired comparison, sensitivity, adaptive replication, the report)
asks :func:`run_value` which column to read and how to label it, so that
no summary reads the last step's count as if it were the run's.

>>> run_value("mean_trust")
RunValue(outcome='mean_trust', column='final_mean_trust', statistic='final')
>>> v = run_value("n_asat_tests")
>>> v.column, v.label, v.header
('total_n_asat_tests', 'n asat tests (total over the run)', 'n_asat_tests (total)')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalogue import PER_STEP_COUNTS, STEP_OUTCOMES

FINAL = "final"
TOTAL = "total over the run"


@dataclass(frozen=True)
class RunValue:
    """Which column of runs.parquet holds a run's value of ``outcome``, and what that value is (``statistic``)."""

    outcome: str
    column: str
    statistic: str

    @property
    def is_total(self) -> bool:
        """Whether the value is a total over the run (a per-step count)."""
        return self.statistic == TOTAL

    @property
    def label(self) -> str:
        """For titles and sentences: "final mean trust", "n asat tests (total over the run)"."""
        name = self.outcome.replace("_", " ")
        return f"{name} ({TOTAL})" if self.is_total else f"final {name}"

    @property
    def header(self) -> str:
        """For a column of a table of outcomes: the outcome's name, with "(total)" for a total."""
        return f"{self.outcome} (total)" if self.is_total else self.outcome


def run_value(outcome: str, columns: Iterable[str] | None = None) -> RunValue:
    """A run's value of ``outcome``: ``total_<outcome>`` for a per-step count, ``final_<outcome>`` otherwise.

    With ``columns`` (a runs table's), a per-step count whose total the table
    lacks (a batch written before totals were recorded) falls back to
    ``final_<outcome>``, labelled as the final value it is.

    >>> run_value("n_leaks", ["final_n_leaks"]).column
    'final_n_leaks'
    """
    total = f"total_{outcome}"
    if outcome in PER_STEP_COUNTS and (columns is None or total in set(columns)):
        return RunValue(outcome, total, TOTAL)
    return RunValue(outcome, f"final_{outcome}", FINAL)


def run_values_row(last: Mapping[str, Any], totals: Mapping[str, Any]) -> dict[str, Any]:
    """The ``final_<x>`` columns of a run's row (every outcome at the last step) and its ``total_<x>`` columns (every
    per-step count summed over steps 1 to the last).

    >>> row = run_values_row({k: 1 for k in STEP_OUTCOMES}, {k: 5 for k in PER_STEP_COUNTS})
    >>> row["final_n_asat_tests"], row["total_n_asat_tests"], "total_mean_trust" in row
    (1.0, 5.0, False)
    """
    out = {f"final_{k}": float(last[k]) for k in STEP_OUTCOMES}
    out.update({f"total_{k}": float(totals[k]) for k in PER_STEP_COUNTS})
    return out


def empty_run_values() -> dict[str, float]:
    """The same columns for a run that failed: every value NaN."""
    return {**{f"final_{k}": float("nan") for k in STEP_OUTCOMES}, **{f"total_{k}": float("nan") for k in PER_STEP_COUNTS}}


def outcome_columns() -> list[str]:
    """Every value column of a runs table, in order: ``final_<x>`` for each outcome, then ``total_<x>`` for each per-step count."""
    return [f"final_{k}" for k in STEP_OUTCOMES] + [f"total_{k}" for k in PER_STEP_COUNTS]


def is_value_column(column: str) -> bool:
    """Whether a runs table's column holds a run's value of an outcome (not a parameter or a bookkeeping column)."""
    return column.startswith(("final_", "total_"))


def totals_of(steps: Any) -> dict[str, Any]:
    """Each per-step count summed over steps 1 to the last of one run's steps table (step 0, the initial state, counts nothing)."""
    after = np.asarray(steps["step"]) > 0  # a steps table, or the recorder's columns (Recorder.steps)
    return {k: np.asarray(steps[k])[after].sum() for k in PER_STEP_COUNTS}
