"""Observed history shipped as data: every file parses, cites its sources, matches the published totals."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from spacesim import InputError, load_scenario
from spacesim.scenario.history import (
    HISTORY_DIR,
    AccessionHistory,
    VoteHistory,
    asat_tests,
    date_to_step,
    framework_accessions,
    history_from_data,
    load_history,
    membership_counts,
    shipped_histories,
    step_start,
    votes,
)
from spacesim.scenario.library import shipped_scenarios
from spacesim.scenario.yamlfile import parse_yaml

NAMES = {"artemis_accords", "da_asat_pledge", "unga_77_41", "asat_tests"}


def test_every_shipped_history_parses_and_is_linked_at_the_top_level():
    assert set(shipped_histories()) == NAMES
    assert (HISTORY_DIR.parent.parent.parent / "history").resolve() == HISTORY_DIR.resolve()
    for name in NAMES:
        history = load_history(name)
        assert history.spec.name == name


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_row_cites_a_source_with_publisher_and_title(name):
    history = load_history(name)
    frame = history.frame()
    assert frame["source"].notna().all() and (frame["source"].str.len() > 0).all()
    assert frame["citation"].str.len().min() > 0
    for source in history.spec.sources.values():
        assert source.publisher.strip() and source.title.strip()


@pytest.mark.parametrize("name", sorted(NAMES))
def test_an_unknown_date_is_marked_uncertain_and_explained(name):
    for row in load_history(name).spec.rows:
        if getattr(row, "date", "n/a") is None:
            assert row.uncertain and row.note.strip()


def test_artemis_accords_have_59_signatories_by_late_october_2025_with_the_founders_of_13_october_2020():
    accessions = framework_accessions("artemis_accords")
    assert len(accessions) == 59 and accessions["nation"].is_unique
    founders = framework_accessions("artemis_accords", until=datetime.date(2020, 10, 13))
    assert set(founders.nation) == {"AUS", "CAN", "ITA", "JPN", "LUX", "ARE", "GBR", "USA"}
    assert accessions["date"].max() <= pd.Timestamp("2025-10-31")
    assert accessions["date"].notna().all()  # every signing date was found


def test_da_asat_pledge_has_37_states_by_october_2023_starting_with_the_united_states():
    accessions = framework_accessions("da_asat_pledge")
    assert len(accessions) == 37
    first = accessions.iloc[0]
    assert first.nation == "USA" and first.date == pd.Timestamp("2022-04-18")
    undated = accessions[accessions["date"].isna()]
    assert undated["not_after"].notna().all()  # each unknown day is at least bounded
    assert (undated["not_after"] <= pd.Timestamp("2023-10-31")).all()


def test_unga_77_41_lists_the_nine_no_votes_and_nine_abstentions_and_says_the_yes_votes_are_missing():
    history = load_history("unga_77_41")
    assert isinstance(history.spec, VoteHistory) and not history.spec.complete
    assert "155" in history.spec.missing
    counts = votes()["vote"].value_counts().to_dict()
    assert counts == {"no": 9, "abstain": 9}
    assert history.spec.totals == {"yes": 155, "no": 9, "abstain": 9}
    frame = votes()
    assert set(frame[frame.vote == "no"].nation) >= {"CHN", "RUS"} and "IND" in set(frame[frame.vote == "abstain"].nation)


def test_asat_tests_are_the_five_of_the_facts_file():
    tests = asat_tests()
    assert list(zip(tests.year, tests.actor)) == [(1985, "USA"), (2007, "CHN"), (2008, "USA"), (2019, "IND"), (2021, "RUS")]
    assert (tests["date"].dt.year == tests["year"]).all()


def test_dates_map_to_steps_of_a_quarterly_run():
    assert date_to_step(datetime.date(2020, 1, 1), 2020) == 1
    assert date_to_step(datetime.date(2020, 3, 31), 2020) == 1
    assert date_to_step(datetime.date(2020, 10, 13), 2020) == 4
    assert date_to_step(datetime.date(2022, 4, 18), 2020) == 10
    assert date_to_step(datetime.date(2025, 10, 31), 2020) == 24
    assert date_to_step(datetime.date(2019, 12, 31), 2020) == 0
    assert date_to_step(datetime.date(2021, 6, 1), 2020, "year") == 2
    assert date_to_step(datetime.date(2020, 2, 1), 2020, "month") == 2
    for step in range(1, 30):
        assert date_to_step(step_start(step, 2020), 2020) == step
    with pytest.raises(ValueError, match="no calendar"):
        date_to_step(datetime.date(2020, 1, 1), 2020, "tick")


def test_membership_counts_rise_to_the_observed_totals():
    counts = membership_counts("artemis_accords", 2020, 24)
    assert list(counts.step) == list(range(25))
    assert counts.members.is_monotonic_increasing
    assert counts.members.iloc[3] == 0 and counts.members.iloc[4] == 9  # 8 founders and Ukraine in 2020 Q4
    assert counts.members.iloc[-1] == 59
    pledge = membership_counts("da_asat_pledge", 2020, 24)
    assert pledge.members.iloc[9] == 0 and pledge.members.iloc[10] == 2  # the United States and Canada in 2022 Q2
    assert pledge.members.iloc[-1] == 11  # dated rows only
    assert membership_counts("da_asat_pledge", 2020, 24, undated="not_after").members.iloc[-1] == 37


def test_nations_keeps_only_a_scenarios_codes():
    assert list(framework_accessions("artemis_accords", nations={"USA", "IND", "XXX"}).nation) == ["USA", "IND"]


# ------------------------------------------------------------------ bad files
GOOD = """\
schema_version: 1
name: toy
kind: accessions
title: Toy
description: A toy framework.
framework: TOY
opened: 2020-01-01
as_of: 2021-01-01
totals: {members: 2}
totals_source: s
sources:
  s: {publisher: P, title: T}
rows:
  - {nation: AAA, name: A, date: 2020-01-01, source: s}
  - {nation: BBB, name: B, date: 2020-06-01, source: s}
"""


def problems(text: str) -> list[str]:
    data, lines = parse_yaml(text, "h.yaml")
    with pytest.raises(InputError) as info:
        history_from_data(data, "h.yaml", lines)
    return [str(p) for p in info.value.problems]


def test_a_good_toy_file_validates():
    data, lines = parse_yaml(GOOD, "h.yaml")
    assert isinstance(history_from_data(data, "h.yaml", lines), AccessionHistory)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("date: 2020-06-01, source: s", "date: null, source: s", "h.yaml:15: rows[1]: Value error, a row without a date must be marked uncertain"),
        ("date: 2020-06-01, source: s", "date: 2020-06-01, source: t", "h.yaml:15: rows[1].source: no source 't' in sources"),
        ("date: 2020-06-01", "date: 2022-06-01", "h.yaml:15: rows[1].date: 2022-06-01 is after as_of (2021-01-01)"),
        ("date: 2020-06-01", "date: 2019-06-01", "h.yaml:15: rows[1].date: 2019-06-01 is before the framework opened (2020-01-01)"),
        ("nation: BBB", "nation: AAA", "h.yaml:15: rows[1].nation: 'AAA' is listed twice"),
        (
            "date: 2020-06-01, source: s",
            "date: null, not_after: 2022-01-01, uncertain: true, note: unknown, source: s",
            "h.yaml:15: rows[1].not_after: 2022-01-01 is after as_of (2021-01-01)",
        ),
        (
            "date: 2020-06-01, source: s",
            "date: 2020-06-01, not_before: 2020-07-01, source: s",
            "h.yaml:15: rows[1]: Value error, not_before/date/not_after are out of order",
        ),
        ("members: 2", "members: 3", "h.yaml:9: totals.members: the file is complete but has 2 rows for members, not 3"),
        ("{publisher: P, title: T}", "{publisher: P}", "h.yaml:12: sources.s.title: required field is missing"),
        ("kind: accessions", "kind: treaty", "h.yaml:3: kind: must be one of accessions, votes, asat_tests (got 'treaty')"),
        ("name: B,", "name: B, colour: red,", "h.yaml:15: rows[1].colour: unknown field"),
    ],
)
def test_bad_files_name_file_line_row_and_field(old, new, expected):
    assert old in GOOD
    found = problems(GOOD.replace(old, new))
    assert any(p.startswith(expected) for p in found), found


def test_bare_yes_and_no_keys_get_a_hint():
    (msg,) = problems(GOOD.replace("totals: {members: 2}", "totals: {yes: 2}"))
    assert 'write "yes" and "no" in quotes' in msg


def test_an_unknown_shipped_name_is_an_input_error():
    with pytest.raises(InputError, match="no shipped history 'artemis'"):
        load_history("artemis")


# ------------------------------------------------------------------ scenarios that use the history
def test_nation_codes_of_the_history_exist_in_the_scenarios_that_use_it():
    """A scenario with a framework of a history file's code uses the same nation codes for the same states."""
    users = 0
    for path in shipped_scenarios().values():
        spec = load_scenario(path)
        codes = {n.code for n in spec.nations}
        for name in ("artemis_accords", "da_asat_pledge"):
            history = load_history(name)
            framework = next((f for f in spec.frameworks if f.code == history.spec.framework), None)
            if framework is None or spec.name not in ("baseline", "history_2020"):
                continue
            users += 1
            observed = {r.nation for r in history.spec.rows}
            assert set(framework.members) <= observed, f"{path.name}: {framework.code} members not in {name}: {set(framework.members) - observed}"
            if spec.name == "history_2020":
                assert observed <= codes, f"{path.name}: observed members of {name} missing from the scenario: {sorted(observed - codes)}"
    assert users >= 1


def test_spacesim_validate_checks_history_files(tmp_path, capsys):
    from spacesim.cli import main

    assert main(["validate", *(str(p) for p in shipped_histories().values())]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("date: 2020-06-01, source: s", "date: 2020-06-01, source: nowhere"))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:15: rows[1].source: no source 'nowhere' in sources" in err and "Traceback" not in err
