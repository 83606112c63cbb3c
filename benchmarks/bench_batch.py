"""Benchmark `spacesim batch` against its targets and against `mesa.batch_run`.

Usage:
    .venv/bin/python benchmarks/bench_batch.py            # full run (tens of minutes)
    .venv/bin/python benchmarks/bench_batch.py --quick    # reduced sizes, a few minutes

Measures, each in a fresh Python process so that peak memory is that
batch's own:

(a) throughput: ``--runs`` runs of the shipped baseline scenario for
    ``--steps`` steps with 2 local workers (target: 1,000 x 200 in < 60 s);
(b) speed-up of 2 workers over 1 on the same batch as (a) (target >= 1.7x);
(c) the same runs through ``mesa.batch_run`` (2 processes, data collected
    every step), and peak resident memory of both as the batch grows from
    ``--memory-runs`` to ten times as many short runs (``--memory-steps``
    steps each; target: ratio < 1.3 for spacesim).

The three timed batches of (a), (b) and (c) run ``--repeat`` times
(default 2), interleaved (a, 1 worker, mesa, a, 1 worker, mesa, ...), and
the best time of each is compared, so that the host's changing speed
affects both sides of each ratio alike; the memory batches run once.

What is timed: the whole batch call (``run_batch`` or ``mesa.batch_run``),
including starting workers and, for spacesim, writing the Parquet tables;
not importing spacesim. spacesim's batch writes only ``runs`` and ``steps``
(no per-nation tables), which hold at least the data ``mesa.batch_run``
collects here (six outcomes per step). Peak memory is the largest
``ru_maxrss`` of the batch's main process; workers are reported apart.

A report, not a test: it prints PASS/MISS and always exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_THROUGHPUT_S = 60.0  # 1,000 baseline runs x 200 steps, 2 workers
TARGET_SPEEDUP = 1.7
TARGET_MEMORY_RATIO = 1.3


def _experiment_file(folder: Path, runs: int, steps: int) -> Path:
    from spacesim import shipped_scenario

    path = folder / f"bench_{runs}x{steps}.yaml"
    path.write_text(
        "schema_version: 1\n"
        f"name: bench_{runs}x{steps}\n"
        "description: Benchmark batch of baseline replicates.\n"
        f"scenario: {shipped_scenario('baseline')}\n"
        f"steps: {steps}\n"
        f"replicates: {runs}\n"
        "seed: 1\n"
        "tables: []\n"
        "plots: []\n"
    )
    return path


def child(kind: str, runs: int, steps: int, workers: int) -> dict:
    """Run one batch in this process; return its wall time and peak memory (KiB)."""
    if kind == "spacesim":
        from spacesim.experiment import run_batch

        with tempfile.TemporaryDirectory() as tmp:
            experiment = _experiment_file(Path(tmp), runs, steps)
            t0 = time.perf_counter()
            result = run_batch(experiment, Path(tmp) / "out", workers=workers)
            seconds = time.perf_counter() - t0
            done = int((result.runs["status"] == "completed").sum())
    else:
        import mesa
        import numpy as np

        from spacesim import SpaceModel

        seeds = np.random.SeedSequence(1).generate_state(runs).tolist()
        t0 = time.perf_counter()
        rows = mesa.batch_run(
            SpaceModel, parameters={"steps": steps}, number_processes=workers, data_collection_period=1, max_steps=steps, display_progress=False, rng=seeds
        )
        seconds = time.perf_counter() - t0
        done = len({r["RunId"] for r in rows})
    return {
        "kind": kind,
        "runs": runs,
        "steps": steps,
        "workers": workers,
        "seconds": seconds,
        "completed": done,
        "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "worker_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def measure(kind: str, runs: int, steps: int, workers: int) -> dict:
    """Run ``child`` in a fresh interpreter and return what it reports."""
    cmd = [sys.executable, __file__, "--child", kind, "--runs", str(runs), "--steps", str(steps), "--workers", str(workers)]
    out = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  ... {kind:8s} {runs:6d} runs x {steps:3d} steps, {workers} worker(s): {result['seconds']:7.1f} s, "
        f"peak {result['peak_kib'] / 1024:6.0f} MiB (workers {result['worker_peak_kib'] / 1024:.0f} MiB)",
        flush=True,
    )
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (the targets are then scaled, see README)")
    parser.add_argument("--runs", type=int, default=None, help="runs for (a) and (c) timing (default 1000, quick 100)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--memory-runs", type=int, default=None, help="smaller batch of (c) memory; the larger is 10x (default 1000, quick 200)")
    parser.add_argument("--memory-steps", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the timed batches (a), (b), (c); the best of each is used (default 2)")
    parser.add_argument("--child", choices=("spacesim", "mesa"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, args.runs, args.steps, args.workers)))
        return 0

    runs = args.runs or (100 if args.quick else 1000)
    memory_runs = args.memory_runs or (200 if args.quick else 1000)
    print(f"spacesim batch benchmark  {time.strftime('%Y-%m-%dT%H:%M:%S')}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}; Python {platform.python_version()}"
    )
    print()

    rounds = [
        (
            measure("spacesim", runs, args.steps, args.workers),
            measure("spacesim", runs, args.steps, 1),
            measure("mesa", runs, args.steps, args.workers),
        )  # (b): the same batch as (a) on one worker
        for _ in range(max(1, args.repeat))
    ]
    a, one, mesa_a = (min((r[k] for r in rounds), key=lambda m: m["seconds"]) for k in range(3))
    small = measure("spacesim", memory_runs, args.memory_steps, args.workers)
    large = measure("spacesim", 10 * memory_runs, args.memory_steps, args.workers)
    mesa_small = measure("mesa", memory_runs, args.memory_steps, args.workers)
    mesa_large = measure("mesa", 10 * memory_runs, args.memory_steps, args.workers)

    throughput_target = TARGET_THROUGHPUT_S * runs / 1000 * args.steps / 200
    speedup = one["seconds"] / a["seconds"]
    ratio = large["peak_kib"] / small["peak_kib"]
    mesa_ratio = mesa_large["peak_kib"] / mesa_small["peak_kib"]
    print()
    if len(rounds) > 1:
        for label, k in ((f"spacesim, {args.workers} workers", 0), ("spacesim, 1 worker", 1), ("mesa.batch_run", 2)):
            print(f"best of {len(rounds)}, {label}: {min(r[k]['seconds'] for r in rounds):.1f} s (all: {', '.join(f'{r[k]["seconds"]:.1f}' for r in rounds)})")
        print()
    print(f"{'measure':58s} {'got':>12s}  verdict")
    print("-" * 80)
    print(
        f"{f'(a) {runs} runs x {args.steps} steps, {args.workers} workers < {throughput_target:.0f} s':58s} "
        f"{a['seconds']:10.1f} s  {verdict(a['seconds'] < throughput_target)}"
    )
    print(f"{f'(b) speed-up of {args.workers} workers over 1 (same batch) >= {TARGET_SPEEDUP}':58s} {speedup:11.2f}x  {verdict(speedup >= TARGET_SPEEDUP)}")
    print(
        f"{'(c) spacesim no slower than mesa.batch_run (same runs)':58s} "
        f"{mesa_a['seconds'] / a['seconds']:11.2f}x  {verdict(a['seconds'] <= mesa_a['seconds'])}"
    )
    print(
        f"{f'(c) spacesim peak memory {10 * memory_runs} vs {memory_runs} runs < {TARGET_MEMORY_RATIO}':58s} "
        f"{ratio:12.2f}  {verdict(ratio < TARGET_MEMORY_RATIO)}"
    )
    print(f"{f'    mesa.batch_run peak memory {10 * memory_runs} vs {memory_runs} runs (for comparison)':58s} {mesa_ratio:12.2f}")
    print(
        f"    peak MiB: spacesim {small['peak_kib'] / 1024:.0f} -> {large['peak_kib'] / 1024:.0f}; "
        f"mesa.batch_run {mesa_small['peak_kib'] / 1024:.0f} -> {mesa_large['peak_kib'] / 1024:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
