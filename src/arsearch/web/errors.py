"""One JSON error shape for the API, one friendly page for people, one place that maps errors.

Every ``/api`` error is ``{"error": {"code": str, "message": str}}``, built by
:func:`error_body`. The library's messages are already the sentences a user should
read; anything unexpected becomes a generic 500 whose traceback goes to the log only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import (
    ArsearchError,
    DocumentError,
    DocumentNotFoundError,
    IndexLockedError,
    NoIndexError,
    QueryTooComplexError,
    QueryTooLongError,
    ShardUnavailableError,
    UsageError,
)
from .state import current_holder

__all__ = [
    "INTERNAL_MESSAGE",
    "JSON_ENDPOINTS",
    "ForbiddenError",
    "Problem",
    "UnauthorizedError",
    "describe",
    "error_body",
    "handle_error",
    "json_response",
    "wants_json",
]

INTERNAL_MESSAGE = "Internal server error. The details are in the server's log."


class UnauthorizedError(ArsearchError):
    """A write without a valid API key (HTTP 401)."""


class ForbiddenError(ArsearchError):
    """A write to a server whose writes are off (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """What went wrong, for a response: the HTTP status, a stable code and a sentence."""

    status: int
    code: str
    message: str


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of every API error.

    >>> error_body("not_found", "No document with id 'x'.")
    {'error': {'code': 'not_found', 'message': "No document with id 'x'."}}
    """
    return {"error": {"code": code, "message": message}}


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as UTF-8 JSON, Arabic left readable (not ``\\u`` escapes)."""
    return Response(
        json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json"
    )


def describe(error: Exception) -> Problem:
    """Map any exception to its status, code and message: the one place that does."""
    if isinstance(error, NoIndexError):
        return Problem(503, "no_index", error.for_cli())
    if isinstance(error, ShardUnavailableError):
        return Problem(503, "shard_unavailable", error.for_cli())
    if isinstance(error, QueryTooLongError):
        return Problem(400, "query_too_long", error.for_cli())
    if isinstance(error, QueryTooComplexError):
        return Problem(400, "query_too_complex", error.for_cli())
    if isinstance(error, UsageError):
        return Problem(400, "bad_parameter", error.for_cli())
    if isinstance(error, DocumentNotFoundError):
        return Problem(404, "not_found", error.for_cli())
    if isinstance(error, DocumentError):
        where = f"{error.line}: " if error.line is not None else ""
        return Problem(400, "bad_document", where + error.reason)
    if isinstance(error, UnauthorizedError):
        return Problem(401, "unauthorized", error.for_cli())
    if isinstance(error, ForbiddenError):
        return Problem(403, "writes_disabled", error.for_cli())
    if isinstance(error, IndexLockedError):
        return Problem(409, "index_locked", error.for_cli())
    if isinstance(error, HTTPException):
        status = error.code or 500
        if status == 404:
            return Problem(404, "not_found", f"Nothing at {request.path}.")
        if status == 405:
            return Problem(405, "method_not_allowed", f"{request.method} is not allowed here.")
        if status == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            return Problem(
                413,
                "payload_too_large",
                f"The request body is over the limit of {limit:,} bytes; send the documents "
                "in smaller batches.",
            )
        if status >= 500:
            return Problem(status, "internal_error", INTERNAL_MESSAGE)
        code = (error.name or "error").lower().replace(" ", "_")
        return Problem(status, code, error.description or str(error.name))
    return Problem(500, "internal_error", INTERNAL_MESSAGE)


#: Endpoints (of the blueprint, without its name) that answer in JSON.
JSON_ENDPOINTS = frozenset(
    {
        "api_search",
        "api_suggest",
        "api_doc",
        "api_stats",
        "api_openapi",
        "api_add",
        "api_delete",
        "healthz",
    }
)


def wants_json() -> bool:
    """Whether the current request is for the JSON API (errors then use the JSON shape)."""
    endpoint = request.endpoint
    if endpoint is not None:
        return endpoint.rpartition(".")[2] in JSON_ENDPOINTS
    # Unrouted (404, 405): judge by the path below the app's root.
    return request.path.startswith("/api/") or request.path == "/api"


def handle_error(error: Exception) -> Response:
    """The error handler of the blueprint and the app: JSON for the API, a page otherwise."""
    problem = describe(error)
    if problem.status >= 500 and problem.code == "internal_error":
        current_app.logger.error(
            "Unhandled error on %s %s", request.method, request.path, exc_info=error
        )
    if wants_json():
        response = json_response(error_body(problem.code, problem.message), problem.status)
    else:
        index_path = current_holder().path if problem.code == "no_index" else None
        doc_id = error.doc_id if isinstance(error, DocumentNotFoundError) else None
        page = render_template(
            "arsearch/error.html",
            problem=problem,
            query="",
            index_path=index_path,
            doc_id=doc_id,
        )
        response = Response(page, status=problem.status, mimetype="text/html")
    if isinstance(error, HTTPException) and error.code == 405:
        # RFC 9110: a 405 names the methods the resource takes.
        allowed = dict(error.get_headers()).get("Allow")
        if allowed:
            response.headers["Allow"] = allowed
    if problem.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="arsearch"'
    return response
