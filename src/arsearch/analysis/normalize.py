"""Character-level normalization for matching.

Two forms exist. ``normalize`` is the matching form used for every index term:
harakat and other marks removed, alef and hamza-on-alef forms unified, ى to ي,
ة to ه, digits to ASCII, presentation forms folded, Latin casefolded.
``soften`` does the same but keeps ة and ى, because stemmers such as Snowball
and Tashaphyne use them to recognise suffixes.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["NORMALIZATION_VERSION", "fold_text", "normalize", "soften"]

#: Bumped whenever a rule changes; an index records the version it was built with.
NORMALIZATION_VERSION = 1

ALEF = "\u0627"  # ا
ALEF_WITH_HAMZA_ABOVE = "\u0623"  # أ
ALEF_WITH_HAMZA_BELOW = "\u0625"  # إ
ALEF_WITH_MADDA_ABOVE = "\u0622"  # آ
ALEF_WASLA = "\u0671"  # ٱ
ALEF_MAKSURA = "\u0649"  # ى
YEH = "\u064a"  # ي
FARSI_YEH = "\u06cc"  # ی
KEHEH = "\u06a9"  # ک
KAF = "\u0643"  # ك
TEH_MARBUTA = "\u0629"  # ة
HEH = "\u0647"  # ه
WAW_WITH_HAMZA_ABOVE = "\u0624"  # ؤ
YEH_WITH_HAMZA_ABOVE = "\u0626"  # ئ
HAMZA = "\u0621"  # ء
TATWEEL = "\u0640"  # ـ
SUPERSCRIPT_ALEF = "\u0670"  # the dagger alef

#: Harakat, shadda, sukun, tanween and the other combining marks U+064B-U+065F.
_HARAKAT = range(0x064B, 0x0660)
#: Quranic annotation marks.
_QURANIC_MARKS = range(0x06D6, 0x06EE)
#: Small high marks used with Quranic text (U+0610-U+061A).
_HONORIFIC_MARKS = range(0x0610, 0x061B)
#: Zero-width joiners and bidi controls: invisible, never part of a word's identity.
_INVISIBLE = (
    0x200C,  # ZERO WIDTH NON-JOINER
    0x200D,  # ZERO WIDTH JOINER
    0x200E,  # LEFT-TO-RIGHT MARK
    0x200F,  # RIGHT-TO-LEFT MARK
    0x061C,  # ARABIC LETTER MARK
    0x00AD,  # SOFT HYPHEN
    0xFEFF,  # ZERO WIDTH NO-BREAK SPACE (BOM)
    *range(0x202A, 0x202F),  # embeddings and overrides
    *range(0x2066, 0x206A),  # isolates
)
_ARABIC_INDIC_ZERO = 0x0660
_EXTENDED_ARABIC_INDIC_ZERO = 0x06F0


def _soft_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in (*_HARAKAT, *_QURANIC_MARKS, *_HONORIFIC_MARKS, *_INVISIBLE):
        table[code] = None
    table[ord(SUPERSCRIPT_ALEF)] = None
    table[ord(TATWEEL)] = None
    for variant in (
        ALEF_WITH_HAMZA_ABOVE,
        ALEF_WITH_HAMZA_BELOW,
        ALEF_WITH_MADDA_ABOVE,
        ALEF_WASLA,
    ):
        table[ord(variant)] = ALEF
    table[ord(FARSI_YEH)] = YEH
    table[ord(KEHEH)] = KAF
    for digit in range(10):
        table[_ARABIC_INDIC_ZERO + digit] = str(digit)
        table[_EXTENDED_ARABIC_INDIC_ZERO + digit] = str(digit)
    return table


_SOFT = _soft_table()
_FULL = {**_SOFT, ord(ALEF_MAKSURA): YEH, ord(TEH_MARBUTA): HEH}
_FULL_HAMZA = {**_FULL, ord(WAW_WITH_HAMZA_ABOVE): HAMZA, ord(YEH_WITH_HAMZA_ABOVE): HAMZA}
# For whole texts: the invisible controls that never stand inside a word
# become spaces, so they keep separating the words they separated.
_SEPARATING = {code: " " for code in _INVISIBLE if code not in (0x200C, 0x200D)}
# Spaces and punctuation whose compatibility form is still a separator: folding
# them here keeps most texts on the one-pass path of fold_text.
_SEPARATING.update({code: " " for code in (0x00A0, 0x2007, 0x202F, *range(0x2000, 0x200B))})
_SEPARATING.update({code: "." for code in (0x2024, 0x2025, 0x2026)})
_SEPARATING.update({code: "'" for code in range(0x2032, 0x2038)})


class _TextFolder:
    """Applies a translation table to long texts faster than ``str.translate``.

    ``str.translate`` looks up every character in a dict (about 12 M chars/s on
    Arabic news). Here the marks are deleted by one regex pass, frequent letters
    (hamza forms, ى, ة) are replaced by ``str.replace``, and the rare rest
    (digits, odd spaces) only when a single search finds one: about twice as fast.
    """

    def __init__(self, table: dict[int, str | None]) -> None:
        groups: dict[str, list[str]] = {}
        for code, target in table.items():
            groups.setdefault(target or "", []).append(chr(code))
        deleted = "".join(re.escape(c) for c in sorted(groups.pop("")))
        self._delete = re.compile(f"[{deleted}]+")
        self._replace = [
            (source, target)
            for target, sources in sorted(groups.items())
            if len(sources) <= 4 and target.isalpha()
            for source in sorted(sources)
        ]
        replaced = {source for source, _ in self._replace}
        self._rare = {chr(c): t or "" for c, t in table.items() if t and chr(c) not in replaced}
        rare = "".join(re.escape(c) for c in sorted(self._rare))
        self._rare_pattern = re.compile(f"[{rare}]")

    def __call__(self, text: str) -> str:
        text = self._delete.sub("", text)
        for source, target in self._replace:
            text = text.replace(source, target)
        if self._rare_pattern.search(text):
            rare = self._rare
            text = self._rare_pattern.sub(lambda match: rare[match.group()], text)
        return text


_FULL_TEXT = _TextFolder({**_FULL, **_SEPARATING})
_FULL_HAMZA_TEXT = _TextFolder({**_FULL_HAMZA, **_SEPARATING})


def _fold(text: str, table: dict[int, str | None]) -> str:
    # NFKC first so presentation forms and ligatures (ﻻ) become plain letters the
    # table knows; repeat until stable, because deleting a mark can bring two
    # characters together that NFKC composes.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text).casefold().translate(table)
        if folded == text:
            break
        text = folded
    return text


def normalize(text: str, *, fold_hamza: bool = False) -> str:
    """The matching form of ``text``; idempotent.

    >>> normalize("إِسْلامِيّة")
    'اسلاميه'
    >>> normalize("ﻻ مستشفى ٢٠٢٣ NASA")
    'لا مستشفي 2023 nasa'
    """
    return _fold(text, _FULL_HAMZA if fold_hamza else _FULL)


def fold_text(text: str, *, fold_hamza: bool = False) -> str | None:
    """Normalize a whole text in one pass, or None when only word by word is exact.

    Every word of the result is what :func:`normalize` gives for the same word of
    ``text``; texts still holding compatibility characters (presentation forms,
    ™, ﷺ), whose NFKC expansion can make or merge words, return None.

    >>> fold_text("وصلَ الوفدُ إلى القاهرة\u200f.")
    'وصل الوفد الي القاهره .'
    >>> fold_text("ﻻ") is None
    True
    """
    # U+0345 is the one character whose casefold (ι) is a letter while it is not:
    # word by word it is never a word of its own, so leave such texts to that path.
    if "\u0345" in text:
        return None
    # Compose first, as normalize's NFKC does before it casefolds: و + U+0654 is
    # ؤ (kept), not a و whose hamza the fold below would delete. Free on text
    # that is already NFC.
    composed = unicodedata.normalize("NFC", text).casefold()
    folded = (_FULL_HAMZA_TEXT if fold_hamza else _FULL_TEXT)(composed)
    return folded if unicodedata.is_normalized("NFKC", folded) else None


def soften(text: str) -> str:
    """Like :func:`normalize` but keeping ة and ى, for suffix-aware stemmers.

    >>> soften("مَدْرَسَةٌ")
    'مدرسة'
    """
    return _fold(text, _SOFT)
