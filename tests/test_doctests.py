"""Every ``>>>`` example runs: the README's Python section and each module's docstrings."""

from __future__ import annotations

import doctest
import importlib
import os
from pathlib import Path

import pytest

from support import REPO

PACKAGE = REPO / "src" / "arsearch"
MODULES = sorted(
    ".".join(("arsearch", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
        ".__init__"
    )
    for path in PACKAGE.rglob("*.py")
    if path.name != "__main__.py"
)


def test_readme_examples_run(tmp_path: Path) -> None:
    previous = Path.cwd()
    os.chdir(tmp_path)  # the examples must not depend on the current directory
    try:
        result = doctest.testfile(
            str(REPO / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
        )
    finally:
        os.chdir(previous)
    assert result.attempted >= 8
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
