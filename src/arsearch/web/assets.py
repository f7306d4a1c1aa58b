"""Where the page's templates and static files are: in the wheel, or the checkout's ``web/``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["assets_dir"]

#: The folder the wheel carries ``web/`` in (see ``force-include`` in pyproject.toml).
PACKAGED_NAME = "web_assets"


def _is_assets(folder: Path) -> bool:
    return (folder / "templates").is_dir() and (folder / "static").is_dir()


def assets_dir() -> Path:
    """The folder holding ``templates/`` and ``static/``.

    An installed wheel carries them as ``arsearch/web_assets``; an editable install or a
    source checkout uses the repository's top-level ``web/`` folder.
    """
    packaged = files("arsearch").joinpath(PACKAGED_NAME)
    if isinstance(packaged, Path) and _is_assets(packaged):
        return packaged
    # src/arsearch/web/assets.py -> the repository root is three folders up from src/.
    checkout = Path(__file__).resolve().parents[3] / "web"
    if _is_assets(checkout):
        return checkout
    raise FileNotFoundError(
        f"The web page's files are missing: neither {packaged} nor {checkout} holds "
        "templates/ and static/. Reinstall arsearch."
    )
