"""Other forms a query word is searched under: without a proclitic, or stand-ins when absent.

Both rules ask the index, never a list of words: a form is used only when the
collection shows it is the usual spelling.

>>> freq = {"كاليفورنيا": 40, "بكاليفورنيا": 1, "كتاب": 90, "تاب": 3}.get
>>> analyzed = lambda word: (word, word)
>>> without_proclitic("بكاليفورنيا", lambda w: freq(w, 0), analyzed)
[('كاليفورنيا', 'كاليفورنيا')]
>>> without_proclitic("كتاب", lambda w: freq(w, 0), analyzed)
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .spelling import Vocabulary

__all__ = [
    "FALLBACK_SPELLINGS",
    "MIN_STRIPPED",
    "PROCLITICS",
    "article_positions",
    "has_arabic_letter",
    "stand_ins",
    "without_proclitic",
]

#: Attached conjunctions (و ف) and prepositions (ب ل ك), longest first: what a
#: word may be written with, glued on, in front of a name the stemmer leaves whole.
PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "ب", "ل", "ك", "و", "ف")
#: A word stripped of a proclitic must keep at least this many letters.
MIN_STRIPPED = 3
#: How many of the nearest indexed spellings stand in for a word absent from the index.
FALLBACK_SPELLINGS = 3
#: The definite article, before which a missing space glues two words together.
_ARTICLE = "\u0627\u0644"  # ال

#: A normalized word's index terms: ``(exact, stem)``, stem "" for a stop word.
Analyzed = Callable[[str], tuple[str, str]]
Form = tuple[str, str]


def has_arabic_letter(word: str) -> bool:
    """Whether ``word`` holds an Arabic letter (ء to ي)."""
    return any("\u0621" <= char <= "\u064a" for char in word)


def without_proclitic(exact: str, doc_freq: Callable[[str], int], analyzed: Analyzed) -> list[Form]:
    """The word without an attached و/ف/ب/ل/ك when that form is the more frequent one.

    A name the stemmer leaves whole (بكاليفورنيا) is mostly written without
    the preposition; a word that only looks prefixed (كتاب, وزير) is far more
    frequent than its remainder (تاب, زير), so it is left alone.
    """
    frequency: int | None = None
    for clitic in PROCLITICS:
        rest = exact[len(clitic) :]
        if not exact.startswith(clitic) or len(rest) < MIN_STRIPPED:
            continue
        if frequency is None:
            frequency = doc_freq(exact)
        if doc_freq(rest) > frequency:
            rest_exact, rest_stem = analyzed(rest)
            return [(rest_exact, rest_stem)] if rest_stem else []
    return []


def article_positions(word: str) -> Iterator[int]:
    """Where ال starts inside ``word`` with at least two letters before it and three after.

    >>> list(article_positions("تشتهرالبلد"))
    [5]
    """
    at = word.find(_ARTICLE, 2)
    while at != -1 and len(word) - at >= 3:
        yield at
        at = word.find(_ARTICLE, at + 1)


def stand_ins(
    exact: str, doc_freq: Callable[[str], int], analyzed: Analyzed, vocabulary: Vocabulary
) -> list[Form] | None:
    """Indexed stand-ins for a word no document holds; None: it is a misspelt stop word.

    Two indexed words when a missing space before ال glued them (تشتهرالبلد),
    else the nearest indexed spellings (one edit up to five letters, two beyond).
    """
    for at in article_positions(exact):
        left, right = exact[:at], exact[at:]
        if doc_freq(left) and doc_freq(right):
            parts = [analyzed(left), analyzed(right)]
            return [(word, stem) for word, stem in parts if stem]
    near = vocabulary.near(exact, 1 if len(exact) <= 5 else 2)
    if not near:
        return []
    closest = near[0][1]
    found: list[Form] = []
    for word, distance, _freq in near[:FALLBACK_SPELLINGS]:
        if distance > closest:
            break
        word_exact, word_stem = analyzed(word)
        if not word_stem:
            if not found:
                return None  # the nearest spelling is a stop word (اللتى for التى)
            continue
        found.append((word_exact, word_stem))
    return found
