"""Outcomes recorded every step: one row for the world, one per nation."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numba import njit, types
from numba.extending import intrinsic

from ..catalogue import COUNT_OUTCOMES, EVENT_COUNTS, NATION_COUNTS, NATION_OUTCOMES, STEP_OUTCOMES
from .equations import POLARISATION_ALPHA, TRUST_BINS, collective_share, esteban_ray_polarisation, security, trust, trust_bin, trust_reliability_correlation
from .events import revise_agreements
from .finite import check_finite
from .ledger import C_ENDED, C_FORMED, C_STEP, KIND
from .rules.security import _coverage
from .state import ENV_DEBRIS, ENV_NORM, WorldState, _co_membership

__all__ = ["COUNT_OUTCOMES", "EVENT_COUNTS", "NATION_COUNTS", "NATION_OUTCOMES", "STEP_OUTCOMES", "Recorder", "clustering", "gini"]

#: The columns of the recorder's world rows (``step``, then every step outcome) and of its nation blocks, by name:
#: records compiled code reads column positions from (``cols.mean_trust``). Part of the compiled record's type,
#: so a change to the catalogue recompiles it.
WORLD_COLUMNS = np.dtype([(k, np.int64) for k in ("step", *STEP_OUTCOMES)])
NATION_COLUMNS = np.dtype([(k, np.int64) for k in NATION_OUTCOMES])


class RecordInputs(NamedTuple):
    """What the record of a step reads, by name (compiled code reads the fields as ``a.alpha``)."""

    alpha: np.ndarray
    beta: np.ndarray
    tie_depth: np.ndarray
    co_member: np.ndarray
    membership: np.ndarray
    bloc: np.ndarray
    capability: np.ndarray
    threat: np.ndarray
    sovereignty: np.ndarray
    k_eff: np.ndarray
    total: np.ndarray


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
def _record_state(a, record, w, c, row, nat):  # noqa: ANN001, ANN202 - compiled
    """Write the world outcomes the state defines into ``row`` (columns ``w``) and the nation outcomes into ``nat`` (rows ``c``), in one pass over the pairs.

    ``a`` is a :class:`RecordInputs`; the definitions are docs/model.md section 5.
    """
    p = record[0]
    n = a.alpha.shape[0]
    pairs = n * (n - 1)
    given = nat[c.mean_trust_given]
    received = nat[c.mean_trust_received]
    n_partners = nat[c.n_partners]
    given[:] = 0.0
    received[:] = 0.0
    n_partners[:] = 0.0
    linked = np.zeros((n, n), dtype=np.bool_)
    bilateral = np.zeros((n, n), dtype=np.bool_)
    bin_counts = np.zeros(TRUST_BINS)
    bin_sums = np.zeros(TRUST_BINS)
    n_ties = 0
    n_linked = 0
    same_sum, same_pairs, between_sum, between_pairs = 0.0, 0, 0.0, 0
    shifted_squares = 0.0  # sum of (T - 1/2)^2: the variance in the same pass (T is in [0, 1], so shifting by 1/2 keeps it accurate)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            t = trust(a.alpha[i, j], a.beta[i, j])
            shifted_squares += (t - 0.5) * (t - 0.5)
            b = trust_bin(t)
            bin_counts[b] += 1.0
            bin_sums[b] += t
            given[i] += t
            received[j] += t
            if a.bloc[i] >= 0 and a.bloc[j] >= 0:
                if a.bloc[i] == a.bloc[j]:
                    same_sum += t
                    same_pairs += 1
                else:
                    between_sum += t
                    between_pairs += 1
            tied = a.tie_depth[i, j] > 0
            if tied:
                bilateral[i, j] = True
                n_ties += 1
                n_partners[i] += 1
            if tied or a.co_member[i, j] > 0:
                linked[i, j] = True
                n_linked += 1
    mean = given.sum() / pairs if pairs else np.nan
    squares = shifted_squares - pairs * (mean - 0.5) * (mean - 0.5) if pairs else 0.0  # sum of (T - mean)^2
    others = max(n - 1, 1)
    for i in range(n):
        given[i] /= others
        received[i] /= others
    n_bilateral = n_ties // 2
    memberships = nat[c.n_memberships]
    for i in range(n):
        count = 0
        for f in range(a.membership.shape[1]):
            if a.membership[i, f]:
                count += 1
        memberships[i] = count
    n_memberships = memberships.sum()
    sec = nat[c.security]
    collective = nat[c.collective_security_share]
    for i in range(n):
        sec[i] = security(a.total[i], p.security_scale)
        collective[i] = collective_share(sec[i], security(a.k_eff[i], p.security_scale))
    nat[c.sovereignty] = a.sovereignty
    nat[c.capability] = a.capability
    nat[c.threat_perception] = a.threat
    both = n_bilateral + n_memberships
    row[w.n_bilateral] = n_bilateral
    row[w.n_memberships] = n_memberships
    row[w.bilateral_share] = n_bilateral / both if both else np.nan
    row[w.tie_density] = n_linked / pairs if pairs else np.nan
    row[w.tie_clustering] = _clustering(linked)
    row[w.bilateral_density] = n_ties / pairs if pairs else np.nan
    row[w.bilateral_clustering] = _clustering(bilateral) if n_ties else 0.0
    row[w.mean_trust] = mean
    within = same_sum / same_pairs if same_pairs else np.nan
    between = between_sum / between_pairs if between_pairs else np.nan
    row[w.trust_within_blocs] = within
    row[w.trust_between_blocs] = between
    row[w.bloc_trust_gap] = within - between  # NaN if either is
    row[w.esteban_ray_polarisation] = esteban_ray_polarisation(bin_counts, bin_sums, POLARISATION_ALPHA)
    row[w.trust_spread] = np.sqrt(max(squares, 0.0) / pairs) / 0.5 if pairs else np.nan
    row[w.capability_gini] = _gini(a.capability)
    row[w.mean_security] = sec.mean()
    row[w.collective_security] = collective.mean()
    row[w.threat_level] = a.threat.mean()


@njit(cache=True)
def record_reliability(reliability, w, c, row, nat):  # noqa: ANN001, ANN201 - compiled
    """Write the governments' reliabilities into the nation values ``nat`` (rows ``c``) and whether trust tracks them into
    the world ``row`` (columns ``w``; :func:`~spacesim.model.equations.trust_reliability_correlation`), from the trust
    received that :func:`_record_state` wrote.

    A government changed in the step's compiled pass has its reliability NaN until Python settles it after the pass
    (:meth:`spacesim.model.space_model.SpaceModel.call`), so the model calls this again then (:meth:`Recorder.settle`).
    """
    nat[c.reliability] = reliability
    row[w.trust_reliability_correlation] = trust_reliability_correlation(reliability, nat[c.mean_trust_received])


@njit(cache=True)
def record_pass(a, b, record, bloc, w, c, count_columns, row, nat):  # noqa: ANN001, ANN201 - compiled
    """Record the state at the end of the step: the ledger's revisions (:func:`~spacesim.model.events.revise_agreements`),
    then the world ``row`` (columns ``w``) and nation values ``nat`` (rows ``c``) from the state, coverage, and the books'
    event counts (taken: reset to zero) and agreements formed and ended. Returns the books."""
    b = revise_agreements(a, b, record)
    k_eff, _, _, total = _coverage(a.capability, a.commercial, a.tie_depth, a.interop, a.membership, a.integration, np.empty((0, 0)), True, record)
    co = _co_membership(a.membership, a.integration)
    inputs = RecordInputs(a.alpha, a.beta, a.tie_depth, co, a.membership, bloc, a.capability, a.threat, a.sovereignty, k_eff, total)
    _record_state(inputs, record, w, c, row, nat)
    record_reliability(a.reliability, w, c, row, nat)
    row[w.step] = b.clock[C_STEP]
    row[w.debris] = a.env[ENV_DEBRIS]
    row[w.norm_strength] = a.env[ENV_NORM]
    for k in range(count_columns.size):
        if count_columns[k] >= 0:
            row[count_columns[k]] = b.counts[k]
    b.counts[:] = 0
    row[w.n_agreements_formed] = b.clock[C_FORMED]
    row[w.n_agreements_ended] = b.clock[C_ENDED]
    return b


class Recorder:
    """Gathers the step rows and the nation rows in preallocated arrays as the model runs (grown when a run goes on)."""

    columns: tuple[str, ...] = ("step", *STEP_OUTCOMES)
    integers: frozenset[str] = frozenset({"step", *COUNT_OUTCOMES})  # columns read back as int (stored exactly as float64)

    def __init__(self, expected_steps: int = 0) -> None:
        self._capacity = expected_steps + 1
        # Allocated at the first record (when N is known), and grown when full.
        self._world = np.empty((0, len(self.columns)))  # rows x columns, float64 (counts are exact)
        self._nations = np.empty((0, len(NATION_OUTCOMES), 0))  # rows x nation outcomes x N, float64 (counts are exact)
        self._rows = 0
        self._latest: dict[str, Any] | None = None
        self._where = {k: i for i, k in enumerate(self.columns)}
        self._nation_at = {k: i for i, k in enumerate(NATION_OUTCOMES)}
        self._world_cols = np.array([tuple(range(len(self.columns)))], dtype=WORLD_COLUMNS)[0]
        self._nation_cols = np.array([tuple(range(len(NATION_OUTCOMES)))], dtype=NATION_COLUMNS)[0]
        self._count_columns = np.full(len(KIND), -1, dtype=np.int64)  # by event kind code: the column of its count, -1 if not counted
        for outcome, kind in EVENT_COUNTS.items():
            self._count_columns[KIND[kind]] = self._where[outcome]
        self._plans: dict[tuple[str, ...], list[tuple[int, bool]]] = {}  # last_values: (column, is a count) of each outcome asked for
        self.codes: list[str] = []
        self.blocs: list[str | None] = []

    def _grow(self, n: int) -> None:
        rows = max(self._capacity, 2 * self._rows, 1)
        world = np.full((rows, len(self.columns)), np.nan)
        nations = np.zeros((rows, len(NATION_OUTCOMES), n))
        if self._rows:
            world[: self._rows] = self._world[: self._rows]
            nations[: self._rows] = self._nations[: self._rows]
        self._world, self._nations = world, nations
        self._capacity = rows

    def slot(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The next row's world values and nation values (views) for :func:`record_pass` to write (``n`` nations)."""
        if self._rows == len(self._world):
            self._grow(n)
        return self._world[self._rows], self._nations[self._rows]

    def settle(self, reliability: np.ndarray) -> None:
        """Rewrite the next row's reliabilities and ``trust_reliability_correlation`` if :func:`record_pass` read a new
        government's reliability before Python settled it (NaN: a government changed in the step's compiled pass)."""
        row, nat = self._world[self._rows], self._nations[self._rows]
        if np.isnan(nat[self._nation_at["reliability"]]).any():
            record_reliability(reliability, self._world_cols, self._nation_cols, row, nat)

    def commit(self, state: WorldState) -> None:
        """Keep the row :func:`record_pass` wrote in :meth:`slot`, once it is checked finite."""
        row = self._world[self._rows]
        check_finite(int(row[0]), row, self.columns, state)  # an overflowed run stops here, as failed, before its row counts
        self._rows += 1
        self._latest = None

    @property
    def layout(self) -> tuple[Any, Any, np.ndarray]:
        """What :func:`record_pass` reads besides the state: the world and nation columns by name, and each event kind's count column (-1: none)."""
        return self._world_cols, self._nation_cols, self._count_columns

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
        rows = self._world[: self._rows]
        return {k: rows[:, i].astype(np.int64) if k in self.integers else rows[:, i] for k, i in self._where.items()}

    def nation_rows(self) -> list[tuple[int, np.ndarray]]:
        """Each recorded step with its nations' outcomes (an outcomes x nations array, a view of the stored rows)."""
        steps = self._world[: self._rows, self._where["step"]].astype(np.int64).tolist()
        return [(step, self._nations[r]) for r, step in enumerate(steps)]

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
        for k, at in self._nation_at.items():
            values = self._nations[:rows, at, :].ravel() if self._nations is not None else np.empty(0)
            data[k] = values.astype(np.int64) if k in NATION_COUNTS else values
        return pd.DataFrame(data)
