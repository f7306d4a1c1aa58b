"""How the documents use words: the usual spelling of an index term, and what follows a word.

Index terms are normalized (السعوديه, مكه, الي), so a suggestion built from them
alone would show spellings no one writes. :class:`WordUsage` reads the stored text
of a few documents holding a term and returns the word as most of them write it
(السعودية, مكة, إلى). It also reads which words follow a given word in the
documents holding it, so that ``الملك س`` completes to ``الملك سلمان``.

Nothing is collected while indexing: each answer costs one engine search and the
decoding of a few stored documents on first use, and is kept for the life of the
snapshot (one commit), whose documents cannot change.

>>> plain_spelling("السُّعُودِيَّة"), plain_spelling("مـكة")
('السعودية', 'مكة')
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from ..analysis import WORD_PATTERN, Analyzer, normalize
from ..engines import (
    BODY_EXACT,
    TITLE_EXACT,
    BoolNode,
    EngineReader,
    FilterSpec,
    PlanNode,
    TermNode,
)
from ..models import Document
from .codec import DocumentCodec

__all__ = [
    "CACHE_LIMIT",
    "CONTEXT_DOCUMENTS",
    "MAX_FOLLOWERS",
    "SPELLING_DOCUMENTS",
    "WordUsage",
    "plain_spelling",
    "written_pattern",
]

#: Documents read to learn how a term is written.
SPELLING_DOCUMENTS = 6
#: Documents read to learn which words follow a word.
CONTEXT_DOCUMENTS = 16
#: Answers kept per snapshot (per kind); the cache starts over when full.
CACHE_LIMIT = 20_000
#: Following words kept per word and prefix (a completion shows at most 50).
MAX_FOLLOWERS = 50
#: Hits fetched beyond those read, so that ties are broken by id on every engine
#: (as searches do with their own margin).
TIE_MARGIN = 4

# Marks that decorate a spelling without changing it: harakat, shadda, sukun,
# the dagger alef, tatweel, Quranic marks and the zero-width joiners.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed\u200c\u200d]")

K = TypeVar("K")
V = TypeVar("V")

#: Finds the stored documents best matching a plan node, at most ``limit`` of them.
Search = Callable[[PlanNode, int], Sequence[Document]]


def plain_spelling(word: str) -> str:
    """``word`` as written, without diacritics, tatweel or joiners; its letters as they are."""
    return _MARKS.sub("", word)


# Characters whose matching form is one letter: from these, a pattern finds every
# way of writing an index term in a text without its marks (plain_spelling), and
# normalize() stays the one place that says what folds to what. Presentation forms
# are included; ligatures that fold to two letters (ﻻ) are not, and are only missed.
_SOURCES = [
    *range(0x30, 0x3A),
    *range(0x41, 0x5B),
    *range(0x61, 0x7B),
    *range(0xC0, 0x250),
    *range(0x0600, 0x0700),
    *range(0x0750, 0x0780),
    *range(0xFB50, 0xFE00),
    *range(0xFE70, 0xFF00),
]


@functools.cache
def _letter_classes(fold_hamza: bool) -> dict[str, str]:
    """Letter -> a regex class of every character written for it."""
    groups: dict[str, list[str]] = {}
    for code in _SOURCES:
        char = chr(code)
        folded = normalize(char, fold_hamza=fold_hamza)
        if len(folded) == 1 and folded.isalnum():
            groups.setdefault(folded, []).append(char)
    return {
        letter: "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"
        for letter, chars in groups.items()
    }


@functools.lru_cache(maxsize=4096)
def written_pattern(term: str, fold_hamza: bool = False) -> re.Pattern[str]:
    """A pattern that finds ``term`` as a whole word of a text without its marks
    (:func:`plain_spelling`), however it is written: hamza and teh marbuta forms,
    presentation forms, letter case. Check each match with :func:`normalize`.

    >>> text = plain_spelling("مكة، مَكَّة ومكه مكهم مكه")
    >>> [match.group() for match in written_pattern("مكه").finditer(text)]
    ['مكة', 'مكة', 'مكه']
    """
    classes = _letter_classes(fold_hamza)
    body = "".join(classes.get(letter, re.escape(letter)) for letter in term)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _either_field(term: str) -> BoolNode:
    return BoolNode(should=(TermNode(TITLE_EXACT, term), TermNode(BODY_EXACT, term)))


class WordUsage:
    """Spellings and following words of one commit, read from its stored documents.

    ``search`` runs a plan node on the commit and returns the best documents,
    decoded. Safe to share between threads (two threads may compute the same
    answer once each).
    """

    def __init__(self, search: Search, analyzer: Analyzer) -> None:
        self._search = search
        self._analyzer = analyzer
        self._spellings: dict[str, str] = {}
        self._followers: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, reader: EngineReader, codec: DocumentCodec, analyzer: Analyzer) -> WordUsage:
        """The usage of the commit ``reader`` reads, its documents decoded with ``codec``."""

        def search(node: PlanNode, limit: int) -> list[Document]:
            # Over-fetch and break ties by id, as searches do, so that every engine
            # reads the same documents.
            found = reader.search(
                node, filters=FilterSpec(), limit=limit + TIE_MARGIN, sort_by=None, facets=()
            )
            ranked = sorted(found.hits, key=lambda hit: (-round(hit.score, 5), hit.id))
            return [codec.unpack(hit.stored) for hit in ranked[:limit]]

        return cls(search, analyzer)

    def _written(self, term: str, document: Document) -> Iterator[tuple[re.Match[str], str]]:
        """Where the title, then the text, of ``document`` hold the index term ``term``,
        however it is written: the match in that text without its marks, and the text."""
        fold_hamza = self._analyzer.fold_hamza
        pattern = written_pattern(term, fold_hamza)
        for text in (document.title, document.text):
            plain = plain_spelling(text)
            for match in pattern.finditer(plain):
                if normalize(match.group(), fold_hamza=fold_hamza) == term:
                    yield match, plain

    def spelling(self, term: str) -> str:
        """How most documents holding the index term ``term`` write it; ``term`` if none does.

        Each document votes once for each spelling it uses; a tie goes to the spelling
        used more often, then to the first in alphabetical order.
        """
        known = self._spellings.get(term)
        if known is not None:
            return known
        votes: Counter[str] = Counter()
        uses: Counter[str] = Counter()
        documents = self._search(_either_field(term), SPELLING_DOCUMENTS)
        for read, document in enumerate(documents, 1):
            seen: set[str] = set()
            for match, _plain in self._written(term, document):
                uses[match.group()] += 1
                seen.add(match.group())
            votes.update(seen)
            ranked = votes.most_common(2)
            if ranked and ranked[0][1] > sum(n for _, n in ranked[1:]) + len(documents) - read:
                break  # the documents left cannot change the majority
        found = min(votes, key=lambda word: (-votes[word], -uses[word], word)) if votes else term
        self._remember(self._spellings, term, found)
        return found

    def followers(
        self, previous: str, prefix: str, hints: Sequence[str] = ()
    ) -> list[tuple[str, int]]:
        """Index terms starting with ``prefix`` that follow the term ``previous`` in the
        documents, with how many of the documents read hold each pair, most first.

        ``hints`` are terms likely to follow (the most frequent ones with the prefix):
        documents holding them beside ``previous`` are read first. Stop words are
        left out.
        """
        key = (previous, prefix)
        known = self._followers.get(key)
        if known is not None:
            return known
        node = BoolNode(
            must=(_either_field(previous),),
            should=tuple(TermNode(BODY_EXACT, hint) for hint in hints),
        )
        fold_hamza = self._analyzer.fold_hamza
        stopwords = self._analyzer.stopwords
        counts: Counter[str] = Counter()
        for document in self._search(node, CONTEXT_DOCUMENTS):
            pairs: set[str] = set()
            for match, plain in self._written(previous, document):
                after = WORD_PATTERN.search(plain, match.end())
                if after is None:
                    continue
                following = normalize(after.group(), fold_hamza=fold_hamza)
                if following.startswith(prefix) and following not in stopwords:
                    pairs.add(following)
            counts.update(pairs)
        found = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_FOLLOWERS]
        self._remember(self._followers, key, found)
        return found

    def _remember(self, cache: dict[K, V], key: K, value: V) -> None:
        with self._lock:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[key] = value
