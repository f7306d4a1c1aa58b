"""The Whoosh engine's own file handling, beyond what the conformance suite asks of every engine."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from arsearch import Document, Index
from arsearch.engines.whoosh_engine import WhooshFactory
from arsearch.models import FIELDS


def test_a_reader_that_cannot_open_every_segment_closes_those_it_opened(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix", engine="whoosh") as index:
        for number in range(3):  # a segment per commit
            index.add([Document(f"d{number}", "", f"نص رقم {number}")])
            index.commit()
    engine_dir = next((tmp_path / "ix").glob("gen-*/engine"))
    segments = sorted(engine_dir.glob("*.seg"), key=lambda path: path.stat().st_mtime_ns)
    assert len(segments) == 3
    # As when a writer in another process has just merged the last segment away.
    segments[-1].unlink()
    engine = WhooshFactory().open(engine_dir, FIELDS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FileNotFoundError):
            engine.reader()
        gc.collect()
    engine.close()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
