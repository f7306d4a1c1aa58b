"""Completions for a search box: the last word of what was typed, completed from the index.

A completion is shown as most documents write the word (السعودية, not the index
term السعوديه), and the word before it counts: after ``الملك`` the words that
follow ``الملك`` in the documents come first. What was typed before the last word
is kept as typed, operators and quotes included.
"""

from __future__ import annotations

import re

from ..analysis import Analyzer, normalize
from ..engines import EXACT_FIELDS, EngineReader
from .usage import WordUsage

__all__ = ["HINTS", "complete", "split_last_word"]

#: The most frequent terms with the typed prefix that steer the reading of the
#: documents after the word before it.
HINTS = 64

# What may stand in front of a word without being part of it: operators, an
# opening quote or parenthesis, and the title: field.
_LEAD = re.compile(r"(?:[+\-!(\"«“]|title:)*", re.IGNORECASE)
_TRAIL = re.compile(r"[)\"»”]+$")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "&&", "||", "|"})


def split_last_word(text: str) -> tuple[str, str, str] | None:
    """``(before, lead, word)``: the text before the last word, the operators and quote
    in front of it, and the word; None when there is no word to complete (the text
    ends in a space, or its last piece is an operator, a filter or a number).

    >>> split_last_word('الملك +"س')
    ('الملك ', '+"', 'س')
    >>> split_last_word("category:spo"), split_last_word("2021"), split_last_word("a ")
    (None, None, None)
    """
    if not text or text[-1].isspace():
        return None
    last = text.split()[-1]
    start = len(text) - len(last)
    lead = _LEAD.match(last)
    lead_text = lead.group() if lead else ""
    word = last[len(lead_text) :]
    if not word or word in _OPERATOR_WORDS or ":" in word:
        return None
    if not any(char.isalpha() for char in word):
        return None
    return text[:start], lead_text, word


def _previous_exact(before: str, analyzer: Analyzer) -> str | None:
    """The index term of the word just before the last one, when it is a plain word."""
    pieces = before.split()
    if not pieces:
        return None
    lead = _LEAD.match(pieces[-1])
    lead_text = lead.group() if lead else ""
    if "-" in lead_text or "!" in lead_text:
        return None  # an excluded word says nothing about what comes next
    word = _TRAIL.sub("", pieces[-1][len(lead_text) :])
    if not word or word in _OPERATOR_WORDS or ":" in word:
        return None
    terms = analyzer.word_terms(word)
    return terms[-1][0] if terms else None


def complete(
    prefix: str, *, analyzer: Analyzer, reader: EngineReader, usage: WordUsage, limit: int
) -> list[str]:
    """Completions of the last word of ``prefix``, best first, stop words left out.

    The words that follow the word before it in the documents come first, most
    common first; then the most frequent words of the index with that beginning.
    """
    split = split_last_word(prefix)
    if split is None:
        return []
    before, lead, word = split
    typed = normalize(word, fold_hamza=analyzer.fold_hamza)
    if not typed:
        return []
    counts: dict[str, int] = {}
    for field in EXACT_FIELDS:
        for term, freq in reader.terms_with_prefix(field, typed, max(limit * 4, HINTS)):
            if term not in analyzer.stopwords:
                counts[term] = counts.get(term, 0) + freq
    frequent = sorted(counts, key=lambda term: (-counts[term], term))
    ranked: dict[str, None] = {}
    previous = _previous_exact(before, analyzer)
    if previous is not None:
        ranked = dict.fromkeys(
            term for term, _ in usage.followers(previous, typed, frequent[:HINTS])
        )
    ranked.update(dict.fromkeys(frequent))
    return [before + lead + usage.spelling(term) for term in list(ranked)[:limit]]
