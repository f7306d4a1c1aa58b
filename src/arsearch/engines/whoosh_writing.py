"""Whoosh's storage and segment writer as the engine and its helper process use them:
files read through a handle, and a cheaper flush writing the same segment in less CPU.

Whoosh (2.7) writes a segment's postings at a commit by sorting them back together
from the runs its posting pool spilled to disk, then looking up each posting's
document length. Both steps cost a call or two per posting: on the news corpus
most of a build's time (bench/RESULTS.md, issue 12's second and third rounds).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import marshal
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.util import random_name

__all__ = [
    "ChunkedPostingPool",
    "DocumentLengths",
    "SegmentWriter",
    "WritingStorage",
    "storage",
]


def storage(path: str | Path) -> WritingStorage:
    """The index's directory, its segment files read through a file handle, not mapped.

    With a memory map, whoosh (2.7) wraps each part of a compound segment in a
    ``BytesIO``, which copies it: every reader held a whole copy of the index (430 MB
    for 20,000 news articles; most of the 2.2 GB peak of a news corpus build). Through
    a file handle a reader costs under 1 MB, and a search about 1.3x the CPU
    (bench/RESULTS.md, issue 12's second round).
    """
    return WritingStorage(str(path))


class WritingStorage(FileStorage):  # type: ignore[misc]
    """Whoosh's file storage (read through handles), which knows the files it opened for
    writing, so that a writer whose commit failed half-way can close them.

    Whoosh stops closing a segment's files at the first that fails (a full disk), and
    holds some only in a local variable (a column file being copied): they were left
    open to the collector, a ResourceWarning each.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)
        self._writing: weakref.WeakSet[Any] = weakref.WeakSet()

    def create_file(self, name: str, **kwargs: Any) -> Any:
        handle = super().create_file(name, **kwargs)
        self._writing.add(handle)
        return handle

    def temp_storage(self, name: str | None = None) -> WritingStorage:
        """A folder for temporary files, whose files this storage closes too."""
        temporary = WritingStorage(os.path.join(self.folder, name or f"{random_name()}.tmp"))
        temporary._writing = self._writing
        return cast(WritingStorage, temporary.create())

    def close_written(self) -> None:
        """Close every file opened for writing that is still open, whatever fails meanwhile.

        For a writer that gives up: an index has one writer at a time in a process.
        """
        for handle in list(self._writing):
            if not handle.is_closed:
                with contextlib.suppress(Exception):  # whoosh raises bare Exceptions too
                    handle.close()


#: Postings per marshal call in a run file. A run is read back a chunk at a time,
#: and a build merges up to about a hundred runs at once: 4,096 postings of about
#: 150 bytes keep that near 60 MB.
RUN_CHUNK = 4096


class ChunkedPostingPool(writing.PostingPool):  # type: ignore[misc]
    """Whoosh's posting pool, its runs written and read a chunk at a time.

    Whoosh pickles each posting into a run file on its own and loads it back the
    same way. The postings come back in the same order, so the segment written
    from them is the same.

    >>> import tempfile
    >>> from whoosh.filedb.filestore import FileStorage
    >>> folder = tempfile.TemporaryDirectory()
    >>> pool = ChunkedPostingPool(FileStorage(folder.name), None, limitmb=1)
    >>> pool.limit = 400  # bytes: spill a run every two postings or so
    >>> for docnum in (3, 1, 2, 0, 5, 4):
    ...     pool.add(("body", b"word", docnum, 1.0, None))
    >>> len(pool.runs) > 1, [item[2] for item in pool.iter_postings()]
    (True, [0, 1, 2, 3, 4, 5])
    >>> folder.cleanup()
    """

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        # Whoosh's own estimate of the item's memory, without its type checks.
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f: Any, items: Iterable[Any]) -> None:
        try:
            chunks = iter(items)
            while chunk := list(itertools.islice(chunks, RUN_CHUNK)):
                marshal.dump(chunk, f)
        finally:
            f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)

    def _merge_runs(self, paths: list[str]) -> Iterator[Any]:
        return heapq.merge(*(self._read_run(path) for path in paths))


class DocumentLengths(dict[str, list[int]]):
    """A segment's field lengths, read from its per-document reader once per field.

    Whoosh asks the reader for each posting's document length, which decodes it
    from the column again every time; the answers are the same.
    """

    def __init__(self, reader: Any, doc_count: int) -> None:
        super().__init__()
        self._reader = reader
        self._doc_count = doc_count

    def __missing__(self, fieldname: str) -> list[int]:
        length = self._reader.doc_field_length
        found = self[fieldname] = [length(docnum, fieldname) for docnum in range(self._doc_count)]
        return found

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self[fieldname][docnum]


class SegmentWriter(writing.SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with the pool and the length lookups above."""

    def __init__(self, ix: Any, *, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def commit(
        self,
        mergetype: Any = None,
        optimize: Any = None,
        merge: Any = None,
        *,
        helpers: Callable[[], list[Any]] = list,
    ) -> None:
        """Whoosh's commit, also naming the segments ``helpers`` returns.

        ``helpers`` is called once this writer's own segment is written, so that
        helper processes write theirs meanwhile.
        """
        self._check_state()
        final = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc([*final, *helpers()])
        self._finish()

    def cancel(self) -> None:
        """Whoosh's cancel, which also deletes the files of the segment begun.

        Also after a commit that failed half-way (a full disk), whose files may no longer
        close: they are deleted all the same, and the lock is released.
        """
        self._check_state()
        try:
            self._close_segment()
        except Exception:  # whoosh's own "already closed" is a bare Exception
            self.storage.close_written()
        finally:
            self._finish()
            self.discard_segment()

    def discard_segment(self) -> None:
        """Delete the files of this writer's new segment (closed, and named by no commit)."""
        for name in self.newsegment.list_files(self.storage):
            self.storage.delete_file(name)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        try:
            lengths = None if reader is None else DocumentLengths(reader, self.docnum)
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
        finally:
            if reader is not None:
                reader.close()
