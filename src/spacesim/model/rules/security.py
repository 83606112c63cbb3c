"""C1: cooperation pools coverage; security grows with it, with diminishing returns.

security_i = 1 - exp(-coverage_i / kappa), where coverage is a nation's own
effective capability plus what partners share with it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..state import WorldState, parameter_record


def share_factor(p: SimpleNamespace) -> float:
    """Part of a partner's coverage that reaches the other side: strict protocols share less (C10)."""
    return 1.0 - 0.25 * p.sharing_strictness


def bilateral_pooled(state: WorldState, k_eff: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """X[i, j]: coverage i receives from j through their bilateral agreement (0 if none)."""
    return state.tie_depth * state.interop * share_factor(p) * k_eff[None, :]


def bilateral_received(state: WorldState, k_eff: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """sum_j X[i, j]: coverage each nation receives through all its bilateral agreements (computed over the agreements only)."""
    flat, i, j = state.agreements()
    values = state.tie_depth.ravel()[flat] * state.interop.ravel()[flat] * share_factor(p) * k_eff[j]
    return np.bincount(i, weights=values, minlength=state.n)


def framework_pooled(state: WorldState, k_eff: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Y[i, f]: coverage framework f pools for nation i from its other members (whether or not i is in it)."""
    if state.membership.shape[1] == 0:
        return np.zeros((state.n, 0))
    weighted = state.membership * k_eff[:, None]  # k_j M_jf
    member_cov = state.interop @ weighted  # sum over members j of interop_ij k_j
    member_cov -= weighted  # remove i's own capability (interop_ii = 1)
    return (1.0 + p.framework_standard_bonus) * state.integration[None, :] * share_factor(p) * member_cov


def coverage(state: WorldState, p: SimpleNamespace, pooled: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Own coverage, coverage received bilaterally, framework pooled matrix, total coverage per nation.

    ``pooled`` reuses a framework pooled matrix computed earlier in the step
    (valid while capabilities, interoperability and memberships are unchanged).
    The same numbers as :func:`bilateral_received` and :func:`framework_pooled`,
    in one compiled pass.
    """
    compute_pooled = pooled is None
    k_eff, x, pooled, total = _coverage(state.capability, state.commercial, state.tie_depth, state.interop, state.membership, state.integration, _NO_POOL if compute_pooled else pooled, compute_pooled, parameter_record(p))
    return k_eff, x, pooled, total


_NO_POOL = np.empty((0, 0))  # stands for "compute the pooled matrix" (one argument type for the compiled pass either way)


@njit(cache=True)
def _coverage(capability, commercial, tie_depth, interop, membership, integration, pooled, compute_pooled, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    n, f_count = membership.shape
    sf = 1.0 - 0.25 * p.sharing_strictness  # share_factor
    k_eff = capability + p.commercial_integration * commercial
    received = np.zeros(n)
    for i in range(n):
        for j in range(n):
            if tie_depth[i, j] > 0:
                received[i] += tie_depth[i, j] * interop[i, j] * sf * k_eff[j]
    if compute_pooled:
        pooled = np.empty((n, f_count))
        for f in range(f_count):
            members = np.flatnonzero(membership[:, f])
            scale = (1.0 + p.framework_standard_bonus) * integration[f] * sf
            for i in range(n):
                cov = 0.0  # sum over the other members j of interop[i, j] k_j
                for j in members:
                    if j != i:
                        cov += interop[i, j] * k_eff[j]
                pooled[i, f] = scale * cov
    total = np.empty(n)
    for i in range(n):
        from_frameworks = 0.0
        for f in range(f_count):
            if membership[i, f]:
                from_frameworks += pooled[i, f]
        total[i] = k_eff[i] + received[i] + from_frameworks
    return k_eff, received, pooled, total


def security(cov: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Security from coverage, in [0, 1), with diminishing returns.

    >>> from types import SimpleNamespace
    >>> round(float(security(np.array([1.0]), SimpleNamespace(security_scale=1.0))[0]), 4)
    0.6321
    """
    return 1.0 - np.exp(cov / -p.security_scale)  # = exp(-cov / kappa) exactly: dividing by -kappa saves negating the array


def gain_of_adding(base: np.ndarray, added: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Rise in security when coverage ``added`` joins coverage ``base`` (arrays broadcast).

    security(base + added) - security(base) = exp(-base / kappa) (1 - exp(-added / kappa)).
    """
    return np.exp(base / -p.security_scale) * (1.0 - np.exp(added / -p.security_scale))  # x / -kappa = -x / kappa exactly


def collective_security_share(k_eff: np.ndarray, total: np.ndarray, p: SimpleNamespace, sec: np.ndarray | None = None) -> np.ndarray:
    """Share of each nation's security that comes from partners (0 for a nation alone).

    ``sec`` is ``security(total, p)`` when the caller has it already.
    """
    sec = security(total, p) if sec is None else sec
    own = security(k_eff, p)
    return np.where(sec > 0, (sec - own) / np.maximum(sec, 1e-12), 0.0)
