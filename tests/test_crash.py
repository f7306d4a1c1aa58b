"""Crash safety of ``arsearch index``: ``kill -9`` and Ctrl+C keep every committed batch, the
analysis workers end with their parent, and a re-run finishes the job."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from arsearch.index import Index
from support import all_end, spawned_workers

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
#: ``arsearch index`` commits every 5,000 documents, with whoosh every 10,000 (README,
#: "Killing it at any moment").
BATCH = {"tantivy": 5_000, "whoosh": 10_000}
#: ``arsearch index`` says this on Ctrl+C, and only this.
INTERRUPTED = "Interrupted: committed batches are kept; run the same command to finish.\n"
#: The engines' slower one repeats each property of the default run (``make test-slow``).
ENGINES = ["tantivy", pytest.param("whoosh", marks=pytest.mark.slow)]


def _texts() -> list[str]:
    rng = random.Random(7)
    return [" ".join(rng.choice(WORDS) for _ in range(40)) for _ in range(DOCUMENTS)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """22,000 articles in one JSON Lines file: four committed batches and a partial fifth."""
    path = tmp_path_factory.mktemp("crash") / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for number, text in enumerate(_texts()):
            record = {"id": f"doc-{number:05d}", "title": f"خبر رقم {number}", "text": text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _committed(index_dir: Path) -> int:
    """The documents the index's marker says are committed (0 before the first commit)."""
    try:
        marker = json.loads((index_dir / "arsearch.json").read_text(encoding="utf-8"))
        return int(marker["documents"])
    except (OSError, ValueError, KeyError):
        return 0


def _receive_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_indexing(corpus: Path, index_dir: Path, engine: str) -> subprocess.Popen[str]:
    """``arsearch index`` in its own session, as a terminal's foreground job; returns once a
    first batch is committed, with the job stopped (SIGSTOP): the analysis workers go on
    while a batch commits, so the rest of the corpus can be indexed before a signal sent
    at leisure lands. The caller signals, then resumes the job with SIGCONT."""
    command = ["index", str(corpus), "--index", str(index_dir), "--engine", engine]
    process = subprocess.Popen(
        [sys.executable, "-m", "arsearch", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A job started in the background by a non-interactive shell (a suite run under
        # `flock ... &`, say) ignores SIGINT, and so would the command, as it should:
        # the terminal's foreground job this test plays receives it.
        preexec_fn=_receive_sigint,
    )

    def committed_once() -> bool:
        return _committed(index_dir) > 0

    deadline = time.monotonic() + 120
    while not committed_once() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):  # ended already: said just below
        os.killpg(process.pid, signal.SIGSTOP)
    assert process.poll() is None, "indexing ended before the first batch was committed"
    return process


def _signal_state(pid: int) -> str:
    """The kernel's view of a process's signals (pending, blocked, ignored masks), for
    a failure's message: a Ctrl+C that did not stop the command was seen in full
    suites under load, never alone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines()
    except OSError as error:
        return str(error)
    return ", ".join(
        line for line in lines if line.startswith(("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "State"))
    )


def _check_committed_batches(index_dir: Path, engine: str) -> int:
    """The index holds whole batches, exactly the corpus's first documents; their number."""
    with Index.open(index_dir) as index:
        committed = len(index)
        assert committed % BATCH[engine] == 0 and 0 < committed < DOCUMENTS
        assert sorted(index.ids()) == [f"doc-{number:05d}" for number in range(committed)]
        with_word = sum("الحكومة" in text for text in _texts()[:committed])
        assert index.search('"الحكومة"', limit=1).total == with_word
        assert index.get("doc-00007").title == "خبر رقم 7"
    return committed


def _rerun_finishes(corpus: Path, index_dir: Path, committed: int) -> None:
    rerun = subprocess.run(
        [sys.executable, "-m", "arsearch", "index", str(corpus), "--index", str(index_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith(
        f"added {DOCUMENTS - committed:,}, updated 0, unchanged {committed:,}, skipped 0 in "
    )
    with Index.open(index_dir) as index:
        ids = index.ids()
        assert len(index) == DOCUMENTS
        assert len(ids) == len(set(ids)) == DOCUMENTS


@pytest.mark.parametrize("engine", ENGINES)
def test_kill_9_while_indexing_then_rerun(corpus: Path, tmp_path: Path, engine: str) -> None:
    index_dir = tmp_path / "index"
    process = _start_indexing(corpus, index_dir, engine)
    workers = spawned_workers(process.pid)
    cores = len(os.sched_getaffinity(process.pid))
    os.kill(process.pid, signal.SIGKILL)
    os.killpg(process.pid, signal.SIGCONT)  # the workers, to find their parent gone
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # Analysis workers, up to one per core the command may use, when it has more than one
    # (test_workers_die_with_a_killed_parent_on_any_number_of_cores covers one core)...
    assert (1 <= len(workers) <= cores) if cores > 1 else (workers == set())
    # ...die with their parent instead of lingering as orphans.
    assert all_end(workers)
    committed = _check_committed_batches(index_dir, engine)
    _rerun_finishes(corpus, index_dir, committed)


@pytest.mark.parametrize("engine", ENGINES)
def test_ctrl_c_while_indexing_keeps_committed_batches(
    corpus: Path, tmp_path: Path, engine: str
) -> None:
    index_dir = tmp_path / "index"
    process = _start_indexing(corpus, index_dir, engine)
    workers = spawned_workers(process.pid)
    before = f"stopped at {_committed(index_dir)} documents committed; {_signal_state(process.pid)}"
    # A terminal's Ctrl+C signals the whole foreground job: the command and its workers.
    os.killpg(process.pid, signal.SIGINT)
    os.killpg(process.pid, signal.SIGCONT)
    out, err = process.communicate(timeout=60)
    # On a slow machine a progress line ("indexing: …", every 5 s when piped) comes first.
    err = "".join(line for line in err.splitlines(True) if not line.startswith("indexing: "))
    assert (process.returncode, out, err) == (130, "", INTERRUPTED), before
    assert all_end(workers)
    committed = _check_committed_batches(index_dir, engine)
    _rerun_finishes(corpus, index_dir, committed)


#: Adds documents without end from 2 analysis workers, whatever the number of cores.
_ENDLESS_ADD = textwrap.dedent(
    """
    import itertools, sys
    from arsearch import Document, Index
    documents = (
        Document(f"d{n}", f"خبر {n}", "نص الخبر عن الحكومة والسوق " * 20)
        for n in itertools.count()
    )
    with Index.create(sys.argv[1]) as index:
        index.add(documents, batch_size=0, workers=2)
    """
)


def test_workers_die_with_a_killed_parent_on_any_number_of_cores(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-W", "error", "-c", _ENDLESS_ADD, str(tmp_path / "index")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers = spawned_workers(process.pid)
        while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = spawned_workers(process.pid)
        assert len(workers) == 2, "the add never started its 2 workers"
    finally:
        process.kill()
        process.wait(timeout=30)
    assert all_end(workers)
