"""Starting and stopping the dashboard's Solara server.

The server runs ``solara run spacesim.viz.app --production`` in a child
process of its own session, so that Ctrl-C (or SIGTERM) on ``spacesim
dashboard`` stops it cleanly and no stray server is left behind. The server
listens on 127.0.0.1 only, serves Solara's JavaScript from the installed
``solara-assets`` package (no CDN) and sends no telemetry and no version check, so the page works
offline.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..scenario import InputError, load_scenario
from .app import SCENARIO_ENV

HOST = "127.0.0.1"
DEFAULT_PORT = 8765

#: Environment of the server: Solara kept offline and quiet.
OFFLINE_ENV: dict[str, str] = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no calls home
    "SOLARA_THEME_SHOW_BANNER": "False",  # no "This website runs on Solara" over the corner of the pictures
    # SOLARA_ASSETS_PROXY stays on: the page then asks this server (/_solara/cdn/...) for its
    # JavaScript and CSS, which it serves from the installed solara-assets package.
}

#: Solara warns at every page load that a cookie on plain http cannot be samesite=none; on 127.0.0.1 that is expected.
QUIET_WARNINGS = "ignore::UserWarning:solara.server.starlette"


def check_port(port: int, host: str = HOST) -> None:
    """Raise :class:`InputError` naming ``--port`` when ``port`` is out of range or already in use."""
    if not 0 < port < 65536:
        raise InputError.single("--port", str(port), "expected a port number between 1 and 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            why = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise InputError.single("--port", str(port), f"cannot listen on {host}:{port}: {why}; choose another with --port") from None


def server_command(port: int, host: str = HOST) -> list[str]:
    """The command that runs the Solara server of the dashboard.

    >>> server_command(8765)[-7:]
    ['--host', '127.0.0.1', '--port', '8765', '--production', '--no-open', '--no-check-version']
    """
    return [sys.executable, "-m", "solara", "run", "spacesim.viz.app", "--host", host, "--port", str(port), "--production", "--no-open", "--no-check-version"]


def wait_until_listening(port: int, host: str = HOST, timeout: float = 60.0, process: subprocess.Popen | None = None) -> bool:
    """True once something accepts connections on host:port; False on timeout or when ``process`` ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def serve(scenario_file: str | Path | None = None, port: int = DEFAULT_PORT) -> int:
    """Serve the dashboard on 127.0.0.1:``port`` until Ctrl-C or SIGTERM; return the exit status.

    The scenario file is validated first: a bad file raises :class:`InputError`
    (naming the file and the field) before any server starts.
    """
    env = {**os.environ, **OFFLINE_ENV}
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), QUIET_WARNINGS) if w)
    if scenario_file is not None:
        from ..experiment.limits import check_run

        check_run(load_scenario(scenario_file), scenario_file, override=None)  # a world too large for this machine's memory is refused here
        env[SCENARIO_ENV] = str(Path(scenario_file).resolve())
    else:
        env.pop(SCENARIO_ENV, None)
    check_port(port)

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous_term = signal.signal(signal.SIGTERM, _stop)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    process = subprocess.Popen(server_command(port), env=env, start_new_session=True)
    url = f"http://{HOST}:{port}/"
    try:
        print(f"spacesim dashboard: starting on {url}", flush=True)
        if wait_until_listening(port, process=process):
            print(f"spacesim dashboard: open {url} in a browser (Ctrl-C stops it)", flush=True)
        status = process.wait()
        print(f"spacesim dashboard: the server stopped (exit status {status})", file=sys.stderr)
        return 1 if status else 0
    except KeyboardInterrupt:
        print("spacesim dashboard: stopping", file=sys.stderr, flush=True)
        return 0
    finally:
        stop(process)
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the server: SIGINT (uvicorn shuts down cleanly), then SIGKILL if it is still running after ``grace`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
