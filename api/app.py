"""The FastAPI application: health, readiness and GraphQL.

The driver is opened once in the lifespan and closed on shutdown. It connects lazily, so the
API starts and keeps running while Neo4j is down; `/ready` tells, and the driver reconnects by
itself when Neo4j is back. The schema is applied at start-up, or by the first `/ready` that
finds Neo4j answering if it was away then. The drivers make one attempt per request
(`graph.driver`), so Neo4j away answers 503 (or GraphQL's GRAPH_STORE_UNAVAILABLE) within a
second. An error of eventgraph's tree that a route raises answers as api/errors.py's table says,
in the shape of its route; any other error is a JSON 500 naming the request's id, logged with
its traceback. Every request passes `api/observing.py` first (its id, its metrics, its access
line); `POST /graphql` of a document the fast path owns is answered by `api/graphql/lane.py`
ahead of the router; `/metrics` is `api/metrics.py`'s, tracing `api/tracing.py`'s
(docs/operations.md).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response, WebSocket, WebSocketException
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection

from eventgraph.api import metrics, static, swagger, tracing, webapp
from eventgraph.api.auth import identify
from eventgraph.api.consistency import BookmarksInAndOut
from eventgraph.api.cypher import router as cypher_router
from eventgraph.api.deps import DriverDep, SettingsDep
from eventgraph.api.errors import (
    AuthError,
    answer_of,
    graphql_body,
    graphql_code_for_status,
    http_headers,
    is_internal,
    route_code,
    user_message,
)
from eventgraph.api.graphql.fast import FastRouter
from eventgraph.api.graphql.http import names_an_operation
from eventgraph.api.graphql.lane import FastLane
from eventgraph.api.graphql.live import EventFeed
from eventgraph.api.graphql.safety import MASKED_MESSAGE
from eventgraph.api.graphql.schema import schema
from eventgraph.api.observing import Observed
from eventgraph.api.request_facts import current_request
from eventgraph.graph import __version__
from eventgraph.graph.consistency import BOOKMARK_FIELD
from eventgraph.graph.driver import open_async_driver, open_driver, server_info
from eventgraph.graph.errors import EventGraphError, Unavailable
from eventgraph.graph.executor import Executor
from eventgraph.graph.schema import apply_schema
from eventgraph.graph.settings import Settings, get_settings
from eventgraph.graph.tokens import Role

log = logging.getLogger("eventgraph")


def _ensure_schema(app: FastAPI) -> None:
    """Apply the schema once per process; raise `Unavailable` if Neo4j does not answer."""
    if app.state.schema_applied:
        return
    settings: Settings = app.state.settings
    server_info(app.state.driver, settings)  # fast: the requests' driver, one attempt
    # Applying the schema is no request: it may ride out a transient error, as the CLI does.
    with open_driver(settings) as setup_driver:
        apply_schema(setup_driver, settings.neo4j_database)
    app.state.schema_applied = True


def _asks_for_graphiql(connection: HTTPConnection) -> bool:
    """A GET without a query (nor a persisted query's hash) is the GraphiQL page: no data, so
    no token (browsers cannot send one when opening a page; GraphiQL sends it with each query)."""
    return (
        connection.scope["type"] == "http"
        and connection.scope["method"] == "GET"
        and not names_an_operation(connection.query_params)
    )


def _shaped(request: Request, error: BaseException, message: str | None = None) -> Response:
    """An error in the shape of its route, as the table says: GraphQL's `errors` on /graphql,
    else `{error: {code, message}}`."""
    if request.url.path.startswith("/graphql"):
        body = graphql_body(error, message)
    else:
        told = user_message(error) if message is None else message
        body = {"error": {"code": route_code(error), "message": told}}
    metrics.count_errors_in(body)
    return JSONResponse(body, status_code=answer_of(error).http, headers=http_headers(error))


def create_app(
    settings: Settings | None = None,
    *,
    graphql_fast_path: bool = True,
    tracer_provider: object | None = None,
) -> FastAPI:
    """Build the app around one settings object (the environment's unless given).
    `graphql_fast_path=False` answers every GraphQL operation on the standard path (the tests
    hold the fast path to it). `tracer_provider` (an OpenTelemetry one) traces every request
    into it, whatever `EVENTGRAPH_TRACING` says (`api/tracing.py`)."""
    app_settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = app_settings
        app.state.driver = open_driver(app_settings, for_requests=True)
        app.state.async_driver = open_async_driver(app_settings, for_requests=True)
        app.state.schema_applied = False
        app.state.metrics_pools = metrics.pools_registry(
            {"sync": app.state.driver, "async": app.state.async_driver}
        )
        app.state.executor = Executor(app_settings, app.state.driver, app.state.async_driver)
        app.state.event_feed = EventFeed(app.state.executor)
        if app_settings.anonymous_read:
            log.warning(
                "Anonymous read is ON (EVENTGRAPH_ANONYMOUS_READ): anyone who can reach "
                "this server can read the graph. Writes still need an editor token."
            )
        try:
            await run_in_threadpool(_ensure_schema, app)
        except Unavailable as error:
            log.warning("%s The API serves anyway; /ready says 503 until Neo4j answers.", error)
        try:
            yield
        finally:
            app.state.driver.close()
            await app.state.async_driver.close()

    telemetry = tracing.telemetry(app_settings, tracer_provider)
    app = FastAPI(
        title="eventgraph",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # FastAPI's loads Swagger UI from a CDN: api/swagger.py serves it from here
        redoc_url=None,
        telemetry=telemetry,
    )
    app.state.graphql_fast_path = graphql_fast_path

    @app.exception_handler(HTTPException)
    async def graphql_shaped_http_errors(request: Request, error: HTTPException) -> Response:
        """FastAPI's own HTTP errors on /graphql read as GraphQL errors, like every other."""
        if not request.url.path.startswith("/graphql"):
            return await http_exception_handler(request, error)
        code = graphql_code_for_status(error.status_code)
        body = {"errors": [{"message": str(error.detail), "extensions": {"code": code}}]}
        metrics.count_errors_in(body)
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(EventGraphError)
    async def told(request: Request, error: EventGraphError) -> Response:
        """An error of the tree (a token refused, Neo4j away while checking it, a `/cypher`
        query refused …): its status, code and message from the table."""
        if is_internal(error):
            return await last_resort(request, error)
        return _shaped(request, error)

    @app.exception_handler(Exception)
    async def last_resort(request: Request, error: Exception) -> Response:
        """No plain-text 500: the client gets the JSON shape and the request's id to quote
        (also in `X-Request-ID`: this answer is made outside `Observed`); the log gets the
        traceback under the same id."""
        facts = current_request()
        request_id = facts.request_id if facts is not None else "-"
        log.error("unanswered error in request %s %s", request_id, request.url.path,
                  exc_info=error)  # fmt: skip
        answer = _shaped(request, error, f"{MASKED_MESSAGE} (request id {request_id})")
        answer.headers["X-Request-ID"] = request_id
        return answer

    @app.get("/health")
    async def health() -> dict[str, str]:
        """The process is alive (says nothing about Neo4j)."""
        return {"status": "ok"}

    @app.get("/ready", responses={503: {"description": "Neo4j does not answer"}})
    async def ready(driver: DriverDep, settings: SettingsDep) -> JSONResponse:
        """200 when Neo4j answers a query, else 503 with the reason."""
        try:
            await run_in_threadpool(_ensure_schema, app)
            info = await run_in_threadpool(server_info, driver, settings)
        except Unavailable as error:
            body = {"status": "unavailable", "reason": str(error)}
            return JSONResponse(body, status_code=answer_of(error).http)
        return JSONResponse({"status": "ready", "neo4j": info.version, "uri": info.uri})

    async def graphql_context(connection: HTTPConnection) -> dict[str, Any]:
        """Reads need a reader (or anonymous read); mutations check for an editor themselves.
        Works for HTTP and for the WebSocket of subscriptions alike."""
        if _asks_for_graphiql(connection):
            return {"caller": None, "production": app_settings.production}
        if isinstance(connection, WebSocket) and "authorization" not in connection.headers:
            # Browsers cannot set headers on a WebSocket: the token comes in `connection_init`,
            # checked by `FastRouter.on_ws_connect` before any subscription starts.
            return {"caller": None, "production": app_settings.production}
        try:
            caller = await identify(connection, Role.READER)
        except AuthError as error:
            if isinstance(connection, WebSocket):  # 4401, 4403: the HTTP status in 4xxx
                raise WebSocketException(4000 + answer_of(error).http, str(error)) from None
            raise  # answered by `told`, from the table
        return {"caller": caller, "production": app_settings.production}

    graphql_router = FastRouter(
        schema,
        path="/graphql",  # not a prefix: the route's own path is its metrics' label
        graphql_ide=None if app_settings.production else "graphiql",
        context_getter=graphql_context,
    )
    app.include_router(graphql_router)
    if not telemetry.get("tracing"):  # traced, every request keeps FastAPI's spans
        app.add_middleware(FastLane, path="/graphql", router=graphql_router)  # inside CORS
    origins = app_settings.cors_origin_list
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials="*" not in origins,  # never a wildcard with credentials
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept", BOOKMARK_FIELD],
            expose_headers=[BOOKMARK_FIELD, "X-Request-ID"],
        )
    app.include_router(cypher_router)
    app.include_router(metrics.router)
    app.include_router(static.router)
    app.include_router(swagger.router)
    app.include_router(webapp.router)
    app.add_middleware(BookmarksInAndOut)  # read-your-writes across replicas
    app.add_middleware(Observed, log_requests=app_settings.access_log)  # the outermost of ours
    return app
