"""Reading articles from files: formats, encodings and validation.

:func:`read_documents` streams the :class:`~arsearch.models.Document` records
of files and directories (``.txt``, ``.md``, ``.jsonl``, ``.jsonl.gz``,
``.json``, ``.csv``), one at a time, and reports each bad record as a
:class:`~arsearch.errors.DocumentError` reading ``path:line: reason``.

>>> import pathlib, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     _ = pathlib.Path(folder, "cairo.md").write_text("# القاهرة\\n\\nعاصمة مصر.\\n", "utf-8")
...     [(doc.id, doc.title, doc.text) for doc in read_documents([folder])]
[('cairo', 'القاهرة', 'عاصمة مصر.')]
"""

from .reading import (
    STREAM_FORMATS,
    SUPPORTED_SUFFIXES,
    ReadProgress,
    read_documents,
    read_file,
    read_stream,
    total_size,
)

__all__ = [
    "STREAM_FORMATS",
    "SUPPORTED_SUFFIXES",
    "ReadProgress",
    "read_documents",
    "read_file",
    "read_stream",
    "total_size",
]
