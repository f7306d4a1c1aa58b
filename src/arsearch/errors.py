"""The exception tree. Every message is the sentence a user should read, naming the fix."""

from __future__ import annotations

__all__ = [
    "ArsearchError",
    "DocumentError",
    "DocumentNotFoundError",
    "EvaluationError",
    "IndexExistsError",
    "IndexFormatError",
    "IndexLockedError",
    "LocatedError",
    "NoIndexError",
    "QueryTooLongError",
    "UsageError",
]


class ArsearchError(Exception):
    """Base class of every error arsearch raises on purpose."""


class UsageError(ArsearchError, ValueError):
    """A bad argument: an unknown engine or stemmer, a limit out of range."""


class NoIndexError(ArsearchError):
    """There is no index at the given path."""

    def __init__(self, path: str) -> None:
        super().__init__(f"No index at '{path}'. Build one with: arsearch index seeds/")
        self.path = path


class IndexExistsError(ArsearchError):
    """Creating an index where one already exists."""


class IndexFormatError(ArsearchError):
    """The index on disk was written by another format version or is damaged."""


class IndexLockedError(ArsearchError):
    """Another process holds the index's writer lock."""


class QueryTooLongError(UsageError):
    """A query longer than the configured bound."""


class LocatedError(ArsearchError):
    """A problem at a place in an input file, reported as ``path:line: reason``."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class DocumentError(LocatedError):
    """A bad input record, reported as ``path:line: reason``."""


class EvaluationError(LocatedError):
    """A bad line in a query or qrels file, reported as ``path:line: reason``."""


class DocumentNotFoundError(ArsearchError, KeyError):
    """No document has the requested id."""

    def __init__(self, doc_id: str) -> None:
        super().__init__(f"No document with id '{doc_id}'.")
        self.doc_id = doc_id

    def __str__(self) -> str:
        return str(self.args[0])
