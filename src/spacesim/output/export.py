"""``spacesim export``: a result folder's tables as CSV files or one Excel workbook, for analysts who do not read Parquet.

The export goes into ``DIR/export/`` (or ``out``) with an ``export.json``
listing the files written. It writes only those files: an existing file of
the same name is replaced only with ``force``, and only when an earlier
export listed it, so nothing spacesim did not write is ever touched.

A batch's per-run tables carry ``point``, ``variant`` and ``replicate``
after ``run_id``; in a folder written before they did, the export adds them
from ``runs``, so every exported table can be grouped by variant alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.errors import InputError
from .folder import PER_RUN_TABLES, TABLES, write_json_atomic
from .result_folder import ResultFolder

FORMATS = ("csv", "xlsx")

#: The tables an export holds, in order (those present): the result tables, then the analyses'.
EXPORTED = (*TABLES, "comparison", "sensitivity")

#: Rows an Excel sheet holds, its header included.
EXCEL_ROWS = 1_048_576

#: Where a run sits in a batch's design; added to per-run tables that lack them.
DESIGN_COLUMNS = ("point", "variant", "replicate")

LISTING = "export.json"


def with_design_columns(table: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """A per-run table with ``point``, ``variant`` and ``replicate`` after ``run_id``, taken from ``runs`` when missing
    (a batch folder written before the tables carried them).

    >>> runs = pd.DataFrame({"run_id": [0, 1], "point": [0, 0], "variant": ["a", "b"], "replicate": [0, 0]})
    >>> with_design_columns(pd.DataFrame({"run_id": [1, 0], "step": [0, 0]}), runs).to_dict("list")
    {'run_id': [1, 0], 'point': [0, 0], 'variant': ['b', 'a'], 'replicate': [0, 0], 'step': [0, 0]}
    """
    missing = [c for c in DESIGN_COLUMNS if c not in table.columns and c in runs.columns]
    if "run_id" not in table.columns or not missing:
        return table
    table = table.copy()
    at = table.columns.get_loc("run_id") + 1
    for i, column in enumerate(missing):
        table.insert(at + i, column, table["run_id"].map(runs.set_index("run_id")[column]).astype(runs[column].dtype))
    return table


def export_folder(folder: str | Path, fmt: str = "csv", out: str | Path | None = None, *, force: bool = False) -> list[Path]:
    """Write the tables of a finished result folder as CSV files (one per table) or one ``.xlsx`` workbook (a sheet per table); return the paths written.

    Raises :class:`InputError` (exit status 2) for a folder that is not a
    finished result, an unknown format, a target that exists (without
    ``force``, or not listed by an earlier export), or a table too long for
    an Excel sheet.
    """
    folder = Path(folder)
    if fmt not in FORMATS:
        raise InputError.single("--format", fmt, f"unknown format; choose {' or '.join(FORMATS)}")
    ResultFolder(folder).read(needed_for="an export")
    target = Path(out) if out is not None else folder / "export"
    if target.exists() and not target.is_dir():
        raise InputError.single(target, "--out", "exists and is not a folder; give the folder to write the export into")
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in EXPORTED if (folder / f"{name}.parquet").exists()}
    runs = tables.get("runs")
    if runs is not None and "variant" in runs.columns:
        for name in ("steps", *PER_RUN_TABLES):
            if name in tables:
                tables[name] = with_design_columns(tables[name], runs)
    if fmt == "xlsx":
        for name, table in tables.items():
            if len(table) + 1 > EXCEL_ROWS:
                raise InputError.single(
                    folder / f"{name}.parquet",
                    "",
                    f"{len(table):,} rows, more than an Excel sheet holds ({EXCEL_ROWS - 1:,}); export with --format csv, or keep fewer tables or steps",
                )
        files = [target / f"{folder.resolve().name}.xlsx"]
    else:
        files = [target / f"{name}.csv" for name in tables]
    _check_targets(target, files, force)
    target.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_workbook(files[0], tables)
    else:
        for table, path in zip(tables.values(), files):
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            table.to_csv(tmp, index=False)
            os.replace(tmp, path)
    listed = _listed(target) | {p.name for p in files}
    write_json_atomic(
        target / LISTING, {"written_by": "spacesim export", "source": os.path.relpath(folder.resolve(), target.resolve()), "files": sorted(listed)}
    )
    return files


def _listed(target: Path) -> set[str]:
    """The files an earlier export into ``target`` wrote (from its ``export.json``)."""
    try:
        listing = json.loads((target / LISTING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = listing.get("files") if isinstance(listing, dict) and listing.get("written_by") == "spacesim export" else None
    return {str(f) for f in files} if isinstance(files, list) else set()


def _check_targets(target: Path, files: list[Path], force: bool) -> None:
    existing = [p for p in files if p.exists() or p.is_symlink()]
    if (target / LISTING).exists() and not _listed(target):
        raise InputError.single(target / LISTING, "", "is not the listing of a spacesim export; choose another --out")
    if not existing:
        return
    listed = _listed(target)
    foreign = [p.name for p in existing if p.name not in listed or p.is_symlink() or not p.is_file()]
    if foreign:
        raise InputError.single(
            target,
            "--out",
            f"holds {', '.join(foreign)}, which spacesim export did not write; choose another --out (--force replaces only files an earlier export wrote)",
        )
    if not force:
        raise InputError.single(
            target, "--out", f"holds an earlier export ({', '.join(p.name for p in existing)}); pass --force to replace it, or choose another --out"
        )


def _write_workbook(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, table in tables.items():
            _excel_ready(table).to_excel(writer, sheet_name=name, index=False)
    os.replace(tmp, path)


def _excel_ready(table: pd.DataFrame) -> pd.DataFrame:
    """Columns Excel cannot hold (timezone-aware times, lists, nullable types) as plain values."""
    out = table.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[column] = series.dt.tz_localize(None)
        elif series.dtype == object and series.map(lambda v: isinstance(v, list | tuple | dict | np.ndarray)).any():
            out[column] = series.map(_plain)
        elif isinstance(series.dtype, pd.StringDtype):
            out[column] = series.astype(object).where(series.notna(), None)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray | tuple):
        value = list(value)
    return json.dumps(value, default=str) if isinstance(value, list | dict) else value
