"""Turning a file's bytes into lines of text: BOMs, UTF-8, Windows-1256, binary files.

Detection is per file and streams: only the first :data:`HEAD_BYTES` are
sniffed up front, then lines are decoded one at a time, so a large ``.jsonl.gz``
is never held in memory.

>>> import io
>>> list(decoded_lines(io.BytesIO("سطر\\n".encode("cp1256")), "x.txt", None))
['سطر\\n']
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Iterator

from ..errors import DocumentError

__all__ = ["BINARY_REASON", "HEAD_BYTES", "OverlongLine", "decoded_lines", "looks_binary"]

#: How many leading bytes are sniffed for a BOM and for binary content.
HEAD_BYTES = 8192
#: The reason of the error raised for a file that is not text.
BINARY_REASON = "binary file, not text"

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Windows-1256 maps all 256 byte values, so decoding with it never fails:
# only the binary check can reject such a file.
_WINDOWS_1256 = "cp1256"

_CHUNK_BYTES = 1 << 16

_TEXT_CONTROLS = frozenset("\t\n\v\f\r")
# Text with more than one control character in this many is taken for binary.
_CONTROL_RATIO = 20


class OverlongLine(str):
    """Stands, as an empty line, for a line longer than the bound, which was skipped unread.

    ``limit`` is the bound in bytes it went over.
    """

    limit: int

    def __new__(cls, limit: int) -> OverlongLine:
        line = super().__new__(cls, "")
        line.limit = limit
        return line


def looks_binary(sample: str) -> bool:
    """Whether a decoded sample is binary: a NUL, or over 5% other C0 controls.

    Tab, line feed, vertical tab, form feed and carriage return are text.

    >>> looks_binary("نص عادي\\n")
    False
    >>> looks_binary("PK\\x03\\x04\\x14\\x00")
    True
    """
    if "\x00" in sample:
        return True
    controls = sum(1 for char in sample if char < " " and char not in _TEXT_CONTROLS)
    return controls * _CONTROL_RATIO > len(sample)


def decoded_lines(
    raw: io.BufferedIOBase,
    path: str,
    on_notice: Callable[[str], None] | None,
    *,
    max_line: int | None = None,
) -> Iterator[str]:
    """Yield the lines of a seekable binary stream as text, line endings kept.

    UTF-16 needs a BOM (LE or BE). Anything else is read line by line as UTF-8
    (a BOM is dropped); a line that is not valid UTF-8 is read as Windows-1256
    and ``on_notice`` hears ``"<path>: read as Windows-1256"`` once per file.
    Raises :class:`DocumentError` ``"binary file, not text"`` (line None) for a
    NUL byte without a UTF-16 BOM or a head full of control characters.

    A line longer than ``max_line`` bytes is never held in memory: it is skipped and
    stands as an :class:`OverlongLine` (UTF-16 counts two bytes a character).
    """
    head = raw.read(HEAD_BYTES)
    raw.seek(0)
    if head.startswith(_UTF16_BOMS):
        yield from _utf16_lines(raw, head, path, max_line)
    else:
        yield from _byte_lines(raw, head, path, on_notice, max_line)


def _utf16_lines(
    raw: io.BufferedIOBase, head: bytes, path: str, max_line: int | None
) -> Iterator[str]:
    if looks_binary(head.decode("utf-16", errors="replace")):
        raise DocumentError(path, None, BINARY_REASON)
    limit = None if max_line is None else max_line // 2
    for line in _split_lines(_utf16_chunks(raw, path), limit):
        if line is None:
            yield OverlongLine(max_line or 0)
            continue
        if "\x00" in line:
            raise DocumentError(path, None, BINARY_REASON)
        yield line


def _utf16_chunks(raw: io.BufferedIOBase, path: str) -> Iterator[str]:
    # The "utf-16" codec reads the BOM to choose the byte order, then drops it.
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        while chunk := raw.read(_CHUNK_BYTES):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        raise DocumentError(path, None, f"not valid UTF-16: {err.reason}") from None


def _split_lines(chunks: Iterable[str], limit: int | None = None) -> Iterator[str | None]:
    """Re-cut text chunks at ``"\\n"`` only, line ends kept, like reading bytes.

    The parts of a line longer than ``limit`` characters are dropped as they come,
    and None stands for the line.

    >>> list(_split_lines(["a\\r\\nb", "", "c\\u2028d\\n", "e"]))
    ['a\\r\\n', 'bc\\u2028d\\n', 'e']
    >>> list(_split_lines(["ab", "cdef\\nx"], limit=3))
    [None, 'x']
    """
    # Parts of an unfinished line are joined once, so a long line costs O(n).
    parts: list[str] = []
    size = 0
    overlong = False
    for chunk in chunks:
        *complete, rest = chunk.split("\n")
        for piece in complete:
            if overlong or (limit is not None and size + len(piece) > limit):
                yield None
            else:
                parts.append(piece)
                yield "".join(parts) + "\n"
            parts, size, overlong = [], 0, False
        if rest and not overlong:
            parts.append(rest)
            size += len(rest)
            if limit is not None and size > limit:
                parts, overlong = [], True
    if overlong:
        yield None
    elif parts:
        yield "".join(parts)


def _byte_lines(
    raw: io.BufferedIOBase,
    head: bytes,
    path: str,
    on_notice: Callable[[str], None] | None,
    max_line: int | None,
) -> Iterator[str]:
    # Latin-1 maps byte n to code point n, so the check counts bytes.
    if looks_binary(head.decode("latin-1")):
        raise DocumentError(path, None, BINARY_REASON)
    noticed = False
    first = True
    while line := raw.readline(-1 if max_line is None else max_line + 1):
        if max_line is not None and len(line) > max_line and not line.endswith(b"\n"):
            _skip_line(raw)
            yield OverlongLine(max_line)
            continue
        if first:
            first = False
            if line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
        if b"\x00" in line:
            raise DocumentError(path, None, BINARY_REASON)
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            if not noticed and on_notice is not None:
                on_notice(f"{path}: read as Windows-1256")
            noticed = True
            text = line.decode(_WINDOWS_1256)
        yield text


def _skip_line(raw: io.BufferedIOBase) -> None:
    """Read past the end of the current line, a chunk at a time."""
    while (chunk := raw.readline(_CHUNK_BYTES)) and not chunk.endswith(b"\n"):
        pass
