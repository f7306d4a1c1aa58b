"""Parsers for each file format, from decoded lines to documents or errors.

Each parser yields a :class:`Document` per good record and a
:class:`DocumentError` per bad one, so the caller decides whether to stop;
a problem with the whole file is raised instead.

>>> docs = list(parse_jsonl(['{"id": "1", "text": "نص"}\\n', "\\n", "{oops\\n"], "a.jsonl"))
>>> docs[0].text, str(docs[1])
('نص', 'a.jsonl:3: invalid JSON: Expecting property name enclosed in double quotes')
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeAlias

from ..errors import DocumentError
from ..models import Document
from .decoding import OverlongLine
from .validation import (
    DEFAULT_MAX_RECORD_BYTES,
    MAX_NESTING,
    TEXT_FIELDS,
    build_document,
    size_reason,
)

__all__ = ["parse_csv", "parse_json", "parse_jsonl", "parse_text"]

#: What every parser yields: a document, or the error of a record it skipped.
Item: TypeAlias = Document | DocumentError

_EMPTY = "empty file"
#: How every JSON syntax error's reason begins (a body read ``whole`` looks for it).
_INVALID_JSON = "invalid JSON"
_MARKDOWN_CLOSING = re.compile(r"\s+#+$")
# A JSON escape that may decode to a lone surrogate: only then are strings searched for one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_NESTED_TOO_DEEP = f"record is nested more than {MAX_NESTING} levels deep"


def parse_text(
    lines: Iterable[str],
    path: str,
    doc_id: str,
    *,
    markdown: bool,
    max_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Item]:
    """One article per file: the first non-blank line is the title, the rest the text.

    In Markdown the title's ``#`` marks (leading, and closing ones) are dropped. A file
    over ``max_bytes`` (counted as UTF-8) is an error.

    >>> [doc.title for doc in parse_text(["# عنوان\\n", "نص\\n"], "a.md", "a", markdown=True)]
    ['عنوان']
    """
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line.encode("utf-8", "surrogatepass"))
        if isinstance(line, OverlongLine) or size > max_bytes:
            yield DocumentError(path, None, size_reason("file", max_bytes))
            return
        kept.append(line)
    content = "".join(kept).replace("\r\n", "\n").replace("\r", "\n")
    rows = content.split("\n")
    start = next((number for number, row in enumerate(rows) if row.strip()), None)
    if start is None:
        yield DocumentError(path, None, _EMPTY)
        return
    title = rows[start].strip()
    if markdown:
        title = _MARKDOWN_CLOSING.sub("", title.lstrip("#")).strip()
    text = "\n".join(rows[start + 1 :]).strip()
    if not text:
        yield DocumentError(path, None, "no text")
        return
    yield Document(id=doc_id, title=title, text=text)


def parse_jsonl(lines: Iterable[str], path: str) -> Iterator[Item]:
    """One JSON object per line; blank lines are skipped, ``line`` is 1-based.

    An :class:`OverlongLine` (a line over the size bound, skipped unread) is an error.
    """
    empty = True
    for number, row in enumerate(lines, start=1):
        if isinstance(row, OverlongLine):
            empty = False
            yield DocumentError(path, number, size_reason("record", row.limit))
            continue
        if not row or row.isspace():  # blank: what strip() empties, without copying the line
            continue
        empty = False
        try:
            record = _loads(row)
        except ValueError as err:
            yield DocumentError(path, number, f"{_INVALID_JSON}: {_json_reason(err)}")
            continue
        except RecursionError:
            yield DocumentError(path, number, _NESTED_TOO_DEEP)
            continue
        yield _build(record, path, number, _may_hold_surrogates(row))
    if empty:
        yield DocumentError(path, None, _EMPTY)


def parse_json(
    lines: Iterable[str],
    path: str,
    *,
    max_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    whole: bool = False,
) -> Iterator[Item]:
    """One JSON object (one document), or an array of objects (one document each).

    In an array, ``line`` is the 1-based record number. The file is read whole (use
    JSON Lines for large corpora), but its records are decoded one at a time, so those
    before a syntax error are kept; a record (or a lone object) over ``max_bytes``
    characters is an error. With ``whole`` (an HTTP request's body, taken or refused
    as one), a syntax error anywhere is the one error of the whole text.
    """
    content = "".join(lines)
    start = _skip_space(content, 0)
    if start == len(content):
        yield DocumentError(path, None, _EMPTY)
        return
    escapes = _may_hold_surrogates(content)
    if content[start] == "[":
        records = _json_records(content, start + 1, path, max_bytes, escapes)
        if not whole:
            yield from records
            return
        items = list(records)
        broken = [
            item
            for item in items
            if isinstance(item, DocumentError) and item.reason.startswith(_INVALID_JSON)
        ]
        yield from [DocumentError(path, None, broken[0].reason)] if broken else items
        return
    try:
        record = _loads(content)
    except (ValueError, RecursionError) as err:
        yield DocumentError(path, None, _whole_json_reason(err))
        return
    if not isinstance(record, dict):
        kind = type(record).__name__
        yield DocumentError(
            path, None, f"expected a JSON object or an array of objects, not {kind}"
        )
        return
    if len(content) > max_bytes:
        yield DocumentError(path, None, size_reason("record", max_bytes))
        return
    yield _build(record, path, None, escapes)


def _json_records(
    content: str, at: int, path: str, max_bytes: int, escapes: bool
) -> Iterator[Item]:
    """The records of the array that opens before ``at``, one at a time."""
    number = 0
    at = _skip_space(content, at)
    if content.startswith("]", at):
        at = _skip_space(content, at + 1)
    else:
        while True:
            number += 1
            try:
                record, end = _DECODER.raw_decode(content, at)
            except (ValueError, RecursionError) as err:
                yield DocumentError(path, number, _whole_json_reason(err))
                return
            if end - at > max_bytes:
                yield DocumentError(path, number, size_reason("record", max_bytes))
            else:
                yield _build(record, path, number, escapes)
            at = _skip_space(content, end)
            if content.startswith(",", at):
                at = _skip_space(content, at + 1)
                continue
            if content.startswith("]", at):
                at = _skip_space(content, at + 1)
                break
            yield DocumentError(path, number + 1, _located("Expecting ',' delimiter", content, at))
            return
    if at < len(content):
        yield DocumentError(path, None, _located("Extra data", content, at))


def _skip_space(content: str, at: int) -> int:
    """Where the JSON whitespace at ``at`` ends."""
    return _JSON_SPACE.match(content, at).end()  # type: ignore[union-attr]  # always matches


def _located(message: str, content: str, at: int) -> str:
    line = content.count("\n", 0, at) + 1
    column = at - content.rfind("\n", 0, at)
    return f"{_INVALID_JSON}: {message} (line {line} column {column})"


def _whole_json_reason(err: ValueError | RecursionError) -> str:
    if isinstance(err, RecursionError):
        return _NESTED_TOO_DEEP
    reason = f"{_INVALID_JSON}: {_json_reason(err)}"
    if isinstance(err, json.JSONDecodeError):
        reason += f" (line {err.lineno} column {err.colno})"
    return reason


def _may_hold_surrogates(raw: str) -> bool:
    return "\\u" in raw and _SURROGATE_ESCAPE.search(raw) is not None


def parse_csv(
    lines: Iterable[str], path: str, *, max_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[Item]:
    """A header row naming the fields, then one record per row.

    ``line`` is the physical line where the record starts (the header is line
    1); an empty cell counts as a missing field. Blank rows are skipped. A line
    over the size bound stops the file (the CSV reader cannot resynchronise); so
    that a cell may be as large as a record, Python's ``csv.field_size_limit`` is
    raised to ``max_bytes`` when it is lower.
    """
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(max_bytes)
    reader = csv.reader(_bounded(lines), strict=True)
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as err:
            # The reader cannot resynchronise after a quoting error.
            raise DocumentError(path, start, f"invalid CSV: {err}") from None
        except _OverlongRow as err:
            # Nor after a line it did not read.
            raise DocumentError(path, err.line, size_reason("record", err.limit)) from None
        if row is None:
            break
        if not row:
            continue
        if header is None:
            header = [name.strip() for name in row]
            _check_header(header, path, start)
            continue
        if len(row) != len(header):
            reason = f"record has {len(row)} fields, the header has {len(header)}"
            yield DocumentError(path, start, reason)
            continue
        record = {name: cell for name, cell in zip(header, row, strict=True) if cell.strip()}
        yield _build(record, path, start)
    if header is None:
        yield DocumentError(path, None, _EMPTY)


class _OverlongRow(Exception):
    def __init__(self, line: int, limit: int) -> None:
        super().__init__(line, limit)
        self.line = line
        self.limit = limit


def _bounded(lines: Iterable[str]) -> Iterator[str]:
    """``lines``, stopping at an :class:`OverlongLine` (the CSV reader cannot skip it)."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, OverlongLine):
            raise _OverlongRow(number, line.limit)
        yield line


def _check_header(header: list[str], path: str, line: int) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DocumentError(path, line, f"duplicate column {name!r} in the header")
        seen.add(name)
    if not seen.intersection(TEXT_FIELDS):
        names = ", ".join(repr(name) for name in TEXT_FIELDS)
        raise DocumentError(path, line, f"the header has no text column (one of {names})")


def _build(record: Any, path: str, line: int | None, escapes: bool = False) -> Item:
    try:
        return build_document(record, path, line, escapes=escapes)
    except DocumentError as err:
        return err


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, and they would leak into stored records.
    raise ValueError(f"{name} is not valid JSON")


def _json_reason(err: ValueError) -> str:
    """The short message, without the position json adds to ``str(err)``."""
    return err.msg if isinstance(err, json.JSONDecodeError) else str(err)


# One decoder for every record (json.loads with an argument builds one per call); like
# json's own default decoder, it holds no state between calls.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _loads(content: str) -> Any:
    # Nesting deeper than the interpreter's recursion limit raises RecursionError.
    if content.startswith("\ufeff"):
        return json.loads(content)  # for json's own error about the byte order mark
    return _DECODER.decode(content)
