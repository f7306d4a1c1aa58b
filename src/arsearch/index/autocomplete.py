"""Completions for a search box: the last word of what was typed, completed from the index."""

from __future__ import annotations

from ..analysis import Analyzer, normalize
from ..engines import EXACT_FIELDS, EngineReader

__all__ = ["complete"]


def complete(prefix: str, *, analyzer: Analyzer, reader: EngineReader, limit: int) -> list[str]:
    """Completions of the last word of ``prefix``, most frequent first, stop words left out."""
    words = prefix.split()
    if not words or prefix[-1:].isspace():
        return []
    last = normalize(words[-1], fold_hamza=analyzer.fold_hamza)
    if not last:
        return []
    counts: dict[str, int] = {}
    for field in EXACT_FIELDS:
        for term, freq in reader.terms_with_prefix(field, last, limit * 4):
            if term not in analyzer.stopwords:
                counts[term] = counts.get(term, 0) + freq
    ranked = sorted(counts, key=lambda term: (-counts[term], term))[:limit]
    head = " ".join(words[:-1])
    return [f"{head} {term}" if head else term for term in ranked]
