"""The query that searches a corrected query's words as they were typed."""

from __future__ import annotations

import re

from ..analysis.tokenize import WORD_PATTERN

__all__ = ["verbatim_query"]


def verbatim_query(query: str, corrected: str) -> str:
    """``query`` with each word that ``corrected`` replaced put in quotes.

    A search may replace a word no document holds by the nearest indexed spelling
    (``Results.corrected``); a quoted word is searched exactly as typed, so this is
    the query behind "search instead for": it finds what the words typed find.

    >>> verbatim_query("+واشنطون النفط", "+واشنطن النفط")
    '+"واشنطون" النفط'
    >>> verbatim_query("title:واشنطون", "title:واشنطن")
    'title:"واشنطون"'
    """
    kept = set(WORD_PATTERN.findall(corrected))
    changed = dict.fromkeys(word for word in WORD_PATTERN.findall(query) if word not in kept)
    out = query
    for word in changed:
        out = re.sub(rf'(?<![\w"]){re.escape(word)}(?![\w"])', f'"{word}"', out)
    return out
