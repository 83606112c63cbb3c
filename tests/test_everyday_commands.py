"""Everyday commands as a user types them (issue 18): default folders, export, retry, compare of two runs, helpful messages."""

from __future__ import annotations

import json
import re
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


def test_batch_tables_group_by_variant_without_a_merge(two_variants, tmp_path):
    out = tmp_path / "b"
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    steps = pd.read_parquet(out / "steps.parquet")
    assert list(steps.columns[:4]) == ["run_id", "point", "variant", "replicate"]
    assert steps.groupby("variant")["run_id"].nunique().to_dict() == {"both": 2, "bilateral only": 2}
    truth = runs.set_index("run_id")[["point", "variant", "replicate"]]
    for name in ("steps", "nations", "events"):
        table = pd.read_parquet(out / f"{name}.parquet")
        joined = truth.loc[table["run_id"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(table[["point", "variant", "replicate"]].reset_index(drop=True), joined, check_dtype=False)


def test_export_csv_and_xlsx_of_a_batch_and_a_run(two_variants, tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    assert main(["export", str(out)]) == 0
    export = out / "export"
    assert sorted(p.name for p in export.iterdir()) == ["comparison.csv", "events.csv", "export.json", "nations.csv", "runs.csv", "steps.csv"]
    steps = pd.read_csv(export / "steps.csv")
    pd.testing.assert_frame_equal(steps, pd.read_parquet(out / "steps.parquet").astype({"variant": object}), check_dtype=False)
    assert steps.groupby("variant").size().to_dict() == {"bilateral only": 10, "both": 10}
    # a second export is refused, then replaced with --force; a file the user put there is never touched
    capsys.readouterr()
    assert main(["export", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(out), "--force"]) == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "steps.csv").write_text("my own\n")
    assert main(["export", str(out), "--out", str(mine), "--force"]) == 2
    assert "did not write" in capsys.readouterr().err and (mine / "steps.csv").read_text() == "my own\n"
    # Excel: one workbook, a sheet per table; the result folder can still be replaced with --force (export/ is spacesim's)
    assert main(["export", str(out), "--format", "xlsx"]) == 0
    book = pd.read_excel(export / "b.xlsx", sheet_name=None)
    assert set(book) == {"runs", "steps", "nations", "events", "comparison"}
    assert len(book["steps"]) == len(steps) and set(book["steps"]["variant"]) == {"both", "bilateral only"}
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots", "--out", str(out), "--force"]) == 0
    # a single run exports too
    run = tmp_path / "r"
    assert main(["run", TEACHING, "--steps", "3", "--no-plots", "--out", str(run)]) == 0
    assert main(["export", str(run), "--format", "csv", "--out", str(tmp_path / "run-csv")]) == 0
    assert {"runs.csv", "steps.csv", "nations.csv", "events.csv", "partnerships.csv"} <= {p.name for p in (tmp_path / "run-csv").iterdir()}


def test_export_of_a_batch_written_before_the_design_columns_adds_them(two_variants, tmp_path):
    out = tmp_path / "b"
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    old = pd.read_parquet(out / "steps.parquet").drop(columns=["point", "variant", "replicate"])
    old.to_parquet(out / "steps.parquet", index=False)
    assert main(["export", str(out)]) == 0
    steps = pd.read_csv(out / "export" / "steps.csv")
    assert list(steps.columns[:4]) == ["run_id", "point", "variant", "replicate"]
    assert steps.groupby("variant")["run_id"].nunique().to_dict() == {"bilateral only": 2, "both": 2}


def test_export_of_what_is_not_a_result_folder_is_exit_2(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_retry_failed_reruns_only_the_failed_runs(two_variants, tmp_path, monkeypatch, capsys):
    from spacesim.experiment import batch as batch_module
    from spacesim.experiment.worker import FAULT_ENV

    out, clean = tmp_path / "b", tmp_path / "clean"
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(clean), "--no-plots"]) == 0
    monkeypatch.setenv(FAULT_ENV, "1,2")
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(out)]) == 3
    before = pd.read_parquet(out / "runs.parquet")
    assert sorted(before.loc[before["status"] == "failed", "run_id"]) == [1, 2]
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(out), "--retry-failed"]) == 3  # still failing: still reported
    monkeypatch.delenv(FAULT_ENV)
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(out), "--retry-failed", "--resume"]) == 2
    # a changed code is refused, as --resume refuses it
    real = batch_module.code_identity
    monkeypatch.setattr(batch_module, "code_identity", lambda: {**real(), "sha256": "0" * 64})
    capsys.readouterr()
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(out), "--retry-failed"]) == 2
    assert "code changed" in capsys.readouterr().err
    monkeypatch.setattr(batch_module, "code_identity", real)
    capsys.readouterr()
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(out), "--retry-failed"]) == 0
    assert "2 of 4 ran in this session" in capsys.readouterr().out
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "completed").all()
    kept = before[before["status"] == "completed"].reset_index(drop=True)
    pd.testing.assert_frame_equal(runs[runs["run_id"].isin(kept["run_id"])].reset_index(drop=True), kept)  # the completed runs are kept as they were
    for name in ("steps", "nations", "events"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(clean / f"{name}.parquet"), check_dtype=False)
    pd.testing.assert_frame_equal(runs.drop(columns="reproduce"), pd.read_parquet(clean / "runs.parquet").drop(columns="reproduce"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == {"total": 4, "completed": 4, "failed": 0} and manifest["sessions"][-1]["retried_failed"] == 2
    assert not (out / "chunks").exists() and (out / "comparison.parquet").exists()
    # a changed experiment file is refused too
    two_variants.write_text(two_variants.read_text().replace("replicates: 2", "replicates: 3"))
    assert main(["batch", str(two_variants), "--workers", "1", "--out", str(out), "--retry-failed"]) == 2
    assert "experiment file changed" in capsys.readouterr().err


def test_compare_prints_without_writing_and_compares_two_single_runs(two_variants, tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    (out / "comparison.parquet").unlink()
    before = sorted(p.name for p in out.iterdir())
    capsys.readouterr()
    assert main(["compare", str(out), "--boot", "200"]) == 0
    assert "bilateral only − both" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == before  # nothing written
    a, b = tmp_path / "a", tmp_path / "clear"
    assert main(["run", TEACHING, "--steps", "6", "--no-plots", "--out", str(a)]) == 0
    assert main(["run", TEACHING, "--steps", "6", "--no-plots", "--out", str(b), "--set", "legal_clarity=0.9"]) == 0
    capsys.readouterr()
    assert main(["compare", str(a), str(b)]) == 0
    text = capsys.readouterr().out
    assert "settings that differ: legal_clarity 0.3 -> 0.9" in text and "same seed" in text
    ra, rb = (pd.read_parquet(f / "runs.parquet").iloc[0] for f in (a, b))
    trust = next(line for line in text.splitlines() if line.strip().startswith("mean_trust"))
    assert trust.split()[1:] == [f"{ra['final_mean_trust']:,.3f}", f"{rb['final_mean_trust']:,.3f}", f"{rb['final_mean_trust'] - ra['final_mean_trust']:+,.3f}"]
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())  # nothing written into either
    assert main(["compare", str(a), str(b), "--outcomes", "debris", "n_asat_tests", "--out", str(tmp_path / "ab.parquet")]) == 0
    table = pd.read_parquet(tmp_path / "ab.parquet")
    assert list(table["outcome"]) == ["debris", "n_asat_tests"] and list(table["statistic"]) == ["final", "total over the run"]
    # a batch and a run, or an unknown outcome: exit 2
    assert main(["compare", str(a), str(out)]) == 2
    assert "not a run result folder" in capsys.readouterr().err
    assert main(["compare", str(a), str(b), "--outcomes", "nope"]) == 2


def test_set_with_a_space_instead_of_equals_says_how_to_write_it(capsys):
    assert main(["run", TEACHING, "--set", "legal_clarity", "0.4"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: --set legal_clarity: expected NAME=VALUE; write --set legal_clarity=0.4"
    assert main(["run", TEACHING, "--set", "=0.4"]) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


def test_the_compile_notice_tells_a_cold_cache_from_a_warm_one(tmp_path, monkeypatch, capsys):
    import subprocess
    import sys

    from spacesim.model import compiled

    probe = "from spacesim.model.compiled import cold_functions, compiled_functions; print(len(cold_functions()), len(compiled_functions()))"
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMBA_CACHE_DIR"}
    cold = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env={**env, "NUMBA_CACHE_DIR": str(tmp_path / "empty")}, timeout=120)
    n_cold, n_all = map(int, cold.stdout.split())
    assert n_all >= 10 and n_cold == n_all  # an empty cache: every rule compiles
    assert main(["run", TEACHING, "--steps", "2", "--no-plots", "--out", str(tmp_path / "warm")]) == 0
    assert len(compiled.cold_functions()) * 2 <= n_all and "compiling" not in capsys.readouterr().err  # after a run here, the rules a run uses are cached
    assert compiled.compile_notice() is None
    monkeypatch.setattr(compiled, "cold_functions", lambda: [f.py_func.__name__ for f in compiled.compiled_functions()])  # as with the empty cache above
    assert main(["run", TEACHING, "--steps", "2", "--no-plots", "--out", str(tmp_path / "cold")]) == 0
    assert f"compiling the model's rules on first use ({n_all} of {n_all} functions, about 30 s" in capsys.readouterr().err


def test_the_report_opens_with_findings_in_words_and_shows_no_local_paths(two_variants, tmp_path):

    out = tmp_path / "b"
    assert main(["batch", str(two_variants), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text()
    sections = re.findall(r'<section id="([a-z-]+)">', text)
    assert sections[0] == "findings"
    start = text.index('<section id="findings">')
    findings = text[start : text.index("</section>", start)]
    comparison = pd.read_parquet(out / "comparison.parquet")
    for _, row in comparison.iterrows():
        name = f"Final {row['outcome'].replace('_', ' ')}"
        assert name in findings
        clear = row["ci_low"] > 0 or row["ci_high"] < 0
        assert ("higher under" in findings) if clear else ("cannot be told apart" in findings)
    assert "Chance alone: runs with the same settings and different seeds differ by a standard deviation of" in findings
    assert "pooled over 2 groups of 2 replicates" in findings
    assert f"<code>{tmp_path}" not in text and "<code>../teaching_small.yaml</code>" in text


def test_a_sensitivity_report_collapses_its_design_points_and_reads_low_before_high(tmp_path):
    import shutil

    shutil.copy(TEACHING, tmp_path / "teaching_small.yaml")
    (tmp_path / "sens.yaml").write_text(
        textwrap.dedent(
            """\
            schema_version: 1
            name: sens
            description: A small Sobol' sample.
            scenario: teaching_small.yaml
            steps: 4
            replicates: 2
            seed: 11
            sensitivity:
              method: sobol
              samples: 4
              parameters:
                legal_clarity: {low: 0.0, high: 1.0}
                trust_loss: {low: 0.5, high: 6.0}
              outcomes: [collective_security]
            outcomes: [collective_security]
            plots: []
            tables: []
            """
        )
    )
    out = tmp_path / "s"
    assert main(["sensitivity", str(tmp_path / "sens.yaml"), "--workers", "1", "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text()
    what_ran = text[text.index('<section id="what-ran">') :]
    what_ran = what_ran[: what_ran.index("</section>")]
    assert "<h3>Design points</h3><details><summary>24 design points: legal_clarity from " in what_ran
    outcomes = text[text.index('<section id="outcomes">') :]
    outcomes = outcomes[: outcomes.index("</section>")]
    assert "<h3>Over all design points</h3>" in outcomes and "<details><summary>24 groups (show)</summary>" in outcomes
    assert re.search(r"<th>parameter</th><th[^>]*>low</th><th[^>]*>high</th>", text)
    findings = text[text.index('<section id="findings">') :]
    assert "Collective security depends most on " in findings[: findings.index("</section>")]


def test_a_minimal_experiment_names_a_shipped_scenario_by_name(tmp_path, monkeypatch, capsys):
    from spacesim.scenario.experiment import load_experiment

    path = tmp_path / "mini.yaml"
    path.write_text(
        "schema_version: 1\nname: mini\nscenario: teaching_small\nsteps: 3\nreplicates: 2\nvariants:\n  both: {}\n  no law: {legal_clarity: 0.0}\nplots: []\n"
    )
    experiment = load_experiment(path)
    assert experiment.scenario_path == shipped_scenarios()["teaching_small"] and experiment.spec.description == ""
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert main(["batch", str(path), "--workers", "1"]) == 0
    runs = pd.read_parquet(tmp_path / "results" / "mini" / "runs.parquet")
    assert len(runs) == 4 and (runs["status"] == "completed").all()
    # each run's reproduce command names a file that exists
    assert runs["reproduce"].str.contains(str(shipped_scenarios()["teaching_small"]), regex=False).all()


def test_a_shipped_experiment_copied_elsewhere_keeps_working(tmp_path):
    import shutil

    from spacesim.scenario.experiment import load_experiment
    from spacesim.scenario.library import shipped_experiment

    copy = tmp_path / "mine" / "teaching.yaml"
    copy.parent.mkdir()
    shutil.copy(shipped_experiment("teaching"), copy)
    assert load_experiment(copy).scenario_path == shipped_scenarios()["teaching_small"]
    assert main(["validate", str(copy)]) == 0
    # a scenario of the user's own beside it wins over the shipped one
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "teaching_small.yaml").write_text(Path(TEACHING).read_text().replace("name: teaching_small", "name: my_copy"))
    assert load_experiment(copy).scenario.name == "my_copy"


def test_unknown_top_level_keys_get_a_suggestion(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(Path(TEACHING).read_text().replace("description:", "descripton:", 1))
    experiment = tmp_path / "e.yaml"
    experiment.write_text("schema_version: 1\nname: e\nscenario: baseline\nvarients:\n  a: {}\n")
    misplaced = tmp_path / "m.yaml"
    misplaced.write_text("schema_version: 1\nname: m\nscenario: baseline\nlegal_clarity: 0.5\n")
    assert main(["validate", str(scenario), str(experiment), str(misplaced)]) == 2
    err = capsys.readouterr().err
    assert "descripton: unknown field; did you mean 'description'?" in err
    assert "varients: unknown field; did you mean 'variants'?" in err
    assert "legal_clarity: unknown field; legal_clarity is a parameter of the model: set it under parameters" in err
