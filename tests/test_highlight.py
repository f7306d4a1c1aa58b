"""Tests for arsearch.highlight: escaping, marking and passage selection."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsearch import Analyzer
from arsearch.analysis import normalize
from arsearch.highlight import SNIPPET_SCAN, Marked, Matcher, _flatten, make_snippet, mark_text
from arsearch.highlight.matching import find_matches
from arsearch.highlight.passages import Words
from arsearch.highlight.scan import plain_characters, scan_for

ANALYZER = Analyzer()

# Hand-written filler: none of its words shares a stem with the query words below.
FILLER = (
    "وتحدث المشاركون عن أهمية التعليم والصحة في تنمية المجتمع، "
    "وناقش الخبراء مستقبل الزراعة والمياه في المنطقة خلال السنوات المقبلة. "
)


def stems_of(*words: str) -> Matcher:
    """The matcher a query of ``words`` gives: the stems of its non-stop words."""
    stems = {stem for word in words for _, stem in ANALYZER.word_terms(word) if stem}
    return Matcher(stems=frozenset(stems))


def exacts_of(*words: str) -> Matcher:
    """A matcher on the exact (normalized, unstemmed) forms of ``words``."""
    exacts = {exact for word in words for exact, _ in ANALYZER.word_terms(word)}
    return Matcher(exacts=frozenset(exacts))


def marked_words(marked: Marked) -> list[str]:
    return [marked.text[start:end] for start, end in marked.spans]


def flatten(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body_of(marked: Marked) -> str:
    """The excerpt without the "…" marks the snippet added."""
    return marked.text.removeprefix("…").removesuffix("…")


def assert_cut_between_words(original: str, marked: Marked) -> None:
    """The excerpt is a slice of the collapsed text that starts and ends outside every word."""
    flat = flatten(original)
    body = body_of(marked)
    inside = {pos for token in ANALYZER.tokens(flat) for pos in range(token.start + 1, token.end)}
    starts = [m.start() for m in re.finditer(f"(?={re.escape(body)})", flat)]
    assert any(s not in inside and s + len(body) not in inside for s in starts), (
        f"{body!r} is not a word-aligned slice of {flat!r}"
    )


# -- Matcher -----------------------------------------------------------------


@pytest.mark.parametrize(
    "matcher, word, expected",
    [
        (stems_of("القاهرة"), "بالقاهرة", True),
        (stems_of("القاهرة"), "الجيزة", False),
        (exacts_of("القاهرة"), "القاهرة", True),
        (exacts_of("القاهرة"), "بالقاهرة", False),
        (Matcher(prefixes=("مدرس",)), "مدرسين", True),
        (Matcher(prefixes=("مدرس",)), "المدرسة", False),
        (Matcher(stems=frozenset({""})), "في", False),
        (exacts_of("في"), "في", True),
    ],
    ids=[
        "stem-with-clitic",
        "stem-other-word",
        "exact-same",
        "exact-not-clitic-form",
        "prefix-match",
        "prefix-must-start-the-word",
        "stop-word-has-no-stem",
        "stop-word-by-exact",
    ],
)
def test_matcher_matches(matcher: Matcher, word: str, expected: bool) -> None:
    (token,) = ANALYZER.tokens(word)
    assert matcher.matches(token) is expected


def test_matcher_is_empty() -> None:
    assert Matcher().is_empty()
    assert stems_of("في", "من").is_empty()  # an all-stopword query
    assert not stems_of("القاهرة").is_empty()
    assert not Matcher(prefixes=("قا",)).is_empty()


# -- escaping ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, query, expected",
    [
        (
            "<script>alert(1)</script> القاهرة",
            "القاهرة",
            "&lt;script&gt;alert(1)&lt;/script&gt; <mark>القاهرة</mark>",
        ),
        (
            "<img src=x onerror=alert(1)> القاهرة",
            "القاهرة",
            "&lt;img src=x onerror=alert(1)&gt; <mark>القاهرة</mark>",
        ),
        (
            "<img src=x onerror=alert(1)>",
            "alert",
            "&lt;img src=x onerror=<mark>alert</mark>(1)&gt;",
        ),
        (
            "<b>القاهرة</b>",
            "القاهرة",
            "&lt;b&gt;<mark>القاهرة</mark>&lt;/b&gt;",
        ),
        ("الحكومة & الشعب", "الحكومة", "<mark>الحكومة</mark> &amp; الشعب"),
        ("القاهرة &amp; الجيزة", "القاهرة", "<mark>القاهرة</mark> &amp;amp; الجيزة"),
        (
            "قال \"القاهرة\" و'الجيزة'",
            "القاهرة",
            "قال &quot;<mark>القاهرة</mark>&quot; و&#x27;الجيزة&#x27;",
        ),
    ],
    ids=[
        "script-tag",
        "img-onerror",
        "match-inside-tag",
        "match-next-to-b",
        "ampersand",
        "entity-escaped-once",
        "quotes",
    ],
)
def test_html_escapes_before_marking(text: str, query: str, expected: str) -> None:
    matcher = stems_of(query)
    assert mark_text(text, matcher, ANALYZER).html() == expected
    assert make_snippet(text, matcher, ANALYZER).html() == expected


def test_snippet_escapes_a_cut_passage() -> None:
    text = FILLER * 4 + "<script>alert('x')</script> وصلت الحكومة إلى القاهرة. " + FILLER * 4
    out = make_snippet(text, stems_of("الحكومة"), ANALYZER, size=80).html()
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "<mark>الحكومة</mark>" in out


# -- what gets marked --------------------------------------------------------


@pytest.mark.parametrize(
    "query, text, expected",
    [
        ("الكاظمي", "قال وَالكاظِمي إن الاتفاق قريب", ["وَالكاظِمي"]),
        ("القاهرة", "وصل الوفد إلى القَاهِرَةِ مساء أمس", ["القَاهِرَةِ"]),
        ("المتحدة", "في الأُمَمِ المُتَّحِدَةِ اليوم", ["المُتَّحِدَةِ"]),
        ("القاهرة", "زار القـــاهرة أمس", ["القـــاهرة"]),
        ("مُحَمَّدٌ", "قال محمد إن", ["محمد"]),
    ],
    ids=["kasra-and-clitic", "full-harakat", "shadda", "tatweel", "diacritized-query"],
)
def test_marks_the_original_diacritized_word(query: str, text: str, expected: list[str]) -> None:
    for marked in (
        mark_text(text, stems_of(query), ANALYZER),
        make_snippet(text, stems_of(query), ANALYZER),
    ):
        assert marked_words(marked) == expected
        assert marked.text == text


@pytest.mark.parametrize(
    "query, text, expected",
    [
        ("الكاظمي", "التقى والكاظمي بالوفد", "والكاظمي"),
        ("القاهرة", "اجتماع بالقاهرة اليوم", "بالقاهرة"),
        ("الحكومة", "قدم الطلب للحكومة أمس", "للحكومة"),
    ],
    ids=["wa-al", "bi-al", "li-l"],
)
def test_marks_clitic_attached_forms_whole(query: str, text: str, expected: str) -> None:
    marked = mark_text(text, stems_of(query), ANALYZER)
    assert marked_words(marked) == [expected]
    assert marked.html().count("<mark>") == 1
    assert f"<mark>{expected}</mark>" in marked.html()


def test_prefix_matching_marks_every_word_with_the_prefix() -> None:
    text = "افتتحت مدرسة جديدة وعين فيها مُدَرِّسُونَ من المدرسة القديمة"
    marked = mark_text(text, Matcher(prefixes=("مدرس",)), ANALYZER)
    assert marked_words(marked) == ["مدرسة", "مُدَرِّسُونَ"]


def test_stop_words_are_not_marked_by_stem() -> None:
    marked = mark_text("في القاهرة وفي الجيزة", stems_of("في", "القاهرة"), ANALYZER)
    assert marked_words(marked) == ["القاهرة"]


def test_mark_text_marks_a_title_without_changing_it() -> None:
    title = "الحكومة  تعلن خطة جديدة\nللحكومات المحلية في القاهرة"
    marked = mark_text(title, stems_of("الحكومة", "القاهرة"), ANALYZER)
    assert marked.text == title  # whitespace kept: only snippets collapse it
    assert marked.plain() == title
    assert marked_words(marked) == ["الحكومة", "للحكومات", "القاهرة"]


def test_mark_text_marks_every_match_of_a_long_text() -> None:
    text = (FILLER + "القاهرة ") * 30
    marked = mark_text(text, stems_of("القاهرة"), ANALYZER)
    assert len(marked.spans) == 30
    assert set(marked_words(marked)) == {"القاهرة"}


@pytest.mark.parametrize("function", [mark_text, make_snippet], ids=["mark_text", "make_snippet"])
def test_no_match_and_empty_matcher_mark_nothing(function: Callable[..., Marked]) -> None:
    for matcher in (stems_of("القاهرة"), Matcher()):
        marked = function("وصل الوفد إلى الجيزة", matcher, ANALYZER)
        assert marked == Marked("وصل الوفد إلى الجيزة", ())
        assert marked.html() == "وصل الوفد إلى الجيزة"


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"], ids=["empty", "spaces", "newlines-and-tab"])
def test_empty_text(text: str) -> None:
    assert make_snippet(text, stems_of("القاهرة"), ANALYZER) == Marked("", ())
    assert mark_text("", stems_of("القاهرة"), ANALYZER) == Marked("", ())


# -- passages ----------------------------------------------------------------


def test_whole_short_text_has_no_ellipsis() -> None:
    text = "وصل الوفد إلى القاهرة مساء أمس."
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER)
    assert marked.text == text
    assert marked_words(marked) == ["القاهرة"]


@pytest.mark.parametrize(
    "text, head, tail",
    [
        ("وصل الوفد إلى القاهرة مساء أمس. " + FILLER * 5, False, True),
        (FILLER * 5 + "ثم وصل الوفد إلى القاهرة.", True, False),
        (FILLER * 5 + "ثم وصل الوفد إلى القاهرة مساء أمس. " + FILLER * 5, True, True),
    ],
    ids=["match-at-start", "match-at-end", "match-in-middle"],
)
def test_ellipsis_only_on_cut_sides(text: str, head: bool, tail: bool) -> None:
    size = 80
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER, size=size)
    assert marked.text.startswith("…") is head
    assert marked.text.endswith("…") is tail
    assert len(marked.text) <= size + 2
    assert len(body_of(marked)) > size * 3 // 4  # the room is used, not wasted
    assert marked_words(marked) == ["القاهرة"]
    assert_cut_between_words(text, marked)


def test_cut_never_splits_a_letter_from_its_harakat() -> None:
    word = "وَالمُتَّحِدَةِ"
    text = " ".join([word] * 40) + " القاهرة " + " ".join([word] * 40)
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER, size=60)
    assert set(body_of(marked).split(" ")) == {word, "القاهرة"}
    assert_cut_between_words(text, marked)


def test_cut_between_words_without_spaces() -> None:
    text = "،".join(["الزراعة"] * 30) + "،القاهرة،" + "،".join(["المياه"] * 30)
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER, size=40)
    assert marked.text.startswith("…") and marked.text.endswith("…")
    assert len(marked.text) <= 42
    assert marked_words(marked) == ["القاهرة"]
    assert_cut_between_words(text, marked)


def test_default_size_is_respected() -> None:
    text = FILLER * 10 + "وصلت الحكومة إلى القاهرة. " + FILLER * 10
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER)
    assert 150 < len(marked.text) <= 202  # 200 characters and the two ellipses


def test_best_passage_beats_an_earlier_weaker_one() -> None:
    text = (
        "نشرت الحكومة بيانا قصيرا. "
        + FILLER * 3
        + "وقالت الحكومة إن الوفد وصل إلى القاهرة. "
        + FILLER * 3
    )
    marked = make_snippet(text, stems_of("الحكومة", "القاهرة"), ANALYZER, size=80)
    assert marked.text.startswith("…")
    assert marked_words(marked) == ["الحكومة", "القاهرة"]


def test_more_matches_win_when_distinct_terms_tie() -> None:
    text = (
        "الحكومة في القاهرة. " + FILLER * 3 + "الحكومة والحكومات في القاهرة والقاهرة. " + FILLER * 3
    )
    marked = make_snippet(text, stems_of("الحكومة", "القاهرة"), ANALYZER, size=60)
    assert marked_words(marked) == ["الحكومة", "والحكومات", "القاهرة", "والقاهرة"]


def test_earliest_passage_wins_a_full_tie() -> None:
    first = "قالت الحكومة في القاهرة أولا. "
    second = "ثم قالت الحكومة في القاهرة مرة أخرى. "
    text = first + FILLER * 3 + second + FILLER * 3
    marked = make_snippet(text, stems_of("الحكومة", "القاهرة"), ANALYZER, size=60)
    assert not marked.text.startswith("…")
    assert "أولا" in marked.text


def test_no_match_gives_the_beginning() -> None:
    text = FILLER * 5
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER, size=80)
    assert marked.spans == ()
    assert not marked.text.startswith("…")
    assert marked.text.endswith("…")
    assert flatten(text).startswith(body_of(marked))
    assert len(marked.text) <= 81
    assert_cut_between_words(text, marked)


def test_a_word_longer_than_the_snippet_is_kept_whole() -> None:
    word = "ا" * 50
    text = f"قبل {word} بعد"
    marked = make_snippet(text, Matcher(exacts=frozenset({word})), ANALYZER, size=20)
    assert marked_words(marked) == [word]
    assert_cut_between_words(text, marked)


def test_whitespace_is_collapsed_and_spans_follow() -> None:
    text = "  الخبر\n\n  من   القاهرة\tاليوم\r\nعن  الحكومة  "
    marked = make_snippet(text, stems_of("القاهرة", "الحكومة"), ANALYZER)
    assert marked.text == "الخبر من القاهرة اليوم عن الحكومة"
    assert marked.spans == ((9, 16), (26, 33))
    assert marked_words(marked) == ["القاهرة", "الحكومة"]


def test_whitespace_is_collapsed_in_a_cut_passage() -> None:
    text = FILLER.replace(" ", "\n\n") * 4 + "وصل\n\nالوفد   إلى\tالقاهرة\n" + FILLER * 4
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER, size=80)
    assert not re.search(r"\s\s|[\n\t]", marked.text)
    assert marked_words(marked) == ["القاهرة"]


# -- output formats ----------------------------------------------------------


def test_ansi_output() -> None:
    marked = mark_text("زار الوفد القاهرة <b>", stems_of("القاهرة"), ANALYZER)
    assert marked.ansi() == "زار الوفد \x1b[1mالقاهرة\x1b[0m <b>"


def test_ansi_neutralizes_control_characters_of_the_text() -> None:
    marked = mark_text("\x1b[2J القاهرة\nاليوم", stems_of("القاهرة"), ANALYZER)
    assert marked.ansi() == "\ufffd[2J \x1b[1mالقاهرة\x1b[0m\nاليوم"


def test_marked_html_wraps_each_span() -> None:
    marked = Marked("a & b < c", ((0, 1), (8, 9)))
    assert marked.html() == "<mark>a</mark> &amp; b &lt; <mark>c</mark>"
    assert marked.plain() == "a & b < c"


# -- properties --------------------------------------------------------------

# Letters, harakat, tatweel, a ligature that expands to four words, joiners,
# odd whitespace, HTML specials and Latin: everything that could break a cut.
_ALPHABET = st.sampled_from(
    "قاهرحكومةالمدرسيبو\u064e\u0650\u0651\u0652\u0640ﷺ\u200c\u200f \n\t\u00a0\r،.<>&\"'/=()ab1٣"
)
_QUERY_WORDS = st.lists(
    st.sampled_from(["القاهرة", "الحكومة", "مدرسة", "b", "في", "قاهر", "ﷺ"]), max_size=3
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(_ALPHABET, max_size=300),
    words=_QUERY_WORDS,
    prefixes=st.lists(st.sampled_from(["قا", "الم", "ح"]), max_size=2),
    size=st.integers(1, 120),
)
def test_spans_are_sound_and_html_is_inert(
    text: str, words: list[str], prefixes: list[str], size: int
) -> None:
    base = stems_of(*words)
    matcher = Matcher(exacts=exacts_of(*words).exacts, stems=base.stems, prefixes=tuple(prefixes))
    for marked in (
        mark_text(text, matcher, ANALYZER),
        make_snippet(text, matcher, ANALYZER, size=size),
    ):
        previous_end = 0
        for start, end in marked.spans:
            assert previous_end <= start < end <= len(marked.text)
            previous_end = end
        words_in_text = {token.text for token in ANALYZER.tokens(marked.text)}
        assert all(word in words_in_text for word in marked_words(marked))
        out = marked.html()
        assert "<" not in out.replace("<mark>", "").replace("</mark>", "")
        assert html.unescape(out.replace("<mark>", "").replace("</mark>", "")) == marked.text
    # mark_text marks exactly the words Matcher.matches accepts.
    expected = sorted({(t.start, t.end) for t in ANALYZER.tokens(text) if matcher.matches(t)})
    assert list(mark_text(text, matcher, ANALYZER).spans) == expected
    snippet = make_snippet(text, matcher, ANALYZER, size=size)
    if snippet.text:
        assert_cut_between_words(text, snippet)


# -- long texts: the scan that finds where the query's words may stand ----------

# Pieces of text that test the scan: marks, tatweel, letter variants, Latin capitals,
# Arabic-Indic digits, joiners and odd spaces; and, now and then, a character that is
# not plain (a decomposed hamza, a presentation form, a ligature): the whole text is
# then analyzed word by word.
_PIECES = st.sampled_from(
    [
        "القاهرة",
        "بالقاهرةِ",
        "القـاهرة",
        "قاهرة",
        "الحكومة",
        "والحُكومات",
        "مدرسة",
        "المدرسى",
        "إلى",
        "في",
        "مؤتمر",
        "Cairo",
        "CAIRO",
        "٢٠٢٣",
        "2023",
        "كتاب\u200cخانه",
        "\u200f",
        "\u00a0",
        "،",
        "\n",
        "<b>",
    ]
)
_NOT_PLAIN = st.sampled_from(["", "", "", "مو\u0654تمر", "ﻻ", "ﷺ"])
_SCAN_QUERIES = st.lists(
    st.sampled_from(["القاهرة", "الحكومة", "مدرسة", "مؤتمر", "cairo", "2023", "في"]),
    min_size=1,
    max_size=3,
)


def _reference(text: str, matcher: Matcher) -> list[tuple[int, int, str]]:
    """The matches of ``text`` found by analyzing every word (what the scan must equal)."""
    out = []
    for token in ANALYZER.tokens(text):
        if token.stem and token.stem in matcher.stems:
            out.append((token.start, token.end, token.stem))
        elif token.exact in matcher.exacts:
            out.append((token.start, token.end, token.exact))
        elif matcher.prefixes and token.exact.startswith(matcher.prefixes):
            prefix = next(p for p in matcher.prefixes if token.exact.startswith(p))
            out.append((token.start, token.end, prefix))
    return out


@settings(max_examples=100, deadline=None)
@given(
    pieces=st.lists(_PIECES, min_size=60, max_size=250),
    odd=_NOT_PLAIN,
    words=_SCAN_QUERIES,
    prefixes=st.lists(st.sampled_from(["قا", "الم", "مؤت"]), max_size=1),
    seed=st.integers(0, 3),
)
def test_the_scan_finds_the_matches_analyzing_every_word_finds(
    pieces: list[str], odd: str, words: list[str], prefixes: list[str], seed: int
) -> None:
    separators = [" ", " ", "  ", "\n"]
    pieces.insert(seed * len(pieces) // 4, odd)
    text = "".join(p + separators[(i + seed) % 4] for i, p in enumerate(pieces))
    base = stems_of(*words)
    matcher = Matcher(exacts=exacts_of(*words).exacts, stems=base.stems, prefixes=tuple(prefixes))
    assert find_matches(text, matcher, ANALYZER) == _reference(text, matcher)
    flat = flatten(text)
    assert find_matches(flat, matcher, ANALYZER, flat=True) == _reference(flat, matcher)


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(st.one_of(_PIECES, _NOT_PLAIN), min_size=1, max_size=60), data=st.data())
def test_words_near_a_cut_are_those_of_the_whole_text(
    pieces: list[str], data: st.DataObject
) -> None:
    flat = flatten(" ".join(pieces))
    if not flat:
        return
    tokens = [(token.start, token.end) for token in ANALYZER.tokens(flat)]
    words = Words(flat, ANALYZER)
    for _ in range(10):
        low = data.draw(st.integers(0, len(flat)))
        high = data.draw(st.integers(0, len(flat)))
        starts = [a for a, _ in tokens if a >= low]
        assert words.start_at_or_after(low) == (starts[0] if starts else None)
        ends = [b for _, b in tokens if b <= high]
        expected = ends[-1] if ends and ends[-1] >= low else None
        assert words.end_between(low, high) == expected
        later = [b for _, b in tokens if b >= low]
        assert words.end_at_or_after(low) == (later[0] if later else None)


def _plain_word_characters(fold_hamza: bool) -> dict[str, str]:
    return {c: f for c, f in plain_characters(fold_hamza).items() if re.fullmatch(r"\w", c)}


@pytest.mark.parametrize("fold_hamza", [False, True], ids=["hamza-kept", "hamza-folded"])
def test_plain_characters_normalize_one_by_one(fold_hamza: bool) -> None:
    """What the scan rests on: a word of plain characters normalizes to their forms side by
    side. Checked on every pair of the Arabic block's plain letters and ASCII letters and
    digits, and on seeded triples of any plain characters."""
    plain = _plain_word_characters(fold_hamza)
    arabic = [c for c in plain if "\u0600" <= c <= "\u06ff"]
    latin = [c for c in plain if c.isascii()]
    failures = [
        x + y
        for x in arabic
        for y in arabic + latin
        if normalize(x + y, fold_hamza=fold_hamza) != plain[x] + plain[y]
    ]
    rng = random.Random(11)
    pool = list(plain)
    for _ in range(20_000):
        word = "".join(rng.choice(pool) for _ in range(3))
        if normalize(word, fold_hamza=fold_hamza) != "".join(plain[c] for c in word):
            failures.append(word)
    assert failures == []
    assert len(arabic) > 150 and len(plain) > 1_000


@pytest.mark.parametrize(
    "text",
    ["زار الوفد ﻻ القاهرة", "زار مو\u0654تمر القاهرة", "زار 😀 القاهرة"],
    ids=["presentation-form", "decomposed-hamza", "emoji"],
)
def test_a_text_with_a_character_that_is_not_plain_is_analyzed_whole(text: str) -> None:
    assert scan_for(False).runs(text * 30, ["قاهر"], limit=100) is None
    matcher = stems_of("القاهرة")
    assert find_matches(text * 30, matcher, ANALYZER) == _reference(text * 30, matcher)


def test_a_long_plain_text_is_scanned_not_analyzed_whole() -> None:
    text = (FILLER + "وصل الوفـد إلى القاهرةِ، CAIRO ٢٠٢٣. ") * 10
    runs = scan_for(False).runs(text, ["قاهر", "cairo", "2023"], limit=48)
    assert [text[start:end] for start, end in runs or []] == ["القاهرةِ،", "CAIRO", "٢٠٢٣."] * 10
    matcher = Matcher(stems=frozenset({"قاهر", "cairo", "2023"}))
    assert find_matches(text, matcher, ANALYZER) == _reference(text, matcher)


def test_the_scan_gives_up_past_its_limit_of_places() -> None:
    text = "القاهرة " * 100
    assert scan_for(False).runs(text, ["قاهر"], limit=99) is None
    assert scan_for(False).runs(text, ["قاهر"], limit=100) == [
        (n * 8, n * 8 + 7) for n in range(100)
    ]


class _CountingAnalyzer(Analyzer):
    """An analyzer that records how many characters of text it was asked to analyze whole."""

    def __init__(self) -> None:
        super().__init__()
        self.analyzed = 0

    def word_columns(self, text: str) -> tuple[list[tuple[int, int]], list[str], list[str]]:
        self.analyzed += len(text)
        return super().word_columns(text)

    def word_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        self.analyzed += len(text)
        return super().word_spans(text)


def test_a_long_text_with_many_places_is_scanned_not_analyzed_whole() -> None:
    """A common query word in a long article (100 places in 28,000 characters, past the
    48 a short text may hold) costs its places' runs, not the whole text's words."""
    text = flatten((FILLER * 2 + "وصل الوفد إلى القاهرة. ") * 100)
    matcher = stems_of("القاهرة")
    analyzer = _CountingAnalyzer()
    found = find_matches(text, matcher, analyzer, flat=True)
    assert len(found) == 100
    assert found == _reference(text, matcher)
    assert analyzer.analyzed < len(text) // 10


def test_a_run_that_repeats_is_analyzed_once() -> None:
    text = flatten((FILLER + "وصل الوفد إلى القاهرةِ، ") * 30 + "ثم بالقاهرة")
    matcher = stems_of("القاهرة")
    analyzer = _CountingAnalyzer()
    found = find_matches(text, matcher, analyzer, flat=True)
    assert found == _reference(text, matcher) and len(found) == 31
    assert analyzer.analyzed == len("القاهرةِ، بالقاهرة")


@pytest.mark.parametrize(
    "text, special",
    [
        ("قالَ الـرئيس إنَّ القاهرةَ رحّبت", False),
        ("أإآٱ ى ة ی ک ؤ ئ 2023 cairo", False),
        ("عام ٢٠٢٣", True),
        ("زار الوفد CAIRO", True),
        ("زار الوفد ﻻ القاهرة", True),
    ],
    ids=["marks", "frequent-variants", "arabic-digits", "latin-capitals", "presentation-form"],
)
@pytest.mark.parametrize("fold_hamza", [False, True], ids=["hamza-kept", "hamza-folded"])
def test_the_quick_fold_is_the_fold_or_gives_way(
    text: str, special: bool, fold_hamza: bool
) -> None:
    """The one-scan fold of a text without special characters equals the full fold (marks
    side by side are one deleted run), and gives way to it on a special character."""
    scan = scan_for(fold_hamza)
    quick = scan._quick_fold(text * 3)
    assert quick == (None if special else scan.fold(text * 3))


def test_every_whitespace_but_the_space_is_unprintable() -> None:
    """What the snippet's quick collapse of whitespace rests on."""
    spaces = [chr(code) for code in range(0x110000) if chr(code).isspace()]
    assert [c for c in spaces if c.isprintable()] == [" "] and len(spaces) > 20


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["قال", "الرئيس", "\u200f", " ", "  ", "\n", "\n\n", "\xa0", "\t", "\u2003"]
        ),
        max_size=30,
    )
)
def test_the_quick_collapse_is_split_and_join(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _flatten(text) == " ".join(text.split())


def test_a_long_text_is_read_for_its_first_characters_only() -> None:
    """A snippet of a text of millions of characters costs what one of SNIPPET_SCAN does:
    a word past the bound is not looked for, and the snippet says text was left out."""
    filler = FILLER * (SNIPPET_SCAN // len(FILLER) + 1)
    text = filler + " القاهرة " + filler * 100
    marked = make_snippet(text, stems_of("القاهرة"), ANALYZER, size=80)
    assert marked.spans == ()
    assert flatten(text).startswith(body_of(marked)) and marked.text.endswith("…")
    early = "القاهرة " + text
    assert marked_words(make_snippet(early, stems_of("القاهرة"), ANALYZER)) == ["القاهرة"]


def test_the_scan_bound_cuts_between_words() -> None:
    head = "ب" * (SNIPPET_SCAN - 3)
    marked = make_snippet(head + " القاهرة والجيزة", Matcher(prefixes=("ال",)), ANALYZER)
    assert marked.spans == () and marked.text.endswith("…")
