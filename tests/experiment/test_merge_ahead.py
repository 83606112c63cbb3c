"""Merging the per-run tables while a batch runs (MergeAhead) writes the very files the merge at the end writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spacesim import load_scenario, shipped_scenario
from spacesim.experiment.design import RunTask, chunked
from spacesim.experiment.store import BatchStore
from spacesim.experiment.worker import FAULT_ENV, ChunkResult, run_chunk

TABLES = ("nations",)


@pytest.fixture(scope="module")
def chunks() -> list[ChunkResult]:
    """Five chunks of two runs of teaching_small (6 steps); every run of chunks 0 and 3 fails, so their tables are empty and narrower."""
    spec = load_scenario(shipped_scenario("teaching_small")).with_parameters(steps=6)
    tasks = [RunTask(i, 0, "both", i, 100 + i) for i in range(10)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(FAULT_ENV, "0,1,6,7")
        return [run_chunk(c, ts, spec, TABLES, {"scenario_file": "s.yaml", "fixed": {}}) for c, ts in enumerate(chunked(tasks, 2))]


def _store(root: Path, results: list[ChunkResult]) -> BatchStore:
    store = BatchStore(root)
    store.chunks_dir.mkdir(parents=True)
    for r in results:
        store.commit_chunk(r)
    return store


def _plain(tmp_path: Path, results: list[ChunkResult]) -> Path:
    store = _store(tmp_path / "plain", results)
    store.merge(TABLES, len(results))
    return store.root


def _same_files(a: Path, b: Path) -> None:
    for name in ("runs", "steps", *TABLES):
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name
    assert not [p.name for p in b.iterdir() if ".tmp-" in p.name]


def test_chunks_out_of_order_and_from_an_earlier_session_merge_to_the_same_files(tmp_path, chunks):
    ok = [ChunkResult(i, c.tables, c.seconds) for i, c in enumerate(chunks[1:])]  # an empty chunk (2) after the first: nothing to write
    plain = _plain(tmp_path, ok)
    store = _store(tmp_path / "ahead", ok[:1])  # chunk 0 finished in an earlier session
    ahead = store.merge_ahead(("steps", *TABLES))
    for r in (ok[2], ok[1], ok[3]):  # chunk 2 comes back before chunk 1
        store.commit_chunk(r)
        ahead.add(r)
    assert ahead.next == 4 and not ahead.waiting and set(ahead.writers) == {"steps", *TABLES}
    store.merge(TABLES, 4, ahead)
    assert not ahead.writers and not ahead.stopped - {"steps", *TABLES}
    _same_files(plain, store.root)


def test_a_chunk_of_another_schema_falls_back_to_the_merge_at_the_end(tmp_path, chunks):
    plain = _plain(tmp_path, chunks)
    store = BatchStore(tmp_path / "ahead")
    store.chunks_dir.mkdir(parents=True)
    ahead = store.merge_ahead(("steps", *TABLES))
    for r in chunks:
        store.commit_chunk(r)
        ahead.add(r)
    assert ahead.stopped == {"steps", *TABLES}  # chunk 0's tables have only the design columns, chunk 1's more
    store.merge(TABLES, len(chunks), ahead)
    _same_files(plain, store.root)


def test_an_abandoned_merge_leaves_no_file_and_a_resume_removes_one_a_killed_batch_left(tmp_path, chunks):
    store = BatchStore(tmp_path / "ahead")
    store.chunks_dir.mkdir(parents=True)
    ahead = store.merge_ahead(("steps",))
    store.commit_chunk(chunks[0])
    ahead.add(chunks[0])
    partial = ahead.paths["steps"]
    assert partial.exists() and partial.name.startswith(".steps.parquet.tmp-")
    shutil.copy(partial, tmp_path / "ahead" / ".steps.parquet.tmp-1")  # as a batch killed with SIGKILL would leave it
    ahead.abandon()
    assert not partial.exists() and not ahead.writers
    store.clean_partial()
    assert not (tmp_path / "ahead" / ".steps.parquet.tmp-1").exists() and store.done_chunks() == {0}
