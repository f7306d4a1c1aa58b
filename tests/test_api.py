"""The HTTP API as other programs use it: its OpenAPI description, writes with keys, CORS.

Every response below is checked against ``/api/openapi.json`` (its status must be
described, its body must match the schema), and a property-based run
(schemathesis) sends generated requests to every operation and finds no 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks
from werkzeug.test import TestResponse

from arsearch import Document
from arsearch.errors import UsageError
from arsearch.index import Index
from arsearch.index.settings import load_settings, set_setting
from arsearch.web import create_app, read_api_keys
from support import SEEDS

KEY = "k3y-for-the-tests-0123456789"
OTHER_KEY = "another-key-for-the-tests-987"
AUTH = {"Authorization": f"Bearer {KEY}"}
JSONL = "application/x-ndjson"
OIL = "النفط"


@pytest.fixture
def index_path(seed_documents: list[Document], tmp_path: Path) -> Path:
    """A writable index of the seeds, with the seeds' category labels."""
    path = tmp_path / "index"
    with Index.create(path) as index:
        index.add(seed_documents)
    load_settings(path, SEEDS / "arsearch.toml")
    return path


@pytest.fixture
def app(index_path: Path) -> Iterator[Flask]:
    """The app with writes on, behind :data:`KEY`."""
    app = create_app({"INDEX": str(index_path), "API_KEYS": [KEY], "TESTING": True})
    yield app
    app.extensions["arsearch"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Described:
    """The app's own OpenAPI description, and a check of responses against it."""

    def __init__(self, app: Flask) -> None:
        self.raw: dict[str, Any] = app.test_client().get("/api/openapi.json").get_json()
        self.schema = schemathesis.openapi.from_dict(self.raw)

    def check(self, method: str, path: str, response: TestResponse) -> None:
        """``response`` to ``method path`` (a path of the description) is described exactly."""
        statuses = self.raw["paths"][path][method.lower()]["responses"]
        assert str(response.status_code) in statuses, (method, path, response.status_code)
        assert response.mimetype == "application/json"
        operation = self.schema[path][method.upper()]
        operation.validate_response(schemathesis.Response.from_any(response))


def error_of(response: TestResponse, status: int, code: str) -> str:
    """The message of an API error response, after checking its status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return str(body["error"]["message"])


def jsonl(*records: dict[str, Any] | str) -> str:
    return "".join(
        (record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n"
        for record in records
    )


ARTICLE = {"id": "new-1", "title": "معرض الزبرجد", "text": "افتتح معرض الزبرجد أبوابه اليوم."}


# -- the description ---------------------------------------------------------


def test_the_description_is_openapi_3_1_and_lists_every_route(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    description = response.get_json()
    assert description["openapi"] == "3.1.0"
    assert description["servers"] == [{"url": "/"}]
    assert sorted(description["paths"]) == [
        "/api/doc/{id}",
        "/api/documents",
        "/api/documents/{id}",
        "/api/openapi.json",
        "/api/search",
        "/api/stats",
        "/api/suggest",
        "/healthz",
    ]
    search = description["paths"]["/api/search"]["get"]
    names = [parameter["name"] for parameter in search["parameters"]]
    assert names == ["q", "page", "limit", "sort", "category", "source", "date_from", "date_to"]
    results = description["components"]["schemas"]["Results"]
    assert "corrected" in results["required"]
    assert description["paths"]["/api/documents"]["post"]["security"] == [{"bearer": []}]


def test_every_api_response_matches_the_description(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    described = Described(app)
    check = described.check
    check("GET", "/api/search", client.get("/api/search", query_string={"q": OIL}))
    check(
        "GET",
        "/api/search",
        client.get("/api/search", query_string={"q": "اسعار النفت", "category": "economy"}),
    )
    check("GET", "/api/search", client.get("/api/search?q=x&limit=0"))
    check("GET", "/api/search", client.get("/api/search?q=x&colour=red"))
    check("GET", "/api/suggest", client.get("/api/suggest", query_string={"q": "النف"}))
    check("GET", "/api/suggest", client.get("/api/suggest?q=x&limit=99"))
    check("GET", "/api/doc/{id}", client.get("/api/doc/a008"))
    check("GET", "/api/doc/{id}", client.get("/api/doc/no-such-id"))
    check("GET", "/api/stats", client.get("/api/stats"))
    check("GET", "/healthz", client.get("/healthz"))
    check("GET", "/api/openapi.json", client.get("/api/openapi.json"))
    post = "/api/documents"
    check("POST", post, client.post(post, data=jsonl(ARTICLE), content_type=JSONL, headers=AUTH))
    check(
        "POST",
        post,
        client.post(post, data=jsonl(ARTICLE, "{oops"), content_type=JSONL, headers=AUTH),
    )
    check("POST", post, client.post(post, data=jsonl(ARTICLE), content_type=JSONL))
    check("POST", post, client.post(post, data="x", content_type="text/csv", headers=AUTH))
    check(
        "POST",
        post,
        client.post(post + "?strict=true", data="{oops\n", content_type=JSONL, headers=AUTH),
    )
    check("DELETE", "/api/documents/{id}", client.delete("/api/documents/new-1", headers=AUTH))
    check("DELETE", "/api/documents/{id}", client.delete("/api/documents/new-1", headers=AUTH))
    check("DELETE", "/api/documents/{id}", client.delete("/api/documents/a008"))
    # Writes off, and no index yet.
    closed = create_app({"INDEX": app.config["INDEX"]}).test_client()
    check("POST", post, closed.post(post, data=jsonl(ARTICLE), content_type=JSONL))
    missing = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    for path in ("/api/search", "/api/suggest", "/api/stats", "/healthz"):
        check("GET", path, missing.get(path))
    check("GET", "/api/doc/{id}", missing.get("/api/doc/a008"))


def test_generated_requests_get_no_500_and_described_answers(app: Flask) -> None:
    """schemathesis generates requests for every operation, valid and invalid ones, with the
    key; every answer must be a described status, type and body, and never a 500."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [
        st_checks.not_a_server_error,
        st_checks.status_code_conformance,
        st_checks.content_type_conformance,
        st_checks.response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every operation but the description's own, which schemathesis leaves out.
    assert len(operations) == 7
    calls: dict[str, int] = {}
    for operation in operations:
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=strategy)
        @settings(
            max_examples=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=AUTH, checks=checks)
            label = case.operation.label
            calls[label] = calls.get(label, 0) + 1

        run()
    assert sorted(calls) == sorted(operation.label for operation in operations)
    # Operations without parameters have one request to make; the others many.
    assert {label for label, count in calls.items() if count < 20} == {
        "GET /api/stats",
        "GET /healthz",
    }, calls


# -- the API page ------------------------------------------------------------


def test_the_api_page_shows_the_description_and_the_footer_links_to_it(
    client: FlaskClient,
) -> None:
    page = client.get("/api")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<article class="api" lang="en" dir="ltr">' in html
    for path in ("/api/search", "/api/documents/{id}", "/healthz"):
        assert f"<code>{path}</code>" in html
    assert "--data-urlencode 'q=النفط'" in html
    assert 'href="/api/openapi.json"' in html
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/api" hreflang="en">واجهة البرمجة <bdi>(API)</bdi></a>' in home


# -- parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url, message",
    [
        (
            "/api/search?q=x&catgory=sport",
            "Unknown parameter 'catgory'. Parameters here: q, page, limit, sort, category, "
            "source, date_from, date_to.",
        ),
        (
            "/api/suggest?q=x&size=3&lang=ar",
            "Unknown parameters 'size', 'lang'. Parameters here: q, limit.",
        ),
        ("/api/stats?verbose=1", "Unknown parameter 'verbose'. Parameters here: none."),
        ("/api/doc/a008?q=x", "Unknown parameter 'q'. Parameters here: none."),
        ("/healthz?x=1", "Unknown parameter 'x'. Parameters here: none."),
    ],
    ids=["search", "suggest", "stats", "doc", "healthz"],
)
def test_unknown_parameters_are_a_400_that_names_them(
    client: FlaskClient, url: str, message: str
) -> None:
    assert error_of(client.get(url), 400, "bad_parameter") == message


def test_the_page_ignores_parameters_it_does_not_know(client: FlaskClient) -> None:
    assert client.get("/", query_string={"q": OIL, "utm_source": "x"}).status_code == 200


def test_the_api_takes_date_from_and_date_to(client: FlaskClient, index_path: Path) -> None:
    query = {"q": "الجديد", "date_from": "2023-04-01", "date_to": "2023-06-30", "limit": "50"}
    data = client.get("/api/search", query_string=query).get_json()
    with Index.open(index_path) as index:
        expected = index.search(
            "الجديد", limit=50, filters={"date_from": "2023-04-01", "date_to": "2023-06-30"}
        )
        everything = index.search("الجديد", limit=50)
    assert [hit["id"] for hit in data["hits"]] == [hit.id for hit in expected.hits]
    assert 0 < data["total"] < everything.total
    assert all("2023-04-01" <= hit["date"][:10] <= "2023-06-30" for hit in data["hits"])
    bad = client.get("/api/search", query_string={"q": "x", "date_from": "yesterday"})
    assert error_of(bad, 400, "bad_parameter") == (
        "'yesterday' is not a date: write YYYY-MM-DD, for example 2021-03-05."
    )


def test_a_category_filter_takes_the_label_the_page_shows(client: FlaskClient) -> None:
    by_key = client.get("/api/search", query_string={"q": "الجديد", "category": "economy"})
    by_label = client.get("/api/search", query_string={"q": "الجديد", "category": "اقتصاد"})
    in_query = client.get("/api/search", query_string={"q": "الجديد category:اقتصاد"})
    ids = [hit["id"] for hit in by_key.get_json()["hits"]]
    assert ids and ids == [hit["id"] for hit in by_label.get_json()["hits"]]
    assert ids == [hit["id"] for hit in in_query.get_json()["hits"]]


def test_stats_count_the_stop_words_instead_of_listing_them(client: FlaskClient) -> None:
    stopwords = client.get("/api/stats").get_json()["analyzer"]["stopwords"]
    assert stopwords == {"name": "arsearch-1", "count": 239}


def test_stats_show_the_options_the_index_was_created_with(
    client: FlaskClient, seed_documents: list[Document], tmp_path: Path
) -> None:
    kept = client.get("/api/stats").get_json()["options"]
    assert kept == {"stem_positions": True, "spellings": None}
    path = tmp_path / "bare"  # as arsearch index --no-stem-positions builds it
    with Index.create(path, stem_positions=False, spellings="hamza") as index:
        index.add(seed_documents[:3])
    app = create_app({"INDEX": str(path), "TESTING": True})
    try:
        response = app.test_client().get("/api/stats")
        Described(app).check("GET", "/api/stats", response)
    finally:
        app.extensions["arsearch"].close()
    assert response.get_json()["options"] == {"stem_positions": False, "spellings": "hamza"}


def test_a_405_names_the_allowed_methods(client: FlaskClient) -> None:
    search = client.post("/api/search")
    assert error_of(search, 405, "method_not_allowed") == "POST is not allowed here."
    assert set(search.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    documents = client.get("/api/documents")
    assert error_of(documents, 405, "method_not_allowed") == "GET is not allowed here."
    assert set(documents.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    page = client.delete("/")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


# -- writes --------------------------------------------------------------------


def test_post_jsonl_adds_documents_that_are_searchable_at_once(client: FlaskClient) -> None:
    second = {"id": "new-2", "title": "خبر آخر", "text": "نص عن الزبرجد والياقوت."}
    response = client.post(
        "/api/documents", data=jsonl(ARTICLE, second), content_type=JSONL, headers=AUTH
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "added": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": [],
        "notes": [],
    }
    found = client.get("/api/search", query_string={"q": "الزبرجد"}).get_json()
    assert sorted(hit["id"] for hit in found["hits"]) == ["new-1", "new-2"]
    again = client.post("/api/documents", data=jsonl(ARTICLE), content_type=JSONL, headers=AUTH)
    assert again.get_json()["unchanged"] == 1


@pytest.mark.parametrize(
    "body",
    [json.dumps(ARTICLE, ensure_ascii=False), json.dumps([ARTICLE], ensure_ascii=False)],
    ids=["one-object", "array"],
)
def test_post_json_takes_one_object_or_an_array(client: FlaskClient, body: str) -> None:
    response = client.post(
        "/api/documents", data=body, content_type="application/json", headers=AUTH
    )
    assert response.get_json()["added"] == 1
    assert client.get("/api/doc/new-1").get_json()["title"] == ARTICLE["title"]


def test_bad_lines_are_listed_as_line_and_reason_and_the_rest_is_indexed(
    client: FlaskClient,
) -> None:
    body = jsonl(
        ARTICLE, "{oops", {"id": "e", "text": ""}, {"id": "d", "text": "x", "date": "amsterdam"}
    )
    data = client.post("/api/documents", data=body, content_type=JSONL, headers=AUTH).get_json()
    assert data["added"] == 1
    assert data["skipped"] == [
        {"line": 2, "reason": "invalid JSON: Expecting property name enclosed in double quotes"},
        {"line": 3, "reason": "no text"},
        {"line": 4, "reason": "field 'date' is not an ISO 8601 date: 'amsterdam'"},
    ]
    assert client.get("/api/doc/new-1").status_code == 200


def test_strict_refuses_the_whole_body_at_the_first_bad_line(client: FlaskClient) -> None:
    body = jsonl(ARTICLE, "[1]")
    response = client.post(
        "/api/documents?strict=true", data=body, content_type=JSONL, headers=AUTH
    )
    assert error_of(response, 400, "bad_document") == "2: record must be a JSON object, not list"
    assert error_of(client.get("/api/doc/new-1"), 404, "not_found")


@pytest.mark.parametrize(
    "body, content_type, status, code, message",
    [
        ("", JSONL, 400, "bad_parameter", "The request has no body: send one or more documents."),
        (
            "[{oops",
            "application/json",
            400,
            "bad_document",
            "invalid JSON: Expecting property name enclosed in double quotes (line 1 column 3)",
        ),
        (
            "id,text\n1,x\n",
            "text/csv",
            415,
            "unsupported_media_type",
            "Send the documents as application/json, application/x-ndjson, "
            "application/jsonl, application/x-jsonlines, not 'text/csv'.",
        ),
    ],
    ids=["empty", "broken-json", "csv"],
)
def test_unreadable_bodies_are_refused_whole(
    client: FlaskClient, body: str, content_type: str, status: int, code: str, message: str
) -> None:
    response = client.post("/api/documents", data=body, content_type=content_type, headers=AUTH)
    assert error_of(response, status, code) == message


def test_an_oversized_body_is_a_413(index_path: Path) -> None:
    app = create_app({"INDEX": str(index_path), "API_KEYS": [KEY], "MAX_CONTENT_LENGTH": 1000})
    response = app.test_client().post(
        "/api/documents", data="x" * 2000, content_type=JSONL, headers=AUTH
    )
    assert error_of(response, 413, "payload_too_large") == (
        "The request body is over the limit of 1,000 bytes; send the documents in smaller batches."
    )
    app.extensions["arsearch"].close()


def test_delete_removes_a_document_and_a_second_delete_is_a_404(client: FlaskClient) -> None:
    response = client.delete("/api/documents/a008", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json() == {"id": "a008", "deleted": True}
    assert error_of(client.get("/api/doc/a008"), 404, "not_found")
    again = client.delete("/api/documents/a008", headers=AUTH)
    assert error_of(again, 404, "not_found") == "No document with id 'a008'."


@pytest.mark.parametrize(
    "headers, message",
    [
        ({}, "This request needs an API key: Authorization: Bearer KEY."),
        (
            {"Authorization": f"Basic {KEY}"},
            "This request needs an API key: Authorization: Bearer KEY.",
        ),
        ({"Authorization": "Bearer "}, "This request needs an API key: Authorization: Bearer KEY."),
        ({"Authorization": f"Bearer {OTHER_KEY}"}, "The API key is not valid."),
        ({"Authorization": f"Bearer {KEY}x"}, "The API key is not valid."),
    ],
    ids=["none", "basic", "empty", "wrong", "longer"],
)
def test_writes_without_the_right_key_are_a_401_and_change_nothing(
    client: FlaskClient, headers: dict[str, str], message: str
) -> None:
    post = client.post("/api/documents", data=jsonl(ARTICLE), content_type=JSONL, headers=headers)
    assert error_of(post, 401, "unauthorized") == message
    assert post.headers["WWW-Authenticate"] == 'Bearer realm="arsearch"'
    delete = client.delete("/api/documents/a008", headers=headers)
    assert error_of(delete, 401, "unauthorized") == message
    assert client.get("/api/doc/a008").status_code == 200
    assert error_of(client.get("/api/doc/new-1"), 404, "not_found")


def test_writes_are_off_without_a_key(index_path: Path) -> None:
    app = create_app({"INDEX": str(index_path)})
    client = app.test_client()
    post = client.post("/api/documents", data=jsonl(ARTICLE), content_type=JSONL, headers=AUTH)
    assert error_of(post, 403, "writes_disabled") == (
        "Writes are off on this server: start it with --api-key-file FILE (or ARSEARCH_API_KEY) "
        "to accept POST and DELETE /api/documents."
    )
    assert error_of(client.delete("/api/documents/a008", headers=AUTH), 403, "writes_disabled")
    app.extensions["arsearch"].close()


def test_a_key_file_of_the_settings_is_read_relative_to_the_index(index_path: Path) -> None:
    (index_path / "keys").write_text(f"# the CI's key\n\n{OTHER_KEY}\n{KEY}\n", encoding="utf-8")
    set_setting(index_path, "serve.api_key_file", ["keys"])
    app = create_app({"INDEX": str(index_path)})
    client = app.test_client()
    for key in (KEY, OTHER_KEY):
        response = client.delete("/api/documents/a008", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code in (200, 404)
    assert error_of(client.get("/api/doc/a008"), 404, "not_found")
    app.extensions["arsearch"].close()


def test_a_write_while_another_writer_holds_the_index_is_a_409(
    client: FlaskClient, index_path: Path
) -> None:
    with Index.open(index_path) as writer:
        writer.add(Document("held", "", "نص"))  # holds the writer lock until the block ends
        response = client.post(
            "/api/documents", data=jsonl(ARTICLE), content_type=JSONL, headers=AUTH
        )
        assert error_of(response, 409, "index_locked") == (
            f"Another Index object in this process is writing to the index at '{index_path}'; "
            "write through that one, or close it first."
        )


@pytest.mark.parametrize(
    "content, message",
    [
        (
            None,
            "No API key file at '{path}': write one key per line, for example with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > {path}",
        ),
        (
            "\n# only a comment\n",
            "The API key file '{path}' holds no key: write one key per "
            "line, for example with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            " > {path}",
        ),
        (
            "short\n",
            "An API key in '{path}' is shorter than 16 characters: use a long random "
            "key, for example the output of python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'.",
        ),
    ],
    ids=["missing", "empty", "short"],
)
def test_a_bad_key_file_is_an_error_at_start(
    index_path: Path, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "keys"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_api_keys(path)
    assert str(caught.value) == message.format(path=path)
    with pytest.raises(UsageError) as caught:
        create_app({"INDEX": str(index_path), "API_KEY_FILE": str(path)})
    assert str(caught.value) == message.format(path=path)


# -- CORS ------------------------------------------------------------------------


def test_cors_lets_only_the_listed_origins_read_the_api(index_path: Path) -> None:
    app = create_app({"INDEX": str(index_path), "CORS_ORIGINS": ["https://news.example"]})
    client = app.test_client()
    allowed = client.get("/api/search?q=x", headers={"Origin": "https://news.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://news.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/search?q=x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/documents",
        headers={
            "Origin": "https://news.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, POST, DELETE"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    page = client.get("/", headers={"Origin": "https://news.example"})
    assert "Access-Control-Allow-Origin" not in page.headers  # only the API
    app.extensions["arsearch"].close()


def test_without_a_cors_list_no_origin_is_allowed(client: FlaskClient) -> None:
    response = client.get("/api/search?q=x", headers={"Origin": "https://news.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_bad_cors_origin_is_an_error_at_start(index_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        create_app({"INDEX": str(index_path), "CORS_ORIGINS": ["https://news.example/path"]})
    assert str(caught.value) == (
        "serve.cors_origins: 'https://news.example/path' is not a web origin: write "
        "scheme://host[:port] (https://example.org) without a path, or *."
    )


@pytest.mark.parametrize(
    "config, message",
    [
        (
            {"API_KEYS": ["short"]},
            "An API key in API_KEYS (ARSEARCH_API_KEY) is shorter than 16 characters: use a "
            "long random key, for example the output of python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'.",
        ),
        (
            {"BASE_URL": "search.example.org"},
            "serve.base_url must be an http:// or https:// address without a query, not "
            "'search.example.org'.",
        ),
    ],
    ids=["short-key", "base-url"],
)
def test_bad_app_config_is_an_error_at_start(
    index_path: Path, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        create_app({"INDEX": str(index_path), **config})
    assert str(caught.value) == message
