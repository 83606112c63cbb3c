"""The HTML pieces of the report, rendered by the jinja2 templates in ``templates/`` with autoescape on.

Every helper returns a ``str`` of HTML in which each piece of text taken
from the folder has been escaped by jinja2; a :class:`Raw` cell is HTML
rendered by a template (a badge, a ``<code>``, a bold number) and is kept as
it is. The sections put these pieces together; no module of the report
writes a tag by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .formatting import Row, _is_missing, fmt, shown_path


@cache
def environment() -> Environment:
    """The report's jinja2 environment: templates from the package's ``templates/``, autoescape on for every file (the CSS is included as written)."""
    return Environment(
        loader=PackageLoader("spacesim.analysis.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _parts() -> Any:
    return environment().get_template("parts.html.j2").module


class Raw:
    """A table cell that is already HTML (built here from escaped parts)."""

    def __init__(self, html_text: str):
        self.html = html_text


def _cell(value: Any) -> Any:
    """A cell as the templates take it: a :class:`Raw` marked safe, anything else formatted with :func:`fmt` (escaped by the template)."""
    if isinstance(value, Raw):
        return Markup(value.html)
    return value if isinstance(value, str) else fmt(value)


def table(headers: Sequence[str], rows: Iterable[Row], numeric: Sequence[bool] | None = None, caption: str | None = None) -> str:
    """An HTML table; every cell is formatted with :func:`fmt` and escaped (a cell given as :class:`Raw` is kept as is).

    >>> print(table(["a", "b"], [["<x>", 0.5]]))
    <table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>&lt;x&gt;</td><td>0.5</td></tr></tbody></table>
    """
    cells = [[_cell(c) for c in row] for row in rows]
    numeric = list(numeric) if numeric is not None else [False] * len(headers)
    numeric += [False] * max(0, max(map(len, cells), default=0) - len(numeric))  # a row longer than the headers: its extra cells are text
    return str(_parts().table(list(headers), cells, numeric, caption))


def _p(text: str, cls: str | None = None) -> str:
    return str(_parts().p(text, cls))


def _note(shown: int, total: int, what: str, where: str) -> str:
    if total <= shown:
        return ""
    return _p(f"Showing the first {shown} of {total:,} {what}; the full table is in {where}.", "note")


def _kv(pairs: Iterable[tuple[str, Any]]) -> str:
    return str(_parts().kv([(k, _cell(v)) for k, v in pairs if not _is_missing(v) and v != ""]))


def _code(text: str) -> Raw:
    return Raw(render("code.html.j2", lines=[text]))


def _file_cell(file: Any, sha: Any, folder: Path | None = None) -> str:
    """A file the manifest names (as :func:`shown_path` shows it) and its hash."""
    return render("file.html.j2", path=shown_path(file, folder) if folder is not None else str(file), sha=sha)


def _section(anchor: str, title: str, body: str) -> tuple[str, str, str]:
    return anchor, title, str(_parts().section(anchor, title, Markup(body)))


def figure(data: str, caption: str, name: str) -> str:
    """A plot embedded as a data URI (``data``: the PNG in base64), with its caption and file name."""
    return str(_parts().figure(data, caption, name))


def render(template: str, **values: Any) -> str:
    """A template of ``templates/`` rendered (values escaped unless marked safe)."""
    return environment().get_template(template).render(**values)


def document(title: str, header: str, sections: list[tuple[str, str, str]], generated: str, folder: str) -> str:
    """The whole report: ``header`` and the sections' bodies are HTML from the helpers above; the CSS is included from ``templates/report.css``."""
    marked = [(anchor, name, Markup(body)) for anchor, name, body in sections]
    return environment().get_template("report.html.j2").render(title=title, header=Markup(header), sections=marked, generated=generated, folder=folder)
