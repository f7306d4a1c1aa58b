"""The web door through Flask's test client: every route, every error, one error shape."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from arsearch import Document
from arsearch.cli import cli
from arsearch.documents import read_documents
from arsearch.index import Index, Searcher
from arsearch.index.settings import load_settings, set_setting
from arsearch.web import assets_dir, blueprint, create_app, error_body
from arsearch.web.server import default_workers
from arsearch.web.views import page_numbers, paragraphs
from support import SEEDS, join_all, run_cli

OIL = "النفط"
#: Scripts, styles and images only from the app's own files, no framing, no <base>.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
#: A title and text that would run script if anything were not escaped.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = Document(
    id="evil-1",
    title=f"{SCRIPT} خبر الاختراق {IMG}",
    text=f"نص عن الاختراق {SCRIPT} ثم {IMG} في الفقرة.\n\nفقرة ثانية عن الاختراق.",
    date="2024-01-01",
    source="<i>مصدر</i>",
    category="<b>security</b>",
    url="javascript:alert(1)",
)


# -- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def index_path(seed_documents: list[Document], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and the hostile document, indexed once for the module (read-only)."""
    path = tmp_path_factory.mktemp("web") / "index"
    with Index.create(path) as index:
        index.add([*seed_documents, HOSTILE])
    load_settings(path, SEEDS / "arsearch.toml")  # the Arabic names of the categories
    return path


@pytest.fixture
def app(index_path: Path) -> Iterator[Flask]:
    """The app over the shared index, as ``arsearch serve`` makes it."""
    app = create_app({"INDEX": str(index_path), "TESTING": True})
    yield app
    app.extensions["arsearch"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def reference(index_path: Path) -> Iterator[Index]:
    """The same index opened through the public API, to compare the doors with."""
    index = Index.open(index_path)
    yield index
    index.close()


# -- helpers -----------------------------------------------------------------


def assert_error(response: TestResponse, status: int, code: str, message: str | None = None) -> str:
    """Assert the one API error shape ``{"error": {"code", "message"}}``; return the message."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if message is not None:
        assert body["error"]["message"] == message
    assert body == error_body(code, body["error"]["message"])
    assert "Traceback" not in response.get_data(as_text=True)
    return str(body["error"]["message"])


def html_of(response: TestResponse, status: int = 200) -> str:
    """The body of an HTML page, checked for its status and type."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links(html: str, css_class: str | None = None, rel: str | None = None) -> list[str]:
    """The hrefs of ``<a>`` elements, optionally only those with a class or a rel."""
    parser = _Links()
    parser.feed(html)
    out = []
    for attrs in parser.links:
        if css_class is not None and css_class not in (attrs.get("class") or "").split():
            continue
        if rel is not None and attrs.get("rel") != rel:
            continue
        out.append(str(attrs.get("href")))
    return out


def params_of(href: str) -> dict[str, list[str]]:
    """The query parameters of a link."""
    return parse_qs(urlsplit(href).query)


def without_time(data: dict[str, Any]) -> dict[str, Any]:
    """Results JSON without ``took_ms``, the one field that differs between two runs."""
    return {key: value for key, value in data.items() if key != "took_ms"}


# -- pages -------------------------------------------------------------------


def test_home_page_is_arabic_right_to_left_with_a_focused_labelled_box(client: FlaskClient) -> None:
    html = html_of(client.get("/"))
    assert '<html lang="ar" dir="rtl">' in html
    assert re.search(r'<input id="q" name="q" type="search"[^>]*\bautofocus\b', html)
    assert '<label for="q"' in html
    assert 'role="search"' in html
    assert "عدد المقالات المفهرسة: <strong>46</strong>" in html
    assert '<script src="/static/suggest.js" defer></script>' in html
    assert 'href="/opensearch.xml"' in html


@pytest.mark.parametrize(
    "path", ["/", f"/?q={OIL}", "/doc/a008?q=x", "/doc/nope", "/?limit=0", "/api"]
)
def test_pages_have_no_inline_script_or_style(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son\w+=", html)
    assert " style=" not in html and "<style" not in html


def test_results_page_shows_count_time_marked_hits_and_links_keeping_the_query(
    client: FlaskClient, reference: Index
) -> None:
    html = html_of(client.get("/", query_string={"q": OIL}))
    expected = reference.search(OIL)
    assert f'عدد النتائج: <strong class="total">{expected.total}</strong>' in html
    assert "ملّي ثانية" in html
    assert html.count('class="hit"') == len(expected.hits)
    for hit in expected.hits:
        assert hit.title.html() in html and hit.snippet.html() in html
    assert "<mark>النفط</mark>" in html
    first = links(html)[links(html).index(f"/doc/a008?q={_quoted(OIL)}")]
    assert params_of(first) == {"q": [OIL]}
    assert '<time datetime="2023-04-03T08:15:00">2023-04-03</time>' in html
    assert '<bdi class="source">وكالة الأنباء العربية</bdi>' in html
    assert "autofocus" not in html


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def test_facets_are_links_with_counts_that_keep_the_query(client: FlaskClient) -> None:
    html = html_of(client.get("/", query_string={"q": OIL, "sort": "date"}))
    category_links = [h for h in links(html) if "category" in params_of(h)]
    assert [params_of(h) for h in category_links] == [
        {"q": [OIL], "category": ["economy"], "sort": ["date"]}
    ]
    assert re.search(r'<bdi class="label">اقتصاد</bdi>\s*<span class="n">3</span>', html)
    sources = {params_of(h)["source"][0] for h in links(html) if "source" in params_of(h)}
    assert sources == {"صحيفة الصباح", "موقع المستقبل", "وكالة الأنباء العربية"}
    assert all(params_of(h)["q"] == [OIL] for h in links(html) if "source" in params_of(h))


def test_an_applied_facet_filters_and_links_back_out(client: FlaskClient) -> None:
    html = html_of(client.get("/", query_string={"q": OIL, "source": "صحيفة الصباح"}))
    assert html.count('class="hit"') == 1
    active = re.findall(
        r'<a href="([^"]*)" rel="nofollow" aria-current="true" class="active"', html
    )
    assert [params_of(href) for href in active] == [{"q": [OIL]}]


def test_a_chosen_facet_shows_a_clearing_x_and_keeps_the_others_counts(
    client: FlaskClient, reference: Index
) -> None:
    everything = reference.search("الجديد").facets["category"]
    html = html_of(client.get("/", query_string={"q": "الجديد", "category": "economy"}))
    chosen = re.search(
        r'<a href="([^"]*)" rel="nofollow" aria-current="true" class="active" '
        r'title="إلغاء هذا الاختيار">\s*<bdi class="label">اقتصاد</bdi>\s*'
        r'<span class="n">(\d+)</span><span class="clear" aria-hidden="true">✕</span>'
        r'<span class="visually-hidden">\(إلغاء\)</span></a>',
        html,
    )
    assert chosen is not None
    assert params_of(chosen.group(1).replace("&amp;", "&")) == {"q": ["الجديد"]}
    assert int(chosen.group(2)) == everything["economy"]
    # Every other category is still listed with its own count, ready to switch to.
    shown = dict(
        re.findall(r'<bdi class="label">([^<]+)</bdi>\s*<span class="n">(\d+)</span>', html)
    )
    labels = {"politics": "سياسة", "sport": "رياضة", "culture": "ثقافة", "science": "علوم"}
    for key, label in labels.items():
        if key in everything:
            assert shown[label] == str(everything[key])
    assert html.count("✕") == 1


def test_a_category_label_filters_the_page_like_its_key(client: FlaskClient) -> None:
    by_label = html_of(client.get("/", query_string={"q": "الجديد", "category": "اقتصاد"}))
    by_key = html_of(client.get("/", query_string={"q": "الجديد", "category": "economy"}))
    count = re.compile(r'<strong class="total">(\d+)</strong>')
    assert count.findall(by_label) == count.findall(by_key) != []


def test_the_home_page_examples_are_searches(client: FlaskClient) -> None:
    html = html_of(client.get("/"))
    examples = re.findall(r'<a class="example" href="([^"]*)"><bdi>([^<]+)</bdi></a>', html)
    assert [params_of(href.replace("&amp;", "&"))["q"][0] for href, _ in examples] == [
        '"البيت الأبيض"',
        "+واشنطن -بغداد",
        "اقتصا*",
        "النفط OR الغاز",
    ]
    assert "<code>" not in html  # the body font, not a code font


def test_the_article_page_keeps_an_address_left_to_right(client: FlaskClient) -> None:
    html = html_of(client.get("/doc/a008"))
    assert (
        '<div class="original"><dt>الأصل</dt><dd><a class="url" '
        'href="https://example.org/news/a008" rel="noopener noreferrer nofollow" dir="ltr" '
        'title="https://example.org/news/a008">https://example.org/news/a008</a></dd></div>'
    ) in html
    assert '<dt>التصنيف</dt><dd><a href="/?category=economy"><bdi>اقتصاد</bdi></a></dd>' in html


def test_sort_links_and_date_order(client: FlaskClient, reference: Index) -> None:
    html = html_of(client.get("/", query_string={"q": "الجديد", "sort": "date"}))
    assert re.search(r'<a href="/\?q=[^"]*" aria-current="true" class="active">الأحدث</a>', html)
    relevance = [h for h in links(html) if "sort" not in params_of(h) and "q" in params_of(h)]
    assert relevance
    expected = reference.search("الجديد", sort="date")
    dates = [hit.date or "" for hit in expected.hits]
    assert dates == sorted(dates, reverse=True)
    first, second = (hit.title.html() for hit in expected.hits[:2])
    assert html.index(first) < html.index(second)


def test_pagination_has_prev_next_and_numbers(client: FlaskClient) -> None:
    first = html_of(client.get("/", query_string={"q": "الجديد", "limit": "3"}))
    assert "الصفحة 1 من 7" in first
    assert links(first, rel="prev") == []
    (next_link,) = links(first, rel="next")
    assert params_of(next_link) == {"q": ["الجديد"], "limit": ["3"], "page": ["2"]}
    assert re.search(r'aria-current="page" aria-label="الصفحة 1">1</a>', first)
    second = html_of(client.get(next_link))
    (prev_link,) = links(second, rel="prev")
    assert params_of(prev_link) == {"q": ["الجديد"], "limit": ["3"]}
    assert '<ol class="hits" start="4">' in second


@pytest.mark.parametrize(
    "current, last, expected",
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (6, 20, [1, None, 4, 5, 6, 7, 8, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
        (4, 8, [1, 2, 3, 4, 5, 6, None, 8]),
    ],
    ids=["one", "few", "start", "middle", "end", "no-gap-before"],
)
def test_page_numbers(current: int, last: int, expected: list[int | None]) -> None:
    assert page_numbers(current, last) == expected


def test_did_you_mean_is_a_link_keeping_the_filters(client: FlaskClient) -> None:
    # القاره is in one article, القاهرة in ten: the suggestion is spelt as they write it.
    html = html_of(client.get("/", query_string={"q": "القاره", "category": "economy"}))
    match = re.search(r'هل تقصد: <a href="([^"]*)" rel="nofollow"><bdi>القاهرة</bdi></a>', html)
    assert match is not None
    assert params_of(match.group(1).replace("&amp;", "&")) == {
        "q": ["القاهرة"],
        "category": ["economy"],
    }


def test_showing_results_for_the_corrected_words(client: FlaskClient) -> None:
    # No article holds النفت: the hits are those of النفط, and the page says so.
    html = html_of(client.get("/", query_string={"q": "اسعار النفت", "category": "economy"}))
    assert "هل تقصد" not in html
    match = re.search(
        r'<p class="corrected">تُعرض نتائج البحث عن: <a href="([^"]*)" rel="nofollow">'
        r"<bdi>اسعار النفط</bdi></a>. ابحث بدلًا من ذلك عن: "
        r'<a href="([^"]*)" rel="nofollow"><bdi>اسعار النفت</bdi></a></p>',
        html,
    )
    assert match is not None
    corrected, verbatim = (params_of(link.replace("&amp;", "&")) for link in match.groups())
    assert corrected == {"q": ["اسعار النفط"], "category": ["economy"]}
    assert verbatim == {"q": ['اسعار "النفت"'], "category": ["economy"]}
    instead = html_of(client.get("/", query_string={"q": 'اسعار "النفت"'}))
    assert 'class="corrected"' not in instead


def test_no_hits_and_stop_word_only_queries_say_so(client: FlaskClient) -> None:
    assert "لم نجد مقالات تطابق بحثك" in html_of(client.get("/?q=زمبرلكوت"))
    assert "لا كلمات يُبحث عنها" in html_of(client.get("/?q=في"))


def test_document_page_marks_the_query_and_keeps_paragraphs(
    client: FlaskClient, reference: Index
) -> None:
    html = html_of(client.get("/doc/a008", query_string={"q": OIL}))
    title, body = reference.highlight("a008", OIL)
    title_html, body_html = title.html(), body.html()
    assert f"<h1>{title_html}</h1>" in html
    assert html.count("<mark>النفط</mark>") == 1 + body_html.count("<mark>النفط</mark>") >= 3
    body = re.search(r'<div class="body">(.*?)</div>', html, re.S)
    assert body is not None and body.group(1).count("<p>") == 2
    assert f'href="/?q={_quoted(OIL)}"' in html  # back to the results
    assert 'href="https://example.org/news/a008"' in html
    assert "<dt>المصدر</dt><dd><bdi>وكالة الأنباء العربية</bdi></dd>" in html


def test_document_page_without_a_query_marks_nothing(client: FlaskClient) -> None:
    html = html_of(client.get("/doc/a008"))
    assert "<mark>" not in html
    assert "العودة إلى نتائج" not in html


def test_unknown_document_is_a_friendly_arabic_404_page(client: FlaskClient) -> None:
    html = html_of(client.get("/doc/no-such-id"), 404)
    assert '<h1 id="problem-title">المقالة غير موجودة</h1>' in html
    assert 'لا توجد مقالة بهذا المعرّف: «<bdi dir="ltr">no-such-id</bdi>».' in html
    assert "No document" not in html  # Arabic, not the library's English sentence
    assert 'role="search"' in html  # a way on


def test_unknown_page_is_a_friendly_404_page(client: FlaskClient) -> None:
    assert "غير موجود" in html_of(client.get("/nowhere"), 404)


def test_an_over_long_query_on_the_page_is_an_arabic_400(client: FlaskClient) -> None:
    html = html_of(client.get("/", query_string={"q": "ا" * 513}), 400)
    assert "اختصر الاستعلام: الحد الأقصى ٥١٢ حرفاً." in html
    assert "Query is too long" not in html


@pytest.mark.parametrize(
    "query_string, message",
    [
        ({"q": OIL, "limit": "0"}, "limit must be between 1 and 100, not 0."),
        ({"q": OIL, "page": "zwei"}, "page must be a whole number, not &#39;zwei&#39;."),
        (
            {"q": OIL, "sort": "hot"},
            "sort must be &#39;relevance&#39; or &#39;date&#39;, not &#39;hot&#39;.",
        ),
    ],
    ids=["limit", "page", "sort"],
)
def test_bad_parameters_on_the_page_are_a_friendly_400(
    client: FlaskClient, query_string: dict[str, str], message: str
) -> None:
    html = html_of(client.get("/", query_string=query_string), 400)
    assert "راجع الرابط ثم حاول مجدداً." in html
    assert f'التفاصيل: <bdi dir="ltr" lang="en">{message}</bdi>' in html
    assert "Traceback" not in html


def test_opensearch_description_links_never_echo_the_host_header(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    xml = response.get_data(as_text=True)
    assert '<Url type="text/html" method="get" template="/?q={searchTerms}"/>' in xml
    assert 'rel="self" template="/opensearch.xml"/>' in xml
    assert "<ShortName>arsearch</ShortName>" in xml
    assert "evil.example" not in xml


def test_opensearch_description_uses_the_configured_base_url(index_path: Path) -> None:
    app = create_app({"INDEX": str(index_path), "BASE_URL": "https://search.example.org/"})
    xml = app.test_client().get("/opensearch.xml", headers={"Host": "evil.example"}).text
    assert 'template="https://search.example.org/?q={searchTerms}"/>' in xml
    assert (
        '<Image type="image/svg+xml">https://search.example.org/static/favicon.svg</Image>' in xml
    )
    assert "evil.example" not in xml
    app.extensions["arsearch"].close()


def static_file(client: FlaskClient, path: str) -> tuple[int, str | None]:
    """Fetch a static file, closing it; its status and type."""
    with client.get(path, follow_redirects=True) as response:
        return response.status_code, response.mimetype


def test_static_files_come_only_from_the_assets_folder(client: FlaskClient) -> None:
    assert static_file(client, "/static/arsearch.css") == (200, "text/css")
    assert static_file(client, "/static/suggest.js") == (200, "text/javascript")
    assert static_file(client, "/static/favicon.svg") == (200, "image/svg+xml")
    for path in (
        "/static/../../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static//etc/passwd",
        "/static/templates/arsearch/base.html",
    ):
        assert static_file(client, path)[0] == 404, path


# -- hostile input -----------------------------------------------------------


def _inert(html: str) -> None:
    assert SCRIPT not in html and IMG not in html
    assert "<b>security</b>" not in html and "<i>مصدر</i>" not in html
    assert "javascript:" not in html


def test_hostile_document_is_escaped_in_results(client: FlaskClient) -> None:
    html = html_of(client.get("/", query_string={"q": "الاختراق"}))
    _inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;security&lt;/b&gt;" in html  # the facet value, as text


def test_hostile_document_is_escaped_on_its_page(client: FlaskClient) -> None:
    html = html_of(client.get("/doc/evil-1", query_string={"q": "الاختراق"}))
    _inert(html)
    assert "<mark>الاختراق</mark>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<dt>الأصل</dt>" not in html  # a javascript: url is not linked


def test_hostile_query_is_escaped(client: FlaskClient) -> None:
    hostile = f'"{SCRIPT}{IMG}'
    html = html_of(client.get("/", query_string={"q": hostile}))
    _inert(html)
    assert 'value="&#34;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x' in html
    doc = html_of(client.get("/doc/a008", query_string={"q": hostile}))
    _inert(doc)


def test_twenty_values_of_a_filter_are_taken_and_more_refused_on_the_page(
    client: FlaskClient,
) -> None:
    twenty = {"q": OIL, "source": [f"مصدر {n}" for n in range(19)] + ["صحيفة الصباح"]}
    assert html_of(client.get("/", query_string=twenty)).count('class="hit"') == 1
    more = {"q": OIL, "source": [f"مصدر {n}" for n in range(21)]}
    assert "source takes at most 20 values, not 21." in html_of(
        client.get("/", query_string=more), 400
    )


def test_a_nul_in_the_query_is_a_query_without_words(client: FlaskClient, reference: Index) -> None:
    data = client.get("/api/search?q=%00").get_json()
    assert without_time(data) == without_time(reference.search("\x00").to_dict())
    assert (data["query"], data["total"]) == ("\x00", 0)
    assert data["note"] == (
        "The query has no searchable words (empty, or only stop words such as في، من، ما)."
    )
    page = html_of(client.get("/?q=%00"))
    assert "لا كلمات يُبحث عنها" in page
    # The page shows the NUL as browsers would, and never sends it.
    assert "\x00" not in page and 'value="\ufffd"' in page
    with_word = client.get("/api/search", query_string={"q": f"\x00{OIL}\x00"}).get_json()
    assert [hit["id"] for hit in with_word["hits"]] == [
        hit.id for hit in reference.search(OIL).hits
    ]
    assert client.get("/api/suggest?q=%00").get_json() == {"query": "\x00", "suggestions": []}
    assert_error(client.get("/api/doc/%00"), 404, "not_found", "No document with id '\x00'.")
    assert "غير موجود" in html_of(client.get("/doc/%00"), 404)


def test_invalid_utf8_in_the_url_is_kept_as_percent_escapes_and_never_an_error(
    client: FlaskClient,
) -> None:
    # Werkzeug leaves bytes that are not UTF-8 %-escaped in the text: searched as such.
    data = client.get("/api/search?q=%D8%A7%D9%84%D9%86%D9%81%D8%B7%FF").get_json()
    assert data["query"] == "النفط%FF"
    assert client.get("/api/search?q=%FF%FE").get_json()["query"] == "%FF%FE"
    assert client.get("/api/suggest?q=%C3").get_json() == {"query": "%C3", "suggestions": []}
    assert 'value="%FF"' in html_of(client.get("/?q=%FF"))
    assert client.get("/api/search?q=x&category=%FF").status_code == 200
    # In the path, such bytes become U+FFFD, an id no reader makes.
    assert_error(client.get("/api/doc/%FF"), 404, "not_found", "No document with id '\ufffd'.")
    assert "غير موجود" in html_of(client.get("/doc/%FF"), 404)


def test_links_to_documents_escape_the_ids_the_readers_make(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    (folder / "cities").mkdir(parents=True)
    (folder / "cities" / "cairo.txt").write_text("خبر القاهرة\nمعرض في القاهرة.", "utf-8")
    (folder / "cities" / "حلب #2 50%?.md").write_text("# خبر حلب\nمعرض في حلب.", "utf-8")
    (folder / "feed.jsonl").write_text(
        '{"title": "خبر بلا رقم", "text": "معرض بلا رقم."}\n', "utf-8"
    )
    # An id from the content: "sha1:" and 16 hex digits of the SHA-1 of title, newline, text.
    sha1 = "sha1:" + hashlib.sha1("خبر بلا رقم\nمعرض بلا رقم.".encode()).hexdigest()[:16]
    titles = {"cities/cairo": "خبر القاهرة", "cities/حلب #2 50%?": "خبر حلب", sha1: "خبر بلا رقم"}
    with Index.create(tmp_path / "index") as index:
        index.add(read_documents([folder]))
    assert sorted(index.ids()) == sorted(titles)
    app = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True})
    client = app.test_client()
    html = html_of(client.get("/", query_string={"q": "معرض"}))
    hrefs = [href for href in links(html) if href.startswith("/doc/")]
    found = []
    for href in hrefs:
        assert "#" not in href and "?" not in urlsplit(href).path
        assert params_of(href) == {"q": ["معرض"]}
        (title,) = re.findall(r"<h1>(.*?)</h1>", html_of(client.get(href)))
        found.append(title)
    assert sorted(found) == sorted(titles.values())
    for doc_id, title in titles.items():
        assert client.get(f"/api/doc/{quote(doc_id)}").get_json()["title"] == title
    app.extensions["arsearch"].close()


# -- JSON API ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query_string, kwargs",
    [
        ({"q": OIL}, {}),
        ({"q": "الجديد", "page": "2", "limit": "5"}, {"page": 2, "limit": 5}),
        ({"q": "الجديد", "sort": "date"}, {"sort": "date"}),
        ({"q": OIL, "category": "economy"}, {"filters": {"category": ["economy"]}}),
        (
            {"q": "الجديد", "source": ["صحيفة الصباح", "إذاعة النيل"]},
            {"filters": {"source": ["صحيفة الصباح", "إذاعة النيل"]}},
        ),
        ({"q": "اسعار النفت"}, {}),
        ({"q": "في"}, {}),
        ({"q": ""}, {}),
    ],
    ids=["plain", "paged", "by-date", "category", "sources", "did-you-mean", "stopword", "empty"],
)
def test_api_search_is_exactly_results_to_dict(
    client: FlaskClient,
    reference: Index,
    query_string: dict[str, Any],
    kwargs: dict[str, Any],
) -> None:
    response = client.get("/api/search", query_string=query_string)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    expected = reference.search(query_string["q"], **kwargs).to_dict()
    assert list(data) == list(expected)
    assert without_time(data) == without_time(expected)
    assert "\\u0627" not in response.get_data(as_text=True)  # Arabic left readable


def test_api_suggest(client: FlaskClient, reference: Index) -> None:
    data = client.get("/api/suggest", query_string={"q": "النف"}).get_json()
    assert data == {"query": "النف", "suggestions": reference.suggest("النف", limit=8)}
    assert data["suggestions"][0] == OIL
    two = client.get("/api/suggest", query_string={"q": "اسعار النف", "limit": "2"}).get_json()
    assert two["suggestions"] == ["اسعار النفط", "اسعار النفطية"]  # as the articles write it
    assert client.get("/api/suggest?q=").get_json() == {"query": "", "suggestions": []}


def test_api_doc(client: FlaskClient, reference: Index) -> None:
    data = client.get("/api/doc/a008").get_json()
    assert data == reference.get("a008").to_dict()
    assert client.get("/api/doc/evil-1").get_json()["title"] == HOSTILE.title


def test_api_stats(client: FlaskClient, reference: Index) -> None:
    data = client.get("/api/stats").get_json()
    assert data == reference.stats().to_dict()
    assert data["documents"] == 46


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "documents": 46}


# -- API errors --------------------------------------------------------------


@pytest.mark.parametrize(
    "url, status, code, message",
    [
        (
            "/api/search?q=" + "ا" * 513,
            400,
            "query_too_long",
            "Query is too long: 513 characters; the limit is 512.",
        ),
        (
            "/api/suggest?q=" + "x" * 600,
            400,
            "query_too_long",
            "Query is too long: 600 characters; the limit is 512.",
        ),
        (
            "/api/search?q=x&limit=0",
            400,
            "bad_parameter",
            "limit must be between 1 and 100, not 0.",
        ),
        (
            "/api/search?q=x&limit=101",
            400,
            "bad_parameter",
            "limit must be between 1 and 100, not 101.",
        ),
        (
            "/api/search?q=x&limit=ten",
            400,
            "bad_parameter",
            "limit must be a whole number, not 'ten'.",
        ),
        ("/api/search?q=x&page=0", 400, "bad_parameter", "page must be 1 or more, not 0."),
        ("/api/search?q=x&page=-3", 400, "bad_parameter", "page must be 1 or more, not -3."),
        (
            "/api/search?q=x&page=1.5",
            400,
            "bad_parameter",
            "page must be a whole number, not '1.5'.",
        ),
        (
            "/api/search?q=x&page=100000",
            400,
            "bad_parameter",
            "page is too deep: at most 1001 pages of 10.",
        ),
        (
            "/api/search?q=x&page=" + "9" * 19,
            400,
            "bad_parameter",
            "page must be a whole number of at most 18 digits, not '" + "9" * 19 + "'.",
        ),
        (
            "/api/search?q=x&page=" + "9" * 5000,
            400,
            "bad_parameter",
            "page must be a whole number of at most 18 digits, not '" + "9" * 40 + "'.",
        ),
        (
            "/api/search?q=x&category=" + "&category=".join(["economy"] * 21),
            400,
            "bad_parameter",
            "category takes at most 20 values, not 21.",
        ),
        (
            "/api/search?q=x&source=" + "&source=".join(str(n) for n in range(20_000)),
            400,
            "bad_parameter",
            "source takes at most 20 values, not 20000.",
        ),
        (
            "/api/search?q=x&sort=popular",
            400,
            "bad_parameter",
            "sort must be 'relevance' or 'date', not 'popular'.",
        ),
        (
            "/api/suggest?q=x&limit=51",
            400,
            "bad_parameter",
            "limit must be between 1 and 50, not 51.",
        ),
        ("/api/doc/no-such-id", 404, "not_found", "No document with id 'no-such-id'."),
        ("/api/nothing-here", 404, "not_found", "Nothing at /api/nothing-here."),
        ("/api/", 404, "not_found", "Nothing at /api/."),
    ],
    ids=[
        "search-too-long",
        "suggest-too-long",
        "limit-0",
        "limit-101",
        "limit-word",
        "page-0",
        "page-negative",
        "page-fraction",
        "page-too-deep",
        "page-19-digits",
        "page-5000-digits",
        "categories-21",
        "sources-20000",
        "sort",
        "suggest-limit",
        "unknown-doc",
        "unknown-route",
        "api-root",
    ],
)
def test_api_errors_have_one_shape(
    client: FlaskClient, url: str, status: int, code: str, message: str
) -> None:
    assert_error(client.get(url), status, code, message)


@pytest.mark.parametrize("url", ["/api/search", "/api/suggest", "/api/stats", "/api/doc/a008"])
def test_api_refuses_other_methods(client: FlaskClient, url: str) -> None:
    assert_error(client.post(url), 405, "method_not_allowed", "POST is not allowed here.")


def test_an_unexpected_error_is_a_generic_500_and_the_traceback_goes_to_the_log(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/x")

    monkeypatch.setattr(Searcher, "search", broken)
    with caplog.at_level(logging.ERROR):
        api = client.get("/api/search?q=x")
        page = client.get("/?q=x")
    assert_error(
        api, 500, "internal_error", "Internal server error. The details are in the server's log."
    )
    html = html_of(page, 500)
    assert "secret internals" not in html and "Traceback" not in html
    assert "حدث خطأ في الخادم" in html
    logged = [record for record in caplog.records if record.exc_info]
    assert len(logged) == 2
    assert "secret internals at /srv/x" in caplog.text
    assert "Traceback" in caplog.text


# -- no index yet, and a new commit ------------------------------------------


def test_without_an_index_the_page_explains_and_the_api_says_no_index(
    tmp_path: Path, seed_documents: list[Document]
) -> None:
    missing = tmp_path / "later"
    app = create_app({"INDEX": str(missing), "TESTING": True})
    client = app.test_client()
    expected = f"No index at '{missing}'. Build one with: arsearch index --index {missing} seeds/"
    for url in ("/api/search?q=x", "/api/suggest?q=x", "/api/doc/a008", "/api/stats"):
        assert_error(client.get(url), 503, "no_index", expected)
    html = html_of(client.get("/"), 503)
    assert "لا يوجد فهرس بعد" in html
    assert f"<code>arsearch index seeds/ --index {missing}</code>" in html
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "no_index", "documents": 0, "message": expected}
    assert client.get("/opensearch.xml").status_code == 200
    assert static_file(client, "/static/arsearch.css")[0] == 200
    # Built after the app started: served without a restart.
    with Index.create(missing) as index:
        index.add(seed_documents)
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 45}
    assert client.get("/api/search", query_string={"q": OIL}).get_json()["total"] == 4
    app.extensions["arsearch"].close()


def test_a_new_commit_is_served_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as writer:
        writer.add(Document("d1", "أخبار القاهرة", "وصل الوفد إلى القاهرة."))
    app = create_app({"INDEX": str(path)})
    client = app.test_client()
    assert client.get("/api/search?q=الزمرد").get_json()["total"] == 0
    with Index.open(path) as writer:
        writer.add(Document("d2", "معرض الزمرد", "افتتح معرض الزمرد أبوابه."))
    data = client.get("/api/search?q=الزمرد").get_json()
    assert data["total"] == 1 and data["hits"][0]["id"] == "d2"
    assert client.get("/healthz").get_json()["documents"] == 2
    assert client.get("/doc/d2").status_code == 200
    app.extensions["arsearch"].close()


# -- headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/"),
        ("GET", f"/?q={OIL}"),
        ("GET", "/doc/a008"),
        ("GET", "/doc/nope"),
        ("GET", "/nowhere"),
        ("GET", "/?limit=0"),
        ("GET", "/opensearch.xml"),
        ("GET", "/static/arsearch.css"),
        ("GET", "/static/nope.js"),
        ("GET", "/api/search?q=x"),
        ("GET", "/api/search?limit=0"),
        ("GET", "/api/nope"),
        ("POST", "/api/search"),
        ("GET", "/healthz"),
    ],
)
def test_security_headers_on_every_response(client: FlaskClient, method: str, url: str) -> None:
    with client.open(url, method=method) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


# -- mounting, assets and the serve command ----------------------------------


def test_the_blueprint_mounts_under_a_prefix_in_another_app(index_path: Path) -> None:
    host = Flask("host")
    host.config["INDEX"] = str(index_path)
    host.register_blueprint(blueprint, url_prefix="/search")

    @host.get("/")
    def home() -> str:
        return "host home"

    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    html = html_of(client.get("/search/", query_string={"q": OIL}))
    assert f'href="/search/doc/a008?q={_quoted(OIL)}"' in html
    assert 'href="/search/static/arsearch.css"' in html
    assert static_file(client, "/search/static/suggest.js")[0] == 200
    assert client.get("/search/api/search", query_string={"q": OIL}).get_json()["total"] == 4
    assert_error(client.get("/search/api/doc/nope"), 404, "not_found")
    response = client.get("/search/")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    host.extensions["arsearch"].close()


def test_assets_are_found() -> None:
    folder = assets_dir()
    assert (folder / "templates" / "arsearch" / "base.html").is_file()
    assert (folder / "static" / "suggest.js").is_file()


@pytest.mark.parametrize(
    "doc_id, query",
    [("a008", OIL), ("a001", "الانتخابات"), ("a019", "البعثات"), ("evil-1", "الاختراق")],
)
def test_paragraphs_split_marked_html_between_tags(
    reference: Index, doc_id: str, query: str
) -> None:
    _, marked = reference.highlight(doc_id, query)
    body = marked.html()
    parts = paragraphs(body)
    assert len(parts) >= 2
    assert sum(part.count("<mark>") for part in parts) == body.count("<mark>") > 0
    for part in parts:
        assert part.count("<mark>") == part.count("</mark>")


class _FakeServer:
    """Stands in for arsearch.web.server's listen() and serve(): records, serves nothing."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("arsearch.web.server.listen", self.listen)
        monkeypatch.setattr("arsearch.web.server.serve", self.serve)
        self.closed = False
        _FakeServer.last = self

    def listen(self, host: str, port: int) -> _FakeServer:
        self.kwargs = {"host": host, "port": port}
        return self

    def getsockname(self) -> tuple[str, int]:
        return (self.kwargs["host"], 48123)

    def serve(self, make_app: Any, sock: Any, *, workers: int, limits: Any) -> None:
        made = make_app()  # as a worker does, after the fork
        self.app: Flask = getattr(made, "app", made)  # inside the request log
        self.workers = workers
        raise KeyboardInterrupt

    def close(self) -> None:
        self.closed = True

    last: _FakeServer


def test_serve_listens_on_localhost_with_a_worker_per_core_and_prints_the_url(
    index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _FakeServer(monkeypatch)
    result = CliRunner().invoke(cli, ["serve", "--index", str(index_path), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert f"Serving '{index_path}' at http://127.0.0.1:48123/ (Ctrl+C stops)" in result.output
    server = _FakeServer.last
    assert server.kwargs == {"host": "127.0.0.1", "port": 0}
    assert server.workers == default_workers()
    assert server.closed
    assert server.app.test_client().get("/healthz").get_json()["documents"] == 46
    server.app.extensions["arsearch"].close()


def test_serve_shows_an_ipv6_url(index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _FakeServer(monkeypatch)
    result = CliRunner().invoke(cli, ["serve", "--index", str(index_path), "--host", "::1"])
    assert result.exit_code == 0, result.output
    assert f"Serving '{index_path}' at http://[::1]:48123/ (Ctrl+C stops)" in result.output
    assert _FakeServer.last.kwargs == {"host": "::1", "port": 8000}
    _FakeServer.last.app.extensions["arsearch"].close()


def test_serve_with_debug_uses_flasks_server(
    index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli, ["--debug", "serve", "--index", str(index_path)])
    assert result.exit_code == 0, result.output
    assert "at http://127.0.0.1:8000/ (Flask's debug server)" in result.output
    assert calls == [{"host": "127.0.0.1", "port": 8000, "debug": True, "use_reloader": False}]


def test_concurrent_requests_all_succeed(app: Flask) -> None:
    """Waitress serves from several threads: each must get the single-threaded answer."""
    queries = [OIL, "الجديد", "السعودية", "القاهره", "اسعار النفت", "العربية"]
    single = app.test_client()
    expected = {}
    for query in queries:
        response = single.get("/api/search", query_string={"q": query, "limit": "20"})
        assert response.status_code == 200
        expected[query] = without_time(response.get_json())
        assert expected[query]["hits"], query
    failures: list[str] = []
    finished: list[int] = []

    def client_thread(seed: int) -> None:
        client = app.test_client()
        for number in range(25):
            query = queries[(seed + number) % len(queries)]
            response = client.get("/api/search", query_string={"q": query, "limit": "20"})
            if response.status_code != 200:
                failures.append(f"{query}: {response.status_code} {response.get_data()[:200]!r}")
            elif without_time(response.get_json()) != expected[query]:
                failures.append(f"{query}: another answer than a single thread's")
        finished.append(seed)

    threads = [threading.Thread(target=client_thread, args=(n,), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    assert join_all(threads, timeout=60) == [], "a thread hung"
    assert sorted(finished) == list(range(8))
    assert failures == []


def test_the_app_can_serve_an_index_opened_by_the_caller(reference: Index) -> None:
    app = create_app({"INDEX": reference})
    assert app.test_client().get("/healthz").get_json() == {"status": "ok", "documents": 46}
    app.extensions["arsearch"].close()
    assert len(reference) == 46  # still open: the caller owns it


# -- serve: writes, keys and the host ----------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "search.example.org"])
def test_serve_refuses_to_expose_writes_without_a_key(index_path: Path, host: str) -> None:
    done = run_cli(
        "serve", "--index", str(index_path), "--host", host, "--allow-writes-without-key"
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"Error: Refusing to accept writes without an API key on {host}: anyone who can "
        "reach it could change the index. Give --api-key-file FILE, or listen on 127.0.0.1.\n"
    )
    assert done.stdout == ""


@pytest.mark.parametrize(
    "content", [None, "", "# no key yet\n"], ids=["missing", "empty", "comment"]
)
def test_serve_stops_at_start_on_a_missing_or_empty_key_file(
    index_path: Path, tmp_path: Path, content: str | None
) -> None:
    keys = tmp_path / "keys"
    if content is not None:
        keys.write_text(content, encoding="utf-8")
    done = run_cli("serve", "--index", str(index_path), "--api-key-file", str(keys))
    assert done.returncode == 2
    start = (
        f"Error: No API key file at '{keys}'"
        if content is None
        else (f"Error: The API key file '{keys}' holds no key")
    )
    assert done.stderr.startswith(start)
    assert done.stdout == ""


def test_serve_with_a_key_file_on_all_addresses_says_writes_are_on(
    index_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "keys"
    keys.write_text("a-long-random-key-for-tests\n", encoding="utf-8")
    _FakeServer(monkeypatch)
    result = CliRunner().invoke(
        cli,
        ["serve", "--index", str(index_path), "--host", "0.0.0.0", "--api-key-file", str(keys)],
    )
    assert result.exit_code == 0, result.output
    assert "Writes over HTTP: on, with an API key." in result.output
    assert _FakeServer.last.kwargs == {"host": "0.0.0.0", "port": 8000}
    _FakeServer.last.app.extensions["arsearch"].close()


def test_serve_takes_its_host_and_port_from_the_settings(
    tmp_path: Path, seed_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "index"
    with Index.create(path) as index:
        index.add(seed_documents)
    set_setting(path, "serve.host", ["::1"])
    set_setting(path, "serve.port", ["8123"])
    _FakeServer(monkeypatch)
    result = CliRunner().invoke(cli, ["serve", "--index", str(path)])
    assert result.exit_code == 0, result.output
    assert _FakeServer.last.kwargs == {"host": "::1", "port": 8123}
    assert "Writes over HTTP: off." in result.output
    _FakeServer.last.app.extensions["arsearch"].close()
    result = CliRunner().invoke(cli, ["serve", "--index", str(path), "--port", "9000"])
    assert _FakeServer.last.kwargs == {"host": "::1", "port": 9000}
    _FakeServer.last.app.extensions["arsearch"].close()
