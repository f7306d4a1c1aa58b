"""The stored form of a document: its id, then its JSON compressed with zlib.

Every engine stores these bytes unchanged, so a document reads back the same
from any engine, and the id can be read without decompressing the rest.
"""

from __future__ import annotations

import json
import zlib

from ..models import Document

__all__ = ["pack_document", "unpack_document", "unpack_id"]

_SEPARATOR = b"\x00"
_LEVEL = 6


def pack_document(document: Document) -> bytes:
    """The bytes an engine stores for ``document``.

    >>> unpack_document(pack_document(Document("a1", "عنوان", "نص"))).title
    'عنوان'
    """
    body = json.dumps(document.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return document.id.encode("utf-8") + _SEPARATOR + zlib.compress(body.encode("utf-8"), _LEVEL)


def unpack_id(blob: bytes) -> str:
    """The id of a stored document, without decompressing it."""
    return blob.split(_SEPARATOR, 1)[0].decode("utf-8")


def unpack_document(blob: bytes) -> Document:
    """The document stored as ``blob``."""
    payload = blob.split(_SEPARATOR, 1)[1]
    return Document.from_dict(json.loads(zlib.decompress(payload)))
