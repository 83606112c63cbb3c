"""spacesim.stats against scipy.stats called directly: the t-interval of a mean and the paired bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from spacesim.stats import BLOCK_ELEMENTS, CHUNK_ROWS, difference_intervals, halfwidth, mean_interval, t_quantile


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_mean_interval_is_scipys_t_interval(confidence):
    x = np.random.default_rng(3).normal(5, 2, 17)
    n, mean, sd, low, high = mean_interval(list(x) + [float("nan"), None, float("inf")], confidence)  # non-finite values are left out
    expected = scipy_stats.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=scipy_stats.sem(x))
    assert n == 17 and mean == pytest.approx(x.mean()) and sd == pytest.approx(x.std(ddof=1))
    assert (low, high) == pytest.approx(expected, rel=1e-12)
    assert halfwidth(x, confidence) == pytest.approx((expected[1] - expected[0]) / 2, rel=1e-12)
    assert t_quantile(len(x) - 1, confidence) == pytest.approx(scipy_stats.t.ppf((1 + confidence) / 2, len(x) - 1))


def test_mean_interval_edges():
    assert tuple(mean_interval([])) == pytest.approx((0, math.nan, math.nan, math.nan, math.nan), nan_ok=True)
    assert tuple(mean_interval([2.0])) == pytest.approx((1, 2.0, math.nan, math.nan, math.nan), nan_ok=True)
    assert tuple(mean_interval([2.0, 2.0, 2.0])) == (3, 2.0, 0.0, 2.0, 2.0)  # no spread: the interval is the value
    assert halfwidth([1.0]) == math.inf and halfwidth([1.0, float("nan")]) == math.inf


def _scipy_direct(a, b, n, seed, confidence, paired):
    rng = np.random.default_rng(seed)
    diff = lambda x, y, axis=-1: np.mean(y, axis=axis) - np.mean(x, axis=axis)  # noqa: E731
    first = scipy_stats.bootstrap(
        (a, b), lambda x, y, axis=-1: np.mean(y - x, axis=axis), paired=True, n_resamples=n, confidence_level=confidence, method="percentile", rng=rng
    )
    if paired:
        return first.confidence_interval
    return scipy_stats.bootstrap((a, b), diff, paired=False, n_resamples=n, confidence_level=confidence, method="percentile", rng=rng).confidence_interval


def test_difference_intervals_are_scipys_bootstrap_with_the_same_generator():
    rng = np.random.default_rng(8)
    a = rng.normal(0, 1, (3, 10))
    b = a + rng.normal(0.3, 0.5, (3, 10))
    got = difference_intervals(a, b, 2000, seed=5, confidence=0.9)
    for row in range(3):
        paired = _scipy_direct(a[row], b[row], 2000, 5, 0.9, paired=True)
        unpaired = _scipy_direct(a[row], b[row], 2000, 5, 0.9, paired=False)
        np.testing.assert_allclose([got.low[row], got.high[row]], [paired.low, paired.high], rtol=1e-12)
        np.testing.assert_allclose([got.unpaired_low[row], got.unpaired_high[row]], [unpaired.low, unpaired.high], rtol=1e-12)


def test_a_row_does_not_depend_on_how_many_rows_are_bootstrapped_with_it():
    rng = np.random.default_rng(9)
    a = rng.normal(0, 1, (CHUNK_ROWS + 5, 30))  # 30 pairs: scipy draws in batches here
    b = a + rng.normal(0.2, 1.0, a.shape)
    assert 10_000 * 30 * CHUNK_ROWS > BLOCK_ELEMENTS
    all_rows = difference_intervals(a, b, 10_000, seed=1)
    last = difference_intervals(a[-1:], b[-1:], 10_000, seed=1)
    np.testing.assert_allclose([x[-1] for x in all_rows], [x[0] for x in last], rtol=1e-12)


def test_one_pair_gives_the_difference_itself():
    got = difference_intervals(np.array([[1.0]]), np.array([[4.0]]), 100, seed=0)
    assert [float(x[0]) for x in got] == [3.0, 3.0, 3.0, 3.0]
