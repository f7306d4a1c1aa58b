"""arsearch.web.server: ``arsearch serve`` from several real processes, and the request log."""

from __future__ import annotations

import io
import json
import logging
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
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from arsearch import Document
from arsearch.cli import cli
from arsearch.index import Index
from arsearch.index.core import DEFAULT_REFRESH_INTERVAL
from arsearch.index.settings import set_setting
from arsearch.web.server import RequestLog, listen
from support import all_end

NEW_WORD = "زنجبيليات"
NEW_DOCUMENT = {"id": "new-1", "title": "خبر جديد", "text": f"{NEW_WORD} في السوق اليوم."}


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (from Linux's /proc)."""
    try:
        listing = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return set()
    return {int(child) for child in listing.split()}


def wait_for_children(pid: int, count: int, seconds: float = 20) -> set[int]:
    deadline = time.monotonic() + seconds
    while len(found := children(pid)) != count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


class Server:
    """``arsearch serve ARGS`` on a free port, in its own session as a terminal starts it."""

    def __init__(self, index: Path, *args: str, log: Path) -> None:
        self.log = log
        with log.open("w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "arsearch",
                    "serve",
                    "--index",
                    str(index),
                    "--port",
                    "0",
                    *args,
                ],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                start_new_session=True,
                env={**os.environ, "PYTHONWARNINGS": "error"},
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + log.read_text(encoding="utf-8")
        self.base = line.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")

    def hits(self, word: str) -> int:
        """The total of a search for ``word`` (a new connection each time)."""
        url = f"{self.base}/api/search?q={quote(word)}"
        deadline = time.monotonic() + 20
        while True:  # the workers may still be starting
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    return int(json.load(response)["total"])
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self, how: str) -> int:
        if how == "SIGTERM":
            self.process.send_signal(signal.SIGTERM)
        else:  # Ctrl+C in a terminal: SIGINT to every process of the foreground group
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        finally:
            assert self.process.stdout is not None
            self.process.stdout.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def index_path(tmp_path: Path, seed_documents: list[Document]) -> Path:
    path = tmp_path / "index"
    with Index.create(path) as index:
        index.add(seed_documents)
    return path


@pytest.fixture
def server_log(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "server.log"


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl+C"])
def test_every_worker_follows_commits_and_rebuilds_and_all_stop(
    index_path: Path, server_log: Path, seed_documents: list[Document], how: str
) -> None:
    server = Server(index_path, "--workers", "2", log=server_log)
    try:
        workers = wait_for_children(server.process.pid, 2)
        assert len(workers) == 2
        assert server.hits(NEW_WORD) == 0
        with Index.open(index_path) as index:
            index.add(NEW_DOCUMENT)
            index.commit()
        time.sleep(3 * DEFAULT_REFRESH_INTERVAL)  # another process looks again within it
        # New connections, taken by whichever worker is free: each must see the commit.
        assert [server.hits(NEW_WORD) for _ in range(12)] == [1] * 12
        with Index.create(index_path, overwrite=True) as index:
            index.add(seed_documents[:5])
        time.sleep(3 * DEFAULT_REFRESH_INTERVAL)
        assert [server.hits(NEW_WORD) for _ in range(12)] == [0] * 12
        # A worker that dies is replaced.
        os.kill(min(workers), signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (now := children(server.process.pid)) and min(workers) in now:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        replaced = wait_for_children(server.process.pid, 2)
        assert len(replaced) == 2 and min(workers) not in replaced
        assert server.hits(NEW_WORD) == 0
        assert server.stop(how) == 0
        assert all_end(replaced)
    finally:
        server.kill()
    log = server_log.read_text(encoding="utf-8").splitlines()
    assert log[:2] == ["Writes over HTTP: off.", "Answering with 2 processes of 4 threads."]
    assert log[-1] == "Stopped."
    searches = [line for line in log if line.startswith("GET /api/search ")]
    # The line is written once the answer is sent: the killed worker may have lost its last.
    assert len(searches) in (1 + 12 + 12, 1 + 12 + 12 + 1)
    assert all(line.split()[2] == "200" and line.endswith(" ms") for line in searches)


def test_one_worker_without_the_request_log(index_path: Path, server_log: Path) -> None:
    server = Server(index_path, "--workers", "1", "--no-request-log", log=server_log)
    try:
        assert server.hits("النفط") > 0
        assert children(server.process.pid) == set()  # waitress in this very process
        assert server.stop("SIGTERM") == 0
    finally:
        server.kill()
    log = server_log.read_text(encoding="utf-8").splitlines()
    assert log[:2] == ["Writes over HTTP: off.", "Answering with 1 process of 4 threads."]
    assert log[-1] == "Stopped."
    assert not [line for line in log if line.startswith("GET ")]


@pytest.mark.parametrize(("workers", "threads"), [("1", "2"), ("2", "2"), ("1", "1")])
def test_200_idle_connections_do_not_stop_others_being_answered(
    index_path: Path, server_log: Path, workers: str, threads: str
) -> None:
    # Idle connections take no thread: one thread is enough to answer beside them.
    server = Server(index_path, "--workers", workers, "--threads", threads, log=server_log)
    idle: list[socket.socket] = []
    try:
        assert server.hits("النفط") > 0  # every worker is up
        host, port = server.base.removeprefix("http://").rsplit(":", 1)
        for _ in range(200):
            # Connected, and silent: a client that never sends its request.
            idle.append(socket.create_connection((host, int(port)), timeout=5))
        for half_sent in idle[:20]:
            half_sent.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never ends
        started = time.monotonic()
        with urllib.request.urlopen(f"{server.base}/healthz", timeout=10) as response:
            assert response.status == 200
        # Past waitress's own connection limit the answer waits for an idle one to time out
        # (20 s); 5 s leaves room for a loaded machine (2.004 s was seen at load 5).
        assert time.monotonic() - started < 5.0
        assert server.stop("SIGTERM") == 0
    finally:
        for connection in idle:
            connection.close()
        server.kill()


#: A server of a WSGI app that answers how many objects its process has frozen.
FREEZE_COUNT_SERVER = """
import gc, sys
from arsearch.web.server import listen, serve

def make_app():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(gc.get_freeze_count()).encode()]
    return app

sock = listen("127.0.0.1", 0)
print(sock.getsockname()[1], flush=True)
serve(make_app, sock, workers=int(sys.argv[1]))
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_each_serving_process_freezes_its_long_lived_objects(workers: int) -> None:
    # A full collection then walks only what is new (web/heap.py).
    process = subprocess.Popen(
        [sys.executable, "-c", FREEZE_COUNT_SERVER, str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        url = f"http://127.0.0.1:{int(process.stdout.readline())}/"
        frozen = []
        deadline = time.monotonic() + 20
        while len(frozen) < 6:  # new connections: both workers answer some
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    frozen.append(int(response.read()))
            except urllib.error.URLError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert min(frozen) > 0, frozen
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_serve_takes_its_workers_from_the_settings(
    index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[int] = []

    def serve(make_app: Any, sock: Any, *, workers: int, limits: Any) -> None:
        served.append(workers)

    monkeypatch.setattr("arsearch.web.server.serve", serve)
    set_setting(index_path, "serve.workers", ["3"])
    result = CliRunner().invoke(cli, ["serve", "--index", str(index_path), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Answering with 3 processes of 4 threads." in result.output
    result = CliRunner().invoke(
        cli, ["serve", "--index", str(index_path), "--port", "0", "--workers", "1"]
    )
    assert "Answering with 1 process of 4 threads." in result.output
    assert served == [3, 1]


def test_serve_takes_its_threads_per_worker_from_the_command_line(
    index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []

    def serve(make_app: Any, sock: Any, *, workers: int, limits: Any) -> None:
        threads.append(limits.threads)

    monkeypatch.setattr("arsearch.web.server.serve", serve)
    command = ["serve", "--index", str(index_path), "--port", "0", "--workers", "2"]
    result = CliRunner().invoke(cli, [*command, "--threads", "3"])
    assert result.exit_code == 0, result.output
    assert "Answering with 2 processes of 3 threads." in result.output
    result = CliRunner().invoke(cli, [*command, "--threads", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--threads': 0 is not in the range 1<=x<=64." in result.output
    assert threads == [3]


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("boom")
    start_response("404 NOT FOUND", [])
    return [b"no"]


@pytest.mark.parametrize(
    "method, path, logged",
    [
        ("GET", "/api/search", "GET /api/search 404"),
        ("GET", "/بحث", "GET /%D8%A8%D8%AD%D8%AB 404"),
        ("POST", "/a\x1b[31mred\r\n", "POST /a%1B%5B31mred%0D%0A 404"),
        ("GET", "/boom", "GET /boom 500"),
    ],
    ids=["plain", "wsgi-latin-1", "control-characters", "exception"],
)
def test_request_log_line(method: str, path: str, logged: str) -> None:
    out = io.StringIO()
    app = RequestLog(_app, out.write)
    # WSGI gives the path as latin-1 characters of its UTF-8 bytes.
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path.encode().decode("latin-1")}
    try:
        body = app(environ, lambda status, headers: None)
        body.close()
    except RuntimeError:
        pass
    line = out.getvalue()
    assert line.endswith(" ms\n") and line.count("\n") == 1
    assert line.rsplit(" ", 2)[0] == logged


def test_listen_on_an_address_this_machine_lacks() -> None:
    with pytest.raises(Exception) as raised:
        listen("203.0.113.7", 0)
    assert str(raised.value) == "Cannot listen on 203.0.113.7: no such address here."


def test_queue_depth_warnings_are_throttled() -> None:
    from arsearch.web.server import _Throttle

    logger = logging.getLogger("arsearch-test.queue")
    logger.propagate = False
    seen = io.StringIO()
    handler = logging.StreamHandler(seen)
    logger.addHandler(handler)
    logger.addFilter(_Throttle(0.3))
    try:
        for depth in range(100):
            logger.warning("Task queue depth is %d", depth)
        time.sleep(0.35)
        logger.warning("Task queue depth is %d", 7)
    finally:
        logger.removeHandler(handler)
    assert seen.getvalue().splitlines() == [
        "Task queue depth is 0",
        "Task queue depth is 7 (99 such warnings in the last seconds left out)",
    ]
