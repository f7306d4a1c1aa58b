"""Stemmers behind one interface, each cached per distinct word.

Every stemmer receives two forms of a word: ``soft`` (see
:func:`~arsearch.analysis.normalize.soften`, ة and ى kept) and ``exact`` (fully
normalized). It returns a stem in the fully normalized alphabet.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Protocol

from ..errors import UsageError
from .normalize import normalize

__all__ = ["STEMMERS", "Stemmer", "get_stemmer", "light10"]

_CACHE_SIZE = 50_000

# Light10 as Lucene's ArabicStemmer applies it: at most one prefix, tried in the
# order ال وال بال كال فال لل و, each only when two letters remain (و only in
# words of four letters or more); then every suffix in the order ها ان ات ون
# ين يه ية ه ة ي, each only while two letters remain.
_THREE_LETTER_PREFIXES = ("وال", "بال", "كال", "فال")
_LIGHT10_SUFFIXES = tuple(
    (suffix, len(suffix), len(suffix) + 2)
    for suffix in ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
)
_SUFFIX_ENDINGS = frozenset(suffix[-1] for suffix, _, _ in _LIGHT10_SUFFIXES)


def light10(word: str) -> str:
    """Strip one Light10 prefix and the Light10 suffixes from a normalized word.

    >>> light10("والمباحثات"), light10("الكاظمي"), light10("زمني")
    ('مباحث', 'كاظم', 'زمن')
    """
    size = len(word)
    if size >= 4 and word.startswith("ال"):
        word = word[2:]
    elif size >= 5 and word.startswith(_THREE_LETTER_PREFIXES):
        word = word[3:]
    elif size >= 4 and word.startswith(("لل", "و")):
        word = word[2:] if word[1] == "ل" and word[0] == "ل" else word[1:]
    # Most words end in a letter no suffix ends in: then none can match, now or
    # after another is stripped.
    if word[-1:] not in _SUFFIX_ENDINGS:
        return word
    for suffix, length, minimum in _LIGHT10_SUFFIXES:
        if word.endswith(suffix) and len(word) >= minimum:
            word = word[:-length]
    return word


class Stemmer(Protocol):
    """Turns one Arabic word into its stem."""

    name: str
    #: Whether the stem depends on the soft form (ة and ى kept), not only the exact one.
    uses_soft: bool
    #: ``stem`` without its per-word cache, for a caller that keeps its own.
    uncached: Callable[[str, str], str]

    def stem(self, soft: str, exact: str) -> str:
        """The stem of a word given in its soft and exact normalized forms."""
        ...


class _CachedStemmer:
    """A stemmer built from a function of ``(soft, exact)``, with a per-word cache."""

    def __init__(self, name: str, func: Callable[[str, str], str], uses_soft: bool) -> None:
        self.name = name
        self.uses_soft = uses_soft
        self.uncached = func
        self._stem = lru_cache(maxsize=_CACHE_SIZE)(func)

    def stem(self, soft: str, exact: str) -> str:
        return self._stem(soft, exact)

    def __repr__(self) -> str:
        return f"<Stemmer {self.name}>"


def _light10(soft: str, exact: str) -> str:
    return light10(exact)


def _none(soft: str, exact: str) -> str:
    return exact


def _make_tashaphyne() -> Callable[[str, str], str]:
    from tashaphyne.stemming import ArabicLightStemmer

    engine = ArabicLightStemmer()

    def stem(soft: str, exact: str) -> str:
        engine.light_stem(soft)
        result = normalize(engine.get_stem() or "")
        # Tashaphyne over-strips short words (يعلن -> عل, زمني -> زم): a stem of
        # fewer than three letters falls back to the Light10 stem.
        if len(result) < 3 <= len(exact):
            return light10(exact)
        return result or exact

    return stem


def _make_snowball() -> Callable[[str, str], str]:
    import snowballstemmer

    engine = snowballstemmer.stemmer("arabic")

    def stem(soft: str, exact: str) -> str:
        return normalize(engine.stemWord(soft)) or exact

    return stem


_FACTORIES: dict[str, Callable[[], Callable[[str, str], str]]] = {
    "light10": lambda: _light10,
    "tashaphyne": _make_tashaphyne,
    "snowball": _make_snowball,
    "none": lambda: _none,
}
# Light10 (as Lucene applies it) and "none" see only the fully normalized word.
_USES_SOFT = {"tashaphyne", "snowball"}

#: The names accepted by ``--stemmer`` and ``Index.create(stemmer=...)``.
STEMMERS = tuple(_FACTORIES)


@cache
def get_stemmer(name: str) -> Stemmer:
    """The stemmer called ``name``: one of :data:`STEMMERS`.

    >>> get_stemmer("light10").stem("المدرسة", "المدرسه")
    'مدرس'
    """
    try:
        factory = _FACTORIES[name]
    except KeyError:
        choices = ", ".join(STEMMERS)
        raise UsageError(f"Unknown stemmer '{name}'. Choose one of: {choices}.") from None
    return _CachedStemmer(name, factory(), name in _USES_SOFT)
