"""Tests for arsearch.engines.tantivy_engine: the query a facet count runs, merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arsearch import Document, Index
from arsearch.engines import BoolNode, PhraseNode, PlanNode, TermNode
from arsearch.engines.tantivy_engine import matching_only

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
