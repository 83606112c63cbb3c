"""Profile SpaceModel on a shipped or synthetic scenario.

Usage:
    .venv/bin/python benchmarks/profile_model.py --nations 1000 --steps 20
    .venv/bin/python benchmarks/profile_model.py --scenario baseline --steps 200
    .venv/bin/python benchmarks/profile_model.py --nations 1000 --tool pyinstrument

cProfile (the default) prints the functions of highest own time and of highest
cumulative time; pyinstrument (``pip install pyinstrument``) prints a call
tree. Only model construction and the run are profiled.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_scenario  # noqa: E402

from spacesim import SpaceModel, load_scenario, shipped_scenario  # noqa: E402
from spacesim.scenario import apply_overrides  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--nations", type=int, help="profile a synthetic scenario of this many nations")
    what.add_argument("--scenario", default="baseline", help="profile a shipped scenario (default baseline)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tool", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--top", type=int, default=25, help="rows of the cProfile tables")
    args = parser.parse_args(argv)

    if args.nations:
        spec = synthetic_scenario(args.nations, seed=args.seed, steps=args.steps)
    else:
        spec = apply_overrides(load_scenario(shipped_scenario(args.scenario)), {"steps": args.steps})
    print(f"profiling {spec.name}: {len(spec.nations)} nations, {args.steps} steps")

    def work() -> None:
        SpaceModel(spec, rng=args.seed).run()

    work_small = synthetic_scenario(10, steps=2)
    SpaceModel(work_small).run()  # warm-up

    if args.tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        work()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        return 0

    prof = cProfile.Profile()
    prof.enable()
    work()
    prof.disable()
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
