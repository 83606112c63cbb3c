"""Paired comparison of variants: numbers against direct NumPy, the bootstrap, a real batch, the command line and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from spacesim import shipped_scenario
from spacesim.analysis import comparison as comparison_module
from spacesim.analysis.comparison import COLUMNS, forest_plot, format_comparison, paired_comparison
from spacesim.analysis.postrun import analyse_folder
from spacesim.analysis.summary import batch_summary
from spacesim.cli import main
from spacesim.experiment import run_batch
from spacesim.scenario import InputError
from tests.experiment.conftest import SMALL


def runs_table(values: dict[str, list[float]], point: int = 0, status: dict[tuple[str, int], str] | None = None, **params) -> pd.DataFrame:
    """A runs table of one design point: ``values[variant][replicate]`` is the final x; ``status`` marks failed runs."""
    rows = []
    for variant, xs in values.items():
        for r, x in enumerate(xs):
            s = (status or {}).get((variant, r), "completed")
            rows.append(
                {"point": point, "variant": variant, "replicate": r, "status": s, **params, "final_x": x if s == "completed" else np.nan, "final_y": 2 * x}
            )
    return pd.DataFrame(rows)


def direct_bootstrap(a: np.ndarray, b: np.ndarray, n_boot: int, seed: int, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """The intervals the docstring promises, computed the plain way."""
    rng = np.random.default_rng(seed)
    n = len(a)
    q = [50 * (1 - confidence), 50 * (1 + confidence)]
    paired = (b - a)[rng.integers(0, n, (n_boot, n))].mean(axis=1)
    ia = rng.integers(0, n, (n_boot, n))
    ib = rng.integers(0, n, (n_boot, n))
    unpaired = b[ib].mean(axis=1) - a[ia].mean(axis=1)
    low, high = np.percentile(paired, q)
    ulow, uhigh = np.percentile(unpaired, q)
    return low, high, ulow, uhigh


# --- numbers on hand-built tables --------------------------------------------------------------


def test_mean_difference_effect_size_and_shares_by_hand():
    runs = runs_table({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 2.0, 5.0, 5.0]})
    row = paired_comparison(runs, ["x"], n_boot=200).iloc[0]
    # differences 1, 0, 2, 1: mean 1; sd sqrt((0 + 1 + 1 + 0) / 3) = sqrt(2/3); d_z = 1 / sqrt(2/3) = 1.2247
    assert (row["variant_a"], row["variant_b"], row["n_pairs"]) == ("a", "b", 4)
    assert row["mean_a"] == 2.5 and row["mean_b"] == 3.5 and row["mean_diff"] == 1.0
    assert row["effect_size"] == pytest.approx(1.224744871, rel=1e-9)
    assert (row["share_b_better"], row["share_a_better"], row["share_tied"]) == (0.75, 0.0, 0.25)


def test_every_pair_in_file_order_against_numpy():
    rng = np.random.default_rng(5)
    base = rng.normal(size=7)
    values = {
        "both": base + rng.normal(0, 0.1, 7),
        "bilateral only": base - 0.3 + rng.normal(0, 0.1, 7),
        "multilateral only": base + 0.2 + rng.normal(0, 0.1, 7),
    }
    runs = runs_table({k: list(v) for k, v in values.items()})
    table = paired_comparison(runs, ["x", "y"], n_boot=500, seed=3)
    assert list(table.columns) == list(COLUMNS)
    pairs = [("both", "bilateral only"), ("both", "multilateral only"), ("bilateral only", "multilateral only")]
    assert list(zip(table["variant_a"], table["variant_b"])) == pairs * 2
    assert table["outcome"].tolist() == ["x"] * 3 + ["y"] * 3
    for (_, row), (a, b) in zip(table.iterrows(), pairs * 2):
        scale = 1.0 if row["outcome"] == "x" else 2.0
        d = scale * (values[b] - values[a])
        assert row["mean_diff"] == pytest.approx(d.mean(), abs=1e-12)
        assert row["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-9)
        assert row["share_b_better"] == pytest.approx(np.mean(d > 0)) and row["share_a_better"] == pytest.approx(np.mean(d < 0))
        assert row["ci_low"] < row["mean_diff"] < row["ci_high"]


def test_bootstrap_intervals_equal_a_direct_numpy_bootstrap_with_the_same_seed():
    """scipy.stats.bootstrap (spacesim.stats.difference_intervals) draws what the hand-written bootstrap drew: the numbers did not change."""
    rng = np.random.default_rng(11)
    a = rng.normal(10, 2, 9)
    b = a + rng.normal(0.5, 0.4, 9)
    c = a + rng.normal(-0.2, 1.5, 9)
    runs = runs_table({"a": list(a), "b": list(b), "c": list(c)})
    table = paired_comparison(runs, ["x"], n_boot=3001, seed=17, confidence=0.9)
    for (_, row), (x, z) in zip(table.iterrows(), [(a, b), (a, c), (b, c)]):
        expected = direct_bootstrap(x, z, 3001, 17, confidence=0.9)
        got = (row["ci_low"], row["ci_high"], row["unpaired_ci_low"], row["unpaired_ci_high"])
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_same_seed_same_table_and_a_row_does_not_depend_on_what_else_is_compared():
    rng = np.random.default_rng(2)
    runs = runs_table({"a": list(rng.normal(size=6)), "b": list(rng.normal(size=6)), "c": list(rng.normal(size=6))})
    one = paired_comparison(runs, ["x", "y"], n_boot=1000, seed=4)
    pd.testing.assert_frame_equal(one, paired_comparison(runs, ["x", "y"], n_boot=1000, seed=4))
    alone = paired_comparison(runs, ["x"], ["a", "c"], n_boot=1000, seed=4).iloc[0]
    same = one[(one["outcome"] == "x") & (one["variant_b"] == "c") & (one["variant_a"] == "a")].iloc[0]
    assert alone.equals(same)
    other = paired_comparison(runs, ["x", "y"], n_boot=1000, seed=5)
    assert not np.allclose(other["ci_low"], one["ci_low"])


def test_failed_runs_are_left_out_of_the_pairs():
    runs = runs_table({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 2.0, 5.0, 9.0]}, status={("b", 3): "failed", ("a", 0): "failed"})
    row = paired_comparison(runs, ["x"], n_boot=100).iloc[0]
    # pairs are replicates 1 and 2: differences 0 and 2
    assert row["n_pairs"] == 2 and row["mean_a"] == 2.5 and row["mean_b"] == 3.5 and row["mean_diff"] == 1.0
    assert row["effect_size"] == pytest.approx(1 / np.sqrt(2))


def test_effect_size_is_nan_without_spread_or_with_one_pair():
    same = paired_comparison(runs_table({"a": [1.0, 2.0, 3.0], "b": [1.5, 2.5, 3.5]}), ["x"], n_boot=100).iloc[0]
    assert same["mean_diff"] == 0.5 and np.isnan(same["effect_size"]) and same["ci_low"] == same["ci_high"] == 0.5
    one = paired_comparison(runs_table({"a": [1.0, 2.0], "b": [4.0, 5.0]}, status={("a", 1): "failed"}), ["x"], n_boot=100).iloc[0]
    assert one["n_pairs"] == 1 and one["mean_diff"] == 3.0 and np.isnan(one["effect_size"])


def test_design_points_get_a_row_each_with_the_varied_parameters():
    runs = pd.concat(
        [
            runs_table({"a": [1.0, 2.0], "b": [2.0, 4.0]}, point=0, legal_clarity=0.2, allow_bilateral=True, run_id=0),
            runs_table({"a": [5.0, 5.0], "b": [4.0, 5.0]}, point=1, legal_clarity=0.8, allow_bilateral=True, run_id=0),
        ]
    )
    table = paired_comparison(runs, ["x"], n_boot=100)
    assert list(table.columns) == ["outcome", "point", "legal_clarity", *COLUMNS[2:]]  # allow_bilateral does not vary
    assert table["point"].tolist() == [0, 1] and table["legal_clarity"].tolist() == [0.2, 0.8]
    assert table["mean_diff"].tolist() == [1.5, -0.5]
    text = format_comparison(table)
    assert "b − a (legal_clarity=0.2)  +1.50" in text and "b − a (legal_clarity=0.8)  -0.50" in text


def test_paired_interval_is_narrower_than_unpaired_when_runs_share_their_luck():
    rng = np.random.default_rng(8)
    luck = rng.normal(0, 1.0, 12)  # what both variants of a replicate share
    runs = runs_table({"a": list(luck), "b": list(luck + 0.3 + rng.normal(0, 0.1, 12))})
    row = paired_comparison(runs, ["x"], n_boot=2000).iloc[0]
    assert row["ci_low"] > 0  # the paired interval sees the effect ...
    assert row["unpaired_ci_low"] < 0 < row["unpaired_ci_high"]  # ... the unpaired one cannot tell it from luck
    assert (row["ci_high"] - row["ci_low"]) * 4 < row["unpaired_ci_high"] - row["unpaired_ci_low"]


def test_one_pair_is_counted_in_the_singular():
    table = paired_comparison(runs_table({"a": [1.0], "b": [2.0]}), ["x"], n_boot=50)
    assert "final x, B − A over 1 paired replicate, 95% bootstrap interval:" in format_comparison(table)
    panels = [ax for ax in forest_plot(table).axes if ax.get_visible() and ax.get_title()]
    assert panels[0].get_title() == "final x (n = 1 pair)"


def test_forest_plot_has_a_panel_per_outcome_and_a_labelled_row_per_pair_and_point():
    runs = pd.concat(
        [runs_table({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.5, 3.0], "c": [0.0, 1.0, 3.5]}, point=p, legal_clarity=v) for p, v in enumerate((0.2, 0.8))]
    )
    table = paired_comparison(runs, ["x", "y"], n_boot=200, confidence=0.9)
    fig = forest_plot(table, "t")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["final x (n = 3 pairs)", "final y (n = 3 pairs)"]
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert labels == [
        "b − a (legal_clarity=0.2)",
        "c − a (legal_clarity=0.2)",
        "c − b (legal_clarity=0.2)",
        "b − a (legal_clarity=0.8)",
        "c − a (legal_clarity=0.8)",
        "c − b (legal_clarity=0.8)",
    ]  # top to bottom
    assert [round(t, 1) for t in panels[0].get_yticks()] == [5, 4, 3, 2, 1, 0]
    assert "90% paired bootstrap interval" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_forest_plot_of_a_large_design_draws_the_first_rows_and_says_so(tmp_path):
    runs = pd.concat([runs_table({"a": [1.0, 2.0], "b": [2.0, float(p)]}, point=p, trust_loss=float(p)) for p in range(70)])
    table = paired_comparison(runs, ["x"], n_boot=50)
    assert len(table) == 70
    fig = forest_plot(table)
    assert len(fig.axes[0].get_yticklabels()) == comparison_module.MAX_FOREST_ROWS
    assert "the first 60 of 70 rows per outcome" in fig._suptitle.get_text()
    path = comparison_module.draw_forest(table, tmp_path / "plots")
    assert path.name == "comparison_forest.png" and imread(path).shape[0] > 200 and [p.name for p in (tmp_path / "plots").iterdir()] == [path.name]


# --- bad input ----------------------------------------------------------------------------------------------


def test_bad_input_is_an_input_error_that_says_what_is_wrong():
    runs = runs_table({"a": [1.0, 2.0], "b": [2.0, 3.0]})
    with pytest.raises(InputError, match=r"unknown outcome 'nope'; the runs table has x, y"):
        paired_comparison(runs, ["x", "nope"])
    with pytest.raises(InputError, match=r"only the variant 'a'; a paired comparison needs two or more variants"):
        paired_comparison(runs[runs["variant"] == "a"], ["x"])
    with pytest.raises(InputError, match=r"unknown variant 'c'; the batch has 'a', 'b'"):
        paired_comparison(runs, ["x"], ["a", "c"])
    with pytest.raises(InputError, match=r"no pairs to compare"):
        paired_comparison(runs_table({"a": [1.0, 2.0], "b": [2.0, 3.0]}, status={("b", 0): "failed", ("b", 1): "failed"}), ["x"])
    with pytest.raises(InputError, match=r"at least 1"):
        paired_comparison(runs, ["x"], n_boot=0)
    with pytest.raises(InputError, match=r"between 0 and 1"):
        paired_comparison(runs, ["x"], confidence=95)


# --- a real batch -------------------------------------------------------------------------------------------------


def spacesim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spacesim", *args], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """The small test experiment (2 legal-clarity points x 2 policy variants) with 6 replicates of 8 steps, run in this process."""
    root = tmp_path_factory.mktemp("compare")
    shutil.copy(shipped_scenario("teaching_small"), root / "teaching_small.yaml")
    (root / "small.yaml").write_text(SMALL.replace("replicates: 3", "replicates: 6"))
    result = run_batch(root / "small.yaml", root / "batch", workers=1)
    analyse_folder(result.out)  # what the command line does after the batch
    assert result.failed == 0
    return result.out


@pytest.fixture
def batch_copy(batch, tmp_path) -> Path:
    out = tmp_path / "batch"
    shutil.copytree(batch, out)
    return out


def test_a_batch_with_variants_writes_the_comparison_and_the_forest_plot(batch):
    manifest = json.loads((batch / "manifest.json").read_text())
    runs = pd.read_parquet(batch / "runs.parquet")
    written = pd.read_parquet(batch / "comparison.parquet")
    expected = paired_comparison(runs, manifest["outcomes"], seed=manifest["base_seed"], varied=manifest["design"]["varied"])
    pd.testing.assert_frame_equal(written, expected)
    assert written.attrs == {
        "n_boot": 10_000,
        "seed": 42,
        "confidence": 0.95,
        "varied": ["legal_clarity"],
        "statistics": {"n_bilateral": "final", "mean_trust": "final", "debris": "final"},
    }
    assert "comparison.parquet" in manifest["tables"] and "plots/comparison_forest.png" in manifest["plots"]
    assert imread(batch / "plots" / "comparison_forest.png").shape[0] > 200
    assert len(written) == 3 * 2 and set(written["n_pairs"]) == {6}  # 3 outcomes x 2 points x 1 pair


def test_common_random_numbers_make_the_paired_interval_narrower_on_a_real_batch(batch):
    runs = pd.read_parquet(batch / "runs.parquet")
    table = paired_comparison(runs, ["mean_trust"], n_boot=4000, seed=1)
    for _, row in table.iterrows():
        here = runs[runs["point"] == row["point"]].pivot(index="replicate", columns="variant", values="final_mean_trust")
        assert np.corrcoef(here["both"], here["bilateral only"])[0, 1] > 0.5  # the variants share their luck
        assert row["ci_high"] - row["ci_low"] < row["unpaired_ci_high"] - row["unpaired_ci_low"]


def test_batch_summary_shows_the_paired_differences(batch):
    result = run_batch(batch.parent / "small.yaml", batch, resume=True)  # a finished batch: read back, nothing rerun
    text = batch_summary(result)
    assert "paired differences between variants" in text
    assert "final mean_trust, B − A over 6 paired replicates, 95% bootstrap interval:" in text
    assert "bilateral only − both (legal_clarity=0.2)" in text


def test_compare_command_end_to_end(batch_copy):
    result = spacesim(
        "compare",
        str(batch_copy),
        "--outcomes",
        "mean_trust",
        "debris",
        "--boot",
        "2000",
        "--seed",
        "9",
        "--out",
        str(batch_copy / "comparison.parquet"),
        "--force",
    )
    assert result.returncode == 0, result.stderr
    assert f"replaced {batch_copy / 'comparison.parquet'} (it held 3 outcomes (n_bilateral, mean_trust, debris)" in result.stderr
    out = result.stdout
    assert "final mean_trust, B − A over 6 paired replicates, 95% bootstrap interval:" in out and "final debris" in out and "n_bilateral" not in out
    assert "bilateral only − both (legal_clarity=0.8)" in out and "2000 resamples, seed 9" in out
    assert f"{batch_copy / 'comparison.parquet'}" in out and f"{batch_copy / 'plots' / 'comparison_forest.png'}" in out
    table = pd.read_parquet(batch_copy / "comparison.parquet")
    runs = pd.read_parquet(batch_copy / "runs.parquet")
    pd.testing.assert_frame_equal(table, paired_comparison(runs, ["mean_trust", "debris"], n_boot=2000, seed=9, varied=["legal_clarity"]))
    row = table[(table["outcome"] == "mean_trust") & (table["point"] == 1)].iloc[0]
    assert f"{row['share_b_better']:.0%} of replicates" in out
    assert not list(batch_copy.glob(".*tmp*")) and not list((batch_copy / "plots").glob(".*tmp*"))


def test_compare_does_not_replace_the_batch_comparison_silently(batch, batch_copy, tmp_path, capsys):
    own = batch_copy / "comparison.parquet"
    forest = batch_copy / "plots" / "comparison_forest.png"
    before, picture = own.read_bytes(), forest.read_bytes()
    # without --out: printed, nothing written
    assert main(["compare", str(batch_copy), "--outcomes", "mean_trust"]) == 0
    printed = capsys.readouterr()
    assert "final mean_trust, B − A" in printed.out and ".parquet" not in printed.out and printed.err == ""
    assert own.read_bytes() == before and forest.read_bytes() == picture
    # fewer outcomes into the batch's own table: refused, nothing written
    assert main(["compare", str(batch_copy), "--outcomes", "mean_trust", "--out", str(own)]) == 2
    err = capsys.readouterr().err
    assert (
        f"error: {own}: holds the comparison the batch's report shows (3 outcomes (n_bilateral, mean_trust, debris), variants 'both', 'bilateral "
        "only', 95% intervals, 10,000 resamples, seed 42)" in err
    )
    assert "this one (1 outcome (mean_trust)" in err and "--force" in err
    assert own.read_bytes() == before and forest.read_bytes() == picture
    # to another file: the batch's own table and plot stay as they are
    other = tmp_path / "trust.parquet"
    assert main(["compare", str(batch_copy), "--outcomes", "mean_trust", "--out", str(other)]) == 0
    printed = capsys.readouterr()
    assert str(other) in printed.out and str(tmp_path / "trust.png") in printed.out and printed.err == ""
    assert set(pd.read_parquet(other)["outcome"]) == {"mean_trust"} and (tmp_path / "trust.png").exists()
    assert own.read_bytes() == before and forest.read_bytes() == picture
    # that file holds another comparison too: --force replaces it, and says so
    assert main(["compare", str(batch_copy), "--outcomes", "debris", "--out", str(other)]) == 2
    assert f"error: {other}: --out: exists (1 outcome (mean_trust)" in capsys.readouterr().err
    assert main(["compare", str(batch_copy), "--outcomes", "debris", "--out", str(other), "--force"]) == 0
    assert f"replaced {other} (it held 1 outcome (mean_trust)" in capsys.readouterr().err
    assert main(["compare", str(batch_copy), "--out", str(tmp_path / "x.csv")]) == 2
    assert "ending in .parquet" in capsys.readouterr().err
    # the same comparison as the batch's is rewritten freely
    assert main(["compare", str(batch_copy), "--out", str(own)]) == 0
    assert "replaced" not in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(own), pd.read_parquet(batch / "comparison.parquet"))


def test_the_level_of_the_intervals_travels_with_the_table_to_the_report_and_the_summary(batch, batch_copy, capsys):
    from spacesim.analysis.report import write_report

    assert (
        main(["compare", str(batch_copy), "--confidence", "0.5", "--outcomes", "mean_trust", "--out", str(batch_copy / "comparison.parquet"), "--force"]) == 0
    )
    assert "50% bootstrap interval" in capsys.readouterr().out
    table = pd.read_parquet(batch_copy / "comparison.parquet")
    assert list(table.columns) == ["outcome", "point", "legal_clarity", *COLUMNS[2:]] and set(table["confidence"]) == {0.5}
    table.attrs = {}  # the column alone says it, whatever keeps the attrs
    assert "50% paired bootstrap interval" in [t.get_text() for t in forest_plot(table).legends[0].get_texts()]
    assert "50% bootstrap interval" in format_comparison(table)
    text = write_report(batch_copy).read_text()
    comparison = text[text.index('<section id="comparison">') :]
    comparison = comparison[: comparison.index("</section>")]
    assert "50% CI (paired)" in comparison and "50% CI (unpaired)" in comparison and "50% paired bootstrap interval" in comparison
    assert "95%" not in comparison
    result = run_batch(batch.parent / "small.yaml", batch_copy, resume=True)  # finished: read back, nothing rerun
    assert "final mean_trust, B − A over 6 paired replicates, 50% bootstrap interval:" in batch_summary(result)


def _clipped_edges(path: Path) -> dict[str, bool]:
    """Which edges of a PNG have a non-white pixel in their outermost two rows or columns (text cut by the border)."""
    image = imread(path)[..., :3]
    dark = (image < 0.9).any(axis=-1)
    return {"left": bool(dark[:, :2].any()), "right": bool(dark[:, -2:].any()), "top": bool(dark[:2].any()), "bottom": bool(dark[-2:].any())}


@pytest.mark.parametrize("n_outcomes", [1, 2, 3, 5])
@pytest.mark.parametrize("title", ["small", "a_very_long_experiment_name_that_is_hard_to_break_policy_comparison_of_the_year"])
def test_forest_plot_title_and_legend_fit_with_any_number_of_outcomes(tmp_path, n_outcomes, title):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    values = {"both": [1.0, 2.0, 3.0], "bilateral only": [2.0, 2.5, 3.0], "multilateral only": [0.0, 1.0, 3.5]}
    runs = runs_table(values)
    for k in range(n_outcomes):
        runs[f"final_o{k}"] = runs["final_x"] * (k + 1)
    table = paired_comparison(runs, [f"o{k}" for k in range(n_outcomes)], n_boot=100)
    fig = forest_plot(table, title)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    box = fig.get_tightbbox(renderer)
    width, height = fig.get_size_inches()
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, (box, width, height)
    path = comparison_module.draw_forest(table, tmp_path, title)
    assert _clipped_edges(path) == {"left": False, "right": False, "top": False, "bottom": False}


def test_compare_defaults_reproduce_what_the_batch_wrote_and_plot_redraws_the_forest(batch_copy):
    before = pd.read_parquet(batch_copy / "comparison.parquet")
    (batch_copy / "comparison.parquet").unlink()
    assert main(["compare", str(batch_copy)]) == 0
    assert not (batch_copy / "comparison.parquet").exists()  # printed only
    assert main(["compare", str(batch_copy), "--out", str(batch_copy / "comparison.parquet")]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(batch_copy / "comparison.parquet"), before)
    (batch_copy / "plots" / "comparison_forest.png").unlink()
    assert main(["plot", str(batch_copy)]) == 0
    assert (batch_copy / "plots" / "comparison_forest.png").exists()


def test_compare_refuses_bad_input_with_exit_2(batch_copy, tmp_path, capsys):
    def refused(*args: str) -> str:
        assert main(["compare", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Traceback" not in err
        return err

    assert "unknown outcome 'nope'; the runs table has n_bilateral" in refused(str(batch_copy), "--outcomes", "nope")
    assert "unknown variant 'neither'" in refused(str(batch_copy), "--variants", "both", "neither")
    assert "at least 1" in refused(str(batch_copy), "--boot", "0")
    assert "no such result folder" in refused(str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no manifest.json: not a result folder of spacesim run or spacesim batch" in refused(str(empty))
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "manifest.json").write_text(json.dumps({"kind": "run", "status": "completed"}))
    assert "not a batch result folder (kind 'run'); a paired comparison (two or more variants) needs the folder of spacesim batch" in refused(str(run_folder))
    manifest = json.loads((batch_copy / "manifest.json").read_text())
    (batch_copy / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    err = refused(str(batch_copy))
    assert "the batch is interrupted, not completed" in err and "--resume" in err


def test_a_batch_without_variants_has_no_comparison_and_compare_says_why(workdir_one_variant):
    out = workdir_one_variant
    assert not (out / "comparison.parquet").exists() and not (out / "plots" / "comparison_forest.png").exists()
    result = spacesim("compare", str(out))
    assert result.returncode == 2
    assert "only the variant 'default'; a paired comparison needs two or more variants" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def workdir_one_variant(tmp_path) -> Path:
    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    text = SMALL.replace("replicates: 3", "replicates: 2").replace("steps: 8", "steps: 4")
    text = text[: text.index("variants:")] + text[text.index("outcomes:") :]
    (tmp_path / "one.yaml").write_text(text)
    return analyse_folder(run_batch(tmp_path / "one.yaml", tmp_path / "one", workers=1).out).out
