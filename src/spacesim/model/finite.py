"""A run whose state stops being finite is stopped as failed, naming the step and the variable.

Long runs can overflow: a nation whose capability grows by 1.2% a step
passes the largest float64 after about 59,000 steps, and everything
computed from it (inequality, coverage, threat) turns to NaN. A table of
NaN and inf must never be reported as a completed run. The check runs on
the step's recorded outcome row, which every state variable feeds (a few
dozen values, about a microsecond); only when that row is not finite are
the state's arrays searched for the variable to name.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..scenario.errors import RunFailed
from .state import WorldState

#: Outcomes that are NaN by definition when their denominator is zero (no agreement or membership at all, no bloc pairs,
#: fewer than three nations or no spread of reliability or of trust received).
UNDEFINED_WHEN_EMPTY = frozenset({"bilateral_share", "trust_within_blocs", "trust_between_blocs", "bloc_trust_gap", "trust_reliability_correlation"})

#: State searched for the culprit, per nation (vectors) or per pair (matrices), in the order a cause shows up.
_STATE_ARRAYS = ("capability", "commercial", "counterspace", "sovereignty", "threat", "alpha", "beta", "interop", "tie_depth")


class NonFiniteState(RunFailed, ArithmeticError):
    """The model's state overflowed to infinity or became NaN: the run stops as failed."""

    def __init__(self, step: int, variables: list[str], outcomes: list[str]):
        self.step, self.variables, self.outcomes = step, variables, outcomes
        cause = f" ({'; '.join(variables)})" if variables else ""
        super().__init__(f"the model's state is no longer finite at step {step}: {', '.join(outcomes)}{cause}; the run is stopped as failed")


def check_finite(step: int, row: np.ndarray, columns: Sequence[str], state: WorldState) -> None:
    """Raise :class:`NonFiniteState` when the step's outcome ``row`` (values in ``columns`` order) holds inf, or NaN where NaN is not a definition.

    >>> from types import SimpleNamespace
    >>> state = SimpleNamespace(codes=["AAA", "BBB"], capability=np.array([np.inf, 1.0]), debris=0.0, norm=0.0)
    >>> check_finite(7, np.array([7.0, np.nan]), ["step", "bilateral_share"], state)  # no agreements yet: undefined, fine
    >>> check_finite(7, np.array([7.0, np.nan]), ["step", "capability_gini"], state)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    spacesim.model.finite.NonFiniteState: the model's state is no longer finite at step 7: capability_gini = nan (capability of AAA = inf);
    the run is stopped as failed
    """
    finite = np.isfinite(row)
    if finite.all():
        return
    outcomes = [f"{name} = {value}" for name, ok, value in zip(columns, finite, row) if not ok and not (np.isnan(value) and name in UNDEFINED_WHEN_EMPTY)]
    if outcomes:
        raise NonFiniteState(step, _culprits(state), outcomes)


#: Magnitude past which a finite value is named as the likely cause: sums and products of it overflow.
NEAR_OVERFLOW = 1e300


def _culprits(state: WorldState) -> list[str]:
    """The state variables that are not finite or about to overflow, each with its first nation (or pair) and value."""
    found = []
    for name in ("debris", "norm"):
        value = getattr(state, name, 0.0)
        if not abs(value) < NEAR_OVERFLOW:
            found.append(f"{name} = {value}")
    for name in _STATE_ARRAYS:
        array = getattr(state, name, None)
        if array is None:
            continue
        bad = np.argwhere(~(np.abs(array) < NEAR_OVERFLOW))
        if len(bad):
            where = " in ".join(state.codes[i] for i in bad[0])  # alpha[i, j]: i's evidence about j
            found.append(f"{name} of {where} = {array[tuple(bad[0])]:.3g}" + (f" and {len(bad) - 1} more" if len(bad) > 1 else ""))
    return found
