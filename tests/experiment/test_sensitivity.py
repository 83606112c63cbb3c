"""Sensitivity analysis: the SALib pipeline on a function with known indices, and end to end on the model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol

from spacesim.analysis.sensitivity import SensitivityProblem, analyse, point_outcomes, sample
from spacesim.cli import main
from spacesim.experiment import load_experiment
from spacesim.experiment.design import sensitivity_sample
from spacesim.experiment.worker import FAULT_ENV
from spacesim.scenario.experiment import WindowOutcome

ISHIGAMI = SensitivityProblem.uniform({"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi), "x3": (-np.pi, np.pi)})


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


#: Published indices of the Ishigami function for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2010; SALib's documentation example).
ISHIGAMI_INDICES = {
    ("S1", "x1", None): 0.3139, ("S1", "x2", None): 0.4424, ("S1", "x3", None): 0.0,
    ("ST", "x1", None): 0.5576, ("ST", "x2", None): 0.4424, ("ST", "x3", None): 0.2437,
    ("S2", "x1", "x2"): 0.0, ("S2", "x1", "x3"): 0.2437, ("S2", "x2", "x3"): 0.0,
}  # fmt: skip
#: Stated tolerance: every index within 0.03 of its published value (about a third of the 95% half-width SALib reports at N = 1024).
ISHIGAMI_TOLERANCE = 0.03


@pytest.mark.statistical
def test_the_sensitivity_pipeline_recovers_the_ishigami_indices(tmp_path: Path) -> None:
    """The Ishigami function through spacesim's own pipeline (not the model): the design, replicates averaged per point, SALib's analysis, sensitivity.parquet."""
    from spacesim.analysis.sensitivity import COLUMNS, sensitivity_of_function
    from spacesim.scenario.experiment import SensitivitySpec

    calls = {"n": 0}

    def noisy_ishigami(v: dict[str, float], rng: np.random.Generator) -> dict[str, float]:
        calls["n"] += 1  # a stochastic "model": the replicates differ, their mean is the Ishigami function
        x = np.array([[v["x1"], v["x2"], v["x3"]]])
        return {"y": float(ishigami(x)[0]) + rng.normal(0.0, 0.3)}

    spec = SensitivitySpec(samples=1024, parameters={k: {"low": -np.pi, "high": np.pi} for k in ("x1", "x2", "x3")}, outcomes=["y"])
    table, account = sensitivity_of_function(spec, noisy_ishigami, tmp_path, replicates=4, seed=3)
    written = pd.read_parquet(tmp_path / "sensitivity.parquet")
    pd.testing.assert_frame_equal(table, written)
    assert list(written.columns) == list(COLUMNS) and set(written["method"]) == {"sobol"} and set(written["statistic"]) == {"final"}
    assert account["points"] == 1024 * (2 * 3 + 2) and calls["n"] == 4 * account["points"] and account["table"] == "sensitivity.parquet"
    got = {(r["index"], r["parameter"], None if pd.isna(r["parameter2"]) else r["parameter2"]): (r["value"], r["confidence"]) for _, r in written.iterrows()}
    assert set(got) == set(ISHIGAMI_INDICES)
    for key, published in ISHIGAMI_INDICES.items():
        value, confidence = got[key]
        assert value == pytest.approx(published, abs=ISHIGAMI_TOLERANCE), key
        assert abs(value - published) <= confidence < 0.15, key  # the published value lies in SALib's 95% interval
    # the noise the replicates leave in the point means: (0.3^2 / 4) over the variance of the Ishigami function (about 13.84)
    assert account["noise"]["y"] == pytest.approx(0.09 / 4 / 13.84, rel=0.2)


def test_sobol_pipeline_equals_salib_called_directly() -> None:
    x = sample(ISHIGAMI, "sobol", 256, seed=5)
    y = ishigami(x)
    ours = analyse(ISHIGAMI, "sobol", x, y, resamples=500, seed=5)
    direct = salib_sobol.analyze(ISHIGAMI.salib(), y, calc_second_order=True, num_resamples=500, conf_level=0.95, seed=5)
    assert ours[ours["index"] == "ST"]["value"].tolist() == pytest.approx(direct["ST"].tolist())
    assert ours[ours["index"] == "S1"]["confidence"].tolist() == pytest.approx(direct["S1_conf"].tolist())
    assert ours[ours["index"] == "S2"]["value"].tolist() == pytest.approx([direct["S2"][0, 1], direct["S2"][0, 2], direct["S2"][1, 2]])


def test_morris_pipeline_equals_elementary_effects_computed_by_hand() -> None:
    levels, d = 4, 3
    x = sample(ISHIGAMI, "morris", 30, levels=levels, seed=2)
    y = ishigami(x)
    table = analyse(ISHIGAMI, "morris", x, y, levels=levels, seed=2).set_index(["index", "parameter"])
    delta = levels / (2 * (levels - 1))  # one grid jump, in units of the parameter's range
    effects: dict[int, list[float]] = {i: [] for i in range(d)}
    for t in range(30):
        rows = slice(t * (d + 1), (t + 1) * (d + 1))
        xt, yt = x[rows], y[rows]
        for k in range(d):
            step = xt[k + 1] - xt[k]
            i = int(np.flatnonzero(step)[0])
            effects[i].append((yt[k + 1] - yt[k]) / delta * np.sign(step[i]))
    for i, name in enumerate(ISHIGAMI.names):
        ee = np.array(effects[i])
        assert table.loc[("mu_star", name), "value"] == pytest.approx(np.abs(ee).mean())
        assert table.loc[("mu", name), "value"] == pytest.approx(ee.mean())
        assert table.loc[("sigma", name), "value"] == pytest.approx(ee.std(ddof=1))
    direct = salib_morris.analyze(ISHIGAMI.salib(), x, y, num_levels=levels, num_resamples=1000, seed=2)
    assert [table.loc[("mu_star", n), "confidence"] for n in ISHIGAMI.names] == pytest.approx(list(direct["mu_star_conf"]))


def test_samples_are_reproducible_and_follow_the_distributions() -> None:
    p = SensitivityProblem(("a", "b"), ((0.0, 1.0), (2.0, 4.0, 0.25)), ("unif", "triang"))
    x = sample(p, "sobol", 256, seed=9)
    assert (x == sample(p, "sobol", 256, seed=9)).all() and not (x == sample(p, "sobol", 256, seed=10)).all()
    assert x[:, 0].min() >= 0 and x[:, 0].max() <= 1 and x[:, 1].min() >= 2 and x[:, 1].max() <= 4
    # triangular on [2, 4] with its mode at 2.5: mean (2 + 4 + 2.5) / 3
    assert x[:, 1].mean() == pytest.approx(8.5 / 3, abs=0.02)


def test_point_outcomes_average_replicates_and_windows() -> None:
    runs = pd.DataFrame({"run_id": [0, 1, 2, 3], "point": [0, 0, 1, 1], "status": ["completed", "completed", "completed", "failed"], "final_x": [1.0, 3.0, 5.0, np.nan]})
    steps = pd.DataFrame({"run_id": [0, 0, 0, 1, 1, 1, 2, 2, 2], "step": [0, 1, 2] * 3, "x": [0.0, 2.0, 4.0, 1.0, 1.0, 1.0, 9.0, 9.0, 6.0]})
    means, _, counts = point_outcomes(runs, steps, "x", 2)
    assert means.tolist() == [2.0, 5.0] and counts.tolist() == [2, 1]
    means, _, _ = point_outcomes(runs, steps, WindowOutcome(outcome="x", window=(1, 2)), 2)
    assert means.tolist() == [(3.0 + 1.0) / 2, 7.5]
    from spacesim.analysis.sensitivity import SensitivityUnavailable

    runs.loc[2, "status"] = "failed"
    with pytest.raises(SensitivityUnavailable, match="1 of 2 sample points have no completed run"):
        point_outcomes(runs, steps, "x", 2)


SENSITIVITY = """\
schema_version: 1
name: sens
description: Sobol' sensitivity of a small world.
scenario: teaching_small.yaml
steps: 10
replicates: 2
seed: 4
sensitivity:
  method: sobol
  samples: 8
  parameters:
    legal_clarity: {low: 0.0, high: 1.0}
    trust_loss: {low: 0.5, high: 6.0, distribution: triangular, peak: 2.0}
    proposal_rate: {low: 0.1, high: 0.9}
  outcomes: [n_bilateral, {outcome: mean_trust, window: [5, 10]}]
outcomes: [n_bilateral, mean_trust]
plots: []
tables: []
"""


@pytest.fixture
def sensitivity_experiment(workdir: Path) -> Path:
    path = workdir / "sens.yaml"
    path.write_text(SENSITIVITY)
    return path


def test_sensitivity_command_end_to_end(sensitivity_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["sensitivity", str(sensitivity_experiment), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Sobol' sensitivity over 64 sample points" in printed and "n_bilateral: parameters ranked by total index ST" in printed
    assert "  convergence: " in printed  # the verdict of the N/4, N/2, N check follows each outcome's ranking
    tables = "sensitivity.parquet, sensitivity_convergence.parquet, sensitivity_over_time.parquet"
    assert f"results: {out}/ (manifest.json, runs.parquet, steps.parquet, {tables}, plots/)" in printed
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert list(table.columns) == ["method", "outcome", "statistic", "parameter", "parameter2", "index", "value", "confidence"]
    assert len(table) == 2 * (3 * 2 + 3)  # two outcomes x (S1 and ST of 3 parameters + 3 pairs)
    assert set(table["statistic"]) == {"final", "mean of steps 5-10"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sensitivity"]["method"] == "sobol" and manifest["sensitivity"]["points"] == 64
    assert manifest["sensitivity"]["parameters"]["trust_loss"] == {"distribution": "triangular", "low": 0.5, "high": 6.0, "peak": 2.0}
    assert {p.name for p in (out / "plots").glob("sensitivity_*.png")} == {
        "sensitivity_00_n_bilateral.png", "sensitivity_01_mean_trust_mean_of_steps_5_10.png",  # S1 and ST
        "sensitivity_interactions_00_n_bilateral.png", "sensitivity_interactions_01_mean_trust_mean_of_steps_5_10.png",  # S2 as a matrix
        "sensitivity_convergence_00_n_bilateral.png", "sensitivity_convergence_01_mean_trust_mean_of_steps_5_10.png",  # N/4, N/2, N
        "sensitivity_over_time_00_n_bilateral.png", "sensitivity_over_time_01_mean_trust.png",  # per window of steps
    }  # fmt: skip
    checks = pd.read_parquet(out / "sensitivity_convergence.parquet")
    assert sorted(set(checks["samples"])) == [2, 4, 8] and set(checks["index"]) == {"ST"}
    assert set(manifest["sensitivity"]["convergence"]) == {"n_bilateral", "mean_trust (mean of steps 5-10)"}
    over_time = pd.read_parquet(out / "sensitivity_over_time.parquet")
    assert sorted(set(zip(over_time["window_first"], over_time["window_last"]))) == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]

    # the indices are SALib's on the replicate means of the same runs
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 128 and runs.groupby("point").size().eq(2).all()
    y = runs.groupby("point")["final_n_bilateral"].mean().to_numpy()
    problem = SensitivityProblem.uniform({"legal_clarity": (0.0, 1.0), "trust_loss": (0.5, 6.0), "proposal_rate": (0.1, 0.9)})
    direct = salib_sobol.analyze(problem.salib(), y, calc_second_order=True, num_resamples=1000, conf_level=0.95, seed=4)
    st = table[(table["outcome"] == "n_bilateral") & (table["index"] == "ST")]["value"].tolist()
    assert st == pytest.approx(direct["ST"].tolist())
    # the sampled values are the ones the runs used
    x = sensitivity_sample(load_experiment(sensitivity_experiment).spec)
    assert runs[["legal_clarity", "trust_loss", "proposal_rate"]].to_numpy() == pytest.approx(x[runs["point"].to_numpy()])
    assert runs["trust_loss"].between(0.5, 6.0).all()

    # another method on the same folder is refused; the same settings resume (nothing to do)
    assert main(["sensitivity", str(sensitivity_experiment), "--out", str(out), "--resume", "--method", "morris"]) == 2
    assert "started with other settings" in capsys.readouterr().err
    assert main(["sensitivity", str(sensitivity_experiment), "--out", str(out), "--resume"]) == 0


def test_sensitivity_morris_override(sensitivity_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "morris"
    assert main(["sensitivity", str(sensitivity_experiment), "--out", str(out), "--workers", "1", "--method", "morris"]) == 0
    assert "parameters ranked by mu*" in capsys.readouterr().out
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert set(table["index"]) == {"mu_star", "sigma", "mu"} and set(table["method"]) == {"morris"}
    assert len(pd.read_parquet(out / "runs.parquet")) == 8 * 4 * 2  # 8 trajectories of D + 1 = 4 points, 2 replicates


def test_sensitivity_with_a_point_that_never_completes_says_why(sensitivity_experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(FAULT_ENV, "6,7")  # both replicates of point 3
    out = tmp_path / "out"
    assert main(["sensitivity", str(sensitivity_experiment), "--out", str(out), "--workers", "1"]) == 3
    assert "sensitivity: not computed: 1 of 64 sample points have no completed run (points 3)" in capsys.readouterr().out
    assert not (out / "sensitivity.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["sensitivity"]["error"].startswith("1 of 64")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("outcomes: [n_bilateral, {", "outcomes: [n_bilateralz, {", "sensitivity.outcomes[0]: unknown outcome 'n_bilateralz'; did you mean 'n_bilateral'?"),
        ("proposal_rate: {low: 0.1", "proposal_rates: {low: 0.1", "sensitivity.parameters.proposal_rates: not a parameter of the model; did you mean 'proposal_rate'?"),
        ("{low: 0.0, high: 1.0}", "{low: 0.5, high: 0.5}", "sensitivity.parameters.legal_clarity: empty range: low must be below high (got low 0.5, high 0.5)"),
        ("{low: 0.0, high: 1.0}", "{low: 0.0, high: 2.0}", "sensitivity.parameters.legal_clarity: [0.0, 2.0] leaves the allowed range [0.0, 1.0] of legal_clarity"),
        ("samples: 8", "samples: 10", "sensitivity.samples: Sobol' sampling needs a power of two; use 8 or 16, not 10"),
        ("window: [5, 10]", "window: [5, 11]", "sensitivity.outcomes[1].window: the window must be [first, last] with 0 <= first <= last <= 10"),
        ("peak: 2.0", "peak: 9.0", "sensitivity.parameters.trust_loss.peak: a triangular distribution needs a peak within [0.5, 6.0]"),
        ("legal_clarity: {low: 0.0, high: 1.0}", "allow_bilateral: {low: 0, high: 1}", "sensitivity.parameters.allow_bilateral: a true/false lever has no range to sample"),
        ("  method: sobol", "  method: sobel", "sensitivity.method"),
        ("plots: []", "plots: []\nvary:\n  grid:\n    defection_temptation: [0.01, 0.02]", "vary: an experiment with a sensitivity section samples its parameters there"),
    ],
)
def test_bad_sensitivity_sections_are_refused_with_the_field(workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str) -> None:
    path = workdir / "bad.yaml"
    assert old in SENSITIVITY
    path.write_text(SENSITIVITY.replace(old, new))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "never").exists()


def test_a_stopped_sensitivity_batch_prints_the_command_that_resumes_it(sensitivity_experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    from spacesim.experiment.store import BatchStore

    commit = BatchStore.commit_chunk
    calls = {"n": 0}

    def stop_after_one(self: BatchStore, result) -> None:  # noqa: ANN001 - Ctrl-C while the second chunk is committed
        if calls["n"] == 1:
            raise KeyboardInterrupt
        calls["n"] += 1
        commit(self, result)

    monkeypatch.setattr(BatchStore, "commit_chunk", stop_after_one)
    out = tmp_path / "screening"
    assert main(["sensitivity", str(sensitivity_experiment), "--method", "morris", "--out", str(out), "--workers", "1", "--no-plots"]) == 130
    err = capsys.readouterr().err
    hint = err.split("resume with: ", 1)[1].strip()
    assert hint == f"spacesim sensitivity {sensitivity_experiment} --out {out} --resume --method morris --workers 1 --no-plots"
    # report and compare of the stopped folder name the command that finishes it, too
    assert main(["report", str(out)]) == 2
    assert f"finish it with spacesim sensitivity {sensitivity_experiment} --out {out} --resume --method morris)" in capsys.readouterr().err
    monkeypatch.setattr(BatchStore, "commit_chunk", commit)
    # the printed command works (the old hint, spacesim batch EXP --out DIR --resume, was refused)
    assert main(shlex.split(hint)[1:]) == 0
    assert "parameters ranked by mu*" in capsys.readouterr().out
    assert set(pd.read_parquet(out / "sensitivity.parquet")["method"]) == {"morris"}
    assert len(pd.read_parquet(out / "runs.parquet")) == 8 * 4 * 2


def _refused(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "never"), *options]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and not (tmp_path / "never").exists()
    return err


def test_settings_of_the_other_method_are_refused_with_file_line_and_field(workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workdir / "bad.yaml"
    # second_order under Morris (line 11 of the file)
    path.write_text(SENSITIVITY.replace("  method: sobol\n  samples: 8\n", "  method: morris\n  samples: 8\n  second_order: true\n"))
    err = _refused(path, tmp_path, capsys)
    assert f"{path}:11: sensitivity.second_order: a Sobol' setting, but the method is morris, which has no second-order indices" in err
    # levels under Sobol', even a valid even number
    path.write_text(SENSITIVITY.replace("  samples: 8\n", "  samples: 8\n  levels: 6\n"))
    err = _refused(path, tmp_path, capsys)
    assert f"{path}:11: sensitivity.levels: a Morris setting (the levels of its grid), but the method is sobol, which has no levels" in err
    assert main(["validate", str(path)]) == 2
    capsys.readouterr()


def test_method_on_the_command_line_is_checked_against_the_file_with_its_lines(workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workdir / "bad.yaml"
    # a Sobol' file that says second_order, run as Morris
    path.write_text(SENSITIVITY.replace("  samples: 8\n", "  samples: 8\n  second_order: false\n"))
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    err = _refused(path, tmp_path, capsys, "--method", "morris")
    assert f"{path}:11: sensitivity.second_order: a Sobol' setting, but the method is morris, from --method, which has no second-order indices; remove second_order from the file or run without --method morris" in err
    # a Morris file with levels and 5 trajectories, run as Sobol': both problems, each with its line
    path.write_text(SENSITIVITY.replace("  method: sobol\n  samples: 8\n", "  method: morris\n  samples: 5\n  levels: 4\n"))
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    err = _refused(path, tmp_path, capsys, "--method", "sobol")
    assert f"{path}:10: sensitivity.samples: Sobol' sampling needs a power of two; use 4 or 8, not 5 (the method is sobol, from --method)" in err
    assert f"{path}:11: sensitivity.levels: a Morris setting" in err
    # the override alone is fine when nothing in the file belongs to the other method
    experiment = load_experiment(sensitivity_experiment_text(workdir))
    assert experiment.with_method("morris").spec.sensitivity.method == "morris"


def sensitivity_experiment_text(workdir: Path) -> Path:
    path = workdir / "good.yaml"
    path.write_text(SENSITIVITY)
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("replicates: 2", "replicates: {target_halfwidth: small, outcome: n_bilateral, min: 2, max: 4}", "bad.yaml:6: replicates.target_halfwidth: Input should be a valid number (got 'small')"),
        ("replicates: 2", "replicates: {target_halfwidth: 0.5, outcome: n_bilateral, min: 2}", "bad.yaml:6: replicates.max: required field is missing"),
        ("replicates: 2", "replicates: many", "bad.yaml:6: replicates: Input should be a valid integer (got 'many')"),
        ("{low: 0.0, high: 1.0}", "{low: a, high: 1.0}", "bad.yaml:12: sensitivity.parameters.legal_clarity.low: must be a number (got 'a')"),
        ("{low: 0.0, high: 1.0}", "[0, 1]", "bad.yaml:12: sensitivity.parameters.legal_clarity: expected a mapping like {low: ..., high: ...}"),
        ("peak: 2.0", "peak: high", "bad.yaml:13: sensitivity.parameters.trust_loss.peak: must be a number (got 'high')"),
        ("outcomes: [n_bilateral, {", "outcomes: [3, {", "bad.yaml:15: sensitivity.outcomes[0]: Input should be a valid string (got 3)"),
    ],
)
def test_messages_name_the_field_that_is_wrong_and_how(workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str) -> None:
    path = workdir / "bad.yaml"
    assert old in SENSITIVITY
    path.write_text(SENSITIVITY.replace(old, new, 1))
    err = _refused(path, tmp_path, capsys)
    assert message in err, err
    assert "valid integer" not in err or "many" in new  # a float field is not "an integer"
    assert len(err.strip().splitlines()) == 1, err  # one problem, not one per branch of a union


def test_help_shows_a_plain_percent_sign(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sensitivity", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "with 95% intervals" in text and "%%" not in text


def test_unreliable_indices_are_marked_and_the_ranking_says_to_raise_samples() -> None:
    from spacesim.analysis.sensitivity import caveat, ranking

    rows = []
    for parameter, (s1, c1), (st, ct) in (("a", (0.77, 0.53), (1.57, 1.50)), ("b", (-0.31, 0.78), (0.48, 0.69)), ("c", (0.30, 0.03), (0.35, 0.04))):
        rows += [
            {"method": "sobol", "outcome": "x", "statistic": "final", "parameter": parameter, "parameter2": None, "index": "S1", "value": s1, "confidence": c1},
            {"method": "sobol", "outcome": "x", "statistic": "final", "parameter": parameter, "parameter2": None, "index": "ST", "value": st, "confidence": ct},
        ]
    text = ranking(pd.DataFrame(rows), {"x": 1.4}, samples=8)
    lines = text.splitlines()
    assert lines[0] == "x: parameters ranked by total index ST; replicate noise / variance across points 1.40"
    assert lines[1].split()[:5] == ["1.", "a", "ST", "1.570", "+-"] and "1.500!" in lines[1] and "0.530 " in lines[1]  # ST > 1: impossible
    assert "0.690?" in lines[2] and "0.780!" in lines[2]  # interval wider than the value; S1 < 0
    assert "!" not in lines[3] and "?" not in lines[3]
    assert "! outside [0, 1], which a Sobol' index (a share of variance) cannot be" in text
    assert "raise samples (now 8)" in text
    assert caveat("morris", "mu_star", 0.5, 0.1) is None and caveat("morris", "mu_star", 0.05, 0.1) == "wide"


def test_sensitivity_needs_a_sensitivity_section(small_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", str(small_experiment), "--out", str(tmp_path / "x")]) == 2
    assert "the experiment has no sensitivity section" in capsys.readouterr().err


# --------------------------------------------------------------------- the other SALib methods, convergence, honest plots

#: SALib's own regression values for the Ishigami function (SALib tests/test_regression.py, N = 10000 there), checked with its tolerance (atol 0.05, rtol 0.1).
SALIB_PUBLISHED = {
    "fast": {"S1": [0.31, 0.44, 0.00], "ST": [0.55, 0.44, 0.24]},
    "rbd_fast": {"S1": [0.31, 0.44, 0.00]},
    "delta": {"delta": [0.210, 0.358, 0.155], "S1": [0.31, 0.44, 0.00]},
    "dgsm": {"dgsm": [2.229, 7.066, 3.180]},
}
#: Sample sizes: SALib's regression tests use 10000; these pass its tolerance in a fraction of the time (delta's estimator is slow: ~30 s at 2000 points on a busy 2-core machine).
SALIB_SAMPLES = {"fast": 1000, "rbd_fast": 4000, "delta": 2000, "dgsm": 2000}


@pytest.mark.statistical
@pytest.mark.parametrize("name", sorted(SALIB_PUBLISHED))
def test_each_new_method_recovers_salibs_ishigami_values(name: str) -> None:
    x = sample(ISHIGAMI, name, SALIB_SAMPLES[name], seed=1)
    table = analyse(ISHIGAMI, name, x, ishigami(x), resamples=10 if name == "delta" else 200, seed=1)  # delta: SALib's own test uses 10 resamples
    for index, published in SALIB_PUBLISHED[name].items():
        got = table[table["index"] == index].set_index("parameter").loc[["x1", "x2", "x3"], "value"].to_numpy()
        np.testing.assert_allclose(got, published, atol=5e-2, rtol=1e-1, err_msg=f"{name} {index}")


def test_pawn_equals_salib_and_ranks_the_ishigami_parameters() -> None:
    """SALib's tests pin no PAWN values for Ishigami: the pipeline must equal SALib called directly, and the ranking must be the known one (x2, x1, x3)."""
    from SALib.analyze import pawn

    x = sample(ISHIGAMI, "pawn", 2000, seed=1)
    y = ishigami(x)
    ours = analyse(ISHIGAMI, "pawn", x, y).set_index(["index", "parameter"])["value"]
    direct = pawn.analyze(ISHIGAMI.salib(), x, y, S=10)
    assert [ours[("median", p)] for p in ("x1", "x2", "x3")] == pytest.approx(list(direct["median"]))
    assert ours[("median", "x2")] > ours[("median", "x1")] > ours[("median", "x3")]
    assert analyse(ISHIGAMI, "pawn", x, y)["confidence"].isna().all()  # PAWN has no interval; none is invented


def test_fast_keeps_no_interval_and_the_analysers_leave_numpys_global_generator_alone() -> None:
    x = sample(ISHIGAMI, "fast", 200, seed=2)
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    table = analyse(ISHIGAMI, "fast", x, ishigami(x), seed=9)
    import warnings

    filters, formatter = list(warnings.filters), warnings.formatwarning
    for name in ("delta", "dgsm"):
        xs = sample(ISHIGAMI, name, 64, seed=2)
        analyse(ISHIGAMI, name, xs, ishigami(xs), resamples=20, seed=9)
    assert np.random.random() == expected  # the global state was put back
    assert warnings.filters == filters and warnings.formatwarning is formatter  # SALib's delta changes both; spacesim puts them back
    assert table["confidence"].isna().all()  # SALib calls its FAST intervals unreliable: not shown


def test_delta_and_dgsm_are_reproducible_in_their_seed() -> None:
    x = sample(ISHIGAMI, "dgsm", 64, seed=4)
    first = analyse(ISHIGAMI, "dgsm", x, ishigami(x), resamples=50, seed=3)
    again = analyse(ISHIGAMI, "dgsm", x, ishigami(x), resamples=50, seed=3)
    pd.testing.assert_frame_equal(first, again)


def test_the_convergence_check_flags_a_small_sample_and_passes_a_large_one() -> None:
    from spacesim.analysis.sensitivity import convergence

    small = sample(ISHIGAMI, "sobol", 16, seed=1)
    check = convergence(ISHIGAMI, "sobol", small, ishigami(small), samples=16, resamples=300, seed=1)
    assert check.enough is False and check.reasons
    assert sorted(set(check.table["samples"])) == [4, 8, 16]
    large = sample(ISHIGAMI, "sobol", 2048, second_order=False, seed=1)
    check = convergence(ISHIGAMI, "sobol", large, ishigami(large), samples=2048, second_order=False, resamples=300, seed=1)
    assert check.enough is True, check.reasons
    # the interval at N is computed on all of N, at N/2 on its first half
    direct = salib_sobol.analyze(ISHIGAMI.salib(), ishigami(large[: 1024 * 5]), calc_second_order=False, num_resamples=300, seed=1)
    half = check.table[check.table["samples"] == 1024].set_index("parameter")["value"]
    assert half.loc[["x1", "x2", "x3"]].tolist() == pytest.approx(direct["ST"].tolist())
    # morris and the given-data methods are checked the same way; FAST's design cannot be cut
    xm = sample(ISHIGAMI, "morris", 8, seed=1)
    assert convergence(ISHIGAMI, "morris", xm, ishigami(xm), samples=8, seed=1).table["samples"].max() == 8
    xf = sample(ISHIGAMI, "fast", 100, seed=1)
    fast = convergence(ISHIGAMI, "fast", xf, ishigami(xf), samples=100)
    assert fast.enough is None and "cannot be cut" in fast.reasons[0]


def _texts(ax) -> str:
    """Every text artist of an axes and its figure: title, labels, annotations, tick labels."""
    fig = ax.figure
    parts = [t.get_text() for a in fig.axes for t in (*a.texts, a.title, a.xaxis.label, a.yaxis.label, *a.get_xticklabels())]
    return "\n".join(parts + [t.get_text() for t in fig.texts])


def test_the_marks_and_the_noise_ratio_are_on_the_plots() -> None:
    from spacesim.analysis.sensitivity import index_bars, interaction_matrix, morris_plane

    x = sample(ISHIGAMI, "sobol", 8, seed=1)  # deliberately small: indices outside [0, 1] and wide intervals
    table = analyse(ISHIGAMI, "sobol", x, ishigami(x), resamples=200, seed=1).assign(method="sobol", outcome="y", statistic="final")
    assert (~table["value"].between(0, 1)).any()
    text = _texts(index_bars(table, noise=0.42))
    assert "!" in [t.get_text() for t in index_bars(table).texts] and "?" in [t.get_text() for t in index_bars(table).texts]
    assert "outside [0, 1]" in text and "replicate noise / variance across points: 0.42" in text
    assert "!" in _texts(interaction_matrix(table)) or "?" in _texts(interaction_matrix(table))

    good = sample(ISHIGAMI, "sobol", 1024, second_order=False, seed=1)
    clean = analyse(ISHIGAMI, "sobol", good, ishigami(good), second_order=False, resamples=200, seed=1).assign(method="sobol", outcome="y", statistic="final")
    ax = index_bars(clean)
    assert not {t.get_text() for t in ax.texts} & {"!", "?"} or clean.query("index == 'S1' and parameter == 'x3'").shape[0]  # only x3's S1 (true value 0) may be '?'
    assert "outside [0, 1]" not in _texts(ax)

    xm = sample(ISHIGAMI, "morris", 10, seed=1)
    morris = analyse(ISHIGAMI, "morris", xm, ishigami(xm), seed=1).assign(method="morris", outcome="y", statistic="final")
    ax = morris_plane(morris, noise=0.05)
    assert ax.get_xlabel().startswith("mu*") and ax.get_ylabel().startswith("sigma")
    assert len(ax.containers) == 1 and ax.containers[0].has_xerr and not ax.containers[0].has_yerr  # an interval on mu* only: SALib gives none for sigma
    assert {a.get_text().split(" ")[0] for a in ax.texts if a.get_text().startswith("x")} == {"x1", "x2", "x3"}
    assert "replicate noise / variance across points: 0.05" in _texts(ax)


def test_new_methods_end_to_end_with_their_own_samples(sensitivity_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = sensitivity_experiment.read_text().replace("samples: 8", "samples: 24").replace("method: sobol", "method: delta")
    path = sensitivity_experiment.with_name("delta.yaml")
    path.write_text(text)
    out = tmp_path / "delta"
    assert main(["sensitivity", str(path), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "delta (moment-independent) sensitivity over 24 sample points" in printed and "parameters ranked by delta" in printed
    table = pd.read_parquet(out / "sensitivity.parquet")
    assert set(table["index"]) == {"delta", "S1"} and len(pd.read_parquet(out / "runs.parquet")) == 48
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sensitivity"]["sampler"].startswith("SALib.sample.latin")
    from spacesim.analysis.report import write_report

    html = write_report(out).read_text()
    assert "delta, Borgonovo" in html and "Convergence (the main index at N/4, N/2 and N)" in html and "n bilateral (final) — delta (moment-independent)" in html
    assert "sensitivity_convergence_00_n_bilateral.png" in html and "sensitivity_over_time_00_n_bilateral.png" in html
    # FAST needs more than 64 points per curve; DGSM refuses integer parameters; both said with the field
    assert main(["sensitivity", str(sensitivity_experiment), "--out", str(tmp_path / "f"), "--method", "fast"]) == 2
    err = capsys.readouterr().err
    assert "sensitivity.samples" in err and "FAST needs more than 64 points" in err


def test_the_method_names_are_declared_once() -> None:
    from spacesim.analysis.sensitivity import METHODS
    from spacesim.scenario.experiment import SENSITIVITY_METHODS

    assert tuple(METHODS) == SENSITIVITY_METHODS


def test_dgsm_steps_share_their_base_points_seeds(sensitivity_experiment: Path) -> None:
    from spacesim.experiment.design import build_design

    text = sensitivity_experiment.read_text().replace("method: sobol", "method: dgsm").replace("samples: 8", "samples: 4")
    path = sensitivity_experiment.with_name("dgsm.yaml")
    path.write_text(text)
    design = build_design(load_experiment(path))
    seeds = pd.DataFrame([{"point": t.point, "replicate": t.replicate, "seed": t.seed} for t in design.tasks])
    seeds["base"] = seeds["point"] // 4  # D + 1 = 4 points per base point
    assert (seeds.groupby(["base", "replicate"])["seed"].nunique() == 1).all()  # a base point and its steps: common random numbers
    assert seeds.groupby("replicate")["seed"].nunique().eq(4).all()  # different base points: different seeds


def test_a_convergence_check_with_nothing_to_rank_says_so() -> None:
    from spacesim.analysis.sensitivity import convergence

    x = sample(ISHIGAMI, "dgsm", 8, seed=1)
    steps_change_nothing = np.repeat(x[::4, 0], 4)  # like a count: the same at a base point and at its small steps
    check = convergence(ISHIGAMI, "dgsm", x, steps_change_nothing, samples=8, resamples=50)
    assert check.enough is None and "every dgsm is 0" in check.reasons[0]
    same = convergence(ISHIGAMI, "sobol", sample(ISHIGAMI, "sobol", 8, seed=1), np.ones(64), samples=8, resamples=50)
    assert same.enough is None and "the same at every sample point" in same.reasons[0]
    table = analyse(ISHIGAMI, "sobol", sample(ISHIGAMI, "sobol", 8, seed=1), np.ones(64))
    assert table["value"].isna().all() and len(table) == 9  # no index of an outcome that does not vary (SALib would divide by 0)
