"""The planner's bounds on a query's cost: expansions read once and capped, a deadline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from arsearch import Analyzer, Document, Index, QueryTooComplexError, parse_query
from arsearch.engines import BODY_EXACT, TITLE_EXACT, BoolNode, TermNode
from arsearch.index.planner import (
    EXPANSIONS_NOTE,
    LATE_NOTE,
    MAX_EXPANSIONS,
    MAX_QUERY_EXPANSIONS,
    Plan,
    QueryBudget,
    build_plan,
)
from arsearch.index.spelling import Vocabulary

LETTERS = "بتثجحخدذرز"


def _words(letter: str, count: int) -> list[str]:
    """``count`` distinct words starting with ``letter``."""
    tails = [a + b for a in "سشصضطظعغفق" for b in "كلمنهوي"]
    return [letter + tail for tail in tails[:count]]


class _Dictionary:
    """A reader over a fixed term dictionary that counts the reads a plan makes."""

    def __init__(self, words: list[str]) -> None:
        self.freq = {word: 3 for word in words}
        self.reads = Counter[tuple[str, str]]()

    def doc_freq(self, field: str, term: str) -> int:
        return self.freq.get(term, 0)

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        self.reads[field, prefix] += 1
        found = [(word, freq) for word, freq in self.freq.items() if word.startswith(prefix)]
        return found[:limit]


def _plan(
    text: str, reader: _Dictionary, budget: QueryBudget | None = None
) -> tuple[Plan, Counter[str]]:
    loads = Counter[str]()

    def load(prefix: str, limit: int) -> list[tuple[str, int]]:
        loads[prefix] += 1
        return reader.terms_with_prefix(BODY_EXACT, prefix, limit)

    vocabulary = Vocabulary(load)
    plan = build_plan(
        parse_query(text),
        Analyzer(),
        reader,  # type: ignore[arg-type]
        lambda: vocabulary,
        budget=budget,
    )
    return plan, loads


def _terms(plan: Plan) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, BoolNode):
            for child in (*node.must, *node.should, *node.must_not):
                walk(child)
        elif isinstance(node, TermNode):
            found.append((node.field, node.term))

    walk(plan.node)
    return found


def test_a_repeated_prefix_is_read_once_and_searched_once() -> None:
    # The repro of issue 10: 170 one-letter prefixes read the dictionary 340 times.
    reader = _Dictionary(_words("ب", 70))
    plan, _ = _plan(" ".join(["ب*"] * 170), reader)
    assert sum(reader.reads.values()) == 1
    terms = _terms(plan)
    assert len(terms) == len(set(terms)) == MAX_EXPANSIONS * 2  # title and body
    assert plan.prefixes == ["ب"]


def test_a_repeated_fuzzy_word_is_looked_up_once() -> None:
    reader = _Dictionary(["بلد", "بلده", "بلاد", "ولد"])
    plan, loads = _plan(" ".join(["بلد~"] * 100), reader)
    assert loads == {"ب": 1}
    assert {term for _field, term in _terms(plan)} == {"بلد", "بلده", "بلاد"}


def test_a_prefix_and_its_negation_are_both_kept() -> None:
    reader = _Dictionary(_words("ب", 5))
    plan, _ = _plan("ب* -(ب*)", reader)
    assert isinstance(plan.node, BoolNode)
    assert len(plan.node.should) == 1 and len(plan.node.must_not) == 1
    assert sum(reader.reads.values()) == 1


def test_expansions_are_capped_for_the_whole_query() -> None:
    reader = _Dictionary([word for letter in LETTERS for word in _words(letter, 70)])
    budget = QueryBudget()
    plan, _ = _plan(" ".join(letter + "*" for letter in LETTERS), reader, budget)
    words = {term for _field, term in _terms(plan)}
    # Four prefixes get their 64 forms; the others are searched as typed.
    assert len(words - set(LETTERS)) == MAX_QUERY_EXPANSIONS
    assert len(reader.reads) == MAX_QUERY_EXPANSIONS // MAX_EXPANSIONS
    assert budget.cut and budget.notes() == [EXPANSIONS_NOTE]


def test_a_title_prefix_reads_the_title_field_only() -> None:
    reader = _Dictionary(_words("ب", 3))
    plan, _ = _plan("title:ب*", reader)
    assert set(reader.reads) == {(TITLE_EXACT, "ب")}
    assert {field for field, _term in _terms(plan)} == {TITLE_EXACT}


def test_few_expansions_leave_no_note() -> None:
    reader = _Dictionary(_words("ب", 10) + _words("ت", 10))
    budget = QueryBudget()
    _plan("ب* ت* بسك~", reader, budget)
    assert budget.notes() == []


def test_past_the_deadline_words_are_searched_as_typed() -> None:
    reader = _Dictionary([*_words("ب", 10), "بلد", "بلده"])
    budget = QueryBudget(seconds=0.0)
    plan, loads = _plan("ب* بلد~ بلدو", reader, budget)
    assert not reader.reads and not loads  # no costly lookup started
    assert {term for _field, term in _terms(plan)} >= {"ب", "بلد", "بلدو"}
    assert budget.notes() == [LATE_NOTE]


def test_past_the_hard_deadline_the_query_is_refused() -> None:
    with pytest.raises(QueryTooComplexError) as caught:
        _plan("ب*", _Dictionary([]), QueryBudget(seconds=0.0, max_seconds=0.0))
    assert str(caught.value) == (
        "This query is too costly to answer: preparing it took over 0.0 s. "
        "Use fewer words, fewer words ending in * or ~, or longer prefixes."
    )


@pytest.mark.parametrize(
    "text", ["ال" * 256, "بلد" * 100 + "~", "ا" * 400], ids=["plain", "fuzzy", "one-letter"]
)
def test_words_too_long_to_be_words_are_not_spelled(text: str) -> None:
    # An edit-distance lookup costs the cube of a word's length.
    reader = _Dictionary(["بلد", "الكتاب"])
    plan, loads = _plan(text, reader)
    assert not loads and plan.words == []


def test_the_note_reaches_the_results(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add(
            Document(f"d{letter}", "", " ".join(_words(letter, 70)), category="x")
            for letter in LETTERS[:5]
        )
    with Index.open(tmp_path / "ix") as index:
        capped = index.search(" ".join(letter + "*" for letter in LETTERS[:5]))
        # The fifth prefix was searched as typed: its article is not found.
        assert capped.note == EXPANSIONS_NOTE and capped.total == 4
        assert capped.to_dict()["note"] == EXPANSIONS_NOTE
        assert index.search("ب* ت*").note is None
