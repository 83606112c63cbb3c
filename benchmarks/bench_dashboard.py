"""How long the dashboard takes to step and redraw, on the baseline scenario (34 nations).

Three measurements:

1. server side, Step: the page rendered headless with ``solara.render`` (as
   the component tests do); a click runs one model step and re-renders every
   component (headline, network, trust heatmap, outcome charts, what just
   happened, Mesa's controls). Best and median of 30 clicks after 3 warm-up
   clicks.
2. server side, a shock: the same for the "ASAT test" button, which also
   records the current step again so that the page shows the shock at once.
3. in the browser (when Debian's chromium and Playwright are installed):
   ``spacesim dashboard`` on a free port, headless Chromium at 1920x1080;
   the time from the click to the step counter showing the new step, which
   includes the websocket round trip and the browser's redraw. Median of 20
   clicks.

The machine may be shared: the load average is printed with the figures.
A report, not a test: it prints the figures and always exits 0.
Run: .venv/bin/python benchmarks/bench_dashboard.py
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 1.0  # "a step and redraw well under a second"


def server_side(clicks: int = 30, label: str = "Step") -> list[float]:
    import ipyvuetify as v
    import solara

    from spacesim import shipped_scenarios
    from spacesim.viz.app import Dashboard
    from spacesim.viz.session import Choices

    choices = Choices(shipped_scenarios()["baseline"])
    model = solara.reactive(choices.build())
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(choices=choices, model=model)]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):
        step.click()
    button = rc.find(v.Btn, children=[label]).widget
    times = []
    for _ in range(clicks):
        start = time.perf_counter()
        button.click()
        times.append(time.perf_counter() - start)
    return times


def in_browser(clicks: int = 20) -> list[float] | str:
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped: playwright is not installed (pip install -e '.[test]')"
    if not chromium.exists():
        return "skipped: /usr/bin/chromium is missing (apt-get install -y chromium)"
    from spacesim.viz.server import wait_until_listening

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "spacesim", "dashboard", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_until_listening(port, timeout=120, process=server):
            return "skipped: the dashboard did not start"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(chromium),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            counter = page.locator(".spacesim-step-counter")
            counter.wait_for(timeout=120_000)
            step = page.get_by_role("button", name="Step", exact=True)
            times = []
            for n in range(1, clicks + 4):
                start = time.perf_counter()
                step.click()
                page.wait_for_function("n => document.querySelector('.spacesim-step-counter').textContent.includes(`step ${n} of`)", arg=n, timeout=60_000)
                if n > 3:
                    times.append(time.perf_counter() - start)
            browser.close()
            return times
    finally:
        server.send_signal(2)
        server.wait(timeout=60)


def report(label: str, times: list[float] | str) -> None:
    if isinstance(times, str):
        print(f"{label}: {times}")
        return
    median = statistics.median(times)
    verdict = "PASS" if median < TARGET_S else "MISS"
    print(
        f"{label}: median {median * 1000:.0f} ms, best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
        f"over {len(times)} clicks  [{verdict}: target < {TARGET_S:.0f} s]"
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    print(load())
    report("step + redraw, server side (solara.render)", server_side())
    report("ASAT shock + redraw, server side (solara.render)", server_side(label="ASAT test"))
    report("step + redraw, click to counter in headless Chromium", in_browser())
    print(load())
