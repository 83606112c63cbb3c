"""Records of what happened: agreements and memberships, and events with narratives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import EVENT_COUNTS


@dataclass
class PartnershipLedger:
    """Every bilateral agreement and framework membership, with its start and end, and each change of an agreement's depth and domain.

    A partnership is active at step t when ``start_step <= t`` and it has not
    ended by t (``end_step`` is empty or greater than t). ``depth`` and
    ``domain`` are those it started with; every later change of a bilateral
    agreement's depth (and so, perhaps, of its domain) is a revision
    (:meth:`revise`, :meth:`revisions_frame`), and the table's ``last_depth``
    and ``last_domain`` are those of its latest revision (its start without one).
    """

    columns: dict[str, list[Any]] = field(
        default_factory=lambda: {
            k: []
            for k in ("partnership_id", "kind", "party_a", "party_b", "framework", "domain", "depth", "start_step", "end_step", "end_reason")
        }
    )

    def open(self, kind: str, party_a: str, party_b: str | None, framework: str | None, domain: str, depth: float, step: int) -> int:
        """Record a new agreement or membership; return its id."""
        pid = len(self.columns["partnership_id"])
        if pid == self._now.size:
            self._now = np.concatenate([self._now, np.zeros(self._now.size)])
        self._now[pid] = depth
        for key, value in (
            ("partnership_id", pid),
            ("kind", kind),
            ("party_a", party_a),
            ("party_b", party_b),
            ("framework", framework),
            ("domain", domain),
            ("depth", float(depth)),
            ("start_step", step),
            ("end_step", None),
            ("end_reason", None),
        ):
            self.columns[key].append(value)
        return pid

    def close(self, pid: int, step: int, reason: str) -> None:
        """Record the end of a partnership."""
        if self.columns["end_step"][pid] is not None:
            raise RuntimeError(f"partnership {pid} already ended")
        self.columns["end_step"][pid] = step
        self.columns["end_reason"][pid] = reason

    revised: list[tuple[np.ndarray, int, np.ndarray, list[str]]] = field(default_factory=list)  # (ids, step, depths, domains) per call of revise
    _now: np.ndarray = field(default_factory=lambda: np.zeros(64), repr=False, compare=False)  # by id: the depth of its latest record (start or revision)

    def depth_now(self, pids: np.ndarray) -> np.ndarray:
        """The depth each partnership's latest record (start or revision) gives."""
        return self._now[pids]

    def revise(self, pids: np.ndarray, step: int, depths: np.ndarray, domains: list[str]) -> None:
        """Record that agreements ``pids`` have depth ``depths`` (domain ``domains``) from ``step`` on."""
        if len(pids):
            self.revised.append((np.asarray(pids, dtype=np.int64).copy(), step, np.asarray(depths, dtype=float).copy(), list(domains)))
            self._now[pids] = depths

    def revisions_frame(self) -> pd.DataFrame:
        """Each change of an agreement's depth after its start, one row per agreement and step: ``partnership_id``, ``step``, ``depth``, ``domain``."""
        if not self.revised:
            return pd.DataFrame({"partnership_id": pd.array([], dtype="int64"), "step": pd.array([], dtype="int64"), "depth": pd.array([], dtype="float64"), "domain": pd.array([], dtype="string")})
        return pd.DataFrame(
            {
                "partnership_id": np.concatenate([r[0] for r in self.revised]),
                "step": np.concatenate([np.full(len(r[0]), r[1], dtype=np.int64) for r in self.revised]),
                "depth": np.concatenate([r[2] for r in self.revised]),
                "domain": pd.array([d for r in self.revised for d in r[3]], dtype="string"),
            }
        )

    def frame(self) -> pd.DataFrame:
        """The ledger as a table, one row per agreement or membership (with its latest depth and domain)."""
        # Columns are typed as they are built (half the cost of typing them in the frame afterwards).
        typed = {"end_step": "Int64", **dict.fromkeys(("kind", "party_a", "party_b", "framework", "domain", "end_reason"), "string")}
        out = pd.DataFrame({k: pd.array(v, dtype=typed[k]) if k in typed else v for k, v in self.columns.items()})
        last_depth, last_domain = list(self.columns["depth"]), list(self.columns["domain"])
        for pids, _, depths, domains in self.revised:
            for pid, depth, domain in zip(pids.tolist(), depths.tolist(), domains):
                last_depth[pid], last_domain[pid] = depth, domain
        out.insert(out.columns.get_loc("depth") + 1, "last_depth", np.array(last_depth, dtype=float))
        out.insert(out.columns.get_loc("last_depth") + 1, "last_domain", pd.array(last_domain, dtype="string"))
        return out


#: The event kinds counted per step (:data:`spacesim.catalogue.EVENT_COUNTS`).
COUNTED_KINDS: tuple[str, ...] = tuple(EVENT_COUNTS.values())


@dataclass
class EventLog:
    """Events as rows, each with a one-sentence narrative; counts per step by kind."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED_KINDS, 0))

    def add(
        self,
        step: int,
        kind: str,
        narrative: str,
        *,
        actor: str | None = None,
        target: str | None = None,
        framework: str | None = None,
        effect: str = "",
        debris_change: float = 0.0,
        trust_change: float = 0.0,
        scheduled: bool = False,
        count: int = 1,
    ) -> None:
        """Record one event (``count`` occurrences of its kind, e.g. several collisions in one row)."""
        self.rows.append(
            {
                "step": step,
                "kind": kind,
                "actor": actor,
                "target": target,
                "framework": framework,
                "effect": effect,
                "debris_change": float(debris_change),
                "trust_change": float(trust_change),
                "scheduled": scheduled,
                "narrative": f"step {step}: {narrative}",
            }
        )
        if kind in self.counts:  # kinds without a count (past context, "history"; a framework opening) are not counted
            self.counts[kind] += count

    def take_counts(self) -> dict[str, int]:
        """Counts by kind since the last call, then reset."""
        out = self.counts
        self.counts = dict.fromkeys(COUNTED_KINDS, 0)
        return out

    def frame(self) -> pd.DataFrame:
        """The log as a table, one row per event."""
        cols = ["step", "kind", "actor", "target", "framework", "effect", "debris_change", "trust_change", "scheduled", "narrative"]
        # Columns are typed as they are built (half the cost of typing them in the frame afterwards).
        typed = {"step": "int64", "scheduled": "bool", **dict.fromkeys(("kind", "actor", "target", "framework", "effect", "narrative"), "string")}
        if not self.rows:  # no events: every untyped column stays object
            return pd.DataFrame([], columns=cols).astype(typed)
        return pd.DataFrame({c: pd.array([row[c] for row in self.rows], dtype=typed[c]) if c in typed else [row[c] for row in self.rows] for c in cols})
