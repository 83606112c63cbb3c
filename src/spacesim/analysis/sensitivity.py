"""Global sensitivity analysis with SALib: sample the parameters, average the replicates, estimate the indices.

The pipeline is generic (a :class:`SensitivityProblem`, a sample matrix and
outputs), so that it can be checked on a function with known indices (the
Ishigami function in the tests) as well as used on the model:

1. :func:`sample` draws the design with SALib's Saltelli/Sobol' sampler
   (``SALib.sample.sobol``, scrambled, seeded) or Morris trajectories
   (``SALib.sample.morris``), in the parameters' units and distributions.
2. The batch engine runs every sample point ``replicates`` times (common
   seed scheme of every batch); :func:`point_outcomes` turns the runs into one
   value per point and outcome (the mean over completed replicates, of the
   final value or of the mean over a window of steps) and measures the
   replicate noise.
3. :func:`analyse` calls ``SALib.analyze.sobol`` (first-order S1, total ST
   and second-order S2 indices, with bootstrap confidence intervals) or
   ``SALib.analyze.morris`` (mu*, its interval, sigma and mu).

**Noise.** A stochastic model gives different outcomes at the same point. The
indices are computed on the means over replicates; :func:`point_outcomes`
reports the *noise share*: the variance the replicate noise leaves in those
means (mean within-point variance / replicates) divided by the variance of
the means across points. An index well below the noise share cannot be told
from noise; more replicates lower it.

Integer parameters are rounded to the nearest integer when the model runs;
the analysis uses the unrounded sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..scenario.experiment import Distribution, SensitivitySpec, WindowOutcome, outcome_label

#: Columns of ``sensitivity.parquet``.
COLUMNS = ("method", "outcome", "statistic", "parameter", "parameter2", "index", "value", "confidence")


class SensitivityUnavailable(ValueError):
    """The indices cannot be computed from these runs (e.g. a sample point has no completed run)."""


@dataclass(frozen=True)
class SensitivityProblem:
    """Parameters, their bounds and distributions, in SALib's terms.

    ``bounds`` follow SALib: ``[low, high]`` for ``unif``; ``[low, high,
    peak fraction]`` for ``triang``; ``[low, high, mean, sd]`` for
    ``truncnorm``.
    """

    names: tuple[str, ...]
    bounds: tuple[tuple[float, ...], ...]
    dists: tuple[str, ...]

    def salib(self) -> dict[str, Any]:
        """The problem dictionary SALib's samplers and analysers take."""
        return {"num_vars": len(self.names), "names": list(self.names), "bounds": [list(b) for b in self.bounds], "dists": list(self.dists)}

    @classmethod
    def uniform(cls, ranges: dict[str, tuple[float, float]]) -> SensitivityProblem:
        """Independent uniform parameters.

        >>> SensitivityProblem.uniform({"a": (0, 1), "b": (-1, 1)}).salib()["bounds"]
        [[0.0, 1.0], [-1.0, 1.0]]
        """
        return cls(tuple(ranges), tuple((float(a), float(b)) for a, b in ranges.values()), tuple("unif" for _ in ranges))

    @classmethod
    def from_spec(cls, spec: SensitivitySpec) -> SensitivityProblem:
        """The problem an experiment's ``sensitivity`` section declares."""
        bounds, dists = [], []
        for r in spec.parameters.values():
            low, high = float(r.low), float(r.high)
            if r.distribution == Distribution.triangular:
                assert r.peak is not None
                bounds.append((low, high, (float(r.peak) - low) / (high - low)))
                dists.append("triang")
            elif r.distribution == Distribution.truncnorm:
                assert r.mean is not None and r.sd is not None
                bounds.append((low, high, float(r.mean), float(r.sd)))
                dists.append("truncnorm")
            else:
                bounds.append((low, high))
                dists.append("unif")
        return cls(tuple(spec.parameters), tuple(bounds), tuple(dists))

    def describe(self) -> dict[str, dict[str, Any]]:
        """Each parameter's distribution and bounds as plain data (for the manifest)."""
        out = {}
        for name, b, d in zip(self.names, self.bounds, self.dists):
            entry: dict[str, Any] = {"distribution": {"unif": "uniform", "triang": "triangular"}.get(d, d), "low": b[0], "high": b[1]}
            if d == "triang":
                entry["peak"] = b[0] + b[2] * (b[1] - b[0])
            elif d == "truncnorm":
                entry["mean"], entry["sd"] = b[2], b[3]
            out[name] = entry
        return out


def sample(problem: SensitivityProblem, method: str, samples: int, *, second_order: bool = True, levels: int = 4, seed: int = 0) -> np.ndarray:
    """The sample matrix (points x parameters) for ``method`` ("sobol" or "morris"), deterministic in ``seed``.

    Sobol': Saltelli's extension of a scrambled Sobol' sequence, ``samples``
    x (2D + 2) points with second order, ``samples`` x (D + 2) without.
    Morris: ``samples`` trajectories of D + 1 points on a ``levels`` grid.

    >>> p = SensitivityProblem.uniform({"a": (0, 1), "b": (0, 10)})
    >>> sample(p, "sobol", 8, seed=1).shape, sample(p, "sobol", 8, second_order=False, seed=1).shape
    ((48, 2), (32, 2))
    >>> sample(p, "morris", 5, seed=1).shape
    (15, 2)
    """
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem.salib(), samples, calc_second_order=second_order, scramble=True, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem.salib(), samples, num_levels=levels, seed=seed)
    raise ValueError(f"unknown sensitivity method {method!r}; use 'sobol' or 'morris'")


def analyse(problem: SensitivityProblem, method: str, x: np.ndarray, y: np.ndarray, *, second_order: bool = True, levels: int = 4, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Indices of one output ``y`` (one value per row of ``x``) as rows ``parameter, parameter2, index, value, confidence``.

    ``confidence`` is the half-width of SALib's 95% bootstrap interval
    (``None``/NaN for Morris' sigma and mu, which SALib gives without one).
    """
    y = np.asarray(y, dtype=float)
    names = problem.names
    rows: list[dict[str, Any]] = []
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem.salib(), y, calc_second_order=second_order, num_resamples=resamples, conf_level=0.95, seed=seed)
        for i, name in enumerate(names):
            rows.append({"parameter": name, "parameter2": None, "index": "S1", "value": float(res["S1"][i]), "confidence": float(res["S1_conf"][i])})
            rows.append({"parameter": name, "parameter2": None, "index": "ST", "value": float(res["ST"][i]), "confidence": float(res["ST_conf"][i])})
        if second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    rows.append({"parameter": names[i], "parameter2": names[j], "index": "S2", "value": float(res["S2"][i, j]), "confidence": float(res["S2_conf"][i, j])})
    elif method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem.salib(), np.asarray(x, dtype=float), y, num_levels=levels, num_resamples=resamples, conf_level=0.95, seed=seed)
        for i, name in enumerate(names):
            rows.append({"parameter": name, "parameter2": None, "index": "mu_star", "value": float(res["mu_star"][i]), "confidence": float(res["mu_star_conf"][i])})
            rows.append({"parameter": name, "parameter2": None, "index": "sigma", "value": float(res["sigma"][i]), "confidence": float("nan")})
            rows.append({"parameter": name, "parameter2": None, "index": "mu", "value": float(res["mu"][i]), "confidence": float("nan")})
    else:
        raise ValueError(f"unknown sensitivity method {method!r}; use 'sobol' or 'morris'")
    return pd.DataFrame(rows, columns=["parameter", "parameter2", "index", "value", "confidence"])


def run_values(runs: pd.DataFrame, steps: pd.DataFrame, outcome: str | WindowOutcome) -> pd.Series:
    """One value per completed run (indexed by run id): the final value, or the mean over the outcome's window of steps."""
    done = runs[runs["status"] == "completed"]
    if isinstance(outcome, str):
        return pd.Series(done[f"final_{outcome}"].to_numpy(dtype=float), index=done["run_id"].to_numpy())
    first, last = outcome.window
    window = steps[(steps["step"] >= first) & (steps["step"] <= last) & steps["run_id"].isin(done["run_id"])]
    return window.groupby("run_id")[outcome.outcome].mean().reindex(done["run_id"].to_numpy())


def point_outcomes(runs: pd.DataFrame, steps: pd.DataFrame, outcome: str | WindowOutcome, n_points: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Per sample point: the mean over completed replicates; the noise share; the replicates used per point.

    Raises :class:`SensitivityUnavailable` when a point has no completed run
    (SALib's estimators need every point of the design).

    >>> runs = pd.DataFrame({"run_id": [0, 1, 2, 3], "point": [0, 0, 1, 1], "status": ["completed"] * 4, "final_x": [1.0, 3.0, 10.0, 12.0]})
    >>> means, noise, n = point_outcomes(runs, pd.DataFrame(), "x", 2)
    >>> means.tolist(), round(noise, 4), n.tolist()
    ([2.0, 11.0], 0.0247, [2, 2])
    """
    values = run_values(runs, steps, outcome)
    points = runs.set_index("run_id").loc[values.index, "point"].to_numpy()
    frame = pd.DataFrame({"point": points, "value": values.to_numpy()}).dropna()
    grouped = frame.groupby("point")["value"]
    means = grouped.mean().reindex(range(n_points))
    missing = np.flatnonzero(means.isna().to_numpy())
    if len(missing):
        shown = ", ".join(map(str, missing[:8])) + (" ..." if len(missing) > 8 else "")
        raise SensitivityUnavailable(f"{len(missing)} of {n_points} sample points have no completed run (points {shown}); the indices need every point. See the failed runs in runs.parquet")
    counts = grouped.size().reindex(range(n_points)).to_numpy()
    within = grouped.var(ddof=1).reindex(range(n_points)).to_numpy()
    between = float(np.var(means.to_numpy(), ddof=1)) if n_points > 1 else 0.0
    usable = counts > 1
    if not usable.any() or between <= 0:
        noise = float("nan") if not usable.any() else float("inf")
    else:
        noise = float(np.mean(within[usable] / counts[usable]) / between)
    return means.to_numpy(dtype=float), noise, counts


def sensitivity_table(spec: SensitivitySpec, x: np.ndarray, runs: pd.DataFrame, steps: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every outcome's indices in the long form of ``sensitivity.parquet``, and each outcome's noise share."""
    problem = SensitivityProblem.from_spec(spec)
    frames, noise = [], {}
    for o in spec.outcomes:
        y, share, _ = point_outcomes(runs, steps, o, len(x))
        df = analyse(problem, spec.method, x, y, second_order=spec.second_order, levels=spec.levels, resamples=spec.resamples, seed=seed)
        df.insert(0, "statistic", "final" if isinstance(o, str) else f"mean of steps {o.window[0]}-{o.window[1]}")
        df.insert(0, "outcome", o if isinstance(o, str) else o.outcome)
        df.insert(0, "method", spec.method)
        frames.append(df)
        noise[outcome_label(o)] = share
    table = pd.concat(frames, ignore_index=True)[list(COLUMNS)]
    table["parameter2"] = table["parameter2"].astype("string")
    return table, noise


def ranking(table: pd.DataFrame, noise: dict[str, float] | None = None, top: int = 10) -> str:
    """Parameters ranked per outcome by total index (Sobol') or mu* (Morris), as lines a person reads."""
    lines = []
    for (outcome, statistic), df in table.groupby(["outcome", "statistic"], sort=False):
        method = df["method"].iloc[0]
        key = "ST" if method == "sobol" else "mu_star"
        main = df[df["index"] == key].sort_values("value", ascending=False)
        label = outcome if statistic == "final" else f"{outcome} ({statistic})"
        share = (noise or {}).get(label)
        note = "" if share is None or share != share else f"; replicate noise share {share:.2f}"
        lines.append(f"{label}: parameters ranked by {'total index ST' if key == 'ST' else 'mu*'}{note}")
        for rank, row in enumerate(main.head(top).itertuples(), start=1):
            if method == "sobol":
                s1 = df[(df["index"] == "S1") & (df["parameter"] == row.parameter)].iloc[0]
                lines.append(f"  {rank:>2}. {row.parameter:<28} ST {row.value:6.3f} +- {row.confidence:.3f}   S1 {s1['value']:6.3f} +- {s1['confidence']:.3f}")
            else:
                sigma = df[(df["index"] == "sigma") & (df["parameter"] == row.parameter)].iloc[0]
                lines.append(f"  {rank:>2}. {row.parameter:<28} mu* {row.value:9.4g} +- {row.confidence:.3g}   sigma {sigma['value']:9.4g}")
    return "\n".join(lines)


def draw_sensitivity_plots(plots_dir: Path, table: pd.DataFrame) -> list[Path]:
    """A bar chart with 95% error bars per outcome: S1 and ST (Sobol') or mu* and sigma (Morris)."""
    paths = []
    for n, ((outcome, statistic), df) in enumerate(table.groupby(["outcome", "statistic"], sort=False)):
        method = df["method"].iloc[0]
        first, second = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
        a = df[df["index"] == first].set_index("parameter")
        b = df[df["index"] == second].set_index("parameter")
        order = b["value"].sort_values(ascending=False).index if method == "sobol" else a["value"].sort_values(ascending=False).index
        a, b = a.loc[order], b.loc[order]
        fig = Figure(figsize=(max(6.0, 0.8 * len(order) + 2), 4.2), layout="constrained")
        ax = fig.add_subplot()
        pos = np.arange(len(order))
        w = 0.38
        ax.bar(pos - w / 2, a["value"], w, yerr=np.nan_to_num(a["confidence"].to_numpy(dtype=float)), capsize=3, label=first.replace("mu_star", "mu*"), color="#1f77b4")
        ax.bar(pos + w / 2, b["value"], w, yerr=np.nan_to_num(b["confidence"].to_numpy(dtype=float)), capsize=3, label=second, color="#ff7f0e")
        ax.set_xticks(pos, list(order), rotation=30, ha="right")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel("index" if method == "sobol" else "elementary effect (per unit range)")
        label = outcome if statistic == "final" else f"{outcome}, {statistic}"
        ax.set_title(f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity of {label} (bars: 95% interval)")
        ax.legend()
        slug = "".join(c if c.isalnum() else "_" for c in (outcome if statistic == "final" else f"{outcome}_{statistic}")).strip("_")
        path = plots_dir / f"sensitivity_{n:02d}_{slug}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths
