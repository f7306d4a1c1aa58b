"""index/pipeline.py: documents analyzed in worker processes make the index one process makes.

Workers start only past 2,000 documents of one add, so the corpus here has 3,050,
and the test checks from /proc that two workers really ran: it does not pass with
none, even on a runner with one core. Commits every 750 documents, and one forced by
an id repeated before its first version was committed, cut chunks (of 200) short.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import AddSummary, Document, Index
from arsearch.index.pipeline import release_free_memory
from support import spawned_workers

WORDS = [
    "الحكومة",
    "الوزير",
    "الاقتصاد",
    "النفط",
    "المدينة",
    "الجامعة",
    "المستشفى",
    "الطلاب",
    "المباراة",
    "المنتخب",
    "البرلمان",
    "الانتخابات",
    "الشركة",
    "السوق",
    "الأسعار",
    "التجارة",
    "المطار",
    "القطار",
    "الطقس",
    "الأمطار",
    "القاهرة",
    "بغداد",
    "الرياض",
    "عمّان",
]
COUNT = 3_050
CATEGORIES = ["economy", "politics", "sport", "health"]
#: Ids given a second version later in the same add, chunks after the first: one committed
#: before the workers start, one still uncommitted when its second version comes.
REPEATED = {"d00010": 2_400, "d02300": 2_900}
QUERIES = ["النفط", "الوزير بغداد", '"السوق الأسعار"', "القطار -المطار", "الرياض*", "نسخة ثانية"]


def _document(rng: random.Random, number: int, doc_id: str, extra: str = "") -> Document:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
    return Document(
        doc_id,
        f"خبر {number} {rng.choice(WORDS)}{extra}",
        f"{words}{extra}",
        date=f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        source=f"مصدر {rng.randint(1, 5)}",
        category=rng.choice(CATEGORIES),
    )


def _corpus() -> list[Document]:
    rng = random.Random(3)
    documents = []
    for number in range(COUNT):
        doc_id = f"d{number:05d}"
        for repeated, at in REPEATED.items():
            if number == at:
                doc_id = repeated
        extra = " نسخة ثانية" if doc_id in REPEATED and number != int(doc_id[1:]) else ""
        documents.append(_document(rng, number, doc_id, extra))
    return documents


def _build(path: Path, engine: str, workers: int) -> tuple[AddSummary, set[int]]:
    """Index the corpus with ``workers``; the summary and the workers seen during the add."""
    seen: set[int] = set()

    def look(summary: AddSummary) -> None:
        if summary.total in (2_200, 2_600, 3_000):
            seen.update(spawned_workers(os.getpid()))

    with Index.create(path, engine=engine) as index:
        summary = index.add(_corpus(), batch_size=750, workers=workers, progress=look)
    return summary, seen


@pytest.fixture(scope="module", params=["tantivy", pytest.param("whoosh", marks=pytest.mark.slow)])
def serial_and_parallel(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Index, Index]]:
    """The corpus indexed twice on one engine: with one process, and with two workers."""
    folder = tmp_path_factory.mktemp(f"pipeline-{request.param}")
    serial_summary, serial_workers = _build(folder / "serial", request.param, workers=1)
    parallel_summary, parallel_workers = _build(folder / "parallel", request.param, workers=2)
    assert serial_workers == set()
    assert len(parallel_workers) == 2, "workers=2 must have analyzed in 2 processes"
    expected = {"added": COUNT - len(REPEATED), "updated": len(REPEATED), "unchanged": 0}
    assert serial_summary.to_dict() == parallel_summary.to_dict() == expected
    serial, parallel = Index.open(folder / "serial"), Index.open(folder / "parallel")
    yield serial, parallel
    serial.close()
    parallel.close()


def test_workers_give_the_same_ids_documents_and_hits(
    serial_and_parallel: tuple[Index, Index],
) -> None:
    serial, parallel = serial_and_parallel
    ids = sorted(serial.ids())
    assert ids == sorted(parallel.ids())
    assert len(ids) == COUNT - len(REPEATED)
    for doc_id in ids:
        assert parallel.get(doc_id) == serial.get(doc_id), doc_id
    for query in QUERIES:
        one, two = serial.search(query, limit=20), parallel.search(query, limit=20)
        assert one.total > 0, query
        assert [hit.id for hit in two.hits] == [hit.id for hit in one.hits], query
        assert {**two.to_dict(), "took_ms": 0} == {**one.to_dict(), "took_ms": 0}, query


def test_the_last_version_of_a_repeated_id_wins(serial_and_parallel: tuple[Index, Index]) -> None:
    corpus = _corpus()
    for index in serial_and_parallel:
        for doc_id, at in REPEATED.items():
            assert index.get(doc_id) == corpus[at]
            assert index.get(doc_id).title.endswith(" نسخة ثانية")
        found = [hit.id for hit in index.search('"نسخة ثانية"', limit=10).hits]
        assert sorted(found) == sorted(REPEATED)


def _resident_anonymous_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_release_free_memory_returns_freed_heap_pages() -> None:
    # 40 MB of small blocks freed below one still in use stay resident (free() returns
    # only the top of the heap to the system) until the allocator is asked to trim.
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    blocks = [libc.malloc(4000) for _ in range(10_000)]
    for block in blocks:
        libc.memset(block, 1, 4000)
    for block in blocks[:-1]:
        libc.free(block)
    before = _resident_anonymous_kb()
    release_free_memory()
    after = _resident_anonymous_kb()
    libc.free(blocks[-1])
    assert before - after > 20_000
