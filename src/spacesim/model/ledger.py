"""Records of what happened: agreements and memberships, and events with narratives, kept as column arrays that compiled code writes.

The ledger (every agreement and membership, and each revision of an
agreement's depth) and the event log live in :class:`Books`: three float64
tables (rows x columns; integer columns are stored exactly, as codes and
indices), the number of rows written in each, the occurrences of each event
kind since the recorder last took them, and a clock (the step, agreements
formed and ended this step). The compiled step, the compiled event handlers
(:mod:`spacesim.model.events`) and the model's acts write them in place.

Capacity: every write batch first reserves room for the rows it may write
(:func:`reserve`, the bound known before any row is written); a table that is
short is replaced by one of twice the size (or more) with its rows copied, and
the writer returns the books it ends with. So a row is never lost, and none is
written twice: nothing is redone. :class:`PartnershipLedger` and
:class:`EventLog` are the Python views that turn the arrays into tables when
asked (at the end, or when the dashboard asks), narratives from the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from ..catalogue import EVENT_COUNTS, EVENT_KINDS, EVENTS, WITHDRAWAL_REASONS
from ..scenario.schema import Domain

if TYPE_CHECKING:
    from .state import WorldState

#: Event kinds by code (the log's ``KIND`` column): the catalogue's order.
KINDS: tuple[str, ...] = tuple(e.kind for e in EVENT_KINDS)
KIND: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
#: The event kinds counted per step (:data:`spacesim.catalogue.EVENT_COUNTS`).
COUNTED_KINDS: tuple[str, ...] = tuple(EVENT_COUNTS.values())
_COUNTED = np.array([k in COUNTED_KINDS for k in KINDS], dtype=np.bool_)
#: Domains by code (the ledger's ``DOMAIN`` columns), shallow to deep.
DOMAINS: tuple[str, ...] = tuple(d.value for d in Domain)
#: Why a partnership ended, by code (the ledger's ``REASON`` column).
REASONS: tuple[str, ...] = tuple(WITHDRAWAL_REASONS)
REASON: dict[str, int] = {r: i for i, r in enumerate(REASONS)}
PARTNERSHIP_KINDS: tuple[str, ...] = ("bilateral", "membership")

# Columns of the partnerships table (indices; -1 means none).
P_KIND, P_A, P_B, P_FRAMEWORK, P_DOMAIN, P_DEPTH, P_START, P_END, P_REASON, P_LAST_DEPTH, P_LAST_DOMAIN = range(11)
P_COLUMNS = 11
# Columns of the revisions table.
R_ID, R_STEP, R_DEPTH, R_DOMAIN = range(4)
R_COLUMNS = 4
# Columns of the event log: what the row says, then the values its narrative reads (each kind's ``values`` in the catalogue).
E_STEP, E_KIND, E_ACTOR, E_TARGET, E_FRAMEWORK, E_SCHEDULED, E_COUNT, E_DEBRIS, E_TRUST = range(9)
E_VALUES = 9  # first of the value columns
#: As many value columns as the kind with the most values declares.
VALUE_COLUMNS = max(len(e.values) for e in EVENT_KINDS)
E_COLUMNS = E_VALUES + VALUE_COLUMNS
#: The column of each value a kind declares, by kind and name (its place in the catalogue's ``values``).
VALUE: dict[str, dict[str, int]] = {e.kind: {name: E_VALUES + k for k, name in enumerate(e.values)} for e in EVENT_KINDS}

# The sizes and clock entries.
S_PARTNERSHIPS, S_REVISIONS, S_EVENTS = range(3)
C_STEP, C_FORMED, C_ENDED = range(3)


def value_columns(kind: str, *names: str) -> tuple[int, ...]:
    """The columns of ``names``, which must be every value ``kind`` declares (in any order): what its compiled writer writes.

    >>> value_columns("leak", "drop")
    (9,)
    >>> value_columns("leak", "drop", "fearful")
    Traceback (most recent call last):
    ...
    ValueError: the leak event's writer writes ['drop', 'fearful'], but the catalogue declares its values ['drop']
    """
    declared = EVENTS[kind].values
    if sorted(names) != sorted(declared):
        raise ValueError(f"the {kind} event's writer writes {sorted(names)}, but the catalogue declares its values {sorted(declared)}")
    return tuple(VALUE[kind][name] for name in names)


def read_values(kind: str, row: np.ndarray) -> dict[str, Any]:
    """The values a ``kind`` row carries, by the names and types the catalogue declares.

    >>> row = np.zeros(E_COLUMNS)
    >>> row[VALUE["asat_test"]["fearful"]] = 3
    >>> read_values("asat_test", row)
    {'pieces': 0.0, 'drop': 0.0, 'fearful': 3}
    """
    return {name: cast(row[E_VALUES + k]) for k, (name, cast) in enumerate(EVENTS[kind].values.items())}


class Books(NamedTuple):
    """The ledger and the event log as arrays (compiled code reads ``b.events``)."""

    partnerships: np.ndarray  # float64, capacity x P_COLUMNS
    revisions: np.ndarray  # float64, capacity x R_COLUMNS
    events: np.ndarray  # float64, capacity x E_COLUMNS
    sizes: np.ndarray  # int64[3]: rows written in each table
    counts: np.ndarray  # int64[len(KINDS)]: occurrences of each kind since the recorder last took them
    clock: np.ndarray  # int64[3]: the step, agreements formed this step, agreements ended this step


def new_books(capacity: int = 64) -> Books:
    """Empty books with room for ``capacity`` rows in each table."""
    return Books(
        np.zeros((capacity, P_COLUMNS)),
        np.zeros((capacity, R_COLUMNS)),
        np.zeros((capacity, E_COLUMNS)),
        np.zeros(3, dtype=np.int64),
        np.zeros(len(KINDS), dtype=np.int64),
        np.zeros(3, dtype=np.int64),
    )


# ---------------------------------------------------------------- compiled writers


@njit(cache=True)
def _room(table, used, need):  # noqa: ANN001, ANN202 - compiled
    """``table`` if it has room for ``need`` more rows after ``used``, else a copy at least twice as long."""
    if used + need <= table.shape[0]:
        return table
    out = np.zeros((max(2 * table.shape[0], used + need), table.shape[1]))
    out[:used] = table[:used]
    return out


@njit(cache=True)
def reserve(b, partnerships, revisions, events):  # noqa: ANN001, ANN201 - compiled
    """The books with room for this many more rows in each table (the same books when there is)."""
    s = b.sizes
    if s[0] + partnerships <= b.partnerships.shape[0] and s[1] + revisions <= b.revisions.shape[0] and s[2] + events <= b.events.shape[0]:
        return b
    return Books(_room(b.partnerships, s[0], partnerships), _room(b.revisions, s[1], revisions), _room(b.events, s[2], events), b.sizes, b.counts, b.clock)


@njit(cache=True)
def open_partnership(b, kind, party_a, party_b, framework, domain, depth):  # noqa: ANN001, ANN201 - compiled
    """Record a new agreement (kind 0) or membership (kind 1) from this step (room reserved); return its id."""
    pid = b.sizes[S_PARTNERSHIPS]
    row = b.partnerships[pid]
    row[P_KIND] = kind
    row[P_A] = party_a
    row[P_B] = party_b
    row[P_FRAMEWORK] = framework
    row[P_DOMAIN] = domain
    row[P_DEPTH] = depth
    row[P_START] = b.clock[C_STEP]
    row[P_END] = -1
    row[P_REASON] = -1
    row[P_LAST_DEPTH] = depth
    row[P_LAST_DOMAIN] = domain
    b.sizes[S_PARTNERSHIPS] = pid + 1
    return pid


@njit(cache=True)
def close_partnership(b, pid, reason):  # noqa: ANN001, ANN201 - compiled
    """Record the end of a partnership at this step, for ``reason`` (a code of :data:`REASONS`)."""
    if pid < 0 or pid >= b.sizes[S_PARTNERSHIPS]:
        raise RuntimeError("no such partnership")  # row -1 would be the table's last row
    row = b.partnerships[pid]
    if row[P_END] >= 0:
        raise RuntimeError("a partnership ended twice")
    row[P_END] = b.clock[C_STEP]
    row[P_REASON] = reason


@njit(cache=True)
def revise(b, pid, depth, domain):  # noqa: ANN001, ANN201 - compiled
    """Record that agreement ``pid`` has ``depth`` (``domain``) from this step on (room reserved)."""
    r = b.sizes[S_REVISIONS]
    row = b.revisions[r]
    row[R_ID] = pid
    row[R_STEP] = b.clock[C_STEP]
    row[R_DEPTH] = depth
    row[R_DOMAIN] = domain
    b.sizes[S_REVISIONS] = r + 1
    b.partnerships[pid, P_LAST_DEPTH] = depth
    b.partnerships[pid, P_LAST_DOMAIN] = domain


@njit(cache=True)
def log_event(b, kind, actor, target, framework, scheduled, count, debris_change, trust_change):  # noqa: ANN001, ANN201 - compiled
    """Log ``count`` occurrences of ``kind`` (a code of :data:`KINDS`) at this step in one row (room reserved); -1: no such nation or framework.

    Returns the row (a view), its value columns 0: the caller writes the values the kind declares, each at its
    column (:data:`VALUE`, :func:`value_columns`).
    """
    r = b.sizes[S_EVENTS]
    row = b.events[r]
    row[E_STEP] = b.clock[C_STEP]
    row[E_KIND] = kind
    row[E_ACTOR] = actor
    row[E_TARGET] = target
    row[E_FRAMEWORK] = framework
    row[E_SCHEDULED] = 1.0 if scheduled else 0.0
    row[E_COUNT] = count
    row[E_DEBRIS] = debris_change
    row[E_TRUST] = trust_change
    row[E_VALUES:] = 0.0
    b.sizes[S_EVENTS] = r + 1
    if _COUNTED[kind]:  # kinds without a count (past context, "history"; a framework opening) are not counted
        b.counts[kind] += count
    return row


# ---------------------------------------------------------------- the Python views


class Bookkeeper:
    """Holds the model's :class:`Books` (replaced when a writer grows them) and what Python adds to their rows."""

    def __init__(self, capacity: int = 64) -> None:
        self.books = new_books(capacity)
        #: Values of event rows logged from Python that are not numbers (a founding's founders), by row.
        self.notes: dict[int, dict[str, Any]] = {}

    def rows(self, table: int) -> np.ndarray:
        """The rows written in a table (0 partnerships, 1 revisions, 2 events): a view."""
        b = self.books
        return (b.partnerships, b.revisions, b.events)[table][: int(b.sizes[table])]


def _codes(values: np.ndarray, names: list[str]) -> pd.arrays.StringArray:
    """Names by index (-1: missing), as a string column."""
    lookup = np.array([*names, None], dtype=object)
    return pd.array(lookup[values.astype(np.int64)], dtype="string")  # index -1 is the None at the end


class PartnershipLedger:
    """Every bilateral agreement and framework membership, with its start and end, and each change of an agreement's depth and domain.

    A partnership is active at step t when ``start_step <= t`` and it has not
    ended by t (``end_step`` is empty or greater than t). ``depth`` and
    ``domain`` are those it started with; every later change of a bilateral
    agreement's depth (and so, perhaps, of its domain) is a revision
    (:meth:`revisions_frame`), and the table's ``last_depth`` and
    ``last_domain`` are those of its latest revision (its start without one).
    """

    def __init__(self, keeper: Bookkeeper, state: WorldState) -> None:
        self.keeper, self.state = keeper, state

    def __len__(self) -> int:
        return int(self.keeper.books.sizes[S_PARTNERSHIPS])

    @property
    def columns(self) -> dict[str, list[Any]]:
        """The table's columns as lists (``None`` for missing), as they stand."""
        frame = self.frame()
        out: dict[str, list[Any]] = {}
        for k in ("partnership_id", "kind", "party_a", "party_b", "framework", "domain", "depth", "start_step", "end_step", "end_reason"):
            column = frame[k]
            out[k] = [None if v is pd.NA else v for v in column.astype(object).tolist()] if column.dtype != np.float64 else column.tolist()
        return out

    def frame(self) -> pd.DataFrame:
        """The ledger as a table, one row per agreement or membership (with its latest depth and domain)."""
        rows = self.keeper.rows(S_PARTNERSHIPS)
        s = self.state
        end = rows[:, P_END].astype(np.int64)
        reason = rows[:, P_REASON]
        return pd.DataFrame(
            {
                "partnership_id": np.arange(len(rows), dtype=np.int64),
                "kind": _codes(rows[:, P_KIND], list(PARTNERSHIP_KINDS)),
                "party_a": _codes(rows[:, P_A], s.codes),
                "party_b": _codes(rows[:, P_B], s.codes),
                "framework": _codes(rows[:, P_FRAMEWORK], s.framework_codes),
                "domain": _codes(rows[:, P_DOMAIN], list(DOMAINS)),
                "depth": rows[:, P_DEPTH].copy(),
                "last_depth": rows[:, P_LAST_DEPTH].copy(),
                "last_domain": _codes(rows[:, P_LAST_DOMAIN], list(DOMAINS)),
                "start_step": rows[:, P_START].astype(np.int64),
                "end_step": pd.array([e if e >= 0 else None for e in end.tolist()], dtype="Int64"),
                "end_reason": _codes(reason, list(REASONS)),
            }
        )

    def revisions_frame(self) -> pd.DataFrame:
        """Each change of an agreement's depth after its start, one row per agreement and step: ``partnership_id``, ``step``, ``depth``, ``domain``."""
        rows = self.keeper.rows(S_REVISIONS)
        return pd.DataFrame(
            {
                "partnership_id": rows[:, R_ID].astype(np.int64),
                "step": rows[:, R_STEP].astype(np.int64),
                "depth": rows[:, R_DEPTH].copy(),
                "domain": _codes(rows[:, R_DOMAIN], list(DOMAINS)),
            }
        )


#: How each kind's narrative values are read from its row: ``(row, names) -> values`` (registered in :mod:`spacesim.model.events`).
Describer = Callable[[np.ndarray, dict[str, Any]], dict[str, Any]]


class EventLog:
    """Events as rows, each with a one-sentence narrative (from the catalogue's templates, filled when asked); counts per step by kind."""

    columns: tuple[str, ...] = ("step", "kind", "actor", "target", "framework", "effect", "debris_change", "trust_change", "scheduled", "narrative")

    def __init__(self, keeper: Bookkeeper, state: WorldState, describers: dict[str, Describer]) -> None:
        self.keeper, self.state, self.describers = keeper, state, describers
        self._rows: list[dict[str, Any]] = []  # rows already turned into dicts (a row never changes once its step is over)

    def __len__(self) -> int:
        return int(self.keeper.books.sizes[S_EVENTS])

    @property
    def counts(self) -> np.ndarray:
        """Occurrences of each kind (by code) since the recorder last took them; written in place."""
        return self.keeper.books.counts

    def take_counts(self) -> dict[str, int]:
        """Counts by counted kind since the last call, then reset."""
        counts = self.keeper.books.counts
        out = {k: int(counts[KIND[k]]) for k in COUNTED_KINDS}
        counts[:] = 0
        return out

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Every row as a dict of the table's columns (built once per row, when first asked)."""
        table = self.keeper.rows(S_EVENTS)
        for r in range(len(self._rows), len(table)):
            self._rows.append(self._row(r, table[r]))
        return self._rows

    def _row(self, r: int, row: np.ndarray) -> dict[str, Any]:
        s = self.state
        kind = KINDS[int(row[E_KIND])]
        actor, target, framework = int(row[E_ACTOR]), int(row[E_TARGET]), int(row[E_FRAMEWORK])
        names: dict[str, Any] = {"others": s.n - 1}
        if actor >= 0:
            names.update(name=s.names[actor], code=s.codes[actor], possessive=possessive(s.names[actor]))
        if target >= 0:
            names.update(target_name=s.names[target], target_code=s.codes[target], target_possessive=possessive(s.names[target]))
        if framework >= 0:
            names.update(framework_name=s.framework_names[framework], framework_code=s.framework_codes[framework])
        names.update(self.describers[kind](row, names))
        names.update(self.keeper.notes.get(r, {}))
        entry = EVENTS[kind]
        step = int(row[E_STEP])
        return {
            "step": step,
            "kind": kind,
            "actor": names.get("code"),
            "target": names.get("target_code"),
            "framework": names.get("framework_code"),
            "effect": entry.effect.format(**names),
            "debris_change": float(row[E_DEBRIS]),
            "trust_change": float(row[E_TRUST]),
            "scheduled": bool(row[E_SCHEDULED]),
            "narrative": f"step {step}: {entry.narrative.format(**names)}",
        }

    def frame(self) -> pd.DataFrame:
        """The log as a table, one row per event."""
        rows = self.rows
        cols = self.columns
        typed = {"step": "int64", "scheduled": "bool", **dict.fromkeys(("kind", "actor", "target", "framework", "effect", "narrative"), "string")}
        if not rows:  # no events: every untyped column stays object
            return pd.DataFrame([], columns=list(cols)).astype(typed)
        return pd.DataFrame({c: pd.array([row[c] for row in rows], dtype=typed[c]) if c in typed else [row[c] for row in rows] for c in cols})


def possessive(name: str) -> str:
    """``China's``, ``United States'``.

    >>> possessive("China"), possessive("United States")
    ("China's", "United States'")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def plural(count: int, noun: str) -> str:
    """``1 framework``, ``2 frameworks``.

    >>> plural(1, "framework"), plural(0, "bilateral agreement")
    ('1 framework', '0 bilateral agreements')
    """
    return f"{count} {noun}{'' if count == 1 else 's'}"
