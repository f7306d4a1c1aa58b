"""From a :class:`~arsearch.models.Document` to the :class:`EngineDocument` an engine indexes."""

from __future__ import annotations

import hashlib

from ..analysis import Analyzer
from ..dates import date_key
from ..engines import EngineDocument
from ..models import Document, FieldTable
from .codec import DocumentCodec

__all__ = ["EngineRow", "build_engine_document", "content_hash", "engine_row"]

#: An :class:`EngineDocument`'s fields in order: what an indexing worker sends back.
#: A plain tuple pickles in about 60% of the time of the frozen dataclass, whose
#: pickling runs its ``__getstate__`` in Python (and unpickling its ``__setstate__``).
EngineRow = tuple[str, str, str, str, str, str, bytes, dict[str, str], dict[str, int], bool]


def content_hash(encoded: bytes) -> str:
    """A short digest of a document's stored JSON; equal content, equal hash."""
    return hashlib.blake2b(encoded, digest_size=10).hexdigest()


def _joined(first: str, second: str) -> str:
    return f"{first} {second}" if first and second else first or second


def build_engine_document(
    document: Document,
    analyzer: Analyzer,
    codec: DocumentCodec,
    fields: FieldTable,
    encoded: bytes,
    digest: str,
    replaces: bool = True,
) -> EngineDocument:
    """Analyze ``document`` into the terms, values and stored bytes an engine needs."""
    return EngineDocument(*engine_row(document, analyzer, codec, fields, encoded, digest, replaces))


def engine_row(
    document: Document,
    analyzer: Analyzer,
    codec: DocumentCodec,
    fields: FieldTable,
    encoded: bytes,
    digest: str,
    replaces: bool = True,
) -> EngineRow:
    """What :func:`build_engine_document` builds, as the tuple of its fields in order."""
    title_exact, title_stem = analyzer.index_terms(document.title)
    # The body fields hold the title too, so a title word counts once in the
    # document's BM25, as Lucene's one-field set-ups do: measured on the Arabic
    # retrieval sets with news distractors (bench/relevance.py), a separately
    # boosted title field let short news titles outrank the answering paragraphs.
    # No word spans the line break between title and text, so the body's terms are
    # the title's followed by the text's: the title is analyzed once.
    text_exact, text_stem = analyzer.index_terms(document.text)
    keywords = {}
    for field in fields.keywords():
        value = document.value(field.name)
        if isinstance(value, str) and value:
            keywords[field.name] = value
    dates = {}
    for field in fields.dates():
        raw = document.value(field.name)
        key = date_key(raw) if isinstance(raw, str) else None
        if key is not None:
            dates[field.name] = key
    return (
        document.id,
        digest,
        title_exact,
        title_stem,
        _joined(title_exact, text_exact),
        _joined(title_stem, text_stem),
        codec.pack(document, encoded),
        keywords,
        dates,
        replaces,
    )
