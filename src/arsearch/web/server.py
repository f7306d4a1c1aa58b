"""Serving a WSGI app from one process or from several pre-forked ones, with a request log.

A single Python process answers with one core at a time (the GIL), so ``arsearch
serve`` runs one process per core. gunicorn manages them: its master process holds
the listening socket, forks the workers, starts a new one when one dies, and stops
them all on Ctrl+C or SIGTERM. In each worker, waitress answers: its event loop holds
idle and slow connections without a thread, closes those silent for
:attr:`Limits.channel_timeout` seconds, and hands only whole requests to its threads,
so 200 idle connections cannot keep anybody else waiting (gunicorn's own threaded
worker gives each new connection a thread for up to 5 s: measured in bench/RESULTS.md).
Where gunicorn cannot run (Windows: it needs ``fork``), and for one worker, waitress
alone serves in this process. Each serving process keeps its long-lived objects out of
the garbage collector's full passes once its app is made (:func:`heap.settle`).

>>> with listen("127.0.0.1", 0) as sock:
...     busy = sock.getsockname()[1]
...     listen("127.0.0.1", busy)
Traceback (most recent call last):
...
arsearch.errors.UsageError: Port ... on 127.0.0.1 is in use (another server?): choose another ...
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from types import FrameType
from typing import Any
from urllib.parse import quote

from ..errors import UsageError
from . import heap

__all__ = [
    "Limits",
    "RequestLog",
    "default_workers",
    "forking_available",
    "listen",
    "serve",
    "throttle_queue_warnings",
]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Seconds between two of waitress's "Task queue depth" warnings (each one says how
#: many were left out); under load it writes one per request otherwise.
QUEUE_WARNING_INTERVAL = 10.0


@dataclass(frozen=True)
class Limits:
    """What one worker process accepts: waitress's connection limits and timeouts."""

    #: Threads answering requests (whole requests only: reading them is the event loop's).
    #: Four: with two, 8 keep-alive connections split 6/2 between two workers (a worker is
    #: "busy" from its second connection, so the balancing in _Deferring cannot even them)
    #: and two workers answered no more than one (bench/RESULTS.md, issue 12's second round).
    threads: int = 4
    #: Open connections at once; past it, new ones wait in the socket's backlog.
    connection_limit: int = 1000
    #: Seconds a connection may stay silent (idle keep-alive, or a request sent slowly).
    channel_timeout: int = 20
    #: Seconds between two looks for connections silent too long.
    cleanup_interval: int = 5


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def forking_available() -> bool:
    """Whether gunicorn can run here (it forks: Linux, macOS and other Unixes)."""
    if not hasattr(os, "fork"):
        return False  # pragma: no cover - Windows
    try:
        import gunicorn  # noqa: F401
    except ImportError:  # pragma: no cover - installed without it
        return False
    return True


def listen(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A socket listening on ``host`` and ``port`` (0: any free port).

    A busy port, or an address this machine does not have, raises UsageError naming
    the fix.
    """
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=backlog)
    except socket.gaierror:
        raise UsageError(f"Cannot listen on {host}: no such address here.") from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"Port {port} on {host} is in use (another server?): choose another with "
                f"--port, for example --port {port + 1 if port < 65535 else 8000}."
            ) from None
        if error.errno == errno.EACCES:
            raise UsageError(
                f"Port {port} needs more rights than this user has: choose one above 1023 "
                "with --port, for example --port 8000."
            ) from None
        if error.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"Cannot listen on {host}: no such address here.") from None
        raise


class RequestLog:
    """WSGI middleware that writes one line per request to stderr: method, path, status, ms.

    The path is written without its query (which may hold what people search for),
    percent-encoded so that no request can write control characters into the log.

    >>> import io
    >>> def app(environ, start_response):
    ...     start_response("200 OK", [])
    ...     return [b"ok"]
    >>> out = io.StringIO()
    >>> logged = RequestLog(app, out.write)
    >>> body = logged({"REQUEST_METHOD": "GET", "PATH_INFO": "/a b\\n"}, lambda s, h: None)
    >>> b"".join(body)
    b'ok'
    >>> body.close()  # as the server does once the answer is sent: the line is written
    >>> out.getvalue().rsplit(" ", 2)[0]
    'GET /a%20b%0A 200'
    """

    def __init__(self, app: WSGIApp, write: Callable[[str], object] | None = None) -> None:
        #: The app whose requests are logged.
        self.app = app
        self._write = write or _write_stderr

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        status = ["-"]

        def recording(code: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = code.split(" ", 1)[0]
            if exc_info is None:
                return start_response(code, headers)
            return start_response(code, headers, exc_info)

        method = str(environ.get("REQUEST_METHOD", "-"))[:16]
        path = str(environ.get("PATH_INFO", ""))[:512]

        def done() -> None:
            shown = quote(path.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~")
            took = (time.perf_counter() - started) * 1000
            self._write(f"{quote(method)} {shown} {status[0]} {took:.1f} ms\n")

        try:
            body = self.app(environ, recording)
        except BaseException:
            status[0] = "500"
            done()
            raise
        return _Closing(body, done)


def _write_stderr(line: str) -> None:
    # One write per line: lines of several processes and threads never interleave.
    with contextlib.suppress(OSError):  # stderr closed: nothing to do
        os.write(2, line.encode("utf-8", "replace"))


class _Closing:
    """A response body that calls ``done`` when the server closes it (after sending it)."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self._body = body
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


class _Throttle(logging.Filter):
    """Lets one record through per ``interval`` seconds, saying how many were left out."""

    def __init__(self, interval: float) -> None:
        super().__init__()
        self._interval = interval
        self._next = 0.0
        self._skipped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._skipped += 1
                return False
            self._next = now + self._interval
            skipped, self._skipped = self._skipped, 0
        if skipped:
            record.msg = f"{record.msg} ({skipped} such warnings in the last seconds left out)"
        return True


def throttle_queue_warnings(interval: float = QUEUE_WARNING_INTERVAL) -> None:
    """At most one of waitress's "Task queue depth" warnings per ``interval`` seconds."""
    logger = logging.getLogger("waitress.queue")
    if not any(isinstance(f, _Throttle) for f in logger.filters):
        logger.addFilter(_Throttle(interval))


def _raise_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted``; the limit it now has."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - not allowed
            pass
    return int(soft) if soft != resource.RLIM_INFINITY else wanted


def _waitress_options(limits: Limits) -> dict[str, Any]:
    options = asdict(limits)
    # Each connection needs a file; keep some for the index and the log.
    files = _raise_file_limit(limits.connection_limit + 256)
    options["connection_limit"] = max(16, min(limits.connection_limit, files - 256))
    return options


def _serve_here(app: WSGIApp, sock: socket.socket, limits: Limits) -> None:
    """waitress in this process until Ctrl+C or SIGTERM."""
    from waitress import wasyncore
    from waitress.server import create_server

    channels: dict[int, Any] = {}
    server = create_server(app, map=channels, sockets=[sock], **_waitress_options(limits))
    heap.settle()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.run()  # returns on Ctrl+C or SystemExit, once the requests in hand are done
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        wasyncore.close_all(channels, ignore_all=True)  # the connections still open


def serve(
    make_app: Callable[[], WSGIApp],
    sock: socket.socket,
    *,
    workers: int,
    limits: Limits = Limits(),
) -> None:
    """Answer requests on ``sock`` until Ctrl+C or SIGTERM, with ``workers`` processes.

    ``make_app`` is called once in each worker (after the fork, so each opens its own
    index); with one worker, or where gunicorn cannot run, once in this process.
    """
    throttle_queue_warnings()
    if workers <= 1 or not forking_available():
        _serve_here(make_app(), sock, limits)
        return
    _serve_forked(make_app, sock, workers, _waitress_options(limits))


#: Seconds between a worker's signs of life to the gunicorn master; a worker silent for
#: ``_WORKER_TIMEOUT`` is restarted.
_HEARTBEAT = 1.0
_WORKER_TIMEOUT = 30
#: Seconds the workers have to finish the requests in hand when stopped.
_GRACE = 5


#: Seconds a worker holding a connection per thread waits before it accepts one more.
_BUSY_ACCEPT_DELAY = 0.02


class _Deferring:
    """The listener's ``readable`` and ``handle_accept``, made to let less busy workers
    accept first.

    Every worker is woken by a new connection and the first to call accept gets it, so
    a handful of keep-alive connections (a proxy's, a load generator's) can end up on
    one worker while another idles. A worker that holds a connection per thread
    already lets a new connection wait :data:`_BUSY_ACCEPT_DELAY` seconds before it
    accepts it: a worker with room takes it first. Once it has waited, it accepts at
    full speed for as long as connections keep coming (each within that delay of the
    last), so a burst of connections (200 clients at once) is not let in one per delay.
    """

    def __init__(self, server: Any, channels: dict[int, Any], threads: int) -> None:
        self._readable = server.readable
        self._handle_accept = server.handle_accept
        self._channels = channels
        self._threads = threads
        self._pending = select.poll()
        self._pending.register(server.socket.fileno(), select.POLLIN)
        #: When a busy worker may accept the connection waiting (0: none seen waiting).
        self._next = 0.0
        #: Until when it accepts without waiting again.
        self._streak = 0.0

    def busy(self) -> bool:
        """Whether this worker holds a connection per thread (or more)."""
        # The map holds the listener and the wake-up pipe besides the connections.
        return len(self._channels) - 2 >= self._threads

    def readable(self) -> bool:
        ready = bool(self._readable())
        if not ready or not self.busy():
            return ready
        now = time.monotonic()
        if now < self._streak:
            return True
        if not self._pending.poll(0):
            self._next = 0.0  # nothing to accept; the loop looks again within the delay
            return False
        if not self._next:
            self._next = now + _BUSY_ACCEPT_DELAY
        return now >= self._next

    def handle_accept(self) -> None:
        busy, before = self.busy(), len(self._channels)
        self._handle_accept()
        if busy and len(self._channels) > before:  # not taken by another worker first
            self._streak = time.monotonic() + _BUSY_ACCEPT_DELAY
            self._next = 0.0


def _serve_forked(
    make_app: Callable[[], WSGIApp], sock: socket.socket, workers: int, options: dict[str, Any]
) -> None:
    """gunicorn's master in this process, ``workers`` forked workers each running waitress."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter
    from gunicorn.sock import TCP6Socket, TCPSocket
    from gunicorn.workers.base import Worker
    from waitress import wasyncore
    from waitress.server import create_server

    class WaitressWorker(Worker):  # type: ignore[misc]
        """A gunicorn worker whose requests waitress answers (as uvicorn's worker runs uvicorn)."""

        def run(self) -> None:
            channels: dict[int, Any] = {}
            listeners = [listener.sock for listener in self.sockets]
            server = create_server(self.wsgi, map=channels, sockets=listeners, **options)
            deferring = _Deferring(server, channels, options["threads"])
            server.readable, server.handle_accept = deferring.readable, deferring.handle_accept
            heap.settle()  # the app is made (gunicorn loads it before run)
            beat = 0.0
            try:
                while self.alive:
                    now = time.monotonic()
                    if now >= beat:
                        self.notify()
                        beat = now + _HEARTBEAT
                    wait = _BUSY_ACCEPT_DELAY / 2 if deferring.busy() else _HEARTBEAT
                    wasyncore.loop(timeout=wait, map=channels, use_poll=True, count=1)
                # Stopped: take no new connection, answer the requests in hand.
                server.del_channel()
                deadline = time.monotonic() + _GRACE
                while time.monotonic() < deadline and any(
                    getattr(channel, "requests", None) for channel in list(channels.values())
                ):
                    wasyncore.loop(timeout=0.05, map=channels, use_poll=True, count=1)
            finally:
                server.close()
                server.task_dispatcher.shutdown(timeout=1)
                wasyncore.close_all(channels, ignore_all=True)

    class Master(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "workers": workers,
                "worker_class": WaitressWorker,
                "timeout": _WORKER_TIMEOUT,
                "graceful_timeout": _GRACE,
                "loglevel": "warning",
                "proc_name": "arsearch",
                # gunicorn 25+ would otherwise make a control socket in the home folder.
                "control_socket_disable": True,
            }
            for key, value in settings.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return make_app()

        def run(self) -> None:
            arbiter = Arbiter(self)
            # The socket already listening, handed over as gunicorn's own listener
            # (which closes the copy it is given when it stops).
            kind = TCP6Socket if sock.family == socket.AF_INET6 else TCPSocket
            address = sock.getsockname()[:2]
            arbiter.LISTENERS = [kind(address, self.cfg, arbiter.log, fd=os.dup(sock.fileno()))]
            arbiter.run()

    master = os.getpid()
    try:
        Master().run()
    except SystemExit as stop:
        # Workers end with sys.exit, all the way out; the master with 0 when stopped.
        if os.getpid() != master or stop.code not in (0, None):
            raise
