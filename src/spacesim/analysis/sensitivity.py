"""Global sensitivity analysis with SALib: sample the parameters, average the replicates, estimate the indices.

The pipeline is generic (a :class:`SensitivityProblem`, a sample matrix and
a runs table), so that it can be run on a Python function as well as on the
model: ``spacesim sensitivity`` runs the model through the batch engine,
:func:`sensitivity_of_function` evaluates a function of the parameters
instead (the tests check the pipeline that way on the Ishigami function,
whose indices are known), and both then share steps 1, 3 and 4:

1. :func:`~spacesim.experiment.sampling.sample` (the experiment layer's) draws the design with the sampler of the method (the
   :data:`METHODS` table: Saltelli/Sobol', Morris trajectories, FAST search
   curves, a Latin hypercube for RBD-FAST, delta and PAWN, finite-difference
   steps for DGSM), seeded, in the parameters' units and distributions.
2. The batch engine runs every sample point ``replicates`` times (common
   seed scheme of every batch); :func:`point_outcomes` turns the runs into one
   value per point and outcome (the mean over completed replicates, of the
   final value, the total over the run of a per-step count, or the mean over
   a window of steps) and measures the
   replicate noise.
3. :func:`analyse` calls the method's SALib analyser (Sobol': S1, ST and S2
   with bootstrap intervals; Morris: mu*, its interval, sigma and mu; FAST:
   S1 and ST; RBD-FAST: S1; delta: delta and S1; PAWN: the KS statistics
   over slides; DGSM: dgsm and vi), on one row per index.
4. :func:`write_sensitivity` writes them to ``sensitivity.parquet``, with the
   convergence check (:func:`convergence`: the main index at N/4, N/2 and N)
   and the indices per window of steps (:func:`indices_over_time`) beside
   them, and returns the account the manifest keeps.

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
ranking, the report and the plots mark such values (``!``, ``?``) and say to
raise ``samples``. The plots draw an error bar only where SALib gives an
interval.

Integer parameters are rounded to the nearest integer when the model runs;
the analysis uses the unrounded sample.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..experiment.sampling import FAST_M, SensitivityProblem, sample
from ..output.outcomes import FINAL, run_value
from ..scenario.experiment import Distribution, SensitivitySpec, WindowOutcome, outcome_label
from .plots import LINE_COLOURS as COLOURS  # the colour-blind-safe palette of every figure
from .plots import OKABE_ITO

#: Most bootstrap resamples of delta's interval (SALib's default): each costs a full pass of its kernel density estimates.
DELTA_RESAMPLES = 100
#: PAWN's conditioning slides (SALib's default).
PAWN_SLIDES = 10

#: Columns of ``sensitivity.parquet``.
COLUMNS = ("method", "outcome", "statistic", "parameter", "parameter2", "index", "value", "confidence")


class SensitivityUnavailable(ValueError):
    """The indices cannot be computed from these runs (e.g. a sample point has no completed run)."""


@dataclass(frozen=True)
class Method:
    """A SALib method as spacesim uses it: its sampler, its analyser, the indices it gives and how ``samples`` sizes its design.

    ``main`` ranks the parameters; ``second`` is shown beside it; ``shares``
    are the indices that are shares of variance (or distances between
    distributions) and so lie in [0, 1]; ``nested`` says that the first rows
    of the design are a design of their own (the convergence check needs it);
    ``block`` gives the rows per base sample for ``D`` parameters.
    """

    name: str
    title: str
    main: str
    second: str | None
    shares: frozenset[str]
    sampler: str
    analyser: str
    nested: bool
    block: Callable[[int, bool], int]
    meaning: str
    intervals: bool = True


#: Every method ``--method`` and the experiment file's ``sensitivity.method`` accept, by name.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("sobol", "Sobol'", "ST", "S1", frozenset({"S1", "ST", "S2"}), "SALib.sample.sobol.sample (Saltelli, scrambled Sobol')", "SALib.analyze.sobol.analyze", True,
               lambda d, second: 2 * d + 2 if second else d + 2,
               "S1, the share of the outcome's variance due to the parameter alone; ST, its share including interactions; S2, the share of a pair's interaction"),
        Method("morris", "Morris", "mu_star", "sigma", frozenset(), "SALib.sample.morris.sample", "SALib.analyze.morris.analyze", True, lambda d, second: d + 1,
               "mu*, the mean absolute elementary effect (the outcome's change for one grid step, scaled to the whole range); sigma, the spread of those effects (non-linearity or interactions)"),
        Method("fast", "FAST", "ST", "S1", frozenset({"S1", "ST"}), "SALib.sample.fast_sampler.sample (extended FAST, M = 4)", "SALib.analyze.fast.analyze", False, lambda d, second: d,
               "S1 and ST as Sobol's, from the Fourier spectrum along a search curve (Saltelli et al. 1999); no intervals: SALib calls its FAST bootstrap unreliable (SALib issue 649)",
               intervals=False),
        Method("rbd_fast", "RBD-FAST", "S1", None, frozenset({"S1"}), "SALib.sample.latin.sample (Latin hypercube)", "SALib.analyze.rbd_fast.analyze", True, lambda d, second: 1,
               "S1, the first-order share of variance, from a random balance design (Tarantola et al. 2006; Plischke 2010)"),
        Method("delta", "delta (moment-independent)", "delta", "S1", frozenset({"delta", "S1"}), "SALib.sample.latin.sample (Latin hypercube)", "SALib.analyze.delta.analyze (delta_raw; at most 100 bootstrap resamples)", True,
               lambda d, second: 1,
               "delta, Borgonovo's moment-independent importance: the expected shift of the outcome's whole distribution when the parameter is known (0 = none, at most 1); S1, the first-order share of variance from the same sample"),
        Method("pawn", "PAWN", "median", "maximum", frozenset({"minimum", "mean", "median", "maximum"}), "SALib.sample.latin.sample (Latin hypercube)", "SALib.analyze.pawn.analyze (10 slides)",
               True, lambda d, second: 1,
               "PAWN (Pianosi & Wagener 2015): the Kolmogorov-Smirnov distance between the outcome's distribution and its distribution with the parameter fixed in one of 10 slides; median (ranking) and maximum over the slides; no intervals",
               intervals=False),
        Method("dgsm", "DGSM", "dgsm", None, frozenset(), "SALib.sample.finite_diff.sample (a Sobol' sequence; steps of 0.1% of each value)", "SALib.analyze.dgsm.analyze", True, lambda d, second: d + 1,
               "dgsm, the derivative-based measure (Sobol' & Kucherenko 2009): the mean squared derivative times the squared range over pi^2 times the variance, an upper bound of ST; vi, the mean squared derivative"),
    )
}  # fmt: skip


def method_named(name: str) -> Method:
    """The method called ``name``; a ValueError naming the ones there are otherwise.

    >>> method_named("delta").main, method_named("pawn").intervals
    ('delta', False)
    """
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown sensitivity method {name!r}; use one of {', '.join(METHODS)}") from None


@contextmanager
def _global_seed(seed: int) -> Iterator[None]:
    """Seed numpy's global generator for an analyser that bootstraps with it (delta, DGSM, FAST), and put its state back afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _salib(method: str, problem: SensitivityProblem, x: np.ndarray, y: np.ndarray, *, second_order: bool, levels: int, resamples: int, seed: int) -> dict[str, Any]:
    """SALib's result for ``method`` as a plain dict of arrays."""
    salib = problem.salib()
    if method == "sobol":
        from SALib.analyze import sobol

        return dict(sobol.analyze(salib, y, calc_second_order=second_order, num_resamples=resamples, conf_level=0.95, seed=seed))
    if method == "morris":
        from SALib.analyze import morris

        return dict(morris.analyze(salib, x, y, num_levels=levels, num_resamples=resamples, conf_level=0.95, seed=seed))
    if method == "rbd_fast":
        from SALib.analyze import rbd_fast

        return dict(rbd_fast.analyze(salib, x, y, num_resamples=resamples, conf_level=0.95, seed=seed))
    if method == "pawn":
        from SALib.analyze import pawn

        return dict(pawn.analyze(salib, x, y, S=PAWN_SLIDES))  # deterministic: no seed (which would seed numpy's global generator)
    with _global_seed(seed):
        if method == "fast":
            import warnings

            from SALib.analyze import fast

            with warnings.catch_warnings():  # the warning says its intervals are unreliable: they are not used
                warnings.filterwarnings("ignore", message="FAST confidence intervals", category=UserWarning)
                return dict(fast.analyze(salib, y, M=FAST_M, num_resamples=2))
        if method == "delta":
            import warnings

            from SALib.analyze import delta

            # SALib's delta resets the warning filters ("once") and their format for the whole process, and notices the
            # "balanced" variant spacesim does not report: its warnings are recorded and dropped, the format put back.
            formatter = warnings.formatwarning
            try:
                with warnings.catch_warnings(record=True):
                    return dict(delta.analyze(salib, x, y, num_resamples=min(resamples, DELTA_RESAMPLES), conf_level=0.95))
            finally:
                warnings.formatwarning = formatter
        from SALib.analyze import dgsm

        return dict(dgsm.analyze(salib, x, y, num_resamples=resamples, conf_level=0.95))


#: Per method: (index in the table, SALib's key of the value, SALib's key of its 95% half-width or None).
_INDICES: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "sobol": (("S1", "S1", "S1_conf"), ("ST", "ST", "ST_conf")),
    "morris": (("mu_star", "mu_star", "mu_star_conf"), ("sigma", "sigma", None), ("mu", "mu", None)),
    "fast": (("S1", "S1", None), ("ST", "ST", None)),
    "rbd_fast": (("S1", "S1", "S1_conf"),),
    "delta": (("delta", "delta_raw", "delta_raw_conf"), ("S1", "S1", "S1_conf")),
    "pawn": (("median", "median", None), ("maximum", "maximum", None), ("minimum", "minimum", None), ("mean", "mean", None), ("CV", "CV", None)),
    "dgsm": (("dgsm", "dgsm", "dgsm_conf"), ("vi", "vi", None)),
}


def analyse(problem: SensitivityProblem, method: str, x: np.ndarray, y: np.ndarray, *, second_order: bool = True, levels: int = 4, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Indices of one output ``y`` (one value per row of ``x``) as rows ``parameter, parameter2, index, value, confidence``.

    ``confidence`` is the half-width of SALib's 95% bootstrap interval, NaN
    where SALib gives none (Morris' sigma and mu, PAWN, DGSM's vi) or where
    spacesim does not use it (FAST: SALib itself calls its FAST intervals
    unreliable).
    """
    m = method_named(method)
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    names = problem.names
    if len(y) and np.ptp(y) == 0:  # the outcome is the same at every point: no parameter moves it, and SALib would divide by its variance, 0
        nothing = {key: np.full(len(names), np.nan) for _, key, conf in _INDICES[m.name] for key in (key, conf) if key}
        res = {**nothing, "S2": np.full((len(names), len(names)), np.nan), "S2_conf": np.full((len(names), len(names)), np.nan)}
    else:
        res = _salib(m.name, problem, x, y, second_order=second_order, levels=levels, resamples=resamples, seed=seed)
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        for index, key, conf in _INDICES[m.name]:
            value = float(np.asarray(res[key], dtype=float)[i])
            confidence = float(np.asarray(res[conf], dtype=float)[i]) if conf else float("nan")
            rows.append({"parameter": name, "parameter2": None, "index": index, "value": value, "confidence": confidence})
    if m.name == "sobol" and second_order:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append({"parameter": names[i], "parameter2": names[j], "index": "S2", "value": float(res["S2"][i, j]), "confidence": float(res["S2_conf"][i, j])})
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

    Beside it: the convergence check (:func:`convergence`, the indices at
    N/4, N/2 and N in ``sensitivity_convergence.parquet``, its verdict per
    outcome in the account) and, when ``steps`` holds the outcomes per step,
    the indices per window of steps (:func:`indices_over_time`,
    ``sensitivity_over_time.parquet``). When the indices cannot be computed
    (a sample point without a completed run), no table is written (old ones
    are removed) and the account says why.
    """
    problem = SensitivityProblem.from_spec(spec)
    m = method_named(spec.method)
    account: dict[str, Any] = {
        "method": spec.method,
        "parameters": problem.describe(),
        "samples": spec.samples,
        "points": len(x),
        "second_order": spec.second_order if spec.method == "sobol" else None,
        "levels": spec.levels if spec.method == "morris" else None,
        "resamples": spec.resamples,
        "outcomes": [o if isinstance(o, str) else o.model_dump(mode="json") for o in spec.outcomes],
        "sampler": m.sampler,
        "analyser": m.analyser,
        "seed": seed,
        "table": None,
        "noise": {},
        "convergence": {},
        "extra_tables": [],
        "error": None,
    }
    out = Path(out)
    targets = {name: out / f"{name}.parquet" for name in ("sensitivity", "sensitivity_convergence", "sensitivity_over_time")}
    try:
        table, noise = sensitivity_table(spec, x, runs, steps, seed=seed)
    except SensitivityUnavailable as exc:
        account["error"] = str(exc)
        for target in targets.values():
            target.unlink(missing_ok=True)
        return account
    _write(table, targets["sensitivity"])
    account["table"] = targets["sensitivity"].name
    account["noise"] = {k: (None if v != v or v == float("inf") else v) for k, v in noise.items()}
    checks, verdicts = [], {}
    for o in spec.outcomes:
        y, _, _ = point_outcomes(runs, steps, o, len(x))
        name, statistic = (o if isinstance(o, str) else o.outcome), statistic_of(o, runs.columns)
        check = convergence(problem, spec.method, x, y, samples=spec.samples, second_order=spec.second_order, levels=spec.levels, resamples=spec.resamples, seed=seed)
        verdicts[statistic_label(name, statistic)] = {"enough": check.enough, "reasons": check.reasons}
        if len(check.table):
            checks.append(check.table.assign(method=spec.method, outcome=name, statistic=statistic))
    account["convergence"] = verdicts
    if checks:
        _write(pd.concat(checks, ignore_index=True)[list(CONVERGENCE_COLUMNS)], targets["sensitivity_convergence"])
        account["extra_tables"].append(targets["sensitivity_convergence"].name)
    else:
        targets["sensitivity_convergence"].unlink(missing_ok=True)
    names = list(dict.fromkeys(o if isinstance(o, str) else o.outcome for o in spec.outcomes))
    over_time = indices_over_time(spec, x, runs, steps, names, seed=seed) if "step" in steps.columns else pd.DataFrame()
    if len(over_time):
        _write(over_time, targets["sensitivity_over_time"])
        account["extra_tables"].append(targets["sensitivity_over_time"].name)
    else:
        targets["sensitivity_over_time"].unlink(missing_ok=True)
    return account


def _write(table: pd.DataFrame, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    table.to_parquet(tmp, index=False)
    tmp.replace(target)


#: Columns of ``sensitivity_convergence.parquet``: the main index at a share of the sample.
CONVERGENCE_COLUMNS = ("method", "outcome", "statistic", "samples", "points", "parameter", "index", "value", "confidence")
#: Largest 95% half-width, as a share of the largest index, at which the ranking can be read.
PRECISE_SHARE = 0.5
#: Share of the largest index within which an estimate without an interval counts as settled.
SETTLED_SHARE = 0.1


@dataclass(frozen=True)
class Convergence:
    """The main index of one outcome at N/4, N/2 and N (``table``), and whether ``samples`` is enough (``None``: cannot be told)."""

    table: pd.DataFrame
    enough: bool | None
    reasons: list[str]


def convergence(problem: SensitivityProblem, method: str, x: np.ndarray, y: np.ndarray, *, samples: int, second_order: bool = True, levels: int = 4, resamples: int = 1000, seed: int = 0) -> Convergence:
    """Re-estimate the main index on the first quarter and half of the design and say whether ``samples`` is enough.

    The first N/4 and N/2 base samples of every nested design are designs of
    their own (a scrambled Sobol' sequence keeps its balance at powers of
    two; Morris trajectories, DGSM base points and Latin hypercube rows are
    independent draws). ``samples`` counts as enough when, at N,

    * no index that is a share lies outside [0, 1];
    * every interval is narrower than half the largest index (the ranking
      can be read);
    * every parameter's index moved from N/2 to N by no more than its 95%
      interval at N (by no more than 10% of the largest index where SALib
      gives no interval);
    * no two parameters swapped places from N/2 to N unless their indices at
      N lie within each other's intervals.

    Each failure is a reason, in words. FAST's search curves cannot be cut:
    its check says so and ``enough`` is ``None``.
    """
    m = method_named(method)
    columns = ["samples", "points", "parameter", "index", "value", "confidence"]
    if not m.nested:
        return Convergence(pd.DataFrame(columns=columns), None, [f"{m.title}'s design cannot be cut into smaller designs; run it again with samples halved and compare"])
    block = m.block(len(problem.names), second_order)
    frames = []
    for share in (4, 2, 1):
        n = samples // share
        if n < 2 or (m.name in ("rbd_fast", "delta", "pawn") and n < 2 * PAWN_SLIDES):
            continue
        rows = n * block
        df = analyse(problem, method, x[:rows], y[:rows], second_order=second_order, levels=levels, resamples=resamples, seed=seed)
        df = df[df["index"] == m.main][["parameter", "index", "value", "confidence"]]
        frames.append(df.assign(samples=n, points=rows)[columns])
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    full, half = table[table["samples"] == samples].set_index("parameter"), table[table["samples"] == samples // 2].set_index("parameter")
    if half.empty:
        return Convergence(table, None, [f"samples {samples} is too small to halve for the check"])
    reasons = []
    if m.main in m.shares:
        outside = [p for p, v in full["value"].items() if not 0.0 <= v <= 1.0]
        if outside:
            reasons.append(f"{m.main} of {', '.join(outside)} lies outside [0, 1], which a share cannot")
    if full["value"].isna().all():
        return Convergence(table, None, ["the outcome is the same at every sample point: there is nothing to rank"])
    largest = float(full["value"].abs().max()) if len(full) else 0.0
    if not largest > 0:
        why = " (DGSM's small steps did not change the outcome: an outcome that moves in jumps, such as a count, has no derivative to measure)" if m.name == "dgsm" else ""
        return Convergence(table, None, [f"every {m.main} is 0 at N: there is nothing to rank{why}"])
    vague = [p for p, h in full["confidence"].items() if h == h and h > PRECISE_SHARE * largest]
    if vague:
        reasons.append(f"the 95% interval of {m.main} of {', '.join(vague)} is wider than half the largest {m.main} ({largest:.3g}): the ranking cannot be read")
    allowed = full["confidence"].where(full["confidence"].notna(), SETTLED_SHARE * largest)
    moved = (full["value"] - half["value"].reindex(full.index)).abs()
    drifting = [p for p in full.index if moved[p] > allowed[p]]
    if drifting:
        reasons.append(f"{m.main} of {', '.join(drifting)} moved from N/2 to N by more than its 95% interval" if m.intervals else f"{m.main} of {', '.join(drifting)} moved from N/2 to N by more than {SETTLED_SHARE:.0%} of the largest index")
    swapped = []
    names = list(full.index)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            before, after = half.loc[a, "value"] - half.loc[b, "value"], full.loc[a, "value"] - full.loc[b, "value"]
            if before * after < 0 and abs(after) > max(allowed[a], allowed[b]):
                swapped.append(f"{a} and {b}")
    if swapped:
        reasons.append(f"the ranking changed from N/2 to N ({'; '.join(swapped)} swapped places)")
    return Convergence(table, not reasons, reasons)


#: Windows of steps the indices over time are computed on, at most.
TIME_WINDOWS = 5


def time_windows(last_step: int, count: int = TIME_WINDOWS) -> list[tuple[int, int]]:
    """Steps 1..``last_step`` cut into ``count`` windows as equal as can be (both ends included).

    >>> time_windows(10), time_windows(3)
    ([(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)], [(1, 1), (2, 2), (3, 3)])
    """
    count = max(1, min(count, last_step))
    edges = np.linspace(0, last_step, count + 1).round().astype(int)
    return [(int(a) + 1, int(b)) for a, b in zip(edges[:-1], edges[1:])]


#: Columns of ``sensitivity_over_time.parquet``.
OVER_TIME_COLUMNS = ("method", "outcome", "window_first", "window_last", "parameter", "index", "value", "confidence")


def indices_over_time(spec: SensitivitySpec, x: np.ndarray, runs: pd.DataFrame, steps: pd.DataFrame, outcomes: list[str], seed: int = 0, count: int = TIME_WINDOWS) -> pd.DataFrame:
    """The main and second index of each outcome's mean over each window of steps (:func:`time_windows`): how the parameters' influence changes over a run.

    A window in which some sample point has no value (an outcome that is
    undefined then) is left out.
    """
    problem = SensitivityProblem.from_spec(spec)
    m = method_named(spec.method)
    keep = [i for i in (m.main, m.second) if i]
    frames = []
    last = int(steps["step"].max()) if len(steps) else 0
    for outcome in outcomes:
        if outcome not in steps.columns:
            continue
        for first, end in time_windows(last, count):
            try:
                y, _, _ = point_outcomes(runs, steps, WindowOutcome(outcome=outcome, window=(first, end)), len(x))
            except SensitivityUnavailable:
                continue
            if not np.isfinite(y).all() or np.ptp(y) == 0:
                continue
            df = analyse(problem, spec.method, x, y, second_order=spec.second_order, levels=spec.levels, resamples=spec.resamples, seed=seed)
            df = df[df["index"].isin(keep) & df["parameter2"].isna()]
            frames.append(df.assign(method=spec.method, outcome=outcome, window_first=first, window_last=end))
    if not frames:
        return pd.DataFrame(columns=list(OVER_TIME_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(OVER_TIME_COLUMNS)]


#: A function of the parameters in place of the model: ``fn(parameters, rng)`` returns the outcomes of one run.
RunFunction = Callable[[dict[str, float], np.random.Generator], dict[str, float]]


@dataclass(frozen=True)
class _WithGenerator:
    """``fn(parameters, rng)`` as the engine's ``function(parameters, seed)``: the seed becomes ``numpy.random.default_rng(seed)``."""

    fn: RunFunction

    def __call__(self, parameters: dict[str, Any], seed: int) -> dict[str, float]:
        return self.fn(parameters, np.random.default_rng(seed))


def function_runs(fn: RunFunction, problem: SensitivityProblem, x: np.ndarray, outcomes: list[str], replicates: int = 1, seed: int = 0, workers: int | None = 1) -> pd.DataFrame:
    """A runs table like a batch's (``run_id, point, variant, replicate, seed``, the parameters, ``status, error_type, error``, ``final_<outcome>``) of ``fn`` at every sample point.

    The engine runs it (:func:`spacesim.experiment.evaluate.evaluate`, on
    ``workers`` processes): each point ``replicates`` times, replicate ``r``
    of point ``p`` with ``numpy.random.default_rng(seed)`` of the batch's seed
    scheme, so a stochastic function gets independent, reproducible noise. A
    call that raises is a failed run, as in a batch.

    >>> p = SensitivityProblem.uniform({"a": (0, 1), "b": (0, 1)})
    >>> runs = function_runs(lambda v, rng: {"y": v["a"] + 2 * v["b"]}, p, np.array([[0.5, 0.25], [1.0, 0.0]]), ["y"], replicates=2)
    >>> runs[["point", "replicate", "status", "final_y"]].values.tolist()
    [[0, 0, 'completed', 1.0], [0, 1, 'completed', 1.0], [1, 0, 'completed', 1.0], [1, 1, 'completed', 1.0]]
    """
    from ..experiment.evaluate import evaluate

    points = [dict(zip(problem.names, map(float, values))) for values in np.asarray(x, dtype=float)]
    return evaluate(_WithGenerator(fn), points, replicates=replicates, seed=seed, outcomes=outcomes, workers=workers)["runs"]


def sensitivity_of_function(spec: SensitivitySpec, fn: RunFunction, out: str | Path, *, replicates: int = 1, seed: int = 0, workers: int | None = 1) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The sensitivity analysis ``spacesim sensitivity`` makes, of a Python function of the parameters instead of the model.

    The same steps on the same data: the design from :func:`sample`, every
    point run ``replicates`` times by the engine, on ``workers`` processes
    (:func:`function_runs`), the replicates
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
    runs = function_runs(fn, problem, x, [str(o) for o in spec.outcomes], replicates, seed, workers=workers)
    account = write_sensitivity(out, spec, x, runs, pd.DataFrame(), seed)
    if account["error"]:
        raise SensitivityUnavailable(account["error"])
    return pd.read_parquet(out / "sensitivity.parquet"), account


#: Marks of :func:`caveat`, as the ranking, the report and the plots print them.
MARKS = {"outside": "!", "wide": "?"}


def caveat(method: str, index: str, value: float, confidence: float) -> str | None:
    """Why an index should not be read as a number: ``"outside"`` (an index that is a share, such as a Sobol' index, below 0 or above 1, which a share cannot be), ``"wide"`` (its 95% interval is wider than the value: it cannot be told from 0), or ``None``.

    >>> caveat("sobol", "ST", 1.568, 1.497), caveat("sobol", "S1", 0.1, 0.19), caveat("sobol", "S1", 0.31, 0.03), caveat("morris", "mu_star", 2.0, 2.5)
    ('outside', 'wide', None, 'wide')
    >>> caveat("morris", "sigma", 3.0, float("nan")) is None, caveat("rbd_fast", "S1", -0.02, 0.01)
    (True, 'outside')
    """
    value, confidence = float(value), float(confidence)
    if value != value:
        return None
    m = METHODS.get(method)
    if m is not None and index in m.shares and not 0.0 <= value <= 1.0:
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


def _shown(method: str, index: str, value: float, confidence: float, fmt: str) -> str:
    mark = MARKS.get(caveat(method, index, value, confidence) or "", " ")
    if confidence != confidence:
        return f"{value:{fmt}}{mark}"
    return f"{value:{fmt}} +- {confidence:{'.3f' if method == 'sobol' else '.3g'}}{mark}"


def _index_name(index: str) -> str:
    return {"mu_star": "mu*", "ST": "total index ST"}.get(index, index)


def ranking(table: pd.DataFrame, noise: dict[str, float] | None = None, top: int = 10, samples: int | None = None, convergence: dict[str, dict[str, Any]] | None = None) -> str:
    """Parameters ranked per outcome by the method's main index (Sobol' ST, Morris mu*, ...), as lines a person reads; unreliable values are marked (see :func:`caveat`), and the convergence check's verdict follows when given."""
    lines = []
    for (outcome, statistic), df in table.groupby(["outcome", "statistic"], sort=False):
        name = str(df["method"].iloc[0])
        m = method_named(name)
        main = df[(df["index"] == m.main) & df["parameter2"].isna()].sort_values("value", ascending=False)
        label = statistic_label(outcome, statistic)
        ratio = (noise or {}).get(label)
        note = "" if ratio is None or ratio != ratio else f"; replicate noise / variance across points {ratio:.2f}"
        lines.append(f"{label}: parameters ranked by {_index_name(m.main)}{note}")
        fmt = "6.3f" if name == "sobol" else "9.4g"
        for rank, row in enumerate(main.head(top).itertuples(), start=1):
            line = f"  {rank:>2}. {row.parameter:<28} {'ST' if m.main == 'ST' else _index_name(m.main)} {_shown(name, m.main, row.value, row.confidence, fmt)}"
            if m.second:
                other = df[(df["index"] == m.second) & (df["parameter"] == row.parameter) & df["parameter2"].isna()].iloc[0]
                if name == "morris":
                    line += f"   sigma {other['value']:9.4g}"
                else:
                    line += f"   {_index_name(m.second)} {_shown(name, m.second, other['value'], other['confidence'], fmt)}"
            lines.append(line)
        verdict = (convergence or {}).get(label)
        if verdict:
            if verdict.get("enough"):
                lines.append(f"  convergence: samples is enough ({_index_name(m.main)} at N/2 and N agree within their intervals)")
            elif verdict.get("enough") is False:
                lines.append(f"  convergence: raise samples: {'; '.join(verdict.get('reasons') or [])}")
            else:
                lines.append(f"  convergence: not checked: {'; '.join(verdict.get('reasons') or [])}")
    first = table[table["parameter2"].isna()] if "parameter2" in table.columns else table
    mains = {i for m in METHODS.values() for i in (m.main, m.second) if i and i != "sigma"}
    lines += ["  " + line for line in caveat_lines(first[first["index"].isin(mains)], samples)]
    return "\n".join(lines)


# --------------------------------------------------------------------- plots (each takes ax=None and returns the axes)


def _axes(ax: Axes | None, size: tuple[float, float] = (7, 4.2)) -> Axes:
    return ax if ax is not None else Figure(figsize=size, layout="constrained").add_subplot()


def _outcome_title(outcome: str, statistic: str) -> str:
    return outcome if statistic == FINAL else f"{outcome}, {statistic}"


def _noise_text(ratio: float | None) -> str:
    if ratio is None or ratio != ratio:
        return ""
    return f"replicate noise / variance across points: {ratio:.2f}" + (" (indices of this size cannot be told from noise)" if ratio >= 0.1 else "")


def _footnote(ax: Axes, marks: set[str], noise: float | None) -> None:
    """The marks found and the noise ratio, written under the plot as the printout says them."""
    words = []
    if "outside" in marks:
        words.append(f"{MARKS['outside']} outside [0, 1], which a share cannot be: not converged")
    if "wide" in marks:
        words.append(f"{MARKS['wide']} 95% interval wider than the value: cannot be told from 0")
    text = _noise_text(noise)
    if text:
        words.append(text)
    if words:  # under the axis label, where a constrained layout makes room for it
        ax.set_xlabel("\n".join([ax.get_xlabel(), *words]).strip("\n"), fontsize="small", loc="left")


def index_bars(df: pd.DataFrame, ax: Axes | None = None, noise: float | None = None) -> Axes:
    """The main and second index of one outcome per parameter as bars, 95% error bars only where SALib gives an interval, each unreliable value marked ``!`` or ``?`` above its bar."""
    ax = _axes(ax)
    name = str(df["method"].iloc[0])
    m = method_named(name)
    first = df[df["parameter2"].isna()] if "parameter2" in df.columns else df
    shown = [i for i in (m.main, m.second) if i]
    main = first[first["index"] == m.main].set_index("parameter")["value"].sort_values(ascending=False)
    order = list(main.index)
    pos = np.arange(len(order))
    width = 0.8 / len(shown)
    marks: set[str] = set()
    for k, index in enumerate(shown):
        rows = first[first["index"] == index].set_index("parameter").loc[order]
        values = rows["value"].to_numpy(dtype=float)
        conf = rows["confidence"].to_numpy(dtype=float)
        where = pos + (k - (len(shown) - 1) / 2) * width
        has = np.isfinite(conf)
        ax.bar(where, values, width, label=_index_name(index).replace("total index ", ""), color=(OKABE_ITO["blue"], OKABE_ITO["orange"])[k])
        if has.any():
            ax.errorbar(where[has], values[has], yerr=conf[has], fmt="none", ecolor="black", capsize=3, linewidth=1)
        for x, v, c in zip(where, values, conf):
            flag = caveat(name, index, v, c)
            if flag:
                marks.add(flag)
                top = v + (c if c == c else 0.0) if v >= 0 else v - (c if c == c else 0.0)
                ax.text(x, top, MARKS[flag], ha="center", va="bottom" if v >= 0 else "top", fontsize="large", fontweight="bold", color="#b2182b")
    ax.set_xticks(pos, order, rotation=30, ha="right")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("index")
    ax.set_xlabel("parameter")
    intervals = "bars: 95% interval" if m.intervals else "no intervals: SALib gives none for " + m.title
    ax.set_title(f"{m.title} sensitivity of {_outcome_title(str(df['outcome'].iloc[0]), str(df['statistic'].iloc[0]))} ({intervals})", fontsize="medium")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)  # outside the axes: never over a bar or line
    _footnote(ax, marks, noise)
    return ax


def morris_plane(df: pd.DataFrame, ax: Axes | None = None, noise: float | None = None) -> Axes:
    """Morris screening as mu* against sigma, one labelled point per parameter, a horizontal 95% interval on mu* (the only one SALib gives), and the rays sigma/mu* = 0.1, 0.5 and 1 of Garcia Sanchez et al. (2014): below 0.1 nearly linear, above 1 strongly non-linear or interacting."""
    ax = _axes(ax, (6.5, 5))
    wide = df.pivot_table(index="parameter", columns="index", values=["value", "confidence"], aggfunc="first")
    mu, sigma, conf = wide[("value", "mu_star")], wide[("value", "sigma")], wide[("confidence", "mu_star")]
    marks: set[str] = set()
    ax.errorbar(mu, sigma, xerr=conf.fillna(0.0), fmt="o", color=OKABE_ITO["blue"], ecolor=OKABE_ITO["sky blue"], capsize=3)
    for p in mu.index:
        flag = caveat("morris", "mu_star", mu[p], conf[p])
        label = p + (f" {MARKS[flag]}" if flag else "")
        if flag:
            marks.add(flag)
        ax.annotate(label, (mu[p], sigma[p]), textcoords="offset points", xytext=(4, 4), fontsize="small", color="#b2182b" if flag else "black")
    top = float(max((mu + conf.fillna(0)).max(), sigma.max(), 1e-12)) * 1.1
    for ratio in (0.1, 0.5, 1.0):
        ax.plot([0, top], [0, ratio * top], color="#999999", lw=0.8, linestyle="--")
        ax.text(top, min(ratio * top, top), f"sigma/mu* = {ratio:g}", fontsize="x-small", color="#666666", ha="right", va="bottom")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean absolute elementary effect; bars: 95% interval)")
    ax.set_ylabel("sigma (spread of the effects; SALib gives no interval)")
    ax.set_title(f"Morris screening of {_outcome_title(str(df['outcome'].iloc[0]), str(df['statistic'].iloc[0]))}", fontsize="medium")
    _footnote(ax, marks, noise)
    return ax


def interaction_matrix(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Second-order Sobol' indices S2 as a parameter x parameter matrix, each cell with its value, its 95% half-width and its mark."""
    ax = _axes(ax, (6.5, 5.5))
    second = df[df["parameter2"].notna() & (df["index"] == "S2")]
    names = list(dict.fromkeys(df[df["parameter2"].isna()]["parameter"]))
    where = {n: i for i, n in enumerate(names)}
    cells = np.full((len(names), len(names)), np.nan)
    for r in second.itertuples():
        i, j = where[r.parameter], where[r.parameter2]
        cells[i, j] = cells[j, i] = r.value
    finite = cells[np.isfinite(cells)]
    limit = max(float(np.abs(finite).max()) if finite.size else 0.0, 1e-9)
    image = ax.imshow(cells, cmap="RdBu_r", vmin=-limit, vmax=limit)
    marks = set()
    for r in second.itertuples():
        flag = caveat("sobol", "S2", r.value, r.confidence)
        marks |= {flag} - {None}
        text = f"{r.value:.2f}\n+-{r.confidence:.2f}" + (MARKS[flag] if flag else "")
        for i, j in ((where[r.parameter], where[r.parameter2]), (where[r.parameter2], where[r.parameter])):
            ax.text(j, i, text, ha="center", va="center", fontsize="x-small")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.figure.colorbar(image, ax=ax, label="S2 (share of variance from the pair's interaction)")
    ax.set_title(f"Second-order Sobol' indices of {_outcome_title(str(df['outcome'].iloc[0]), str(df['statistic'].iloc[0]))}", fontsize="medium")
    _footnote(ax, marks, None)
    return ax


def convergence_plot(table: pd.DataFrame, ax: Axes | None = None, verdict: dict[str, Any] | None = None) -> Axes:
    """The main index of each parameter at N/4, N/2 and N with its 95% interval (a line per parameter), and the check's verdict under it."""
    ax = _axes(ax)
    index = str(table["index"].iloc[0])
    for k, (p, rows) in enumerate(table.groupby("parameter", sort=False)):
        rows = rows.sort_values("samples")
        conf = rows["confidence"].to_numpy(dtype=float)
        ax.errorbar(rows["samples"], rows["value"], yerr=np.where(np.isfinite(conf), conf, 0.0) if np.isfinite(conf).any() else None, marker="o", capsize=3, label=p, color=COLOURS[k % len(COLOURS)])
    ax.set_xscale("log", base=2)
    ticks = sorted(set(table["samples"]))
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("samples (N/4, N/2, N)")
    ax.set_ylabel(_index_name(index))
    ax.set_title(f"Convergence of {_index_name(index)}: {_outcome_title(str(table['outcome'].iloc[0]), str(table['statistic'].iloc[0]))}", fontsize="medium")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)  # outside the axes: never over a bar or line
    if verdict:
        enough = verdict.get("enough")
        text = "samples is enough" if enough else ("raise samples: " if enough is False else "not checked: ") + "; ".join(verdict.get("reasons") or [])
        ax.text(0.0, -0.14, text, transform=ax.transAxes, ha="left", va="top", fontsize="small", color="#1a6b1a" if enough else "#7a1f1f", wrap=True)
    return ax


def over_time_plot(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The main index of one outcome per window of steps (a line per parameter, a band for its 95% interval where SALib gives one)."""
    ax = _axes(ax)
    name = str(table["method"].iloc[0])
    m = method_named(name)
    main = table[table["index"] == m.main]
    marks: set[str] = set()
    for k, (p, rows) in enumerate(main.groupby("parameter", sort=False)):
        rows = rows.sort_values("window_first")
        mid = (rows["window_first"] + rows["window_last"]) / 2
        colour = COLOURS[k % len(COLOURS)]
        ax.plot(mid, rows["value"], marker="o", color=colour, label=p)
        conf = rows["confidence"].to_numpy(dtype=float)
        if np.isfinite(conf).all():
            ax.fill_between(mid, rows["value"] - conf, rows["value"] + conf, color=colour, alpha=0.15, linewidth=0)
        for x, v, c in zip(mid, rows["value"], conf):
            flag = caveat(name, m.main, v, c)
            if flag:
                marks.add(flag)
                ax.annotate(MARKS[flag], (x, v), textcoords="offset points", xytext=(0, 5), ha="center", fontsize="large", fontweight="bold", color="#b2182b")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("step (middle of the window)")
    ax.set_ylabel(_index_name(m.main))
    ax.set_title(f"{m.title} {_index_name(m.main)} of {table['outcome'].iloc[0]} (mean over each window of steps) over time", fontsize="medium")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)  # outside the axes: never over a bar or line
    _footnote(ax, marks, None)
    return ax


def _slug(outcome: str, statistic: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in (outcome if statistic == FINAL else f"{outcome}_{statistic}")).strip("_")


def draw_sensitivity_plots(plots_dir: Path, table: pd.DataFrame, noise: dict[str, float] | None = None, convergence: dict[str, dict[str, Any]] | None = None,
                           checks: pd.DataFrame | None = None, over_time: pd.DataFrame | None = None) -> list[Path]:
    """Write the sensitivity plots of a batch: per outcome, the indices (Morris: mu* against sigma) with marks and the noise ratio; Sobol' second-order indices as a matrix; the convergence check; the indices over time."""
    paths = []

    def save(ax: Axes, name: str) -> None:
        path = plots_dir / name
        ax.figure.savefig(path, dpi=110)
        paths.append(path)

    for n, ((outcome, statistic), df) in enumerate(table.groupby(["outcome", "statistic"], sort=False)):
        name = str(df["method"].iloc[0])
        label = statistic_label(outcome, statistic)
        ratio = (noise or {}).get(label)
        slug = _slug(outcome, statistic)
        if name == "morris":
            save(morris_plane(df, noise=ratio), f"sensitivity_{n:02d}_{slug}.png")
        else:
            order = df[df["index"] == method_named(name).main]
            save(index_bars(df, ax=_axes(None, (max(6.0, 0.8 * len(order) + 2), 4.6)), noise=ratio), f"sensitivity_{n:02d}_{slug}.png")
        if name == "sobol" and (df["index"] == "S2").any():
            save(interaction_matrix(df), f"sensitivity_interactions_{n:02d}_{slug}.png")
        if checks is not None and len(checks):
            check = checks[(checks["outcome"] == outcome) & (checks["statistic"] == statistic)]
            if len(check):
                save(convergence_plot(check, verdict=(convergence or {}).get(label)), f"sensitivity_convergence_{n:02d}_{slug}.png")
    if over_time is not None and len(over_time):
        for n, (outcome, df) in enumerate(over_time.groupby("outcome", sort=False)):
            save(over_time_plot(df), f"sensitivity_over_time_{n:02d}_{_slug(outcome, FINAL)}.png")
    return paths
