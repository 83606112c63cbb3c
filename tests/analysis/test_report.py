"""spacesim report: one self-contained HTML file of a batch or run folder, and bad input refused with exit status 2."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from spacesim.analysis.postrun import analyse_folder
from spacesim.analysis.report import command_line, fmt, mean_interval, write_report
from spacesim.cli import main
from spacesim.experiment import run_batch
from spacesim.experiment.worker import FAULT_ENV
from spacesim.output.result_folder import BatchManifest
from spacesim.scenario import InputError
from tests.experiment.conftest import SMALL

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
DATA_URI = '<img src="data:image/png;base64,'


class Page(HTMLParser):
    """Reads a document and checks that every element is closed in order; keeps attributes, section ids and text."""

    def __init__(self, text: str):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.sections: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        if tag == "section":
            self.sections.append(dict(attrs).get("id", ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(path: Path) -> Page:
    page = Page(path.read_text(encoding="utf-8"))
    assert page.errors == [] and page.stack == [], (page.errors, page.stack)
    return page


def assert_self_contained(path: Path) -> Page:
    """The file parses, every PNG of plots/ is embedded once as a data URI, and nothing points outside the file."""
    page = parse(path)
    text = path.read_text(encoding="utf-8")
    pngs = list((path.parent / "plots").rglob("*.png")) if (path.parent / "plots").is_dir() else []
    assert text.count(DATA_URI) == len(pngs) > 0
    for png in pngs:
        assert png.name in page.plain  # each figure names its file in the caption
    for tag, name, value in page.attrs:
        if name in ("src", "href"):
            assert value.startswith(("data:image/png;base64,", "#")), (tag, name, value[:80])
    assert "http://" not in text and "https://" not in text
    assert not {"script", "link", "iframe", "object"} & set(page.tags)
    return page


def section(text: str, anchor: str) -> str:
    """The HTML of one <section id=anchor>."""
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', text, re.DOTALL)
    assert match, f"no section {anchor}"
    return match.group(1)


def spacesim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spacesim", *args], check=False, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=cwd
    )


@pytest.fixture(scope="module")
def batch_dirs(tmp_path_factory):
    """Two real small batches of teaching_small (12 runs of 8 steps): one where run 1 fails, one where none fails."""
    from spacesim import shipped_scenario

    root = tmp_path_factory.mktemp("report")
    shutil.copy(shipped_scenario("teaching_small"), root / "teaching_small.yaml")
    (root / "small.yaml").write_text(SMALL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(FAULT_ENV, "1")
        failing = run_batch(root / "small.yaml", root / "failing", workers=1)
        mp.delenv(FAULT_ENV)
        clean = run_batch(root / "small.yaml", root / "clean", workers=1)
    assert failing.failed == 1 and clean.failed == 0
    return analyse_folder(failing.out).out, analyse_folder(clean.out).out  # the plots and comparison the command line makes after a batch


def copy_of(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / folder.name
    shutil.copytree(folder, out)
    (out / "report.html").unlink(missing_ok=True)
    return out


# --------------------------------------------------------------------- numbers


def test_mean_interval_is_the_student_t_interval_of_the_mean():
    n, mean, sd, low, high = mean_interval([2.0, 4.0, 6.0, 8.0, float("nan")])
    # sd = sqrt(20 / 3) = 2.58199; t(0.975, 3) = 3.18245; half-width = 3.18245 * 2.58199 / 2 = 4.10852
    assert (n, mean) == (4, 5.0)
    assert sd == pytest.approx(2.58199, abs=1e-5)
    assert (low, high) == (pytest.approx(0.89148, abs=1e-5), pytest.approx(9.10852, abs=1e-5))
    assert mean_interval([])[0] == 0 and math.isnan(mean_interval([])[1])


def test_numbers_are_formatted_for_reading():
    assert [fmt(v) for v in (0.123456, 1234.5, 7, None, 3e-5)] == ["0.1235", "1,234", "7", "–", "3.000e-05"]


# --------------------------------------------------------------------- batch folders


def test_batch_report_through_the_command_line(batch_dirs, tmp_path):
    folder = copy_of(batch_dirs[0], tmp_path)
    result = spacesim("report", str(folder))
    assert result.returncode == 0, result.stderr
    out = folder / "report.html"
    assert result.stdout.strip() == str(out)
    page = assert_self_contained(out)
    text = out.read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text())
    runs = pd.read_parquet(folder / "runs.parquet")

    # the small experiment has two variants, so the batch wrote comparison.parquet and its forest plot
    assert page.sections == ["findings", "what-ran", "outcomes", "plots", "comparison", "failed"]
    assert "Experiment: small" in page.plain and "teaching_small" in page.plain
    assert manifest["experiment"]["sha256"] in text and manifest["scenario"]["sha256"] in text
    assert "base seed 42" in page.plain and "SeedSequence(base_seed)" in page.plain
    assert " ".join(command_line(manifest["sessions"][0]["command"]).split()) in page.plain  # what started the batch (pytest, here)
    assert manifest["git_revision"] in text
    assert "mesa " + manifest["versions"]["mesa"] in page.plain
    assert "legal_clarity: 0.2, 0.8" in page.plain and "allow_multilateral=false" in page.plain
    assert "12 in total: 11 completed, 1 failed" in page.plain

    # the outcome table: one row per point x variant, the mean of the completed replicates
    outcomes = section(text, "outcomes")
    assert outcomes.count("<tr>") == 2 + 4  # two header rows, 2 points x 2 variants
    done = runs[(runs["status"] == "completed") & (runs["point"] == 1) & (runs["variant"] == "bilateral only")]
    assert f">{fmt(done['final_debris'].mean())}<" in outcomes
    assert "1: legal_clarity=0.8" in outcomes

    # the failed run: id, seed, error and the command that repeats it
    failed = section(text, "failed")
    bad = runs[runs["status"] == "failed"].iloc[0]
    assert int(bad["run_id"]) == 1
    assert str(int(bad["seed"])) in failed and "InjectedFault" in failed and "failed on purpose" in failed
    assert Page(failed).plain.count(str(bad["reproduce"])) == 1


def test_batch_without_failures_says_so(batch_dirs, tmp_path):
    folder = copy_of(batch_dirs[1], tmp_path)
    out = write_report(folder)
    assert_self_contained(out)
    assert "None: all 12 runs completed." in Page(section(out.read_text(), "failed")).plain
    assert "InjectedFault" not in out.read_text()


def test_report_is_regenerated_freely_and_an_explicit_out_needs_force(batch_dirs, tmp_path, capsys):
    folder = copy_of(batch_dirs[1], tmp_path)
    assert main(["report", str(folder)]) == 0
    assert main(["report", str(folder)]) == 0  # DIR/report.html is derived: rewritten without --force
    other = tmp_path / "mail" / "small.html"
    assert main(["report", str(folder), "--out", str(other)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == str(other)
    other.write_text("keep me")
    assert main(["report", str(folder), "--out", str(other)]) == 2
    assert "--force" in capsys.readouterr().err and other.read_text() == "keep me"
    assert main(["report", str(folder), "--out", str(other), "--force"]) == 0
    assert other.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in other.parent.iterdir()) == ["small.html"]  # no temporary file left behind


def test_many_design_points_are_capped_and_the_report_says_so(batch_dirs, tmp_path):
    folder = copy_of(batch_dirs[1], tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    points = [{"trust_loss": 1.0 + i / 10} for i in range(60)]
    manifest["design"].update(
        varied=["trust_loss"],
        grid=None,
        points=points,
        variants={"both": {}},
        sample={"method": "latin_hypercube", "n": 60, "ranges": {"trust_loss": [1.0, 7.0]}},
    )
    (folder / "manifest.json").write_text(json.dumps(manifest))
    runs = pd.DataFrame(
        [
            {
                "run_id": 2 * p + r,
                "point": p,
                "variant": "both",
                "replicate": r,
                "seed": 100 + r,
                "status": "completed",
                "trust_loss": points[p]["trust_loss"],
                "final_n_bilateral": float(p),
                "final_mean_trust": 0.5,
                "final_debris": 1000.0 + r,
            }
            for p in range(60)
            for r in range(2)
        ]
    )
    runs.to_parquet(folder / "runs.parquet")
    text = write_report(folder).read_text()
    outcomes = Page(section(text, "outcomes")).plain
    assert "Showing the first 40 of 60 design points" in outcomes
    assert "Over all design points" in outcomes
    assert "59: trust_loss=6.9" not in outcomes and "39: trust_loss=4.9" in outcomes
    assert "range [1, 7]" in Page(section(text, "what-ran")).plain  # the varied parameter's range in the parameter table
    assert "Showing the first 50 of 60 design points" in Page(section(text, "what-ran")).plain


def test_many_outcomes_are_listed_in_a_block_of_rows_each(batch_dirs, tmp_path):
    folder = copy_of(batch_dirs[1], tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["outcomes"] = ["n_bilateral", "mean_trust", "debris", "tie_clustering", "threat_level"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    outcomes = section(write_report(folder).read_text(), "outcomes")
    assert outcomes.count("<tr>") == 1 + 5 * 4  # a header row, then 2 points x 2 variants per outcome
    assert outcomes.count('<th rowspan="4" class="rowhead">') == 5 and "threat level" in outcomes
    runs = pd.read_parquet(folder / "runs.parquet")
    done = runs[(runs["point"] == 0) & (runs["variant"] == "both")]
    assert f">{fmt(done['final_tie_clustering'].mean())}<" in outcomes


def _png(path: Path, label: str) -> None:
    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().set_title(label)
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=40)


def test_comparison_sensitivity_and_replication_sections_appear_when_present(batch_dirs, tmp_path):
    folder = copy_of(batch_dirs[1], tmp_path)
    pd.DataFrame(
        {
            "outcome": ["mean_trust", "debris"],
            "point": [None, None],
            "variant_a": ["both", "both"],
            "variant_b": ["bilateral only", "bilateral only"],
            "n_pairs": [6, 6],
            "mean_a": [0.44, 30800.0],
            "mean_b": [0.43, 30600.0],
            "mean_diff": [-0.01, -200.0],
            "ci_low": [-0.015, -900.0],
            "ci_high": [-0.005, 500.0],
            "unpaired_ci_low": [-0.04, -1500.0],
            "unpaired_ci_high": [0.02, 1100.0],
            "effect_size": [-1.2, -0.3],
            "share_b_better": [0.0, 0.5],
            "share_a_better": [1.0, 0.5],
            "share_tied": [0.0, 0.0],
        }
    ).to_parquet(folder / "comparison.parquet")
    _png(folder / "plots" / "comparison_forest.png", "forest")
    rows = []
    for parameter, s1, st in (("trust_loss", 0.10, 0.20), ("legal_clarity", 0.55, 0.70), ("asat_rate", 0.05, 0.06)):
        rows += [
            {
                "method": "sobol",
                "outcome": "mean_trust",
                "statistic": "final",
                "parameter": parameter,
                "parameter2": None,
                "index": "S1",
                "value": s1,
                "confidence": 0.03,
            },
            {
                "method": "sobol",
                "outcome": "mean_trust",
                "statistic": "final",
                "parameter": parameter,
                "parameter2": None,
                "index": "ST",
                "value": st,
                "confidence": 0.04,
            },
        ]
    rows.append(
        {
            "method": "sobol",
            "outcome": "mean_trust",
            "statistic": "final",
            "parameter": "legal_clarity",
            "parameter2": "trust_loss",
            "index": "S2",
            "value": 0.08,
            "confidence": None,
        }
    )
    pd.DataFrame(rows).to_parquet(folder / "sensitivity.parquet")
    _png(folder / "plots" / "sensitivity_mean_trust.png", "sobol")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sensitivity"] = {
        "method": "sobol",
        "parameters": {
            "trust_loss": {"distribution": "uniform", "bounds": [1, 4]},
            "legal_clarity": {"distribution": "uniform", "bounds": [0, 1]},
            "asat_rate": {"distribution": "uniform", "bounds": [0, 0.01]},
        },
        "samples": 512,
        "outcomes": ["mean_trust"],
        "noise": {"mean_trust": 0.12},
    }
    manifest["replication"] = {
        "outcome": "mean_trust",
        "target_halfwidth": 0.01,
        "min": 5,
        "max": 40,
        "rounds": 4,
        "points": [
            {"point": 0, "replicates": 12, "mean": 0.431, "halfwidth": 0.009, "stopped": "target reached"},
            {"point": 1, "replicates": 40, "mean": 0.445, "halfwidth": 0.013, "stopped": "max reached"},
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))

    out = write_report(folder)
    page = assert_self_contained(out)
    text = out.read_text()
    assert page.sections == ["findings", "what-ran", "outcomes", "plots", "comparison", "sensitivity", "replication", "failed"]

    comparison = section(text, "comparison")
    assert "comparison_forest.png" in comparison and comparison.count(DATA_URI) == 1
    plain = Page(comparison).plain
    assert "difference (B − A)" in plain and "[-0.015, -0.005]" in plain and "[-0.04, 0.02]" in plain
    assert "<strong>-0.01</strong>" in comparison and "<strong>-200</strong>" not in comparison  # only an interval that excludes 0 is bold
    assert "100%" in plain and "mean trust" in plain

    sensitivity = section(text, "sensitivity")
    assert "sensitivity_mean_trust.png" in sensitivity and sensitivity.count(DATA_URI) == 1
    plain = Page(sensitivity).plain
    ranked = [plain.index(p) for p in ("1 legal_clarity", "2 trust_loss", "3 asat_rate")]
    assert ranked == sorted(ranked)  # ranked by ST, most important first
    assert "0.7 ± 0.04" in plain and "mean trust (final) — Sobol′" in plain
    assert "12%" in plain and "512" in plain and "uniform" in plain
    assert "legal_clarity trust_loss 0.08" in plain  # the second-order index

    replication = Page(section(text, "replication")).plain
    assert "1 of 2 reached the target" in replication and "max reached" in replication and "at least 5, at most 40" in replication
    assert "0: legal_clarity=0.2" in replication

    plots = section(text, "plots")
    assert "comparison_forest" not in plots and "sensitivity_" not in plots
    assert plots.index("envelopes.png") < plots.index("final_distributions.png") < plots.index("network_run")


def test_sensitivity_section_says_what_its_numbers_are(batch_dirs, tmp_path):
    from spacesim.analysis.report import plot_caption

    folder = copy_of(batch_dirs[1], tmp_path)
    rows = []
    for parameter, s1, st, conf in (("legal_clarity", 0.77, 1.57, 1.5), ("trust_loss", 0.30, 0.35, 0.03)):
        rows += [
            {
                "method": "sobol",
                "outcome": "mean_trust",
                "statistic": "mean of steps 20-30",
                "parameter": parameter,
                "parameter2": None,
                "index": "S1",
                "value": s1,
                "confidence": 0.05,
            },
            {
                "method": "sobol",
                "outcome": "mean_trust",
                "statistic": "mean of steps 20-30",
                "parameter": parameter,
                "parameter2": None,
                "index": "ST",
                "value": st,
                "confidence": conf,
            },
        ]
    pd.DataFrame(rows).to_parquet(folder / "sensitivity.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sensitivity"] = {
        "method": "sobol",
        "samples": 8,
        "parameters": {},
        "outcomes": ["debris", {"outcome": "mean_trust", "window": [20, 30]}],
        "noise": {"mean_trust (mean of steps 20-30)": 1.3},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = section(write_report(folder).read_text(), "sensitivity")
    plain = Page(text).plain
    assert "outcomes debris, mean_trust (mean of steps 20–30)" in plain and "{" not in plain
    # the noise ratio is named for what it is, and may exceed 100%
    assert "noise ratio (noise variance / variance across points)" in plain and "130%" in plain and "can exceed 100%" in plain
    assert "share of variance between replicates" not in plain
    # ST above 1 with a tiny sample is marked, and the report says to raise the sample
    assert "1.57 ± 1.5!" in plain and "0.35 ± 0.03 " in plain + " "
    assert "outside [0, 1], which a Sobol' index (a share of variance) cannot be" in plain and "raise samples (now 8)" in plain
    # plot captions say what the method measures
    morris = plot_caption(Path("sensitivity_00_debris.png"), BatchManifest(experiment={"name": "s"}, sensitivity={"method": "morris"}))
    assert (
        morris.startswith("Morris screening of debris: mu* against sigma, a point per parameter: mu* the mean absolute elementary effect")
        and "variance each parameter explains" not in morris
    )
    assert "SALib gives none for sigma" in morris
    sobol = plot_caption(Path("sensitivity_01_mean_trust_mean_of_steps_20_30.png"), BatchManifest(experiment={"name": "s"}, sensitivity={"method": "sobol"}))
    assert (
        sobol.startswith("Sobol' indices of mean trust (mean of steps 20–30): ST (blue), the share of the outcome's variance")
        and "! and ? mark unreliable values" in sobol
    )
    delta = plot_caption(Path("sensitivity_00_debris.png"), BatchManifest(experiment={"name": "s"}, sensitivity={"method": "delta"}))
    assert delta.startswith("delta (moment-independent) sensitivity of debris: delta, Borgonovo's moment-independent importance")
    assert plot_caption(Path("sensitivity_convergence_00_debris.png")).startswith("Convergence check")


def test_text_from_the_folder_is_escaped(batch_dirs, tmp_path):
    folder = copy_of(batch_dirs[1], tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["experiment"]["description"] = 'Weak <script>alert("x")</script> & strong law'
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = write_report(folder).read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; strong law" in text


# --------------------------------------------------------------------- a single run


def test_run_folder_report(tmp_path, capsys):
    from spacesim import shipped_scenario

    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    folder = tmp_path / "run"
    result = spacesim("run", "teaching_small.yaml", "--steps", "14", "--seed", "5", "--out", str(folder), "--set", "trust_loss=3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert main(["report", str(folder)]) == 0
    out = Path(capsys.readouterr().out.strip())
    assert out == folder / "report.html"
    page = assert_self_contained(out)
    assert page.sections == ["findings", "what-ran", "outcomes", "plots", "events"], "the findings first, as in a batch's report"
    plain = page.plain
    start = plain.index("Generated from this run's tables")
    findings = plain[start : plain.index("What ran", start)]
    assert "over 14 quarters (2025 Q1 to 2028 Q3)" in findings and "This is one run (seed 5)" in findings
    assert "RUS conducted a destructive ASAT test in 2028 Q1 (step 12); over that step mean threat perception rose" in findings
    assert "Scenario: teaching_small" in plain and "seed 5" in plain and "steps 14" in plain
    assert "--set trust_loss=3" in plain and "trust_loss 3 2 differs from the default" in plain
    steps = pd.read_parquet(folder / "steps.parquet")
    assert f"mean trust {fmt(steps['mean_trust'].iloc[0])} {fmt(steps['mean_trust'].iloc[-1])}" in plain
    events = pd.read_parquet(folder / "events.parquet")
    assert "asat_test" in set(events["kind"])  # the scenario's test at step 12
    assert events.loc[events["kind"] == "asat_test", "narrative"].iloc[0] in plain
    assert f"n asat tests {int(steps['n_asat_tests'].sum())}" in plain


# --------------------------------------------------------------------- bad input


def test_bad_input_is_refused_with_exit_2(batch_dirs, tmp_path, capsys):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    empty = tmp_path / "empty"
    empty.mkdir()
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "manifest.json").write_text(json.dumps({"kind": "batch", "status": "interrupted"}))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    no_runs = copy_of(batch_dirs[1], tmp_path / "x")
    (no_runs / "runs.parquet").unlink()
    bad_comparison = copy_of(batch_dirs[1], tmp_path / "y")
    pd.DataFrame({"outcome": ["mean_trust"], "mean_diff": [0.1]}).to_parquet(bad_comparison / "comparison.parquet")

    cases = {
        tmp_path / "missing": "no such result folder",
        not_a_folder: "not a folder",
        empty: "no manifest.json",
        unfinished: "the batch is interrupted, not completed",
        broken: "cannot read the manifest",
        no_runs: "missing runs.parquet",
        bad_comparison: "missing columns variant_a, variant_b, ci_low, ci_high",
    }
    for folder, message in cases.items():
        assert main(["report", str(folder)]) == 2, folder
        err = capsys.readouterr().err
        assert err.startswith(f"error: {folder}") and message in err and "Traceback" not in err, err
        if folder.is_dir():
            assert not (folder / "report.html").exists()
    assert main(["report", str(unfinished)]) == 2 and "--resume" in capsys.readouterr().err
    with pytest.raises(InputError):
        write_report(empty)

    kept = tmp_path / "kept.html"
    kept.write_text("keep me")
    assert main(["report", str(empty), "--out", str(kept)]) == 2  # the folder is checked first
    assert "no manifest.json" in capsys.readouterr().err and kept.read_text() == "keep me"

    result = spacesim("report", str(unfinished))
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
