"""revisions.parquet: each change of a bilateral agreement's depth, written by a run, kept by a batch, exported, and
absent from folders written before it without harm; and every list of table names derived from the one declaration."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from spacesim import SpaceModel, load_scenario, shipped_scenario
from spacesim.analysis.postrun import engine_tables
from spacesim.cli import main
from spacesim.output.export import EXPORTED
from spacesim.output.folder import PER_RUN_TABLES, RESULT_FILES, TABLES
from spacesim.output.result_folder import ResultFolder
from spacesim.output.run_result import run_scenario
from spacesim.scenario.experiment import Table

README = Path(__file__).parent.parent.parent / "README.md"
SCENARIO = str(shipped_scenario("teaching_small"))
STEPS, SEED = 16, 5


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A real ``spacesim run`` of a shipped scenario."""
    out = tmp_path_factory.mktemp("run") / "r"
    assert main(["run", SCENARIO, "--steps", str(STEPS), "--seed", str(SEED), "--no-plots", "--out", str(out)]) == 0
    return out


def test_a_run_writes_revisions_equal_to_the_models_and_linked_to_its_partnerships(run_folder):
    revisions = pd.read_parquet(run_folder / "revisions.parquet")
    model = SpaceModel(load_scenario(SCENARIO).with_parameters(steps=STEPS), rng=SEED)
    for _ in range(STEPS):
        model.step()
    expected = model.revisions_frame()
    assert len(expected) > 0, "the scenario revises some agreement within the run (else this test shows nothing)"
    assert list(revisions.columns) == ["run_id", *expected.columns]
    assert (revisions["run_id"] == 0).all()
    pd.testing.assert_frame_equal(revisions.drop(columns="run_id"), expected)
    partnerships = pd.read_parquet(run_folder / "partnerships.parquet").set_index("partnership_id")
    assert set(revisions["partnership_id"]) <= set(partnerships.index)
    assert (partnerships.loc[revisions["partnership_id"], "kind"] == "bilateral").all()
    # an agreement's last_depth and last_domain are those of its latest revision
    latest = revisions.sort_values("step").groupby("partnership_id").last()
    assert partnerships.loc[latest.index, "last_depth"].tolist() == latest["depth"].tolist()
    assert partnerships.loc[latest.index, "last_domain"].tolist() == latest["domain"].tolist()
    manifest = ResultFolder(run_folder).load()
    assert manifest.tables == [f"{t}.parquet" for t in TABLES] and "revisions.parquet" in manifest.tables


def test_the_post_run_step_keeps_a_runs_revisions(run_folder, tmp_path):
    """``spacesim analyse`` rewrites the manifest's tables from the engine's: revisions.parquet stays, file and entry."""
    folder = tmp_path / "r"
    shutil.copytree(run_folder, folder)
    assert main(["analyse", str(folder), "--no-plots"]) == 0
    assert (folder / "revisions.parquet").exists()
    assert ResultFolder(folder).load().tables == [f"{t}.parquet" for t in TABLES]


def test_a_run_folder_written_before_revisions_still_reads(run_folder, tmp_path, capsys):
    """A run's folder without revisions.parquet (and without it in its manifest) is analysed, reported and exported."""
    folder = tmp_path / "old"
    shutil.copytree(run_folder, folder)
    (folder / "revisions.parquet").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"] = [t for t in manifest["tables"] if t != "revisions.parquet"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["analyse", str(folder), "--no-plots"]) == 0
    assert main(["report", str(folder)]) == 0
    assert main(["export", str(folder)]) == 0
    assert "revisions.csv" not in {p.name for p in (folder / "export").iterdir()}
    assert not (folder / "revisions.parquet").exists() and "revisions.parquet" not in ResultFolder(folder).load().tables
    assert "Traceback" not in capsys.readouterr().err


def test_export_includes_a_runs_revisions(run_folder, tmp_path):
    folder = tmp_path / "r"
    shutil.copytree(run_folder, folder)
    assert main(["export", str(folder)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(folder / "export" / "revisions.csv"), pd.read_parquet(folder / "revisions.parquet"), check_dtype=False)
    assert main(["export", str(folder), "--format", "xlsx"]) == 0
    book = pd.read_excel(folder / "export" / "r.xlsx", sheet_name=None)
    assert set(book) == set(TABLES) and len(book["revisions"]) == len(pd.read_parquet(folder / "revisions.parquet"))


BATCH = textwrap.dedent(
    """\
    schema_version: 1
    name: revised
    description: Two variants, two replicates, keeping the revisions only.
    scenario: teaching_small
    steps: 12
    replicates: 2
    seed: 7
    variants:
      both: {}
      bilateral only: {allow_multilateral: false}
    outcomes: [n_bilateral]
    chunk_size: 2
    tables: [revisions]
    plots: []
    """
)


def test_a_batch_keeps_the_revisions_it_names_labelled_by_run(tmp_path):
    experiment = tmp_path / "revised.yaml"
    experiment.write_text(BATCH)
    out = tmp_path / "b"
    assert main(["batch", str(experiment), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    manifest = ResultFolder(out).load()
    assert manifest.kept_tables == ["revisions"] and "revisions.parquet" in manifest.tables
    assert not any((out / f"{t}.parquet").exists() for t in ("nations", "events", "partnerships"))
    revisions = pd.read_parquet(out / "revisions.parquet")
    assert list(revisions.columns) == ["run_id", "point", "variant", "replicate", "partnership_id", "step", "depth", "domain"]
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 4 and (runs["status"] == "completed").all() and len(revisions) > 0
    spec = load_scenario(shipped_scenario("teaching_small")).with_parameters(steps=12)
    for run in runs.itertuples():
        settings = {"allow_multilateral": False} if run.variant == "bilateral only" else {}
        alone = run_scenario(spec.with_parameters(**settings), seed=int(run.seed), run_id=int(run.run_id)).revisions
        kept = revisions[revisions["run_id"] == run.run_id]
        assert (kept["variant"] == run.variant).all() and (kept["replicate"] == run.replicate).all()
        pd.testing.assert_frame_equal(kept.drop(columns=["point", "variant", "replicate"]).reset_index(drop=True), alone, check_dtype=False)
    assert main(["export", str(out)]) == 0
    exported = pd.read_csv(out / "export" / "revisions.csv")
    assert list(exported.columns[:4]) == ["run_id", "point", "variant", "replicate"] and len(exported) == len(revisions)


def test_every_list_of_table_names_comes_from_the_one_declaration():
    assert PER_RUN_TABLES == tuple(Table) and "revisions" in PER_RUN_TABLES
    assert TABLES == ("runs", "steps", *PER_RUN_TABLES)
    assert EXPORTED[: len(TABLES)] == TABLES
    assert {f"{t}.parquet" for t in TABLES} <= RESULT_FILES  # --force replaces a folder holding them
    # the README's result-folder listing names every table
    section = README.read_text().split("### 3. The result folder", 1)[1].split("```")[1]
    listed = re.findall(r"^  (\w+)\.parquet\s", section, flags=re.M)
    assert listed == list(TABLES)


def test_engine_tables_of_a_run_are_the_declared_ones_it_lists():
    class Manifest:  # only what engine_tables reads of a run's manifest
        tables = ["runs.parquet", "steps.parquet", "partnerships.parquet", "revisions.parquet", "comparison.parquet"]

    assert engine_tables(Manifest()) == ["runs.parquet", "steps.parquet", "partnerships.parquet", "revisions.parquet"]  # type: ignore[arg-type]
