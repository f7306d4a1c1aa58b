"""Reading the query string: the same checks for the page and the API, as library errors."""

from __future__ import annotations

from typing import Any, Literal

from werkzeug.datastructures import MultiDict

from ..errors import QueryTooLongError, UsageError
from ..index import Index
from ..models import Results
from ..query import MAX_QUERY_LENGTH

__all__ = ["DEFAULT_LIMIT", "FACETS", "SearchParams", "query_arg", "read_search", "whole_number"]

#: Hits per page when the request names no ``limit``.
DEFAULT_LIMIT = 10
#: The filters a request may carry, each as repeated parameters (``category=a&category=b``).
FACETS = ("category", "source")

Sort = Literal["relevance", "date"]
Args = MultiDict[str, str]


def query_arg(args: Args) -> str:
    """The ``q`` parameter; raises QueryTooLongError over the library's bound."""
    text = args.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        # The same sentence Index.search gives, so that every door reads alike.
        raise QueryTooLongError(
            f"Query is too long: {len(text)} characters; the limit is {MAX_QUERY_LENGTH}."
        )
    return text


def whole_number(args: Args, name: str, default: int) -> int:
    """The integer parameter ``name``; raises UsageError when it is not a whole number.

    Ranges are the library's to check, so its messages are the same at every door.
    """
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not '{raw[:40]}'.") from None


def _sort(args: Args) -> Sort:
    raw = args.get("sort", "") or "relevance"
    if raw == "relevance":
        return "relevance"
    if raw == "date":
        return "date"
    raise UsageError(f"sort must be 'relevance' or 'date', not '{raw[:40]}'.")


class SearchParams:
    """A search request's parameters, read and checked once, and the links built from them."""

    def __init__(
        self,
        query: str,
        *,
        page: int,
        limit: int,
        sort: Sort,
        filters: dict[str, list[str]],
    ) -> None:
        """Use :func:`read_search`."""
        self.query = query
        self.page = page
        self.limit = limit
        self.sort: Sort = sort
        self.filters = filters

    def run(self, index: Index) -> Results:
        """These parameters' search on ``index``: what the page and the API both show."""
        return index.search(
            self.query, limit=self.limit, page=self.page, sort=self.sort, filters=self.filters
        )

    def is_search(self) -> bool:
        """Whether there is anything to search for (words or a filter)."""
        return bool(self.query.strip()) or any(self.filters.values())

    def link_args(self, **changes: object) -> dict[str, Any]:
        """URL parameters for a link that keeps this search, with ``changes`` (None drops one).

        Default values are left out so that links stay short.
        """
        out: dict[str, Any] = {"q": self.query}
        out.update({name: values for name, values in self.filters.items() if values})
        if self.sort != "relevance":
            out["sort"] = self.sort
        if self.limit != DEFAULT_LIMIT:
            out["limit"] = self.limit
        if self.page != 1:
            out["page"] = self.page
        for name, value in changes.items():
            if value is None or value == [] or (name == "page" and value == 1):
                out.pop(name, None)
            else:
                out[name] = value
        if out.get("sort") == "relevance":
            del out["sort"]
        return out


def read_search(args: Args) -> SearchParams:
    """Read ``q``, ``page``, ``limit``, ``sort`` and the facet filters of a request."""
    return SearchParams(
        query_arg(args),
        page=whole_number(args, "page", 1),
        limit=whole_number(args, "limit", DEFAULT_LIMIT),
        sort=_sort(args),
        filters={name: [v for v in args.getlist(name) if v.strip()] for name in FACETS},
    )
