"""docs/model.md must describe the model the code runs.

The parameter table and the outcome tables are checked against the single
declarations in code (``PARAMETERS``, ``STEP_OUTCOMES``, ``NATION_OUTCOMES``),
so a rule or default changed without its documentation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spacesim.model.metrics import NATION_OUTCOMES, STEP_OUTCOMES
from spacesim.parameters import PARAMETERS

MODEL_DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"

PARAMETER_ROW = re.compile(r"^\| (\d+) \| `([a-z_0-9]+)` \| (rule|policy) \| ([^|]+?) \|", re.MULTILINE)
OUTCOME_ROW = re.compile(r"^\| `([a-z_0-9]+)` \|", re.MULTILINE)


def _doc() -> str:
    return MODEL_DOC.read_text(encoding="utf-8")


def _formatted(default: object) -> str:
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, float | int):
        return f"{default:g}"
    return str(default)


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n#", start + len(heading))
    return text[start : following if following >= 0 else len(text)]


def test_parameter_table_lists_every_parameter_once_with_its_group_and_default() -> None:
    rows = PARAMETER_ROW.findall(_doc())
    documented = {name: (group, default.strip()) for _, name, group, default in rows}
    assert len(rows) == len(documented), "a parameter is listed twice in docs/model.md"
    declared = {p.name: (p.group, _formatted(p.default)) for p in PARAMETERS}
    assert documented == declared


@pytest.mark.parametrize(
    ("heading", "names"),
    [
        ("### 5.1 Per-step outcomes", tuple(STEP_OUTCOMES)),
        ("### 5.2 Per-nation outcomes", tuple(NATION_OUTCOMES)),
    ],
)
def test_outcome_tables_list_exactly_the_recorded_outcomes(heading: str, names: tuple[str, ...]) -> None:
    documented = OUTCOME_ROW.findall(_section(_doc(), heading))
    assert documented == list(names)


def test_every_parameter_is_discussed_in_a_submodel_or_the_table_meaning() -> None:
    """Each parameter's name appears outside the parameter table too (an equation or text uses it)."""
    text = _doc()
    table = _section(text, "## 4 Parameters")
    body = text.replace(table, "")
    missing = [p.name for p in PARAMETERS if f"`{p.name}`" not in body and p.name not in body]
    assert missing == []
