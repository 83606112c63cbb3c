"""The dashboard answers only to its own address and its own page: a real ``spacesim dashboard`` on 127.0.0.1, probed over raw sockets.

A web page open in the teacher's browser must not reach the dashboard:
through DNS rebinding its requests arrive with a foreign Host header, and
its websockets with a foreign Origin. Both get 403; the dashboard's own page
and websocket still work (the browser test drives the whole page).
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import uuid

import pytest

from spacesim.viz.server import wait_until_listening


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    """``spacesim dashboard`` on a free port for the module's tests; stopped with Ctrl-C at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "dashboard.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "spacesim", "dashboard", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        assert wait_until_listening(port, timeout=120, process=process), f"the dashboard did not start:\n{log.read_text()}"
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def exchange(port: int, head: dict[str, str], path: str = "/", websocket: bool = False) -> tuple[int, str]:
    """Send one request with exactly these headers; return the status code and the body's start."""
    lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items())]
    if websocket:
        key = base64.b64encode(os.urandom(16)).decode()
        lines += ["Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    else:
        lines.append("Connection: close")
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data or (not websocket and len(data) < 4096):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def kernel_socket() -> str:
    """The path of a Solara kernel's websocket, as the page opens it."""
    return f"/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"


def test_the_page_is_served_to_its_own_names(port):
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, body = exchange(port, {"Host": host})
        assert status == 200 and "<html" in body, (host, status, body[:200])
    status, _ = exchange(port, {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}"})
    assert status == 200


@pytest.mark.parametrize("host", ["attacker.example:{port}", "attacker.example", "127.0.0.1:1", "127.0.0.1", "", "[::1]:{port}"])
def test_a_foreign_host_header_is_refused(port, host):
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, and the browser sends that name as Host."""
    head = {"Host": host.format(port=port)} if host else {}
    status, body = exchange(port, head)
    assert status == (403 if host else 400), (host, status, body[:200])  # no Host at all: HTTP/1.1 requires one, and uvicorn refuses it first
    if host:
        assert body.startswith(f"403 Forbidden: Host {host.format(port=port)!r} is not this dashboard's address")


def test_a_foreign_origin_is_refused_on_plain_requests(port):
    status, body = exchange(port, {"Host": f"127.0.0.1:{port}", "Origin": "http://attacker.example"})
    assert status == 403 and "Origin 'http://attacker.example' is not this dashboard's page" in body


def test_the_dashboards_own_websocket_opens(port):
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        status, _ = exchange(port, {"Host": f"127.0.0.1:{port}", "Origin": origin}, kernel_socket(), websocket=True)
        assert status == 101, origin


@pytest.mark.parametrize("origin", ["http://attacker.example", f"https://127.0.0.1:{0}", "null", None])
def test_a_cross_origin_websocket_is_refused(port, origin):
    head = {"Host": f"127.0.0.1:{port}"}
    if origin is not None:
        head["Origin"] = origin.replace(":0", f":{port}")
    status, body = exchange(port, head, kernel_socket(), websocket=True)
    assert status == 403, (origin, status, body)
    assert body.startswith("403 Forbidden: ")


def test_a_websocket_with_a_foreign_host_is_refused(port):
    status, _ = exchange(port, {"Host": f"attacker.example:{port}", "Origin": f"http://attacker.example:{port}"}, kernel_socket(), websocket=True)
    assert status == 403
