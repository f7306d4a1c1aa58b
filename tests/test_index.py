"""The public Index API on every engine: lifecycle, writing, reading, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from arsearch import (
    Document,
    IndexExistsError,
    IndexFormatError,
    IndexLockedError,
    NoIndexError,
    UsageError,
)
from arsearch.engines import get_factory
from arsearch.errors import DocumentNotFoundError
from arsearch.index import Index
from support import join_all

ARTICLE = Document(
    "n1",
    "افتتاح معرض الكتاب في القاهرة",
    "افتُتح معرض القاهرة الدولي للكتاب بمشاركة ناشرين من عشرين دولة.",
    date="2022-01-27",
    source="صحيفة الاختبار",
    category="culture",
    extra={"tags": ["كتب", "معارض"]},
)


def test_add_then_get_round_trips_every_field(empty_index: Index) -> None:
    empty_index.add(ARTICLE)
    empty_index.commit()
    assert empty_index.get("n1") == ARTICLE
    assert len(empty_index) == 1


def test_uncommitted_changes_are_invisible(empty_index: Index) -> None:
    empty_index.add(ARTICLE)
    assert len(empty_index) == 0
    empty_index.commit()
    assert len(empty_index) == 1


def test_adding_the_same_id_replaces_the_document(empty_index: Index) -> None:
    empty_index.add(ARTICLE)
    empty_index.commit()
    changed = Document("n1", "معرض الكتاب يختتم أعماله", "اختتم المعرض أعماله أمس.")
    summary = empty_index.add(changed)
    empty_index.commit()
    assert summary.to_dict() == {"added": 0, "updated": 1, "unchanged": 0}
    assert len(empty_index) == 1
    assert empty_index.get("n1").title == "معرض الكتاب يختتم أعماله"
    assert empty_index.search("افتتاح").total == 0
    assert empty_index.search("اختتم").total == 1


def test_unchanged_documents_are_skipped(empty_index: Index) -> None:
    empty_index.add(ARTICLE)
    empty_index.commit()
    summary = empty_index.add([ARTICLE])
    assert summary.to_dict() == {"added": 0, "updated": 0, "unchanged": 1}


def test_the_same_id_twice_in_one_batch_keeps_the_last(empty_index: Index) -> None:
    second = Document("n1", "عنوان ثان", "نص ثان مختلف")
    summary = empty_index.add([ARTICLE, second])
    empty_index.commit()
    assert summary.to_dict() == {"added": 1, "updated": 1, "unchanged": 0}
    assert len(empty_index) == 1
    assert empty_index.get("n1").title == "عنوان ثان"


def test_delete_removes_and_reports_missing(empty_index: Index) -> None:
    empty_index.add([ARTICLE, Document("n2", "ثان", "نص آخر")])
    empty_index.commit()
    assert empty_index.delete("n1") is True
    assert empty_index.delete("absent") is False
    empty_index.commit()
    assert sorted(empty_index.ids()) == ["n2"]
    with pytest.raises(DocumentNotFoundError, match=r"^No document with id 'n1'\.$"):
        empty_index.get("n1")


def test_batches_commit_on_their_own(empty_index: Index) -> None:
    documents = [Document(f"d{i}", f"عنوان {i}", f"نص رقم {i}") for i in range(7)]
    empty_index.add(documents, batch_size=3)
    # Six documents were committed in two batches; the seventh waits for commit().
    assert len(empty_index) == 6
    empty_index.rollback()
    assert len(empty_index) == 6


def test_an_add_commits_at_its_engines_own_batch_size(
    empty_index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engines' batches (5,000 for tantivy and xapian, 10,000 for whoosh), made small.
    factory = type(get_factory(empty_index.engine))
    monkeypatch.setattr(factory, "batch_size", {"whoosh": 4}.get(empty_index.engine, 3))
    documents = [Document(f"d{i}", f"عنوان {i}", f"نص رقم {i}") for i in range(9)]
    empty_index.add(documents)
    empty_index.rollback()
    assert len(empty_index) == {"whoosh": 8}.get(empty_index.engine, 9)


def test_context_manager_commits_on_success(tmp_path: Path, engine: str) -> None:
    with Index.create(tmp_path / "ix", engine=engine) as index:
        index.add(ARTICLE)
    with Index.open(tmp_path / "ix") as reopened:
        assert len(reopened) == 1


def test_context_manager_discards_on_error(tmp_path: Path, engine: str) -> None:
    with Index.create(tmp_path / "ix", engine=engine) as index:
        index.add(ARTICLE)
    with pytest.raises(RuntimeError), Index.open(tmp_path / "ix") as index:
        index.add(Document("n2", "عنوان", "نص"))
        raise RuntimeError("boom")
    with Index.open(tmp_path / "ix") as reopened:
        assert reopened.ids() == ["n1"]


def test_a_new_index_that_fails_before_any_commit_is_not_left_behind(
    tmp_path: Path, engine: str
) -> None:
    with pytest.raises(RuntimeError), Index.create(tmp_path / "ix", engine=engine) as index:
        index.add(ARTICLE)
        raise RuntimeError("boom")
    assert not (tmp_path / "ix").exists()  # the folder was made for it
    folder = tmp_path / "kept"
    (folder / ".gitkeep").parent.mkdir()
    (folder / ".gitkeep").write_text("", encoding="utf-8")
    Index.create(folder, engine=engine).close(discard=True)
    assert [path.name for path in folder.iterdir()] == [".gitkeep"]
    with pytest.raises(NoIndexError):
        Index.open(folder)


def test_a_new_index_keeps_what_was_committed_when_discarded(tmp_path: Path, engine: str) -> None:
    index = Index.create(tmp_path / "ix", engine=engine)
    index.add(ARTICLE)
    index.commit()
    index.add(Document("n2", "عنوان", "نص"))
    index.close(discard=True)
    with Index.open(tmp_path / "ix") as reopened:
        assert reopened.ids() == ["n1"]


def test_a_commit_with_nothing_changed_writes_nothing(tmp_path: Path, engine: str) -> None:
    with Index.create(tmp_path / "ix", engine=engine) as index:
        index.add(ARTICLE)

    def files() -> dict[str, tuple[int, int]]:
        return {
            str(path): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted((tmp_path / "ix").rglob("*"))
            if path.is_file()
        }

    before = files()
    with Index.open(tmp_path / "ix") as index:
        assert index.add(ARTICLE).unchanged == 1
        index.commit()
    assert files() == before


def test_stats_describe_the_index(empty_index: Index, engine: str) -> None:
    empty_index.add(ARTICLE)
    empty_index.commit()
    stats = empty_index.stats().to_dict()
    assert stats["documents"] == 1
    assert stats["engine"] == engine
    assert stats["analyzer"]["stemmer"] == "light10"
    assert stats["size_bytes"] > 0
    assert stats["last_commit"] is not None


def test_the_analyzer_configuration_is_recorded(tmp_path: Path, engine: str) -> None:
    Index.create(tmp_path / "ix", engine=engine, stemmer="snowball").close()
    with Index.open(tmp_path / "ix") as index:
        assert index.analyzer.stemmer == "snowball"
        assert index.engine == engine


def test_open_without_index_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "none"
    with pytest.raises(NoIndexError) as caught:
        Index.open(path)
    assert str(caught.value) == f"No index at '{path}'. Create one with Index.create('{path}')."
    assert caught.value.for_cli() == (
        f"No index at '{path}'. Build one with: arsearch index --index {path} seeds/"
    )


def test_create_twice_is_refused(tmp_path: Path) -> None:
    Index.create(tmp_path / "ix").close()
    with pytest.raises(IndexExistsError, match="An index already exists at"):
        Index.create(tmp_path / "ix")
    Index.create(tmp_path / "ix", overwrite=True).close()


def test_another_format_says_how_to_rebuild(tmp_path: Path) -> None:
    Index.create(tmp_path / "ix").close()
    meta_file = tmp_path / "ix" / "arsearch.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["format"] = 99
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexFormatError) as caught:
        Index.open(tmp_path / "ix")
    path = tmp_path / "ix"
    assert str(caught.value) == (
        f"The index at '{path}' has format 99, but this arsearch reads format 4. "
        f"Rebuild it with Index.create('{path}', overwrite=True) and add the documents again."
    )
    assert caught.value.for_cli() == (
        f"The index at '{path}' has format 99, but this arsearch reads format 4. "
        f"Rebuild it with: arsearch index --rebuild --index {path} PATH..."
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"engine": "lucene"}, "Unknown engine 'lucene'. Choose one of: tantivy, whoosh, xapian."),
        (
            {"stemmer": "porter"},
            "Unknown stemmer 'porter'. Choose one of: light10, tashaphyne, snowball, none.",
        ),
    ],
    ids=["engine", "stemmer"],
)
def test_unknown_options_are_usage_errors(
    tmp_path: Path, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        Index.create(tmp_path / "ix", **kwargs)
    assert str(caught.value) == message


def test_two_writers_in_one_process(empty_index: Index) -> None:
    empty_index.add(ARTICLE)
    second = Index.open(empty_index.path)
    try:
        message = "Another Index object in this process is writing to the index at"
        with pytest.raises(IndexLockedError, match=message):
            second.add(Document("x", "عنوان", "نص"))
    finally:
        second.close()
    empty_index.commit()
    assert len(empty_index) == 1


def test_a_writer_in_another_process_is_refused_and_readers_still_work(
    empty_index: Index,
) -> None:
    empty_index.add(ARTICLE)
    empty_index.commit()
    script = textwrap.dedent(
        f"""
        import sys
        from arsearch import Document, IndexLockedError
        from arsearch.index import Index
        index = Index.open({str(empty_index.path)!r})
        print(len(index), index.search("معرض").total)
        try:
            index.add(Document("y", "عنوان", "نص"))
        except IndexLockedError as error:
            print("locked:", error)
        index.close()
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "1 1"
    assert lines[1].startswith("locked: Another process is writing to the index")


def test_a_reader_sees_commits_from_another_index_object(empty_index: Index) -> None:
    reader = Index.open(empty_index.path)
    try:
        assert len(reader) == 0
        empty_index.add(ARTICLE)
        empty_index.commit()
        assert len(reader) == 1
        assert reader.search("القاهرة").total == 1
    finally:
        reader.close()


@pytest.mark.parametrize(
    "given, message",
    [
        (42, "Index.add takes a Document, a mapping or an iterable of them, not int."),
        ("نص", "Index.add takes a Document, a mapping or an iterable of them, not str."),
        ([42], "Index.add takes Document objects or mappings, not int."),
        ({"id": 7, "text": "نص"}, "Document id must be a string, not int."),
        ([Document("ok", "", "نص"), {"text": "نص"}], "A document needs an 'id'."),
    ],
    ids=["int", "str", "list-of-int", "int-id", "no-id"],
)
def test_add_names_what_it_cannot_take(empty_index: Index, given: object, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        empty_index.add(given)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_add_takes_mappings(empty_index: Index) -> None:
    summary = empty_index.add([{"id": "m1", "title": "القاهرة", "text": "نص عن القاهرة"}])
    empty_index.add({"id": "m2", "title": "دمشق", "text": "نص عن دمشق", "tags": ["x"]})
    empty_index.commit()
    assert summary.added == 1
    assert empty_index.get("m2").extra == {"tags": ["x"]}
    assert empty_index.search("القاهرة").hits[0].id == "m1"


def test_a_reader_follows_a_rebuild_in_another_index_object(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "ix"
    with Index.create(path, engine=engine) as first:
        first.add(ARTICLE)
    reader = Index.open(path)
    try:
        assert reader.search("القاهرة").total == 1
        with Index.create(path, engine=engine, overwrite=True) as rebuilt:
            rebuilt.add(Document("b1", "مباراة الأمس", "فاز الفريق في مباراة الأمس."))
        assert reader.ids() == ["b1"]
        assert reader.search("القاهرة").total == 0
        assert reader.search("مباراة").hits[0].id == "b1"
    finally:
        reader.close()


def _articles(count: int) -> list[Document]:
    words = ["الحكومة", "الوزير", "المدينة", "الجامعة", "الأسعار", "السوق", "المطار", "الطقس"]
    return [
        Document(f"m{n}", f"خبر {n}", " ".join(words[(n + k) % len(words)] for k in range(30)))
        for n in range(count)
    ]


def test_a_reader_opened_before_the_first_commit_reads_compressed_documents(
    tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "ix"
    writer = Index.create(path, engine=engine)
    reader = Index.open(path)
    try:
        writer.add(_articles(300))  # enough to train the stored-text dictionary
        writer.commit()
        assert len(list(path.glob("gen-*/docstore.dict"))) == 1
        results = reader.search("الحكومة", limit=5)
        assert results.total == 300
        assert all(hit.snippet for hit in results.hits)
        assert reader.get("m7").title == "خبر 7"
    finally:
        reader.close()
        writer.close()


def test_searches_from_many_threads_agree(empty_index: Index) -> None:
    empty_index.add(_articles(400))
    empty_index.commit()
    queries = ["الحكومة", "الوزير المدينة", '"الجامعة الأسعار"', "خبر 7", "الطقس*"]
    # The single-threaded answers, each with hits, that every thread must give again.
    expected = {q: empty_index.search(q, limit=20).to_dict() for q in queries}
    assert all(len(answer["hits"]) == 20 for answer in expected.values())
    failures: list[str] = []
    finished: list[int] = []

    def worker(seed: int) -> None:
        for round_ in range(20):
            query = queries[(seed + round_) % len(queries)]
            try:
                got = empty_index.search(query, limit=20).to_dict()
            except Exception as error:  # any failure in a thread is a finding
                failures.append(f"{query}: {type(error).__name__}: {error}")
                continue
            got["took_ms"] = expected[query]["took_ms"]
            if got != expected[query]:
                failures.append(query)
        finished.append(seed)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    assert join_all(threads, timeout=120) == [], "a thread hung"
    assert sorted(finished) == list(range(8))
    assert failures == []


def test_the_same_id_in_two_adds_before_a_commit_keeps_the_last(empty_index: Index) -> None:
    empty_index.add(ARTICLE)
    summary = empty_index.add(Document("n1", "عنوان ثان", "نص ثان مختلف"))
    empty_index.commit()
    assert summary.to_dict() == {"added": 0, "updated": 1, "unchanged": 0}
    assert empty_index.ids() == ["n1"]
    assert empty_index.get("n1").title == "عنوان ثان"
