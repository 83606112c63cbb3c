"""A single run's findings in plain words, computed from its tables.

:func:`run_findings` returns the sentences the report of a single run shows
first (the batch report has its own, from its comparison and replicates):
how the headline outcomes moved from the initial state to the last step, what
each destructive ASAT test did, how many events of each kind happened, and
that one seed cannot say what is chance. It returns data (a list of
sentences), so a template can render it however it likes.

Numbers follow the report's one rule (:func:`number`): four significant
figures, whole numbers with thousands separators from 1,000 up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import COUNT_OUTCOMES, EVENT_KINDS, STEP_OUTCOMES
from .plots import Calendar, outcome_unit, step_date

#: The outcomes whose change over the run the findings state, in this order (those the steps table has).
HEADLINE: tuple[str, ...] = ("n_bilateral", "n_memberships", "mean_trust", "trust_between_blocs", "collective_security", "debris", "threat_level")
#: A change smaller than this share of the larger of the start and final values (or than 0.001 on a 0-1 scale) is "about the same".
STEADY = 0.005


def number(value: Any) -> str:
    """A number as the report writes it: four significant figures, whole numbers with separators from 1,000 up.

    >>> [number(v) for v in (3, 0.43125, 30433.64, 0.0, -0.0581, float("nan"))]
    ['3', '0.4313', '30,434', '0', '-0.0581', '–']
    """
    v = float(value)
    if math.isnan(v):
        return "–"
    if v == 0:
        return "0"
    if float(value).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 1e6 or abs(v) < 1e-3:
        return f"{v:.3e}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _period(first: int, last: int, calendar: Calendar | None) -> str:
    steps = last - first
    if calendar is None:
        return f"over {steps} steps"
    start, per_year = calendar
    span = f"{steps // per_year} years" if per_year > 1 and steps % per_year == 0 else f"{steps} {({4: 'quarters', 12: 'months', 1: 'years'})[per_year]}"
    return f"over {span} ({step_date(first, calendar)} to {step_date(last, calendar)})"


def _fractional(name: str) -> bool:
    """Whether an outcome's values are fractions (a 0-1 scale, a difference of such scales, a correlation), not counts or debris pieces."""
    return name not in COUNT_OUTCOMES and outcome_unit(name) != outcome_unit("debris")


def _value(name: str, v: float) -> str:
    """A value of an outcome: fractions with three decimals, counts and debris pieces whole, so that a start, a final
    value and their difference read alike.

    >>> _value("trust_reliability_correlation", -0.4321), _value("debris", 30000.4), _value("n_bilateral", 3.0)
    ('-0.432', '30,000', '3')
    """
    return f"{v:.3f}" if _fractional(name) else f"{round(v):,}"


def _change(name: str, start: float, end: float) -> str:
    """How an outcome moved, e.g. "mean directed trust between distinct nations rose from 0.417 to 0.437 (+0.021, +4.9%)".

    >>> _change("debris", 30000.0, 31445.0), _change("n_bilateral", 0, 9), _change("mean_trust", 0.45, 0.4501)  # doctest: +NORMALIZE_WHITESPACE
    ('tracked debris pieces rose from 30,000 to 31,445 (+1,445, +4.8%)', 'active bilateral agreements rose from 0 to 9',
     'mean directed trust between distinct nations stayed at about 0.450')
    """
    what = STEP_OUTCOMES[name].split(" (")[0]  # its declared meaning, which names its unit ("tracked debris pieces")
    scale = max(abs(start), abs(end))
    if start == end or abs(end - start) <= max(STEADY * scale, 0.001 if _fractional(name) else 0.0):
        return f"{what} stayed at about {_value(name, end)}"
    diff = end - start
    sign = "+" if diff > 0 else "−"
    if name in COUNT_OUTCOMES:
        delta = ""
    else:
        pct = 100 * abs(diff) / abs(start) if start else math.nan
        relative = "" if math.isnan(pct) else f", {sign}{pct:,.0f}%" if pct >= 100 else f", {sign}{pct:.2g}%"
        delta = f" ({sign}{_value(name, abs(diff))}{relative})"
    return f"{what} {'rose' if diff > 0 else 'fell'} from {_value(name, start)} to {_value(name, end)}{delta}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def run_findings(steps: pd.DataFrame, events: pd.DataFrame | None = None, *, calendar: Calendar | None = None, seed: Any = None) -> list[str]:
    """A single run's findings, each a sentence generated from its steps and events tables.

    >>> steps = pd.DataFrame({"step": [0, 1, 2], "n_bilateral": [0, 3, 5], "mean_trust": [0.40, 0.42, 0.45],
    ...                       "debris": [30000.0, 30000.0, 30000.0], "n_asat_tests": [0, 0, 0]})
    >>> for line in run_findings(steps, calendar=(2025, 4), seed=7): print(line)  # doctest: +NORMALIZE_WHITESPACE
    From the initial state to the last step, over 2 quarters (2025 Q1 to 2025 Q3):
    Active bilateral agreements rose from 0 to 5.
    Mean directed trust between distinct nations rose from 0.400 to 0.450 (+0.050, +12%).
    Tracked debris pieces stayed at about 30,000.
    No destructive ASAT test, cyber attack or other event happened.
    This is one run (seed 7): chance (random ASAT tests, cyber attacks, leaks, changes of government) moves these numbers,
    and one seed cannot say by how much. A batch with replicates (spacesim batch) does.
    """
    out: list[str] = []
    steps = steps.sort_values("step")
    if steps.empty:
        return ["The run recorded no step, so there is nothing to summarise."]
    first, last = steps.iloc[0], steps.iloc[-1]
    first_step, last_step = int(first["step"]), int(last["step"])
    changes = [_change(n, float(first[n]), float(last[n])) for n in HEADLINE if n in steps.columns and pd.notna(first[n]) and pd.notna(last[n])]
    if changes:
        out.append(f"From the initial state to the last step, {_period(first_step, last_step, calendar)}:")
        out += [_sentence(c) for c in changes]
    out += _asat_findings(steps, events, calendar)
    counted = []
    after = steps["step"] > first_step
    for kind in EVENT_KINDS:
        if kind.count and kind.count in steps.columns:
            total = int(np.nansum(steps.loc[after, kind.count]))
            if total:
                label = kind.count_meaning.removesuffix(" this step")  # a plural: "destructive ASAT tests"
                counted.append(f"{number(total)} {label.removesuffix('s') if total == 1 else label}")
    if counted:
        out.append(f"Events over the run: {', '.join(counted)}.")
    else:
        out.append("No destructive ASAT test, cyber attack or other event happened.")
    seeded = f" (seed {seed})" if seed is not None else ""
    out.append(
        f"This is one run{seeded}: chance (random ASAT tests, cyber attacks, leaks, changes of government) moves these numbers, "
        "and one seed cannot say by how much. A batch with replicates (spacesim batch) does."
    )
    return out


def _asat_findings(steps: pd.DataFrame, events: pd.DataFrame | None, calendar: Calendar | None) -> list[str]:
    """What each destructive ASAT test of the run did to threat and debris, read from the step before it and its own step."""
    if events is None or events.empty or not {"kind", "step"} <= set(events.columns):
        return []
    tests = events[(events["kind"] == "asat_test") & (events["step"] > 0)].sort_values("step", kind="stable")
    by_step: Mapping[int, pd.Series] = {int(r["step"]): r for _, r in steps.iterrows()}
    out = []
    for _, test in tests.head(5).iterrows():
        step = int(test["step"])
        before, at = by_step.get(step - 1), by_step.get(step)
        when = f"in {step_date(step, calendar)} (step {step})" if calendar else f"at step {step}"
        who = str(test["actor"]) if "actor" in test and pd.notna(test["actor"]) else "a nation"
        effects = []
        if before is not None and at is not None:
            effects = [_change(name, float(before[name]), float(at[name])) for name in ("threat_level", "debris", "mean_trust") if name in steps.columns]
        out.append(f"{who} conducted a destructive ASAT test {when}" + (f"; over that step {'; '.join(effects)}." if effects else "."))
    if len(tests) > 5:
        out.append(f"{len(tests) - 5} more destructive ASAT tests are listed under Events.")
    return out
