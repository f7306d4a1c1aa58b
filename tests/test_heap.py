"""arsearch.web.heap: a serving process's long-lived objects kept out of full collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import Document
from arsearch.index import Index
from arsearch.web import create_app, heap


@pytest.fixture
def settling() -> Iterator[None]:
    """Whatever a test settles is undone after it: this process goes on collecting."""
    yield
    heap.unsettle()


def test_settle_freezes_what_lives_and_each_full_collection_what_survived(
    settling: None,
) -> None:
    heap.settle(freeze_interval=0)
    frozen = gc.get_freeze_count()
    assert frozen > 0
    alive = [[n] for n in range(1000)]  # 1,000 lists: the collector tracks them for good
    gc.collect()
    assert gc.get_freeze_count() >= frozen + len(alive)


def test_a_thaw_returns_every_frozen_object_and_freezes_none_during_its_grace(
    settling: None,
) -> None:
    heap.settle(freeze_interval=0)
    heap.thaw()
    assert gc.get_freeze_count() == 0
    gc.collect()  # within THAW_GRACE of the thaw
    assert gc.get_freeze_count() == 0


def test_a_full_collection_past_the_thaw_interval_thaws_once(settling: None) -> None:
    heap.settle(freeze_interval=0, thaw_interval=0)
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert gc.get_freeze_count() == 0


def test_the_first_search_of_a_rebuilt_index_thaws(
    tmp_path: Path, seed_documents: list[Document], settling: None
) -> None:
    path = tmp_path / "index"
    with Index.create(path) as index:
        index.add(seed_documents)
    client = create_app({"INDEX": str(path)}).test_client()
    assert client.get("/api/search?q=النفط").status_code == 200
    heap.settle(freeze_interval=0)
    with Index.open(path) as index:
        index.add({"id": "new-1", "title": "خبر جديد", "text": "زنجبيليات في السوق اليوم."})
        index.commit()
    assert client.get("/api/search?q=زنجبيليات").get_json()["total"] == 1
    assert gc.get_freeze_count() > 0  # a commit: the generation's analyzer stays
    with Index.create(path, overwrite=True) as index:
        index.add(seed_documents[:5])
    assert client.get("/api/search?q=زنجبيليات").get_json()["total"] == 0
    assert gc.get_freeze_count() == 0
