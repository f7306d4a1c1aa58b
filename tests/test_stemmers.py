"""arsearch.analysis.stemmers: stemmer output on real words, one row per word.

The light10 rows are the reference: the first 30 are the words of
``../shared/anchors/results/stem_table.md`` with its "Lucene ArabicAnalyzer"
column (the seed article's words), the others are further words of the seed
article with the stem Lucene's ArabicStemmer gives after ArabicNormalizer (one
prefix of ال وال بال كال فال لل و, و only on words of four letters or more, then
every suffix of ها ان ات ون ين يه ية ه ة ي in that order, each leaving two
letters). A last table holds the cases of Lucene's own TestArabicStemFilter.
"""

from __future__ import annotations

import pytest

from arsearch import UsageError
from arsearch.analysis import STEMMERS, Analyzer, get_stemmer, light10, normalize, soften


def _stem(stemmer: str, word: str) -> str:
    [(_, stem)] = Analyzer(stemmer=stemmer, stopwords=[]).word_terms(word)
    assert stem is not None
    return stem


LIGHT10_STEM_TABLE = [
    pytest.param("الكاظمي", "كاظم", id="alkadhimi"),
    pytest.param("المباحثات", "مباحث", id="almubahathat"),
    pytest.param("زيارة", "زيار", id="ziyara"),
    pytest.param("الرسمية", "رسم", id="alrasmiya"),
    pytest.param("الأبيض", "ابيض", id="alabyad"),
    pytest.param("وزراء", "زراء", id="wuzaraa"),
    pytest.param("للوكالة", "وكال", id="lilwakala"),
    pytest.param("نانسي", "نانس", id="nancy"),
    pytest.param("يصدر", "يصدر", id="yasdur"),
    pytest.param("الاستراتيجي", "استراتيج", id="alistratiji"),
    pytest.param("نهاية", "نها", id="nihaya"),
    pytest.param("أسوشيتد", "اسوشيتد", id="associated"),
    pytest.param("لمحاربة", "لمحارب", id="limuharaba"),
    pytest.param("لإعادة", "لاعاد", id="liiada"),
    pytest.param("أميركيين", "اميرك", id="amirkiyyin"),
    pytest.param("التدريب", "تدريب", id="altadrib"),
    pytest.param("وأوضح", "اوضح", id="waawdah"),
    pytest.param("الإستراتيجية", "استراتيج", id="alistratijiya-hamza"),
    pytest.param("يعلن", "يعلن", id="yulin"),
    pytest.param("قادرة", "قادر", id="qadira"),
    pytest.param("زمني", "زمن", id="zamani"),
    pytest.param("القيام", "قيام", id="alqiyam"),
    pytest.param("تحتاج", "تحتاج", id="tahtaj"),
    pytest.param("بدعم", "بدعم", id="bidam"),
    pytest.param("موقفاً", "موقفا", id="mawqifan-tanween"),
    pytest.param("واتفقت", "اتفقت", id="wattafaqat"),
    pytest.param("يتوصلا", "يتوصلا", id="yatawassala"),
    pytest.param("للقوات", "قو", id="lilquwwat"),
    pytest.param("بإرسال", "بارسال", id="biirsal"),
    pytest.param("وشمال", "شمال", id="washamal"),
]

LIGHT10_SEED_WORDS = [
    pytest.param("الولايات", "ولا", id="alwilayat-at-then-yeh"),
    pytest.param("المتحدة", "متحد", id="almuttahida"),
    pytest.param("العراقية", "عراق", id="aliraqiya"),
    pytest.param("الأميركية", "اميرك", id="alamirkiya"),
    pytest.param("واشنطن", "اشنطن", id="washington-wa-prefix"),
    pytest.param("المحادثات", "محادث", id="almuhadathat"),
    pytest.param("العاصمة", "عاصم", id="alasima"),
    pytest.param("بالرئيس", "رئيس", id="birrais-bal-prefix"),
    pytest.param("والدفاع", "دفاع", id="waddifa-wal-prefix"),
    pytest.param("والنفط", "نفط", id="wannaft"),
    pytest.param("لقاءات", "لقاء", id="liqaat"),
    pytest.param("مسؤولين", "مسؤول", id="masulin-waw-hamza"),
    pytest.param("الانتخابات", "انتخاب", id="alintikhabat"),
    pytest.param("قواتنا", "قواتنا", id="quwwatuna-na-not-a-suffix"),
    pytest.param("الطرف", "طرف", id="altaraf"),
    pytest.param("التحالف", "تحالف", id="altahaluf"),
    pytest.param("سيعتمد", "سيعتمد", id="sayatamid-sa-not-a-prefix"),
    pytest.param("الاستخباراتية", "استخبارات", id="alistikhbaratiya-yeh-heh-only"),
    pytest.param("بيلوسي", "بيلوس", id="pelosi"),
    pytest.param("مستقلة", "مستقل", id="mustaqilla"),
    pytest.param("للانسحاب", "انسحاب", id="lilinsihab-ll-prefix"),
    pytest.param("الأراضي", "اراض", id="alaradi"),
    pytest.param("وأضاف", "اضاف", id="waadaf"),
    pytest.param("الثقافة", "ثقاف", id="althaqafa"),
    pytest.param("المراقبة", "مراقب", id="almuraqaba"),
    pytest.param("التقنيات", "تقن", id="altiqniyat"),
    pytest.param("العسكرية", "عسكر", id="alaskariya"),
    pytest.param("حساساً", "حساسا", id="hassasan"),
    pytest.param("باراك", "باراك", id="barack"),
    pytest.param("أوباما", "اوباما", id="obama"),
    pytest.param("المهام", "مهام", id="almaham"),
    pytest.param("وقت", "وقت", id="waqt-three-letters-keep-waw"),
    pytest.param("ولد", "ولد", id="walad-three-letters-keep-waw"),
    pytest.param("الله", "له", id="allah"),
]

LUCENE_UNIT_CASES = [
    pytest.param("الحسن", "حسن", id="al-prefix"),
    pytest.param("والحسن", "حسن", id="wal-prefix"),
    pytest.param("بالحسن", "حسن", id="bal-prefix"),
    pytest.param("كالحسن", "حسن", id="kal-prefix"),
    pytest.param("فالحسن", "حسن", id="fal-prefix"),
    pytest.param("للاخر", "اخر", id="ll-prefix"),
    pytest.param("وحسن", "حسن", id="wa-prefix"),
    pytest.param("زوجها", "زوج", id="ha-suffix"),
    pytest.param("ساهدان", "ساهد", id="an-suffix"),
    pytest.param("ساهدات", "ساهد", id="at-suffix"),
    pytest.param("ساهدون", "ساهد", id="wn-suffix"),
    pytest.param("ساهدين", "ساهد", id="yn-suffix"),
    pytest.param("ساهديه", "ساهد", id="yh-suffix"),
    pytest.param("ساهدية", "ساهد", id="yp-suffix"),
    pytest.param("ساهده", "ساهد", id="h-suffix"),
    pytest.param("ساهدة", "ساهد", id="p-suffix"),
    pytest.param("ساهدي", "ساهد", id="y-suffix"),
    pytest.param("وساهدون", "ساهد", id="combo-prefix-suffix"),
    pytest.param("ساهدهات", "ساهد", id="combo-suffixes"),
    pytest.param("الو", "الو", id="shouldnt-stem"),
]


@pytest.mark.parametrize("raw, expected", LIGHT10_STEM_TABLE + LIGHT10_SEED_WORDS)
def test_light10_matches_lucene(raw: str, expected: str) -> None:
    assert _stem("light10", raw) == expected
    assert light10(normalize(raw)) == expected


@pytest.mark.parametrize("raw, expected", LUCENE_UNIT_CASES)
def test_light10_passes_lucene_unit_cases(raw: str, expected: str) -> None:
    assert light10(raw) == expected
    assert _stem("light10", raw) == expected


def test_light10_leaves_latin_alone() -> None:
    # Lucene's testNonArabic; the analyzer also casefolds and skips the stemmer.
    assert light10("English") == "English"
    assert _stem("light10", "English") == "english"


TASHAPHYNE = [
    pytest.param("الكاظمي", "كاظم", id="alkadhimi"),
    pytest.param("المباحثات", "مباحث", id="almubahathat"),
    pytest.param("زيارة", "زيار", id="ziyara"),
    pytest.param("الرسمية", "رسم", id="alrasmiya"),
    pytest.param("للوكالة", "وكال", id="lilwakala"),
    pytest.param("يصدر", "صدر", id="yasdur"),
    pytest.param("لمحاربة", "محارب", id="limuharaba"),
    pytest.param("التدريب", "تدريب", id="altadrib"),
    pytest.param("قادرة", "قادر", id="qadira"),
    pytest.param("تحتاج", "حتاج", id="tahtaj"),
    pytest.param("بدعم", "دعم", id="bidam"),
    pytest.param("واتفقت", "اتفق", id="wattafaqat"),
    pytest.param("يتوصلا", "توصل", id="yatawassala"),
    pytest.param("وشمال", "شمال", id="washamal"),
    # the over-stemming guard: tashaphyne alone gives عل and زم
    pytest.param("يعلن", "يعلن", id="guard-yulin"),
    pytest.param("زمني", "زمن", id="guard-zamani"),
]

SNOWBALL = [
    pytest.param("الكاظمي", "كاظم", id="alkadhimi"),
    pytest.param("المباحثات", "مباحث", id="almubahathat"),
    pytest.param("زيارة", "زيار", id="ziyara"),
    pytest.param("الرسمية", "رسم", id="alrasmiya"),
    pytest.param("للوكالة", "وكال", id="lilwakala"),
    pytest.param("يصدر", "يصدر", id="yasdur"),
    pytest.param("الاستراتيجي", "استراتيج", id="alistratiji"),
    pytest.param("لمحاربة", "لمحارب", id="limuharaba"),
    pytest.param("يعلن", "يعل", id="yulin"),
    pytest.param("زمني", "زمن", id="zamani"),
    pytest.param("بدعم", "دعم", id="bidam"),
    pytest.param("موقفاً", "موقف", id="mawqifan"),
    pytest.param("واتفقت", "واتفق", id="wattafaqat"),
    pytest.param("وشمال", "شمال", id="washamal"),
]

NONE = [
    pytest.param("الكاظمي", "الكاظمي", id="alkadhimi"),
    pytest.param("المباحثات", "المباحثات", id="almubahathat"),
    pytest.param("زيارة", "زياره", id="ziyara-normalized"),
    pytest.param("الأبيض", "الابيض", id="alabyad-normalized"),
    pytest.param("موقفاً", "موقفا", id="mawqifan-normalized"),
    pytest.param("يعلن", "يعلن", id="yulin"),
]


@pytest.mark.parametrize("raw, expected", TASHAPHYNE)
def test_tashaphyne(raw: str, expected: str) -> None:
    assert _stem("tashaphyne", raw) == expected


@pytest.mark.parametrize(
    "raw, overstemmed",
    [("يعلن", "عل"), ("زمني", "زم")],
    ids=["yulin", "zamani"],
)
def test_tashaphyne_guard_against_overstemming(raw: str, overstemmed: str) -> None:
    stem = _stem("tashaphyne", raw)
    assert stem != overstemmed
    assert len(stem) >= 3


@pytest.mark.parametrize("raw, expected", SNOWBALL)
def test_snowball(raw: str, expected: str) -> None:
    assert _stem("snowball", raw) == expected


@pytest.mark.parametrize("raw, expected", NONE)
def test_none(raw: str, expected: str) -> None:
    assert _stem("none", raw) == expected


@pytest.mark.parametrize("name", STEMMERS)
def test_stem_is_in_the_normalized_alphabet(name: str) -> None:
    for word in ("الإستراتيجية", "مستشفى", "موقفاً", "المدرسة"):
        stem = _stem(name, word)
        assert stem == normalize(stem)


@pytest.mark.parametrize("name", STEMMERS)
def test_stemmer_interface(name: str) -> None:
    stemmer = get_stemmer(name)
    assert stemmer.name == name
    assert get_stemmer(name) is stemmer
    word = "المدرسة"
    assert stemmer.stem(soften(word), normalize(word))


def test_stemmers_listed() -> None:
    assert STEMMERS == ("light10", "tashaphyne", "snowball", "none")


@pytest.mark.parametrize(
    "name",
    ["porter", "Light10", ""],
    ids=["unknown", "wrong-case", "empty"],
)
def test_unknown_stemmer(name: str) -> None:
    message = f"Unknown stemmer '{name}'. Choose one of: light10, tashaphyne, snowball, none."
    with pytest.raises(UsageError) as excinfo:
        get_stemmer(name)
    assert str(excinfo.value) == message
    with pytest.raises(UsageError) as excinfo:
        Analyzer(stemmer=name)
    assert str(excinfo.value) == message
