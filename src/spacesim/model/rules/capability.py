"""C1, C6: capability grows by own investment and by what deep partners transfer; standards raise interoperability.

k_i <- k_i (1 + g_i) + tech_transfer_rate (1 - export_control) min(max gap, sum_j d_ij interop_ij max(0, k_j - k_i))
interop_ij <- interop_ij + interoperability_growth (1 - interop_ij) for co-members of a framework.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..state import WorldState


def grow(state: WorldState, p: SimpleNamespace) -> None:
    """Own growth plus technology transfer from stronger partners."""
    k = state.capability
    # Over the agreements only: gap[i, j] = how far j is ahead of i.
    flat, i, j = state.agreements()
    gap = np.maximum(0.0, k[j] - k[i])
    transfer = np.bincount(i, weights=state.tie_depth.ravel()[flat] * state.interop.ravel()[flat] * gap, minlength=state.n)
    transfer = np.minimum(transfer, np.maximum(0.0, k.max(initial=0.0) - k))  # no more than the largest gap
    state.capability = np.maximum(k * (1.0 + state.growth) + p.tech_transfer_rate * (1.0 - p.export_control) * transfer, 0.0)


def harmonise(state: WorldState, co_member: np.ndarray, p: SimpleNamespace) -> None:
    """Shared frameworks bring common standards: interoperability rises toward 1 (C6, C7)."""
    together = co_member > 0
    current = state.interop[together]
    state.interop[together] = current + p.interoperability_growth * (1.0 - current)
