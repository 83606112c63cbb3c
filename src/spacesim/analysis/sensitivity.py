"""Global sensitivity analysis with SALib: sample the parameters, average the replicates, estimate the indices.

The pipeline is generic (a :class:`SensitivityProblem`, a sample matrix and
a runs table), so that it can be run on a Python function as well as on the
model: ``spacesim sensitivity`` runs the model through the batch engine,
:func:`sensitivity_of_function` evaluates a function of the parameters
instead (the tests check the pipeline that way on the Ishigami function,
whose indices are known), and both then share steps 1, 3 and 4:

1. :func:`sample` draws the design with SALib's Saltelli/Sobol' sampler
   (``SALib.sample.sobol``, scrambled, seeded) or Morris trajectories
   (``SALib.sample.morris``), in the parameters' units and distributions.
2. The batch engine runs every sample point ``replicates`` times (common
   seed scheme of every batch); :func:`point_outcomes` turns the runs into one
   value per point and outcome (the mean over completed replicates, of the
   final value, the total over the run of a per-step count, or the mean over
   a window of steps) and measures the
   replicate noise.
3. :func:`analyse` calls ``SALib.analyze.sobol`` (first-order S1, total ST
   and second-order S2 indices, with bootstrap confidence intervals) or
   ``SALib.analyze.morris`` (mu*, its interval, sigma and mu).
4. :func:`write_sensitivity` writes them to ``sensitivity.parquet`` and
   returns the account the manifest keeps.

**Noise.** A stochastic model gives different outcomes at the same point. The
indices are computed on the means over replicates; :func:`point_outcomes`
reports the *noise ratio*: the variance the replicate noise leaves in those
means (mean within-point variance / replicates) divided by the variance of
the means across points. It is a ratio, not a share of a total: 0 means the
points differ only by their parameters, 1 (100%) that chance alone would
spread them as much as they are spread, and it can exceed 1. An index well
below it cannot be told from noise; more replicates lower it.

**Caveats.** With few samples the estimators are noisy: a Sobol' index can
come out below 0 or above 1 (which a share of variance cannot be), and an
interval can be wider than the index. :func:`caveat` flags both, and the
ranking and the report mark such values and say to raise ``samples``.

Integer parameters are rounded to the nearest integer when the model runs;
the analysis uses the unrounded sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..output.outcomes import FINAL, run_value
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
    """One value per completed run (indexed by run id): for a name, the run's value (:func:`spacesim.output.outcomes.run_value`: final, or total over the run for a per-step count); for a window, the mean over its steps."""
    done = runs[runs["status"] == "completed"]
    if isinstance(outcome, str):
        return pd.Series(done[run_value(outcome, runs.columns).column].to_numpy(dtype=float), index=done["run_id"].to_numpy())
    first, last = outcome.window
    window = steps[(steps["step"] >= first) & (steps["step"] <= last) & steps["run_id"].isin(done["run_id"])]
    return window.groupby("run_id")[outcome.outcome].mean().reindex(done["run_id"].to_numpy())


def statistic_of(outcome: str | WindowOutcome, columns: Any = None) -> str:
    """What sensitivity.parquet's ``statistic`` column says a run's value of ``outcome`` is: "final", "total over the run" (a per-step count) or "mean of steps A-B".

    >>> statistic_of("mean_trust"), statistic_of("n_asat_tests"), statistic_of(WindowOutcome(outcome="mean_trust", window=(10, 20)))
    ('final', 'total over the run', 'mean of steps 10-20')
    """
    if isinstance(outcome, str):
        return run_value(outcome, columns).statistic
    return f"mean of steps {outcome.window[0]}-{outcome.window[1]}"


def statistic_label(outcome: str, statistic: str) -> str:
    """An outcome and its statistic as the ranking and the manifest's noise name them: "mean_trust", "n_leaks (total over the run)".

    >>> statistic_label("mean_trust", "final"), statistic_label("mean_trust", "mean of steps 10-20")
    ('mean_trust', 'mean_trust (mean of steps 10-20)')
    """
    return outcome if statistic == FINAL else f"{outcome} ({statistic})"


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
        statistic = statistic_of(o, runs.columns)
        name = o if isinstance(o, str) else o.outcome
        df.insert(0, "statistic", statistic)
        df.insert(0, "outcome", name)
        df.insert(0, "method", spec.method)
        frames.append(df)
        noise[statistic_label(name, statistic)] = share
    table = pd.concat(frames, ignore_index=True)[list(COLUMNS)]
    table["parameter2"] = table["parameter2"].astype("string")
    return table, noise


def write_sensitivity(out: Path, spec: SensitivitySpec, x: np.ndarray, runs: pd.DataFrame, steps: pd.DataFrame, seed: int) -> dict[str, Any]:
    """Estimate the indices of ``runs`` (made at the sample points ``x``) into ``out/sensitivity.parquet``; return the manifest's account of it.

    When the indices cannot be computed (a sample point without a completed
    run), no table is written (an old one is removed) and the account says why.
    """
    problem = SensitivityProblem.from_spec(spec)
    account: dict[str, Any] = {
        "method": spec.method,
        "parameters": problem.describe(),
        "samples": spec.samples,
        "points": len(x),
        "second_order": spec.second_order if spec.method == "sobol" else None,
        "levels": spec.levels if spec.method == "morris" else None,
        "resamples": spec.resamples,
        "outcomes": [o if isinstance(o, str) else o.model_dump(mode="json") for o in spec.outcomes],
        "sampler": "SALib.sample.sobol.sample (Saltelli, scrambled Sobol')" if spec.method == "sobol" else "SALib.sample.morris.sample",
        "analyser": "SALib.analyze.sobol.analyze" if spec.method == "sobol" else "SALib.analyze.morris.analyze",
        "seed": seed,
        "table": None,
        "noise": {},
        "error": None,
    }
    target = Path(out) / "sensitivity.parquet"
    try:
        table, noise = sensitivity_table(spec, x, runs, steps, seed=seed)
    except SensitivityUnavailable as exc:
        account["error"] = str(exc)
        target.unlink(missing_ok=True)
        return account
    tmp = target.with_name(f".{target.name}.tmp")
    table.to_parquet(tmp, index=False)
    tmp.replace(target)
    account["table"] = target.name
    account["noise"] = {k: (None if v != v or v == float("inf") else v) for k, v in noise.items()}
    return account


#: A function of the parameters in place of the model: ``fn(parameters, rng)`` returns the outcomes of one run.
RunFunction = Callable[[dict[str, float], np.random.Generator], dict[str, float]]


def function_runs(fn: RunFunction, problem: SensitivityProblem, x: np.ndarray, outcomes: list[str], replicates: int = 1, seed: int = 0) -> pd.DataFrame:
    """A runs table like a batch's (``run_id, point, variant, replicate, seed, status, error_type, error``, the parameters, ``final_<outcome>``) of ``fn`` at every sample point.

    Each point is evaluated ``replicates`` times, replicate ``r`` of point
    ``p`` with ``numpy.random.default_rng(seed)`` of the batch's seed scheme
    (:func:`spacesim.experiment.design.replicate_seeds`), so a stochastic
    function gets independent, reproducible noise. A call that raises is a
    failed run, as in a batch.

    >>> p = SensitivityProblem.uniform({"a": (0, 1), "b": (0, 1)})
    >>> runs = function_runs(lambda v, rng: {"y": v["a"] + 2 * v["b"]}, p, np.array([[0.5, 0.25], [1.0, 0.0]]), ["y"], replicates=2)
    >>> runs[["point", "replicate", "status", "final_y"]].values.tolist()
    [[0, 0, 'completed', 1.0], [0, 1, 'completed', 1.0], [1, 0, 'completed', 1.0], [1, 1, 'completed', 1.0]]
    """
    from ..experiment.design import replicate_seeds

    seeds = replicate_seeds(seed, len(x), replicates)
    rows = []
    for point, values in enumerate(np.asarray(x, dtype=float)):
        parameters = dict(zip(problem.names, map(float, values)))
        for r in range(replicates):
            base = {"run_id": len(rows), "point": point, "variant": "default", "replicate": r, "seed": int(seeds[point, r]), **parameters}
            try:
                result = fn(dict(parameters), np.random.default_rng(int(seeds[point, r])))
                finals = {f"final_{o}": float(result[o]) for o in outcomes}
            except Exception as exc:  # noqa: BLE001 - a failing run is recorded, as the batch does
                rows.append({**base, "status": "failed", "error_type": type(exc).__name__, "error": str(exc), **{f"final_{o}": np.nan for o in outcomes}})
            else:
                rows.append({**base, "status": "completed", "error_type": None, "error": None, **finals})
    return pd.DataFrame(rows)


def sensitivity_of_function(spec: SensitivitySpec, fn: RunFunction, out: str | Path, *, replicates: int = 1, seed: int = 0) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The sensitivity analysis ``spacesim sensitivity`` makes, of a Python function of the parameters instead of the model.

    The same steps on the same data: the design from :func:`sample`, every
    point run ``replicates`` times (:func:`function_runs`), the replicates
    averaged per point with the noise measured (:func:`point_outcomes`), the
    indices from SALib (:func:`analyse`) written to ``out/sensitivity.parquet``
    (:func:`write_sensitivity`). ``spec``'s parameter names are the
    function's (they are not checked against the model's), and its outcomes
    must be final values (a function has no steps to average over a window).
    Returns the table as written and the account a batch's manifest keeps.

    >>> import tempfile
    >>> spec = SensitivitySpec(samples=256, parameters={"a": {"low": 0, "high": 1}, "b": {"low": 0, "high": 1}}, outcomes=["y"])
    >>> table, account = sensitivity_of_function(spec, lambda v, rng: {"y": 2 * v["a"] + v["b"]}, tempfile.mkdtemp())
    >>> table[table["index"] == "S1"].set_index("parameter")["value"].round(1).to_dict(), account["points"]
    ({'a': 0.8, 'b': 0.2}, 1536)
    """
    windows = [o for o in spec.outcomes if not isinstance(o, str)]
    if windows:
        raise ValueError(f"a function's outcomes are final values; {outcome_label(windows[0])} needs steps")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    problem = SensitivityProblem.from_spec(spec)
    x = sample(problem, spec.method, spec.samples, second_order=spec.second_order, levels=spec.levels, seed=seed)
    runs = function_runs(fn, problem, x, [str(o) for o in spec.outcomes], replicates, seed)
    account = write_sensitivity(out, spec, x, runs, pd.DataFrame(), seed)
    if account["error"]:
        raise SensitivityUnavailable(account["error"])
    return pd.read_parquet(out / "sensitivity.parquet"), account


#: Marks of :func:`caveat`, as the ranking and the report print them.
MARKS = {"outside": "!", "wide": "?"}


def caveat(method: str, index: str, value: float, confidence: float) -> str | None:
    """Why an index should not be read as a number: ``"outside"`` (a Sobol' index below 0 or above 1, which a share of variance cannot be), ``"wide"`` (its 95% interval is wider than the value: it cannot be told from 0), or ``None``.

    >>> caveat("sobol", "ST", 1.568, 1.497), caveat("sobol", "S1", 0.1, 0.19), caveat("sobol", "S1", 0.31, 0.03), caveat("morris", "mu_star", 2.0, 2.5)
    ('outside', 'wide', None, 'wide')
    >>> caveat("morris", "sigma", 3.0, float("nan")) is None
    True
    """
    value, confidence = float(value), float(confidence)
    if value != value:
        return None
    if method == "sobol" and index in ("S1", "ST", "S2") and not 0.0 <= value <= 1.0:
        return "outside"
    if confidence == confidence and confidence > abs(value):
        return "wide"
    return None


def caveat_lines(table: pd.DataFrame, samples: int | None = None) -> list[str]:
    """What the marks of :func:`ranking` mean, for the marks that occur in ``table`` (nothing when every index reads fine)."""
    found = {caveat(r.method, r.index, r.value, r.confidence) for r in table.itertuples()} - {None}
    if not found:
        return []
    lines = []
    if "outside" in found:
        lines.append(f"{MARKS['outside']} outside [0, 1], which a Sobol' index (a share of variance) cannot be: the estimate has not converged")
    if "wide" in found:
        lines.append(f"{MARKS['wide']} the 95% interval is wider than the value: it cannot be told from 0")
    n = f" (now {samples})" if samples else ""
    lines.append(f"marked values are unreliable; raise samples{n} in the sensitivity section for numbers to cite (only a clear ranking may hold)")
    return lines


def ranking(table: pd.DataFrame, noise: dict[str, float] | None = None, top: int = 10, samples: int | None = None) -> str:
    """Parameters ranked per outcome by total index (Sobol') or mu* (Morris), as lines a person reads; unreliable values are marked (see :func:`caveat`)."""
    lines = []

    def shown(method: str, index: str, value: float, confidence: float, fmt: str) -> str:
        mark = MARKS.get(caveat(method, index, value, confidence) or "", " ")
        return f"{value:{fmt}} +- {confidence:{'.3f' if method == 'sobol' else '.3g'}}{mark}"

    for (outcome, statistic), df in table.groupby(["outcome", "statistic"], sort=False):
        method = df["method"].iloc[0]
        key = "ST" if method == "sobol" else "mu_star"
        main = df[df["index"] == key].sort_values("value", ascending=False)
        label = statistic_label(outcome, statistic)
        ratio = (noise or {}).get(label)
        note = "" if ratio is None or ratio != ratio else f"; replicate noise / variance across points {ratio:.2f}"
        lines.append(f"{label}: parameters ranked by {'total index ST' if key == 'ST' else 'mu*'}{note}")
        for rank, row in enumerate(main.head(top).itertuples(), start=1):
            if method == "sobol":
                s1 = df[(df["index"] == "S1") & (df["parameter"] == row.parameter)].iloc[0]
                lines.append(f"  {rank:>2}. {row.parameter:<28} ST {shown(method, 'ST', row.value, row.confidence, '6.3f')}   S1 {shown(method, 'S1', s1['value'], s1['confidence'], '6.3f')}")
            else:
                sigma = df[(df["index"] == "sigma") & (df["parameter"] == row.parameter)].iloc[0]
                lines.append(f"  {rank:>2}. {row.parameter:<28} mu* {shown(method, 'mu_star', row.value, row.confidence, '9.4g')}   sigma {sigma['value']:9.4g}")
    first = table[table["parameter2"].isna()] if "parameter2" in table.columns else table
    lines += ["  " + line for line in caveat_lines(first[first["index"].isin(["ST", "S1", "mu_star"])], samples)]
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
