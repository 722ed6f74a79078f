"""Run a power user's Cypher: read-only by construction, bounded in time and in rows.

1. The text must pass the guard (graph/power/guard.py): no writes, LOAD CSV, USE, admin or
   schema commands, CALL { } IN TRANSACTIONS, or procedures off the allow-list.
2. Neo4j plans it (`EXPLAIN`, which runs nothing) and the plan must be read-only.
3. It runs in a READ transaction, which Neo4j itself refuses to let write, with a timeout Neo4j
   enforces: a runaway query is terminated on the server, not merely abandoned by us. Each
   transaction is attempted once (explicit, not managed): a query Neo4j stopped for time or
   memory would only fail again, and a client should hear at once that Neo4j is away.
4. Rows are pulled lazily (`fetch_size`) and the pull stops at `max_rows + 1`: a result of a
   million rows costs the API at most one batch beyond the cap, and says `truncated`.
"""

import re
from dataclasses import dataclass
from typing import Any

from neo4j import READ_ACCESS, Driver, Transaction
from neo4j.exceptions import DriverError, Neo4jError

from eventgraph.graph import consistency
from eventgraph.graph.driver import store_error
from eventgraph.graph.errors import QueryTimedOut, Refused
from eventgraph.graph.power.guard import check_plan, checked_text
from eventgraph.graph.power.values import JsonValue, to_json
from eventgraph.graph.settings import Settings

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


def _plan(tx: Transaction, query: str, parameters: dict[str, Any]) -> None:
    summary = tx.run(EXPLAIN_PREFIX + query, parameters).consume()
    check_plan(summary.query_type, summary.plan)


def _rows(tx: Transaction, query: str, parameters: dict[str, Any], max_rows: int) -> CypherResult:
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
    """Check, plan and run one read-only query; `Refused` (`QueryTimedOut`, `QueryTooLarge`) or
    `Unavailable` if it cannot run."""
    database = settings.neo4j_database
    text = checked_text(query, database)
    params = dict(parameters or {})
    timeout = settings.cypher_timeout_s
    try:
        with driver.session(
            database=database,
            default_access_mode=READ_ACCESS,
            fetch_size=min(FETCH_SIZE, settings.cypher_max_rows + 1),
            bookmarks=consistency.wanted_bookmarks(),  # read-your-writes across replicas
        ) as session:
            # Both transactions carry the timeout to Neo4j: the server terminates the query
            # when it runs out.
            with session.begin_transaction(timeout=timeout) as tx:
                _plan(tx, text, params)
            with session.begin_transaction(timeout=timeout) as tx:
                # The text is the user's own query, which is the point of this feature; it
                # reached here only after the guard and Neo4j's plan both said it only reads.
                return _rows(tx, text, params, settings.cypher_max_rows)
    except (Neo4jError, DriverError, OSError) as error:
        translated = store_error(error, settings)
        if translated is not error or not isinstance(error, Neo4jError):
            raise translated from None
        code = error.code or "Neo.DatabaseError.General.UnknownError"
        bookmark_error = consistency.bookmark_error(code)
        if bookmark_error is not None:
            raise bookmark_error from None
        message = _unshifted(error.message or str(error))
        if any(part in code for part in TIMEOUT_CODE_PARTS):
            message = f"the query ran longer than {timeout:g} s and Neo4j stopped it. {message}"
            raise QueryTimedOut(message.strip(), code) from None
        raise Refused(code, message.strip()) from None
