"""Run a power user's Cypher: read-only by construction, bounded in time and in rows.

1. The text must pass the guard (graph/power/guard.py): no writes, LOAD CSV, USE, admin or
   schema commands, CALL { } IN TRANSACTIONS, or procedures off the allow-list.
2. Neo4j plans it (`EXPLAIN`, which runs nothing) and the plan must be read-only.
3. It runs in a READ transaction, which Neo4j itself refuses to let write, with a timeout Neo4j
   enforces: a runaway query is terminated on the server, not merely abandoned by us.
4. Rows are pulled lazily (`fetch_size`) and the pull stops at `max_rows + 1`: a result of a
   million rows costs the API at most one batch beyond the cap, and says `truncated`.
"""

import re
from dataclasses import dataclass
from typing import Any

from neo4j import READ_ACCESS, Driver, ManagedTransaction, unit_of_work
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.driver import unreachable_message
from graph.errors import AuthenticationFailed, Refused, Unavailable
from graph.power.guard import check_plan, checked_text
from graph.power.values import JsonValue, to_json
from graph.settings import Settings

EXPLAIN_PREFIX = "EXPLAIN\n"
"""On a line of its own, so Neo4j's line and column numbers need only the line shifted back."""

FETCH_SIZE = 1000
TIMEOUT_CODE_PARTS = ("TransactionTimedOut", "Transaction.Terminated", "LockClientStopped")
"""Neo4j codes that mean the query ran out of time (it terminates the transaction)."""


@dataclass(frozen=True)
class CypherResult:
    """The columns, at most `max_rows` rows of JSON values, and whether more were cut off."""

    columns: list[str]
    rows: list[list[JsonValue]]
    truncated: bool

    def as_json(self) -> dict[str, JsonValue]:
        rows: list[JsonValue] = [list(row) for row in self.rows]
        return {"columns": list(self.columns), "rows": rows, "truncated": self.truncated}


def is_timeout(error: Refused) -> bool:
    """True when Neo4j stopped the query because it ran out of time."""
    return any(part in error.code for part in TIMEOUT_CODE_PARTS)


_POSITION = re.compile(r"\(line (\d+), column (\d+) \(offset: (\d+)\)\)")


def _unshifted(message: str) -> str:
    """Neo4j's message with the line and offset of the user's query, not of EXPLAIN + query."""

    def shift(match: re.Match[str]) -> str:
        line, column, offset = (int(group) for group in match.groups())
        return (
            f"(line {max(line - 1, 1)}, column {column} "
            f"(offset: {max(offset - len(EXPLAIN_PREFIX), 0)}))"
        )

    return _POSITION.sub(shift, message)


def _plan(tx: ManagedTransaction, query: str, parameters: dict[str, Any]) -> None:
    summary = tx.run(EXPLAIN_PREFIX + query, parameters).consume()
    check_plan(summary.query_type, summary.plan)


def _rows(
    tx: ManagedTransaction, query: str, parameters: dict[str, Any], max_rows: int
) -> CypherResult:
    result = tx.run(query, parameters)
    columns = list(result.keys())
    rows: list[list[JsonValue]] = []
    for record in result:
        if len(rows) == max_rows:
            return CypherResult(columns, rows, truncated=True)
        rows.append([to_json(value) for value in record.values()])
    return CypherResult(columns, rows, truncated=False)


def run_read_query(
    driver: Driver, settings: Settings, query: str, parameters: dict[str, Any] | None = None
) -> CypherResult:
    """Check, plan and run one read-only query; `Refused` or `Unavailable` if it cannot run."""
    database = settings.neo4j_database
    text = checked_text(query, database)
    params = dict(parameters or {})
    timeout = settings.cypher_timeout_s
    # Both transactions carry the timeout to Neo4j (unit_of_work is Query(timeout=…) for
    # managed transactions): the server terminates the query when it runs out.
    planned = unit_of_work(timeout=timeout)(_plan)
    fetched = unit_of_work(timeout=timeout)(_rows)
    try:
        with driver.session(
            database=database,
            default_access_mode=READ_ACCESS,
            fetch_size=min(FETCH_SIZE, settings.cypher_max_rows + 1),
        ) as session:
            session.execute_read(planned, text, params)
            # The text is the user's own query, which is the point of this feature; it reached
            # here only after the guard and Neo4j's plan both said it only reads.
            return session.execute_read(fetched, text, params, settings.cypher_max_rows)
    except AuthError as error:
        raise AuthenticationFailed(
            f"Neo4j at {settings.bolt_uri} refused user '{settings.neo4j_user}': "
            f"{error.message}. Check NEO4J_USER and NEO4J_PASSWORD."
        ) from None
    except Neo4jError as error:
        code = error.code or "Neo.DatabaseError.General.UnknownError"
        message = _unshifted(error.message or str(error))
        if any(part in code for part in TIMEOUT_CODE_PARTS):
            message = f"the query ran longer than {timeout:g} s and Neo4j stopped it. {message}"
        raise Refused(code, message.strip()) from None
    except (ServiceUnavailable, SessionExpired, DriverError, OSError) as error:
        raise Unavailable(unreachable_message(settings, error)) from None
