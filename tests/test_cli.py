"""End to end: every command on real files, through a real subprocess where it matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from spacesim import __version__, shipped_scenarios
from spacesim.cli import main
from spacesim.model.metrics import NATION_OUTCOMES, STEP_OUTCOMES

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def spacesim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed command as a user would."""
    return subprocess.run([sys.executable, "-m", "spacesim", *args], capture_output=True, text=True, cwd=cwd, env=ENV, timeout=300, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_shipped_scenario_runs(name, tmp_path):
    out = tmp_path / name
    assert main(["run", str(shipped_scenarios()[name]), "--steps", "8", "--seed", "3", "--out", str(out)]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 1 and runs["status"].iloc[0] == "completed" and runs["seed"].iloc[0] == 3


def test_run_writes_the_documented_folder(tmp_path):
    out = tmp_path / "r"
    result = spacesim("run", "scenarios/teaching_small.yaml", "--steps", "15", "--seed", "11", "--out", str(out), cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert "teaching_small: 15 steps" in result.stdout and str(out) in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed"
    assert manifest["seeds"] == {"0": 11}
    assert manifest["scenario"]["sha256"] and manifest["versions"]["mesa"].startswith("3.")
    assert manifest["parameters"]["legal_clarity"] == 0.3
    assert manifest["started"] <= manifest["finished"]
    steps = pd.read_parquet(out / "steps.parquet")
    assert list(steps["step"]) == list(range(16))
    assert set(STEP_OUTCOMES) <= set(steps.columns)
    nations = pd.read_parquet(out / "nations.parquet")
    assert len(nations) == 16 * 6 and set(NATION_OUTCOMES) <= set(nations.columns)
    events = pd.read_parquet(out / "events.parquet")
    assert {"step", "kind", "actor", "target", "effect", "narrative"} <= set(events.columns)
    asat = events[events["kind"] == "asat_test"]
    assert asat["narrative"].str.contains("step 12: Russia conducts a destructive ASAT test; debris rises by 1,500 pieces").any()
    partnerships = pd.read_parquet(out / "partnerships.parquet")
    assert {"kind", "party_a", "party_b", "framework", "domain", "depth", "start_step", "end_step", "end_reason"} <= set(partnerships.columns)
    assert {p.name for p in (out / "plots").iterdir()} >= {"timeseries.png", "network.png"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folders left behind"


def test_same_seed_reproduces_a_run(tmp_path):
    for name in ("a", "b"):
        assert main(["run", str(shipped_scenarios()["teaching_small"]), "--seed", "5", "--out", str(tmp_path / name), "--no-plots"]) == 0
    for table in ("steps", "nations", "events", "partnerships"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / f"{table}.parquet"), pd.read_parquet(tmp_path / "b" / f"{table}.parquet"))


def test_existing_folder_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    result = spacesim("run", str(shipped_scenarios()["teaching_small"]), "--out", str(out))
    assert result.returncode == 2
    assert "--force" in result.stderr and "Traceback" not in result.stderr
    assert (out / "precious.txt").read_text() == "keep me"
    # --force replaces only a result folder of spacesim: not one holding the user's file
    assert main(["run", str(shipped_scenarios()["teaching_small"]), "--out", str(out), "--force", "--steps", "3"]) == 2
    assert (out / "precious.txt").read_text() == "keep me"
    (out / "precious.txt").unlink()
    assert main(["run", str(shipped_scenarios()["teaching_small"]), "--out", str(out), "--steps", "3", "--no-plots"]) == 0
    first = (out / "manifest.json").read_text()
    assert main(["run", str(shipped_scenarios()["teaching_small"]), "--out", str(out), "--force", "--steps", "4"]) == 0
    assert (out / "manifest.json").read_text() != first and (out / "plots").is_dir()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [], "no lock or staging left behind"


def test_set_overrides_a_parameter(tmp_path):
    assert (
        main(["run", str(shipped_scenarios()["teaching_small"]), "--steps", "2", "--set", "legal_clarity=0.9", "--out", str(tmp_path / "r"), "--no-plots"]) == 0
    )
    assert pd.read_parquet(tmp_path / "r" / "runs.parquet")["legal_clarity"].iloc[0] == 0.9


def test_bad_override_is_exit_2(tmp_path, capsys):
    assert main(["run", str(shipped_scenarios()["teaching_small"]), "--set", "legal_clarty=0.9", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "legal_clarty" in err and "did you mean 'legal_clarity'" in err
    assert not (tmp_path / "r").exists()


def test_validate_ok_and_problems(tmp_path):
    good = shipped_scenarios()["teaching_small"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text().replace("sovereignty: 0.6, capability: 1.00", "sovereignty: 7, capability: 1.00").replace("steps: 40", "steps: 40\nstep_size: 3")
    )
    result = spacesim("validate", str(good), str(bad))
    assert result.returncode == 2
    assert f"{good}: ok" in result.stdout
    line = bad.read_text().splitlines().index("step_size: 3") + 1
    assert f"{bad}:{line}: step_size: unknown field" in result.stderr
    assert "nations[0].sovereignty" in result.stderr
    assert "Traceback" not in result.stderr
    result = spacesim("validate", *map(str, shipped_scenarios().values()))
    assert result.returncode == 0 and result.stdout.count(": ok") == len(shipped_scenarios())


def test_run_of_invalid_file_is_exit_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\ndescription: y\nnations: []\n")
    result = spacesim("run", str(bad), "--out", str(tmp_path / "r"))
    assert result.returncode == 2 and "nations" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_missing_file_is_exit_2(tmp_path):
    result = spacesim("run", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "no such file" in result.stderr


def test_plot_redraws_from_tables(tmp_path):
    out = tmp_path / "r"
    assert main(["run", str(shipped_scenarios()["teaching_small"]), "--steps", "5", "--out", str(out), "--no-plots"]) == 0
    assert not (out / "plots").exists()  # --no-plots: no empty folder
    assert main(["plot", str(out)]) == 0
    assert {p.name for p in (out / "plots").iterdir()} == {"timeseries.png", "network.png"}
    assert main(["plot", str(tmp_path)]) == 2


def test_version_and_help():
    result = spacesim("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"spacesim {__version__}"
    for command in ("run", "batch", "validate", "plot"):
        result = spacesim(command, "--help")
        assert result.returncode == 0 and "usage: spacesim" in result.stdout


def test_internal_error_is_exit_1_without_traceback(monkeypatch, capsys, tmp_path):
    import spacesim.output.run_result as rr

    def boom(*a, **k):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(rr, "run_scenario", boom)
    assert main(["run", str(shipped_scenarios()["teaching_small"]), "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: simulated failure" in err and "Traceback" not in err


def test_dashboard_with_an_invalid_scenario_is_exit_2_before_any_server_starts(tmp_path, capsys, monkeypatch):
    import spacesim.viz.server as server

    started = []
    monkeypatch.setattr(server.subprocess, "Popen", lambda *a, **k: started.append(a) or pytest.fail("a server was started"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(shipped_scenarios()["teaching_small"].read_text().replace("steps: 40", "steps: -3"))
    assert main(["dashboard", str(bad), "--port", "8999"]) == 2
    err = capsys.readouterr().err
    assert "steps" in err and str(bad) in err and "Traceback" not in err
    assert main(["dashboard", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert started == []


def test_dashboard_on_a_busy_port_is_exit_2_naming_the_port(capsys):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "--port" in err and "already in use" in err


def test_run_input_errors_name_what_to_do(tmp_path, capsys):
    """A negative seed, an experiment given to run and a scenario given to batch: exit 2, each saying what is wrong."""
    teaching = str(shipped_scenarios()["teaching_small"])
    assert main(["run", teaching, "--seed", "-1", "--out", str(tmp_path / "a")]) == 2
    assert "--seed" in capsys.readouterr().err
    from spacesim.scenario.library import shipped_experiment

    assert main(["run", str(shipped_experiment("teaching")), "--out", str(tmp_path / "b")]) == 2
    assert "spacesim batch" in capsys.readouterr().err
    assert main(["batch", teaching, "--out", str(tmp_path / "c")]) == 2
    assert "spacesim run" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
