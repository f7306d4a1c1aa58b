"""The ``Analyzer``: text to tokens and index terms, with a serializable configuration."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from ..errors import UsageError
from ..models import Token
from .normalize import NORMALIZATION_VERSION, fold_text, normalize, soften
from .plurals import Plurals, read_pairs
from .stemmers import get_stemmer
from .stopwords import STOPWORDS_NAME, default_stopwords
from .tokenize import FOLDED_WORD_PATTERN, WORD_PATTERN

__all__ = ["DEFAULT_STEMMER", "Analyzer", "analyze", "default_analyzer"]

#: light10 is the default: the best single stemmer on the measured sets.
DEFAULT_STEMMER = "light10"

# Bounds the per-word caches so memory stays flat on any corpus (about 300 bytes
# an entry with its word and stem: 60 MB per indexing worker when full); real text
# repeats its words (the news bodies: 12.5 M words, 378,000 distinct), so hits dominate.
_WORD_CACHE_LIMIT = 200_000

# One analyzed word: its pieces as (exact, stem), stem "" for a stop word,
# then the space-joined exact terms and stem terms for the fast indexing path.
_Entry = tuple[tuple[tuple[str, str], ...], str, str]


_ARABIC = re.compile("[\u0600-\u06ff]")


def _has_arabic(word: str) -> bool:
    return _ARABIC.search(word) is not None


class _StemCache(dict[str, str]):
    """An exact form's stem ("" for a stop word), computed on the first lookup.

    Read with ``map(cache.__getitem__, words)``: a word seen before costs one
    lookup in C, a new one a single call of ``stem``. Emptied when full, so
    its size stays bounded whatever the vocabulary.
    """

    __slots__ = ("_stem",)

    def __init__(self, stem: Callable[[str], str]) -> None:
        super().__init__()
        self._stem = stem

    def __missing__(self, word: str) -> str:
        if len(self) >= _WORD_CACHE_LIMIT:
            self.clear()
        stem = self[word] = self._stem(word)
        return stem


class Analyzer:
    """Turns text into tokens and index terms; the same for documents and queries.

    >>> [(t.text, t.exact, t.stem) for t in Analyzer().analyze("وَالكاظِمي في واشنطن")]
    [('وَالكاظِمي', 'والكاظمي', 'كاظم'), ('واشنطن', 'واشنطن', 'اشنطن')]
    """

    def __init__(
        self,
        *,
        stemmer: str = DEFAULT_STEMMER,
        stopwords: Iterable[str] | None = None,
        # ؤ/ئ→ء measured +0.000..+0.002 MRR@10, within noise (bench/RESULTS.md): not folded.
        fold_hamza: bool = False,
    ) -> None:
        self._stemmer = get_stemmer(stemmer)
        self.fold_hamza = fold_hamza
        words = default_stopwords() if stopwords is None else stopwords
        self.stopwords = frozenset(normalize(w, fold_hamza=fold_hamza) for w in words)
        self._stopwords_name = STOPWORDS_NAME if stopwords is None else "custom"
        self._cache: dict[str, _Entry] = {}
        self._stem_of = _StemCache(self._stem_exact)
        # The stemmer without its own per-word cache: _stem_of is that cache.
        self._stem_exact_form = self._stemmer.uncached
        self._plurals: Plurals | None = None

    @property
    def stemmer(self) -> str:
        """The stemmer's name."""
        return self._stemmer.name

    @property
    def plurals(self) -> Plurals:
        """The dictionary's singular and broken-plural nouns as this analyzer's stems.

        Built on first use (about 0.1 s), from the shipped list, not from any index.

        >>> sorted(Analyzer().plurals.related("اسعار"))
        ['سعر']
        """
        plurals = self._plurals
        if plurals is None:
            plurals = self._plurals = Plurals.from_pairs(read_pairs(), self.word_stem)
        return plurals

    # -- configuration -------------------------------------------------------

    def to_config(self) -> dict[str, Any]:
        """Everything needed to analyze text the same way later: JSON-ready."""
        return {
            "normalization": NORMALIZATION_VERSION,
            "stemmer": self.stemmer,
            "fold_hamza": self.fold_hamza,
            "stopwords": {"name": self._stopwords_name, "words": sorted(self.stopwords)},
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Analyzer:
        """Rebuild the analyzer an index recorded with :meth:`to_config`."""
        version = config.get("normalization")
        if version != NORMALIZATION_VERSION:
            raise UsageError(
                f"This analyzer configuration uses normalization version {version}, "
                f"but this arsearch has version {NORMALIZATION_VERSION}. "
                "Rebuild the index with: arsearch index --rebuild PATH..."
            )
        stop = config.get("stopwords") or {}
        analyzer = cls(
            stemmer=str(config.get("stemmer", DEFAULT_STEMMER)),
            stopwords=stop.get("words"),
            fold_hamza=bool(config.get("fold_hamza", False)),
        )
        analyzer._stopwords_name = str(stop.get("name", "custom"))
        return analyzer

    # -- per-word analysis ---------------------------------------------------

    def _analyze_word(self, raw: str) -> _Entry:
        exact = normalize(raw, fold_hamza=self.fold_hamza)
        if exact == raw:
            # Most words need no normalizing: the entry then shares its key's string.
            exact = raw
        # NFKC can expand one glyph into several words (ﷺ); each becomes a term.
        whole = WORD_PATTERN.fullmatch(exact) is not None
        pieces = [exact] if whole else WORD_PATTERN.findall(exact)
        if self._stemmer.uses_soft:
            out = self._stem_pieces(pieces, soften(raw) if whole else None)
        else:
            # The stem of the exact form alone: the fast path's cache holds it or
            # keeps it, so both paths share one cache of stems.
            out = [(piece, self._stem_of[piece]) for piece in pieces]
        entry: _Entry = (
            tuple(out),
            " ".join(e for e, _ in out),
            " ".join(s for _, s in out if s),
        )
        if len(self._cache) >= _WORD_CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = entry
        return entry

    def _stem_pieces(self, pieces: list[str], soft: str | None) -> list[tuple[str, str]]:
        # The soft form stands for the word only when the exact form is one whole
        # word: a presentation-form harakah (ﹰ) becomes a space under NFKC, and
        # soften(raw) would then hand the stemmer "مدرسة " and yield a stem with a space.
        out: list[tuple[str, str]] = []
        for piece in pieces:
            if piece in self.stopwords:
                out.append((piece, ""))
                continue
            stem = piece
            if _has_arabic(piece):
                stemmed = self._stemmer.stem(soft or piece, piece)
                stem = normalize(stemmed, fold_hamza=self.fold_hamza) or piece
            out.append((piece, stem))
        return out

    def word_terms(self, word: str) -> tuple[tuple[str, str], ...]:
        """The ``(exact, stem)`` pairs of one word; ``stem`` is "" for a stop word.

        >>> Analyzer().word_terms("للحكومة")
        (('للحكومه', 'حكوم'),)
        """
        entry = self._cache.get(word)
        return (entry or self._analyze_word(word))[0]

    def word_stem(self, word: str) -> str:
        """The stem of one word; "" for a stop word or a text of several words.

        >>> Analyzer().word_stem("الأسعار"), Analyzer().word_stem("في")
        ('اسعار', '')
        """
        pieces = self.word_terms(word)
        return pieces[0][1] if len(pieces) == 1 else ""

    # -- whole texts ---------------------------------------------------------

    def word_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every word of ``text`` as ``(start, end, exact, stem)``, stop words with stem "".

        >>> Analyzer().word_spans("في القاهرة")
        [(0, 2, 'في', ''), (3, 10, 'القاهره', 'قاهر')]
        """
        out: list[tuple[int, int, str, str]] = []
        cache_get = self._cache.get
        analyze_word = self._analyze_word
        for match in WORD_PATTERN.finditer(text):
            entry = cache_get(match.group()) or analyze_word(match.group())
            start, end = match.span()
            for exact, stem in entry[0]:
                out.append((start, end, exact, stem))
        return out

    def word_columns(self, text: str) -> tuple[list[tuple[int, int]], list[str], list[str]]:
        """The words of ``text`` as three parallel lists: spans, exact forms, stems.

        The same words as :meth:`word_spans`, built mostly in C for the
        highlighter's hot path (a text that folds in one pass needs no per-word
        Python work but a dict lookup).

        >>> Analyzer().word_columns("في القاهرة")
        ([(0, 2), (3, 10)], ['في', 'القاهره'], ['', 'قاهر'])
        """
        if not self._stemmer.uses_soft:
            folded = fold_text(text, fold_hamza=self.fold_hamza)
            if folded is not None:
                words = FOLDED_WORD_PATTERN.findall(folded)
                spans = [match.span() for match in WORD_PATTERN.finditer(text)]
                if len(spans) == len(words):
                    return spans, words, list(map(self._stem_of.__getitem__, words))
        rows = self.word_spans(text)
        return (
            [(start, end) for start, end, _, _ in rows],
            [exact for _, _, exact, _ in rows],
            [stem for _, _, _, stem in rows],
        )

    def tokens(self, text: str) -> list[Token]:
        """Every word of ``text`` as a :class:`Token`, stop words included (``stem`` is "")."""
        return [
            Token(text[start:end], start, end, exact, stem)
            for start, end, exact, stem in self.word_spans(text)
        ]

    def analyze(self, text: str) -> list[Token]:
        """The tokens of ``text`` that are not stop words, with offsets into ``text``."""
        return [token for token in self.tokens(text) if token.stem]

    def index_terms(self, text: str) -> tuple[str, str]:
        """The fast indexing path: space-joined exact terms (stop words kept) and stems.

        >>> Analyzer().index_terms("وصل الرئيس إلى القاهرة")
        ('وصل الرئيس الي القاهره', 'وصل رئيس قاهر')
        """
        if not self._stemmer.uses_soft:
            folded = fold_text(text, fold_hamza=self.fold_hamza)
            if folded is not None:
                return self._folded_terms(folded)
            if "\n" in text:
                return self._terms_by_line(text)
        return self._terms_by_word(text)

    def _terms_by_line(self, text: str) -> tuple[str, str]:
        # One compatibility character (mostly an Arabic presentation form) keeps a
        # whole text from folding in one pass. No word spans a line break and each
        # line folds alone, so only the lines holding one go word by word, and the
        # per-word cache (about 350 bytes a word) keeps only their words.
        exact: list[str] = []
        stems: list[str] = []
        for line in text.split("\n"):
            folded = fold_text(line, fold_hamza=self.fold_hamza)
            line_exact, line_stems = (
                self._terms_by_word(line) if folded is None else self._folded_terms(folded)
            )
            if line_exact:
                exact.append(line_exact)
            if line_stems:
                stems.append(line_stems)
        return " ".join(exact), " ".join(stems)

    def _terms_by_word(self, text: str) -> tuple[str, str]:
        exact: list[str] = []
        stems: list[str] = []
        cache_get = self._cache.get
        analyze_word = self._analyze_word
        for raw in WORD_PATTERN.findall(text):
            entry = cache_get(raw) or analyze_word(raw)
            if entry[1]:
                exact.append(entry[1])
            if entry[2]:
                stems.append(entry[2])
        return " ".join(exact), " ".join(stems)

    def _folded_terms(self, folded: str) -> tuple[str, str]:
        # Most texts normalize in one pass (fold_text); then each word needs only
        # a dict lookup from its exact form to its stem ("" for a stop word), and
        # the loops run in C.
        words = FOLDED_WORD_PATTERN.findall(folded)
        return " ".join(words), " ".join(filter(None, map(self._stem_of.__getitem__, words)))

    def _stem_exact(self, exact: str) -> str:
        if exact in self.stopwords:
            return ""
        if not _has_arabic(exact):
            return exact
        # Only stemmers that read the exact form take this path; they cut letters
        # off a normalized word, so the stem is normalized already.
        return self._stem_exact_form(exact, exact) or exact


@cache
def default_analyzer() -> Analyzer:
    """The shared analyzer with the default configuration."""
    return Analyzer()


def analyze(text: str) -> list[Token]:
    """Analyze ``text`` with the default analyzer: tokens with offsets, stop words omitted.

    >>> [t.stem for t in analyze("اللاعبون في الملعب")]
    ['لاعب', 'ملعب']
    """
    return default_analyzer().analyze(text)
