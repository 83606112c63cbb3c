"""Adaptive replication: rounds per design point until the 95% interval is narrow enough, resumable, executor-independent."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from spacesim.cli import main
from spacesim.experiment import BatchInterrupted, build_design, load_experiment, run_batch
from spacesim.experiment.replication import MAXED, TARGET, decide, halfwidth
from spacesim.experiment.store import BatchStore

from .conftest import ADAPTIVE


def _runs(target: dict, rows: list[tuple[int, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"point": p, "variant": v, "replicate": r, "status": "completed", "final_x": x} for p, v, r, x in rows])


def test_halfwidth_is_the_t_interval_of_the_mean() -> None:
    values = np.array([0.2, 0.4, 0.3, 0.7, 0.5])
    expected = stats.t.ppf(0.975, 4) * values.std(ddof=1) / math.sqrt(5)
    assert halfwidth(values) == pytest.approx(expected)
    assert halfwidth(np.array([1.0, np.nan])) == math.inf


def test_decide_stops_on_target_or_max_and_otherwise_asks_for_what_the_spread_needs() -> None:
    rule = {"outcome": "x", "target_halfwidth": 0.1, "min": 3, "max": 5}
    rows = [(0, "a", r, 1.0 + 0.01 * r) for r in range(3)]  # tight: stops
    rows += [(1, "a", r, float(r)) for r in range(5)]  # wide, already at max
    rows += [(2, "a", r, [0.0, 0.3, 0.6][r]) for r in range(3)]  # wide, below max
    rows += [(2, "a", 3, 100.0)]  # replicate beyond the round's count: must be ignored
    d = decide(rule, {0: 3, 1: 5, 2: 3}, _runs(rule, rows))
    assert d[0].stopped == TARGET and d[0].next_replicates == 3
    assert d[1].stopped == MAXED and d[1].replicates == 5
    assert d[2].stopped is None
    needed = math.ceil((stats.t.ppf(0.975, 2) * 0.3 / 0.1) ** 2)  # 164: capped by doubling, then by max
    assert d[2].next_replicates == min(5, max(4, min(6, needed))) == 5
    assert [v.mean for v in d[2].variants] == pytest.approx([0.3])


def test_decide_takes_the_widest_variant_so_paired_variants_stay_together() -> None:
    rule = {"outcome": "x", "target_halfwidth": 0.1, "min": 3, "max": 10}
    rows = [(0, "a", r, 1.0) for r in range(3)] + [(0, "b", r, float(r)) for r in range(3)]
    d = decide(rule, {0: 3}, _runs(rule, rows))
    assert d[0].stopped is None and d[0].halfwidth == pytest.approx(halfwidth(np.array([0.0, 1.0, 2.0])))


def test_the_record_gives_each_variant_its_own_mean_and_halfwidth_not_a_pooled_mean() -> None:
    rule = {"outcome": "x", "target_halfwidth": 0.05, "min": 3, "max": 10}
    a, b = [0.77, 0.771, 0.769], [0.73, 0.74, 0.72]
    rows = [(0, "a", r, v) for r, v in enumerate(a)] + [(0, "b", r, v) for r, v in enumerate(b)]
    record = decide(rule, {0: 3}, _runs(rule, rows))[0].record()
    assert "mean" not in record  # (0.770 + 0.730) / 2 belongs to no variant and no rule
    assert record["halfwidth"] == pytest.approx(halfwidth(np.array(b))) and record["widest_variant"] == "b"
    assert record["variants"] == [
        {"variant": "a", "replicates": 3, "mean": pytest.approx(np.mean(a)), "halfwidth": pytest.approx(halfwidth(np.array(a))), "within_target": True},
        {
            "variant": "b",
            "replicates": 3,
            "mean": pytest.approx(np.mean(b)),
            "halfwidth": pytest.approx(halfwidth(np.array(b))),
            "within_target": halfwidth(np.array(b)) <= 0.05,
        },
    ]
    assert record["stopped"] == (TARGET if record["variants"][1]["within_target"] else None)


def test_a_variant_whose_runs_all_failed_keeps_the_point_open() -> None:
    rule = {"outcome": "x", "target_halfwidth": 0.5, "min": 2, "max": 4}
    runs = _runs(rule, [(0, "a", 0, 1.0), (0, "a", 1, 1.0), (0, "b", 0, 1.0), (0, "b", 1, 1.0)])
    runs.loc[runs["variant"] == "b", "status"] = "failed"
    d = decide(rule, {0: 2}, runs)[0]
    assert (
        d.stopped is None
        and d.halfwidth == math.inf
        and d.record()["variants"][1] == {"variant": "b", "replicates": 0, "mean": None, "halfwidth": None, "within_target": False}
    )


def test_failed_runs_count_as_missing_not_as_values() -> None:
    rule = {"outcome": "x", "target_halfwidth": 0.1, "min": 2, "max": 4}
    runs = _runs(rule, [(0, "a", 0, 1.0), (0, "a", 1, 1.0)])
    runs.loc[1, "status"] = "failed"
    d = decide(rule, {0: 2}, runs)
    assert d[0].halfwidth == math.inf and d[0].stopped is None and d[0].next_replicates == 4


def test_adaptive_batch_stops_each_point_for_a_stated_reason(adaptive_experiment: Path, tmp_path: Path) -> None:
    result = run_batch(adaptive_experiment, tmp_path / "out", workers=1)
    runs = result.runs
    rep = result.manifest.model_dump(mode="json")["replication"]
    assert rep["outcome"] == "mean_trust" and rep["rounds"] >= 2
    design = build_design(load_experiment(adaptive_experiment))
    seeds = {(t.point, t.variant, t.replicate): t.seed for t in design.tasks}
    assert runs["run_id"].is_unique
    assert not runs.duplicated(["point", "variant", "replicate"]).any()
    counts = set()
    for entry in rep["points"]:
        mine = runs[runs["point"] == entry["point"]]
        n = entry["replicates"]
        counts.add(n)
        # every variant has replicates 0..n-1, with the design's seeds (shared by the variants)
        for variant, group in mine.groupby("variant"):
            assert sorted(group["replicate"]) == list(range(n))
            assert all(seeds[(entry["point"], variant, r)] == s for r, s in zip(group["replicate"], group["seed"]))
        widest = max(halfwidth(g["final_mean_trust"].to_numpy()) for _, g in mine.groupby("variant"))
        assert entry["halfwidth"] == pytest.approx(widest)
        # each variant's own mean, half-width and count, in the experiment file's order
        assert [v["variant"] for v in entry["variants"]] == ["both", "bilateral only"]
        for v in entry["variants"]:
            values = mine[mine["variant"] == v["variant"]]["final_mean_trust"].to_numpy()
            assert v["replicates"] == n and v["mean"] == pytest.approx(values.mean()) and v["halfwidth"] == pytest.approx(halfwidth(values))
            assert v["within_target"] == (v["halfwidth"] <= 0.02)
        assert entry["halfwidth"] == max(v["halfwidth"] for v in entry["variants"])
        if entry["stopped"] == TARGET:
            assert widest <= 0.02
        else:
            assert entry["stopped"] == MAXED and n == 8 and widest > 0.02
        assert 3 <= n <= 8
    assert len(counts) > 1, "the points should need different numbers of replicates"
    assert result.manifest.runs.total == len(runs) == sum(2 * e["replicates"] for e in rep["points"])

    # the report says what ran: the rule and the replicates each point got, not the maximum as if every point had it
    from spacesim.analysis.report import write_report

    text = write_report(result.out).read_text()
    start = text.index('<section id="what-ran">')
    what_ran = text[start : text.index("</section>", start)]
    cell = what_ran[what_ran.index("replicates per point and variant") :].split("</td>")[0]
    assert "adaptive: rounds until the 95% half-width of every variant&#39;s mean final mean trust is at most 0.02, from 3 to 8 per point" in cell
    assert f"ran {min(counts)}–{max(counts)} per point" in cell and '<a href="#replication">Replication</a>' in cell
    replication = text[text.index('<section id="replication">') :]
    replication = replication[: replication.index("</section>")]
    for entry in rep["points"]:
        for v in entry["variants"]:  # a row per point and variant, with the variant's own mean
            assert f'<td>{v["variant"]}</td><td class="num">{v["replicates"]}</td><td class="num">{v["mean"]:.4g}</td>' in replication


@pytest.mark.subprocess  # a pool of local worker processes
def test_adaptive_batch_is_the_same_with_two_workers_and_after_an_interruption(
    adaptive_experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = run_batch(adaptive_experiment, tmp_path / "plain", workers=1)

    two = run_batch(adaptive_experiment, tmp_path / "two", workers=2)
    assert_frame_equal(plain.runs.sort_values("run_id").reset_index(drop=True), two.runs.sort_values("run_id").reset_index(drop=True))
    assert_frame_equal(plain.steps.sort_values(["run_id", "step"]).reset_index(drop=True), two.steps.sort_values(["run_id", "step"]).reset_index(drop=True))

    # stop after five chunks (inside the second round), then resume
    commit = BatchStore.commit_chunk
    calls = {"n": 0}

    def flaky(self: BatchStore, result) -> None:  # noqa: ANN001
        if calls["n"] == 5:
            raise KeyboardInterrupt
        calls["n"] += 1
        commit(self, result)

    monkeypatch.setattr(BatchStore, "commit_chunk", flaky)
    with pytest.raises(BatchInterrupted):
        run_batch(adaptive_experiment, tmp_path / "resumed", workers=1)
    monkeypatch.setattr(BatchStore, "commit_chunk", commit)
    manifest = json.loads((tmp_path / "resumed" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["runs"]["completed"] == 15
    resumed = run_batch(adaptive_experiment, tmp_path / "resumed", resume=True, workers=1)
    assert resumed.ran_now == len(plain.runs) - 15
    assert_frame_equal(plain.runs, resumed.runs)
    assert_frame_equal(plain.steps, resumed.steps)
    assert resumed.manifest.replication == plain.manifest.replication


def test_adaptive_replicates_errors_name_the_field(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workdir / "bad.yaml"
    path.write_text(ADAPTIVE.format(target=0.015).replace("outcome: mean_trust, min: 3, max: 8", "outcome: mean_trusts, min: 9, max: 8"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "replicates.outcome: unknown outcome 'mean_trusts'; did you mean 'mean_trust'?" in err
    assert "replicates.min: min (9) is larger than max (8)" in err
    path.write_text(ADAPTIVE.format(target=-1))
    assert main(["validate", str(path)]) == 2
    assert "replicates.target_halfwidth" in capsys.readouterr().err
