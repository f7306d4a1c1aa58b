"""arsearch.analysis.stopwords: the curated list and what ``analyze`` drops.

Stop words are written here as a reader types them (hamza, ى, ة, harakat): the
list is stored normalized, so every natural spelling must still be dropped.
"""

from __future__ import annotations

from collections import Counter
from importlib.resources import files

import pytest

from arsearch import analyze
from arsearch.analysis import Analyzer, default_stopwords, normalize


def _entries() -> list[str]:
    raw = files("arsearch.analysis").joinpath("stopwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in raw.splitlines())
    return [word for word in words if word]


STOP_WORDS = [
    # prepositions
    pytest.param("مِن", id="preposition-min-diacritized"),
    pytest.param("إلى", id="preposition-ila-hamza-maksura"),
    pytest.param("إِلَى", id="preposition-ila-diacritized"),
    pytest.param("على", id="preposition-ala-maksura"),
    pytest.param("عَلَى", id="preposition-ala-diacritized"),
    pytest.param("في", id="preposition-fi"),
    pytest.param("عن", id="preposition-an"),
    pytest.param("حتى", id="preposition-hatta"),
    pytest.param("لدى", id="preposition-lada"),
    pytest.param("مع", id="preposition-maa"),
    pytest.param("بين", id="preposition-bayna"),
    pytest.param("أمام", id="preposition-amam-hamza"),
    pytest.param("أثناء", id="preposition-athnaa-hamza"),
    pytest.param("خلال", id="preposition-khilal"),
    pytest.param("منذ", id="preposition-mundhu"),
    pytest.param("إليه", id="preposition-with-pronoun"),
    pytest.param("عليها", id="preposition-ala-with-pronoun"),
    # pronouns
    pytest.param("أنا", id="pronoun-ana"),
    pytest.param("نحن", id="pronoun-nahnu"),
    pytest.param("أنتَ", id="pronoun-anta"),
    pytest.param("أنتم", id="pronoun-antum"),
    pytest.param("هو", id="pronoun-huwa"),
    pytest.param("هِيَ", id="pronoun-hiya-diacritized"),
    pytest.param("هم", id="pronoun-hum"),
    pytest.param("هما", id="pronoun-huma"),
    # demonstratives
    pytest.param("هذا", id="demonstrative-hadha"),
    pytest.param("هٰذا", id="demonstrative-hadha-dagger-alef"),
    pytest.param("هذه", id="demonstrative-hadhihi"),
    pytest.param("ذلك", id="demonstrative-dhalika"),
    pytest.param("تلك", id="demonstrative-tilka"),
    pytest.param("هؤلاء", id="demonstrative-haulai-hamza"),
    pytest.param("أولئك", id="demonstrative-ulaika-hamza"),
    pytest.param("هناك", id="demonstrative-hunaka"),
    # relatives
    pytest.param("الذي", id="relative-alladhi"),
    pytest.param("التي", id="relative-allati"),
    pytest.param("الذين", id="relative-alladhina"),
    pytest.param("اللذان", id="relative-alladhani"),
    pytest.param("اللواتي", id="relative-allawati"),
    # interrogatives and their و/ف forms
    pytest.param("متى", id="interrogative-mata"),
    pytest.param("مَتَى", id="interrogative-mata-diacritized"),
    pytest.param("ومتى", id="interrogative-wa-mata"),
    pytest.param("فمتى", id="interrogative-fa-mata"),
    pytest.param("كم", id="interrogative-kam"),
    pytest.param("وكم", id="interrogative-wa-kam"),
    pytest.param("فكم", id="interrogative-fa-kam"),
    pytest.param("ماذا", id="interrogative-madha"),
    pytest.param("وماذا", id="interrogative-wa-madha"),
    pytest.param("فماذا", id="interrogative-fa-madha"),
    pytest.param("أين", id="interrogative-ayna"),
    pytest.param("وأين", id="interrogative-wa-ayna"),
    pytest.param("فأين", id="interrogative-fa-ayna"),
    pytest.param("كيف", id="interrogative-kayfa"),
    pytest.param("وكيف", id="interrogative-wa-kayfa"),
    pytest.param("فكيف", id="interrogative-fa-kayfa"),
    pytest.param("هل", id="interrogative-hal"),
    pytest.param("وهل", id="interrogative-wa-hal"),
    pytest.param("فهل", id="interrogative-fa-hal"),
    pytest.param("لماذا", id="interrogative-limadha"),
    pytest.param("ولماذا", id="interrogative-wa-limadha"),
    pytest.param("فلماذا", id="interrogative-fa-limadha"),
    pytest.param("ما", id="interrogative-ma"),
    pytest.param("من", id="interrogative-man"),
    # particles and auxiliaries
    pytest.param("قد", id="particle-qad"),
    pytest.param("لم", id="negation-lam"),
    pytest.param("لن", id="negation-lan"),
    pytest.param("ليس", id="negation-laysa"),
    pytest.param("إنّ", id="particle-inna-shadda"),
    pytest.param("أنّه", id="particle-annahu"),
    pytest.param("كان", id="auxiliary-kana"),
    pytest.param("وكانت", id="auxiliary-wa-kanat"),
    pytest.param("ﻻ", id="negation-la-ligature"),
]

CONTENT_WORDS = [
    pytest.param("شمال", "شمال", id="shamal-north"),
    pytest.param("جنوب", "جنوب", id="janub-south"),
    pytest.param("يوم", "يوم", id="yawm-day"),
    pytest.param("عام", "عام", id="aam-year"),
    pytest.param("حكومة", "حكوم", id="hukuma-government"),
    pytest.param("رئيس", "رئيس", id="rais-president"),
    pytest.param("وشمال", "شمال", id="wa-shamal"),
]


@pytest.mark.parametrize("raw", STOP_WORDS)
def test_stop_word_is_dropped(raw: str) -> None:
    assert normalize(raw) in default_stopwords()
    assert analyze(raw) == []


@pytest.mark.parametrize("raw", STOP_WORDS)
def test_stop_word_is_dropped_with_hamza_folding(raw: str) -> None:
    assert Analyzer(fold_hamza=True).analyze(raw) == []


@pytest.mark.parametrize("raw", STOP_WORDS)
def test_stop_word_keeps_its_token_and_exact_term(raw: str) -> None:
    # tokens() keeps stop words (with an empty stem) so phrase positions stay right.
    [token] = Analyzer().tokens(raw)
    assert (token.text, token.exact, token.stem) == (raw, normalize(raw), "")


@pytest.mark.parametrize("raw, stem", CONTENT_WORDS)
def test_content_word_is_kept(raw: str, stem: str) -> None:
    assert normalize(raw) not in default_stopwords()
    assert [token.stem for token in analyze(raw)] == [stem]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("متى يصل الرئيس إلى القاهرة؟", ["يصل", "رئيس", "قاهر"]),
        ("ماذا قال الكاظمي عن الانسحاب", ["قال", "كاظم", "انسحاب"]),
        ("أين تقع جنوب أفريقيا", ["تقع", "جنوب", "افريقيا"]),
        ("كيف تعمل هذه الحكومة", ["تعمل", "حكوم"]),
        ("هل زار الرئيس شمال العراق", ["زار", "رئيس", "شمال", "عراق"]),
        ("لماذا وكيف ومتى", []),
    ],
    ids=["mata-ila", "madha-an", "ayna", "kayfa-hadhihi", "hal-shamal", "only-stop-words"],
)
def test_questions_keep_only_content_stems(raw: str, expected: list[str]) -> None:
    assert [token.stem for token in analyze(raw)] == expected


def test_list_file_is_normalized() -> None:
    assert [word for word in _entries() if normalize(word) != word] == []


def test_list_file_has_no_duplicates() -> None:
    assert [word for word, count in Counter(_entries()).items() if count > 1] == []


def test_list_file_has_one_word_per_line() -> None:
    assert [word for word in _entries() if len(word.split()) != 1] == []


def test_default_stopwords_is_the_file() -> None:
    assert default_stopwords() == frozenset(_entries())


@pytest.mark.parametrize(
    "word",
    ["شمال", "جنوب", "شرق", "غرب", "يوم", "عام", "حكومه", "رئيس", "دوله", "وزير"],
    ids=["shamal", "janub", "sharq", "gharb", "yawm", "aam", "hukuma", "rais", "dawla", "wazir"],
)
def test_content_words_are_absent_from_the_list(word: str) -> None:
    assert word not in default_stopwords()
