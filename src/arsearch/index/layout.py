"""The index directory: which files are arsearch's, generations, the writer lock.

An index directory holds, and arsearch only ever touches:

- ``arsearch.json``: the marker. It names the current generation and its last
  commit, and is replaced atomically (write, fsync, rename), so a reader sees
  one whole state or the next.
- ``arsearch.lock``: the writer lock.
- ``arsearch.toml``: the index's settings (optional; see index/settings.py).
- ``arsearch.synonyms``: the index's synonyms (optional; see index/synonyms.py).
- ``gen-<32 hex>/``: one generation each: ``generation.json`` (engine, analyzer,
  field table, index options), ``engine/`` (the engine's files),
  ``docstore.dict`` (the stored-text dictionary) and ``spellings.tsv`` (the
  name-spelling pairs of an index created with them). A rebuild fills a new
  generation beside the live one and then points the marker at it.

Other files in the directory are never read, moved or deleted. A generation left
behind by a crash or replaced by a rebuild is removed by the next writer.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from ..errors import (
    IndexExistsError,
    IndexFormatError,
    IndexIOError,
    IndexLockedError,
    NoIndexError,
    Remedy,
    rebuild_remedy,
)

__all__ = [
    "FORMAT_VERSION",
    "SETTINGS_FILE",
    "SYNONYMS_FILE",
    "Generation",
    "Marker",
    "WriterLock",
    "check_creatable",
    "commit_marker",
    "directory_size",
    "io_error",
    "make_generation",
    "marker_stamp",
    "os_error_number",
    "read_marker",
    "remove_new_index",
    "remove_stale_generations",
    "write_bytes_atomically",
]

#: Bumped whenever the on-disk layout changes; older indexes must be rebuilt.
#: 3: generations, and stored documents without their id in front.
#: 4: stored documents packed one byte per ASCII or Arabic character (index/codec.py).
FORMAT_VERSION = 4

MARKER_FILE = "arsearch.json"
LOCK_FILE = "arsearch.lock"
SETTINGS_FILE = "arsearch.toml"
SYNONYMS_FILE = "arsearch.synonyms"
GENERATION_FILE = "generation.json"
ENGINE_DIR = "engine"
DICTIONARY_FILE = "docstore.dict"
_GENERATION_NAME = re.compile(r"gen-[0-9a-f]{32}")
# What format 2 kept at the top of the directory, named by its marker.
_FORMAT_2_FILES = ("engine", "engine.tmp", "commit.json", "docstore.dict")


# How an engine written in Rust reports an OS error: "... (os error 28)", "Os { code: 30".
_ENGINE_OS_ERROR = re.compile(r"\(os error (\d+)\)|Os \{ code: (\d+)")
# How Tantivy reports a writer thread that died of an I/O error it does not pass on.
_ENGINE_WRITER_DIED = re.compile(r"io::Error|index writer was killed")
# Free bytes under which a file system counts as full (an engine's write failed).
_NEARLY_FULL = 64 * 1024
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def io_error(error: BaseException, root: Path, shown: str, doing: str) -> IndexIOError | None:
    """The one-line error for an OS error met while ``doing`` ("write to", "read") the index
    at ``root``, or None when ``error`` is not one (or concerns a file outside the index).

    Engines report OS errors in their own way (Tantivy: a ValueError ending in
    "(os error N)"); both are understood.

    >>> import errno
    >>> full = OSError(errno.ENOSPC, "No space left on device")
    >>> print(io_error(full, Path("ix"), "ix", "write to"))
    Cannot write to the index at 'ix': the disk is full. Free some space and run it again; \
the index keeps its last commit.
    >>> print(io_error(PermissionError(13, "Permission denied", "ix/arsearch.lock"),
    ...                Path("ix"), "ix", "write to"))
    Cannot write to the index at 'ix': permission denied ('ix/arsearch.lock').
    """
    filename: str | None = None
    if isinstance(error, OSError):
        number = error.errno
        if error.filename is not None:
            filename = os.fsdecode(error.filename)
            inside = os.path.realpath(filename).startswith(os.path.realpath(root))
            if not inside and not os.path.realpath(root).startswith(os.path.realpath(filename)):
                return None
    elif isinstance(error, ValueError) and (found := os_error_number(error)) is not None:
        number = found
    elif isinstance(error, ValueError) and _ENGINE_WRITER_DIED.search(str(error)):
        number = _disk_trouble(root)
        if number is None:
            return IndexIOError(
                f"Cannot {doing} the index at '{shown}': the engine failed to write its files "
                f"({error})."
            )
    else:
        return None
    if number is None:
        return None
    cause = _CAUSES.get(number) or _lower_first(os.strerror(number))
    where = f" ('{filename}')" if filename and filename.rstrip("/") != shown.rstrip("/") else ""
    message = f"Cannot {doing} the index at '{shown}': {cause}{where}."
    if number in (errno.ENOSPC, errno.EDQUOT):
        message += " Free some space and run it again; the index keeps its last commit."
    return IndexIOError(message)


def os_error_number(error: BaseException) -> int | None:
    """The OS error number ``error`` carries: an OSError's, or the one an engine writes in
    its message (Tantivy: "(os error N)" or "Os { code: N"); None when it carries none.

    >>> os_error_number(ValueError("Failed to open file (os error 2)"))
    2
    >>> os_error_number(FileNotFoundError(2, "No such file")), os_error_number(KeyError("x"))
    (2, None)
    """
    if isinstance(error, OSError):
        return error.errno
    found = _ENGINE_OS_ERROR.search(str(error)) if isinstance(error, ValueError) else None
    return int(found.group(1) or found.group(2)) if found else None


def _disk_trouble(root: Path) -> int | None:
    """ENOSPC or EROFS when the file system of ``root`` is full or read-only, else None."""
    try:
        info = os.statvfs(root)
    except OSError:
        return None
    if info.f_flag & os.ST_RDONLY:
        return errno.EROFS
    if info.f_bavail * info.f_frsize < _NEARLY_FULL:
        return errno.ENOSPC
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    write_bytes_atomically(path, json.dumps(data, ensure_ascii=False, indent=1).encode())


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write bytes so that readers see the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True, slots=True)
class Marker:
    """What ``arsearch.json`` says: the current generation and its last commit."""

    generation: str
    documents: int
    committed: str | None


@dataclass(frozen=True, slots=True)
class Generation:
    """One generation of an index: its folder and what it was created with."""

    path: Path
    engine: str
    analyzer: Mapping[str, Any]
    fields: Sequence[Mapping[str, Any]]
    created: str
    #: The index options it was created with (see index/options.py); empty: none.
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The folder's name, which the marker records."""
        return self.path.name

    @property
    def engine_dir(self) -> Path:
        """Where the engine keeps its files."""
        return self.path / ENGINE_DIR

    def read_dictionary(self) -> bytes | None:
        """The stored-text compression dictionary of this generation, if it has one."""
        try:
            return (self.path / DICTIONARY_FILE).read_bytes()
        except FileNotFoundError:
            return None

    def write_dictionary(self, dictionary: bytes) -> None:
        """Record the stored-text dictionary (before any document compressed with it)."""
        write_bytes_atomically(self.path / DICTIONARY_FILE, dictionary)

    @classmethod
    def load(cls, root: Path, name: str, shown: str) -> Generation:
        """The generation ``name`` of the index at ``root``."""
        path = root / name
        try:
            with open(path / GENERATION_FILE, encoding="utf-8") as handle:
                data = json.load(handle)
            return cls(
                path,
                str(data["engine"]),
                data["analyzer"],
                data["fields"],
                data["created"],
                data.get("options") or {},
            )
        except FileNotFoundError:
            raise
        except PermissionError as error:
            raise io_error(error, root, shown, "read") or error from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IndexFormatError(
                f"The index at '{shown}' is damaged ({name}/{GENERATION_FILE}: {error}).",
                rebuild_remedy(shown),
            ) from None


def marker_stamp(root: Path) -> tuple[int, int, int]:
    """A value that changes whenever the marker is replaced (a commit or a rebuild)."""
    try:
        info = os.stat(root / MARKER_FILE)
    except OSError:
        return (0, 0, 0)
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def read_marker(root: Path, shown: str) -> Marker:
    """The marker of the index at ``root``; ``shown`` is the path as the user gave it."""
    try:
        with open(root / MARKER_FILE, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except (FileNotFoundError, NotADirectoryError):
        raise NoIndexError(shown) from None
    except PermissionError as error:
        raise io_error(error, root, shown, "read") or error from None
    except (OSError, ValueError) as error:
        raise IndexFormatError(
            f"The index at '{shown}' is damaged ({MARKER_FILE}: {error}).", rebuild_remedy(shown)
        ) from None
    version = data.get("format") if isinstance(data, dict) else None
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"The index at '{shown}' has format {version}, but this arsearch reads format "
            f"{FORMAT_VERSION}.",
            rebuild_remedy(shown),
        )
    name = data.get("generation")
    if not isinstance(name, str) or not _GENERATION_NAME.fullmatch(name):
        raise IndexFormatError(
            f"The index at '{shown}' is damaged ({MARKER_FILE} names no generation).",
            rebuild_remedy(shown),
        )
    return Marker(name, int(data.get("documents") or 0), data.get("committed"))


def commit_marker(root: Path, generation: str, documents: int) -> None:
    """Point the marker at ``generation``, recording a commit that left ``documents``."""
    write_json_atomically(
        root / MARKER_FILE,
        {
            "format": FORMAT_VERSION,
            "generation": generation,
            "documents": documents,
            "committed": _now(),
        },
    )


def _is_ours(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name in (
        LOCK_FILE,
        MARKER_FILE,
        MARKER_FILE + ".tmp",
        SETTINGS_FILE,
        SETTINGS_FILE + ".tmp",
        SYNONYMS_FILE,
        SYNONYMS_FILE + ".tmp",
    ):
        return True
    return bool(_GENERATION_NAME.fullmatch(name)) and entry.is_dir(follow_symlinks=False)


def check_creatable(root: Path, shown: str, overwrite: bool) -> dict[str, Any] | None:
    """Refuse to create an index over one (without ``overwrite``) or in a folder of other files.

    Returns the old marker's data when there is an index to replace. Hidden files
    (``.gitkeep``) do not count as content.
    """
    try:
        with open(root / MARKER_FILE, encoding="utf-8") as handle:
            old: dict[str, Any] | None = json.load(handle)
    except FileNotFoundError:
        old = None
    except (OSError, ValueError):
        old = {}  # a damaged marker: still ours to replace
    if old is not None:
        if not overwrite:
            raise IndexExistsError(
                f"An index already exists at '{shown}'.",
                Remedy(
                    f"Open it with Index.open({shown!r}), or pass overwrite=True to replace it.",
                    f"Add to it with: arsearch index --index {shown} PATH..., "
                    "or start over with --rebuild.",
                ),
            )
        return old if isinstance(old, dict) else {}
    foreign = [
        entry.name
        for entry in os.scandir(root)
        if not _is_ours(entry)
        and not (entry.name.startswith(".") and not entry.is_dir(follow_symlinks=False))
    ]
    if foreign:
        # Even with overwrite: a folder of other files is somebody's, not an index to replace.
        raise IndexExistsError(
            f"The folder '{shown}' holds other files ({', '.join(sorted(foreign)[:3])}"
            f"{', ...' if len(foreign) > 3 else ''}) and no arsearch index.",
            Remedy("Choose an empty or new folder.", "Choose an empty or new folder with --index."),
        )
    return None


def make_generation(
    root: Path,
    engine: str,
    analyzer: Mapping[str, Any],
    fields: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any] | None = None,
) -> Generation:
    """A new, empty generation folder (the engine's files are the caller's to make).

    ``options`` (index options) are recorded only when given.
    """
    path = root / f"gen-{uuid.uuid4().hex}"
    path.mkdir()
    generation = Generation(path, engine, dict(analyzer), list(fields), _now(), dict(options or {}))
    record = {
        "engine": engine,
        "analyzer": generation.analyzer,
        "fields": generation.fields,
        "created": generation.created,
    }
    if generation.options:
        record["options"] = generation.options
    write_json_atomically(path / GENERATION_FILE, record)
    return generation


def remove_stale_generations(root: Path, keep: set[str], old_marker: Mapping[str, Any]) -> None:
    """Delete generations other than ``keep`` (and a format-2 index's files), under the lock.

    Only folders named like a generation and holding a generation file (whole, or the
    temporary file of a crash or a full disk while writing it), or empty, are deleted;
    a folder that cannot be deleted now (a reader on a platform that keeps open files)
    is left for the next writer.
    """
    if old_marker.get("format") == 2:
        for name in _FORMAT_2_FILES:
            target = root / name
            with contextlib.suppress(OSError):
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif target.is_file():
                    target.unlink()
    for entry in os.scandir(root):
        if entry.name in keep or not _is_ours(entry) or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if (path / GENERATION_FILE).exists() or (path / f"{GENERATION_FILE}.tmp").exists():
                shutil.rmtree(path)
            else:
                path.rmdir()  # only when empty: a crash right after mkdir


def remove_new_index(root: Path, generation: str, *, folder: bool) -> None:
    """Remove an index that was just created and holds nothing, under its writer lock.

    The marker goes first, so readers see no index rather than half of one; then the
    generation and the lock file. ``folder``: the folder was made for the index, and
    is removed too when nothing else is in it.
    """
    for name in (MARKER_FILE, MARKER_FILE + ".tmp"):
        with contextlib.suppress(FileNotFoundError):
            (root / name).unlink()
    shutil.rmtree(root / generation, ignore_errors=True)
    with contextlib.suppress(OSError):
        (root / LOCK_FILE).unlink()
    if folder:
        with contextlib.suppress(OSError):
            root.rmdir()


def directory_size(path: Path) -> int:
    """Bytes used by every file under ``path``."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


# Paths whose writer lock an Index of this process holds: a second Index in the
# same process is told so, instead of being told that another process writes.
_HELD: set[str] = set()
_HELD_LOCK = threading.Lock()


class WriterLock:
    """An exclusive, process-wide lock on an index, released if the process dies."""

    def __init__(self, root: Path, shown: str) -> None:
        self._key = os.path.realpath(root)
        with _HELD_LOCK:
            if self._key in _HELD:
                raise IndexLockedError(
                    f"Another Index object in this process is writing to the index at "
                    f"'{shown}'; write through that one, or close it first."
                )
            _HELD.add(self._key)
        try:
            self._handle: IO[str] | None = open(root / LOCK_FILE, "a", encoding="utf-8")  # noqa: SIM115
        except BaseException:
            self._forget()
            raise
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self._handle.close()
            self._handle = None
            self._forget()
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise IndexLockedError(
                f"Another process is writing to the index at '{shown}'; wait for it to "
                "finish (one writer at a time, any number of readers)."
            ) from None

    def _forget(self) -> None:
        with _HELD_LOCK:
            _HELD.discard(self._key)

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
            self._forget()
