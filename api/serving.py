"""`eventgraph serve`: bind the port first, then run uvicorn, then say where it serves.

The socket is bound before anything starts, so a port in use is one clear error (and no
banner, no Neo4j connection); the banner is printed once uvicorn has started the app on it.

With `--workers N` above 1, uvicorn's supervisor (`uvicorn.supervisors.Multiprocess`) starts N
worker processes (spawned: each imports `worker_app` afresh) that accept on the one bound socket;
the banner waits until every one has started, a worker that dies is replaced, SIGTERM or Ctrl-C
stops them all, and a worker whose supervisor is gone (even `kill -9`) ends by itself. Metrics
add up over the workers through prometheus-client's multiprocess mode, in a fresh folder per run
(`PROMETHEUS_MULTIPROC_DIR`, removed at the end; a dead worker's live gauges are dropped).
What is per process and what is shared: docs/operations.md, "Several workers".
"""

import errno
import gc
import os
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from eventgraph.api import webapp
from eventgraph.api.browser import BROWSER_ROOT
from eventgraph.api.errors import AppNotStarted, PortUnavailable
from eventgraph.api.logs import configure_logging, quiet_driver
from eventgraph.graph.processes import end_with_parent
from eventgraph.graph.settings import Settings, get_settings

MULTIPROCESS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"
"""Where prometheus-client's multiprocess mode keeps each process's values (read at import)."""
STARTUP_TIMEOUT_S = 120.0
"""How long the supervisor waits for a worker to start before it gives up on the banner."""


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


def _frozen_after_start(app: FastAPI) -> FastAPI:
    """`app`, whose start-up ends with `gc.freeze()`: what start-up built (modules, the schema,
    the ontology) lives as long as the process; out of the collector's sight, a full collection
    — in whichever thread triggers it, a document's check included — no longer holds the event
    loop for 100–200 ms walking it (docs/reliability.md)."""
    starting = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        async with starting(served) as state:
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
    return app


def serving_app() -> FastAPI:
    """The app as `eventgraph serve` runs it in each of its processes, from the environment's
    settings."""
    from eventgraph.api.app import create_app  # not in the supervisor: it serves nothing

    settings = get_settings()
    configure_logging(settings.log_format)
    return _frozen_after_start(create_app(settings))


def worker_app() -> FastAPI:
    """The factory uvicorn calls in each worker process: the app, in a process that ends with
    its supervisor."""
    end_with_parent()
    quiet_driver()  # as `eventgraph` does in the supervisor (a worker is a fresh interpreter)
    return serving_app()


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server that calls `announce` once the app has started on its socket."""

    def __init__(self, config: uvicorn.Config, announce: Callable[[], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self._announce()


class _Workers(Multiprocess):
    """uvicorn's supervisor of worker processes that calls `announce` once every worker has
    started, and drops the live gauges of a worker that ended (prometheus-client's
    `mark_process_dead`) when it is replaced or retired (SIGHUP, SIGTTOU)."""

    def __init__(
        self, config: uvicorn.Config, sockets: list[socket.socket], announce: Callable[[], None]
    ) -> None:
        super().__init__(config, sockets)
        self._announce = announce

    def init_processes(self) -> None:
        super().init_processes()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        for process in self.processes:
            while not process.wait_until_ready(1.0, self.should_exit):
                if self.signal_queue or not process.process.is_alive():
                    return  # a signal (Ctrl-C while starting) or a failure: the loop handles it
                if time.monotonic() > deadline:
                    return  # it serves once the workers have started, unannounced
        self._announce()

    @property
    def failed_to_start(self) -> bool:
        """Whether it stopped because a worker could not start (uvicorn's exit code says so)."""
        return any(process.exitcode == STARTUP_FAILURE for process in self.processes)

    @contextmanager
    def _burying(self) -> Iterator[None]:
        before = {process.pid for process in self.processes}
        yield
        from prometheus_client import multiprocess

        for pid in before - {process.pid for process in self.processes}:
            if pid is not None:
                multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]

    def keep_subprocess_alive(self) -> None:
        with self._burying():
            super().keep_subprocess_alive()

    def handle_signals(self) -> None:
        with self._burying():
            super().handle_signals()


@contextmanager
def _metrics_folder() -> Iterator[None]:
    """A fresh, empty folder for the workers' metrics, set in the environment they inherit."""
    with tempfile.TemporaryDirectory(prefix="eventgraph-metrics-") as folder:
        before = os.environ.get(MULTIPROCESS_FOLDER)
        os.environ[MULTIPROCESS_FOLDER] = folder
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(MULTIPROCESS_FOLDER, None)
            else:
                os.environ[MULTIPROCESS_FOLDER] = before


def _config(app: FastAPI | str, workers: int) -> uvicorn.Config:
    """uvicorn's settings for `eventgraph serve`. The log is ours (`api/logs.py`): uvicorn's
    lines in our format, its access log off for our access line."""
    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
    )


def serve(
    sock: socket.socket, settings: Settings, workers: int, announce: Callable[[], None]
) -> None:
    """Serve on the bound `sock` in `workers` processes (1: this one) until Ctrl-C or SIGTERM;
    `announce` once it answers."""
    configure_logging(settings.log_format)
    if workers == 1:
        server = _AnnouncingServer(_config(serving_app(), 1), announce)
        try:
            server.run(sockets=[sock])
        except SystemExit:  # uvicorn exits the process when the app's start-up fails
            if server.started:
                raise
        if not server.started:
            raise AppNotStarted("The app did not start (the log above says why); nothing served.")
        return
    with _metrics_folder():
        supervisor = _Workers(_config(f"{__name__}:worker_app", workers), [sock], announce)
        supervisor.run()
    if supervisor.failed_to_start:
        raise AppNotStarted(
            "A worker process could not start its app (the log above says why); nothing served."
        )
