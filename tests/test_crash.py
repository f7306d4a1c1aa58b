"""Crash safety: ``kill -9`` during indexing keeps the last commit; a re-run finishes the job."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arsearch.index import DEFAULT_BATCH_SIZE, Index

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
]
DOCUMENTS = 22_000
BATCH = DEFAULT_BATCH_SIZE  # the CLI commits every BATCH documents


def _write_corpus(path: Path) -> None:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(DOCUMENTS):
            text = " ".join(rng.choice(WORDS) for _ in range(40))
            record = {"id": f"doc-{number:05d}", "title": f"خبر رقم {number}", "text": text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "arsearch", *args]


@pytest.mark.parametrize("engine", ["tantivy", "whoosh"])
def test_kill_9_while_indexing_then_rerun(tmp_path: Path, engine: str) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _write_corpus(corpus)
    index_dir = tmp_path / "index"
    process = subprocess.Popen(
        _cli("index", str(corpus), "--index", str(index_dir), "--engine", engine),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    marker = index_dir / "arsearch.json"

    def committed_once() -> bool:
        try:
            return json.loads(marker.read_text(encoding="utf-8"))["documents"] > 0
        except (OSError, ValueError, KeyError):
            return False

    deadline = time.monotonic() + 120
    while not committed_once() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "indexing ended before the first batch was committed"
    workers = _children(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # The analysis workers die with their parent instead of lingering as orphans.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]

    with Index.open(index_dir) as index:
        committed = len(index)
        assert committed % BATCH == 0 and 0 < committed < DOCUMENTS
        assert index.search("الحكومة").total <= committed

    rerun = subprocess.run(
        _cli("index", str(corpus), "--index", str(index_dir)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith(
        f"added {DOCUMENTS - committed}, updated 0, unchanged {committed}, skipped 0 in "
    )
    with Index.open(index_dir) as index:
        ids = index.ids()
        assert len(index) == DOCUMENTS
        assert len(ids) == len(set(ids)) == DOCUMENTS
