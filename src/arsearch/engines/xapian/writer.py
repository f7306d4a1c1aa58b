"""Writing to Xapian: one database, or one per shard with each document on one shard.

Every database is written inside a transaction that is always open: a commit
ends it and begins the next. Without one, Xapian commits by itself every few
thousand documents, and when a writer closes; with it, a rollback or a crash
drops every change since the last commit, as the engine protocol asks.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Sequence

import xapian

from ...errors import IndexLockedError, Remedy, ShardUnavailableError
from ..base import EngineDocument
from .schema import Schema, id_term

__all__ = ["LOCKED", "XapianWriter", "reason", "shard_of", "shard_remedy"]

LOCKED = (
    "Another process is writing to this index; wait for it to finish "
    "(one writer at a time, any number of readers)."
)


def shard_of(doc_id: str, shards: int) -> int:
    """The shard that holds ``doc_id``: a hash stable across processes and machines.

    >>> shard_of("d1", 1), shard_of("d1", 3) == shard_of("d1", 3)
    (0, True)
    """
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


#: The OS errors a write may meet, by the text Xapian ends its message with.
_OS_ERRORS = {
    os.strerror(number): number
    for number in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)
}
_LAST_PARENTHESES = re.compile(r"\(([^()]+)\)\s*$")


def _os_error(error: Exception) -> Exception:
    """``error`` as the OSError it reports when it is Xapian's word for one (a full disk),
    so that the index names the cause as for every engine; else ``error`` itself.

    >>> _os_error(xapian.DatabaseError("Error writing block 73 (No space left on device)"))
    OSError(28, 'No space left on device')
    >>> _os_error(xapian.DatabaseError("Bad block")).__class__.__name__
    'DatabaseError'
    """
    if isinstance(error, xapian.DatabaseError):
        found = _LAST_PARENTHESES.search(str(error))
        number = _OS_ERRORS.get(found.group(1)) if found else None
        if number is not None:
            return OSError(number, os.strerror(number))
    return error


#: Opens the writable database of shard ``number`` (raises xapian's errors).
Opener = Callable[[int], xapian.WritableDatabase]
#: One change to one database.
Change = Callable[[xapian.WritableDatabase], None]
#: Changes waiting for a shard's thread; bounds the memory of a fast producer.
_LANE_DEPTH = 64


class _Lane:
    """A thread that applies one shard's changes in order, so shards index in parallel
    (the bindings release the GIL while a server works)."""

    def __init__(self, db: xapian.WritableDatabase) -> None:
        self.db = db
        self.error: Exception | None = None
        self._queue: queue.Queue[Change | None] = queue.Queue(_LANE_DEPTH)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            change = self._queue.get()
            try:
                if change is None:
                    return
                if self.error is None:
                    change(self.db)
            except Exception as error:  # reported to the writer's caller by wait()
                self.error = error
            finally:
                self._queue.task_done()

    def put(self, change: Change) -> None:
        self._queue.put(change)

    def wait(self) -> Exception | None:
        """Wait until every change so far is applied; the first that failed, if any."""
        self._queue.join()
        error, self.error = self.error, None
        return error

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()


def _commit(db: xapian.WritableDatabase) -> None:
    db.commit_transaction()
    db.begin_transaction()


def _rollback(db: xapian.WritableDatabase) -> None:
    # A write that failed (a full disk) may have ended the transaction already.
    if _in_transaction(db):
        db.cancel_transaction()
    db.begin_transaction()


def _in_transaction(db: xapian.WritableDatabase) -> bool:
    try:
        db.begin_transaction()
    except xapian.InvalidOperationError:
        return True
    db.cancel_transaction()
    return False


class XapianWriter:
    """The single writer of a Xapian index of one database or several shards."""

    def __init__(self, schema: Schema, open_shard: Opener, names: Sequence[str]) -> None:
        self._schema = schema
        self._names = list(names)
        self._dbs: list[xapian.WritableDatabase] = []
        try:
            for number in range(len(self._names)):
                db = open_shard(number)
                self._dbs.append(db)
                db.begin_transaction()
        except xapian.DatabaseLockError:
            self._abandon()
            raise IndexLockedError(LOCKED) from None
        except xapian.NetworkError as error:
            number = len(self._dbs)
            self._abandon()
            raise self._unreachable([number], error) from None
        self._lanes = [_Lane(db) for db in self._dbs] if len(self._dbs) > 1 else []

    def _unreachable(self, numbers: Sequence[int], error: Exception) -> ShardUnavailableError:
        names = ", ".join(self._names[n] for n in numbers)
        return ShardUnavailableError(
            f"Cannot write to shard {names} ({reason(error)}).",
            shard_remedy(),
        )

    def _abandon(self) -> None:
        for lane in getattr(self, "_lanes", []):
            lane.stop()
        self._lanes = []
        for db in self._dbs:
            try:
                db.cancel_transaction()
                db.close()
            except xapian.Error:
                pass
        self._dbs = []

    def _apply(self, doc_id: str, change: Change) -> None:
        if not self._dbs:
            raise RuntimeError("the writer is closed")
        if not self._lanes:
            self._at_once(change)
            return
        lane = self._lanes[shard_of(doc_id, len(self._lanes))]
        if lane.error is not None:
            self._wait_all()
        lane.put(change)

    def _at_once(self, change: Change) -> None:
        try:
            change(self._dbs[0])
        except xapian.NetworkError as error:
            raise self._unreachable([0], error) from None
        except xapian.DatabaseError as error:
            raised = _os_error(error)
            if raised is error:
                raise
            raise raised from None

    def _wait_all(self) -> None:
        """Wait for every shard's changes; name the shards that failed."""
        errors = [(number, lane.wait()) for number, lane in enumerate(self._lanes)]
        failed = [(number, error) for number, error in errors if error is not None]
        if not failed:
            return
        if not all(isinstance(error, xapian.NetworkError) for _, error in failed):
            first = next(error for _, error in failed if not isinstance(error, xapian.NetworkError))
            raised = _os_error(first)
            if raised is first:
                raise first
            raise raised from None
        raise self._unreachable([number for number, _ in failed], failed[0][1])

    def add(self, document: EngineDocument) -> None:
        doc = self._schema.document(document)
        term = id_term(document.id)
        if document.replaces:
            self._apply(document.id, lambda db: db.replace_document(term, doc))
        else:
            self._apply(document.id, lambda db: db.add_document(doc))

    def delete(self, doc_id: str) -> None:
        term = id_term(doc_id)
        self._apply(doc_id, lambda db: db.delete_document(term))

    def commit(self) -> None:
        """Commit every shard; the ones that fail are named after the others committed."""
        if not self._lanes:
            self._at_once(_commit)
            return
        # A shard that failed skips its commit; the others commit all the same.
        for lane in self._lanes:
            lane.put(_commit)
        try:
            self._wait_all()
        except ShardUnavailableError as lost:
            self._abandon()
            raise ShardUnavailableError(
                f"{lost.message} The other shards committed; once it is back, run the "
                "same command again to write what it missed.",
                lost.remedy,
            ) from None

    def rollback(self) -> None:
        if not self._lanes:
            self._at_once(_rollback)
            return
        for lane in self._lanes:
            lane.put(_rollback)
        self._wait_all()

    def close(self) -> None:
        self._abandon()


def shard_remedy() -> Remedy:
    """How to bring a shard back, for each door."""
    return Remedy(
        "Start its server again (arsearch shard serve) or list a replica for it.",
        "Start its server again with: arsearch shard serve DIR --port PORT, or add a replica.",
    )


def reason(error: Exception) -> str:
    """Xapian's message without its "(context: ...)" part, which repeats the address.

    >>> reason(OSError("Couldn't connect (context: remote:tcp(h:1)) (Connection refused)"))
    "Couldn't connect (Connection refused)"
    """
    text = str(error).removeprefix("REMOTE:").strip()
    start = text.find(" (context:")
    if start >= 0:
        depth, end = 0, start + 1
        for end in range(start + 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        text = text[:start] + text[end + 1 :]
    return text.rstrip(".") or type(error).__name__
