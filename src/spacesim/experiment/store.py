"""The result store of a batch: chunks committed as they finish, merged at the end.

Layout of a batch folder while it runs::

    manifest.json            status "running" (then "interrupted" or "completed")
    inputs/                  copies of the experiment and scenario files
    plots/                   summary plots, made at the end (not with --no-plots)
    chunks/000012/           one folder per finished chunk: runs.parquet, steps.parquet, ...

A chunk is written into ``chunks/.000012.tmp-<pid>/``, each file and then
the folder flushed to disk (``fsync``), and renamed into place (the rename
flushed too); a rename is atomic, so a batch killed at any moment (SIGKILL,
power loss) leaves only whole chunks, and at most the chunks in flight are
lost. ``--resume`` runs the chunks that are missing; a chunk it cannot read
(a disk that lied, a file cut short) is moved to ``chunks/corrupt/``, named
in a warning, and run again. The folder is locked
(:class:`~spacesim.output.folder.FolderLock`) while a batch writes to it. When every
chunk is in, the tables are merged in run-id order into ``runs.parquet``,
``steps.parquet`` (and the kept per-run tables), each written to a temporary
name and renamed, then the chunk folders are removed. The per-run tables are
merged while the batch runs (:class:`MergeAhead`: ``.steps.parquet.tmp-<pid>``
grows chunk by chunk, in chunk order), so that at the end they need only
their rename.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from ..output.folder import LOCK_FILE, FolderLock, check_path, check_replaceable, fsync_path, remove_entries
from ..output.result_folder import BatchManifest, ResultFolder
from ..scenario.errors import InputError
from .wording import PYTHON, Wording
from .worker import ChunkResult

if TYPE_CHECKING:  # pandas is imported where the tables are read, not with the store
    import pandas as pd

CHUNK_DIGITS = 6

#: How many chunks that came back before their predecessors :class:`MergeAhead` holds in memory (more wait on disk).
MAX_WAITING = 8


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
    def check_new(root: Path, resume: bool, force: bool, wording: Wording = PYTHON, inputs: tuple[Path, ...] = ()) -> None:
        """Refuse to start over an existing folder unless ``resume`` or ``force`` says what to do, and ``force`` on
        anything but a spacesim result folder (messages name the options as ``wording`` does).

        ``inputs`` are the experiment and scenario files: a folder holding
        one is never deleted.
        """
        w = wording
        check_path(root, w.out)
        if resume and force:
            raise InputError.single(
                root, f"{w.resume}/{w.force}", f"choose one: {w.resume} continues the batch in this folder, {w.force} deletes it and starts again"
            )
        if force and root.is_symlink():
            check_replaceable(root, inputs, option=w.out, force_flag=w.force, another=w.another_out)
        if root.exists() and not root.is_dir():
            raise InputError.single(root, w.out, "exists and is not a folder")
        try:
            exists = root.exists() and any(p.name != LOCK_FILE for p in root.iterdir())
        except OSError as exc:
            raise InputError.single(root, w.out, f"cannot read the folder ({exc.strerror})") from None
        if resume and not exists:
            raise InputError.single(root, w.resume, "there is no batch to resume in this folder")
        if resume and not (root / "manifest.json").exists():
            raise InputError.single(root, w.resume, f"the folder has no manifest.json, so it is not a spacesim batch; choose {w.another_out}")
        if exists and not (resume or force):
            raise InputError.single(
                root,
                w.out,
                f"folder exists and is not empty; pass {w.resume} to continue the batch in it, {w.force} to delete it and start again, or choose "
                f"{w.another_out}",
            )
        if exists and force:
            check_replaceable(root, inputs, option=w.out, force_flag=w.force, another=w.another_out)

    def lock(self, create: bool, wording: Wording = PYTHON) -> FolderLock:
        """Take the folder's lock (:class:`~spacesim.output.folder.FolderLock`), making the folder when ``create``;
        :class:`InputError` naming the holder if another process writes to it."""
        return FolderLock(self.root, option=wording.out).acquire(create=create)

    def create(self, force: bool, inputs: tuple[Path, ...] = (), wording: Wording = PYTHON) -> None:
        """Make the folder's ``inputs/`` and ``chunks/`` (with ``force``, after deleting the old result, only if it is
        one of spacesim); ``plots/`` is made only when plots are drawn."""
        if force:
            remove_entries(check_replaceable(self.root, inputs, option=wording.out, force_flag=wording.force, another=wording.another_out))
        (self.root / "inputs").mkdir(parents=True, exist_ok=True)
        self.chunks_dir.mkdir(exist_ok=True)

    def read_for_resume(self, again: str, another_out: str = "another --out") -> BatchManifest:
        """The batch's manifest as written last, checked for a resume (:meth:`ResultFolder.read_for_resume`)."""
        return ResultFolder(self.root).read_for_resume(again, another_out)

    def write_manifest(self, manifest: BatchManifest) -> None:
        """Replace the manifest atomically."""
        ResultFolder(self.root).write(manifest)

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
        """Write a chunk's tables to a temporary folder, flush every file and the folder to disk, then rename it into place and flush the rename."""
        final = self.chunk_dir(result.chunk)
        tmp = self.chunks_dir / f".{final.name}.tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        for name, table in result.tables.items():
            if isinstance(table, pa.Table):  # the simulation's chunks: Arrow already, written as is
                pq.write_table(table, tmp / f"{name}.parquet")
            else:
                table.to_parquet(tmp / f"{name}.parquet", index=False)
            fsync_path(tmp / f"{name}.parquet")
        with open(tmp / "done", "w") as fh:
            fh.write(f"{result.seconds:.3f}\n")
            fh.flush()
            os.fsync(fh.fileno())
        fsync_path(tmp)
        os.replace(tmp, final)
        fsync_path(self.chunks_dir)

    def set_aside_unreadable(self, tables: tuple[str, ...]) -> list[str]:
        """Move every finished chunk that cannot be read to ``chunks/corrupt/`` (so that it runs again); return a sentence for each.

        A chunk is readable when its ``done`` marker and every table
        (``runs``, ``steps`` and the kept ones) are there, each table's
        Parquet footer reads, and its ``runs`` table reads whole.
        """
        notes = []
        for c in sorted(self.done_chunks()):
            folder = self.chunk_dir(c)
            problem = None
            if not (folder / "done").is_file():
                problem = "its done marker is missing"
            for name in ("runs", "steps", *tables):
                if problem:
                    break
                try:
                    if name == "runs":
                        pq.read_table(folder / "runs.parquet")
                    else:
                        pq.read_metadata(folder / f"{name}.parquet")
                except (OSError, pa.ArrowException) as exc:
                    problem = f"{name}.parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            if problem:
                corrupt = self.chunks_dir / "corrupt"
                corrupt.mkdir(exist_ok=True)
                target, n = corrupt / folder.name, 1
                while target.exists():
                    n += 1
                    target = corrupt / f"{folder.name}-{n}"
                os.replace(folder, target)
                notes.append(
                    f"{folder.relative_to(self.root)} cannot be read ({problem}); moved to {target.relative_to(self.root)} and its runs will run again"
                )
        return notes

    def chunk_run_ids(self, chunk: int) -> list[int]:
        """The run ids of a finished chunk, in its order."""
        return pq.read_table(self.chunk_dir(chunk) / "runs.parquet", columns=["run_id"]).column("run_id").to_pylist()

    def clean_partial(self) -> None:
        """Remove temporary chunk folders, and tables merged ahead (:class:`MergeAhead`), that a killed batch left behind."""
        if self.chunks_dir.exists():
            for p in self.chunks_dir.iterdir():
                if p.name.startswith(".") and ".tmp-" in p.name:
                    shutil.rmtree(p, ignore_errors=True)
        if self.root.is_dir():
            for p in self.root.iterdir():
                if p.name.startswith(".") and ".parquet.tmp-" in p.name and p.is_file():
                    p.unlink(missing_ok=True)

    def chunk_counts(self) -> tuple[int, int]:
        """Runs done and runs failed over the finished chunks."""
        done = failed = 0
        for c in self.done_chunks():
            status = pq.read_table(self.chunk_dir(c) / "runs.parquet", columns=["status"]).column("status").to_pylist()
            done += len(status)
            failed += status.count("failed")
        return done, failed

    def read_runs(self, columns: list[str]) -> pd.DataFrame:
        """Those columns of the runs of every finished chunk, in chunk order."""
        import pandas as pd

        frames = [pq.read_table(self.chunk_dir(c) / "runs.parquet", columns=columns).to_pandas() for c in sorted(self.done_chunks())]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    # --- merge --------------------------------------------------------------------
    def merge_ahead(self, names: tuple[str, ...]) -> MergeAhead:
        """A :class:`MergeAhead` of these per-run tables, starting after the chunks finished in earlier sessions."""
        return MergeAhead(self, names, self.done_chunks())

    def merge(self, tables: tuple[str, ...], n_chunks: int, ahead: MergeAhead | None = None) -> list[str]:
        """Concatenate every chunk's tables in chunk order into the final tables; return their file names.

        Streams chunk by chunk, so memory holds one chunk at a time, except
        for ``runs`` (a row per run), which is written as one row group. A
        table that ``ahead`` has been writing while the batch ran is finished
        from there (the chunks it has not written yet read from disk) when
        its schema is the one all chunks unify to; otherwise it is merged
        here from the chunks, as if ``ahead`` had never run.
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
            tmp = ahead.finish(name, n_chunks, schema) if ahead is not None else None
            if tmp is None:
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
        """Delete the chunk folders once the merged tables are in place (chunks set aside as unreadable stay in
        ``chunks/corrupt/``, for a person to look at)."""
        if (self.chunks_dir / "corrupt").is_dir():
            for p in self.chunks_dir.iterdir():
                if p.name != "corrupt":
                    shutil.rmtree(p, ignore_errors=True)
        else:
            shutil.rmtree(self.chunks_dir, ignore_errors=True)


def _unify(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for tables whose empty or all-null columns may have been typed ``null``; pandas metadata dropped."""
    nonempty = [s.remove_metadata() for s in schemas]
    schema = pa.unify_schemas(nonempty, promote_options="permissive")
    return pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in schema])


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with the columns of ``schema``, in its order and types (missing columns null); the table itself when it has them already."""
    if table.schema.remove_metadata().equals(schema):
        return table
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


class MergeAhead:
    """The merged per-run tables (``steps`` and the kept ones) written while a batch runs, so that little is left to merge at its end.

    Each chunk's tables are appended, in chunk order, to
    ``.NAME.parquet.tmp-PID`` beside the final table, as the batch commits
    the chunk (:meth:`add`: a chunk that arrives before its predecessors
    waits in memory for them; chunks finished in earlier sessions are read
    from disk when their turn comes). The file is the one
    :meth:`BatchStore.merge` would write: the same writer, the same row
    group per chunk. The chunks stay committed as before (the merged file
    is only renamed into place at the end, by :meth:`BatchStore.merge`),
    so a batch stopped or killed at any moment keeps exactly what it kept
    before; :meth:`abandon` (or a resume's
    :meth:`BatchStore.clean_partial`) removes the partial file. A chunk
    whose schema differs from the first one's (an empty chunk, a column
    typed otherwise) ends the merging ahead of that table, which is then
    merged at the end from the chunks.
    """

    def __init__(self, store: BatchStore, names: tuple[str, ...], on_disk: set[int]):
        self.store, self.names = store, names
        self.on_disk = set(on_disk)
        self.next = 0
        self.waiting: dict[int, dict[str, pa.Table]] = {}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.paths: dict[str, Path] = {}
        self.stopped: set[str] = set()

    def add(self, result: ChunkResult) -> None:
        """Take a committed chunk; write it, and any chunks it was holding up, if it is next."""
        if len(self.stopped) == len(self.names):
            return
        if result.chunk != self.next and len(self.waiting) >= MAX_WAITING:  # far out of order (a cluster): read from disk in its turn
            self.on_disk.add(result.chunk)
            return
        tables: dict[str, pa.Table | None] = {}
        for name in self.names:
            table = result.tables.get(name)
            tables[name] = table if isinstance(table, pa.Table) or table is None else pa.Table.from_pandas(table, preserve_index=False)
        self.waiting[result.chunk] = tables
        self._drain()

    def _drain(self) -> None:
        while self.next in self.waiting or self.next in self.on_disk:
            tables = self.waiting.pop(self.next, None)
            for name in self.names:
                if name in self.stopped:
                    continue
                table = tables.get(name) if tables is not None else pq.read_table(self.store.chunk_dir(self.next) / f"{name}.parquet")
                self._write(name, table)
            self.next += 1

    def _write(self, name: str, table: pa.Table | None) -> None:
        if table is None:
            self._stop(name)
            return
        writer = self.writers.get(name)
        if writer is None:
            final = self.store.root / f"{name}.parquet"
            self.paths[name] = final.with_name(f".{final.name}.tmp-{os.getpid()}")
            writer = self.writers[name] = pq.ParquetWriter(self.paths[name], _unify([table.schema]))
        elif not _unify([writer.schema, table.schema]).equals(writer.schema):
            self._stop(name)
            return
        if table.num_rows:
            writer.write_table(_conform(table, writer.schema))

    def _stop(self, name: str) -> None:
        """Give up merging ``name`` ahead: close and remove its partial file."""
        self.stopped.add(name)
        writer = self.writers.pop(name, None)
        if writer is not None:
            writer.close()
            self.paths.pop(name).unlink(missing_ok=True)

    def finish(self, name: str, n_chunks: int, schema: pa.Schema) -> Path | None:
        """Write what is left of ``name`` (chunks ``next`` to ``n_chunks - 1``, from disk) and close it; return its file,
        or ``None`` when it was not merged ahead, or not with ``schema``, the schema all its chunks unify to."""
        if name not in self.names or name in self.stopped:
            return None
        self.on_disk |= set(range(self.next, n_chunks))
        self._drain()
        writer = self.writers.get(name)
        if name in self.stopped or writer is None or self.next != n_chunks or not writer.schema.equals(schema):
            self._stop(name)
            return None
        writer.close()
        self.writers.pop(name)
        self.stopped.add(name)
        return self.paths.pop(name)

    def abandon(self) -> None:
        """Close and remove every partial file (the batch stopped before its end)."""
        for name in list(self.writers):
            self._stop(name)
        self.waiting.clear()
