"""Benchmark SpaceModel: the shipped baseline and synthetic scenarios of growing size.

Usage:
    .venv/bin/python benchmarks/bench_model.py            # full run (a few minutes)
    .venv/bin/python benchmarks/bench_model.py --quick    # smaller sizes, one repeat

What is timed: model construction (``SpaceModel(spec, rng=seed)``) plus
``model.run()`` to the scenario's last step, with ``time.perf_counter``.
Not timed: importing spacesim, reading and validating the scenario, building
the synthetic scenario, and one small warm-up run done first so that lazy
imports and first-call costs do not land on the first measurement.

The machine's floor is one read-modify-write pass of NumPy over a 1,000 x
1,000 float64 array (``np.multiply(a, c, out=a)``), the best of many,
measured before and after the model runs in the same process; the
1,000-nation step is reported as a multiple of it, and the baseline's 200
steps both in milliseconds and in floors, so that runs on a busy or a quiet
machine can be compared.

It is a report, not a test: it prints PASS/MISS against the targets and
always exits 0.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_scenario  # noqa: E402

from spacesim import SpaceModel, load_scenario, shipped_scenario  # noqa: E402
from spacesim.scenario import apply_overrides  # noqa: E402

#: Targets (seconds, floors, exponent).
TARGET_BASELINE_S = 0.010  # baseline scenario, 200 steps (issue 14)
TARGET_1000_FLOORS = 20.0  # one 1000-nation step, in floors (one 1000 x 1000 float64 read-modify-write NumPy pass)
TARGET_EXPONENT = 2.2  # growth of cost per step with the number of nations, N >= 100

FULL_SIZES = (50, 100, 200, 400, 800, 1000)
QUICK_SIZES = (50, 100, 200, 400)
FIT_MIN_N = 100


def time_run(spec, seed: int | None, repeats: int) -> float:
    """Best wall time (s) over ``repeats`` of constructing the model and running it to the end (seed None: the scenario's)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = SpaceModel(spec, rng=seed)
        model.run()
        best = min(best, time.perf_counter() - t0)
    return best


def baseline_spec(steps: int):
    """The shipped baseline scenario with ``steps`` steps, or teaching_small if baseline is missing or invalid."""
    note = ""
    try:
        path = shipped_scenario("baseline")
        spec = load_scenario(path)
        name = "baseline"
    except Exception as exc:  # missing (KeyError) or not valid yet (InputError)
        reason = "not shipped yet" if isinstance(exc, KeyError) else f"does not load ({type(exc).__name__})"
        note = f"NOTE: baseline.yaml {reason}; timing teaching_small instead"
        spec = load_scenario(shipped_scenario("teaching_small"))
        name = "teaching_small"
    return apply_overrides(spec, {"steps": steps}), name, note


def floor_seconds(repeats: int = 60) -> float:
    """Best time of one read-modify-write NumPy pass over a 1000 x 1000 float64 array (the machine's floor)."""
    a = np.random.default_rng(0).random((1000, 1000))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.multiply(a, 0.999, out=a)
        best = min(best, time.perf_counter() - t0)
    return best


def fit_exponent(ns: list[int], ms_per_step: list[float]) -> float | None:
    """Least-squares slope of log(ms per step) against log(nations)."""
    if len(ns) < 2:
        return None
    slope, _ = np.polyfit(np.log(ns), np.log(ms_per_step), 1)
    return float(slope)


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one repeat each (the 1000-nation target is not checked)")
    parser.add_argument("--sizes", type=int, nargs="+", help="synthetic scenario sizes to time (overrides the default list)")
    parser.add_argument("--steps", type=int, default=100, help="steps per synthetic run (default 100)")
    parser.add_argument("--baseline-steps", type=int, default=200, help="steps of the baseline run (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic scenarios and of every model run")
    args = parser.parse_args(argv)

    sizes = tuple(args.sizes) if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    baseline_repeats = 1 if args.quick else 3
    small_repeats = 1 if args.quick else 2

    print(f"spacesim benchmark  {_dt.datetime.now().isoformat(timespec='seconds')}")
    load = f"; load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores{load}; Python {platform.python_version()}; NumPy {np.__version__}")
    print("timed: SpaceModel(spec, rng=seed) + model.run() (not imports, not scenario loading/validation; after one warm-up run)")
    print()

    # Warm-up: lazy imports, first calls.
    SpaceModel(synthetic_scenario(10, seed=args.seed, steps=3), rng=args.seed).run()
    floors = [floor_seconds()]

    rows: list[tuple[str, int, int, float | None, str]] = []

    spec, name, note = baseline_spec(args.baseline_steps)
    try:
        t = time_run(spec, None, baseline_repeats)  # the scenario's own seed
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        note = f"NOTE: {name} failed to run ({type(exc).__name__}: {exc} at {Path(where.filename).name}:{where.lineno}); timing teaching_small instead"
        rows.append((f"{name} (ERROR)", len(spec.nations), args.baseline_steps, None, ""))
        spec = apply_overrides(load_scenario(shipped_scenario("teaching_small")), {"steps": args.baseline_steps})
        name = "teaching_small"
        try:
            t = time_run(spec, None, baseline_repeats)
        except Exception:
            traceback.print_exc()
            t = None
    if note:
        print(note)
    rows.append((f"{name} (best of {baseline_repeats})", len(spec.nations), args.baseline_steps, t, ""))
    baseline_time = t

    synthetic: dict[int, float] = {}
    for n in sizes:
        spec = synthetic_scenario(n, seed=args.seed, steps=args.steps)
        repeats = small_repeats if n <= 200 else 1
        try:
            t = time_run(spec, args.seed, repeats)
            synthetic[n] = t
        except Exception:
            traceback.print_exc()
            t = None
        rows.append((f"synthetic (best of {repeats})", n, args.steps, t, ""))
        print(f"  ... {n} nations: {'ERROR' if t is None else f'{t:.2f} s'}", flush=True)

    floors.append(floor_seconds())
    floor = min(floors)
    print()
    print(
        f"floor: one 1000 x 1000 float64 read-modify-write NumPy pass = {1000 * floor:.3f} ms "
        f"(best of 60, before and after the runs: {', '.join(f'{1000 * f:.3f}' for f in floors)} ms)"
    )
    print()
    print(f"{'scenario':<28} {'nations':>7} {'steps':>6} {'total s':>9} {'ms/step':>9} {'floors/step':>12}")
    print("-" * 63)
    for label, n, steps, t, _ in rows:
        total = "ERROR" if t is None else f"{t:.3f}"
        per = "ERROR" if t is None else f"{1000 * t / steps:.2f}"
        ratio = "ERROR" if t is None else f"{t / steps / floor:.1f}"
        print(f"{label:<28} {n:>7} {steps:>6} {total:>9} {per:>9} {ratio:>12}")
    print()

    fit_ns = [n for n in sorted(synthetic) if n >= FIT_MIN_N]
    exponent = fit_exponent(fit_ns, [1000 * synthetic[n] / args.steps for n in fit_ns])

    base_ok = None if baseline_time is None or args.baseline_steps != 200 else baseline_time <= TARGET_BASELINE_S
    big = synthetic.get(1000)
    big_floors = None if big is None else big / args.steps / floor
    big_ok = None if big_floors is None else big_floors <= TARGET_1000_FLOORS
    exp_ok = None if exponent is None else exponent <= TARGET_EXPONENT

    print(f"{'target':<44} {'got':>10}  verdict")
    print("-" * 64)
    got = "-" if baseline_time is None else f"{1000 * baseline_time:.1f} ms"
    print(f"{f'{name} 200 steps <= {1000 * TARGET_BASELINE_S:g} ms':<44} {got:>10}  {verdict(base_ok)}")
    if baseline_time is not None:
        print(f"{f'  (= {baseline_time / floor:.0f} floors; the target is {TARGET_BASELINE_S / floor:.0f} floors here)':<44}")
    got = "not run" if big_floors is None else f"{big_floors:.1f}"
    print(f"{f'1000-nation step <= {TARGET_1000_FLOORS:g} floors':<44} {got:>10}  {verdict(big_ok)}")
    got = "-" if exponent is None else f"{exponent:.2f}"
    fit_label = f"cost/step ~ N^k, k <= {TARGET_EXPONENT} (fit N in {fit_ns})" if fit_ns else f"cost/step ~ N^k, k <= {TARGET_EXPONENT}"
    print(f"{fit_label:<44} {got:>10}  {verdict(exp_ok)}")
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a report, not a test
        traceback.print_exc()
    sys.exit(0)
