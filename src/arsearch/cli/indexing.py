"""``arsearch index``, ``delete`` and ``stats``: writing to an index and describing it."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Mapping
from typing import Any

import click

from ..analysis import STEMMERS
from ..documents.validation import DEFAULT_MAX_RECORD_BYTES
from ..engines import ENGINES
from ..errors import DocumentError, UsageError
from ..index import AddSummary, Index
from .common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, cli, fail, index_option

__all__ = ["Progress", "delete_command", "index_command", "progress_line", "stats_command"]


#: Seconds between two redraws of the progress line on a terminal.
REDRAW_SECONDS = 0.2
#: Seconds between two progress lines when standard error is not a terminal.
LINE_SECONDS = 5.0


def _size(count: int) -> str:
    """A byte count for people.

    >>> _size(512), _size(12_345), _size(39_084_789), _size(3_100_000_000)
    ('512 B', '12.3 KB', '39.1 MB', '3.1 GB')
    """
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}"
    return f"{count} B"


def _duration(seconds: float) -> str:
    """A duration as h:mm:ss or m:ss.

    >>> _duration(7), _duration(95.4), _duration(3725)
    ('0:07', '1:35', '1:02:05')
    """
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _options(options: Mapping[str, Any]) -> str:
    """An index's options (``IndexStats.options``) for people.

    >>> _options({"stem_positions": True, "spellings": None})
    'stem positions, no name spellings'
    >>> _options({"stem_positions": False, "spellings": "hamza"})
    'no stem positions, name spellings by the hamza rule'
    """
    stems = "stem positions" if options["stem_positions"] else "no stem positions"
    rule = options["spellings"]
    spellings = f"name spellings by the {rule} rule" if rule else "no name spellings"
    return f"{stems}, {spellings}"


def progress_line(summary: AddSummary, elapsed: float) -> str:
    """What has been done: documents, bytes of the total, the rate and the time left.

    >>> summary = AddSummary(added=12_000, unchanged=345, bytes_total=39_084_789)
    >>> summary.bytes_read
    0
    >>> progress_line(summary, 5.0)
    '12,345 documents · 0 B of 39.1 MB (0%) · 2,469 documents/s'
    """
    documents = summary.total
    rate = documents / elapsed if elapsed > 0 else 0.0
    noun = "document" if documents == 1 else "documents"
    parts = [f"{documents:,} {noun}"]
    total = summary.bytes_total
    done = min(summary.bytes_read, total)
    if total:
        parts.append(f"{_size(done)} of {_size(total)} ({done / total:.0%})")
    parts.append(f"{rate:,.0f} documents/s")
    if total and done and elapsed > 0:
        parts.append(f"ETA {_duration(elapsed * (total - done) / done)}")
    return " · ".join(parts)


_MIB = 1024 * 1024


class Progress:
    """Indexing progress on standard error: on a terminal, one line redrawn several times a
    second; otherwise a line every ``every`` seconds."""

    def __init__(self, every: float = LINE_SECONDS) -> None:
        self.terminal = sys.stderr.isatty()
        self.every = REDRAW_SECONDS if self.terminal else every
        self.started = time.monotonic()
        # On a terminal the first line shows at once; in a log, after ``every`` seconds.
        self.last: float | None = None if self.terminal else self.started
        self.shown = False

    def __call__(self, summary: AddSummary) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now
        line = progress_line(summary, now - self.started)
        if self.terminal:
            click.echo(f"\r\x1b[K{line}", err=True, nl=False)
        else:
            click.echo(f"indexing: {line}", err=True)
        self.shown = True

    def done(self) -> None:
        """Clear the terminal's progress line, so that the summary stands alone."""
        if self.terminal and self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@index_option
@click.option("--engine", type=click.Choice(ENGINES), help="Engine for a new index [tantivy].")
@click.option("--stemmer", type=click.Choice(STEMMERS), help="Stemmer for a new index [light10].")
@click.option(
    "--stem-positions/--no-stem-positions",
    default=None,
    help="For a new index: keep where each stem stands, to rank query words found close "
    "together in any form [on]. Off: an index about 12% smaller.",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Delete the index and build it anew, with its settings but those given.",
)
@click.option("--strict", is_flag=True, help="Stop at the first bad record and commit nothing.")
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete the documents whose source file is gone, or no longer holds them.",
)
@click.option(
    "--max-record-mb",
    type=click.IntRange(1),
    default=DEFAULT_MAX_RECORD_BYTES // _MIB,
    show_default=True,
    help="Skip records larger than this (a JSON Lines or CSV line, a text file).",
)
@click.option("--progress-every", type=float, default=LINE_SECONDS, hidden=True)
@click.option(
    "--shard",
    "shards",
    multiple=True,
    metavar="HOST:PORT[,HOST:PORT]",
    help="A shard server of a new xapian cluster index (its replicas after commas); repeat.",
)
def index_command(
    paths: tuple[str, ...],
    index_dir: str,
    engine: str | None,
    stemmer: str | None,
    stem_positions: bool | None,
    rebuild: bool,
    strict: bool,
    prune: bool,
    max_record_mb: int,
    progress_every: float,
    shards: tuple[str, ...],
) -> None:
    """Add the articles in PATH... (folders or .txt/.md/.jsonl[.gz]/.json/.csv files).

    Documents already in the index with the same content are left as they are; a
    run that changes nothing commits nothing.
    """
    started = time.perf_counter()
    index = Index.open(
        index_dir,
        create=True,
        overwrite=rebuild,
        engine=engine,
        stemmer=stemmer,
        stem_positions=stem_positions,
        shards=shards,
    )
    skipped: list[str] = []
    too_large = False

    def on_error(error: DocumentError) -> None:
        nonlocal too_large
        too_large = too_large or "over the size limit" in error.reason
        skipped.append(str(error))
        progress.done()
        click.echo(f"skipped: {error}", err=True)

    def on_notice(message: str) -> None:
        progress.done()
        click.echo(f"note: {message}", err=True)

    progress = Progress(every=progress_every)
    try:
        summary = index.add_files(
            paths,
            prune=prune,
            on_error=None if strict else on_error,
            on_notice=on_notice,
            max_record_bytes=max_record_mb * _MIB,
            batch_size=0 if strict else None,
            progress=progress,
            workers=None,
        )
        index.commit()
    except UsageError:
        index.close(discard=True)
        raise
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
    changed = summary.added or summary.updated or summary.pruned or rebuild
    click.echo(
        f"added {summary.added:,}, updated {summary.updated:,}, "
        f"unchanged {summary.unchanged:,}, skipped {len(skipped):,}"
        + (f", pruned {summary.pruned:,}" if prune else "")
        + f" in {seconds:.2f} s"
        + ("" if changed else " (nothing changed: no commit)")
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
    click.echo(f"deleted {len(ids) - len(missing):,}, not found {len(missing):,}")
    sys.exit(EXIT_ERROR if missing else EXIT_OK)


@cli.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_command(index_dir: str, as_json: bool) -> None:
    """Show the number of documents, the engine, the analyzer, the size on disk and the
    index's options."""
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
        f"v{analyzer.get('normalization')}, {len(analyzer['stopwords']['words']):,} stop words"
    )
    click.echo(f"options:     {_options(stats.options)}")
    click.echo(f"size:        {stats.size_bytes / 1e6:.2f} MB")
    click.echo(f"last commit: {stats.last_commit or 'never'}")
