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
from .validation import TEXT_FIELDS, build_document

__all__ = ["parse_csv", "parse_json_array", "parse_jsonl", "parse_text"]

#: What every parser yields: a document, or the error of a record it skipped.
Item: TypeAlias = Document | DocumentError

_EMPTY = "empty file"
_MARKDOWN_CLOSING = re.compile(r"\s+#+$")


def parse_text(lines: Iterable[str], path: str, doc_id: str, *, markdown: bool) -> Iterator[Item]:
    """One article per file: the first non-blank line is the title, the rest the text.

    In Markdown the title's ``#`` marks (leading, and closing ones) are dropped.

    >>> [doc.title for doc in parse_text(["# عنوان\\n", "نص\\n"], "a.md", "a", markdown=True)]
    ['عنوان']
    """
    content = "".join(lines).replace("\r\n", "\n").replace("\r", "\n")
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
    """One JSON object per line; blank lines are skipped, ``line`` is 1-based."""
    empty = True
    for number, row in enumerate(lines, start=1):
        if not row.strip():
            continue
        empty = False
        try:
            record = _loads(row)
        except ValueError as err:
            yield DocumentError(path, number, f"invalid JSON: {_json_reason(err)}")
            continue
        yield _build(record, path, number)
    if empty:
        yield DocumentError(path, None, _EMPTY)


def parse_json_array(lines: Iterable[str], path: str) -> Iterator[Item]:
    """A top-level JSON array of objects, or one object; ``line`` is the 1-based record number.

    The whole file is parsed at once: use JSON Lines for large corpora.
    """
    content = "".join(lines)
    if not content.strip():
        yield DocumentError(path, None, _EMPTY)
        return
    try:
        records = _loads(content)
    except ValueError as err:
        reason = f"invalid JSON: {_json_reason(err)}"
        if isinstance(err, json.JSONDecodeError):
            reason += f" (line {err.lineno} column {err.colno})"
        yield DocumentError(path, None, reason)
        return
    if isinstance(records, dict):
        records = [records]  # one object is one document
    if not isinstance(records, list):
        kind = type(records).__name__
        yield DocumentError(path, None, f"expected a JSON array of objects, not {kind}")
        return
    for number, record in enumerate(records, start=1):
        yield _build(record, path, number)


def parse_csv(lines: Iterable[str], path: str) -> Iterator[Item]:
    """A header row naming the fields, then one record per row.

    ``line`` is the physical line where the record starts (the header is line
    1); an empty cell counts as a missing field. Blank rows are skipped.
    """
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as err:
            # The reader cannot resynchronise after a quoting error.
            raise DocumentError(path, start, f"invalid CSV: {err}") from None
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


def _check_header(header: list[str], path: str, line: int) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DocumentError(path, line, f"duplicate column {name!r} in the header")
        seen.add(name)
    if not seen.intersection(TEXT_FIELDS):
        names = ", ".join(repr(name) for name in TEXT_FIELDS)
        raise DocumentError(path, line, f"the header has no text column (one of {names})")


def _build(record: Any, path: str, line: int) -> Item:
    try:
        return build_document(record, path, line)
    except DocumentError as err:
        return err


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, and they would leak into stored records.
    raise ValueError(f"{name} is not valid JSON")


def _json_reason(err: ValueError) -> str:
    """The short message, without the position json adds to ``str(err)``."""
    return err.msg if isinstance(err, json.JSONDecodeError) else str(err)


def _loads(content: str) -> Any:
    return json.loads(content, parse_constant=_reject_constant)
