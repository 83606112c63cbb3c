"""Everyday commands as a user types them (issue 18): default folders, export, retry, compare of two runs, helpful messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from spacesim import shipped_scenarios
from spacesim.cli import main

TEACHING = str(shipped_scenarios()["teaching_small"])

TWO_VARIANTS = textwrap.dedent(
    """\
    schema_version: 1
    name: two
    description: Two variants, two replicates, a few steps.
    scenario: teaching_small.yaml
    steps: 4
    replicates: 2
    seed: 7
    variants:
      both: {}
      bilateral only: {allow_multilateral: false}
    outcomes: [n_bilateral, mean_trust]
    tables: [nations, events]
    plots: []
    chunk_size: 2
    """
)


@pytest.fixture
def two_variants(tmp_path: Path) -> Path:
    """An experiment of 4 runs (2 variants x 2 replicates) of 4 steps, beside a copy of teaching_small."""
    import shutil

    shutil.copy(TEACHING, tmp_path / "teaching_small.yaml")
    path = tmp_path / "two.yaml"
    path.write_text(TWO_VARIANTS)
    return path


def test_a_lever_tweak_never_needs_out_or_force(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for value in ("0.9", "0.5", "0.9"):
        assert main(["run", TEACHING, "--steps", "3", "--set", f"legal_clarity={value}", "--no-plots"]) == 0
    assert main(["run", TEACHING, "--steps", "3", "--no-plots"]) == 0
    assert main(["run", TEACHING, "--no-plots", "--steps", "3"]) == 0
    names = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert names == [
        "teaching_small-seed7-legal_clarity=0.5_steps=3",
        "teaching_small-seed7-legal_clarity=0.9_steps=3",
        "teaching_small-seed7-legal_clarity=0.9_steps=3-2",
        "teaching_small-seed7-steps=3",
        "teaching_small-seed7-steps=3-2",
    ]
    out = capsys.readouterr().out
    assert "results/teaching_small-seed7-legal_clarity=0.9_steps=3-2/" in out  # the folder written is the one printed
    runs = pd.read_parquet(tmp_path / "results" / "teaching_small-seed7-legal_clarity=0.5_steps=3" / "runs.parquet")
    assert runs["legal_clarity"].iloc[0] == 0.5


def test_a_default_folder_never_takes_over_what_the_user_put_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "results" / "teaching_small-seed7-steps=2"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    assert main(["run", TEACHING, "--steps", "2", "--no-plots"]) == 0
    assert (mine / "notes.txt").read_text() == "mine" and sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (tmp_path / "results" / "teaching_small-seed7-steps=2-2" / "manifest.json").exists()


def test_a_batch_run_twice_goes_to_a_new_numbered_folder(two_variants, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots"]) == 0
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots"]) == 0
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["two", "two-2"]
    assert "results: results/two-2/" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet("results/two/steps.parquet"), pd.read_parquet("results/two-2/steps.parquet"))
