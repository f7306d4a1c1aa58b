"""Suggestions in the spellings the documents use: completions, "did you mean", corrected queries.

Index terms are normalized (مكه, السعوديه); what a user is shown is the word as
most documents write it (مكة, السعودية), and the word before the one being typed
steers the completion.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from arsearch import Document, Index
from arsearch.analysis import Analyzer
from arsearch.engines import BoolNode, PlanNode, TermNode
from arsearch.index.autocomplete import split_last_word
from arsearch.index.usage import WordUsage, plain_spelling
from arsearch.query import parse_query, verbatim_query


def _docs() -> list[Document]:
    docs = [
        ("الملك سلمان يزور مكة", "وصل الملك سلمان إلى مكة المكرمة قادما من الرياض عام 2016."),
        ("خطاب الملك سلمان", "ألقى الملك سلمان خطابا في مكة عن السعودية."),
        ("الملك سلمان والاقتصاد", "ناقش الملك سلمان خطط السعودية الاقتصادية."),
        ("زيارة إلى مَكَّة", "زار الوفد مَكَّة، وتحدث الملك سلمان عن السعودية."),
        ("أخبار مكه", "نشرت صحيفة خبرا عن مكه والسعوديه."),
        ("جامعة الملك سعود", "تخرج الطلاب في جامعة الملك سعود في الرياض."),
        ("الملك سعود", "أسس الملك سعود مدارس كثيرة في مكة والسعودية."),
        ("رحلة قديمة", "كتب الرحالة واشنطون بهذا الرسم القديم عام 2015، وسأل: مين؟"),
    ]
    for n in range(10):
        docs.append(
            (
                f"سيارة جديدة رقم {n}",
                f"عرض سوق السيارات سيارة جديدة من السعودية. category cars ant واشنطن عام 2016 {n}",
            )
        )
    return [Document(f"d{n:02}", title, text) for n, (title, text) in enumerate(docs)]


@pytest.fixture(scope="module")
def usage_index(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    path = tmp_path_factory.mktemp(f"usage-{engine}") / "index"
    with Index.create(path, engine=engine) as index:
        index.add(_docs())
    opened = Index.open(path)
    yield opened
    opened.close()


# -- the spelling documents use ------------------------------------------------


@pytest.mark.parametrize(
    "word, plain",
    [("السُّعُودِيَّة", "السعودية"), ("مـكة", "مكة"), ("إلى", "إلى"), ("مكه", "مكه"), ("NASA", "NASA")],
    ids=["harakat", "tatweel", "hamza-kept", "heh-kept", "latin-kept"],
)
def test_plain_spelling_drops_marks_only(word: str, plain: str) -> None:
    assert plain_spelling(word) == plain


def _usage(documents: Sequence[Document]) -> WordUsage:
    """A WordUsage over ``documents`` in the given order, whatever the node asks."""

    def search(node: PlanNode, limit: int) -> list[Document]:
        return list(documents[:limit])

    return WordUsage(search, Analyzer())


def test_each_document_votes_once_for_each_spelling_it_uses() -> None:
    usage = _usage(
        [
            Document("1", "", "مكه مكه مكه مكه"),
            Document("2", "مكة", "زيارة مكة"),
            Document("3", "", "مَكَّة"),
        ]
    )
    assert usage.spelling("مكه") == "مكة"  # two documents to one, however often


def test_a_tie_goes_to_the_spelling_used_more_then_to_alphabetical_order() -> None:
    assert _usage([Document("1", "", "مكه مكه"), Document("2", "", "مكة")]).spelling("مكه") == "مكه"
    assert _usage([Document("1", "", "مكه"), Document("2", "", "مكة")]).spelling("مكه") == "مكة"


def test_a_term_no_document_read_holds_is_shown_as_it_is() -> None:
    assert _usage([Document("1", "", "شيء آخر")]).spelling("مكه") == "مكه"


def test_followers_count_documents_and_leave_out_stop_words() -> None:
    usage = _usage(
        [
            Document("1", "الملك سلمان", "الملك سلمان الملك سلمان الملك في"),
            Document("2", "", "الملك سعود ثم الملك سلمان"),
        ]
    )
    assert usage.followers("الملك", "س") == [("سلمان", 2), ("سعود", 1)]
    assert usage.followers("الملك", "ف") == []


def test_followers_read_the_documents_holding_the_word_and_the_hints_first() -> None:
    asked: list[PlanNode] = []

    def search(node: PlanNode, limit: int) -> list[Document]:
        asked.append(node)
        return []

    WordUsage(search, Analyzer()).followers("الملك", "س", ["سلمان"])
    (node,) = asked
    assert isinstance(node, BoolNode)
    assert node.should == (TermNode("body_exact", "سلمان"),)
    assert len(node.must) == 1


# -- completions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("مك", ["مكة", "مكه"][:1]),
        ("السعودي", ["السعودية"]),
        ("الملك س", ["الملك سلمان", "الملك سعود", "الملك سيارة", "الملك سوق"]),
        ("س", ["سيارة", "سوق", "سلمان", "سعود"]),
        ('+"الملك س', ['+"الملك سلمان', '+"الملك سعود', '+"الملك سيارة', '+"الملك سوق']),
        ("-الملك س", ["-الملك سيارة", "-الملك سوق", "-الملك سلمان", "-الملك سعود"]),
        ("الملك  title:س", ["الملك  title:سلمان", "الملك  title:سعود"][:2]),
    ],
    ids=[
        "teh-marbuta-as-written",
        "as-most-documents-write-it",
        "the-word-before-comes-first",
        "alone-most-frequent-first",
        "operators-and-quote-kept",
        "an-excluded-word-gives-no-context",
        "title-field-kept",
    ],
)
def test_completions(usage_index: Index, typed: str, expected: list[str]) -> None:
    assert usage_index.suggest(typed, limit=len(expected)) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "الملك ",
        "category:سي",
        "date:20",
        "2016",
        "الملك AND",
        "الملك OR",
        "الملك NOT",
        "+",
        '"',
    ],
    ids=[
        "empty",
        "trailing-space",
        "filter",
        "date-filter",
        "number",
        "and",
        "or",
        "not",
        "operator-alone",
        "quote-alone",
    ],
)
def test_nothing_to_complete(usage_index: Index, typed: str) -> None:
    assert usage_index.suggest(typed) == []


def test_split_last_word() -> None:
    assert split_last_word("الملك  (+title:س") == ("الملك  ", "(+title:", "س")
    assert split_last_word("!مك") == ("", "!", "مك")


# -- did you mean, and results for corrected words -------------------------------


def test_did_you_mean_a_rare_word_shows_the_frequent_one(usage_index: Index) -> None:
    results = usage_index.search("واشنطون")  # in one article; واشنطن is in ten
    assert results.did_you_mean == "واشنطن"
    assert results.corrected is None


@pytest.mark.parametrize(
    "query",
    ["عام 2015", "categry:cars", "واشنطن AND سوق", "مين"],
    ids=["number", "field-name", "operator", "stop-word"],
)
def test_no_did_you_mean(usage_index: Index, query: str) -> None:
    assert usage_index.search(query).did_you_mean is None


def test_no_did_you_mean_for_a_bad_date_but_an_error(usage_index: Index) -> None:
    with pytest.raises(ValueError, match=r"^date:2021-13 is not a date: write YYYY-MM-DD"):
        usage_index.search("date:2021-13 سيارة")


@pytest.mark.parametrize(
    "query, corrected, verbatim",
    [
        ("واشنطنن", "واشنطن", '"واشنطنن"'),
        ("+واشنطنن سوق", "+واشنطن سوق", '+"واشنطنن" سوق'),
        ("title:سيارةة", "title:سيارة", 'title:"سيارةة"'),
        ("السعوديةة", "السعودية", '"السعوديةة"'),
    ],
    ids=["word", "operator-kept", "field-kept", "as-documents-write-it"],
)
def test_results_for_corrected_words(
    usage_index: Index, query: str, corrected: str, verbatim: str
) -> None:
    results = usage_index.search(query)
    assert results.total > 0
    assert results.corrected == corrected
    assert results.to_dict()["corrected"] == corrected
    assert results.did_you_mean is None
    assert verbatim_query(query, corrected) == verbatim
    instead = usage_index.search(verbatim)
    assert (instead.total, instead.corrected) == (0, None)


def test_the_words_searched_instead_are_marked(usage_index: Index) -> None:
    snippets = [hit.snippet.html() for hit in usage_index.search("واشنطنن").hits]
    assert any("<mark>واشنطن</mark>" in snippet for snippet in snippets)


@pytest.mark.parametrize("query", ["الملك س", "الملك سو"], ids=["one-letter", "two-letter"])
def test_a_word_of_one_or_two_letters_is_never_corrected(tmp_path: Path, query: str) -> None:
    # As Elasticsearch's fuzziness AUTO: too short for a near spelling to mean anything
    # (while typing "الملك س", "س" is the start of a word, not a misspelt "ست").
    with Index.create(tmp_path / "ix") as index:
        index.add(Document(f"d{n}", "", "زار الملك ست مدن في سوق واحد") for n in range(3))
    with Index.open(tmp_path / "ix") as index:
        results = index.search(query)
    assert (results.corrected, results.did_you_mean, results.total) == (None, None, 3)


def test_a_query_as_typed_is_not_corrected(usage_index: Index) -> None:
    assert usage_index.search("واشنطن سيارة").corrected is None


def test_a_quoted_word_is_searched_as_typed_beside_other_words(usage_index: Index) -> None:
    results = usage_index.search('سوق "واشنطنن"')
    assert results.corrected is None
    assert results.total == 10  # found by سوق alone
    assert not any("واشنطن</mark>" in hit.snippet.html() for hit in results.hits)


def test_verbatim_query_parses_to_phrases_of_the_changed_words() -> None:
    parsed = parse_query(verbatim_query("a واشنطنن -b", "a واشنطن -b"))
    assert [type(clause.node).__name__ for clause in parsed.root.clauses] == [
        "Term",
        "Phrase",
        "Term",
    ]


def test_suggestions_are_the_same_on_every_engine(tmp_path: Path) -> None:
    answers = []
    for engine in ("tantivy", "whoosh"):
        with Index.create(tmp_path / engine, engine=engine) as index:
            index.add(_docs())
        with Index.open(tmp_path / engine) as index:
            answers.append(
                (
                    index.suggest("الملك س"),
                    index.suggest("مك"),
                    index.search("واشنطنن").corrected,
                    index.search("واشنطون").did_you_mean,
                )
            )
    assert answers[0] == answers[1]
