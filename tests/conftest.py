"""Shared fixtures: the seed corpus, indexes built from it on every engine, the CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import Document
from arsearch.documents import read_documents
from arsearch.engines import ENGINES
from arsearch.index import Index

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def seed_documents() -> list[Document]:
    """The bundled demo corpus: the seed article plus the team's articles."""
    return list(read_documents([SEEDS]))


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn: the conformance suite runs on all of them."""
    return str(request.param)


@pytest.fixture(scope="session")
def seed_index(
    engine: str, seed_documents: list[Document], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Index]:
    """A read-only index of the seeds, built once per engine."""
    path = tmp_path_factory.mktemp(f"seeds-{engine}") / "index"
    with Index.create(path, engine=engine) as index:
        index.add(seed_documents)
    opened = Index.open(path)
    yield opened
    opened.close()


@pytest.fixture
def empty_index(tmp_path: Path, engine: str) -> Iterator[Index]:
    """A fresh, writable index on the current engine."""
    index = Index.create(tmp_path / "index", engine=engine)
    yield index
    index.close()


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m arsearch ARGS`` in a real subprocess, as a user would."""
    full_env = {**os.environ, "PYTHONWARNINGS": "error", **(env or {})}
    full_env.pop("ARSEARCH_INDEX", None)
    if env and "ARSEARCH_INDEX" in env:
        full_env["ARSEARCH_INDEX"] = env["ARSEARCH_INDEX"]
    return subprocess.run(
        [sys.executable, "-m", "arsearch", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
