"""C1, C7, C12: coverage pooled through agreements and frameworks (docs/model.md 3.3.1).

A nation's coverage is its own effective capability plus what partners share
with it; security grows with coverage with diminishing returns
(:func:`spacesim.model.equations.security`). The formulas are in
:mod:`spacesim.model.equations`; this module composes them over the arrays.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import bilateral_pooled, effective_capability, framework_pooled, share_factor
from ..state import WorldState, parameter_record


def coverage(state: WorldState, p: SimpleNamespace, pooled: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Effective capability, coverage received bilaterally (sum_j X[i, j]), framework pooled matrix Y (N x F), total coverage per nation.

    ``pooled`` reuses a framework pooled matrix computed earlier in the step
    (valid while capabilities, interoperability and memberships are unchanged).
    """
    compute_pooled = pooled is None
    k_eff, x, pooled, total = _coverage(state.capability, state.commercial, state.tie_depth, state.interop, state.membership, state.integration, _NO_POOL if compute_pooled else pooled, compute_pooled, parameter_record(p))
    return k_eff, x, pooled, total


_NO_POOL = np.empty((0, 0))  # stands for "compute the pooled matrix" (one argument type for the compiled pass either way)


@njit(cache=True)
def _coverage(capability, commercial, tie_depth, interop, membership, integration, pooled, compute_pooled, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    n, f_count = membership.shape
    sf = share_factor(p.sharing_strictness, p.strictness_share_loss)
    k_eff = np.empty(n)
    for i in range(n):
        k_eff[i] = effective_capability(capability[i], commercial[i], p.commercial_integration)
    received = np.zeros(n)
    for i in range(n):
        for j in range(n):
            if tie_depth[i, j] > 0:
                received[i] += bilateral_pooled(tie_depth[i, j], interop[i, j], sf, k_eff[j])
    if compute_pooled:
        pooled = np.empty((n, f_count))
        for f in range(f_count):
            members = np.flatnonzero(membership[:, f])
            for i in range(n):
                cov = 0.0  # sum over the other members j of interop[i, j] k_eff[j]
                for j in members:
                    if j != i:
                        cov += interop[i, j] * k_eff[j]
                pooled[i, f] = framework_pooled(cov, integration[f], sf, p.framework_standard_bonus)
    total = np.empty(n)
    for i in range(n):
        from_frameworks = 0.0
        for f in range(f_count):
            if membership[i, f]:
                from_frameworks += pooled[i, f]
        total[i] = k_eff[i] + received[i] + from_frameworks
    return k_eff, received, pooled, total
