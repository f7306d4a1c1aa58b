"""``create_app``: the arsearch web app, made fresh for each caller (no module-level app)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..errors import DEFAULT_INDEX_DIR, NoIndexError
from .access import access_of, add_cors_headers
from .blueprint import blueprint
from .errors import handle_error
from .security import add_security_headers, printable
from .state import current_holder

__all__ = ["create_app"]


#: The largest request body (``POST /api/documents``) unless ``MAX_CONTENT_LENGTH`` says.
DEFAULT_MAX_BODY = 32 * 1024 * 1024


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Make the web app. ``config["INDEX"]``: the index directory (or an open ``Index``).

    Other keys, each defaulting to the index's settings (``arsearch.toml``):
    ``API_KEY_FILE`` (a file of keys, one a line) or ``API_KEYS`` (a list of keys)
    turn on ``POST`` and ``DELETE /api/documents`` for requests that carry one;
    ``WRITES_WITHOUT_KEY`` turns them on without a key (for a loopback server
    only); ``CORS_ORIGINS`` lists the web origins that may call the API from a
    browser; ``BASE_URL`` is the public address links that leave the page start
    with; ``MAX_CONTENT_LENGTH`` bounds a request body (32 MiB). A bad key file or
    setting raises here, at start.

    The index is opened once, here; when there is none yet, the page explains how to
    build one and each request looks again, so no restart is needed.
    """
    app = Flask(__name__, static_folder=None)
    app.jinja_env.finalize = printable
    app.config.from_mapping(
        INDEX=DEFAULT_INDEX_DIR,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        MAX_CONTENT_LENGTH=DEFAULT_MAX_BODY,
    )
    if config is not None:
        app.config.from_mapping(config)
    app.register_blueprint(blueprint)
    # The blueprint handles its own routes; these cover the rest (unknown URLs, 405).
    app.register_error_handler(Exception, handle_error)
    app.after_request(add_security_headers)
    app.after_request(add_cors_headers)
    access_of(app)
    holder = current_holder(app)
    try:
        holder.get()
    except NoIndexError as error:
        app.logger.warning("%s The page will serve it once it is built.", error)
    return app
