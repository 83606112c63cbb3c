"""Priors of the fitted parameters: uniform, log-uniform and truncated normal, within each parameter's declared range.

Each prior is a frozen :mod:`scipy.stats` distribution; pyabc samples and
weighs particles with it (:func:`pyabc_prior`), and the plots draw its
density under the posterior.

>>> from spacesim.calibration.spec import PriorSpec
>>> d = frozen("trust_floor", PriorSpec(prior="truncnorm", mean=0.35, sd=0.1, low=0.1, high=0.6))
>>> round(float(d.cdf(0.1)), 6), round(float(d.cdf(0.6)), 6)
(0.0, 1.0)
>>> round(float(frozen("asat_rate", PriorSpec(prior="log_uniform", low=0.001, high=0.1)).median()), 4)
0.01
"""

from __future__ import annotations

from typing import Any

from scipy import stats

from .spec import PriorKind, PriorSpec, prior_bounds


def _mean_sd(prior: PriorSpec) -> tuple[float, float]:
    if prior.mean is None or prior.sd is None:  # refused when the calibration file is read
        raise ValueError("a truncated normal prior needs mean and sd")
    return float(prior.mean), float(prior.sd)


def frozen(name: str, prior: PriorSpec) -> Any:
    """The prior of parameter ``name`` as a frozen scipy.stats distribution on its [low, high]."""
    low, high = prior_bounds(name, prior)
    if prior.prior == PriorKind.uniform:
        return stats.uniform(loc=low, scale=high - low)
    if prior.prior == PriorKind.log_uniform:
        return stats.loguniform(low, high)
    mean, sd = _mean_sd(prior)
    return stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)


def scipy_args(name: str, prior: PriorSpec) -> tuple[str, tuple[float, ...], dict[str, float]]:
    """The scipy.stats name, positional and keyword arguments of a prior (how pyabc's ``RV`` builds it)."""
    low, high = prior_bounds(name, prior)
    if prior.prior == PriorKind.uniform:
        return "uniform", (), {"loc": low, "scale": high - low}
    if prior.prior == PriorKind.log_uniform:
        return "loguniform", (low, high), {}
    mean, sd = _mean_sd(prior)
    return "truncnorm", ((low - mean) / sd, (high - mean) / sd), {"loc": mean, "scale": sd}


def pyabc_prior(fit: dict[str, PriorSpec]) -> Any:
    """The joint prior (independent parameters) as a ``pyabc.Distribution``."""
    import pyabc

    return pyabc.Distribution(**{name: pyabc.RV(kind, *args, **kwargs) for name, (kind, args, kwargs) in ((n, scipy_args(n, p)) for n, p in fit.items())})


def describe(name: str, prior: PriorSpec) -> str:
    """A prior in words, e.g. ``uniform on [0, 1]``.

    >>> describe("legal_clarity", PriorSpec(low=0.2, high=0.8))
    'uniform on [0.2, 0.8]'
    """
    low, high = prior_bounds(name, prior)
    if prior.prior == PriorKind.truncnorm:
        return f"normal (mean {prior.mean:g}, sd {prior.sd:g}) cut to [{low:g}, {high:g}]"
    return f"{prior.prior.value.replace('_', '-')} on [{low:g}, {high:g}]"
