"""Properties of the whole analysis pipeline (tokenize, normalize, stop words, stemmers).

The rule tables live in one file per module (test_normalize.py, test_tokenize.py,
test_stopwords.py, test_stemmers.py, test_analyzer.py); this file holds the
hypothesis properties that cross them, on Arabic-heavy generated text.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsearch import analyze, normalize
from arsearch.analysis import STEMMERS, Analyzer, iter_words, soften

# -- strategies ----------------------------------------------------------------


def _chars(first: int, last: int) -> st.SearchStrategy[str]:
    return st.characters(min_codepoint=first, max_codepoint=last)


ARABIC_LETTERS = st.sampled_from("ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيٱیک")
ARABIC_BLOCK = _chars(0x0600, 0x06FF)
PRESENTATION_FORMS = st.one_of(_chars(0xFB50, 0xFDFF), _chars(0xFE70, 0xFEFF))
MARKS = st.sampled_from(
    [chr(c) for c in range(0x064B, 0x0660)]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
    + [chr(c) for c in range(0x0610, 0x061B)]
    + ["\u0670", "\u0640"]
)
DIGITS = st.sampled_from(string.digits + "٠١٢٣٤٥٦٧٨٩" + "۰۱۲۳۴۵۶۷۸۹")
LATIN = st.sampled_from(string.ascii_letters + "ßéÉİıſﬁ\u0301")
SEPARATORS = st.sampled_from(
    [
        *" \n\t\u00a0.,;:!?()[]\"'-_/،؛؟«»…",
        *("\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u202a", "\u202e", "\u2066"),
        "\ufeff",
    ]
)

ARABIC_CHAR = st.one_of(
    ARABIC_LETTERS,
    ARABIC_LETTERS,
    ARABIC_LETTERS,
    MARKS,
    ARABIC_BLOCK,
    PRESENTATION_FORMS,
    DIGITS,
    LATIN,
    SEPARATORS,
)
#: Canonically decomposed letters (a letter, then a combining hamza or madda),
#: which NFKC composes: ؤ and ئ stay ؤ and ئ, آ أ إ become ا. And the one
#: character whose casefold turns a non-word into a letter (U+0345 -> ι).
DECOMPOSED = st.sampled_from(
    ["و\u0654", "ي\u0654", "ى\u0654", "ا\u0653", "ا\u0654", "ا\u0655", "ه\u0654", "ۀ", "\u0345"]
)
#: Compatibility spaces and punctuation that stay separators under NFKC.
COMPAT_SEPARATORS = st.sampled_from(["\u00a0", "\u2002", "\u2009", "\u202f", "\u2026", "\u2032"])

#: Arabic-heavy text, mixed with presentation forms, marks, digits, Latin and
#: separators; arbitrary Unicode text as well.
TEXT = st.one_of(st.text(ARABIC_CHAR, max_size=80), st.text(max_size=40))
#: Text without presentation forms, which takes the analyzer's one-pass fold of
#: the whole text (the indexing fast path), with decomposed letters in it.
PLAIN_TEXT = st.lists(
    st.one_of(
        ARABIC_LETTERS,
        ARABIC_LETTERS,
        MARKS,
        DECOMPOSED,
        DIGITS,
        LATIN,
        SEPARATORS,
        COMPAT_SEPARATORS,
    ),
    max_size=60,
).map("".join)
#: Word-like text: letters with harakat, joined by spaces, so stemmers get real work.
WORD = st.lists(st.one_of(ARABIC_LETTERS, ARABIC_LETTERS, MARKS), min_size=1, max_size=10).map(
    "".join
)
SENTENCE = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
ANY = st.one_of(TEXT, SENTENCE, PLAIN_TEXT)

ANALYZERS = {name: Analyzer(stemmer=name) for name in STEMMERS}
SETTINGS = settings(max_examples=300, deadline=None)


# -- robustness and offsets -------------------------------------------------------


@SETTINGS
@given(ANY)
def test_analyze_never_raises_and_gives_the_default_analyzers_tokens(text: str) -> None:
    tokens = analyze(text)
    assert tokens == Analyzer(stemmer="light10").analyze(text)
    words = [token for token in Analyzer(stemmer="light10").tokens(text) if token.stem]
    assert [(t.start, t.end) for t in tokens] == [(t.start, t.end) for t in words]
    for token in tokens:
        assert token.text == text[token.start : token.end]
        assert token.stem and token.stem == normalize(token.stem)


@pytest.mark.parametrize("stemmer", STEMMERS)
@SETTINGS
@given(ANY)
def test_every_stemmer_never_raises_and_keeps_offsets(stemmer: str, text: str) -> None:
    analyzer = ANALYZERS[stemmer]
    last_start = 0
    for token in analyzer.tokens(text):
        assert token.text == text[token.start : token.end]
        assert 0 <= last_start <= token.start < token.end <= len(text)
        last_start = token.start
        assert token.exact == normalize(token.exact, fold_hamza=analyzer.fold_hamza)
    for token in analyzer.analyze(text):
        assert token.text == text[token.start : token.end]
        assert token.stem


@SETTINGS
@given(ANY)
def test_token_text_is_the_original_slice(text: str) -> None:
    for token in analyze(text):
        assert token.text == text[token.start : token.end]
    for start, end, word in iter_words(text):
        assert word == text[start:end]


# -- normalization -------------------------------------------------------------------


@SETTINGS
@given(ANY)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@SETTINGS
@given(ANY)
def test_normalize_with_hamza_folding_is_idempotent(text: str) -> None:
    once = normalize(text, fold_hamza=True)
    assert normalize(once, fold_hamza=True) == once


@SETTINGS
@given(ANY)
def test_soften_is_idempotent_and_normalizes_like_normalize(text: str) -> None:
    once = soften(text)
    assert soften(once) == once
    assert normalize(once) == normalize(text)


# -- documents and queries agree -------------------------------------------------------


def _terms(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    return [(token.exact, token.stem) for token in analyzer.analyze(text)]


@pytest.mark.parametrize("stemmer", STEMMERS)
@SETTINGS
@given(ANY)
def test_document_equals_its_words_analyzed_alone(stemmer: str, text: str) -> None:
    # A query is analyzed word by word; the document all at once. Same terms.
    analyzer = ANALYZERS[stemmer]
    alone = [term for _, _, word in iter_words(text) for term in _terms(analyzer, word)]
    assert _terms(analyzer, text) == alone
    assert _terms(Analyzer(stemmer=stemmer), text) == alone


@pytest.mark.parametrize("stemmer", ["light10", "none"])
@SETTINGS
@given(ANY)
def test_normalized_query_word_has_the_same_terms(stemmer: str, text: str) -> None:
    # A user who types the normalized spelling (ه for ة, ي for ى, no hamza on
    # alef, no harakat) finds the same exact and stem terms.
    analyzer = ANALYZERS[stemmer]
    for _, _, word in iter_words(text):
        assert _terms(analyzer, normalize(word)) == _terms(analyzer, word)


@pytest.mark.parametrize("stemmer", ["tashaphyne", "snowball"])
@SETTINGS
@given(ANY)
def test_normalized_query_word_with_a_suffix_aware_stemmer(stemmer: str, text: str) -> None:
    # These stemmers read ة and ى (the soft form) by design, measured slightly
    # better in ../shared/anchors/relevance.md; so only the exact terms are
    # spelling-proof, and stems agree when the word has no ة or ى to lose.
    analyzer = ANALYZERS[stemmer]
    for _, _, word in iter_words(text):
        query, document = _terms(analyzer, normalize(word)), _terms(analyzer, word)
        assert [exact for exact, _ in query] == [exact for exact, _ in document]
        if soften(word) == normalize(word):
            assert query == document


@pytest.mark.parametrize("stemmer", STEMMERS)
@SETTINGS
@given(ANY)
def test_index_terms_agree_with_tokens(stemmer: str, text: str) -> None:
    analyzer = ANALYZERS[stemmer]
    exact = " ".join(token.exact for token in analyzer.tokens(text))
    stems = " ".join(token.stem for token in analyzer.analyze(text))
    assert analyzer.index_terms(text) == (exact, stems)
    assert Analyzer(stemmer=stemmer).index_terms(text) == (exact, stems)


@pytest.mark.parametrize("stemmer", STEMMERS)
@SETTINGS
@given(ANY)
def test_every_term_is_one_word(stemmer: str, text: str) -> None:
    # index_terms joins terms with spaces, so a term with a space in it (or an
    # empty one) would shift every later term of the document.
    for token in ANALYZERS[stemmer].tokens(text):
        assert token.exact.split() == [token.exact]
        assert token.stem == "" or token.stem.split() == [token.stem]


@pytest.mark.parametrize("stemmer", STEMMERS)
@pytest.mark.parametrize(
    "raw, exact",
    [("مدرسةﹰ", "مدرسه"), ("كتابﹰ", "كتاب"), ("ؠﹰ", "ؠ")],
    ids=["teh-marbuta-fathatan-form", "fathatan-form", "kashmiri-yeh-fathatan-form"],
)
def test_presentation_form_harakah_gives_clean_terms(stemmer: str, raw: str, exact: str) -> None:
    # Found by hypothesis: NFKC turns ﹰ into a space and a fathatan; the stem
    # once kept that space ("مدرسه " with snowball and tashaphyne).
    [(got_exact, stem)] = Analyzer(stemmer=stemmer).word_terms(raw)
    assert got_exact == exact
    assert stem and stem.split() == [stem]


@pytest.mark.parametrize("stemmer", STEMMERS)
@SETTINGS
@given(ANY)
def test_word_columns_agree_with_word_spans(stemmer: str, text: str) -> None:
    # The highlighter's columns take the one-pass fold when they can; they must
    # name the same words, spans and stems as the word-by-word path.
    analyzer = ANALYZERS[stemmer]
    spans = Analyzer(stemmer=stemmer).word_spans(text)
    assert analyzer.word_columns(text) == (
        [(start, end) for start, end, _, _ in spans],
        [exact for _, _, exact, _ in spans],
        [stem for _, _, _, stem in spans],
    )
    assert [(t.start, t.end, t.exact, t.stem) for t in analyzer.tokens(text)] == spans
