"""Dates, parsed and checked in one place: stored dates, filter bounds and query ranges.

A document's date is ISO 8601 (``2021-03-05``, ``2021-03-05T10:30:00+03:00``); two
common near-ISO forms are rewritten to it. An index keeps a date as seconds since
1970 (UTC), and a filter's bounds cover whole days.
"""

from __future__ import annotations

import calendar
import datetime
import re

from .errors import UsageError

__all__ = [
    "DATE_HINT",
    "check_date",
    "date_bounds",
    "date_key",
    "date_range",
    "day_first_date",
]

#: How a date is written, for error messages.
DATE_HINT = "YYYY-MM-DD, for example 2021-03-05"

_ISO_DATE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?P<off_hour>[0-9]{2}):(?P<off_minute>[0-9]{2}))?)?"
)
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_COMPACT_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})?")
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def check_date(value: str) -> bool:
    """Whether ``value`` is an ISO 8601 date or date-time arsearch accepts.

    ``YYYY-MM-DD``, optionally followed by ``T`` or a space and
    ``HH:MM[:SS[.ffffff]]`` with an optional ``Z`` or ``±HH:MM`` offset.

    >>> check_date("2021-03-12"), check_date("2021-03-12T08:30:00+03:00")
    (True, True)
    >>> check_date("12/3/2021"), check_date("2021-02-30")
    (False, False)
    """
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return False
    parts = {name: int(digits) for name, digits in match.groupdict().items() if digits}
    try:
        datetime.date(parts["year"], parts["month"], parts["day"])
        datetime.time(parts.get("hour", 0), parts.get("minute", 0), parts.get("second", 0))
    except ValueError:
        return False
    return parts.get("off_hour", 0) <= 23 and parts.get("off_minute", 0) <= 59


def day_first_date(value: str) -> str | None:
    """ISO for two common near-ISO forms, else None.

    A day-first date (DD/MM/YYYY, the usual Arabic order) and a date with a
    compact time (2017-01-22T185600) are rewritten in ISO 8601 extended form.

    >>> day_first_date("25/05/2017"), day_first_date("5.1.2020"), day_first_date("31/02/2020")
    ('2017-05-25', '2020-01-05', None)
    >>> day_first_date("2017-01-22T185600")
    '2017-01-22T18:56:00'
    """
    text = value.strip()
    compact = _COMPACT_TIME.fullmatch(text)
    if compact is not None:
        day, hour, minute, second = compact.groups()
        rewritten = f"{day}T{hour}:{minute}:{second or '00'}"
        return rewritten if check_date(rewritten) else None
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return None
    day_n, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day_n).isoformat()
    except ValueError:
        return None


def _parse(value: str) -> datetime.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def date_key(value: str | None) -> int | None:
    """Seconds since 1970 (UTC) of an ISO 8601 date or date-time; None stays None.

    >>> date_key("1970-01-02")
    86400
    >>> date_key("2021-13")
    Traceback (most recent call last):
      ...
    arsearch.errors.UsageError: '2021-13' is not a date: write YYYY-MM-DD, for example 2021-03-05.
    """
    if value is None or not value.strip():
        return None
    try:
        return int(_parse(value).timestamp())
    except (ValueError, OverflowError):
        # Shown escaped where it is not text (a lone surrogate from a command line).
        shown = value[:40].encode("utf-8", "backslashreplace").decode("utf-8")
        raise UsageError(f"'{shown}' is not a date: write {DATE_HINT}.") from None


def date_bounds(date_from: str | None, date_to: str | None) -> tuple[int | None, int | None]:
    """An inclusive range of date keys covering whole days.

    >>> date_bounds("1970-01-02", "1970-01-02")
    (86400, 172799)
    """
    low = date_key(date_from)
    high = date_key(date_to)
    if high is not None and date_to is not None and len(date_to.strip()) <= 10:
        high += 86_399
    return low, high


def date_range(value: str) -> tuple[str | None, str | None] | None:
    """``(from, to)`` days of a query's date value, either end open; None if not a range.

    A year, a month or a day, or two of them joined by ``..`` (inclusive).

    >>> date_range("2021"), date_range("2020-02")
    (('2021-01-01', '2021-12-31'), ('2020-02-01', '2020-02-29'))
    >>> date_range("2021-03-05.."), date_range("2021-13")
    (('2021-03-05', None), None)
    """
    start, dots, end = value.partition("..")
    if not dots:
        end = start
    if not (start or end):
        return None
    first = _day(start, last=False) if start else None
    last = _day(end, last=True) if end else None
    if (start and first is None) or (end and last is None):
        return None
    if first and last and first > last:
        return None
    return first, last


def _day(value: str, *, last: bool) -> str | None:
    """The first (or ``last``) day of a year, month or day written ``YYYY[-MM[-DD]]``."""
    match = _PARTIAL.fullmatch(value)
    if match is None:
        return None
    try:
        year = int(match[1])
        month = int(match[2]) if match[2] else 12 if last else 1
        day = int(match[3]) if match[3] else calendar.monthrange(year, month)[1] if last else 1
        return datetime.date(year, month, day).isoformat()
    except ValueError:  # no such month or day, or year 0
        return None
