"""Helpers shared by the benchmarks in ``bench/``: the machine line and RESULTS.md sections.

Each benchmark owns one ``## `` section of ``bench/RESULTS.md`` and replaces only
that section, so the scripts can be rerun in any order.

>>> replace_section("# R\\n\\n## A\\nold\\n\\n## B\\nkept\\n", "## A", "## A\\nnew\\n")
'# R\\n\\n## A\\nnew\\n\\n## B\\nkept\\n'
"""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["RESULTS", "machine", "replace_section", "utc_now", "write_section"]

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"

_HEADER = (
    "# Benchmark results\n\n"
    "Each section below is written by one script in `bench/` (named in the section);\n"
    "rerun that script with `--write` to refresh its section. The others are left as they are.\n"
)


def utc_now() -> str:
    """The current time as ``date -u`` prints it."""
    return datetime.now(timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """One line naming the machine: cores (``nproc``), CPU model, Python version."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return (
        f"{cores} cores (nproc), {_cpu_model()}, "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()}"
    )


def replace_section(document: str, heading: str, section: str) -> str:
    """``document`` with the section under ``heading`` replaced by ``section`` (or appended)."""
    lines = document.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == heading)
    except StopIteration:
        return document.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
        len(lines),
    )
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section.rstrip("\n") + "\n" + ("\n" + tail if tail else "")


def write_section(heading: str, section: str, path: Path = RESULTS) -> None:
    """Replace the section under ``heading`` in ``path``, creating the file if missing."""
    document = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    path.write_text(replace_section(document, heading, section), encoding="utf-8")
