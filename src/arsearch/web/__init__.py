"""The web door: a search page and a JSON API over the public ``Index``.

>>> app = create_app({"INDEX": "/nonexistent/index"})
>>> app.test_client().get("/api/search?q=x").get_json()["error"]["code"]
'no_index'
"""

from .access import Access, access_of, check_exposure, read_api_keys
from .app import create_app
from .assets import assets_dir
from .blueprint import blueprint
from .errors import error_body
from .openapi import describe_api

__all__ = [
    "Access",
    "access_of",
    "assets_dir",
    "blueprint",
    "check_exposure",
    "create_app",
    "describe_api",
    "error_body",
    "read_api_keys",
]
