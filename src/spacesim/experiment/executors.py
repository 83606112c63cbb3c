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

import contextlib
import hashlib
import io
import multiprocessing
import os
import re
import signal
import zipfile
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from ..output.provenance import _package_files, package_fingerprint
from ..scenario import ScenarioSpec
from ..scenario.errors import InputError
from .design import RunTask
from .wording import PYTHON, Wording
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
            pool = self._pool
            processes = list(getattr(pool, "_processes", {}).values())  # no public handle on the workers
            results = getattr(pool, "_result_queue", None)  # taken before shutdown, which forgets them
            manager = getattr(pool, "_executor_manager_thread", None)
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=10)
            # A worker stopped while it was sending a chunk's result leaves the pool's manager
            # thread blocked reading the half-sent message, and the interpreter's exit then waits
            # for that thread forever (the batch printed how to resume and never exited). With
            # the workers gone, closing this process's own end of the result pipe turns that read
            # into end-of-file: the manager sees a broken pool and exits. Nothing here writes to
            # that pipe (the pool wakes its manager through another one).
            writer = getattr(results, "_writer", None)
            if writer is not None and not writer.closed:
                writer.close()
            if manager is not None:
                manager.join(timeout=10)
            self._pool = None


class DaskCluster:
    """Runs chunks on an existing Dask distributed cluster."""

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0, wording: Wording = PYTHON):
        option = wording.cluster
        address = cluster_address(address, option)  # refused before anything connects
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError.single(option, address, "Dask is not installed; install it with: pip install 'spacesim[dask]'") from None
        _check_scheduler(address, timeout, option)
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - whatever Dask raises, the user gets one line, not a traceback
            _discard_half_made_client(exc)
            raise InputError.single(option, address, f"cannot connect to the Dask scheduler there ({_describe(exc)})") from None
        self.address = address
        self._futures: list[Any] = []
        try:
            self.workers = len(self.client.scheduler_info().get("workers", {}))
            if self.workers == 0:
                raise InputError.single(option, address, f"the Dask scheduler there has no workers; start some (dask worker {address}) and try again")
            self._ensure_importable(option)
        except InputError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - a cluster that fails while we set it up is a problem of the cluster, said in one line
            self.close()
            raise InputError.single(option, address, f"the Dask cluster failed while spacesim was being set up on its workers ({_describe(exc)})") from None

    def _ensure_importable(self, option: str = "--cluster") -> None:
        """Make sure every worker imports this very spacesim; install it on the workers that do not.

        The probe that asks each worker is defined inside :meth:`_fingerprints`,
        so that Dask pickles it by value: a module-level function would be
        pickled by reference to this module, which a worker without spacesim
        cannot import. Workers that lack it (or run other code) get the
        package as a zip through a worker plugin (:func:`_install_plugin`),
        which later workers of the cluster receive too.
        """
        here = package_fingerprint()
        if all(v == here for v in self._fingerprints().values()):
            return
        data = package_zip()
        digest = hashlib.sha256(data).hexdigest()
        self.client.register_plugin(_install_plugin(data, digest), name=f"spacesim-{digest[:16]}")
        versions = self._fingerprints()
        bad = sorted(w for w, v in versions.items() if v != here)
        if bad:
            raise InputError.single(
                option,
                self.address,
                f"workers {', '.join(bad)} still cannot import this spacesim after it was sent to them (they may have another version of it imported already); "
                "install this version where the workers run, or restart them",
            )

    def _fingerprints(self) -> dict[str, str | None]:
        """Each worker's :func:`package_fingerprint` of the spacesim it imports (``None`` when it cannot import one)."""

        def probe() -> str | None:  # local, hence pickled by value (see _ensure_importable)
            import importlib

            try:
                return importlib.import_module("spacesim.experiment.executors").package_fingerprint()
            except ImportError:
                return None

        return self.client.run(probe)

    def run(self, chunks: list[Chunk], scenario: ScenarioSpec, tables: tuple[str, ...], context: dict[str, Any]) -> Iterator[ChunkResult]:
        """Submit every chunk (``pure=False``), yield results as they complete."""
        from dask.distributed import as_completed

        [scenario_future] = self.client.scatter([scenario], broadcast=True)
        self._futures = [self.client.submit(run_chunk, index, tasks, scenario_future, tables, context, pure=False, key=f"spacesim-chunk-{index}-{os.getpid()}-{id(self)}") for index, tasks in chunks]
        for future in as_completed(self._futures, loop=self.client.loop):
            yield future.result()

    def close(self) -> None:
        """Cancel what is pending and disconnect (the cluster itself keeps running)."""
        with contextlib.suppress(Exception):  # a scheduler that went away cannot be told anything more
            if self._futures:
                self.client.cancel(self._futures)
            self._futures = []
        with contextlib.suppress(Exception):
            self.client.close()


def package_zip() -> bytes:
    """This spacesim as the bytes of a zip with a top-level ``spacesim/`` folder, the same bytes for the same files (fixed times and order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, file in _package_files():
            info = zipfile.ZipInfo(f"spacesim/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, file.read_bytes())
    return buffer.getvalue()


def _install_plugin(data: bytes, digest: str) -> Any:
    """A Dask worker plugin that puts the zip ``data`` (sha256 ``digest``) on the worker's ``sys.path``.

    The zip is written once per machine and version to a fixed place,
    ``$XDG_CACHE_HOME/spacesim/spacesim-DIGEST.zip`` (``~/.cache`` by
    default), falling back to the worker's local directory. A fixed place
    matters for Numba: the model's compiled loops (``cache=True``) are cached,
    for modules imported from a zip, in Numba's user-wide cache folder under
    a name derived from the zip's path, so every worker of the machine and
    every later batch of this version reuse the loops one worker compiled,
    instead of each worker compiling them again into a new folder.

    The class is defined here, so that Dask pickles it by value (the workers
    cannot import this module yet).
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class InstallSpacesim(WorkerPlugin):
        def __init__(self) -> None:
            self.data, self.digest = data, digest

        def setup(self, worker: Any) -> None:
            import hashlib
            import importlib
            import os
            import sys
            from pathlib import Path

            cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spacesim"
            problems = []
            for place in (cache, Path(worker.local_directory)):
                target = place / f"spacesim-{self.digest[:16]}.zip"
                try:
                    if not (target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == self.digest):
                        place.mkdir(parents=True, exist_ok=True)
                        tmp = place / f".{target.name}.{os.getpid()}.tmp"
                        tmp.write_bytes(self.data)
                        os.replace(tmp, target)
                    break
                except OSError as exc:
                    problems.append(f"{place}: {exc}")
            else:
                raise OSError(f"cannot write spacesim's zip on this worker ({'; '.join(problems)})")
            if str(target) not in sys.path:
                sys.path.insert(0, str(target))
            importlib.invalidate_caches()

    return InstallSpacesim()


def make_executor(workers: int | None, cluster: str | None, wording: Wording = PYTHON) -> Executor:
    """The executor the options ask for: a Dask cluster, local processes, or this process.

    With a cluster, the cluster's workers run the batch: asking for a number
    of local ``workers`` as well is refused rather than silently ignored.
    """
    if cluster is not None:
        if workers is not None:
            raise InputError.single(
                wording.workers,
                str(workers),
                f"cannot be combined with {wording.cluster}: on a Dask cluster the batch runs on the cluster's workers (as many as it has). "
                f"Drop {wording.workers}, or start more or fewer dask workers",
            )
        return DaskCluster(cluster, wording=wording)
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise InputError.single(wording.workers, str(n), "must be at least 1")
    return InProcess() if n == 1 else LocalProcesses(n)


_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$")


def cluster_address(address: str, option: str = "--cluster") -> str:
    """A Dask scheduler address checked and written as ``tcp://HOST:PORT``; :class:`InputError` naming ``option`` otherwise.

    ``tcp://HOST:PORT`` or ``HOST:PORT``, the port an integer from 1 to
    65535, the host a name, an IPv4 address or an IPv6 address in brackets.

    >>> cluster_address("127.0.0.1:8786"), cluster_address("tcp://sched.example.org:8786"), cluster_address("[::1]:8786")
    ('tcp://127.0.0.1:8786', 'tcp://sched.example.org:8786', 'tcp://[::1]:8786')
    >>> cluster_address("127.0.0.1:notaport")
    Traceback (most recent call last):
    ...
    spacesim.scenario.errors.InputError: --cluster: 127.0.0.1:notaport: the port must be an integer from 1 to 65535, not 'notaport' (expected tcp://HOST:PORT or HOST:PORT, e.g. tcp://127.0.0.1:8786)
    """
    text = str(address).strip()
    example = "expected tcp://HOST:PORT or HOST:PORT, e.g. tcp://127.0.0.1:8786"
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme != "tcp":
        raise InputError.single(option, text, f"only tcp:// scheduler addresses are supported, not {scheme}:// ({example})")
    host, colon, port = rest.rpartition(":")
    if not colon or not host:
        raise InputError.single(option, text, f"no port ({example})")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InputError.single(option, text, f"the port must be an integer from 1 to 65535, not {port!r} ({example})")
    if not _HOST.match(host):
        raise InputError.single(option, text, f"{host!r} is not a host name or address ({example}; an IPv6 address goes in brackets, [::1]:8786)")
    return f"tcp://{host}:{int(port)}"


def _check_scheduler(address: str, timeout: float, option: str) -> None:
    """Refuse quickly, in one line, an address where no Dask scheduler answers: an unknown host, nothing listening, or something that is not Dask.

    Dask's ``Client`` waits much longer than its timeout for a server that
    accepts the connection but never answers its handshake; here the whole
    handshake has ``timeout`` seconds.
    """
    import asyncio
    import socket

    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    try:
        socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InputError.single(option, address, f"cannot reach a Dask scheduler there: unknown host {host!r} ({exc})") from None
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise InputError.single(option, address, f"cannot reach a Dask scheduler there: nothing accepts connections on that port ({_describe(exc)})") from None

    async def handshake() -> None:
        from distributed.comm import connect

        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    try:
        asyncio.run(handshake())
    except Exception as exc:  # noqa: BLE001 - any failure of the handshake means no Dask scheduler
        raise InputError.single(option, address, f"cannot reach a Dask scheduler there: something listens on that port but did not answer as a Dask scheduler within {timeout:g} s ({_describe(exc)})") from None


def _describe(exc: BaseException) -> str:
    """``Type: message`` of an exception, or the type alone when it has no message."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _discard_half_made_client(exc: BaseException) -> None:
    """Close, quietly and at once, the ``Client`` whose construction raised ``exc``.

    The half-made client is still referenced by the exception's traceback;
    left alone, its ``__del__`` later tries to close it, waits 20 s and
    prints a traceback ("Exception ignored in Client.__del__").
    """
    from dask.distributed import Client

    tb = exc.__traceback__
    while tb is not None:
        client = tb.tb_frame.f_locals.get("self")
        if isinstance(client, Client):
            with contextlib.suppress(Exception):
                client.status = "closed"  # its __del__ and close() then do nothing
            with contextlib.suppress(Exception):
                client._loop_runner.stop()  # noqa: SLF001 - no public way to stop the loop of a client that never started
            break
        tb = tb.tb_next
