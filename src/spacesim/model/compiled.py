"""Whether the model's compiled rules are in Numba's on-disk cache, so that the command line can say why a first run is silent for half a minute.

The rules' loops are compiled by Numba with ``cache=True``: the first run
on a machine (or after the code changed) compiles them, about 30 s, and
later runs load them from ``__pycache__`` in a second or two.
:func:`cold_functions` asks each compiled function's cache whether it holds
a compiled version for the current source; the command line prints a
one-line notice when most do not.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def compiled_functions() -> list[Any]:
    """Every Numba function of :mod:`spacesim.model` that caches its compiled code on disk."""
    from numba.core.caching import FunctionCache
    from numba.core.dispatcher import Dispatcher

    from .. import model

    found: dict[int, Any] = {}
    for info in pkgutil.walk_packages(model.__path__, f"{model.__name__}."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Dispatcher) and isinstance(getattr(value, "_cache", None), FunctionCache):
                found[id(value)] = value
    return list(found.values())


def cold_functions() -> list[str]:
    """The names of the compiled functions with nothing usable in the cache (missing, or written for another version of
    their source): they compile on first use.

    An empty list also when the cache cannot be inspected (Numba's cache
    index is not a public interface): no notice is then better than a wrong one.
    """
    try:
        return [f.py_func.__qualname__ for f in compiled_functions() if not f._cache._cache_file._load_index()]
    except Exception:  # noqa: BLE001 - an inspection of Numba's internals must never stop a run
        return []


def compile_notice(where: str = "") -> str | None:
    """The line to print before the model's first use when most of its rules will compile (the first run, or one after the rules changed), or ``None``.

    A few functions stay uncached after ordinary runs (those only rare
    events reach); compiling them takes a moment, not half a minute, so
    they alone bring no notice.
    """
    cold = cold_functions()
    total = len(compiled_functions()) if cold else 0
    if not cold or len(cold) * 2 <= total:
        return None
    return f"compiling the model's rules{where} on first use ({len(cold)} of {total} functions, about 30 s; later runs load them from the cache)..."
