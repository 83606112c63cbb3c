"""The calibration result folder, and the command's driver that fills it.

A folder holds:

- ``manifest.json``: kind ``calibration``, status, the files read with their
  SHA-256, priors, patterns, settings, versions, seeds, the generations
  (epsilon, simulations, acceptance), simulations in all and time;
- ``abc.db``: pyabc's SQLite history (every generation; what ``--resume`` continues);
- ``posterior.parquet``: the last generation's particles with their weights;
- ``fit.parquet``: per pattern, fitted and held out, the distance at the
  posterior's draws (median, mean, 5% and 95% quantiles);
- ``predictive.parquet``: what each posterior draw predicts for each pattern
  (counts per step, membership or votes per nation, join steps), for the plots;
- ``plots/``: see :mod:`.plots`.

Only a folder whose manifest says it is a spacesim calibration is ever
replaced (``--force``) or continued (``--resume``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..output.folder import LOCK_FILE, FolderLock, check_path, check_replaceable, remove_entries, write_parquet_atomic
from ..output.provenance import file_sha256, git_revision, now, package_versions
from ..output.result_folder import (
    CalibrationFileRecord,
    CalibrationManifest,
    CalibrationScenarioRecord,
    GenerationRecord,
    PatternRecord,
    PosteriorSummaryRecord,
    PriorRecord,
    ResultFolder,
)
from ..scenario.errors import InputError
from .patterns import Pattern, patterns_of
from .priors import describe
from .runner import AbcOutcome, Generation, posterior_of, run_abc
from .simulate import Simulator
from .spec import Calibration

KIND = "calibration"
DB = "abc.db"


class CalibrationInterrupted(Exception):
    """Ctrl-C (or SIGTERM) stopped a calibration; what finished is kept."""

    def __init__(self, out: Path, generations: int, simulations: int):
        self.out, self.generations, self.simulations = out, generations, simulations
        super().__init__(f"stopped after {generations} complete generations")


def read_calibration_manifest(folder: str | Path, needed_for: str = "this") -> CalibrationManifest:
    """The manifest of a calibration folder, read and checked by :class:`~spacesim.output.result_folder.ResultFolder`
    (a folder of an older spacesim is upgraded in memory); :class:`InputError` naming the folder or ``manifest.json``,
    the field and what is wrong if it is not one."""
    manifest = ResultFolder(folder).read(kind=KIND, finished=False, needed_for=needed_for)
    assert isinstance(manifest, CalibrationManifest)  # what kind=KIND reads
    return manifest


def posterior_mean(folder: str | Path) -> dict[str, float]:
    """The weighted mean of each fitted parameter in a calibration folder's posterior (what ``spacesim run --posterior`` uses)."""
    from ..scenario.experiment import POSTERIOR_TABLE, posterior_columns

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError.single(folder, "--posterior", "no such calibration folder")
    names = posterior_columns(folder)
    posterior = pd.read_parquet(folder / POSTERIOR_TABLE)
    w = posterior["weight"].to_numpy(dtype=float)
    return {name: float(np.average(posterior[name].to_numpy(dtype=float), weights=w)) for name in names}


def prepare_folder(out: Path, calibration: Calibration, resume: bool, force: bool) -> CalibrationManifest | None:
    """Check what may be done with ``out``; return the old manifest when resuming."""
    if out.exists() and not out.is_dir():
        raise InputError.single(out, "--out", "exists and is not a folder")
    exists = out.exists() and any(p.name != LOCK_FILE for p in out.iterdir())
    if resume:
        if not exists:
            raise InputError.single(out, "--resume", "no calibration to resume there; run without --resume to start one")
        if ResultFolder(out).kind != KIND:
            raise InputError.single(out, "--resume", "not a calibration folder (its manifest.json does not say kind calibration): nothing to continue")
        manifest = read_calibration_manifest(out, needed_for="--resume")
        if not (out / DB).exists():
            raise InputError.single(out, "--resume", f"the folder has no {DB}: nothing to continue")
        if calibration.path is not None and manifest.calibration.sha256 != file_sha256(calibration.path):
            raise InputError.single(
                out,
                "--resume",
                f"the folder holds a calibration of another version of {manifest.calibration.file}; start a new one with --force or another --out",
            )
        return manifest
    if exists:
        if not force:
            raise InputError.single(
                out, "--out", "folder exists and is not empty; continue it with --resume, choose another --out, or pass --force to replace it"
            )
        if ResultFolder(out).kind != KIND:  # --force removes only a folder whose manifest says spacesim calibrate wrote it
            raise InputError.single(
                out,
                "--force",
                "not a calibration folder (no manifest.json of kind calibration); --force only replaces a folder that spacesim calibrate wrote",
            )
        inputs = tuple(p for p in (calibration.path,) if p is not None)
        remove_entries(check_replaceable(out, inputs))  # and only what spacesim wrote in it, never the current folder, home or a checkout
    return None


def calibrate(
    calibration: Calibration,
    out: str | Path,
    *,
    workers: int | None = None,
    cluster: str | None = None,
    resume: bool = False,
    force: bool = False,
    plots: bool = True,
    echo: Callable[[str], None] = print,
    command: str = "",
) -> CalibrationManifest:
    """Run a calibration into ``out`` and return its manifest. Raises :class:`CalibrationInterrupted` on Ctrl-C."""
    out = Path(out)
    check_path(out)
    if out.is_symlink():
        raise InputError.single(out, "--out", f"is a symbolic link (to {out.readlink()}); name the folder itself")
    with FolderLock(out).acquire(create=True):  # a second calibration, batch or run into the same folder is refused while this one writes
        return _calibrate(
            calibration,
            out,
            prepare_folder(out, calibration, resume, force),
            workers=workers,
            cluster=cluster,
            resume=resume,
            plots=plots,
            echo=echo,
            command=command,
        )


def _calibrate(
    calibration: Calibration,
    out: Path,
    old: CalibrationManifest | None,
    *,
    workers: int | None,
    cluster: str | None,
    resume: bool,
    plots: bool,
    echo: Callable[[str], None],
    command: str,
) -> CalibrationManifest:
    client, executor = None, None
    if cluster is not None:
        from ..experiment.executors import DaskCluster, make_executor
        from ..experiment.wording import CLI

        executor = make_executor(workers, cluster, wording=CLI)
        assert isinstance(executor, DaskCluster)  # what a cluster address always gives
        client = executor.client
    out.mkdir(parents=True, exist_ok=True)
    patterns = patterns_of(calibration)
    simulator = Simulator(calibration.scenario, patterns)
    simulator.warm_up()
    spec = calibration.spec
    folder = ResultFolder(out)
    manifest = _manifest(calibration, patterns, old)
    manifest.status, manifest.command = "running", command
    folder.write(manifest)
    started = time.monotonic()

    def report(gen: Generation, outcome: AbcOutcome, left: float | None) -> None:
        tail = "done" if left is None else f"time left ~{_duration(left)} at most"
        echo(
            f"generation {gen.t + 1}/{spec.abc.generations}: epsilon {gen.epsilon:.4g}, acceptance {gen.acceptance:.1%} "
            f"({gen.accepted}/{gen.simulations}), simulations so far {gen.total_simulations:,}, {_duration(gen.seconds)} this generation; {tail}"
        )

    done_before = len(manifest.fitted_generations)
    if resume:
        echo(f"resuming {out}/ after {done_before} complete generations")
    weights = {p.name: p.weight for p in patterns if not p.held_out}
    try:
        outcome = run_abc(
            simulator,
            dict(spec.fit),
            weights,
            spec.abc,
            str(out / DB),
            spec.seed,
            workers=workers if client is None else None,
            client=client,
            resume=resume,
            report=report,
        )
    except KeyboardInterrupt:
        history = _history(out)
        manifest.status = "stopped"
        manifest.generations = _generations(history)
        manifest.simulations = int(history.total_nr_simulations)
        manifest.seconds += time.monotonic() - started
        folder.write(manifest)
        raise CalibrationInterrupted(out, len(manifest.fitted_generations), manifest.simulations) from None
    finally:
        if executor is not None:
            executor.close()
    history = outcome.history
    manifest.generations = _generations(history)
    echo(
        f"stopped by {outcome.stopped_by}: {len(manifest.fitted_generations)} generations, {history.total_nr_simulations:,} simulations; "
        f"simulating {spec.abc.posterior_draws} posterior draws for fit.parquet"
    )
    particles, weights_, t = posterior_of(history)
    posterior = particles.copy()
    posterior["weight"] = weights_
    posterior["generation"] = t
    write_parquet_atomic(out / "posterior.parquet", posterior)
    fit, predictive = posterior_check(
        simulator, patterns, particles, weights_, spec.abc.posterior_draws, spec.seed, workers=outcome.workers if client is None else 1
    )
    write_parquet_atomic(out / "fit.parquet", fit)
    write_parquet_atomic(out / "predictive.parquet", predictive)
    manifest.status = "completed"
    manifest.stopped_by = outcome.stopped_by
    manifest.simulations = int(history.total_nr_simulations)
    manifest.seconds = round(manifest.seconds + time.monotonic() - started, 2)
    manifest.finished = now()
    manifest.workers = outcome.workers
    manifest.posterior_summary = summarise(posterior, list(spec.fit))
    manifest.tables = ["posterior.parquet", "fit.parquet", "predictive.parquet"]
    if plots:
        from .plots import draw_calibration_plots

        manifest.plots = [str(p.relative_to(out)) for p in draw_calibration_plots(out, manifest, posterior, fit, predictive, calibration, patterns)]
    folder.write(manifest)
    return manifest


def _history(out: Path) -> Any:
    import pyabc

    return pyabc.History("sqlite:///" + str((out / DB).resolve()), _id=1)


def _generations(history: Any) -> list[GenerationRecord]:
    """Each stored generation: t, epsilon, simulations, accepted particles, acceptance rate, end time (t = -1: pyabc's
    calibration sample of the prior, whose epsilon is infinite: recorded as ``None``, JSON has no infinity)."""
    pops = history.get_all_populations()
    out = []
    for _, row in pops.sort_values("t").iterrows():
        samples, particles, epsilon = int(row["samples"]), int(row["particles"]), float(row["epsilon"])
        out.append(
            GenerationRecord(
                t=int(row["t"]),
                epsilon=epsilon if np.isfinite(epsilon) else None,
                simulations=samples,
                accepted=particles,
                acceptance=particles / samples if samples else None,
                end=str(row["population_end_time"]),
            )
        )
    return out


def _duration(seconds: float) -> str:
    """
    >>> _duration(42.4), _duration(125), _duration(7300)
    ('42 s', '2 min 5 s', '2 h 1 min')
    """
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


def _versions() -> dict[str, str]:
    out = package_versions()
    for name in ("pyabc", "sqlalchemy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover
            out[name] = "not installed"
    return out


def _manifest(calibration: Calibration, patterns: list[Pattern], old: CalibrationManifest | None) -> CalibrationManifest:
    """The manifest a calibration starts with (a resume keeps the old one's start, time, generations and resumes)."""
    spec = calibration.spec
    scenario = calibration.scenario
    manifest = CalibrationManifest(
        name=spec.name,
        description=spec.description,
        calibration=CalibrationFileRecord(
            file=str(calibration.path) if calibration.path else calibration.filename,
            sha256=file_sha256(calibration.path) if calibration.path else None,
            spec=spec.model_dump(mode="json"),
        ),
        scenario=CalibrationScenarioRecord(
            file=str(calibration.scenario_path), name=scenario.name, steps=scenario.steps, start_year=scenario.start_year, step_meaning=scenario.step_meaning
        ),
        files={str(p): file_sha256(p) for p in calibration.data_files()},
        priors={
            name: PriorRecord(prior=prior.prior.value, described=describe(name, prior), **prior.model_dump(mode="json", exclude={"prior"}))
            for name, prior in spec.fit.items()
        },
        fixed_parameters=dict(spec.parameters),
        patterns=[
            PatternRecord(
                name=p.name,
                kind=p.kind.value,
                framework=p.framework,
                weight=p.weight,
                held_out=p.held_out,
                step=p.step,
                described=p.describe(),
                not_in_scenario=calibration.observations[p.name].get("outside", []),
            )
            for p in patterns
        ],
        settings=spec.abc.model_dump(mode="json"),
        seed=spec.seed,
        versions=_versions(),
        git=git_revision(),
        started=now(),
        python=sys.version.split()[0],
    )
    if old is not None:
        manifest.started = old.started or manifest.started
        manifest.seconds = old.seconds
        manifest.generations = old.generations
        manifest.resumed = [*old.resumed, now()]
    return manifest


def summarise(posterior: pd.DataFrame, names: list[str]) -> dict[str, PosteriorSummaryRecord]:
    """Per parameter: weighted mean, sd, median and 5%/95% quantiles of the posterior."""
    w = posterior["weight"].to_numpy(dtype=float)
    out = {}
    for name in names:
        x = posterior[name].to_numpy(dtype=float)
        mean = float(np.average(x, weights=w))
        q05, q50, q95 = weighted_quantiles(x, w, [0.05, 0.5, 0.95])
        out[name] = PosteriorSummaryRecord(mean=mean, sd=float(np.sqrt(np.average((x - mean) ** 2, weights=w))), median=q50, q05=q05, q95=q95)
    return out


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: list[float]) -> list[float]:
    """Quantiles of weighted values (the inverse of the weighted empirical distribution, interpolated at mid-weights).

    >>> weighted_quantiles(np.array([1.0, 2.0, 3.0]), np.ones(3), [0.5])
    [2.0]
    """
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, x)) for q in qs]


def draw_particles(particles: pd.DataFrame, weights: np.ndarray, n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` particles drawn with replacement in proportion to their weights, and a seed per draw (SeedSequence of the seed)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    idx = rng.choice(len(particles), size=n, replace=True, p=weights / weights.sum())
    seeds = np.random.SeedSequence([seed, 8]).generate_state(n)
    return particles.iloc[idx].reset_index(drop=True), seeds


def _quiet_worker() -> None:
    """A worker of the posterior check: Ctrl-C is the parent's to handle, and SIGTERM simply ends it (no inherited handler, no traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _check_one(args: tuple[Simulator, list[Pattern], dict[str, float], int]) -> tuple[dict[str, float], dict[str, Any]]:
    simulator, patterns, parameters, seed = args
    trace = simulator.trace(parameters, seed)
    return {p.name: p.distance(trace) for p in patterns}, {p.name: p.prediction(trace) for p in patterns}


def posterior_check(
    simulator: Simulator, patterns: list[Pattern], particles: pd.DataFrame, weights: np.ndarray, draws: int, seed: int, workers: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate ``draws`` posterior draws; return fit (per pattern: distance summary) and predictive (long table of predictions)."""
    picked, seeds = draw_particles(particles, weights, draws, seed)
    jobs = [(simulator, patterns, {k: float(v) for k, v in row.items()}, int(s)) for (_, row), s in zip(picked.iterrows(), seeds)]
    if workers > 1:
        import multiprocessing as mp

        pool = mp.get_context("fork").Pool(workers, initializer=_quiet_worker)
        try:
            results = pool.map(_check_one, jobs)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    else:
        results = [_check_one(job) for job in jobs]
    rows = []
    for p in patterns:
        d = np.array([r[0][p.name] for r in results])
        q05, q50, q95 = np.quantile(d, [0.05, 0.5, 0.95])
        rows.append(
            {
                "pattern": p.name,
                "kind": p.kind.value,
                "framework": p.framework,
                "held_out": p.held_out,
                "weight": p.weight,
                "draws": len(d),
                "distance_mean": float(d.mean()),
                "distance_median": float(q50),
                "distance_q05": float(q05),
                "distance_q95": float(q95),
                "share_met": float((d == 0).mean()),
            }
        )
    fit = pd.DataFrame(rows)
    long = []
    for draw, (_, preds) in enumerate(results):
        for p in patterns:
            pred = preds[p.name]
            for what, values in pred.items():
                items = enumerate(values, start=1) if isinstance(values, list) else values.items()
                for key, value in items:
                    long.append({"pattern": p.name, "draw": draw, "what": what, "key": str(key), "value": float(value)})
    return fit, pd.DataFrame(long, columns=["pattern", "draw", "what", "key", "value"])
