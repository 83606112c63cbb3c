"""Small experiment files for batch tests, written beside a copy of a shipped scenario."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from spacesim import shipped_scenario

SMALL = textwrap.dedent(
    """\
    schema_version: 1
    name: small
    description: Two levels of legal clarity, two policy variants, three replicates.
    scenario: teaching_small.yaml
    steps: 8
    replicates: 3
    seed: 42
    vary:
      grid:
        legal_clarity: [0.2, 0.8]
    variants:
      both: {}
      bilateral only: {allow_multilateral: false}
    outcomes: [n_bilateral, mean_trust, debris]
    chunk_size: 2
    """
)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder holding teaching_small.yaml and baseline.yaml copies."""
    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    shutil.copy(shipped_scenario("baseline"), tmp_path / "baseline.yaml")
    return tmp_path


@pytest.fixture
def small_experiment(workdir: Path) -> Path:
    """An experiment of 12 runs (2 grid points x 2 variants x 3 replicates) of 8 steps."""
    path = workdir / "small.yaml"
    path.write_text(SMALL)
    return path


ADAPTIVE = """\
schema_version: 1
name: adaptive
description: Three levels of legal clarity, two variants, replicates until mean trust is known to +-{target}.
scenario: teaching_small.yaml
steps: 12
replicates: {{target_halfwidth: {target}, outcome: mean_trust, min: 3, max: 8}}
seed: 42
vary:
  grid:
    legal_clarity: [0.0, 0.5, 1.0]
variants:
  both: {{}}
  bilateral only: {{allow_multilateral: false}}
outcomes: [n_bilateral, mean_trust]
chunk_size: 3
tables: []
plots: []
"""


@pytest.fixture
def adaptive_experiment(workdir: Path) -> Path:
    """Adaptive replication over three grid points and two variants (3 to 8 replicates each, 12 steps; the target is chosen so that the points need different numbers)."""
    path = workdir / "adaptive.yaml"
    path.write_text(ADAPTIVE.format(target=0.02))
    return path
