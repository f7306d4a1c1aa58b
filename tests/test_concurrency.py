"""Readers in threads while another process commits, deletes and rebuilds: no wrong answer.

A shared ``Index`` is searched from 8 threads, as the web door does, while a real
writer process commits new documents, deletes some and rebuilds the whole index
(``--rebuild``) several times. Every hit must be fetchable from the searcher that
returned it, every fetched document must carry the id asked for, and no call may
fail with anything but the documented "no such document".

The numbers of issue 10 (500 commits and 5 rebuilds) run with ``ARSEARCH_SOAK=1``
(``make soak``); the default run is shorter, to keep the suite's time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from arsearch import Document, DocumentNotFoundError, Index

WORDS = ("الحكومة", "الوزير", "المدينة", "الجامعة", "الأسعار", "السوق", "المطار", "الطقس")
QUERIES = ("الحكومة", "الوزير المدينة", '"الجامعة الأسعار"', "السوق -المطار", "الطقس*", "ال*")
#: Ids present in every state of the index: the writer never deletes them.
STABLE = [f"s{n}" for n in range(50)]
READERS = 8
SOAK = os.environ.get("ARSEARCH_SOAK") == "1"
#: Commits and rebuilds of the writer process (issue 10's numbers under ARSEARCH_SOAK=1).
COMMITS = (
    {"tantivy": 500, "whoosh": 500, "xapian": 500, "http": 500}
    if SOAK
    else {"tantivy": 60, "whoosh": 25, "xapian": 60, "http": 40}
)
REBUILDS = 5 if SOAK else 3

WRITER = textwrap.dedent(
    """
    import sys
    from arsearch import Document, Index
    path, commits, rebuilds, engine = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    words = {words!r}

    def doc(key, n):
        text = " ".join(words[(n + k) % len(words)] for k in range(30))
        return Document(key, f"خبر {{key}}", text)

    stable = [doc(f"s{{n}}", n) for n in range(50)]
    # The rebuilds, spread evenly between the commits.
    due = {{(k + 1) * commits // (rebuilds + 1) for k in range(rebuilds)}}
    done_commits = done_rebuilds = 0
    for n in range(commits):
        if n in due:
            with Index.create(path, engine=engine, overwrite=True) as index:
                index.add(stable + [doc(f"r{{n}}-{{k}}", k) for k in range(20)])
            done_rebuilds += 1
        with Index.open(path) as index:
            index.add([doc(f"c{{n}}-{{k}}", n + k) for k in range(5)])
            index.delete(f"c{{n - 2}}-0")
        done_commits += 1
    print(done_commits, done_rebuilds)
    """
).format(words=WORDS)


def _seed(path: Path, engine: str = "tantivy") -> None:
    with Index.create(path, engine=engine) as index:
        index.add(
            Document(key, f"خبر {key}", " ".join(WORDS[(n + k) % 8] for k in range(30)))
            for n, key in enumerate(STABLE)
        )


def _start_writer(
    path: Path, commits: int, rebuilds: int, engine: str = "tantivy"
) -> subprocess.Popen[str]:
    arguments = [str(path), str(commits), str(rebuilds), engine]
    return subprocess.Popen(
        [sys.executable, "-W", "error", "-c", WRITER, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(writer: subprocess.Popen[str]) -> tuple[int, int]:
    out, err = writer.communicate(timeout=1800)
    assert writer.returncode == 0, err
    commits, rebuilds = (int(part) for part in out.split())
    return commits, rebuilds


@pytest.mark.parametrize(
    "engine", ["tantivy", "whoosh", pytest.param("xapian", marks=pytest.mark.slow)]
)
def test_threads_read_one_commit_each_while_another_process_writes(
    tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "index"
    _seed(path, engine)
    index = Index.open(path)
    writer = _start_writer(path, COMMITS[engine], REBUILDS, engine=engine)
    problems: list[str] = []
    calls = Counter[str]()
    lock = threading.Lock()

    def read(seed: int) -> None:
        n = seed
        while writer.poll() is None:
            n += 1
            try:
                with index.searcher() as searcher:
                    results = searcher.search(QUERIES[n % len(QUERIES)], limit=20)
                    for hit in results.hits:
                        if searcher.get(hit.id).id != hit.id:
                            problems.append(f"searcher.get({hit.id}) gave another document")
                        if hit.document.id != hit.id:
                            problems.append(f"hit {hit.id} carried document {hit.document.id}")
                    if len(results.hits) > results.total:
                        problems.append("more hits than the total")
                wanted = STABLE[n % len(STABLE)]
                if index.get(wanted).id != wanted:
                    problems.append(f"index.get({wanted}) gave another document")
                with lock:
                    calls["ok"] += 1
                    calls["hits"] += len(results.hits)
            except DocumentNotFoundError as error:
                problems.append(f"a document the writer never deletes went missing: {error}")
            except Exception as error:  # any other failure is a finding
                problems.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    commits, rebuilds = _finish(writer)
    for thread in threads:
        thread.join(timeout=30)
    assert not [thread for thread in threads if thread.is_alive()], "a reader thread hung"
    index.close()
    assert problems == [], "\n".join(problems[:5])
    assert (commits, rebuilds) == (COMMITS[engine], REBUILDS)
    assert calls["ok"] >= READERS * 3 and calls["hits"] > calls["ok"]
    # What `make soak` reports (pytest -rP shows it).
    print(
        f"{engine}: {commits} commits and {rebuilds} rebuilds by another process; "
        f"{READERS} threads made {calls['ok']} rounds of search + get and fetched "
        f"{calls['hits']} hits again: 0 wrong documents, 0 errors"
    )


def test_serve_answers_every_request_while_another_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "index"
    _seed(path)
    server = subprocess.Popen(
        [sys.executable, "-m", "arsearch", "serve", "--index", str(path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        base = line.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")
        writer = _start_writer(path, COMMITS["http"], REBUILDS)
        statuses = Counter[int]()
        problems: list[str] = []

        def fetch(url: str) -> tuple[int, bytes]:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        def hammer(seed: int) -> None:
            n = seed
            while writer.poll() is None:
                n += 1
                query = quote(QUERIES[n % len(QUERIES)])
                status, body = fetch(f"{base}/api/search?q={query}&limit=5")
                statuses[status] += 1
                if status == 200:
                    for hit in json.loads(body)["hits"]:
                        statuses[-1] += 1  # hits seen
                        if not hit["id"] or not hit["title"].endswith(hit["id"]):
                            problems.append(f"hit {hit['id']} titled {hit['title']}")
                # Stable documents are in the old and the new index of every rebuild.
                wanted = STABLE[n % len(STABLE)]
                status, body = fetch(f"{base}/api/doc/{wanted}")
                statuses[status] += 1
                if status != 200 or json.loads(body)["id"] != wanted:
                    problems.append(f"/api/doc/{wanted}: {status} {body[:80]!r}")

        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(READERS)]
        for thread in threads:
            thread.start()
        assert _finish(writer) == (COMMITS["http"], REBUILDS)
        for thread in threads:
            thread.join(timeout=30)
        assert not [thread for thread in threads if thread.is_alive()], "a client thread hung"
        assert problems == [], "\n".join(problems[:5])
        assert set(statuses) <= {200, -1}, statuses
        assert statuses[200] > 50
        print(
            f"HTTP: {COMMITS['http']} commits and {REBUILDS} rebuilds; {statuses[200]} answers, "
            f"all 200, {statuses[-1]} hits checked: 0 wrong documents, 0 errors"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


@pytest.mark.parametrize("engine", ["tantivy", "whoosh", "xapian"])
def test_a_searcher_keeps_its_commit_until_closed(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "index"
    with Index.create(path, engine=engine) as index:
        index.add(Document("a", "القاهرة", "خبر عن القاهرة"))
    reader = Index.open(path)
    old = reader.searcher()
    with Index.open(path) as writer:
        writer.add(Document("b", "دمشق", "خبر عن دمشق"))
    with Index.create(path, engine=engine, overwrite=True) as rebuilt:
        rebuilt.add(Document("c", "بغداد", "خبر عن بغداد"))
    reader.refresh()
    assert len(old) == 1 and old.get("a").id == "a"
    assert [hit.id for hit in old.search("القاهرة").hits] == ["a"]
    with reader.searcher() as new:
        assert new.ids() == ["c"]
    old.close()
    with pytest.raises(Exception, match="This searcher is closed"):
        old.search("القاهرة")
    reader.close()


def test_a_commit_of_another_process_is_seen_within_the_refresh_interval(tmp_path: Path) -> None:
    path = tmp_path / "index"
    _seed(path)
    reader = Index.open(path, refresh_interval=0.05)
    before = len(reader)
    script = "import sys\nfrom arsearch import Document, Index\n" + (
        "with Index.open(sys.argv[1]) as ix: ix.add(Document('new', '', 'نص جديد'))"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)
    time.sleep(0.06)
    assert len(reader) == before + 1
    reader.close()
