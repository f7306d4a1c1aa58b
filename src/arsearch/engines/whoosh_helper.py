"""A second whoosh segment writer in its own process, for the other core.

Whoosh writes a segment in Python, so one writer keeps one core busy while the
other idles (bench/RESULTS.md, issue 12). The helper takes a share of the
documents and writes them into a segment of its own in the same directory; at a
commit it finishes that segment and hands its description back, and the parent
names it in the commit beside its own. Until then no commit names the helper's
files: a failure or a crash leaves the last commit as it was, and the helper
deletes what it wrote (whoosh's next commit removes anything a crash left).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from ..errors import IndexIOError, Remedy
from .whoosh_writing import SegmentWriter, storage

__all__ = ["SegmentHelper"]

_FINISH = "finish"
_CANCEL = "cancel"


def _discard(writer: SegmentWriter) -> None:
    """Close a writer that will not commit, and delete the files of its segment.

    Not ``cancel``: that also removes the temporary folder the parent's writer shares.
    """
    writer._close_segment()
    writer.discard_segment()


def _serve(connection: Connection, folder: str, limitmb: int) -> None:
    """The helper's loop: add the documents it is sent; finish or cancel when told."""
    writer: SegmentWriter | None = None
    try:
        index = storage(folder).open_index()
        # Without the lock: the parent holds it, and only the parent commits.
        writer = SegmentWriter(index, _lk=False, limitmb=limitmb)
        # Named first, so that the parent can delete the files if the helper dies.
        connection.send(("started", writer.newsegment.segment_id()))
        while True:
            message = connection.recv()
            if message == _FINISH:
                segment = writer._finalize_segment() if writer._added else None
                if segment is None:
                    _discard(writer)
                writer = None
                connection.send(("done", segment))
                return
            if message == _CANCEL:
                break
            for fields in message:
                writer.add_document(**fields)
    except EOFError:
        pass  # the parent is gone: nothing will name this segment
    except Exception as error:  # told to the parent, which raises it
        with contextlib.suppress(OSError):
            connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        if writer is not None:
            _discard(writer)
        connection.close()


class SegmentHelper:
    """The parent's end of one helper process."""

    #: Documents sent to the helper in one message.
    BATCH = 32

    def __init__(self, folder: str, limitmb: int) -> None:
        self._folder = folder
        # "spawn", like the analysis workers: the parent runs threads, which must
        # not be forked.
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, folder, limitmb), name="arsearch-whoosh-writer"
        )
        self._process.daemon = True
        self._process.start()
        theirs.close()
        self._waiting: list[dict[str, Any]] = []
        self._segment: str | None = None  # the name of the helper's segment, once told

    def add(self, fields: dict[str, Any]) -> None:
        self._waiting.append(fields)
        if len(self._waiting) >= self.BATCH:
            self._send_waiting()

    def _send_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        try:
            self._connection.send(waiting)
        except OSError:
            self._failed(self._reply())

    def start_finishing(self) -> None:
        """Tell the helper to write out its segment (while the parent writes its own)."""
        if self._waiting:
            self._send_waiting()
        with contextlib.suppress(OSError):
            self._connection.send(_FINISH)

    def finished(self) -> list[Any]:
        """The helper's segment, once written: none when it got no document."""
        kind, value = self._reply()
        self._stop()
        if kind != "done":
            self._failed((kind, value))
        return [] if value is None else [value]

    def cancel(self) -> None:
        """Stop the helper; it deletes the files of its unfinished segment."""
        self._waiting = []
        with contextlib.suppress(OSError):
            self._connection.send(_CANCEL)
        self._stop()

    def _reply(self) -> tuple[str, Any]:
        while True:
            try:
                kind, value = self._connection.recv()
            except (EOFError, OSError):
                self._process.join()
                return ("error", f"it stopped with exit code {self._process.exitcode}")
            if kind != "started":
                return kind, value
            self._segment = value

    def _stop(self) -> None:
        self._process.join()
        self._connection.close()

    def _failed(self, reply: tuple[str, Any]) -> None:
        self.cancel()
        if self._segment is not None:
            # A helper that died could not delete its files.
            folder = storage(self._folder)
            for name in folder.list():
                if name.startswith(f"{self._segment}."):
                    folder.delete_file(name)
        # No path: the engine's folder is inside a generation, which the user never
        # named, and the engine is not told the index's path (its caller was given it).
        raise IndexIOError(
            "The index could not be written: whoosh's second writer process failed "
            f"({reply[1]}). The last commit is unchanged;",
            Remedy("add the documents again.", "run the command again."),
        )
