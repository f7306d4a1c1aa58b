"""Running the reference engines of ``../shared/anchors`` beside arsearch's own benchmarks.

The anchor script (``engines.py``) is not part of the project: it is only ever run as a
subprocess, with an interpreter that has its pinned dependencies (``whoosh==2.7.4``,
``tantivy``, ``pyarabic``, ``tashaphyne``), by default ``/tmp/anchors-venv/bin/python``::

    python3 -m venv /tmp/anchors-venv
    /tmp/anchors-venv/bin/pip install whoosh==2.7.4 tantivy pyarabic tashaphyne \\
        snowballstemmer nltk psutil

Also what every run records about itself: the load and the code measured. Used by
``indexing.py`` and ``queries.py``; not a benchmark itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "ANCHORS",
    "DEFAULT_CORPUS",
    "default_python",
    "recorded_table",
    "revision",
    "run_anchor",
    "uptime",
]

ANCHORS = Path("/work/shared/anchors")
DEFAULT_CORPUS = Path("/work/shared/data/news/corpus.jsonl.gz")
_VENV_PYTHON = Path("/tmp/anchors-venv/bin/python")


def default_python() -> str:
    """The anchors' interpreter: the throwaway venv when it exists, else this one."""
    return str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable


def uptime() -> str:
    """``uptime`` as printed (the load averages say how busy the shared machine was)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        with open("/proc/loadavg", encoding="ascii") as loadavg:
            return "load average: " + ", ".join(loadavg.read().split()[:3])


def revision() -> str:
    """The commit measured, and whether ``src/`` had uncommitted changes (others' work)."""
    repo = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        command = ["git", "-C", str(repo), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()

    dirty = git("status", "--porcelain", "--", "src")
    changed = (
        f", with uncommitted changes in {len(dirty.splitlines())} file(s) of src/" if dirty else ""
    )
    return f"commit {git('rev-parse', '--short', 'HEAD')}{changed}"


def run_anchor(
    engine: str,
    *,
    corpus: Path,
    workdir: Path,
    python: str,
    queries: Path | None = None,
    limit: int | None = None,
    passes: int = 1,
    time_limit: int = 1800,
) -> dict[str, Any]:
    """One engine of ``engines.py``, built and queried in its own subprocess; its result.

    Without ``queries`` the anchor samples its own; the indexing benchmark asks for one
    query of each kind, since only the build matters there. A failed run is returned as
    ``{"engine": ..., "error": ...}``, as the anchor script itself reports it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"{engine}.anchor.json"
    out.unlink(missing_ok=True)
    command = [python, "-W", "ignore", str(ANCHORS / "engines.py"), "--corpus", str(corpus)]
    command += ["--engines", engine, "--workdir", str(workdir), "--out", str(out)]
    command += ["--repeat", str(passes), "--time-limit", str(time_limit)]
    command += ["--queries", str(queries)] if queries else ["--n-queries", "1"]
    command += ["--limit", str(limit)] if limit else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"engine": engine, "error": " / ".join(tail) or f"exit code {done.returncode}"}
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))["results"][0]
    return result


def recorded_table(readme: Path = ANCHORS / "README.md") -> str:
    """The anchors' recorded news-corpus table, copied verbatim from their README."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| engine | build s"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join(lines[start:end])
