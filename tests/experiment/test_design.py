"""Designs: factorial counts, Latin hypercube and Sobol' shapes and bounds, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from spacesim.experiment import build_design, load_experiment, parse_experiment
from spacesim.experiment.design import default_chunk_size, replicate_seeds, sample_points
from spacesim.scenario.experiment import SampleMethod


def _experiment(workdir, body: str):
    return parse_experiment("schema_version: 1\nname: t\ndescription: d\nscenario: teaching_small.yaml\n" + body, "t.yaml", base_dir=workdir)


def test_full_factorial_counts(workdir):
    e = _experiment(workdir, "replicates: 2\nvary:\n  grid:\n    legal_clarity: [0.1, 0.5, 0.9]\n    allow_bilateral: [true, false]\n")
    d = build_design(e)
    assert len(d.points) == 6 and len(d.tasks) == 12
    assert {(p["legal_clarity"], p["allow_bilateral"]) for p in d.points} == {(c, b) for c in (0.1, 0.5, 0.9) for b in (True, False)}
    assert [t.run_id for t in d.tasks] == list(range(12))


@pytest.mark.parametrize("method,n", [("latin_hypercube", 10), ("sobol", 16)])
def test_sampled_designs_have_their_shape_and_stay_in_bounds(workdir, method, n):
    body = f"replicates: 1\nvary:\n  sample:\n    method: {method}\n    n: {n}\n    ranges:\n      legal_clarity: [0.2, 0.6]\n      trust_gain: [0.1, 1.0]\n"
    d = build_design(_experiment(workdir, body))
    values = np.array([[p["legal_clarity"], p["trust_gain"]] for p in d.points])
    assert values.shape == (n, 2)
    assert values[:, 0].min() >= 0.2 and values[:, 0].max() <= 0.6
    assert values[:, 1].min() >= 0.1 and values[:, 1].max() <= 1.0
    assert len({tuple(v) for v in values}) == n
    assert d.points == build_design(_experiment(workdir, body)).points  # seeded: the same points again


def test_latin_hypercube_puts_one_point_in_each_stratum():
    pts = sample_points(SampleMethod.latin_hypercube, 8, {"legal_clarity": (0.0, 1.0), "trust_gain": (0.0, 2.0)}, seed=3)
    for name, width in (("legal_clarity", 1.0), ("trust_gain", 2.0)):
        assert sorted(int(p[name] / width * 8) for p in pts) == list(range(8))


def test_grid_crossed_with_sample(workdir):
    body = (
        "vary:\n  grid:\n    allow_bilateral: [true, false]\n  sample:\n    method: sobol\n    n: 4\n    ranges:\n      legal_clarity: [0, 1]\nreplicates: 1\n"
    )
    d = build_design(_experiment(workdir, body))
    assert len(d.points) == 8
    assert d.varied == ["allow_bilateral", "legal_clarity"]


def test_replicate_seeds_are_distinct_reproducible_and_depend_on_the_base_seed():
    a = replicate_seeds(1, 5, 40)
    assert len(set(a.ravel().tolist())) == 200
    assert (a == replicate_seeds(1, 5, 40)).all()
    assert not set(a.ravel().tolist()) & set(replicate_seeds(2, 5, 40).ravel().tolist())
    assert (a >= 0).all()
    # Adding replicates keeps the seeds of the existing ones (SeedSequence spawning is prefix-stable).
    assert (replicate_seeds(1, 5, 41)[:, :40] == a).all()


def test_variants_share_seeds_and_points_do_not(small_experiment):
    d = build_design(load_experiment(small_experiment))
    by = {(t.point, t.variant, t.replicate): t.seed for t in d.tasks}
    for point in (0, 1):
        for r in range(3):
            assert by[(point, "both", r)] == by[(point, "bilateral only", r)]
    assert len(set(by.values())) == 6  # 2 points x 3 replicates
    settings = {(t.point, t.variant): t.settings for t in d.tasks}
    assert settings[(1, "bilateral only")] == {"legal_clarity": 0.8, "allow_multilateral": False}


def test_chunk_size_is_about_four_chunks_per_worker():
    assert default_chunk_size(1000, 2) == 50
    assert default_chunk_size(40, 2) == 5
    assert default_chunk_size(3, 8) == 1
