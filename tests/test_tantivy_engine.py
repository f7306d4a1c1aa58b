"""Tests for arsearch.engines.tantivy_engine: the query a facet count runs and the thread it
runs in, merges."""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arsearch import Document, Index
from arsearch.engines import BoolNode, PhraseNode, PlanNode, TermNode, tantivy_engine
from arsearch.engines.tantivy_engine import TantivyReader, matching_only

PHRASE = PhraseNode("body", ("حال", "احد"), boost=0.3, slop=1)
STEM = TermNode("body", "حال")
OTHER = TermNode("body", "احد")
TITLE = TermNode("title", "حال", boost=0.1)


@pytest.mark.parametrize(
    "node, expected",
    [
        (BoolNode(should=(STEM, OTHER, PHRASE)), BoolNode(should=(STEM, OTHER))),
        (
            BoolNode(should=(BoolNode(should=(TITLE, STEM)), BoolNode(should=(OTHER,)), PHRASE)),
            BoolNode(should=(BoolNode(should=(TITLE, STEM)), BoolNode(should=(OTHER,)))),
        ),
        (
            BoolNode(must=(BoolNode(should=(STEM, PHRASE)),), must_not=(TITLE,)),
            BoolNode(must=(BoolNode(should=(STEM,)),), must_not=(TITLE,)),
        ),
        (BoolNode(should=(TITLE, PHRASE)), BoolNode(should=(TITLE, PHRASE))),
        (BoolNode(should=(PHRASE,)), BoolNode(should=(PHRASE,))),
        (
            BoolNode(should=(BoolNode(should=(STEM,), must_not=(TITLE,)), PHRASE)),
            BoolNode(should=(BoolNode(should=(STEM,), must_not=(TITLE,)), PHRASE)),
        ),
        (
            BoolNode(should=(BoolNode(should=(TITLE,), must=(STEM,)), PHRASE)),
            BoolNode(should=(BoolNode(should=(TITLE,), must=(STEM,)), PHRASE)),
        ),
        (PHRASE, PHRASE),
    ],
    ids=[
        "beside-its-term",
        "beside-a-bool-of-its-term",
        "inside-a-must",
        "other-field-kept",
        "alone-kept",
        "bool-with-must-not-kept",
        "bool-with-must-kept",
        "a-phrase-itself",
    ],
)
def test_a_facet_count_drops_only_phrases_that_cannot_change_the_matches(
    node: PlanNode, expected: PlanNode
) -> None:
    assert matching_only(node) == expected


def test_nothing_to_drop_gives_the_node_itself() -> None:
    node = BoolNode(should=(BoolNode(should=(TITLE, STEM)), OTHER))
    assert matching_only(node) is node


def _segments(path: Path) -> int:
    (meta,) = path.glob("gen-*/engine/meta.json")
    return len(json.loads(meta.read_text(encoding="utf-8"))["segments"])


def test_the_merges_a_commit_starts_finish_when_the_writer_closes(tmp_path: Path) -> None:
    # One document a write, each through its own Index, as the web API writes: tantivy
    # merges 8 small segments once they exist, and a close no longer cancels that merge.
    path = tmp_path / "index"
    Index.create(path).close()
    for number in range(24):
        with Index.open(path) as index:
            index.add(Document(f"d{number}", "عنوان", f"نص رقم {number}"))
    assert _segments(path) < 8
    with Index.open(path) as index:
        assert sorted(index.ids()) == sorted(f"d{number}" for number in range(24))


@pytest.fixture(scope="module")
def faceted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    path = tmp_path_factory.mktemp("faceted") / "index"
    categories = ("سياسة", "رياضة", "اقتصاد")
    with Index.create(path) as index:
        index.add(
            Document(f"d{n}", "خبر", f"نص الخبر رقم {n}", category=categories[n % 3])
            for n in range(30)
        )
    with Index.open(path) as index:
        yield index


def _threads_counting(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads that count facets from now on (the real count still runs)."""
    seen: list[threading.Thread] = []
    count = TantivyReader._facets

    def recording(self: TantivyReader, *args: Any) -> dict[str, dict[str, int]]:
        seen.append(threading.current_thread())
        return count(self, *args)

    monkeypatch.setattr(TantivyReader, "_facets", recording)
    return seen


def test_facets_are_counted_beside_the_search_while_a_thread_is_free(
    faceted: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _threads_counting(monkeypatch)
    results = faceted.search("الخبر")
    assert results.facets["category"] == {"سياسة": 10, "رياضة": 10, "اقتصاد": 10}
    assert len(seen) == 1 and seen[0] is not threading.current_thread()


def test_with_every_thread_taken_the_caller_counts_the_facets_itself(
    faceted: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _threads_counting(monkeypatch)
    release = threading.Event()
    size = tantivy_engine._BESIDE._size
    taken = [tantivy_engine._BESIDE.start(release.wait) for _ in range(size)]
    # Should the search wait for a thread, it gets one after 5 s (and the test fails).
    timer = threading.Timer(5, release.set)
    timer.start()
    try:
        results = faceted.search("الخبر")
    finally:
        timer.cancel()
        release.set()
        for waited in taken:
            waited()
    assert results.facets["category"] == {"سياسة": 10, "رياضة": 10, "اقتصاد": 10}
    assert seen == [threading.current_thread()]


def _search_in_child(index: Index, send: Any) -> None:
    send.send(index.search("الخبر").facets["category"])


def test_a_forked_process_counts_facets_with_threads_of_its_own(faceted: Index) -> None:
    # The parent's threads do not exist in a forked child (a served index's workers are
    # forked): handing the count to them would wait for ever.
    faceted.search("الخبر")
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_search_in_child, args=(faceted, send))
    child.start()
    try:
        assert receive.poll(60), "the forked child's search did not answer"
        assert receive.recv() == {"سياسة": 10, "رياضة": 10, "اقتصاد": 10}
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
