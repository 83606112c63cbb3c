"""Where chunks run: in this process, in local worker processes, or on a Dask cluster.

Every executor takes chunks ``(index, tasks)`` and yields a
:class:`ChunkResult` as each finishes, in whatever order they finish; the
batch commits each one to disk at once. Results do not depend on the
executor: every run carries its own seed.

* :class:`InProcess` runs chunks one after another here (``--workers 1``).
* :class:`LocalProcesses` uses a ``ProcessPoolExecutor`` with the *spawn*
  start method (chosen where the pool is made, never on import); workers
  ignore SIGINT so that Ctrl-C reaches only the parent, which cancels what is
  pending and keeps what finished.
* :class:`DaskCluster` submits to an existing ``dask.distributed`` scheduler
  (``pure=False``, so identical-looking tasks are never merged). Dask is
  imported only here, only when a cluster address is given.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from ..scenario import ScenarioSpec
from ..scenario.errors import InputError
from .design import RunTask
from .worker import ChunkResult, run_chunk

Chunk = tuple[int, list[RunTask]]


class Executor(Protocol):
    """Runs chunks and yields their results as they finish."""

    name: str
    workers: int

    def run(self, chunks: list[Chunk], scenario: ScenarioSpec, tables: tuple[str, ...], context: dict[str, Any]) -> Iterator[ChunkResult]:
        """Yield one result per chunk, as each finishes."""
        ...

    def close(self) -> None:
        """Stop workers and cancel what has not started."""
        ...


class InProcess:
    """Runs chunks one after another in this process."""

    name = "in-process"
    workers = 1

    def run(self, chunks: list[Chunk], scenario: ScenarioSpec, tables: tuple[str, ...], context: dict[str, Any]) -> Iterator[ChunkResult]:
        """Yield each chunk's result in order."""
        for index, tasks in chunks:
            yield run_chunk(index, tasks, scenario, tables, context)

    def close(self) -> None:
        """Nothing to stop."""


def _worker_init(parent: int) -> None:
    """Set up a local worker: ignore Ctrl-C (the parent handles it) and exit if the parent dies.

    A parent killed with SIGKILL cannot stop its pool, and spawned workers
    would otherwise wait for work forever; a daemon thread notices that the
    worker has been re-parented and exits. ``parent`` is the batch's process
    id, passed in rather than read here, because the parent may already be
    dead by the time a slowly starting worker runs this.
    """
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="spacesim-parent-watch", daemon=True).start()


class LocalProcesses:
    """Runs chunks in ``workers`` local processes started with *spawn*."""

    name = "local processes"

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def run(self, chunks: list[Chunk], scenario: ScenarioSpec, tables: tuple[str, ...], context: dict[str, Any]) -> Iterator[ChunkResult]:
        """Submit every chunk, yield results as they complete."""
        if self._pool is None:  # kept across calls (rounds of adaptive replication reuse the workers)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init, initargs=(os.getpid(),))
        pending: set[Future[ChunkResult]] = {self._pool.submit(run_chunk, index, tasks, scenario, tables, context) for index, tasks in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def close(self) -> None:
        """Cancel chunks not yet started, stop the workers (a chunk in flight is dropped) and wait for them to exit."""
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())  # no public handle on the workers
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=10)
            self._pool = None


class DaskCluster:
    """Runs chunks on an existing Dask distributed cluster."""

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0):
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError.single("--cluster", address, "Dask is not installed; install it with: pip install 'spacesim[dask]'") from None
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError.single("--cluster", address, f"cannot reach a Dask scheduler there ({exc.__class__.__name__}: {exc})") from None
        self.address = address
        self.workers = len(self.client.scheduler_info().get("workers", {}))
        self._futures: list[Any] = []
        self._ensure_importable()

    def _ensure_importable(self) -> None:
        """Make sure every worker can import this spacesim; upload it as a zip if not."""
        here = package_fingerprint()
        versions = self.client.run(_spacesim_fingerprint)
        if all(v == here for v in versions.values()):
            return
        package = Path(__file__).resolve().parents[1]
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "spacesim.zip"
            with zipfile.ZipFile(archive, "w") as zf:
                for path in package.rglob("*"):
                    if path.is_file() and "__pycache__" not in path.parts:
                        zf.write(path, Path("spacesim") / path.relative_to(package))
            self.client.upload_file(str(archive))
        versions = self.client.run(_spacesim_fingerprint)
        bad = sorted(w for w, v in versions.items() if v != here)
        if bad:
            raise InputError.single("--cluster", self.address, f"workers {', '.join(bad)} cannot import this spacesim (or run another version of it); install it where the workers run")

    def run(self, chunks: list[Chunk], scenario: ScenarioSpec, tables: tuple[str, ...], context: dict[str, Any]) -> Iterator[ChunkResult]:
        """Submit every chunk (``pure=False``), yield results as they complete."""
        from dask.distributed import as_completed

        [scenario_future] = self.client.scatter([scenario], broadcast=True)
        self._futures = [self.client.submit(run_chunk, index, tasks, scenario_future, tables, context, pure=False, key=f"spacesim-chunk-{index}-{os.getpid()}-{id(self)}") for index, tasks in chunks]
        for future in as_completed(self._futures, loop=self.client.loop):
            yield future.result()

    def close(self) -> None:
        """Cancel what is pending and disconnect (the cluster itself keeps running)."""
        if self._futures:
            self.client.cancel(self._futures)
        self.client.close()


def package_fingerprint() -> str:
    """A hash of this spacesim's source files, to tell whether a worker runs the same code."""
    import hashlib

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _spacesim_fingerprint() -> str | None:
    try:
        from spacesim.experiment.executors import package_fingerprint
    except ImportError:
        return None
    return package_fingerprint()


def make_executor(workers: int | None, cluster: str | None) -> Executor:
    """The executor the options ask for: a Dask cluster, local processes, or this process."""
    if cluster:
        return DaskCluster(cluster)
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise InputError.single("--workers", str(n), "must be at least 1")
    return InProcess() if n == 1 else LocalProcesses(n)
