"""Posteriors feed batches (parameters_from) and single runs (spacesim run --posterior)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from spacesim.cli import main
from spacesim.experiment.design import build_design
from spacesim.scenario import InputError
from spacesim.scenario.experiment import load_experiment
from spacesim.scenario.library import shipped_scenario


@pytest.fixture
def posterior(tmp_path):
    """A calibration folder's posterior: three particles, the second twice as heavy as the others."""
    folder = tmp_path / "calib"
    folder.mkdir()
    pd.DataFrame({"membership_rate": [0.1, 0.2, 0.4], "trust_floor": [0.3, 0.35, 0.5], "weight": [0.25, 0.5, 0.25], "generation": 3}).to_parquet(
        folder / "posterior.parquet"
    )
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibration", "status": "completed"}))
    return folder


def _experiment(tmp_path, extra: str) -> object:
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"schema_version: 1\nname: e\ndescription: d\nscenario: {shipped_scenario('teaching_small')}\nsteps: 3\nreplicates: 8\nseed: 4\n"
        "variants:\n  low: {legal_clarity: 0.1}\n  high: {legal_clarity: 0.9}\n" + extra
    )
    return path


def test_each_replicate_takes_a_posterior_draw_shared_by_the_variants(tmp_path, posterior):
    exp = load_experiment(_experiment(tmp_path, "parameters_from: {posterior: calib, draws: 5}\n"))
    design = build_design(exp)
    by = {(t.variant, t.replicate): t for t in design.tasks}
    particles = {(0.1, 0.3), (0.2, 0.35), (0.4, 0.5)}
    for r in range(8):
        low, high = by[("low", r)], by[("high", r)]
        assert low.seed == high.seed
        assert (low.settings["membership_rate"], low.settings["trust_floor"]) in particles
        assert low.settings["membership_rate"] == high.settings["membership_rate"]
        assert (low.settings["legal_clarity"], high.settings["legal_clarity"]) == (0.1, 0.9)
    assert by[("low", 5)].settings["membership_rate"] == by[("low", 0)].settings["membership_rate"]  # draws cycle
    again = build_design(load_experiment(exp.path))
    assert [t.settings for t in again.tasks] == [t.settings for t in design.tasks]


def test_draws_follow_the_weights(tmp_path, posterior):
    exp = load_experiment(_experiment(tmp_path, "parameters_from: {posterior: calib, draws: 4000}\n"))
    from spacesim.experiment.design import posterior_draws

    rates = np.array([d["membership_rate"] for d in posterior_draws(exp)])
    assert abs((rates == 0.2).mean() - 0.5) < 0.04


def test_a_batch_runs_with_posterior_draws(tmp_path, posterior, capsys):
    path = _experiment(tmp_path, "parameters_from: {posterior: calib}\ntables: []\nplots: []\n")
    assert main(["batch", str(path), "--out", str(tmp_path / "b"), "--workers", "1", "--no-plots"]) == 0
    runs = pd.read_parquet(tmp_path / "b" / "runs.parquet")
    assert set(runs["membership_rate"]) <= {0.1, 0.2, 0.4} and len(runs) == 16


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("parameters_from: {posterior: nowhere}\n", "parameters_from.posterior: no such calibration folder: nowhere"),
        ("parameters_from: {posterior: calib}\nparameters: {trust_floor: 0.4}\n", "the posterior fits trust_floor, which the file also sets or varies"),
        ("parameters_from: {posterior: calib, drawz: 3}\n", "parameters_from.drawz: unknown field"),
    ],
)
def test_bad_parameters_from_is_refused(tmp_path, posterior, extra, words):
    with pytest.raises(InputError) as err:
        load_experiment(_experiment(tmp_path, extra))
    assert words in str(err.value)


def test_run_with_the_posterior_mean(tmp_path, posterior, capsys):
    assert (
        main(
            [
                "run",
                str(shipped_scenario("teaching_small")),
                "--steps",
                "2",
                "--posterior",
                str(posterior),
                "--set",
                "trust_floor=0.4",
                "--out",
                str(tmp_path / "r"),
                "--no-plots",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "membership_rate = 0.225" in out
    runs = pd.read_parquet(tmp_path / "r" / "runs.parquet")
    assert runs["membership_rate"].item() == pytest.approx(0.225) and runs["trust_floor"].item() == 0.4
    assert main(["run", str(shipped_scenario("teaching_small")), "--posterior", str(tmp_path / "none")]) == 2
