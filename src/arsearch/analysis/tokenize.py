"""Splitting text into words with offsets into the original string."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["FOLDED_WORD_PATTERN", "WORD_PATTERN", "iter_words"]

# A word starts with a letter or digit and goes on through letters, digits and
# every mark that belongs inside an Arabic word: harakat and shadda
# (U+064B-U+065F), the dagger alef (U+0670), tatweel (U+0640), Quranic marks and
# the zero-width joiners, so that a diacritic never splits a word. Latin
# combining accents stay attached too.
WORD_PATTERN = re.compile(
    "[^\\W_][\\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed\u200c\u200d]*"
)

# The same words in a text folded by normalize.fold_text, which deletes every
# mark above but the Latin accents: a shorter class, matched about a fifth faster.
FOLDED_WORD_PATTERN = re.compile("[^\\W_][\\w\u0300-\u036f]*")


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, word)`` for every word of ``text``.

    >>> list(iter_words("قالَ: الـرِّياض 2023"))
    [(0, 4, 'قالَ'), (6, 15, 'الـرِّياض'), (16, 20, '2023')]
    """
    for match in WORD_PATTERN.finditer(text):
        yield match.start(), match.end(), match.group()
