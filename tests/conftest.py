"""Shared fixtures: the seed corpus, indexes built from it on every engine, the CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import Document
from arsearch.documents import read_documents
from arsearch.engines import ENGINES
from arsearch.index import Index
from support import SEEDS


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
