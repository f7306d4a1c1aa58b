"""The blueprint: every route of the page and the API, mountable in any Flask app.

>>> from flask import Flask
>>> host = Flask("host")
>>> host.config["INDEX"] = "/srv/arsearch/index"
>>> host.register_blueprint(blueprint, url_prefix="/search")
>>> rules = sorted(r.rule for r in host.url_map.iter_rules() if r.rule.startswith("/search/api"))
>>> rules[:3]
['/search/api', '/search/api/doc/<path:doc_id>', '/search/api/documents']
"""

from __future__ import annotations

from flask import Blueprint

from . import api, views, writes
from .access import add_cors_headers
from .assets import assets_dir
from .errors import handle_error
from .security import add_security_headers
from .state import release_searcher

__all__ = ["NAME", "blueprint"]

#: The blueprint's name: templates link with ``url_for("arsearch.…")``, so keep it.
NAME = "arsearch"

_ASSETS = assets_dir()

blueprint = Blueprint(
    NAME,
    __name__,
    template_folder=str(_ASSETS / "templates"),
    static_folder=str(_ASSETS / "static"),
    static_url_path="/static",
)

for rule, endpoint, view, method in (
    ("/", "search", views.search_page, "GET"),
    ("/doc/<path:doc_id>", "document", views.document_page, "GET"),
    ("/opensearch.xml", "opensearch", views.opensearch, "GET"),
    ("/api", "api", views.api_page, "GET"),
    ("/api/openapi.json", "api_openapi", api.api_openapi, "GET"),
    ("/api/search", "api_search", api.api_search, "GET"),
    ("/api/suggest", "api_suggest", api.api_suggest, "GET"),
    ("/api/doc/<path:doc_id>", "api_doc", api.api_doc, "GET"),
    ("/api/stats", "api_stats", api.api_stats, "GET"),
    ("/api/documents", "api_add", writes.api_add, "POST"),
    ("/api/documents/<path:doc_id>", "api_delete", writes.api_delete, "DELETE"),
    ("/healthz", "healthz", api.healthz, "GET"),
):
    blueprint.add_url_rule(rule, endpoint, view, methods=[method])

blueprint.register_error_handler(Exception, handle_error)
blueprint.after_request(add_security_headers)
blueprint.after_request(add_cors_headers)
blueprint.teardown_request(release_searcher)
