"""A result folder as one self-contained HTML file a researcher can attach to an email.

:func:`write_report` reads a batch folder (``spacesim batch``) or a single-run
folder (``spacesim run``) and writes ``report.html``: what ran (from the
manifest), the final outcomes per design point and variant, every plot of
``plots/`` embedded as a base64 PNG, and — when the folder holds them — the
paired policy comparison (``comparison.parquet``), the sensitivity indices
(``sensitivity.parquet`` and the manifest's ``sensitivity`` section), the
adaptive replication (the manifest's ``replication`` section) and the failed
runs with the command that reproduces each.

The file needs nothing else to be read: the CSS (``templates/report.css``)
is inlined, images are data URIs, there is no script and no link to any
other file or address. The HTML comes from the jinja2 templates in
``templates/`` with autoescape on, so every piece of text taken from the
folder is escaped. Long tables are cut to a fixed number of rows, and the
report says so and where the full table is.

One module per idea: :mod:`.document` (the whole file: reading, header,
order of sections, writing), :mod:`.html` (the templates' environment and
pieces), :mod:`.formatting` (numbers, durations, commands, paths),
:mod:`.figures` (plot order and captions), :mod:`.findings`,
:mod:`.what_ran`, :mod:`.outcomes`, :mod:`.comparison_section`,
:mod:`.sensitivity_section`, :mod:`.runs_section` (replication and failed
runs), :mod:`.batch` and :mod:`.single_run` (the sections of each kind of
folder), :mod:`.reading` (the manifest and tables, refused clearly).
"""

from .document import render_report, write_report
from .figures import plot_caption, plot_sort_key
from .findings import MAX_FINDINGS, chance_findings, comparison_findings, sensitivity_findings
from .formatting import COLLAPSE_POINTS, MAX_OUTCOME_ROWS, MAX_ROWS, WIDE_OUTCOMES, command_line, duration, fmt, mean_interval, shown_path
from .html import Raw, table
from .outcomes import outcome_summary
from .sensitivity_section import sensitivity_ranking

__all__ = [
    "COLLAPSE_POINTS",
    "MAX_FINDINGS",
    "MAX_OUTCOME_ROWS",
    "MAX_ROWS",
    "WIDE_OUTCOMES",
    "Raw",
    "chance_findings",
    "command_line",
    "comparison_findings",
    "duration",
    "fmt",
    "mean_interval",
    "outcome_summary",
    "plot_caption",
    "plot_sort_key",
    "render_report",
    "sensitivity_findings",
    "sensitivity_ranking",
    "shown_path",
    "table",
    "write_report",
]
