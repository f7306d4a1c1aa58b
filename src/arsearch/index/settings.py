"""An index's settings: ``arsearch.toml`` in the index directory, read and written here.

The file is optional; every setting has a default. It holds how facet values are
shown (labels) and how ``arsearch serve`` serves the index::

    [labels.category]
    localNews = "محليات"

    [serve]
    host = "127.0.0.1"
    port = 8000
    workers = 2
    api_key_file = "/etc/arsearch/api-key"
    cors_origins = ["https://example.org"]
    base_url = "https://search.example.org/"

This module alone decides what a setting means and which values are valid; the
command line (``arsearch config``) and the web app only pass values through.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> settings = set_setting(folder, "labels.category.localNews", ["محليات"])
>>> settings.labels.label("category", "localNews"), settings.labels.label("source", "x")
('محليات', 'x')
>>> read_settings(folder).labels.values_for("category", "محليّات")
('localNews',)
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import tomli_w

from ..errors import ArsearchError, SettingsError
from ..models import FIELDS, FieldTable
from .labels import Labels
from .layout import SETTINGS_FILE, Generation, read_marker, write_bytes_atomically

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "OPTIONS",
    "SETTINGS_FILE",
    "Labels",
    "Option",
    "Settings",
    "SettingsFile",
    "check_setting",
    "load_settings",
    "read_settings",
    "set_setting",
    "settings_path",
    "unset_setting",
]

OptionKind = Literal["host", "port", "workers", "path", "origins", "url"]


@dataclass(frozen=True, slots=True)
class Option:
    """One ``serve.*`` setting: its key, the kind of value it takes, and what it does."""

    key: str
    kind: OptionKind
    help: str


#: Every setting besides the labels (``labels.<field>.<value> = "label"``).
OPTIONS: tuple[Option, ...] = (
    Option("serve.host", "host", "the address arsearch serve listens on (default 127.0.0.1)"),
    Option("serve.port", "port", "the port arsearch serve listens on (default 8000)"),
    Option("serve.workers", "workers", "the processes arsearch serve answers with"),
    Option(
        "serve.api_key_file",
        "path",
        "a file of API keys, one a line: turns on POST and DELETE /api/documents "
        "(relative to the index directory)",
    ),
    Option(
        "serve.cors_origins",
        "origins",
        "web origins allowed to call /api from a browser (https://example.org, or *)",
    ),
    Option(
        "serve.base_url",
        "url",
        "the public address of the page, for links that leave it (/opensearch.xml)",
    ),
)
_BY_KEY = {option.key: option for option in OPTIONS}
_HEADER = (
    "# The settings of this arsearch index (see: arsearch config --help).\n"
    "# arsearch config rewrites this file; comments are not kept.\n\n"
)
_ORIGIN = re.compile(r"https?://[^/\s?#]+/?", re.IGNORECASE)
_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?", re.IGNORECASE)


def settings_path(index_dir: str | os.PathLike[str]) -> Path:
    """Where the settings of the index at ``index_dir`` are kept."""
    return Path(index_dir) / SETTINGS_FILE


@dataclass(frozen=True)
class Settings:
    """The settings of one index (see the module's docstring); None: not set."""

    labels: Labels = field(default_factory=Labels)
    host: str | None = None
    port: int | None = None
    workers: int | None = None
    #: As written in the file; see :meth:`api_key_path` for the file it names.
    api_key_file: str | None = None
    cors_origins: tuple[str, ...] = ()
    base_url: str | None = None
    #: The index directory the settings belong to (relative paths are relative to it).
    root: Path | None = None

    def api_key_path(self) -> Path | None:
        """The API key file, a relative path taken from the index directory."""
        if self.api_key_file is None:
            return None
        path = Path(self.api_key_file).expanduser()
        return path if path.is_absolute() or self.root is None else self.root / path

    def items(self) -> Iterator[tuple[str, Any]]:
        """Every setting that is set, as (dotted key, value), labels first."""
        for name, values in self.labels.to_dict().items():
            for value, label in values.items():
                yield f"labels.{name}.{value}", label
        for option in OPTIONS:
            value = self._value(option)
            if value is not None and value != ():
                yield option.key, list(value) if isinstance(value, tuple) else value

    def get(self, key: str) -> Any:
        """The value of ``key`` (None when not set); raises SettingsError for an unknown key."""
        if key.startswith("labels."):
            name, value = _label_key(key)
            return self.labels.of(name).get(value)
        option = _option(key)
        value = self._value(option)
        return list(value) if isinstance(value, tuple) else value

    def to_dict(self) -> dict[str, Any]:
        """The settings as the file holds them: ``{"labels": {...}, "serve": {...}}``."""
        out: dict[str, Any] = {}
        if self.labels:
            out["labels"] = self.labels.to_dict()
        serve = {
            option.key.partition(".")[2]: value
            for option, value in ((option, self._value(option)) for option in OPTIONS)
            if value is not None and value != ()
        }
        if serve:
            out["serve"] = {key: list(v) if isinstance(v, tuple) else v for key, v in serve.items()}
        return out

    def _value(self, option: Option) -> Any:
        return getattr(self, option.key.partition(".")[2])


def _option(key: str) -> Option:
    option = _BY_KEY.get(key)
    if option is None:
        known = ", ".join([*_BY_KEY, "labels.<field>.<value>"])
        raise SettingsError(f"Unknown setting '{key}'. Settings are: {known}.")
    return option


def _label_key(key: str) -> tuple[str, str]:
    parts = key.split(".", 2)
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise SettingsError(
            f"A label setting is labels.<field>.<value>, for example "
            f"labels.category.localNews, not '{key}'."
        )
    return parts[1], parts[2]


def _one(key: str, values: Sequence[Any]) -> Any:
    if len(values) != 1:
        raise SettingsError(f"{key} takes one value, not {len(values)}.")
    return values[0]


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{key} must be a non-empty string, not {value!r:.60}.")
    return value.strip()


def _whole(key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(
            f"{key} must be a whole number from {low} to {high}, not {value!r:.60}."
        )
    return value


def _check(option: Option, values: Sequence[Any]) -> Any:
    """The value of ``option`` from ``values`` (strings from a command line, or TOML values)."""
    key = option.key
    if option.kind == "origins":
        origins = tuple(_text(key, value) for value in values)
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise SettingsError(
                    f"{key}: '{origin:.60}' is not a web origin: write scheme://host[:port] "
                    "(https://example.org) without a path, or *."
                )
        return tuple(dict.fromkeys(origin.rstrip("/") for origin in origins))
    value = _one(key, values)
    if option.kind == "port":
        return _whole(key, value, 0, 65535)
    if option.kind == "workers":
        return _whole(key, value, 1, 64)
    text = _text(key, value)
    if option.kind == "url" and not _URL.fullmatch(text):
        raise SettingsError(
            f"{key} must be an http:// or https:// address without a query, not '{text:.60}'."
        )
    return text


def check_setting(key: str, values: Sequence[Any]) -> Any:
    """The value of the ``serve.*`` setting ``key`` from ``values``, checked and converted.

    >>> check_setting("serve.port", ["8080"]), check_setting("serve.cors_origins", ["*"])
    (8080, ('*',))
    """
    return _check(_option(key), values)


def _label_fields(root: Path) -> FieldTable:
    """The field table of the index at ``root``, or the default one while it has no index."""
    try:
        marker = read_marker(root, os.fspath(root))
        return FieldTable.from_config(Generation.load(root, marker.generation, "").fields)
    except (ArsearchError, OSError):
        return FIELDS


def _check_label(fields: FieldTable, name: str, label: Any, key: str) -> str:
    names = [item.name for item in fields.keywords()]
    if name not in names:
        raise SettingsError(
            f"{key}: the index has no keyword field '{name}' to label; "
            f"fields with values are: {', '.join(names)}."
        )
    return _text(key, label)


def _parse(data: Mapping[str, Any], root: Path) -> Settings:
    """Settings from a settings file's data, every value checked."""
    unknown = sorted(set(data) - {"labels", "serve"})
    if unknown:
        raise SettingsError(f"unknown section '{unknown[0]}' (sections: labels, serve).")
    labels: dict[str, dict[str, str]] = {}
    raw_labels = data.get("labels", {})
    if not isinstance(raw_labels, Mapping):
        raise SettingsError("labels must be a table of fields.")
    fields = _label_fields(root) if raw_labels else FIELDS
    for name, values in raw_labels.items():
        if not isinstance(values, Mapping):
            raise SettingsError(f'labels.{name} must be a table of value = "label".')
        labels[name] = {
            str(value): _check_label(fields, name, label, f"labels.{name}.{value}")
            for value, label in values.items()
        }
    serve = data.get("serve", {})
    if not isinstance(serve, Mapping):
        raise SettingsError("serve must be a table of settings.")
    found: dict[str, Any] = {}
    for key, value in serve.items():
        option = _option(f"serve.{key}")
        listed = value if isinstance(value, list) and option.kind == "origins" else [value]
        found[option.key.partition(".")[2]] = _check(option, listed)
    return Settings(labels=Labels(labels), root=root, **found)


def _load(path: Path, root: Path) -> Settings:
    """The settings file at ``path`` for the index at ``root``; FileNotFoundError when absent."""
    shown = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(shown) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(
            f"The settings file '{shown}' is not valid TOML ({error}); fix it, or remove it."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"The settings file '{shown}' cannot be read ({error}).") from None
    try:
        return _parse(data, root)
    except SettingsError as error:
        raise SettingsError(f"The settings file '{shown}': {error.message}") from None


def read_settings(index_dir: str | os.PathLike[str]) -> Settings:
    """The settings of the index at ``index_dir``; all defaults when it has no settings file.

    Raises SettingsError, naming the file and the fix, when the file cannot be read.
    """
    root = Path(index_dir)
    try:
        return _load(root / SETTINGS_FILE, root)
    except FileNotFoundError:
        return Settings(root=root)


def _write(root: Path, settings: Settings) -> None:
    root.mkdir(parents=True, exist_ok=True)
    text = _HEADER + tomli_w.dumps(settings.to_dict())
    write_bytes_atomically(root / SETTINGS_FILE, text.encode("utf-8"))


def set_setting(index_dir: str | os.PathLike[str], key: str, values: Sequence[Any]) -> Settings:
    """Set ``key`` to ``values`` (one value, or several for a list) and write the file.

    Values may be strings, as typed on a command line; each is checked and
    converted here (``serve.port`` "8080" is the number 8080). Returns the new settings.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError("values must be a list of values, not a single string")
    root = Path(index_dir)
    settings = read_settings(root)
    if key.startswith("labels."):
        name, value = _label_key(key)
        label = _check_label(_label_fields(root), name, _one(key, values), key)
        labels = settings.labels.to_dict()
        labels.setdefault(name, {})[value] = label
        settings = replace(settings, labels=Labels(labels))
    else:
        option = _option(key)
        if not values:
            raise SettingsError(f"{key} needs a value.")
        settings = replace(settings, **{option.key.partition(".")[2]: _check(option, values)})
    _write(root, settings)
    return settings


def load_settings(index_dir: str | os.PathLike[str], source: str | os.PathLike[str]) -> Settings:
    """Merge the settings file ``source`` (the same format) into the index's settings.

    Each setting of ``source`` replaces the index's; labels are merged value by value.
    Returns the new settings.
    """
    root = Path(index_dir)
    try:
        given = _load(Path(source), root)
    except FileNotFoundError:
        raise SettingsError(f"No settings file at '{os.fspath(source)}'.") from None
    settings = read_settings(root)
    labels = settings.labels.to_dict()
    for name, values in given.labels.to_dict().items():
        labels.setdefault(name, {}).update(values)
    changes = {
        option.key.partition(".")[2]: value
        for option in OPTIONS
        if (value := given._value(option)) is not None and value != ()
    }
    settings = replace(settings, labels=Labels(labels), **changes)
    _write(root, settings)
    return settings


def unset_setting(index_dir: str | os.PathLike[str], key: str) -> bool:
    """Remove ``key`` from the settings file; False when it was not set."""
    root = Path(index_dir)
    settings = read_settings(root)
    if key.startswith("labels."):
        name, value = _label_key(key)
        labels = settings.labels.to_dict()
        if value not in labels.get(name, {}):
            return False
        del labels[name][value]
        settings = replace(settings, labels=Labels(labels))
    else:
        option = _option(key)
        attribute = option.key.partition(".")[2]
        empty: Any = () if option.kind == "origins" else None
        if getattr(settings, attribute) == empty:
            return False
        settings = replace(settings, **{attribute: empty})
    _write(root, settings)
    return True


class SettingsFile:
    """The settings of one index directory, read again when the file changes.

    Looks at the file at most every ``interval`` seconds. A file that breaks while
    it is being followed keeps the last good settings in force (``error`` says
    why); only the first read raises.
    """

    def __init__(self, index_dir: str | os.PathLike[str], *, interval: float = 0.5) -> None:
        self._root = Path(index_dir)
        self._interval = interval
        self._lock = threading.Lock()
        self._next = 0.0
        self._stamp: tuple[int, int, int] | None = None
        self._settings: Settings | None = None
        #: Why the file could not be read again, while the last good settings stay in force.
        self.error: SettingsError | None = None

    def _stat(self) -> tuple[int, int, int]:
        try:
            info = os.stat(self._root / SETTINGS_FILE)
        except OSError:
            return (0, 0, 0)
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def current(self) -> Settings:
        """The settings in force."""
        settings = self._settings
        now = time.monotonic()
        if settings is not None and now < self._next:
            return settings
        with self._lock:
            self._next = now + self._interval
            stamp = self._stat()
            if self._settings is not None and stamp == self._stamp:
                return self._settings
            try:
                fresh = read_settings(self._root)
            except SettingsError as error:
                if self._settings is None:
                    raise
                self.error = error
                return self._settings
            self._settings, self._stamp, self.error = fresh, stamp, None
            return fresh
