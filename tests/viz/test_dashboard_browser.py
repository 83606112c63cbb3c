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


#: Measures the page: where things are, the smallest text inside the pictures (font size x the picture's scale), slider values on show.
MEASURE = """() => {
  const box = e => { if (!e) return null; const b = e.getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width, h: b.height}; };
  let smallest = 1e9, where = "";
  for (const svg of document.querySelectorAll("svg.spacesim-network, svg.spacesim-trust, svg.spacesim-chart")) {
    const vb = svg.viewBox.baseVal, b = svg.getBoundingClientRect(), scale = Math.min(b.width / vb.width, b.height / vb.height);
    for (const t of svg.querySelectorAll("text")) {
      const px = parseFloat(t.getAttribute("font-size")) * scale;
      if (px < smallest) { smallest = px; where = svg.getAttribute("class") + " " + t.textContent; }
    }
  }
  const shown = [...document.querySelectorAll(".v-slider__thumb-label")].filter(e => e.getBoundingClientRect().width > 0);
  return {bar: box(document.querySelector("header")), drawer: box(document.querySelector(".v-navigation-drawer")), status: box(document.querySelector(".spacesim-status")),
          network: box(document.querySelector("svg.spacesim-network")), smallest, where, sliders: document.querySelectorAll(".v-slider").length, values_shown: shown.length,
          dark: document.querySelector(".v-application").classList.contains("theme--dark"),
          text_colour: getComputedStyle(document.querySelector("svg.spacesim-chart text")).fill, card_colour: getComputedStyle(document.querySelector(".spacesim-status")).backgroundColor};
}"""


#: Every control (button, text field, select, slider, switch, checkbox) whose box pokes out of its card's box, and the page's own overflow.
OVERFLOW = """() => {
  const out = [];
  for (const card of document.querySelectorAll(".v-card")) {
    const c = card.getBoundingClientRect();
    if (c.width === 0) continue;
    for (const e of card.querySelectorAll("button, .v-select, .v-slider, .v-input--switch, .v-input--checkbox, .v-text-field")) {
      const b = e.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      if (b.left < c.left - 0.5 || b.right > c.right + 0.5 || b.top < c.top - 0.5 || b.bottom > c.bottom + 0.5)
        out.push(`${(e.innerText || e.className).trim().slice(0, 40)}: [${b.left.toFixed(0)}, ${b.right.toFixed(0)}] outside its card [${c.left.toFixed(0)}, ${c.right.toFixed(0)}]`);
    }
  }
  const step = [...document.querySelectorAll("button")].find(b => b.innerText.trim().toUpperCase() === "STEP");
  const card = step && step.closest(".v-card");
  return {out, page_width: document.documentElement.scrollWidth, view_width: window.innerWidth,
          step: step && step.getBoundingClientRect().right, step_card: card && card.getBoundingClientRect().right};
}"""


def _slider_value(page, label: str) -> str:
    """The value a slider shows (its thumb label), found by the slider's label."""
    slot = page.locator(".v-input__slider", has=page.locator("label", has_text=label))
    tag = slot.locator(".v-slider__thumb-label")
    return tag.inner_text() if tag.is_visible() else ""


def test_dashboard_in_a_real_browser(chromium, dashboard, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install -e '.[test]'")
    problems: list[str] = []
    shots = Path(os.environ.get("SPACESIM_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), headless=True, args=BROWSER_ARGS)
        try:

            def open_page(width: int, height: int, scheme: str = "light"):
                page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
                page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.goto(dashboard, wait_until="load", timeout=120_000)
                sync_api.expect(page.locator(".spacesim-step-counter")).to_contain_text("step 0 of 120", timeout=120_000)
                return page

            page = open_page(1600, 1100)
            counter = page.locator(".spacesim-step-counter")
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
            # The header names the scenario and says what it is; never a file path.
            sync_api.expect(page.locator(".spacesim-scenario-description")).to_contain_text("34 spacefaring nations")
            assert "/" not in counter.inner_text() and ".yaml" not in page.locator(".spacesim-status").inner_text()
            # Only the Mesa controls the lesson uses.
            for unused in ("Use Threads", "Render Interval", "Time:"):
                assert page.get_by_text(unused).count() == 0, unused
            assert page.locator(".v-card__title", has_text="Information").count() == 0
            # Charts are dated as the header is; the narrative names who signed agreements.
            ticks = charts.first.locator("text.xtick").all_text_contents()
            assert ticks[0] == "2025" and "step" not in charts.first.text_content(), ticks
            events = page.locator(".spacesim-events-card")
            sync_api.expect(events).to_contain_text("new bilateral agreements: ")
            sync_api.expect(events).to_contain_text("United States–France")
            # Slider values are on show without touching them (the baseline's legal clarity is 0.3, its seed 1).
            assert _slider_value(page, "legal clarity") == "0.3"
            assert _slider_value(page, "Random seed") == "1"
            assert _slider_value(page, "Play Interval") == "151"
            # A shock shows at once: the headline's debris moves without a Step.
            headline = page.locator(".spacesim-headline")
            before = headline.inner_text()
            page.get_by_role("button", name="ASAT test", exact=True).click()
            sync_api.expect(headline).not_to_have_text(before, timeout=30_000)
            sync_api.expect(counter).to_contain_text("step 3 of 120")
            sync_api.expect(charts.nth(3).locator("line.mark")).to_have_count(1)
            page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
            page.close()

            # Projector sizes: a narrow sidebar, no empty band above the main area, text in the pictures at least 12 px, every slider's value on show.
            for width, height in ((1024, 768), (1280, 800), (1920, 1080)):
                page = open_page(width, height)
                page.wait_for_timeout(500)
                m = page.evaluate(MEASURE)
                assert m["drawer"]["w"] <= 340, m
                assert m["status"]["y"] - (m["bar"]["y"] + m["bar"]["h"]) <= 16, m  # no empty band
                assert m["network"]["w"] >= 440, m
                assert m["smallest"] >= 12, m
                assert m["values_shown"] == m["sliders"] >= 13, m  # the play interval, the seed and the key parameters
                # Every control fits its card (the Step button too), and the page never scrolls sideways.
                o = page.evaluate(OVERFLOW)
                assert o["out"] == [] and o["step"] <= o["step_card"], o
                assert o["page_width"] <= o["view_width"], o
                page.screenshot(path=str(shots / f"dashboard_{width}x{height}.png"))
                page.close()

            # A browser that prefers dark: the page opens light, and stays legible (dark text on light cards).
            page = open_page(1280, 800, scheme="dark")
            page.wait_for_timeout(500)
            m = page.evaluate(MEASURE)
            assert not m["dark"] and m["card_colour"] == "rgb(255, 255, 255)" and m["text_colour"] != "rgb(255, 255, 255)", m
            page.screenshot(path=str(shots / "dashboard_prefers_dark.png"))
            page.close()
            time.sleep(0.5)  # late requests and errors
        finally:
            browser.close()
    assert (shots / "dashboard.png").stat().st_size > 10_000
    assert problems == []
