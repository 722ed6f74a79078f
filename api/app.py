"""The FastAPI application: health, readiness and GraphQL.

The driver is opened once in the lifespan and closed on shutdown. It connects lazily, so the
API starts and keeps running while Neo4j is down; `/ready` tells, and the driver reconnects by
itself when Neo4j is back. The schema is applied at start-up, or by the first `/ready` that
finds Neo4j answering if it was away then.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from api.cypher import router as cypher_router
from api.deps import DriverDep, SettingsDep
from api.graphql.schema import schema
from graph import __version__
from graph.driver import open_driver, server_info
from graph.errors import Unavailable
from graph.schema import apply_schema
from graph.settings import Settings, get_settings

log = logging.getLogger("eventgraph")


def _ensure_schema(app: FastAPI) -> None:
    """Apply the schema once per process; raise `Unavailable` if Neo4j does not answer."""
    if app.state.schema_applied:
        return
    settings: Settings = app.state.settings
    server_info(app.state.driver, settings)
    apply_schema(app.state.driver, settings.neo4j_database)
    app.state.schema_applied = True


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app around one settings object (the environment's unless given)."""
    app_settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = app_settings
        app.state.driver = open_driver(app_settings)
        app.state.schema_applied = False
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

    app = FastAPI(
        title="eventgraph",
        version=__version__,
        lifespan=lifespan,
    )

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
            return JSONResponse({"status": "unavailable", "reason": str(error)}, status_code=503)
        return JSONResponse({"status": "ready", "neo4j": info.version, "uri": info.uri})

    app.include_router(GraphQLRouter(schema, graphql_ide="graphiql"), prefix="/graphql")
    app.include_router(cypher_router)
    return app
