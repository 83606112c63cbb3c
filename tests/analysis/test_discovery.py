"""Scenario discovery: PRIM recovers a box it was given, CART agrees, the folder is written and guarded, the command and the report show it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spacesim.analysis.discovery import FOLDER, cases, choose_box, prim_box, write_discovery
from spacesim.cli import main

#: The box in which the synthetic outcome is low (Friedman & Fisher 1999, section 8 style: a box in a uniform cloud).
BOX = {"legal_clarity": (0.3, 0.7), "asat_rate": (0.0, 0.05)}
RANGES = {"legal_clarity": (0.0, 1.0), "asat_rate": (0.0, 0.1), "trust_gain": (0.5, 2.0)}
#: How close PRIM must come to each limit, as a share of the parameter's range (its peels remove 5% of the runs at a time).
TOLERANCE = 0.06


def synthetic_batch(folder: Path, n: int = 1000, seed: int = 1, noise: float = 0.0) -> Path:
    """A result folder as spacesim batch writes it (manifest, runs.parquet) of a function whose collective security is below 0.3 exactly inside BOX."""
    rng = np.random.default_rng(seed)
    x = {k: rng.uniform(a, b, n) for k, (a, b) in RANGES.items()}
    inside = np.ones(n, dtype=bool)
    for k, (a, b) in BOX.items():
        inside &= (x[k] >= a) & (x[k] <= b)
    flip = rng.random(n) < noise
    low = inside ^ flip
    security = np.where(low, rng.uniform(0.0, 0.29, n), rng.uniform(0.31, 1.0, n))
    runs = pd.DataFrame(
        {
            "run_id": np.arange(n),
            "point": np.arange(n),
            "variant": "default",
            "replicate": 0,
            "seed": np.arange(n),
            "status": "completed",
            **x,
            "final_collective_security": security,
        }
    )
    folder.mkdir(parents=True)
    runs.to_parquet(folder / "runs.parquet", index=False)
    design = {
        "varied": list(RANGES),
        "grid": None,
        "sample": {"method": "latin_hypercube", "n": n, "ranges": {k: list(v) for k, v in RANGES.items()}},
        "points": [],
        "variants": {"default": {}},
        "replicates": 1,
    }
    manifest = {
        "kind": "batch",
        "status": "completed",
        "experiment": {"name": "synthetic"},
        "base_seed": seed,
        "design": design,
        "outcomes": ["collective_security"],
        "plot_kinds": [],
        "tables": ["runs.parquet"],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_prim_recovers_the_box_limits(tmp_path: Path) -> None:
    folder = synthetic_batch(tmp_path / "batch")
    runs = pd.read_parquet(folder / "runs.parquet")
    c = cases(runs, json.loads((folder / "manifest.json").read_text())["design"], "collective_security", 0.3, "below")
    result = prim_box(c, min_density=0.95)
    limits = result.limits.set_index("parameter")
    assert set(limits.index) == set(BOX)  # trust_gain plays no part and is left unrestricted
    for name, (low, high) in BOX.items():
        span = RANGES[name][1] - RANGES[name][0]
        assert abs(limits.loc[name, "low"] - low) <= TOLERANCE * span or low == RANGES[name][0], name
        assert abs(limits.loc[name, "high"] - high) <= TOLERANCE * span, name
    chosen = result.trajectory.iloc[result.chosen]
    assert chosen["density"] >= 0.95 and chosen["coverage"] >= 0.85
    assert (limits["qp_high"].dropna() < 1e-6).all()  # every restricting limit is significant


def test_choose_box_prefers_coverage_among_dense_boxes() -> None:
    t = pd.DataFrame({"coverage": [1.0, 0.95, 0.8, 0.5], "density": [0.2, 0.5, 0.81, 0.99]})
    assert choose_box(t, 0.8) == 2 and choose_box(t, 0.9) == 3 and choose_box(t, 0.999) == 3


def test_discover_command_writes_its_folder_and_the_report_shows_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = synthetic_batch(tmp_path / "batch", n=600, noise=0.02)
    before = {p.name for p in folder.iterdir()}
    assert main(["discover", str(folder), "--outcome", "collective_security", "--below", "0.3"]) == 0
    printed = capsys.readouterr().out
    assert "final collective security below 0.3" in printed and "PRIM box" in printed and "legal_clarity" in printed
    assert {p.name for p in folder.iterdir()} == before | {FOLDER}  # nothing else touched
    written = {p.name for p in (folder / FOLDER).iterdir()}
    assert {"prim_trajectory.png", "prim_box.png", "cart_tree.png", "prim_trajectory.csv", "prim_box.csv", "cart_leaves.csv", "discovery.json"} <= written
    leaves = pd.read_csv(folder / FOLDER / "cart_leaves.csv")
    best = leaves.iloc[0]
    assert best["share_of_interest"] > 0.8 and "legal_clarity" in best["rule"] and "asat_rate" in best["rule"]
    trajectory = pd.read_csv(folder / FOLDER / "prim_trajectory.csv")
    assert {"coverage", "density", "mass", "res_dim"} <= set(trajectory.columns)
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["density"].iloc[0] == pytest.approx(
        134 / 600
    )  # the first box holds every run; then peeling (and a last paste)

    # the same question again rewrites freely; another needs --force
    assert main(["discover", str(folder), "--outcome", "collective_security", "--below", "0.3"]) == 0
    assert main(["discover", str(folder), "--outcome", "collective_security", "--above", "0.8"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["discover", str(folder), "--outcome", "collective_security", "--below", "0.3", "--min-density", "0.9"]) == 0

    from spacesim.analysis.report import write_report

    html = write_report(folder).read_text()
    assert "Scenario discovery" in html and "final collective security below 0.3" in html and html.count("data:image/png;base64") >= 3


def test_discover_refuses_what_it_cannot_answer_and_what_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = synthetic_batch(tmp_path / "batch", n=200)
    assert main(["discover", str(folder), "--outcome", "collective_security", "--below", "-1"]) == 2
    assert "no completed run has final collective security below -1" in capsys.readouterr().err
    assert main(["discover", str(folder), "--outcome", "colective_security", "--below", "0.3"]) == 2
    assert "did you mean 'collective_security'" in capsys.readouterr().err
    assert main(["discover", str(tmp_path / "nowhere"), "--outcome", "collective_security", "--below", "0.3"]) == 2
    (folder / FOLDER).mkdir()
    (folder / FOLDER / "notes.txt").write_text("mine")
    assert main(["discover", str(folder), "--outcome", "collective_security", "--below", "0.3"]) == 2
    assert "did not write (notes.txt)" in capsys.readouterr().err
    assert (folder / FOLDER / "notes.txt").read_text() == "mine"


def test_discovery_on_a_real_latin_hypercube_batch(tmp_path: Path) -> None:
    """End to end on the model: a small Latin hypercube batch, then discovery of its low-trust region."""
    import shutil
    import textwrap

    from spacesim import shipped_scenario

    shutil.copy(shipped_scenario("teaching_small"), tmp_path / "teaching_small.yaml")
    (tmp_path / "lhs.yaml").write_text(
        textwrap.dedent("""\
        schema_version: 1
        name: lhs
        description: A Latin hypercube over two levers.
        scenario: teaching_small.yaml
        steps: 8
        replicates: 1
        seed: 3
        vary:
          sample:
            method: latin_hypercube
            n: 40
            ranges:
              legal_clarity: [0.0, 1.0]
              trust_loss: [0.5, 6.0]
        outcomes: [mean_trust]
        plots: []
        tables: []
        """)
    )
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "lhs.yaml"), "--out", str(out), "--workers", "1"]) == 0
    median = float(pd.read_parquet(out / "runs.parquet")["final_mean_trust"].median())
    account = write_discovery(out, "mean_trust", below=median)
    assert account["runs"] == 40 and account["of_interest"] == 20 and set(account["inputs"]) == {"legal_clarity", "trust_loss"}


def test_a_variant_enters_as_a_category_of_the_box_and_the_tree(tmp_path: Path) -> None:
    folder = synthetic_batch(tmp_path / "batch", n=800)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs["variant"] = np.where(np.random.default_rng(5).random(len(runs)) < 0.5, "both", "bilateral only")
    runs.loc[runs["variant"] == "both", "final_collective_security"] = 0.9  # only 'bilateral only' can fall below
    runs.to_parquet(folder / "runs.parquet", index=False)
    account = write_discovery(folder, "collective_security", below=0.3)
    limits = {r["parameter"]: r for r in account["prim"]["limits"]}
    assert limits["variant"]["values"] == "bilateral only" and {"legal_clarity", "asat_rate"} <= set(limits)
    leaves = pd.read_csv(folder / FOLDER / "cart_leaves.csv")
    assert "variant != both" in leaves.iloc[0]["rule"]


def test_the_printout_says_when_no_box_is_dense_enough_and_which_limits_may_be_chance() -> None:
    from spacesim.analysis.discovery import format_discovery

    limits = [
        {"parameter": "a", "low": 0.1, "high": 0.5, "values": "", "qp_low": 0.3, "qp_high": 1e-30},
        {"parameter": "b", "low": 1.0, "high": 2.0, "values": "", "qp_low": 0.001, "qp_high": None},
    ]
    account = {
        "question": "final x below 1",
        "of_interest": 10,
        "runs": 100,
        "prim": {"chosen_box": 4, "min_density": 0.8, "coverage": 0.6, "density": 0.4, "mass": 0.15, "limits": limits},
    }
    text = format_discovery(account)
    assert "the densest: no box reaches density 0.8" in text and "quasi-p low 0.3 high <1e-16" in text
    assert "quasi-p above 0.05 (a) may be chance" in text
    account["prim"]["density"] = 0.9
    assert "most coverage with density >= 0.8" in format_discovery(account)
