"""One commit of an index and everything needed to read it, fixed when it is made.

A :class:`Snapshot` owns an engine reader of one commit, the stored-text codec of
that reader's generation, its index options and, built on first use, the spelling
vocabulary, the word usage (how words are written, what follows them) and the
name-spelling pairs of that commit. Nothing in it changes after it is made, so
every call reads one commit and decodes it with the matching codec. Whoever uses
a snapshot claims it first and releases it after; its reader is closed when the
last claim is released, never under a caller.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..analysis import Analyzer
from ..engines import EngineReader
from ..models import FieldTable
from .codec import DocumentCodec
from .layout import Marker
from .options import IndexOptions
from .spelling import Vocabulary
from .usage import WordUsage
from .variants import SpellingPairs

__all__ = ["Snapshot"]


class Snapshot:
    """The reader, codec, vocabulary and word usage of one commit (see the module's docstring)."""

    __slots__ = (
        "_claims",
        "_lock",
        "_spellings",
        "_usage",
        "_vocabulary",
        "analyzer",
        "codec",
        "engine",
        "fields",
        "marker",
        "options",
        "reader",
        "root",
        "shown",
        "stamp",
    )

    def __init__(
        self,
        *,
        reader: EngineReader,
        codec: DocumentCodec,
        analyzer: Analyzer,
        fields: FieldTable,
        engine: str,
        marker: Marker,
        root: Path,
        shown: str,
        stamp: object,
        options: IndexOptions | None = None,
    ) -> None:
        """Made by :class:`~arsearch.index.Index`; holds one claim, its maker's."""
        self.reader = reader
        self.codec = codec
        self.analyzer = analyzer
        self.fields = fields
        self.engine = engine
        self.marker = marker
        self.root = root
        self.shown = shown
        #: What the index's state was when this snapshot was made (compared to see a newer one).
        self.stamp = stamp
        # None: options not given, as for an index made before they existed.
        self.options = options or IndexOptions.from_config({})
        self._lock = threading.Lock()
        self._claims = 1
        self._vocabulary: Vocabulary | None = None
        self._usage: WordUsage | None = None
        self._spellings: SpellingPairs | None = None

    def claim(self) -> bool:
        """Take a claim; False when the snapshot was already closed (take a newer one)."""
        with self._lock:
            if self._claims <= 0:
                return False
            self._claims += 1
            return True

    def release(self) -> None:
        """Give a claim back; the last one closes the reader."""
        with self._lock:
            self._claims -= 1
            last = self._claims == 0
        if last:
            self.reader.close()

    def usage(self) -> WordUsage:
        """How this commit's documents write words and which words follow which."""
        usage = self._usage
        if usage is None:
            with self._lock:
                if self._usage is None:
                    self._usage = WordUsage.of(self.reader, self.codec, self.analyzer)
                usage = self._usage
        return usage

    def vocabulary(self) -> Vocabulary:
        """The frequent words of this commit, for "did you mean" and fuzzy terms."""
        vocabulary = self._vocabulary
        if vocabulary is None:
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = Vocabulary.of(self.reader)
                vocabulary = self._vocabulary
        return vocabulary

    def spellings(self) -> SpellingPairs:
        """The name-spelling pairs of this commit's generation (none unless the index was
        created with ``spellings=``), read on first use."""
        spellings = self._spellings
        if spellings is None:
            with self._lock:
                if self._spellings is None:
                    self._spellings = SpellingPairs.read(self.root / self.marker.generation)
                spellings = self._spellings
        return spellings
