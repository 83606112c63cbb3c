"""The result store of a batch: chunks committed as they finish, merged at the end.

Layout of a batch folder while it runs::

    manifest.json            status "running" (then "interrupted" or "completed")
    inputs/                  copies of the experiment and scenario files
    plots/                   summary plots, made at the end (not with --no-plots)
    chunks/000012/           one folder per finished chunk: runs.parquet, steps.parquet, ...

A chunk is written into ``chunks/.000012.tmp-<pid>/`` and renamed into place
when all its tables are on disk; a rename is atomic, so a batch killed at any
moment (SIGKILL, power loss) leaves only whole chunks, and at most the chunks
in flight are lost. ``--resume`` runs the chunks that are missing. When every
chunk is in, the tables are merged in run-id order into ``runs.parquet``,
``steps.parquet`` (and the kept per-run tables), each written to a temporary
name and renamed, then the chunk folders are removed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..output.folder import write_json_atomic
from ..scenario.errors import InputError
from .wording import PYTHON, Wording
from .worker import ChunkResult

CHUNK_DIGITS = 6


class BatchStore:
    """A batch's output folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def chunks_dir(self) -> Path:
        """Where finished chunks live until the merge."""
        return self.root / "chunks"

    @property
    def manifest_path(self) -> Path:
        """The batch's ``manifest.json``."""
        return self.root / "manifest.json"

    @property
    def plots(self) -> Path:
        """The folder summary plots go into."""
        return self.root / "plots"

    # --- opening -------------------------------------------------------------
    @staticmethod
    def check_new(root: Path, resume: bool, force: bool, wording: Wording = PYTHON) -> None:
        """Refuse to start over an existing folder unless ``resume`` or ``force`` says what to do (messages name the options as ``wording`` does)."""
        w = wording
        if resume and force:
            raise InputError.single(root, f"{w.resume}/{w.force}", f"choose one: {w.resume} continues the batch in this folder, {w.force} deletes it and starts again")
        if root.exists() and not root.is_dir():
            raise InputError.single(root, w.out, "exists and is not a folder")
        exists = root.exists() and any(root.iterdir())
        if resume and not exists:
            raise InputError.single(root, w.resume, "there is no batch to resume in this folder")
        if resume and not (root / "manifest.json").exists():
            raise InputError.single(root, w.resume, f"the folder has no manifest.json, so it is not a spacesim batch; choose {w.another_out}")
        if exists and not (resume or force):
            raise InputError.single(root, w.out, f"folder exists and is not empty; pass {w.resume} to continue the batch in it, {w.force} to delete it and start again, or choose {w.another_out}")

    def create(self, force: bool) -> None:
        """Make an empty folder (deleting an old one only when ``force``); ``plots/`` is made only when plots are drawn."""
        if force and self.root.exists():
            shutil.rmtree(self.root)
        (self.root / "inputs").mkdir(parents=True, exist_ok=True)
        self.chunks_dir.mkdir(exist_ok=True)

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as written last."""
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError.single(self.manifest_path, "", f"cannot read the batch manifest ({exc})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        write_json_atomic(self.manifest_path, manifest)

    # --- chunks -------------------------------------------------------------------
    def chunk_dir(self, chunk: int) -> Path:
        """The folder of a finished chunk."""
        return self.chunks_dir / f"{chunk:0{CHUNK_DIGITS}d}"

    def done_chunks(self) -> set[int]:
        """Chunks whose folders are complete (temporary folders of killed writes are ignored)."""
        if not self.chunks_dir.exists():
            return set()
        return {int(p.name) for p in self.chunks_dir.iterdir() if p.is_dir() and p.name.isdigit()}

    def commit_chunk(self, result: ChunkResult) -> None:
        """Write a chunk's tables to a temporary folder, then rename it into place."""
        final = self.chunk_dir(result.chunk)
        tmp = self.chunks_dir / f".{final.name}.tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        for name, df in result.tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        with open(tmp / "done", "w") as fh:
            fh.write(f"{result.seconds:.3f}\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)

    def clean_partial(self) -> None:
        """Remove temporary chunk folders a killed batch left behind."""
        if self.chunks_dir.exists():
            for p in self.chunks_dir.iterdir():
                if p.name.startswith("."):
                    shutil.rmtree(p, ignore_errors=True)

    def chunk_counts(self) -> tuple[int, int]:
        """Runs done and runs failed over the finished chunks."""
        done = failed = 0
        for c in self.done_chunks():
            status = pq.read_table(self.chunk_dir(c) / "runs.parquet", columns=["status"]).column("status").to_pylist()
            done += len(status)
            failed += status.count("failed")
        return done, failed

    def read_runs(self, columns: list[str]) -> "pd.DataFrame":
        """Those columns of the runs of every finished chunk, in chunk order."""
        import pandas as pd

        frames = [pq.read_table(self.chunk_dir(c) / "runs.parquet", columns=columns).to_pandas() for c in sorted(self.done_chunks())]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    # --- merge --------------------------------------------------------------------
    def merge(self, tables: tuple[str, ...], n_chunks: int) -> list[str]:
        """Concatenate every chunk's tables in chunk order into the final tables; return their file names.

        Streams chunk by chunk, so memory holds one chunk at a time, except
        for ``runs`` (a row per run), which is written as one row group.
        """
        missing = sorted(set(range(n_chunks)) - self.done_chunks())
        if missing:
            raise RuntimeError(f"cannot merge: chunks {missing[:5]} are missing")
        written = []
        for name in ("runs", "steps", *tables):
            paths = [self.chunk_dir(c) / f"{name}.parquet" for c in range(n_chunks)]
            schemas = [pq.read_schema(p) for p in paths]
            schema = _unify(schemas)
            final = self.root / f"{name}.parquet"
            tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
            with pq.ParquetWriter(tmp, schema) as writer:
                if name == "runs":
                    # a row per run, wide and small: one row group, which reads back in a fraction of the memory of one per chunk
                    writer.write_table(pa.concat_tables([_conform(pq.read_table(p), schema) for p in paths]))
                else:
                    for p in paths:
                        table = pq.read_table(p)
                        if table.num_rows:
                            writer.write_table(_conform(table, schema))
            os.replace(tmp, final)
            written.append(final.name)
        return written

    def remove_chunks(self) -> None:
        """Delete the chunk folders once the merged tables are in place."""
        shutil.rmtree(self.chunks_dir, ignore_errors=True)


def _unify(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for tables whose empty or all-null columns may have been typed ``null``; pandas metadata dropped."""
    nonempty = [s.remove_metadata() for s in schemas]
    schema = pa.unify_schemas(nonempty, promote_options="permissive")
    return pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in schema])


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)
