"""Who may do what over HTTP: API keys for writes, the CORS allow-list, the public address.

Writes (``POST /api/documents``, ``DELETE /api/documents/<id>``) are off unless the
app has API keys; then each write needs ``Authorization: Bearer <key>``, compared
in constant time with every key. Reading needs no key.

>>> access = Access(keys=(b"k" * 16,))
>>> access.writes, access.allows_key("k" * 16), access.allows_key("x" * 16)
(True, True, False)
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

from ..errors import UsageError
from ..index.settings import Settings, check_setting, read_settings
from .errors import ForbiddenError, UnauthorizedError, wants_json

__all__ = [
    "MIN_KEY_LENGTH",
    "Access",
    "ForbiddenError",
    "UnauthorizedError",
    "access_of",
    "add_cors_headers",
    "check_exposure",
    "is_loopback",
    "read_api_keys",
    "require_key",
]

#: The shortest API key accepted: a key must be long and random, not a password.
MIN_KEY_LENGTH = 16
#: The key of the app's :class:`Access` in ``app.extensions``.
EXTENSION = "arsearch_access"
_NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Access:
    """The app's API keys, whether it takes writes without one, its CORS origins and address."""

    keys: tuple[bytes, ...] = ()
    #: Writes without a key: only for a server that listens on a loopback address.
    open_writes: bool = False
    cors_origins: tuple[str, ...] = ()
    base_url: str | None = None

    @property
    def writes(self) -> bool:
        """Whether the app takes writes at all."""
        return bool(self.keys) or self.open_writes

    def allows_key(self, key: str) -> bool:
        """Whether ``key`` is one of the keys, compared in constant time with each of them."""
        given = key.encode("utf-8", "surrogateescape")
        matched = False
        for known in self.keys:
            matched |= hmac.compare_digest(given, known)
        return matched

    def allows_origin(self, origin: str) -> bool:
        """Whether a page from ``origin`` may read the API's answers in a browser."""
        return "*" in self.cors_origins or origin.rstrip("/") in self.cors_origins


def _checked_key(key: str, where: str) -> bytes:
    if len(key) < MIN_KEY_LENGTH:
        raise UsageError(
            f"An API key in {where} is shorter than {MIN_KEY_LENGTH} characters: use a long "
            f"random key, for example the output of {_NEW_KEY}."
        )
    return key.encode("utf-8", "surrogateescape")


def read_api_keys(path: str | os.PathLike[str]) -> tuple[bytes, ...]:
    """The keys of an API key file: one a line; blank lines and ``#`` comments are skipped.

    A missing, unreadable or empty file, or a key shorter than :data:`MIN_KEY_LENGTH`,
    raises UsageError naming the file and the fix.
    """
    shown = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"No API key file at '{shown}': write one key per line, for example with: "
            f"{_NEW_KEY} > {shown}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise UsageError(f"The API key file '{shown}' cannot be read ({reason}).") from None
    keys = [line.strip() for line in text.splitlines()]
    keys = [key for key in keys if key and not key.startswith("#")]
    if not keys:
        raise UsageError(
            f"The API key file '{shown}' holds no key: write one key per line, for example "
            f"with: {_NEW_KEY} > {shown}"
        )
    return tuple(_checked_key(key, f"'{shown}'") for key in keys)


def _origins(value: str | Iterable[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    checked: tuple[str, ...] = check_setting("serve.cors_origins", items) if items else ()
    return checked


def access_from(config: Mapping[str, Any], settings: Settings) -> Access:
    """The :class:`Access` of an app's config, the index's settings filling what it leaves out.

    ``API_KEY_FILE`` (a path) and ``API_KEYS`` (keys) turn writes on;
    ``WRITES_WITHOUT_KEY`` turns them on without a key (loopback only, see
    :func:`check_exposure`); ``CORS_ORIGINS`` and ``BASE_URL`` as in the settings.
    """
    keys: list[bytes] = []
    key_file = config.get("API_KEY_FILE") or settings.api_key_path()
    if key_file:
        keys.extend(read_api_keys(key_file))
    given: Iterable[str] = config.get("API_KEYS") or ()
    if isinstance(given, str):
        given = [given]
    keys.extend(_checked_key(key, "API_KEYS (ARSEARCH_API_KEY)") for key in given)
    origins = config.get("CORS_ORIGINS")
    given_url = config.get("BASE_URL")
    base_url = check_setting("serve.base_url", [given_url]) if given_url else settings.base_url
    return Access(
        keys=tuple(keys),
        open_writes=bool(config.get("WRITES_WITHOUT_KEY")),
        cors_origins=_origins(origins) if origins is not None else settings.cors_origins,
        base_url=base_url.rstrip("/") if base_url else None,
    )


def access_of(app: Flask | None = None) -> Access:
    """The :class:`Access` of ``app`` (default: the current app), made on first use."""
    app = app if app is not None else current_app
    access = app.extensions.get(EXTENSION)
    if access is None:
        with _LOCK:
            access = app.extensions.get(EXTENSION)
            if access is None:
                index = app.config.get("INDEX")
                path = getattr(index, "path", index)
                settings = read_settings(path) if path else Settings()
                access = access_from(app.config, settings)
                app.extensions[EXTENSION] = access
    assert isinstance(access, Access)
    return access


def require_key() -> None:
    """Refuse the current write unless writes are on and it carries a valid key."""
    access = access_of()
    if not access.writes:
        raise ForbiddenError(
            "Writes are off on this server: start it with --api-key-file FILE "
            "(or ARSEARCH_API_KEY) to accept POST and DELETE /api/documents."
        )
    if not access.keys:
        return  # open writes: a loopback-only server, checked at start
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise UnauthorizedError("This request needs an API key: Authorization: Bearer KEY.")
    if not access.allows_key(key.strip()):
        raise UnauthorizedError("The API key is not valid.")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("192.168.1.5"), is_loopback("example.org")
    (False, False, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, app: Flask) -> None:
    """Refuse to listen beyond this machine while writes need no key."""
    access = access_of(app)
    if access.open_writes and not access.keys and not is_loopback(host):
        raise UsageError(
            f"Refusing to accept writes without an API key on {host}: anyone who can reach "
            "it could change the index. Give --api-key-file FILE, or listen on 127.0.0.1."
        )


#: What a browser may send in a cross-origin request to the API.
CORS_METHODS = "GET, POST, DELETE"
CORS_HEADERS = "Authorization, Content-Type"


def add_cors_headers(response: Response) -> Response:
    """Let the allowed origins read ``/api`` answers (an ``after_request`` hook)."""
    if not wants_json():
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    access = access_of()
    if not origin or not access.allows_origin(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in access.cors_origins else origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response
