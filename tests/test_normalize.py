"""arsearch.analysis.normalize: one table row per normalization rule."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from arsearch import normalize as public_normalize
from arsearch.analysis import normalize, soften


def _row(raw: str, expected: str, rule: str) -> Any:
    return pytest.param(raw, expected, id=rule)


def _mark_rows(codes: range, prefix: str) -> list[Any]:
    # The mark sits between two letters that never compose with it, so the row
    # tests removal alone. The Unicode name goes into the row id.
    rows = []
    for code in codes:
        name = unicodedata.name(chr(code), f"U+{code:04X}").lower().replace(" ", "-")
        rows.append(_row(f"كت{chr(code)}ب", "كتب", f"{prefix}-U+{code:04X}-{name}"))
    return rows


HARAKAT = [
    _row("كَتب", "كتب", "fatha"),
    _row("كُتب", "كتب", "damma"),
    _row("كِتاب", "كتاب", "kasra"),
    _row("قُلْ", "قل", "sukun"),
    _row("محمّد", "محمد", "shadda"),
    _row("كتاباً", "كتابا", "fathatan"),
    _row("كتابٌ", "كتاب", "dammatan"),
    _row("كتابٍ", "كتاب", "kasratan"),
    _row("إِسْلامِيّة", "اسلاميه", "fully-diacritized-word"),
    _row("الْقَاهِرَة", "القاهره", "diacritized-definite-article"),
]

OTHER_MARKS = _mark_rows(range(0x0653, 0x0660), "mark")

LETTER_RULES = [
    _row("هٰذا", "هذا", "dagger-alef"),
    _row("الرحمٰن", "الرحمن", "dagger-alef-mid-word"),
    _row("الـعـربـيـة", "العربيه", "tatweel"),
    _row("ـــ", "", "tatweel-alone"),
    _row("أحمد", "احمد", "alef-hamza-above"),
    _row("إسلام", "اسلام", "alef-hamza-below"),
    _row("آمن", "امن", "alef-madda"),
    _row("ٱلله", "الله", "alef-wasla"),
    _row("ا\u0653من", "امن", "decomposed-alef-madda"),
    _row("ا\u0654حمد", "احمد", "decomposed-alef-hamza-above"),
    _row("مستشفى", "مستشفي", "alef-maksura-to-yeh"),
    _row("على", "علي", "alef-maksura-short-word"),
    _row("مدرسة", "مدرسه", "teh-marbuta-to-heh"),
    _row("ی", "ي", "farsi-yeh-to-yeh"),
    _row("ک", "ك", "keheh-to-kaf"),
    _row("مؤتمر", "مؤتمر", "waw-hamza-kept-by-default"),
    _row("رئيس", "رئيس", "yeh-hamza-kept-by-default"),
    _row("و\u0654", "ؤ", "decomposed-waw-hamza-composes-and-is-kept"),
    _row("سماء", "سماء", "bare-hamza-kept"),
]

DIGITS = [
    *[_row(chr(0x0660 + d), str(d), f"arabic-indic-{d}") for d in range(10)],
    *[_row(chr(0x06F0 + d), str(d), f"extended-arabic-indic-{d}") for d in range(10)],
    _row("عام ٢٠٢٣", "عام 2023", "arabic-indic-number-in-text"),
    _row("۱۴۰۲", "1402", "extended-arabic-indic-number"),
    _row("2023", "2023", "ascii-digits-unchanged"),
]

PRESENTATION_FORMS = [
    _row("ﻻ", "لا", "lam-alef-ligature"),
    _row("ﻷ", "لا", "lam-alef-hamza-ligature"),
    _row("ﺏ", "ب", "isolated-beh"),
    _row("ﺑ", "ب", "initial-beh"),
    _row("ﻛﺘﺎﺏ", "كتاب", "presentation-form-word"),
    _row("ﻣﺪﺭﺳﺔ", "مدرسه", "presentation-form-word-teh-marbuta"),
    _row("ﺀ ﺍ ﺏ", "ء ا ب", "isolated-form-letters"),
    _row("ﷲ", "الله", "allah-ligature"),
    _row("ﷺ", "صلي الله عليه وسلم", "sallallahou-ligature-expands"),
    _row("ＮＡＳＡ", "nasa", "fullwidth-latin"),
    _row("ﬁle", "file", "latin-ligature"),
]

INVISIBLE = [
    _row("ك\u200cتب", "كتب", "zwnj"),
    _row("ك\u200dتب", "كتب", "zwj"),
    _row("\u200eكتب", "كتب", "lrm"),
    _row("كتب\u200f", "كتب", "rlm"),
    _row("\u061cكتب", "كتب", "arabic-letter-mark"),
    _row("\u202aكتب\u202c", "كتب", "lre-pdf"),
    _row("\u202bكتب\u202c", "كتب", "rle-pdf"),
    _row("\u202dكتب", "كتب", "lro"),
    _row("\u202eكتب", "كتب", "rlo"),
    _row("\u2066كتب\u2069", "كتب", "lri-pdi"),
    _row("\u2067كتب\u2069", "كتب", "rli-pdi"),
    _row("\u2068كتب", "كتب", "fsi"),
    _row("\ufeffكتب", "كتب", "bom"),
    _row("ك\u00adتب", "كتب", "soft-hyphen"),
]

LATIN = [
    _row("NASA", "nasa", "casefold-upper"),
    _row("iPhone", "iphone", "casefold-mixed"),
    _row("Straße", "strasse", "casefold-sharp-s"),
    _row("ﻻ مستشفى ٢٠٢٣ NASA", "لا مستشفي 2023 nasa", "mixed-sentence"),
]

QURANIC = _mark_rows(range(0x06D6, 0x06EE), "quranic")
HONORIFIC = _mark_rows(range(0x0610, 0x061B), "honorific")

ALL_RULES = [
    *HARAKAT,
    *OTHER_MARKS,
    *LETTER_RULES,
    *DIGITS,
    *PRESENTATION_FORMS,
    *INVISIBLE,
    *LATIN,
    *QURANIC,
    *HONORIFIC,
]


@pytest.mark.parametrize("raw, expected", ALL_RULES)
def test_normalize_rule(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, expected", ALL_RULES)
def test_every_rule_holds_inside_a_sentence_and_twice(raw: str, expected: str) -> None:
    assert normalize(f"قبل {raw} بعد") == f"قبل {expected} بعد"
    once = normalize(raw)
    assert normalize(once) == once


def test_public_normalize_is_the_analysis_one() -> None:
    assert public_normalize is normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("مؤتمر", "مءتمر"),
        ("رئيس", "رءيس"),
        ("و\u0654", "ء"),
        ("أسئلة", "اسءله"),
        ("إيمان", "ايمان"),
        ("سماء", "سماء"),
    ],
    ids=[
        "waw-hamza",
        "yeh-hamza",
        "decomposed-waw-hamza",
        "alef-hamza-still-alef",
        "alef-hamza-below-still-alef",
        "bare-hamza-unchanged",
    ],
)
def test_fold_hamza(raw: str, expected: str) -> None:
    assert normalize(raw, fold_hamza=True) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("مَدْرَسَةٌ", "مدرسة"),
        ("مستشفى", "مستشفى"),
        ("إِلى", "الى"),
        ("الـعـربـيـة", "العربية"),
        ("ﻣﺪﺭﺳﺔ", "مدرسة"),
        ("٢٠٢٣", "2023"),
        ("NASA", "nasa"),
        ("مؤتمر", "مؤتمر"),
    ],
    ids=[
        "keeps-teh-marbuta-strips-harakat",
        "keeps-alef-maksura",
        "unifies-alef-keeps-maksura",
        "strips-tatweel",
        "presentation-forms-keep-teh-marbuta",
        "digits",
        "casefold",
        "keeps-waw-hamza",
    ],
)
def test_soften(raw: str, expected: str) -> None:
    assert soften(raw) == expected


def test_soften_then_normalize_is_normalize() -> None:
    text = "إِسْلامِيّة مستشفى ﻻ ٢٠٢٣"
    assert normalize(soften(text)) == normalize(text)
