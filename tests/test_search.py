"""Search behaviour on every engine over the seed corpus: operators, filters, paging, facets."""

from __future__ import annotations

from datetime import date

import pytest

from arsearch import QueryTooLongError, UsageError
from arsearch.index import Index


def _words(index: Index, doc_id: str) -> set[str]:
    document = index.get(doc_id)
    return {token.exact for token in index.analyzer.tokens(document.title + " " + document.text)}


def _stems(index: Index, doc_id: str) -> set[str]:
    document = index.get(doc_id)
    return {t.stem for t in index.analyzer.analyze(document.title + " " + document.text)}


def _ids(index: Index, query: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in index.search(query, limit=100, **kwargs).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query, variant",
    [
        ("الامم المتحدة", "no hamza in the query"),
        ("الأُمَمُ المُتَّحِدَةُ", "diacritics in the query"),
        ("الامم المتحده", "ه for ة"),
    ],
    ids=["no-hamza", "diacritized", "teh-marbuta"],
)
def test_spelling_variants_find_the_same_documents(
    seed_index: Index, query: str, variant: str
) -> None:
    assert _ids(seed_index, query) == _ids(seed_index, "الأمم المتحدة"), variant


def test_more_query_words_matched_rank_higher(seed_index: Index) -> None:
    results = seed_index.search("أسعار النفط", limit=100)
    stems = {stem for t in seed_index.analyzer.analyze("أسعار النفط") for stem in [t.stem]}
    both = [hit.id for hit in results.hits if stems <= _stems(seed_index, hit.id)]
    assert both, "the corpus has articles about oil prices"
    ranks = {hit.id: rank for rank, hit in enumerate(results.hits)}
    one = [hit.id for hit in results.hits if hit.id not in both]
    assert one, "the corpus also has articles with only one of the words"
    assert max(ranks[i] for i in both) < min(ranks[i] for i in one)


def test_phrase_requires_the_words_in_order(seed_index: Index) -> None:
    ids = _ids(seed_index, '"كأس آسيا"')
    assert ids
    for doc_id in ids:
        document = seed_index.get(doc_id)
        exact = " ".join(
            t.exact for t in seed_index.analyzer.tokens(document.title + " . " + document.text)
        )
        assert "كاس اسيا" in exact
    assert _ids(seed_index, '"آسيا كأس"') == []


def test_exclusion_and_requirement(seed_index: Index) -> None:
    everything = set(_ids(seed_index, "النفط"))
    without = set(_ids(seed_index, "النفط -أسعار"))
    assert without and without < everything
    assert all("سعر" not in _stems(seed_index, i) for i in without)
    required = _ids(seed_index, "+واشنطن النفط")
    assert required and all("واشنطن" in _words(seed_index, i) for i in required)


def test_or_and_groups(seed_index: Index) -> None:
    left = set(_ids(seed_index, "الفيفا"))
    right = set(_ids(seed_index, "الأولمبية"))
    assert set(_ids(seed_index, "الفيفا OR الأولمبية")) == left | right
    assert set(_ids(seed_index, "(الفيفا | الأولمبية)")) == left | right


def test_title_field(seed_index: Index) -> None:
    ids = _ids(seed_index, "title:النفط")
    assert ids
    for doc_id in ids:
        title = seed_index.get(doc_id).title
        assert "نفط" in {t.stem for t in seed_index.analyzer.analyze(title)}


def test_prefix_expands(seed_index: Index) -> None:
    ids = _ids(seed_index, "اقتص*")
    assert ids
    assert all(any(w.startswith("اقتص") for w in _words(seed_index, i)) for i in ids)


def test_fuzzy_finds_a_misspelling(seed_index: Index) -> None:
    fuzzy = _ids(seed_index, "واشنطون~")
    assert fuzzy and set(fuzzy) == set(_ids(seed_index, "واشنطن"))
    # Without ~ too: a word no document holds stands for its nearest indexed
    # spellings (planner.Ranking.fallback, measured in bench/relevance.py).
    assert set(_ids(seed_index, "واشنطون")) == set(fuzzy)


def test_did_you_mean_suggests_the_frequent_spelling(seed_index: Index) -> None:
    # القاره is in one article, القاهرة (indexed القاهره) in ten: shown as written.
    results = seed_index.search("القاره")
    assert (results.did_you_mean, results.corrected) == ("القاهرة", None)
    assert seed_index.search("القاهرة").did_you_mean is None


def test_a_word_no_document_holds_is_searched_corrected_and_said_so(seed_index: Index) -> None:
    results = seed_index.search("واشنطون")
    assert (results.corrected, results.did_you_mean) == ("واشنطن", None)
    assert results.total == seed_index.search("واشنطن").total


@pytest.mark.parametrize(
    "query, field, value",
    [
        ("category:sport", "category", "sport"),
        ('source:"صحيفة الصباح"', "source", "صحيفة الصباح"),
    ],
    ids=["category", "source"],
)
def test_filters_in_the_query(seed_index: Index, query: str, field: str, value: str) -> None:
    results = seed_index.search(query, limit=100)
    assert results.total > 0
    assert all(getattr(hit, field) == value for hit in results.hits)


def test_date_range_and_filters_argument(seed_index: Index) -> None:
    results = seed_index.search("date:2021-01-01..2021-12-31", limit=100)
    assert results.total > 0
    for hit in results.hits:
        assert hit.date is not None
        assert date(2021, 1, 1) <= date.fromisoformat(hit.date[:10]) <= date(2021, 12, 31)
    same = seed_index.search(
        "", limit=100, filters={"date_from": "2021-01-01", "date_to": "2021-12-31"}
    )
    assert [h.id for h in same.hits] == [h.id for h in results.hits]


def test_sort_by_date_is_newest_first(seed_index: Index) -> None:
    results = seed_index.search("الرياض", sort="date", limit=100)
    dates = [hit.date[:10] for hit in results.hits if hit.date]
    assert len(dates) >= 2
    assert dates == sorted(dates, reverse=True)


def test_paging_is_disjoint_and_total_is_stable(seed_index: Index) -> None:
    first = seed_index.search("في العاصمة", limit=3, page=1)
    everything = seed_index.search("في العاصمة", limit=100)
    second = seed_index.search("في العاصمة", limit=3, page=2)
    assert first.total == second.total == everything.total
    assert [h.id for h in first.hits + second.hits] == [h.id for h in everything.hits[:6]]


def test_facets_count_the_whole_result_set(seed_index: Index) -> None:
    results = seed_index.search("العاصمة", limit=1)
    everything = seed_index.search("العاصمة", limit=100)
    counts: dict[str, int] = {}
    for hit in everything.hits:
        if hit.category:
            counts[hit.category] = counts.get(hit.category, 0) + 1
    assert dict(results.facets["category"]) == counts


def test_snippets_mark_the_original_diacritized_words(seed_index: Index) -> None:
    results = seed_index.search("الخارجية")
    marked = [hit for hit in results.hits if "<mark>" in hit.snippet.html()]
    assert marked
    diacritized = [
        h for h in marked if "\u064e" in h.snippet.html() or "\u0650" in h.snippet.html()
    ]
    assert diacritized, "a fully diacritized article matches and keeps its harakat"
    wanted = {t.stem for t in seed_index.analyzer.analyze("الخارجية")}
    for hit in marked:
        inner = hit.snippet.html().split("<mark>")[1].split("</mark>")[0]
        assert {t.stem for t in seed_index.analyzer.analyze(inner)} == wanted


def test_stop_word_only_query_gives_a_note(seed_index: Index) -> None:
    results = seed_index.search("ماذا في هذا")
    assert results.total == 0 and results.hits == ()
    assert results.note and "stop words" in results.note


def test_suggest_completes_the_last_word(seed_index: Index) -> None:
    suggestions = seed_index.suggest("أسعار الن")
    assert suggestions and all(s.startswith("أسعار الن") for s in suggestions)
    assert "أسعار النفط" in suggestions


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"limit": 0}, "limit must be between 1 and 100, not 0."),
        ({"limit": 101}, "limit must be between 1 and 100, not 101."),
        ({"page": 0}, "page must be 1 or more, not 0."),
        ({"sort": "title"}, "sort must be 'relevance' or 'date', not 'title'."),
        (
            {"filters": {"colour": "x"}},
            "Unknown filter colour. Filters are: category, source, date_from, date_to.",
        ),
    ],
    ids=["limit-low", "limit-high", "page", "sort", "filter"],
)
def test_bad_arguments(seed_index: Index, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        seed_index.search("النفط", **kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_query_length_is_bounded(seed_index: Index) -> None:
    with pytest.raises(
        QueryTooLongError, match=r"^Query is too long: 513 characters; the limit is 512\.$"
    ):
        seed_index.search("ن" * 513)
