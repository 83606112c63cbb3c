"""Benchmark: simulations per second during a calibration (2 workers) against a plain batch of the same runs.

Usage:
    .venv/bin/python benchmarks/bench_calibrate.py            # population 100, 4 generations
    .venv/bin/python benchmarks/bench_calibrate.py --quick    # population 40, 3 generations

(a) calibration: the shipped calibration ``history_2020`` (its scenario,
    parameters and patterns) with a smaller population and fewer
    generations, through :func:`spacesim.calibration.runner.run_abc` with 2
    workers (pyabc's multicore sampler). Timed: the whole ABC-SMC call
    (pyabc's prior calibration sample, every generation, database writes);
    simulations = every model run pyabc made.
(b) batch: as many runs of the same scenario, to the same last step, through
    ``spacesim batch``'s engine (``run_batch``, 2 workers, only the runs and
    steps tables, no plots), with the default parameters. Timed: the whole call.

Target: (a)'s simulations per second at least 0.8 of (b)'s runs per second.
The two run ``--repeat`` times interleaved (a, b, a, b) and the best of each
is compared, so the host's changing speed affects both alike; on a shared
machine the absolute figures are noisy. A report, not a test: prints
PASS/MISS and exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 0.8


def calibration_rate(population: int, generations: int, workers: int, folder: Path) -> tuple[float, int, float]:
    """(simulations per second, simulations, seconds) of one ABC-SMC run of the shipped calibration."""
    from spacesim.calibration.patterns import patterns_of
    from spacesim.calibration.runner import run_abc
    from spacesim.calibration.simulate import Simulator
    from spacesim.calibration.spec import load_calibration

    calibration = load_calibration(Path(__file__).resolve().parent.parent / "calibrations" / "history_2020.yaml")
    patterns = patterns_of(calibration)
    settings = calibration.spec.abc.model_copy(update={"population": population, "generations": generations, "max_simulations": None})
    weights = {p.name: p.weight for p in patterns if not p.held_out}
    db = folder / f"abc-{time.monotonic_ns()}.db"
    start = time.perf_counter()
    simulator = Simulator(calibration.scenario, patterns)
    simulator.warm_up()  # as spacesim calibrate does: forked workers inherit the loaded loops
    outcome = run_abc(simulator, dict(calibration.spec.fit), weights, settings, str(db), seed=1, workers=workers)
    seconds = time.perf_counter() - start
    sims = int(outcome.history.total_nr_simulations)
    return sims / seconds, sims, seconds


def batch_rate(runs: int, workers: int, folder: Path) -> tuple[float, float]:
    """(runs per second, seconds) of a plain batch of ``runs`` runs of the calibration's scenario to its last pattern step."""
    from spacesim.calibration.patterns import patterns_of
    from spacesim.calibration.simulate import Simulator
    from spacesim.calibration.spec import load_calibration
    from spacesim.experiment.batch import run_batch

    calibration = load_calibration(Path(__file__).resolve().parent.parent / "calibrations" / "history_2020.yaml")
    steps = Simulator(calibration.scenario, patterns_of(calibration)).last_step
    path = folder / f"bench_batch_{runs}.yaml"
    path.write_text(
        "schema_version: 1\nname: bench_calibrate_batch\ndescription: The calibration's runs as a plain batch.\n"
        f"scenario: {calibration.scenario_path}\nsteps: {steps}\nreplicates: {runs}\nseed: 1\ntables: []\nplots: []\n",
        encoding="utf-8",
    )
    out = folder / f"batch-{time.monotonic_ns()}"
    start = time.perf_counter()
    run_batch(path, out, workers=workers, plots=False, quiet=True)
    seconds = time.perf_counter() - start
    return runs / seconds, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="population 40, 3 generations")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    population, generations = (40, 3) if args.quick else (100, 4)
    print(
        f"host: {platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (shared machine: figures are noisy); "
        f"python {sys.version.split()[0]}"
    )
    cal, bat = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for r in range(args.repeat):
            rate, sims, seconds = calibration_rate(population, generations, args.workers, folder)
            cal.append(rate)
            print(
                f"round {r + 1}: calibration {sims} simulations in {seconds:.1f} s = {rate:.1f}/s "
                f"(population {population}, {generations} generations, {args.workers} workers)",
                flush=True,
            )
            rate_b, seconds_b = batch_rate(sims, args.workers, folder)
            bat.append(rate_b)
            print(f"round {r + 1}: batch {sims} runs in {seconds_b:.1f} s = {rate_b:.1f}/s ({args.workers} workers)", flush=True)
    ratio = max(cal) / max(bat)
    verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
    print(f"best: calibration {max(cal):.1f} simulations/s, batch {max(bat):.1f} runs/s, ratio {ratio:.2f} (target >= {TARGET_RATIO}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
