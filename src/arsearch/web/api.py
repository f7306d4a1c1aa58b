"""The JSON API: the same data as ``arsearch query --json`` and ``arsearch stats --json``.

Every endpoint refuses parameters it does not know (400 ``bad_parameter``), so
a misspelt filter is never silently ignored.
"""

from __future__ import annotations

from flask import Response, request, url_for

from ..errors import NoIndexError
from ..models import FIELDS, FieldTable
from .errors import json_response
from .openapi import describe_api
from .params import (
    SUGGEST_PARAMETERS,
    check_known,
    query_arg,
    read_search,
    search_parameters,
    whole_number,
)
from .state import get_searcher

__all__ = [
    "api_description",
    "api_doc",
    "api_openapi",
    "api_search",
    "api_stats",
    "api_suggest",
    "healthz",
]

#: Suggestions when the request names no ``limit`` (the library allows 1 to 50).
DEFAULT_SUGGESTIONS = 8


def api_search() -> Response:
    """``GET /api/search?q=&page=&limit=&sort=&category=&source=&date_from=&date_to=``."""
    searcher = get_searcher()
    check_known(request.args, search_parameters(searcher.fields))
    results = read_search(request.args, searcher.fields).run(searcher)
    return json_response(results.to_dict())


def api_suggest() -> Response:
    """``GET /api/suggest?q=``: completions of the last word of ``q``."""
    check_known(request.args, SUGGEST_PARAMETERS)
    query = query_arg(request.args)
    limit = whole_number(request.args, "limit", DEFAULT_SUGGESTIONS)
    suggestions = get_searcher().suggest(query, limit=limit)
    return json_response({"query": query, "suggestions": suggestions})


def api_doc(doc_id: str) -> Response:
    """``GET /api/doc/<id>``: the stored document."""
    check_known(request.args, ())
    document = get_searcher().get(doc_id)
    return json_response(document.to_dict())


def api_stats() -> Response:
    """``GET /api/stats``: ``IndexStats.to_dict()``."""
    check_known(request.args, ())
    stats = get_searcher().stats()
    return json_response(stats.to_dict())


def api_description() -> dict[str, object]:
    """The OpenAPI description of this app's API (the default fields while there is no index)."""
    fields: FieldTable
    try:
        fields = get_searcher().fields
    except NoIndexError:
        fields = FIELDS
    return describe_api(fields, server=url_for("arsearch.search").rstrip("/") or "/")


def api_openapi() -> Response:
    """``GET /api/openapi.json``: the OpenAPI 3.1 description."""
    check_known(request.args, ())
    return json_response(api_description())


def healthz() -> Response:
    """``GET /healthz``: ``{"status": "ok", "documents": n}``, or 503 while there is no index."""
    check_known(request.args, ())
    try:
        documents = len(get_searcher())
    except NoIndexError as error:
        return json_response(
            {"status": "no_index", "documents": 0, "message": error.for_cli()}, 503
        )
    return json_response({"status": "ok", "documents": documents})
