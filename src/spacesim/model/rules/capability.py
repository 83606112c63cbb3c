"""C1, C6: capability grows by own investment and by what deep partners transfer; standards raise interoperability.

k_i <- k_i (1 + g_i) + tech_transfer_rate (1 - export_control) min(max gap, sum_j d_ij interop_ij max(0, k_j - k_i))
interop_ij <- interop_ij + interoperability_growth (1 - interop_ij) for co-members of a framework.
(docs/model.md 3.3.14: :func:`spacesim.model.equations.grown_capability`, :func:`~spacesim.model.equations.harmonised`.)
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import grown_capability, harmonised
from ..state import WorldState


def grow(state: WorldState, p: SimpleNamespace) -> None:
    """Own growth plus technology transfer from stronger partners."""
    state.capability = _grow(state.capability, state.growth, state.tie_depth, state.interop, p.tech_transfer_rate * (1.0 - p.export_control))


@njit(cache=True)
def _grow(k, growth, tie_depth, interop, transfer_rate):  # noqa: ANN001, ANN202 - compiled
    n = k.size
    ceiling = max(k.max(), 0.0) if n else 0.0
    out = np.empty(n)
    for i in range(n):
        transfer = 0.0  # sum over i's agreements of d_ij interop_ij (how far j is ahead of i)
        for j in range(n):
            if tie_depth[i, j] > 0:
                transfer += tie_depth[i, j] * interop[i, j] * max(0.0, k[j] - k[i])
        transfer = min(transfer, max(0.0, ceiling - k[i]))  # no more than the largest gap
        out[i] = grown_capability(k[i], growth[i], transfer, transfer_rate)
    return out


def harmonise(state: WorldState, co_member: np.ndarray, p: SimpleNamespace) -> None:
    """Shared frameworks bring common standards: interoperability rises toward 1 (C6, C7)."""
    _harmonise(state.interop, co_member, p.interoperability_growth)


@njit(cache=True)
def _harmonise(interop, co_member, rate):  # noqa: ANN001, ANN202 - compiled
    rows, cols = interop.shape
    for i in range(rows):
        for j in range(cols):
            if co_member[i, j] > 0:
                interop[i, j] = harmonised(interop[i, j], rate)
