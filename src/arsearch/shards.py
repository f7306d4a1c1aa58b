"""Shard servers of a cluster index: Xapian's own server programs, started and stopped.

``serve_shard`` makes one shard directory available to a cluster with
``xapian-tcpsrv --writable`` (writes and searches on one port) and, when asked,
``xapian-replicate-server`` beside it. ``replicate_shard`` keeps a read replica
with ``xapian-replicate`` and serves it with a read-only ``xapian-tcpsrv``. The
programs come with Debian's ``xapian-tools``. Each runs in a process group of
its own, since ``xapian-tcpsrv`` forks a child per connection: stopping a shard
stops the group, children included.

The protocol has no authentication: whoever reaches a port can read and write
the shard. The default address is 127.0.0.1; serve on another only inside a
private network or through a tunnel.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ArsearchError, UsageError

__all__ = [
    "DEFAULT_HOST",
    "ShardProcesses",
    "replicate_shard",
    "serve_shard",
]

#: Where a shard server listens unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"
#: Seconds a server may take to start listening, and a replica to receive its first copy.
START_TIMEOUT = 10.0
#: A connection may stay idle this long (ms) before the server closes it; a writer
#: between two batches is idle, and a server that closes it commits its changes.
IDLE_TIMEOUT_MS = 600_000
#: Changesets a master keeps for its replicas (without them every update is a full copy).
MAX_CHANGESETS = 10
#: A remote writer's changes are committed by the client's commits only, never by the
#: server flushing a full buffer in the middle of a batch.
SERVER_FLUSH_THRESHOLD = 1_000_000_000
#: Seconds between a replica's visits to its master.
REPLICATION_INTERVAL = 1
PACKAGE = "xapian-tools"


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ArsearchError(
            f"{name} is missing: install Debian's {PACKAGE} (apt-get install {PACKAGE})."
        )
    return found


def _listening(port: int) -> bool:
    """Whether a socket listens on ``port`` (from /proc: a probing connection would make
    the server log a broken pipe)."""
    wanted = f":{port:04X} "
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) > 3 and parts[3] == "0A" and (parts[1] + " ").endswith(wanted):
                    return True
    return False


def _wait_listening(host: str, port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ArsearchError(
                f"{name} stopped at start (exit {process.returncode}): see its output above."
            )
        if _listening(port):
            return
        time.sleep(0.02)
    raise ArsearchError(f"{name} did not listen on {host}:{port} within {START_TIMEOUT:.0f} s.")


@dataclass
class ShardProcesses:
    """The server programs of one shard (or replica), each in its own process group."""

    #: What each program serves, one line each, for the operator.
    lines: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)

    def start(
        self, argv: Sequence[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a program in a new session (a process group of its own)."""
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=None if env is None else {**os.environ, **env},
            start_new_session=True,
        )
        self.processes.append(process)
        self.programs.append(Path(argv[0]).name)
        return process

    def stopped(self) -> str | None:
        """Which program has stopped on its own, and how, if any has."""
        for program, process in zip(self.programs, self.processes, strict=True):
            if process.poll() is not None:
                return f"{program} stopped (exit {process.returncode})"
        return None

    def stop(self) -> None:
        """Stop every program with the children it forked: SIGTERM, then SIGKILL."""
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # forked children left behind

    def __enter__(self) -> ShardProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _check_port(port: int, what: str) -> None:
    if not 0 < port < 65536:
        raise UsageError(f"{what} must be between 1 and 65535, not {port}.")


def serve_shard(
    directory: str | os.PathLike[str],
    *,
    port: int,
    host: str = DEFAULT_HOST,
    replication_port: int | None = None,
) -> ShardProcesses:
    """Serve the shard in ``directory`` (created empty when missing) on ``host:port``.

    With ``replication_port``, replicas can follow it from there (its name for
    them is the directory's name).
    """
    _check_port(port, "--port")
    path = Path(directory)
    tcpsrv = _program("xapian-tcpsrv")
    replicate = _program("xapian-replicate-server") if replication_port is not None else None
    path.parent.mkdir(parents=True, exist_ok=True)
    env = {"XAPIAN_FLUSH_THRESHOLD": str(SERVER_FLUSH_THRESHOLD)}
    if replicate is not None:
        env["XAPIAN_MAX_CHANGESETS"] = str(MAX_CHANGESETS)
    shard = ShardProcesses()
    try:
        argv = [tcpsrv, "--writable", "--quiet", "--interface", host, "--port", str(port)]
        argv += ["--idle-timeout", str(IDLE_TIMEOUT_MS), str(path)]
        _wait_listening(host, port, shard.start(argv, env), "xapian-tcpsrv")
        shard.lines.append(f"shard {path} on {host}:{port} (writes and searches)")
        if replicate is not None and replication_port is not None:
            _check_port(replication_port, "--replication-port")
            argv = [replicate, "-I", host, "-p", str(replication_port), str(path.parent)]
            _wait_listening(host, replication_port, shard.start(argv), "xapian-replicate-server")
            shard.lines.append(
                f"replication of '{path.name}' on {host}:{replication_port} "
                f"(arsearch shard replicate DIR --master {host}:{replication_port} "
                f"--name {path.name} --port PORT)"
            )
    except BaseException:
        shard.stop()
        raise
    return shard


def replicate_shard(
    directory: str | os.PathLike[str],
    *,
    master: tuple[str, int],
    name: str,
    port: int,
    host: str = DEFAULT_HOST,
) -> ShardProcesses:
    """Keep ``directory`` a read replica of the shard ``name`` at ``master`` (its
    replication address), and serve it read-only on ``host:port``."""
    _check_port(port, "--port")
    path = Path(directory)
    replicate = _program("xapian-replicate")
    tcpsrv = _program("xapian-tcpsrv")
    path.parent.mkdir(parents=True, exist_ok=True)
    shard = ShardProcesses()
    try:
        interval = str(REPLICATION_INTERVAL)
        argv = [replicate, "-q", "-h", master[0], "-p", str(master[1]), "-m", name]
        argv += ["-i", interval, "-r", interval, "-t", "5", str(path)]
        follower = shard.start(argv)
        deadline = time.monotonic() + START_TIMEOUT
        while not (path / "XAPIANDB").exists():
            if follower.poll() is not None or time.monotonic() > deadline:
                raise ArsearchError(
                    f"No copy of '{name}' came from {master[0]}:{master[1]}: is "
                    "arsearch shard serve running there with --replication-port?"
                )
            time.sleep(0.05)
        argv = [tcpsrv, "--quiet", "--interface", host, "--port", str(port), str(path)]
        argv += ["--idle-timeout", str(IDLE_TIMEOUT_MS)]
        _wait_listening(host, port, shard.start(argv), "xapian-tcpsrv")
        shard.lines.append(
            f"replica {path} of '{name}' from {master[0]}:{master[1]}, searches on {host}:{port}"
        )
    except BaseException:
        shard.stop()
        raise
    return shard
