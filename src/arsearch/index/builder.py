"""From a :class:`~arsearch.models.Document` to the :class:`EngineDocument` an engine indexes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..analysis import Analyzer
from ..dates import date_key
from ..engines import EngineDocument
from ..models import Document, FieldTable
from .codec import DocumentCodec, encode_record

__all__ = ["EngineRow", "RowBuilder", "content_hash"]

#: An :class:`EngineDocument`'s fields in order: what an indexing worker sends back.
#: A plain tuple pickles in about 60% of the time of the frozen dataclass, whose
#: pickling runs its ``__getstate__`` in Python (and unpickling its ``__setstate__``).
EngineRow = tuple[str, str, str, str, str, str, bytes, dict[str, str], dict[str, int], bool]


def content_hash(encoded: bytes) -> str:
    """A short digest of a document's stored JSON; equal content, equal hash."""
    return hashlib.blake2b(encoded, digest_size=10).hexdigest()


def _joined(first: str, second: str) -> str:
    return f"{first} {second}" if first and second else first or second


class RowBuilder:
    """Analyzes documents into the terms, values and stored bytes an engine needs.

    One per process that indexes (the parent, each worker): the field table's
    keyword and date fields are looked up once, not per document.
    """

    def __init__(self, analyzer: Analyzer, codec: DocumentCodec, fields: FieldTable) -> None:
        self._analyzer = analyzer
        self._codec = codec
        self._keywords = tuple(field.name for field in fields.keywords())
        self._dates = tuple(field.name for field in fields.dates())

    def build(
        self,
        document: Document,
        encoded: bytes | None = None,
        digest: str | None = None,
        replaces: bool = True,
    ) -> EngineDocument:
        """The engine document of ``document``; see :meth:`row`."""
        return EngineDocument(*self.row(document.to_dict(), encoded, digest, replaces))

    def row(
        self,
        record: Mapping[str, Any],
        encoded: bytes | None = None,
        digest: str | None = None,
        replaces: bool = True,
    ) -> EngineRow:
        """The fields, in order, of the engine document of the document ``record`` (its
        :meth:`~arsearch.models.Document.to_dict`): what a worker sends back.

        ``encoded`` and ``digest`` (its stored JSON and content hash) are computed
        here unless the caller has them.
        """
        if encoded is None or digest is None:
            encoded = encode_record(record)
            digest = content_hash(encoded)
        analyzer = self._analyzer
        title_exact, title_stem = analyzer.index_terms(record["title"])
        # The body fields hold the title too, so a title word counts once in the
        # document's BM25, as Lucene's one-field set-ups do: measured on the Arabic
        # retrieval sets with news distractors (bench/relevance.py), a separately
        # boosted title field let short news titles outrank the answering paragraphs.
        # No word spans the line break between title and text, so the body's terms are
        # the title's followed by the text's: the title is analyzed once.
        text_exact, text_stem = analyzer.index_terms(record["text"])
        keywords = {}
        for name in self._keywords:
            value = record.get(name)
            if isinstance(value, str) and value:
                keywords[name] = value
        dates = {}
        for name in self._dates:
            raw = record.get(name)
            key = date_key(raw) if isinstance(raw, str) else None
            if key is not None:
                dates[name] = key
        return (
            record["id"],
            digest,
            title_exact,
            title_stem,
            _joined(title_exact, text_exact),
            _joined(title_stem, text_stem),
            self._codec.compress(encoded),
            keywords,
            dates,
            replaces,
        )
