"""Never destroy or mix data: --force deletes only result folders, result folders are locked, resume refuses what
changed, chunks are durable, lost workers are replaced."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from spacesim import InputError
from spacesim.cli import main
from spacesim.experiment import run_batch
from spacesim.experiment.batch import CorruptChunkWarning
from spacesim.experiment.store import BatchStore
from spacesim.experiment.worker import KILL_ENV
from spacesim.output.folder import LOCK_FILE, FolderLock, check_replaceable

SPACESIM = [sys.executable, "-m", "spacesim"]


def spacesim(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SPACESIM, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd, env={**os.environ, **(env or {})}
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


# --- --force -----------------------------------------------------------------------


def test_force_refuses_a_folder_with_files_spacesim_did_not_write(small_experiment, tmp_path, capsys):
    out = tmp_path / "mywork"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.txt").write_text("three years of work")
    (out / "sub" / "data.csv").write_text("a,b\n1,2\n")
    (out / "manifest.json").write_text(json.dumps({"kind": "batch", "status": "completed"}))  # even beside a manifest of ours
    before = _tree(out)
    assert main(["batch", str(small_experiment), "--out", str(out), "--force", "--workers", "1", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert f"error: {out}: --force: not deleted: it holds what spacesim did not write: sub/, thesis.txt" in err and "another --out" in err
    assert _tree(out) == before
    assert main(["run", str(small_experiment.parent / "teaching_small.yaml"), "--out", str(out), "--force", "--steps", "2", "--no-plots"]) == 2
    assert "it holds what spacesim did not write: sub/, thesis.txt" in capsys.readouterr().err
    assert _tree(out) == before


def test_force_refuses_the_current_folder_that_holds_the_experiment(small_experiment, workdir):
    (workdir / "notes.txt").write_text("my notes")
    before = _tree(workdir)
    result = spacesim("batch", "small.yaml", "--out", ".", "--force", "--workers", "1", "--no-plots", cwd=workdir)
    assert result.returncode == 2, result.stderr
    assert "--force: not deleted: it is the current folder" in result.stderr and "Traceback" not in result.stderr
    assert _tree(workdir) == before


def test_force_refuses_a_git_checkout_even_one_that_looks_like_a_result(small_experiment, tmp_path):
    """A small fake checkout copied into a temporary folder (never the real project)."""
    project = tmp_path / "project"
    (project / ".git" / "objects").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "manifest.json").write_text(json.dumps({"kind": "run", "status": "completed"}))
    (project / "runs.parquet").write_bytes(b"not really")
    before = _tree(project)
    result = spacesim("batch", str(small_experiment), "--out", str(project), "--force", "--workers", "1")
    assert result.returncode == 2 and "not deleted: it is a git checkout (it has .git)" in result.stderr
    result = spacesim("run", str(small_experiment.parent / "teaching_small.yaml"), "--out", str(project), "--force")
    assert result.returncode == 2 and "it is a git checkout" in result.stderr
    assert _tree(project) == before


def test_force_never_follows_a_symbolic_link(small_experiment, tmp_path):
    real = tmp_path / "real"
    assert main(["batch", str(small_experiment), "--out", str(real), "--workers", "1", "--no-plots"]) == 0  # a genuine result folder behind the link
    before = _tree(real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    result = spacesim("batch", str(small_experiment), "--out", str(link), "--force", "--workers", "1")
    assert result.returncode == 2 and f"--force: not deleted: it is a symbolic link (to {real})" in result.stderr and "Traceback" not in result.stderr
    result = spacesim("run", str(small_experiment.parent / "teaching_small.yaml"), "--out", str(link), "--force")
    assert result.returncode == 2 and "symbolic link" in result.stderr
    assert link.is_symlink() and _tree(real) == before


def test_force_refuses_root_home_parents_and_a_folder_holding_the_inputs(small_experiment, tmp_path, monkeypatch):
    """check_replaceable only says what may be deleted; it deletes nothing, so / and the home folder are safe to ask about."""
    with pytest.raises(InputError, match="not deleted: it is the root folder /"):
        check_replaceable(Path("/"))
    home = tmp_path / "home"
    home.mkdir()
    (home / "manifest.json").write_text(json.dumps({"kind": "run"}))
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(InputError, match="not deleted: it is your home folder"):
        check_replaceable(home)
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    with pytest.raises(InputError, match="not deleted: it is a parent of the current folder"):
        check_replaceable(tmp_path / "a")
    # the experiment file resumed from its copy inside the folder it would delete
    out = tmp_path / "b"
    run_batch(small_experiment, out, workers=1)
    with pytest.raises(InputError, match=r"not deleted: it holds inputs/small.yaml, an input of this command"):
        run_batch(out / "inputs" / "small.yaml", out, workers=1, force=True)
    assert (out / "inputs" / "small.yaml").exists() and (out / "runs.parquet").exists()


def test_force_refuses_a_folder_without_a_spacesim_manifest(small_experiment, tmp_path):
    out = tmp_path / "tables"
    out.mkdir()
    (out / "runs.parquet").write_bytes(b"someone else's table")
    with pytest.raises(InputError, match="it has no manifest.json of a spacesim run or batch"):
        run_batch(small_experiment, out, workers=1, force=True)
    (out / "manifest.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="its manifest.json is not one of a spacesim run or batch"):
        run_batch(small_experiment, out, workers=1, force=True)
    assert (out / "runs.parquet").read_bytes() == b"someone else's table"


# --- locks -------------------------------------------------------------------------

HOLD = (
    "import sys, time\nfrom spacesim.output.folder import FolderLock\nFolderLock(sys.argv[1]).acquire(create=True)\nprint('held', "
    "flush=True)\ntime.sleep(120)\n"
)


def test_a_folder_in_use_is_refused_naming_its_holder_even_with_force(small_experiment, tmp_path):
    out = tmp_path / "busy"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for extra in ([], ["--force"]):
            result = spacesim("batch", str(small_experiment), "--out", str(out), "--workers", "1", *extra)
            assert result.returncode == 2, result.stderr
            assert f"--out: in use by another spacesim (pid {holder.pid}, '-c {out}', since 20" in result.stderr and "Traceback" not in result.stderr
        result = spacesim("run", str(small_experiment.parent / "teaching_small.yaml"), "--out", str(out), "--steps", "2")
        assert result.returncode == 2 and f"in use by another spacesim (pid {holder.pid}" in result.stderr
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE], "the refused writers left nothing"
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # the lock died with its holder: no stale lock to clean
    assert main(["batch", str(small_experiment), "--out", str(out), "--workers", "1", "--no-plots"]) == 0
    assert not (out / LOCK_FILE).exists()


@pytest.mark.parametrize("command", ["batch", "run"])
def test_two_writers_started_together_one_wins_the_other_is_refused_cleanly(small_experiment, tmp_path, command):
    out = tmp_path / "shared"
    if command == "batch":
        args = ["batch", str(small_experiment), "--out", str(out), "--workers", "1", "--no-plots"]
    else:
        args = ["run", str(small_experiment.parent / "teaching_small.yaml"), "--out", str(out), "--steps", "30", "--no-plots"]
    procs = [subprocess.Popen([*SPACESIM, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=300), p.stderr.read()) for p in procs)
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in outcomes] == [0, 2], outcomes
    loser = outcomes[1][1]
    assert ("in use by another spacesim" in loser or "folder exists and is not empty" in loser) and "Traceback" not in loser and "internal error" not in loser
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".")] and "chunks" not in names, names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no staging folder beside --out"
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == (12 if command == "batch" else 1) and runs["run_id"].is_unique


def test_analyses_wait_for_no_one_they_are_refused_while_a_batch_writes(small_experiment, tmp_path, capsys):
    out = tmp_path / "b"
    run_batch(small_experiment, out, workers=1)
    with FolderLock(out).acquire():  # as a resumed batch would hold it
        assert main(["plot", str(out)]) == 2
        assert f"{out}: in use by another spacesim (pid {os.getpid()}" in capsys.readouterr().err
        assert not (out / "plots").exists()
    assert main(["plot", str(out)]) == 0


# --- resume refuses what changed -----------------------------------------------------------


def _stopped_batch(experiment: Path, out: Path, after: int) -> None:
    """A batch stopped (as by Ctrl-C) after ``after`` chunks were committed."""
    original = BatchStore.commit_chunk
    calls = []

    def commit_then_stop(self, result):
        original(self, result)
        calls.append(result.chunk)
        if len(calls) == after:
            raise KeyboardInterrupt

    BatchStore.commit_chunk = commit_then_stop
    try:
        from spacesim.experiment.batch import BatchInterrupted

        with pytest.raises(BatchInterrupted):
            run_batch(experiment, out, workers=1)
    finally:
        BatchStore.commit_chunk = original


def _edit(path: Path, change) -> None:
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_resume_refuses_a_code_change(small_experiment, tmp_path, capsys):
    out = tmp_path / "b"
    _stopped_batch(small_experiment, out, after=2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code"]["sha256"] and manifest["code"]["version"]
    _edit(out / "manifest.json", lambda m: m["code"].update(sha256="0" * 64))  # as if another version of spacesim had started it
    assert main(["batch", str(small_experiment), "--out", str(out), "--resume", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "manifest.json: code: the spacesim code changed since the batch" in err and "000000000000... then" in err and "--force or another --out" in err
    assert not (out / "runs.parquet").exists() and len(list((out / "chunks").iterdir())) == 2


def test_resume_refuses_a_chunk_size_edited_in_the_manifest(workdir, tmp_path, capsys):
    """chunk_size comes from the number of workers when the experiment does not set it: only the chunks on disk can tell that it was edited."""
    experiment = workdir / "nochunk.yaml"
    experiment.write_text(
        "schema_version: 1\nname: nochunk\ndescription: Twelve runs, chunk size left to spacesim.\nscenario: teaching_small.yaml\nsteps: "
        "4\nreplicates: 12\nseed: 3\ntables: []\nplots: []\n"
    )
    out = tmp_path / "b"
    _stopped_batch(experiment, out, after=2)
    was = json.loads((out / "manifest.json").read_text())["chunk_size"]
    _edit(out / "manifest.json", lambda m: m.update(chunk_size=was + 1))
    assert main(["batch", str(experiment), "--out", str(out), "--resume", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "manifest.json: chunk_size: chunks/000000 holds runs" in err and "cut with another chunk size or design" in err
    assert not (out / "runs.parquet").exists()
    _edit(out / "manifest.json", lambda m: m.update(chunk_size=was))  # restored: the resume completes, each run once
    assert main(["batch", str(experiment), "--out", str(out), "--resume", "--workers", "1", "--no-plots"]) == 0
    assert sorted(pd.read_parquet(out / "runs.parquet")["run_id"]) == list(range(12))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: [m], "the manifest is a JSON list, not an object"),
        (lambda m: {k: v for k, v in m.items() if k != "design"}, "manifest.json: design: missing; the manifest cannot be resumed"),
        (lambda m: {**m, "chunk_size": 0}, "manifest.json: chunk_size: must be at least 1, not 0"),
        (lambda m: {**m, "chunk_size": "2"}, 'manifest.json: chunk_size: must be an integer, not "2"'),
        (lambda m: {**m, "chunk_size": True}, "manifest.json: chunk_size: must be an integer, not true"),
        (lambda m: {k: v for k, v in m.items() if k != "code"}, "code: missing (written by a spacesim that did not record its code"),
        (lambda m: {**m, "experiment": "small"}, 'manifest.json: experiment: must be a JSON object, not "small"'),
    ],
)
def test_a_malformed_manifest_is_an_input_error_not_a_crash(small_experiment, tmp_path, capsys, change, message):
    out = tmp_path / "b"
    _stopped_batch(small_experiment, out, after=1)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps(change(manifest)))
    assert main(["batch", str(small_experiment), "--out", str(out), "--resume", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err, err


# --- durable chunks ------------------------------------------------------------------


def test_a_chunk_is_flushed_to_disk_before_and_after_its_rename(small_experiment, tmp_path, monkeypatch):
    out = tmp_path / "b"
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("rename", f"{src} -> {dst}"))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    run_batch(small_experiment, out, workers=1)
    rename = next(i for i, (kind, what) in enumerate(events) if kind == "rename" and what.endswith("chunks/000000"))
    before = {Path(what).name for kind, what in events[:rename] if kind == "fsync"}
    assert {"runs.parquet", "steps.parquet", "nations.parquet", "events.parquet", "partnerships.parquet", "done"} <= before
    assert any(kind == "fsync" and what.endswith(".000000.tmp-" + str(os.getpid())) for kind, what in events[:rename]), (
        "the chunk's folder is flushed before its rename"
    )
    assert events[rename + 1] == ("fsync", str(out / "chunks")), "and the rename itself is flushed"


def test_a_truncated_chunk_is_set_aside_named_and_run_again(small_experiment, tmp_path):
    whole = run_batch(small_experiment, tmp_path / "whole", workers=1)
    out = tmp_path / "b"
    _stopped_batch(small_experiment, out, after=3)
    steps = out / "chunks" / "000000" / "steps.parquet"
    steps.write_bytes(steps.read_bytes()[:100])
    with pytest.warns(
        CorruptChunkWarning, match=r"chunks/000000 cannot be read \(steps.parquet: .*\); moved to chunks/corrupt/000000 and its runs will run again"
    ):
        resumed = run_batch(small_experiment, out, workers=1, resume=True)
    assert resumed.ran_now == 12 - 4
    assert_frame_equal(_sorted(resumed.runs, ["run_id"]), _sorted(whole.runs, ["run_id"]))
    assert_frame_equal(_sorted(resumed.steps, ["run_id", "step"]), _sorted(whole.steps, ["run_id", "step"]))
    assert (out / "chunks" / "corrupt" / "000000" / "steps.parquet").exists() and sorted(p.name for p in (out / "chunks").iterdir()) == ["corrupt"]
    assert resumed.manifest.session.set_aside[0].startswith("chunks/000000 cannot be read")


def test_the_command_line_names_a_set_aside_chunk(small_experiment, tmp_path):
    out = tmp_path / "b"
    _stopped_batch(small_experiment, out, after=2)
    (out / "chunks" / "000001" / "runs.parquet").write_bytes(b"")
    result = spacesim("batch", str(small_experiment), "--out", str(out), "--resume", "--workers", "1", "--no-plots")
    assert result.returncode == 0, result.stderr
    assert "warning: chunks/000001 cannot be read (runs.parquet: " in result.stderr and "moved to chunks/corrupt/000001" in result.stderr


# --- lost workers --------------------------------------------------------------------


def _workers_of(tag: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"multiprocessing.spawn" in cmdline.read_bytes() and tag.encode() in cmdline.parent.joinpath("environ").read_bytes().split(b"\0"):
                found.append(int(cmdline.parent.name))
        except (OSError, ValueError):
            continue
    return found


def test_a_killed_local_worker_is_replaced_and_the_batch_completes(workdir, tmp_path):
    experiment = workdir / "long.yaml"
    experiment.write_text(
        "schema_version: 1\nname: long\ndescription: Enough runs to lose a worker part-way.\nscenario: baseline.yaml\n"
        "steps: 12\nreplicates: 30\nseed: 5\nchunk_size: 1\noutcomes: [n_bilateral, mean_trust]\ntables: []\n"
    )
    out = tmp_path / "b"
    tag = f"SPACESIM_TEST_TAG={os.getpid()}-{time.monotonic_ns()}"
    proc = subprocess.Popen(
        [*SPACESIM, "batch", str(experiment), "--out", str(out), "--workers", "2", "--no-plots"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, tag.split("=")[0]: tag.split("=")[1]},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not ((out / "chunks").exists() and len([p for p in (out / "chunks").iterdir() if p.name.isdigit()]) >= 3):
        time.sleep(0.01)
    workers = _workers_of(tag)
    assert workers, "the batch's workers are running"
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["run_id"]) == list(range(30)) and (runs["status"] == "completed").all()
    whole = run_batch(experiment, tmp_path / "whole", workers=1)
    assert_frame_equal(_sorted(runs, ["run_id"]), _sorted(whole.runs, ["run_id"]))


def test_workers_that_keep_dying_stop_the_batch_with_a_resume_command(small_experiment, tmp_path):
    out = tmp_path / "b"
    result = spacesim("batch", str(small_experiment), "--out", str(out), "--workers", "2", "--no-plots", env={KILL_ENV: "5"})
    assert result.returncode == 2, result.stderr
    assert f"error: {out}: the batch stopped: a local worker process died 4 times" in result.stderr and "Traceback" not in result.stderr
    assert f"resume with: spacesim batch {small_experiment} --out {out} --resume --workers 2 --no-plots" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and "died 4 times" in manifest["sessions"][-1]["stopped_because"]
    kept = manifest["runs"]["completed"]
    assert kept == len([p for p in (out / "chunks").iterdir() if p.name.isdigit()]) * 2 and kept < 12
    resumed = spacesim("batch", str(small_experiment), "--out", str(out), "--resume", "--workers", "2", "--no-plots")
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(pd.read_parquet(out / "runs.parquet")["run_id"]) == list(range(12))


# --- environment errors --------------------------------------------------------------


def test_the_longest_folder_name_the_system_allows_works_and_a_longer_one_is_an_input_error(tmp_path, workdir, small_experiment, capsys):
    scenario = str(workdir / "teaching_small.yaml")
    longest = tmp_path / ("r" * 245)
    assert main(["run", scenario, "--out", str(longest), "--steps", "2", "--no-plots"]) == 0
    assert (longest / "manifest.json").exists()
    assert main(["run", scenario, "--out", str(longest), "--steps", "2", "--no-plots", "--force"]) == 0
    too_long = tmp_path / ("r" * 256)
    assert main(["run", scenario, "--out", str(too_long), "--steps", "2"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {too_long}: --out: cannot use this path (File name too long)"
    assert main(["batch", str(small_experiment), "--out", str(too_long), "--workers", "1"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {too_long}: --out: cannot use this path (File name too long)"
    assert main(["batch", str(small_experiment), "--out", str(tmp_path / ("b" * 245)), "--workers", "1", "--no-plots"]) == 0


def test_a_read_only_out_is_an_input_error(small_experiment, tmp_path, monkeypatch, capsys):
    """Simulated (this test may run as root, whom permissions do not stop): the lock file cannot be made."""
    import spacesim.output.folder as folder

    real_open = os.open

    def read_only(path, flags, *args):
        if str(path).endswith(LOCK_FILE):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(folder.os, "open", read_only)
    out = tmp_path / "ro"
    out.mkdir()
    assert main(["batch", str(small_experiment), "--out", str(out), "--workers", "1"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {out}: --out: cannot write in this folder (Read-only file system); choose a folder you can write to"
    assert main(["run", str(small_experiment.parent / "teaching_small.yaml"), "--out", str(tmp_path / "ro2"), "--steps", "2"]) == 2
    assert "cannot write in this folder (Read-only file system)" in capsys.readouterr().err
    assert not (tmp_path / "ro2").exists() and not any(out.iterdir())


def test_a_batch_refused_by_its_executor_leaves_no_folder(small_experiment, tmp_path):
    assert main(["batch", str(small_experiment), "--workers", "0", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


# --- Ctrl-C is never a failed run -----------------------------------------------------

STORM = """\
import random, signal, sys
from spacesim import load_scenario, shipped_scenario
from spacesim.output.run_result import handling_interrupts, run_scenario
spec = load_scenario(shipped_scenario("baseline"))
run_scenario(spec, seed=1, steps=2)  # compiled (or read from Numba's cache) before the storm
random.seed(int(sys.argv[2]))
outcomes = {}
for i in range(int(sys.argv[1])):
    with handling_interrupts((signal.SIGALRM,), replace_custom=True):
        try:
            signal.setitimer(signal.ITIMER_REAL, random.uniform(0.001, 0.1))
            for _ in range(100):
                run_scenario(spec, seed=i, steps=80)
        except BaseException as exc:
            name = type(exc).__name__ + ("" if exc.__cause__ is None and exc.__context__ is None else " (chained)")
            outcomes[name] = outcomes.get(name, 0) + 1
print(outcomes)
"""


def test_interrupts_at_random_moments_inside_the_compiled_model_are_clean_keyboard_interrupts():
    """Most of a step's time is in Numba's compiled loops; an interrupt raised there used to come back as SystemError,
    "Exception ignored" or a segmentation fault."""
    tries = 120
    result = subprocess.run([sys.executable, "-c", STORM, str(tries), "7"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str({"KeyboardInterrupt": tries}), result.stdout
    assert "Exception ignored" not in result.stderr and "SystemError" not in result.stderr


def _sessions(out: Path) -> int:
    try:
        return len(json.loads((out / "manifest.json").read_text())["sessions"])
    except (OSError, ValueError, KeyError):
        return 0


def test_a_storm_of_ctrl_c_on_a_real_batch_never_records_a_failed_run(workdir, tmp_path):
    import random

    experiment = workdir / "storm.yaml"
    experiment.write_text(
        "schema_version: 1\nname: storm\ndescription: The baseline world, stopped again and again.\nscenario: baseline.yaml\n"
        # 800 runs: enough that six short sessions (each stopped within 1.7 s of starting) cannot finish the batch on a fast machine
        "steps: 80\nreplicates: 400\nseed: 5\nvary:\n  grid:\n    legal_clarity: [0.0, 1.0]\nchunk_size: 2\noutcomes: [n_bilateral, "
        "mean_trust]\ntables: []\nplots: []\n"
    )
    out = tmp_path / "b"
    rng = random.Random(11)
    outcomes = []
    for attempt in range(6):
        args = ["batch", str(experiment), "--out", str(out), "--workers", "1", "--no-plots"] + (["--resume"] if attempt else [])
        proc = subprocess.Popen([*SPACESIM, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _sessions(out) <= attempt:  # this session runs (signals during start-up are Python's business)
            time.sleep(0.01)
        time.sleep(0.3 + rng.uniform(0, 1.2))
        for _ in range(rng.randint(1, 3)):
            proc.send_signal(signal.SIGINT)
            time.sleep(rng.uniform(0, 0.2))
        stdout, stderr = proc.communicate(timeout=120)
        outcomes.append(proc.returncode)
        assert proc.returncode == 130, stderr[-2000:]
        for bad in ("Traceback", "SystemError", "Exception ignored", "internal error"):
            assert bad not in stderr, stderr[-2000:]
        assert "resume with: spacesim batch" in stderr
        assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
        chunks = sorted((out / "chunks").glob("[0-9]*/runs.parquet"))
        if chunks:
            status = pd.concat([pd.read_parquet(p, columns=["status"]) for p in chunks])["status"]
            assert (status == "completed").all(), "an interrupted run was recorded as failed"
    resumed = spacesim("batch", str(experiment), "--out", str(out), "--resume", "--workers", "1", "--no-plots")
    assert resumed.returncode == 0, resumed.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["run_id"]) == list(range(800)) and (runs["status"] == "completed").all()


def test_force_replaces_a_run_and_a_batch_named_by_a_relative_path(workdir, small_experiment, monkeypatch):
    """--out given relative to the current folder: the staging folder inside it survives the clearing of the old result."""
    monkeypatch.chdir(workdir)
    scenario = str(workdir / "teaching_small.yaml")
    for _ in range(2):
        assert main(["run", scenario, "--out", "r1", "--steps", "2", "--no-plots", "--force"]) == 0
        assert sorted(p.name for p in Path("r1").iterdir()) == [
            "events.parquet",
            "manifest.json",
            "nations.parquet",
            "partnerships.parquet",
            "revisions.parquet",
            "runs.parquet",
            "steps.parquet",
        ]
    for _ in range(2):
        assert main(["batch", str(small_experiment), "--out", "b1", "--workers", "1", "--no-plots", "--force"]) == 0
        assert (Path("b1") / "manifest.json").exists() and (Path("b1") / "runs.parquet").exists()


def test_what_the_analyses_add_to_a_batch_folder_counts_as_spacesims(tmp_path):
    """--force may replace a batch folder after spacesim discover and the sensitivity analyses wrote into it, but not
    one where a user's file sits among them."""
    out = tmp_path / "b"
    (out / "discovery").mkdir(parents=True)
    (out / "manifest.json").write_text(json.dumps({"kind": "batch"}))
    for name in ("runs.parquet", "sensitivity_convergence.parquet", "sensitivity_over_time.parquet"):
        (out / name).write_bytes(b"")
    for name in ("prim_trajectory.png", "prim_box.csv", "discovery.json", "cart_rules.txt"):
        (out / "discovery" / name).write_bytes(b"")
    assert {p.name for p in check_replaceable(out)} == {
        "manifest.json",
        "runs.parquet",
        "sensitivity_convergence.parquet",
        "sensitivity_over_time.parquet",
        "discovery",
    }
    (out / "discovery" / "draft.docx").write_bytes(b"")
    with pytest.raises(InputError, match="it holds what spacesim did not write: discovery/"):
        check_replaceable(out)
