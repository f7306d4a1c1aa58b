"""``arsearch shard serve`` and ``shard replicate``: the servers of a cluster index."""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType

import click

from ..shards import DEFAULT_HOST, ShardProcesses, replicate_shard, serve_shard
from .common import EXIT_ERROR, EXIT_OK, cli

__all__ = ["replicate_command", "serve_command", "shard_group"]

NO_AUTHENTICATION = (
    "note: Xapian's protocol has no authentication; whoever reaches these ports can read "
    "and write. Keep them on a private network or behind a tunnel."
)


@cli.group("shard")
def shard_group() -> None:
    """Serve the shards of a cluster index (the xapian engine; see docs/scaling.md)."""


def _run(shard: ShardProcesses) -> None:
    """Print what is served, then wait for Ctrl+C or SIGTERM, and stop everything."""
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for line in shard.lines:
        click.echo(f"serving {line}")
    click.echo(NO_AUTHENTICATION, err=True)
    click.echo("Press Ctrl+C to stop.", err=True)
    dead = None
    try:
        while not stopping:
            dead = shard.stopped()
            if dead is not None:
                break
            time.sleep(0.2)
    finally:
        shard.stop()
    if dead is not None:
        click.echo(f"Error: {dead}.", err=True)
        sys.exit(EXIT_ERROR)
    click.echo("stopped", err=True)
    sys.exit(EXIT_OK)


def _address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise click.BadParameter(f"HOST:PORT, not '{text}'")
    return host, int(port)


@shard_group.command("serve")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--port", type=int, required=True, help="Port for the cluster's writes and searches.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--replication-port", type=int, help="Also let replicas follow this shard on this port."
)
def serve_command(directory: str, port: int, host: str, replication_port: int | None) -> None:
    """Serve the shard in DIRECTORY (created empty when missing) to a cluster index."""
    _run(serve_shard(directory, port=port, host=host, replication_port=replication_port))


@shard_group.command("replicate")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--master", required=True, help="The master's replication address, HOST:PORT.")
@click.option("--name", required=True, help="The shard's name there: its directory's name.")
@click.option("--port", type=int, required=True, help="Port for searches on this replica.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
def replicate_command(directory: str, master: str, name: str, port: int, host: str) -> None:
    """Keep DIRECTORY a read replica of a shard, and serve it for searches."""
    _run(replicate_shard(directory, master=_address(master), name=name, port=port, host=host))
