"""Which words of a text match a query: the :class:`Matcher`, and finding its matches.

>>> from arsearch.analysis import Analyzer
>>> text = "زار القاهرة ثم بالقاهرة " * 40
>>> find_matches(text, Matcher(stems=frozenset({"قاهر"})), Analyzer())[:2]
[(4, 11, 'قاهر'), (15, 23, 'قاهر')]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from ..analysis import Analyzer
from ..models import Token
from .scan import CUTTING_STEMMERS, scan_for

__all__ = [
    "CHARS_PER_PLACE",
    "MAX_PLACES",
    "SCAN_FROM",
    "Match",
    "Matcher",
    "find_matches",
    "place_limit",
]

#: Places of the query's words in one text beyond which the whole text is analyzed
#: word by word, at the least: a place's run costs about twice a word of the whole-text
#: path, so the runs are cheaper up to a place in about every third word (see
#: :func:`place_limit`).
MAX_PLACES = 48
#: Characters of text per place allowed beyond :data:`MAX_PLACES` (a word and its
#: space are about 6 characters in news text: one place per 16 is one in 2.7 words).
CHARS_PER_PLACE = 16
#: Texts shorter than this (titles) are analyzed whole: the scan would cost more.
SCAN_FROM = 400

# Where a word of the text stands: (start, end).
_Word = tuple[int, int]
#: A matched word: (start, end, term). ``term`` names the query term it matched, so a
#: passage can be scored by how many distinct terms it holds.
Match = tuple[int, int, str]


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
        return self.term_of(token.exact, token.stem) is not None

    def is_empty(self) -> bool:
        """Whether nothing can match (an empty or all-stopword query)."""
        return not (self.exacts or self.stems or self.prefixes)

    def term_of(self, exact: str, stem: str) -> str | None:
        """The query term a word (its exact form and stem) matched, or None, so that two
        forms of one word (القاهرة, بالقاهرة) count once and two different words twice."""
        if stem and stem in self.stems:
            return stem
        if exact in self.exacts:
            return exact
        if self.prefixes and exact.startswith(self.prefixes):
            return next(p for p in self.prefixes if exact.startswith(p))
        return None


def find_matches(
    text: str, matcher: Matcher, analyzer: Analyzer, *, flat: bool = False
) -> list[Match]:
    """The words of ``text`` that ``matcher`` matches, as ``(start, end, term)`` in text order.

    The same as analyzing every word (:meth:`Analyzer.word_columns`), but where the
    analyzer's stemmer cuts letters off words, only the runs of text that may hold a
    match are analyzed (see :mod:`arsearch.highlight.scan`). ``flat``: the text's only
    whitespace is the space.
    """
    if matcher.is_empty():
        return []
    runs = None
    needles = {*matcher.stems, *matcher.exacts, *matcher.prefixes}
    if len(text) >= SCAN_FROM and analyzer.stemmer in CUTTING_STEMMERS and "" not in needles:
        scan = scan_for(analyzer.fold_hamza)
        runs = scan.runs(text, needles, limit=place_limit(len(text)), flat=flat)
    if runs is None:
        # A short text: its words one by one (each word's analysis is cached); a long
        # one: in the analyzer's whole-text path, mostly in C.
        return _analyzed(text, analyzer, matcher)
    # Each distinct run analyzed once, all in one call (no word crosses the spaces that
    # join them): a common word's runs repeat ("مصر،" hundreds of times in one article).
    pieces = [text[start:end] for start, end in runs]
    distinct = list(dict.fromkeys(pieces))
    starts = list(accumulate((len(piece) + 1 for piece in distinct), initial=0))
    found: list[list[Match]] = [[] for _ in distinct]
    for a, b, term in _analyzed(" ".join(distinct), analyzer, matcher):
        run = bisect_right(starts, a) - 1
        found[run].append((a - starts[run], b - starts[run], term))
    in_run = dict(zip(distinct, found, strict=True))
    out: list[Match] = []
    for (start, _), piece in zip(runs, pieces, strict=True):
        out.extend((a + start, b + start, term) for a, b, term in in_run[piece])
    return out


def place_limit(length: int) -> int:
    """How many places of the query's words a text of ``length`` characters may hold for
    only their runs to be analyzed; beyond it, the whole text is.

    >>> place_limit(400), place_limit(30_000)
    (48, 1875)
    """
    return max(MAX_PLACES, length // CHARS_PER_PLACE)


def _analyzed(text: str, analyzer: Analyzer, matcher: Matcher) -> list[Match]:
    """The matching words of ``text``, found by analyzing all of it: a short text word by
    word (each word's analysis is cached), a long one in the analyzer's whole-text path,
    mostly in C."""
    if len(text) >= SCAN_FROM:
        return _matches(*analyzer.word_columns(text), matcher)
    # The rows as they come: three columns cost more than they save for a few words.
    return [
        (start, end, term)
        for start, end, exact, stem in analyzer.word_spans(text)
        if (term := matcher.term_of(exact, stem)) is not None
    ]


def _matches(
    spans: Sequence[_Word], exacts: Sequence[str], stems: Sequence[str], matcher: Matcher
) -> list[Match]:
    """The matching words of analyzed text as ``(start, end, term)``, in text order."""
    # Inlined Matcher.term_of: this runs once per word of every snippet, so the
    # words are first filtered in C and only the few hits looked at in Python.
    want_stems, want_exacts, prefixes = matcher.stems, matcher.exacts, matcher.prefixes
    hits = [
        index
        for index, (exact, stem) in enumerate(zip(exacts, stems, strict=True))
        if stem in want_stems or exact in want_exacts or (prefixes and exact.startswith(prefixes))
    ]
    return [
        (*spans[index], term)
        for index in hits
        if (term := matcher.term_of(exacts[index], stems[index])) is not None
    ]
