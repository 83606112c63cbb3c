"""Outcomes recorded every step: one row for the world, one per nation."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numba import njit, types
from numba.extending import intrinsic

from .equations import collective_share, security, trust
from .state import WorldState

#: Every per-step outcome, with its meaning (the docs and the plots read this).
STEP_OUTCOMES: dict[str, str] = {
    "n_bilateral": "active bilateral agreements",
    "n_memberships": "framework memberships (nation-framework pairs)",
    "bilateral_share": "bilateral agreements / (bilateral agreements + memberships)",
    "network_density": "density of the partnership network (bilateral or shared framework)",
    "bilateral_density": "density of the bilateral network alone",
    "clustering": "mean local clustering coefficient of the partnership network",
    "mean_trust": "mean directed trust between distinct nations",
    "trust_within_blocs": "mean trust between nations of the same bloc",
    "trust_between_blocs": "mean trust between nations of different blocs",
    "trust_polarisation": "standard deviation of directed trust, scaled to [0, 1] (0.5 is the largest possible)",
    "capability_gini": "Gini coefficient of capability",
    "mean_security": "mean security (1 - exp(-coverage / security_scale))",
    "collective_security": "mean share of each nation's security that comes from partners",
    "debris": "tracked debris pieces",
    "threat_level": "mean threat perception",
    "norm_strength": "strength of shared norms (C13)",
    "n_asat_tests": "destructive ASAT tests this step",
    "n_cyber_attacks": "cyber attacks this step",
    "n_leaks": "leaks this step",
    "n_government_changes": "government changes this step",
    "n_withdrawals": "framework withdrawals this step",
    "n_accessions": "framework accessions this step",
    "n_collisions": "collisions this step",
    "n_agreements_formed": "bilateral agreements formed this step",
    "n_agreements_ended": "bilateral agreements ended this step",
}

NATION_OUTCOMES: tuple[str, ...] = (
    "sovereignty",
    "capability",
    "threat_perception",
    "n_partners",
    "n_memberships",
    "mean_trust_given",
    "mean_trust_received",
    "security",
    "collective_security_share",
)


#: Outcomes that are counts (stored as int64 in the tables).
COUNT_OUTCOMES: frozenset[str] = frozenset(k for k in STEP_OUTCOMES if k.startswith("n_"))

#: Per-nation outcomes that are counts.
NATION_COUNTS: frozenset[str] = frozenset(k for k in NATION_OUTCOMES if k.startswith("n_"))

def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal).

    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 2)
    0.75
    """
    return float(_gini(np.asarray(values, dtype=np.float64)))


@njit(cache=True)
def _gini(values):  # noqa: ANN001, ANN202 - compiled
    v = np.sort(values)
    n = v.size
    total = v.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranked = 0.0
    for r in range(n):
        ranked += (r + 1) * v[r]
    return (2 * ranked) / (n * total) - (n + 1) / n


def clustering(adjacency: np.ndarray) -> float:
    """Mean local clustering coefficient (nodes of degree < 2 count as 0, as networkx does).

    >>> tri = np.ones((3, 3)) - np.eye(3)
    >>> clustering(tri)
    1.0
    """
    return float(_clustering(np.asarray(adjacency, dtype=bool)))


@intrinsic
def _popcount(typingctx, x):  # noqa: ANN001, ANN202 - compiled
    """Set bits of a uint64 (LLVM's ctpop: one instruction where the CPU has it)."""

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


@njit(cache=True)
def _clustering(a):  # noqa: ANN001, ANN202 - compiled
    """Triangles at node i = half the sum, over its neighbours j, of the neighbours i and j share (rows as bit sets)."""
    n = a.shape[0]
    if n < 3:
        return 0.0
    words = (n + 63) // 64
    bits = np.zeros((n, words), dtype=np.uint64)
    for i in range(n):
        for j in range(n):
            if a[i, j]:
                bits[i, j >> 6] |= np.uint64(1) << np.uint64(j & 63)
    total = 0.0
    for i in range(n):
        degree = 0
        shared = 0
        for j in range(n):
            if a[i, j]:
                degree += 1
                for w in range(words):
                    shared += _popcount(bits[i, w] & bits[j, w])
        if degree >= 2:
            total += (shared // 2) / (degree * (degree - 1) / 2.0)
    return total / n


@njit(cache=True)
def _record_step(alpha, beta, tie_depth, co_member, membership, bloc, capability, threat, k_eff, total, security_scale, world_at, row, given, received, n_partners, memberships, sec, collective):  # noqa: ANN001, ANN202 - compiled
    """Write the step's world outcomes (at ``row[world_at]``, in :data:`_WORLD_OUTCOMES` order) and the per-nation rows, in one pass over the pairs."""
    n = alpha.shape[0]
    pairs = n * (n - 1)
    given[:] = 0.0
    received[:] = 0.0
    n_partners[:] = 0
    linked = np.zeros((n, n), dtype=np.bool_)
    n_ties = 0
    n_linked = 0
    same_sum, same_pairs, between_sum, between_pairs = 0.0, 0, 0.0, 0
    shifted_squares = 0.0  # sum of (T - 1/2)^2: the variance in the same pass (T is in [0, 1], so shifting by 1/2 keeps it accurate)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            t = trust(alpha[i, j], beta[i, j])
            shifted_squares += (t - 0.5) * (t - 0.5)
            given[i] += t
            received[j] += t
            if bloc[i] >= 0 and bloc[j] >= 0:
                if bloc[i] == bloc[j]:
                    same_sum += t
                    same_pairs += 1
                else:
                    between_sum += t
                    between_pairs += 1
            tied = tie_depth[i, j] > 0
            if tied:
                n_ties += 1
                n_partners[i] += 1
            if tied or co_member[i, j] > 0:
                linked[i, j] = True
                n_linked += 1
    mean = given.sum() / pairs if pairs else np.nan
    squares = shifted_squares - pairs * (mean - 0.5) * (mean - 0.5) if pairs else 0.0  # sum of (T - mean)^2
    others = max(n - 1, 1)
    for i in range(n):
        given[i] /= others
        received[i] /= others
    n_bilateral = n_ties // 2
    for i in range(n):
        memberships[i] = 0
        for f in range(membership.shape[1]):
            if membership[i, f]:
                memberships[i] += 1
    n_memberships = memberships.sum()
    for i in range(n):
        sec[i] = security(total[i], security_scale)
        collective[i] = collective_share(sec[i], security(k_eff[i], security_scale))
    both = n_bilateral + n_memberships
    values = (
        float(n_bilateral),
        float(n_memberships),
        n_bilateral / both if both else np.nan,
        n_linked / pairs if pairs else np.nan,
        n_ties / pairs if pairs else np.nan,
        _clustering(linked),
        mean,
        same_sum / same_pairs if same_pairs else np.nan,
        between_sum / between_pairs if between_pairs else np.nan,
        np.sqrt(max(squares, 0.0) / pairs) / 0.5 if pairs else np.nan,
        _gini(capability),
        sec.mean(),
        collective.mean(),
        threat.mean(),
    )
    for k in range(len(values)):
        row[world_at[k]] = values[k]


#: The world outcomes :func:`_record_step` writes, in its order.
_WORLD_OUTCOMES = (
    "n_bilateral",
    "n_memberships",
    "bilateral_share",
    "network_density",
    "bilateral_density",
    "clustering",
    "mean_trust",
    "trust_within_blocs",
    "trust_between_blocs",
    "trust_polarisation",
    "capability_gini",
    "mean_security",
    "collective_security",
    "threat_level",
)

#: Event kinds counted per step, by outcome.
EVENT_COUNTS: dict[str, str] = {
    "n_asat_tests": "asat_test",
    "n_cyber_attacks": "cyber_attack",
    "n_leaks": "leak",
    "n_government_changes": "government_change",
    "n_withdrawals": "withdrawal",
    "n_accessions": "accession",
    "n_collisions": "collision",
}


class Recorder:
    """Gathers the step rows and the nation rows in preallocated arrays as the model runs (grown when a run goes on)."""

    columns: tuple[str, ...] = ("step", *STEP_OUTCOMES)
    integers: frozenset[str] = frozenset({"step", *COUNT_OUTCOMES})  # columns read back as int (stored exactly as float64)

    def __init__(self, expected_steps: int = 0) -> None:
        self._capacity = expected_steps + 1
        self._world: np.ndarray | None = None  # rows x columns, float64 (counts are exact)
        self._nations: dict[str, np.ndarray] = {}  # outcome -> rows x N
        self._rows = 0
        self._latest: dict[str, Any] | None = None
        self._where = {k: i for i, k in enumerate(self.columns)}
        self._world_at = np.array([self._where[k] for k in _WORLD_OUTCOMES])
        self._counts_at = [(self._where[outcome], kind) for outcome, kind in EVENT_COUNTS.items()]  # (column, event kind) of each event count
        self._plans: dict[tuple[str, ...], list[tuple[int, bool]]] = {}  # last_values: (column, is a count) of each outcome asked for
        self.codes: list[str] = []
        self.blocs: list[str | None] = []

    def _grow(self, n: int) -> None:
        rows = max(self._capacity, 2 * self._rows, 1)
        world = np.full((rows, len(self.columns)), np.nan)
        if self._world is not None:
            world[: self._rows] = self._world[: self._rows]
        self._world = world
        for k in NATION_OUTCOMES:
            grown = np.zeros((rows, n), dtype=np.int64 if k in NATION_COUNTS else np.float64)
            if k in self._nations:
                grown[: self._rows] = self._nations[k][: self._rows]
            self._nations[k] = grown
        self._capacity = rows

    def record(self, step: int, state: WorldState, p: SimpleNamespace, k_eff: np.ndarray, total: np.ndarray, counts: dict[str, int], formed: int, ended: int) -> None:
        """Record the state at the end of ``step``, from coverage (``k_eff``, ``total``) and the step's event counts."""
        n = state.n
        if self._world is None or self._rows == self._capacity:
            self._grow(n)
        r, where, nat = self._rows, self._where, self._nations
        row = self._world[r]
        _record_step(
            state.alpha, state.beta, state.tie_depth, state.co_membership(), state.membership, state.bloc, state.capability, state.threat, k_eff, total, p.security_scale,
            self._world_at, row, nat["mean_trust_given"][r], nat["mean_trust_received"][r], nat["n_partners"][r], nat["n_memberships"][r], nat["security"][r], nat["collective_security_share"][r],
        )  # fmt: skip
        row[where["step"]] = step
        row[where["debris"]] = state.debris
        row[where["norm_strength"]] = state.norm
        for at, kind in self._counts_at:
            row[at] = counts[kind]
        row[where["n_agreements_formed"]] = formed
        row[where["n_agreements_ended"]] = ended
        nat["sovereignty"][r] = state.sovereignty
        nat["capability"][r] = state.capability
        nat["threat_perception"][r] = state.threat
        self._rows += 1
        self._latest = None

    def drop_last(self) -> dict[str, Any]:
        """Forget the last recorded row (to record that step again); return it."""
        if not self._rows:
            raise IndexError("nothing recorded yet")
        last = self.latest
        self._rows -= 1
        self._latest = None
        return last

    def last(self, outcome: str) -> Any:
        """The last recorded value of one outcome (a count as int), without building the whole row."""
        value = float(self._world[self._rows - 1, self._where[outcome]])
        return int(value) if outcome in self.integers else value

    def last_values(self, outcomes: tuple[str, ...]) -> list[Any]:
        """The last recorded values of several outcomes, as :meth:`last` gives each (one read of the row)."""
        plan = self._plans.get(outcomes)
        if plan is None:
            plan = self._plans[outcomes] = [(self._where[k], k in self.integers) for k in outcomes]
        row = self._world[self._rows - 1].tolist()
        return [int(row[at]) if count else row[at] for at, count in plan]

    @property
    def latest(self) -> dict[str, Any]:
        """The last recorded row, by outcome (counts as int)."""
        if self._latest is None:
            values = self._world[self._rows - 1].tolist() if self._rows else [np.nan] * len(self.columns)
            self._latest = {k: (int(v) if k in self.integers and v == v else v) for k, v in zip(self.columns, values)}
        return self._latest

    @property
    def steps(self) -> dict[str, np.ndarray]:
        """Every recorded step, column by column (views of the stored rows)."""
        rows = self._world[: self._rows] if self._world is not None else np.empty((0, len(self.columns)))
        return {k: rows[:, i].astype(np.int64) if k in self.integers else rows[:, i] for k, i in self._where.items()}

    def steps_frame(self) -> pd.DataFrame:
        """One row per step."""
        return pd.DataFrame(self.steps)

    def nations_frame(self) -> pd.DataFrame:
        """One row per nation per step."""
        rows, n = self._rows, len(self.codes)
        steps = self.steps["step"]
        data: dict[str, Any] = {
            "step": np.repeat(steps, n),
            "nation": pd.array(np.tile(np.asarray(self.codes, dtype=object), rows), dtype="string"),
            "bloc": pd.array(np.tile(np.asarray(self.blocs, dtype=object), rows), dtype="string"),
        }
        for k in NATION_OUTCOMES:
            data[k] = self._nations[k][:rows].ravel() if k in self._nations else np.empty(0)
        return pd.DataFrame(data)
