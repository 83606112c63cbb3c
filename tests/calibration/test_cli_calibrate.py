"""spacesim calibrate as a real process: killed and resumed, stopped with Ctrl-C, 1 and 2 workers.

Reproducibility (see README): with --workers 1 the whole calibration runs in
one process from the seed, and the same seed gives the same posterior bit for
bit. pyabc's parallel sampler reseeds each worker from the operating system
and accepts particles in order of completion, so with 2 workers it cannot
promise that; the test checks that the posteriors agree within Monte Carlo error.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from .synthetic import TRUTH, observed_accessions, write_calibration

SPACESIM = [sys.executable, "-m", "spacesim"]


def _start(calib, out, *extra):
    return subprocess.Popen([*SPACESIM, "calibrate", str(calib), "--out", str(out), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc, text, timeout=120):
    """Read the process's output until a line contains ``text``; return the lines read."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"never saw {text!r}: {lines}")


def _stored_generations(out):
    with sqlite3.connect(out / "abc.db") as db:
        return [t for (t,) in db.execute("SELECT t FROM populations ORDER BY t")]


def _check_posterior(out, population):
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert len(posterior) == population
    assert np.isclose(posterior["weight"].sum(), 1.0)
    assert posterior["membership_rate"].between(0.02, 0.6).all()
    return posterior


def test_killed_mid_generation_then_resumed(tmp_path):
    calib = write_calibration(tmp_path, observed_accessions(TRUTH, 3), abc={"generations": 4, "population": 40})
    out = tmp_path / "out"
    proc = _start(calib, out, "--workers", "1")
    _wait_for(proc, "generation 2/4")
    time.sleep(0.3)  # well inside generation 3 (each takes about a second or more)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    stored = _stored_generations(out)
    assert stored[-1] in (1, 2) and stored == sorted(set(stored))  # the generation in flight is not stored
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    resumed = subprocess.run([*SPACESIM, "calibrate", str(calib), "--out", str(out), "--resume", "--workers", "1"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {out}/ after" in resumed.stdout
    stored = _stored_generations(out)
    assert stored == [-1, 0, 1, 2, 3]  # pyabc's prior calibration sample, then each generation once
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and len(manifest["resumed"]) == 1
    assert [g["t"] for g in manifest["generations"]] == stored
    assert manifest["simulations"] == sum(g["simulations"] for g in manifest["generations"])
    _check_posterior(out, 40)
    fit = pd.read_parquet(out / "fit.parquet")
    assert set(fit["pattern"]) == {"accords_count", "accords_members", "accords_order"}
    assert fit.loc[fit["pattern"] == "accords_order", "held_out"].item()


def test_ctrl_c_stops_cleanly_and_prints_the_resume_command(tmp_path):
    calib = write_calibration(tmp_path, observed_accessions(TRUTH, 4), abc={"generations": 6, "population": 40})
    out = tmp_path / "out"
    proc = _start(calib, out, "--workers", "2")
    _wait_for(proc, "generation 1/6")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"resume with: spacesim calibrate {calib} --out {out} --resume --workers 2" in err
    assert "Traceback" not in err
    assert json.loads((out / "manifest.json").read_text())["status"] == "stopped"
    again = subprocess.run([*SPACESIM, "calibrate", str(calib), "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "continue it with --resume" in again.stderr


def test_one_worker_is_reproducible_and_two_workers_agree_within_error(tmp_path):
    calib = write_calibration(tmp_path, observed_accessions(TRUTH, 5), abc={"generations": 3, "population": 60}, held_out=False)
    posteriors = {}
    for name, workers in (("a", "1"), ("b", "1"), ("c", "2")):
        run = subprocess.run([*SPACESIM, "calibrate", str(calib), "--out", str(tmp_path / name), "--workers", workers, "--no-plots"], capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        posteriors[name] = _check_posterior(tmp_path / name, 60)
    pd.testing.assert_frame_equal(posteriors["a"], posteriors["b"])  # same seed, one worker: identical
    for p in ("membership_rate",):
        w1, w2 = posteriors["a"]["weight"], posteriors["c"]["weight"]
        m1, m2 = np.average(posteriors["a"][p], weights=w1), np.average(posteriors["c"][p], weights=w2)
        sd = np.sqrt(np.average((posteriors["a"][p] - m1) ** 2, weights=w1))
        assert abs(m1 - m2) < 1.5 * sd, (m1, m2, sd)
    assert os.path.exists(tmp_path / "c" / "abc.db")


def test_calibration_on_a_dask_cluster(tmp_path, dask_cluster):
    calib = write_calibration(tmp_path, observed_accessions(TRUTH, 6), abc={"generations": 2, "population": 30, "posterior_draws": 4}, held_out=False)
    run = subprocess.run([*SPACESIM, "calibrate", str(calib), "--out", str(tmp_path / "d"), "--cluster", dask_cluster, "--no-plots"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    _check_posterior(tmp_path / "d", 30)
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert manifest["workers"] == 2 and manifest["status"] == "completed"
