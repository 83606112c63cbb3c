"""The calibration's manifest as a typed model: what ``calibrate`` writes round-trips, folders of an older spacesim are
read, and a malformed manifest is refused (exit 2) naming manifest.json and the field.

The fixtures under fixtures/ are the manifests of a small real calibration (the synthetic world of
:mod:`.synthetic`, 20 particles, 2 generations) written by spacesim before the calibration's manifest
was typed: ``v1_calibration_manifest.json`` by main at 7e375fe (no ``manifest_version``; the prior's
sample has ``epsilon: Infinity``) and ``v2_calibration_manifest.json`` by main at be81f64 (version 2,
every section an untyped extra).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from spacesim.calibration.report import write_calibration_report
from spacesim.calibration.results import calibrate, read_calibration_manifest
from spacesim.calibration.spec import load_calibration
from spacesim.cli import main
from spacesim.output.result_folder import MANIFEST_VERSION, CalibrationManifest, GenerationRecord, ResultFolder, dump_manifest, parse_manifest
from spacesim.scenario import InputError

from .synthetic import TRUTH, observed_accessions, write_calibration

FIXTURES = Path(__file__).parent / "fixtures"
OLD = {1: FIXTURES / "v1_calibration_manifest.json", 2: FIXTURES / "v2_calibration_manifest.json"}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CalibrationManifest]:
    """A small real calibration's folder (no plots) and the manifest ``calibrate`` returned."""
    tmp = tmp_path_factory.mktemp("calibration")
    calib = load_calibration(write_calibration(tmp, observed_accessions(TRUTH, 3), abc={"population": 20, "generations": 2, "posterior_draws": 2}))
    manifest = calibrate(calib, tmp / "out", workers=1, plots=False, echo=lambda line: None)
    return tmp / "out", manifest


def _copy(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    return copy


def _shape(value: object) -> object:
    """The keys of every JSON object in ``value`` and the JSON type of every leaf (nulls and empty containers as ``None``)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()} or None
    if isinstance(value, list):
        return [_shape(v) for v in value] or None
    if value is None:
        return None
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


def _same_shape(new: object, old: object) -> bool:
    """Whether ``new`` holds every key of ``old`` with a value of the same JSON type (a null in either matches anything), and nothing more but nulls."""
    if old is None or new is None:
        return True
    if isinstance(old, dict):
        return (
            isinstance(new, dict) and all(k in new and _same_shape(new[k], v) for k, v in old.items()) and all(new[k] is None for k in new.keys() - old.keys())
        )
    if isinstance(old, list):
        return isinstance(new, list) and len(new) == len(old) and all(_same_shape(n, o) for n, o in zip(new, old))
    return new == old


def test_what_calibrate_writes_round_trips_through_the_model(finished):
    out, returned = finished
    written = json.loads((out / "manifest.json").read_text())
    assert written["manifest_version"] == MANIFEST_VERSION and written["kind"] == "calibration" and written["status"] == "completed"
    read = read_calibration_manifest(out)
    assert read == returned  # what was returned is what was written
    assert dump_manifest(read) == written  # and reading then writing changes nothing
    assert parse_manifest(dump_manifest(read)) == read
    # the typed sections hold what the calibration did
    assert set(read.priors) == set(read.posterior_summary) == set(TRUTH)
    assert [p.name for p in read.patterns] == ["accords_count", "accords_members", "accords_order"] and read.pattern("accords_order").held_out
    assert [g.t for g in read.generations] == [-1, 0, 1] and read.generations[0].epsilon is None  # JSON has no infinity
    assert [g.t for g in read.fitted_generations] == [0, 1] and all(g.epsilon is not None and g.epsilon > 0 for g in read.fitted_generations)
    assert read.simulations == sum(g.simulations for g in read.generations)
    assert all(s.q05 <= s.median <= s.q95 for s in read.posterior_summary.values())
    assert read.scenario.name == "small_world" and read.scenario.steps == 40 and read.workers == 1 and read.stopped_by == "generations"
    assert read.calibration.sha256 == read.files[read.calibration.file]
    # the JSON on disk keeps the shape the untyped writer gave it (a reader of manifest.json as JSON sees the same keys and types)
    old = json.loads(OLD[2].read_text())
    assert len(written.pop("files")) == len(old.pop("files")) == 2  # named by their paths, which differ
    assert _same_shape(_shape(written), _shape(old))


@pytest.mark.parametrize("version", sorted(OLD))
def test_a_calibration_folder_of_an_older_spacesim_is_read_and_reported(finished, tmp_path, version):
    data = json.loads(OLD[version].read_text())
    assert data.get("manifest_version") == (None if version == 1 else 2)
    folder = _copy(finished[0], tmp_path)
    (folder / "manifest.json").write_text(OLD[version].read_text())  # its tables are this calibration's: the same patterns and parameters
    manifest = read_calibration_manifest(folder)
    assert manifest.manifest_version == MANIFEST_VERSION and manifest.status == "completed"
    assert manifest.name == "synthetic" and set(manifest.posterior_summary) == set(TRUTH) and len(manifest.fitted_generations) == 2
    assert manifest.posterior_summary["membership_rate"].mean == data["posterior_summary"]["membership_rate"]["mean"]
    assert json.loads((folder / "manifest.json").read_text()) == data  # reading never rewrites it
    page = write_calibration_report(folder).read_text()
    assert "Calibration: synthetic" in page and "2 generations" in page
    # written again (a resume would), it is the current version and nothing recorded is lost
    ResultFolder(folder).write(manifest)
    again = json.loads((folder / "manifest.json").read_text())
    assert again["manifest_version"] == MANIFEST_VERSION
    assert again["generations"][0]["epsilon"] in (None, float("inf"))
    assert _same_shape(_shape(again), _shape({**data, "manifest_version": MANIFEST_VERSION}))


def test_an_old_calibration_stopped_before_its_first_generation_is_read():
    """A version-1 manifest as ``calibrate`` wrote it while running: none of the fields written at the end."""
    data = json.loads(OLD[1].read_text())
    for key in ("stopped_by", "generations", "simulations", "seconds", "finished", "workers", "posterior_summary", "tables", "plots"):
        del data[key]
    manifest = parse_manifest({**data, "status": "running"})
    assert isinstance(manifest, CalibrationManifest)
    assert manifest.generations == [] and manifest.posterior_summary == {} and manifest.seconds == 0.0 and manifest.resumed == []


def _set(path: tuple[str | int, ...], value: object):
    def change(data: dict) -> dict:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return data

    return change


def _drop(key: str):
    def change(data: dict) -> dict:
        del data[key]
        return data

    return change


@pytest.mark.parametrize(
    "change, field, words",
    [
        (_set(("generations", 1, "t"), "late"), "generations.1.t", "Input should be a valid integer"),
        (_set(("posterior_summary", "membership_rate", "q95"), [0.5]), "posterior_summary.membership_rate.q95", "Input should be a valid number"),
        (_set(("scenario", "steps"), "forty"), "scenario.steps", "Input should be a valid integer"),
        (_set(("patterns", 0, "held_out"), "perhaps"), "patterns.0.held_out", "Input should be a valid boolean"),
        (_set(("priors",), ["membership_rate"]), "priors", "Input should be a valid dictionary"),
        (_set(("files", "extra.csv"), 7), "files.extra.csv", "Input should be a valid string"),
        (_set(("generations", 0, "when"), "now"), "generations.0.when", "Extra inputs are not permitted"),
        (_drop("scenario"), "scenario", "Field required"),
        (_set(("manifest_version",), 3), "manifest_version", "written by a newer spacesim"),
    ],
    ids=["generation", "summary", "scenario", "pattern", "priors", "files", "unknown-field", "missing-section", "newer"],
)
def test_a_malformed_calibration_manifest_is_refused_naming_the_file_and_field(finished, tmp_path, capsys, change, field, words):
    folder = _copy(finished[0], tmp_path)
    data = change(json.loads((folder / "manifest.json").read_text()))
    (folder / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(InputError) as caught:
        read_calibration_manifest(folder)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'manifest.json'}: {field}: ") and words in message
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"manifest.json: {field}: " in err and words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (folder / "report.html").exists()


def test_resume_and_force_need_a_manifest_of_kind_calibration(finished, tmp_path, capsys):
    folder = _copy(finished[0], tmp_path)
    calibration = json.loads((folder / "manifest.json").read_text())["calibration"]["file"]
    (folder / "manifest.json").write_text(json.dumps({"kind": "batch", "status": "completed"}))
    assert main(["calibrate", calibration, "--out", str(folder), "--resume"]) == 2
    assert "--resume: not a calibration folder" in capsys.readouterr().err
    assert main(["calibrate", calibration, "--out", str(folder), "--force"]) == 2
    assert "--force: not a calibration folder" in capsys.readouterr().err
    assert (folder / "abc.db").exists()


def test_a_generation_record_says_whether_it_is_of_the_fit():
    prior_sample = GenerationRecord(t=-1, epsilon=None, simulations=20, accepted=1, acceptance=0.05, end="2026-12-05 07:21:22")
    assert not prior_sample.fitted and prior_sample.model_copy(update={"t": 0}).fitted


def test_a_folder_that_is_not_a_calibration_is_named_for_the_command_that_makes_one(tmp_path):
    from spacesim.output.result_folder import ResultFolder
    from spacesim.scenario import InputError

    with pytest.raises(InputError, match="no manifest.json: not a result folder of spacesim calibrate$"):
        ResultFolder(tmp_path).read(kind="calibration")
    (tmp_path / "manifest.json").write_text('{"kind": "run", "status": "completed", "manifest_version": 2}')
    with pytest.raises(InputError, match="needs the folder of spacesim calibrate$"):
        ResultFolder(tmp_path).read(kind="calibration", needed_for="a calibration report")
