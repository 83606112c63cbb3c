"""Where chunks run: in this process, in local worker processes, or on a Dask cluster.

Every executor takes chunks ``(index, tasks)`` and a model (a picklable
callable ``model(index, tasks) -> ChunkResult``: the scenario's model,
:class:`~.worker.ScenarioModel`, or any function of (parameters, seed),
:class:`~.worker.FunctionModel`) and yields a :class:`ChunkResult` as each
finishes, in whatever order they finish; the batch commits each one to disk
at once. Results do not depend on the executor: every run carries its own
seed. Executors are context managers: ``with make_executor(2, None) as
executor: ...`` stops the workers however the block ends.

* :class:`InProcess` runs chunks one after another here (``--workers 1``).
* :class:`LocalProcesses` keeps ``workers`` processes started with the
  *spawn* start method (chosen where they are made, never on import), each
  with a pipe of its own that only this process reads (no thread reads for
  it). Workers ignore SIGINT so that Ctrl-C reaches only the parent, which
  stops them (``Process.terminate``) and keeps what finished. The design
  needs no private attribute of a library pool: a worker that dies, even
  half-way through sending a result, closes the only writing end of its
  pipe, so its reader gets end-of-file at once, and the worker alone is
  replaced.
* :class:`DaskCluster` submits to an existing ``dask.distributed`` scheduler
  (``pure=False``, so identical-looking tasks are never merged). Dask is
  imported only here, only when a cluster address is given. Every chunk
  checks, on its worker, that the worker runs the code whose hash the batch
  recorded, and switches to it (the package sent as a zip, keyed by that
  hash) when it does not.

A lost worker (a local process killed, a Dask worker gone) does not stop the
batch: its chunks run again, on a new pool of local processes or on the
cluster's other workers, up to :data:`MAX_WORKER_LOSSES` times; then
:class:`WorkersLost` stops the batch, which keeps what finished and says how
to resume.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import multiprocessing
import os
import pickle
import re
import signal
import zipfile
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from ..output.provenance import _package_files, package_fingerprint
from ..scenario.errors import InputError
from .design import RunTask
from .wording import PYTHON, Wording
from .worker import ChunkResult

Chunk = tuple[int, list[RunTask]]
#: What an executor runs: ``model(index, tasks)`` gives the chunk's tables (picklable, for workers elsewhere).
Model = Callable[[int, list[RunTask]], ChunkResult]

#: How many times a batch replaces lost workers (reruns the chunks they held) before it stops.
MAX_WORKER_LOSSES = 3


class WorkersLost(Exception):
    """Workers kept being lost (killed, out of memory, a cluster gone); the batch stops and can be resumed."""


class Executor(Protocol):
    """Runs chunks and yields their results as they finish."""

    name: str
    workers: int

    def run(self, chunks: list[Chunk], model: Model) -> Iterator[ChunkResult]:
        """Yield one result per chunk, as each finishes."""
        ...

    def close(self) -> None:
        """Stop workers and cancel what has not started."""
        ...

    def __enter__(self) -> Executor:
        """The executor itself; leaving the block closes it."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Close the executor."""
        ...


class _Closing:
    """``with executor: ...`` closes it however the block ends (EMA Workbench's evaluators are used the same way)."""

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # type: ignore[attr-defined]


class InProcess(_Closing):
    """Runs chunks one after another in this process."""

    name = "in-process"
    workers = 1

    def run(self, chunks: list[Chunk], model: Model) -> Iterator[ChunkResult]:
        """Yield each chunk's result in order."""
        for index, tasks in chunks:
            yield model(index, tasks)

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


#: The pipe a local worker process answers on (``None`` in any other process); tests use it to cut a message in half.
_PIPE: Connection | None = None


def worker_pipe() -> Connection | None:
    """The pipe this local worker process sends its results on, or ``None`` outside one (a test reaches it to die half-way through a message)."""
    return _PIPE


def _serve(pipe: Connection, parent: int) -> None:
    """A local worker's life: set up (:func:`_worker_init`), then run each chunk sent until the pipe closes.

    A chunk comes pickled as ``(pickled model, index, tasks)``; the model is
    unpickled only when it changes.

    A chunk that raises (a bug: failing runs are rows, not exceptions) sends
    its exception back, to be raised in the batch.
    """
    global _PIPE
    _PIPE = pipe
    _worker_init(parent)
    known, model = b"", None
    while True:
        try:
            job = pipe.recv_bytes()
        except (EOFError, OSError):
            return
        if not job:
            return
        pickled, index, tasks = pickle.loads(job)
        if pickled != known:
            known, model = pickled, pickle.loads(pickled)
        try:
            answer: tuple[str, Any] = ("done", model(index, tasks))
        except Exception as exc:  # noqa: BLE001 - re-raised in the batch's process
            answer = ("raised", exc)
        try:
            pipe.send(answer)
        except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled is sent as text
            pipe.send(("raised", RuntimeError(f"chunk {index}: {type(exc).__name__}: {exc} (while sending {answer[0]} {answer[1]!r:.200})")))


class _Worker:
    """One local worker process and the parent's end of its pipe (the worker's end is closed here, so the worker's death is end-of-file)."""

    def __init__(self, context: Any):
        self.pipe, theirs = multiprocessing.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(theirs, os.getpid()), name="spacesim-worker", daemon=True)
        self.process.start()
        theirs.close()
        self.chunk: Chunk | None = None

    def stop(self) -> None:
        """Terminate the process (a chunk in flight is dropped), wait for it and free its pipe."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=10)
        if self.process.is_alive():  # pragma: no cover - a process that ignores SIGTERM
            self.process.kill()
            self.process.join(timeout=10)
        self.pipe.close()


class LocalProcesses(_Closing):
    """Runs chunks in ``workers`` local processes started with *spawn*, each fed one chunk at a time through its own pipe."""

    name = "local processes"

    def __init__(self, workers: int):
        self.workers = workers
        self.losses = 0
        self._context = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []

    def run(self, chunks: list[Chunk], model: Model) -> Iterator[ChunkResult]:
        """Send each idle worker a chunk, yield results as they come back.

        A worker that dies is replaced and its chunk sent again, up to
        :data:`MAX_WORKER_LOSSES` losses in all.
        """
        import cloudpickle  # a model made in a notebook (a lambda, a local function) travels by value; one of a module, by reference

        todo = list(reversed(chunks))  # popped from the end: chunks go out in order
        pickled = cloudpickle.dumps(model)  # once: each worker unpickles it once too, then only the chunks' tasks
        self._start()
        while todo or any(w.chunk is not None for w in self._pool):
            for worker in list(self._pool):  # a worker found dead here is replaced in the list
                if worker.chunk is None and todo:
                    worker.chunk = todo.pop()
                    try:
                        worker.pipe.send_bytes(pickle.dumps((pickled, *worker.chunk)))
                    except (BrokenPipeError, ConnectionResetError, EOFError):
                        self._lost(worker, todo)
            busy = [w for w in self._pool if w.chunk is not None]
            if not busy:
                continue
            ready = set(wait([w.pipe for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.pipe not in ready and not (worker.process.sentinel in ready and not worker.pipe.poll()):
                    continue
                try:
                    kind, payload = worker.pipe.recv()
                except (EOFError, OSError):  # the worker died (killed, out of memory), perhaps half-way through its answer
                    self._lost(worker, todo)
                    continue
                worker.chunk = None
                if kind == "raised":
                    raise payload
                yield payload

    def _lost(self, worker: _Worker, todo: list[Chunk]) -> None:
        """Count a dead worker, put its chunk back first in line and start another in its place; :class:`WorkersLost` past :data:`MAX_WORKER_LOSSES`."""
        self.losses += 1
        if worker.chunk is not None:
            todo.append(worker.chunk)
        worker.chunk = None
        worker.stop()
        self._pool.remove(worker)
        if self.losses > MAX_WORKER_LOSSES:
            raise WorkersLost(f"a local worker process died {self.losses} times (killed, or out of memory?); {len(todo)} chunks were not finished")
        self._start()

    def _start(self) -> None:
        """Start workers up to ``workers`` (they are kept across calls: rounds of adaptive replication reuse them)."""
        while len(self._pool) < self.workers:
            self._pool.append(_Worker(self._context))

    def close(self) -> None:
        """Stop every worker (a chunk in flight is dropped) and wait for them to exit; chunks not yet sent are never sent."""
        pool, self._pool = self._pool, []
        for worker in pool:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in pool:
            worker.stop()


class DaskCluster(_Closing):
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
        self.address, self.option = address, option
        self.losses = 0
        self.plugin_name = ""
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
        """Register this spacesim on the cluster (keyed by the hash of its code) and make sure every worker runs it.

        The package goes to the workers as a zip through a worker plugin
        (:func:`_install_plugin`) named after :func:`package_fingerprint`, so
        that workers that join later receive it too; a worker whose own
        spacesim is this very code keeps it, any other switches to the zip.
        Since another spacesim may register its own plugin on the same
        scheduler (and a later worker may then set that one up last), each
        chunk checks its worker's code again (:func:`_chunk_task`). The
        probe is defined inside :meth:`_fingerprints`, so that Dask pickles
        it by value: a module-level function would be pickled by reference
        to this module, which a worker without spacesim cannot import.
        """
        here = package_fingerprint()
        self.plugin_name = f"spacesim-code-{here[:16]}"
        data = package_zip()
        self.client.register_plugin(_install_plugin(data, hashlib.sha256(data).hexdigest(), here), name=self.plugin_name)
        versions = self._fingerprints()
        bad = sorted(w for w, v in versions.items() if v != here)
        if bad:
            raise InputError.single(
                option,
                self.address,
                f"workers {', '.join(bad)} still cannot import this spacesim after it was sent to them; install this version where the workers run, or restart them",
            )

    def _fingerprints(self) -> dict[str, str | None]:
        """Each worker's :func:`package_fingerprint` of the spacesim it imports (``None`` when it cannot import one, or one too old to say)."""

        def probe() -> str | None:  # local, hence pickled by value (see _ensure_importable)
            import importlib

            try:
                return importlib.import_module("spacesim.output.provenance").package_fingerprint()
            except (ImportError, AttributeError):
                return None

        return self.client.run(probe)

    def run(self, chunks: list[Chunk], model: Model) -> Iterator[ChunkResult]:
        """Submit every chunk (``pure=False``), yield results as they complete; a chunk lost with its worker is submitted again, up to :data:`MAX_WORKER_LOSSES` times.

        A chunk travels as pickled bytes that the worker unpickles only once
        it runs the batch's code (:func:`_chunk_task`), and carries its own
        copy of the scenario (no scattered data that a lost worker would
        take with it).
        """
        import cloudpickle  # Dask's own pickler: a function model defined in a notebook travels by value
        from dask.distributed import as_completed

        task = _chunk_task(getattr(model, "code", None) or package_fingerprint(), self.plugin_name)
        payloads = {index: cloudpickle.dumps((index, tasks, model)) for index, tasks in chunks}
        attempt = 0

        def submit(index: int) -> Any:
            return self.client.submit(task, payloads[index], pure=False, key=f"spacesim-chunk-{index}-{os.getpid()}-{id(self)}-{attempt}")

        futures = {submit(index): index for index, _ in chunks}
        self._futures = list(futures)
        queue = as_completed(list(futures), loop=self.client.loop)
        for future in queue:
            index = futures.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - sorted below: a lost worker, the wrong code, or a bug (raised)
                text = str(exc)
                if text.startswith(CODE_MISMATCH):
                    raise InputError.single(self.option, self.address, text.removeprefix(CODE_MISMATCH).strip() + "; install this spacesim where the workers run, or restart them") from None
                if not _is_lost_worker(exc):
                    raise
                self.losses += 1
                if self.losses > MAX_WORKER_LOSSES:
                    raise WorkersLost(f"Dask workers were lost {self.losses} times ({_describe(exc)})") from None
                attempt += 1
                again = submit(index)
                futures[again] = index
                self._futures.append(again)
                queue.add(again)
                continue
            yield result

    def close(self) -> None:
        """Cancel what is pending and disconnect (the cluster itself keeps running)."""
        with contextlib.suppress(Exception):  # a scheduler that went away cannot be told anything more
            if self._futures:
                self.client.cancel(self._futures)
            self._futures = []
        with contextlib.suppress(Exception):
            self.client.close()


#: How a chunk's task tells the batch that its worker could not run the batch's code.
CODE_MISMATCH = "spacesim-code-mismatch:"


def _is_lost_worker(exc: BaseException) -> bool:
    """Whether a Dask task's error means that its worker (or the way to it) was lost, not that the chunk itself failed."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"KilledWorker", "CommClosedError", "FutureCancelledError", "CancelledError", "StreamClosedError", "TimeoutError", "ConnectionError"})


def _chunk_task(expected: str, plugin_name: str) -> Any:
    """The function a Dask worker runs for a chunk: check that it runs the code of hash ``expected`` (switching to it through the plugin ``plugin_name`` if not), then run the chunk.

    Defined inside a function, so that Dask pickles it by value: unpickling
    it imports nothing of spacesim, and the chunk's arguments (pickled
    bytes) are unpickled only after the check, with the batch's code.
    """

    def run_chunk_on_worker(payload: bytes) -> Any:
        import importlib
        import pickle

        def loaded() -> str | None:
            try:
                return importlib.import_module("spacesim.output.provenance").package_fingerprint()
            except (ImportError, AttributeError):
                return None

        have = loaded()
        if have != expected:
            from distributed import get_worker

            worker = get_worker()
            plugin = worker.plugins.get(plugin_name)
            if plugin is not None:
                plugin.activate(worker)
                have = loaded()
            if have != expected:
                raise RuntimeError(f"{CODE_MISMATCH} worker {worker.address} runs spacesim code {str(have)[:12]}..., not the batch's {expected[:12]}... (its package {'could not be activated' if plugin else 'was never set up there'})")
        index, tasks, model = pickle.loads(payload)
        return model(index, tasks)

    run_chunk_on_worker.__name__ = "spacesim_chunk"
    return run_chunk_on_worker


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


def _install_plugin(data: bytes, digest: str, code: str) -> Any:
    """A Dask worker plugin that makes a worker run the spacesim in the zip ``data`` (sha256 ``digest``, code hash ``code``).

    Setting it up does nothing on a worker whose own spacesim is this code;
    elsewhere it activates the zip (:meth:`activate`): written once per machine and
    version to a fixed place, ``$XDG_CACHE_HOME/spacesim/spacesim-CODE.zip``
    (``~/.cache`` by default), falling back to the worker's local directory,
    put first on ``sys.path``, with any spacesim modules already imported
    (another version's) forgotten so that the next import reads the zip. A
    chunk whose worker runs other code calls :meth:`activate` itself
    (:func:`_chunk_task`). A fixed place matters for Numba: the model's
    compiled loops (``cache=True``) are cached, for modules imported from a
    zip, in Numba's user-wide cache folder under a name derived from the
    zip's path, so every worker of the machine and every later batch of this
    version reuse the loops one worker compiled.

    The class is defined here, so that Dask pickles it by value (the workers
    cannot import this module yet).
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class InstallSpacesim(WorkerPlugin):
        def __init__(self) -> None:
            self.data, self.digest, self.code = data, digest, code

        def setup(self, worker: Any) -> None:
            import importlib

            try:
                have = importlib.import_module("spacesim.output.provenance").package_fingerprint()
            except (ImportError, AttributeError):
                have = None
            if have != self.code:
                self.activate(worker)

        def activate(self, worker: Any) -> None:
            import hashlib
            import importlib
            import os
            import sys
            from pathlib import Path

            cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spacesim"
            problems = []
            for place in (cache, Path(worker.local_directory)):
                target = place / f"spacesim-{self.code[:16]}.zip"
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
            while str(target) in sys.path:
                sys.path.remove(str(target))
            sys.path.insert(0, str(target))
            for name in [m for m in sys.modules if m == "spacesim" or m.startswith("spacesim.")]:
                del sys.modules[name]
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
