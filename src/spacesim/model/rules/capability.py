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
    gap = np.maximum(0.0, k[None, :] - k[:, None])  # gap[i, j] = how far j is ahead of i
    transfer = (state.tie_depth * state.interop * gap).sum(axis=1)
    transfer = np.minimum(transfer, gap.max(axis=1))
    state.capability = np.maximum(k * (1.0 + state.growth) + p.tech_transfer_rate * (1.0 - p.export_control) * transfer, 0.0)


def harmonise(state: WorldState, co_member: np.ndarray, p: SimpleNamespace) -> None:
    """Shared frameworks bring common standards: interoperability rises toward 1 (C6, C7)."""
    together = co_member > 0
    state.interop = np.where(together, state.interop + p.interoperability_growth * (1.0 - state.interop), state.interop)
