"""The catalogue is the one declaration of event kinds and outcomes: the schema, the handlers, the docs' tables and the recorded columns agree with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spacesim import SpaceModel, shipped_scenario
from spacesim.catalogue import (
    COUNT_OUTCOMES,
    EVENT_COUNTS,
    EVENT_KINDS,
    EVENTS,
    NATION_COUNTS,
    NATION_OUTCOME_DEFS,
    NATION_OUTCOMES,
    PER_STEP_COUNTS,
    SCHEDULABLE,
    STEP_OUTCOME_DEFS,
    STEP_OUTCOMES,
    events_table,
    outcomes_table,
)
from spacesim.model.events import HANDLERS
from spacesim.model.ledger import COUNTED_KINDS
from spacesim.model.metrics import Recorder
from spacesim.output.outcomes import outcome_columns
from spacesim.scenario.schema import EVENT_FIELDS, EventKind

DOC = (Path(__file__).resolve().parents[2] / "docs" / "model.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run() -> SpaceModel:
    model = SpaceModel(shipped_scenario("unstable_politics"), rng=2, steps=40)
    model.run()
    return model


def test_schema_derives_its_event_kinds_and_fields_from_the_catalogue():
    assert [k.value for k in EventKind] == list(SCHEDULABLE)
    assert {k.value: v for k, v in EVENT_FIELDS.items()} == SCHEDULABLE


def test_every_schedulable_kind_has_a_handler_and_no_handler_is_undeclared():
    assert set(HANDLERS) == set(SCHEDULABLE)


def test_counted_kinds_and_their_outcomes():
    assert COUNTED_KINDS == tuple(e.kind for e in EVENT_KINDS if e.count)
    for outcome, kind in EVENT_COUNTS.items():
        assert outcome in STEP_OUTCOMES and outcome in COUNT_OUTCOMES and outcome in PER_STEP_COUNTS
        assert STEP_OUTCOMES[outcome] == EVENTS[kind].count_meaning


def test_every_schedulable_kind_acts_through_its_handler_and_logs_its_sentence():
    model = SpaceModel(shipped_scenario("teaching_small"), rng=1)
    s = model.state
    member = int(np.flatnonzero(s.membership[:, 0])[0])
    where = {"actor": member, "target": (member + 1) % s.n, "framework": 0}
    for kind, fields in SCHEDULABLE.items():
        before = len(model.events_frame())
        model.trigger(kind, **{f: where[f] for f in fields})
        logged = model.events_frame().iloc[before:]
        assert kind in set(logged["kind"]), kind
        assert logged["narrative"].str.startswith("step 0: ").all()


def test_docs_show_the_catalogues_tables():
    assert events_table() in DOC, "docs/model.md 3.3.15: paste the table `python -m spacesim.catalogue` prints"
    assert outcomes_table(STEP_OUTCOME_DEFS) in DOC.split("### 5.1", 1)[1].split("### 5.2", 1)[0]
    assert outcomes_table(NATION_OUTCOME_DEFS) in DOC.split("### 5.2", 1)[1].split("### 5.3", 1)[0]


def test_recorded_columns_are_the_catalogues(run):
    steps, nations = run.steps_frame(), run.nations_frame()
    assert list(steps.columns) == ["step", *STEP_OUTCOMES] == list(Recorder.columns)
    assert list(nations.columns) == ["step", "nation", "bloc", *NATION_OUTCOMES]
    for name in STEP_OUTCOMES:
        assert steps[name].dtype == (np.int64 if name in COUNT_OUTCOMES else np.float64), name
    for name in NATION_OUTCOMES:
        assert nations[name].dtype == (np.int64 if name in NATION_COUNTS else np.float64), name
    assert not steps.drop(columns=["trust_within_blocs", "trust_between_blocs", "bilateral_share"]).isna().any().any(), "every outcome is written each step"
    assert outcome_columns() == [f"final_{k}" for k in STEP_OUTCOMES] + [f"total_{k}" for k in PER_STEP_COUNTS]


def test_event_counts_are_the_logs_rows(run):
    steps, events = run.steps_frame(), run.events_frame()
    for outcome, kind in EVENT_COUNTS.items():
        rows = events[events["kind"] == kind]
        if kind == "collision":  # one row a step, carrying the number of collisions
            logged = rows.groupby("step").size().reindex(steps["step"], fill_value=0)
            assert (logged.to_numpy() <= steps[outcome].to_numpy()).all() and (logged.to_numpy() > 0).sum() == (steps[outcome] > 0).sum()
        else:
            logged = rows.groupby("step").size().reindex(steps["step"], fill_value=0)
            assert logged.tolist() == steps[outcome].tolist(), outcome
    assert steps["n_government_changes"].sum() > 0 and steps["n_withdrawals"].sum() > 0


def test_mesa_datacollector_serves_every_outcome(run):
    collected = run.datacollector.get_model_vars_dataframe()
    steps = run.steps_frame()
    assert list(collected.columns) == list(STEP_OUTCOMES)
    pd.testing.assert_frame_equal(collected.reset_index(drop=True), steps[list(STEP_OUTCOMES)].reset_index(drop=True), check_dtype=False)


def test_dashboard_shocks_are_the_catalogues_buttons():
    from spacesim.viz.shocks import SHOCKS

    assert [(s.kind.value, s.button, s.needs_target) for s in SHOCKS] == [(e.kind, e.shock.button, e.shock.needs_target) for e in EVENT_KINDS if e.shock]


def test_validating_a_file_does_not_load_the_model():
    """Reading and validating scenario and experiment files needs neither numba nor the model's compiled rules."""
    code = (
        "import sys\n"
        "from spacesim.cli import main\n"
        "from spacesim.scenario.library import shipped_scenario\n"
        "status = main(['validate', str(shipped_scenario('baseline')), 'experiments/baseline.yaml'])\n"
        "loaded = sorted(m for m in sys.modules if m == 'numba' or m.startswith(('numba.', 'spacesim.model')))\n"
        "print(status, loaded)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []", out.stdout + out.stderr
