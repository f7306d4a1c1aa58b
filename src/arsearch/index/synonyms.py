"""Synonyms users define: one file per index, read at query time, so a change needs no rebuild.

The index's synonyms live in ``arsearch.synonyms`` in its directory, written by
``Index.set_synonyms`` and ``arsearch synonyms set FILE``; one group a line::

    # two-way: each stands for all the others
    الأمم المتحدة, الامم المتحده, UN
    # one-way: a query holding a word on the left also searches those on the right
    ج.م.ع => مصر

Words are separated by commas (``,`` or ``،``); ``#`` starts a comment line.
Words match as the index matches them: normalized (diacritics, alef and hamza
forms, ة and ه...), never by stem, so ``مصر`` does not stand for ``المصري``.
As in Meilisearch, the words typed are still searched beside their synonyms,
each synonym at the same weight; a synonym of several words is searched as a
phrase.

JSON is read too: an array with one group per element, each a string written
as a line above (Elasticsearch's ``synonyms`` list) or an array of words (a
two-way group); or an object mapping a word to the words it also stands for
(one-way, Meilisearch's ``synonyms`` setting).

>>> synonyms = Synonyms.parse("الأمم المتحدة, UN\\nج.م.ع => مصر\\n")
>>> [group.line() for group in synonyms.groups]
['الأمم المتحدة, UN', 'ج.م.ع => مصر']
>>> Synonyms.parse('{"ج.م.ع": ["مصر"]}').groups[0].line()
'ج.م.ع => مصر'
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis import Analyzer
from ..analysis.tokenize import WORD_PATTERN
from ..errors import SynonymsError
from .layout import SYNONYMS_FILE, write_bytes_atomically

__all__ = [
    "MAX_EXPANSIONS",
    "MAX_FILE_BYTES",
    "MAX_GROUPS",
    "MAX_SYNONYM_WORDS",
    "NO_SYNONYMS",
    "SYNONYMS_FILE",
    "SynonymGroup",
    "SynonymMatcher",
    "Synonyms",
    "SynonymsFile",
    "read_synonyms",
    "synonyms_path",
    "write_synonyms",
]

#: The largest synonyms file read, in bytes.
MAX_FILE_BYTES = 2_000_000
#: The most groups a synonyms file may hold.
MAX_GROUPS = 20_000
#: The most words one synonym may have.
MAX_SYNONYM_WORDS = 8
#: The most synonyms one query searches beside its words (the first found are kept).
MAX_EXPANSIONS = 16

_SEPARATOR = re.compile("[,\u060c]")  # , and the Arabic comma ،
_ARROW = "=>"
_HEADER = (
    "# The synonyms of this arsearch index, one group a line (see: arsearch synonyms --help).\n"
    "# a, b, c: each stands for the others; a => b: a query holding a also searches b.\n"
)


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    """One group: ``words`` stand for each other (two-way), or, when ``synonyms`` is not
    empty, each of ``words`` also stands for every one of ``synonyms`` (one-way)."""

    words: tuple[str, ...]
    synonyms: tuple[str, ...] = ()

    def line(self) -> str:
        """The group as a line of a synonyms file."""
        left = ", ".join(self.words)
        return f"{left} {_ARROW} {', '.join(self.synonyms)}" if self.synonyms else left

    def pairs(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each word a query may hold, with the words it is also searched as."""
        for word in self.words:
            yield word, self.synonyms or tuple(other for other in self.words if other != word)


class Synonyms:
    """The synonym groups of one index, in file order (see the module's docstring)."""

    __slots__ = ("_lock", "_matchers", "groups")

    def __init__(self, groups: Iterable[SynonymGroup] = ()) -> None:
        self.groups = tuple(groups)
        self._matchers: dict[bool, SynonymMatcher] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.groups)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Synonyms) and other.groups == self.groups

    def __hash__(self) -> int:
        return hash(self.groups)

    def __repr__(self) -> str:
        return f"Synonyms({[group.line() for group in self.groups]!r})"

    # -- reading ---------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, path: str = "<synonyms>") -> Synonyms:
        """The groups of a synonyms file's text: JSON when it starts with ``[`` or ``{``,
        else one group a line. Raises SynonymsError, reported as ``path:line: reason``."""
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise SynonymsError(path, None, f"larger than {MAX_FILE_BYTES:,} bytes.")
        stripped = text.lstrip("\ufeff \t\r\n")
        if stripped.startswith(("[", "{")):
            return cls(_json_groups(text.lstrip("\ufeff"), path))
        groups = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip().lstrip("\ufeff")
            if line and not line.startswith("#"):
                groups.append(_group(line, path, number))
        return cls(_bounded(groups, path))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Synonyms:
        """Groups written as lines of a synonyms file (``"ج.م.ع => مصر"``), one per item."""
        groups = []
        for number, line in enumerate(lines, 1):
            if not isinstance(line, str):
                raise TypeError(f"A synonym group must be a string, not {type(line).__name__}.")
            groups.append(_group(line.strip(), "<synonyms>", number))
        return cls(_bounded(groups, "<synonyms>"))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Synonyms:
        """One-way groups from a word -> synonyms mapping (Meilisearch's shape)."""
        groups = [
            _one_way(key, value, "<synonyms>", number)
            for number, (key, value) in enumerate(mapping.items(), 1)
        ]
        return cls(_bounded(groups, "<synonyms>"))

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Synonyms:
        """The synonyms file at ``path``; SynonymsError when it is missing or bad."""
        shown = os.fspath(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):
            raise SynonymsError(shown, None, "no such file.") from None
        except IsADirectoryError:
            raise SynonymsError(shown, None, "a folder, not a synonyms file.") from None
        except OSError as error:
            raise SynonymsError(shown, None, f"cannot be read ({error.strerror}).") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise SynonymsError(shown, line, "not UTF-8 text.") from None
        return cls.parse(text, shown)

    # -- writing ---------------------------------------------------------------

    def to_text(self) -> str:
        """The groups as a synonyms file, one a line, with a header comment."""
        return _HEADER + "".join(group.line() + "\n" for group in self.groups)

    def to_list(self) -> list[str]:
        """The groups as JSON-ready lines (the JSON form this module reads back)."""
        return [group.line() for group in self.groups]

    # -- matching --------------------------------------------------------------

    def matcher(self, analyzer: Analyzer) -> SynonymMatcher:
        """The groups as ``analyzer`` matches words (built once per normalization)."""
        key = analyzer.fold_hamza
        matcher = self._matchers.get(key)
        if matcher is None:
            with self._lock:
                matcher = self._matchers.get(key)
                if matcher is None:
                    matcher = self._matchers[key] = SynonymMatcher(self, analyzer)
        return matcher


#: No synonyms.
NO_SYNONYMS = Synonyms()


class SynonymMatcher:
    """Finds synonym inputs in a query's words (as sequences of exact forms).

    >>> matcher = Synonyms.parse("الأمم المتحدة, UN").matcher(Analyzer())
    >>> matcher.find(["قرار", "الامم", "المتحده"])
    [(1, 3, ('UN',))]
    >>> matcher.find(["un"]), matcher.find(["الامم"])
    ([(0, 1, ('الأمم المتحدة',))], [])
    """

    def __init__(self, synonyms: Synonyms, analyzer: Analyzer) -> None:
        def words_of(text: str) -> tuple[str, ...]:
            return tuple(token.exact for token in analyzer.tokens(text))

        found: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = {}
        for group in synonyms.groups:
            for word, others in group.pairs():
                key = words_of(word)
                known = found.setdefault(key, [])
                for other in others:
                    other_key = words_of(other)
                    if other_key != key and all(other_key != seen for seen, _ in known):
                        known.append((other_key, other))
        self._inputs = {
            key: tuple(text for _, text in known) for key, known in found.items() if known
        }
        self.longest = max(map(len, self._inputs), default=0)

    def get(self, words: Sequence[str]) -> tuple[str, ...]:
        """The synonyms of exactly ``words`` (exact forms), as written in the file."""
        return self._inputs.get(tuple(words), ())

    def find(self, words: Sequence[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """``(start, end, synonyms)`` of each synonym input in ``words`` (exact forms), the
        longest first from the left, never overlapping."""
        found = []
        at = 0
        while at < len(words):
            for end in range(min(len(words), at + self.longest), at, -1):
                synonyms = self._inputs.get(tuple(words[at:end]))
                if synonyms:
                    found.append((at, end, synonyms))
                    at = end
                    break
            else:
                at += 1
        return found


# -- parsing ---------------------------------------------------------------------


def _words(side: str, path: str, line: int) -> tuple[str, ...]:
    words = []
    for piece in _SEPARATOR.split(side):
        word = " ".join(piece.split())
        if not word:
            raise SynonymsError(
                path, line, "an empty synonym (two commas in a row, or a comma at an end)."
            )
        if not WORD_PATTERN.search(word):
            raise SynonymsError(path, line, f"'{word[:40]}' holds no word to search.")
        if len(WORD_PATTERN.findall(word)) > MAX_SYNONYM_WORDS:
            raise SynonymsError(
                path, line, f"'{word[:40]}…' has more than {MAX_SYNONYM_WORDS} words."
            )
        words.append(word)
    return tuple(dict.fromkeys(words))


def _group(line: str, path: str, number: int) -> SynonymGroup:
    if line.count(_ARROW) > 1:
        raise SynonymsError(path, number, f"'{_ARROW}' may appear once in a group.")
    if _ARROW in line:
        left, right = (side.strip() for side in line.split(_ARROW))
        if not left or not right:
            where = "before" if not left else "after"
            raise SynonymsError(path, number, f"no words {where} '{_ARROW}'.")
        return SynonymGroup(_words(left, path, number), _words(right, path, number))
    words = _words(line, path, number)
    if len(words) < 2:
        raise SynonymsError(
            path,
            number,
            "a group needs two or more words separated by commas (a, b, c), "
            f"or words {_ARROW} synonyms.",
        )
    return SynonymGroup(words)


def _one_way(key: Any, value: Any, path: str, number: int) -> SynonymGroup:
    if not isinstance(key, str) or not key.strip():
        raise SynonymsError(path, number, "a word to map must be a non-empty string.")
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise SynonymsError(path, number, f"the synonyms of '{key[:40]}' must be a list of words.")
    return SynonymGroup(_words(key, path, number), _words(",".join(values), path, number))


def _bounded(groups: list[SynonymGroup], path: str) -> list[SynonymGroup]:
    if len(groups) > MAX_GROUPS:
        raise SynonymsError(path, None, f"more than {MAX_GROUPS:,} groups.")
    return groups


def _json_groups(text: str, path: str) -> list[SynonymGroup]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SynonymsError(path, error.lineno, f"not valid JSON ({error.msg}).") from None
    groups = []
    for line, key, value in _json_items(text, isinstance(data, dict)):
        if key is not None:
            groups.append(_one_way(key, value, path, line))
        elif isinstance(value, str):
            groups.append(_group(value.strip(), path, line))
        elif isinstance(value, list) and value and all(isinstance(word, str) for word in value):
            groups.append(_group(",".join(value), path, line))
        else:
            raise SynonymsError(
                path,
                line,
                f'a group must be a string such as "a, b {_ARROW} c" or a list of words, '
                f"not {json.dumps(value, ensure_ascii=False)[:40]}.",
            )
    return _bounded(groups, path)


def _json_items(text: str, is_object: bool) -> Iterator[tuple[int, str | None, Any]]:
    """``(line, key, value)`` of each top-level item of valid JSON ``text`` (key None in an
    array), so that an error names the line its item starts on."""
    decoder = json.JSONDecoder()
    space = re.compile(r"[\s,]*")
    at = space.match(text, text.index("{" if is_object else "[") + 1).end()  # type: ignore[union-attr]
    while text[at] not in "]}":
        line = text.count("\n", 0, at) + 1
        key: str | None = None
        if is_object:
            key, at = decoder.raw_decode(text, at)
            at = text.index(":", at) + 1
            at = re.compile(r"\s*").match(text, at).end()  # type: ignore[union-attr]
        value, at = decoder.raw_decode(text, at)
        yield line, key, value
        at = space.match(text, at).end()  # type: ignore[union-attr]


# -- the index's file ---------------------------------------------------------------


def synonyms_path(index_dir: str | os.PathLike[str]) -> Path:
    """Where the synonyms of the index at ``index_dir`` are kept."""
    return Path(index_dir) / SYNONYMS_FILE


def read_synonyms(index_dir: str | os.PathLike[str]) -> Synonyms:
    """The synonyms of the index at ``index_dir``; none when it has no synonyms file."""
    path = synonyms_path(index_dir)
    if not path.exists():
        return NO_SYNONYMS
    return Synonyms.read(path)


def write_synonyms(index_dir: str | os.PathLike[str], synonyms: Synonyms) -> None:
    """Replace the index's synonyms file (atomically); no groups: remove it."""
    path = synonyms_path(index_dir)
    if not synonyms.groups:
        path.unlink(missing_ok=True)
        return
    write_bytes_atomically(path, synonyms.to_text().encode("utf-8"))


class SynonymsFile:
    """The synonyms of one index directory, read again when the file changes.

    Looks at the file at most every ``interval`` seconds. A file that breaks
    while it is being followed keeps the last good synonyms in force (``error``
    says why); only the first read raises.
    """

    def __init__(self, index_dir: str | os.PathLike[str], *, interval: float = 0.5) -> None:
        self._path = synonyms_path(index_dir)
        self._interval = interval
        self._lock = threading.Lock()
        self._next = 0.0
        self._stamp: tuple[int, int, int] | None = None
        self._synonyms: Synonyms | None = None
        #: Why the file could not be read again, while the last good synonyms stay in force.
        self.error: SynonymsError | None = None

    def _stat(self) -> tuple[int, int, int]:
        try:
            info = os.stat(self._path)
        except OSError:
            return (0, 0, 0)
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def current(self, *, now: bool = False) -> Synonyms:
        """The synonyms in force (``now``: look at the file whatever the interval)."""
        synonyms = self._synonyms
        moment = time.monotonic()
        if synonyms is not None and moment < self._next and not now:
            return synonyms
        with self._lock:
            self._next = moment + self._interval
            stamp = self._stat()
            if self._synonyms is not None and stamp == self._stamp:
                return self._synonyms
            try:
                fresh = NO_SYNONYMS if stamp == (0, 0, 0) else Synonyms.read(self._path)
            except SynonymsError as error:
                if self._synonyms is None:
                    raise
                self.error = error
                return self._synonyms
            self._synonyms, self._stamp, self.error = fresh, stamp, None
            return fresh
