"""The ledger and the event log as column arrays written by compiled code (model/ledger.py): capacity growth never loses
or repeats a row, the tables built from the arrays are those of the run, and Python and compiled writers agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spacesim import SpaceModel, shipped_scenario
from spacesim.catalogue import EVENT_COUNTS, SCHEDULABLE
from spacesim.model import events
from spacesim.model.ledger import (
    E_ACTOR,
    E_COUNT,
    E_KIND,
    E_STEP,
    KIND,
    S_EVENTS,
    S_PARTNERSHIPS,
    S_REVISIONS,
    log_event,
    new_books,
    reserve,
)

TABLES = ("steps_frame", "nations_frame", "events_frame", "partnerships_frame", "revisions_frame")


class TinyBooks(SpaceModel):
    """Books that start with one row per table: every table grows many times during a run."""

    book_capacity = 1


def _tables(model: SpaceModel) -> dict[str, pd.DataFrame]:
    model.run()
    return {t: getattr(model, t)() for t in TABLES}


def test_growing_the_books_from_one_row_loses_and_repeats_nothing():
    spec = shipped_scenario("unstable_politics")  # government changes that end agreements and memberships, many events a step
    grown, roomy = _tables(TinyBooks(spec, rng=4, steps=60)), _tables(SpaceModel(spec, rng=4, steps=60))
    for name in TABLES:
        pd.testing.assert_frame_equal(grown[name], roomy[name], check_exact=True, obj=name)
    assert len(grown["events_frame"]) > 100 and len(grown["revisions_frame"]) > 100


def test_event_counts_of_every_step_are_its_rows():
    model = TinyBooks(shipped_scenario("unstable_politics"), rng=2, steps=40)
    steps, log = _tables(model)["steps_frame"], model.events_frame()
    for outcome, kind in EVENT_COUNTS.items():
        rows = log[log["kind"] == kind]
        per_step = rows.groupby("step").size() if kind != "collision" else None
        if per_step is not None:
            assert per_step.reindex(steps["step"], fill_value=0).tolist() == steps[outcome].tolist(), outcome
    books = model.keeper.books
    assert books.sizes[S_EVENTS] == len(log) and books.sizes[S_PARTNERSHIPS] == len(model.partnerships_frame())
    assert books.sizes[S_REVISIONS] == len(model.revisions_frame())


@settings(max_examples=30, deadline=None)
@given(capacity=st.integers(1, 5), batches=st.lists(st.integers(0, 9), min_size=1, max_size=12))
def test_reserve_then_write_keeps_every_row_in_order(capacity, batches):
    b = new_books(capacity)
    written = []
    for step, count in enumerate(batches):
        b.clock[0] = step
        b = reserve(b, 0, 0, count)
        for _ in range(count):
            actor = len(written)
            log_event(b, KIND["leak"], actor, 0, -1, False, 1, 0.0, -0.1)
            written.append((step, actor))
    rows = b.events[: b.sizes[S_EVENTS]]
    assert [(int(r[E_STEP]), int(r[E_ACTOR])) for r in rows] == written
    assert b.events.shape[0] >= len(written) and b.counts[KIND["leak"]] == len(written)
    assert (rows[:, E_KIND] == KIND["leak"]).all() and (rows[:, E_COUNT] == 1).all()


def test_a_handler_called_from_python_writes_the_row_the_compiled_step_would():
    """Shocks and scheduled events run the very compiled handler the step draws: same effect, same row."""
    a, b = SpaceModel(shipped_scenario("teaching_small"), rng=5), SpaceModel(shipped_scenario("teaching_small"), rng=5)
    a.trigger("cyber_attack", 0, 1)
    b.act(events.HANDLERS["cyber_attack"], 0, 1, -1, np.nan, False)
    pd.testing.assert_frame_equal(a.events_frame(), b.events_frame())
    np.testing.assert_array_equal(a.state.beta, b.state.beta)
    assert a.state.capability[1] < SpaceModel(shipped_scenario("teaching_small"), rng=5).state.capability[1]


def test_a_new_governments_reliability_is_settled_in_the_state_and_its_row():
    model = SpaceModel(shipped_scenario("teaching_small"), rng=1)
    before = model.state.reliability[2]
    model.trigger("government_change", 2)
    after = model.state.reliability[2]
    assert np.isfinite(after) and after != before and not np.isnan(model.state.reliability).any()
    row = model.events_frame().iloc[-1]
    assert row["kind"] == "government_change" and f"new reliability {after:.2f}" in row["effect"]


def test_every_schedulable_kind_has_a_compiled_handler_and_a_describer():
    assert set(events.HANDLERS) == set(SCHEDULABLE)
    for handler in events.HANDLERS.values():
        assert hasattr(handler, "py_func"), "handlers are compiled (numba dispatchers)"
    assert set(events.DESCRIBERS) == set(KIND)


def test_the_ledgers_columns_view_matches_its_table():
    model = SpaceModel(shipped_scenario("baseline"), rng=3, steps=30)
    model.run()
    columns, frame = model.ledger.columns, model.partnerships_frame()
    assert columns["partnership_id"] == frame["partnership_id"].tolist()
    assert columns["end_step"] == [None if pd.isna(v) else int(v) for v in frame["end_step"]]
    assert columns["party_b"] == [None if pd.isna(v) else v for v in frame["party_b"]]
    assert all(isinstance(v, float) for v in columns["depth"])


def test_bad_indices_are_refused_before_compiled_code_sees_them():
    """Compiled acts index without bounds checks: the Python entry points check, so that a wrong index never writes outside
    an array or into the ledger's last row."""
    model = SpaceModel(shipped_scenario("teaching_small"), rng=2)
    n, f_count = model.state.membership.shape
    beta = model.state.beta.copy()
    with pytest.raises(IndexError, match="actor 99 is not one of"):
        model.trigger("asat_test", 99)
    with pytest.raises(IndexError, match="framework"):
        model.trigger("withdrawal", 0, framework=f_count)
    with pytest.raises(IndexError):
        model.trigger("cyber_attack", 0, -1)
    i, j = np.argwhere(np.triu(model.state.tie_id < 0, 1))[0]
    with pytest.raises(ValueError, match="no agreement"):
        model.end_agreement(int(i), int(j), "policy")
    outsider, f = np.argwhere(~model.state.membership)[0]
    with pytest.raises(ValueError, match="not a member"):
        model.leave_framework(int(outsider), int(f), "policy")
    with pytest.raises(ValueError, match="the same nation"):
        model.form_agreement(1, 1, 0.5)
    np.testing.assert_array_equal(model.state.beta, beta)
    assert len(model.log) == len(SpaceModel(shipped_scenario("teaching_small"), rng=2).log)


def test_a_shock_between_steps_counts_in_the_step_its_log_row_names():
    """SpaceModel.trigger between steps records the current step again: the event's count lands in the row of the step
    its log row carries, never in the next step's, so the recorded counts equal the log's, step by step."""
    model = SpaceModel(shipped_scenario("teaching_small"), rng=3)
    model.run(3)
    asat_before = model.steps_frame()["n_asat_tests"].iloc[-1]
    model.trigger("asat_test", 0)
    assert model.events_frame().iloc[-1]["step"] == 3
    steps = model.steps_frame()
    assert len(steps) == 4 and steps["n_asat_tests"].iloc[-1] == asat_before + 1
    model.run(5)
    steps, log = model.steps_frame(), model.events_frame()
    for outcome, kind in EVENT_COUNTS.items():
        logged = log[log["kind"] == kind].groupby("step")["count"].sum() if "count" in log else log[log["kind"] == kind].groupby("step").size()
        recorded = steps.set_index("step")[outcome]
        assert (recorded.reindex(logged.index) == logged).all(), outcome
        assert recorded.sum() == logged.sum(), outcome
