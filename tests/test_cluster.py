"""A xapian cluster index over real shard servers on 127.0.0.1: same answers as one local
index, writes on the right shard, failover to a replica, a clear error when none is left."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import xapian

from arsearch import Document, Index, ShardUnavailableError
from arsearch.engines.xapian import shard_of
from arsearch.shards import ShardProcesses, replicate_shard, serve_shard
from arsearch.web import create_app
from support import SEEDS, run_cli

HOST = "127.0.0.1"

#: Operators, filters, phrases, prefixes, date ranges: each compared hit by hit.
QUERIES = [
    "القاهرة",
    "أسعار النفط",
    "الأُمَمُ المُتَّحِدَةُ",
    "والكاظمي",
    '"كأس آسيا"',
    "النفط -أسعار",
    'الرياض -"كأس آسيا"',
    "+واشنطن النفط",
    "الفيفا OR الأولمبية",
    "(النفط | الغاز) -أوبك",
    "title:النفط",
    "اقتص*",
    "واشنطون~",
    "الرئيس category:politics",
    "date:2021-01-01..2022-12-31 الرئيس",
    "-النفط",
    "category:health",
    "الحكومة الجديدة",
    "كرة القدم",
    '"الأمم المتحدة" مجلس',
    "الصحة العالمية",
    "اللقاح",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Cluster:
    """Two shards; shard 1 also has a read replica (listed after its master)."""

    def __init__(self, root: Path) -> None:
        self.ports = [free_port() for _ in range(4)]
        master, replication, replica, other = self.ports
        self.masters = [
            serve_shard(root / "s0" / "shard", port=master, replication_port=replication),
            serve_shard(root / "s1" / "shard", port=other),
        ]
        self.replica: ShardProcesses = replicate_shard(
            root / "r0" / "shard", master=(HOST, replication), name="shard", port=replica
        )
        self.shards = [f"{HOST}:{master},{HOST}:{replica}", f"{HOST}:{other}"]

    def database(self, number: int) -> xapian.Database:
        port = self.ports[0] if number == 0 else self.ports[3]
        return xapian.remote_open(HOST, port, 2000, 1000)

    def replica_count(self) -> int:
        return int(xapian.remote_open(HOST, self.ports[2], 2000, 1000).get_doccount())

    def stop(self) -> None:
        for shard in [*self.masters, self.replica]:
            shard.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    yield running
    running.stop()


@pytest.fixture
def fresh_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A cluster of its own, for a test that writes (a new index empties its shards)."""
    running = Cluster(tmp_path / "servers")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def pair(
    cluster: Cluster, seed_documents: list[Document], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Index, Index]]:
    """The seeds in the cluster and in one local xapian index."""
    root = tmp_path_factory.mktemp("pair")
    with Index.create(root / "cluster", engine="xapian", shards=cluster.shards) as index:
        index.add(seed_documents)
    with Index.create(root / "local", engine="xapian") as index:
        index.add(seed_documents)
    opened = Index.open(root / "cluster"), Index.open(root / "local")
    yield opened
    for index in opened:
        index.close()


def _answer(index: Index, query: str, sort: str) -> dict[str, object]:
    results = index.search(query, limit=50, sort=sort)  # type: ignore[arg-type]
    return {
        "total": results.total,
        "ids": [hit.id for hit in results.hits],
        "facets": results.facets,
        "scores": [hit.score for hit in results.hits],
    }


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_the_cluster_answers_as_one_local_index(pair: tuple[Index, Index], sort: str) -> None:
    sharded, local = pair
    assert len(sharded) == len(local) == 45
    matched = 0
    for query in QUERIES:
        mine, theirs = _answer(sharded, query, sort), _answer(local, query, sort)
        assert mine["total"] == theirs["total"], query
        assert mine["ids"] == theirs["ids"], query
        assert mine["facets"] == theirs["facets"], query
        assert mine["scores"] == pytest.approx(theirs["scores"], abs=1e-6), query
        matched += bool(mine["total"])
    assert matched >= 20


def test_both_shards_hold_documents_each_where_its_id_hashes(
    cluster: Cluster, pair: tuple[Index, Index]
) -> None:
    sharded, _ = pair
    for number in (0, 1):
        ids = [t.term.decode()[1:] for t in cluster.database(number).allterms("Q")]
        assert ids, f"shard {number} is empty"
        assert all(shard_of(doc_id, 2) == number for doc_id in ids)
    assert sorted(sharded.ids()) == sorted(
        t.term.decode()[1:] for n in (0, 1) for t in cluster.database(n).allterms("Q")
    )


def test_updates_and_deletes_land_on_the_right_shard(
    fresh_cluster: Cluster, tmp_path: Path, seed_documents: list[Document]
) -> None:
    cluster = fresh_cluster
    path = tmp_path / "writes"
    with Index.create(path, engine="xapian", shards=cluster.shards) as index:
        index.add(seed_documents[:10])
    doc = seed_documents[3]
    home = shard_of(doc.id, 2)
    before = [cluster.database(n).get_doccount() for n in (0, 1)]
    with Index.open(path) as index:
        summary = index.add(Document(doc.id, "عنوان جديد", "نص جديد عن المدينة"))
        assert summary.updated == 1
    after = [cluster.database(n).get_doccount() for n in (0, 1)]
    assert after == before
    assert Index.open(path).get(doc.id).title == "عنوان جديد"
    with Index.open(path) as index:
        assert index.delete(doc.id)
    gone = [cluster.database(n).get_doccount() for n in (0, 1)]
    assert gone[home] == before[home] - 1 and gone[1 - home] == before[1 - home]


def test_rerunning_the_index_command_heals_and_adds_nothing_twice(
    fresh_cluster: Cluster, tmp_path: Path
) -> None:
    cluster = fresh_cluster
    path = str(tmp_path / "cli")
    args = ["index", str(SEEDS), "--index", path, "--engine", "xapian"]
    first = run_cli(*args, "--shard", cluster.shards[0], "--shard", cluster.shards[1])
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("added 45, updated 0, unchanged 0")
    again = run_cli(*args, "--shard", cluster.shards[0], "--shard", cluster.shards[1])
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("added 0, updated 0, unchanged 45")
    moved = run_cli(*args, "--shard", cluster.shards[1])
    assert moved.returncode == 2
    assert moved.stderr == (
        f"Error: This index has the shards {cluster.shards[0].replace(',', ' or ')}; "
        f"{cluster.shards[1]}; to move it to other shards, add --rebuild.\n"
    )
    stats = run_cli("stats", "--index", path, "--json")
    assert json.loads(stats.stdout)["documents"] == 45
    found = run_cli("query", "القاهرة", "--index", path, "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] > 0
    # A rebuild that names no shards rebuilds on the index's own servers.
    rebuilt = run_cli("index", str(SEEDS), "--index", path, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    stats = run_cli("stats", "--index", path, "--json")
    assert json.loads(stats.stdout)["engine"] == "xapian"
    assert sum(cluster.database(n).get_doccount() for n in (0, 1)) == 45


def _kill(shard: ShardProcesses, which: int) -> None:
    os.killpg(shard.processes[which].pid, signal.SIGKILL)
    shard.processes[which].wait()


def test_a_dead_server_fails_over_then_none_left_is_a_clear_error(
    fresh_cluster: Cluster, tmp_path: Path, seed_documents: list[Document]
) -> None:
    cluster = fresh_cluster
    path = tmp_path / "index"
    with Index.create(path, engine="xapian", shards=cluster.shards) as index:
        index.add(seed_documents)
    expected = index.search("القاهرة", limit=50)
    wanted = cluster.database(0).get_doccount()
    deadline = time.monotonic() + 10
    while cluster.replica_count() != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    reader = Index.open(path)
    reader.search("القاهرة")  # connected to the masters before one dies
    _kill(cluster.masters[0], 0)
    again = reader.search("القاهرة", limit=50)
    assert [(h.id, h.score) for h in again.hits] == [(h.id, h.score) for h in expected.hits]
    assert again.total == expected.total and again.facets == expected.facets
    _kill(cluster.replica, 1)
    started = time.monotonic()
    with pytest.raises(ShardUnavailableError) as caught:
        Index.open(path).search("القاهرة")
    assert time.monotonic() - started < 5
    master, replica = cluster.shards[0].split(",")
    assert str(caught.value).startswith(
        f"Shard 1 of 2 is unavailable: no server answers at {master} or {replica} (Couldn't connect"
    )
    started = time.monotonic()
    done = run_cli("query", "القاهرة", "--index", str(path))
    assert time.monotonic() - started < 5 + 2  # the interpreter's own start-up
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Shard 1 of 2 is unavailable")
    assert lines[0].endswith(
        "Start its server again with: arsearch shard serve DIR --port PORT, or add a replica."
    )
    client = create_app({"INDEX": str(path), "TESTING": True}).test_client()
    response = client.get(f"/api/search?q={quote('القاهرة')}")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "shard_unavailable"
    assert response.get_json()["error"]["message"] == lines[0].removeprefix("Error: ")
    page = client.get(f"/?q={quote('القاهرة')}")
    assert page.status_code == 503 and "Shard 1 of 2 is unavailable" in page.get_data(as_text=True)


def test_serve_over_the_cluster_answers_the_page_and_the_api(
    pair: tuple[Index, Index],
) -> None:
    sharded, _ = pair
    server = subprocess.Popen(
        [sys.executable, "-m", "arsearch", "serve", "--index", str(sharded.path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")
        with urllib.request.urlopen(f"{base}/api/search?q={quote('القاهرة')}") as response:
            body = json.loads(response.read())
        assert body["total"] == sharded.search("القاهرة").total > 0
        with urllib.request.urlopen(f"{base}/?q={quote('القاهرة')}") as response:
            assert response.status == 200
            assert body["hits"][0]["id"] in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def test_shard_serve_stops_with_its_servers_on_sigterm(tmp_path: Path) -> None:
    port, shard = free_port(), tmp_path / "a"
    server = subprocess.Popen(
        [sys.executable, "-m", "arsearch", "shard", "serve", str(shard), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        line = server.stdout.readline()
        assert line == f"serving shard {shard} on {HOST}:{port} (writes and searches)\n"
        assert xapian.remote_open(HOST, port, 2000, 1000).get_doccount() == 0
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
        assert "no authentication" in server.stderr.read()
        with pytest.raises(xapian.NetworkError):
            xapian.remote_open(HOST, port, 1000, 500)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.communicate()


def test_a_missing_server_program_names_its_package(tmp_path: Path) -> None:
    done = run_cli(
        "shard", "serve", str(tmp_path / "shard"), "--port", "1", env={"PATH": str(tmp_path)}
    )
    assert done.returncode == 1
    assert done.stderr == (
        "Error: xapian-tcpsrv is missing: install Debian's xapian-tools "
        "(apt-get install xapian-tools).\n"
    )


def test_a_shard_down_while_indexing_is_named_and_a_rerun_heals(
    fresh_cluster: Cluster, tmp_path: Path
) -> None:
    cluster, path = fresh_cluster, str(tmp_path / "index")
    args = ["index", str(SEEDS), "--index", path, "--engine", "xapian"]
    created = run_cli(
        "index",
        str(SEEDS / "000_f41122bbf7ba219e.txt"),
        "--index",
        path,
        "--engine",
        "xapian",
        "--shard",
        cluster.shards[0],
        "--shard",
        cluster.shards[1],
    )
    assert created.returncode == 0, created.stderr
    shard_dir = Path(cluster.masters[1].processes[0].args[-1])  # type: ignore[index]
    _kill(cluster.masters[1], 0)
    failed = run_cli(*args)
    assert failed.returncode == 1
    assert failed.stderr == (
        f"Error: Shard 2 of 2 is unavailable: no server answers at {cluster.shards[1]} "
        "(Couldn't connect (Connection refused)). Start its server again with: "
        "arsearch shard serve DIR --port PORT, or add a replica.\n"
    )
    cluster.masters[1] = serve_shard(shard_dir, port=cluster.ports[3])
    healed = run_cli(*args)
    assert healed.returncode == 0, healed.stderr
    assert run_cli(*args).stdout.startswith("added 0, updated 0, unchanged 45")
    assert len(Index.open(path)) == 45


def test_a_shard_lost_before_a_commit_is_named_and_the_others_commit(
    fresh_cluster: Cluster, tmp_path: Path, seed_documents: list[Document]
) -> None:
    cluster = fresh_cluster
    index = Index.create(tmp_path / "index", engine="xapian", shards=cluster.shards)
    index.add(seed_documents, batch_size=0)
    _kill(cluster.masters[1], 0)
    with pytest.raises(ShardUnavailableError) as caught:
        index.commit()
    assert str(caught.value).startswith(f"Cannot write to shard {cluster.shards[1]} (")
    assert ". The other shards committed; once it is back, run the same command again" in str(
        caught.value
    )
    on_first = sum(shard_of(doc.id, 2) == 0 for doc in seed_documents)
    assert cluster.database(0).get_doccount() == on_first
    index.close()


def test_shard_replicate_follows_its_master_and_serves_searches(
    tmp_path: Path, seed_documents: list[Document]
) -> None:
    port, replication, replica_port = free_port(), free_port(), free_port()
    master = serve_shard(tmp_path / "m" / "s0", port=port, replication_port=replication)
    command = [sys.executable, "-m", "arsearch", "shard", "replicate", str(tmp_path / "r")]
    command += ["--master", f"{HOST}:{replication}", "--name", "s0", "--port", str(replica_port)]
    replica = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert replica.stdout is not None
        assert replica.stdout.readline() == (
            f"serving replica {tmp_path / 'r'} of 's0' from {HOST}:{replication}, "
            f"searches on {HOST}:{replica_port}\n"
        )
        shards = [f"{HOST}:{port},{HOST}:{replica_port}"]
        with Index.create(tmp_path / "index", engine="xapian", shards=shards) as index:
            index.add(seed_documents)
        deadline = time.monotonic() + 10
        copied = 0
        while copied != 45 and time.monotonic() < deadline:
            time.sleep(0.1)
            copied = xapian.remote_open(HOST, replica_port, 2000, 1000).get_doccount()
        assert copied == 45
        master.stop()
        assert len(Index.open(tmp_path / "index").search("القاهرة").hits) > 0
        replica.send_signal(signal.SIGTERM)
        assert replica.wait(timeout=10) == 0
    finally:
        master.stop()
        if replica.poll() is None:
            replica.kill()
        replica.communicate()
