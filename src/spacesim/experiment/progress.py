"""Progress of a batch: a bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    """Runs done of total, failures, rate and time left.

    On a terminal a tqdm bar; when output is not a terminal (a log file, CI),
    a plain line every ``interval`` seconds and at the end. ``quiet`` shows
    nothing (the notebook API's default).
    """

    def __init__(self, total: int, done: int = 0, failed: int = 0, stream: TextIO | None = None, interval: float = 10.0, quiet: bool = False):
        self.total, self.done, self.failed = total, done, failed
        self.stream = stream or sys.stderr
        self.interval = interval
        self.quiet = quiet
        self.started = time.monotonic()
        self.resumed_from = done
        self._last = 0.0
        self._bar = None
        if not quiet and self.stream.isatty():
            self._bar = tqdm(total=total, initial=done, unit="run", file=self.stream, dynamic_ncols=True, desc="runs")
            self._bar.set_postfix(failed=failed)

    def update(self, runs: int, failed: int) -> None:
        """Record ``runs`` more finished runs, of which ``failed`` failed."""
        self.done += runs
        self.failed += failed
        if self._bar is not None:
            self._bar.update(runs)
            self._bar.set_postfix(failed=self.failed)
        elif not self.quiet:
            now = time.monotonic()
            if now - self._last >= self.interval or self.done >= self.total:
                self._last = now
                print(self.line(), file=self.stream, flush=True)

    def set_total(self, total: int) -> None:
        """Change the number of runs expected (adaptive replication adds rounds as it goes)."""
        self.total = max(total, self.done)
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.refresh()

    def line(self) -> str:
        """One plain line: done of total, failed, rate, time left."""
        elapsed = time.monotonic() - self.started
        fresh = self.done - self.resumed_from
        rate = fresh / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta = "?" if left != left else _duration(left)
        return f"runs {self.done}/{self.total} ({100 * self.done / max(1, self.total):.0f}%), {self.failed} failed, {rate:.2f} runs/s, {eta} left"

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``12s``.

    >>> _duration(3725), _duration(185), _duration(12.4)
    ('1h02m', '3m05s', '12s')
    """
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"
