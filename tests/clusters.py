"""Real Dask clusters for tests: a scheduler of this venv and two single-threaded workers on 127.0.0.1, stopped afterwards.

The session-scoped ``dask_cluster`` fixture (tests/conftest.py) starts one for
the whole session; tests that need workers of their own kind (without
spacesim, with their own cache folder) or that harm their workers start
their own with :func:`start_cluster`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def venv_worker() -> list[str]:
    """The command of a worker of this venv (which imports spacesim)."""
    return [str(Path(sys.executable).with_name("dask")), "worker"]


@contextlib.contextmanager
def start_cluster(folder: Path, worker: list[str], env: dict[str, str]) -> Iterator[str]:
    """A real Dask scheduler (this venv's) and two single-threaded workers started with ``worker``, on 127.0.0.1 and free ports; stopped afterwards.

    Yields the scheduler's address; the processes' output goes to ``folder / "dask.log"``.
    """
    dask = Path(sys.executable).with_name("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    plain = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    env = {**plain, **env}
    logs = open(folder / "dask.log", "w")  # noqa: SIM115 - closed in the finally below, after the processes
    scheduler = [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    procs = [subprocess.Popen(scheduler, stdout=logs, stderr=logs, env=plain, cwd=folder)]
    try:
        for _ in range(2):
            command = [*worker, address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]
            procs.append(subprocess.Popen(command, stdout=logs, stderr=logs, env=env, cwd=folder))
        from dask.distributed import Client

        deadline = time.monotonic() + 90
        with Client(address, timeout=60, set_as_default=False) as client:
            while len(client.scheduler_info()["workers"]) < 2:
                assert time.monotonic() < deadline, (folder / "dask.log").read_text()
                time.sleep(0.2)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        logs.close()
