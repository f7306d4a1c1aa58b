"""Helpers shared by test modules (import as ``from support import ...``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


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


def join_all(threads: Sequence[threading.Thread], timeout: float) -> list[str]:
    """Wait at most ``timeout`` seconds in all for ``threads``; the names of those still running.

    Start them with ``daemon=True``: a thread that hangs then fails its test instead of
    keeping pytest from exiting.
    """
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in threads if thread.is_alive()]


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def spawned_workers(pid: int) -> set[int]:
    """The live children of ``pid`` that multiprocessing spawned as workers (from Linux's /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None or fields[0] == "Z" or int(fields[1]) != pid:
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def all_end(pids: set[int], seconds: float = 10) -> bool:
    """Whether every process of ``pids`` has ended (or is a zombie) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_alive(pid) for pid in pids)
