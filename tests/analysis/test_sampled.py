"""Sampled designs: outcome against each parameter, rank correlations per parameter, and plots the design cannot draw refused at validation."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from spacesim import shipped_scenario
from spacesim.analysis.sampled import parameter_panel, rank_correlations, spearman_interval
from spacesim.cli import main

LHS = textwrap.dedent("""\
    schema_version: 1
    name: lhs
    description: A Latin hypercube over two levers.
    scenario: teaching_small.yaml
    steps: 8
    replicates: 2
    seed: 5
    vary:
      sample:
        method: latin_hypercube
        n: 20
        ranges:
          legal_clarity: [0.0, 1.0]
          trust_loss: [0.5, 6.0]
    outcomes: [mean_trust, n_bilateral]
    plots: [envelope, scatter, distribution]
    tables: []
    """)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    (tmp_path / "lhs.yaml").write_text(LHS)
    return tmp_path


def test_a_sampled_batch_is_summarised_per_parameter_and_drawn_against_each(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = folder / "out"
    assert main(["batch", str(folder / "lhs.yaml"), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Spearman rank correlation of each outcome" in printed and "over 20 design points" in printed
    assert "mean final outcomes over replicates, by variant" not in printed  # not one pooled row
    block = printed[printed.index("  mean_trust:\n") :]
    assert "legal_clarity" in block and "trust_loss" in block and "rho " in block
    assert {p.name for p in (out / "plots").glob("by_parameter_*.png")} == {"by_parameter_mean_trust.png", "by_parameter_n_bilateral.png"}

    # the table is scipy's Spearman on the per-point means
    runs = pd.read_parquet(out / "runs.parquet")
    import json

    design = json.loads((out / "manifest.json").read_text())["design"]
    table = rank_correlations(runs, design, ["mean_trust"]).set_index("parameter")
    means = runs.groupby("point").agg(legal_clarity=("legal_clarity", "first"), trust_loss=("trust_loss", "first"), y=("final_mean_trust", "mean"))
    for p in ("legal_clarity", "trust_loss"):
        assert table.loc[p, "rho"] == pytest.approx(spearmanr(means[p], means["y"]).statistic)
        assert table.loc[p, "low"] <= table.loc[p, "rho"] <= table.loc[p, "high"] and table.loc[p, "points"] == 20

    from spacesim.analysis.report import write_report

    html = write_report(out).read_text()
    assert "Outcomes by parameter" in html and "by_parameter_mean_trust.png" in html


def test_the_panel_has_an_axis_per_parameter_with_points_and_a_smoother() -> None:
    rng = np.random.default_rng(0)
    n = 60
    runs = pd.DataFrame({"run_id": range(n), "point": range(n), "variant": "v", "status": "completed", "a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n)})
    runs["final_mean_trust"] = np.sin(3 * runs["a"]) + 0.05 * rng.normal(size=n)
    fig = parameter_panel(runs, {"varied": ["a", "b"]}, "mean_trust")
    axes = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_xlabel() for ax in axes] == ["a", "b"]
    for ax in axes:
        assert len(ax.collections[0].get_offsets()) == n and len(ax.lines) == 1  # the points and the LOWESS line
    smooth = axes[0].lines[0].get_ydata()
    assert np.max(np.abs(smooth - np.sin(3 * np.sort(runs["a"].to_numpy())))) < 0.1  # the smoother follows the curve
    assert axes[0].get_title().startswith("rho +0.")


def test_spearman_interval_covers_the_true_correlation_at_its_level() -> None:
    """The interval's coverage over many samples of a bivariate normal (rho_s = 6/pi asin(r/2)) is close to 95%."""
    rng = np.random.default_rng(2)
    r, n, trials = 0.6, 40, 400
    true = 6 / np.pi * np.arcsin(r / 2)
    cov = [[1, r], [r, 1]]
    hits = 0
    for _ in range(trials):
        x, y = rng.multivariate_normal([0, 0], cov, n).T
        _, low, high, _ = spearman_interval(x, y)
        hits += low <= true <= high
    assert 0.91 <= hits / trials <= 0.985


@pytest.mark.parametrize(
    ("vary", "plots", "message"),
    [
        (
            "vary:\n  sample: {method: latin_hypercube, n: 8, ranges: {legal_clarity: [0, 1]}}\n",
            "[heatmap]",
            "vary.sample samples points that lie on no grid; use scatter",
        ),
        ("vary:\n  grid: {legal_clarity: [0.2, 0.8]}\n", "[envelope, heatmap]", "a heatmap needs a grid over exactly two parameters; vary.grid has 1"),
        ("", "[scatter]", "this experiment varies none"),
    ],
)
def test_a_plot_the_design_cannot_draw_is_refused_at_validation(folder: Path, capsys: pytest.CaptureFixture[str], vary: str, plots: str, message: str) -> None:
    text = LHS.split("vary:")[0] + vary + f"outcomes: [mean_trust]\nplots: {plots}\n"
    (folder / "bad.yaml").write_text(text)
    assert main(["validate", str(folder / "bad.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "plots[" in err and message in err and "Traceback" not in err


def test_the_default_plots_skip_what_the_design_cannot_draw(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "ok.yaml").write_text(LHS.replace("plots: [envelope, scatter, distribution]\n", ""))
    assert main(["validate", str(folder / "ok.yaml")]) == 0
    (folder / "net.yaml").write_text(LHS.replace("plots: [envelope, scatter, distribution]\n", "plots: [network]\n"))
    assert main(["validate", str(folder / "net.yaml")]) == 2
    assert "keep them (tables: [nations, partnerships, ...])" in capsys.readouterr().err
