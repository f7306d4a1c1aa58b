"""The exception tree. Every message is the sentence a user should read, naming the fix.

Some fixes are worded differently for each door: a Python caller passes
``overwrite=True`` where a command-line user adds ``--rebuild``. Such an error
carries a :class:`Remedy`; ``str(error)`` ends with the Python wording and
:meth:`ArsearchError.for_cli` with the command line's. The sentence itself is
written once, where the error is raised.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ArsearchError",
    "DocumentError",
    "DocumentNotFoundError",
    "EvaluationError",
    "IndexExistsError",
    "IndexFormatError",
    "IndexIOError",
    "IndexLockedError",
    "LocatedError",
    "NoIndexError",
    "QueryTooComplexError",
    "QueryTooLongError",
    "Remedy",
    "SettingsError",
    "ShardUnavailableError",
    "SynonymsError",
    "UsageError",
]

#: The index directory of the CLI and the web app when none is named.
DEFAULT_INDEX_DIR = "index"


class Remedy(NamedTuple):
    """The fix of an error, as a Python caller and as a command-line user would apply it."""

    python: str
    cli: str


class ArsearchError(Exception):
    """Base class of every error arsearch raises on purpose.

    >>> error = ArsearchError("The index is old.", Remedy("Pass overwrite=True.", "Add --rebuild."))
    >>> str(error), error.for_cli()
    ('The index is old. Pass overwrite=True.', 'The index is old. Add --rebuild.')
    """

    def __init__(self, message: str, remedy: Remedy | None = None) -> None:
        self.message = message
        self.remedy = remedy
        super().__init__(f"{message} {remedy.python}" if remedy else message)

    def for_cli(self) -> str:
        """The message with its fix worded for the command line (and the server's operator)."""
        return f"{self.message} {self.remedy.cli}" if self.remedy else str(self)


def index_flag(shown: str) -> str:
    """``--index PATH `` for a command line, or "" when ``shown`` is the default directory.

    >>> index_flag("index"), index_flag("index/"), index_flag("/srv/ix")
    ('', '', '--index /srv/ix ')
    """
    return "" if shown.rstrip("/") == DEFAULT_INDEX_DIR else f"--index {shown} "


def rebuild_remedy(shown: str) -> Remedy:
    """How to build the index at ``shown`` again from its sources."""
    return Remedy(
        f"Rebuild it with Index.create({shown!r}, overwrite=True) and add the documents again.",
        f"Rebuild it with: arsearch index --rebuild {index_flag(shown)}PATH...",
    )


class UsageError(ArsearchError, ValueError):
    """A bad argument: an unknown engine or stemmer, a limit out of range."""


class NoIndexError(ArsearchError):
    """There is no index at the given path."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"No index at '{path}'.",
            Remedy(
                f"Create one with Index.create({path!r}).",
                f"Build one with: arsearch index {index_flag(path)}seeds/",
            ),
        )
        self.path = path


class IndexExistsError(ArsearchError):
    """Creating an index where one already exists, or in a folder that holds other files."""


class IndexFormatError(ArsearchError):
    """The index on disk was written by another format version or is damaged."""


class IndexIOError(ArsearchError):
    """The index's files cannot be read or written: a full disk, a read-only folder, no
    permission, an engine's writer that failed. The message names the cause, and the path
    unless an engine raised it (an engine is not told the path the user gave)."""


class IndexLockedError(ArsearchError):
    """Another writer holds the index's writer lock."""


class ShardUnavailableError(ArsearchError):
    """No server of a shard of a cluster index answers (the web answers 503)."""


class SettingsError(UsageError):
    """A setting of an index that is unknown or has a bad value, or a settings file that
    cannot be read."""


class QueryTooLongError(UsageError):
    """A query longer than the configured bound."""


class QueryTooComplexError(UsageError):
    """A query whose planning outlasts its deadline (too many costly words)."""


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


class SynonymsError(LocatedError):
    """A synonyms file or group that cannot be read, reported as ``path:line: reason``."""


class DocumentNotFoundError(ArsearchError, KeyError):
    """No document has the requested id."""

    def __init__(self, doc_id: str) -> None:
        super().__init__(f"No document with id '{doc_id}'.")
        self.doc_id = doc_id

    def __str__(self) -> str:
        return str(self.args[0])
