"""Helpers shared by test modules (import as ``from support import ...``)."""

from __future__ import annotations

import os
import subprocess
import sys
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
