"""Validating one input record (a JSON object or a CSV row) into a :class:`Document`.

>>> doc = build_document({"id": 7, "title": "القاهرة", "text": " عاصمة مصر. "}, "a.jsonl", 1)
>>> doc.id, doc.title, doc.text
('7', 'القاهرة', 'عاصمة مصر.')
>>> build_document({"title": ["القاهرة"], "text": "نص"}, "a.jsonl", 3)
Traceback (most recent call last):
  ...
arsearch.errors.DocumentError: a.jsonl:3: field 'title' must be a string, not list
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..dates import check_date, day_first_date
from ..errors import DocumentError
from ..models import Document

__all__ = ["TEXT_FIELDS", "build_document", "derive_id"]

#: Names accepted for the article's text, in order of preference.
TEXT_FIELDS = ("text", "body", "content")
#: Optional string fields, stored as given (stripped; empty means absent).
_METADATA = ("source", "category", "url", "author")

_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


def derive_id(title: str, text: str) -> str:
    """The id of a record that has none: a digest of its content.

    ``"sha1:"`` followed by the first 16 hex digits of the SHA-1 of the UTF-8
    bytes of ``title + "\\n" + text`` (both stripped), so re-reading the same
    record gives the same id and an edited record a new one.

    >>> derive_id("عنوان", "نص")
    'sha1:c6ab945a2130f93f'
    """
    content = f"{title}\n{text}".encode()
    return "sha1:" + hashlib.sha1(content, usedforsecurity=False).hexdigest()[:16]


def build_document(record: Any, path: str, line: int | None) -> Document:
    """Validate one record and build its document.

    ``text`` (or ``body``, or ``content``) is required and must not be blank;
    ``id`` may be a string or a number and is derived with :func:`derive_id`
    when missing; ``title`` and the metadata must be strings; ``date`` must
    pass :func:`check_date` or be a day-first date (``25/05/2017``), which is
    stored as ISO (``2017-05-25``). A null or blank value counts as missing. Other
    fields go, unchanged, to ``Document.extra``. Raises :class:`DocumentError`
    at ``path:line`` with the reason otherwise.
    """
    if not isinstance(record, Mapping):
        raise DocumentError(path, line, f"record must be a JSON object, not {_kind(record)}")

    def fail(reason: str) -> DocumentError:
        return DocumentError(path, line, reason)

    text_field = next((name for name in TEXT_FIELDS if record.get(name) is not None), "text")
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float, type(None))):
        raise fail(f"field 'id' must be a string or a number, not {_kind(raw_id)}")
    if isinstance(raw_id, float) and not math.isfinite(raw_id):
        raise fail(f"field 'id' must be a finite number, not {raw_id!r}")
    title = _string(record, "title", fail) or ""
    text = _string(record, text_field, fail) or ""
    date = _string(record, "date", fail)
    source, category, url, author = (_string(record, name, fail) for name in _METADATA)
    if date is not None and not check_date(date):
        date = day_first_date(date)
        if date is None:
            raise fail(f"field 'date' is not an ISO 8601 date: {record['date'].strip()!r}")
    if not text:
        raise fail("no text")
    known = {"id", "title", "date", text_field, *_METADATA}
    extra = {
        key: value
        for key, value in record.items()
        if key not in known and not (key in TEXT_FIELDS and value is None)
    }
    return Document(
        id=_id_string(raw_id) or derive_id(title, text),
        title=title,
        text=text,
        date=date,
        source=source,
        category=category,
        url=url,
        author=author,
        extra=MappingProxyType(extra) if extra else _NO_EXTRA,
    )


def _string(
    record: Mapping[str, Any], name: str, fail: Callable[[str], DocumentError]
) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(f"field '{name}' must be a string, not {_kind(value)}")
    return value.strip() or None


def _id_string(value: str | float | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def _kind(value: object) -> str:
    """The Python type name used in messages: ``list``, ``dict``, ``int``..."""
    return type(value).__name__
