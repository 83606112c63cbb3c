"""ABC-SMC with pyabc: samplers, the SQLite history, resuming, progress per generation.

:func:`run_abc` is the pipeline every calibration goes through (the shipped
model's and the tests' toy models alike): a model function returning
summary statistics (here each fitted pattern's distance, observed 0), the
priors, the pattern weights and the settings. It runs generation by
generation, so it can report each one, stop on a budget of simulations or
wall time, and continue a stopped calibration from its database
(``ABCSMC.load``): a generation is stored only when complete, so a killed
calibration loses at most the generation in flight and never counts one twice.

Samplers: one worker runs in this process (pyabc's ``SingleCoreSampler``;
with the same seed the result is identical); N workers use pyabc's
``MulticoreEvalParallelSampler``; a Dask cluster its ``DaskDistributedSampler``.
pyabc's parallel samplers reseed every worker from the operating system and
accept particles in order of completion, so their results vary from run to
run within Monte Carlo error, whatever the seed.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from ..scenario.errors import InputError
from .priors import pyabc_prior
from .spec import AbcSettings, PriorSpec


@dataclass
class Generation:
    """One finished generation, as the progress line reports it."""

    t: int
    epsilon: float
    accepted: int
    simulations: int
    total_simulations: int
    seconds: float

    @property
    def acceptance(self) -> float:
        return self.accepted / self.simulations if self.simulations else float("nan")


@dataclass
class AbcOutcome:
    """What a call of :func:`run_abc` did."""

    history: Any
    generations: list[Generation] = field(default_factory=list)
    stopped_by: str = ""
    seconds: float = 0.0
    workers: int = 1


class _QuietChildren:
    """The model function, wrapped so that a worker process ignores Ctrl-C: the parent stops the calibration cleanly."""

    def __init__(self, model: Callable[[Any], dict[str, float]]):
        self.model = model
        self.parent = os.getpid()
        self._quiet = False

    def __call__(self, parameters: Any) -> dict[str, float]:
        if not self._quiet and os.getpid() != self.parent and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler, inherited by fork
            self._quiet = True
        return self.model(parameters)


class _InterruptsAreNotErrors(logging.Handler):
    """Passes the ``sqlalchemy.pool`` loggers' records on as usual, except an interrupted close of a connection.

    Ctrl-C can land while SQLAlchemy closes the history's SQLite connection;
    SQLAlchemy then logs "Exception closing connection" with the
    ``KeyboardInterrupt``'s traceback before raising it on. The interrupt
    still stops the calibration (and the caller prints how to resume); only
    the alarming traceback is dropped. Every other record reaches the
    ``sqlalchemy`` logger's handlers (and the root's) as it would have.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[0] is not None and issubclass(record.exc_info[0], KeyboardInterrupt):
            return
        logging.getLogger("sqlalchemy").handle(record)


def quiet_interrupted_closes() -> None:
    """Install :class:`_InterruptsAreNotErrors` on the ``sqlalchemy.pool`` logger (once per process)."""
    pool = logging.getLogger("sqlalchemy.pool")
    if not any(isinstance(h, _InterruptsAreNotErrors) for h in pool.handlers):
        pool.addHandler(_InterruptsAreNotErrors())
        pool.propagate = False


@contextmanager
def interrupts_redelivered() -> Iterator[None]:
    """Ctrl-C that lands in a finalizer (a ``__del__`` or weakref callback, where Python can only print
    "Exception ignored in ..." and drop it) is raised again in the main thread instead of being lost.

    While the context is active, an unraisable ``KeyboardInterrupt`` has
    SIGINT sent to this process once more (from a timer thread, 10 ms
    later), so the calibration still stops, in ordinary code, and the user
    sees no traceback of it.
    Other unraisable exceptions go to the previous hook as before.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            # From another thread, a moment later: raised here, in the hook, it would be dropped again.
            threading.Timer(0.01, os.kill, (os.getpid(), signal.SIGINT)).start()
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def make_sampler(workers: int | None, client: Any = None) -> tuple[Any, int]:
    """The pyabc sampler for the options, and how many workers it uses."""
    from pyabc.sampler import DaskDistributedSampler, MulticoreEvalParallelSampler, SingleCoreSampler

    if client is not None:
        n = max(1, sum(client.ncores().values()))
        return DaskDistributedSampler(dask_client=client, batch_size=1), n
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise InputError.single("--workers", str(n), "must be at least 1")
    if n == 1:
        return SingleCoreSampler(), 1
    return MulticoreEvalParallelSampler(n_procs=n), n


def run_abc(
    model: Callable[[Any], dict[str, float]],
    fit: dict[str, PriorSpec],
    weights: dict[str, float],
    settings: AbcSettings,
    db_path: str,
    seed: int,
    *,
    workers: int | None = 1,
    client: Any = None,
    resume: bool = False,
    report: Callable[[Generation, AbcOutcome, float | None], None] | None = None,
) -> AbcOutcome:
    """Run (or continue) ABC-SMC until the generations, the minimum epsilon or the budget is reached.

    ``report(generation, outcome, seconds_left)`` is called after each generation.
    """
    import pyabc
    from pyabc.distance import AdaptivePNormDistance, PNormDistance, std

    logging.getLogger("ABC").setLevel(logging.WARNING)  # progress is reported per generation by the caller
    for name in ("Sampler", "Epsilon", "Distance", "Acceptor", "History", "ABC.Sampler", "ABC.Distance", "ABC.History", "ABC.Epsilon"):
        logging.getLogger(name).setLevel(logging.WARNING)
    quiet_interrupted_closes()
    sampler, n_workers = make_sampler(workers, client)
    names = sorted(weights)
    if settings.distance == "adaptive" and len(names) > 1:
        distance = AdaptivePNormDistance(p=1, fixed_weights=dict(weights), scale_function=std, max_scale_weight_ratio=100)
    else:
        distance = PNormDistance(p=1, fixed_weights=dict(weights))
    abc = pyabc.ABCSMC(
        _QuietChildren(model),
        pyabc_prior(fit),
        distance,
        population_size=settings.population,
        sampler=sampler,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
    )
    db = "sqlite:///" + os.path.abspath(db_path)
    if resume:
        history = abc.load(db, 1)
    else:
        history = abc.new(db, {n: 0.0 for n in names})
    done = history.max_t + 1  # generations already stored
    outcome = AbcOutcome(history=history, workers=n_workers)
    # The seed of this invocation's draws: the calibration's seed and the generation it starts at (a resumed run is reproducible too).
    np.random.seed(np.random.SeedSequence([seed, done]).generate_state(1)[0])
    remaining = settings.generations - done
    started = time.monotonic()
    if remaining <= 0:
        outcome.stopped_by = "generations"
        return outcome
    if settings.max_simulations is not None and history.total_nr_simulations >= settings.max_simulations:
        outcome.stopped_by = "simulations"
        return outcome
    t = abc.initialize_components_before_run(
        minimum_epsilon=settings.min_epsilon,
        max_nr_populations=remaining,
        min_acceptance_rate=0.0,
        max_total_nr_simulations=settings.max_simulations if settings.max_simulations is not None else np.inf,
        max_walltime=timedelta(minutes=settings.max_minutes) if settings.max_minutes is not None else None,
        min_eps_diff=0.0,
    )
    try:
        with interrupts_redelivered():
            while True:
                before = history.total_nr_simulations
                t0 = time.monotonic()
                ret = abc.run_generation(t=t)
                if not ret["successful"]:
                    outcome.stopped_by = "sampler"
                    break
                total = history.total_nr_simulations
                gen = Generation(
                    t=t,
                    epsilon=float(abc.eps(t)),
                    accepted=settings.population,
                    simulations=total - before,
                    total_simulations=total,
                    seconds=time.monotonic() - t0,
                )
                outcome.generations.append(gen)
                stop = abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"])
                if report is not None:
                    report(gen, outcome, None if stop else _seconds_left(outcome, settings, t, started))
                if stop:
                    outcome.stopped_by = _why_stopped(abc, settings, t, history, started)
                    break
                t += 1
    finally:
        outcome.seconds = time.monotonic() - started
    return outcome


def _seconds_left(outcome: AbcOutcome, settings: AbcSettings, t: int, started: float) -> float:
    """Time left if every remaining generation takes as long as the last (capped by the wall-time budget)."""
    last = outcome.generations[-1].seconds
    left = (settings.generations - 1 - t) * last
    if settings.max_minutes is not None:
        left = min(left, max(0.0, settings.max_minutes * 60 - (time.monotonic() - started)))
    return left


def _why_stopped(abc: Any, settings: AbcSettings, t: int, history: Any, started: float) -> str:
    if t >= abc.max_t:
        return "generations"
    if abc.eps(t) <= settings.min_epsilon:
        return "min_epsilon"
    if settings.max_simulations is not None and history.total_nr_simulations >= settings.max_simulations:
        return "simulations"
    if settings.max_minutes is not None and time.monotonic() - started >= settings.max_minutes * 60:
        return "wall_time"
    return "converged"


def posterior_of(history: Any) -> tuple[Any, np.ndarray, int]:
    """The last generation's particles (a DataFrame of parameters), their weights and the generation."""
    t = history.max_t
    df, w = history.get_distribution(m=0, t=t)
    return df.reset_index(drop=True), np.asarray(w, dtype=float), int(t)
