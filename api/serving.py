"""`eventgraph serve`: bind the port first, then run uvicorn, then say where it serves.

The socket is bound before anything starts, so a port in use is one clear error (and no
banner, no Neo4j connection); the banner is printed once uvicorn has started the app on it.
"""

import errno
import gc
import socket
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from eventgraph.api import webapp
from eventgraph.api.browser import BROWSER_ROOT
from eventgraph.api.errors import PortUnavailable
from eventgraph.api.logs import configure_logging
from eventgraph.graph.settings import Settings


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port, or `PortUnavailable` saying what to do."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        raise PortUnavailable(f"cannot listen on {host}: not a host name or address") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} on {host} is in use by another program: stop it, or serve on "
                "another port (--port, EVENTGRAPH_PORT, or `make run PORT=…`)"
            ) from None
        if error.errno == errno.EACCES:
            raise PortUnavailable(
                f"port {port} on {host} needs privileges this user lacks: use one above 1023"
            ) from None
        reason = error.strerror or str(error)
        raise PortUnavailable(f"cannot listen on {host}:{port}: {reason.lower()}") from None
    return sock


def routes(base: str, settings: Settings) -> list[tuple[str, str]]:
    """(URL, what it is) for every route a person opens or a probe calls."""
    built = (webapp.DIST / "index.html").is_file()
    listed = [
        (f"{base}/", "the web app" if built else "the web app: not built (run `make setup`)"),
        (f"{base}/graphql", "GraphQL" if settings.production else "GraphQL, GraphiQL in a browser"),
        (f"{base}/cypher", "read-only Cypher (POST, reader token)"),
    ]
    if (BROWSER_ROOT / "index.html").is_file():
        listed.append((f"{base}/browser", "Neo4j Browser, from this machine only"))
    listed += [
        (f"{base}/docs", "the HTTP API's reference"),
        (f"{base}/metrics", "Prometheus metrics (docs/operations.md says who may scrape)"),
        (f"{base}/ready", "200 once Neo4j answers"),
        (f"{base}/health", "200 while the process runs"),
    ]
    return listed


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server that calls `announce` once the app has started on its socket."""

    def __init__(self, config: uvicorn.Config, announce: Callable[[], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            # What start-up built (modules, the schema, the ontology) lives as long as the
            # process: out of the collector's sight, a full collection — in whichever thread
            # triggers it, a document's check included — no longer holds the event loop for
            # 100–200 ms walking it (docs/reliability.md).
            gc.freeze()
            self._announce()


def serve(
    app: FastAPI, sock: socket.socket, settings: Settings, announce: Callable[[], None]
) -> None:
    """Run `app` on the bound `sock` until Ctrl-C; `announce` once it answers. The log is ours
    (`api/logs.py`): uvicorn's lines in our format, its access log off for our access line."""
    configure_logging(settings.log_format)
    config = uvicorn.Config(app, loop="uvloop", http="httptools", access_log=False, log_config=None)
    _AnnouncingServer(config, announce).run(sockets=[sock])
