"""Starting and stopping the dashboard's Solara server.

The server runs ``solara run spacesim.viz.app --production`` in a child
process of its own session, so that Ctrl-C (or SIGTERM) on ``spacesim
dashboard`` stops it cleanly and no stray server is left behind. The server
listens on 127.0.0.1 only, serves Solara's JavaScript from the installed
``solara-assets`` package (no CDN) and sends no telemetry and no version check, so the page works
offline.

Listening on 127.0.0.1 keeps other machines out, not other web pages: a
page open in the teacher's browser can point a name of its own at
127.0.0.1 (DNS rebinding) or open a websocket to the dashboard directly.
So the child runs Solara's own ``solara run`` behind :class:`OwnAddressOnly`,
which answers 403 to any request whose Host header is not the dashboard's
own address and to any websocket (or request) whose Origin is not the
dashboard's own page.
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
    """The command that runs the Solara server of the dashboard (``solara run`` behind :class:`OwnAddressOnly`).

    >>> server_command(8765)[1:4], server_command(8765)[-7:]
    (['-m', 'spacesim.viz.server', 'spacesim.viz.app'], ['--host', '127.0.0.1', '--port', '8765', '--production', '--no-open', '--no-check-version'])
    """
    return [sys.executable, "-m", __name__, "spacesim.viz.app", "--host", host, "--port", str(port), "--production", "--no-open", "--no-check-version"]


class OwnAddressOnly:
    """ASGI middleware: only requests addressed to this server, and websockets opened by its own page.

    A request passes when its Host header is one of the server's own names
    (``127.0.0.1:PORT``, ``localhost:PORT``), and, if it carries an Origin,
    that Origin is ``http://`` one of those names; a websocket must carry
    such an Origin (browsers always send one). Anything else gets 403. This
    defeats DNS rebinding (a foreign name resolving to 127.0.0.1 arrives
    with that name as Host) and cross-origin websockets (a foreign page's
    socket arrives with that page's Origin).
    """

    def __init__(self, app: Any, host: str = HOST, port: int = DEFAULT_PORT):
        self.app = app
        names = {host, "localhost"} if host in ("127.0.0.1", "localhost") else {host}
        self.hosts = {f"{name}:{port}" for name in names} | (names if port == 80 else set())
        self.origins = {f"http://{h}" for h in self.hosts}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            refusal = self.refusal(scope["type"], headers.get("host"), headers.get("origin"))
            if refusal:
                await self._refuse(scope, receive, send, refusal)
                return
        await self.app(scope, receive, send)

    def refusal(self, kind: str, host: str | None, origin: str | None) -> str | None:
        """Why a request of ``kind`` (http or websocket) with these headers is refused, or None.

        >>> guard = OwnAddressOnly(None, "127.0.0.1", 8800)
        >>> guard.refusal("http", "localhost:8800", None), guard.refusal("websocket", "127.0.0.1:8800", "http://127.0.0.1:8800")
        (None, None)
        >>> guard.refusal("http", "attacker.example:8800", None)
        "Host 'attacker.example:8800' is not this dashboard's address"
        >>> guard.refusal("websocket", "127.0.0.1:8800", "http://attacker.example")
        "Origin 'http://attacker.example' is not this dashboard's page"
        >>> guard.refusal("websocket", "127.0.0.1:8800", None)
        "a websocket without an Origin is not from this dashboard's page"
        """
        if (host or "").lower() not in self.hosts:
            return f"Host {host!r} is not this dashboard's address"
        if origin is None:
            return "a websocket without an Origin is not from this dashboard's page" if kind == "websocket" else None
        if origin.lower() not in self.origins:
            return f"Origin {origin!r} is not this dashboard's page"
        return None

    async def _refuse(self, scope: dict, receive: Any, send: Any, why: str) -> None:
        body = f"403 Forbidden: {why}; open the dashboard at {sorted(self.origins)[0]}/\n".encode()
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            if "websocket.http.response" in scope.get("extensions", {}):  # say why, as an HTTP response to the handshake
                await send(
                    {
                        "type": "websocket.http.response.start",
                        "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
                    }
                )
                await send({"type": "websocket.http.response.body", "body": body})
            else:
                await send({"type": "websocket.close", "code": 1008})  # the server answers the handshake with 403
            return
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def run_guarded_solara(argv: list[str]) -> None:
    """The server process: ``solara run ARGV`` with :class:`OwnAddressOnly` in front of the app it serves.

    ``solara run`` starts uvicorn in this process; the app uvicorn loads is
    wrapped as it is loaded, with the address uvicorn listens on, so the
    guard sees every request and websocket before Solara does.
    """
    import solara.__main__
    import uvicorn

    load = uvicorn.Config.load

    def load_guarded(self: uvicorn.Config) -> None:
        load(self)
        if not isinstance(self.loaded_app, OwnAddressOnly):
            self.loaded_app = OwnAddressOnly(self.loaded_app, host=self.host, port=self.port)

    uvicorn.Config.load = load_guarded  # type: ignore[method-assign]
    sys.argv = ["solara", "run", *argv]
    solara.__main__.main()


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


if __name__ == "__main__":  # the server process of server_command
    run_guarded_solara(sys.argv[1:])
