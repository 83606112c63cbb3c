"""Run an experiment as a batch: design, executor, crash-safe store, progress, merged tables and manifest.

Data flow: experiment file -> :func:`build_design` (runs with seeds) ->
executor (chunks of runs) -> :class:`BatchStore` (each chunk committed as it
finishes) -> merged tables and ``manifest.json``. The engine stops there:
what is made from the tables (the paired comparison, sensitivity indices,
plots, the summary, the report) is the post-run step,
:func:`spacesim.analysis.postrun.analyse_folder`, which reads the finished
folder and can be run again on it alone. README shows the notebook use.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..output.folder import free_folder
from ..output.outcomes import run_value
from ..output.provenance import code_identity, file_sha256, git_revision, now, package_versions
from ..output.result_folder import AdaptiveRule, BatchManifest, ExperimentRecord, ReplicationRecord, RunCounts, ScenarioRecord, SessionRecord
from ..output.run_result import handling_interrupts
from ..scenario.errors import InputError
from ..scenario.experiment import Experiment, load_experiment
from .design import Design, build_design, chunked, default_chunk_size
from .executors import Executor, WorkersLost, make_executor
from .progress import Progress
from .replication import decide
from .store import BatchStore, MergeAhead
from .wording import PYTHON, Wording
from .worker import ScenarioModel


class BatchInterrupted(Exception):
    """The batch was stopped (Ctrl-C or SIGTERM, or ``reason``: its workers kept being lost); what finished is kept and can be resumed."""

    def __init__(self, out: Path, done: int, total: int, reason: str | None = None):
        self.out, self.done, self.total, self.reason = out, done, total, reason
        super().__init__(f"batch stopped after {done} of {total} runs{f' ({reason})' if reason else ''}; what finished is kept in {out}")


@dataclass
class BatchResult:
    """A finished batch: its folder, manifest and tables.

    ``steps`` (a row per run and step, the largest table) is read from
    ``steps.parquet`` the first time it is used, so that a batch's memory does
    not grow with its length unless its caller asks for every step.
    """

    out: Path
    manifest: BatchManifest
    runs: pd.DataFrame
    ran_now: int = 0
    seconds: float = 0.0
    _steps: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def steps(self) -> pd.DataFrame:
        """The ``steps`` table (read on first use)."""
        if self._steps is None:
            self._steps = pd.read_parquet(self.out / "steps.parquet")
        return self._steps

    def table(self, name: str) -> pd.DataFrame:
        """Another table of the batch (a per-run table it kept: ``nations``, ``events``, ``partnerships``, ``revisions``;
        ``comparison``, ``sensitivity`` once the post-run step wrote them)."""
        path = self.out / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(
                f"{path}: this batch has no {name} table (per-run tables are kept as 'tables' in the experiment file says; comparison needs variants "
                "and sensitivity a sensitivity section, "
                "and both are written by the post-run step: spacesim.analysis.postrun.analyse_folder(out), or spacesim analyse OUT)"
            )
        return pd.read_parquet(path)

    @property
    def failed(self) -> int:
        """How many runs failed."""
        return int((self.runs["status"] == "failed").sum())


def run_batch(
    experiment: str | Path | Experiment,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    cluster: str | None = None,
    resume: bool = False,
    force: bool = False,
    quiet: bool = True,
    wording: Wording = PYTHON,
    allow_large: bool = False,
) -> BatchResult:
    """Run (or resume) an experiment's batch into ``out``: its merged tables and manifest, nothing else; return them.

    The comparison of variants, sensitivity indices and plots come after, from
    the folder: :func:`spacesim.analysis.postrun.analyse_folder` (the command
    line runs it after every batch).

    ``workers`` local processes (default: one per core; 1 runs here), or an
    existing Dask cluster at ``cluster``. ``resume`` continues a batch in
    ``out`` (refused if the experiment or scenario file changed); ``force``
    deletes ``out`` first. Without either, an existing non-empty ``out`` is
    refused; without ``out``, the batch goes to ``results/EXPERIMENT``, or
    to a new ``results/EXPERIMENT-2``, ``-3``... when that one is taken. A
    design of more runs than this machine should take, or runs needing more
    memory than it has, is refused unless ``allow_large`` (:mod:`.limits`).
    Raises :class:`InputError` for bad input and
    :class:`BatchInterrupted` on Ctrl-C. Refusals name these arguments
    (``resume=True``); the command line passes ``wording=CLI`` so that they
    name its flags (``--resume``) instead.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if experiment.path is None:
        raise InputError.single(
            "<experiment>", "", "a batch needs an experiment file (its hash is recorded so that it can be resumed); use load_experiment(path)"
        )
    if out is None:  # results/EXPERIMENT; a new numbered folder (results/EXPERIMENT-2...) when that one is taken, unless resuming or replacing it
        out = Path("results") / experiment.path.stem
        if not (resume or force):
            out = free_folder(out)
    out = Path(out)
    inputs: tuple[Path, ...] = (experiment.path, experiment.scenario_path)  # the files --force must never delete
    BatchStore.check_new(out, resume, force, wording, inputs)
    store = BatchStore(out)
    design = build_design(experiment, allow_large=allow_large, override=wording.allow_large)
    tables = tuple(t.value for t in experiment.spec.tables)
    started = now()
    lock = store.lock(create=not resume, wording=wording)  # a second writer is refused here, naming this one
    try:
        BatchStore.check_new(out, resume, force, wording, inputs)  # again: the folder may have changed before we held the lock
        with handling_interrupts():  # Ctrl-C waits for the model's step to end (see spacesim.output.run_result._Interrupts)
            return _run_locked(
                experiment,
                out,
                store,
                design,
                tables,
                started,
                inputs=inputs,
                workers=workers,
                cluster=cluster,
                resume=resume,
                force=force,
                quiet=quiet,
                wording=wording,
            )
    finally:
        lock.release()


def _run_locked(
    experiment: Experiment,
    out: Path,
    store: BatchStore,
    design: Design,
    tables: tuple[str, ...],
    started: str,
    *,
    inputs: tuple[Path, ...],
    workers: int | None,
    cluster: str | None,
    resume: bool,
    force: bool,
    quiet: bool,
    wording: Wording,
) -> BatchResult:
    """:func:`run_batch` once the folder's lock is held."""
    notes: list[str] = []
    if resume:
        manifest = _check_resumable(store, experiment, design, out, wording)
        if manifest.completed:
            return BatchResult(out, manifest, pd.read_parquet(out / "runs.parquet"))
        chunk_size = manifest.chunk_size
    else:
        first_round = len(design.tasks) if experiment.adaptive is None else len(design.points) * len(design.variants) * experiment.adaptive.min
        chunk_size = experiment.spec.chunk_size or default_chunk_size(first_round, workers or _cores())
        manifest = _new_manifest(experiment, design, chunk_size, tables, started)

    executor = make_executor(workers, cluster, wording)  # may raise InputError (bad address, cluster unreachable) before anything is written
    try:
        if not resume:
            store.create(force, inputs, wording)
            _copy_inputs(experiment, store)
        store.clean_partial()
        if resume:
            notes = store.set_aside_unreadable(tables)
            for note in notes:
                if quiet:
                    warnings.warn(note, CorruptChunkWarning, stacklevel=3)
                else:
                    print(f"warning: {note}", file=sys.stderr, flush=True)
        first_chunks = list(
            enumerate(chunked(design.tasks if experiment.adaptive is None else [t for t in design.tasks if t.replicate < experiment.adaptive.min], chunk_size))
        )
        _check_chunks(store, first_chunks, wording)  # before the manifest says "running": a folder cut with other settings is refused untouched
        done_runs, failed_runs = store.chunk_counts()
        planned = len(design.tasks) if experiment.adaptive is None else len(design.points) * len(design.variants) * experiment.adaptive.min
        manifest.status = "running"
        session = SessionRecord(started=started, executor=executor.name, workers=executor.workers, cluster=cluster, command=sys.argv, set_aside=notes or None)
        if experiment.adaptive is None:  # adaptive rounds are decided as they go
            session.chunks_to_run = len(set(range(-(-len(design.tasks) // chunk_size))) - store.done_chunks())
        manifest.sessions.append(session)
        manifest.runs = RunCounts(total=max(planned, done_runs), completed=done_runs - failed_runs, failed=failed_runs)
        store.write_manifest(manifest)

        progress = Progress(max(planned, done_runs), done_runs, failed_runs, quiet=quiet)
        clock = time.perf_counter()
        context = {"scenario_file": scenario_file_for_commands(experiment), "fixed": dict(experiment.spec.parameters), "code": _code_hash(manifest)}
        ahead = store.merge_ahead(("steps", *tables))  # the per-run tables merged as chunks come in, not all at the end
        runner = _ChunkRunner(executor, store, ScenarioModel(experiment.scenario, tables, context), progress, wording, ahead)
        try:
            if experiment.adaptive is None:
                n_chunks = runner.run(list(enumerate(chunked(design.tasks, chunk_size))))
            else:
                n_chunks = _run_adaptive(runner, design, experiment.adaptive.model_dump(), chunk_size, manifest)
        except (KeyboardInterrupt, WorkersLost) as exc:
            progress.close()
            executor.close()
            ahead.abandon()
            done, failed = store.chunk_counts()
            manifest.status = "interrupted"
            manifest.runs = RunCounts(total=max(progress.total, done), completed=done - failed, failed=failed)
            manifest.session.stopped = now()
            reason = str(exc) if isinstance(exc, WorkersLost) else None
            if reason:
                manifest.session.stopped_because = reason
            store.write_manifest(manifest)
            raise BatchInterrupted(out, done, max(progress.total, done), reason) from None
        except BaseException:
            ahead.abandon()
            raise
        progress.close()
        ran_now, ran_chunks = runner.ran, runner.chunks
    finally:
        executor.close()
    seconds = time.perf_counter() - clock

    try:
        written = store.merge(tables, n_chunks, ahead)
    finally:
        ahead.abandon()  # nothing left to remove unless the merge failed
    runs = pd.read_parquet(out / "runs.parquet")
    result = BatchResult(out, manifest, runs, ran_now, seconds)
    failed = int((runs["status"] == "failed").sum())
    manifest.runs = RunCounts(total=len(runs), completed=len(runs) - failed, failed=failed)
    manifest.chunks = n_chunks
    manifest.tables = written
    manifest.status = "completed"
    manifest.finished = now()
    manifest.session.finished = manifest.finished
    manifest.session.chunks_run = ran_chunks
    store.write_manifest(manifest)
    store.remove_chunks()
    return result


def retry_failed(
    experiment: str | Path | Experiment,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    cluster: str | None = None,
    quiet: bool = True,
    wording: Wording = PYTHON,
) -> BatchResult:
    """Run again only the runs of a finished batch that failed, keeping every completed run; rewrite its tables.

    What the post-run step had made from the old tables (the comparison,
    sensitivity tables and plots the manifest lists) is removed, no longer
    describing the runs; :func:`spacesim.analysis.postrun.analyse_folder`
    makes it again (the command line runs it after the retry).

    Refused (:class:`InputError`) as ``resume`` refuses a changed code,
    experiment, scenario or design, and for a batch that has not finished
    (resume it) or used adaptive replication (whose rounds were decided on
    the runs that completed). With no failed run, nothing runs. The retried
    runs go to ``chunks/`` first, and the tables are rewritten only when all
    of them are in, so a retry stopped half-way leaves the batch as it was.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if experiment.path is None:
        raise InputError.single("<experiment>", "", "retrying needs the experiment file the batch ran; use load_experiment(path)")
    out = Path(out) if out is not None else Path("results") / experiment.path.stem
    store = BatchStore(out)
    retry = "--retry-failed" if wording.resume.startswith("--") else "retry_failed"
    if not store.manifest_path.exists():
        raise InputError.single(out, retry, "there is no batch in this folder (no manifest.json)")
    started = now()
    lock = store.lock(create=False, wording=wording)
    try:
        design = build_design(experiment)
        manifest = _check_resumable(store, experiment, design, out, wording)
        if not manifest.completed or not (out / "runs.parquet").exists():
            raise InputError.single(
                store.manifest_path,
                "status",
                f"the batch has not finished ({manifest.status}); finish it with {wording.resume} first (it runs what is missing, then {retry} "
                "reruns what failed)",
            )
        if experiment.adaptive is not None:
            raise InputError.single(
                experiment.path,
                "replicates",
                f"{retry} does not apply to adaptive replication: its rounds were decided on the runs that completed; run the batch again with "
                f"{wording.force} or {wording.another_out}",
            )
        runs = pd.read_parquet(out / "runs.parquet")
        failed_ids = set(runs.loc[runs["status"] == "failed", "run_id"].astype(int))
        if not failed_ids:
            return BatchResult(out, manifest, runs)
        with handling_interrupts():
            return _retry_locked(
                experiment, out, store, manifest, design, runs, failed_ids, started, workers=workers, cluster=cluster, quiet=quiet, wording=wording
            )
    finally:
        lock.release()


def _retry_locked(
    experiment: Experiment,
    out: Path,
    store: BatchStore,
    manifest: BatchManifest,
    design: Design,
    runs: pd.DataFrame,
    failed_ids: set[int],
    started: str,
    *,
    workers: int | None,
    cluster: str | None,
    quiet: bool,
    wording: Wording,
) -> BatchResult:
    """:func:`retry_failed` once the folder's lock is held and the batch checked."""
    tables = tuple(manifest.kept_tables)
    tasks = [t for t in design.tasks if t.run_id in failed_ids]
    if len(tasks) != len(failed_ids):  # pragma: no cover - the design was checked equal to the manifest's
        raise InputError.single(store.manifest_path, "design", "the failed runs are not in the experiment's design")
    shutil.rmtree(store.chunks_dir, ignore_errors=True)  # what a retry stopped half-way left
    store.chunks_dir.mkdir()
    executor = make_executor(workers, cluster, wording)
    session = SessionRecord(started=started, executor=executor.name, workers=executor.workers, cluster=cluster, command=sys.argv, retried_failed=len(tasks))
    progress = Progress(len(tasks), 0, 0, quiet=quiet)
    clock = time.perf_counter()
    context = {"scenario_file": scenario_file_for_commands(experiment), "fixed": dict(experiment.spec.parameters), "code": _code_hash(manifest)}
    runner = _ChunkRunner(executor, store, ScenarioModel(experiment.scenario, tables, context), progress, wording)
    try:
        n_chunks = runner.run(list(enumerate(chunked(tasks, manifest.chunk_size))))
    except (KeyboardInterrupt, WorkersLost) as exc:
        progress.close()
        raise BatchInterrupted(out, runner.ran, len(tasks), str(exc) if isinstance(exc, WorkersLost) else None) from None
    finally:
        executor.close()
    progress.close()
    seconds = time.perf_counter() - clock
    # merge the retried runs into the tables: the old rows of those runs out, the new ones in, in run-id order; all written before any is renamed into place
    staged = []
    for name in ("runs", "steps", *tables):
        staged.append(
            (merge_retried(out / f"{name}.parquet", [store.chunk_dir(c) / f"{name}.parquet" for c in range(n_chunks)], failed_ids), out / f"{name}.parquet")
        )
    for tmp, final in staged:
        os.replace(tmp, final)
    store.remove_chunks()
    runs = pd.read_parquet(out / "runs.parquet")
    failed = int((runs["status"] == "failed").sum())
    manifest.runs = RunCounts(total=len(runs), completed=len(runs) - failed, failed=failed)
    result = BatchResult(out, manifest, runs, runner.ran, seconds)
    tables_written = [f"{n}.parquet" for n in ("runs", "steps", *tables)]
    derived = [*(t for t in manifest.tables if t not in tables_written), *manifest.plots]
    for name in derived:  # made from the old tables: stale now
        target = out / name
        if target.parent.resolve() in (out.resolve(), (out / "plots").resolve()):
            target.unlink(missing_ok=True)
    manifest.tables = tables_written
    manifest.plots = []
    manifest.sensitivity = None
    manifest.comparison = None
    session.finished = now()
    session.chunks_run = runner.chunks
    manifest.sessions.append(session)
    manifest.finished = session.finished
    store.write_manifest(manifest)
    return result


def merge_retried(table: Path, retried: list[Path], run_ids: set[int]) -> Path:
    """Write, beside ``table``, the table without the rows of ``run_ids`` and with the retried runs' rows in their place
    (in run-id order, the old types kept); return the temporary file."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .store import _conform, _unify

    old = pq.read_table(table)
    kept = old.filter(pc.invert(pc.is_in(old.column("run_id"), value_set=pa.array(sorted(run_ids), type=old.schema.field("run_id").type))))
    new = [t for t in (pq.read_table(p) for p in retried) if t.num_rows]
    schema = _unify([old.schema, *(t.schema for t in new)])
    merged = pa.concat_tables([_conform(t, schema) for t in (kept, *new)])
    merged = merged.take(pc.sort_indices(merged, sort_keys=[("run_id", "ascending")]))  # a stable sort: the rows of one run keep their order
    if old.schema.metadata:
        merged = merged.replace_schema_metadata(old.schema.metadata)
    tmp = table.with_name(f".{table.name}.tmp-{os.getpid()}")
    pq.write_table(merged, tmp)
    return tmp


class CorruptChunkWarning(UserWarning):
    """A finished chunk of a resumed batch could not be read; it was set aside and its runs run again."""


def _check_chunks(store: BatchStore, chunks: list[tuple[int, list[Any]]], wording: Wording) -> None:
    """Refuse when a finished chunk does not hold the runs this batch's settings put in it (the manifest's chunk size or the design was changed)."""
    done = store.done_chunks()
    for i, tasks in chunks:
        if i in done:
            have, want = store.chunk_run_ids(i), [t.run_id for t in tasks]
            if have != want:
                raise InputError.single(
                    store.manifest_path,
                    "chunk_size",
                    f"chunks/{i:06d} holds runs {_span(have)}, but chunk {i} of this batch is runs {_span(want)}: the chunks were cut with another "
                    "chunk size or design "
                    "than the manifest now says (was it edited?); resuming would duplicate and lose runs. Restore manifest.json, or start again "
                    f"with {wording.force} or {wording.another_out}",
                )


def _span(ids: list[int]) -> str:
    """``3-5``, ``7`` or ``none``."""
    if not ids:
        return "none"
    return (
        f"{ids[0]}"
        if len(ids) == 1
        else f"{ids[0]}-{ids[-1]}"
        if ids == list(range(ids[0], ids[-1] + 1))
        else ", ".join(map(str, ids[:4])) + ("..." if len(ids) > 4 else "")
    )


class _ChunkRunner:
    """Runs chunks that are not yet in the store, committing each as it finishes."""

    def __init__(
        self, executor: Executor, store: BatchStore, model: ScenarioModel, progress: Progress, wording: Wording = PYTHON, ahead: MergeAhead | None = None
    ):
        self.executor, self.store, self.model = executor, store, model
        self.progress, self.wording, self.ahead = progress, wording, ahead
        self.ran = 0
        self.chunks = 0

    def run(self, chunks: list[tuple[int, list[Any]]]) -> int:
        """Run the chunks missing from the store (those it has must hold the runs expected); return the highest chunk
        index + 1 (chunks are numbered 0, 1, ...)."""
        _check_chunks(self.store, chunks, self.wording)
        done = self.store.done_chunks()
        todo = [(i, tasks) for i, tasks in chunks if i not in done]
        if todo:
            for result in self.executor.run(todo, self.model):
                self.store.commit_chunk(result)
                if self.ahead is not None:
                    self.ahead.add(result)
                n = len(result.tables["runs"])
                self.ran += n
                self.chunks += 1
                self.progress.update(n, result.failed)
        return max((i for i, _ in chunks), default=-1) + 1


def _run_adaptive(runner: _ChunkRunner, design: Design, rule: dict[str, Any], chunk_size: int, manifest: BatchManifest) -> int:
    """Run rounds of replicates until every design point has stopped (see :mod:`.replication`); return the number of chunks."""
    adaptive = AdaptiveRule.model_validate(rule)  # the experiment's rule, as the manifest's design records it
    counts = {p: adaptive.min for p in range(len(design.points))}
    previous = dict.fromkeys(counts, 0)
    n_variants = len(design.variants)
    next_chunk, round_no = 0, 0
    while True:
        tasks = [t for t in design.tasks if previous[t.point] <= t.replicate < counts[t.point]]
        chunks = [(next_chunk + i, c) for i, c in enumerate(chunked(tasks, chunk_size))]
        next_chunk += len(chunks)
        runner.progress.set_total(sum(counts.values()) * n_variants)
        runner.run(chunks)
        decisions = decide(rule, counts, runner.store.read_runs(["point", "variant", "replicate", "status", run_value(adaptive.outcome).column]))
        manifest.replication = ReplicationRecord(
            outcome=adaptive.outcome,
            statistic=run_value(adaptive.outcome).statistic,
            target_halfwidth=adaptive.target_halfwidth,
            min=adaptive.min,
            max=adaptive.max,
            rule="a point stops when the 95% half-width of every variant's mean is <= target (points[].halfwidth is the widest, of points[].widest_variant), "
            "or at max replicates; otherwise next round min(max, max(n+1, min(2n, ceil((t s / target)^2)))) with s the largest sd over variants. "
            "points[].variants holds each variant's completed replicates, mean and half-width",
            rounds=round_no + 1,
            points=[d.record() for d in decisions.values()],
        )
        if all(d.stopped for d in decisions.values()):
            return next_chunk
        previous = counts
        counts = {p: d.next_replicates for p, d in decisions.items()}
        round_no += 1


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def scenario_file_for_commands(experiment: Experiment) -> str:
    """The batch's scenario file as the ``reproduce`` commands name it: an absolute path, so that they work from any folder.

    It is the path the experiment file gives (relative to the experiment
    file), made absolute with ``..`` removed but symbolic links kept, so the
    commands name the file the user named (``scenarios/baseline.yaml``
    rather than the resolved ``src/spacesim/scenarios/baseline.yaml``); when
    removing ``..`` lexically would lead elsewhere (a ``..`` after a linked
    folder), the absolute path keeps the ``..``.
    """
    if experiment.path is None:
        return str(experiment.scenario_path)
    named = Path(experiment.spec.scenario)
    literal = Path(os.path.abspath(experiment.path.parent)) / named if not named.is_absolute() else named
    if not literal.exists():  # a shipped scenario named by name, or found by its file name (see spacesim.scenario.experiment.resolve_scenario)
        return str(experiment.scenario_path)
    tidy = Path(os.path.normpath(literal))
    try:
        return str(tidy if tidy.samefile(experiment.scenario_path) else literal)
    except OSError:
        return str(literal)


def _new_manifest(experiment: Experiment, design: Design, chunk_size: int, tables: tuple[str, ...], started: str) -> BatchManifest:
    spec = experiment.spec
    assert experiment.path is not None
    return BatchManifest(
        status="running",
        experiment=ExperimentRecord(
            name=spec.name, description=spec.description, file=str(experiment.path), sha256=file_sha256(experiment.path), spec=spec.model_dump(mode="json")
        ),
        scenario=ScenarioRecord(name=experiment.scenario.name, file=str(experiment.scenario_path), sha256=file_sha256(experiment.scenario_path)),
        parameters=experiment.scenario.parameter_values(),
        fixed_overrides=dict(spec.parameters),
        steps=experiment.scenario.steps,
        base_seed=spec.seed,
        seeding="numpy.random.SeedSequence(base_seed).spawn(points)[point].spawn(replicates)[replicate].generate_state(1, uint64) >> 1; variants share seeds",
        design=json.loads(json.dumps(design.describe(spec), default=str)),
        outcomes=list(spec.outcomes),
        plot_kinds=[p.value for p in spec.plots],
        kept_tables=list(tables),
        chunk_size=chunk_size,
        chunks=-(-len(design.tasks) // chunk_size),
        code=code_identity(),
        versions=package_versions(),
        git_revision=git_revision(),
        started=started,
        finished=None,
        runs=RunCounts(total=len(design.tasks)),
        sessions=[],
    )


def _code_hash(manifest: BatchManifest) -> str | None:
    """The source hash the batch's runs record (checked equal to this code's on a resume)."""
    return manifest.code.sha256 if manifest.code else None


def _check_resumable(store: BatchStore, experiment: Experiment, design: Design, out: Path, wording: Wording = PYTHON) -> BatchManifest:
    """The batch's manifest, or :class:`InputError` (exit status 2) for a malformed manifest or when anything the runs
    depend on changed: the code, the experiment or scenario file, the design, the chunk size."""
    assert experiment.path is not None
    path = out / "manifest.json"
    again = f"start again with {wording.force} or {wording.another_out}"
    manifest = store.read_for_resume(again, another_out=wording.another_out)
    code, here = manifest.code, code_identity()
    assert code is not None  # read_for_resume refuses a manifest without it
    if code.sha256 != here["sha256"]:
        raise InputError.single(
            path,
            "code",
            f"the spacesim code changed since the batch in {out} started (version {code.version}, source sha256 {str(code.sha256)[:12]}... then; "
            f"version {here['version']}, {here['sha256'][:12]}... now); resuming would mix runs of two models in one table. Resume with the code "
            f"that started it, or {again}",
        )
    was, now_ = manifest.experiment.sha256 or "", file_sha256(experiment.path)
    if was != now_:
        raise InputError.single(
            experiment.path,
            "",
            f"the experiment file changed since the batch in {out} started (sha256 {was[:12]}... then, {now_[:12]}... now); resuming would mix two "
            f"designs. Restore the file, or {again}",
        )
    was_spec, now_spec = manifest.experiment.spec, experiment.spec.model_dump(mode="json")
    if was_spec is not None and was_spec != now_spec:
        changed = sorted(k for k in set(was_spec) | set(now_spec) if was_spec.get(k) != now_spec.get(k))
        raise InputError.single(
            path,
            ", ".join(changed),
            f"the batch in this folder was started with other settings (e.g. {wording.method}); resume it with the same ones, or {again}",
        )
    if manifest.scenario.sha256 != file_sha256(experiment.scenario_path):
        raise InputError.single(
            experiment.scenario_path, "", f"the scenario file changed since the batch in {out} started; resuming would mix two models. Restore it, or {again}"
        )
    described = json.loads(json.dumps(design.describe(experiment.spec), default=str))
    recorded = manifest.design.model_dump(mode="json")
    if recorded != described:
        changed = sorted(k for k in set(described) | set(recorded) if described.get(k) != recorded.get(k))
        raise InputError.single(
            path,
            "design",
            f"the design recorded ({', '.join(changed)}) is not the one the experiment gives now; resuming would mix two designs. Restore "
            f"manifest.json, or {again}",
        )
    if experiment.spec.chunk_size is not None and manifest.chunk_size != experiment.spec.chunk_size:
        raise InputError.single(
            path, "chunk_size", f"{manifest.chunk_size} recorded, but the experiment says {experiment.spec.chunk_size}; restore manifest.json, or {again}"
        )
    return manifest


def _copy_inputs(experiment: Experiment, store: BatchStore) -> None:
    assert experiment.path is not None
    shutil.copy2(experiment.path, store.root / "inputs" / experiment.path.name)
    shutil.copy2(experiment.scenario_path, store.root / "inputs" / experiment.scenario_path.name)
