"""Every ``>>>`` example runs: the README's Python section and each module's docstrings.

A module is collected only when its source has examples, and doctest must then run
every one of them: an example it cannot see (in a comment, or in a string that is
not a docstring) fails instead of passing unrun.
"""

from __future__ import annotations

import doctest
import importlib
import os
import re
from pathlib import Path

import pytest

from support import REPO

PACKAGE = REPO / "src" / "arsearch"
PROMPT = re.compile(r"^\s*>>>(?: |$)", re.MULTILINE)


def _prompts(path: Path) -> int:
    return len(PROMPT.findall(path.read_text(encoding="utf-8")))


#: Module name -> the number of examples its source claims, for modules that claim any.
EXAMPLES = {
    ".".join(("arsearch", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
        ".__init__"
    ): _prompts(path)
    for path in sorted(PACKAGE.rglob("*.py"))
    if path.name != "__main__.py" and _prompts(path)
}


def test_readme_examples_run(tmp_path: Path) -> None:
    previous = Path.cwd()
    os.chdir(tmp_path)  # the examples must not depend on the current directory
    try:
        result = doctest.testfile(
            str(REPO / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
        )
    finally:
        os.chdir(previous)
    assert result.attempted == _prompts(REPO / "README.md") >= 8
    assert result.failed == 0


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_module_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted == EXAMPLES[name], "examples in the source that doctest did not run"
    assert result.failed == 0
