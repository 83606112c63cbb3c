"""What one run costs before it starts: memory from its nations and steps, time from a measured speed.

Memory has two parts. The pairwise state (trust evidence, priors,
interoperability, agreements) and the step's kept working arrays are
N x N; their bytes per pair are counted from a real model of a few nations
after one step (every array the model keeps whose last two axes are
nations), so a new N x N array changes the estimate without anyone editing
a number here. On top come the step's temporaries and, per nation and
step, the record and the tables built from it, both measured (see the
constants). ``tests/model/test_cost.py`` checks the estimate against the
peak that ``tracemalloc`` sees.

Time is a declared speed measured by ``benchmarks/bench_model.py``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: Bytes per pair of a step's N x N temporaries above the kept arrays, with what grows with the nations alone
#: (tracemalloc peak minus kept arrays and record at 300 and 600 nations, 3 steps: 24 and 9 bytes a pair).
TRANSIENT_PAIR_BYTES = 24

#: Bytes per nation and step of the record and the tables built from it at the end of a run
#: (tracemalloc peak of run_scenario plus its steps and nations tables, baseline scenario,
#: 5,000 and 20,000 steps: 316 and 317 bytes; with learned trust (issue 15) 442 bytes at 2,000 steps,
#: most of the rise in the ledger's revisions of agreements' depth, which now change more often).
NATION_STEP_BYTES = 445

#: Seconds a step takes: a fixed part plus a part per nation pair, fitted to the model benchmark's
#: last output (benchmarks/README.md, commit 20b2024, 2 cores AMD EPYC, a slow host): 0.53 ms a step
#: at 34 nations, 98.7 ms at 1,000 (95 ns a pair), 14.4 ms at 400.
STEP_SECONDS = 0.45e-3
PAIR_STEP_SECONDS = 95e-9


@lru_cache(maxsize=1)
def pair_bytes() -> int:
    """Bytes per nation pair of every N x N array a model keeps after a step (state, caches and working arrays).

    >>> pair_bytes() >= 7 * 8  # at least trust evidence, priors, interoperability and agreements, float64 each
    True
    """
    from ..scenario.loader import scenario_from_data
    from .space_model import SpaceModel

    n = 5
    nations = [{"name": f"N{i}", "code": f"N{i}", "sovereignty": 0.5, "capability": 1.0} for i in range(n)]
    spec = scenario_from_data({"schema_version": 1, "name": "probe", "description": "the arrays of a model", "steps": 1, "nations": nations, "frameworks": [{"name": "F", "code": "F", "members": ["N0", "N1"], "integration": 0.5}]}, "<cost probe>")
    model = SpaceModel(spec, rng=0)
    model.step()
    total = sum(a.nbytes for a in _arrays(model) if a.ndim >= 2 and a.shape[-2:] == (n, n))
    return total // (n * n)


def _arrays(model: object) -> list[np.ndarray]:
    """Every distinct array reachable from the model's attributes, their attributes and the values of their dicts (two levels)."""
    found: dict[int, np.ndarray] = {}
    todo: list[tuple[object, int]] = [(model, 0)]
    while todo:
        obj, depth = todo.pop()
        values = obj.values() if isinstance(obj, dict) else vars(obj).values() if hasattr(obj, "__dict__") else ()
        for value in values:
            if isinstance(value, np.ndarray):
                while isinstance(value.base, np.ndarray):  # a view counts as the array it shows
                    value = value.base
                found[id(value)] = value
            elif depth < 2 and (isinstance(value, dict) or type(value).__module__.startswith("spacesim.")):
                todo.append((value, depth + 1))
    return list(found.values())


def run_bytes(n_nations: int, steps: int) -> int:
    """Estimated peak memory of one run and its tables, in bytes."""
    return n_nations * n_nations * (pair_bytes() + TRANSIENT_PAIR_BYTES) + (steps + 1) * n_nations * NATION_STEP_BYTES


def run_seconds(n_nations: int, steps: int) -> float:
    """Estimated seconds of one run on one core of the benchmark machine.

    >>> round(run_seconds(1000, 100), 1)  # the benchmark measured 9.87 s
    9.5
    """
    return steps * (STEP_SECONDS + PAIR_STEP_SECONDS * n_nations * n_nations)
