"""Inputs that must be refused with a one-line error, never read without bound, hung on, or misread.

Paths that are not regular files (a FIFO, ``/dev/zero``, a folder, a loop
of symbolic links, an unreadable file), booleans and quoted numbers where a
number belongs, and seeds too large for the result tables.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from spacesim import InputError, load_scenario, parse_scenario
from spacesim.experiment import load_experiment
from spacesim.scenario import apply_overrides, inputfile
from spacesim.scenario.experiment import load_any, parse_experiment
from spacesim.scenario.library import shipped_scenario
from spacesim.scenario.schema import MAX_SEED

LOADERS = {"scenario": load_scenario, "experiment": load_experiment, "either": load_any}


def refusal(load, path, timeout: float = 10.0) -> str:
    """The one problem ``load(path)`` raises, failing (not hanging) if it takes longer than ``timeout`` seconds."""
    outcome: dict[str, BaseException] = {}

    def target() -> None:
        try:
            load(path)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, daemon=True)  # a hung read must not hang the test run
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"reading {path} did not return within {timeout} s"
    error = outcome.get("error")
    assert isinstance(error, InputError), f"expected an InputError, got {error!r}"
    (problem,) = error.problems
    return str(problem)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo, loader):
    assert refusal(LOADERS[loader], fifo) == f"{fifo}: is a FIFO (named pipe), not a regular file"


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_dev_zero_is_refused_without_reading_it(loader):
    assert refusal(LOADERS[loader], "/dev/zero") == "/dev/zero: is a character device, not a regular file"


def test_a_folder_is_refused(tmp_path):
    assert refusal(load_scenario, tmp_path) == f"{tmp_path}: is a folder, not a file"


def test_a_symlink_loop_is_named(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert refusal(load_scenario, tmp_path / "a.yaml") == f"{tmp_path / 'a.yaml'}: cannot read: a loop of symbolic links"


def test_an_experiment_whose_scenario_is_a_symlink_loop(tmp_path):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "e.yaml").write_text("schema_version: 1\nname: e\ndescription: d\nscenario: loop.yaml\n")
    with pytest.raises(InputError) as caught:
        load_experiment(tmp_path / "e.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].endswith("scenario: the scenario file loop.yaml is invalid")
    assert messages[1] == f"{tmp_path / 'loop.yaml'}: cannot read: a loop of symbolic links"


def test_an_experiment_whose_scenario_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "s.yaml")
    (tmp_path / "e.yaml").write_text("schema_version: 1\nname: e\ndescription: d\nscenario: s.yaml\n")
    with pytest.raises(InputError, match="is a FIFO"):
        load_experiment(tmp_path / "e.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("schema_version: 1\n")
    path.chmod(0)
    assert refusal(load_scenario, path) == f"{path}: cannot read: permission denied"


def test_a_permission_error_is_named(tmp_path, monkeypatch):
    """The same refusal as a real unreadable file (tests often run as root, who reads anything)."""
    path = tmp_path / "s.yaml"
    path.write_text("schema_version: 1\n")

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(inputfile.os, "open", denied)
    assert refusal(load_scenario, path) == f"{path}: cannot read: permission denied"


def test_the_byte_limit_holds_even_when_the_size_lies(tmp_path, monkeypatch):
    """A file is read to the limit and no further, whatever its size said when it was checked."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 1000)
    assert inputfile.read_input_bytes(path, max_bytes=1000) == b"#" * 1000
    with pytest.raises(InputError, match="file is 1,000 bytes; the limit is 999"):
        inputfile.read_input_bytes(path, max_bytes=999)
    real_stat, real_fstat = os.stat, os.fstat
    small = lambda st: os.stat_result((*st[:6], 10, *st[7:]))  # noqa: E731 - st_size is field 6
    monkeypatch.setattr(inputfile.os, "stat", lambda p: small(real_stat(p)))
    monkeypatch.setattr(inputfile.os, "fstat", lambda fd: small(real_fstat(fd)))
    with pytest.raises(InputError, match="more than 999 bytes"):
        inputfile.read_input_bytes(path, max_bytes=999)


def test_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    assert refusal(load_scenario, path) == f"{path}: not UTF-8 text (invalid continuation byte at byte 9)"


def test_cli_refuses_a_fifo_and_dev_zero_with_exit_2(fifo):
    for path in (str(fifo), "/dev/zero"):
        done = subprocess.run([sys.executable, "-m", "spacesim", "run", path, "--out", str(fifo.parent / "out")], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: {path}: is a ") and done.stderr.count("\n") == 1, done.stderr
        assert not (fifo.parent / "out").exists()


# --------------------------------------------------------------- numbers are numbers


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("steps: 10", "steps: true", "steps"),
        ("steps: 10", "steps: '10'", "steps"),
        ("seed: 1", "seed: false", "seed"),
        ("initial_debris: 10000", "initial_debris: true", "initial_debris"),
        ("capability: 0.5,", "capability: true,", "nations[2].capability"),
        ("sovereignty: 0.5, capability: 0.5", "sovereignty: '0.5', capability: 0.5", "nations[2].sovereignty"),
        ("integration: 1.0", "integration: yes", "frameworks[0].integration"),
        ("default: 0.5", "default: true", "trust.default"),
    ],
)
def test_a_boolean_or_a_quoted_number_is_not_a_number_in_a_scenario(tiny_text, old, new, field):
    assert old in tiny_text
    with pytest.raises(InputError) as caught:
        parse_scenario(tiny_text.replace(old, new, 1), "s.yaml")
    (problem,) = caught.value.problems
    assert problem.path == field
    assert "valid number" in problem.message or "valid integer" in problem.message


@pytest.mark.parametrize(
    "name,value", [("trust_gain", True), ("legal_clarity", False), ("trust_gain", "1.0"), ("allow_bilateral", 1), ("allow_bilateral", "true")]
)
def test_parameters_and_levers_keep_their_kind(tiny_text, name, value):
    group = "policy" if name in ("legal_clarity", "allow_bilateral") else "parameters"
    with pytest.raises(InputError) as caught:
        parse_scenario(tiny_text + f"{group}:\n  {name}: {value!r}\n".replace("True", "true").replace("False", "false"), "s.yaml")
    assert [p.path for p in caught.value.problems] == [f"{group}.{name}"]


def test_numbers_and_booleans_that_are_right_still_pass(tiny_text):
    spec = parse_scenario(tiny_text + "parameters:\n  trust_gain: 1\npolicy:\n  allow_bilateral: false\n  legal_clarity: 1\n", "s.yaml")
    assert spec.parameters.trust_gain == 1.0 and spec.policy.allow_bilateral is False and spec.policy.legal_clarity == 1.0


@pytest.mark.parametrize(
    "body",
    [
        "replicates: true\n",
        "replicates: '5'\n",
        "steps: true\n",
        "seed: true\n",
        "chunk_size: false\n",
        "vary:\n  sample: {method: sobol, n: true, ranges: {legal_clarity: [0, 1]}}\n",
    ],
)
def test_a_boolean_or_a_quoted_number_is_not_a_number_in_an_experiment(tmp_path, body):
    (tmp_path / "s.yaml").write_text(shipped_scenario("teaching_small").read_text())
    with pytest.raises(InputError) as caught:
        parse_experiment("schema_version: 1\nname: e\ndescription: d\nscenario: s.yaml\n" + body, "e.yaml", base_dir=tmp_path)
    (problem,) = caught.value.problems
    assert problem.line == 4 + body.count("\n") and ("valid integer" in problem.message or "valid number" in problem.message), problem


@pytest.mark.parametrize(
    "body", ["parameters: {legal_clarity: true}\n", "vary:\n  grid:\n    trust_gain: [0.5, true]\n", "variants:\n  a: {allow_bilateral: 0}\n"]
)
def test_experiment_values_keep_the_parameters_kind(tmp_path, body):
    (tmp_path / "s.yaml").write_text(shipped_scenario("teaching_small").read_text())
    with pytest.raises(InputError, match="valid (number|boolean)"):
        parse_experiment("schema_version: 1\nname: e\ndescription: d\nscenario: s.yaml\n" + body, "e.yaml", base_dir=tmp_path)


def test_set_values_keep_the_parameters_kind(tmp_path):
    scenario = str(shipped_scenario("teaching_small"))
    for setting in ("legal_clarity=true", "trust_gain='2'", "allow_bilateral=1"):
        done = subprocess.run(
            [sys.executable, "-m", "spacesim", "run", scenario, "--steps", "2", "--set", setting, "--out", str(tmp_path / "out")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: command line: {setting.split('=')[0]}: Input should be a valid "), done.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------- seeds fit 64 bits


def test_a_seed_of_2_64_is_refused_in_a_scenario(tiny_text):
    assert MAX_SEED == 2**64 - 1
    parse_scenario(tiny_text.replace("seed: 1", f"seed: {MAX_SEED}"), "s.yaml")
    with pytest.raises(InputError) as caught:
        parse_scenario(tiny_text.replace("seed: 1", f"seed: {2**64}"), "s.yaml")
    (problem,) = caught.value.problems
    assert problem.path == "seed" and problem.line == 5 and "less than or equal to 18446744073709551615" in problem.message


def test_a_seed_of_2_64_is_refused_in_an_experiment(tmp_path):
    (tmp_path / "s.yaml").write_text(shipped_scenario("teaching_small").read_text())
    with pytest.raises(InputError, match="seed: Input should be less than or equal to 18446744073709551615"):
        parse_experiment(f"schema_version: 1\nname: e\ndescription: d\nscenario: s.yaml\nseed: {2**70}\n", "e.yaml", base_dir=tmp_path)


def test_a_seed_override_of_2_64_is_refused(tiny_spec):
    assert apply_overrides(tiny_spec, {"seed": MAX_SEED}).seed == MAX_SEED
    with pytest.raises(InputError, match="seed"):
        apply_overrides(tiny_spec, {"seed": 2**64})


def test_cli_refuses_a_seed_of_2_64_before_running_and_runs_the_largest(tmp_path):
    scenario = str(shipped_scenario("teaching_small"))
    done = subprocess.run(
        [sys.executable, "-m", "spacesim", "run", scenario, "--steps", "2", "--seed", str(2**64), "--out", str(tmp_path / "big")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "error: command line: --seed: Input should be less than or equal to 18446744073709551615 (got 18446744073709551616)\n"
    assert not (tmp_path / "big").exists()
    done = subprocess.run(
        [sys.executable, "-m", "spacesim", "run", scenario, "--steps", "2", "--seed", str(MAX_SEED), "--out", str(tmp_path / "max"), "--no-plots"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    import pandas as pd

    assert int(pd.read_parquet(tmp_path / "max" / "runs.parquet")["seed"].iloc[0]) == MAX_SEED


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("debris: 3037,", "debris: true,", "rows[1].debris"),
        ("altitude_km: 850,", "altitude_km: '850',", "rows[1].altitude_km"),
        ("totals: {tests: 5}", "totals: {tests: true}", "totals.tests"),
        ("complete: true", "complete: 1", "complete"),
    ],
)
def test_observed_history_files_keep_numbers_and_booleans_apart(tmp_path, old, new, field):
    from spacesim.scenario.history import load_history, shipped_histories

    text = shipped_histories()["asat_tests"].read_text()
    assert old in text
    (tmp_path / "h.yaml").write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as caught:
        load_history(tmp_path / "h.yaml")
    assert [p.path for p in caught.value.problems] == [field]


def test_an_observed_history_file_that_is_a_fifo_is_refused(fifo):
    from spacesim.scenario.history import load_history

    assert refusal(load_history, fifo) == f"{fifo}: is a FIFO (named pipe), not a regular file"
