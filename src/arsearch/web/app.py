"""``create_app``: the arsearch web app, made fresh for each caller (no module-level app)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..errors import DEFAULT_INDEX_DIR, NoIndexError
from .blueprint import blueprint
from .errors import handle_error
from .security import add_security_headers
from .state import current_holder

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Make the web app. ``config["INDEX"]``: the index directory (or an open ``Index``).

    The index is opened once, here; when there is none yet, the page explains how to
    build one and each request looks again, so no restart is needed.
    """
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(INDEX=DEFAULT_INDEX_DIR, SEND_FILE_MAX_AGE_DEFAULT=3600)
    if config is not None:
        app.config.from_mapping(config)
    app.register_blueprint(blueprint)
    # The blueprint handles its own routes; these cover the rest (unknown URLs, 405).
    app.register_error_handler(Exception, handle_error)
    app.after_request(add_security_headers)
    holder = current_holder(app)
    try:
        holder.get()
    except NoIndexError as error:
        app.logger.warning("%s The page will serve it once it is built.", error)
    return app
