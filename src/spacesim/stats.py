"""The statistics spacesim reports, each one call of scipy.stats: the t-interval of a mean and the bootstrap intervals of a paired difference.

It sits at the bottom of the package (beside :mod:`spacesim.outcomes`)
rather than in ``analysis/``, because the batch engine's adaptive
replication (:mod:`spacesim.experiment.replication`) needs the t-interval
too, and the experiment layer never imports the analysis layer.

scipy.stats is imported inside the functions: every batch worker imports
modules that import this one and never calls it, and scipy.stats costs about
half a second to import.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np


class MeanInterval(NamedTuple):
    """Count, mean, standard deviation and the confidence interval of the mean of the finite values."""

    n: int
    mean: float
    sd: float
    low: float
    high: float


def mean_interval(values: Iterable[float | None], confidence: float = 0.95) -> MeanInterval:
    """The Student-t interval of the mean of the finite values (``scipy.stats.t.interval`` around the mean, scale the standard error).

    With one value the mean is given and the rest is NaN; with none, all is NaN.

    >>> n, mean, sd, low, high = mean_interval([1.0, 2.0, 3.0, float("nan")])
    >>> n, mean, sd, round(low, 3), round(high, 3)
    (3, 2.0, 1.0, -0.484, 4.484)
    >>> tuple(mean_interval([5.0]))
    (1, 5.0, nan, nan, nan)
    """
    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    n = int(x.size)
    if n == 0:
        return MeanInterval(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return MeanInterval(1, mean, math.nan, math.nan, math.nan)
    from scipy import stats

    sd = float(x.std(ddof=1))
    if sd == 0:  # scipy gives NaN for a zero scale; the interval of identical values is the value
        return MeanInterval(n, mean, 0.0, mean, mean)
    low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=sd / math.sqrt(n))
    return MeanInterval(n, mean, sd, float(low), float(high))


def halfwidth(values: Iterable[float], confidence: float = 0.95) -> float:
    """Half-width of the t-interval of the mean of the non-NaN values (:func:`mean_interval`); infinite with fewer than two values.

    >>> round(halfwidth(np.array([1.0, 2.0, 3.0, 4.0])), 4)
    2.0543
    >>> halfwidth(np.array([1.0]))
    inf
    """
    interval = mean_interval(values, confidence)
    if interval.n < 2:
        return math.inf
    return (interval.high - interval.low) / 2


def t_quantile(dof: int, confidence: float = 0.95) -> float:
    """The factor of a two-sided t-interval: the ``(1 + confidence) / 2`` quantile of Student's t with ``dof`` degrees of freedom."""
    from scipy import stats

    return float(stats.t.ppf((1 + confidence) / 2, dof))


class DifferenceIntervals(NamedTuple):
    """Per row: the percentile bootstrap interval of the mean paired difference B - A, and of the difference of the means resampled unpaired."""

    low: np.ndarray
    high: np.ndarray
    unpaired_low: np.ndarray
    unpaired_high: np.ndarray


#: Rows bootstrapped together (sharing their resamples); a constant, so that a row's interval never depends on how many other rows there are.
CHUNK_ROWS = 64
#: Most numbers one resampling block of a chunk holds (``CHUNK_ROWS`` x n x scipy's ``batch``), to bound memory (8e6 numbers: 64 MB).
BLOCK_ELEMENTS = 8_000_000


def difference_intervals(a: np.ndarray, b: np.ndarray, n_resamples: int, seed: int, confidence: float = 0.95) -> DifferenceIntervals:
    """Percentile bootstrap intervals of B - A for rows of ``n`` pairs (``a`` and ``b`` are rows x n), by ``scipy.stats.bootstrap``.

    The paired interval resamples the pairs (``paired=True``), the unpaired
    one resamples A's values and then B's independently (``paired=False``).
    Rows are taken :data:`CHUNK_ROWS` at a time; each chunk draws from a
    fresh ``numpy.random.default_rng(seed)``, first the paired resamples,
    then the unpaired ones, and its rows share them (scipy resamples along
    the last axis). scipy's ``batch`` depends on ``n`` only, so a row's
    interval depends only on its own values, ``n``, the seed and
    ``n_resamples``. With ``n_resamples * n * CHUNK_ROWS`` up to
    :data:`BLOCK_ELEMENTS` (10,000 resamples of up to 12 pairs) the draws
    are those of the hand-written bootstrap spacesim used before (the same
    numbers); beyond, scipy draws in batches and the numbers differ within
    the bootstrap's own noise. With a single pair every resample is that
    pair, so the interval is the difference itself.

    >>> a, b = np.array([[1.0, 2.0, 3.0]]), np.array([[2.0, 2.5, 4.0]])
    >>> r = difference_intervals(a, b, 2000, seed=0)
    >>> bool(r.low[0] <= (b - a).mean() <= r.high[0]), bool(r.high[0] - r.low[0] < r.unpaired_high[0] - r.unpaired_low[0])
    (True, True)
    """
    a, b = np.atleast_2d(np.asarray(a, dtype=float)), np.atleast_2d(np.asarray(b, dtype=float))
    rows, n = a.shape
    if n == 1:
        diff = (b - a)[:, 0]
        return DifferenceIntervals(diff, diff.copy(), diff.copy(), diff.copy())
    from scipy import stats

    def mean_of_differences(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:  # paired: the pairs' differences, averaged
        return np.mean(y - x, axis=axis)

    def difference_of_means(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:  # unpaired: the samples resampled apart
        return np.mean(y, axis=axis) - np.mean(x, axis=axis)

    batch = max(1, min(n_resamples, BLOCK_ELEMENTS // (CHUNK_ROWS * n)))
    common = {"n_resamples": n_resamples, "confidence_level": confidence, "method": "percentile", "vectorized": True, "axis": -1, "batch": batch}
    out = np.empty((4, rows))
    for start in range(0, rows, CHUNK_ROWS):
        part = slice(start, start + CHUNK_ROWS)
        rng = np.random.default_rng(seed)
        paired = stats.bootstrap((a[part], b[part]), mean_of_differences, paired=True, rng=rng, **common).confidence_interval
        unpaired = stats.bootstrap((a[part], b[part]), difference_of_means, paired=False, rng=rng, **common).confidence_interval
        out[:, part] = paired.low, paired.high, unpaired.low, unpaired.high
    return DifferenceIntervals(*out)
