"""``Index.searcher``: settings passed in, one commit per searcher, and clear lifecycle errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import (
    Analyzer,
    Document,
    Index,
    IndexExistsError,
    IndexLockedError,
    Ranking,
    Searcher,
    UsageError,
)

# Both hold the stem كاتب once in texts of one length; only "b-exact" holds the typed form.
DOCUMENTS = [
    Document("a-stem", "", "وصل كاتب إلى المدينة"),
    Document("b-exact", "", "وصل الكاتبون إلى المدينة"),
]


@pytest.fixture
def index(tmp_path: Path, engine: str) -> Iterator[Index]:
    created = Index.create(tmp_path / "index", engine=engine)
    created.add(DOCUMENTS)
    created.commit()
    yield created
    created.close()


def test_a_ranking_passed_in_changes_the_order_and_nothing_else(index: Index) -> None:
    default = [hit.id for hit in index.search("الكاتبون").hits]
    with index.searcher(ranking=Ranking(exact_weight=0.0)) as stems_only:
        assert stems_only.ranking.exact_weight == 0.0
        plain = [hit.id for hit in stems_only.search("الكاتبون").hits]
    # The exact form lifts b-exact; without it the two tie and ids break the tie.
    assert default == ["b-exact", "a-stem"]
    assert plain == ["a-stem", "b-exact"]
    assert [hit.id for hit in index.search("الكاتبون").hits] == default
    assert index.searcher().ranking == Ranking()


def test_index_create_takes_a_whole_analyzer(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix", analyzer=Analyzer(stopwords=["وصل"])) as index:
        index.add(DOCUMENTS)
    assert index.analyzer.stopwords == frozenset({"وصل"})
    assert index.search("إلى").total == 2  # إلى is a stop word only in the default list
    assert index.search("وصل").total == 0
    with Index.open(tmp_path / "ix") as reopened:
        assert reopened.analyzer.to_config() == index.analyzer.to_config()


def test_analyzer_and_stemmer_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        Index.create(tmp_path / "ix", analyzer=Analyzer(), stemmer="snowball")
    assert str(caught.value) == "Pass either analyzer= or stemmer= and fold_hamza=, not both."


def test_open_with_create_makes_a_missing_index_and_checks_an_existing_one(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with Index.open(path, create=True, engine="whoosh", stemmer="snowball") as index:
        assert (index.engine, index.analyzer.stemmer) == ("whoosh", "snowball")
    with Index.open(path, create=True, engine="whoosh") as again:
        assert again.engine == "whoosh"
    with pytest.raises(UsageError) as caught:
        Index.open(path, create=True, engine="tantivy")
    assert str(caught.value) == (
        f"The index at '{path}' uses engine 'whoosh'; to switch to 'tantivy', pass overwrite=True."
    )
    assert caught.value.for_cli() == (
        f"The index at '{path}' uses engine 'whoosh'; to switch to 'tantivy', add --rebuild."
    )
    with Index.open(path, overwrite=True, engine="tantivy") as rebuilt:
        assert rebuilt.engine == "tantivy"
    assert Index.open(path).engine == "tantivy"


def test_create_over_an_index_says_overwrite_not_rebuild(tmp_path: Path) -> None:
    Index.create(tmp_path / "ix").close()
    with pytest.raises(IndexExistsError) as caught:
        Index.create(tmp_path / "ix")
    assert str(caught.value) == (
        f"An index already exists at '{tmp_path / 'ix'}'. Open it with "
        f"Index.open('{tmp_path / 'ix'}'), or pass overwrite=True to replace it."
    )


def test_writing_to_a_closed_index_is_refused(index: Index) -> None:
    index.close()
    for write in (
        lambda: index.add(Document("x", "", "نص")),
        lambda: index.delete("a-stem"),
        lambda: index.commit(),
    ):
        with pytest.raises(UsageError) as caught:
            write()
        assert str(caught.value) == (
            f"The index at '{index.path}' is closed; open it again with Index.open('{index.path}')."
        )
    assert len(index) == 2  # reading after close still works, as after a with block


def test_a_closed_searcher_is_refused(index: Index) -> None:
    searcher = index.searcher()
    searcher.close()
    with pytest.raises(UsageError, match=r"^This searcher is closed; get a new one"):
        searcher.get("a-stem")
    index.close()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda ix: ix.search("x", limit=1.5), "limit must be a whole number (int), not float."),
        (lambda ix: ix.search("x", page="2"), "page must be a whole number (int), not str."),
        (lambda ix: ix.search(7), "query must be a string, not int."),
        (lambda ix: ix.get(7), "A document id must be a string, not int."),
        (lambda ix: ix.delete(b"x"), "A document id must be a string, not bytes."),
        (lambda ix: ix.suggest("x", limit="3"), "limit must be a whole number (int), not str."),
        (lambda ix: ix.searcher(ranking={}), "ranking must be a Ranking, not dict."),
    ],
    ids=["float-limit", "str-page", "int-query", "int-id", "bytes-id", "str-limit", "ranking"],
)
def test_wrong_argument_types_are_named(index: Index, call: object, message: str) -> None:
    with pytest.raises(TypeError) as caught:
        call(index)  # type: ignore[operator]
    assert str(caught.value) == message
    index.close()


def test_a_second_writer_in_the_same_process_is_told_so(index: Index) -> None:
    index.add(Document("c", "", "نص"))
    other = Index.open(index.path)
    with pytest.raises(IndexLockedError) as caught:
        other.delete("a-stem")
    assert str(caught.value) == (
        f"Another Index object in this process is writing to the index at '{index.path}'; "
        "write through that one, or close it first."
    )
    index.close()
    assert other.delete("a-stem") is True  # the lock is free again
    other.close()


def test_a_searcher_is_safe_to_share_between_threads(index: Index) -> None:
    searcher = index.searcher()
    expected = searcher.search("الكاتبون").to_dict()
    failures: list[str] = []

    def run() -> None:
        for _ in range(50):
            got = searcher.search("الكاتبون").to_dict()
            got["took_ms"] = expected["took_ms"]
            if got != expected:
                failures.append("differs")

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert isinstance(searcher, Searcher)
    searcher.close()
    index.close()
