"""What a worker does with a chunk of runs: run each, isolate failures, return tables.

This module is what local worker processes and Dask workers import; it must
stay importable without Dask.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import shlex
import signal
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..output.outcomes import empty_run_values, outcome_columns, run_values_row, totals_of
from ..scenario import ScenarioSpec
from ..scenario.loader import apply_overrides
from .design import RunTask

#: Test-only fault injection: a comma-separated list of run ids that raise
#: instead of running (read by every worker process from its environment).
FAULT_ENV = "SPACESIM_TEST_FAIL_RUNS"


#: Test-only: run ids whose local worker process kills itself (SIGKILL) when it reaches them, as the
#: out-of-memory killer would (honoured only in a worker process, never in the batch's own).
KILL_ENV = "SPACESIM_TEST_KILL_WORKER_RUNS"


class InjectedFault(RuntimeError):
    """Raised for run ids listed in ``SPACESIM_TEST_FAIL_RUNS`` (tests of failure isolation)."""


#: A chunk's table: Arrow for the simulation's chunks (built once per chunk), a DataFrame for a function model's.
type Table = pd.DataFrame | pa.Table


@dataclass
class ChunkResult:
    """The tables of one chunk: ``runs`` always, then ``steps`` and any kept per-run tables (Arrow tables or DataFrames)."""

    chunk: int
    tables: dict[str, Table]
    seconds: float

    @property
    def failed(self) -> int:
        """How many runs of the chunk failed."""
        status = self.tables["runs"]["status"]
        if isinstance(status, pa.ChunkedArray):
            return int(pc.sum(pc.equal(status, "failed")).as_py() or 0)
        return int((status == "failed").sum())


def reproduce_command(scenario_file: str, task: RunTask, steps: int, fixed: dict[str, Any]) -> str:
    """The ``spacesim run`` command that repeats one run of a batch alone, its words quoted for a POSIX shell.

    >>> task = RunTask(run_id=3, point=0, variant="both", replicate=1, seed=99, settings={"legal_clarity": 0.5, "allow_multilateral": False})
    >>> reproduce_command("/data/my scenarios/base.yaml", task, 12, {})
    "spacesim run '/data/my scenarios/base.yaml' --seed 99 --steps 12 --set legal_clarity=0.5 --set allow_multilateral=false"
    """
    words = ["spacesim", "run", scenario_file, "--seed", str(task.seed), "--steps", str(steps)]
    for k, v in {**fixed, **task.settings}.items():
        words += ["--set", f"{k}={_yaml_value(v)}"]
    return " ".join(shlex.quote(w) for w in words)


def _yaml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def run_chunk(chunk: int, tasks: list[RunTask], scenario: ScenarioSpec, tables: tuple[str, ...], context: dict[str, Any]) -> ChunkResult:
    """Run every task of a chunk; a run that raises becomes a failed row and the chunk goes on.

    ``context`` carries what the rows record besides the run: ``scenario_file``
    and ``fixed`` (the experiment's own parameter overrides) for the
    reproduction command.

    The chunk's tables are Arrow tables, built once per chunk: ``steps``
    straight from each run's record (its columns concatenated, no per-run
    DataFrame), ``runs`` from the rows, the kept per-run tables from the
    model's frames. They are the tables :func:`label_rows` and
    :func:`normalise_runs` give, in the types Parquet stores them with.
    """
    from ..output.run_result import run_scenario  # here: a worker that runs a function model never loads the simulation (numba)

    started = time.perf_counter()
    fail_ids = {int(x) for x in os.environ.get(FAULT_ENV, "").split(",") if x.strip()}
    kill_ids = {int(x) for x in os.environ.get(KILL_ENV, "").split(",") if x.strip()}
    rows: list[dict[str, Any]] = []
    records: list[tuple[RunTask, dict[str, np.ndarray]]] = []  # each completed run's steps, column by column
    kept: dict[str, list[pd.DataFrame]] = {name: [] for name in tables}
    for task in tasks:
        base = {"run_id": task.run_id, "point": task.point, "variant": task.variant, "replicate": task.replicate, "seed": task.seed}
        command = reproduce_command(context["scenario_file"], task, scenario.steps, context.get("fixed", {}))
        if task.run_id in kill_ids and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            if task.run_id in fail_ids:
                raise InjectedFault(f"run {task.run_id} failed on purpose ({FAULT_ENV})")
            spec = apply_overrides(scenario, task.settings, source="design", check_horizon=False) if task.settings else scenario
            result = run_scenario(spec, seed=task.seed, run_id=task.run_id)
        except Exception as exc:  # noqa: BLE001 - a failing run must not stop the batch
            if interrupted(exc):  # Ctrl-C landed in compiled code: the batch stops, the run is not a failure
                raise KeyboardInterrupt from exc
            row = {**base, "status": "failed", "error_type": type(exc).__name__, "error": _one_line(exc)}
            row.update(scenario.parameter_values())
            row.update(task.settings)
            row.update({"steps": 0, "reproduce": command})
            row.update(empty_run_values())
            rows.append(row)
            continue
        row = {**base, "status": "completed", "error_type": None, "error": None}
        row.update(result.spec.parameter_values())
        recorder = result.model.recorder  # the run's values straight from the record, not from its table
        steps = recorder.steps
        row.update({"steps": recorder.last("step"), "reproduce": command})
        row.update(run_values_row(recorder.latest, totals_of(steps)))
        rows.append(row)
        records.append((task, steps))
        for name in tables:
            kept[name].append(label_rows(getattr(result, name), task))
    out: dict[str, Table] = {"runs": arrow_table(normalise_runs(pd.DataFrame(rows))), "steps": steps_table(records)}
    for name, frames in kept.items():
        out[name] = arrow_table(pd.concat(frames, ignore_index=True) if frames else empty_labelled())
    return ChunkResult(chunk, out, time.perf_counter() - started)


def steps_table(records: list[tuple[RunTask, dict[str, np.ndarray]]]) -> pa.Table:
    """The ``steps`` table of a chunk from each run's recorded columns: ``run_id``, the design columns, then the record's
    columns, in run order; the table ``label_rows`` of each run's steps frame, concatenated, would give.

    >>> from spacesim.experiment.design import RunTask
    >>> t = steps_table([(RunTask(4, 1, "both", 0, 9), {"step": np.array([0, 1]), "debris": np.array([2.0, 3.0])})])
    >>> t.column_names, t.column("variant").to_pylist(), t.column("debris").to_pylist()
    (['run_id', 'point', 'variant', 'replicate', 'step', 'debris'], ['both', 'both'], [2.0, 3.0])
    """
    if not records:
        return arrow_table(empty_labelled())
    lengths = np.array([len(next(iter(columns.values()))) for _, columns in records])
    tasks = [task for task, _ in records]
    arrays: dict[str, Any] = {"run_id": np.repeat(np.array([t.run_id for t in tasks], dtype=np.int64), lengths)}
    for column, dtype in DESIGN_COLUMNS.items():
        values = [getattr(t, column) for t in tasks]
        if dtype == "string":
            arrays[column] = pa.array(np.repeat(np.array(values, dtype=object), lengths), type=_string_type())
        else:
            arrays[column] = np.repeat(np.array(values, dtype=dtype), lengths)
    for column in records[0][1]:
        arrays[column] = np.concatenate([columns[column] for _, columns in records])
    return pa.table(arrays)


def empty_labelled() -> pd.DataFrame:
    """The table of a chunk whose runs all failed: no rows, only ``run_id`` and the design columns."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in (("run_id", "int64"), *DESIGN_COLUMNS.items())})


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """A chunk's table as Arrow, typed as ``DataFrame.to_parquet`` stores it (no index, no pandas metadata)."""
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)


@functools.cache
def _string_type() -> pa.DataType:
    """The Arrow type pandas gives a ``string`` column (``large_string`` with pandas 3), so that every chunk agrees."""
    return arrow_table(pd.DataFrame({"s": pd.Series(["x"], dtype="string")})).schema.field("s").type


@dataclass(frozen=True)
class ScenarioModel:
    """The simulation as an executor runs it: ``model(index, tasks)`` runs a chunk of the scenario's runs (:func:`run_chunk`).

    ``tables`` are the per-run tables kept besides ``runs`` and ``steps``;
    ``context`` what the rows record besides the run (see :func:`run_chunk`),
    with ``code``, the hash of the code a Dask worker must run.
    """

    scenario: ScenarioSpec
    tables: tuple[str, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        """The hash of the code the batch recorded, which every worker must run."""
        return self.context.get("code")

    def __call__(self, chunk: int, tasks: list[RunTask]) -> ChunkResult:
        """Run the chunk's tasks."""
        return run_chunk(chunk, tasks, self.scenario, self.tables, self.context)


#: A model in EMA Workbench's ``Model(function=...)`` shape: the parameters of one run and its seed in, its outcomes out
#: (a number per outcome, or a table (a DataFrame) per name, which becomes a table of the batch labelled with the run).
OutcomeFunction = Callable[[dict[str, Any], int], Mapping[str, Any]]


@dataclass(frozen=True)
class FunctionModel:
    """Any function of (parameters, seed) as the engine's model: the same designs, seeds, chunks and executors as the simulation.

    Each run becomes a row of ``runs`` (``run_id, point, variant,
    replicate, seed``, the parameters, ``status, error_type, error``, then
    ``final_<outcome>`` for each number it returns); each table it returns
    is concatenated over the runs, labelled like the simulation's per-run
    tables (``run_id, point, variant, replicate`` first). A run that raises
    is a failed row, as in a batch. ``outcomes`` names what a failed run
    leaves empty.

    >>> model = FunctionModel(lambda p, seed: {"y": p["a"] * 2}, outcomes=("y",))
    >>> model(0, [RunTask(0, 0, "default", 0, 7, {"a": 1.5})]).tables["runs"][["run_id", "a", "status", "final_y"]].values.tolist()
    [[0, 1.5, 'completed', 3.0]]
    """

    function: OutcomeFunction
    outcomes: tuple[str, ...] = ()
    code: str | None = None

    def __call__(self, chunk: int, tasks: list[RunTask]) -> ChunkResult:
        """Run the function once per task."""
        started = time.perf_counter()
        rows: list[dict[str, Any]] = []
        kept: dict[str, list[pd.DataFrame]] = {}
        for task in tasks:
            base = {"run_id": task.run_id, "point": task.point, "variant": task.variant, "replicate": task.replicate, "seed": task.seed, **task.settings}
            try:
                result = self.function(dict(task.settings), task.seed)
                values, tables = {}, {}
                for name, value in result.items():
                    if isinstance(value, pd.DataFrame):
                        tables[name] = label_rows(value if "run_id" in value.columns else value.assign(run_id=task.run_id)[["run_id", *value.columns]], task)
                    else:
                        values[f"final_{name}"] = float(value)
            except Exception as exc:  # noqa: BLE001 - a failing run must not stop the batch
                if interrupted(exc):
                    raise KeyboardInterrupt from exc
                empty = {f"final_{o}": float("nan") for o in self.outcomes}
                rows.append({**base, "status": "failed", "error_type": type(exc).__name__, "error": _one_line(exc), **empty})
                continue
            rows.append({**base, "status": "completed", "error_type": None, "error": None, **values})
            for name, table in tables.items():
                kept.setdefault(name, []).append(table)
        out = {"runs": pd.DataFrame(rows), **{name: pd.concat(frames, ignore_index=True) for name, frames in kept.items()}}
        return ChunkResult(chunk, out, time.perf_counter() - started)


#: Where a run sits in the design, repeated in every per-run table of a batch after ``run_id`` (so that
#: ``steps.groupby("variant")`` needs no merge with ``runs``), with their types.
DESIGN_COLUMNS: dict[str, str] = {"point": "int64", "variant": "string", "replicate": "int64"}


def label_rows(table: pd.DataFrame, task: RunTask) -> pd.DataFrame:
    """One run's table with its design point, variant and replicate as columns after ``run_id``.

    >>> task = RunTask(run_id=3, point=1, variant="both", replicate=2, seed=9)
    >>> list(label_rows(pd.DataFrame({"run_id": [3, 3], "step": [0, 1]}), task).columns)
    ['run_id', 'point', 'variant', 'replicate', 'step']
    """
    table = table.copy()
    at = table.columns.get_loc("run_id") + 1 if "run_id" in table.columns else 0
    for i, (column, dtype) in enumerate(DESIGN_COLUMNS.items()):
        table.insert(at + i, column, pd.Series([getattr(task, column)] * len(table), index=table.index, dtype=dtype))
    return table


def interrupted(exc: BaseException) -> bool:
    """Whether an exception is an interrupt in disguise: a ``KeyboardInterrupt`` or ``SystemExit`` somewhere in its chain.

    A signal handler's ``KeyboardInterrupt`` raised while Numba's compiled
    code runs comes back as an interpreter-level error, ``SystemError:
    CPUDispatcher(...) returned a result with an exception set``, whose
    cause is the interrupt. Such a run did not fail: it was stopped.

    >>> try:
    ...     try:
    ...         raise KeyboardInterrupt
    ...     except KeyboardInterrupt as ki:
    ...         raise SystemError("CPUDispatcher(<function _proposals>) returned a result with an exception set") from ki
    ... except SystemError as exc:
    ...     interrupted(exc), interrupted(ValueError("a real failure"))
    (True, False)
    """
    seen = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt | SystemExit):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or repr(exc)
    last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {os.path.basename(last.filename)}:{last.lineno})" if last else ""
    return text.splitlines()[0][:500] + where


def normalise_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes for ``runs`` whatever the mix of completed and failed rows, so chunks concatenate identically."""
    runs = runs.copy()
    for col in ("run_id", "point", "replicate", "seed", "steps"):
        runs[col] = runs[col].astype("int64")
    for col in ("variant", "status", "error_type", "error", "reproduce"):
        runs[col] = runs[col].astype("string")
    for column in outcome_columns():
        runs[column] = runs[column].astype("float64")
    return runs
