"""Limits on what an input may ask of this machine, checked before anything is built or run.

A small file can ask for more than any machine has: ten parameters of ten
values each make 10^10 design points, a few thousand nations need
gigabytes of N x N arrays, and 10^7 runs take weeks. The design is
counted, never expanded (:func:`~.design.count_runs`), and a run's memory
and time are estimated from its nations and steps
(:mod:`spacesim.model.cost`):

* more runs than ``max_runs`` (default :data:`MAX_RUNS`) or a run that
  needs more memory than is available is refused (:class:`InputError`,
  exit status 2) unless the caller allows it (``allow_large=True``,
  ``--allow-large``);
* more than :data:`WARN_RUNS` runs, more than :data:`WARN_SECONDS` of
  computing, or a run needing more than :data:`WARN_BYTES` (or half the
  available memory) is allowed with a :class:`LargeInputWarning` saying how
  long and how much.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ..scenario.errors import InputError, LargeInputWarning, Problem
from ..scenario.experiment import Experiment
from ..scenario.schema import ScenarioSpec
from .design import count_points, count_runs

#: Runs of one batch refused unless allowed: a million run descriptions alone take about a gigabyte.
MAX_RUNS = 1_000_000
#: Runs of one batch above which a warning says how long it will take.
WARN_RUNS = 100_000
#: Estimated computing time (one core) above which a warning says so: an hour.
WARN_SECONDS = 3600
#: Memory of one run above which a warning says how much: two gigabytes, or half the available memory if less.
WARN_BYTES = 2_000_000_000
WARN_MEMORY_SHARE = 0.5

#: Generous bounds (several times the model's measured cost, :mod:`spacesim.model.cost`) under which an input is
#: certainly small: it is passed without loading the model to estimate it precisely (validation stays light).
_SURELY_BYTES_PER_PAIR, _SURELY_BYTES_PER_NATION_STEP, _SURELY_SECONDS_PER_STEP, _SURELY_SECONDS_PER_PAIR_STEP = 1024, 1024, 1e-2, 1e-6
_SURELY_SMALL_BYTES = 200_000_000

PYTHON_OVERRIDE = "allow_large=True"
CLI_OVERRIDE = "--allow-large"


def check_experiment(experiment: Experiment, *, allow_large: bool = False, max_runs: int = MAX_RUNS, override: str | None = PYTHON_OVERRIDE) -> None:
    """Refuse (or warn about) an experiment's design size and its runs' memory, by counting only.

    ``override`` names how the caller lifts the limits in the refusal's
    advice (``allow_large=True`` for Python, ``--allow-large`` for the
    command line).
    """
    spec = experiment.spec
    points = count_points(spec)
    variants = len(experiment.variant_names)
    replicates = experiment.max_replicates
    runs = count_runs(experiment)
    scenario = experiment.scenario
    n, steps = len(scenario.nations), scenario.steps
    if runs <= min(max_runs, WARN_RUNS) and runs * _surely_seconds(n, steps) <= WARN_SECONDS:
        check_memory(scenario, str(experiment.scenario_path), allow_large=allow_large, override=override, warn_time=False)
        return
    seconds = runs * _run_seconds(n, steps)
    field = "sensitivity.samples" if spec.sensitivity is not None else "vary" if spec.vary.grid or spec.vary.sample is not None else "replicates"
    loc = tuple(field.split("."))
    line = _line(experiment, loc)
    size = (
        f"{points:,} design point{'s' * (points != 1)} x {variants:,} variant{'s' * (variants != 1)} x "
        f"{'up to ' if experiment.adaptive else ''}{replicates:,} replicate{'s' * (replicates != 1)} = {runs:,} runs"
    )
    took = f"{_duration(seconds)} of computing on one core: {_speed(n, steps)}"
    if runs > max_runs and not allow_large:
        raise InputError(
            [
                Problem(
                    experiment.filename,
                    field,
                    f"{size}, more than the limit of {max_runs:,} ({took}); make the design smaller" + _or(override, "run it anyway"),
                    line,
                )
            ]
        )
    if runs > WARN_RUNS or seconds > WARN_SECONDS:
        warnings.warn(f"{experiment.filename}: {size}: {took}", LargeInputWarning, stacklevel=2)
    check_memory(scenario, str(experiment.scenario_path), allow_large=allow_large, override=override, warn_time=False)


def check_run(spec: ScenarioSpec, source: str | Path, *, allow_large: bool = False, override: str | None = PYTHON_OVERRIDE) -> None:
    """Refuse a single run whose memory exceeds what is available; warn when it is large or long."""
    check_memory(spec, str(source), allow_large=allow_large, override=override, warn_time=True)


def check_memory(spec: ScenarioSpec, source: str, *, allow_large: bool = False, override: str | None = PYTHON_OVERRIDE, warn_time: bool = True) -> None:
    """Refuse a run of ``spec`` that needs more memory than is available (estimated before anything is allocated); warn above half of it."""
    n, steps = len(spec.nations), spec.steps
    have = available_memory()
    if (
        n * n * _SURELY_BYTES_PER_PAIR + (steps + 1) * n * _SURELY_BYTES_PER_NATION_STEP <= min(_SURELY_SMALL_BYTES, WARN_MEMORY_SHARE * have)
        and _surely_seconds(n, steps) <= WARN_SECONDS
    ):
        return
    from ..model.cost import run_bytes

    need = run_bytes(n, steps)
    what = f"{n:,} nations x {steps:,} steps need about {_bytes(need)} for one run (N x N arrays of the nations, and a record of every nation at every step)"
    if need > have and not allow_large:
        raise InputError.single(
            source, "nations", f"{what}, more than the {_bytes(have)} of memory available; use fewer nations or steps" + _or(override, "try anyway")
        )
    if need > min(WARN_BYTES, WARN_MEMORY_SHARE * have):
        warnings.warn(f"{source}: {what}, {need / have:.0%} of the {_bytes(have)} of memory available", LargeInputWarning, stacklevel=3)
    seconds = _run_seconds(n, steps)
    if warn_time and seconds > WARN_SECONDS:
        warnings.warn(f"{source}: {n:,} nations x {steps:,} steps: {_duration(seconds)} of computing: {_speed(n, steps)}", LargeInputWarning, stacklevel=3)


def available_memory() -> int:
    """Bytes this process can still allocate: the system's available memory, or the container's (cgroup) limit if lower."""
    import psutil

    have = psutil.virtual_memory().available
    cgroup = Path("/sys/fs/cgroup")
    try:
        limit = (cgroup / "memory.max").read_text().strip()
        if limit != "max":
            have = min(have, int(limit) - int((cgroup / "memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return max(have, 0)


def _surely_seconds(n: int, steps: int) -> float:
    return steps * (_SURELY_SECONDS_PER_STEP + _SURELY_SECONDS_PER_PAIR_STEP * n * n)


def _run_seconds(n: int, steps: int) -> float:
    from ..model.cost import run_seconds  # loads the model: only for inputs that may be large

    return run_seconds(n, steps)


def _or(override: str | None, what: str) -> str:
    return f", or pass {override} to {what}" if override else ""


def _line(experiment: Experiment, loc: tuple) -> int | None:
    while loc:
        if loc in experiment.lines:
            return experiment.lines[loc]
        loc = loc[:-1]
    return None


def _speed(n: int, steps: int) -> str:
    """The speed an estimate assumes, and where it comes from."""
    return f"{steps:,} steps a run at {_number(_run_seconds(n, 1) * 1e3)} ms a step for {n:,} nations, the speed measured in benchmarks/README.md"


def _duration(seconds: float) -> str:
    """A duration in the largest unit that keeps it readable.

    >>> _duration(42), _duration(5400), _duration(3 * 86400), _duration(2e9)
    ('about 42 seconds', 'about 1.5 hours', 'about 3 days', 'about 63 years')
    """
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"about {_number(seconds / size)} {unit}"
    return f"about {seconds:.0f} seconds"


def _bytes(n: float) -> str:
    """A size in MB, GB or TB.

    >>> _bytes(3.2e9), _bytes(5e6), _bytes(4e13), _bytes(1234)
    ('3.2 GB', '5 MB', '40 TB', '1.2 kB')
    """
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{_number(n / size)} {unit}"
    return f"{_number(n / 1e3)} kB"


def _number(value: float) -> str:
    """Whole numbers (with thousands separators) from ten, one decimal below, two significant figures below one."""
    if value >= 10 or value == round(value):
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2g}"
