"""Records of what happened: agreements and memberships, and events with narratives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..catalogue import EVENT_COUNTS


@dataclass
class PartnershipLedger:
    """Every bilateral agreement and framework membership, with its start and end.

    A partnership is active at step t when ``start_step <= t`` and it has not
    ended by t (``end_step`` is empty or greater than t).
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

    def frame(self) -> pd.DataFrame:
        """The ledger as a table, one row per agreement or membership."""
        # Columns are typed as they are built (half the cost of typing them in the frame afterwards).
        typed = {"end_step": "Int64", **dict.fromkeys(("kind", "party_a", "party_b", "framework", "domain", "end_reason"), "string")}
        return pd.DataFrame({k: pd.array(v, dtype=typed[k]) if k in typed else v for k, v in self.columns.items()})


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
