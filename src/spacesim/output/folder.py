"""A result folder, written so that nothing half-done or already there is lost.

Files are written to a temporary name and renamed into place. A single run's
folder is built in a staging folder inside its destination and its files are
moved into place when complete, the manifest last, so a folder with a
manifest always holds the whole run.

Three rules keep other people's data safe:

* **Locked while written.** A run, a batch, a resume or an analysis that
  writes into a result folder holds an exclusive OS lock (``flock``) on the
  folder's ``.spacesim.lock`` for as long as it writes; the lock dies with
  its process, so a killed writer never leaves a stale lock. A second writer
  is refused (:class:`InputError`, exit status 2) with the holder's process
  id, command and start time, which the holder writes into the lock file.
* **--force deletes only spacesim's result folders.** An existing folder is
  replaced only with ``force``, and only when :func:`check_replaceable` finds
  a spacesim result folder in it (a manifest of ours, or our lock file, and
  nothing but what spacesim writes); never the current folder or a parent of
  it, the home folder, ``/``, a git checkout, a folder holding the input
  files, or a symbolic link. What is deleted is what was checked, entry by
  entry, not the folder as a whole.
* **Short temporary names.** Temporary files and the staging folder get
  short names, so that any folder name the file system accepts works.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario.errors import InputError
from ..scenario.experiment import Table

#: The per-run tables (declared once, as the experiment file's ``tables``): a single run writes them all, a batch those its experiment keeps.
PER_RUN_TABLES: tuple[str, ...] = tuple(t.value for t in Table)

#: The tables of a run's or a batch's folder, in order: ``runs`` and ``steps`` (always written), then the per-run tables.
TABLES: tuple[str, ...] = ("runs", "steps", *PER_RUN_TABLES)

#: The lock file of a result folder (see :class:`FolderLock`).
LOCK_FILE = ".spacesim.lock"

#: The tables analyses add to a batch's folder (paired comparison, sensitivity indices, their convergence and their course over time).
ANALYSIS_TABLES = ("comparison", "sensitivity", "sensitivity_convergence", "sensitivity_over_time")

#: What ``spacesim calibrate`` writes at the top of its folder: pyabc's SQLite history (with SQLite's side files) and the posterior's tables.
CALIBRATION_FILES = ("abc.db", "abc.db-journal", "abc.db-wal", "abc.db-shm", "posterior.parquet", "fit.parquet", "predictive.parquet")

#: The files spacesim writes at the top of a result folder: the manifest, the tables of runs and batches, the analyses'
#: tables, a calibration's files and the report.
RESULT_FILES = frozenset({"manifest.json", "report.html", LOCK_FILE, *(f"{t}.parquet" for t in (*TABLES, *ANALYSIS_TABLES)), *CALIBRATION_FILES})

#: Folders of a result folder that spacesim's analyses fill with files of these kinds only (``spacesim discover`` writes discovery/).
ANALYSIS_FOLDERS = {"discovery": frozenset({".png", ".csv", ".json", ".txt"})}

#: The kinds of manifest spacesim writes.
MANIFEST_KINDS = ("run", "batch", "calibration")

#: Temporary names spacesim uses inside a result folder: ``.NAME.tmp-PID`` (a file being written), ``.partial-PID`` (a run being staged).
_TEMPORARY = re.compile(r"^\.(?:.+\.tmp-\d+|partial-\d+)$")


def prepare_output(
    out: str | Path,
    force: bool = False,
    *,
    inputs: tuple[str | Path, ...] = (),
    option: str = "--out",
    force_flag: str = "--force",
    another: str = "another --out",
) -> Path:
    """Check that ``out`` may be written; refuse an existing non-empty folder unless ``force``, and with ``force`` anything :func:`check_replaceable` refuses.

    ``inputs`` are the files the command reads (a folder holding one is
    never replaced). Raises :class:`InputError` (exit status 2 on the command
    line).
    """
    out = Path(out)
    check_path(out, option)
    if out.is_symlink() and force:
        check_replaceable(out, inputs, option=option, force_flag=force_flag, another=another)
    if out.exists() and not out.is_dir():
        raise InputError.single(out, option, "exists and is not a folder")
    if _has_content(out):
        if not force:
            raise InputError.single(out, option, f"folder exists and is not empty; choose {another} or pass {force_flag} to replace it")
        check_replaceable(out, inputs, option=option, force_flag=force_flag, another=another)
    return out


def free_folder(base: str | Path) -> Path:
    """``base`` if it is free (missing, or empty but for a lock file), else the first free ``base-2``, ``base-3``...: a
    default result folder never refuses and never overwrites.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> free_folder(root / "r").name
    'r'
    >>> (root / "r").mkdir(); (root / "r" / "manifest.json").write_text("{}")
    2
    >>> free_folder(root / "r").name
    'r-2'
    """
    base = Path(base)
    candidate, n = base, 1
    while candidate.is_symlink() or (candidate.exists() and (not candidate.is_dir() or _has_content(candidate))):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def folder_label(settings: dict[str, Any]) -> str:
    """What a default folder name adds for the settings that differ from the file's: ``legal_clarity=0.9_steps=20``
    (characters a file name should not hold replaced by ``-``).

    >>> folder_label({"legal_clarity": 0.9, "allow_multilateral": False, "steps": 20})
    'legal_clarity=0.9_allow_multilateral=false_steps=20'
    >>> folder_label({"name": "a/b c"})
    'name=a-b-c'
    """

    def word(value: Any) -> str:
        return "true" if value is True else "false" if value is False else str(value)

    label = "_".join(re.sub(r"[^A-Za-z0-9_.=+-]+", "-", f"{k}={word(v)}") for k, v in settings.items())
    if len(label) > 100:  # a file name holds at most 255 bytes: keep the start and a digest of the whole
        import hashlib

        label = f"{label[:88]}-{hashlib.sha256(label.encode()).hexdigest()[:10]}"
    return label


def check_path(path: Path, option: str = "--out") -> None:
    """:class:`InputError` for a path the system cannot even look up (a name too long, a loop of links, a folder that
    cannot be read), instead of an internal error later."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise InputError.single(path, option, f"cannot use this path ({_reason(exc)})") from None


def _has_content(folder: Path) -> bool:
    """Whether ``folder`` exists and holds anything but spacesim's lock file."""
    try:
        return folder.is_dir() and any(p.name != LOCK_FILE for p in folder.iterdir())
    except OSError as exc:
        raise InputError.single(folder, "", f"cannot read the folder ({_reason(exc)})") from None


def check_replaceable(
    out: str | Path, inputs: tuple[str | Path, ...] = (), *, option: str = "--out", force_flag: str = "--force", another: str = "another --out"
) -> list[Path]:
    """The entries ``force`` may delete from ``out``, or :class:`InputError` saying why the folder is not deleted and what is there.

    Refused: a symbolic link; ``/``, the home folder, the current folder and
    its parents; a folder holding one of ``inputs`` (the experiment or
    scenario files) or a ``.git`` (a checkout); a folder whose
    ``manifest.json`` is not a spacesim manifest, that has neither a manifest
    nor spacesim's lock file, or that holds anything spacesim does not write.
    """
    out = Path(out)
    refuse = lambda why: InputError.single(out, force_flag, f"not deleted: {why}; {force_flag} deletes only a result folder spacesim wrote; choose {another}")  # noqa: E731
    if out.is_symlink():
        raise refuse(f"it is a symbolic link (to {os.readlink(out)}), which {force_flag} never follows; name the folder itself")
    if not out.exists():
        return []
    real = out.resolve()
    here = Path.cwd().resolve()
    home = Path.home().resolve()
    if real == Path(real.anchor):
        raise refuse("it is the root folder /")
    if real == home:
        raise refuse("it is your home folder")
    if real == here:
        raise refuse("it is the current folder")
    if real in here.parents:
        raise refuse("it is a parent of the current folder")
    for file in inputs:
        path = Path(os.path.abspath(file))
        with contextlib.suppress(OSError):
            path = path.resolve()
        if path.is_relative_to(real):
            raise refuse(f"it holds {path.relative_to(real)}, an input of this command")
    if (real / ".git").exists():
        raise refuse("it is a git checkout (it has .git)")
    entries = sorted(real.iterdir(), key=lambda p: p.name)
    foreign = [_shown(p) for p in entries if not _ours(p)]
    if foreign:
        listed = ", ".join(foreign[:6]) + (f" and {len(foreign) - 6} more" if len(foreign) > 6 else "")
        raise refuse(f"it holds what spacesim did not write: {listed}")
    if not _our_manifest(real / "manifest.json") and not (real / LOCK_FILE).exists() and entries:
        raise refuse(
            "it has no manifest.json of a spacesim run or batch"
            if not (real / "manifest.json").exists()
            else "its manifest.json is not one of a spacesim run or batch"
        )
    return [p for p in entries if p.name != LOCK_FILE]


def _shown(path: Path) -> str:
    return path.name + ("@" if path.is_symlink() else "/" if path.is_dir() else "")


def _ours(path: Path) -> bool:
    """Whether an entry of a result folder is one spacesim writes."""
    name = path.name
    if path.is_symlink():
        return False
    if _TEMPORARY.match(name):
        return True
    if path.is_dir():
        if name == "chunks":  # the batch's chunk folders
            return True
        if name == "inputs":  # copies of the experiment and scenario files
            return all(p.is_file() and not p.is_symlink() for p in path.iterdir())
        if name == "export":  # spacesim export's files
            return all(
                p.is_file() and not p.is_symlink() and (p.suffix in (".csv", ".xlsx") or p.name == "export.json" or _TEMPORARY.match(p.name))
                for p in path.iterdir()
            )
        if name in ANALYSIS_FOLDERS:
            return all(not p.is_symlink() and (p.suffix in ANALYSIS_FOLDERS[name] or _TEMPORARY.match(p.name)) for p in path.rglob("*"))
        if name == "plots":
            return all(not p.is_symlink() and (p.is_dir() or p.suffix == ".png" or _TEMPORARY.match(p.name)) for p in path.rglob("*"))
        return False
    return name in RESULT_FILES


def _our_manifest(path: Path) -> bool:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") in MANIFEST_KINDS


def remove_entries(entries: list[Path]) -> None:
    """Delete the entries :func:`check_replaceable` returned: the manifest first, so that a deletion cut short leaves a
    folder no one takes for a whole result."""
    for path in sorted(entries, key=lambda p: p.name != "manifest.json"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _reason(exc: OSError) -> str:
    """``Permission denied``, ``Read-only file system``...: what the system said, without the path."""
    return exc.strerror or type(exc).__name__


class FolderLock:
    """An exclusive lock on a result folder for as long as one process writes into it.

    It is ``fcntl.flock`` on ``.spacesim.lock`` inside the folder: the kernel
    drops it when the process ends, however it ends (a SIGKILL, a power
    loss), so there is never a stale lock to clean. The holder writes its
    process id, command and start time into the lock file, and a refused
    writer names them. (Not the ``filelock`` package: it opens the lock file
    with ``O_TRUNC`` on every try, so each refused writer would wipe the
    holder's details, and it adds a dependency for what is a dozen lines on
    POSIX, where spacesim runs.) The descriptor is not inherited by worker
    processes (Python's default), so the lock ends with its holder.

    On release the lock file is removed (while still held; a writer that
    opened it meanwhile notices that its file is no longer the folder's and
    opens the new one).
    """

    def __init__(self, folder: str | Path, option: str = "--out"):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.option = option
        self.created = False
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self._fd is not None

    def acquire(self, create: bool = False, required: bool = True) -> FolderLock:
        """Take the lock (making the folder first when ``create``); :class:`InputError` if another process holds it or the folder cannot be written.

        Without ``required`` (an analysis that may only read the folder), a
        folder where the lock file cannot be made (read-only) is left
        unlocked: no spacesim can be writing there either.
        """
        import fcntl

        from .provenance import now

        if create:
            try:
                self.folder.mkdir(parents=True)
                self.created = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise InputError.single(self.folder, self.option, f"cannot make the folder ({_reason(exc)})") from None
        for _ in range(10):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                self._forget_created()
                if not required and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                    return self
                raise InputError.single(self.folder, self.option, f"cannot write in this folder ({_reason(exc)}); choose a folder you can write to") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_holder(fd)
                os.close(fd)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise InputError.single(self.folder, self.option, f"cannot lock the folder ({_reason(exc)})") from None
                raise InputError.single(
                    self.folder,
                    self.option,
                    f"in use by another spacesim ({holder}); wait for it to finish or stop it, or choose another folder (--force never takes a folder in use)",
                ) from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the holder released and removed the file between our open and our lock: open the new one
        else:  # pragma: no cover - ten releases in a row while we tried
            raise InputError.single(self.folder, self.option, "cannot lock the folder: other processes keep taking it")
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv) or "python", "started": now()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Remove the lock file and drop the lock; a folder this lock made, still empty, is removed too."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None
        self._forget_created()

    def _forget_created(self) -> None:
        if self.created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # only if empty
            self.created = False

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    """The holder's details as a refusal names them: ``pid 123 on host h, spacesim batch ..., since 2026-...``."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
        where = f" on {info['host']}" if info.get("host") and info["host"] != socket.gethostname() else ""
        return f"pid {info['pid']}{where}, '{info['command']}', since {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not written its details yet"


def write_json_atomic(path: Path, data: Any, durable: bool = False) -> None:
    """Write JSON to a temporary file beside ``path``, then rename it into place (with ``durable``, flushed to disk before the rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_parquet_atomic(path: Path, df: pd.DataFrame) -> None:
    """Write a Parquet table to a temporary file beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's contents to disk (a folder's: the names in it, so that a rename survives a power loss)."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedRun:
    """A single run's result folder, locked while it is written: the files go to a staging folder inside it and are
    moved into place by ``commit``, the manifest last.

    Opening it checks ``out`` (:func:`prepare_output`), makes the folder and
    takes its lock (:class:`FolderLock`), so that a second writer is refused
    before it simulates anything. ``commit`` deletes the old result (only
    with ``force``, only the entries :func:`check_replaceable` allowed),
    moves the new files in and releases the lock; ``discard`` removes the
    staging folder, and the folder itself if this made it.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> from spacesim.output.result_folder import RunManifest
    >>> with StagedRun(root / "r") as folder:
    ...     folder.write_manifest(RunManifest(status="completed"))
    >>> sorted(p.name for p in (root / "r").iterdir())
    ['manifest.json']
    """

    def __init__(self, out: str | Path, force: bool = False, inputs: tuple[str | Path, ...] = ()):
        self.out = prepare_output(out, force, inputs=inputs)
        self.force, self.inputs = force, inputs
        self.lock = FolderLock(self.out).acquire(create=True)
        try:
            prepare_output(self.out, force, inputs=inputs)  # it may have changed before we held the lock
            self.staging = self.out / f".partial-{os.getpid()}"
            if self.staging.exists():
                shutil.rmtree(self.staging)
            self.staging.mkdir()
        except BaseException:
            self.lock.release()
            raise

    @property
    def plots(self) -> Path:
        """The folder plots go into (made by whatever draws them)."""
        return self.staging / "plots"

    def write_manifest(self, manifest: Any) -> None:
        """Write the run's manifest (a :class:`~spacesim.output.result_folder.RunManifest`) into the folder; it is moved into place last."""
        from .result_folder import ResultFolder

        ResultFolder(self.staging).write(manifest)

    def write_table(self, name: str, df: pd.DataFrame) -> None:
        """Write ``name``.parquet into the folder."""
        write_parquet_atomic(self.staging / f"{name}.parquet", df)

    def commit(self) -> Path:
        """Replace the old result (only with ``force``) by the new files, the manifest last, and release the lock."""
        try:
            old = [p for p in check_replaceable(self.out, self.inputs) if p.name != self.staging.name] if self.force and _has_content(self.out) else []
            remove_entries(old)
            staged = sorted(self.staging.iterdir(), key=lambda p: p.name == "manifest.json")
            for path in staged:
                os.replace(path, self.out / path.name)
            self.staging.rmdir()
        finally:
            self.lock.release()
        return self.out

    def discard(self) -> None:
        """Remove the staging folder (and the folder, if this made it and nothing else is in it) and release the lock."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.lock.release()

    def __enter__(self) -> StagedRun:
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
