"""Scenario discovery on a finished batch: which region of the parameters leads to an outcome below (or above) a threshold?

Every completed run is a case; its parameters (the design's varied
parameters, and the variant when there are several) are the inputs; a case
is *of interest* when its run value of the outcome (the final value, or the
total over the run for a per-step count) is below (or above) the threshold.
Two views answer the question, as the EMA Workbench does (Kwakkel 2017,
Environmental Modelling & Software 96; Bryant & Lempert 2010, Technological
Forecasting & Social Change 77):

* **PRIM** (Friedman & Fisher 1999, Statistics and Computing 9), through the
  EMA Workbench's implementation (``ema_workbench.analysis.prim``): a box is
  peeled step by step, trading *coverage* (the share of all cases of
  interest inside the box) for *density* (the share of the box's cases that
  are of interest). The peeling trajectory is that trade-off; the chosen box
  (:func:`choose_box`) is the one with the most coverage among those with at
  least ``min_density`` density (the densest if none reaches it). Its limits
  come with the Workbench's quasi-p-values (Bryant & Lempert 2010: a
  one-sided binomial test of whether the limit raises the density; small
  means the limit matters).
* **CART**: scikit-learn's ``DecisionTreeClassifier``, a shallow tree whose
  leaves are boxes of their own, each with its share of cases of interest.

:func:`write_discovery` writes both into ``DIR/discovery/`` (plots, CSV
tables and ``discovery.json``, the account the report reads), and touches
nothing else in the folder.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..catalogue import renamed_hint
from ..output.outcomes import run_value
from ..output.result_folder import BatchManifest, DesignLike, ResultFolder, as_design
from ..scenario import InputError
from .plots import OKABE_ITO

#: The subfolder of a batch's folder that discovery writes, and nothing outside it.
FOLDER = "discovery"
#: The account of the last discovery, beside its plots and tables.
ACCOUNT = "discovery.json"
#: Quasi-p-value above which a limit is reported as possibly chance.
SIGNIFICANT = 0.05
#: Files one discovery writes into :data:`FOLDER` (an earlier discovery's files are replaced, nothing else is touched).
FILES = ("prim_trajectory.png", "prim_box.png", "cart_tree.png", "prim_trajectory.csv", "prim_box.csv", "cart_leaves.csv", "cart_rules.txt", ACCOUNT)


def _prim_module() -> Any:
    """The EMA Workbench's PRIM, imported without the notices its package prints on import about optional parts spacesim does not use (ipyparallel, altair)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ipyparallel", category=UserWarning)
        warnings.filterwarnings("ignore", message="altair based interactive", category=ImportWarning)
        from ema_workbench.analysis import prim

    return prim


@dataclass
class Cases:
    """The cases of a discovery: inputs ``x`` (one row per completed run), ``y`` (True for a case of interest) and what ``y`` means."""

    x: pd.DataFrame
    y: np.ndarray
    outcome: str
    label: str
    direction: str
    threshold: float
    run_ids: np.ndarray

    @property
    def question(self) -> str:
        """The question in words, e.g. "final collective security below 0.3"."""
        return f"{self.label} {self.direction} {self.threshold:g}"


def cases(runs: pd.DataFrame, design: DesignLike, outcome: str, threshold: float, direction: str, source: str = "runs.parquet") -> Cases:
    """The cases of interest among the completed runs: value of ``outcome`` ``below``/``above`` ``threshold``.

    Refused (:class:`InputError`) when nothing varies between the runs, or
    when no run, or every run, is of interest (there is no region to find).

    >>> runs = pd.DataFrame({"run_id": [0, 1, 2], "status": "completed", "variant": "default", "a": [0.1, 0.5, 0.9], "final_mean_trust": [0.2, 0.6, 0.7]})
    >>> c = cases(runs, {"varied": ["a"], "variants": {"default": {}}}, "mean_trust", 0.5, "below")
    >>> c.y.tolist(), c.question
    ([True, False, False], 'final mean trust below 0.5')
    """
    if direction not in ("below", "above"):
        raise ValueError(f"direction must be 'below' or 'above', not {direction!r}")
    value = run_value(outcome, runs.columns)
    if value.column not in runs.columns:
        import difflib

        kept = sorted(c.removeprefix("final_") for c in runs.columns if c.startswith("final_"))
        close = difflib.get_close_matches(outcome, kept, n=1)
        raise InputError.single(
            "--outcome",
            outcome,
            f"unknown outcome ({source} has no {value.column}){renamed_hint(outcome)}; "
            + (f"did you mean '{close[0]}'?" if close else f"outcomes are: {', '.join(kept)}"),
        )
    done = runs[(runs["status"] == "completed") & runs[value.column].notna()]
    varied = [k for k in as_design(design).varied if k in done.columns and done[k].nunique() > 1]
    columns = list(varied)
    if done["variant"].nunique() > 1:
        columns.append("variant")
    if not columns:
        raise InputError.single(
            source, "", "nothing varies between the runs of this batch (no varied parameter, one variant): there is no region of parameters to discover"
        )
    x = done[columns].reset_index(drop=True).copy()
    for c in varied:
        x[c] = x[c].astype(float)
    if "variant" in x:
        x["variant"] = x["variant"].astype(str)
    values = done[value.column].to_numpy(dtype=float)
    y = values < threshold if direction == "below" else values > threshold
    n = int(y.sum())
    if n == 0 or n == len(y):
        span = f"runs range from {values.min():.4g} to {values.max():.4g}"
        raise InputError.single(
            f"--{direction}",
            f"{threshold:g}",
            f"{'no' if n == 0 else 'every'} completed run has {value.label} {direction} {threshold:g} ({span}): choose a threshold inside that range",
        )
    return Cases(x, y, outcome, value.label, direction, float(threshold), done["run_id"].to_numpy())


def choose_box(trajectory: pd.DataFrame, min_density: float) -> int:
    """The box of the peeling trajectory to report: the most coverage among boxes with density at least ``min_density``;
    without one, the densest (ties: the earlier, larger box).

    >>> t = pd.DataFrame({"coverage": [1.0, 0.9, 0.7, 0.4], "density": [0.3, 0.6, 0.85, 1.0]})
    >>> choose_box(t, 0.8), choose_box(t, 1.1)
    (2, 3)
    """
    dense = trajectory[trajectory["density"] >= min_density]
    if len(dense):
        return int(dense["coverage"].idxmax())
    return int(trajectory["density"].idxmax())


@dataclass
class PrimResult:
    """PRIM's peeling trajectory, the chosen box's index and its limits with quasi-p-values (one row per restricted parameter)."""

    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    ranges: dict[str, tuple[Any, Any]]


def prim_box(c: Cases, min_density: float = 0.8, peel_alpha: float = 0.05, mass_min: float = 0.05) -> PrimResult:
    """Run the EMA Workbench's PRIM on the cases and pick the box (:func:`choose_box`).

    ``limits`` has a row per parameter the chosen box restricts: ``low``,
    ``high`` (numbers; for the variant, ``values`` lists the variants kept),
    and the quasi-p-values ``qp_low`` and ``qp_high`` of each limit (NaN for
    a limit that is not restricted).
    """
    prim = _prim_module()
    with warnings.catch_warnings():
        for notice in (FutureWarning, DeprecationWarning):  # pandas' notices about the Workbench's own calls (e.g. inplace=), not about spacesim's data
            warnings.simplefilter("ignore", notice)
        p = prim.Prim(c.x, c.y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        box = p.find_box()
        trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]].copy()
        chosen = choose_box(trajectory, min_density)
        box.select(chosen)  # computes the chosen box's quasi-p-values
        p_values = box.p_values[chosen]
    # the box's limits read from box_lims and p_values (the Workbench's inspect(style="data") cannot hold a categorical limit under pandas 3)
    initial = box.box_lims[0]
    final = box.box_lims[chosen]
    rows = []
    for name in c.x.columns:
        qp = [np.nan if v is None or v == -1 else float(v) for v in p_values.get(name, [-1, -1])]
        if name == "variant":
            kept, every = set(final[name].iloc[0]), set(initial[name].iloc[0])
            if kept != every:
                rows.append({"parameter": name, "low": np.nan, "high": np.nan, "values": ", ".join(sorted(map(str, kept))), "qp_low": qp[0], "qp_high": np.nan})
        elif (final[name].iloc[0], final[name].iloc[1]) != (initial[name].iloc[0], initial[name].iloc[1]):
            rows.append(
                {"parameter": name, "low": float(final[name].iloc[0]), "high": float(final[name].iloc[1]), "values": "", "qp_low": qp[0], "qp_high": qp[1]}
            )
    limits = pd.DataFrame(rows, columns=["parameter", "low", "high", "values", "qp_low", "qp_high"])
    ranges = {name: (initial[name].iloc[0], initial[name].iloc[1]) for name in c.x.columns if name != "variant"}
    trajectory.index.name = "box"
    return PrimResult(trajectory.reset_index(), chosen, limits, ranges)


def cart_tree(c: Cases, max_depth: int = 3, seed: int = 0) -> tuple[Any, pd.DataFrame, list[str]]:
    """A shallow classification tree (scikit-learn) of the cases: the fitted tree, its leaves as boxes (rule, runs, share of interest) and the feature names.

    Leaves hold at least 5% of the runs (at least 5), so that no leaf is a
    single unlucky run. The variant, when there are several, enters as one
    0/1 column per variant.
    """
    from sklearn.tree import DecisionTreeClassifier

    x = pd.get_dummies(c.x, columns=["variant"], prefix="variant", dtype=float) if "variant" in c.x else c.x
    names = list(x.columns)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(5, int(0.05 * len(x))), random_state=seed)
    tree.fit(x.to_numpy(dtype=float), c.y)
    t = tree.tree_
    leaves = []

    def walk(node: int, rule: list[str]) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0]  # class shares (scikit-learn >= 1.4 stores weighted fractions)
            share = float(counts[list(tree.classes_).index(True)] / counts.sum()) if True in tree.classes_ else 0.0
            leaves.append({"leaf": node, "rule": " and ".join(rule) or "all runs", "runs": int(t.n_node_samples[node]), "share_of_interest": share})
            return
        name, cut = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], [*rule, f"{name} <= {cut:.4g}" if not name.startswith("variant_") else f"variant != {name.removeprefix('variant_')}"])
        walk(t.children_right[node], [*rule, f"{name} > {cut:.4g}" if not name.startswith("variant_") else f"variant == {name.removeprefix('variant_')}"])

    walk(0, [])
    table = pd.DataFrame(leaves).sort_values("share_of_interest", ascending=False, kind="stable").reset_index(drop=True)
    return tree, table, names


# --------------------------------------------------------------------- plots (each takes ax=None and returns the axes)


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    return ax if ax is not None else Figure(figsize=size, layout="constrained").add_subplot()


def trajectory_plot(result: PrimResult, question: str = "", ax: Axes | None = None) -> Axes:
    """The peeling trajectory: density against coverage, one point per box coloured by the number of restricted parameters, the chosen box ringed."""
    ax = _axes(ax, (6.5, 5))
    t = result.trajectory
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22, zorder=3)
    ax.plot(t["coverage"], t["density"], color="#bbbbbb", lw=0.8, zorder=2)
    chosen = t.iloc[result.chosen]
    ax.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=160,
        facecolors="none",
        edgecolors=OKABE_ITO["vermillion"],
        linewidths=2,
        zorder=4,
        label=f"chosen box {result.chosen}: coverage {chosen['coverage']:.2f}, density {chosen['density']:.2f}",
    )
    bar = ax.figure.colorbar(points, ax=ax, label="parameters restricted")
    bar.set_ticks(sorted(set(int(v) for v in t["res_dim"])))
    ax.set_xlabel("coverage (share of all cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's cases that are of interest)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="lower left", fontsize="small")
    ax.set_title(f"PRIM peeling trajectory{': ' + question if question else ''}", fontsize="medium")
    return ax


def box_plot(result: PrimResult, ax: Axes | None = None) -> Axes:
    """The chosen box's limits within each restricted parameter's range (scaled to 0-1), each limit labelled with its value and quasi-p-value."""
    numeric = result.limits[result.limits["parameter"] != "variant"]
    ax = _axes(ax, (7, 1.0 + 0.7 * max(1, len(result.limits))))
    for i, r in enumerate(result.limits.itertuples()):
        if r.parameter == "variant":
            ax.text(0.5, i, f"variant in {{{r.values}}} (qp {r.qp_low:.2g})", ha="center", va="center", fontsize="small")
            continue
        low, high = result.ranges[r.parameter]
        span = (high - low) or 1.0
        a, b = (r.low - low) / span, (r.high - low) / span
        ax.plot([0, 1], [i, i], color="#cccccc", lw=6, solid_capstyle="butt")
        ax.plot([a, b], [i, i], color=OKABE_ITO["blue"], lw=6, solid_capstyle="butt")
        ax.text(a, i + 0.28, f"{r.low:.3g}" + (f" (qp {r.qp_low:.2g})" if r.qp_low == r.qp_low else ""), ha="center", fontsize="x-small")
        ax.text(b, i - 0.28, f"{r.high:.3g}" + (f" (qp {r.qp_high:.2g})" if r.qp_high == r.qp_high else ""), ha="center", va="top", fontsize="x-small")
    ax.set_yticks(range(len(result.limits)), list(result.limits["parameter"]))
    ax.set_ylim(len(result.limits) - 0.4, -0.6)
    ax.set_xlim(-0.08, 1.08)
    ax.set_xlabel("position within the parameter's sampled range (grey: whole range; blue: the box)" if len(numeric) else "")
    chosen = result.trajectory.iloc[result.chosen]
    ax.set_title(
        f"PRIM box {result.chosen}: coverage {chosen['coverage']:.2f}, density {chosen['density']:.2f}, {int(chosen['n'])} runs (qp: quasi-p-value "
        "of the limit)",
        fontsize="medium",
    )
    return ax


def tree_plot(tree: Any, names: list[str], ax: Axes | None = None) -> Axes:
    """The CART tree as scikit-learn draws it (class True: of interest)."""
    from sklearn.tree import plot_tree

    ax = _axes(ax, (12, 6))
    fig = ax.get_figure(root=True)
    if fig is not None and not hasattr(fig.canvas, "get_renderer"):  # scikit-learn measures its boxes' text: give a bare Figure a renderer
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    plot_tree(
        tree,
        feature_names=names,
        class_names=["not of interest", "of interest"] if len(tree.classes_) == 2 else [str(k) for k in tree.classes_],
        filled=True,
        impurity=False,
        proportion=True,
        rounded=True,
        ax=ax,
        fontsize=8,
    )
    return ax


# --------------------------------------------------------------------- the folder


def write_discovery(
    folder: str | Path,
    outcome: str,
    *,
    below: float | None = None,
    above: float | None = None,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_depth: int = 3,
    force: bool = False,
) -> dict[str, Any]:
    """Scenario discovery on the finished batch in ``folder``: PRIM and CART into ``folder/discovery/``; returns the account written as ``discovery.json``.

    Refused with an :class:`InputError` (nothing written) when the folder is
    not a finished batch, when the question cannot be asked of it, when
    ``discovery/`` holds files spacesim did not write, or when it holds
    another question's discovery and ``force`` is not set.
    """
    folder = Path(folder)
    if (below is None) == (above is None):
        raise InputError.single("--below/--above", "", "give exactly one threshold: --below V (cases of interest are runs below V) or --above V")
    if not folder.is_dir():
        raise InputError.single(folder, "", "no such result folder")
    result_folder = ResultFolder(folder)
    if not result_folder.manifest_path.exists():
        raise InputError.single(folder, "", "not a result folder of spacesim batch (no manifest.json)")
    manifest = result_folder.load()
    if not isinstance(manifest, BatchManifest):
        raise InputError.single(
            folder / "manifest.json", "kind", "scenario discovery needs a batch's result folder (spacesim batch or spacesim sensitivity), not a single run"
        )
    if not (folder / "runs.parquet").exists():
        raise InputError.single(folder, "", "missing runs.parquet: the batch has not finished")
    if not 0 < min_density <= 1:
        raise InputError.single("--min-density", str(min_density), "must be in (0, 1], e.g. 0.8")
    direction, threshold = ("below", below) if below is not None else ("above", above)
    assert threshold is not None
    c = cases(pd.read_parquet(folder / "runs.parquet"), manifest.design, outcome, float(threshold), direction, source=str(folder / "runs.parquet"))
    target = folder / FOLDER
    previous = _previous(target)
    if previous is not None and previous.get("question") != c.question and not force:
        raise InputError.single(target, "", f"holds the discovery of {previous.get('question')!r}; add --force to replace it with {c.question!r}")
    result = prim_box(c, min_density=min_density, peel_alpha=peel_alpha, mass_min=mass_min)
    tree, leaves, names = cart_tree(
        c, max_depth=max_depth, seed=manifest.base_seed
    )  # the batch's base seed (before the typed manifest this read an experiment "seed" no manifest holds: always 0)
    target.mkdir(exist_ok=True)
    for name in FILES:
        (target / name).unlink(missing_ok=True)
    result.trajectory.to_csv(target / "prim_trajectory.csv", index=False)
    result.limits.to_csv(target / "prim_box.csv", index=False)
    leaves.to_csv(target / "cart_leaves.csv", index=False)
    from sklearn.tree import export_text

    (target / "cart_rules.txt").write_text(export_text(tree, feature_names=names, show_weights=True) + "\n", encoding="utf-8")
    for name, ax in (
        ("prim_trajectory.png", trajectory_plot(result, c.question)),
        ("prim_box.png", box_plot(result)),
        ("cart_tree.png", tree_plot(tree, names)),
    ):
        fig = ax.get_figure(root=True)
        assert fig is not None  # every plot here draws on an Axes of its own Figure
        fig.savefig(target / name, dpi=110)
    chosen = result.trajectory.iloc[result.chosen]
    account = {
        "question": c.question,
        "outcome": outcome,
        "value": c.label,
        "direction": direction,
        "threshold": float(threshold),
        "runs": len(c.y),
        "of_interest": int(c.y.sum()),
        "inputs": list(c.x.columns),
        "prim": {
            "implementation": "ema_workbench.analysis.prim.Prim (EMA Workbench)",
            "peel_alpha": peel_alpha,
            "mass_min": mass_min,
            "min_density": min_density,
            "chosen_box": result.chosen,
            "coverage": float(chosen["coverage"]),
            "density": float(chosen["density"]),
            "mass": float(chosen["mass"]),
            "limits": json.loads(result.limits.to_json(orient="records")),
        },
        "cart": {"implementation": "sklearn.tree.DecisionTreeClassifier", "max_depth": max_depth, "leaves": len(leaves)},
        "files": list(FILES),
    }
    (target / ACCOUNT).write_text(json.dumps(account, indent=2) + "\n", encoding="utf-8")
    return account


def _previous(target: Path) -> dict[str, Any] | None:
    """The account of an earlier discovery in ``target``; refused when ``target`` holds anything discovery did not write."""
    if not target.exists():
        return None
    if not target.is_dir():
        raise InputError.single(target, "", "exists and is not a folder spacesim wrote; move it away to run a discovery")
    foreign = sorted(p.name for p in target.iterdir() if p.name not in FILES)
    if foreign:
        raise InputError.single(
            target, "", f"holds files spacesim discover did not write ({', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}); move them away first"
        )
    account = target / ACCOUNT
    if not account.exists():
        return {} if not any(target.iterdir()) else {"question": None}
    try:
        return json.loads(account.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"question": None}


def _qp(value: float) -> str:
    """A quasi-p-value as printed: two digits, or "<1e-16" below what a double tells from 0 near 1.

    >>> _qp(0.0312), _qp(0.0)
    ('0.031', '<1e-16')
    """
    return "<1e-16" if value < 1e-16 else f"{value:.2g}"


def format_discovery(account: dict[str, Any]) -> str:
    """What a discovery found, as lines a person reads."""
    p = account["prim"]
    why = (
        f"most coverage with density >= {p['min_density']:g}"
        if p["density"] >= p["min_density"]
        else f"the densest: no box reaches density {p['min_density']:g}"
    )
    lines = [
        f"{account['question']}: {account['of_interest']} of {account['runs']} runs",
        f"PRIM box {p['chosen_box']} ({why}): coverage {p['coverage']:.2f}, density {p['density']:.2f}, mass {p['mass']:.2f}",
    ]
    for r in p["limits"]:
        if r["parameter"] == "variant":
            lines.append(f"  variant in {{{r['values']}}}  (quasi-p {_qp(r['qp_low'])})")
            continue
        qp = " ".join(f"{side} {_qp(r[key])}" for side, key in (("low", "qp_low"), ("high", "qp_high")) if r[key] is not None and r[key] == r[key])
        lines.append(f"  {r['parameter']:<28} {r['low']:.4g} .. {r['high']:.4g}  (quasi-p {qp})")
    if not p["limits"]:
        lines.append("  (the box restricts no parameter: no region stands out)")
    loose = [r["parameter"] for r in p["limits"] if any(r[k] is not None and r[k] == r[k] and r[k] > SIGNIFICANT for k in ("qp_low", "qp_high"))]
    if loose:
        lines.append(
            f"  a limit with quasi-p above {SIGNIFICANT:g} ({', '.join(loose)}) may be chance: dropping it may not lower the density (Bryant & Lempert 2010)"
        )
    return "\n".join(lines)
