"""One Neo4j driver per process (and its async twin for the event loop), and the check that
tells a user why Neo4j does not answer."""

import re
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from graph.errors import AuthenticationFailed, Unavailable
from graph.settings import Settings

CONNECTION_TIMEOUT_S = 5.0
"""How long a connection attempt may take: commands must fail fast when Neo4j is away."""


@dataclass(frozen=True)
class ServerInfo:
    """What `eventgraph neo4j status` and `/ready` report about the server."""

    uri: str
    version: str
    edition: str


def _options(settings: Settings) -> dict[str, Any]:
    """What both drivers are opened with."""
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        "connection_timeout": CONNECTION_TIMEOUT_S,
        "connection_acquisition_timeout": CONNECTION_TIMEOUT_S,
        "max_transaction_retry_time": 10.0,
        "user_agent": "eventgraph",
        "notifications_min_severity": "OFF",
    }


def open_driver(settings: Settings) -> Driver:
    """Open the process's driver; it connects lazily and re-connects by itself."""
    return GraphDatabase.driver(settings.bolt_uri, **_options(settings))


def open_async_driver(settings: Settings) -> AsyncDriver:
    """The same connection for code on an event loop (the GraphQL fast path): no worker thread
    per request, which cost ~0.6 ms of a 1–2 ms lookup."""
    return AsyncGraphDatabase.driver(settings.bolt_uri, **_options(settings))


_SERVER_INFO = (
    "CALL dbms.components() YIELD name, versions, edition WHERE name = 'Neo4j Kernel' "
    "RETURN versions[0] AS version, edition"
)
"""Calendar releases (2025+) list more components than the kernel: pick the kernel's row."""
_SOCKET_REASON = re.compile(r"\[Errno -?\d+\] ([^)]*)")


def server_info(driver: Driver, settings: Settings) -> ServerInfo:
    """Ask Neo4j who it is; raise `Unavailable` naming the URI and what to do if it is away."""
    try:
        # An auto-commit query, not execute_query: a health check must not retry for seconds.
        with driver.session(
            database=settings.neo4j_database, default_access_mode="READ"
        ) as session:
            record = session.run(_SERVER_INFO).single(strict=True)
    except AuthError as error:
        raise AuthenticationFailed(
            f"Neo4j at {settings.bolt_uri} refused user '{settings.neo4j_user}': "
            f"{error.message}. Check NEO4J_USER and NEO4J_PASSWORD."
        ) from None
    except (ServiceUnavailable, DriverError, OSError) as error:
        raise Unavailable(unreachable_message(settings, error)) from None
    except Neo4jError as error:
        raise Unavailable(
            f"Neo4j at {settings.bolt_uri} answered with an error: {error.code}: {error.message}"
        ) from None
    return ServerInfo(uri=settings.bolt_uri, version=record["version"], edition=record["edition"])


def unreachable_message(settings: Settings, error: Exception) -> str:
    """Why Neo4j does not answer, and what the user can do about it."""
    advice = (
        "Start it with `eventgraph neo4j start`."
        if settings.uses_local_neo4j
        else "Check NEO4J_URI, that the server runs, and that this machine can reach it."
    )
    text = str(error)
    socket_reason = _SOCKET_REASON.search(text)
    if socket_reason:
        reason = socket_reason.group(1).strip().lower()
    else:
        reason = text.splitlines()[0].rstrip(":") if text else type(error).__name__
    return f"Neo4j does not answer at {settings.bolt_uri} ({reason}). {advice}"
