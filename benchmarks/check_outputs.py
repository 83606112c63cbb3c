"""Check that a change to the model leaves every output number as it was.

Usage:
    .venv/bin/python benchmarks/check_outputs.py dump  /tmp/ref     # at the reference commit
    .venv/bin/python benchmarks/check_outputs.py check /tmp/ref     # after a change: exit 1 on any difference

Cases: every shipped scenario with seeds 0, 1 and 2 at its own length, the
baseline at 200 steps (the batch benchmark's length), the baseline with
bilateral or multilateral partnerships forbidden (the policy branches of the
step), and a synthetic 150-nation scenario (60 steps, seed 0; it takes the
paths used above ``DENSE_UP_TO`` nations). For each, the five tables
``steps_frame``, ``nations_frame``, ``events_frame``, ``revisions_frame`` and
``partnerships_frame`` after ``SpaceModel(spec, rng=seed).run()`` are
pickled by ``dump`` and compared by ``check``: exactly, and, if not exactly,
the largest relative difference of float columns is reported (a difference
up to 1e-12 is reported but tolerated; prefer exact). Columns the reference
lacks (a new outcome) are listed as additions and the reference's columns
compared; a column missing from the new tables is a difference.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_scenario  # noqa: E402

from spacesim import SpaceModel, load_scenario, shipped_scenario, shipped_scenarios  # noqa: E402
from spacesim.scenario import ScenarioSpec, apply_overrides  # noqa: E402

TABLES = ("steps_frame", "nations_frame", "events_frame", "partnerships_frame", "revisions_frame")
SEEDS = (0, 1, 2)
TOLERANCE = 1e-12


def cases() -> Iterator[tuple[str, ScenarioSpec, int]]:
    """(case name, scenario, seed) for every compared run."""
    for name in sorted(shipped_scenarios()):
        spec = load_scenario(shipped_scenario(name))
        for seed in SEEDS:
            yield f"{name}-s{seed}", spec, seed
    base = load_scenario(shipped_scenario("baseline"))
    for seed in (0, 5):
        yield f"baseline200-s{seed}", apply_overrides(base, {"steps": 200}), seed
    yield "baseline-no-bilateral-s3", apply_overrides(base, {"allow_bilateral": False}), 3
    yield "baseline-no-multilateral-s3", apply_overrides(base, {"allow_multilateral": False}), 3
    yield "synthetic150-s0", synthetic_scenario(150, seed=0, steps=60), 0


def tables(spec: ScenarioSpec, seed: int) -> dict[str, pd.DataFrame]:
    """The five output tables of one run."""
    model = SpaceModel(spec, rng=seed)
    model.run()
    return {t: getattr(model, t)() for t in TABLES}


def largest_float_difference(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Largest relative difference over float columns of two tables of the same shape and columns (inf if they differ otherwise)."""
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return float("inf")
    worst = 0.0
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            if not np.array_equal(np.isnan(xv), np.isnan(yv)):
                return float("inf")
            ok = ~np.isnan(xv)
            rel = np.abs(xv[ok] - yv[ok]) / np.maximum(np.abs(xv[ok]), 1e-300)
            worst = max(worst, float(rel.max(initial=0.0)))
        elif not x.equals(y):
            return float("inf")
    return worst


def shared_columns(got: pd.DataFrame, ref: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``got`` restricted to the reference's columns, and the columns it adds (a new outcome), when it has every
    reference column in the reference's order; else ``got`` as it is (the comparison then reports the difference)."""
    more = [c for c in got.columns if c not in ref.columns]
    kept = [c for c in got.columns if c in ref.columns]
    if not more or kept != list(ref.columns):
        return got, []
    return got[kept], more


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("dump", "check"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    failed = new = 0
    added: dict[str, list[str]] = {}  # table -> columns the reference lacks (a new outcome)
    for name, spec, seed in cases():
        path = args.folder / f"{name}.pkl"
        if args.action == "check" and not path.exists():  # a scenario shipped after the reference was dumped
            print(f"{name}: new (the reference has no such case)")
            new += 1
            continue
        got = tables(spec, seed)
        if args.action == "dump":
            path.write_bytes(pickle.dumps(got))
            print(f"dumped {name}: " + ", ".join(f"{t} {df.shape}" for t, df in got.items()))
            continue
        ref = pickle.loads(path.read_bytes())
        notes = []
        for t in TABLES:
            table, more = shared_columns(got[t], ref[t])
            if more:
                added.setdefault(t, more)
            if table.equals(ref[t]) and list(table.dtypes) == list(ref[t].dtypes):
                continue
            diff = largest_float_difference(table, ref[t])
            notes.append(f"{t}: max rel diff {diff:.3g}")
            if not diff <= TOLERANCE:
                failed += 1
        print(f"{name}: {'identical' if not notes else '; '.join(notes)}")
    if args.action == "check":
        print(("ALL EQUAL" if not failed else f"{failed} TABLE(S) DIFFER") + (f" ({new} new cases not compared)" if new else ""))
        for t, more in added.items():
            print(f"{t}: new columns, not in the reference (its columns compared): {', '.join(more)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
