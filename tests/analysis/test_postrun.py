"""The post-run step: the engine stops at tables; what follows is made from the folder alone, and made again gives the same files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from spacesim import shipped_scenario
from spacesim.analysis.postrun import ANALYSES, Analysis, analyse_folder, register
from spacesim.cli import main
from spacesim.experiment import run_batch
from tests.experiment.conftest import SMALL
from tests.experiment.test_sensitivity import SENSITIVITY


def _files(folder: Path) -> dict[str, str]:
    """Every file of a result folder (its lock aside) and its sha256."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    (tmp_path / "small.yaml").write_text(SMALL.replace("replicates: 3", "replicates: 2"))
    (tmp_path / "sens.yaml").write_text(SENSITIVITY.replace("plots: []", "plots: [envelope]"))
    return tmp_path


def test_the_engine_writes_tables_and_manifest_and_nothing_else(inputs: Path) -> None:
    result = run_batch(inputs / "small.yaml", inputs / "b", workers=1)
    manifest = json.loads((result.out / "manifest.json").read_text())
    tables = ["runs.parquet", "steps.parquet", *(f"{t}.parquet" for t in manifest["kept_tables"])]
    written = sorted(p.name for p in result.out.iterdir() if not p.name.startswith("."))
    assert written == sorted(["inputs", "manifest.json", *tables])  # no comparison, no plots/
    assert manifest["tables"] == tables and manifest["sensitivity"] is None and manifest["comparison"] is None and manifest["status"] == "completed"


@pytest.mark.parametrize(("command", "experiment", "made"), [
    ("batch", "small.yaml", {"comparison.parquet", "plots/comparison_forest.png"}),
    ("sensitivity", "sens.yaml", {"sensitivity.parquet", "sensitivity_convergence.parquet", "plots/sensitivity_00_n_bilateral.png"}),
])  # fmt: skip
def test_the_post_run_step_run_again_alone_gives_the_same_files(
    inputs: Path, capsys: pytest.CaptureFixture[str], command: str, experiment: str, made: set[str]
) -> None:
    out = inputs / "out"
    assert main([command, str(inputs / experiment), "--out", str(out), "--workers", "1"]) == 0
    after_batch = _files(out)
    assert made <= set(after_batch)
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert _files(out) == after_batch
    assert {str(Path(line).relative_to(out)) for line in printed if line.startswith(str(out))} >= made
    # from the tables alone: everything the step made removed, then made again, byte for byte
    for name in made:
        (out / name).unlink()
    shutil.rmtree(out / "plots")
    assert main(["analyse", str(out)]) == 0
    assert _files(out) == after_batch


def test_an_unfinished_or_foreign_folder_is_refused_in_one_line(inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", str(inputs / "nowhere")]) == 2
    assert "no such result folder" in capsys.readouterr().err
    (inputs / "plain").mkdir()
    assert main(["analyse", str(inputs / "plain")]) == 2
    err = capsys.readouterr().err
    assert "no manifest.json" in err and "Traceback" not in err


def test_an_analysis_is_added_by_registering_it_not_by_editing_the_runner(inputs: Path) -> None:
    out = run_batch(inputs / "small.yaml", inputs / "b", workers=1).out

    def count_runs(folder) -> list[str]:  # noqa: ANN001 - a Folder
        folder.runs.groupby("variant").size().rename("runs").reset_index().to_parquet(folder.out / "run_count.parquet")
        return ["run_count.parquet"]

    before = list(ANALYSES)
    try:
        register(Analysis("run count", lambda folder: folder.kind == "batch", count_runs))
        done = analyse_folder(out, plots=False)
    finally:
        ANALYSES[:] = before
    assert done.tables == ["comparison.parquet", "run_count.parquet"]
    assert json.loads((out / "manifest.json").read_text())["tables"][-2:] == ["comparison.parquet", "run_count.parquet"]
    analyse_folder(out, plots=False)  # without it, its table is no longer listed, and is removed
    assert not (out / "run_count.parquet").exists() and json.loads((out / "manifest.json").read_text())["tables"][-1] == "comparison.parquet"
