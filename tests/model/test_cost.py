"""The memory a run is estimated to need, against what tracemalloc sees it take (NumPy reports its buffers to tracemalloc)."""

from __future__ import annotations

import tracemalloc

import numpy as np

from spacesim import SpaceModel, load_scenario, shipped_scenario
from spacesim.model.cost import NATION_STEP_BYTES, TRANSIENT_PAIR_BYTES, pair_bytes, run_bytes
from spacesim.output.run_result import run_scenario
from spacesim.scenario.loader import scenario_from_data


def _world(n: int, steps: int):
    nations = [
        {"name": f"N{i}", "code": f"N{i:04d}", "sovereignty": 0.5, "capability": float(1 + i % 7), "bloc": ("west", "east", None)[i % 3]} for i in range(n)
    ]
    frameworks = [{"name": "F", "code": "F", "members": [f"N{i:04d}" for i in range(0, n, 5)], "integration": 0.5}]
    return scenario_from_data({"schema_version": 1, "name": "w", "description": "d", "steps": steps, "nations": nations, "frameworks": frameworks}, "w.yaml")


def _peak(work) -> int:
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        work()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_pair_bytes_counts_every_kept_n_by_n_array():
    """Seven N x N arrays of the state (evidence, priors, interoperability, agreement depth and id), the co-membership
    cache, and the step's six working arrays: 14 x 8 bytes today."""
    model = SpaceModel(_world(7, 2), rng=0)
    model.step()
    state_arrays = sum(v.nbytes for v in vars(model.state).values() if isinstance(v, np.ndarray) and v.shape[-2:] == (7, 7))
    assert state_arrays >= 7 * 8 * 49
    assert pair_bytes() >= state_arrays // 49 + 8 * 5  # and working arrays beyond the state: trust, intensity, three draws
    assert pair_bytes() % 8 == 0


def test_the_estimate_bounds_the_peak_of_a_large_world():
    spec = _world(500, 3)
    SpaceModel(_world(10, 1), rng=0).run()  # compiled code loaded before measuring
    peak = _peak(lambda: SpaceModel(spec, rng=0).run())
    estimate = run_bytes(500, 3)
    assert peak <= 1.2 * estimate, (
        f"peak {peak / 500**2:.0f} bytes a pair, estimated {estimate / 500**2:.0f} ({pair_bytes()} kept + {TRANSIENT_PAIR_BYTES} transient)"
    )
    assert estimate <= 1.5 * peak


def test_the_estimate_bounds_the_peak_of_a_long_run_and_its_tables():
    spec = load_scenario(shipped_scenario("baseline")).with_parameters(steps=2000)
    run_scenario(spec.with_parameters(steps=2))

    def run_and_tabulate() -> None:
        result = run_scenario(spec)
        result.steps, result.nations  # noqa: B018 - built, as a run's folder builds them

    peak = _peak(run_and_tabulate)
    estimate = run_bytes(34, 2000)
    assert peak <= 1.2 * estimate, f"peak {peak / 2001 / 34:.0f} bytes a nation and step, estimated {NATION_STEP_BYTES}"
    assert estimate <= 1.5 * peak
