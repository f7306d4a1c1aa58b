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

import datetime
import hashlib
import math
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..errors import DocumentError
from ..models import Document

__all__ = ["TEXT_FIELDS", "build_document", "check_date", "day_first_date", "derive_id"]

#: Names accepted for the article's text, in order of preference.
TEXT_FIELDS = ("text", "body", "content")
#: Optional string fields, stored as given (stripped; empty means absent).
_METADATA = ("source", "category", "url", "author")

_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})

_ISO_DATE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?P<off_hour>[0-9]{2}):(?P<off_minute>[0-9]{2}))?)?"
)


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


def check_date(value: str) -> bool:
    """Whether ``value`` is an ISO 8601 date or date-time arsearch accepts.

    ``YYYY-MM-DD``, optionally followed by ``T`` or a space and
    ``HH:MM[:SS[.ffffff]]`` with an optional ``Z`` or ``±HH:MM`` offset.

    >>> check_date("2021-03-12"), check_date("2021-03-12T08:30:00+03:00")
    (True, True)
    >>> check_date("12/3/2021"), check_date("2021-02-30")
    (False, False)
    """
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return False
    parts = {name: int(digits) for name, digits in match.groupdict().items() if digits}
    try:
        datetime.date(parts["year"], parts["month"], parts["day"])
        datetime.time(parts.get("hour", 0), parts.get("minute", 0), parts.get("second", 0))
    except ValueError:
        return False
    return parts.get("off_hour", 0) <= 23 and parts.get("off_minute", 0) <= 59


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_COMPACT_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})?")


def day_first_date(value: str) -> str | None:
    """ISO for two common near-ISO forms, else None.

    A day-first date (DD/MM/YYYY, the usual Arabic order) and a date with a
    compact time (2017-01-22T185600) are rewritten in ISO 8601 extended form.

    >>> day_first_date("25/05/2017"), day_first_date("5.1.2020"), day_first_date("31/02/2020")
    ('2017-05-25', '2020-01-05', None)
    >>> day_first_date("2017-01-22T185600")
    '2017-01-22T18:56:00'
    """
    text = value.strip()
    compact = _COMPACT_TIME.fullmatch(text)
    if compact is not None:
        day, hour, minute, second = compact.groups()
        rewritten = f"{day}T{hour}:{minute}:{second or '00'}"
        return rewritten if check_date(rewritten) else None
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return None
    day_n, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day_n).isoformat()
    except ValueError:
        return None


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
