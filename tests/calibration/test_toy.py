"""A toy model with a known posterior through the calibration pipeline (run_abc, posterior, summary).

Data: n draws from a normal of unknown mean and known sd; the summary is the
sample mean, which is sufficient, so ABC with a small epsilon approaches the
exact posterior: under a flat prior wide enough not to cut it, normal with
mean = the observed mean and sd = sd / sqrt(n).
"""

from __future__ import annotations

import numpy as np
import pytest

from spacesim.calibration.results import summarise
from spacesim.calibration.runner import posterior_of, run_abc
from spacesim.calibration.spec import AbcSettings, PriorSpec

N, SD, OBSERVED = 4, 1.0, 5.0


class NormalMean:
    """The toy model: |mean of n normal draws around the parameter - the observed mean|."""

    def __call__(self, parameters):
        x = np.random.normal(parameters["debris_source"], SD, N).mean()
        return {"mean": abs(x - OBSERVED)}


@pytest.mark.statistical
def test_normal_mean_posterior_is_recovered(tmp_path):
    settings = AbcSettings(population=400, generations=6, posterior_draws=2)
    outcome = run_abc(NormalMean(), {"debris_source": PriorSpec(low=0.0, high=10.0)}, {"mean": 1.0}, settings, str(tmp_path / "abc.db"), seed=3, workers=1)
    particles, weights, t = posterior_of(outcome.history)
    assert t == settings.generations - 1
    assert len(particles) == settings.population
    posterior = particles.assign(weight=weights)
    s = summarise(posterior, ["debris_source"])["debris_source"]
    exact_sd = SD / np.sqrt(N)
    ess = 1.0 / np.sum(weights**2)  # the importance weights' effective sample size sets the Monte Carlo error
    assert ess > 100
    assert s.mean == pytest.approx(OBSERVED, abs=4 * exact_sd / np.sqrt(ess))
    assert s.sd == pytest.approx(exact_sd, rel=0.2)
    assert s.q05 == pytest.approx(OBSERVED - 1.645 * exact_sd, abs=0.25)
    assert s.q95 == pytest.approx(OBSERVED + 1.645 * exact_sd, abs=0.25)
    # epsilon falls from generation to generation
    eps = [g.epsilon for g in outcome.generations]
    assert all(b < a for a, b in zip(eps, eps[1:]))


def test_same_seed_one_worker_gives_the_same_posterior(tmp_path):
    settings = AbcSettings(population=50, generations=3, posterior_draws=2)
    prior = {"debris_source": PriorSpec(low=0.0, high=10.0)}
    runs = []
    for k in range(2):
        outcome = run_abc(NormalMean(), prior, {"mean": 1.0}, settings, str(tmp_path / f"abc{k}.db"), seed=5, workers=1)
        particles, weights, _ = posterior_of(outcome.history)
        runs.append((particles["debris_source"].to_numpy(), weights))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
