"""Headers every response carries: no inline script, no framing, no MIME sniffing."""

from __future__ import annotations

import re
from typing import Any

from flask import Response
from markupsafe import Markup

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "add_security_headers", "printable"]

#: Characters a page never shows as they are: C0 controls but tab and line breaks, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Scripts and styles only from the app's own files: an injected ``<script>`` or
#: ``onerror=`` would not run even if escaping ever failed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response: Response) -> Response:
    """Set :data:`SECURITY_HEADERS` on ``response`` (an ``after_request`` hook)."""
    response.headers.update(SECURITY_HEADERS)
    return response


def printable(value: Any) -> Any:
    r"""``value`` with control characters (a NUL in a query, say) shown as U+FFFD, the
    way browsers would show them anyway; the templates' ``finalize`` hook.

    >>> printable("a\x00b"), printable(Markup("<mark>a\x00</mark>")), printable(3)
    ('a\ufffdb', Markup('<mark>a\ufffd</mark>'), 3)
    """
    if not isinstance(value, str) or not _CONTROL.search(value):
        return value
    shown = _CONTROL.sub("\ufffd", value)
    return Markup(shown) if isinstance(value, Markup) else shown
