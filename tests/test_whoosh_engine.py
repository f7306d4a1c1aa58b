"""The Whoosh engine's own file handling, beyond what the conformance suite asks of every engine."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import warnings
from pathlib import Path

import pytest

from arsearch import Document, Index
from arsearch.engines import whoosh_engine
from arsearch.engines.whoosh_engine import WhooshFactory
from arsearch.engines.whoosh_writing import storage
from arsearch.errors import IndexIOError
from arsearch.models import FIELDS


def test_a_reader_that_cannot_open_every_segment_closes_those_it_opened(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix", engine="whoosh") as index:
        for number in range(3):  # a segment per commit
            index.add([Document(f"d{number}", "", f"نص رقم {number}")])
            index.commit()
    engine_dir = next((tmp_path / "ix").glob("gen-*/engine"))
    segments = sorted(engine_dir.glob("*.seg"), key=lambda path: path.stat().st_mtime_ns)
    assert len(segments) == 3
    # As when a writer in another process has just merged the last segment away.
    segments[-1].unlink()
    engine = WhooshFactory().open(engine_dir, FIELDS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FileNotFoundError):
            engine.reader()
        gc.collect()
    engine.close()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def _engine_files(index_path: Path) -> list[str]:
    """The whoosh files of an index's generation, but the writer lock's."""
    engine_dir = next(index_path.glob("gen-*/engine"))
    return sorted(path.name for path in engine_dir.iterdir() if path.name != "MAIN_WRITELOCK")


def _hits(index: Index, query: str) -> list[tuple[str, float]]:
    return [(hit.id, round(hit.score, 4)) for hit in index.search(query, limit=50).hits]


def test_a_large_add_writes_half_its_documents_in_a_helper_process_with_the_same_hits(
    tmp_path: Path, seed_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = ["مصر", "القاهرة", '"وزارة الصحة"', "الرياضة OR كرة"]
    with Index.create(tmp_path / "one", engine="whoosh") as index:
        index.add(seed_documents)
        index.commit()
        expected = {query: _hits(index, query) for query in queries}
    assert all(expected.values())
    assert len([name for name in _engine_files(tmp_path / "one") if name.endswith(".seg")]) == 1
    monkeypatch.setattr(whoosh_engine, "PARALLEL_AFTER", 4)
    monkeypatch.setattr(whoosh_engine, "SHARE", 2)
    with Index.create(tmp_path / "two", engine="whoosh") as index:
        index.add(seed_documents)
        index.commit()
        assert {query: _hits(index, query) for query in queries} == expected
        assert sorted(index.ids()) == sorted(d.id for d in seed_documents)
    # One commit, two segments: the parent's and the helper's; and no file of the
    # segment the closed writer had begun.
    files = _engine_files(tmp_path / "two")
    assert [name.rsplit(".", 1)[1] for name in files] == ["seg", "seg", "toc"], files


@pytest.fixture
def early_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer hands every other 2 documents to its helper from its fifth on."""
    monkeypatch.setattr(whoosh_engine, "PARALLEL_AFTER", 4)
    monkeypatch.setattr(whoosh_engine, "SHARE", 2)


def _three_committed(path: Path, documents: list[Document]) -> list[str]:
    """An index of the first 3 documents at ``path``; the names of its engine's files."""
    with Index.create(path, engine="whoosh") as index:
        index.add(documents[:3])
    return _engine_files(path)


@pytest.mark.usefixtures("early_helper")
def test_a_helper_that_dies_fails_the_commit_and_leaves_the_last_commit_and_no_files(
    tmp_path: Path, seed_documents: list[Document]
) -> None:
    before = _three_committed(tmp_path / "ix", seed_documents)
    index = Index.open(tmp_path / "ix")
    index.add(seed_documents[3:], batch_size=0)
    (helper,) = multiprocessing.active_children()
    os.kill(helper.pid, signal.SIGKILL)
    with pytest.raises(IndexIOError) as raised:
        index.commit()
    assert str(raised.value) == (
        "The index could not be written: whoosh's second writer process failed (it stopped "
        "with exit code -9). The last commit is unchanged; add the documents again."
    )
    assert raised.value.for_cli().endswith(" The last commit is unchanged; run the command again.")
    assert multiprocessing.active_children() == []
    assert len(index.ids()) == 3
    index.close()  # without a rollback: the failed commit cleaned up
    assert _engine_files(tmp_path / "ix") == before
    with Index.open(tmp_path / "ix") as reopened:
        assert len(reopened.ids()) == 3


@pytest.mark.usefixtures("early_helper")
def test_after_a_helper_died_the_same_index_adds_the_documents_again(
    tmp_path: Path, seed_documents: list[Document]
) -> None:
    # As a long-lived Index (a web app, a notebook) does: no rollback, no reopening.
    before = _three_committed(tmp_path / "ix", seed_documents)
    with Index.open(tmp_path / "ix") as index:
        index.add(seed_documents[3:], batch_size=0)
        (helper,) = multiprocessing.active_children()
        os.kill(helper.pid, signal.SIGKILL)
        with pytest.raises(IndexIOError):
            index.commit()
        summary = index.add(seed_documents[3:], batch_size=0)
        assert (summary.added, summary.updated) == (len(seed_documents) - 3, 0)
        index.commit()
        assert sorted(index.ids()) == sorted(d.id for d in seed_documents)
        assert index.search("القاهرة").total > 0
    # Only the files of the new commit (the next generation): none of the dead one's.
    assert _engine_files(tmp_path / "ix") == _committed_files(tmp_path / "ix", generation=2)
    assert "_MAIN_1.toc" in before


def _committed_files(index_path: Path, generation: int) -> list[str]:
    """The files the engine's last commit names: its table of contents and its segments."""
    engine_dir = next(index_path.glob("gen-*/engine"))
    ix = storage(engine_dir).open_index()
    try:
        assert ix.latest_generation() == generation
        names = [f"{segment.segment_id()}.seg" for segment in ix._segments()]
    finally:
        ix.close()
    return sorted([*names, f"_MAIN_{generation}.toc"])


@pytest.mark.usefixtures("early_helper")
def test_a_rollback_stops_the_helper_and_deletes_both_new_segments(
    tmp_path: Path, seed_documents: list[Document]
) -> None:
    before = _three_committed(tmp_path / "ix", seed_documents)
    with Index.open(tmp_path / "ix") as index:
        index.add(seed_documents[3:], batch_size=0)
        assert len(multiprocessing.active_children()) == 1
        index.rollback()
        assert multiprocessing.active_children() == []
        assert len(index.ids()) == 3
    assert _engine_files(tmp_path / "ix") == before


@pytest.mark.usefixtures("early_helper")
def test_every_commit_after_the_first_documents_shares_from_its_start(
    tmp_path: Path, seed_documents: list[Document]
) -> None:
    # A build commits every WhooshFactory.batch_size documents; had the count restarted at each
    # commit, the first PARALLEL_AFTER documents of every batch would go to one core.
    with Index.create(tmp_path / "ix", engine="whoosh") as index:
        index.add(seed_documents[:4], batch_size=0)
        index.commit()
        assert len(multiprocessing.active_children()) == 0
        index.add(seed_documents[4:8], batch_size=0)
        assert len(multiprocessing.active_children()) == 1
        index.commit()
        assert sorted(index.ids()) == sorted(d.id for d in seed_documents[:8])
