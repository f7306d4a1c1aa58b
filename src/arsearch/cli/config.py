"""``arsearch config``: the settings of an index (``arsearch.toml`` in its directory)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..index.settings import (
    OPTIONS,
    load_settings,
    read_settings,
    set_setting,
    settings_path,
    unset_setting,
)
from .common import EXIT_ERROR, cli, index_option

__all__ = ["config_group"]


def _settings_help() -> str:
    lines = [f"  {option.key}: {option.help}." for option in OPTIONS]
    lines.append(
        "  labels.<field>.<value>: how the page shows a value of a field (category, source)."
    )
    return "\n".join(lines)


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@cli.group(
    "config",
    epilog=f"\b\nSettings:\n{_settings_help()}",
)
def config_group() -> None:
    """Show and change the settings of an index (its arsearch.toml).

    \b
    arsearch config set labels.category.localNews "محليات"
    arsearch config set serve.cors_origins https://a.example https://b.example
    arsearch config load seeds/arsearch.toml
    """


@config_group.command("show")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def show_command(index_dir: str, as_json: bool) -> None:
    """Print every setting that is set, one `key = value` a line."""
    settings = read_settings(index_dir)
    if as_json:
        click.echo(json.dumps(settings.to_dict(), ensure_ascii=False, indent=2))
        return
    items = list(settings.items())
    if not items:
        click.echo(f"no settings in '{settings_path(index_dir)}' (every default applies)", err=True)
    for key, value in items:
        click.echo(f"{key} = {_shown(value)}")


@config_group.command("get")
@click.argument("key")
@index_option
def get_command(key: str, index_dir: str) -> None:
    """Print the value of KEY; exit code 1 when it is not set."""
    value = read_settings(index_dir).get(key)
    if value is None or value == []:
        click.echo(f"{key} is not set", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(value if isinstance(value, str) else _shown(value))


@config_group.command("set")
@click.argument("key")
@click.argument("values", nargs=-1, required=True)
@index_option
def set_command(key: str, values: tuple[str, ...], index_dir: str) -> None:
    """Set KEY to VALUE (several values for a list, such as serve.cors_origins)."""
    settings = set_setting(index_dir, key, list(values))
    click.echo(f"{key} = {_shown(settings.get(key))}")


@config_group.command("unset")
@click.argument("key")
@index_option
def unset_command(key: str, index_dir: str) -> None:
    """Remove KEY, so that its default applies again."""
    if not unset_setting(index_dir, key):
        click.echo(f"{key} was not set", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"{key} removed")


@config_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=str))
@index_option
def load_command(path: str, index_dir: str) -> None:
    """Merge the settings of PATH (a file like an index's arsearch.toml) into the index's."""
    settings = load_settings(index_dir, path)
    click.echo(f"{len(list(settings.items()))} settings in '{settings_path(index_dir)}'")
