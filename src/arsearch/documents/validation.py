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
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..dates import check_date, day_first_date
from ..errors import DocumentError
from ..models import Document

__all__ = [
    "DEFAULT_MAX_RECORD_BYTES",
    "MAX_ID_BYTES",
    "MAX_NESTING",
    "TEXT_FIELDS",
    "build_document",
    "derive_id",
    "extra_problem",
    "id_problem",
    "size_reason",
    "without_surrogates",
]

#: Names accepted for the article's text, in order of preference.
TEXT_FIELDS = ("text", "body", "content")
#: The longest document id, in bytes of UTF-8: ids go into URLs, terminals and file names.
MAX_ID_BYTES = 512
#: The deepest nesting of lists and objects in a record's fields.
MAX_NESTING = 32
#: The largest record read by default, in bytes: a JSON Lines or CSV line, a text or
#: Markdown file, one record of a JSON file (``max_record_bytes`` raises it).
DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024
#: Optional string fields, stored as given (stripped; empty means absent).
_METADATA = ("source", "category", "url", "author")

_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})
# The string fields read before and after the text field (whose name varies).
_LEADING = ("title",)
_TRAILING = ("date", *_METADATA)
# The fields that are not ``extra``, for each name the text may have.
_KNOWN = {name: frozenset({"id", "title", "date", name, *_METADATA}) for name in TEXT_FIELDS}
# C0 and C1 control characters and DEL; lone surrogates (U+D800-U+DFFF), which a JSON
# escape can produce but no UTF-8 text can hold.
_BAD_ID_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be a document id (to follow "it" or "field 'id'"), or None.

    >>> id_problem("snn-000543") is None
    True
    >>> id_problem("a\\x00b"), id_problem("x" * 600)
    ('holds a control character (U+0000)', 'is 600 bytes long; the limit is 512')
    """
    if not doc_id:
        return "is empty"
    if len(doc_id) <= MAX_ID_BYTES // 4 and doc_id.isprintable():
        return None  # the usual id, quickly: at most 4 bytes a character, no control
    bad = _BAD_ID_CHARACTER.search(doc_id)
    if bad is not None:
        return _character_problem(bad.group())
    size = len(doc_id.encode("utf-8"))
    if size > MAX_ID_BYTES:
        return f"is {size} bytes long; the limit is {MAX_ID_BYTES}"
    return None


def _character_problem(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return f"holds a lone surrogate (U+{ord(char):04X}), which is not text"
    return f"holds a control character (U+{ord(char):04X})"


def extra_problem(extra: Any) -> str | None:
    """Why a document's ``extra`` fields cannot be stored as JSON, or None.

    >>> import datetime
    >>> extra_problem({"tags": ["a"]}) is None
    True
    >>> extra_problem({"when": datetime.date(2021, 3, 5)})
    "field 'when' holds a date, which is not a JSON value"
    """
    if not isinstance(extra, Mapping):
        return f"extra must be a mapping, not {type(extra).__name__}"
    for name, value in extra.items():
        if not isinstance(name, str):
            return f"extra field names must be strings, not {type(name).__name__}"
        # Nesting first: it bounds the walk below, even through a list that holds itself.
        problem = _nested_problem(name, value, True)
        if problem is not None:
            return problem
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                if not all(isinstance(key, str) for key in item):
                    return f"field '{name}' holds an object whose keys are not all strings"
                stack.extend(item.values())
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
            elif item is not None and not isinstance(item, (str, int, float)):
                return f"field '{name}' holds a {type(item).__name__}, which is not a JSON value"
    return None


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD.

    A lone surrogate is a str that is not text (a JSON escape, or an undecodable byte
    of a command line, can make one): no index term and no UTF-8 output can hold it.

    >>> without_surrogates("ب\\udcff")
    'ب\ufffd'
    """
    return text if text.isprintable() else _SURROGATE.sub("\ufffd", text)


def size_reason(what: str, limit: int) -> str:
    """The reason given for a record over the size limit.

    >>> size_reason("record", 4 * 1024 * 1024)
    'record is over the size limit (4 MiB)'
    """
    shown = f"{limit / 1024 / 1024:g} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return f"{what} is over the size limit ({shown})"


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


def build_document(record: Any, path: str, line: int | None, *, escapes: bool = True) -> Document:
    """Validate one record and build its document.

    ``text`` (or ``body``, or ``content``) is required and must not be blank;
    ``id`` may be a string or a number and is derived with :func:`derive_id`
    when missing; an id must not be empty, hold control characters or be longer
    than :data:`MAX_ID_BYTES`; ``title`` and the metadata must be strings; ``date`` must
    pass :func:`check_date` or be a day-first date (``25/05/2017``), which is
    stored as ISO (``2017-05-25``). A null or blank value counts as missing. Other
    fields go, unchanged, to ``Document.extra``, nested at most :data:`MAX_NESTING`
    levels deep. No string may hold a lone surrogate (``"\\ud800"`` in JSON); readers
    pass ``escapes=False`` when the record's source has no such escape, which saves
    looking. Raises :class:`DocumentError` at ``path:line`` with the reason otherwise.
    """
    if not isinstance(record, Mapping):
        raise DocumentError(path, line, f"record must be a JSON object, not {_kind(record)}")
    get = record.get
    text_field = (
        "text"
        if get("text") is not None
        else next((name for name in TEXT_FIELDS if get(name) is not None), "text")
    )
    raw_id = get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float, type(None))):
        raise DocumentError(
            path, line, f"field 'id' must be a string or a number, not {_kind(raw_id)}"
        )
    if isinstance(raw_id, float) and not math.isfinite(raw_id):
        raise DocumentError(path, line, f"field 'id' must be a finite number, not {raw_id!r}")
    # Each string field in this order, so a record with several problems reports the first.
    names = (*_LEADING, text_field, *_TRAILING)
    values = [_string(record, name, path, line) for name in names]
    title, text, date, source, category, url, author = values
    title = title or ""
    text = text or ""
    if date is not None and not check_date(date):
        date = day_first_date(date)
        if date is None:
            raise DocumentError(
                path, line, f"field 'date' is not an ISO 8601 date: {record['date'].strip()!r}"
            )
    if not text:
        raise DocumentError(path, line, "no text")
    known = _KNOWN[text_field]
    extra = {
        key: value
        for key, value in record.items()
        if key not in known and not (key in TEXT_FIELDS and value is None)
    }
    doc_id = _id_string(raw_id) or derive_id(title, text)
    problem = id_problem(doc_id)
    if problem is not None:
        raise DocumentError(path, line, f"field 'id' {problem}")
    if escapes:
        for name, value in zip(names, values, strict=True):
            bad = _SURROGATE.search(value) if value is not None else None
            if bad is not None:
                raise DocumentError(path, line, f"field '{name}' {_character_problem(bad.group())}")
    for name, value in extra.items():
        if escapes or isinstance(value, (list, dict)):
            problem = _nested_problem(name, value, escapes)
            if problem is not None:
                raise DocumentError(path, line, problem)
    return Document(
        id=doc_id,
        title=title,
        text=text,
        date=date,
        source=source,
        category=category,
        url=url,
        author=author,
        extra=MappingProxyType(extra) if extra else _NO_EXTRA,
    )


def _nested_problem(name: str, value: Any, escapes: bool) -> str | None:
    """Why the extra field ``name`` cannot be stored (nesting, lone surrogates), or None."""
    shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
    stack: list[tuple[Any, int]] = [(name, 1), (value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            bad = _SURROGATE.search(item) if escapes else None
            if bad is not None:
                return f"field '{shown}' {_character_problem(bad.group())}"
        elif isinstance(item, (list, tuple, Mapping)):
            if depth > MAX_NESTING:
                return f"field '{shown}' is nested more than {MAX_NESTING} levels deep"
            children = [*item.values(), *item] if isinstance(item, Mapping) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def _string(record: Mapping[str, Any], name: str, path: str, line: int | None) -> str | None:
    value = record.get(name)
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if not isinstance(value, str):
        raise DocumentError(path, line, f"field '{name}' must be a string, not {_kind(value)}")
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
