"""Time the same batch for a reference checkout and for this working tree, side by side (issue 14's batch target).

Usage:
    git -C /work/main worktree add /work/ref-7e375fe 7e375fe          # the reference, once
    (cd /work/ref-7e375fe && make .venv/.installed-stamp)             # with its own virtualenv
    .venv/bin/python benchmarks/bench_batch_vs.py --ref /work/ref-7e375fe            # 1,000 runs, best of 3 (~10 minutes today)
    .venv/bin/python benchmarks/bench_batch_vs.py --ref /work/ref-7e375fe --quick    # 200 runs, best of 2, for iteration
    .venv/bin/python benchmarks/bench_batch_vs.py --ref /work/ref-7e375fe --split    # also the per-run split of each side

The batch: ``--runs`` runs (default 1,000) of the shipped baseline scenario
for ``--steps`` steps (200) with ``--workers`` local workers (2), through
``run_batch`` as ``spacesim batch`` runs it, writing ``runs`` and ``steps``
(no per-nation tables, no plots), into a fresh temporary folder. Each timing
runs in a fresh interpreter: the reference's with the reference's own
virtualenv (``REF/.venv/bin/python``, importing the reference's spacesim),
this tree's with ``sys.executable``. The two sides alternate (ref, tree,
ref, tree, ...) for ``--repeat`` rounds and the best time of each side is
compared, so that the shared machine's changing speed weighs on both alike.
What is timed: the ``run_batch`` call (starting workers, running, committing
chunks, merging the tables, the manifest), not importing spacesim; its CPU
seconds (the batch's process and its workers) are printed beside, a figure
less sensitive to the other tenants of a shared machine than wall time.

``--split`` adds, for each side, a single-process estimate of where a run's
time goes (see :func:`split`): model construction, the steps, a chunk's
tables, moving them between processes, committing them, and a worker's
start-up. The model's own share is construction + steps; the rest is the
batch's overhead.

A report, not a test: it prints the ratio and always exits 0.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE = HERE.parent
TARGET_RATIO = 3.0  # issue 14: at least 3 times faster than the batch of 7e375fe

sys.path.insert(0, str(HERE))  # the batch file is bench_batch.py's, whichever checkout's Python runs this
from bench_batch import _experiment_file  # noqa: E402


def batch(runs: int, steps: int, workers: int) -> dict:
    """Run one batch in this process (whichever spacesim it imports); return its wall time."""
    import pandas as pd

    import spacesim
    from spacesim.experiment import run_batch

    options = {"workers": workers}
    if "plots" in inspect.signature(run_batch).parameters:  # older checkouts drew plots in run_batch
        options["plots"] = False
    with tempfile.TemporaryDirectory() as tmp:
        experiment = _experiment_file(Path(tmp), runs, steps)
        cpu0 = _cpu()
        t0 = time.perf_counter()
        result = run_batch(experiment, Path(tmp) / "out", **options)
        seconds = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        done = int((result.runs["status"] == "completed").sum())
        rows = len(pd.read_parquet(Path(tmp) / "out" / "steps.parquet", columns=["run_id"]))
    return {"seconds": seconds, "cpu": cpu, "completed": done, "steps_rows": rows, "spacesim": str(Path(spacesim.__file__).parent)}


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended (the batch's workers, once stopped)."""
    import resource

    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def split(steps: int, runs: int = 40) -> dict:
    """Where a run's time goes in one process, in ms per run (best of 3 passes over ``runs`` runs after a warm-up).

    * ``construct``: ``SpaceModel(spec, rng=seed)``; ``run``: its steps;
    * ``chunk``: ``run_chunk`` of the same runs (what a worker does per chunk), per run; ``tables`` is the part of it
      outside ``run_scenario`` (timed by wrapping it): the run's row, its ``steps`` table, the chunk's tables;
    * ``transfer``: pickling the chunk's result and unpickling it (what crosses the pipe), per run;
    * ``commit``: ``BatchStore.commit_chunk`` of that result (Parquet files, fsyncs, rename), per run;
    * ``startup``: a fresh interpreter importing the worker's modules and running a first 2-step model (s).
    """
    import pickle

    import spacesim.experiment.worker as worker
    import spacesim.output.run_result as run_result
    from spacesim import SpaceModel, load_scenario, shipped_scenario
    from spacesim.experiment.design import RunTask
    from spacesim.experiment.store import BatchStore
    from spacesim.experiment.worker import run_chunk

    spec = load_scenario(shipped_scenario("baseline")).with_parameters(steps=steps)
    tasks = [RunTask(i, 0, "default", i, 1000 + i) for i in range(runs)]
    context = {"scenario_file": "baseline.yaml", "fixed": {}}
    inside = [0.0]
    plain = run_result.run_scenario

    def timed(*a: object, **k: object) -> object:
        t0 = time.perf_counter()
        try:
            return plain(*a, **k)
        finally:
            inside[0] += time.perf_counter() - t0

    run_result.run_scenario = timed  # run_chunk imports it from there when called (or imported it with its module, in older checkouts)
    if hasattr(worker, "run_scenario"):
        worker.run_scenario = timed
    run_chunk(0, tasks[:2], spec, (), context)  # warm-up
    best: dict[str, float] = {}

    def keep(name: str, value: float) -> None:
        best[name] = min(best.get(name, float("inf")), value)

    for _ in range(3):
        construct = run = 0.0
        for task in tasks:
            t0 = time.perf_counter()
            model = SpaceModel(spec, rng=task.seed)
            t1 = time.perf_counter()
            while model.steps < spec.steps:
                model.step()
            run += time.perf_counter() - t1
            construct += t1 - t0
        inside[0] = 0.0
        t0 = time.perf_counter()
        result = run_chunk(0, tasks, spec, (), context)
        chunk = time.perf_counter() - t0
        tables = chunk - inside[0]
        t0 = time.perf_counter()
        pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        transfer = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            store = BatchStore(tmp)
            store.chunks_dir.mkdir()
            t0 = time.perf_counter()
            store.commit_chunk(result)
            commit = time.perf_counter() - t0
        keep("construct", construct)
        keep("run", run)
        keep("chunk", chunk)
        keep("tables", tables)
        keep("transfer", transfer)
        keep("commit", commit)
    out = {k: 1000 * v / runs for k, v in best.items()}
    probe = (
        "import time; t = time.perf_counter(); import spacesim.experiment.worker; from spacesim.output.run_result import run_scenario; "
        "from spacesim import load_scenario, shipped_scenario; run_scenario(load_scenario(shipped_scenario('baseline')).with_parameters(steps=2), seed=1); "
        "print(time.perf_counter() - t)"
    )
    starts = [float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()) for _ in range(2)]
    out["startup_s"] = min(starts)
    return out


def child(kind: str, side: Path, runs: int, steps: int, workers: int) -> dict:
    """Run ``batch`` or ``split`` in a fresh interpreter of ``side`` (its own virtualenv and spacesim)."""
    python = sys.executable if side == TREE else str(side / ".venv" / "bin" / "python")
    cmd = [python, str(Path(__file__).resolve()), "--child", kind, "--runs", str(runs), "--steps", str(steps), "--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    out = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=side, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} (in {side}) failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if kind == "batch":
        want = str(side / "src" / "spacesim")
        if Path(result["spacesim"]) != Path(want):
            raise RuntimeError(f"{side}: the batch imported spacesim from {result['spacesim']}, not {want}")
        if result["completed"] != runs or result["steps_rows"] != runs * (steps + 1):
            raise RuntimeError(f"{side}: {result['completed']} runs completed and {result['steps_rows']} step rows, not {runs} and {runs * (steps + 1)}")
    return result


def _short(side: Path) -> str:
    """A checkout's commit, abbreviated (names the side in the output)."""
    return subprocess.run(["git", "-C", str(side), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True).stdout.strip() or side.name


def _revision(side: Path) -> str:
    out = subprocess.run(["git", "-C", str(side), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(side), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    return (out.stdout.strip()[:70] or "?") + (" (+ uncommitted changes)" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--ref", type=Path, action="append", help="a reference checkout with its own .venv, e.g. a worktree of 7e375fe (repeat to time several)"
    )
    parser.add_argument("--quick", action="store_true", help="200 runs, best of 2")
    parser.add_argument("--runs", type=int, default=None, help="runs per batch (default 1000, quick 200)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=None, help="rounds; the best of each side is compared (default 3, quick 2)")
    parser.add_argument("--split", action="store_true", help="also estimate each side's per-run split (model vs overhead), once, before the rounds")
    parser.add_argument("--child", choices=("batch", "split"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "batch":
        print(json.dumps(batch(args.runs, args.steps, args.workers)))
        return 0
    if args.child == "split":
        print(json.dumps(split(args.steps)))
        return 0
    if not args.ref:
        parser.error("--ref REF_CHECKOUT is required")
    refs = [r.resolve() for r in args.ref]
    for ref in refs:
        if not (ref / ".venv" / "bin" / "python").exists():
            parser.error(f"{ref}/.venv/bin/python not found: set up the reference's virtualenv (cd {ref} && make .venv/.installed-stamp)")
    runs = args.runs or (200 if args.quick else 1000)
    repeat = args.repeat or (2 if args.quick else 3)
    sides = [*((_short(ref), ref) for ref in refs), ("tree", TREE)]
    width = max(len(name) for name, _ in sides)

    print(f"spacesim batch, side by side  {time.strftime('%Y-%m-%dT%H:%M:%S')}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    for name, side in sides:
        print(f"{name:{width}s}: {side}  {_revision(side)}")
    print(f"batch: {runs} baseline runs x {args.steps} steps, {args.workers} workers, runs + steps tables; best of {repeat}, alternating")
    print()
    if args.split:
        for name, side in sides:
            s = child("split", side, runs, args.steps, args.workers)
            model, overhead = s["construct"] + s["run"], s["tables"] + s["transfer"] + s["commit"]
            print(
                f"split {name:{width}s} (ms/run, one process, load {os.getloadavg()[0]:.2f}): construct {s['construct']:.2f}, steps {s['run']:.2f}, "
                f"tables {s['tables']:.2f}, transfer {s['transfer']:.2f}, commit {s['commit']:.2f}; "
                f"model {model:.1f} vs overhead {overhead:.1f}; worker start-up {s['startup_s']:.2f} s",
                flush=True,
            )
        print()
    times: dict[str, list[float]] = {name: [] for name, _ in sides}
    for r in range(repeat):
        for name, side in sides:
            load = os.getloadavg()[0]
            res = child("batch", side, runs, args.steps, args.workers)
            times[name].append(res["seconds"])
            print(
                f"round {r + 1}  {name:{width}s} {res['seconds']:7.2f} s  ({runs / res['seconds']:6.1f} runs/s, {res['cpu']:6.1f} CPU s; "
                f"load average {load:.2f} before)",
                flush=True,
            )
    best = {name: min(t) for name, t in times.items()}
    print()
    for name, _ in sides:
        print(f"best of {repeat}, {name:{width}s}: {best[name]:.2f} s (all: {', '.join(f'{t:.2f}' for t in times[name])})")
    for name, _ in sides[:-1]:
        ratio = best[name] / best["tree"]
        print(
            f"ratio {name} / tree: {ratio:.2f}x"
            + (f" (target >= {TARGET_RATIO:g}x): {'PASS' if ratio >= TARGET_RATIO else 'MISS'}" if name == "7e375fe" else "")
        )
    print(f"load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
