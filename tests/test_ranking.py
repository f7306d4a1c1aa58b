"""The ranking levers of ``Ranking``: each as a rule, on every engine alike.

A ranking is passed in (``Index.search(..., ranking=...)``); no test changes a global.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from arsearch import Document, Ranking
from arsearch.analysis import Analyzer
from arsearch.engines import BODY, BODY_EXACT, TITLE, BoolNode, PhraseNode, TermNode
from arsearch.index import Index
from arsearch.index.feedback import expansion
from arsearch.index.planner import build_plan
from arsearch.index.spelling import Vocabulary
from arsearch.query import parse_query

DOCUMENTS = [
    Document("cal-1", "كاليفورنيا", "تقع كاليفورنيا على ساحل المحيط الهادئ وعاصمتها ساكرامنتو."),
    Document("cal-2", "لوس أنجلوس", "لوس أنجلوس أكبر مدن كاليفورنيا من حيث عدد السكان."),
    Document("book", "كتاب جديد", "صدر كتاب جديد عن تاريخ الأندلس التي حكمها العرب."),
    Document("repent", "توبة", "تاب الرجل عن ذنبه بعد سنوات."),
    Document("oil-1", "النفط", "ارتفعت أسعار النفط الخام الثقيل في الأسواق."),
    Document("oil-2", "الخام", "انخفض سعر الخام في نهاية الأسبوع."),
    Document("kenya", "كينيا", "تشتهر البلد بالعدائين في سباقات المسافات الطويلة."),
    Document("washington", "واشنطن", "وصل الوفد إلى واشنطن صباح اليوم."),
    Document("near", "", "الخام من النفط كلمة كلمة كلمة"),
    Document("far", "", "الخام كلمة كلمة كلمة من النفط"),
]


@pytest.fixture(scope="module")
def index(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The fixture documents, indexed once per engine."""
    path: Path = tmp_path_factory.mktemp(f"ranking-{engine}") / "index"
    with Index.create(path, engine=engine) as created:
        created.add(DOCUMENTS)
    opened = Index.open(path)
    yield opened
    opened.close()


def _ids(index: Index, query: str, ranking: Ranking | None = None) -> list[str]:
    return [hit.id for hit in index.search(query, limit=20, ranking=ranking).hits]


# -- proclitics -------------------------------------------------------------------


def test_a_preposition_glued_to_a_name_is_searched_without_it(index: Index) -> None:
    assert set(_ids(index, "بكاليفورنيا")) == {"cal-1", "cal-2"}


def test_a_word_that_only_looks_prefixed_is_left_whole(index: Index) -> None:
    # كتاب is more frequent than تاب, so ك is part of the word, not a preposition.
    assert _ids(index, "كتاب") == ["book"]


def test_proclitics_can_be_turned_off(index: Index) -> None:
    assert _ids(index, "بكاليفورنيا", Ranking(proclitics=False, fallback=False)) == []


# -- fallback for words no document holds --------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        pytest.param("واشنطون", ["washington"], id="misspelt-name"),
        pytest.param("تشتهرالبلد", ["kenya"], id="space-missing-before-al"),
    ],
)
def test_an_absent_word_stands_for_its_indexed_neighbours(
    index: Index, query: str, expected: list[str]
) -> None:
    assert _ids(index, query) == expected


def test_a_misspelt_stop_word_is_dropped(index: Index) -> None:
    # اللتى is one letter from التى, a stop word: the query has nothing left to search.
    results = index.search("اللتى")
    assert results.total == 0
    assert results.note is not None


def test_the_fallback_can_be_turned_off(index: Index) -> None:
    assert _ids(index, "واشنطون", Ranking(fallback=False)) == []


# -- quoted phrases inside a longer query ----------------------------------------


def test_a_quoted_phrase_in_a_question_is_a_boost(index: Index) -> None:
    found = _ids(index, '"الخام الثقيل" الأسواق')
    assert found[0] == "oil-1"  # the exact phrase ranks first
    assert "oil-2" in found  # and its words count as words: الخام alone still matches


@pytest.mark.parametrize("policy", ["require", "phrase"])
def test_phrase_policies_that_need_the_exact_phrase(index: Index, policy: str) -> None:
    value = Ranking(phrases=policy)  # type: ignore[arg-type]
    assert _ids(index, '"الخام الثقيل" الأسواق', value) == ["oil-1"]


def test_a_phrase_alone_is_still_a_requirement(index: Index) -> None:
    assert _ids(index, '"الخام الثقيل"') == ["oil-1"]


# -- proximity -----------------------------------------------------------------------


# The bonus by exact forms, where a stop word counts as a word between (the index keeps
# stem positions, so ``stem_proximity=0`` asks for it); by stems: test_relevance_levers.py.
BY_EXACT_FORMS = Ranking(stem_proximity=0.0)


def test_proximity_ranks_close_words_first_on_every_engine(index: Index) -> None:
    off = replace(BY_EXACT_FORMS, proximity=0.0)
    plain = index.search("الخام النفط", limit=20, ranking=off)
    scores = {hit.id: hit.score for hit in plain.hits}
    assert scores["near"] == pytest.approx(scores["far"])
    value = replace(BY_EXACT_FORMS, proximity=1.0, proximity_slop=1)
    close = index.search("الخام النفط", limit=20, ranking=value)
    order = [hit.id for hit in close.hits]
    assert order.index("near") < order.index("far")
    assert close.total == plain.total  # a bonus, never a requirement


@pytest.mark.parametrize(
    "slop, near_first",
    [
        pytest.param(0, False, id="adjacent-only: neither"),
        pytest.param(1, True, id="one-between: near only"),
        pytest.param(3, True, id="three-between: near only"),
        pytest.param(4, False, id="four-between: both"),
    ],
)
def test_proximity_slop_counts_the_words_between(index: Index, slop: int, near_first: bool) -> None:
    # near has one word between الخام and النفط, far has four; both are otherwise alike.
    value = replace(BY_EXACT_FORMS, proximity=1.0, proximity_slop=slop)
    found = index.search("الخام النفط", limit=20, ranking=value)
    scores = {hit.id: hit.score for hit in found.hits}
    if near_first:
        assert scores["near"] > scores["far"] * 1.01
    else:
        assert scores["near"] == pytest.approx(scores["far"])


# -- the plan the levers build ------------------------------------------------------


class _NoReader:
    """A reader that knows no word: enough to plan queries whose levers need no statistics."""

    def doc_freq(self, field: str, term: str) -> int:
        return 0

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        return []


def _plan_nodes(text: str, value: Ranking) -> list[TermNode | PhraseNode]:
    plan = build_plan(
        parse_query(text),
        Analyzer(),
        _NoReader(),  # type: ignore[arg-type]
        lambda: Vocabulary(lambda prefix, limit: []),
        value,
    )
    found: list[TermNode | PhraseNode] = []

    def walk(node: object) -> None:
        if isinstance(node, BoolNode):
            for child in (*node.must, *node.should, *node.must_not):
                walk(child)
        elif isinstance(node, (TermNode, PhraseNode)):
            found.append(node)

    walk(plan.node)
    return found


def test_default_ranking_searches_stems_and_weighted_exact_forms() -> None:
    # The measured defaults (bench/RESULTS.md): stems at 1, exact forms at 0.25, titles
    # weighted 0.1 on top of the body.
    nodes = _plan_nodes("المدارس", Ranking())
    weights = {(node.field, node.term): node.boost for node in nodes if isinstance(node, TermNode)}
    assert weights[BODY, "مدارس"] == 1.0
    assert weights[BODY_EXACT, "المدارس"] == 0.25
    assert weights[TITLE, "مدارس"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    "value, fields",
    [
        pytest.param(Ranking(title_boost=0.0, exact_weight=0.0), {"body"}, id="stems-in-body"),
        pytest.param(Ranking(title_boost=0.0), {"body", "body_exact"}, id="no-title"),
        pytest.param(
            Ranking(title_boost=2.0),
            {"body", "body_exact", "title", "title_exact"},
            id="title-too",
        ),
    ],
)
def test_weights_of_zero_leave_fields_out(value: Ranking, fields: set[str]) -> None:
    assert {node.field for node in _plan_nodes("المدارس", value)} == fields


def test_proximity_pairs_neighbouring_words_skipping_stop_words() -> None:
    nodes = _plan_nodes("عاصمة من دولة فرنسا", Ranking(proximity=0.5, proximity_slop=2))
    pairs = [node for node in nodes if isinstance(node, PhraseNode)]
    assert pairs == [
        PhraseNode(BODY_EXACT, ("عاصمه", "دوله"), 0.5, slop=2),
        PhraseNode(BODY_EXACT, ("دوله", "فرنسا"), 0.5, slop=2),
    ]


# -- pseudo-relevance feedback ----------------------------------------------------


def test_feedback_weights_stems_by_document_share_and_score() -> None:
    documents = [
        (Document("a", "", "النفط الخام والنفط الثقيل"), 3.0),
        (Document("b", "", "الخام الثقيل"), 1.0),
    ]
    extra = expansion(documents, Analyzer(), exclude={"خام"}, terms=2, weight=0.4)
    assert extra is not None
    assert [(node.term, round(node.boost, 3)) for node in extra.should] == [
        ("نفط", 0.4),
        ("ثقيل", round(0.4 * (0.75 / 4 + 0.25 / 2) / (0.75 * 2 / 4), 3)),
    ]


@pytest.mark.parametrize(
    "documents, terms, weight",
    [
        pytest.param([], 5, 0.5, id="no-documents"),
        pytest.param([(Document("a", "", "النفط"), 0.0)], 5, 0.5, id="zero-scores"),
        pytest.param([(Document("a", "", "النفط"), 1.0)], 0, 0.5, id="no-terms"),
        pytest.param(
            [(Document("a", "", "في 2020"), 1.0)], 5, 0.5, id="only-stop-words-and-digits"
        ),
    ],
)
def test_feedback_with_nothing_to_add_is_none(
    documents: list[tuple[Document, float]], terms: int, weight: float
) -> None:
    assert expansion(documents, Analyzer(), exclude=set(), terms=terms, weight=weight) is None


def test_feedback_reranks_without_changing_what_matches(index: Index) -> None:
    before = index.search("أسعار النفط", limit=20, ranking=Ranking(feedback_terms=0))
    value = Ranking(feedback_docs=2, feedback_terms=5, feedback_weight=0.5)
    after = index.search("أسعار النفط", limit=20, ranking=value)
    assert after.total == before.total
    assert {hit.id for hit in after.hits} == {hit.id for hit in before.hits}
    assert after.hits[0].id == "oil-1"
