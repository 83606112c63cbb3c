"""Each event kind's values are declared once (the catalogue's ``values``): what its compiled writer puts in the log row's
value columns is what its describer reads back by name, and its sentence finds every value it names."""

from __future__ import annotations

import string

import numpy as np
import pytest

from spacesim import SpaceModel, shipped_scenario
from spacesim.catalogue import EVENTS, SCHEDULABLE
from spacesim.model import events
from spacesim.model.ledger import E_DEBRIS, E_KIND, E_TRUST, E_VALUES, KINDS, S_EVENTS, VALUE, VALUE_COLUMNS, value_columns

#: What the log's rows give every sentence besides the kind's values (EventLog._row): the row's nations and framework.
ROW_NAMES = ("others", "name", "code", "possessive", "target_name", "target_code", "target_possessive", "framework_name", "framework_code")


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def _described(model: SpaceModel, first: int = 0) -> list[tuple[str, np.ndarray, dict]]:
    """Each logged row from ``first`` on: its kind, the row, and what its describer reads from it."""
    rows = model.keeper.rows(S_EVENTS)
    out = []
    for row in rows[first:]:
        kind = KINDS[int(row[E_KIND])]
        names = {"target_name": "the lead"} if kind == "invitation" else {}
        out.append((kind, row, events.DESCRIBERS[kind](row, names)))
    return out


def _check_row(kind: str, row: np.ndarray, described: dict) -> None:
    declared = EVENTS[kind].values
    # The describer reads exactly the declared values, by name and type, from the columns the declaration gives them ...
    assert list(described)[: len(declared)] == list(declared)
    for name, cast in declared.items():
        assert type(described[name]) is cast
        assert described[name] == cast(row[VALUE[kind][name]]) or np.isnan(described[name])
    # ... and adds only text derived from them (no number read by position).
    assert all(isinstance(described[k], str) for k in described if k not in declared)
    # The writer writes nothing beyond the declared columns.
    assert (row[E_VALUES + len(declared) :] == 0).all(), f"{kind} writes more values than the catalogue declares"


def _arguments(model: SpaceModel, kind: str) -> dict[str, int]:
    member = int(np.flatnonzero(model.state.membership[:, 0])[0])
    given = {"actor": member if kind == "withdrawal" else 3, "target": 1, "framework": 0}
    return {field: given[field] for field in SCHEDULABLE[kind]}


@pytest.mark.parametrize("kind", sorted(SCHEDULABLE))
def test_a_triggered_kind_writes_the_values_its_describer_names(kind):
    model = SpaceModel(shipped_scenario("teaching_small"), rng=7, steps=3)
    model.run(1)
    first = len(model.log)
    events.happen(model, kind, **_arguments(model, kind))
    logged = [(k, row, d) for k, row, d in _described(model, first) if k == kind]
    assert logged, f"triggering {kind} logged no {kind} row"
    kind_, row, values = logged[0]
    _check_row(kind_, row, values)
    frame = model.events_frame().iloc[first:]
    assert not frame["narrative"].str.contains("[{}]").any() and not frame["effect"].str.contains("[{}]").any()
    # What each value means, checked against the state where the row records it too (a swapped pair would fail).
    if kind == "asat_test":
        assert values["pieces"] == row[E_DEBRIS] == model.p.asat_debris > 0  # the default debris
        assert values["drop"] == -row[E_TRUST] > 0 and 0 <= values["fearful"] < model.state.n
    elif kind == "cyber_attack":
        assert values["victim_drop"] == -row[E_TRUST] > 0 and values["drop"] > 0 and values["drop"] != values["victim_drop"]
        assert values["loss"] == model.p.cyber_capability_loss
    elif kind == "leak":
        assert values["drop"] == -row[E_TRUST] > 0
    elif kind == "government_change":
        assert values["reliability"] == model.state.reliability[3] and 0 < values["uniform"] < 1
        assert values["ended"] == values["left"] == 0 and values["shift"] != 0
    elif kind == "withdrawal":
        assert values["members"] == int(model.state.membership[:, 0].sum()) and values["why"]
    elif kind == "framework_opens":
        assert values == {} and bool(model.state.framework_open[0])


def test_every_logged_row_reads_exactly_its_declared_values_and_its_sentence_finds_each_name():
    """Every kind, however it comes about (the step's random events, the model's acts, the past, a founding)."""
    seen: dict[str, set[str]] = {}
    for name in ("asat_shock", "history_2020"):
        model = SpaceModel(shipped_scenario(name), rng=0)
        model.run()
        events.happen(model, "framework_opens", framework=0)
        notes = {r: set(note) for r, note in model.keeper.notes.items()}  # a founding's founders (not numbers)
        for r, (kind, row, values) in enumerate(_described(model)):
            _check_row(kind, row, values)
            seen.setdefault(kind, set()).update(values, notes.get(r, ()))
        frame = model.events_frame()
        assert not frame["narrative"].str.contains("[{}]").any() and not frame["effect"].str.contains("[{}]").any()
    assert set(seen) == set(EVENTS), f"kinds no run logged: {sorted(set(EVENTS) - set(seen))}"
    for kind, provided in seen.items():
        entry = EVENTS[kind]
        named = _placeholders(entry.narrative) | _placeholders(entry.effect)
        assert not named - provided - set(ROW_NAMES), f"{kind}'s sentence names values its row does not give"


def test_the_value_columns_derive_from_the_declarations():
    assert max(len(e.values) for e in EVENTS.values()) == VALUE_COLUMNS
    declared = list(EVENTS["government_change"].values)
    assert events.GC_RELIABILITY == E_VALUES + declared.index("reliability")
    assert events.GC_UNIFORM == E_VALUES + declared.index("uniform")
    assert value_columns("asat_test", "fearful", "pieces", "drop") == (E_VALUES + 2, E_VALUES, E_VALUES + 1)
    with pytest.raises(ValueError, match="catalogue declares"):
        value_columns("asat_test", "pieces", "drop")  # a writer that forgets a declared value fails on import
