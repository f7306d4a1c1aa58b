"""arsearch.analysis.tokenize: words and their offsets, one table row per rule.

Each row gives a text and the words it must split into. Offsets are checked
against the original string, both for ``iter_words`` and ``Analyzer.tokens``
(which uses the same pattern, so the highlighter's offsets agree with the index).
"""

from __future__ import annotations

import pytest

from arsearch.analysis import WORD_PATTERN, Analyzer, iter_words
from arsearch.analysis.normalize import fold_text
from arsearch.analysis.tokenize import FOLDED_WORD_PATTERN

TABLE = [
    pytest.param("كَتَبَ الوَلَدُ", ["كَتَبَ", "الوَلَدُ"], id="harakat-stay-attached"),
    pytest.param("محمّد", ["محمّد"], id="shadda-stays-attached"),
    pytest.param("كتاباً جديداً", ["كتاباً", "جديداً"], id="tanween-at-word-end"),
    pytest.param("الْمُدَرِّسُونَ", ["الْمُدَرِّسُونَ"], id="sukun-shadda-damma"),
    pytest.param("الـعـربـيـة", ["الـعـربـيـة"], id="tatweel-stays-attached"),
    pytest.param("العربيةـــ", ["العربيةـــ"], id="trailing-tatweel"),
    pytest.param("هٰذا", ["هٰذا"], id="dagger-alef-stays-attached"),
    pytest.param("الرَّحْمٰنِ", ["الرَّحْمٰنِ"], id="dagger-alef-with-harakat"),
    pytest.param("مِنْهُۥ", ["مِنْهُۥ"], id="quranic-small-waw"),
    pytest.param("الصَّلَوٰةَ ۚ وَ", ["الصَّلَوٰةَ", "وَ"], id="quranic-pause-mark-after-space"),
    pytest.param("ك\u200cتب", ["ك\u200cتب"], id="zwnj-stays-inside"),
    pytest.param("ك\u0654تب", ["ك\u0654تب"], id="hamza-above-mark"),
    pytest.param("NASA and FIFA", ["NASA", "and", "FIFA"], id="latin-words"),
    pytest.param("café", ["café"], id="latin-precomposed-accent"),
    pytest.param("cafe\u0301", ["cafe\u0301"], id="latin-combining-accent"),
    pytest.param("iPhone15 برو", ["iPhone15", "برو"], id="latin-with-digits"),
    pytest.param("عام 2023", ["عام", "2023"], id="ascii-number"),
    pytest.param("عام ٢٠٢٣", ["عام", "٢٠٢٣"], id="arabic-indic-number"),
    pytest.param("عام ۱۴۰۲", ["عام", "۱۴۰۲"], id="extended-arabic-indic-number"),
    pytest.param("3.5", ["3", "5"], id="decimal-point-splits"),
    pytest.param("الرياض، جدة", ["الرياض", "جدة"], id="arabic-comma"),
    pytest.param("الرياض؛ جدة", ["الرياض", "جدة"], id="arabic-semicolon"),
    pytest.param("متى؟", ["متى"], id="arabic-question-mark"),
    pytest.param("أين؟كيف", ["أين", "كيف"], id="arabic-question-mark-no-space"),
    pytest.param("قال:«نعم»", ["قال", "نعم"], id="colon-and-guillemets"),
    pytest.param('"واع".', ["واع"], id="quotes-and-full-stop"),
    pytest.param("(داعش)", ["داعش"], id="parentheses"),
    pytest.param("a,b;c!d?e", ["a", "b", "c", "d", "e"], id="latin-punctuation"),
    pytest.param("سياسي-اقتصادي", ["سياسي", "اقتصادي"], id="hyphen-splits"),
    pytest.param("x/y", ["x", "y"], id="slash-splits"),
    pytest.param("الكاظمي\nفي\tواشنطن", ["الكاظمي", "في", "واشنطن"], id="newline-and-tab"),
    pytest.param("وكان   الكاظمي", ["وكان", "الكاظمي"], id="repeated-spaces"),
    pytest.param(" َ ", [], id="stray-mark-is-no-word"),
    pytest.param("... ؟ ،", [], id="punctuation-only"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize("raw, expected", TABLE)
def test_iter_words(raw: str, expected: list[str]) -> None:
    words = list(iter_words(raw))
    assert [word for _, _, word in words] == expected
    for start, end, word in words:
        assert raw[start:end] == word


@pytest.mark.parametrize("raw, expected", TABLE)
def test_analyzer_tokens_use_the_same_words(raw: str, expected: list[str]) -> None:
    tokens = Analyzer(stopwords=[]).tokens(raw)
    assert [token.text for token in tokens] == expected
    assert [(t.start, t.end) for t in tokens] == [(s, e) for s, e, _ in iter_words(raw)]


@pytest.mark.parametrize("raw, expected", TABLE)
def test_folded_pattern_finds_the_same_words_in_folded_text(raw: str, expected: list[str]) -> None:
    # The shorter pattern indexing uses relies on fold_text deleting every mark
    # the word pattern lets inside a word, but the Latin accents.
    folded = fold_text(raw + " ك\u0640\u0670\u0610\u06d6\u200c\u200d\u064bتب")
    assert folded is not None
    assert FOLDED_WORD_PATTERN.findall(folded) == WORD_PATTERN.findall(folded)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("قالَ: الـرِّياض 2023", [(0, 4, "قالَ"), (6, 15, "الـرِّياض"), (16, 20, "2023")]),
        (
            "وصل رئيس الوزراء العراقي، مصطفى",
            [
                (0, 3, "وصل"),
                (4, 8, "رئيس"),
                (9, 16, "الوزراء"),
                (17, 24, "العراقي"),
                (26, 31, "مصطفى"),
            ],
        ),
        ("«أسوشيتد برس»", [(1, 8, "أسوشيتد"), (9, 12, "برس")]),
        ("NASA، ٢٠٢٣", [(0, 4, "NASA"), (6, 10, "٢٠٢٣")]),
    ],
    ids=["docstring-example", "seed-sentence", "guillemets", "latin-and-arabic-digits"],
)
def test_exact_offsets(raw: str, expected: list[tuple[int, int, str]]) -> None:
    assert list(iter_words(raw)) == expected


def test_word_pattern_is_the_tokenizer() -> None:
    text = "وَالكاظِمي في واشنطن، NASA ٢٠٢٣"
    assert [m.group() for m in WORD_PATTERN.finditer(text)] == [w for _, _, w in iter_words(text)]
