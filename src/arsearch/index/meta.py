"""The index directory: its metadata file, commit record, writer lock and size."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from ..engines import EngineFactory
from ..errors import IndexExistsError, IndexFormatError, IndexLockedError, NoIndexError

__all__ = [
    "FORMAT_VERSION",
    "WriterLock",
    "directory_size",
    "lay_out",
    "read_commit",
    "read_dictionary",
    "read_meta",
    "write_bytes_atomically",
    "write_commit",
    "write_json_atomically",
]

#: Bumped whenever the on-disk layout changes; older indexes must be rebuilt.
FORMAT_VERSION = 2

META_FILE = "arsearch.json"
COMMIT_FILE = "commit.json"
LOCK_FILE = "arsearch.lock"
ENGINE_DIR = "engine"
DICTIONARY_FILE = "docstore.dict"


def write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write bytes so that readers see the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_dictionary(path: Path) -> bytes | None:
    """The stored-text compression dictionary of the index at ``path``, if it has one."""
    try:
        return (path / DICTIONARY_FILE).read_bytes()
    except FileNotFoundError:
        return None


def read_meta(path: Path, shown: str) -> dict[str, Any]:
    """The metadata of the index at ``path``; ``shown`` is the path as the user gave it."""
    try:
        with open(path / META_FILE, encoding="utf-8") as handle:
            meta: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        raise NoIndexError(shown) from None
    except (OSError, ValueError) as error:
        raise IndexFormatError(
            f"The index at '{shown}' is damaged ({META_FILE}: {error}). "
            f"Rebuild it with: arsearch index --rebuild --index {shown} PATH..."
        ) from None
    version = meta.get("format")
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"The index at '{shown}' has format {version}, but this arsearch reads format "
            f"{FORMAT_VERSION}. Rebuild it with: arsearch index --rebuild --index {shown} PATH..."
        )
    return meta


def write_commit(path: Path, documents: int) -> None:
    """Record when the last commit happened and how many documents it left."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_json_atomically(path / COMMIT_FILE, {"time": now, "documents": documents})


def read_commit(path: Path) -> dict[str, Any]:
    """The last commit record, or an empty dict before the first commit."""
    try:
        with open(path / COMMIT_FILE, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
            return data
    except (OSError, ValueError):
        return {}


def commit_stamp(path: Path) -> int:
    """A number that changes whenever a commit is recorded (cheap to poll)."""
    try:
        return os.stat(path / COMMIT_FILE).st_mtime_ns
    except OSError:
        return 0


def directory_size(path: Path) -> int:
    """Bytes used by every file under ``path``."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


class WriterLock:
    """An exclusive, process-wide lock on an index, released if the process dies."""

    def __init__(self, path: Path, shown: str) -> None:
        self._handle: IO[str] | None = open(path / LOCK_FILE, "a", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            self._handle = None
            raise IndexLockedError(
                f"Another process is writing to the index at '{shown}'; wait for it to "
                "finish (one writer at a time, any number of readers)."
            ) from None

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def lay_out(
    root: Path,
    shown: str,
    factory: EngineFactory,
    engine: str,
    analyzer: Mapping[str, Any],
    overwrite: bool,
) -> str:
    """Make an empty index directory at ``root``; returns its instance id.

    The engine's files are made in a staging folder and renamed into place, and
    the metadata file is written last, so a crash leaves no index or a whole one.
    """
    root.mkdir(parents=True, exist_ok=True)
    lock = WriterLock(root, shown)
    try:
        if (root / META_FILE).exists():
            if not overwrite:
                raise IndexExistsError(
                    f"An index already exists at '{shown}'. Add to it with: arsearch index "
                    f"--index {shown} PATH..., or start over with --rebuild."
                )
            (root / META_FILE).unlink()
        for leftover in (ENGINE_DIR, ENGINE_DIR + ".tmp", COMMIT_FILE, DICTIONARY_FILE):
            target = root / leftover
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        staging = root / (ENGINE_DIR + ".tmp")
        staging.mkdir()
        factory.create(staging).close()
        staging.rename(root / ENGINE_DIR)
        instance = uuid.uuid4().hex
        write_json_atomically(
            root / META_FILE,
            {
                "format": FORMAT_VERSION,
                "engine": engine,
                "analyzer": dict(analyzer),
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                # Tells readers in other processes that the index was rebuilt.
                "instance": instance,
            },
        )
    finally:
        lock.release()
    return instance
