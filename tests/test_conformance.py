"""One conformance suite: every engine gives the same results for every operator.

Engines keep document lengths in different lossy one-byte encodings, so their BM25
scores differ by a few percent. The suite therefore asks for the same hits, the
same snippets and the same facets on every engine, and the same order wherever
two hits' scores are more than ``NEAR_TIE`` apart; hits closer than that (near
ties) may swap places between engines, but each engine orders them by its own
scores, and exact ties by id.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arsearch import Document, Results
from arsearch.engines import ENGINES
from arsearch.index import Index

QUERIES = {
    "plain": "أسعار النفط",
    "diacritized": "الأُمَمُ المُتَّحِدَةُ",
    "clitic": "والكاظمي",
    "phrase": '"كأس آسيا"',
    "exclude": "النفط -أسعار",
    "exclude-phrase": 'الرياض -"كأس آسيا"',
    "require": "+واشنطن النفط",
    "or": "الفيفا OR الأولمبية",
    "group": "(النفط | الغاز) -أوبك",
    "title": "title:النفط",
    "prefix": "اقتص*",
    "fuzzy": "واشنطون~",
    "category": "الرئيس category:politics",
    "date": "date:2021-01-01..2022-12-31 الرئيس",
    "negative-only": "-النفط",
    "filters-only": "category:health",
}

#: Two hits whose scores differ by less than this fraction may swap places between engines.
NEAR_TIE = 0.05


@pytest.fixture(scope="module")
def indexes(
    seed_documents: list[Document], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Index]]:
    built: dict[str, Index] = {}
    for name in ENGINES:
        path: Path = tmp_path_factory.mktemp(f"conformance-{name}") / "index"
        with Index.create(path, engine=name) as index:
            index.add(seed_documents)
        built[name] = Index.open(path)
    yield built
    for index in built.values():
        index.close()


def _without_score(hit: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in hit.items() if key != "score"}


def _assert_ordered_by_own_scores(name: str, results: Results) -> None:
    """Each engine's order: higher score first (at the 5 decimals kept), ties by id."""
    keys = [(-round(hit.score, 5), hit.id) for hit in results.hits]
    assert keys == sorted(keys), f"{name}: not in score-then-id order: {keys}"


def _near(a: float, b: float) -> bool:
    return max(a, b) <= min(a, b) * (1 + NEAR_TIE)


def _assert_same_order_but_near_ties(pages: dict[str, Results]) -> int:
    """Every pair of hits is in the same order on every engine unless it is a near tie on
    one of them; the number of near-tie pairs seen."""
    ranks = {name: {hit.id: rank for rank, hit in enumerate(r.hits)} for name, r in pages.items()}
    scores = {name: {hit.id: hit.score for hit in r.hits} for name, r in pages.items()}
    near_ties = 0
    for one, two in itertools.combinations(ENGINES, 2):
        for a, b in itertools.combinations(ranks[one], 2):
            if _near(scores[one][a], scores[one][b]) or _near(scores[two][a], scores[two][b]):
                near_ties += 1
                continue
            assert (ranks[one][a] < ranks[one][b]) == (ranks[two][a] < ranks[two][b]), (
                f"{one} and {two} order {a} and {b} differently: "
                f"{scores[one][a]:.4f}/{scores[one][b]:.4f} against "
                f"{scores[two][a]:.4f}/{scores[two][b]:.4f}"
            )
    return near_ties


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_every_engine_gives_the_same_hits(indexes: dict[str, Index], query: str) -> None:
    pages = {name: index.search(query, limit=100) for name, index in indexes.items()}
    reference = pages[ENGINES[0]]
    assert 0 < reference.total <= 100, "each operator has matches, all on one page"
    hits = {hit.id: _without_score(hit.to_dict()) for hit in reference.hits}
    for name, results in pages.items():
        assert results.total == reference.total, name
        # The same hits, each with the same title, snippet and fields, whatever their rank.
        assert {hit.id: _without_score(hit.to_dict()) for hit in results.hits} == hits, name
        assert results.facets == reference.facets, name
        assert (results.did_you_mean, results.corrected, results.note) == (
            reference.did_you_mean,
            reference.corrected,
            reference.note,
        ), name
        _assert_ordered_by_own_scores(name, results)
    _assert_same_order_but_near_ties(pages)


def test_sorting_by_date_agrees(indexes: dict[str, Index]) -> None:
    orders = {
        name: [h.id for h in index.search("الرياض", sort="date", limit=20).hits]
        for name, index in indexes.items()
    }
    reference = orders[ENGINES[0]]
    assert len(reference) > 1
    assert all(order == reference for order in orders.values()), orders


# -- near ties, on purpose -----------------------------------------------------

_FILLER = "الوفد الرسمي يصل المدينة الكبيرة بعد رحلة طويلة عبر الطريق الصحراوي الممتد بين البلدين"


def _text(words: int) -> str:
    filler = _FILLER.split()
    return "القاهرة " + " ".join(filler[n % len(filler)] for n in range(words))


#: The same 41 words in each, so their scores tie exactly; added out of id order.
EXACT_TIES = [Document(doc_id, "", _text(40)) for doc_id in ("t3", "t1", "t2")]
#: The word twice more: a clear winner, more than NEAR_TIE ahead.
AHEAD = Document("t9", "", "القاهرة القاهرة " + _text(40))
#: One word longer than the ties: a near tie just behind them. The engines' lossy length
#: encodings may score it a little lower (so it comes after them) or the same (so its id
#: puts it first): either way, only among the ties.
A_WORD_LONGER = Document("t0", "", _text(41))


@pytest.fixture(scope="module")
def tie_indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Index]]:
    built: dict[str, Index] = {}
    for name in ENGINES:
        path = tmp_path_factory.mktemp(f"ties-{name}") / "index"
        with Index.create(path, engine=name) as index:
            index.add([*EXACT_TIES, AHEAD, A_WORD_LONGER])
        built[name] = Index.open(path)
    yield built
    for index in built.values():
        index.close()


def test_exact_ties_are_broken_by_id_on_every_engine(tie_indexes: dict[str, Index]) -> None:
    for name, index in tie_indexes.items():
        hits = index.search("القاهرة").hits
        ids = [hit.id for hit in hits]
        assert ids[0] == "t9", name
        assert hits[0].score > hits[1].score * (1 + NEAR_TIE), name
        tied = [hit for hit in hits if hit.id in {"t1", "t2", "t3"}]
        assert len({round(hit.score, 5) for hit in tied}) == 1, f"{name}: {tied}"
        assert [hit.id for hit in tied] == ["t1", "t2", "t3"], name
        # Paging cuts through the tie at the same place on every engine.
        pages = [index.search("القاهرة", limit=2, page=n).hits for n in (1, 2, 3)]
        assert [hit.id for page in pages for hit in page] == ids, name


def test_a_near_tie_is_ordered_by_each_engines_own_scores(tie_indexes: dict[str, Index]) -> None:
    pages = {name: index.search("القاهرة") for name, index in tie_indexes.items()}
    for name, results in pages.items():
        scores = {hit.id: hit.score for hit in results.hits}
        assert _near(scores["t0"], scores["t1"]), f"{name}: t0 is not a near tie of t1"
        assert scores["t0"] <= scores["t1"], f"{name}: a longer text scored higher"
        _assert_ordered_by_own_scores(name, results)
        ids = [hit.id for hit in results.hits]
        assert ids[0] == "t9" and set(ids[1:]) == {"t0", "t1", "t2", "t3"}, name
    assert _assert_same_order_but_near_ties(pages) > 0
