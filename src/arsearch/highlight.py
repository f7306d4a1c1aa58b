"""Snippets and highlighting over the original text: escaping first, then ``<mark>``.

The highlighter re-uses the analyzer's words (:meth:`Analyzer.word_columns`, the
same words as :meth:`Analyzer.tokens`), so a word is marked exactly when the
index would match it, and a marked span is the whole original word: harakat, shadda,
tatweel and attached clitics included.

>>> from arsearch.analysis import Analyzer
>>> analyzer = Analyzer()
>>> matcher = Matcher(stems=frozenset({"كاظم"}))
>>> mark_text("قال وَالكاظِمي <b>", matcher, analyzer).html()
'قال <mark>وَالكاظِمي</mark> &lt;b&gt;'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis import Analyzer
from .models import Marked, Token

__all__ = ["SNIPPET_SCAN", "SNIPPET_SIZE", "Marked", "Matcher", "make_snippet", "mark_text"]

#: The default length of a snippet in characters, not counting the "…" marks.
SNIPPET_SIZE = 200
#: The characters at the start of a text in which a snippet's passage is sought: a snippet
#: costs the same for a text of 50,000 characters or of 50 million (a news article holds
#: about 1,000; one in 60,000 of the news corpus holds more).
SNIPPET_SCAN = 50_000

ELLIPSIS = "\u2026"  # …

_WHITESPACE = re.compile(r"\s+")
_NON_SPACE = re.compile(r"\S")

# Where a word of the text stands: (start, end).
_Word = tuple[int, int]
# A matched word in the text being cut: (start, end, term). ``term`` names the
# query term it matched, so a passage can be scored by how many distinct terms it holds.
_Match = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Matcher:
    """Which words to mark: a token matches when its stem is in `stems`, or its exact
    form is in `exacts`, or its exact form starts with one of `prefixes`.

    Stop words have no stem (``stem == ""``), so only ``exacts`` can mark them.

    >>> from arsearch.analysis import Analyzer
    >>> token = Analyzer().tokens("بالقاهرة")[0]
    >>> Matcher(stems=frozenset({"قاهر"})).matches(token)
    True
    >>> Matcher(prefixes=("بالق",)).matches(token), Matcher().is_empty()
    (True, True)
    """

    exacts: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def matches(self, token: Token) -> bool:
        """Whether ``token`` is one of the words to mark."""
        return self._term(token) is not None

    def is_empty(self) -> bool:
        """Whether nothing can match (an empty or all-stopword query)."""
        return not (self.exacts or self.stems or self.prefixes)

    def _term(self, token: Token) -> str | None:
        # The query term a token matched, so that two forms of one word
        # (القاهرة, بالقاهرة) count once and two different words count twice.
        stem = token.stem
        if stem and stem in self.stems:
            return stem
        exact = token.exact
        if exact in self.exacts:
            return exact
        if self.prefixes and exact.startswith(self.prefixes):
            return next(p for p in self.prefixes if exact.startswith(p))
        return None


def mark_text(
    text: str, matcher: Matcher, analyzer: Analyzer, *, scan: int | None = None
) -> Marked:
    """The whole ``text``, unchanged, with every matching word marked (titles, article pages).

    With ``scan``, only words in the first ``scan`` characters are marked (a hit's title:
    its cost stays bounded whatever the title's length).

    >>> from arsearch.analysis import Analyzer
    >>> marked = mark_text("أخبار القاهرة", Matcher(stems=frozenset({"قاهر"})), Analyzer())
    >>> marked.spans, marked.html()
    (((6, 13),), 'أخبار <mark>القاهرة</mark>')
    """
    if matcher.is_empty() or not text:
        return Marked(text, ())
    scanned = text if scan is None else _scanned(text, scan)[0]
    matches = _find_matches(*analyzer.word_columns(scanned), matcher)
    return Marked(text, _spans(matches, 0, len(scanned), 0))


def make_snippet(
    text: str, matcher: Matcher, analyzer: Analyzer, *, size: int = SNIPPET_SIZE
) -> Marked:
    """The best passage of about ``size`` characters of ``text``, matching words marked.

    The passage holds the most distinct query terms, then the most matches, the
    earliest on a tie. It is cut between words only, with "…" where text was left
    out, and runs of whitespace become one space. Without a match it is the
    beginning of the text. Only the first :data:`SNIPPET_SCAN` characters are looked
    at, so that the cost does not grow with the text.

    >>> from arsearch.analysis import Analyzer
    >>> text = "بدأ اليوم في القاهرة مؤتمر عن المياه والزراعة في المنطقة"
    >>> snippet = make_snippet(text, Matcher(stems=frozenset({"قاهر"})), Analyzer(), size=30)
    >>> snippet.text, snippet.html()
    ('…اليوم في القاهرة مؤتمر عن…', '…اليوم في <mark>القاهرة</mark> مؤتمر عن…')
    """
    # Collapsing first keeps every word intact (no word holds whitespace) and
    # lets the tokens' offsets point straight into the excerpt's source.
    scanned, more = _scanned(text)
    flat = _WHITESPACE.sub(" ", scanned).strip()
    if not flat:
        return Marked("", ())
    size = max(size, 1)
    tokens, exacts, stems = analyzer.word_columns(flat)
    matches = [] if matcher.is_empty() else _find_matches(tokens, exacts, stems, matcher)
    if matches:
        first, last = _best_window(matches, size)
        start, end = _widen(flat, tokens, matches[first][0], matches[last][1], size)
    else:
        start, end = 0, _cut_end(flat, tokens, 0, 0, size)
    head = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(flat) or more else ""
    spans = _spans(matches, start, end, len(head) - start)
    return Marked(head + flat[start:end] + tail, spans)


def _scanned(text: str, scan: int = SNIPPET_SCAN) -> tuple[str, bool]:
    """The start of ``text`` that is looked at (``scan`` characters at most, cut at a
    whitespace unless one word fills them), and whether more words follow it.

    >>> scanned, more = _scanned("كلمة " * 20_000)
    >>> len(scanned), scanned[-9:], more
    (49999, 'كلمة كلمة', True)
    """
    if len(text) <= scan:
        return text, False
    # Counted from the first word, so that leading whitespace cannot fill the scan; kept,
    # so that offsets into the scanned part are offsets into ``text``.
    first = _NON_SPACE.search(text)
    if first is None:
        return "", False
    start = first.start()
    if start + scan >= len(text):
        return text, False
    scanned = text[: start + scan]
    space = max(scanned.rfind(char, start) for char in " \n\t\r")
    if space > start:
        scanned = scanned[:space]
    return scanned, _NON_SPACE.search(text, len(scanned)) is not None


def _find_matches(
    spans: Sequence[_Word], exacts: Sequence[str], stems: Sequence[str], matcher: Matcher
) -> list[_Match]:
    """The matching words as ``(start, end, term)``, in text order."""
    # Inlined Matcher._term: this runs once per word of every snippet, so the
    # words are first filtered in C and only the few hits looked at in Python.
    want_stems, want_exacts, prefixes = matcher.stems, matcher.exacts, matcher.prefixes
    hits = [
        index
        for index, (exact, stem) in enumerate(zip(exacts, stems, strict=True))
        if stem in want_stems or exact in want_exacts or (prefixes and exact.startswith(prefixes))
    ]
    out: list[_Match] = []
    for index in hits:
        start, end = spans[index]
        exact, stem = exacts[index], stems[index]
        if stem and stem in want_stems:
            out.append((start, end, stem))
        elif exact in want_exacts:
            out.append((start, end, exact))
        else:
            prefix = next(p for p in prefixes if exact.startswith(p))
            out.append((start, end, prefix))
    return out


def _spans(
    matches: Sequence[_Match], start: int, end: int, shift: int
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


def _best_window(matches: Sequence[_Match], size: int) -> tuple[int, int]:
    """Indexes of the first and last match of the best run spanning at most ``size`` chars.

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


def _widen(flat: str, tokens: Sequence[_Word], first: int, last: int, size: int) -> tuple[int, int]:
    """Grow ``[first, last)`` to about ``size`` chars of context, cut between words."""
    room = max(size - (last - first), 0)
    before = room // 2
    after = room - before
    # Context the text cannot give on one side goes to the other.
    if before > first:
        after += before - first
        before = first
    if last + after > len(flat):
        before = min(first, before + last + after - len(flat))
    start = _cut_start(flat, tokens, first - before, first)
    return start, _cut_end(flat, tokens, last, start, last + after)


def _cut_start(flat: str, tokens: Sequence[_Word], lowest: int, first: int) -> int:
    """The first word boundary at or after ``lowest``, no later than ``first`` (a word start)."""
    if lowest <= 0:
        return 0
    space = flat.find(" ", lowest, first)
    if space >= 0:
        return space + 1
    # No space in reach ("الخبر،القاهرة"): cut where a word starts.
    index = bisect_left(tokens, lowest, key=lambda t: t[0])
    return min(tokens[index][0], first) if index < len(tokens) else first


def _cut_end(flat: str, tokens: Sequence[_Word], last: int, start: int, highest: int) -> int:
    """The last word boundary at or before ``highest`` and at or after ``last``, past ``start``."""
    if highest >= len(flat):
        return len(flat)
    space = flat.rfind(" ", last, highest + 1)
    if space > start:
        return space
    # No space in reach: cut where a word ends, or after the first word that
    # crosses ``highest`` when a single word is longer than the room.
    index = bisect_right(tokens, highest, key=lambda t: t[1]) - 1
    if index >= 0 and tokens[index][1] >= last and tokens[index][1] > start:
        return tokens[index][1]
    index = bisect_left(tokens, max(highest, start + 1), key=lambda t: t[1])
    return tokens[index][1] if index < len(tokens) else len(flat)
