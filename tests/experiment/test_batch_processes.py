"""Real processes: a batch killed with SIGKILL and resumed; a real Dask cluster; the command line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from spacesim.cli import main
from spacesim.experiment import run_batch
from spacesim.scenario import InputError

from ..clusters import free_port as _free_port
from ..clusters import start_cluster as _cluster
from ..clusters import venv_worker

SPACESIM = [sys.executable, "-m", "spacesim"]


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = pd.read_parquet(out / "runs.parquet").sort_values("run_id").reset_index(drop=True)
    steps = pd.read_parquet(out / "steps.parquet").sort_values(["run_id", "step"]).reset_index(drop=True)
    return runs, steps


def test_sigkilled_batch_resumes_to_the_same_tables(workdir, tmp_path):
    experiment = workdir / "killme.yaml"
    experiment.write_text(
        "schema_version: 1\nname: killme\ndescription: Enough runs to be killed part-way.\nscenario: baseline.yaml\n"
        "steps: 12\nreplicates: 40\nseed: 5\nchunk_size: 1\noutcomes: [n_bilateral, mean_trust]\ntables: []\n"
    )
    out = tmp_path / "killed"
    tag = f"SPACESIM_TEST_TAG={os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    proc = subprocess.Popen(
        [*SPACESIM, "batch", str(experiment), "--out", str(out), "--workers", "2", "--no-plots"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    chunks = out / "chunks"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = [p for p in chunks.iterdir() if p.name.isdigit()] if chunks.exists() else []
        if len(done) >= 5:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    committed = len([p for p in chunks.iterdir() if p.name.isdigit()])
    assert 5 <= committed < 40, "the batch must be killed part-way for this test to mean anything"
    assert not (out / "runs.parquet").exists()
    # The orphaned workers notice that their parent died and exit by themselves.
    deadline = time.monotonic() + 10
    while _children_of_batch(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _children_of_batch(tag)

    resumed = subprocess.run(
        [*SPACESIM, "batch", str(experiment), "--out", str(out), "--resume", "--workers", "2", "--no-plots"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    whole = tmp_path / "whole"
    run_batch(experiment, whole, workers=1)
    runs_a, steps_a = _tables(out)
    runs_b, steps_b = _tables(whole)
    assert runs_a["run_id"].is_unique and len(runs_a) == 40
    assert not steps_a.duplicated(["run_id", "step"]).any()
    assert_frame_equal(runs_a, runs_b)
    assert_frame_equal(steps_a, steps_b)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and len(manifest["sessions"]) == 2
    assert manifest["sessions"][1]["chunks_to_run"] == 40 - committed


def _children_of_batch(tag: str) -> list[int]:
    """Spawned worker processes still alive that inherited the killed batch's tagged environment (found through /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"multiprocessing.spawn" in status.read_bytes() and tag.encode() in status.parent.joinpath("environ").read_bytes().split(b"\0"):
                found.append(int(status.parent.name))
        except (OSError, ValueError):
            continue
    return found


# A scenario's text is given (the zip holds the package's code, not its shipped scenario files).
WARM_UP = """\
import sys
sys.path.insert(0, sys.argv[1])
from spacesim import SpaceModel, parse_scenario
SpaceModel(parse_scenario(sys.stdin.read(), "warm-up"), steps=2).run()
"""


@pytest.fixture(scope="session")
def bare_worker_cache(request, tmp_path_factory) -> Path:
    """A user cache folder (``XDG_CACHE_HOME``) for workers without spacesim, holding this code's zip and Numba's loops compiled from it.

    Numba caches the loops of a zipped package in the user-wide folder under a
    name derived from the zip's path, so the folder is a fixed one per code
    version (in pytest's cache, kept between sessions; only the current
    version's is kept) and is warmed once: the zip is written where the
    workers' plugin writes it (the same bytes, so the plugin keeps it) and
    one bare interpreter compiles the loops from it. The workers then load
    the loops instead of both compiling them.
    """
    from spacesim import shipped_scenario
    from spacesim.experiment.executors import package_zip
    from spacesim.output.provenance import package_fingerprint

    code = package_fingerprint()[:16]
    try:
        root = request.config.cache.mkdir("spacesim-bare-workers")
    except AttributeError:  # pytest's cache is switched off (-p no:cacheprovider)
        root = tmp_path_factory.mktemp("spacesim-bare-workers")
    for old in root.iterdir():
        if old.name != code:
            shutil.rmtree(old, ignore_errors=True)
    cache = root / code
    zipped = cache / "spacesim" / f"spacesim-{code}.zip"
    if not list((cache / "numba").rglob("*.nbi")):
        zipped.parent.mkdir(parents=True, exist_ok=True)
        zipped.write_bytes(package_zip())
        base = getattr(sys, "_base_executable", sys.executable)
        env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"], "XDG_CACHE_HOME": str(cache), "PYTHONNOUSERSITE": "1"}
        env.pop("NUMBA_CACHE_DIR", None)
        text = shipped_scenario("baseline").read_text()
        where = tmp_path_factory.getbasetemp()
        warm = subprocess.run([base, "-c", WARM_UP, str(zipped)], input=text, env=env, capture_output=True, text=True, cwd=where, timeout=600)
        assert warm.returncode == 0, warm.stderr[-3000:]
    return cache


@pytest.fixture
def bare_dask_cluster(tmp_path, bare_worker_cache):
    """Two workers that can import ``distributed`` but not spacesim: the base interpreter of this venv with the venv's site-packages on PYTHONPATH.

    spacesim is an editable install, found through a ``.pth`` file that
    Python processes only in its own site-packages, not in a PYTHONPATH
    folder, so these workers cannot import it. Their user cache folder
    (``XDG_CACHE_HOME``, where the zip and Numba's cache of it go) is the
    warmed :func:`bare_worker_cache`, seen from the test as ``tmp_path / "cache"``.
    """
    base = getattr(sys, "_base_executable", sys.executable)
    if sys.prefix == sys.base_prefix:
        pytest.skip("needs a virtual environment (its base interpreter runs the workers)")
    (tmp_path / "cache").symlink_to(bare_worker_cache, target_is_directory=True)
    env = {"PYTHONPATH": sysconfig.get_paths()["purelib"], "XDG_CACHE_HOME": str(bare_worker_cache), "PYTHONNOUSERSITE": "1"}
    check = subprocess.run(
        [base, "-c", "import distributed\ntry:\n    import spacesim\nexcept ImportError:\n    print('bare')"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    if check.stdout.strip() != "bare":
        pytest.skip(f"the base interpreter {base} imports spacesim or cannot import distributed: {check.stderr[-300:]}")
    with _cluster(tmp_path, [base, "-m", "distributed.cli.dask_worker"], env) as address:
        yield address


def test_dask_cluster_gives_the_same_tables_as_local_workers(small_experiment, tmp_path, dask_cluster):
    result = subprocess.run(
        [*SPACESIM, "batch", str(small_experiment), "--cluster", dask_cluster, "--out", str(tmp_path / "dask"), "--no-plots"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    local = run_batch(small_experiment, tmp_path / "local", workers=2)
    runs, steps = _tables(tmp_path / "dask")
    assert_frame_equal(runs, local.runs.sort_values("run_id").reset_index(drop=True))
    assert_frame_equal(steps, local.steps.sort_values(["run_id", "step"]).reset_index(drop=True))
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][0]["executor"] == "dask" and manifest["sessions"][0]["workers"] == 2


def test_workers_without_spacesim_get_it_uploaded_and_give_the_same_tables(workdir, tmp_path, bare_dask_cluster):
    """The probe of the workers' spacesim is pickled by value, the package goes to them as a zip, and Numba caches its loops from the zip."""
    experiment = workdir / "tiny.yaml"
    experiment.write_text(
        "schema_version: 1\nname: tiny\ndescription: Two points, two replicates, a few steps.\nscenario: teaching_small.yaml\n"
        "steps: 5\nreplicates: 2\nseed: 8\nvary:\n  grid:\n    legal_clarity: [0.2, 0.8]\noutcomes: [n_bilateral, mean_trust]\nchunk_size: 1\ntables: []\n"
    )
    result = subprocess.run(
        [*SPACESIM, "batch", str(experiment), "--cluster", bare_dask_cluster, "--out", str(tmp_path / "dask"), "--no-plots"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr + (tmp_path / "dask.log").read_text()[-3000:]
    local = run_batch(experiment, tmp_path / "local", workers=2)
    runs, steps = _tables(tmp_path / "dask")
    assert_frame_equal(runs, local.runs.sort_values("run_id").reset_index(drop=True))
    assert_frame_equal(steps, local.steps.sort_values(["run_id", "step"]).reset_index(drop=True))
    cache = tmp_path / "cache"
    assert len(list((cache / "spacesim").glob("spacesim-*.zip"))) == 1, "one zip per machine and version, in a fixed place"
    assert list((cache / "numba").rglob("*.nbi")), "Numba cached the loops compiled from the zip in its user-wide folder"


def test_adaptive_replication_on_a_dask_cluster_makes_the_same_rounds(adaptive_experiment, tmp_path, dask_cluster):
    on_cluster = run_batch(adaptive_experiment, tmp_path / "dask", cluster=dask_cluster)
    here = run_batch(adaptive_experiment, tmp_path / "here", workers=1)
    assert on_cluster.manifest.replication == here.manifest.replication and on_cluster.manifest.replication.rounds >= 2
    assert_frame_equal(on_cluster.runs.sort_values("run_id").reset_index(drop=True), here.runs.sort_values("run_id").reset_index(drop=True))


def test_unreachable_cluster_is_a_clear_input_error(small_experiment, tmp_path):
    port = _free_port()
    result = subprocess.run(
        [*SPACESIM, "batch", str(small_experiment), "--cluster", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "x")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "--cluster" in result.stderr and "cannot reach a Dask scheduler" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_malformed_cluster_address_is_refused_at_once_without_a_traceback(small_experiment, tmp_path):
    """The reviewer's case: an internal error, a 20 s hang and Client.__del__'s traceback before."""
    started = time.monotonic()
    result = subprocess.run(
        [*SPACESIM, "batch", str(small_experiment), "--cluster", "127.0.0.1:notaport", "--out", str(tmp_path / "x")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "--cluster: 127.0.0.1:notaport: the port must be an integer from 1 to 65535, not 'notaport'" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr and "internal error" not in result.stderr
    assert time.monotonic() - started < 15
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("127.0.0.1:0", "the port must be an integer from 1 to 65535, not '0'"),
        ("127.0.0.1:65536", "the port must be an integer from 1 to 65535, not '65536'"),
        ("tcp://127.0.0.1", "no port"),
        ("127.0.0.1:", "the port must be an integer"),
        ("ws://127.0.0.1:8786", "only tcp:// scheduler addresses are supported"),
        ("tcp://two words:8786", "'two words' is not a host name or address"),
        ("nosuchhost.invalid:8786", "unknown host 'nosuchhost.invalid'"),
    ],
)
def test_bad_cluster_addresses_are_input_errors_naming_the_problem(small_experiment, tmp_path, capsys, address, message):
    assert main(["batch", str(small_experiment), "--cluster", address, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --cluster: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_a_port_that_is_not_a_dask_scheduler_is_refused_within_the_timeout(small_experiment, tmp_path):
    """Something listens but never answers Dask's handshake (Dask's own Client waits far longer than its timeout there)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [*SPACESIM, "batch", str(small_experiment), "--cluster", f"127.0.0.1:{port}", "--out", str(tmp_path / "x")],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert "did not answer as a Dask scheduler within 10 s" in result.stderr and "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert time.monotonic() - started < 40
    assert not (tmp_path / "x").exists()


def test_a_client_that_failed_to_connect_is_discarded_quietly():
    """Whatever Dask's Client raises while connecting, its half-made self must not hang 20 s and print a traceback when collected."""
    code = (
        "import time\n"
        "from dask.distributed import Client\n"
        "from spacesim.experiment.executors import _discard_half_made_client\n"
        "kept = []\n"
        "try:\n"
        "    Client('tcp://127.0.0.1:notaport', timeout=2, set_as_default=False)\n"
        "except Exception as exc:\n"
        "    _discard_half_made_client(exc)\n"
        "    kept.append(exc)  # held to the end, as an InputError's context holds it on the command line\n"
        "print(time.monotonic(), flush=True)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    ended = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    # The bug was a 20 s wait for the client to close; 10 s separates it from a slow interpreter exit on a loaded machine.
    assert ended - float(result.stdout.strip()) < 10, "the interpreter exits at once instead of waiting for the client to close"


def test_workers_and_cluster_together_are_refused(small_experiment, tmp_path, capsys):
    """--workers counts local processes; on a cluster its workers run the batch, so the combination is refused rather than silently ignored."""
    assert main(["batch", str(small_experiment), "--workers", "2", "--cluster", "tcp://127.0.0.1:8786", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "error: --workers: 2: cannot be combined with --cluster: on a Dask cluster the batch runs on the cluster's workers" in err
    assert not (tmp_path / "x").exists()
    with pytest.raises(InputError, match="workers: 2: cannot be combined with cluster"):
        run_batch(small_experiment, tmp_path / "y", workers=2, cluster="tcp://127.0.0.1:8786")
    assert not (tmp_path / "y").exists()


def test_ctrl_c_stops_cleanly_keeps_what_finished_and_says_how_to_resume(workdir, tmp_path):
    experiment = workdir / "stopme.yaml"
    experiment.write_text(
        "schema_version: 1\nname: stopme\ndescription: Enough runs to be stopped part-way.\nscenario: baseline.yaml\n"
        "steps: 40\nreplicates: 40\nseed: 6\nchunk_size: 1\noutcomes: [n_bilateral]\ntables: []\n"
    )
    out = tmp_path / "stopped"
    # Started with SIGINT ignored, as a shell starts a background job: the batch must still stop on SIGINT.
    ignore_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731
    proc = subprocess.Popen(
        [*SPACESIM, "batch", str(experiment), "--out", str(out), "--workers", "2", "--no-plots"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore_sigint,
    )
    chunks = out / "chunks"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (chunks.exists() and len([p for p in chunks.iterdir() if p.name.isdigit()]) >= 3):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "resume with: spacesim batch" in stderr and "--resume" in stderr and "Traceback" not in stderr
    manifest = json.loads((out / "manifest.json").read_text())
    kept = len([p for p in chunks.iterdir() if p.name.isdigit()])
    assert manifest["status"] == "interrupted" and manifest["runs"]["completed"] == kept < 40
    resumed = subprocess.run(
        [*SPACESIM, "batch", str(experiment), "--out", str(out), "--resume", "--workers", "1", "--no-plots"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["run_id"]) == list(range(40))


HALF_SENT = """
import os, signal, struct, sys, threading
from pathlib import Path

import pandas as pd

from spacesim.experiment.design import RunTask
from spacesim.experiment.executors import LocalProcesses, worker_pipe
from spacesim.experiment.worker import ChunkResult

flag = Path(sys.argv[1])


def answer(index, tasks):
    if not flag.exists():  # the first chunk: what a worker killed mid-send leaves, a length header promising more bytes than follow
        flag.write_text("half sent")
        os.write(worker_pipe().fileno(), struct.pack("!i", 1000) + b"partial")
        os.kill(os.getpid(), signal.SIGKILL)
    return ChunkResult(index, {"runs": pd.DataFrame({"run_id": [t.run_id for t in tasks]})}, 0.0)


if __name__ == "__main__":
    with LocalProcesses(1) as executor:
        done = sorted(r.chunk for r in executor.run([(i, [RunTask(i, 0, "default", 0, i)]) for i in range(3)], answer))
    print(done, executor.losses, [t.name for t in threading.enumerate() if t is not threading.main_thread()])
"""


def test_a_worker_stopped_mid_message_is_replaced_and_nothing_waits_for_the_rest(tmp_path):
    """A worker killed while sending a result leaves half a message in its pipe.

    The batch must read end-of-file (the pipe has no other writer), run the
    chunk again on a new worker, and exit (the old ProcessPoolExecutor's
    manager thread waited for the rest forever, and the interpreter for it).
    """
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", HALF_SENT, str(tmp_path / "flag")], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[0, 1, 2] 1 []", result.stdout  # every chunk, one worker lost and replaced, no thread left behind
    assert (tmp_path / "flag").read_text() == "half sent"
    assert time.monotonic() - started < 60


def test_a_worker_started_after_its_parent_died_exits():
    """A worker whose batch was killed while it was still starting must not wait for work forever."""
    code = "import time\nfrom spacesim.experiment.executors import _worker_init\n_worker_init(2**22 + 12345)\ntime.sleep(60)\n"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert proc.returncode == 1
    assert time.monotonic() - started < 20


@pytest.fixture
def dask_cluster_own_cache(tmp_path):
    """Two workers of this venv (which import spacesim), whose user cache folder (where sent zips go) is the test's own.

    Not the session's cluster: the test registers another version's code on it."""
    with _cluster(tmp_path, venv_worker(), {"XDG_CACHE_HOME": str(tmp_path / "cache")}) as address:
        yield address


def test_dask_chunks_run_the_code_the_batch_recorded_whatever_another_version_registered(small_experiment, tmp_path, monkeypatch, dask_cluster_own_cache):
    """Another spacesim registers its own package on the scheduler after this batch set up its workers (as a batch of another version
    sharing the cluster would, and as a worker joining later would set it up last): every chunk checks its worker's code and switches back."""
    import hashlib
    import io
    import zipfile

    from spacesim.experiment import executors

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(executors.package_zip())) as ours, zipfile.ZipFile(buffer, "w") as theirs:
        for item in ours.infolist():
            data = ours.read(item)
            if item.filename == "spacesim/experiment/worker.py":  # the other version's chunks say so
                data += b"\n\ndef run_chunk(*args, **kwargs):\n    raise RuntimeError('another spacesim ran this chunk')\n"
            theirs.writestr(item, data)
    other = buffer.getvalue()
    setup = executors.DaskCluster._ensure_importable

    def then_another_version_registers(self, option="--cluster"):
        setup(self, option)
        self.client.register_plugin(executors._install_plugin(other, hashlib.sha256(other).hexdigest(), "f" * 64), name="spacesim-code-ffffffffffffffff")
        assert set(self._fingerprints().values()) != {executors.package_fingerprint()}, "the workers now run the other version"

    monkeypatch.setattr(executors.DaskCluster, "_ensure_importable", then_another_version_registers)
    on_cluster = run_batch(small_experiment, tmp_path / "dask", cluster=dask_cluster_own_cache)
    here = run_batch(small_experiment, tmp_path / "here", workers=1)
    assert (on_cluster.runs["status"] == "completed").all()
    assert_frame_equal(on_cluster.runs.sort_values("run_id").reset_index(drop=True), here.runs.sort_values("run_id").reset_index(drop=True))
    assert on_cluster.manifest.code.sha256 == executors.package_fingerprint()
