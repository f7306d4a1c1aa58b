"""Edit distance and candidate search for "did you mean" and fuzzy terms."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["closest_terms", "edit_distance"]


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``.

    >>> edit_distance("واشنطون", "واشنطن"), edit_distance("كتاب", "مكتبة")
    (1, 3)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        best = i
        for j, char_b in enumerate(b, 1):
            cost = previous[j - 1] + (char_a != char_b)
            value = min(previous[j] + 1, current[j - 1] + 1, cost)
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def closest_terms(
    word: str, candidates: Iterable[tuple[str, int]], *, max_distance: int = 2
) -> list[tuple[str, int, int]]:
    """``(term, distance, doc_freq)`` of the candidates within ``max_distance``, best first.

    Closer terms come first, then more frequent ones, then alphabetical order.

    >>> closest_terms("واشنطون", [("واشنطن", 9), ("واشنطون", 0), ("لندن", 50)])
    [('واشنطن', 1, 9)]
    """
    found = []
    for term, freq in candidates:
        if term == word:
            continue
        distance = edit_distance(word, term, max_distance)
        if distance <= max_distance:
            found.append((term, distance, freq))
    found.sort(key=lambda row: (row[1], -row[2], row[0]))
    return found
