"""Reading the result folder: its manifest (typed, through :class:`~spacesim.output.result_folder.ResultFolder`) and its
tables, each refused with a clear message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...scenario.errors import InputError


def _read_manifest(folder: Path) -> Any:
    """The manifest of a finished run or batch folder (a calibration has its own report)."""
    from ..comparison import read_finished

    manifest = read_finished(folder, "a report")
    if manifest.kind == "calibration":
        raise InputError.single(
            folder / "manifest.json", "kind", "a calibration folder: its report is spacesim report on the calibration (calibration/report.py)"
        )
    return manifest


def _read_table(path: Path, required: Sequence[str] = ()) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input problem
        raise InputError.single(path, "", f"cannot read the table ({type(exc).__name__}: {exc})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError.single(path, "", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return df
