"""The JSON API: the same data as ``arsearch query --json`` and ``arsearch stats --json``."""

from __future__ import annotations

from flask import Response, request

from ..errors import NoIndexError
from .errors import json_response
from .params import query_arg, read_search, whole_number
from .state import get_searcher

__all__ = ["api_doc", "api_search", "api_stats", "api_suggest", "healthz"]

#: Suggestions when the request names no ``limit`` (the library allows 1 to 50).
DEFAULT_SUGGESTIONS = 8


def api_search() -> Response:
    """``GET /api/search?q=&page=&limit=&sort=&category=&source=``: ``Results.to_dict()``."""
    searcher = get_searcher()
    results = read_search(request.args, searcher.fields).run(searcher)
    return json_response(results.to_dict())


def api_suggest() -> Response:
    """``GET /api/suggest?q=``: completions of the last word of ``q``."""
    query = query_arg(request.args)
    limit = whole_number(request.args, "limit", DEFAULT_SUGGESTIONS)
    suggestions = get_searcher().suggest(query, limit=limit)
    return json_response({"query": query, "suggestions": suggestions})


def api_doc(doc_id: str) -> Response:
    """``GET /api/doc/<id>``: the stored document."""
    document = get_searcher().get(doc_id)
    return json_response(document.to_dict())


def api_stats() -> Response:
    """``GET /api/stats``: ``IndexStats.to_dict()``."""
    stats = get_searcher().stats()
    return json_response(stats.to_dict())


def healthz() -> Response:
    """``GET /healthz``: ``{"status": "ok", "documents": n}``, or 503 while there is no index."""
    try:
        documents = len(get_searcher())
    except NoIndexError as error:
        return json_response(
            {"status": "no_index", "documents": 0, "message": error.for_cli()}, 503
        )
    return json_response({"status": "ok", "documents": documents})
