"""Writes over HTTP: ``POST /api/documents`` and ``DELETE /api/documents/<id>``.

Both go through the library as ``arsearch index`` and ``arsearch delete`` do: the
body is read by :func:`arsearch.documents.read_stream` (the checks of a ``.jsonl``
or ``.json`` file, each bad record a ``line: reason``), and written by an
:class:`~arsearch.Index` opened for the request, committed, and closed, so the
writer lock is held only while a request writes. Both need an API key
(:func:`~arsearch.web.access.require_key`).
"""

from __future__ import annotations

import io
import threading
from typing import Any

from flask import Response, request
from werkzeug.exceptions import UnsupportedMediaType

from ..documents import read_stream
from ..errors import DocumentError, DocumentNotFoundError, UsageError
from ..index import Index
from .access import require_key
from .errors import json_response
from .params import check_known
from .state import current_holder

__all__ = ["MEDIA_TYPES", "api_add", "api_delete"]

#: The request bodies ``POST /api/documents`` reads, by media type.
MEDIA_TYPES = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
}
#: What stands for the file in a bad record's ``line: reason``.
BODY_NAME = "body"

# One writing Index per process at a time: a second one in the same process is
# refused by the writer lock, so requests that write wait for each other here.
_WRITING = threading.Lock()


def _strict(args: Any) -> bool:
    raw = args.get("strict", "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise UsageError(f"strict must be true or false, not '{raw[:40]}'.")


def api_add() -> Response:
    """``POST /api/documents``: add or replace documents; unchanged ones are skipped.

    Bad records are listed in ``skipped`` and the rest is indexed, as by
    ``arsearch index``; with ``strict=true`` the first bad record is a 400 and
    nothing is committed.
    """
    check_known(request.args, ("strict",))
    require_key()
    strict = _strict(request.args)
    kind = MEDIA_TYPES.get(request.mimetype)
    if kind is None:
        raise UnsupportedMediaType(
            f"Send the documents as {', '.join(MEDIA_TYPES)}, not "
            f"'{(request.mimetype or 'no Content-Type')[:60]}'."
        )
    data = request.get_data(cache=False)
    if not data.strip():
        raise UsageError("The request has no body: send one or more documents.")
    body = io.BytesIO(data)
    skipped: list[dict[str, Any]] = []
    notes: list[str] = []

    def on_error(error: DocumentError) -> None:
        if strict or error.line is None:
            raise error  # the whole body is unreadable (or strict): nothing is indexed
        skipped.append({"line": error.line, "reason": error.reason})

    documents = read_stream(
        body, format=kind, name=BODY_NAME, on_error=on_error, on_notice=notes.append
    )
    with _WRITING, Index.open(current_holder().path) as writer:
        summary = writer.add(documents, batch_size=0 if strict else None)
    return json_response(
        {
            **summary.to_dict(),
            "skipped": skipped,
            "notes": [note.removeprefix(f"{BODY_NAME}: ") for note in notes],
        }
    )


def api_delete(doc_id: str) -> Response:
    """``DELETE /api/documents/<id>``: delete one document; 404 when there is none."""
    check_known(request.args, ())
    require_key()
    with _WRITING, Index.open(current_holder().path) as writer:
        if not writer.delete(doc_id):
            raise DocumentNotFoundError(doc_id)
    return json_response({"id": doc_id, "deleted": True})
