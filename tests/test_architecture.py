"""The module map of the house style, kept true by an AST scan of every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support import REPO

PACKAGE = REPO / "src" / "arsearch"

# layer -> what it must not import (our modules by their first name under arsearch, or
# third-party packages by name).
FORBIDDEN: dict[str, set[str]] = {
    "errors": {"*"},
    "models": {"*"},
    "dates": {"*"},
    "analysis": {
        "engines",
        "index",
        "documents",
        "query",
        "highlight",
        "cli",
        "web",
        "flask",
        "click",
        "tantivy",
        "whoosh",
    },
    "documents": {
        "engines",
        "index",
        "query",
        "highlight",
        "cli",
        "web",
        "flask",
        "click",
        "tantivy",
        "whoosh",
    },
    "query": {"engines", "index", "cli", "web", "flask", "click", "tantivy", "whoosh"},
    "highlight": {"engines", "index", "cli", "web", "flask", "click", "tantivy", "whoosh"},
    "engines": {"index", "cli", "web", "flask", "click", "documents", "query", "highlight"},
    "index": {"cli", "web", "flask", "click"},
    "evaluation": {"cli", "web", "flask", "click", "engines", "tantivy", "whoosh"},
}
# Engine packages are known only to engines/.
ENGINE_PACKAGES = {"tantivy", "whoosh", "xapian"}
DOORS = {"cli", "web", "__main__"}


# What a layer marked "*" may still import of ours.
ALLOWED_BELOW = {"dates": {"arsearch.errors"}}


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path, root: Path = PACKAGE) -> list[tuple[str, list[str]]]:
    """(module imported, names imported) with relative imports resolved to arsearch.*."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["arsearch", *path.relative_to(root).parent.parts]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.append((module, [alias.name for alias in node.names]))
    return found


def _targets(module: str, names: list[str]) -> set[str]:
    parts = module.split(".")
    if parts[0] != "arsearch":
        return {parts[0]}
    if len(parts) > 1:
        return {parts[1]}
    return set(names)  # "from arsearch import x" / "from . import x" at the top


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_lower_layers_never_import_higher_ones(path: Path) -> None:
    layer = _layer(path)
    forbidden = FORBIDDEN.get(layer, set())
    for module, names in _imports(path):
        targets = _targets(module, names) - {layer}
        ours = module.startswith("arsearch")
        if "*" in forbidden:
            allowed = {"arsearch." + layer, *ALLOWED_BELOW.get(layer, ())}
            assert not ours or module in allowed, f"{layer} imports {module}"
        clash = targets & forbidden
        assert not clash, f"{path.name}: the {layer} layer must not import {sorted(clash)}"
        if layer != "engines":
            assert not targets & ENGINE_PACKAGES or ours, f"{path.name} imports an engine"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if _layer(p) in DOORS],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_doors_use_no_private_names_of_the_core(path: Path) -> None:
    for module, names in _imports(path):
        if not module.startswith("arsearch") or _targets(module, names) & DOORS:
            continue
        private = [
            n for n in [*module.split("."), *names] if n.startswith("_") and not n.endswith("__")
        ]
        assert not private, f"{path.name} imports private {private} from {module}"


def test_the_public_api_is_sorted_and_complete() -> None:
    import arsearch

    assert list(arsearch.__all__) == sorted(arsearch.__all__)
    for name in arsearch.__all__:
        assert hasattr(arsearch, name), name


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if _layer(p) == "index"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_index_layer_reaches_engines_through_their_public_names_only(path: Path) -> None:
    assert not engine_internals(path), f"{path.name} imports {engine_internals(path)}"


def engine_internals(path: Path, root: Path = PACKAGE) -> list[str]:
    """The engine-internal modules ``path`` imports (anything under ``arsearch.engines.``)."""
    return [module for module, _ in _imports(path, root) if module.startswith("arsearch.engines.")]


def test_an_engine_internal_import_is_caught(tmp_path: Path) -> None:
    # The rule above must see a real violation, written as index/ modules would write it.
    root = tmp_path / "arsearch"
    (root / "index").mkdir(parents=True)
    probe = root / "index" / "probe.py"
    probe.write_text("from ..engines.base import TermNode\nfrom ..engines import BODY\n")
    assert engine_internals(probe, root) == ["arsearch.engines.base"]
