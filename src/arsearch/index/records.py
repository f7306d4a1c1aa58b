"""From a :class:`~arsearch.models.Document` to an engine :class:`Record`."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timezone

from ..analysis import Analyzer
from ..engines.base import Record
from ..engines.records import DocumentCodec
from ..errors import UsageError
from ..models import Document

__all__ = ["content_hash", "date_bounds", "date_key", "make_record"]


def content_hash(encoded: bytes) -> str:
    """A short digest of a document's stored JSON; equal content, equal hash."""
    return hashlib.blake2b(encoded, digest_size=10).hexdigest()


def _parse(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.combine(date.fromisoformat(text), time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def date_key(value: str | None) -> int | None:
    """Seconds since 1970 (UTC) of an ISO 8601 date or date-time; None stays None.

    >>> date_key("1970-01-02")
    86400
    """
    if value is None or not value.strip():
        return None
    try:
        return int(_parse(value).timestamp())
    except ValueError:
        raise UsageError(f"'{value}' is not an ISO 8601 date (YYYY-MM-DD).") from None


def date_bounds(date_from: str | None, date_to: str | None) -> tuple[int | None, int | None]:
    """An inclusive range of date keys covering whole days."""
    low = date_key(date_from)
    high = date_key(date_to)
    if high is not None and date_to is not None and len(date_to.strip()) <= 10:
        high += 86_399
    return low, high


def make_record(
    document: Document,
    analyzer: Analyzer,
    codec: DocumentCodec,
    encoded: bytes,
    digest: str,
    replaces: bool = True,
) -> Record:
    """Analyze ``document`` into the terms and stored bytes an engine needs."""
    title_exact, title_stem = analyzer.index_terms(document.title)
    # The body fields hold the title too, so a title word counts once in the
    # document's BM25, as Lucene's one-field set-ups do: measured on the Arabic
    # retrieval sets with news distractors (bench/relevance.py), a separately
    # boosted title field let short news titles outrank the answering paragraphs.
    body_exact, body_stem = analyzer.index_terms(f"{document.title}\n{document.text}")
    return Record(
        id=document.id,
        content_hash=digest,
        replaces=replaces,
        title_exact=title_exact,
        title_stem=title_stem,
        body_exact=body_exact,
        body_stem=body_stem,
        stored=codec.pack(document, encoded),
        date_key=date_key(document.date),
        source=document.source,
        category=document.category,
    )
