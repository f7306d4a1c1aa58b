"""arsearch.analysis.analyzer: tokens with exact and stem terms, configuration, index terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import arsearch
from arsearch import Token, UsageError
from arsearch.analysis import (
    DEFAULT_STEMMER,
    STEMMERS,
    Analyzer,
    analyze,
    default_analyzer,
)
from arsearch.analysis import analyzer as analyzer_module

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_f41122bbf7ba219e.txt"

SAMPLES = [
    "وَالكاظِمي في واشنطن",
    "وصل رئيس الوزراء العراقي، مصطفى الكاظمي، إلى العاصمة الأمريكية واشنطن في زيارة رسمية.",
    "الـعـربـيـة ﻻ ٢٠٢٣ NASA مستشفى هٰذا",
    "صلى النبي محمد ﷺ في المسجد",
    "متى؟ وأين؟ ولماذا؟",
    "",
]


def _rows(text: str, analyzer: Analyzer | None = None) -> list[tuple[str, int, int, str, str]]:
    tokens = (analyzer or Analyzer()).analyze(text)
    return [(t.text, t.start, t.end, t.exact, t.stem) for t in tokens]


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param(
            "وَالكاظِمي في واشنطن",
            [
                ("وَالكاظِمي", 0, 10, "والكاظمي", "كاظم"),
                ("واشنطن", 14, 20, "واشنطن", "اشنطن"),
            ],
            id="diacritized-with-stop-word",
        ),
        pytest.param(
            "للحكومة",
            [("للحكومة", 0, 7, "للحكومه", "حكوم")],
            id="ll-prefix-teh-marbuta",
        ),
        pytest.param(
            "الإستراتيجيّة",
            [("الإستراتيجيّة", 0, 13, "الاستراتيجيه", "استراتيج")],
            id="hamza-shadda",
        ),
        pytest.param(
            "الـعـربـيـة",
            [("الـعـربـيـة", 0, 11, "العربيه", "عرب")],
            id="tatweel",
        ),
        pytest.param(
            "مستشفى ٢٠٢٣",
            [("مستشفى", 0, 6, "مستشفي", "مستشف"), ("٢٠٢٣", 7, 11, "2023", "2023")],
            id="maksura-and-digits",
        ),
        pytest.param(
            "NASA Missions",
            [("NASA", 0, 4, "nasa", "nasa"), ("Missions", 5, 13, "missions", "missions")],
            id="latin-casefolded-not-stemmed",
        ),
        pytest.param(
            "ﻣﺪﺭﺳﺔ",
            [("ﻣﺪﺭﺳﺔ", 0, 5, "مدرسه", "مدرس")],
            id="presentation-forms",
        ),
        pytest.param(
            "مؤتمر صحفي",
            [("مؤتمر", 0, 5, "مؤتمر", "مؤتمر"), ("صحفي", 6, 10, "صحفي", "صحف")],
            id="waw-hamza-kept",
        ),
    ],
)
def test_exact_and_stem_per_token(raw: str, expected: list[tuple[str, int, int, str, str]]) -> None:
    assert _rows(raw) == expected


def test_tokens_keep_stop_words_with_an_empty_stem() -> None:
    tokens = Analyzer().tokens("الرئيس في القاهرة")
    assert [(t.text, t.exact, t.stem) for t in tokens] == [
        ("الرئيس", "الرئيس", "رئيس"),
        ("في", "في", ""),
        ("القاهرة", "القاهره", "قاهر"),
    ]
    assert Analyzer().analyze("الرئيس في القاهرة") == [tokens[0], tokens[2]]


def test_fold_hamza_analyzer() -> None:
    analyzer = Analyzer(fold_hamza=True)
    assert _rows("مؤتمر رئيس", analyzer) == [
        ("مؤتمر", 0, 5, "مءتمر", "مءتمر"),
        ("رئيس", 6, 10, "رءيس", "رءيس"),
    ]


def test_custom_stop_words_are_normalized() -> None:
    analyzer = Analyzer(stopwords=["إلى", "مدرسة"])
    assert [t.exact for t in analyzer.analyze("ذهب إلى المدرسة مدرسة")] == ["ذهب", "المدرسه"]


def test_public_api() -> None:
    assert arsearch.analyze is analyze
    assert isinstance(analyze("الكاظمي")[0], Token)
    assert analyze("اللاعبون في الملعب")[0].to_dict() == {
        "text": "اللاعبون",
        "start": 0,
        "end": 8,
        "exact": "اللاعبون",
        "stem": "لاعب",
    }
    assert default_analyzer() is default_analyzer()
    assert default_analyzer().stemmer == DEFAULT_STEMMER == "light10"


def test_word_terms() -> None:
    analyzer = Analyzer()
    assert analyzer.word_terms("للحكومة") == (("للحكومه", "حكوم"),)
    assert analyzer.word_terms("في") == (("في", ""),)
    assert analyzer.word_terms("ـــ") == ()


def test_cached_analysis_is_stable() -> None:
    analyzer = Analyzer()
    text = SAMPLES[1] + " " + SAMPLES[1]
    first = analyzer.analyze(text)
    assert analyzer.analyze(text) == first
    half = len(first) // 2
    assert [(t.exact, t.stem) for t in first[:half]] == [(t.exact, t.stem) for t in first[half:]]


def test_full_stem_cache_is_emptied_and_analysis_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    text = SEED.read_text(encoding="utf-8")
    expected = Analyzer().index_terms(text)
    monkeypatch.setattr(analyzer_module, "_WORD_CACHE_LIMIT", 5)
    small = Analyzer()
    assert small.index_terms(text) == small.index_terms(text) == expected
    assert len(small._stem_of) <= 5


# -- configuration -----------------------------------------------------------

CONFIGS = [
    pytest.param({}, id="default"),
    *[pytest.param({"stemmer": name}, id=f"stemmer-{name}") for name in STEMMERS],
    pytest.param({"fold_hamza": True}, id="fold-hamza"),
    pytest.param({"stopwords": ["إلى", "في", "مدرسة"]}, id="custom-stop-words"),
    pytest.param({"stopwords": []}, id="no-stop-words"),
]


@pytest.mark.parametrize("kwargs", CONFIGS)
def test_config_round_trip(kwargs: dict[str, object]) -> None:
    original = Analyzer(**kwargs)  # type: ignore[arg-type]
    config = json.loads(json.dumps(original.to_config(), ensure_ascii=False))
    rebuilt = Analyzer.from_config(config)
    assert rebuilt.to_config() == original.to_config()
    for text in [*SAMPLES, SEED.read_text(encoding="utf-8")]:
        assert rebuilt.tokens(text) == original.tokens(text)
        assert rebuilt.index_terms(text) == original.index_terms(text)


def test_config_contents() -> None:
    config = Analyzer().to_config()
    assert config["normalization"] == 1  # a new version means: rebuild every index
    assert config["stemmer"] == "light10"
    assert config["fold_hamza"] is False
    assert config["stopwords"]["name"] == "arsearch-1"
    assert "متي" in config["stopwords"]["words"]
    assert config["stopwords"]["words"] == sorted(config["stopwords"]["words"])


@pytest.mark.parametrize(
    "version",
    [0, 2],
    ids=["older", "newer"],
)
def test_wrong_normalization_version(version: int) -> None:
    config = {**Analyzer().to_config(), "normalization": version}
    with pytest.raises(UsageError) as excinfo:
        Analyzer.from_config(config)
    assert str(excinfo.value) == (
        f"This analyzer configuration uses normalization version {version}, "
        "but this arsearch has version 1. "
        "Rebuild the index with: arsearch index --rebuild PATH..."
    )


def test_config_with_unknown_stemmer() -> None:
    config = {**Analyzer().to_config(), "stemmer": "porter"}
    with pytest.raises(UsageError) as excinfo:
        Analyzer.from_config(config)
    assert str(excinfo.value) == (
        "Unknown stemmer 'porter'. Choose one of: light10, tashaphyne, snowball, none."
    )


# -- the indexing path ---------------------------------------------------------


def _index_terms_from_tokens(analyzer: Analyzer, text: str) -> tuple[str, str]:
    exact = " ".join(t.exact for t in analyzer.tokens(text))
    stems = " ".join(t.stem for t in analyzer.analyze(text))
    return exact, stems


@pytest.mark.parametrize("stemmer", STEMMERS)
def test_index_terms_agree_with_tokens(stemmer: str) -> None:
    texts = [*SAMPLES, SEED.read_text(encoding="utf-8")]
    cold, warm = Analyzer(stemmer=stemmer), Analyzer(stemmer=stemmer)
    for text in texts:
        warm.tokens(text)
    for text in texts:
        expected = _index_terms_from_tokens(Analyzer(stemmer=stemmer), text)
        assert cold.index_terms(text) == expected
        assert warm.index_terms(text) == expected


def test_index_terms_docstring_example() -> None:
    assert Analyzer().index_terms("وصل الرئيس إلى القاهرة") == (
        "وصل الرئيس الي القاهره",
        "وصل رئيس قاهر",
    )


def test_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    tokens = analyze(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    stems = {t.stem for t in tokens}
    assert {"كاظم", "مباحث", "زيار", "رسم", "ابيض", "اشنطن", "عراق", "شمال"} <= stems
    assert not stems & {"في", "الي", "من", "هذا", "التي"}


# -- NFKC expansion: one glyph, several words ---------------------------------------


def test_ligature_expands_to_several_terms() -> None:
    text = "محمد ﷺ"
    tokens = Analyzer().tokens(text)
    assert [(t.text, t.start, t.end, t.exact, t.stem) for t in tokens] == [
        ("محمد", 0, 4, "محمد", "محمد"),
        ("ﷺ", 5, 6, "صلي", "صل"),
        ("ﷺ", 5, 6, "الله", "له"),
        ("ﷺ", 5, 6, "عليه", ""),
        ("ﷺ", 5, 6, "وسلم", "سلم"),
    ]
    assert [t.exact for t in analyze(text)] == ["محمد", "صلي", "الله", "وسلم"]
    assert Analyzer().index_terms(text) == ("محمد صلي الله عليه وسلم", "محمد صل له سلم")


@pytest.mark.parametrize("stemmer", STEMMERS)
def test_ligature_expansion_with_every_stemmer(stemmer: str) -> None:
    analyzer = Analyzer(stemmer=stemmer)
    for text in ("ﷺ", "ﷻ", "ﷲ", "ﰀ", "½ ﷺ ﷺ"):
        tokens = analyzer.tokens(text)
        assert all(text[t.start : t.end] == t.text for t in tokens)
        assert analyzer.index_terms(text) == _index_terms_from_tokens(analyzer, text)
    assert len(analyzer.analyze("ﷺ")) == 3


@pytest.mark.parametrize("stemmer", ["light10", "none"])
@pytest.mark.parametrize("fold_hamza", [False, True], ids=["hamza-kept", "hamza-folded"])
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("مو\u0654تمر صحفي", id="decomposed-waw-hamza"),
        pytest.param("ر\u064aٔيس الوزراء", id="decomposed-yeh-hamza"),
        pytest.param("ا\u0653من وا\u0655سلام", id="decomposed-alef-madda-and-hamza-below"),
        pytest.param("مو\u064e\u0654تمر", id="decomposed-hamza-after-fatha"),
        pytest.param("وـ\u0654 كلمة", id="tatweel-blocks-composition"),
        pytest.param("كلمة \u0345 ab\u0345", id="ypogegrammeni-alone-and-in-word"),
        pytest.param("الرياض\u00a0جدة\u2026 x\u2032", id="compatibility-separators"),
        pytest.param("τη\u0342λε ευ\u0313κλειδης", id="greek-casefold-decomposes-again"),
        pytest.param("ΤΗ͂ΛΕ télévision", id="greek-upper-and-latin-accents"),
    ],
)
def test_index_terms_one_pass_fold_agrees_with_words(
    raw: str, fold_hamza: bool, stemmer: str
) -> None:
    # index_terms folds a whole text in one pass; the query side goes word by word.
    # Found by hypothesis: the one pass deleted a combining hamza that NFKC would
    # have composed (و + U+0654 -> ؤ), indexing موتمر where queries had مؤتمر.
    # Then: composing after casefold undid casefold's decomposition of ῆ (η + U+0342),
    # so the one pass gave a composed word where normalize gives a decomposed one.
    analyzer = Analyzer(stemmer=stemmer, fold_hamza=fold_hamza)
    reference = Analyzer(stemmer=stemmer, fold_hamza=fold_hamza)
    assert analyzer.index_terms(raw) == _index_terms_from_tokens(reference, raw)
    spans = reference.word_spans(raw)
    assert analyzer.word_columns(raw) == (
        [(start, end) for start, end, _, _ in spans],
        [exact for _, _, exact, _ in spans],
        [stem for _, _, _, stem in spans],
    )


def test_decomposed_hamza_is_indexed_like_the_composed_one() -> None:
    composed, decomposed = Analyzer().index_terms("مؤتمر"), Analyzer().index_terms("مو\u0654تمر")
    assert decomposed == composed == ("مؤتمر", "مؤتمر")


def test_text_with_a_presentation_form_goes_word_by_word_only_on_its_line() -> None:
    # The per-word cache costs about 350 bytes a word in each indexing worker: only
    # the line that cannot fold in one pass (here "ﻻ") goes word by word.
    analyzer = Analyzer()
    text = "وصل الوفد إلى القاهرة\nقال ﻻ جديد\nفي المباحثات"
    assert analyzer.index_terms(text) == _index_terms_from_tokens(Analyzer(), text)
    assert set(analyzer._cache) == {"قال", "ﻻ", "جديد"}


def test_word_by_word_path_shares_the_stem_cache() -> None:
    # With a stemmer that reads the exact form alone, both paths keep stems in
    # one cache; an exact form equal to the word shares the word's string.
    analyzer = Analyzer()
    word = "للحكومة"
    assert analyzer.word_terms(word) == (("للحكومه", "حكوم"),)
    assert analyzer._stem_of == {"للحكومه": "حكوم"}
    plain = "المباحثات"
    assert analyzer.word_terms(plain)[0][0] is plain
