"""``arsearch get`` and ``arsearch export``: stored documents, one or all."""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from ..errors import UsageError
from ..index import Index
from ..models import Document
from .common import EXIT_OK, cli, index_option

__all__ = ["export_command", "get_command"]


@cli.command("get")
@click.argument("doc_id", metavar="ID")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the stored document as JSON.")
def get_command(doc_id: str, index_dir: str, as_json: bool) -> None:
    """Show the stored document with this ID."""
    with Index.open(index_dir) as index:
        document = index.get(doc_id)
    if as_json:
        click.echo(json.dumps(document.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_document(document)


def _print_document(document: Document) -> None:
    data = document.to_dict()
    text = data.pop("text")
    title = data.pop("title") or "(untitled)"
    click.echo(title)
    for name, value in data.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        click.echo(f"{name + ':':<10} {shown}")
    click.echo(f"\n{text}")


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a file written whole or not at all (``.gz``: compressed)."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise UsageError(f"No folder '{target.parent}' to write '{path}' in.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        opener = gzip.open if target.name.endswith(".gz") else open
        with opener(partial, "wt", encoding="utf-8") as out:
            yield out
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@cli.command("export")
@index_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write to this file (.jsonl, or .jsonl.gz) instead of standard output.",
)
def export_command(index_dir: str, output: str | None) -> None:
    """Write every stored document as JSON Lines, in id order.

    The output indexes again as it is: arsearch index FILE --index NEW.
    """
    count = 0
    try:
        with Index.open(index_dir) as index, index.searcher() as searcher, _output(output) as out:
            for document in searcher.documents():
                out.write(json.dumps(document.to_dict(), ensure_ascii=False) + "\n")
                count += 1
    except BrokenPipeError:
        # The reader stopped early (| head): not an error. Quiet the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    if output is not None:
        click.echo(f"exported {count:,} documents to '{output}'", err=True)
