"""C1, C3, C4, C5, C6, C10: bilateral agreements end, follow trust, and form (docs/model.md 3.3.4, 3.3.5).

Each pair's value is :func:`spacesim.model.equations.bilateral_value`;
these kernels evaluate it only where phase 3 reads it (both sides of every
agreement, the proposers' rows, the receivers' side of each offer).
Proposals go to a partner drawn in proportion to its value; the other side
accepts when its own value is positive (no agreement without both sides' consent).
The readable N x N version of the phase is ``tests/model/reference.py``.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numba import njit

from ..equations import bilateral_value, exposure, sharing_depth
from ..state import WorldState, parameter_record


def review_agreements(
    state: WorldState, p: SimpleNamespace, trust: np.ndarray, total: np.ndarray, k_eff: np.ndarray
) -> tuple[list[tuple[int, int, str]], np.ndarray, np.ndarray]:
    """Phase 3's review of every agreement, valued at the phase's start: which end, and every survivor takes today's depth.

    Returns the endings (i, j, reason) ("distrust" first, then "not worth it", each in row-major order) and
    the agreements' pairs (i < j). Survivors' depths are written into
    ``state.tie_depth`` at once; the caller ends the others.
    """
    ti, tj, codes = _review(state.tie_depth, trust, state.interop, total, k_eff, state.threat, state.capability, state.sovereignty, parameter_record(p))
    return endings(ti, tj, codes), ti, tj


def endings(ti: np.ndarray, tj: np.ndarray, codes: np.ndarray) -> list[tuple[int, int, str]]:
    """The agreements that end, (i, j, reason), from the review's fates: "distrust" first, then "not worth it", each in row-major order."""
    ends = []
    if np.count_nonzero(codes):  # (ndarray.any() costs ~1 us more on a few dozen values)
        for code, reason in ((1, "distrust"), (2, "not worth it")):
            at = codes == code
            ends += [(i, j, reason) for i, j in zip(ti[at].tolist(), tj[at].tolist())]
    return ends


@njit(cache=True)
def _review(tie_depth, trust, interop, total, k_eff, threat, capability, sovereignty, record):  # noqa: ANN001, ANN202 - compiled
    """Agreements (i < j, row-major), their fate (0 kept, 1 distrust, 2 not worth it), survivors re-depthed in place (3.3.5's ending)."""
    p = record[0]
    n = tie_depth.shape[0]
    exposures = _exposures(total, p)
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            if tie_depth[i, j] > 0:
                count += 1
    ti = np.empty(count, dtype=np.int64)
    tj = np.empty(count, dtype=np.int64)
    codes = np.zeros(count, dtype=np.int8)
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            tie = tie_depth[i, j]
            if tie > 0:
                u_ij, depth = bilateral_value(
                    trust[i, j], trust[j, i], interop[i, j], tie, total[i], exposures[i], k_eff[j], threat[i], capability[i], capability[j], sovereignty[i], p
                )
                u_ji, _ = bilateral_value(
                    trust[j, i], trust[i, j], interop[j, i], tie, total[j], exposures[j], k_eff[i], threat[j], capability[j], capability[i], sovereignty[j], p
                )
                if depth == 0:
                    codes[k] = 1
                elif u_ij < -p.exit_margin or u_ji < -p.exit_margin:
                    codes[k] = 2
                else:
                    tie_depth[i, j] = tie_depth[j, i] = depth  # depth is symmetric: it follows the lower of the two trusts
                ti[k], tj[k] = i, j
                k += 1
    return ti, tj, codes


def new_agreements(
    state: WorldState,
    p: SimpleNamespace,
    trust: np.ndarray,
    total: np.ndarray,
    k_eff: np.ndarray,
    proposers: np.ndarray,
    choice_draw: np.ndarray,
    tie_then: np.ndarray,
) -> list[tuple[int, int, float]]:
    """Phase 3's proposals: (i, j, depth) of every agreement both sides want, i < j, sorted, each once.

    Each proposer's row of U is valued with ``tie_then`` (its agreements
    at the phase's start) and its partner drawn among today's non-partners
    in proportion to positive value (inverse CDF, docs/model.md 3.3.5); the
    receiver accepts when its own value, also taken at the phase's start,
    is positive.
    """
    if proposers.size == 0:
        return []
    a, b, depth = _proposals(
        proposers,
        choice_draw,
        tie_then,
        state.tie_depth,
        trust,
        state.interop,
        total,
        k_eff,
        state.threat,
        state.capability,
        state.sovereignty,
        parameter_record(p),
    )
    return list(zip(a.tolist(), b.tolist(), depth.tolist()))


@njit(cache=True)
def _proposals(proposers, choice_draw, tie_then, tie_now, trust, interop, total, k_eff, threat, capability, sovereignty, record):  # noqa: ANN001, ANN202 - compiled
    p = record[0]
    n = trust.shape[0]
    exposures = _exposures(total, p)
    weight = np.empty(n)
    cumulative = np.empty(n)
    trust_back = np.empty(n)
    agreed_pairs = np.empty(proposers.size, dtype=np.int64)  # min(i, j) * n + max(i, j)
    m = 0
    for r in range(proposers.size):
        i = proposers[r]
        for j in range(n):
            trust_back[j] = trust[j, i]  # gathered once: j's trust in i, read along a row below
        total_weight = 0.0
        for j in range(n):
            if j == i or tie_now[i, j] != 0 or not sharing_depth(trust[i, j], trust_back[j], p.trust_floor) > 0:
                weight[j] = 0.0  # nobody partners with itself (U[i, i] = -inf), nor again, nor where trust allows no depth
            else:
                u, _ = bilateral_value(
                    trust[i, j],
                    trust_back[j],
                    interop[i, j],
                    tie_then[r, j],
                    total[i],
                    exposures[i],
                    k_eff[j],
                    threat[i],
                    capability[i],
                    capability[j],
                    sovereignty[i],
                    p,
                )
                weight[j] = u if u > 0 else 0.0
            total_weight += weight[j]
            cumulative[j] = total_weight
        target = choice_draw[i] * total_weight
        below = 0  # the first j whose cumulative weight exceeds the draw: np.searchsorted(cumulative, target, side="right")
        for j in range(n):
            if cumulative[j] <= target:
                below += 1
        j = min(below, n - 1)
        if total_weight > 0 and weight[j] > 0:
            u_back, _ = bilateral_value(
                trust[j, i],
                trust[i, j],
                interop[j, i],
                tie_then[r, j],
                total[j],
                exposures[j],
                k_eff[i],
                threat[j],
                capability[j],
                capability[i],
                sovereignty[j],
                p,
            )
            if u_back > 0:
                agreed_pairs[m] = min(i, j) * n + max(i, j)
                m += 1
    pairs = np.unique(agreed_pairs[:m])
    a = pairs // n
    b = pairs % n
    depth = np.empty(pairs.size)
    for k in range(pairs.size):
        depth[k] = sharing_depth(trust[a[k], b[k]], trust[b[k], a[k]], p.trust_floor)
    return a, b, depth


@njit(cache=True)
def _exposures(total, p):  # noqa: ANN001, ANN202 - compiled
    """exposure(total[i]) per nation (every pair of a row shares it)."""
    out = np.empty(total.size)
    for i in range(total.size):
        out[i] = exposure(total[i], p.security_scale)
    return out


def draw_proposers(n: int, rng: np.random.Generator, p: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    """Nations that propose this step (each with probability ``proposal_rate``) and every nation's choice draw.

    Always 2n draws, whoever proposes, so the random stream stays aligned across policy variants.
    """
    propose_draw, choice_draw = rng.random(n), rng.random(n)
    return (propose_draw < p.proposal_rate).nonzero()[0], choice_draw
