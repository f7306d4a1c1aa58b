"""One conformance suite: every engine gives the same results for every operator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


#: Engines keep document lengths in different lossy one-byte encodings, so BM25
#: scores differ by a few percent; hits closer than this may swap places.
NEAR_TIE = 0.05


def _assert_same_ranking(name: str, reference: Results, other: Results) -> None:
    ref = {hit.id: (rank, hit.score) for rank, hit in enumerate(reference.hits)}
    got = {hit.id: rank for rank, hit in enumerate(other.hits)}
    top = [hit.id for hit in reference.hits[:5]]
    assert set(top) <= set(got), f"{name}: {top} not all in {list(got)}"
    for a in top:
        for b in top:
            rank_a, score_a = ref[a]
            rank_b, score_b = ref[b]
            if rank_a < rank_b and score_a > score_b * (1 + NEAR_TIE):
                assert got[a] < got[b], f"{name} ranks {b} above {a}"


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_every_engine_gives_the_same_top_results(indexes: dict[str, Index], query: str) -> None:
    pages = {name: index.search(query, limit=10) for name, index in indexes.items()}
    reference = pages["tantivy"]
    assert reference.total > 0, "each operator has matches in the seed corpus"
    snippets = {hit.id: hit.snippet for hit in reference.hits}
    for name, results in pages.items():
        assert results.total == reference.total, name
        _assert_same_ranking(name, reference, results)
        for hit in results.hits:
            assert hit.snippet == snippets.get(hit.id, hit.snippet), name
        assert results.facets == reference.facets, name
        assert results.did_you_mean == reference.did_you_mean, name


def test_sorting_by_date_agrees(indexes: dict[str, Index]) -> None:
    orders = {
        name: [h.id for h in index.search("الرياض", sort="date", limit=20).hits]
        for name, index in indexes.items()
    }
    assert len(set(map(tuple, orders.values()))) == 1
