"""Running the real `eventgraph` console script, and finding free ports."""

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neo4j import Driver

EVENTGRAPH = Path(sys.executable).parent / "eventgraph"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(
    *args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `eventgraph ARGS` with the test environment plus `env`, minus the names in `drop`."""
    full_env = {key: value for key, value in os.environ.items() if key not in drop}
    full_env.update(env or {})
    return subprocess.run(
        [str(EVENTGRAPH), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def graph_checksum(driver: "Driver") -> str:
    """A digest of every node and relationship with its properties (bookkeeping included)."""
    import hashlib

    nodes = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY elementId(n)"
    )[0]
    edges = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS p, b.id AS b "
        "ORDER BY a, t, b"
    )[0]

    def canonical(value: object) -> object:
        if isinstance(value, dict):
            return sorted((key, canonical(item)) for key, item in value.items())
        return value

    rows = sorted(repr(canonical(row.data())) for row in [*nodes, *edges])
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()
