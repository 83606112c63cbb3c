"""The result folder's contract: the manifest as a versioned pydantic model, written and read through ResultFolder.

The fixtures under tests/fixtures/ were written by spacesim before the
contract (main at 7e375fe): manifests without ``manifest_version`` (version
1) of a single run, a batch with two variants, an adaptive batch and a
Morris sensitivity batch, and a whole small batch folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from spacesim.analysis.comparison import compare_batch
from spacesim.analysis.report import write_report
from spacesim.cli import main
from spacesim.output.result_folder import MANIFEST_VERSION, BatchManifest, ResultFolder, RunManifest, dump_manifest, parse_manifest
from spacesim.scenario import InputError
from tests.analysis.test_report import _png, assert_self_contained

FIXTURES = Path(__file__).parent.parent / "fixtures"
V1 = sorted((FIXTURES / "v1_manifests").glob("*.json"))


def _old_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "v1_batch", folder)
    return folder


@pytest.mark.parametrize("path", V1, ids=[p.stem for p in V1])
def test_a_version_1_manifest_is_read_and_round_trips_at_the_current_version(path, tmp_path):
    data = json.loads(path.read_text())
    assert "manifest_version" not in data  # written before the contract
    manifest = parse_manifest(data, path)
    assert manifest.manifest_version == MANIFEST_VERSION == 2
    assert manifest.kind == data["kind"] and manifest.status == data["status"] == "completed"
    folder = ResultFolder(tmp_path)
    folder.write(manifest)
    written = json.loads(folder.manifest_path.read_text())
    assert written["manifest_version"] == 2
    again = ResultFolder(tmp_path).load()
    assert again == manifest and dump_manifest(again) == written
    assert _holds(written, {**data, "manifest_version": 2})  # nothing recorded is lost or changed (fields not recorded then are written as null)


def _holds(written, original) -> bool:
    """Whether ``written`` has every value of ``original``, and nothing more but nulls."""
    if isinstance(original, dict):
        return (
            isinstance(written, dict)
            and all(k in written and _holds(written[k], v) for k, v in original.items())
            and all(written[k] in (None, [], {}) for k in written.keys() - original.keys())
        )
    if isinstance(original, list):
        return isinstance(written, list) and len(written) == len(original) and all(_holds(w, o) for w, o in zip(written, original))
    return written == original


def test_the_sections_of_old_batches_are_typed():
    batch = parse_manifest(json.loads((FIXTURES / "v1_manifests" / "batch.json").read_text()))
    assert isinstance(batch, BatchManifest)
    assert list(batch.design.variants) == ["weak law", "clear law"] and batch.design.replicates == 3 and batch.sessions[0].executor
    adaptive = parse_manifest(json.loads((FIXTURES / "v1_manifests" / "adaptive.json").read_text()))
    assert adaptive.replication is not None and adaptive.replication.outcome == "mean_trust" and adaptive.design.adaptive.max == 5
    assert all(p.stopped == "target reached" for p in adaptive.replication.points)
    sensitivity = parse_manifest(json.loads((FIXTURES / "v1_manifests" / "sens.json").read_text()))
    assert sensitivity.sensitivity.method == "morris" and sensitivity.sensitivity.table == "sensitivity.parquet"
    assert set(sensitivity.sensitivity.verdicts()) == {"mean_trust"}
    run = parse_manifest(json.loads((FIXTURES / "v1_manifests" / "run.json").read_text()))
    assert isinstance(run, RunManifest) and run.scenario.nations == 6 and run.seeds


def test_an_old_batch_folder_is_reported_and_compared(tmp_path):
    folder = _old_folder(tmp_path)
    _png(folder / "plots" / "envelopes.png", "old")
    page = assert_self_contained(write_report(folder))
    assert "weak law" in page.plain and "clear law" in page.plain
    table, _, _ = compare_batch(folder, write=False)
    pd.testing.assert_frame_equal(table, pd.read_parquet(folder / "comparison.parquet"), check_like=True)  # the same numbers as the old batch wrote
    assert json.loads((folder / "manifest.json").read_text()).get("manifest_version") is None  # reading never rewrites it


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda m: {**m, "manifest_version": 3}, "manifest_version", "3: written by a newer spacesim (this one reads versions 1-2)"),
        (lambda m: {**m, "manifest_version": 0}, "manifest_version", "0 is not a manifest version spacesim ever wrote"),
        (lambda m: {**m, "kind": "notebook"}, "kind", "'notebook' is not a kind of spacesim result folder"),
        (lambda m: {**m, "design": {**m["design"], "replicates": "three"}}, "design.replicates", "Input should be a valid integer"),
        (lambda m: {**m, "sessions": [{**m["sessions"][0], "colour": "blue"}]}, "sessions.0.colour", "Extra inputs are not permitted"),
        (lambda m: {k: v for k, v in m.items() if k != "experiment"}, "experiment", "Field required"),
    ],
)
def test_a_manifest_it_cannot_read_is_refused_with_exit_2_naming_the_file_and_field(tmp_path, capsys, change, field, message):
    folder = _old_folder(tmp_path)
    path = folder / "manifest.json"
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    for command in (["report", str(folder)], ["compare", str(folder)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path}: {field}: ") and message in err and "Traceback" not in err, err
    with pytest.raises(InputError, match=field):
        ResultFolder(folder).read()


def test_an_unfinished_batch_is_refused_with_the_command_that_finishes_it(tmp_path):
    folder = _old_folder(tmp_path)
    manifest = ResultFolder(folder).load()
    manifest.status = "interrupted"
    ResultFolder(folder).write(manifest)
    with pytest.raises(
        InputError,
        match=(
            r"status: the batch is interrupted, not completed: a report needs a finished batch \(finish it with spacesim batch .*exp.yaml --out .* "
            r"--resume\)"
        ),
    ):
        write_report(folder)


def test_the_report_escapes_text_from_the_folder(tmp_path):
    folder = _old_folder(tmp_path)
    _png(folder / "plots" / "envelopes.png", "x")
    manifest = ResultFolder(folder).load()
    assert isinstance(manifest, BatchManifest)
    manifest.experiment.description = "A <script>alert(1)</script> & <b>bold</b> claim"
    manifest.scenario.name = "<img src=x onerror=alert(2)>"
    manifest.design.variants = {"<i>weak</i>": {"legal_clarity": 0.1}, "clear law": {"legal_clarity": 0.9}}
    ResultFolder(folder).write(manifest)
    out = write_report(folder)
    text = out.read_text()
    page = assert_self_contained(out)
    assert "<script" not in text and "<img src=x" not in text and "<b>bold" not in text and "<i>weak" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; claim" in text
    assert "<img src=x onerror=alert(2)>" in page.plain  # shown as text
    assert text.count("<style>") == 1 and "table{" in text.replace(" ", "")  # the CSS file, inlined
