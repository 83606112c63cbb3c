"""Numba's on-disk cache of the model's compiled code, kept valid across the model's files.

Numba keys a cached function on its own source file only, while the model's
kernels inline functions from other files (every formula of
:mod:`spacesim.model.equations`, the kernels the compiled step composes): a
change to a formula would leave the kernels that use it cached with the old
one. The locators here give every function of this package one source stamp,
a hash of all the package's source files (and of the declarations outside it
whose codes compiled code holds: the catalogue's event kinds, the schema's
domains), so that any change to the model's code recompiles all of it (once,
then it is cached again).

Importing this module (spacesim.model's ``__init__`` does, before any
kernel is defined) puts the locators first in numba's list.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba.core import caching

PACKAGE = Path(__file__).resolve().parent

#: Files outside the package whose declarations compiled code holds as constants: the event kinds' codes (the
#: catalogue's order) and the domains' codes (the schema's ``Domain``), which the compiled acts and handlers write.
DECLARATIONS: tuple[Path, ...] = (PACKAGE.parent / "catalogue.py", PACKAGE.parent / "scenario" / "schema.py")


def source_stamp(package: Path = PACKAGE) -> bytes:
    """A hash of every Python source file under ``package`` (their paths and contents), and of :data:`DECLARATIONS` for the model's package."""
    files = sorted(package.rglob("*.py"))
    if package == PACKAGE:
        files += [f for f in DECLARATIONS if f.exists()]
    return _hash(tuple((str(f.relative_to(package.parent)), f.stat().st_mtime_ns, f.stat().st_size) for f in files), str(package.parent))


@functools.lru_cache(maxsize=8)
def _hash(files: tuple[tuple[str, int, int], ...], root: str) -> bytes:  # (mtime, size) in the key: a file changed while running is hashed again
    digest = hashlib.sha256()
    for name, _, _ in files:
        digest.update(name.encode())
        digest.update((Path(root) / name).read_bytes())
    return digest.digest()


class _WholePackageStamp:
    """A locator for the functions of this package whose source stamp is the whole package's."""

    def get_source_stamp(self) -> bytes:
        return source_stamp()

    @classmethod
    def from_function(cls, py_func, py_file):  # noqa: ANN001, ANN206 - numba's interface
        if not Path(py_file).resolve().is_relative_to(PACKAGE):
            return None
        return super().from_function(py_func, py_file)


class UserProvidedLocator(_WholePackageStamp, caching.UserProvidedCacheLocator):
    """In ``NUMBA_CACHE_DIR`` when it is set."""


class InTreeLocator(_WholePackageStamp, caching.InTreeCacheLocator):
    """Beside the source, in ``__pycache__``, when it is writable."""


class UserWideLocator(_WholePackageStamp, caching.UserWideCacheLocator):
    """In the user's cache directory otherwise."""


LOCATORS = (UserProvidedLocator, InTreeLocator, UserWideLocator)
_classes = caching.CacheImpl._locator_classes
if _classes[: len(LOCATORS)] != list(LOCATORS):  # once per process
    _classes[:0] = LOCATORS
