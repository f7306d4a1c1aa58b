"""Which file each document was read from, so that an index can drop those whose file is gone.

Kept per generation in ``sources.jsonl``, an append-only log beside the engine's
files. The first line names the format; each further line gives one file (an
absolute path, or null for "no file known") and the ids that were last read from
it. Later lines win. Lines are appended after the engine's commit: a crash in
between leaves some documents without a file, and those are only ever kept,
never pruned by mistake; the next run that reads them records them again.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> sources = SourceFiles(folder)
>>> sources.note("a1", "/news/a.jsonl"); sources.note("b1", "/news/b.jsonl"); sources.flush()
>>> SourceFiles(folder).ids_by_file()
{'/news/a.jsonl': ['a1'], '/news/b.jsonl': ['b1']}
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .layout import write_bytes_atomically

__all__ = ["SOURCES_FILE", "SOURCES_FORMAT", "SourceFiles"]

#: The log's name inside a generation folder.
SOURCES_FILE = "sources.jsonl"
#: Bumped whenever the log's lines change meaning; a log of another format is ignored.
SOURCES_FORMAT = 1

_HEADER = {"arsearch": "sources", "format": SOURCES_FORMAT}
_SURROGATE = re.compile("[\ud800-\udfff]")


class SourceFiles:
    """The source file of each document of one generation, read on first use.

    :meth:`note` records what a writer did; :meth:`flush` appends it to the log
    (after a commit) and :meth:`discard` forgets it (at a rollback).
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / SOURCES_FILE
        self._files: dict[str, str] | None = None
        self._pending: dict[str, str | None] = {}
        # One string per file name, shared by all its ids: the map holds an entry for
        # every document, and a reader hands over a new string for each (about 90
        # bytes a document, 21 MB of the map's 29 at 236,000 documents).
        self._names: dict[str, str] = {}
        # False once a log of another format was found: it is left as it is.
        self._writable = True

    def _load(self) -> dict[str, str]:
        if self._files is not None:
            return self._files
        files: dict[str, str] = {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                lines = iter(handle)
                if _read(next(lines, "")) != _HEADER:
                    self._writable = False
                    lines = iter(())
                for line in lines:
                    entry = _read(line)
                    if not isinstance(entry, dict):
                        continue  # a line cut short by a crash
                    file, ids = entry.get("file"), entry.get("ids")
                    if isinstance(file, str):
                        file = self._names.setdefault(file, file)
                    for doc_id in ids if isinstance(ids, list) else ():
                        if isinstance(file, str):
                            files[doc_id] = file
                        else:
                            files.pop(doc_id, None)
        except FileNotFoundError:
            pass
        self._files = files
        return files

    def note(self, doc_id: str, file: str | None) -> None:
        """Record that ``doc_id`` was last written from ``file`` (None: no file, or deleted)."""
        files = self._load()
        if file is not None:
            file = self._names.setdefault(file, file)
        if files.get(doc_id) == file:
            self._pending.pop(doc_id, None)
        elif file is not None or doc_id in files or doc_id in self._pending:
            self._pending[doc_id] = file

    def ids_by_file(self) -> dict[str, list[str]]:
        """Every recorded file with its ids, changes not yet flushed included."""
        grouped: dict[str, list[str]] = {}
        for doc_id, file in self._load().items():
            if doc_id not in self._pending:
                grouped.setdefault(file, []).append(doc_id)
        for doc_id, pending in self._pending.items():
            if pending is not None:
                grouped.setdefault(pending, []).append(doc_id)
        return grouped

    def flush(self) -> None:
        """Append the changes noted since the last flush to the log."""
        if not self._pending or not self._writable:
            self._pending.clear()
            return
        files = self._load()
        grouped: dict[str | None, list[str]] = {}
        for doc_id, file in self._pending.items():
            grouped.setdefault(file, []).append(doc_id)
            if file is None:
                files.pop(doc_id, None)
            else:
                files[doc_id] = file
        lines = [_line({"file": file, "ids": ids}) for file, ids in grouped.items()]
        new = not self.path.exists()
        with open(self.path, "a", encoding="utf-8") as handle:
            if new:
                handle.write(_line(_HEADER))
            handle.writelines(lines)
            handle.flush()
            os.fsync(handle.fileno())
        self._pending.clear()

    def discard(self) -> None:
        """Forget the changes noted since the last flush."""
        self._pending.clear()

    def compact(self) -> None:
        """Rewrite the log with one line per file (after many changes, such as a prune)."""
        if not self._writable:
            return
        self.flush()
        grouped = self.ids_by_file()
        if not grouped and not self.path.exists():
            return
        text = _line(_HEADER) + "".join(
            _line({"file": file, "ids": ids}) for file, ids in grouped.items()
        )
        write_bytes_atomically(self.path, text.encode())


def _line(data: object) -> str:
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    if not _SURROGATE.search(line):
        return line
    # A file name of bytes that are not UTF-8 (os.fsdecode gives lone surrogates for
    # them): written as JSON escapes, which read back as the same name.
    return json.dumps(data, separators=(",", ":")) + "\n"


def _read(line: str) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return None
