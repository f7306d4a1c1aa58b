"""Name spellings: indexed words that differ only in a hamza seat or a long vowel.

Foreign names and some words are written several ways (مسؤول / مسئول,
الخسائر / الخساير, واشنطن / واشنطون). On an index created with ``spellings=``,
each commit derives the pairs from the index's own vocabulary, never from a
list: two words pair when one rule turns one into the other, both are in at
least :data:`MIN_DOCS` documents, neither is a stop word, and their stems
differ (pairs with one stem already match each other). A query word then also
searches its pairs at the ranking's ``spelling_weight``.

Two rules, measured in bench/RESULTS.md:

- ``"hamza"``: another hamza seat, ء ؤ ئ for each other, or ئ and ي (the
  substitutions that hand checks found to be one word written two ways);
- ``"vowels"``, the rule as issue 14 states it: one long vowel (ا و ي) more or
  less inside the word, the first and last letters kept (a leading و is a
  conjunction, a final ي a suffix), or a hamza (ء ؤ ئ) on another seat or
  written as ا و ي. Arabic builds words from long-vowel patterns, so this
  mostly pairs different words (فاعل / فعل): it is measured, not recommended.

>>> sorted(spelling_variants("مسؤول", "hamza"))
['مسءول', 'مسئول']
>>> "واشنطون" in spelling_variants("واشنطن", "vowels")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal, get_args

from ..engines import BODY_EXACT, EngineReader
from ..errors import UsageError
from .layout import write_bytes_atomically

__all__ = [
    "LONG_VOWELS",
    "MAX_VARIANTS",
    "MIN_DOCS",
    "SPELLINGS_FILE",
    "SpellingPairs",
    "SpellingRule",
    "check_rule",
    "derive_pairs",
    "spelling_variants",
]

SpellingRule = Literal["hamza", "vowels"]
#: The rules ``Index.create(spellings=...)`` accepts.
RULES: tuple[str, ...] = get_args(SpellingRule)
#: Both words of a pair must be in at least this many documents.
MIN_DOCS = 5
#: At most this many spellings of one query word are searched (the most frequent first).
MAX_VARIANTS = 4
#: The pairs of a generation's last commit, one ``word<TAB>word`` a line.
SPELLINGS_FILE = "spellings.tsv"

HAMZA = "\u0621"  # ء
HAMZA_ON_WAW = "\u0624"  # ؤ
HAMZA_ON_YEH = "\u0626"  # ئ
YEH = "\u064a"  # ي
#: Long vowels, which transliterations of foreign names add or leave out.
LONG_VOWELS = "\u0627\u0648\u064a"  # ا و ي
_HAMZAS = HAMZA + HAMZA_ON_WAW + HAMZA_ON_YEH
# Each letter and what the rule lets it be written as instead.
_SEATS: dict[SpellingRule, dict[str, str]] = {
    "hamza": {
        HAMZA: HAMZA_ON_WAW + HAMZA_ON_YEH,
        HAMZA_ON_WAW: HAMZA + HAMZA_ON_YEH,
        HAMZA_ON_YEH: HAMZA + HAMZA_ON_WAW + YEH,
        YEH: HAMZA_ON_YEH,
    },
    "vowels": {hamza: (_HAMZAS + LONG_VOWELS).replace(hamza, "") for hamza in _HAMZAS},
}
# Letters of Arabic words, by which the vocabulary is read.
_LETTERS = [chr(code) for code in range(0x0621, 0x064B)]
# Words one read of the vocabulary brings at most.
_READ_SIZE = 20_000


def check_rule(rule: object) -> SpellingRule | None:
    """``rule`` checked: None or one of :data:`RULES`."""
    if rule is None or rule in RULES:
        return rule  # type: ignore[return-value]
    raise UsageError(f"spellings must be one of: {', '.join(RULES)} (or None), not {rule!r}.")


def spelling_variants(word: str, rule: SpellingRule) -> Iterator[str]:
    """The spellings of ``word`` that ``rule`` allows (see the module's docstring).

    >>> list(spelling_variants("الخساير", "hamza"))
    ['الخسائر']
    >>> "كاظمي" in set(spelling_variants("كاظم", "vowels"))
    False
    """
    seen = {word}

    def fresh(candidate: str) -> bool:
        if candidate in seen:
            return False
        seen.add(candidate)
        return True

    seats = _SEATS[rule]
    for at, char in enumerate(word):
        for seat in seats.get(char, ""):
            other = word[:at] + seat + word[at + 1 :]
            if fresh(other):
                yield other
    if rule != "vowels":
        return
    for at in range(1, len(word) - 1):
        if word[at] in LONG_VOWELS:
            shorter = word[:at] + word[at + 1 :]
            if fresh(shorter):
                yield shorter
    for at in range(1, len(word)):
        for vowel in LONG_VOWELS:
            longer = word[:at] + vowel + word[at:]
            if fresh(longer):
                yield longer


def derive_pairs(
    frequencies: Mapping[str, int],
    rule: SpellingRule,
    stem: Callable[[str], str],
    *,
    min_docs: int = MIN_DOCS,
) -> list[tuple[str, str]]:
    """Every pair of words of ``frequencies`` (word -> documents) that ``rule`` relates, both
    in ``min_docs`` documents or more, with different stems (``stem`` gives "" for a stop
    word, which pairs with nothing); sorted, each pair once.

    >>> counts = {"مسؤول": 90, "مسئول": 8, "مسؤولية": 40, "كتاب": 9, "كتب": 9}
    >>> derive_pairs(counts, "hamza", stem=lambda word: word)
    [('مسؤول', 'مسئول')]
    """
    frequent = {word for word, docs in frequencies.items() if docs >= min_docs}
    pairs: set[tuple[str, str]] = set()
    for word in frequent:
        for other in spelling_variants(word, rule):
            if other in frequent:
                first, second = sorted((word, other))
                pairs.add((first, second))
    kept = []
    for first, second in sorted(pairs):
        first_stem, second_stem = stem(first), stem(second)
        if first_stem and second_stem and first_stem != second_stem:
            kept.append((first, second))
    return kept


def vocabulary_of(reader: EngineReader, min_docs: int = MIN_DOCS) -> dict[str, int]:
    """The Arabic words of ``reader``'s body (which holds the title too) that are in at least
    ``min_docs`` documents, and their documents.

    The engine gives the most frequent words of a prefix; a prefix with more frequent
    words than one read brings is read again letter by letter, so each read is bounded.
    """
    counts: dict[str, int] = {}
    pending = list(_LETTERS)
    while pending:
        prefix = pending.pop()
        found = reader.terms_with_prefix(BODY_EXACT, prefix, _READ_SIZE)
        if len(found) == _READ_SIZE and found[-1][1] >= min_docs:
            counts.update((term, docs) for term, docs in found if term == prefix)
            pending.extend(prefix + letter for letter in _LETTERS)
            continue
        counts.update((term, docs) for term, docs in found if docs >= min_docs)
    return counts


class SpellingPairs:
    """The spelling pairs of one commit: each word's other spellings, most frequent first.

    >>> pairs = SpellingPairs([("مسؤول", "مسئول")], {"مسؤول": 90, "مسئول": 8})
    >>> pairs.variants("مسئول"), pairs.variants("وزير"), len(pairs)
    (('مسؤول',), (), 1)
    """

    def __init__(self, pairs: Iterable[tuple[str, str]], docs: Mapping[str, int]) -> None:
        self._pairs = sorted(pairs)
        self._docs = {word: docs.get(word, 0) for pair in self._pairs for word in pair}
        others: dict[str, list[str]] = {}
        for first, second in self._pairs:
            others.setdefault(first, []).append(second)
            others.setdefault(second, []).append(first)
        rank = self._docs
        self._variants = {
            word: tuple(sorted(found, key=lambda w: (-rank[w], w))[:MAX_VARIANTS])
            for word, found in others.items()
        }

    def variants(self, word: str) -> tuple[str, ...]:
        """The other spellings of ``word`` (an exact form), at most :data:`MAX_VARIANTS`."""
        return self._variants.get(word, ())

    def __len__(self) -> int:
        """How many pairs there are."""
        return len(self._pairs)

    def pairs(self) -> list[tuple[str, str]]:
        """Every pair, sorted."""
        return list(self._pairs)

    def docs(self, word: str) -> int:
        """How many documents held ``word`` when the pairs were derived (0: not in a pair)."""
        return self._docs.get(word, 0)

    @classmethod
    def derive(
        cls, reader: EngineReader, rule: SpellingRule, stem: Callable[[str], str]
    ) -> SpellingPairs:
        """The pairs of ``reader``'s commit."""
        counts = vocabulary_of(reader, MIN_DOCS)
        return cls(derive_pairs(counts, rule, stem), counts)

    def write(self, folder: Path) -> None:
        """Record the pairs in ``folder`` (a generation): ``word docs word docs`` a line."""
        docs = self._docs
        text = "".join(f"{a}\t{docs[a]}\t{b}\t{docs[b]}\n" for a, b in self._pairs)
        write_bytes_atomically(folder / SPELLINGS_FILE, text.encode("utf-8"))

    @classmethod
    def read(cls, folder: Path) -> SpellingPairs:
        """The pairs recorded in ``folder`` by :meth:`write`; none when there is no such file."""
        try:
            text = (folder / SPELLINGS_FILE).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return cls((), {})
        pairs: list[tuple[str, str]] = []
        docs: dict[str, int] = {}
        for line in text.splitlines():
            first, first_docs, second, second_docs = line.split("\t")
            pairs.append((first, second))
            docs[first], docs[second] = int(first_docs), int(second_docs)
        return cls(pairs, docs)
