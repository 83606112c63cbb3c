"""Imports run one way: parameters/catalogue -> scenario -> model -> output -> experiment -> analysis/calibration -> viz -> cli.

A walk over every module's syntax tree finds each import of spacesim, at the
top of a module or inside a function (a lazy import is still an import), as
well as ``importlib.import_module("spacesim....")`` with a literal name, and
refuses any that points to a higher layer.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import spacesim

PACKAGE = Path(spacesim.__file__).parent

#: Each top-level module or sub-package of spacesim and its layer; a module may import its own layer and those below.
LAYERS = {
    "parameters": 0,
    "catalogue": 0,
    "stats": 0,  # the t-interval and the paired bootstrap on scipy.stats: imports nothing of spacesim
    "scenario": 1,
    "model": 2,
    "output": 3,
    "experiment": 4,
    "analysis": 5,
    "calibration": 5,
    "viz": 6,
    "cli": 7,
    "__main__": 7,
}
#: Not layers: the package's face for notebooks (``spacesim/__init__.py`` re-exports from below, lazily) and data folders.
FACE = "spacesim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    where = PACKAGE.parent.joinpath(*name.split("."))
    return where.with_suffix(".py").exists() or (where / "__init__.py").exists()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every spacesim module ``path`` imports, with the line.

    ``import``, ``from ... import`` (relative ones resolved), and
    ``importlib.import_module`` of a literal name.
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from . import x`` and ``from ..analysis import comparison`` may name a module: count it as the module when it is one
            found += [(node.lineno, f"{target}.{a.name}" if _is_module(f"{target}.{a.name}") else target) for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                found.append((node.lineno, str(node.args[0].value)))
    return sorted({(line, target) for line, target in found if target == FACE or target.startswith(FACE + ".")})


def layer_of(module: str) -> int | None:
    """The layer of a spacesim module name (``None`` for the package's face)."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    assert parts[1] in LAYERS, f"{module}: a module in no layer; add {parts[1]!r} to LAYERS in {__file__}"
    return LAYERS[parts[1]]


def upward_imports() -> list[str]:
    """Each import that points to a higher layer, as ``module:line -> target``."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        here = layer_of(module)
        if here is None:
            continue
        for line, target in imports_of(path):
            there = layer_of(target)
            if there is None:  # the face: only its version, and only from the top
                if here < LAYERS["cli"]:
                    wrong.append(f"{module}:{line} -> {target} (the package's face)")
            elif there > here:
                wrong.append(f"{module}:{line} -> {target}")
    return wrong


def test_no_module_imports_a_higher_layer() -> None:
    assert upward_imports() == []


def test_the_walk_sees_lazy_relative_and_named_imports() -> None:
    """The walk is not vacuous: it finds imports at the top, inside functions, relative ones, and import_module with a name."""
    edges = {target for path in PACKAGE.rglob("*.py") for _, target in imports_of(path)}
    assert "spacesim.experiment.store" in edges  # batch.py: from .store import BatchStore
    assert "spacesim.output.provenance" in edges  # the Dask task's importlib.import_module("spacesim.output.provenance")
    cli = {target for _, target in imports_of(PACKAGE / "cli.py")}
    assert "spacesim.analysis.postrun" in cli  # imported inside a function
    assert len(edges) > 60


def test_an_upward_import_inside_a_function_is_caught(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "spacesim"
    (fake / "experiment").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "experiment" / "__init__.py").write_text("")
    (fake / "experiment" / "engine.py").write_text("def run():\n    from ..analysis.plots import draw\n    return draw\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert upward_imports() == ["spacesim.experiment.engine:2 -> spacesim.analysis.plots"]
