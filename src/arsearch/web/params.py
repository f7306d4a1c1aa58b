"""Reading the query string: the same checks for the page and the API, as library errors."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from ..errors import UsageError
from ..index import SORT_ORDERS, Searcher, filter_names
from ..models import FieldTable, Results, SortOrder
from ..query import check_length

__all__ = [
    "DEFAULT_LIMIT",
    "SUGGEST_PARAMETERS",
    "SearchParams",
    "check_known",
    "query_arg",
    "read_search",
    "search_parameters",
    "whole_number",
]

#: Hits per page when the request names no ``limit``.
DEFAULT_LIMIT = 10
#: Digits a whole-number parameter may have: no range is wider, and int() of a long
#: string costs time (and on CPython 3.10.7+ fails with its own message).
MAX_DIGITS = 18
#: Values one filter parameter may repeat: each of a page's links carries all of them.
MAX_FILTER_VALUES = 20

Args = MultiDict[str, str]

#: The parameters of ``/api/suggest``.
SUGGEST_PARAMETERS = ("q", "limit")


def search_parameters(fields: FieldTable) -> tuple[str, ...]:
    """The parameters of a search: ``q``, paging, ``sort`` and the field table's filters.

    >>> from arsearch.models import FIELDS
    >>> search_parameters(FIELDS)
    ('q', 'page', 'limit', 'sort', 'category', 'source', 'date_from', 'date_to')
    """
    return ("q", "page", "limit", "sort", *filter_names(fields))


def check_known(args: Args, allowed: tuple[str, ...]) -> None:
    """Raise UsageError naming the parameters of ``args`` that are not ``allowed``.

    An API call with a misspelt parameter (``catgory=``) would otherwise be
    answered as if the parameter were not there.
    """
    unknown = [name for name in dict.fromkeys(args) if name not in allowed]
    if not unknown:
        return
    names = ", ".join(f"'{name[:40]}'" for name in unknown[:5])
    known = ", ".join(allowed) if allowed else "none"
    plural = "s" if len(unknown) > 1 else ""
    raise UsageError(f"Unknown parameter{plural} {names}. Parameters here: {known}.")


def query_arg(args: Args) -> str:
    """The ``q`` parameter; raises QueryTooLongError over the library's bound."""
    return check_length(args.get("q", ""))


def whole_number(args: Args, name: str, default: int) -> int:
    """The integer parameter ``name``; raises UsageError when it is not a whole number.

    Ranges are the library's to check, so its messages are the same at every door.
    """
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if len(raw) > MAX_DIGITS:
        raise UsageError(
            f"{name} must be a whole number of at most {MAX_DIGITS} digits, not '{raw[:40]}'."
        )
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not '{raw[:40]}'.") from None


def _sort(args: Args) -> SortOrder:
    raw = args.get("sort", "") or "relevance"
    for order in SORT_ORDERS:
        if raw == order:
            return order
    raise UsageError(f"sort must be 'relevance' or 'date', not '{raw[:40]}'.")


class SearchParams:
    """A search request's parameters, read and checked once, and the links built from them."""

    def __init__(
        self,
        query: str,
        *,
        page: int,
        limit: int,
        sort: SortOrder,
        filters: dict[str, list[str]],
        single: frozenset[str] = frozenset(),
    ) -> None:
        """Use :func:`read_search`. ``single``: the filters that take one value (dates)."""
        self.query = query
        self.page = page
        self.limit = limit
        self.sort: SortOrder = sort
        self.filters = filters
        self._single = single

    def run(self, searcher: Searcher) -> Results:
        """These parameters' search on ``searcher``: what the page and the API both show."""
        filters: dict[str, list[str] | str | None] = {
            name: (values[-1] if values else None) if name in self._single else values
            for name, values in self.filters.items()
        }
        return searcher.search(
            self.query, limit=self.limit, page=self.page, sort=self.sort, filters=filters
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


def _filter_values(args: Args, name: str) -> list[str]:
    values = args.getlist(name)
    if len(values) > MAX_FILTER_VALUES:
        raise UsageError(f"{name} takes at most {MAX_FILTER_VALUES} values, not {len(values)}.")
    return [value for value in values if value.strip()]


def read_search(args: Args, fields: FieldTable) -> SearchParams:
    """Read ``q``, ``page``, ``limit``, ``sort`` and the filters of a request.

    The filters are those of the index's field table: a keyword field as repeated
    parameters (``category=a&category=b``), a date field as ``date_from`` and ``date_to``.
    """
    names = filter_names(fields)
    return SearchParams(
        query_arg(args),
        page=whole_number(args, "page", 1),
        limit=whole_number(args, "limit", DEFAULT_LIMIT),
        sort=_sort(args),
        filters={name: _filter_values(args, name) for name in names},
        single=frozenset(name for name in names if name not in fields),
    )
