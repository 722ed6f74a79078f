"""Running the real `eventgraph` console script, serving the app, and finding free ports."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from fastapi import FastAPI
    from neo4j import Driver

EVENTGRAPH = Path(sys.executable).parent / "eventgraph"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: "FastAPI") -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, as `eventgraph serve` runs it; yields
    `http://127.0.0.1:PORT`."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


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
