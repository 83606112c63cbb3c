"""How the report writes values: numbers, durations, commands, file paths, intervals and names of outcomes and design points."""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...output.outcomes import FINAL, run_value
from ...output.result_folder import DesignRecord, WindowedOutcome
from ...stats import mean_interval  # noqa: F401 - spacesim.analysis.report.mean_interval, as before

#: At most this many rows in the table of outcomes per design point and variant.
MAX_OUTCOME_ROWS = 40


#: At most this many rows in any other long table (failed runs, comparisons, design points, events).
MAX_ROWS = 50


#: Beyond this many design points (and in any sensitivity batch), the design points and the outcomes per point are collapsed under a summary line.
COLLAPSE_POINTS = 12


#: Up to this many outcomes, the outcome table has a row per group and columns per outcome; beyond, a block of rows per outcome.
WIDE_OUTCOMES = 3


Row = Sequence[Any]


def fmt(value: Any) -> str:
    """A number or value as a short, readable string ("–" for a missing value).

    Every float gets four significant figures (trailing zeros dropped), and
    from 1,000 up the whole number: one rule for every table of the report.

    >>> [fmt(v) for v in (None, float("nan"), True, 12345, 0.43125, 30433.64, 2e-10, 1.5e7, "a<b")]
    ['–', '–', 'true', '12,345', '0.4313', '30,434', '2.000e-10', '1.500e+07', 'a<b']
    """
    if value is None or value is pd.NA:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "–"
        if v == 0:
            return "0"
        if abs(v) >= 1e6 or abs(v) < 1e-3:
            return f"{v:.3e}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_number(v) for v in value)
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def duration(started: str | None, finished: str | None) -> str | None:
    """The time between two ISO 8601 times, in words; ``None`` when either is missing or unreadable.

    >>> duration("2026-01-01T10:00:00+00:00", "2026-01-01T11:02:05+00:00")
    '1 h 2 min 5 s'
    >>> duration("2026-01-01T10:00:00+00:00", None) is None
    True
    """
    try:
        seconds = (datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))).total_seconds()
    except (TypeError, ValueError):
        return None
    if seconds < 0:
        return None
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} h" if h else "", f"{m} min" if m or h else "", f"{s} s"]
    return " ".join(p for p in parts if p)


def command_line(argv: Sequence[str] | str | None) -> str | None:
    """A recorded ``sys.argv`` as the command a user types (the program shown as ``spacesim``).

    >>> command_line(["/home/me/.venv/bin/spacesim", "batch", "my exp.yaml", "--workers", "2"])
    "spacesim batch 'my exp.yaml' --workers 2"
    >>> command_line(["/x/src/spacesim/__main__.py", "run", "a.yaml"])
    'spacesim run a.yaml'
    """
    if not argv:
        return None
    if isinstance(argv, str):
        return argv
    first = Path(str(argv[0]))
    program = "spacesim" if first.name == "spacesim" or (first.name == "__main__.py" and first.parent.name == "spacesim") else str(argv[0])
    return " ".join([program, *(shlex.quote(str(a)) for a in argv[1:])])


def _point_label(point: Any, design: DesignRecord | None) -> str:
    points = design.points if design is not None else []
    try:
        values = points[int(point)]
    except (TypeError, ValueError, IndexError):
        return fmt(point)
    return f"{int(point)}: {fmt(values)}" if values else str(int(point))


def _points_summary(points: list[dict[str, Any]], varied: list[str]) -> str:
    """``24 design points: legal_clarity from 0.02114 to 0.9334, trust_loss from 1.403 to 5.86 (show each)``."""
    spans = []
    for k in varied:
        values: list[Any] = [p.get(k) for p in points if _is_number(p.get(k))]  # numbers, of whatever type the manifest holds
        spans.append(f"{k} from {fmt(min(values))} to {fmt(max(values))}" if values else k)
    return f"{len(points)} design points: {', '.join(spans)} (show each)"


def shown_path(file: Any, folder: Path) -> str:
    """A file the manifest names, as the report shows it: relative to the result folder when recorded as an absolute
    path (no local path of the machine it ran on), as recorded otherwise.

    >>> shown_path("/home/ann/work/scenarios/base.yaml", Path("/home/ann/work/results/b"))
    '../../scenarios/base.yaml'
    >>> shown_path("experiments/teaching.yaml", Path("/x/results/t"))
    'experiments/teaching.yaml'
    """
    path = Path(str(file))
    if not path.is_absolute():
        return str(file)
    try:
        return os.path.relpath(path, Path(os.path.abspath(folder)))
    except ValueError:  # another drive (Windows)
        return path.name


def _interval(low: Any, high: Any) -> str:
    if _is_missing(low) or _is_missing(high):
        return "–"
    return f"[{fmt(low)}, {fmt(high)}]"


def _outcome_name(outcome: str, columns: Iterable[str] | None = None) -> str:
    """An outcome as a table of run values names it: "mean trust", "n asat tests (total over the run)".

    >>> _outcome_name("mean_trust"), _outcome_name("n_leaks")
    ('mean trust', 'n leaks (total over the run)')
    """
    value = run_value(outcome, columns)
    return outcome.replace("_", " ") + (f" ({value.statistic})" if value.is_total else "")


def _share(value: Any) -> str:
    return "–" if _is_missing(value) else f"{100 * float(value):.0f}%"


def _compared_name(outcome: str, statistics: dict[str, str] | None) -> str:
    """An outcome of a comparison table: "mean trust", or "n leaks (total over the run)" when the table compared totals (its attrs say so)."""
    statistic = (statistics or {}).get(outcome, FINAL)
    return outcome.replace("_", " ") + (f" ({statistic})" if statistic != FINAL else "")


def _sensitivity_outcome(outcome: Any) -> str:
    """A sensitivity outcome as the manifest records it, in words: a name, or ``{outcome, window}`` as "NAME (mean of steps A–B)".

    >>> _sensitivity_outcome("debris"), _sensitivity_outcome(WindowedOutcome(outcome="mean_trust", window=[20, 30]))
    ('debris', 'mean_trust (mean of steps 20–30)')
    """
    if isinstance(outcome, WindowedOutcome):
        window = outcome.window
        if window is not None and len(window) == 2:
            return f"{outcome.outcome} (mean of steps {fmt(window[0])}–{fmt(window[1])})"
        return outcome.outcome
    return str(outcome)


def _with_conf(value: Any, conf: Any) -> str:
    if _is_missing(value):
        return "–"
    return fmt(value) + ("" if _is_missing(conf) else f" ± {fmt(conf)}")
