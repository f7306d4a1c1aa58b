"""Finding the files to read and routing every bad record to one error handler.

>>> SUPPORTED_SUFFIXES
('.csv', '.json', '.jsonl', '.jsonl.gz', '.md', '.txt')
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator

from ..errors import DocumentError
from ..models import Document
from .decoding import decoded_lines
from .formats import Item, parse_csv, parse_json, parse_jsonl, parse_text
from .validation import DEFAULT_MAX_RECORD_BYTES, id_problem

__all__ = [
    "STREAM_FORMATS",
    "SUPPORTED_SUFFIXES",
    "ReadProgress",
    "read_documents",
    "read_file",
    "read_stream",
    "total_size",
]

#: The formats :func:`read_stream` reads: a JSON array (or one object), or JSON Lines.
STREAM_FORMATS = ("json", "jsonl")

#: The file name endings read as articles (case-insensitive); others are skipped.
SUPPORTED_SUFFIXES = (".csv", ".json", ".jsonl", ".jsonl.gz", ".md", ".txt")

# Longest first, so that ".jsonl.gz" is not mistaken for another ending.
_BY_LENGTH = sorted(SUPPORTED_SUFFIXES, key=len, reverse=True)


class ReadProgress:
    """How far a read has come: the file being read and the bytes read of all files.

    Pass one to :func:`read_documents` (or :func:`read_file`), which keeps it up to
    date. While a document is handed out, :attr:`file` is the file it was read from.
    :meth:`bytes_read` compares with :func:`total_size`: the sizes of the files
    done, plus the position in the current one (compressed bytes for ``.gz``).
    """

    def __init__(self) -> None:
        #: The file being read, as given (joined with its place in a directory).
        self.file: str | None = None
        self._done = 0
        self._stream: io.IOBase | None = None

    def bytes_read(self) -> int:
        """Bytes of the files read so far (file sizes on disk)."""
        position = 0
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                position = stream.tell()
        return self._done + position

    def _start(self, path: str) -> None:
        self.file = path
        self._stream = None

    def _finish(self, path: str) -> None:
        self._stream = None
        with contextlib.suppress(OSError):
            self._done += os.path.getsize(path)


def total_size(paths: Iterable[str | os.PathLike[str]]) -> int:
    """The bytes on disk of the files :func:`read_documents` would read from ``paths``.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = pathlib.Path(folder, "a.txt").write_bytes(b"title\\ntext\\n")
    ...     _ = pathlib.Path(folder, "notes.pdf").write_bytes(b"%PDF")
    ...     total_size([folder, pathlib.Path(folder, "missing.txt")])
    11
    """
    total = 0
    for given in paths:
        shown = os.fspath(given)
        files = _walk(shown, None) if os.path.isdir(shown) else [shown]
        for path in files:
            if isinstance(path, str) and _suffix(path) is not None:
                with contextlib.suppress(OSError):
                    total += os.path.getsize(path)
    return total


def read_documents(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_error: Callable[[DocumentError], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    progress: ReadProgress | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Document]:
    """Stream the documents of files and directories, in order, one at a time.

    A directory is read recursively in sorted name order; hidden files and
    directories (name starting with ``.``), files whose names do not end in
    one of :data:`SUPPORTED_SUFFIXES` and symbolic links to directories are
    skipped; so are named pipes, devices and sockets, with a notice. A file named
    explicitly must be a regular file with a supported ending. See
    :func:`read_file` for the formats, for how ids are made and for
    ``max_record_bytes``; ids of ``.txt`` and ``.md`` files are relative to the
    directory given.

    Each bad record, unreadable file or missing path is a :class:`DocumentError`
    whose text is ``path:line: reason``, the path being the one given joined
    with the file's place inside it (``corpus/a/b.jsonl:3: no text``). With
    ``on_error`` it is passed there and reading goes on; without, it is raised
    and reading stops. ``on_notice`` receives one-line notes, such as
    ``"corpus/old.txt: read as Windows-1256"`` or a directory with no files
    to read. ``progress`` is kept up to date with the file being read and the
    bytes read (see :class:`ReadProgress`).

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     cairo = pathlib.Path(folder, "cities", "cairo.txt")
    ...     cairo.parent.mkdir()
    ...     _ = cairo.write_text("القاهرة\\nعاصمة مصر.\\n", encoding="utf-8")
    ...     docs = list(read_documents([folder, pathlib.Path(folder, "missing.txt")],
    ...                                on_error=lambda err: print(err.reason)))
    no such file or directory
    >>> [(doc.id, doc.title, doc.text) for doc in docs]
    [('cities/cairo', 'القاهرة', 'عاصمة مصر.')]
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        # A lone string would otherwise be read one character at a time.
        raise TypeError("paths must be a list of paths, not a single path")
    _check_limit(max_record_bytes)
    return _read_all(paths, on_error, on_notice, progress, max_record_bytes)


def _check_limit(max_record_bytes: object) -> None:
    if isinstance(max_record_bytes, bool) or not isinstance(max_record_bytes, int):
        kind = type(max_record_bytes).__name__
        raise TypeError(f"max_record_bytes must be a whole number (int), not {kind}.")
    if max_record_bytes < 1:
        raise ValueError(f"max_record_bytes must be 1 or more, not {max_record_bytes}.")


def read_file(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    on_error: Callable[[DocumentError], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    progress: ReadProgress | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Document]:
    """Stream the documents of one file; errors and ``progress`` are handled as in
    :func:`read_documents`.

    By ending (case-insensitive):

    - ``.txt``, ``.md``: one article; the first non-blank line is the title
      (``#`` marks dropped in Markdown), the rest the text. The id is the path
      relative to ``root`` (default: the file's directory) without the ending,
      with ``/`` separators: ``news/2021/cairo``.
    - ``.jsonl``, ``.jsonl.gz``: one JSON object per line, read line by line.
    - ``.json``: one JSON object (one document), or a top-level array of
      objects; ``line`` in errors is the 1-based record number. The file is
      read whole, its records decoded one by one.
    - ``.csv``: a header row, then one record per row; ``line`` is where the
      record starts, the header being line 1. Empty cells are missing fields.

    Records have the fields ``text`` (or ``body``, or ``content``), ``title``,
    ``id``, ``date``, ``source``, ``category``, ``url`` and ``author``; other
    fields are kept in ``Document.extra``. Without an id, the id is derived
    from the content: ``"sha1:"`` and the first 16 hex digits of the SHA-1 of
    the UTF-8 of ``title + "\\n" + text``. A number id becomes a string.
    ``date`` must be ISO 8601 (``2021-03-12``, ``2021-03-12T08:30:00+03:00``).

    Text is UTF-8 (with or without a BOM), UTF-16 with a BOM, or else
    Windows-1256, with a notice. A file with NUL bytes (and no UTF-16 BOM) or
    full of control characters is rejected as ``binary file, not text``.

    A record larger than ``max_record_bytes`` (default
    :data:`~arsearch.documents.validation.DEFAULT_MAX_RECORD_BYTES`, 4 MiB) is
    skipped with an error, and never held in memory whole: a JSON Lines or CSV
    line, a ``.txt`` or ``.md`` file, one record of a ``.json`` file. An id must
    not be empty, hold a control character or pass 512 bytes; fields are nested
    at most 32 levels deep; no string may hold a lone surrogate.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     news = pathlib.Path(folder, "news.jsonl")
    ...     _ = news.write_text('{"id": 7, "title": "خبر", "text": "نص الخبر"}\\n', "utf-8")
    ...     [doc.id for doc in read_file(news)]
    ['7']
    """
    _check_limit(max_record_bytes)
    shown = os.fspath(path)
    base = None if root is None else os.fspath(root)
    if progress is not None:
        progress._start(shown)
    for item in _file_items(shown, base, on_notice, progress, max_record_bytes):
        if isinstance(item, DocumentError):
            _report(item, on_error)
        else:
            yield item
    if progress is not None:
        progress._finish(shown)


def read_stream(
    stream: io.BufferedIOBase,
    *,
    format: str,
    name: str = "<stream>",
    on_error: Callable[[DocumentError], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Document]:
    """Stream the documents of an open binary stream (an HTTP request's body, a pipe).

    ``format`` is ``"jsonl"`` (one object per line) or ``"json"`` (an array of
    objects, or one object); the text is decoded and every record checked
    exactly as in a ``.jsonl`` or ``.json`` file (records over ``max_record_bytes``
    included), and errors are handled as in
    :func:`read_documents`, ``name`` standing for the path.

    >>> import io
    >>> body = io.BytesIO('{"id": "1", "text": "نص"}\\n{"id": 2}\\n'.encode())
    >>> [doc.id for doc in read_stream(body, format="jsonl", on_error=print)]
    <stream>:2: no text
    ['1']
    """
    if format not in STREAM_FORMATS:
        raise ValueError(f"format must be one of {', '.join(STREAM_FORMATS)}, not {format!r}")
    _check_limit(max_record_bytes)
    if format == "jsonl":
        lines = decoded_lines(stream, name, on_notice, max_line=max_record_bytes)
        items = parse_jsonl(lines, name)
    else:
        lines = decoded_lines(stream, name, on_notice)
        items = parse_json(lines, name, max_bytes=max_record_bytes, whole=True)
    try:
        for item in items:
            if isinstance(item, DocumentError):
                _report(item, on_error)
            else:
                yield item
    except DocumentError as err:
        _report(err, on_error)


def _read_all(
    paths: Iterable[str | os.PathLike[str]],
    on_error: Callable[[DocumentError], None] | None,
    on_notice: Callable[[str], None] | None,
    progress: ReadProgress | None,
    max_record_bytes: int,
) -> Iterator[Document]:
    for given in paths:
        shown = os.fspath(given)
        if not os.path.isdir(shown):
            yield from read_file(
                shown,
                on_error=on_error,
                on_notice=on_notice,
                progress=progress,
                max_record_bytes=max_record_bytes,
            )
            continue
        found = False
        for entry in _walk(shown, on_notice):
            if isinstance(entry, DocumentError):
                _report(entry, on_error)
                continue
            found = True
            yield from read_file(
                entry,
                root=shown,
                on_error=on_error,
                on_notice=on_notice,
                progress=progress,
                max_record_bytes=max_record_bytes,
            )
        if not found and on_notice is not None:
            on_notice(f"{shown}: no files to read (expected {', '.join(SUPPORTED_SUFFIXES)})")


def _walk(directory: str, on_notice: Callable[[str], None] | None) -> Iterator[str | DocumentError]:
    """The readable files under ``directory``, depth first in sorted name order."""
    # A stack of the folders being listed, not recursion: folders may nest thousands deep.
    folders: list[Iterator[os.DirEntry[str]]] = []
    listed = _listing(directory)
    if isinstance(listed, DocumentError):
        yield listed
        return
    folders.append(listed)
    while folders:
        entry = next(folders[-1], None)
        if entry is None:
            folders.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = entry.path
        # Symbolic links to directories are not followed: they can form loops.
        if entry.is_dir(follow_symlinks=False):
            listed = _listing(path)
            if isinstance(listed, DocumentError):
                yield listed
            else:
                folders.append(listed)
            continue
        if _suffix(entry.name) is None:
            continue
        try:
            mode = entry.stat().st_mode  # follows a link to a file
        except OSError as err:  # a dangling link, a loop of links
            yield DocumentError(path, None, _os_reason(err))
            continue
        if stat.S_ISREG(mode):
            yield path
        elif not stat.S_ISDIR(mode) and on_notice is not None:
            on_notice(f"{path}: skipped, {_not_regular(mode)}")


def _listing(directory: str) -> Iterator[os.DirEntry[str]] | DocumentError:
    """The entries of ``directory`` in name order, or the error of a folder that cannot be read."""
    try:
        with os.scandir(directory) as scan:
            return iter(sorted(scan, key=lambda entry: entry.name))
    except OSError as err:
        return DocumentError(directory, None, _os_reason(err))


def _not_regular(mode: int) -> str:
    """What a file that is not a regular file is, as a reason."""
    if stat.S_ISFIFO(mode):
        kind = "a named pipe"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a file"
    return f"not a regular file ({kind})"


def _file_items(
    path: str,
    root: str | None,
    on_notice: Callable[[str], None] | None,
    progress: ReadProgress | None,
    max_record_bytes: int,
) -> Iterator[Item]:
    try:
        mode = os.stat(path).st_mode  # a missing file is reported as missing, whatever its name
        if stat.S_ISDIR(mode):
            yield DocumentError(path, None, "is a directory; read it with read_documents()")
            return
        suffix = _suffix(path)
        if suffix is None:
            expected = ", ".join(SUPPORTED_SUFFIXES)
            yield DocumentError(path, None, f"unsupported file type (expected {expected})")
            return
        if not stat.S_ISREG(mode):
            # Opening a named pipe with no writer would wait for ever.
            yield DocumentError(path, None, _not_regular(mode))
            return
        bounded = (
            max_record_bytes if suffix in (".jsonl", ".jsonl.gz", ".csv", ".txt", ".md") else None
        )
        with _open(path, suffix) as raw:
            if progress is not None:
                # The compressed position for a .gz file: what its size on disk counts.
                progress._stream = getattr(raw, "fileobj", None) or raw
            lines = decoded_lines(raw, path, on_notice, max_line=bounded)
            if suffix in (".txt", ".md"):
                doc_id = _article_id(path, root, suffix)
                problem = id_problem(doc_id)
                if problem is not None:
                    # A file name may hold what no id can (undecodable bytes, controls).
                    reason = f"its name cannot be a document id: it {problem}"
                    yield DocumentError(path, None, reason)
                    return
                yield from parse_text(
                    lines, path, doc_id, markdown=suffix == ".md", max_bytes=max_record_bytes
                )
            elif suffix == ".json":
                yield from parse_json(lines, path, max_bytes=max_record_bytes)
            elif suffix == ".csv":
                yield from parse_csv(lines, path, max_bytes=max_record_bytes)
            else:
                yield from parse_jsonl(lines, path)
    except DocumentError as err:
        yield err
    except (gzip.BadGzipFile, zlib.error):
        yield DocumentError(path, None, "not a valid gzip file")
    except EOFError:
        yield DocumentError(path, None, "truncated gzip file")
    except OSError as err:
        yield DocumentError(path, None, _os_reason(err))


def _open(path: str, suffix: str) -> io.BufferedIOBase:
    if suffix == ".jsonl.gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _suffix(name: str) -> str | None:
    lower = name.lower()
    return next((suffix for suffix in _BY_LENGTH if lower.endswith(suffix)), None)


def _article_id(path: str, root: str | None, suffix: str) -> str:
    relative = os.path.basename(path) if root is None else os.path.relpath(path, root)
    relative = relative[: -len(suffix)]
    if os.altsep:
        relative = relative.replace(os.altsep, "/")
    return relative.replace(os.sep, "/")


def _os_reason(err: OSError) -> str:
    # Fixed wording for the common cases, so messages match on every platform.
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    if isinstance(err, PermissionError):
        return "permission denied"
    reason = err.strerror or str(err)
    return reason[:1].lower() + reason[1:]


def _report(err: DocumentError, on_error: Callable[[DocumentError], None] | None) -> None:
    if on_error is None:
        raise err
    on_error(err)
