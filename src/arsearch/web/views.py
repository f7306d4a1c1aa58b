"""The HTML pages: the search page, an article, the API's page, the OpenSearch description."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Response, render_template, request, url_for
from markupsafe import Markup

from ..index import MAX_OFFSET
from ..models import Results
from ..query import verbatim_query
from .access import access_of
from .api import api_description
from .params import SearchParams, query_arg, read_search
from .state import get_searcher

__all__ = [
    "EXAMPLES",
    "api_page",
    "document_page",
    "opensearch",
    "page_numbers",
    "paragraphs",
    "search_page",
]

#: The home page's examples of the query language: (query, what it does).
EXAMPLES = (
    ('"البيت الأبيض"', "عبارة بترتيب كلماتها"),
    ("+واشنطن -بغداد", "كلمة مطلوبة وكلمة مستبعدة"),
    ("اقتصا*", "كل كلمة تبدأ بـ«اقتصا»"),
    ("النفط OR الغاز", "إحدى الكلمتين"),
)

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SAFE_SCHEME = re.compile(r"https?://", re.IGNORECASE)


def page_numbers(current: int, last: int, *, around: int = 2) -> list[int | None]:
    """The page links to show: the first, the last and a few around ``current``; None is a gap.

    >>> page_numbers(6, 20)
    [1, None, 4, 5, 6, 7, 8, None, 20]
    >>> page_numbers(1, 3)
    [1, 2, 3]
    """
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    previous = 0
    for number in shown:
        if previous and number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out


def paragraphs(html: str) -> list[Markup]:
    """Split an article's escaped, marked HTML at blank lines, one ``Markup`` per paragraph.

    Safe on the ``html()`` of ``Searcher.highlight`` output: escaping never makes a
    newline and a mark holds one word, so a blank line is never inside a tag.

    >>> paragraphs("a <mark>b</mark>\\n\\n c\\n")
    [Markup('a <mark>b</mark>'), Markup('c')]
    """
    return [Markup(part.strip()) for part in _BLANK_LINE.split(html) if part.strip()]


def _last_page(results: Results) -> int:
    # The library refuses pages past MAX_OFFSET; links must not lead there.
    pages = max(1, -(-results.total // results.limit))
    return min(pages, MAX_OFFSET // results.limit + 1)


def _link(params: SearchParams) -> Callable[..., str]:
    def link(**changes: object) -> str:
        return url_for("arsearch.search", **params.link_args(**changes))

    return link


def search_page() -> str:
    """``/``: the search box, and with ``q`` (or a filter) a page of results."""
    searcher = get_searcher()
    params = read_search(request.args, searcher.fields)
    results = params.run(searcher) if params.is_search() else None
    documents = len(searcher)
    last = _last_page(results) if results is not None else 1
    return render_template(
        "arsearch/search.html",
        params=params,
        query=params.query,
        results=results,
        documents=documents,
        link=_link(params),
        pages=page_numbers(params.page, last) if results and results.total else [],
        last_page=last,
        labels=searcher.labels,
        examples=EXAMPLES,
        autofocus=results is None,
        verbatim=(
            verbatim_query(results.query, results.corrected)
            if results and results.corrected
            else None
        ),
    )


def document_page(doc_id: str) -> str:
    """``/doc/<id>``: the whole article, with the words of ``q`` marked."""
    query = query_arg(request.args)
    searcher = get_searcher()
    document = searcher.get(doc_id)
    title, body = searcher.highlight(doc_id, query)
    original = document.url if document.url and _SAFE_SCHEME.match(document.url) else None
    return render_template(
        "arsearch/document.html",
        document=document,
        title_html=Markup(title.html()),
        body=paragraphs(body.html()),
        query=query,
        original=original,
        labels=searcher.labels,
    )


def api_page() -> str:
    """``/api``: the JSON API for people, from the same description as ``/api/openapi.json``."""
    # The examples name the configured public address, never the request's Host header.
    base = access_of().base_url or "http://127.0.0.1:8000"
    return render_template("arsearch/api.html", api=api_description(), base=base, query="")


def opensearch() -> Response:
    """``/opensearch.xml``: lets a browser add this page as a search engine.

    Its links start with the configured base URL (``serve.base_url``), or else are
    relative to this description: never taken from the request's Host header.
    """
    base = access_of().base_url or ""
    xml = render_template(
        "arsearch/opensearch.xml",
        search_url=base + url_for("arsearch.search"),
        icon_url=base + url_for("arsearch.static", filename="favicon.svg"),
        self_url=base + url_for("arsearch.opensearch"),
    )
    return Response(xml, mimetype="application/opensearchdescription+xml")
