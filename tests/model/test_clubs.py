"""Frameworks as clubs (docs/model.md 3.3.6; issue 15): consent, invitation, expected members, founding, opening at a step."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import numpy as np
import pytest

from spacesim import InputError, SpaceModel, parse_scenario
from spacesim.model import equations as eq
from spacesim.model.rules import frameworks, security

from . import reference as ref


def ns(**kw) -> SimpleNamespace:
    from spacesim.parameters import defaults

    return SimpleNamespace(**{**defaults(), **kw})


# ---------------------------------------------------------------- consent (equations.admitted_by_consent)


@pytest.mark.parametrize(
    ("votes", "members", "integration", "expected"),
    [
        (3, 3, 0.5, True),  # unanimity at high integration
        (2, 3, 0.5, False),  # one veto is enough
        (2, 3, 0.15, True),  # a majority at low integration
        (1, 2, 0.15, False),  # half is not a majority
        (1, 1, 0.15, True),  # a lone founder decides alone
        (0, 0, 0.15, False),  # nobody to consent
        (2, 2, 0.3, True),  # the threshold itself needs unanimity
        (1, 2, 0.3, False),
    ],
)
def test_admission_needs_unanimity_at_high_integration_and_a_majority_at_low(votes, members, integration, expected):
    assert eq.admitted_by_consent(votes, members, integration, 0.3) is expected


def test_expected_member_is_a_member_or_a_prospect():
    assert eq.expected_member(True, False, False, False, -1.0)
    assert eq.expected_member(False, True, True, True, 0.01)
    for args in [(False, True, True, True, 0.0), (False, False, True, True, 1.0), (False, True, False, True, 1.0), (False, True, True, False, 1.0)]:
        assert not eq.expected_member(*args)


def test_membership_value_of_the_expected_members_exceeds_that_of_today():
    p = ns().__dict__
    rec = np.array([tuple(p[name] for name in _record_names())], dtype=_record_dtype())[0]
    today = eq.membership_value(0.2, 0.2, 1.0, 0.3, 0.5, 0.15, rec)
    expected = eq.membership_value(0.2, 0.6, 1.0, 0.3, 0.5, 0.15, rec)
    assert expected > today
    # An outsider (nothing pooled for it yet) values the same pool more than a member does: its base is lower.
    assert eq.membership_value(0.0, 0.2, 0.8, 0.3, 0.5, 0.15, rec) == pytest.approx(today)


def _record_names():  # noqa: ANN202
    from spacesim.model.state import PARAMETER_RECORD

    return PARAMETER_RECORD.names


def _record_dtype():  # noqa: ANN202
    from spacesim.model.state import PARAMETER_RECORD

    return PARAMETER_RECORD


# ---------------------------------------------------------------- a scenario of one founder and its allies

CLUB = textwrap.dedent(
    """\
    schema_version: 1
    name: club
    description: A lead, a close ally, a wider friend and a rival, for the club rules.
    steps: 40
    seed: 1
    nations:
      - {name: Lead, code: LEAD, sovereignty: 0.4, capability: 1.0, threat_perception: 0.4, political_stability: 1.0, bloc: west}
      - {name: Ally, code: ALLY, sovereignty: 0.4, capability: 0.5, threat_perception: 0.4, political_stability: 1.0, bloc: west}
      - {name: Friend, code: FRND, sovereignty: 0.4, capability: 0.5, threat_perception: 0.4, political_stability: 1.0}
      - {name: Rival, code: RIVL, sovereignty: 0.4, capability: 0.5, threat_perception: 0.4, political_stability: 1.0, bloc: east}
    trust:
      default: 0.45
      same_bloc: 0.8
      between_blocs: [{blocs: [west, east], value: 0.1}]
    frameworks:
      - {name: Pledge, code: PLEDGE, members: [LEAD], lead: LEAD, integration: 0.15, open: false, founded_step: 2}
    """
)

QUIET = dict(asat_rate=0.0, cyber_rate=0.0, government_change_rate=0.0, collision_rate=0.0, leak_rate=0.0, defection_temptation=0.0, misperception=0.0)


def club(text: str = CLUB, **params) -> SpaceModel:
    return SpaceModel(parse_scenario(text, "club.yaml"), rng=0, **{**QUIET, **params})


def test_a_lone_founder_keeps_the_framework_it_expects_others_to_join():
    """The founder alone values the framework for the allies it expects (issue 15: it used to leave "not worth it" at once)."""
    model = club(membership_rate=1.0, invitation_rate=0.0)
    model.run(2)
    s = model.state
    assert s.membership[:, 0].tolist() == [True, False, False, False]
    k_eff, _, pooled, total = security.coverage(s, model.p)
    leavers, joiners, invitations = frameworks.decisions(s, model.p, s.trust, k_eff, total, pooled, np.random.default_rng(0))
    assert leavers == [] and joiners == [] and invitations == []  # closed, no invitation: nobody joins, and the founder stays
    # With nobody it could expect (it trusts nobody enough to invite), the founder leaves as not worth it.
    s.alpha[0, 1:] = 0.01
    leavers, _, _ = frameworks.decisions(s, model.p, s.trust, k_eff, total, pooled, np.random.default_rng(0))
    assert leavers == [(0, 0, "not worth it")]


def test_the_lead_invites_its_closest_ally_first_then_wider():
    """A closed framework grows by invitation, most trusted first: the ally, then the friend; the rival is never invited."""
    model = club(membership_rate=0.0, invitation_rate=1.0)
    joined: dict[str, int] = {}
    for _ in range(12):
        model.step()
        for i, code in enumerate(model.state.codes):
            if model.state.membership[i, 0] and code not in joined:
                joined[code] = model.steps
    assert joined["LEAD"] == 2 and joined["ALLY"] < joined["FRND"] and "RIVL" not in joined
    events = model.events_frame()
    invitations = events[events.kind == "invitation"]
    assert invitations.actor.tolist() == ["ALLY", "FRND"] and set(invitations.target) == {"LEAD"}


def test_a_closed_framework_that_opens_at_a_step_takes_applicants_from_then():
    text = CLUB.replace("open: false, founded_step: 2}", "open: false, founded_step: 2, opens_step: 6}")
    model = club(text, membership_rate=1.0, invitation_rate=0.0)
    model.run(5)
    assert model.state.membership[:, 0].sum() == 1 and not model.state.framework_open[0]
    model.run(1)
    assert model.state.framework_open[0] and model.state.membership[:, 0].sum() > 1
    events = model.events_frame()
    assert events[events.kind == "framework_opens"].step.tolist() == [6]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("lead: LEAD,", "lead: ALLY,", "frameworks[0].lead: the lead 'ALLY' is not one of the framework's members"),
        ("lead: LEAD,", "lead: NOPE,", "frameworks[0].lead: no nation with code 'NOPE'"),
        ("founded_step: 2}", "founded_step: 2, opens_step: 2}", "not after the founding step"),
        ("founded_step: 2}", "founded_step: 2, opens_step: 99}", "after the last step"),
        ("open: false,", "open: true, opens_step: 5,", "only a closed framework"),
    ],
)
def test_bad_club_fields_are_named(change, field, message):
    with pytest.raises(InputError) as err:
        parse_scenario(CLUB.replace(change, field), "club.yaml")
    assert message in str(err.value) and str(err.value).startswith("club.yaml:")
    assert "\n" not in str(err.value)  # one problem, reported once


def test_existing_scenarios_take_the_first_member_as_lead(tiny_model):
    assert tiny_model.state.framework_lead.tolist() == [0]


def test_the_acting_lead_passes_to_the_most_trusted_member_when_the_lead_leaves(tiny_model):
    s = tiny_model.state
    t = s.trust
    assert frameworks.acting_lead(s.membership, s.framework_lead, t, 0) == 0
    s.membership[0, 0] = False
    assert frameworks.acting_lead(s.membership, s.framework_lead, t, 0) == 1
    assert ref.lead(s, t).tolist() == [1]
