"""Where a query's words may stand in a text, found with a few scans in C, not word by word.

A snippet needs the words of a text that match the query, and analyzing every word
costs about a microsecond each in Python. But a matching word's normalized form
holds a *needle*: the query's stem (the stemmers marked as cutting take letters off
the normalized word), its exact form, or its prefix. For a text of characters that
normalize one by one (the "plain" characters below), a word's normalized form is its
characters' forms side by side, so a cheap fold of the whole text (marks deleted,
letter variants replaced, by ``str`` methods and one regex) holds every needle
wherever a matching word stands. Only the runs of text between whitespace around
those places are then analyzed exactly, so the cost follows the number of places,
not the length of the text.

>>> scan = Scan(fold_hamza=False)
>>> text = "قال الرئيس إنّ القاهرةَ رحبت بالقاهرة"
>>> [text[start:end] for start, end in scan.runs(text, ("قاهر",), limit=10)]
['القاهرةَ', 'بالقاهرة']
>>> scan.runs("نص ﻻ يُقرأ", ("قاهر",), limit=10) is None  # a presentation form: analyze it all
True
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache

from ..analysis import normalize
from ..analysis.tokenize import WORD_PATTERN

__all__ = ["CUTTING_STEMMERS", "Scan", "plain_characters", "scan_for"]

#: Stemmers whose stem is a piece of the normalized word (a stem is then a needle).
CUTTING_STEMMERS = frozenset({"light10", "none"})

# The blocks whose characters are checked one by one; anything else (emoji, CJK,
# other scripts) sends a text to the exact, word-by-word path.
_BLOCKS = (
    (0x0000, 0x0800),  # Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Syriac, Thaana, NKo
    (0x08A0, 0x0900),  # Arabic Extended-A
    (0x2000, 0x2070),  # General Punctuation
    (0x20A0, 0x20D0),  # Currency Symbols
    (0xFB50, 0xFE00),  # Arabic Presentation Forms-A
    (0xFE70, 0xFF00),  # Arabic Presentation Forms-B
    (0xFF00, 0xFF60),  # Fullwidth ASCII (not the halfwidth kana and jamo, which compose)
    (0xFFE0, 0xFFF0),  # Fullwidth symbols
)
_RUN = re.compile(r"\S*")
# Letters so frequent in Arabic text that a plain ``str.replace`` folds them fastest.
_FREQUENT = "\u0623\u0625\u0622\u0671\u0649\u0629\u06cc\u06a9\u0624\u0626"  # أ إ آ ٱ ى ة ی ک ؤ ئ


def _in_word(char: str) -> bool:
    """Whether ``char`` can stand inside a word (WORD_PATTERN goes on through it)."""
    return WORD_PATTERN.fullmatch("a" + char) is not None


@cache
def _composing() -> frozenset[str]:
    """Characters that compose with the one before them under NFC (U+0654 after و is ؤ)."""
    found = set()
    for code in range(0x10000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            found.add(chr(int(parts[1], 16)))
    return frozenset(found)


def plain_characters(fold_hamza: bool) -> dict[str, str]:
    """Each plain character with its normalized form ("" when normalization deletes it).

    A character is plain when normalizing it alone gives at most one character that
    can stand in a word (or, for a character outside words, gives none), and it does
    not combine with its neighbours: then a word of plain characters normalizes to
    its characters' forms side by side (tests/test_highlight.py checks it on pairs).
    Whitespace is plain and kept.
    """
    composing = _composing()
    plain = {}
    for low, high in _BLOCKS:
        for code in range(low, high):
            char = chr(code)
            if char.isspace():
                plain[char] = char
                continue
            lead = unicodedata.normalize("NFKD", char)[0]
            if lead in composing:
                continue  # it may combine with the character before it (و + U+0654 is ؤ)
            form = normalize(char, fold_hamza=fold_hamza)
            if unicodedata.combining(lead) and form:
                continue  # a mark that stays: NFKC may reorder it against its neighbours
            if _in_word(char):
                if len(form) <= 1 and (not form or _in_word(form)):
                    plain[char] = form
            elif not any(_in_word(part) for part in form):
                plain[char] = char  # outside words: left as it is
    return plain


def _char_class(chars: Iterable[str], negate: bool = False) -> re.Pattern[str]:
    codes = sorted(ord(c) for c in chars)
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{'^' if negate else ''}{body}]{'' if negate else '+'}")


class Scan:
    """The cheap fold of one analyzer's normalization (with or without hamza folding)."""

    def __init__(self, *, fold_hamza: bool) -> None:
        plain = plain_characters(fold_hamza)
        self._not_plain = _char_class(plain, negate=True)
        self._deleted = _char_class(c for c, form in plain.items() if not form)
        changed = {c: form for c, form in plain.items() if form and form != c}
        self._frequent = tuple((c, changed.pop(c)) for c in _FREQUENT if c in changed)
        self._rare = changed
        self._rare_pattern = _char_class(changed)
        # One scan finds most texts plain and free of rare characters.
        self._special = _char_class((c for c in plain if c not in changed), negate=True)
        kept = (c for c, form in plain.items() if form and c not in changed)
        # One character at a time: sre finds a negated class several times faster than
        # runs of it.
        self._not_kept = _char_class(kept, negate=True)

    def fold(self, text: str, rare_too: bool = True) -> tuple[str, list[int], list[int]]:
        """``text`` folded, with where its deleted runs were: their positions in the fold,
        and the characters deleted up to and including each. ``rare_too=False``: the text
        is known to hold none of the rarer characters that fold to another."""
        deleted = (match.span() for match in self._deleted.finditer(text))
        folded, at, removed = _without(text, deleted)
        folded = self._replace_frequent(folded)
        if rare_too and self._rare_pattern.search(folded):
            rare = self._rare
            folded = self._rare_pattern.sub(lambda m: "".join(rare[c] for c in m.group()), folded)
        return folded, at, removed

    def _quick_fold(self, text: str) -> tuple[str, list[int], list[int]] | None:
        """:meth:`fold` of a text free of special characters, in one scan (about a third of
        the two a check and a fold take); None when the text holds a special character."""
        # Every character but the plain ones a fold keeps or replaces one for one: the
        # runs a fold deletes, and any special character.
        spans: list[tuple[int, int]] = []
        special = self._special
        for match in self._not_kept.finditer(text):
            start, end = match.span()
            if special.match(text, start):
                return None
            if spans and spans[-1][1] == start:
                start = spans.pop()[0]
            spans.append((start, end))
        folded, at, removed = _without(text, spans)
        return self._replace_frequent(folded), at, removed

    def _replace_frequent(self, text: str) -> str:
        """``text`` with each frequent variant (a hamza seat, ى, ة...) in its folded form."""
        for variant, form in self._frequent:
            text = text.replace(variant, form)
        return text

    def runs(
        self, text: str, needles: Iterable[str], *, limit: int, flat: bool = False
    ) -> list[tuple[int, int]] | None:
        """The whitespace-delimited runs of ``text`` that may hold a word whose normalized form
        contains a needle, as ``(start, end)`` in order; every run that does is among them.
        ``flat``: the text's only whitespace is the space.

        None when the text holds a character that is not plain, or the needles are found in
        more than ``limit`` places (analyzing the whole text is then as cheap).
        """
        quick = self._quick_fold(text)
        if quick is None:
            if self._not_plain.search(text):
                return None
            quick = self.fold(text)
        folded, at, removed = quick
        places: list[int] = []
        for needle in needles:
            found = folded.find(needle)
            while found >= 0:
                places.append(found)
                if len(places) > limit:
                    return None
                found = folded.find(needle, found + 1)
        places.sort()
        runs: list[tuple[int, int]] = []
        end = -1
        for place in places:
            position = place
            if at:
                deleted = bisect_right(at, place)
                position += removed[deleted - 1] if deleted else 0
            if position < end:
                continue  # in the run found last
            if flat:
                end = text.find(" ", position)
                end = len(text) if end < 0 else end
                start = text.rfind(" ", 0, position) + 1
            else:
                end = _RUN.match(text, position).end()  # type: ignore[union-attr]
                start = position
                while start > 0 and not text[start - 1].isspace():
                    start -= 1
            runs.append((start, end))
        return runs


def _without(text: str, spans: Iterable[tuple[int, int]]) -> tuple[str, list[int], list[int]]:
    """``text`` without the characters of ``spans`` (in order, apart), with where they were:
    their positions in what is left, and the characters taken out up to and including each."""
    at: list[int] = []
    removed: list[int] = []
    pieces = []
    last = gone = 0
    for start, end in spans:
        pieces.append(text[last:start])
        at.append(start - gone)
        gone += end - start
        removed.append(gone)
        last = end
    return ("".join(pieces) + text[last:] if pieces else text), at, removed


@cache
def scan_for(fold_hamza: bool) -> Scan:
    """The shared :class:`Scan` of a normalization (made at first use: about 50 ms)."""
    return Scan(fold_hamza=fold_hamza)
