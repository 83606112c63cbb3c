"""The batch report's Sensitivity: how the indices were estimated, the replicate noise, the convergence check and each outcome's parameters ranked."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ...output.result_folder import BatchManifest
from .figures import _figure
from .formatting import MAX_ROWS, _is_missing, _is_number, _sensitivity_outcome, _share, _with_conf
from .html import _kv, _note, _p, _section, render, table

SENSITIVITY_COLUMNS = ("method", "outcome", "parameter", "index", "value")


_SOBOL_INDICES = ("S1", "ST")


_MORRIS_INDICES = ("mu_star", "sigma", "mu")


def sensitivity_ranking(df: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter of one method, outcome and statistic: each first-order index with its confidence, ranked by importance.

    Sobol' rows are ranked by ST (then S1), Morris rows by mu_star; second-order
    rows (``parameter2`` set) are left out.

    >>> df = pd.DataFrame({"method": "sobol", "outcome": "x", "parameter": ["a", "a", "b", "b"], "index": ["S1", "ST", "S1", "ST"],
    ...                    "value": [0.1, 0.2, 0.6, 0.7], "confidence": [0.01, 0.02, 0.03, 0.04]})
    >>> sensitivity_ranking(df)[["parameter", "ST", "ST_confidence"]].to_dict("records")
    [{'parameter': 'b', 'ST': 0.7, 'ST_confidence': 0.04}, {'parameter': 'a', 'ST': 0.2, 'ST_confidence': 0.02}]
    """
    first = df[df["parameter2"].isna()] if "parameter2" in df.columns else df
    if first.empty:
        return pd.DataFrame(columns=["parameter"])
    values = first.pivot_table(index="parameter", columns="index", values="value", aggfunc="first", sort=False)
    table_ = values.reset_index()
    if "confidence" in first.columns:
        conf = first.pivot_table(index="parameter", columns="index", values="confidence", aggfunc="first", sort=False, dropna=False)
        for col in conf.columns:
            table_[f"{col}_confidence"] = table_["parameter"].map(conf[col])
    method = str(first["method"].iloc[0]).lower()
    order = [c for c in (("ST", "S1") if method == "sobol" else ("mu_star", "sigma")) if c in table_.columns]
    if not order:
        order = [c for c in values.columns][:1]
    return table_.sort_values(order, ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def _sensitivity_section(folder: Path, manifest: BatchManifest, df: pd.DataFrame | None, plots: list[Path]) -> tuple[str, str, str]:
    """How the indices were estimated (the manifest's ``sensitivity``), the replicate noise, the convergence check and
    the indices ranked (``sensitivity.parquet``)."""
    info = manifest.sensitivity
    body = ""
    if info:
        body += _kv([("method", info.method), ("samples", info.samples), ("outcomes", ", ".join(_sensitivity_outcome(o) for o in info.outcomes) or None)])
    params = info.parameters if info and isinstance(info.parameters, dict) else {}
    if params:
        order = ("low", "high", "distribution", "peak")  # a range reads low, high; then how it is sampled
        found = {k for spec in params.values() if isinstance(spec, dict) for k in spec}
        keys = [k for k in order if k in found] + sorted(found - set(order))
        rows = [
            [name, *((spec.get(k) if isinstance(spec, dict) else None) for k in keys)] if isinstance(spec, dict) else [name, spec]
            for name, spec in params.items()
        ]
        headers = ["parameter", *keys] if keys else ["parameter", "range"]
        numeric = [False] + [all(_is_number(r[i]) or _is_missing(r[i]) for r in rows if i < len(r)) for i in range(1, len(headers))]
        body += render("h3.html.j2", text="Parameters varied") + table(headers, rows, numeric)
    noise = info.noise if info else {}
    if noise:
        body += render("h3.html.j2", text="Replicate noise") + _p(
            "Noise ratio of each outcome: the variance chance leaves in the outcome averaged over a sample point's replicates "
            "(the variance between replicates of the same parameter values, divided by their number), over the variance of those averages "
            "across the sample points. It is a ratio, not a share, and can exceed 100%: near 0% the points differ by their parameters; "
            "at 100% chance alone would spread them as much as they are spread, and indices of that size cannot be told from noise. "
            "More replicates lower it.",
            "note",
        )
        body += table(
            ["outcome", "noise ratio (noise variance / variance across points)"],
            [[o.replace("_", " "), _share(v) if isinstance(v, int | float) else v] for o, v in noise.items()],
            [False, True],
        )
    if df is not None and len(df):
        from ..sensitivity import MARKS, METHODS, caveat, caveat_lines

        methods = [METHODS[m] for m in dict.fromkeys(df["method"].astype(str).str.lower()) if m in METHODS]
        if [m.name for m in methods] in (["sobol"], ["morris"]):
            meaning = (
                "Sobol' indices: S1, the share of the outcome's variance due to the parameter alone; ST, its share including interactions. "
                if methods[0].name == "sobol"
                else "Morris: mu_star (mu*), the mean absolute elementary effect: the outcome's change, in its own units, for one grid step of the parameter, "
                "scaled to its whole range (importance); sigma, the spread of those effects (non-linearity or interactions). "
            )
        else:
            meaning = "".join(f"{m.title}: {m.meaning}. " for m in methods)
        body += _p(meaning + "± is the half-width of the 95% interval (where the method gives one). Parameters are ranked most important first.", "note")
        checks = info.convergence if info else {}
        if checks:
            rows = [
                [o.replace("_", " "), "enough" if v.enough else "raise samples" if v.enough is False else "not checked", "; ".join(v.reasons)]
                for o, v in checks.items()
            ]
            body += render("h3.html.j2", text="Convergence (the main index at N/4, N/2 and N)") + table(
                ["outcome", "samples", "why"], rows, [False, False, False]
            )
        mains = {i for m in METHODS.values() for i in (m.main, m.second) if i and i != "sigma"} | {"S2"}
        flagged = caveat_lines(df[df["index"].isin(mains)], info.samples if info else None)
        if flagged:
            body += "".join(_p(line, "warn" if i == len(flagged) - 1 else "note") for i, line in enumerate(flagged))
        keys = ["method", "outcome", "statistic"] if "statistic" in df.columns else ["method", "outcome"]
        for key, group in df.groupby(keys, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            method, outcome = str(key[0]), str(key[1])
            statistic = key[2] if len(key) > 2 and not _is_missing(key[2]) else None
            title = (
                f"{outcome.replace('_', ' ')}"
                + (f" ({statistic})" if statistic else "")
                + f" — {'Sobol′' if method.lower() == 'sobol' else METHODS[method.lower()].title if method.lower() in METHODS else method.capitalize()}"
            )
            ranking = sensitivity_ranking(group)
            known = _SOBOL_INDICES if method.lower() == "sobol" else _MORRIS_INDICES if method.lower() == "morris" else ()
            indices = [i for i in known if i in ranking.columns] + [
                c for c in ranking.columns if c != "parameter" and not c.endswith("_confidence") and c not in known and c != "S2"
            ]

            def marked(c: str, r: pd.Series, method: str = method) -> str:
                flag = caveat(method.lower(), c, r[c], r.get(f"{c}_confidence", math.nan))
                return _with_conf(r[c], r.get(f"{c}_confidence")) + MARKS.get(flag or "", "")

            rows = [[i + 1, r["parameter"], *(marked(c, r) for c in indices)] for i, r in ranking.head(MAX_ROWS).iterrows()]
            body += render("h3.html.j2", text=title) + table(["rank", "parameter", *indices], rows, [True, False] + [True] * len(indices))
            body += _note(MAX_ROWS, len(ranking), "parameters", "sensitivity.parquet")
            if "parameter2" in group.columns:
                second = group[group["parameter2"].notna()].sort_values("value", ascending=False, kind="stable")
                if len(second):
                    shown = second.head(10)
                    rows = [
                        [
                            r["parameter"],
                            r["parameter2"],
                            _with_conf(r["value"], r.get("confidence"))
                            + MARKS.get(caveat(method.lower(), "S2", r["value"], r.get("confidence", math.nan)) or "", ""),
                        ]
                        for _, r in shown.iterrows()
                    ]
                    body += render("h4.html.j2", text="Strongest interactions (second-order S2)") + table(
                        ["parameter", "with", "S2"], rows, [False, False, True]
                    )
                    body += _note(len(shown), len(second), "pairs", "sensitivity.parquet")
    elif df is not None:
        body += _p("sensitivity.parquet holds no indices.", "warn")
    body += "".join(_figure(p, manifest, folder) for p in plots)
    return _section("sensitivity", "Sensitivity", body)
