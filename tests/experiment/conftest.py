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
