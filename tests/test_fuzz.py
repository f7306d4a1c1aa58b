"""Fuzzing every door that takes outside input: no foreign exception, a bounded time per case.

Queries (lone surrogates, control characters, operator soup, over-long text) go to
``parse_query``, ``Index.search``, ``suggest`` and ``highlight``; random files go to the
document readers (JSON Lines, CSV, JSON, text); random requests, and random bodies of
documents (``POST /api/documents``), go to the web API through Flask's test client. Only
the project's own errors may come out: ``ArsearchError``, or a ``TypeError`` with one of
its messages, and the web answers 200, 400, 404 or 415 in its one error shape.

Each test tries ``ARSEARCH_FUZZ_EXAMPLES`` cases (40 by default, a few seconds each);
``make fuzz`` runs thousands and prints hypothesis's statistics.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arsearch import (
    ArsearchError,
    Document,
    DocumentError,
    Index,
    QueryTooLongError,
    UsageError,
    parse_query,
    read_documents,
)
from arsearch.web import create_app

EXAMPLES = int(os.environ.get("ARSEARCH_FUZZ_EXAMPLES", "40"))
#: Seconds one case may take on the seed index (the news index's bound is 1 s).
CASE_SECONDS = 3.0
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىة"
PIECES = [
    *ARABIC,
    *'"()*~+-:|«»“” .,؟!،',
    "OR",
    "or",
    "title:",
    "category:",
    "source:",
    "date:",
    "2021",
    "..",
    "-03",
    "~1",
    "~2",
    "القاهرة",
    "الحكومة",
    "في",
    "من",
    "\u064e",  # fatha
    "\u0640",  # tatweel
    "\u200f",  # right-to-left mark
    "\ufdfa",  # a ligature that expands to many letters
    "\x00",
    "\x1b[2J",
    "\ud800",
    "\udcff",
    "\U0001f600",
    "ﻻ",
    "١٢٣",
]
#: Any character at all, lone surrogates and control characters included.
ANY_CHARACTER = st.characters(exclude_categories=[])
SOUP = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
QUERIES = st.one_of(
    SOUP,
    st.text(ANY_CHARACTER, max_size=80),
    st.text(ANY_CHARACTER, min_size=500, max_size=600),
    st.lists(st.sampled_from(PIECES), min_size=100, max_size=300).map(" ".join),
)


def _is_ours(error: BaseException) -> bool:
    """The project's own errors: ArsearchError, or a TypeError worded by it."""
    if isinstance(error, ArsearchError):
        return True
    return isinstance(error, TypeError) and str(error).endswith(".") and " must be " in str(error)


@pytest.fixture(scope="module")
def index(
    seed_documents: list[Document], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Index]:
    path = tmp_path_factory.mktemp("fuzz") / "ix"
    with Index.create(path) as created:
        created.add(seed_documents)
    opened = Index.open(path)
    yield opened
    opened.close()


def _timed(call: Any) -> Any:
    started = time.perf_counter()
    try:
        return call()
    except BaseException as error:
        assert _is_ours(error), f"foreign exception {type(error).__name__}: {error}"
        return None
    finally:
        elapsed = time.perf_counter() - started
        assert elapsed < CASE_SECONDS, f"{elapsed:.2f} s"


# -- queries -------------------------------------------------------------------------------


@FUZZ
@given(text=QUERIES)
def test_parse_query_never_fails_but_on_length_or_a_date(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryTooLongError:
        assert len(text) > 512
        return
    except UsageError as error:
        # The one error of the query language: a date: filter whose value is not a date.
        message = str(error)
        assert "date:" in text and message.startswith("date:"), message
        assert " is not a date: write YYYY-MM-DD" in message or "ends before it starts" in message
        return
    assert parsed.text == text


@FUZZ
@given(
    text=QUERIES,
    page=st.integers(-2, 12),
    limit=st.integers(-1, 120),
    sort=st.sampled_from(["relevance", "date", "x"]),
)
def test_search_raises_only_our_errors(
    index: Index, text: str, page: int, limit: int, sort: str
) -> None:
    results = _timed(lambda: index.search(text, page=page, limit=limit, sort=sort))  # type: ignore[arg-type]
    if results is not None:
        json.dumps(results.to_dict(), ensure_ascii=False).encode("utf-8")
        assert len(results.hits) <= min(max(limit, 0), results.total)


@FUZZ
@given(
    text=QUERIES,
    filters=st.dictionaries(
        st.sampled_from(["category", "source", "date_from", "date_to", "other"]),
        st.one_of(st.text(ANY_CHARACTER, max_size=12), st.lists(st.text(max_size=5)), st.none()),
        max_size=3,
    ),
)
def test_search_with_filters_raises_only_our_errors(
    index: Index, text: str, filters: dict[str, Any]
) -> None:
    _timed(lambda: index.search(text, filters=filters))


@FUZZ
@given(prefix=QUERIES, limit=st.integers(0, 60))
def test_suggest_raises_only_our_errors(index: Index, prefix: str, limit: int) -> None:
    found = _timed(lambda: index.suggest(prefix, limit=limit))
    if found is not None:
        assert len(found) <= limit
        json.dumps(found, ensure_ascii=False).encode("utf-8")


@FUZZ
@given(query=QUERIES, which=st.integers(0, 50), doc_id=st.text(ANY_CHARACTER, max_size=20))
def test_highlight_raises_only_our_errors(
    index: Index, query: str, which: int, doc_id: str
) -> None:
    ids = index.ids()
    for target in (ids[which % len(ids)], doc_id):
        marked = _timed(lambda target=target: index.highlight(target, query))
        if marked is not None:
            title, text = marked
            (title.html() + text.html() + text.ansi()).encode("utf-8")


# -- document readers ------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(ANY_CHARACTER, max_size=30),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
RECORDS = st.dictionaries(
    st.sampled_from(["id", "title", "text", "body", "date", "source", "category", "url", "x"]),
    JSON_VALUES,
    max_size=6,
)


def _deep(depth: int) -> str:
    return '{"text": "نص", "meta": ' + "[" * depth + "]" * depth + "}"


JSONL_LINES = st.one_of(
    RECORDS.map(lambda record: json.dumps(record, ensure_ascii=False)),
    RECORDS.map(json.dumps),  # escaped: lone surrogates come back as \\ud800
    st.text(ANY_CHARACTER, max_size=40).map(lambda text: text.replace("\n", " ")),
    st.integers(1, 3000).map(_deep),
)
FILES = st.one_of(
    st.tuples(
        st.just("a.jsonl"),
        st.lists(JSONL_LINES, max_size=8).map(
            lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
        ),
    ),
    st.tuples(
        st.just("a.json"),
        st.one_of(RECORDS, st.lists(RECORDS, max_size=5), JSON_VALUES).map(
            lambda value: json.dumps(value).encode()
        ),
    ),
    st.tuples(
        st.just("a.csv"),
        st.lists(
            st.lists(
                st.text(st.sampled_from([*ARABIC[:5], ",", '"', "\n", "\r", " "]), max_size=8),
                max_size=4,
            ),
            max_size=5,
        ).map(lambda rows: ("id,title,text\n" + "\n".join(",".join(row) for row in rows)).encode()),
    ),
    st.tuples(
        st.sampled_from(["a.txt", "a.md"]),
        st.text(ANY_CHARACTER, max_size=200).map(
            lambda text: text.encode("utf-8", "surrogatepass")
        ),
    ),
    st.tuples(
        st.sampled_from(["a.jsonl", "a.json", "a.csv", "a.txt", "a.jsonl.gz"]),
        st.binary(max_size=300),
    ),
)


@FUZZ
@given(file=FILES)
def test_document_readers_report_every_bad_record_as_a_located_error(
    tmp_path_factory: pytest.TempPathFactory, file: tuple[str, bytes]
) -> None:
    name, content = file
    path = tmp_path_factory.mktemp("read") / name
    path.write_bytes(content)
    errors: list[DocumentError] = []
    started = time.perf_counter()
    documents = list(read_documents([path], on_error=errors.append, on_notice=lambda _: None))
    assert time.perf_counter() - started < CASE_SECONDS
    for error in errors:
        assert str(error).startswith(f"{path}"), error
        str(error).encode("utf-8")
    for document in documents:
        json.dumps(document.to_dict(), ensure_ascii=False).encode("utf-8")
        assert document.id and "\x00" not in document.id


# -- the web API ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(index: Index) -> Iterator[FlaskClient]:
    app: Flask = create_app({"INDEX": str(index.path), "TESTING": True})
    yield app.test_client()
    app.extensions["arsearch"].close()


#: What a URL can carry: any text but lone surrogates (a browser sends U+FFFD for them).
PARAMETER = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    SOUP.map(lambda text: text.encode("utf-8", "replace").decode("utf-8")),
    st.integers().map(str),
)


@FUZZ
@given(
    route=st.sampled_from(["/api/search", "/api/suggest", "/"]),
    params=st.dictionaries(
        st.sampled_from(["q", "page", "limit", "sort", "category", "source", "date_from", "x"]),
        PARAMETER,
        max_size=5,
    ),
)
def test_the_web_answers_every_request_in_its_shape(
    client: FlaskClient, route: str, params: dict[str, str]
) -> None:
    started = time.perf_counter()
    response = client.get(route, query_string=params)
    assert time.perf_counter() - started < CASE_SECONDS
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:200]
    if route.startswith("/api/"):
        body = response.get_json()
        if response.status_code != 200:
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


@FUZZ
@given(doc_id=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
def test_the_web_answers_any_document_id(client: FlaskClient, doc_id: str) -> None:
    response = client.get("/api/doc/" + doc_id.replace("?", "%3F").replace("#", "%23"))
    # 308: the router's redirect of a path with "//" to one without.
    assert response.status_code in (200, 404, 308), response.get_data(as_text=True)[:200]


WRITE_KEY = "fuzz-key-0123456789abcdef"


@pytest.fixture(scope="module")
def writing_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    path = tmp_path_factory.mktemp("fuzz-writes") / "ix"
    Index.create(path).close()
    app: Flask = create_app({"INDEX": str(path), "TESTING": True, "API_KEYS": [WRITE_KEY]})
    yield app.test_client()
    app.extensions["arsearch"].close()


BODIES = st.one_of(
    st.lists(JSONL_LINES, max_size=8).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
    ),
    st.one_of(RECORDS, st.lists(RECORDS, max_size=5), JSON_VALUES).map(
        lambda value: json.dumps(value).encode()
    ),
    st.binary(max_size=300),
)


@FUZZ
@given(
    body=BODIES,
    media_type=st.sampled_from(["application/x-ndjson", "application/json", "text/plain"]),
    strict=st.sampled_from([None, "true", "false", "x"]),
)
def test_the_web_takes_any_body_of_documents_in_its_shape(
    writing_client: FlaskClient, body: bytes, media_type: str, strict: str | None
) -> None:
    started = time.perf_counter()
    response = writing_client.post(
        "/api/documents",
        data=body,
        content_type=media_type,
        query_string={} if strict is None else {"strict": strict},
        headers={"Authorization": f"Bearer {WRITE_KEY}"},
    )
    assert time.perf_counter() - started < CASE_SECONDS
    answer = response.get_json()
    assert response.status_code in (200, 400, 415), response.get_data(as_text=True)[:200]
    if response.status_code == 200:
        assert set(answer) >= {"added", "updated", "unchanged", "skipped", "notes"}, answer
        assert all(isinstance(item["line"], int) for item in answer["skipped"]), answer
    else:
        assert set(answer) == {"error"} and set(answer["error"]) == {"code", "message"}
