"""spacesim batch, validate and plot on experiment files and batch folders, through the command line."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd

from spacesim.cli import main
from spacesim.experiment.worker import FAULT_ENV
from spacesim.scenario.library import shipped_experiments


def spacesim(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spacesim", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_batch_writes_tables_manifest_and_summary_plots(small_experiment, tmp_path):
    out = tmp_path / "b"
    result = spacesim("batch", str(small_experiment), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "12 completed, 0 failed" in result.stdout and "mean final outcomes over replicates, by variant, legal_clarity" in result.stdout
    assert "runs 12/12 (100%), 0 failed" in result.stderr  # plain progress lines when not a terminal
    assert result.stdout.rstrip().endswith(", plots/)")
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("experiment", "scenario", "parameters", "base_seed", "design", "versions", "git_revision", "started", "finished", "runs", "sessions"):
        assert key in manifest
    assert manifest["experiment"]["sha256"] and manifest["scenario"]["sha256"]
    assert {p.name for p in (out / "inputs").iterdir()} == {"small.yaml", "teaching_small.yaml"}
    pngs = {p.name for p in (out / "plots").iterdir()}
    assert "envelopes.png" in pngs and "final_distributions.png" in pngs and any(n.startswith("network_run") for n in pngs)
    assert "heatmap" not in " ".join(pngs)  # a one-parameter grid has no heatmap
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 12 and set(runs["variant"]) == {"both", "bilateral only"}

    for p in (out / "plots").iterdir():
        p.unlink()
    assert main(["plot", str(out)]) == 0
    assert {p.name for p in (out / "plots").iterdir()} == pngs


def test_batch_with_failed_runs_exits_3_and_says_how_many(small_experiment, tmp_path):
    result = spacesim("batch", str(small_experiment), "--out", str(tmp_path / "b"), "--workers", "1", "--no-plots", env={FAULT_ENV: "0"})
    assert result.returncode == 3
    assert "11 completed, 1 failed" in result.stdout and "1 of 12 runs failed" in result.stderr


def test_no_plots_makes_no_plots_folder_and_does_not_list_one(small_experiment, tmp_path):
    out = tmp_path / "b"
    result = spacesim("batch", str(small_experiment), "--out", str(out), "--workers", "1", "--no-plots")
    assert result.returncode == 0, result.stderr
    assert not (out / "plots").exists()
    assert "plots/" not in result.stdout
    assert json.loads((out / "manifest.json").read_text())["plots"] == []
    assert main(["plot", str(out)]) == 0  # drawn later on request, into a plots/ made then
    assert (out / "plots" / "envelopes.png").exists()


def test_batch_refuses_existing_folder_and_says_why(small_experiment, tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    (out / "x").write_text("1")
    result = spacesim("batch", str(small_experiment), "--out", str(out))
    assert (
        result.returncode == 2
        and "pass --resume to continue the batch in it, --force to delete it" in result.stderr
        and "another --out" in result.stderr
        and "Traceback" not in result.stderr
    )
    assert "resume=True" not in result.stderr, "the command line keeps its own wording"


def test_invalid_experiment_is_exit_2_with_the_field_named(workdir, tmp_path):
    bad = workdir / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\ndescription: d\nscenario: teaching_small.yaml\nvary:\n  grid:\n    legal_clarity: 0.5\n")
    result = spacesim("batch", str(bad), "--out", str(tmp_path / "b"))
    assert result.returncode == 2
    assert f"{bad}:7: vary.grid.legal_clarity: Input should be a valid list" in result.stderr
    assert not (tmp_path / "b").exists()
    result = spacesim("validate", str(bad), str(workdir / "teaching_small.yaml"))
    assert result.returncode == 2 and "teaching_small.yaml: ok" in result.stdout


def test_validate_accepts_every_shipped_experiment():
    result = spacesim("validate", *map(str, shipped_experiments().values()))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == len(shipped_experiments())


def test_plot_of_an_unfinished_batch_says_how_to_finish_it(small_experiment, tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"kind": "batch", "status": "interrupted"}))
    assert main(["plot", str(out)]) == 2


def test_a_reproduce_command_repeats_its_run_exactly_from_another_folder(workdir, tmp_path):
    """The batch is started from the experiment's folder with a relative path; the command is run from elsewhere."""
    (workdir / "linked").symlink_to(workdir, target_is_directory=True)  # the scenario is named through a link: the command keeps the name
    experiment = workdir / "repro.yaml"
    experiment.write_text(
        "schema_version: 1\nname: repro\ndescription: Runs to repeat alone.\nscenario: linked/teaching_small.yaml\nsteps: 6\nreplicates: 2\nseed: 13\n"
        "parameters: {trust_loss: 2.5}\nvary:\n  grid:\n    legal_clarity: [0.3]\nvariants:\n  both: {}\n  bilateral only: {allow_multilateral: "
        "false}\ntables: []\nplots: []\n"
    )
    result = spacesim("batch", "repro.yaml", "--out", "out", "--workers", "1", cwd=workdir)
    assert result.returncode == 0, result.stderr
    runs = pd.read_parquet(workdir / "out" / "runs.parquet")
    steps = pd.read_parquet(workdir / "out" / "steps.parquet")
    row = runs[runs["variant"] == "bilateral only"].iloc[-1]
    words = shlex.split(row["reproduce"])
    assert words[:3] == ["spacesim", "run", str(workdir / "linked" / "teaching_small.yaml")], (
        "an absolute path, as the experiment names the file (not resolved)"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    alone = spacesim(*words[1:], "--out", "again", "--no-plots", cwd=elsewhere)
    assert alone.returncode == 0, alone.stderr
    again = pd.read_parquet(elsewhere / "again" / "steps.parquet").drop(columns="run_id").reset_index(drop=True)
    mine = steps[steps["run_id"] == row["run_id"]].drop(columns=["run_id", "point", "variant", "replicate"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(again, mine)
