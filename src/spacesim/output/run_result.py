"""One simulation run, from a spec and a seed to its tables and its result folder."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import STEP_OUTCOMES
from ..model import SpaceModel
from ..scenario import ScenarioSpec
from .folder import TABLES, StagedRun
from .outcomes import totals_of
from .provenance import code_identity, file_sha256, git_revision, now, package_versions
from .result_folder import RunManifest, ScenarioRecord


class RunResult:
    """The tables of one run, each built from the finished model the first time it is read. Every table carries ``run_id``.

    A batch that keeps only ``steps`` never pays for the per-nation, event,
    partnership and revision tables. Each per-run table of
    :data:`~spacesim.output.folder.PER_RUN_TABLES` is the property of its name.
    """

    def __init__(self, run_id: int, spec: ScenarioSpec, seed: int, model: SpaceModel, extra: dict[str, Any] | None = None):
        self.run_id = run_id
        self.spec = spec
        self.seed = seed
        self.model = model
        self.extra: dict[str, Any] = extra or {}

    @cached_property
    def steps(self) -> pd.DataFrame:
        """A row per step (step 0 is the initial state) with every outcome."""
        return tag(self.model.steps_frame(), self.run_id)

    @cached_property
    def nations(self) -> pd.DataFrame:
        """A row per nation per step."""
        return tag(self.model.nations_frame(), self.run_id)

    @cached_property
    def events(self) -> pd.DataFrame:
        """A row per event, with its narrative."""
        return tag(self.model.events_frame(), self.run_id)

    @cached_property
    def partnerships(self) -> pd.DataFrame:
        """A row per bilateral agreement or framework membership."""
        return tag(self.model.partnerships_frame(), self.run_id)

    @cached_property
    def revisions(self) -> pd.DataFrame:
        """A row per change of a bilateral agreement's depth after its start: ``partnership_id`` (its row of
        ``partnerships``), ``step``, the new ``depth`` and the ``domain`` that depth reaches."""
        return tag(self.model.revisions_frame(), self.run_id)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` of :data:`~spacesim.output.folder.TABLES`: ``runs`` (:meth:`runs_frame`) or the property of that name."""
        if name not in TABLES:
            raise KeyError(f"{name!r} is not a table of a run; the tables are {', '.join(TABLES)}")
        return self.runs_frame() if name == "runs" else getattr(self, name)

    def run_row(self) -> dict[str, Any]:
        """The run's row of ``runs.parquet``: id, scenario, seed, status, parameters, final outcomes and the totals of per-step counts (:mod:`.outcomes`)."""
        final = self.steps.iloc[-1]
        row: dict[str, Any] = {
            "run_id": self.run_id,
            "scenario": self.spec.name,
            "seed": self.seed,
            "status": "completed",
            "error": None,
            "steps": int(final["step"]),
        }
        row.update(self.spec.parameter_values())
        row.update({f"final_{k}": final[k] for k in STEP_OUTCOMES})
        row.update({f"total_{k}": v for k, v in totals_of(self.steps).items()})
        row.update(self.extra)
        return row

    def runs_frame(self) -> pd.DataFrame:
        """``runs.parquet`` for this single run."""
        df = pd.DataFrame([self.run_row()])
        df["error"] = df["error"].astype("string")
        return df

    def summary(self) -> str:
        """A few lines a person reads at the end of a run."""
        f = self.steps.iloc[-1]
        s0 = self.steps.iloc[0]
        kinds = self.events["kind"].value_counts().to_dict() if len(self.events) else {}
        events = ", ".join(_count_event(n, k) for k, n in sorted(kinds.items()) if k != "history") or "none"
        return "\n".join(
            [
                f"{self.spec.name}: {int(f['step'])} steps ({self.spec.step_meaning}s), seed {self.seed}",
                f"  bilateral agreements  {int(s0['n_bilateral']):>6} -> {int(f['n_bilateral'])}",
                f"  framework memberships {int(s0['n_memberships']):>6} -> {int(f['n_memberships'])}",
                f"  mean trust            {s0['mean_trust']:>6.3f} -> {f['mean_trust']:.3f}",
                f"  collective security   {s0['collective_security']:>6.3f} -> {f['collective_security']:.3f}",
                f"  debris (pieces)       {s0['debris']:>6,.0f} -> {f['debris']:,.0f}",
                f"  threat level          {s0['threat_level']:>6.3f} -> {f['threat_level']:.3f}",
                f"  events: {events}",
            ]
        )


def _count(n: int, noun: str) -> str:
    """``1 leak``, ``53 leaks``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _count_event(n: int, kind: str) -> str:
    """``53 leaks``, ``1 ASAT test``, ``3 frameworks founded``."""
    if kind.startswith("framework_"):  # framework_founded, framework_opens: the noun is the framework
        verb = {"framework_opens": "opened"}.get(kind, kind.removeprefix("framework_"))
        return f"{_count(n, 'framework')} {verb}"
    return _count(n, "ASAT test" if kind == "asat_test" else kind.replace("_", " "))


def tag(df: pd.DataFrame, run_id: int) -> pd.DataFrame:
    """The table (a fresh one, which this changes) with a leading ``run_id`` column."""
    df.insert(0, "run_id", np.full(len(df), run_id, dtype=np.int64))
    return df


def run_scenario(spec: ScenarioSpec, seed: int | None = None, run_id: int = 0, steps: int | None = None) -> RunResult:
    """Run a scenario to its end and return its tables.

    >>> from spacesim import load_scenario, shipped_scenario
    >>> result = run_scenario(load_scenario(shipped_scenario("teaching_small")), seed=3, steps=5)
    >>> list(result.steps["step"])
    [0, 1, 2, 3, 4, 5]
    """
    seed = spec.seed if seed is None else seed
    if steps is not None:
        spec = spec.with_parameters(steps=steps)
    with _between_steps():
        model = SpaceModel(spec, rng=seed)
        while model.steps < spec.steps:
            model.step()
            _INTERRUPTS.raise_if_pending()
    return RunResult(run_id=run_id, spec=spec, seed=seed, model=model)


class _Interrupts:
    """Ctrl-C and SIGTERM held while a model is built or steps, raised as ``KeyboardInterrupt`` between steps.

    A ``KeyboardInterrupt`` raised by a signal handler inside the model's
    compiled loops (Numba) does not unwind cleanly: it surfaces as
    ``SystemError: CPUDispatcher(...) returned a result with an exception
    set``, as "Exception ignored" messages, or as a segmentation fault of
    the interpreter. :func:`interrupt_handler` therefore only notes a signal
    that arrives while :func:`run_scenario` is stepping; the step loop
    raises it when the step ends (a fraction of a second at most). Anywhere
    else the handler raises at once. After the first interrupt, more
    signals are ignored until :func:`handling_interrupts` ends, so that the
    batch can record what finished (each Ctrl-C of an impatient user would
    otherwise cut that short).
    """

    def __init__(self) -> None:
        self.stepping = 0
        self.pending = False
        self.raised = False

    def raise_if_pending(self) -> None:
        if self.pending:
            self.pending = False
            self.raised = True
            raise KeyboardInterrupt


_INTERRUPTS = _Interrupts()


@contextlib.contextmanager
def _between_steps() -> Iterator[None]:
    _INTERRUPTS.stepping += 1
    try:
        yield
    finally:
        _INTERRUPTS.stepping -= 1
    if not _INTERRUPTS.stepping:
        _INTERRUPTS.raise_if_pending()


def interrupt_handler(signum: int, frame: object) -> None:
    """The signal handler of :func:`handling_interrupts`: raise ``KeyboardInterrupt``, or hold it until the model's step ends."""
    if _INTERRUPTS.raised:
        return  # already stopping: let the batch record what finished
    if _INTERRUPTS.stepping:
        _INTERRUPTS.pending = True
        return
    _INTERRUPTS.raised = True
    raise KeyboardInterrupt


@contextlib.contextmanager
def handling_interrupts(signals: tuple[int, ...] = (signal.SIGINT,), replace_custom: bool = False, then_exit: bool = False) -> Iterator[None]:
    """Within the block, ``signals`` raise ``KeyboardInterrupt`` only between model steps (:class:`_Interrupts`); the previous handlers come back after it.

    Only in the main thread (the only one Python delivers signals to). A
    handler the caller installed (not Python's default, not ignored) is left
    alone unless ``replace_custom``; the command line replaces them all, and
    also stops on a signal that was ignored (a shell starts background jobs
    with SIGINT ignored); with ``then_exit`` (the process ends after the
    block), a block that was interrupted leaves the signals ignored, so that
    one more Ctrl-C cannot cut short the report of what was kept.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        s: h for s in signals if (h := signal.getsignal(s)) is not interrupt_handler and (replace_custom or h in (signal.default_int_handler, signal.SIG_DFL))
    }
    if not previous:  # an enclosing block handles them already (or the caller's own handlers stay)
        yield
        return
    try:
        for s in previous:
            signal.signal(s, interrupt_handler)
        yield
    finally:
        stopping = then_exit and _INTERRUPTS.raised
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_IGN if stopping else handler)
        _INTERRUPTS.pending = _INTERRUPTS.raised = False


def write_run(
    result: RunResult, out: str | Path | StagedRun, *, scenario_file: str | Path | None = None, force: bool = False, started: str | None = None
) -> Path:
    """Write a single run's result folder: manifest and every table of :data:`~spacesim.output.folder.TABLES` (its plots
    come after, from the folder: :func:`spacesim.analysis.postrun.analyse_folder`).

    ``out`` is a path, or a :class:`StagedRun` already opened (and
    locked) before the run was simulated, which this commits.
    """
    if isinstance(out, StagedRun):
        folder = out
    else:
        folder = StagedRun(out, force=force, inputs=(scenario_file,) if scenario_file else ())
    with folder:
        write_run_files(folder, result, scenario_file=scenario_file, started=started)
    return folder.out


def write_run_files(folder: StagedRun, result: RunResult, *, scenario_file: str | Path | None = None, started: str | None = None) -> None:
    """Write a run's manifest and tables into an open :class:`StagedRun`."""
    for name in TABLES:
        folder.write_table(name, result.table(name))
    folder.write_manifest(
        RunManifest(
            status="completed",
            scenario=ScenarioRecord(
                name=result.spec.name,
                description=result.spec.description,
                file=str(scenario_file) if scenario_file else None,
                sha256=file_sha256(scenario_file) if scenario_file else None,
                spec=result.spec.model_dump(mode="json", by_alias=True),
            ),
            parameters=result.spec.parameter_values(),
            seeds={"0": result.seed},
            steps=int(result.steps["step"].iloc[-1]),
            runs={"total": 1, "completed": 1, "failed": 0},
            code=code_identity(),
            versions=package_versions(),
            git_revision=git_revision(),
            command=sys.argv,
            started=started or now(),
            finished=now(),
            tables=[f"{name}.parquet" for name in TABLES],
            plots=[],
        )
    )
