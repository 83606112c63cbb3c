"""A result folder as one self-contained HTML file a researcher can attach to an email.

:func:`write_report` reads a batch folder (``spacesim batch``) or a single-run
folder (``spacesim run``) and writes ``report.html``: what ran (from the
manifest), the final outcomes per design point and variant, every plot of
``plots/`` embedded as a base64 PNG, and — when the folder holds them — the
paired policy comparison (``comparison.parquet``), the sensitivity indices
(``sensitivity.parquet`` and the manifest's ``sensitivity`` section), the
adaptive replication (the manifest's ``replication`` section) and the failed
runs with the command that reproduces each.

The file needs nothing else to be read: CSS is inline, images are data URIs,
there is no script and no link to any other file or address. Every piece of
text taken from the folder is HTML-escaped. Long tables are cut to a fixed
number of rows, and the report says so and where the full table is.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..output.outcomes import FINAL, PER_STEP_COUNTS, run_value
from ..scenario.errors import InputError

#: At most this many rows in the table of outcomes per design point and variant.
MAX_OUTCOME_ROWS = 40
#: At most this many rows in any other long table (failed runs, comparisons, design points, events).
MAX_ROWS = 50
#: Beyond this many design points (and in any sensitivity batch), the design points and the outcomes per point are collapsed under a summary line.
COLLAPSE_POINTS = 12
#: Up to this many outcomes, the outcome table has a row per group and columns per outcome; beyond, a block of rows per outcome.
WIDE_OUTCOMES = 3

COMPARISON_COLUMNS = ("outcome", "variant_a", "variant_b", "mean_diff", "ci_low", "ci_high")
SENSITIVITY_COLUMNS = ("method", "outcome", "parameter", "index", "value")

Row = Sequence[Any]


# --------------------------------------------------------------------- formatting


def fmt(value: Any) -> str:
    """A number or value as a short, readable string ("–" for a missing value).

    Every float gets four significant figures (trailing zeros dropped), and
    from 1,000 up the whole number: one rule for every table of the report.

    >>> [fmt(v) for v in (None, float("nan"), True, 12345, 0.43125, 30433.64, 2e-10, 1.5e7, "a<b")]
    ['–', '–', 'true', '12,345', '0.4313', '30,434', '2.000e-10', '1.500e+07', 'a<b']
    """
    if value is None or value is pd.NA:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "–"
        if v == 0:
            return "0"
        if abs(v) >= 1e6 or abs(v) < 1e-3:
            return f"{v:.3e}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def _esc(value: Any) -> str:
    return html.escape(fmt(value) if not isinstance(value, str) else value)


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_number(v) for v in value)
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def duration(started: str | None, finished: str | None) -> str | None:
    """The time between two ISO 8601 times, in words; ``None`` when either is missing or unreadable.

    >>> duration("2026-01-01T10:00:00+00:00", "2026-01-01T11:02:05+00:00")
    '1 h 2 min 5 s'
    >>> duration("2026-01-01T10:00:00+00:00", None) is None
    True
    """
    try:
        seconds = (datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))).total_seconds()
    except (TypeError, ValueError):
        return None
    if seconds < 0:
        return None
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} h" if h else "", f"{m} min" if m or h else "", f"{s} s"]
    return " ".join(p for p in parts if p)


def command_line(argv: Sequence[str] | str | None) -> str | None:
    """A recorded ``sys.argv`` as the command a user types (the program shown as ``spacesim``).

    >>> command_line(["/home/me/.venv/bin/spacesim", "batch", "my exp.yaml", "--workers", "2"])
    "spacesim batch 'my exp.yaml' --workers 2"
    >>> command_line(["/x/src/spacesim/__main__.py", "run", "a.yaml"])
    'spacesim run a.yaml'
    """
    if not argv:
        return None
    if isinstance(argv, str):
        return argv
    first = Path(str(argv[0]))
    program = "spacesim" if first.name == "spacesim" or (first.name == "__main__.py" and first.parent.name == "spacesim") else str(argv[0])
    return " ".join([program, *(shlex.quote(str(a)) for a in argv[1:])])


def mean_interval(values: Iterable[float]) -> tuple[int, float, float, float, float]:
    """Count, mean, standard deviation and the 95% confidence interval of the mean (Student t) of the finite values.

    >>> n, mean, sd, low, high = mean_interval([1.0, 2.0, 3.0, float("nan")])
    >>> n, mean, sd, round(low, 3), round(high, 3)
    (3, 2.0, 1.0, -0.484, 4.484)
    >>> mean_interval([5.0])
    (1, 5.0, nan, nan, nan)
    """
    from scipy.stats import t

    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    n = int(x.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


# --------------------------------------------------------------------- html pieces


def table(headers: Sequence[str], rows: Iterable[Row], numeric: Sequence[bool] | None = None, caption: str | None = None) -> str:
    """An HTML table; every cell is formatted with :func:`fmt` and escaped (a cell given as :class:`Raw` is kept as is).

    >>> print(table(["a", "b"], [["<x>", 0.5]]))
    <table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>&lt;x&gt;</td><td>0.5</td></tr></tbody></table>
    """
    numeric = list(numeric) if numeric is not None else [False] * len(headers)
    head = "".join(f"<th{' class=\"num\"' if numeric[i] else ''}>{html.escape(h)}</th>" for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell.html if isinstance(cell, Raw) else _esc(cell)
            cls = ' class="num"' if i < len(numeric) and numeric[i] else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Raw:
    """A table cell that is already HTML (built here from escaped parts)."""

    def __init__(self, html_text: str):
        self.html = html_text


def _p(text: str, cls: str | None = None) -> str:
    return f"<p{f' class=\"{cls}\"' if cls else ''}>{html.escape(text)}</p>"


def _note(shown: int, total: int, what: str, where: str) -> str:
    if total <= shown:
        return ""
    return _p(f"Showing the first {shown} of {total:,} {what}; the full table is in {where}.", "note")


def _kv(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{v.html if isinstance(v, Raw) else _esc(v)}</td></tr>" for k, v in pairs if not _is_missing(v) and v != "")
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def _code(text: str) -> Raw:
    return Raw(f"<code>{html.escape(text)}</code>")


def _section(anchor: str, title: str, body: str) -> tuple[str, str, str]:
    return anchor, title, f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{body}</section>'


# --------------------------------------------------------------------- plots

_PLOT_ORDER: tuple[tuple[str, int], ...] = (
    ("timeseries", 0),
    ("envelopes", 1),
    ("heatmap_", 2),
    ("by_parameter_", 3),
    ("final_distributions", 3),
    ("comparison", 4),
    ("sensitivity", 5),
    ("network", 6),
)


def plot_sort_key(path: Path) -> tuple[int, str]:
    """Where a plot goes in the report: over time first, then grids, distributions, comparisons, sensitivity, networks, the rest.

    >>> names = ["network_run3.png", "zeta.png", "heatmap_debris.png", "envelopes.png", "sensitivity_sobol.png"]
    >>> [p.name for p in sorted(map(Path, names), key=plot_sort_key)]
    ['envelopes.png', 'heatmap_debris.png', 'sensitivity_sobol.png', 'network_run3.png', 'zeta.png']
    """
    stem = path.stem
    for prefix, rank in _PLOT_ORDER:
        if stem.startswith(prefix):
            return rank, str(path)
    return len(_PLOT_ORDER), str(path)


def plot_caption(path: Path, manifest: dict[str, Any]) -> str:
    """A sentence saying what a plot of the folder shows, from its file name.

    >>> plot_caption(Path("heatmap_mean_trust.png"), {})
    'Mean final mean trust over replicates in each cell of the two-parameter grid (one panel per variant).'
    """
    stem = path.stem
    outcomes = manifest.get("outcomes") or []
    if stem == "timeseries":
        return "The main outcomes over time, dated from the scenario's start year where it has one (dotted lines: destructive ASAT tests)."
    if stem == "network":
        return "The partnership network at the last step: nations, bilateral agreements and framework memberships."
    if stem == "envelopes":
        counts = [o for o in outcomes if o in PER_STEP_COUNTS]
        cumulated = f" {', '.join(o.replace('_', ' ') for o in counts)} {'is' if len(counts) == 1 else 'are'} drawn cumulated (the total so far)." if counts else ""
        return (
            "Each chosen outcome over time: the mean over replicates (line) and the band from the 2.5th to the 97.5th percentile of the replicates, "
            "one band per design point and variant (colours and columns of panels as the legend and the titles say; a very large design is pooled, and its title says so). "
            "When the variants differ in policy levers the bands start at step 1: step 0, the shared initial state, is recorded before the levers act." + cumulated
        )
    if stem.startswith("heatmap_"):
        return f"Mean {run_value(stem.removeprefix('heatmap_')).label} over replicates in each cell of the two-parameter grid (one panel per variant)."
    if stem.startswith("by_parameter_"):
        return (
            f"{run_value(stem.removeprefix('by_parameter_')).label.capitalize()} against each varied parameter: a point per design point (its replicates averaged), "
            "a LOWESS smoother per variant, and Spearman's rank correlation with its 95% interval above each panel."
        )
    if stem == "final_distributions":
        counts = [o for o in outcomes if o in PER_STEP_COUNTS]
        of = f" (for {', '.join(o.replace('_', ' ') for o in counts)}: the total over the run)" if counts else ""
        return f"Final outcomes{of} of every completed replicate per design point and variant: box plots, with each replicate drawn as a point."
    if stem.startswith("network_run"):
        first = f" whose {run_value(outcomes[0]).label} is closest to the median" if outcomes else ""
        return f"The partnership network at the last step of run {stem.removeprefix('network_run')}, the completed run{first} (a representative run)."
    if stem.startswith("comparison_forest"):
        return "Paired policy comparison: the mean difference between variants under the same seeds, with its bootstrap confidence interval, per outcome (forest plot)."
    if stem.startswith("sensitivity"):
        rest = stem.removeprefix("sensitivity").strip("_").lstrip("0123456789").strip("_").replace("_", " ")
        rest = re.sub(r" mean of steps (\d+) (\d+)$", r" (mean of steps \1–\2)", rest)
        of = f" of {rest}" if rest else ""
        method = str((manifest.get("sensitivity") or {}).get("method", "")).lower()
        for kind, words in (
            ("interactions", "Second-order Sobol' indices S2 as a matrix: the share of variance from each pair's interaction, with its 95% half-width; ! and ? mark unreliable values."),
            ("convergence", "Convergence check: the main index of each parameter at N/4, N/2 and N with its 95% interval, and the verdict on whether samples is enough."),
            ("over_time", "The main index of each parameter per window of steps (the outcome's mean over the window): how the parameters' influence changes over a run."),
        ):
            if stem.startswith(f"sensitivity_{kind}"):
                return words
        if method == "morris":
            return (
                f"Morris screening{of}: mu* against sigma, a point per parameter: mu* the mean absolute elementary effect (importance), "
                "sigma the spread of the effects (non-linearity or interactions); the dashed rays are sigma/mu* = 0.1, 0.5 and 1. "
                "Only mu* has an interval (SALib gives none for sigma). ! and ? mark unreliable values; the replicate noise ratio is written under the plot."
            )
        if method not in ("", "sobol"):
            from .sensitivity import METHODS

            m = METHODS.get(method)
            if m is not None:
                return f"{m.title} sensitivity{of}: {m.meaning}. ! and ? mark unreliable values; the replicate noise ratio is written under the plot."
        return f"Sobol' indices{of}: ST (blue), the share of the outcome's variance the parameter explains including its interactions, and S1 (orange), alone; bars: 95% intervals; ! and ? mark unreliable values; the replicate noise ratio is written under the plot."
    return stem.replace("_", " ").capitalize() + "."


def _figure(path: Path, manifest: dict[str, Any], folder: Path, caption: str | None = None) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = caption or plot_caption(path, manifest)
    name = path.relative_to(folder).as_posix()
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption, quote=True)}">'
        f"<figcaption>{html.escape(caption)} <span class=\"file\">{html.escape(name)}</span></figcaption></figure>"
    )


def _plots(folder: Path) -> list[Path]:
    plots = folder / "plots"
    return sorted((p for p in plots.rglob("*.png") if p.is_file()), key=plot_sort_key) if plots.is_dir() else []


# --------------------------------------------------------------------- reading the folder


def _read_manifest(folder: Path) -> dict[str, Any]:
    from .comparison import read_finished

    return read_finished(folder, "a report")


def _read_table(path: Path, required: Sequence[str] = ()) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input problem
        raise InputError.single(path, "", f"cannot read the table ({type(exc).__name__}: {exc})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError.single(path, "", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return df


# --------------------------------------------------------------------- the report


def write_report(folder: str | Path, out: str | Path | None = None, *, replace: bool = True) -> Path:
    """Write the HTML report of a result folder and return its path (default ``folder/report.html``).

    The file is written to a temporary name beside ``out`` and renamed into
    place. ``folder/report.html`` is derived and always rewritten; another
    existing ``out`` is replaced only if ``replace``. Raises
    :class:`InputError` when ``folder`` is not a finished result folder, one
    of its tables cannot be read, or ``out`` may not be written.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    derived = folder / "report.html"
    out = Path(out) if out is not None else derived
    if out.is_dir():
        raise InputError.single(out, "--out", "is a folder; give the name of the HTML file to write")
    if out.exists() and not replace and out.resolve() != derived.resolve():
        raise InputError.single(out, "--out", "file exists; choose another --out or pass --force to replace it")
    document = render_report(folder, manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(document, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def render_report(folder: Path, manifest: dict[str, Any]) -> str:
    """The report of a result folder as one HTML document (see the module docstring)."""
    plots = _plots(folder)
    used: set[Path] = set()
    if manifest.get("kind") == "run":
        title, sections = _run_sections(folder, manifest)
    else:
        title, sections = _batch_sections(folder, manifest, plots, used)
    rest = [p for p in plots if p not in used]
    if rest:
        sections.insert(_plots_position(sections), _section("plots", "Plots", "".join(_figure(p, manifest, folder) for p in rest)))
    return _document(title, manifest, folder, sections)


def _plots_position(sections: list[tuple[str, str, str]]) -> int:
    anchors = [a for a, _, _ in sections]
    for after in ("outcomes", "events", "what-ran"):
        if after in anchors:
            return anchors.index(after) + 1
    return len(sections)


def _document(title: str, manifest: dict[str, Any], folder: Path, sections: list[tuple[str, str, str]]) -> str:
    nav = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t, _ in sections)
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} — spacesim report</title><style>{_CSS}</style></head><body>"
        f"<header>{_header(title, manifest, folder)}</header>"
        f'<nav><ol>{nav}</ol></nav><main>{"".join(body for _, _, body in sections)}</main>'
        f"<footer>Written by spacesim report on {html.escape(generated)} from the result folder {html.escape(folder.name)}/ "
        "(manifest.json, Parquet tables and plots/). This file is self-contained: plots are embedded, nothing is fetched.</footer>"
        "</body></html>\n"
    )


def _header(title: str, manifest: dict[str, Any], folder: Path) -> str:
    kind = manifest.get("kind", "batch")
    exp = manifest.get("experiment") or {}
    scen = manifest.get("scenario") or {}
    description = exp.get("description") if kind != "run" else scen.get("description")
    status = str(manifest.get("status"))
    runs = manifest.get("runs") or {}
    failed = int(runs.get("failed") or 0)
    badge = "bad" if failed else "ok"
    status_text = status + (f", {failed} of {runs.get('total')} runs failed" if failed else "")
    versions = manifest.get("versions") or {}
    commands = _commands(manifest)
    pairs: list[tuple[str, Any]] = [
        ("kind", "a batch of runs" if kind != "run" else "a single run"),
        ("scenario", scen.get("name")),
        ("status", Raw(f'<span class="badge {badge}">{html.escape(status_text)}</span>')),
        ("started", manifest.get("started")),
        ("finished", manifest.get("finished")),
        ("duration", duration(manifest.get("started"), manifest.get("finished"))),
        ("git revision", _code(str(manifest["git_revision"])) if manifest.get("git_revision") else "not recorded (not a git checkout)"),
        ("package versions", ", ".join(f"{k} {v}" for k, v in versions.items())),
    ]
    if commands:
        pairs.append(("command" if len(commands) == 1 else "commands", Raw("<br>".join(f"<code>{html.escape(c)}</code>" for c in commands))))
    what = "Experiment" if kind != "run" else "Scenario"
    return f"<p class=\"kicker\">spacesim report · {html.escape(folder.name)}/</p><h1>{what}: {html.escape(title)}</h1>" + (_p(description, "lead") if description else "") + _kv(pairs)


def _commands(manifest: dict[str, Any]) -> list[str]:
    out = []
    for session in manifest.get("sessions") or []:
        cmd = command_line(session.get("command"))
        if cmd:
            where = session.get("executor")
            workers = session.get("workers")
            extra = ", ".join(x for x in (str(where) if where else "", f"{workers} worker{'s' if workers != 1 else ''}" if workers else "", f"cluster {session['cluster']}" if session.get("cluster") else "") if x)
            out.append(f"{cmd}   # {session.get('started', '')}" + (f" ({extra})" if extra else ""))
    if not out and manifest.get("command"):
        cmd = command_line(manifest["command"])
        if cmd:
            out.append(cmd)
    return out


# --------------------------------------------------------------------- batch sections


def _batch_sections(folder: Path, manifest: dict[str, Any], plots: list[Path], used: set[Path]) -> tuple[str, list[tuple[str, str, str]]]:
    exp = manifest.get("experiment") or {}
    title = str(exp.get("name") or (manifest.get("scenario") or {}).get("name") or folder.name)
    runs = _read_table(folder / "runs.parquet", ("run_id", "status"))
    design = manifest.get("design") or {}
    outcomes = list(manifest.get("outcomes") or [c.removeprefix("final_") for c in runs.columns if c.startswith("final_")])
    sections = [_what_ran(folder, manifest, runs, design)]
    sections.append(_outcomes_section(runs, design, outcomes, sampled=bool(manifest.get("sensitivity") or design.get("sample"))))
    if design.get("sample"):
        sections.append(_by_parameter_section(runs, design, outcomes))

    comparison_plots = [p for p in plots if p.stem.startswith("comparison")]
    if (folder / "comparison.parquet").exists():
        used.update(comparison_plots)
        sections.append(_comparison_section(folder, manifest, _read_table(folder / "comparison.parquet", COMPARISON_COLUMNS), comparison_plots))
    sensitivity_plots = [p for p in plots if p.stem.startswith("sensitivity")]
    if (folder / "sensitivity.parquet").exists() or manifest.get("sensitivity"):
        used.update(sensitivity_plots)
        frame = _read_table(folder / "sensitivity.parquet", SENSITIVITY_COLUMNS) if (folder / "sensitivity.parquet").exists() else None
        sections.append(_sensitivity_section(folder, manifest, frame, sensitivity_plots))
    if (folder / "discovery" / "discovery.json").exists():
        sections.append(_discovery_section(folder, manifest))
    if manifest.get("replication"):
        sections.append(_replication_section(manifest["replication"], design))
    sections.append(_failed_section(runs, design))
    sections.insert(0, _findings_section(folder, manifest, runs, design, outcomes))
    return title, sections


# --------------------------------------------------------------------- findings in plain words

#: At most this many sentences about differences between variants in the findings.
MAX_FINDINGS = 8


def _findings_section(folder: Path, manifest: dict[str, Any], runs: pd.DataFrame, design: dict[str, Any], outcomes: list[str]) -> tuple[str, str, str]:
    """The report's first section: what the tables say, in sentences, each generated from a table below it."""
    items: list[str] = []
    counts = manifest.get("runs") or {}
    if counts.get("failed"):
        items.append(f"{counts['failed']} of {counts.get('total')} runs failed and are left out of every number below (see Failed runs).")
    if (folder / "comparison.parquet").exists():
        items += comparison_findings(pd.read_parquet(folder / "comparison.parquet"), design)
    items += chance_findings(runs, outcomes)
    if (folder / "sensitivity.parquet").exists():
        items += sensitivity_findings(pd.read_parquet(folder / "sensitivity.parquet"))
    if not items:
        items.append("No run completed, so there is nothing to summarise." if not (runs["status"] == "completed").any() else "Nothing to compare: one variant and one design point.")
    body = _p("Generated from the tables of this report; each sentence is one of their rows in words. Higher is not always better: less debris and threat are.", "note")
    body += "<ul class=\"findings\">" + "".join(f"<li>{html.escape(t)}</li>" for t in items) + "</ul>"
    return _section("findings", "Findings", body)


def comparison_findings(comparison: pd.DataFrame, design: dict[str, Any] | None = None, limit: int = MAX_FINDINGS) -> list[str]:
    """Sentences from a paired comparison table: which variant is higher on which outcome, by how much, with its interval, or that the two cannot be told apart; the clearest differences first.

    >>> table = pd.DataFrame({"outcome": ["mean_trust", "debris"], "point": [0, 0], "variant_a": "weak law", "variant_b": "clear law", "n_pairs": 10,
    ...                       "mean_diff": [0.111, 12.0], "confidence": 0.95, "ci_low": [0.105, -40.0], "ci_high": [0.117, 60.0], "effect_size": [10.5, 0.1], "share_b_better": [1.0, 0.5]})
    >>> for line in comparison_findings(table): print(line)
    Final mean trust is higher under clear law than under weak law by 0.111 (95% CI 0.105 to 0.117; 10 paired replicates, higher in 100% of them).
    Final debris: clear law and weak law cannot be told apart (difference +12, 95% CI -40 to 60 includes 0).
    """
    from .comparison import level_label

    if comparison.empty:
        return []
    statistics = comparison.attrs.get("statistics")
    several_points = "point" in comparison.columns and comparison["point"].nunique(dropna=True) > 1
    df = comparison.assign(_clear=(comparison["ci_low"] > 0) | (comparison["ci_high"] < 0), _size=comparison.get("effect_size", comparison["mean_diff"]).abs().fillna(0))
    df = df.sort_values(["_clear", "_size"], ascending=False, kind="stable")
    lines = []
    for _, r in df.head(limit).iterrows():
        name = _compared_name(str(r["outcome"]), statistics)
        name = ("Final " + name if (statistics or {}).get(str(r["outcome"]), FINAL) == FINAL else name[0].upper() + name[1:])
        where = f" at {_point_label(r['point'], design or {})}" if several_points and not _is_missing(r.get("point")) else ""
        level = level_label(float(r["confidence"])) if "confidence" in r and not _is_missing(r["confidence"]) else "95%"
        a, b, d = str(r["variant_a"]), str(r["variant_b"]), float(r["mean_diff"])
        interval = f"{level} CI {fmt(r['ci_low'])} to {fmt(r['ci_high'])}"
        if r["_clear"]:
            share = r.get("share_b_better") if d > 0 else r.get("share_a_better")
            often = f", higher in {_share(share)} of them" if not _is_missing(share) else ""
            pairs = f"; {int(r['n_pairs'])} paired replicates{often}" if "n_pairs" in r and not _is_missing(r["n_pairs"]) else ""
            high, low = (b, a) if d > 0 else (a, b)
            lines.append(f"{name}{where} is higher under {high} than under {low} by {fmt(abs(d))} ({interval}{pairs}).")
        else:
            lines.append(f"{name}{where}: {b} and {a} cannot be told apart (difference {'+' if d > 0 else ''}{fmt(d)}, {interval} includes 0).")
    if len(df) > limit:
        lines.append(f"{len(df) - limit} more comparisons are in the Policy comparison section.")
    return lines


def chance_findings(runs: pd.DataFrame, outcomes: Sequence[str]) -> list[str]:
    """What chance alone spreads: per outcome, the standard deviation between replicates of the same settings (design point and variant), pooled over those groups.

    >>> runs = pd.DataFrame({"status": "completed", "point": 0, "variant": ["a", "a", "b", "b"], "final_x": [1.0, 3.0, 5.0, 7.0]})
    >>> chance_findings(runs, ["x"])
    ['Chance alone: runs with the same settings and different seeds differ by a standard deviation of 1.414 in final x (pooled over 2 groups of 2 replicates; x ranges from 1 to 7 over all runs).']
    """
    done = runs[runs["status"] == "completed"]
    keys = [k for k in ("point", "variant") if k in done.columns]
    if done.empty or not keys:
        return []
    groups = done.groupby(keys, sort=False)
    sizes = groups.size()
    if sizes.max() < 2:
        return ["Each setting ran once, so these runs cannot say how much of a difference is chance; run replicates to know."]
    parts = []
    for o in outcomes:
        value = run_value(o, done.columns)
        if value.column not in done.columns:
            continue
        variances = groups[value.column].var(ddof=1)
        dof = sizes - 1
        ok = dof > 0
        pooled = math.sqrt(float((variances[ok] * dof[ok]).sum() / dof[ok].sum())) if dof[ok].sum() else math.nan
        column = done[value.column]
        parts.append(f"{fmt(pooled)} in {value.label}" + f" ({o.replace('_', ' ')} ranges from {fmt(column.min())} to {fmt(column.max())} over all runs)")
    if not parts:
        return []
    reps = f"{int(sizes.min())}" if sizes.min() == sizes.max() else f"{int(sizes.min())}–{int(sizes.max())}"
    first, rest = parts[0], parts[1:]
    first = first.replace(" (", f" (pooled over {len(sizes)} group{'s' if len(sizes) != 1 else ''} of {reps} replicates; ", 1)
    return [f"Chance alone: runs with the same settings and different seeds differ by a standard deviation of {'; '.join([first, *rest])}."]


def sensitivity_findings(df: pd.DataFrame) -> list[str]:
    """Per outcome, the parameter the sensitivity analysis ranks first, with its index and whether the estimate can be read as a number."""
    from .sensitivity import caveat

    lines = []
    if df.empty or "method" not in df.columns:
        return lines
    method = str(df["method"].iloc[0]).lower()
    index = "ST" if method == "sobol" else "mu_star"
    first = df[(df["index"] == index) & (df["parameter2"].isna() if "parameter2" in df.columns else True)]
    for outcome, group in first.groupby("outcome", sort=False):
        top = group.sort_values("value", ascending=False).iloc[0]
        conf = top.get("confidence", math.nan)
        flag = caveat(method, index, top["value"], conf)
        reading = "; the estimate has not converged: raise the samples before citing it" if flag == "outside" else "; its interval includes 0: the ranking is uncertain" if flag == "wide" else ""
        lines.append(f"{str(outcome).replace('_', ' ').capitalize()} depends most on {top['parameter']} ({index} {_with_conf(top['value'], conf)}{reading}).")
    return lines


def _by_parameter_section(runs: pd.DataFrame, design: dict[str, Any], outcomes: list[str]) -> tuple[str, str, str]:
    """A sampled design's outcomes per parameter: Spearman's rho of each outcome with each parameter and its 95% interval."""
    from .sampled import rank_correlations

    df = rank_correlations(runs, design, outcomes)
    body = _p(
        "Each design point of the sample is a point of its own: the outcome (its mean over the point's replicates) is rank-correlated with each parameter. "
        "rho is Spearman's rank correlation, with its 95% interval (Fisher's z, Bonett & Wright's standard error); an interval that excludes 0 shows a monotone association. "
        "It sees one parameter at a time; the plots show the shape (LOWESS), spacesim sensitivity and spacesim discover look further.",
        "note",
    )
    several = df["variant"].nunique() > 1
    rows = [[*([r["variant"]] if several else []), _outcome_name(r["outcome"], runs.columns), r["parameter"], r["points"], "–" if _is_missing(r["rho"]) else f"{r['rho']:+.2f}",
             "–" if _is_missing(r["low"]) else f"[{r['low']:+.2f}, {r['high']:+.2f}]"] for _, r in df.iterrows()]
    headers = [*(["variant"] if several else []), "outcome", "parameter", "design points", "rho", "95% interval"]
    body += table(headers, rows, [False] * (len(headers) - 3) + [True, True, False])
    return _section("by-parameter", "Outcomes by parameter", body)


def _discovery_section(folder: Path, manifest: dict[str, Any]) -> tuple[str, str, str]:
    """What ``spacesim discover`` found (its ``discovery/`` subfolder): the question, PRIM's chosen box with quasi-p-values, CART's leaves, the plots."""
    from .discovery import FOLDER, format_discovery

    where = folder / FOLDER
    try:
        account = json.loads((where / "discovery.json").read_text(encoding="utf-8"))
        body = _p(
            f"Scenario discovery ({account['question']}: {account['of_interest']:,} of {account['runs']:,} runs are cases of interest). "
            "PRIM (the EMA Workbench's) peels a box of parameters, trading coverage (the share of all cases of interest inside the box) for density "
            "(the share of the box's runs that are of interest); the chosen box has the most coverage among boxes at least "
            f"{account['prim']['min_density']:g} dense. A quasi-p-value tests whether a limit raises the density (small: the limit matters). "
            "The CART tree (scikit-learn) is a second view: each leaf is a box with its share of cases of interest.",
            "note",
        )
        body += f"<pre>{html.escape(format_discovery(account))}</pre>"
        leaves = pd.read_csv(where / "cart_leaves.csv") if (where / "cart_leaves.csv").exists() else pd.DataFrame()
        if len(leaves):
            rows = [[r["rule"], r["runs"], _share(r["share_of_interest"])] for _, r in leaves.head(MAX_ROWS).iterrows()]
            body += "<h3>CART leaves, most cases of interest first</h3>" + table(["rule", "runs", "of interest"], rows, [False, True, True])
    except (OSError, ValueError, KeyError) as exc:
        body = _p(f"discovery/ cannot be read ({exc}); run spacesim discover again.", "warn")
    body += "".join(_figure(where / name, manifest, folder, caption) for name, caption in (
        ("prim_trajectory.png", "PRIM's peeling trajectory: density against coverage of each box, coloured by the number of parameters restricted; the chosen box is ringed."),
        ("prim_box.png", "The chosen PRIM box: its limits within each restricted parameter's range, with the quasi-p-value of each limit."),
        ("cart_tree.png", "The CART tree: each split, and in each leaf the share of runs of interest."),
    ) if (where / name).exists())
    return _section("discovery", "Scenario discovery", body)


def _point_label(point: Any, design: dict[str, Any]) -> str:
    points = design.get("points") or []
    try:
        values = points[int(point)]
    except (TypeError, ValueError, IndexError):
        return fmt(point)
    return f"{int(point)}: {fmt(values)}" if values else str(int(point))


def _what_ran(folder: Path, manifest: dict[str, Any], runs: pd.DataFrame, design: dict[str, Any]) -> tuple[str, str, str]:
    exp = manifest.get("experiment") or {}
    scen = manifest.get("scenario") or {}
    counts = manifest.get("runs") or {}
    points = design.get("points") or []
    variants = design.get("variants") or {}
    sample = design.get("sample")
    pairs: list[tuple[str, Any]] = [
        ("experiment file", Raw(_file_cell(exp.get("file"), exp.get("sha256"), folder))) if exp.get("file") else ("experiment file", None),
        ("scenario file", Raw(_file_cell(scen.get("file"), scen.get("sha256"), folder))) if scen.get("file") else ("scenario file", None),
        ("base seed", str(manifest["base_seed"]) if manifest.get("base_seed") is not None else None),
        ("seeding rule", _code(str(manifest["seeding"])) if manifest.get("seeding") else None),
        ("steps per run", manifest.get("steps")),
        ("varied parameters", ", ".join(design.get("varied") or []) or "none"),
    ]
    if design.get("grid"):
        pairs.append(("grid", "; ".join(f"{k}: {fmt(list(v))}" for k, v in design["grid"].items())))
    if sample:
        ranges = "; ".join(f"{k} in [{fmt(a)}, {fmt(b)}]" for k, (a, b) in (sample.get("ranges") or {}).items())
        pairs.append(("sample", f"{sample.get('method', '').replace('_', ' ')}, n = {sample.get('n')}: {ranges}"))
    pairs += [
        ("design points", len(points) if points else None),
        ("variants", ", ".join(variants) if variants else None),
        ("replicates per point and variant", _replicates_cell(design, manifest.get("replication"))),
        ("runs", f"{fmt(counts.get('total'))} in total: {fmt(counts.get('completed'))} completed, {fmt(counts.get('failed'))} failed" if counts else None),
        ("outcomes summarised", ", ".join(manifest.get("outcomes") or [])),
        ("tables", ", ".join(manifest.get("tables") or [])),
    ]
    body = _kv(pairs)
    if variants:
        body += "<h3>Variants</h3>" + _p("Every variant runs with the same seeds at each design point and replicate (common random numbers).", "note")
        body += table(["variant", "settings"], [[name, settings or "the scenario as it is"] for name, settings in variants.items()])
    if points and design.get("varied"):
        shown = points[:MAX_ROWS]
        varied = list(design["varied"])
        listing = table(["point", *varied], [[i, *(p.get(k) for k in varied)] for i, p in enumerate(shown)], [True] * (1 + len(varied))) + _note(len(shown), len(points), "design points", "manifest.json (design.points)")
        if manifest.get("sensitivity") or len(points) > COLLAPSE_POINTS:  # a sample: its points are read in the Sensitivity section, not one by one
            body += f"<h3>Design points</h3><details><summary>{html.escape(_points_summary(points, varied))}</summary>{listing}</details>"
        else:
            body += "<h3>Design points</h3>" + listing
    body += _parameter_table(manifest, design)
    body += _inputs(folder)
    return _section("what-ran", "What ran", body)


def _points_summary(points: list[dict[str, Any]], varied: list[str]) -> str:
    """``24 design points: legal_clarity from 0.02114 to 0.9334, trust_loss from 1.403 to 5.86 (show each)``."""
    spans = []
    for k in varied:
        values = [p.get(k) for p in points if _is_number(p.get(k))]
        spans.append(f"{k} from {fmt(min(values))} to {fmt(max(values))}" if values else k)
    return f"{len(points)} design points: {', '.join(spans)} (show each)"


def _replicates_cell(design: dict[str, Any], replication: dict[str, Any] | None) -> Any:
    """A fixed number of replicates, or the adaptive rule and what each point actually got (the details are in the Replication section)."""
    rule = design.get("adaptive")
    if not rule:
        return design.get("replicates")
    text = (
        f"adaptive: rounds until the 95% half-width of every variant's mean {run_value(str(rule.get('outcome', ''))).label} "
        f"is at most {fmt(rule.get('target_halfwidth'))}, from {fmt(rule.get('min'))} to {fmt(rule.get('max'))} per point"
    )
    counts = [p.get("replicates") for p in (replication or {}).get("points") or [] if isinstance(p.get("replicates"), int)]
    if counts:
        text += f"; ran {min(counts)}–{max(counts)} per point" if min(counts) != max(counts) else f"; ran {counts[0]} at every point"
    return Raw(html.escape(text) + ' (each point in <a href="#replication">Replication</a>)' if replication else html.escape(text))


def shown_path(file: Any, folder: Path) -> str:
    """A file the manifest names, as the report shows it: relative to the result folder when recorded as an absolute path (no local path of the machine it ran on), as recorded otherwise.

    >>> shown_path("/home/ann/work/scenarios/base.yaml", Path("/home/ann/work/results/b"))
    '../../scenarios/base.yaml'
    >>> shown_path("experiments/teaching.yaml", Path("/x/results/t"))
    'experiments/teaching.yaml'
    """
    path = Path(str(file))
    if not path.is_absolute():
        return str(file)
    try:
        return os.path.relpath(path, Path(os.path.abspath(folder)))
    except ValueError:  # another drive (Windows)
        return path.name


def _file_cell(file: Any, sha: Any, folder: Path | None = None) -> str:
    text = f"<code>{html.escape(shown_path(file, folder) if folder is not None else str(file))}</code>"
    if sha:
        text += f' <span class="hash">sha256 {html.escape(str(sha))}</span>'
    return text


def _parameter_table(manifest: dict[str, Any], design: dict[str, Any]) -> str:
    from ..parameters import PARAMETERS_BY_NAME

    params = manifest.get("parameters") or {}
    if not params:
        return ""
    fixed = manifest.get("fixed_overrides") or {}
    varied = set(design.get("varied") or [])
    by_variant: dict[str, list[str]] = {}
    for name, settings in (design.get("variants") or {}).items():
        for key, value in (settings or {}).items():
            by_variant.setdefault(key, []).append(f"{name}: {fmt(value)}")
    grid = design.get("grid") or {}
    ranges = (design.get("sample") or {}).get("ranges") or {}
    noted: list[list[Any]] = []
    plain: list[list[Any]] = []
    for name, value in params.items():
        declared = PARAMETERS_BY_NAME.get(name)
        default = declared.default if declared else None
        notes = []
        if name in varied:
            notes.append("varied by the design")
            parts = [fmt(list(grid[name]))] if name in grid else []
            parts += [f"range [{fmt(ranges[name][0])}, {fmt(ranges[name][1])}]"] if name in ranges else []
            value = "; ".join(parts) or "varied"
        if name in by_variant:
            notes.append("set by variant (" + "; ".join(by_variant[name]) + ")")
        if name in fixed:
            notes.append("set by the experiment")
        if declared is not None and name not in varied and value != default:
            notes.append("differs from the default")
        (noted if notes else plain).append([name, value, default, "; ".join(notes), declared.meaning if declared else ""])
    body = table(["parameter", "value used", "default", "note", "meaning"], noted + plain, [False, True, True, False, False])
    summary = f"Parameters: {len(params)} values, {len(noted)} of them varied, set or different from the default (listed first; every run's values are in runs.parquet)"
    return f"<details><summary>{html.escape(summary)}</summary>{body}</details>"


def _inputs(folder: Path) -> str:
    inputs = folder / "inputs"
    if not inputs.is_dir():
        return ""
    parts = []
    for path in sorted(inputs.iterdir()):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".txt"):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            parts.append(f"<details><summary>Input file {html.escape(path.name)} (as it ran)</summary><pre>{html.escape(text)}</pre></details>")
    return "".join(parts)


def _group_columns(design: dict[str, Any], runs: pd.DataFrame) -> tuple[bool, bool]:
    many_points = runs["point"].nunique() > 1 if "point" in runs else False
    many_variants = runs["variant"].nunique() > 1 if "variant" in runs else False
    return many_points, many_variants


def outcome_summary(runs: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str]) -> pd.DataFrame:
    """Mean, sd and 95% interval of the mean of each outcome's run value (final, or total over the run for a per-step count) over completed runs, per group of ``keys``, in order of appearance.

    >>> runs = pd.DataFrame({"status": ["completed"] * 3 + ["failed"], "variant": ["a", "a", "b", "b"], "final_x": [1.0, 3.0, 5.0, float("nan")]})
    >>> outcome_summary(runs, ["x"], ["variant"])[["variant", "n", "x_mean", "x_sd"]].to_dict("records")
    [{'variant': 'a', 'n': 2, 'x_mean': 2.0, 'x_sd': 1.4142135623730951}, {'variant': 'b', 'n': 1, 'x_mean': 5.0, 'x_sd': nan}]
    """
    done = runs[runs["status"] == "completed"]
    rows = []
    groups = done.groupby(list(keys), sort=False) if keys else [((), done)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(keys, key))
        row["n"] = len(group)
        for o in outcomes:
            col = run_value(o, group.columns).column
            _, mean, sd, low, high = mean_interval(group[col].to_numpy(dtype=float)) if col in group else (0, math.nan, math.nan, math.nan, math.nan)
            row.update({f"{o}_mean": mean, f"{o}_sd": sd, f"{o}_low": low, f"{o}_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def _interval(low: Any, high: Any) -> str:
    if _is_missing(low) or _is_missing(high):
        return "–"
    return f"[{fmt(low)}, {fmt(high)}]"


def _outcome_name(outcome: str, columns: Iterable[str] | None = None) -> str:
    """An outcome as a table of run values names it: "mean trust", "n asat tests (total over the run)".

    >>> _outcome_name("mean_trust"), _outcome_name("n_leaks")
    ('mean trust', 'n leaks (total over the run)')
    """
    value = run_value(outcome, columns)
    return outcome.replace("_", " ") + (f" ({value.statistic})" if value.is_total else "")


def _outcome_table(summary: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str], labels: dict[str, Callable[[Any], str]], names: dict[str, str] | None = None) -> str:
    names = names or {}
    head = "".join(f"<th rowspan=\"2\">{html.escape(k)}</th>" for k in keys) + '<th rowspan="2" class="num">n</th>'
    head += "".join(f'<th colspan="3" class="group">{html.escape(names.get(o, o.replace("_", " ")))}</th>' for o in outcomes)
    sub = '<th class="num">mean</th><th class="num">sd</th><th class="num">95% CI</th>' * len(outcomes)
    body = []
    for _, row in summary.iterrows():
        cells = "".join(f"<td>{html.escape(labels.get(k, fmt)(row[k]))}</td>" for k in keys) + f'<td class="num">{_esc(int(row["n"]))}</td>'
        for o in outcomes:
            cells += f'<td class="num">{_esc(row[f"{o}_mean"])}</td><td class="num">{_esc(row[f"{o}_sd"])}</td><td class="num">{html.escape(_interval(row[f"{o}_low"], row[f"{o}_high"]))}</td>'
        body.append(f"<tr>{cells}</tr>")
    return f'<div class="wide"><table class="outcomes"><thead><tr>{head}</tr><tr>{sub}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _outcome_table_long(summary: pd.DataFrame, outcomes: Sequence[str], keys: Sequence[str], labels: dict[str, Callable[[Any], str]], names: dict[str, str] | None = None) -> str:
    """The same numbers as :func:`_outcome_table` with a block of rows per outcome: readable, not wide, when there are many outcomes."""
    names = names or {}
    head = "<th>outcome</th>" + "".join(f"<th>{html.escape(k)}</th>" for k in keys) + "".join(f'<th class="num">{h}</th>' for h in ("n", "mean", "sd", "95% CI"))
    body = []
    for o in outcomes:
        for i, (_, row) in enumerate(summary.iterrows()):
            first = f'<th rowspan="{len(summary)}" class="rowhead">{html.escape(names.get(o, o.replace("_", " ")))}</th>' if i == 0 else ""
            cells = "".join(f"<td>{html.escape(labels.get(k, fmt)(row[k]))}</td>" for k in keys)
            cells += f'<td class="num">{_esc(int(row["n"]))}</td><td class="num">{_esc(row[f"{o}_mean"])}</td><td class="num">{_esc(row[f"{o}_sd"])}</td>'
            cells += f'<td class="num">{html.escape(_interval(row[f"{o}_low"], row[f"{o}_high"]))}</td>'
            body.append(f"<tr>{first}{cells}</tr>")
    return f'<div class="wide"><table class="outcomes"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _outcomes_section(runs: pd.DataFrame, design: dict[str, Any], outcomes: list[str], sampled: bool = False) -> tuple[str, str, str]:
    done = runs[runs["status"] == "completed"]
    if done.empty:
        return _section("outcomes", "Outcomes", _p("No run completed, so there are no outcomes to summarise.", "warn"))
    many_points, many_variants = _group_columns(design, runs)
    keys = [k for k, on in (("point", many_points), ("variant", many_variants)) if on]
    labels = {"point": lambda p: _point_label(p, design)}
    names = {o: _outcome_name(o, runs.columns) for o in outcomes}
    totals = [o for o in outcomes if run_value(o, runs.columns).is_total]
    intro = _p(
        "Final value of each outcome (at the last step)"
        + (f"; for the per-step counts ({', '.join(names[o] for o in totals)}), the total over the run (steps 1 to the last), not the last step's count" if totals else "")
        + ", over the completed replicates: mean, standard deviation and the 95% confidence interval "
        "of the mean (Student t with n − 1 degrees of freedom; – where n < 2).",
        "note",
    )
    body = intro
    summary = outcome_summary(runs.sort_values(["point", "run_id"]) if "point" in runs else runs, outcomes, keys)
    wide = len(outcomes) <= WIDE_OUTCOMES
    draw = _outcome_table if wide else _outcome_table_long
    cap = MAX_OUTCOME_ROWS if wide else max(8, 3 * MAX_OUTCOME_ROWS // len(outcomes))
    note = _note(cap, len(summary), "design point × variant groups" if many_variants else "design points" if many_points else "variants", "runs.parquet (a row per run)")
    if many_points and (len(summary) > cap or summary["point"].nunique() > COLLAPSE_POINTS or sampled):
        pooled_keys = ["variant"] if many_variants else []
        pooled = outcome_summary(runs, outcomes, pooled_keys)
        body += "<h3>Over all design points</h3>" + draw(pooled, outcomes, pooled_keys, labels, names)
        body += f"<h3>By design point{' and variant' if many_variants else ''}</h3>"
        body += f"<details><summary>{len(summary):,} groups (show{' the first ' + str(cap) if len(summary) > cap else ''})</summary>{draw(summary.head(cap), outcomes, keys, labels, names)}{note}</details>"
        return _section("outcomes", "Outcomes", body)
    body += draw(summary.head(cap), outcomes, keys, labels, names) + note
    return _section("outcomes", "Outcomes", body)


# --------------------------------------------------------------------- comparison, sensitivity, replication, failures


def _difference_direction(df: pd.DataFrame) -> str:
    """Which way ``mean_diff`` is taken, from the data: "B − A", "A − B" or "" when the table does not say."""
    if not {"mean_a", "mean_b"} <= set(df.columns):
        return ""
    d, a, b = (pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in ("mean_diff", "mean_a", "mean_b"))
    ok = np.isfinite(d) & np.isfinite(a) & np.isfinite(b)
    if not ok.any():
        return ""
    if np.allclose(d[ok], (b - a)[ok], rtol=1e-6, atol=1e-9):
        return "B − A"
    if np.allclose(d[ok], (a - b)[ok], rtol=1e-6, atol=1e-9):
        return "A − B"
    return ""


def _share(value: Any) -> str:
    return "–" if _is_missing(value) else f"{100 * float(value):.0f}%"


def _compared_name(outcome: str, statistics: dict[str, str] | None) -> str:
    """An outcome of a comparison table: "mean trust", or "n leaks (total over the run)" when the table compared totals (its attrs say so)."""
    statistic = (statistics or {}).get(outcome, FINAL)
    return outcome.replace("_", " ") + (f" ({statistic})" if statistic != FINAL else "")


def _comparison_section(folder: Path, manifest: dict[str, Any], df: pd.DataFrame, plots: list[Path]) -> tuple[str, str, str]:
    from .comparison import confidence_level, level_label

    design = manifest.get("design") or {}
    direction = _difference_direction(df)
    diff_name = f"difference ({direction})" if direction else "mean difference"
    level = level_label(confidence_level(df))
    mixed = not level and "confidence" in df.columns
    intro = (
        "Variants compared in pairs of runs that share a seed (common random numbers): the mean of the paired differences of each outcome's final value "
        "(its total over the run for a per-step count), "
        f"its {level or 'bootstrap'} confidence interval{' (the level of each row is in its level column)' if mixed else ''}, "
        "the interval an unpaired comparison would give (wider when pairing removes shared luck), the effect size, "
        "and how often each variant did better in a pair."
    )
    settings = df.attrs
    if "n_boot" in settings and "seed" in settings:
        intro += f" Percentile bootstrap over replicate pairs, {int(settings['n_boot']):,} resamples, seed {settings['seed']}."
    body = _p(intro, "note")
    show = df.head(MAX_ROWS)
    statistics = df.attrs.get("statistics")
    has = lambda c: c in df.columns  # noqa: E731
    headers = ["outcome"] + (["point"] if has("point") and df["point"].notna().any() else []) + ["A", "B"]
    headers += ["pairs"] if has("n_pairs") else []
    headers += [h for h, c in (("mean A", "mean_a"), ("mean B", "mean_b")) if has(c)]
    ci = f"{level} CI" if level else "CI"
    headers += ["level"] if mixed else []
    headers += [diff_name, f"{ci} (paired)"]
    headers += [f"{ci} (unpaired)"] if has("unpaired_ci_low") and has("unpaired_ci_high") else []
    headers += ["effect size"] if has("effect_size") else []
    headers += [h for h, c in (("B better", "share_b_better"), ("A better", "share_a_better"), ("tied", "share_tied")) if has(c)]
    rows = []
    for _, r in show.iterrows():
        row: list[Any] = [_compared_name(str(r["outcome"]), statistics)]
        if "point" in headers:
            row.append("all points" if _is_missing(r["point"]) else _point_label(r["point"], design))
        row += [r["variant_a"], r["variant_b"]]
        if has("n_pairs"):
            row.append(r["n_pairs"])
        row += [r[c] for c in ("mean_a", "mean_b") if has(c)]
        if mixed:
            row.append(level_label(float(r["confidence"])) if not _is_missing(r["confidence"]) else "–")
        significant = not _is_missing(r["ci_low"]) and not _is_missing(r["ci_high"]) and (float(r["ci_low"]) > 0 or float(r["ci_high"]) < 0)
        diff = _esc(r["mean_diff"])
        row.append(Raw(f"<strong>{diff}</strong>" if significant else diff))
        row.append(_interval(r["ci_low"], r["ci_high"]))
        if f"{ci} (unpaired)" in headers:
            row.append(_interval(r["unpaired_ci_low"], r["unpaired_ci_high"]))
        if has("effect_size"):
            row.append(r["effect_size"])
        row += [_share(r[c]) for c in ("share_b_better", "share_a_better", "share_tied") if has(c)]
        rows.append(row)
    numeric = [h not in ("outcome", "point", "A", "B") for h in headers]
    body += f'<div class="wide">{table(headers, rows, numeric)}</div>'
    body += _p(f"Bold: the {level + ' ' if level else ''}confidence interval of the paired difference excludes zero.", "note")
    body += _note(len(show), len(df), "comparisons", "comparison.parquet")
    caption = (
        "Paired policy comparison: the mean difference between variants under the same seeds, with its "
        f"{level + ' ' if level else ''}paired bootstrap interval (thick) and the unpaired one (thin grey), per outcome (forest plot)."
    )
    body += "".join(_figure(p, manifest, folder, caption if p.stem == "comparison_forest" else None) for p in plots)
    return _section("comparison", "Policy comparison", body)


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


def _sensitivity_outcome(outcome: Any) -> str:
    """A sensitivity outcome as the manifest records it, in words: a name, or ``{outcome, window}`` as "NAME (mean of steps A–B)".

    >>> _sensitivity_outcome("debris"), _sensitivity_outcome({"outcome": "mean_trust", "window": [20, 30]})
    ('debris', 'mean_trust (mean of steps 20–30)')
    """
    if isinstance(outcome, dict) and "outcome" in outcome:
        window = outcome.get("window")
        if isinstance(window, list | tuple) and len(window) == 2:
            return f"{outcome['outcome']} (mean of steps {fmt(window[0])}–{fmt(window[1])})"
        return str(outcome["outcome"])
    return str(outcome)


def _with_conf(value: Any, conf: Any) -> str:
    if _is_missing(value):
        return "–"
    return fmt(value) + ("" if _is_missing(conf) else f" ± {fmt(conf)}")


def _sensitivity_section(folder: Path, manifest: dict[str, Any], df: pd.DataFrame | None, plots: list[Path]) -> tuple[str, str, str]:
    info = manifest.get("sensitivity") or {}
    body = ""
    pairs: list[tuple[str, Any]] = [
        ("method", info.get("method")),
        ("samples", info.get("samples")),
        ("outcomes", ", ".join(_sensitivity_outcome(o) for o in info.get("outcomes") or []) or None),
    ]
    if info:
        body += _kv(pairs)
    params = info.get("parameters") or {}
    if params:
        order = ("low", "high", "distribution", "peak")  # a range reads low, high; then how it is sampled
        found = {k for spec in params.values() if isinstance(spec, dict) for k in spec}
        keys = [k for k in order if k in found] + sorted(found - set(order))
        rows = [[name, *((spec.get(k) if isinstance(spec, dict) else None) for k in keys)] if isinstance(spec, dict) else [name, spec] for name, spec in params.items()]
        headers = ["parameter", *keys] if keys else ["parameter", "range"]
        numeric = [False] + [all(_is_number(r[i]) or _is_missing(r[i]) for r in rows if i < len(r)) for i in range(1, len(headers))]
        body += "<h3>Parameters varied</h3>" + table(headers, rows, numeric)
    noise = info.get("noise") or {}
    if noise:
        body += "<h3>Replicate noise</h3>" + _p(
            "Noise ratio of each outcome: the variance chance leaves in the outcome averaged over a sample point's replicates "
            "(the variance between replicates of the same parameter values, divided by their number), over the variance of those averages "
            "across the sample points. It is a ratio, not a share, and can exceed 100%: near 0% the points differ by their parameters; "
            "at 100% chance alone would spread them as much as they are spread, and indices of that size cannot be told from noise. "
            "More replicates lower it.",
            "note",
        )
        body += table(["outcome", "noise ratio (noise variance / variance across points)"], [[o.replace("_", " "), _share(v) if isinstance(v, int | float) else v] for o, v in noise.items()], [False, True])
    if df is not None and len(df):
        from .sensitivity import MARKS, caveat, caveat_lines

        from .sensitivity import METHODS

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
        checks = info.get("convergence") or {}
        if checks:
            rows = [[o.replace("_", " "), "enough" if v.get("enough") else "raise samples" if v.get("enough") is False else "not checked", "; ".join(v.get("reasons") or [])] for o, v in checks.items()]
            body += "<h3>Convergence (the main index at N/4, N/2 and N)</h3>" + table(["outcome", "samples", "why"], rows, [False, False, False])
        mains = {i for m in METHODS.values() for i in (m.main, m.second) if i and i != "sigma"} | {"S2"}
        flagged = caveat_lines(df[df["index"].isin(mains)], info.get("samples"))
        if flagged:
            body += "".join(_p(line, "warn" if i == len(flagged) - 1 else "note") for i, line in enumerate(flagged))
        keys = ["method", "outcome", "statistic"] if "statistic" in df.columns else ["method", "outcome"]
        for key, group in df.groupby(keys, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            method, outcome = str(key[0]), str(key[1])
            statistic = key[2] if len(key) > 2 and not _is_missing(key[2]) else None
            title = f"{outcome.replace('_', ' ')}" + (f" ({statistic})" if statistic else "") + f" — {'Sobol′' if method.lower() == 'sobol' else METHODS[method.lower()].title if method.lower() in METHODS else method.capitalize()}"
            ranking = sensitivity_ranking(group)
            known = _SOBOL_INDICES if method.lower() == "sobol" else _MORRIS_INDICES if method.lower() == "morris" else ()
            indices = [i for i in known if i in ranking.columns] + [c for c in ranking.columns if c != "parameter" and not c.endswith("_confidence") and c not in known and c != "S2"]
            marked = lambda c, r: _with_conf(r[c], r.get(f"{c}_confidence")) + MARKS.get(caveat(method.lower(), c, r[c], r.get(f"{c}_confidence", math.nan)) or "", "")  # noqa: E731
            rows = [[i + 1, r["parameter"], *(marked(c, r) for c in indices)] for i, r in ranking.head(MAX_ROWS).iterrows()]
            body += f"<h3>{html.escape(title)}</h3>" + table(["rank", "parameter", *indices], rows, [True, False] + [True] * len(indices))
            body += _note(MAX_ROWS, len(ranking), "parameters", "sensitivity.parquet")
            if "parameter2" in group.columns:
                second = group[group["parameter2"].notna()].sort_values("value", ascending=False, kind="stable")
                if len(second):
                    shown = second.head(10)
                    rows = [[r["parameter"], r["parameter2"], _with_conf(r["value"], r.get("confidence")) + MARKS.get(caveat(method.lower(), "S2", r["value"], r.get("confidence", math.nan)) or "", "")] for _, r in shown.iterrows()]
                    body += "<h4>Strongest interactions (second-order S2)</h4>" + table(["parameter", "with", "S2"], rows, [False, False, True])
                    body += _note(len(shown), len(second), "pairs", "sensitivity.parquet")
    elif df is not None:
        body += _p("sensitivity.parquet holds no indices.", "warn")
    body += "".join(_figure(p, manifest, folder) for p in plots)
    return _section("sensitivity", "Sensitivity", body)


def _replication_section(rep: dict[str, Any], design: dict[str, Any]) -> tuple[str, str, str]:
    points = rep.get("points") or []
    stopped = pd.Series([p.get("stopped") for p in points], dtype="object")
    reached = int((stopped == "target reached").sum())
    per_variant = any(isinstance(p.get("variants"), list) for p in points)
    body = _p(
        "Replicates were added in rounds until the 95% confidence interval of the mean outcome (its final value, or its total over the run for a per-step count) of every variant was at most the target "
        "half-width on each side, or the maximum number of replicates was reached. The variants of a point always get the same replicates "
        "(they stay paired), so a point stops when its widest variant (bold) is within the target; each variant's mean and half-width are its own.",
        "note",
    )
    counts = [p.get("replicates") for p in points if isinstance(p.get("replicates"), int)]
    body += _kv(
        [
            ("outcome", (str(rep["outcome"]).replace("_", " ") + (f" ({rep['statistic']})" if rep.get("statistic") not in (None, FINAL) else "")) if rep.get("outcome") else None),
            ("target half-width", rep.get("target_halfwidth")),
            ("replicates per point", f"at least {fmt(rep.get('min'))}, at most {fmt(rep.get('max'))}" if rep.get("min") is not None or rep.get("max") is not None else None),
            ("replicates run", (f"{min(counts)}–{max(counts)} per point" if min(counts) != max(counts) else f"{counts[0]} at every point") if counts else None),
            ("rounds", rep.get("rounds")),
            ("points", f"{reached} of {len(points)} reached the target" if points else None),
        ]
    )
    if points:
        shown = points[:MAX_ROWS]
        rows = []
        for p in shown:
            flag = p.get("stopped")
            cell = Raw(f'<span class="{"ok" if flag == "target reached" else "warnText"}">{_esc(flag)}</span>')
            label = _point_label(p.get("point"), design)
            if per_variant:
                for v in p.get("variants") or []:
                    width = _esc(v.get("halfwidth"))
                    bold = v.get("variant") == p.get("widest_variant")
                    rows.append([label, v.get("variant"), v.get("replicates"), v.get("mean"), Raw(f"<strong>{width}</strong>" if bold else width), cell])
            else:  # a manifest written before the variants were recorded one by one
                rows.append([label, p.get("replicates"), p.get("mean"), p.get("halfwidth"), cell])
        if per_variant:
            body += table(["point", "variant", "replicates", "mean", "95% half-width", "point stopped"], rows, [False, False, True, True, True, False])
        else:
            body += table(["point", "replicates", "mean", "95% half-width", "stopped"], rows, [False, True, True, True, False])
        body += _note(len(shown), len(points), "design points", "manifest.json (replication.points)")
    return _section("replication", "Replication", body)


def _failed_section(runs: pd.DataFrame, design: dict[str, Any]) -> tuple[str, str, str]:
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return _section("failed", "Failed runs", _p(f"None: all {len(runs):,} runs completed." if len(runs) != 1 else "None: the run completed.", "ok"))
    counts = failed["error_type"].fillna("unknown").value_counts() if "error_type" in failed else pd.Series(dtype=int)
    body = _p(f"{len(failed):,} of {len(runs):,} runs failed" + (": " + ", ".join(f"{n} {t}" for t, n in counts.items()) if len(counts) else "") + ".", "warn")
    body += _p("Each failed run is left out of the outcomes and plots above; its reproduce command repeats it alone.", "note")
    cols = [c for c in ("run_id", "variant", "point", "seed", "error_type", "error", "reproduce") if c in failed.columns]
    headers = {"run_id": "run", "error_type": "error type", "error": "message", "reproduce": "reproduce with"}
    rows = []
    for _, r in failed.head(MAX_ROWS).iterrows():
        row = []
        for c in cols:
            if c == "point":
                row.append(_point_label(r[c], design))
            elif c in ("seed", "run_id"):
                row.append(str(int(r[c])))
            elif c == "reproduce":
                row.append(_code(str(r[c])) if not _is_missing(r[c]) else "–")
            else:
                row.append(r[c])
        rows.append(row)
    body += f'<div class="wide">{table([headers.get(c, c) for c in cols], rows, [c in ("run_id", "seed") for c in cols])}</div>'
    body += _note(MAX_ROWS, len(failed), "failed runs", "runs.parquet (status, error_type, error, reproduce)")
    return _section("failed", "Failed runs", body)


# --------------------------------------------------------------------- single run


def _run_sections(folder: Path, manifest: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    from ..catalogue import STEP_OUTCOMES

    scen = manifest.get("scenario") or {}
    title = str(scen.get("name") or folder.name)
    runs = _read_table(folder / "runs.parquet", ("run_id",))
    seeds = manifest.get("seeds") or {}
    seed = next(iter(seeds.values()), None) if isinstance(seeds, dict) else None
    if seed is None and "seed" in runs:
        seed = int(runs["seed"].iloc[0])
    spec = scen.get("spec") or {}
    pairs: list[tuple[str, Any]] = [
        ("scenario file", Raw(_file_cell(scen.get("file"), scen.get("sha256"), folder))) if scen.get("file") else ("scenario file", None),
        ("seed", str(seed) if seed is not None else None),
        ("steps", manifest.get("steps")),
        ("one step is", spec.get("step_meaning")),
        ("nations", len(spec["nations"]) if isinstance(spec.get("nations"), list) else None),
        ("frameworks", ", ".join(str(f.get("name", f.get("code", ""))) for f in spec["frameworks"]) if isinstance(spec.get("frameworks"), list) and spec["frameworks"] else None),
        ("scheduled events", len(spec["events"]) if isinstance(spec.get("events"), list) else None),
        ("tables", ", ".join(manifest.get("tables") or [])),
    ]
    body = _kv(pairs) + _parameter_table(manifest, {})
    sections = [_section("what-ran", "What ran", body)]

    if (folder / "steps.parquet").exists():
        steps = _read_table(folder / "steps.parquet", ("step",)).sort_values("step")
        first, last = steps.iloc[0], steps.iloc[-1]
        state, counts = [], []
        for name, meaning in STEP_OUTCOMES.items():
            if name not in steps.columns:
                continue
            if name in PER_STEP_COUNTS:
                counts.append([name.replace("_", " "), steps.loc[steps["step"] > first["step"], name].sum(), meaning.removesuffix(" this step")])
            else:
                start, end = first[name], last[name]
                state.append([name.replace("_", " "), start, end, float(end) - float(start), meaning])
        body = _p(f"Each outcome at step {int(first['step'])} (the initial state) and at the last step, {int(last['step'])}.", "note")
        body += table(["outcome", "start", "final", "change", "meaning"], state, [False, True, True, True, False])
        if counts:
            body += "<h3>Counted over the run</h3>" + table(["count", f"total over steps 1–{int(last['step'])}", "meaning"], counts, [False, True, False])
        sections.append(_section("outcomes", "Final outcomes", body))

    if (folder / "events.parquet").exists():
        events = _read_table(folder / "events.parquet", ("step", "kind"))
        if events.empty:
            body = _p("No event happened.", "note")
        else:
            counts = events["kind"].value_counts()
            body = table(["event", "count"], [[str(k).replace("_", " "), int(n)] for k, n in counts.items()], [False, True])
            shown = events.sort_values("step", kind="stable").head(MAX_ROWS)
            text_col = "narrative" if "narrative" in events.columns else None
            rows = [[int(r["step"]), str(r["kind"]).replace("_", " "), r[text_col] if text_col else ""] for _, r in shown.iterrows()]
            body += "<h3>What happened</h3>" + table(["step", "event", "narrative"], rows, [True, False, False])
            body += _note(len(shown), len(events), "events", "events.parquet")
        sections.append(_section("events", "Events", body))
    sections.insert(0, _run_findings_section(folder, spec, seed))
    return title, sections


def _run_findings_section(folder: Path, spec: dict[str, Any], seed: Any) -> tuple[str, str, str]:
    """The single-run report's first section: :func:`spacesim.analysis.findings.run_findings` as a list."""
    from .findings import run_findings
    from .plots import calendar_of

    steps = _read_table(folder / "steps.parquet", ("step",)) if (folder / "steps.parquet").exists() else pd.DataFrame({"step": []})
    events = _read_table(folder / "events.parquet", ("step", "kind")) if (folder / "events.parquet").exists() else None
    items = run_findings(steps, events, calendar=calendar_of(spec.get("step_meaning"), spec.get("start_year")), seed=seed)
    body = _p("Generated from this run's tables: its steps (the Final outcomes section) and its events.", "note")
    body += '<ul class="findings">' + "".join(f"<li>{html.escape(t)}</li>" for t in items) + "</ul>"
    return _section("findings", "Findings", body)


# --------------------------------------------------------------------- style

_CSS = """
:root{--ink:#1d2430;--muted:#5b6575;--line:#d9dee6;--bg:#ffffff;--soft:#f4f6f9;--accent:#1f5fa8;--ok:#1e7b34;--bad:#b42318}
*{box-sizing:border-box}
body{font:15px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px 28px 48px}
h1{font-size:26px;margin:4px 0 6px}h2{font-size:20px;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:36px}
h3{font-size:16px;margin:22px 0 8px}h4{font-size:14px;margin:16px 0 6px}
.kicker{color:var(--muted);margin:0;font-size:13px;text-transform:uppercase;letter-spacing:.05em}
.lead{font-size:16px;color:var(--muted);margin-top:0}
nav{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 16px;margin:18px 0}
nav ol{margin:0;padding-left:20px;columns:2}nav a{color:var(--accent);text-decoration:none}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13.5px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
thead th{background:var(--soft);border-bottom:2px solid var(--line)}
th.group{text-align:center;border-left:1px solid var(--line)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.rowhead{background:none;vertical-align:top;border-right:1px solid var(--line)}
table.kv th{width:230px;color:var(--muted);font-weight:600;background:none;border-bottom:1px solid var(--line)}
caption{caption-side:top;text-align:left;color:var(--muted);padding-bottom:4px}
.wide{overflow-x:auto}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
code{background:var(--soft);padding:1px 4px;border-radius:3px;word-break:break-all}
pre{background:var(--soft);border:1px solid var(--line);padding:10px;overflow-x:auto;white-space:pre-wrap}
.hash{color:var(--muted);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.note{color:var(--muted);font-size:13.5px}.warn{color:var(--bad);font-weight:600}.ok{color:var(--ok)}.warnText{color:var(--bad)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;font-weight:600}
.badge.ok{background:#e3f4e7;color:var(--ok)}.badge.bad{background:#fde8e6;color:var(--bad)}
details{margin:10px 0}summary{cursor:pointer;color:var(--accent)}
figure{margin:18px 0 26px;border:1px solid var(--line);border-radius:6px;padding:10px;page-break-inside:avoid}
figure img{max-width:100%;max-height:800px;width:auto;height:auto;display:block;margin:0 auto}
figcaption{color:var(--muted);font-size:13.5px;margin-top:6px}.file{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin-left:6px}
footer{margin-top:40px;color:var(--muted);font-size:12.5px;border-top:1px solid var(--line);padding-top:10px}
@media print{nav{display:none}body{max-width:none;padding:0}}
"""
