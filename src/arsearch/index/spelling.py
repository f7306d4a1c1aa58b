"""Spelling: "did you mean" and fuzzy terms, by edit distance over the index's frequent words.

Candidates are the most frequent indexed words that share the query word's first
letter (the usual prefix rule of fuzzy search: a first letter is rarely the
mistake). Each first letter's words are read from the engine once per commit and
indexed by their one-letter deletions, so a lookup costs a few dict probes
instead of an edit distance against every word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable

from ..engines import EXACT_FIELDS, EngineReader

__all__ = [
    "BUCKET_SIZE",
    "Vocabulary",
    "closest_terms",
    "did_you_mean",
    "edit_distance",
    "replace_words",
]

#: Frequent words per first letter that suggestions and fuzzy terms choose from.
BUCKET_SIZE = 3_000


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


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class _Bucket:
    """The frequent words of one first letter, indexed by their one-letter deletions."""

    def __init__(self, words: dict[str, int]) -> None:
        self.freq = words
        self.by_deletion: dict[str, list[str]] = {}
        for word in words:
            for key in _deletions(word):
                self.by_deletion.setdefault(key, []).append(word)

    def candidates(self, word: str) -> set[str]:
        # Insertions, deletions, substitutions and transpositions (distance 1),
        # and their pairs up to two deletions on one side and one on the other.
        found: set[str] = set(self.by_deletion.get(word, ()))
        first = _deletions(word)
        for key in first:
            if key in self.freq:
                found.add(key)
            found.update(self.by_deletion.get(key, ()))
            for second in _deletions(key):
                if second in self.freq:
                    found.add(second)
        found.discard(word)
        return found


class Vocabulary:
    """Frequent indexed words of one commit, looked up by edit distance.

    ``load(prefix, limit)`` returns ``(word, doc_freq)`` pairs for words starting
    with ``prefix``, most frequent first (the engine's term dictionary).

    >>> vocabulary = Vocabulary(lambda prefix, limit: [("واشنطن", 9), ("واحد", 30)])
    >>> vocabulary.near("واشنطون")
    [('واشنطن', 1, 9)]
    """

    def __init__(self, load: Callable[[str, int], list[tuple[str, int]]]) -> None:
        self._load = load
        self._buckets: dict[str, _Bucket] = {}

    @classmethod
    def of(cls, reader: EngineReader) -> Vocabulary:
        """The vocabulary of ``reader``'s exact fields, document frequencies summed."""

        def load(prefix: str, limit: int) -> list[tuple[str, int]]:
            counts: dict[str, int] = {}
            for field in EXACT_FIELDS:
                for term, freq in reader.terms_with_prefix(field, prefix, limit):
                    counts[term] = counts.get(term, 0) + freq
            return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]

        return cls(load)

    def _bucket(self, letter: str) -> _Bucket:
        bucket = self._buckets.get(letter)
        if bucket is None:
            bucket = _Bucket(dict(self._load(letter, BUCKET_SIZE)))
            self._buckets[letter] = bucket
        return bucket

    def near(self, word: str, max_distance: int = 2) -> list[tuple[str, int, int]]:
        """``(word, distance, doc_freq)`` of frequent words within ``max_distance``, best first."""
        if not word:
            return []
        bucket = self._bucket(word[0])
        pairs = [(term, bucket.freq[term]) for term in bucket.candidates(word)]
        return closest_terms(word, pairs, max_distance=max_distance)


#: A query word with at most this many documents is "rare" and gets a suggestion.
RARE_DOC_FREQ = 1
#: A suggestion must be this many times as frequent as the word it replaces.
SUGGESTION_GAIN = 5


def replace_words(text: str, replacements: Iterable[tuple[str, str]]) -> str | None:
    """``text`` with each word replaced where it first stands alone (never inside another
    word), or None when no replacement was made.

    >>> replace_words("+واشنطون شنطو", [("واشنطون", "واشنطن"), ("كتاب", "كتب")])
    '+واشنطن شنطو'
    """
    replaced = text
    changed = False
    for typed, replacement in replacements:
        alone = re.compile(rf"(?<!\w){re.escape(typed)}(?!\w)")
        replaced, count = alone.subn(replacement.replace("\\", r"\\"), replaced, count=1)
        changed = changed or bool(count)
    return replaced if changed else None


def _may_suggest(text: str, typed: str, exact: str) -> bool:
    """Whether a query word may get a suggestion: not a number, and not a field name
    (``categry:`` is read as a word, but it is no misspelt word of the documents)."""
    if not any(char.isalpha() for char in exact):
        return False
    return not _stands_before(text, typed + ":")


def _stands_before(text: str, piece: str) -> bool:
    """Whether ``piece`` occurs in ``text`` after no word character (a letter, digit or
    ``_``, as in regular expressions), found without compiling a pattern per query word.

    >>> [_stands_before(text, "categry:") for text in ("categry:x", "a _categry:", "(categry:")]
    [True, False, True]
    """
    at = text.find(piece)
    while at >= 0:
        before = text[at - 1] if at else " "
        if not (before.isalnum() or before == "_"):
            return True
        at = text.find(piece, at + 1)
    return False


def did_you_mean(
    text: str,
    words: Iterable[tuple[str, str]],
    doc_freq: Callable[[str], int],
    vocabulary: Vocabulary,
    *,
    spelling: Callable[[str], str] = str,
    stopwords: Container[str] = frozenset(),
    give_up: Callable[[], bool] | None = None,
) -> str | None:
    """``text`` with each rare word (``(typed, exact)`` pairs) replaced by a far more frequent
    neighbour written as ``spelling`` gives it, or None when no word has one.

    Numbers and field names get no suggestion, and no word is replaced by a stop word.
    A word is replaced where it stands alone, never inside another word. ``give_up`` is
    asked before each word: once it answers True, the remaining words are left as typed
    (a query's time is bounded).

    >>> vocabulary = Vocabulary(lambda prefix, limit: [("واشنطن", 9)])
    >>> did_you_mean("واشنطون شنطو", [("واشنطون", "واشنطون")], lambda w: 0, vocabulary)
    'واشنطن شنطو'
    """
    replacements: list[tuple[str, str]] = []
    for typed, exact in words:
        if give_up is not None and give_up():
            break
        if not _may_suggest(text, typed, exact):
            continue
        freq = doc_freq(exact)
        if freq > RARE_DOC_FREQ:
            continue
        for candidate, _distance, candidate_freq in vocabulary.near(exact, 2):
            if candidate in stopwords:
                continue
            if candidate_freq >= max(1, SUGGESTION_GAIN * freq) and candidate_freq > freq:
                replacements.append((typed, spelling(candidate)))
                break
    return replace_words(text, replacements)
