"""Shared fixtures: small hand-written scenarios and a way to build models from them."""

from __future__ import annotations

import textwrap

import pytest

from spacesim import SpaceModel, parse_scenario

TINY = textwrap.dedent(
    """\
    schema_version: 1
    name: tiny
    description: Three nations for rule tests.
    steps: 10
    seed: 1
    initial_debris: 10000
    nations:
      - {name: Alpha, code: AAA, sovereignty: 0.5, capability: 1.0, threat_perception: 0.0, political_stability: 1.0, bloc: west}
      - {name: Beta, code: BBB, sovereignty: 0.5, capability: 1.0, threat_perception: 0.0, political_stability: 1.0, bloc: west}
      - {name: Gamma, code: CCC, sovereignty: 0.5, capability: 0.5, threat_perception: 0.0, political_stability: 1.0, bloc: east, counterspace: 1.0}
    trust:
      default: 0.5
      same_bloc: 0.675
    frameworks:
      - {name: Club, code: CLUB, members: [AAA, BBB], integration: 1.0, domain: joint_command}
    """
)


@pytest.fixture
def tiny_text() -> str:
    """YAML text of a three-nation scenario."""
    return TINY


@pytest.fixture
def tiny_spec():
    """The three-nation scenario, validated."""
    return parse_scenario(TINY, "tiny.yaml")


@pytest.fixture
def quiet_params() -> dict:
    """Overrides that switch off every random event, so rules can be tested alone."""
    return dict(
        asat_rate=0.0,
        cyber_rate=0.0,
        government_change_rate=0.0,
        collision_rate=0.0,
        leak_rate=0.0,
        defection_temptation=0.0,
        misperception=0.0,
    )


@pytest.fixture
def tiny_model(tiny_spec, quiet_params):
    """A model of the tiny scenario with no random events."""
    return SpaceModel(tiny_spec, rng=0, **quiet_params)
