"""One Neo4j driver per process (and its async twin for the event loop), the check that
tells a user why Neo4j does not answer, and the one place driver errors become ours
(`store_error`, which the executor, `graph/executor.py`, applies to every statement).

`InTransaction` offers the driver's `execute_query` on a managed transaction, so code that looks
things up (the importer's checker) runs the same either way: in queries of its own (`Queries` is
a `Driver`) or inside a write's transaction (an API mutation checks what it writes in the
transaction that writes it).

The API opens its drivers `for_requests`: a request makes one attempt and waits at most
REQUEST_CONNECTION_TIMEOUT_S for a connection, so when Neo4j is away the client hears so
within a second instead of after the driver's retry loop. The CLI keeps the retries (a long
import may ride out a leader switch or a brief restart).
"""

import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    Driver,
    EagerResult,
    GraphDatabase,
    ManagedTransaction,
    Record,
    Session,
)
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from eventgraph.graph.errors import AuthenticationFailed, QueryTooLarge, Unavailable
from eventgraph.graph.settings import Settings

CONNECTION_TIMEOUT_S = 5.0
"""How long a connection attempt may take: commands must fail fast when Neo4j is away."""
REQUEST_CONNECTION_TIMEOUT_S = 0.8
"""The same for a request: a client waiting on a dead Neo4j should hear so within a second."""
MEMORY_CODE_PARTS = ("MemoryPoolOutOfMemoryError", "OutOfMemoryError", "MemoryLimit")
"""Neo4j codes (transient ones, which the driver would retry) that mean a query needed more
memory than Neo4j allows it: retrying only makes the client wait longer for the same answer."""


@dataclass(frozen=True)
class ServerInfo:
    """What `eventgraph neo4j status` and `/ready` report about the server."""

    uri: str
    version: str
    edition: str


class InTransaction:
    """`Driver.execute_query` as the importer's checker calls it, run in `tx` (the database
    and routing are the transaction's: `database_` is accepted and not used)."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self.tx = tx

    def execute_query(
        self,
        query_: str,
        parameters_: dict[str, Any] | None = None,
        *,
        database_: str | None = None,
        **parameters: Any,
    ) -> EagerResult:
        """Every record of `query_` with its parameters (a dict, keywords or both)."""
        return self.tx.run(query_, parameters_, **parameters).to_eager_result()


Queries = Driver | InTransaction
"""What runs the checker's lookups: the driver (a query of their own each) or a transaction."""


def lookup_rows(
    queries: Queries | None,
    query: str,
    parameters: dict[str, Any] | None = None,
    *,
    database: str,
    **keywords: Any,
) -> list[Record]:
    """The records of one of the checker's lookups. `queries` None says the graph is known to
    be empty (a bulk load, which refuses any other, checks while Neo4j stops): nothing is
    asked, and nothing is found."""
    if queries is None:
        return []
    return queries.execute_query(query, parameters, database_=database, **keywords)[0]


def begin_with_first_query(session: Session) -> AbstractContextManager[object]:
    """While in it, the session's transactions send their BEGIN with their first query instead
    of waiting for Neo4j to answer it first, as the driver's own `execute_query` does: a round
    trip less (~1 ms of a mutation whose floor is ~10 ms). A BEGIN that fails fails that query.
    The switch is not the driver's public API: a driver without it begins as usual."""
    switch: AbstractContextManager[object] = getattr(session, "_pipelined_begin", nullcontext())
    return switch


def _options(settings: Settings, for_requests: bool) -> dict[str, Any]:
    """What both drivers are opened with: the CLI's with retries, the API's with none (a managed
    transaction makes one attempt when the retry budget is 0: the budget's clock starts after
    the first failure)."""
    timeout = REQUEST_CONNECTION_TIMEOUT_S if for_requests else CONNECTION_TIMEOUT_S
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        "connection_timeout": timeout,
        "connection_acquisition_timeout": timeout,
        "max_transaction_retry_time": 0.0 if for_requests else 10.0,
        "user_agent": "eventgraph",
        "notifications_min_severity": "OFF",
    }


def open_driver(settings: Settings, *, for_requests: bool = False) -> Driver:
    """Open the process's driver; it connects lazily and re-connects by itself."""
    return GraphDatabase.driver(settings.bolt_uri, **_options(settings, for_requests))


def open_async_driver(settings: Settings, *, for_requests: bool = False) -> AsyncDriver:
    """The same connection for code on an event loop (the GraphQL fast path): no worker thread
    per request, which cost ~0.6 ms of a 1–2 ms lookup."""
    return AsyncGraphDatabase.driver(settings.bolt_uri, **_options(settings, for_requests))


def is_memory_limit(error: Neo4jError) -> bool:
    """True when Neo4j stopped the query for the memory it needed."""
    return any(part in (error.code or "") for part in MEMORY_CODE_PARTS)


def store_error(error: Exception, settings: Settings) -> Exception:
    """A driver error as eventgraph tells it: `Unavailable` when Neo4j is away or the connection
    broke, `AuthenticationFailed`, `QueryTooLarge` for the memory limit; any other error
    unchanged (the caller knows what the rest mean for it)."""
    if isinstance(error, AuthError):
        return AuthenticationFailed(
            f"Neo4j at {settings.bolt_uri} refused user '{settings.neo4j_user}': "
            f"{(error.message or 'authentication failed').rstrip('.')}. Check NEO4J_USER and "
            "NEO4J_PASSWORD."
        )
    if isinstance(error, Neo4jError) and is_memory_limit(error):
        return QueryTooLarge()
    if isinstance(error, DriverError | OSError) and not isinstance(error, Neo4jError):
        return Unavailable(unreachable_message(settings, error))
    return error


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
    except (AuthError, ServiceUnavailable, DriverError, OSError) as error:
        raise store_error(error, settings) from None
    except Neo4jError as error:
        raise Unavailable(
            f"Neo4j at {settings.bolt_uri} answered with an error: {error.code}: {error.message}"
        ) from None
    return ServerInfo(uri=settings.bolt_uri, version=record["version"], edition=record["edition"])


def reaching_advice(settings: Settings) -> str:
    """What the user can do when Neo4j does not answer: start the local one, or check the URI."""
    if settings.uses_local_neo4j:
        return "Start it with `eventgraph neo4j start`."
    return "Check NEO4J_URI, that the server runs, and that this machine can reach it."


def unreachable_message(settings: Settings, error: Exception) -> str:
    """Why Neo4j does not answer, and what the user can do about it."""
    advice = reaching_advice(settings)
    text = str(error)
    socket_reason = _SOCKET_REASON.search(text)
    if socket_reason:
        reason = socket_reason.group(1).strip().lower()
    else:
        reason = text.splitlines()[0].rstrip(":") if text else type(error).__name__
    return f"Neo4j does not answer at {settings.bolt_uri} ({reason}). {advice}"
