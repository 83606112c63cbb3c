"""Every formula is one compiled function, named in docs/model.md and callable from Python and from compiled code."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from numba import njit

from spacesim.model import equations

DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"
FUNCTIONS = sorted(name for name, f in vars(equations).items() if hasattr(f, "py_func"))


def test_every_equation_is_named_in_the_doc_and_every_name_in_the_doc_exists():
    details = DOC.read_text(encoding="utf-8").split("## 3 Details", 1)[1].split("## 4 Parameters", 1)[0]  # 3.1 initialisation and 3.3 submodels
    named = set(re.findall(r"equations\.([a-z_]+)\b", details)) - {"py"}
    assert named == set(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_equation_is_compiled_and_states_its_formula(name):
    f = getattr(equations, name)
    assert f.py_func.__doc__ and ("(3.3" in f.py_func.__doc__ or "(3.1" in f.py_func.__doc__) or name == "probability", f"{name}: the docstring names its section of docs/model.md"


def test_equations_agree_with_their_python_source():
    """Compiled and interpreted, each formula gives the same number (the compiled one is what the kernels inline)."""
    for name, args in {
        "sharing_depth": (0.9, 0.6, 0.35),
        "security": (1.7, 3.0),
        "gain_of_adding": (1.2, 0.4, 3.0),
        "leak_probability": (0.5, 0.3, 0.01, 0.5, 0.5),
        "defection_pays_chance": (0.9, 0.03, 0.006),
        "detection_chance": (0.5, 0.3),
        "hearsay": (1.2, 34, 0.2),
        "shadow_of_future": (0.7, 0.95, 0.08),
        "required_trust": (0.5, 0.35, 0.5),
        "moved_threat": (0.3, -0.1, 0.5, 0.9),
        "next_debris": (30_000.0, 2, 100.0, 0.005, 500.0),
    }.items():
        f = getattr(equations, name)
        assert f(*args) == f.py_func(*args)


def test_equations_compose_inside_compiled_code():
    @njit
    def depths(t):  # noqa: ANN001, ANN202
        out = np.empty_like(t)
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                out[i, j] = equations.sharing_depth(t[i, j], t[j, i], 0.5)
        return out

    t = np.array([[1.0, 0.9], [0.6, 1.0]])
    assert depths(t).round(2).tolist() == [[1.0, 0.2], [0.2, 1.0]]
