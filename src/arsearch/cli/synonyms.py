"""``arsearch synonyms``: the synonyms of an index (``arsearch.synonyms`` in its directory)."""

from __future__ import annotations

import json

import click

from ..index import Index
from .common import cli, index_option

__all__ = ["synonyms_group"]


@cli.group("synonyms")
def synonyms_group() -> None:
    """Show and change the synonyms of an index; searches use them at once, no rebuild.

    \b
    A synonyms file holds one group a line:
      الأمم المتحدة, الامم المتحده, UN    each stands for the others
      ج.م.ع => مصر                        a query holding ج.م.ع also searches مصر
    or JSON: ["a, b", "c => d", ["e", "f"]], or {"c": ["d"]} (one-way).
    """


@synonyms_group.command("set")
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@index_option
def set_command(path: str, index_dir: str) -> None:
    """Replace the index's synonyms with those of PATH (plain text or JSON)."""
    with Index.open(index_dir) as index:
        synonyms = index.set_synonyms(path)
    click.echo(f"{len(synonyms)} synonym groups in '{index_dir}'")


@synonyms_group.command("show")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the groups as a JSON list.")
def show_command(index_dir: str, as_json: bool) -> None:
    """Print the index's synonym groups, one a line (a file `set` reads back)."""
    with Index.open(index_dir) as index:
        synonyms = index.synonyms
    if as_json:
        click.echo(json.dumps(synonyms.to_list(), ensure_ascii=False, indent=2))
        return
    if not synonyms.groups:
        click.echo(f"no synonyms in '{index_dir}'", err=True)
    for line in synonyms.to_list():
        click.echo(line)


@synonyms_group.command("clear")
@index_option
def clear_command(index_dir: str) -> None:
    """Remove every synonym of the index."""
    with Index.open(index_dir) as index:
        had = len(index.synonyms)
        index.set_synonyms(None)
    click.echo(f"{had} synonym groups removed from '{index_dir}'")
