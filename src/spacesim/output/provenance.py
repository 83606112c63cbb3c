"""What ran: package versions, git revision, file hashes, times."""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGES = ("spacesim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "pyyaml", "matplotlib", "networkx", "distributed")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the results."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision() -> str | None:
    """The git commit of the spacesim source tree, if it is a checkout (with '+dirty' if modified)."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=here, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("+dirty" if dirty else "")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _package_files() -> Iterator[tuple[str, Any]]:
    """Every file of this spacesim but caches, as (path inside the package, readable), in a fixed order.

    Read through :mod:`importlib.resources`, so that it works from a source
    tree and from the zip a Dask worker imports.
    """
    from importlib.resources import files

    def walk(node: Any, prefix: str) -> Iterator[tuple[str, Any]]:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                if child.name != "__pycache__":
                    yield from walk(child, f"{prefix}{child.name}/")
            elif not child.name.endswith((".pyc", ".nbi", ".nbc")):
                yield f"{prefix}{child.name}", child

    yield from walk(files("spacesim"), "")


@functools.cache
def package_fingerprint() -> str:
    """A hash of this spacesim's source files (``.py`` and ``.yaml``): the identity of the code a batch ran, and how a worker tells whether it runs the same.

    Computed once per process (the first time it is asked for), so it
    describes the code this process loaded, not files edited afterwards.
    """
    digest = hashlib.sha256()
    for name, file in _package_files():
        if name.endswith((".py", ".yaml")):
            digest.update(name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def code_identity() -> dict[str, str]:
    """What a manifest records of the code: spacesim's version and :func:`package_fingerprint`."""
    return {"version": package_versions()["spacesim"], "sha256": package_fingerprint()}
