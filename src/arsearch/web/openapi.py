"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Built from the index's field table, so the filters it lists are the ones the
index has; ``/api`` shows the same description to people.

>>> from arsearch.models import FIELDS
>>> description = describe_api(FIELDS, server="/")
>>> description["openapi"], sorted(description["paths"])[:3]
('3.1.0', ['/api/doc/{id}', '/api/documents', '/api/documents/{id}'])
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..index import MAX_LIMIT, MAX_SUGGESTIONS, SORT_ORDERS, filter_names
from ..models import FieldTable
from ..query import MAX_QUERY_LENGTH
from .params import DEFAULT_LIMIT
from .writes import MEDIA_TYPES

__all__ = ["describe_api"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


_NO_INDEX = _error(
    "No index yet (`no_index`): the message says how to build one; or a shard of a "
    "cluster index has no server left (`shard_unavailable`)."
)
_BAD = _error("A bad or unknown parameter (`bad_parameter`, `query_too_long`).")
_NOT_FOUND = _error("No document with this id (`not_found`).")
_WRITE_ERRORS = {
    "401": _error("No API key, or a wrong one (`unauthorized`)."),
    "403": _error("Writes are off on this server (`writes_disabled`)."),
    "409": _error("Another writer holds the index (`index_locked`): try again."),
    "503": _NO_INDEX,
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


def _search_parameters(fields: FieldTable) -> list[dict[str, Any]]:
    out = [
        _query(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
            'The query: words, "a phrase", +required -excluded, a OR b, prefix*, fuzzy~, '
            "title:word and filters such as category:X or date:2021-03.",
        ),
        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "The page, from 1."),
        _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "Hits per page.",
        ),
        _query(
            "sort",
            {"type": "string", "enum": list(SORT_ORDERS), "default": "relevance"},
            "By relevance, or newest first.",
        ),
    ]
    for name in filter_names(fields):
        if name not in fields:  # a date field's end: date_from, date_to
            field, _, end = name.rpartition("_")
            side = "on or after" if end == "from" else "on or before"
            out.append(
                _query(
                    name,
                    {"type": "string", "format": "date"},
                    f"Only documents whose {field} is {side} this day (YYYY-MM-DD).",
                )
            )
        else:
            out.append(
                _query(
                    name,
                    {"type": "array", "items": {"type": "string"}},
                    f"Only these values of {name} (repeat for any of several); the label "
                    "the page shows works too.",
                    style="form",
                    explode=True,
                )
            )
    return out


def _schemas(fields: FieldTable) -> dict[str, Any]:
    facets = {
        field.name: {"type": "object", "additionalProperties": {"type": "integer"}}
        for field in fields.facets()
    }
    text = {"type": "string"}
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {"code": text, "message": text},
                }
            },
        },
        "Hit": {
            "type": "object",
            "required": [
                "id",
                "score",
                "title",
                "title_html",
                "snippet",
                "snippet_text",
                "date",
                "source",
                "category",
                "url",
            ],
            "properties": {
                "id": text,
                "score": {"type": "number"},
                "title": {**text, "description": "Plain text."},
                "title_html": {**text, "description": "Escaped HTML, query words in <mark>."},
                "snippet": {**text, "description": "Escaped HTML, query words in <mark>."},
                "snippet_text": {**text, "description": "The snippet as plain text."},
                "date": _nullable("string"),
                "source": _nullable("string"),
                "category": _nullable("string"),
                "url": _nullable("string"),
            },
        },
        "Results": {
            "type": "object",
            "required": [
                "query",
                "total",
                "page",
                "limit",
                "took_ms",
                "did_you_mean",
                "corrected",
                "note",
                "synonyms",
                "facets",
                "hits",
            ],
            "properties": {
                "query": text,
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "limit": {"type": "integer", "minimum": 1},
                "took_ms": {"type": "number", "minimum": 0},
                "did_you_mean": _nullable(
                    "string", description="A query that would find more, or null."
                ),
                "corrected": _nullable(
                    "string",
                    description="The query the hits were found for, when words no document "
                    "holds were searched as their nearest indexed spellings; else null.",
                ),
                "note": _nullable(
                    "string", description="A sentence about the query itself, or null."
                ),
                "synonyms": {
                    "type": "array",
                    "description": "The query's words that were also searched as their "
                    "synonyms (the index's synonyms file).",
                    "items": {
                        "type": "object",
                        "required": ["words", "synonyms"],
                        "properties": {
                            "words": {**text, "description": "The query's words, as typed."},
                            "synonyms": {"type": "array", "items": text},
                        },
                    },
                },
                "facets": {
                    "type": "object",
                    "properties": facets,
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                    },
                    "description": "Counts of each facet field's values over every match, "
                    "without that field's own filter.",
                },
                "hits": {"type": "array", "items": _ref("Hit")},
            },
        },
        "Document": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": text,
                "title": text,
                "text": text,
                **{name: text for name in ("date", "source", "category", "url", "author")},
            },
            "additionalProperties": True,
            "description": "An article; other fields are stored and returned.",
        },
        "Suggestions": {
            "type": "object",
            "required": ["query", "suggestions"],
            "properties": {"query": text, "suggestions": {"type": "array", "items": text}},
        },
        "Stats": {
            "type": "object",
            "required": [
                "path",
                "documents",
                "engine",
                "analyzer",
                "format_version",
                "size_bytes",
                "last_commit",
                "options",
            ],
            "properties": {
                "path": text,
                "documents": {"type": "integer", "minimum": 0},
                "engine": text,
                "analyzer": {"type": "object"},
                "format_version": {"type": "integer"},
                "size_bytes": {"type": "integer", "minimum": 0},
                "last_commit": _nullable("string"),
                "options": {
                    "type": "object",
                    "required": ["stem_positions", "spellings"],
                    "properties": {
                        "stem_positions": {"type": "boolean"},
                        "spellings": _nullable(
                            "string", description="The name-spelling rule; null: none."
                        ),
                    },
                    "description": "The options the index was created with.",
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "documents"],
            "properties": {
                "status": {"type": "string", "enum": ["ok", "no_index"]},
                "documents": {"type": "integer", "minimum": 0},
                "message": text,
            },
        },
        "Added": {
            "type": "object",
            "required": ["added", "updated", "unchanged", "skipped", "notes"],
            "additionalProperties": False,
            "properties": {
                "added": {"type": "integer", "minimum": 0},
                "updated": {"type": "integer", "minimum": 0},
                "unchanged": {"type": "integer", "minimum": 0},
                "skipped": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["line", "reason"],
                        "additionalProperties": False,
                        "properties": {"line": {"type": "integer"}, "reason": text},
                    },
                    "description": "The bad records, not indexed: line (or record number) and why.",
                },
                "notes": {"type": "array", "items": text},
            },
        },
        "Deleted": {
            "type": "object",
            "required": ["id", "deleted"],
            "additionalProperties": False,
            "properties": {"id": text, "deleted": {"type": "boolean", "const": True}},
        },
    }


def _id_parameter() -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def describe_api(fields: FieldTable, *, server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API of an index with ``fields``, served at ``server``."""
    jsonl = {
        "schema": {
            "type": "string",
            "description": "JSON Lines: one Document object per line (also sent as "
            + ", ".join(media for media, kind in MEDIA_TYPES.items() if kind == "jsonl")
            + ").",
        }
    }
    bodies = {
        "application/json": {
            "schema": {"oneOf": [_ref("Document"), {"type": "array", "items": _ref("Document")}]}
        },
        "application/x-ndjson": jsonl,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "arsearch",
            "version": __version__,
            "summary": "Full-text search for Arabic: the JSON API.",
            "license": {"name": "GPL-3.0-or-later", "identifier": "GPL-3.0-or-later"},
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Ranked hits, facets and a did-you-mean for a query.",
                    "description": "Exactly `arsearch query --json`. A query of filters "
                    "only lists what they select.",
                    "parameters": _search_parameters(fields),
                    "responses": {
                        "200": _ok("A page of results.", "Results"),
                        "400": _BAD,
                        "503": _NO_INDEX,
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Completions of the last word of q, for a search box.",
                    "parameters": [
                        _query(
                            "q",
                            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                            "What was typed so far.",
                        ),
                        _query(
                            "limit",
                            {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS},
                            "How many completions (default 8).",
                        ),
                    ],
                    "responses": {
                        "200": _ok("Completions, best first.", "Suggestions"),
                        "400": _BAD,
                        "503": _NO_INDEX,
                    },
                }
            },
            "/api/doc/{id}": {
                "get": {
                    "operationId": "getDocument",
                    "summary": "One stored document.",
                    "parameters": [_id_parameter()],
                    "responses": {
                        "200": _ok("The document.", "Document"),
                        "400": _BAD,
                        "404": _NOT_FOUND,
                        "503": _NO_INDEX,
                    },
                }
            },
            "/api/stats": {
                "get": {
                    "operationId": "stats",
                    "summary": "Documents, engine, analyzer, size, last commit and options.",
                    "description": "`arsearch stats --json`; the stop words are counted, "
                    "not listed.",
                    "responses": {
                        "200": _ok("The index's statistics.", "Stats"),
                        "400": _BAD,
                        "503": _NO_INDEX,
                    },
                }
            },
            "/api/documents": {
                "post": {
                    "operationId": "addDocuments",
                    "summary": "Add or replace documents (needs an API key).",
                    "description": "The same checks as `arsearch index`: bad records are "
                    "listed in `skipped` and the rest is indexed; with strict=true the "
                    "first bad record is a 400 `bad_document` and nothing is committed.",
                    "security": [{"bearer": []}],
                    "parameters": [
                        _query(
                            "strict",
                            {"type": "boolean", "default": False},
                            "Stop at the first bad record and commit nothing.",
                        )
                    ],
                    "requestBody": {"required": True, "content": bodies},
                    "responses": {
                        "200": _ok("What was added, updated, unchanged and skipped.", "Added"),
                        "400": _error(
                            "A bad parameter, an unreadable body, or (strict) a bad record "
                            "(`bad_document`, message `line: reason`)."
                        ),
                        **_WRITE_ERRORS,
                        "413": _error("The body is over the size limit (`payload_too_large`)."),
                        "415": _error("Another media type (`unsupported_media_type`)."),
                    },
                }
            },
            "/api/documents/{id}": {
                "delete": {
                    "operationId": "deleteDocument",
                    "summary": "Delete one document (needs an API key).",
                    "security": [{"bearer": []}],
                    "parameters": [_id_parameter()],
                    "responses": {
                        "200": _ok("The document was deleted.", "Deleted"),
                        "400": _BAD,
                        "404": _NOT_FOUND,
                        **_WRITE_ERRORS,
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "describe",
                    "summary": "This description.",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "400": _BAD,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether there is an index to serve, and its size.",
                    "responses": {
                        "200": _ok("Serving.", "Health"),
                        "400": _BAD,
                        "503": _ok("No index yet.", "Health"),
                    },
                }
            },
        },
        "components": {
            "schemas": _schemas(fields),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key of the server's --api-key-file.",
                }
            },
        },
    }
