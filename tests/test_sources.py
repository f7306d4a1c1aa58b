"""The source file of each document: the log an index keeps, and pruning through the library."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from arsearch import Document, Index
from arsearch.errors import DocumentError, UsageError
from arsearch.index.sources import SOURCES_FILE, SourceFiles


def _log(folder: Path) -> list[object]:
    return [json.loads(line) for line in (folder / SOURCES_FILE).read_text("utf-8").splitlines()]


def test_the_log_is_appended_one_line_per_file_and_later_lines_win(tmp_path: Path) -> None:
    sources = SourceFiles(tmp_path)
    sources.note("a1", "/c/a.jsonl")
    sources.note("a2", "/c/a.jsonl")
    sources.flush()
    sources.note("a2", "/c/b.jsonl")
    sources.note("a1", None)
    sources.flush()
    assert _log(tmp_path) == [
        {"arsearch": "sources", "format": 1},
        {"file": "/c/a.jsonl", "ids": ["a1", "a2"]},
        {"file": "/c/b.jsonl", "ids": ["a2"]},
        {"file": None, "ids": ["a1"]},
    ]
    assert SourceFiles(tmp_path).ids_by_file() == {"/c/b.jsonl": ["a2"]}


def test_noting_what_is_already_recorded_writes_nothing(tmp_path: Path) -> None:
    sources = SourceFiles(tmp_path)
    sources.note("a1", "/c/a.jsonl")
    sources.flush()
    before = (tmp_path / SOURCES_FILE).read_bytes()
    again = SourceFiles(tmp_path)
    again.note("a1", "/c/a.jsonl")
    again.flush()
    assert (tmp_path / SOURCES_FILE).read_bytes() == before


def test_documents_without_a_file_start_no_log(tmp_path: Path) -> None:
    sources = SourceFiles(tmp_path)
    sources.note("a1", None)
    sources.flush()
    assert not (tmp_path / SOURCES_FILE).exists()


def _held_while(build: Callable[[], SourceFiles]) -> int:
    """Bytes that ``build()`` allocated and its result still holds."""
    tracemalloc.start()
    try:
        kept = build()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return held


def test_the_map_holds_each_file_name_once_not_once_per_document(tmp_path: Path) -> None:
    # A reader hands over a new string for each document, and a log read back has
    # one per line: 2,000 copies of a 400-character name would hold 900 KB.
    name = f"/c/{'a' * 400}.jsonl"

    def noted() -> SourceFiles:
        sources = SourceFiles(tmp_path / "noted")
        for number in range(2_000):
            sources.note(f"a{number}", "".join(name))  # a new, equal string
        return sources

    (tmp_path / "noted").mkdir()
    assert _held_while(noted) < 300_000
    lines = [{"arsearch": "sources", "format": 1}]
    lines += [{"file": name, "ids": [f"a{number}"]} for number in range(2_000)]
    (tmp_path / SOURCES_FILE).write_text("".join(json.dumps(line) + "\n" for line in lines))

    def loaded() -> SourceFiles:
        sources = SourceFiles(tmp_path)
        assert len(sources.ids_by_file()[name]) == 2_000
        return sources

    assert _held_while(loaded) < 300_000


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    sources = SourceFiles(tmp_path)
    sources.note("a1", "/c/a.jsonl")
    sources.flush()
    with open(tmp_path / SOURCES_FILE, "a", encoding="utf-8") as handle:
        handle.write('{"file": "/c/b.jsonl", "ids": ["b')
    assert SourceFiles(tmp_path).ids_by_file() == {"/c/a.jsonl": ["a1"]}


def test_a_log_of_another_format_is_ignored_and_left_alone(tmp_path: Path) -> None:
    future = '{"arsearch": "sources", "format": 99}\n{"whatever": 1}\n'
    (tmp_path / SOURCES_FILE).write_text(future, encoding="utf-8")
    sources = SourceFiles(tmp_path)
    assert sources.ids_by_file() == {}
    sources.note("a1", "/c/a.jsonl")
    sources.flush()
    sources.compact()
    assert (tmp_path / SOURCES_FILE).read_text(encoding="utf-8") == future


def test_discard_forgets_what_was_noted(tmp_path: Path) -> None:
    sources = SourceFiles(tmp_path)
    sources.note("a1", "/c/a.jsonl")
    sources.discard()
    sources.flush()
    assert not (tmp_path / SOURCES_FILE).exists()


def test_compact_keeps_one_line_per_file(tmp_path: Path) -> None:
    sources = SourceFiles(tmp_path)
    for n in range(3):
        sources.note("a1", f"/c/{n}.jsonl")
        sources.flush()
    sources.compact()
    assert _log(tmp_path)[1:] == [{"file": "/c/2.jsonl", "ids": ["a1"]}]


# -- through the library -----------------------------------------------------------


def _write(path: Path, *ids: str) -> None:
    lines = [json.dumps({"id": doc_id, "text": f"نص {doc_id}"}) for doc_id in ids]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_add_files_records_each_documents_file(tmp_path: Path, engine: str) -> None:
    _write(tmp_path / "a.jsonl", "a1", "a2")
    (tmp_path / "b.txt").write_text("عنوان\nنص.\n", encoding="utf-8")
    with Index.create(tmp_path / "ix", engine=engine) as index:
        summary = index.add_files([tmp_path / "a.jsonl", tmp_path / "b.txt"])
        assert (summary.added, summary.bytes_total) == (3, summary.bytes_read)
        generation = next((tmp_path / "ix").glob("gen-*"))
    assert SourceFiles(generation).ids_by_file() == {
        str(tmp_path / "a.jsonl"): ["a1", "a2"],
        str(tmp_path / "b.txt"): ["b"],
    }


def test_a_document_added_again_without_a_file_forgets_its_file(
    tmp_path: Path, engine: str
) -> None:
    _write(tmp_path / "a.jsonl", "a1", "a2")
    with Index.create(tmp_path / "ix", engine=engine) as index:
        index.add_files([tmp_path / "a.jsonl"])
    with Index.open(tmp_path / "ix") as index:
        index.add(Document("a1", "", "نص a1"))
        index.delete("a2")
    (tmp_path / "a.jsonl").unlink()
    with Index.open(tmp_path / "ix") as index:
        notes: list[str] = []
        summary = index.add_files([], prune=True, on_notice=notes.append)
        assert summary.pruned == 0
        assert index.ids() == ["a1"]
    assert notes == [
        "no source file is recorded for 1 document (added without one, or by an older "
        "arsearch); it was kept: index its file again to record it"
    ]


def test_add_files_refuses_a_missing_path_before_reading_anything(
    tmp_path: Path, engine: str
) -> None:
    _write(tmp_path / "a.jsonl", "a1")
    with Index.create(tmp_path / "ix", engine=engine) as index:
        with pytest.raises(UsageError) as caught:
            index.add_files([tmp_path / "a.jsonl", tmp_path / "gone.jsonl"])
        assert str(caught.value) == (
            f"{tmp_path / 'gone.jsonl'}: no such file or directory; nothing was added."
        )
        assert len(index) == 0
    with pytest.raises(TypeError):
        Index.open(tmp_path / "ix").add_files(str(tmp_path / "a.jsonl"))  # type: ignore[arg-type]


def test_add_files_without_on_error_stops_at_the_first_bad_record(
    tmp_path: Path, engine: str
) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": "a1", "text": "نص"}\n[1]\n', encoding="utf-8")
    with Index.create(tmp_path / "ix", engine=engine) as index, pytest.raises(DocumentError):
        index.add_files([tmp_path / "a.jsonl"], batch_size=0)
