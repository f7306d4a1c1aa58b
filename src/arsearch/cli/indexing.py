"""``arsearch index``, ``delete`` and ``stats``: writing to an index and describing it."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator

import click

from ..analysis import STEMMERS
from ..documents import read_documents
from ..documents.validation import DEFAULT_MAX_RECORD_BYTES
from ..engines import ENGINES
from ..errors import DocumentError
from ..index import DEFAULT_BATCH_SIZE, AddSummary, Index
from ..models import Document
from .common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, cli, fail, index_option

__all__ = ["Progress", "delete_command", "index_command", "stats_command"]

_MIB = 1024 * 1024


class Progress:
    """A one-line progress display on a terminal; silent when stderr is not one."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.last = 0.0

    def __call__(self, summary: AddSummary) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.2:
            return
        self.last = now
        rate = summary.total / max(now - self.started, 1e-9)
        click.echo(f"\r  {summary.total:,} documents ({rate:,.0f}/s)", err=True, nl=False)

    def done(self) -> None:
        if self.enabled and self.last:
            click.echo("\r" + " " * 60 + "\r", err=True, nl=False)


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@index_option
@click.option("--engine", type=click.Choice(ENGINES), help="Engine for a new index [tantivy].")
@click.option("--stemmer", type=click.Choice(STEMMERS), help="Stemmer for a new index [light10].")
@click.option("--rebuild", is_flag=True, help="Delete the index and build it anew.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record and commit nothing.")
@click.option(
    "--max-record-mb",
    type=click.IntRange(1),
    default=DEFAULT_MAX_RECORD_BYTES // _MIB,
    show_default=True,
    help="Skip records larger than this (a JSON Lines or CSV line, a text file).",
)
def index_command(
    paths: tuple[str, ...],
    index_dir: str,
    engine: str | None,
    stemmer: str | None,
    rebuild: bool,
    strict: bool,
    max_record_mb: int,
) -> None:
    """Add the articles in PATH... (folders or .txt/.md/.jsonl[.gz]/.json/.csv files)."""
    started = time.perf_counter()
    index = Index.open(index_dir, create=True, overwrite=rebuild, engine=engine, stemmer=stemmer)
    skipped: list[str] = []
    too_large = False

    def on_error(error: DocumentError) -> None:
        nonlocal too_large
        too_large = too_large or "over the size limit" in error.reason
        skipped.append(str(error))
        click.echo(f"skipped: {error}", err=True)

    def on_notice(message: str) -> None:
        click.echo(f"note: {message}", err=True)

    progress = Progress()
    documents: Iterator[Document] = read_documents(
        paths,
        on_error=None if strict else on_error,
        on_notice=on_notice,
        max_record_bytes=max_record_mb * _MIB,
    )
    try:
        summary = index.add(
            documents,
            batch_size=0 if strict else DEFAULT_BATCH_SIZE,
            progress=progress,
            workers=None,
        )
        index.commit()
    except DocumentError as error:
        index.rollback()
        index.close(discard=True)
        progress.done()
        fail(f"{error} (--strict: nothing was committed)")
    except KeyboardInterrupt:
        index.close(discard=True)
        progress.done()
        click.echo(
            "Interrupted: the index was left as it was; run the same command to rebuild it."
            if rebuild
            else "Interrupted: committed batches are kept; run the same command to finish.",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    except BaseException:
        # A full disk, say: release the lock and drop a rebuild before the error is shown.
        with contextlib.suppress(Exception):
            index.close(discard=True)
        raise
    progress.done()
    index.close()
    if too_large:
        click.echo("note: to read larger records, raise --max-record-mb", err=True)
    seconds = time.perf_counter() - started
    click.echo(
        f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"skipped {len(skipped)} in {seconds:.2f} s"
    )
    sys.exit(EXIT_ERROR if skipped else EXIT_OK)


@cli.command("delete")
@click.argument("ids", nargs=-1, required=True)
@index_option
def delete_command(ids: tuple[str, ...], index_dir: str) -> None:
    """Delete the documents with the given IDS."""
    with Index.open(index_dir) as index:
        missing = [doc_id for doc_id in ids if not index.delete(doc_id)]
    for doc_id in missing:
        click.echo(f"not found: no document with id '{doc_id}'", err=True)
    click.echo(f"deleted {len(ids) - len(missing)}, not found {len(missing)}")
    sys.exit(EXIT_ERROR if missing else EXIT_OK)


@cli.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_command(index_dir: str, as_json: bool) -> None:
    """Show the number of documents, the engine, the analyzer and the size on disk."""
    index = Index.open(index_dir)
    try:
        stats = index.stats()
    finally:
        index.close()
    if as_json:
        click.echo(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
        return
    analyzer = stats.analyzer
    click.echo(f"index:       {stats.path}")
    click.echo(f"documents:   {stats.documents:,}")
    click.echo(f"engine:      {stats.engine}")
    click.echo(
        f"analyzer:    stemmer {analyzer.get('stemmer')}, normalization "
        f"v{analyzer.get('normalization')}, {len(analyzer['stopwords']['words'])} stop words"
    )
    click.echo(f"size:        {stats.size_bytes / 1e6:.2f} MB")
    click.echo(f"last commit: {stats.last_commit or 'never'}")
