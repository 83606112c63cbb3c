"""The HTML page of a calibration folder (``spacesim report DIR`` on a calibration folder).

One self-contained file: what was fitted to what, the priors and the
posterior summaries, how each pattern (fitted and held out) is met at the
posterior's draws, the generations, and every plot embedded.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..output.result_folder import MANIFEST, CalibrationManifest
from ..scenario.errors import InputError
from .results import read_calibration_manifest

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.8em 0}td,th{border-bottom:1px solid #ddd;padding:0.25em 0.6em;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%}figure{margin:1em 0}
figcaption{font-size:0.9em;color:#555}.bad{color:#b00}.ok{color:#070}code{background:#f4f4f4;padding:0 0.2em}
"""


def _esc(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_esc(c)}</td>' if isinstance(c, int | float) else f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(path: Path, folder: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = path.relative_to(folder).as_posix()
    return f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(name)}"><figcaption>{html.escape(name)}</figcaption></figure>'


def render_calibration(folder: Path, manifest: CalibrationManifest) -> str:
    """The calibration page as one HTML document."""
    if not manifest.completed:
        raise InputError.single(
            folder / MANIFEST,
            "status",
            f"the calibration is {manifest.status}, not completed: finish it with spacesim calibrate FILE --out {folder} --resume",
        )
    fit = pd.read_parquet(folder / "fit.parquet")
    parts = [f"<h1>Calibration: {html.escape(manifest.name)}</h1><p>{html.escape(manifest.description or '')}</p>"]
    gens = manifest.fitted_generations
    scenario = manifest.scenario
    parts.append(
        "<p>"
        + html.escape(
            f"Scenario {scenario.name} ({scenario.steps} steps of a {scenario.step_meaning} from {scenario.start_year}); "
            f"ABC-SMC (pyabc {manifest.versions.get('pyabc')}): {len(gens)} generations, {manifest.simulations:,} simulations, "
            f"{manifest.seconds:.0f} s, {manifest.workers} worker(s), seed {manifest.seed}; stopped by {manifest.stopped_by}."
        )
        + "</p>"
    )
    summary = manifest.posterior_summary
    rows = [[name, p.described, summary[name].mean, summary[name].sd, summary[name].q05, summary[name].q95] for name, p in manifest.priors.items()]
    parts.append("<h2>Fitted parameters</h2>" + _table(["parameter", "prior", "posterior mean", "sd", "5%", "95%"], rows))
    if manifest.fixed_parameters:
        parts.append("<p>Fixed: " + html.escape(", ".join(f"{k} = {v}" for k, v in manifest.fixed_parameters.items())) + "</p>")
    rows = []
    for r in fit.to_dict("records"):
        p = manifest.pattern(r["pattern"])
        rows.append(
            [
                r["pattern"],
                "held out" if r["held_out"] else f"fitted (weight {p.weight:g})",
                p.described,
                r["distance_median"],
                r["distance_q05"],
                r["distance_q95"],
                f"{r['share_met']:.0%}",
            ]
        )
    parts.append(
        "<h2>Patterns at the posterior</h2><p>Distance of each pattern at the posterior's draws (0: reproduced exactly).</p>"
        + _table(["pattern", "role", "what", "median distance", "5%", "95%", "draws met exactly"], rows)
    )
    outside = [(p.name, ", ".join(p.not_in_scenario)) for p in manifest.patterns if p.not_in_scenario]
    if outside:
        parts.append("<p>Observed nations the scenario does not model (left out): " + html.escape("; ".join(f"{n}: {o}" for n, o in outside)) + "</p>")
    parts.append(
        "<h2>Generations</h2>"
        + _table(
            ["generation", "epsilon", "simulations", "acceptance"],
            [[g.t + 1, g.epsilon, g.simulations, f"{(g.acceptance or 0):.1%}"] for g in gens],
        )
    )
    plots = sorted((folder / "plots").glob("*.png")) if (folder / "plots").is_dir() else []
    if plots:
        parts.append("<h2>Plots</h2>" + "".join(_figure(p, folder) for p in plots))
    parts.append("<h2>Inputs</h2>" + _table(["file", "sha256"], [[f, h[:16] + "…"] for f, h in manifest.files.items()]))
    title = html.escape(manifest.name)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} — spacesim calibration</title>'
        f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def write_calibration_report(folder: str | Path, out: str | Path | None = None, *, replace: bool = True) -> Path:
    """Write the calibration page of ``folder`` (default ``folder/report.html``) and return its path."""
    folder = Path(folder)
    manifest = read_calibration_manifest(folder, needed_for="the calibration report")
    derived = folder / "report.html"
    out = Path(out) if out is not None else derived
    if out.exists() and not replace and out.resolve() != derived.resolve():
        raise InputError.single(out, "--out", "file exists; choose another --out or pass --force to replace it")
    document = render_calibration(folder, manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_text(document, encoding="utf-8")
    os.replace(tmp, out)
    return out
