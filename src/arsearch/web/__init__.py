"""The web door: a search page and a JSON API over the public ``Index``.

>>> app = create_app({"INDEX": "/nonexistent/index"})
>>> app.test_client().get("/api/search?q=x").get_json()["error"]["code"]
'no_index'
"""

from .app import create_app
from .assets import assets_dir
from .blueprint import blueprint
from .errors import error_body

__all__ = ["assets_dir", "blueprint", "create_app", "error_body"]
