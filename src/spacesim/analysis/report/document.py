"""The report as a whole: reading the folder, the document's header, its sections in order, writing the file."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ...output.result_folder import BatchManifest, RunManifest
from ...scenario.errors import InputError
from .batch import _batch_sections
from .figures import _figure, _plots
from .formatting import command_line, duration
from .html import Raw, _code, _kv, _p, _section, document, render
from .reading import _read_manifest
from .single_run import _run_sections

#: The manifests a report is made of.
AnyManifest = BatchManifest | RunManifest


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


def render_report(folder: Path, manifest: AnyManifest) -> str:
    """The report of a result folder as one HTML document (see the module docstring)."""
    plots = _plots(folder)
    used: set[Path] = set()
    if isinstance(manifest, RunManifest):
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


def _document(title: str, manifest: AnyManifest, folder: Path, sections: list[tuple[str, str, str]]) -> str:
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    return document(title, _header(title, manifest, folder), sections, generated, folder.name)


def _header(title: str, manifest: AnyManifest, folder: Path) -> str:
    batch = isinstance(manifest, BatchManifest)
    description = manifest.experiment.description if isinstance(manifest, BatchManifest) else manifest.scenario.description
    failed = manifest.runs.failed
    status_text = str(manifest.status) + (f", {failed} of {manifest.runs.total} runs failed" if failed else "")
    commands = _commands(manifest)
    pairs: list[tuple[str, Any]] = [
        ("kind", "a batch of runs" if batch else "a single run"),
        ("scenario", manifest.scenario.name),
        ("status", Raw(render("badge.html.j2", bad=bool(failed), text=status_text))),
        ("started", manifest.started),
        ("finished", manifest.finished),
        ("duration", duration(manifest.started, manifest.finished)),
        ("git revision", _code(manifest.git_revision) if manifest.git_revision else "not recorded (not a git checkout)"),
        ("package versions", ", ".join(f"{k} {v}" for k, v in manifest.versions.items())),
    ]
    if commands:
        pairs.append(("command" if len(commands) == 1 else "commands", Raw(render("code.html.j2", lines=commands))))
    what = "Experiment" if batch else "Scenario"
    return render(
        "header.html.j2",
        folder=folder.name,
        what=what,
        title=title,
        description=description,
        lead=Markup(_p(description, "lead")) if description else "",
        pairs=Markup(_kv(pairs)),
    )


def _commands(manifest: AnyManifest) -> list[str]:
    out = []
    for session in manifest.sessions if isinstance(manifest, BatchManifest) else []:
        cmd = command_line(session.command)
        if cmd:
            workers = session.workers
            extra = ", ".join(
                x
                for x in (
                    str(session.executor) if session.executor else "",
                    f"{workers} worker{'s' if workers != 1 else ''}" if workers else "",
                    f"cluster {session.cluster}" if session.cluster else "",
                )
                if x
            )
            out.append(f"{cmd}   # {session.started or ''}" + (f" ({extra})" if extra else ""))
    if not out and isinstance(manifest, RunManifest):
        cmd = command_line(manifest.command)
        if cmd:
            out.append(cmd)
    return out
