"""Outcomes recorded every step: one row for the world, one per nation."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

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


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal).

    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 2)
    0.75
    """
    v = np.sort(values)
    n = v.size
    total = v.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * v).sum()) / (n * total) - (n + 1) / n)


def clustering(adjacency: np.ndarray) -> float:
    """Mean local clustering coefficient (nodes of degree < 2 count as 0, as networkx does).

    >>> tri = np.ones((3, 3)) - np.eye(3)
    >>> clustering(tri)
    1.0
    """
    a = adjacency.astype(np.float32)
    deg = a.sum(axis=1)
    if a.shape[0] < 3 or not deg.any():
        return 0.0
    triangles = ((a @ a) * a).sum(axis=1) / 2.0
    possible = deg * (deg - 1) / 2.0
    local = np.divide(triangles, possible, out=np.zeros_like(triangles), where=possible > 0)
    return float(local.mean())


class Recorder:
    """Gathers step rows and nation rows as columns, cheaply, as the model runs."""

    def __init__(self) -> None:
        self.steps: dict[str, list[Any]] = {"step": [], **{k: [] for k in STEP_OUTCOMES}}
        self.nations: dict[str, list[np.ndarray]] = {"step": [], "nation": [], "bloc": [], **{k: [] for k in NATION_OUTCOMES}}
        self.latest: dict[str, Any] = {}
        self.bloc_of: dict[str, str | None] = {}
        self._blocs: tuple[np.ndarray, np.ndarray, float, float] | None = None
        self._codes: np.ndarray | None = None
        self._blocs_of_codes: np.ndarray | None = None

    def _bloc_structure(self, state: WorldState) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Bloc one-hot matrix (N x blocs), which nations are in a bloc, and the numbers of same-bloc and between-bloc pairs.

        Blocs never change during a run, so these are computed once.
        """
        n = state.n
        if self._blocs is None or self._blocs[0].shape[0] != n:
            in_bloc = state.bloc >= 0
            blocs = np.unique(state.bloc[in_bloc])
            onehot = (state.bloc[:, None] == blocs[None, :]).astype(float)
            sizes = onehot.sum(axis=0)
            same_pairs = float((sizes * (sizes - 1)).sum())
            between_pairs = float(sizes.sum() ** 2 - (sizes**2).sum())
            self._blocs = (onehot, in_bloc, same_pairs, between_pairs)
        return self._blocs

    def _trust_summary(self, state: WorldState, trust: np.ndarray) -> dict[str, Any]:
        """Trust statistics over distinct pairs, from row, column and bloc-block sums (no N x N masks or copies)."""
        n = state.n
        pairs = n * (n - 1)
        diag = trust.diagonal()
        given = trust.sum(axis=1) - diag
        received = trust.sum(axis=0) - diag
        mean = float(given.sum() / pairs)
        dev = trust - mean
        squares = float(np.vdot(dev, dev) - ((diag - mean) ** 2).sum())
        onehot, in_bloc, same_pairs, between_pairs = self._bloc_structure(state)
        block = onehot.T @ (trust @ onehot)  # block[a, b] = sum of trust from bloc a's nations to bloc b's
        within_blocs = block.trace()
        same_sum = float(within_blocs - diag[in_bloc].sum())
        between_sum = float(block.sum() - within_blocs)
        return {
            "mean": mean,
            "within": same_sum / same_pairs if same_pairs else float("nan"),
            "between": between_sum / between_pairs if between_pairs else float("nan"),
            "polarisation": float(np.sqrt(max(squares, 0.0) / pairs) / 0.5),
            "given": given / max(n - 1, 1),
            "received": received / max(n - 1, 1),
        }

    def record(self, step: int, state: WorldState, p: SimpleNamespace, security: np.ndarray, collective: np.ndarray, counts: dict[str, int], formed: int, ended: int) -> None:
        """Record the state at the end of ``step``."""
        n = state.n
        trust = self._trust_summary(state, state.trust)
        ties = state.tie_depth > 0
        linked = ties | (state.co_membership() > 0)
        pairs = n * (n - 1)
        n_ties = int(np.count_nonzero(ties))
        n_bilateral = n_ties // 2
        n_memberships = int(state.membership.sum())
        row = {
            "step": step,
            "n_bilateral": n_bilateral,
            "n_memberships": n_memberships,
            "bilateral_share": n_bilateral / (n_bilateral + n_memberships) if (n_bilateral + n_memberships) else float("nan"),
            "network_density": float(np.count_nonzero(linked) / pairs),
            "bilateral_density": float(n_ties / pairs),
            "clustering": clustering(linked),
            "mean_trust": trust["mean"],
            "trust_within_blocs": trust["within"],
            "trust_between_blocs": trust["between"],
            "trust_polarisation": trust["polarisation"],
            "capability_gini": gini(state.capability),
            "mean_security": float(security.mean()),
            "collective_security": float(collective.mean()),
            "debris": float(state.debris),
            "threat_level": float(state.threat.mean()),
            "norm_strength": float(state.norm),
            "n_asat_tests": counts["asat_test"],
            "n_cyber_attacks": counts["cyber_attack"],
            "n_leaks": counts["leak"],
            "n_government_changes": counts["government_change"],
            "n_withdrawals": counts["withdrawal"],
            "n_accessions": counts["accession"],
            "n_collisions": counts["collision"],
            "n_agreements_formed": formed,
            "n_agreements_ended": ended,
        }
        for key, value in row.items():
            self.steps[key].append(value)
        self.latest = row

        nat = self.nations
        nat["step"].append(np.full(n, step, dtype=np.int64))
        if self._codes is None or self._codes.shape[0] != n:
            # Codes and blocs never change during a run.
            self._codes = np.asarray(state.codes, dtype=object)
            self._blocs_of_codes = np.asarray([self.bloc_of.get(c) for c in state.codes], dtype=object)
        nat["nation"].append(self._codes)
        nat["bloc"].append(self._blocs_of_codes)
        nat["sovereignty"].append(state.sovereignty.copy())
        nat["capability"].append(state.capability.copy())
        nat["threat_perception"].append(state.threat.copy())
        nat["n_partners"].append(ties.sum(axis=1))
        nat["n_memberships"].append(state.membership.sum(axis=1))
        nat["mean_trust_given"].append(trust["given"])
        nat["mean_trust_received"].append(trust["received"])
        nat["security"].append(security.copy())
        nat["collective_security_share"].append(collective.copy())

    def steps_frame(self) -> pd.DataFrame:
        """One row per step."""
        return pd.DataFrame(self.steps)

    def nations_frame(self) -> pd.DataFrame:
        """One row per nation per step."""
        df = pd.DataFrame({k: np.concatenate(v) if v else [] for k, v in self.nations.items()})
        df["nation"] = df["nation"].astype("string")
        df["bloc"] = df["bloc"].astype("string")
        return df
