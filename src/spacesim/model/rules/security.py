"""C1: cooperation pools coverage; security grows with it, with diminishing returns.

security_i = 1 - exp(-coverage_i / kappa), where coverage is a nation's own
effective capability plus what partners share with it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..state import WorldState


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
    """
    k_eff = state.effective_capability(p)
    x = bilateral_received(state, k_eff, p)
    y = framework_pooled(state, k_eff, p) if pooled is None else pooled
    total = k_eff + x + (y * state.membership).sum(axis=1)
    return k_eff, x, y, total


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
