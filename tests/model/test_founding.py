"""A framework founded during the run (FrameworkSpec.founded_step): empty and unjoinable before, its founders join on the step."""

from __future__ import annotations

import pytest

from spacesim import InputError, SpaceModel, parse_scenario

FOUNDED = "  - {name: Pact, code: PACT, members: [AAA, CCC], integration: 0.1, founded_step: 3}\n"


@pytest.fixture
def founded_spec(tiny_text):
    return parse_scenario(tiny_text + FOUNDED, "tiny.yaml")


def test_nobody_belongs_before_the_founding_step_and_the_founders_join_on_it(founded_spec, quiet_params):
    model = SpaceModel(founded_spec, **quiet_params)
    s = model.state
    pact = s.framework_index["PACT"]
    assert not s.membership[:, pact].any() and s.membership[:, s.framework_index["CLUB"]].sum() == 2
    model.step()
    model.step()
    assert not s.membership[:, pact].any()  # nobody can join a framework before it exists (it has no members)
    model.step()
    assert sorted(s.codes[i] for i in s.membership[:, pact].nonzero()[0]) == ["AAA", "CCC"]
    events = model.events_frame()
    founded = events[events.kind == "framework_founded"]
    assert list(founded.step) == [3] and list(founded.framework) == ["PACT"]
    assert "founded by 2 nations: Alpha, Gamma" in founded.iloc[0].narrative
    joins = events[(events.kind == "accession") & (events.framework == "PACT") & (events.step == 3)]
    assert sorted(joins.actor) == ["AAA", "CCC"]
    ledger = model.partnerships_frame()
    rows = ledger[(ledger.kind == "membership") & (ledger.framework == "PACT")]
    assert sorted(rows.party_a) == ["AAA", "CCC"] and set(rows.start_step) == {3}


def test_a_founding_needs_founders_and_must_fall_inside_the_run(tiny_text):
    with pytest.raises(InputError) as info:
        parse_scenario(tiny_text + "  - {name: Pact, code: PACT, members: [], integration: 0.1, founded_step: 3}\n", "t.yaml")
    assert any("frameworks[1].members: a framework founded during the run needs its founding members" in str(p) for p in info.value.problems)
    with pytest.raises(InputError) as info:
        parse_scenario(tiny_text + FOUNDED.replace("founded_step: 3", "founded_step: 11"), "t.yaml")
    assert any("frameworks[1].founded_step: step 11 is after the last step (10)" in str(p) for p in info.value.problems)
    with pytest.raises(InputError) as info:
        parse_scenario(tiny_text + FOUNDED.replace("founded_step: 3", "founded_step: 0"), "t.yaml")
    assert any("frameworks[1].founded_step" in str(p) for p in info.value.problems)
