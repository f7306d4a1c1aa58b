"""The query language: text to syntax tree, filters, leniency and the length bound."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arsearch.query
from arsearch.errors import ArsearchError, QueryTooLongError, UsageError
from arsearch.query import (
    MAX_QUERY_LENGTH,
    Clause,
    Filters,
    Group,
    Or,
    ParsedQuery,
    Phrase,
    Term,
    parse_query,
)


def should(node: Term | Phrase | Group | Or) -> Clause:
    return Clause(node, "should")


def must(node: Term | Phrase | Group | Or) -> Clause:
    return Clause(node, "must")


def must_not(node: Term | Phrase | Group | Or) -> Clause:
    return Clause(node, "must_not")


def words(*texts: str) -> tuple[Clause, ...]:
    return tuple(should(Term(text)) for text in texts)


def clauses(raw: str) -> tuple[Clause, ...]:
    return parse_query(raw).root.clauses


# -- one row per syntax rule ---------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("الحرب السورية", words("الحرب", "السورية")),
        ("وَالكاظِمي", words("وَالكاظِمي")),
        ('"الحرب الأهلية"', (should(Phrase("الحرب الأهلية")),)),
        ('" الحرب  الأهلية"', (should(Phrase(" الحرب  الأهلية")),)),
        ('"لبنان"', (should(Phrase("لبنان")),)),
        ("«الحرب الأهلية»", (should(Phrase("الحرب الأهلية")),)),
        ("“الحرب الأهلية”", (should(Phrase("الحرب الأهلية")),)),
        ("سوريا -لبنان", (should(Term("سوريا")), must_not(Term("لبنان")))),
        ("+سوريا لبنان", (must(Term("سوريا")), should(Term("لبنان")))),
        ('سوريا -"الحرب الأهلية"', (should(Term("سوريا")), must_not(Phrase("الحرب الأهلية")))),
        ('+"الحرب الأهلية"', (must(Phrase("الحرب الأهلية")),)),
        ("COVID-19 كوفيد-19", words("COVID-19", "كوفيد-19")),
        ("a OR b", (should(Or((Term("a"), Term("b")))),)),
        ("a | b", (should(Or((Term("a"), Term("b")))),)),
        ("a|b", (should(Or((Term("a"), Term("b")))),)),
        ("a OR b | c", (should(Or((Term("a"), Term("b"), Term("c")))),)),
        (
            "x y OR z w",
            (should(Term("x")), should(Or((Term("y"), Term("z")))), should(Term("w"))),
        ),
        ("a or b", words("a", "or", "b")),
        ("سوريا أو لبنان", words("سوريا", "أو", "لبنان")),
        ("(a OR b) -c", (should(Or((Term("a"), Term("b")))), must_not(Term("c")))),
        ("x +(a b)", (should(Term("x")), must(Group(words("a", "b"))))),
        ("x -(a b)", (should(Term("x")), must_not(Group(words("a", "b"))))),
        ("(a b) OR c", (should(Or((Group(words("a", "b")), Term("c")))),)),
        ("a OR (b OR c)", (should(Or((Term("a"), Term("b"), Term("c")))),)),
        ("(a b)", words("a", "b")),
        ("((a b))", words("a", "b")),
        ("x (a)", words("x", "a")),
        ("x (+a)", words("x", "a")),
        ("x -(+a)", (should(Term("x")), must_not(Term("a")))),
        ("x (-a)", (should(Term("x")), should(Group((must_not(Term("a")),))))),
        ("title:سوريا", (should(Term("سوريا", field="title")),)),
        ("TITLE:سوريا", (should(Term("سوريا", field="title")),)),
        ('title:"الحرب الأهلية"', (should(Phrase("الحرب الأهلية", field="title")),)),
        ("-title:سوريا", (must_not(Term("سوريا", field="title")),)),
        ("title:سور*", (should(Term("سور", field="title", prefix=True)),)),
        ("xyz:word", words("xyz", "word")),
        ("-xyz:word", (must_not(Term("xyz")), must_not(Term("word")))),
        ('xyz:"a b"', (should(Term("xyz")), should(Phrase("a b")))),
        ("10:30", words("10", "30")),
        ("قال:الرئيس", words("قال", "الرئيس")),
        ("سور*", (should(Term("سور", prefix=True)),)),
        ("اقتصاد**", (should(Term("اقتصاد", prefix=True)),)),
        ("سو*ريا", words("سو*ريا")),
        ("سوريا~", (should(Term("سوريا", fuzzy=2)),)),
        ("سوريا~1", (should(Term("سوريا", fuzzy=1)),)),
        ("سوريا~2", (should(Term("سوريا", fuzzy=2)),)),
        ("سوريا~١", (should(Term("سوريا", fuzzy=1)),)),
        ("سوريا~7", (should(Term("سوريا", fuzzy=2)),)),
        ("سوريا~0", words("سوريا")),
        ("سوريا*~", (should(Term("سوريا", fuzzy=2)),)),
        ("ما هو الحل؟", words("ما", "هو", "الحل؟")),
        ("أولاً، ثانياً؛ ثالثاً", words("أولاً،", "ثانياً؛", "ثالثاً")),
        ("a\u00a0b\tc\nd\u2003e", words("a", "b", "c", "d", "e")),
    ],
    ids=[
        "words",
        "diacritics-kept",
        "phrase",
        "phrase-inside-as-typed",
        "phrase-of-one-word",
        "phrase-guillemets",
        "phrase-curly-quotes",
        "must-not-word",
        "must-word",
        "must-not-phrase",
        "must-phrase",
        "hyphen-inside-word",
        "or",
        "or-pipe",
        "or-pipe-no-spaces",
        "or-chain",
        "or-binds-tighter",
        "lowercase-or-is-a-word",
        "arabic-or-is-a-word",
        "group-or",
        "must-group",
        "must-not-group",
        "group-in-or",
        "nested-or-flattened",
        "whole-query-group",
        "double-parens",
        "one-clause-group-unwrapped",
        "one-must-clause-group-unwrapped",
        "negated-one-must-group",
        "negative-only-group-kept",
        "title-word",
        "field-name-ignores-case",
        "title-phrase",
        "must-not-title",
        "title-prefix",
        "unknown-field-split",
        "unknown-field-split-keeps-operator",
        "unknown-field-then-phrase",
        "colon-between-digits",
        "colon-in-arabic",
        "prefix",
        "prefix-several-stars",
        "inner-star-is-text",
        "fuzzy",
        "fuzzy-1",
        "fuzzy-2",
        "fuzzy-arabic-indic-digit",
        "fuzzy-capped",
        "fuzzy-0-is-plain",
        "fuzzy-wins-over-prefix",
        "arabic-question-mark",
        "arabic-punctuation",
        "any-whitespace",
    ],
)
def test_syntax(raw: str, expected: tuple[Clause, ...]) -> None:
    assert clauses(raw) == expected


# -- filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, filters, rest",
    [
        ("category:رياضة هدف", Filters({"category": ("رياضة",)}), words("هدف")),
        ("هدف Category:رياضة", Filters({"category": ("رياضة",)}), words("هدف")),
        (
            "category:رياضة category:اقتصاد category:رياضة",
            Filters({"category": ("رياضة", "اقتصاد")}),
            (),
        ),
        ("source:الصباح", Filters({"source": ("الصباح",)}), ()),
        ('source:"صحيفة  الصباح" خبر', Filters({"source": ("صحيفة الصباح",)}), words("خبر")),
        ("source:«صحيفة الصباح»", Filters({"source": ("صحيفة الصباح",)}), ()),
        ("+category:رياضة", Filters({"category": ("رياضة",)}), ()),
        (
            "date:2021-01-01..2021-12-31",
            Filters(ranges={"date": ("2021-01-01", "2021-12-31")}),
            (),
        ),
        ("date:2021-01-01..", Filters(ranges={"date": ("2021-01-01", None)}), ()),
        ("date:..2021-12-31", Filters(ranges={"date": (None, "2021-12-31")}), ()),
        ("date:2021", Filters(ranges={"date": ("2021-01-01", "2021-12-31")}), ()),
        ("date:2021-03", Filters(ranges={"date": ("2021-03-01", "2021-03-31")}), ()),
        ("date:2020-02", Filters(ranges={"date": ("2020-02-01", "2020-02-29")}), ()),
        ("date:2021-03-05", Filters(ranges={"date": ("2021-03-05", "2021-03-05")}), ()),
        ("date:2021-3-5", Filters(ranges={"date": ("2021-03-05", "2021-03-05")}), ()),
        ("date:2019..2021-06", Filters(ranges={"date": ("2019-01-01", "2021-06-30")}), ()),
        ("date:٢٠٢١", Filters(ranges={"date": ("2021-01-01", "2021-12-31")}), ()),
        (
            "date:2020 date:2020-06..2021",
            Filters(ranges={"date": ("2020-06-01", "2020-12-31")}),
            (),
        ),
        (
            "(date:2021 OR سوريا)",
            Filters(ranges={"date": ("2021-01-01", "2021-12-31")}),
            words("سوريا"),
        ),
    ],
    ids=[
        "category",
        "field-name-ignores-case",
        "categories-or-together-deduplicated",
        "source",
        "quoted-source-spaces-collapsed",
        "source-in-guillemets",
        "plus-before-filter",
        "date-range",
        "date-open-end",
        "date-open-start",
        "date-year",
        "date-month",
        "date-leap-february",
        "date-day",
        "date-short-month-day",
        "date-range-of-year-and-month",
        "date-arabic-indic-digits",
        "dates-intersect",
        "filter-inside-group-is-global",
    ],
)
def test_filters(raw: str, filters: Filters, rest: tuple[Clause, ...]) -> None:
    parsed = parse_query(raw)
    assert parsed.filters == filters
    assert parsed.root.clauses == rest


@pytest.mark.parametrize(
    "raw, expected",
    [
        ('source:""', words("source")),
        ("category:", words("category")),
        ("-category:رياضة", (must_not(Term("category")), must_not(Term("رياضة")))),
        (
            "سوريا -(category:رياضة)",
            (should(Term("سوريا")), must_not(Group(words("category", "رياضة")))),
        ),
    ],
    ids=[
        "source-empty-quotes",
        "category-empty",
        "negated-filter-is-words",
        "filter-in-negated-group-is-words",
    ],
)
def test_invalid_filters_are_words(raw: str, expected: tuple[Clause, ...]) -> None:
    parsed = parse_query(raw)
    assert parsed.root.clauses == expected
    assert parsed.filters.is_empty()


_NOT_A_DATE = (
    " is not a date: write YYYY-MM-DD, for example 2021-03-05, a year (2021), "
    "a month (2021-03) or a range (2021-01..2021-06, 2021.., ..2021-06)."
)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("date:2021-13", "date:2021-13" + _NOT_A_DATE),
        ("النفط date:2021-02-30", "date:2021-02-30" + _NOT_A_DATE),
        ("date:21", "date:21" + _NOT_A_DATE),
        ("Date:أمس", "Date:أمس" + _NOT_A_DATE),
        ("date:..", "date:.." + _NOT_A_DATE),
        ("date:2021..2020", "date:2021..2020 ends before it starts: write the earlier date first."),
        ("date:" + "9" * 60, "date:" + "9" * 40 + _NOT_A_DATE),
    ],
    ids=["bad-month", "bad-day", "short-year", "not-a-date", "both-ends-open", "reversed", "long"],
)
def test_a_bad_date_filter_says_how_a_date_is_written(raw: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_query(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "raw", ["-date:2021-13", "NOT date:2021-13", "سوريا -(date:2021-13)", "date:", "date: 2021"]
)
def test_a_negated_or_empty_date_filter_is_read_as_words(raw: str) -> None:
    assert parse_query(raw).filters.is_empty()


# -- Lucene's and Elasticsearch's operators: AND, &&, NOT, ! -------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a AND b", (must(Term("a")), must(Term("b")))),
        ("a && b", (must(Term("a")), must(Term("b")))),
        ("a AND b c", (must(Term("a")), must(Term("b")), should(Term("c")))),
        ("a NOT b", (should(Term("a")), must_not(Term("b")))),
        ("a AND NOT b", (must(Term("a")), must_not(Term("b")))),
        ("a AND -b", (must(Term("a")), must_not(Term("b")))),
        ("NOT b", (must_not(Term("b")),)),
        ("!b", (must_not(Term("b")),)),
        ("a !b", (should(Term("a")), must_not(Term("b")))),
        ('a NOT "b c"', (should(Term("a")), must_not(Phrase("b c")))),
        ('a !"b c"', (should(Term("a")), must_not(Phrase("b c")))),
        ("a NOT (b c)", (should(Term("a")), must_not(Group(words("b", "c"))))),
        ("a !(b c)", (should(Term("a")), must_not(Group(words("b", "c"))))),
        ("a AND (b OR c)", (must(Term("a")), must(Or((Term("b"), Term("c")))))),
        ("a OR b AND c", (must(Or((Term("a"), Term("b")))), must(Term("c")))),
        ("a AND b OR c", (must(Term("a")), must(Term("b")), should(Term("c")))),
        ("a || b", (should(Or((Term("a"), Term("b")))),)),
        ("(a AND b) c", (should(Group((must(Term("a")), must(Term("b"))))), should(Term("c")))),
        ("a AND title:b", (must(Term("a")), must(Term("b", field="title")))),
        ("a AND b*", (must(Term("a")), must(Term("b", prefix=True)))),
        ("سوريا AND لبنان", (must(Term("سوريا")), must(Term("لبنان")))),
        ("a and b", words("a", "and", "b")),
        ("a not b", words("a", "not", "b")),
        ("a And b", words("a", "And", "b")),
        ("AT&T", words("AT&T")),
        ("a&&b", words("a&&b")),
        ("ANDROID NOTE", words("ANDROID", "NOTE")),
        ("AND", ()),
        ("NOT", ()),
        ("!", ()),
        ("&&", ()),
        ("AND a", words("a")),
        ("a NOT", words("a")),
        ("a NOT OR b", (should(Or((Term("a"), Term("b")))),)),
        ("-AND", (must_not(Term("AND")),)),
        ("NOT -b", (must_not(Term("b")),)),
        ("NOT +b", (must_not(Term("b")),)),
    ],
    ids=[
        "and",
        "and-ampersands",
        "and-binds-its-neighbours-only",
        "not",
        "and-not",
        "and-minus",
        "leading-not",
        "bang",
        "bang-after-word",
        "not-phrase",
        "bang-phrase",
        "not-group",
        "bang-group",
        "and-group",
        "and-after-or-requires-the-or",
        "or-after-and",
        "or-pipes-doubled",
        "and-inside-group",
        "and-title",
        "and-prefix",
        "and-arabic",
        "lowercase-and-is-a-word",
        "lowercase-not-is-a-word",
        "mixed-case-and-is-a-word",
        "ampersand-inside-word",
        "ampersands-inside-word",
        "operator-letters-inside-words",
        "lone-and",
        "lone-not",
        "lone-bang",
        "lone-ampersands",
        "leading-and",
        "trailing-not",
        "not-before-or",
        "negated-and-is-a-word",
        "not-minus",
        "not-plus",
    ],
)
def test_boolean_operators(raw: str, expected: tuple[Clause, ...]) -> None:
    assert clauses(raw) == expected


def test_and_before_a_filter_is_satisfied_by_it() -> None:
    parsed = parse_query("a AND category:رياضة b")
    assert parsed.root.clauses == (must(Term("a")), should(Term("b")))
    assert parsed.filters == Filters({"category": ("رياضة",)})


def test_not_before_a_filter_reads_it_as_excluded_words() -> None:
    parsed = parse_query("a NOT category:رياضة")
    assert parsed.root.clauses == (
        should(Term("a")),
        must_not(Term("category")),
        must_not(Term("رياضة")),
    )
    assert parsed.filters.is_empty()


# -- leniency ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("", ()),
        ("   \t\n", ()),
        ('""', ()),
        ('"" سوريا', words("سوريا")),
        ('"  "', ()),
        ('"؟"', ()),
        ('"الحرب الأهلية', words("الحرب", "الأهلية")),
        ('سوريا "الحرب -الأهلية', (*words("سوريا", "الحرب"), must_not(Term("الأهلية")))),
        ('"a b" "c', (should(Phrase("a b")), should(Term("c")))),
        ('5" شاشة', words('5"', "شاشة")),
        ('"a b"~2 c', (should(Phrase("a b")), should(Term("c")))),
        ("-", ()),
        ("+", ()),
        ("سوريا - لبنان", words("سوريا", "لبنان")),
        ("سوريا + لبنان", words("سوريا", "لبنان")),
        ("(a -)", words("a")),
        ("--a", (must_not(Term("-a")),)),
        ("*", ()),
        ("سوريا *", words("سوريا")),
        ("~", ()),
        ("؟", ()),
        ("OR", ()),
        ("OR a", words("a")),
        ("a OR", words("a")),
        ("a OR OR b", (should(Or((Term("a"), Term("b")))),)),
        ("| a |", words("a")),
        ("a OR -b", (should(Term("a")), must_not(Term("b")))),
        ("-a OR b", (must_not(Term("a")), should(Term("b")))),
        ("+a OR b", (must(Term("a")), should(Term("b")))),
        ("(a OR) b", words("a", "b")),
        ("a OR () b", (should(Or((Term("a"), Term("b")))),)),
        ("-OR", (must_not(Term("OR")),)),
        ("(a b", words("a", "b")),
        ("a b)", words("a", "b")),
        (")a(", words("a")),
        ("-(a b", words("a", "b")),
        ("(a (b) c", (*words("a", "b"), should(Term("c")))),
        ("()", ()),
        ("title:", words("title")),
        ("title: سوريا", words("title", "سوريا")),
        ('title:"', ()),
        ("title:*", ()),
        ("title:title:x", (should(Term("title", "title")), should(Term("x", "title")))),
        (":سوريا:", words("سوريا")),
        ("https://example.com", words("https", "//example.com")),
    ],
    ids=[
        "empty",
        "only-whitespace",
        "empty-quotes",
        "empty-quotes-then-word",
        "blank-quotes",
        "punctuation-only-quotes",
        "unclosed-quote",
        "unclosed-quote-rest-read-normally",
        "closed-then-unclosed-quote",
        "quote-inside-word-is-text",
        "phrase-slop-ignored",
        "lone-minus",
        "lone-plus",
        "lone-minus-between-words",
        "lone-plus-between-words",
        "lone-minus-before-paren",
        "double-minus",
        "lone-star",
        "lone-star-after-word",
        "lone-tilde",
        "lone-arabic-question-mark",
        "lone-or",
        "leading-or",
        "trailing-or",
        "doubled-or",
        "pipes-at-both-ends",
        "or-before-negation",
        "or-after-negation",
        "or-after-must",
        "or-at-group-end",
        "or-across-empty-group",
        "negated-or-is-a-word",
        "unclosed-paren",
        "unopened-paren",
        "parens-reversed",
        "unclosed-paren-drops-its-operator",
        "one-unclosed-of-two",
        "empty-parens",
        "title-with-nothing",
        "title-then-space",
        "title-unclosed-quote",
        "title-lone-star",
        "field-value-colon",
        "colons-around-word",
        "url",
    ],
)
def test_lenient(raw: str, expected: tuple[Clause, ...]) -> None:
    parsed = parse_query(raw)
    assert parsed.root.clauses == expected
    assert parsed.filters.is_empty()


# -- the length bound ----------------------------------------------------------


def test_query_at_the_limit_is_parsed() -> None:
    assert len(parse_query("ا" * 512).root.clauses) == 1


def test_too_long_query_raises_with_the_exact_message() -> None:
    with pytest.raises(QueryTooLongError) as caught:
        parse_query("ا" * 513)
    assert str(caught.value) == "Query is too long: 513 characters; the limit is 512."
    assert isinstance(caught.value, UsageError)
    assert isinstance(caught.value, ArsearchError)


def test_max_length_is_configurable() -> None:
    assert parse_query("abc", max_length=3).root.clauses == words("abc")
    with pytest.raises(
        QueryTooLongError, match=r"^Query is too long: 4 characters; the limit is 3\.$"
    ):
        parse_query("abcd", max_length=3)


# -- the tree's API ------------------------------------------------------------


def test_parsed_query_keeps_the_text() -> None:
    raw = " سوريا  category:x "
    assert parse_query(raw) == ParsedQuery(
        raw, Group(words("سوريا")), Filters({"category": ("x",)})
    )


def test_is_empty() -> None:
    assert parse_query("").is_empty()
    assert parse_query("؟ * -").is_empty()
    only_filters = parse_query("category:رياضة")
    assert only_filters.is_empty()
    assert not only_filters.filters.is_empty()
    assert not parse_query("-سوريا").is_empty()


def test_positive_terms_and_phrases_skip_everything_negated() -> None:
    parsed = parse_query('a -b (c OR "d e") -(f "g h") +i* title:j~ -"k l" "m"')
    assert parsed.positive_terms() == (
        Term("a"),
        Term("c"),
        Term("i", prefix=True),
        Term("j", field="title", fuzzy=2),
    )
    assert parsed.positive_phrases() == (Phrase("d e"), Phrase("m"))


def test_filters_is_empty() -> None:
    assert Filters().is_empty()
    assert not Filters({"source": ("الصباح",)}).is_empty()
    assert not Filters(ranges={"date": (None, "2021-01-01")}).is_empty()
    assert Filters({"source": ()}, {"date": (None, None)}).is_empty()


@pytest.mark.parametrize(
    "left, right, expected",
    [
        (Filters(), Filters(), Filters()),
        (
            Filters({"category": ("a", "b")}),
            Filters({"category": ("b", "c"), "source": ("s",)}),
            Filters({"category": ("a", "b", "c"), "source": ("s",)}),
        ),
        (
            Filters(ranges={"date": ("2020-01-01", "2021-12-31")}),
            Filters(ranges={"date": ("2021-01-01", None)}),
            Filters(ranges={"date": ("2021-01-01", "2021-12-31")}),
        ),
        (
            Filters(ranges={"date": (None, "2021-12-31")}),
            Filters(ranges={"date": ("2019-01-01", "2020-06-30")}),
            Filters(ranges={"date": ("2019-01-01", "2020-06-30")}),
        ),
    ],
    ids=["empty", "lists-joined", "latest-start", "earliest-end"],
)
def test_filters_merge(left: Filters, right: Filters, expected: Filters) -> None:
    assert left.merge(right) == expected


def test_tree_is_immutable_and_hashable() -> None:
    parsed = parse_query('(a OR "b c") -d category:x date:2021')
    assert hash(parsed) == hash(parse_query('(a OR "b c") -d category:x date:2021'))
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.root.clauses = ()  # type: ignore[misc]


def test_query_module_imports_no_engine_web_or_cli() -> None:
    tree = ast.parse(Path(arsearch.query.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    forbidden = ("flask", "click", "engines", "index", "stemmers", "analyzer")
    assert not [name for name in imported if any(part in name for part in forbidden)]


# -- properties ----------------------------------------------------------------

_SYNTAX = [
    *'  ()"“”«»-+!&|:*~.؟،ORANDtile0129',
    "OR",
    "AND",
    "NOT",
    "&&",
    "title:",
    "date:",
    "category:",
    "سوريا",
]
_QUERIES = st.one_of(
    st.text(max_size=MAX_QUERY_LENGTH),
    st.lists(st.sampled_from(_SYNTAX), max_size=60).map("".join),
).filter(lambda text: len(text) <= MAX_QUERY_LENGTH)


def _leaves(node: Term | Phrase | Group | Or) -> list[Term | Phrase]:
    if isinstance(node, Group):
        return [leaf for clause in node.clauses for leaf in _leaves(clause.node)]
    if isinstance(node, Or):
        return [leaf for item in node.items for leaf in _leaves(item)]
    return [node]


@settings(max_examples=400, deadline=None)
@given(_QUERIES)
def test_parse_never_raises_and_words_come_from_the_input(text: str) -> None:
    try:
        parsed = parse_query(text)
    except UsageError as error:
        # The one error besides length: a date filter that is not a date.
        assert "date:" in text.lower()
        assert str(error).endswith(("first.", "..2021-06)."))
        return
    assert parsed.text == text
    for term in parsed.positive_terms():
        assert term.text and term.text in text
        assert not (term.prefix and term.fuzzy)
        assert 0 <= term.fuzzy <= 2
    for leaf in _leaves(parsed.root):
        assert leaf.text in text
    for phrase in parsed.positive_phrases():
        assert phrase.text in text
