"""Choosing and cutting a snippet's passage: the best window of matches, cut between words.

The cuts look at words only near the window's edges, and only when no space is in
reach: :class:`Words` analyzes the text a run (between two spaces) at a time, as
they ask, so a snippet never analyzes the whole text for them.

>>> from arsearch.analysis import Analyzer
>>> words = Words("قال: الخبر،القاهرة اليوم", Analyzer())
>>> cut_start(words, 8, 11), cut_end(words, 18, 0, 20)
(11, 18)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from ..analysis import Analyzer
from .matching import Match

__all__ = ["Words", "best_window", "cut_end", "cut_start", "spans_between", "widen"]


class Words:
    """The word spans of a text whose only whitespace is single spaces, a run at a time."""

    def __init__(self, text: str, analyzer: Analyzer) -> None:
        self.text = text
        self._analyzer = analyzer
        self._runs: dict[int, list[tuple[int, int]]] = {}

    def _run(self, position: int) -> tuple[int, int, list[tuple[int, int]]]:
        """The run of text holding ``position`` (not a space): its bounds and word spans."""
        text = self.text
        start = text.rfind(" ", 0, position) + 1
        end = text.find(" ", position)
        end = len(text) if end < 0 else end
        spans = self._runs.get(start)
        if spans is None:
            found, _, _ = self._analyzer.word_columns(text[start:end])
            spans = self._runs[start] = [(a + start, b + start) for a, b in found]
        return start, end, spans

    def _spans_from(self, position: int) -> Iterator[tuple[int, int]]:
        """The word spans of the run holding ``position`` and of every run after it, in order."""
        while position < len(self.text):
            if self.text[position] == " ":
                position += 1
                continue
            _, end, spans = self._run(position)
            yield from spans
            position = end + 1

    def start_at_or_after(self, lowest: int) -> int | None:
        """Where the first word starting at or after ``lowest`` starts."""
        return next((start for start, _ in self._spans_from(lowest) if start >= lowest), None)

    def end_between(self, lowest: int, highest: int) -> int | None:
        """Where the last word ending at or before ``highest`` ends, if at or after ``lowest``."""
        position = min(highest, len(self.text)) - 1
        while position >= max(lowest - 1, 0):
            if self.text[position] == " ":
                position -= 1
                continue
            start, _, spans = self._run(position)
            ends = [end for _, end in spans if end <= highest]
            if ends:
                return ends[-1] if ends[-1] >= lowest else None
            position = start - 2
        return None

    def end_at_or_after(self, lowest: int) -> int | None:
        """Where the first word ending at or after ``lowest`` ends."""
        spans = self._spans_from(max(lowest - 1, 0))
        return next((stop for _, stop in spans if stop >= lowest), None)


def spans_between(
    matches: Sequence[Match], start: int, end: int, shift: int
) -> tuple[tuple[int, int], ...]:
    """The distinct spans of ``matches`` inside ``[start, end)``, moved by ``shift``."""
    first = bisect_left(matches, start, key=lambda m: m[0])
    out: list[tuple[int, int]] = []
    for m_start, m_end, _ in matches[first:]:
        if m_end > end:
            break
        span = (m_start + shift, m_end + shift)
        # One original glyph can yield several tokens (ﷺ), all with its offsets.
        if not out or out[-1] != span:
            out.append(span)
    return tuple(out)


def best_window(matches: Sequence[Match], size: int) -> tuple[int, int]:
    """Indexes of the first and last match of the best run spanning at most ``size`` chars:
    the most distinct terms, then the most matches, the earliest on a tie.

    Two pointers over the matches: each enters and leaves the window once.
    """
    counts: dict[str, int] = {}
    best = (-1, -1)
    best_at = (0, 0)
    right = 0
    total = len(matches)
    for left in range(total):
        limit = matches[left][0] + size
        # A single word longer than ``size`` still forms a window of its own.
        while right < total and (right == left or matches[right][1] <= limit):
            term = matches[right][2]
            counts[term] = counts.get(term, 0) + 1
            right += 1
        score = (len(counts), right - left)
        if score > best:
            best, best_at = score, (left, right - 1)
        term = matches[left][2]
        counts[term] -= 1
        if not counts[term]:
            del counts[term]
    return best_at


def widen(words: Words, first: int, last: int, size: int) -> tuple[int, int]:
    """Grow ``[first, last)`` to about ``size`` chars of context, cut between words."""
    length = len(words.text)
    room = max(size - (last - first), 0)
    before = room // 2
    after = room - before
    # Context the text cannot give on one side goes to the other.
    if before > first:
        after += before - first
        before = first
    if last + after > length:
        before = min(first, before + last + after - length)
    start = cut_start(words, first - before, first)
    return start, cut_end(words, last, start, last + after)


def cut_start(words: Words, lowest: int, first: int) -> int:
    """The first word boundary at or after ``lowest``, no later than ``first`` (a word start)."""
    if lowest <= 0:
        return 0
    space = words.text.find(" ", lowest, first)
    if space >= 0:
        return space + 1
    # No space in reach ("الخبر،القاهرة"): cut where a word starts.
    found = words.start_at_or_after(lowest)
    return first if found is None else min(found, first)


def cut_end(words: Words, last: int, start: int, highest: int) -> int:
    """The last word boundary at or before ``highest`` and at or after ``last``, past ``start``."""
    text = words.text
    if highest >= len(text):
        return len(text)
    space = text.rfind(" ", last, highest + 1)
    if space > start:
        return space
    # No space in reach: cut where a word ends, or after the first word that
    # crosses ``highest`` when a single word is longer than the room.
    found = words.end_between(max(last, start + 1), highest)
    if found is None:
        found = words.end_at_or_after(max(highest, start + 1))
    return len(text) if found is None else found
