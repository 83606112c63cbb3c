"""Who formed, deepened and ended bilateral agreements in a step, in plain sentences for the "What just happened" panel.

The model's event log already names who joins or leaves a framework
(accession, withdrawal) and every hostile act; bilateral agreements are in
its partnership ledger and its state, not in the log. This module reads
them, without changing the model: the page compares the ledger and each
agreement's depth before and after a step (or a shock) and names

* the agreements signed, with what they share,
* the agreements deepened into a new domain (e.g. from sharing surveillance
  data to joint exercises): depth moves a little every step as trust moves,
  so only a change of domain is news,
* the agreements ended, with the ledger's reason.

Each is one line per step (long lists are cut with "and N more"), so a
35-nation world does not flood the panel.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from ..model.state import WorldState, domain_thresholds
from ..parameters import defaults

#: What each domain of a bilateral agreement means, in the words of the lesson.
DOMAIN_WORDS: dict[str, str] = {
    "ssa_sharing": "sharing surveillance data",
    "joint_exercises": "joint exercises",
    "missile_warning": "missile warning",
    "technology_transfer": "technology transfer",
    "joint_command": "joint command",
}

#: Why an agreement ended, as the ledger records it, in words.
END_WORDS: dict[str, str] = {
    "distrust": "for lack of trust",
    "not worth it": "as it no longer paid",
    "government_change": "after a change of government",
    "policy": "as policy no longer allows it",
}

#: At most this many pairs are named in one line; the rest are counted.
NAMED_PER_LINE = 6


def _thresholds(p: SimpleNamespace | None) -> list:
    """The domains' depth thresholds (the model's parameters ``p``, else the declared defaults), shallowest first."""
    return sorted(domain_thresholds(p if p is not None else SimpleNamespace(**defaults())), key=lambda td: td[0])


def domain_rank(depth: np.ndarray, p: SimpleNamespace | None = None) -> np.ndarray:
    """The domain a depth reaches as a rank, 0 (sharing surveillance data) upwards, as ``model.state.domain_for_depth`` assigns it.

    >>> domain_rank(np.array([0.1, 0.3, 0.6, 0.8])).tolist()
    [0, 1, 2, 3]
    """
    return np.searchsorted([threshold for threshold, _ in _thresholds(p)], depth, side="right") - 1


def domain_words(depth: float, p: SimpleNamespace | None = None) -> str:
    """What an agreement of this depth shares, in words.

    >>> domain_words(0.1), domain_words(0.3)
    ('sharing surveillance data', 'joint exercises')
    """
    return DOMAIN_WORDS[_thresholds(p)[int(domain_rank(np.array([depth]), p)[0])][1].value]


def _listing(items: list[str]) -> str:
    """Items joined with commas; past :data:`NAMED_PER_LINE`, "and N more".

    >>> _listing(["a", "b"]), _listing([str(k) for k in range(8)])
    ('a, b', '0, 1, 2, 3, 4, 5 and 2 more')
    """
    if len(items) <= NAMED_PER_LINE:
        return ", ".join(items)
    return ", ".join(items[:NAMED_PER_LINE]) + f" and {len(items) - NAMED_PER_LINE} more"


def snapshot(state: WorldState, ledger_length: int) -> tuple[np.ndarray, np.ndarray, int]:
    """What :func:`partnership_news` compares against: every agreement's depth and ledger id now, and the ledger's
    length (``len(model.ledger)``: no table is built for it)."""
    return state.tie_depth.copy(), state.tie_id.copy(), int(ledger_length)


def partnership_news(
    before: tuple[np.ndarray, np.ndarray, int], state: WorldState, ledger: dict[str, list[Any]], step: int, p: SimpleNamespace | None = None
) -> list[dict[str, Any]]:
    """Lines (rows shaped like the event log's) naming the agreements signed, deepened and ended since ``before``.

    ``ledger`` is the partnership ledger's columns. Signed: the bilateral
    agreements the ledger opened since ``before`` (one that also ended since
    is named in both lines). Ended: those open at ``before`` or opened since
    that the ledger has closed, with its reason. Deepened: an agreement in
    force throughout whose depth reaches a deeper domain (the domains' thresholds are ``p``'s, else the defaults).
    """
    depth_then, id_then, opened_then = before
    names = state.names
    index = state.index
    kind, party_a, party_b, depth, end_step, end_reason = (ledger[k] for k in ("kind", "party_a", "party_b", "depth", "end_step", "end_reason"))
    pair = lambda pid: f"{names[index[party_a[pid]]]}–{names[index[party_b[pid]]]}"  # noqa: E731
    rows = []

    new = [pid for pid in range(opened_then, len(kind)) if kind[pid] == "bilateral"]
    if new:
        by_domain: dict[str, list[str]] = {}
        for pid in new:
            by_domain.setdefault(domain_words(float(depth[pid]), p), []).append(pair(pid))
        parts = [f"{_listing(pairs)} ({domain})" for domain, pairs in by_domain.items()]
        noun = "agreement" if len(new) == 1 else "agreements"
        rows.append(_row(step, "agreements_signed", f"new bilateral {noun}: " + "; ".join(parts)))

    upper = np.triu(np.ones(depth_then.shape, dtype=bool), 1)
    kept = upper & (depth_then > 0) & (state.tie_depth > 0) & (state.tie_id == id_then)
    deeper = kept & (domain_rank(state.tie_depth, p) > domain_rank(depth_then, p))
    if deeper.any():
        by_domain = {}
        for i, j in zip(*np.nonzero(deeper)):
            by_domain.setdefault(domain_words(float(state.tie_depth[i, j]), p), []).append(f"{names[i]}–{names[j]}")
        parts = [f"{_listing(pairs)} (now {domain})" for domain, pairs in by_domain.items()]
        noun = "agreement deepens" if deeper.sum() == 1 else "agreements deepen"
        rows.append(_row(step, "agreements_deepened", f"bilateral {noun}: " + "; ".join(parts)))

    open_then = [int(pid) for pid in id_then[upper & (depth_then > 0)].tolist()]
    ended = [pid for pid in open_then + new if end_step[pid] is not None]
    if ended:
        by_reason: dict[str, list[str]] = {}
        for pid in ended:
            reason = end_reason[pid]
            by_reason.setdefault(END_WORDS.get(str(reason), f"({reason})" if reason else ""), []).append(pair(pid))
        parts = [f"{_listing(pairs)} {why}".rstrip() for why, pairs in by_reason.items()]
        noun = "agreement ends" if len(ended) == 1 else "agreements end"
        rows.append(_row(step, "agreements_ended", f"bilateral {noun}: " + "; ".join(parts)))
    return rows


def _row(step: int, kind: str, narrative: str) -> dict[str, Any]:
    return {"step": step, "kind": kind, "narrative": f"step {step}: {narrative}"}
