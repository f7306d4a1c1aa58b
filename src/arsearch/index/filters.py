"""Filters given to a search, checked against the index's field table and made engine specs.

A filter mapping names keyword fields (a value or a list of values, any of which
matches) and date fields (``<name>_from`` and ``<name>_to``, inclusive ISO days).

>>> from arsearch.models import FIELDS
>>> filters_from({"category": "sport", "date_from": "2021-01-01"}, FIELDS).values
{'category': ('sport',)}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..dates import date_bounds
from ..documents.validation import without_surrogates
from ..engines import FilterSpec
from ..errors import UsageError
from ..models import FieldTable
from ..query import DayRange, Filters

__all__ = ["filter_names", "filter_spec", "filters_from"]

_ENDS = ("from", "to")


def filter_names(fields: FieldTable) -> tuple[str, ...]:
    """The keys a filter mapping may hold, in table order.

    >>> from arsearch.models import FIELDS
    >>> filter_names(FIELDS)
    ('category', 'source', 'date_from', 'date_to')
    """
    names = fields.filter_names()
    keywords = [name for name in names if fields[name].kind != "date"]
    dates = [f"{name}_{end}" for name in names if fields[name].kind == "date" for end in _ENDS]
    return (*keywords, *dates)


def _values(name: str, value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item)
    raise UsageError(
        f"The filter '{name}' must be a string or a list of strings, not {value!r:.60}."
    )


def _day(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UsageError(f"The filter '{name}' must be an ISO date string, not {value!r:.60}.")
    return value


def filters_from(mapping: Mapping[str, Any] | None, fields: FieldTable) -> Filters:
    """The filters of a mapping; raises UsageError for a name the field table does not filter."""
    if mapping is not None and not isinstance(mapping, Mapping):
        kind = type(mapping).__name__
        raise TypeError(f"filters must be a mapping of filter names to values, not {kind}.")
    if not mapping:
        return Filters()
    allowed = filter_names(fields)
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise UsageError(f"Unknown filter {', '.join(unknown)}. Filters are: {', '.join(allowed)}.")
    values: dict[str, tuple[str, ...]] = {}
    ranges: dict[str, DayRange] = {}
    for name in fields.filter_names():
        if fields[name].kind == "date":
            low = _day(f"{name}_from", mapping.get(f"{name}_from"))
            high = _day(f"{name}_to", mapping.get(f"{name}_to"))
            if low or high:
                ranges[name] = (low, high)
        else:
            found = _values(name, mapping.get(name))
            if found:
                values[name] = found
    return Filters(values, ranges)


def filter_spec(filters: Filters) -> FilterSpec:
    """The engine's form of ``filters``: date ranges as seconds covering whole days."""
    return FilterSpec(
        # A lone surrogate (an undecodable byte of a command line) matches nothing.
        keywords={
            name: tuple(without_surrogates(item) for item in items)
            for name, items in filters.values.items()
            if items
        },
        ranges={name: date_bounds(low, high) for name, (low, high) in filters.ranges.items()},
    )
