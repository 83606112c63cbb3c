"""A result folder, written so that nothing half-done or already there is lost.

Files are written to a temporary name and renamed into place. A new folder
is built beside its destination and renamed into place when complete, so a
killed run leaves either nothing or a whole folder. An existing folder is
never replaced unless the caller asks (``force``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario.errors import InputError

TABLES = ("runs", "steps", "nations", "events", "partnerships")


def prepare_output(out: str | Path, force: bool = False) -> Path:
    """Check that ``out`` may be written; refuse an existing folder unless ``force``.

    Raises :class:`InputError` (exit status 2 on the command line).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError.single(out, "--out", "exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise InputError.single(out, "--out", "folder exists and is not empty; choose another --out or pass --force to replace it")
    return out


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to a temporary file beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_parquet_atomic(path: Path, df: pd.DataFrame) -> None:
    """Write a Parquet table to a temporary file beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class ResultFolder:
    """Build a result folder in a staging folder beside ``out``; ``commit`` moves it into place.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with ResultFolder(root / "r") as folder:
    ...     folder.write_json("manifest.json", {"status": "completed"})
    >>> sorted(p.name for p in (root / "r").iterdir())
    ['manifest.json']
    """

    def __init__(self, out: str | Path, force: bool = False):
        self.out = prepare_output(out, force)
        self.force = force
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.partial-", dir=self.out.parent))
        self.staging.chmod(0o755)

    @property
    def plots(self) -> Path:
        """The folder plots go into (made by whatever draws them)."""
        return self.staging / "plots"

    def write_json(self, name: str, data: Any) -> None:
        """Write a JSON file into the folder."""
        write_json_atomic(self.staging / name, data)

    def write_table(self, name: str, df: pd.DataFrame) -> None:
        """Write ``name``.parquet into the folder."""
        write_parquet_atomic(self.staging / f"{name}.parquet", df)

    def commit(self) -> Path:
        """Move the finished folder into place (replacing an old one only if ``force``)."""
        if self.out.exists():
            prepare_output(self.out, self.force)  # it may have appeared meanwhile
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, old)
            os.replace(self.staging, self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.staging, self.out)
        return self.out

    def discard(self) -> None:
        """Remove the staging folder."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> "ResultFolder":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def read_tables(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Every Parquet table of a result folder, by name (those present)."""
    folder = Path(folder)
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES if (folder / f"{name}.parquet").exists()}


def read_manifest(folder: str | Path, *, needed_for: str = "this", kind: str | None = None, finished: bool = True) -> dict[str, Any]:
    """The ``manifest.json`` of a result folder, checked; :class:`InputError` naming the folder and what is wrong otherwise.

    ``kind`` ("run" or "batch") requires that kind of folder; ``finished``
    requires status "completed" and ``runs.parquet``. ``needed_for`` ends the
    messages ("a paired comparison needs ...").
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError.single(folder, "", "no such result folder")
    if not folder.is_dir():
        raise InputError.single(folder, "", "not a folder; give the result folder of spacesim run or spacesim batch")
    path = folder / "manifest.json"
    if not path.exists():
        raise InputError.single(folder, "", "no manifest.json: not a result folder of spacesim run or spacesim batch")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(path, "", f"cannot read the manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise InputError.single(path, "", "the manifest is not a JSON object")
    if kind is not None and manifest.get("kind") != kind:
        raise InputError.single(path, "kind", f"not a {kind} result folder (kind {manifest.get('kind')!r}); {needed_for} needs the folder of spacesim {kind}")
    if finished:
        status = manifest.get("status")
        what = "run" if manifest.get("kind") == "run" else "batch"
        if status != "completed":
            hint = f" (finish it with {resume_command(manifest, folder)})" if what == "batch" else ""
            raise InputError.single(path, "status", f"the {what} is {status or 'of unknown status'}, not completed: {needed_for} needs a finished {what}{hint}")
        if not (folder / "runs.parquet").exists():
            raise InputError.single(folder, "", "missing runs.parquet: not a finished result folder")
    return manifest


def resume_command(manifest: dict[str, Any], out: str | Path) -> str:
    """The command that finishes the batch a manifest describes: ``spacesim sensitivity FILE --method M ...`` for a sensitivity batch, else ``spacesim batch FILE ...``.

    >>> resume_command({"experiment": {"file": "exp/s.yaml", "spec": {"sensitivity": {"method": "morris"}}}}, "res/m")
    'spacesim sensitivity exp/s.yaml --out res/m --resume --method morris'
    >>> resume_command({"experiment": {"file": "my exp.yaml", "spec": {"sensitivity": None}}}, "res/b")
    "spacesim batch 'my exp.yaml' --out res/b --resume"
    """
    import shlex

    experiment = manifest.get("experiment") or {}
    sensitivity = (experiment.get("spec") or {}).get("sensitivity")
    words = ["spacesim", "sensitivity" if sensitivity else "batch", str(experiment.get("file") or "EXPERIMENT.yaml"), "--out", str(out), "--resume"]
    if sensitivity and sensitivity.get("method"):
        words += ["--method", str(sensitivity["method"])]  # the batch may have been started with --method
    return " ".join(shlex.quote(w) for w in words)
