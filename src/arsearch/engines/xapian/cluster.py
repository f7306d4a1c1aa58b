"""A cluster: shards served by ``xapian-tcpsrv`` (``arsearch shard serve``), each with replicas.

Each shard is a list of addresses: the first takes the writes (its master), the
others are read replicas kept by Xapian's replication. A search opens one
server of every shard, in the listed order, as one ``xapian.Database``: the
client combines the shards' statistics, so scores, totals and facets equal
those of one database with the same documents. When a server fails, the next
one of its shard answers within the same request; when none is left, the
request ends with :class:`~arsearch.errors.ShardUnavailableError` within a few
seconds, never a hang.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xapian

from ...errors import IndexFormatError, ShardUnavailableError, UsageError
from .writer import reason, shard_remedy

__all__ = ["CLUSTER_FILE", "Cluster", "parse_address"]

#: The file in the engine's folder that lists the shards.
CLUSTER_FILE = "cluster.json"
#: Seconds one server may take to answer a call, and to accept a connection.
READ_TIMEOUT = 1.2
CONNECT_TIMEOUT = 1.0
#: Seconds opening every shard may take in all, failovers included.
OPEN_DEADLINE = 2.5
#: A writer's calls may wait for a server's commit of a whole batch.
WRITE_TIMEOUT = 600.0

Address = tuple[str, int]


def parse_address(text: str) -> Address:
    """``host:port`` as a pair; UsageError naming the mistake.

    >>> parse_address("127.0.0.1:7001")
    ('127.0.0.1', 7001)
    """
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"A shard server is HOST:PORT, not '{text}'.")
    return host, int(port)


def _shown(address: Address) -> str:
    return f"{address[0]}:{address[1]}"


@dataclass(frozen=True)
class Cluster:
    """The shards of a cluster index, each a tuple of addresses (master first)."""

    shards: tuple[tuple[Address, ...], ...]

    @classmethod
    def parse(cls, specs: Sequence[str]) -> Cluster:
        """Shards from ``HOST:PORT[,HOST:PORT...]`` strings (master first, then replicas)."""
        if isinstance(specs, str):
            raise TypeError("shards must be a list of 'HOST:PORT' strings, not one string.")
        shards = tuple(
            tuple(parse_address(part) for part in spec.split(",") if part.strip()) for spec in specs
        )
        if not shards or not all(shards):
            raise UsageError("A cluster needs at least one shard server (HOST:PORT).")
        seen = [address for shard in shards for address in shard]
        if len(set(seen)) != len(seen):
            raise UsageError("A shard server is listed twice; each one serves one shard.")
        return cls(shards)

    def specs(self) -> tuple[str, ...]:
        """The shards as :meth:`parse` reads them: ``HOST:PORT``, replicas after commas."""
        return tuple(",".join(_shown(a) for a in shard) for shard in self.shards)

    def save(self, folder: Path) -> None:
        """Record the shards in the engine's folder."""
        data = {"shards": list(self.specs())}
        (folder / CLUSTER_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Cluster | None:
        """The shards recorded in the engine's folder, or None for a local index."""
        try:
            data = json.loads((folder / CLUSTER_FILE).read_text(encoding="utf-8"))
            return cls.parse(data["shards"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IndexFormatError(
                f"The shard list {folder / CLUSTER_FILE} is damaged ({error})."
            ) from None

    def names(self) -> list[str]:
        """Each shard as shown to users: its servers."""
        return [" or ".join(_shown(a) for a in shard) for shard in self.shards]

    def open_reader(self) -> xapian.Database:
        """One server of every shard as one database, failing over within a deadline."""
        deadline = time.monotonic() + OPEN_DEADLINE
        combined = xapian.Database()
        for number, shard in enumerate(self.shards):
            combined.add_database(self._open_shard(number, shard, deadline))
        return combined

    def _open_shard(
        self, number: int, shard: tuple[Address, ...], deadline: float
    ) -> xapian.Database:
        why = "no time left"
        for host, port in shard:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                return xapian.remote_open(
                    host,
                    port,
                    int(min(READ_TIMEOUT, left) * 1000),
                    int(min(CONNECT_TIMEOUT, left) * 1000),
                )
            except xapian.NetworkError as error:
                why = reason(error)
        raise ShardUnavailableError(
            f"Shard {number + 1} of {len(self.shards)} is unavailable: no server answers at "
            f"{self.names()[number]} ({why}).",
            shard_remedy(),
        )

    def open_writer(self, number: int) -> xapian.WritableDatabase:
        """The writable database of shard ``number``, on its master."""
        host, port = self.shards[number][0]
        timeout = int(WRITE_TIMEOUT * 1000)
        return xapian.remote_open_writable(host, port, timeout, int(CONNECT_TIMEOUT * 1000))

    def lost(self, error: Exception) -> ShardUnavailableError:
        """The error of a search whose servers failed while it ran, after every failover."""
        return ShardUnavailableError(
            f"A shard server stopped answering and no replica could take over ({reason(error)}).",
            shard_remedy(),
        )
