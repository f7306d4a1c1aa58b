"""From a :class:`~arsearch.models.Document` to the :class:`EngineDocument` an engine indexes."""

from __future__ import annotations

import hashlib

from ..analysis import Analyzer
from ..dates import date_key
from ..engines import EngineDocument
from ..models import Document, FieldTable
from .codec import DocumentCodec

__all__ = ["build_engine_document", "content_hash"]


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
    return EngineDocument(
        id=document.id,
        content_hash=digest,
        replaces=replaces,
        title_exact=title_exact,
        title_stem=title_stem,
        body_exact=_joined(title_exact, text_exact),
        body_stem=_joined(title_stem, text_stem),
        stored=codec.pack(document, encoded),
        keywords=keywords,
        dates=dates,
    )
