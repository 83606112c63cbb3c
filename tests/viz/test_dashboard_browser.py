"""The dashboard in a real browser: ``spacesim dashboard`` served on a free port, driven by headless Chromium.

Chromium is Debian's ``chromium`` package, driven by Playwright's Python
package through ``executable_path``; the session fixture installs it with
apt-get when it is missing and we are root, and skips with the reason when it
cannot. The page must load with no failed request and no page error: that
is what catches JavaScript that would come from a CDN (the classroom, this
machine and CI are offline).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spacesim.viz.server import wait_until_listening

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing (as root); skip with the reason otherwise."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): apt-get install -y chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    done = subprocess.run(install, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    if done.returncode != 0:  # the package lists may be stale or absent
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
        done = subprocess.run(install, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    if not CHROMIUM.exists():
        pytest.skip(f"could not install chromium with apt-get (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return CHROMIUM


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    """``spacesim dashboard`` on a free port; yields its URL; always stopped (Ctrl-C) at the end, and must stop cleanly."""
    port = free_port()
    log = tmp_path / "dashboard.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "spacesim", "dashboard", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_until_listening(port, timeout=120, process=process), f"the dashboard did not start:\n{log.read_text()}"
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"the dashboard did not stop on Ctrl-C:\n{log.read_text()}")
    output = log.read_text()
    assert process.returncode == 0, output
    assert f"open {url} in a browser" in output
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the server is gone with it: the port is free again
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.2)
    else:
        pytest.fail(f"something still listens on port {port} after the dashboard stopped")


def test_dashboard_in_a_real_browser(chromium, dashboard, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install -e '.[test]'")
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(dashboard, wait_until="load", timeout=120_000)
            counter = page.locator(".spacesim-step-counter")
            sync_api.expect(counter).to_contain_text("step 0 of 120", timeout=120_000)
            step = page.get_by_role("button", name="Step", exact=True)
            for n in (1, 2, 3):
                step.click()
                sync_api.expect(counter).to_contain_text(f"step {n} of 120", timeout=60_000)
            network = page.locator("svg.spacesim-network")
            sync_api.expect(network).to_be_visible()
            assert network.locator("g.nation").count() == 34
            sync_api.expect(network).to_have_attribute("aria-label", __import__("re").compile("step 3 of 120"))
            sync_api.expect(page.locator("svg.spacesim-trust")).to_be_visible()
            charts = page.locator("svg.spacesim-chart")
            assert charts.count() == 4
            sync_api.expect(charts.first).to_be_visible()
            assert charts.first.locator("polyline").count() >= 1
            sync_api.expect(page.get_by_text("Policy levers and key parameters")).to_be_visible()
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            page.wait_for_timeout(500)  # late requests and errors
        finally:
            browser.close()
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert problems == []
