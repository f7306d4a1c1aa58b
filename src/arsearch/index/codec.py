"""The stored form of a document: its JSON compressed with zstd.

Every engine stores these bytes unchanged beside the document's id, so a
document reads back the same from any engine. Short
articles compress poorly one by one, so an index may train a zstd dictionary on
its first documents (measured on news articles: 0.30 of the JSON size with a
dictionary, 0.41 without, 0.38 with zlib at level 6, and 15x faster than zlib).

Before compression the JSON is written one byte per character for ASCII and the
Arabic block U+0600-U+067F (99.8% of the characters of Arabic news), any other
character escaped: UTF-8 spends two bytes on every Arabic letter, and zstd finds
its matches byte by byte. On the news corpus this takes the stored text from 47.1
to 39.7 MB at the same level, and decompresses faster.
"""

from __future__ import annotations

import codecs
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import zstandard

from ..errors import IndexFormatError
from ..models import Document

__all__ = [
    "DICTIONARY_SIZE",
    "DocumentCodec",
    "decode_document",
    "decode_record",
    "encode_document",
    "encode_record",
    "pack_text",
    "train_dictionary",
    "unpack_text",
]

_LEVEL = 3
#: Bytes of a trained dictionary.
DICTIONARY_SIZE = 112_640
# The dictionary's segment size (k) and d-mer length (d): the pair zstd's parameter
# search picks on the news corpus, where it then trains the same dictionary in 0.18
# CPU-s instead of 0.79 for the search, while the parent does nothing else.
_SEGMENT = 1998
_DMER = 8


# A byte b below 0x80 stands for the ASCII character b, a byte from 0x80 up for
# chr(0x600 + b - 0x80); 0x01, which JSON text never holds raw (it writes control
# characters as \u0001), starts an escaped character: its UTF-8 bytes follow.
_ESCAPE = b"\x01"
_BYTE_TABLE = "".join(map(chr, range(0x80))) + "".join(map(chr, range(0x600, 0x680)))
_CHAR_TABLE = codecs.charmap_build(_BYTE_TABLE)
_ESCAPE_ERRORS = "arsearch.escape"


def _escape(error: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    return b"".join(_ESCAPE + char.encode() for char in run), error.end


codecs.register_error(_ESCAPE_ERRORS, _escape)


def pack_text(text: str) -> bytes:
    """``text`` one byte per ASCII or Arabic character, others escaped; U+0001 is refused.

    >>> pack_text("نص «1»")
    b'\\xc6\\xb5 \\x01\\xc2\\xab1\\x01\\xc2\\xbb'
    """
    if "\x01" in text:
        raise ValueError("pack_text takes text without U+0001")
    packed: bytes = codecs.charmap_encode(text, _ESCAPE_ERRORS, _CHAR_TABLE)[0]
    return packed


def unpack_text(data: bytes) -> str:
    """The inverse of :func:`pack_text`.

    >>> unpack_text(pack_text("نص «1» ڤ 😀"))
    'نص «1» ڤ 😀'
    """
    if _ESCAPE not in data:
        return codecs.charmap_decode(data, "strict", _BYTE_TABLE)[0]
    parts = []
    start = 0
    while (found := data.find(_ESCAPE, start)) >= 0:
        parts.append(codecs.charmap_decode(data[start:found], "strict", _BYTE_TABLE)[0])
        lead = data[found + 1]
        size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        parts.append(data[found + 1 : found + 1 + size].decode())
        start = found + 1 + size
    parts.append(codecs.charmap_decode(data[start:], "strict", _BYTE_TABLE)[0])
    return "".join(parts)


def encode_document(document: Document) -> bytes:
    """The document as compact JSON, packed: what is compressed, and what its hash covers."""
    return encode_record(document.to_dict())


def encode_record(record: Mapping[str, Any]) -> bytes:
    """:func:`encode_document` of the document whose :meth:`~Document.to_dict` is ``record``."""
    return pack_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


def decode_document(encoded: bytes) -> Document:
    """The inverse of :func:`encode_document`."""
    return Document.from_dict(decode_record(encoded))


def decode_record(encoded: bytes) -> dict[str, Any]:
    """The inverse of :func:`encode_record`."""
    record: dict[str, Any] = json.loads(unpack_text(encoded))
    return record


def train_dictionary(samples: Sequence[Document]) -> bytes | None:
    """A zstd dictionary trained on ``samples``, or None when they are too few to train on."""
    if len(samples) < 200:
        return None
    try:
        trained = zstandard.train_dictionary(
            DICTIONARY_SIZE, [encode_document(d) for d in samples], k=_SEGMENT, d=_DMER
        )
    except zstandard.ZstdError:
        return None
    return trained.as_bytes()


class DocumentCodec:
    """Packs documents into stored bytes and back, with an optional trained dictionary.

    >>> codec = DocumentCodec()
    >>> codec.unpack(codec.pack(Document("a1", "عنوان", "نص"))).title
    'عنوان'
    """

    def __init__(self, dictionary: bytes | None = None) -> None:
        self.dictionary = dictionary
        self._data = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        # zstd contexts are not thread-safe, and a web server searches from
        # several threads: each thread gets its own.
        self._local = threading.local()

    def _contexts(self) -> tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor]:
        contexts: tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor] | None
        contexts = getattr(self._local, "contexts", None)
        if contexts is None:
            contexts = (
                zstandard.ZstdCompressor(level=_LEVEL, dict_data=self._data),
                zstandard.ZstdDecompressor(dict_data=self._data),
            )
            self._local.contexts = contexts
        return contexts

    def pack(self, document: Document, encoded: bytes | None = None) -> bytes:
        """The bytes an engine stores for ``document`` (``encoded``: its JSON, if at hand)."""
        return self.compress(encoded or encode_document(document))

    def compress(self, encoded: bytes) -> bytes:
        """The bytes an engine stores for a document encoded as ``encoded``."""
        return self._contexts()[0].compress(encoded)

    def unpack(self, blob: bytes) -> Document:
        """The document stored as ``blob``."""
        try:
            return decode_document(self._contexts()[1].decompress(blob))
        except (zstandard.ZstdError, ValueError, TypeError, IndexError) as error:
            raise IndexFormatError(
                f"A stored document cannot be read ({error}); the index is damaged: rebuild it."
            ) from None
