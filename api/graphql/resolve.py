"""Root fields: one compiled statement each, run once, shaped into the response.

`plan_root` compiles a root field into a `RootPlan` (its statement and how to shape the one
record it returns); `run_plan` runs it. The standard path does both per resolver call; the fast
path caches plans per document and variables; both run them within the operation's limits
(`api/graphql/limits.py`). Both compile with type
tags: graphql-core completes abstract types by them, and the fast path's shaping
(`api/graphql/shaping.py`) does the same.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from neo4j import READ_ACCESS, AsyncDriver, Driver, Query
from neo4j.exceptions import (
    ClientError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from eventgraph.graph import __version__, queries
from eventgraph.graph.driver import is_memory_limit
from eventgraph.graph.errors import InvalidData, Problem, QueryTimedOut, QueryTooLarge, Unavailable
from eventgraph.graph.projection import Selection
from eventgraph.graph.queries import (
    EventFilter,
    RelationFilter,
    Sourcing,
    Statement,
    encode_cursor,
    page_window,
)
from eventgraph.graph.timespan import TimeError, bounds

ENTITY_LISTS = {
    "actors": "Actor",
    "assets": "Asset",
    "equipmentTypes": "EquipmentType",
    "locations": "Location",
    "sources": "Source",
    "reports": "Report",
}
RELATIONSHIP_FIELDS = ("neighborhood", "paths", "coInvolvement", "activity")
ROOT_FIELDS = frozenset(
    {
        "version",
        "node",
        "events",
        "relations",
        "search",
        "timeline",
        *ENTITY_LISTS,
        *RELATIONSHIP_FIELDS,
    }
)


def _plain(value: Any) -> Any:
    """Enum members (from strawberry inputs) as their values; everything else unchanged."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _get(container: Any, name: str, python_name: str | None = None) -> Any:
    """An input field, whether graphql-core gave a dict or strawberry an input object."""
    if container is None:
        return None
    if isinstance(container, dict):
        return _plain(container.get(name))
    return _plain(getattr(container, python_name or name, None))


def _instant(value: Any, field: str, last: bool) -> datetime | None:
    if value is None:
        return None
    try:
        low, high, _ = bounds(value)
    except TimeError as error:
        raise InvalidData([Problem(field, field, str(error))]) from None
    return high if last else low


def event_filter(raw: Any) -> EventFilter:
    window = _get(raw, "window")
    near = _get(raw, "near")
    return EventFilter(
        types=tuple(_get(raw, "types") or ()),
        text=_get(raw, "text"),
        start=_instant(_get(window, "from", "from_"), "filter.window.from", last=False),
        end=_instant(_get(window, "to"), "filter.window.to", last=True),
        involving=_get(raw, "involving"),
        role=_get(raw, "role"),
        at=_get(raw, "at"),
        near=(
            (_get(near, "latitude"), _get(near, "longitude"), _get(near, "km"))
            if near is not None
            else None
        ),
        min_reliability=_get(raw, "minReliability", "min_reliability"),
        min_credibility=_get(raw, "minCredibility", "min_credibility"),
        source=_get(raw, "source"),
        origin=_get(raw, "origin"),
        destination=_get(raw, "destination"),
        sourcing=Sourcing(_get(raw, "sourcing") or Sourcing.ANY),
    )


def relation_filter(raw: Any) -> RelationFilter:
    window = _get(raw, "window")
    return RelationFilter(
        types=tuple(_get(raw, "types") or ()),
        from_=_get(raw, "from", "from_"),
        to=_get(raw, "to"),
        involving=_get(raw, "involving"),
        start=_instant(_get(window, "from", "from_"), "filter.window.from", last=False),
        end=_instant(_get(window, "to"), "filter.window.to", last=True),
        min_reliability=_get(raw, "minReliability", "min_reliability"),
        min_credibility=_get(raw, "minCredibility", "min_credibility"),
        source=_get(raw, "source"),
        sourcing=Sourcing(_get(raw, "sourcing") or Sourcing.ANY),
    )


def _connection(
    selection: Selection,
    label: str,
    total: Any,
    page: list[dict[str, Any]],
    skip: int,
    limit: int,
) -> dict[str, Any]:
    """The Relay envelope around a page of `label` nodes (`<Label>Connection`, `<Label>Edge`)."""
    has_more = len(page) > limit
    page = page[:limit]
    result: dict[str, Any] = {}
    for child in selection.children:
        if child.name == "totalCount":
            result[child.key] = total
        elif child.name == "nodes":
            result[child.key] = [entry[f"n_{child.key}"] for entry in page]
        elif child.name == "edges":
            edges = []
            for offset, entry in enumerate(page, start=skip):
                edge: dict[str, Any] = {}
                for part in child.children:
                    if part.name == "cursor":
                        edge[part.key] = encode_cursor(offset)
                    elif part.name == "node":
                        edge[part.key] = entry[f"e_{part.key}"]
                    elif part.name == "__typename":
                        edge[part.key] = f"{label}Edge"
                edges.append(edge)
            result[child.key] = edges
        elif child.name == "pageInfo":
            info: dict[str, Any] = {}
            for part in child.children:
                info[part.key] = {
                    "hasNextPage": has_more,
                    "hasPreviousPage": skip > 0,
                    "startCursor": encode_cursor(skip) if page else None,
                    "endCursor": encode_cursor(skip + len(page) - 1) if page else None,
                    "__typename": "PageInfo",
                }[part.name]
            result[child.key] = info
        elif child.name == "__typename":
            result[child.key] = f"{label}Connection"
    return result


@dataclass(frozen=True)
class RootPlan:
    """A root field compiled: the statement to run (None when nothing needs Neo4j) and how to
    turn its one record into the field's value. Pure data and functions of the selection, so a
    plan can be cached and run again."""

    field: str
    statement: Statement | None
    finish: Callable[[Any], Any]


def plan_root(selection: Selection, tag: bool) -> RootPlan:
    """Compile one root field (raises InvalidData for arguments eventgraph refuses)."""
    name = selection.name
    if name == "version":
        return RootPlan(name, None, lambda _: __version__)
    if name == "node":
        statement = queries.node(selection, selection.arg("id"), tag)
        return RootPlan(name, statement, lambda record: record["result"] if record else None)
    if name in ("events", "relations", "timeline") or name in ENTITY_LISTS:
        skip, limit = page_window(
            selection.arg("first"),
            selection.arg("after"),
            selection.arg("last"),
            selection.arg("before"),
        )
        if name == "events":
            order = _plain(selection.arg("orderBy")) or "START_ASC"
            statement = queries.events_connection(
                selection, event_filter(selection.arg("filter")), order, skip, limit, tag
            )
        elif name == "timeline":
            window = selection.arg("window")
            statement = queries.timeline(
                selection,
                selection.arg("entity"),
                _instant(_get(window, "from", "from_"), "window.from", last=False),
                _instant(_get(window, "to"), "window.to", last=True),
                skip,
                limit,
                tag,
            )
        elif name == "relations":
            statement = queries.relations_connection(
                selection, relation_filter(selection.arg("filter")), skip, limit, tag
            )
        else:
            raw = selection.arg("filter")
            statement = queries.entities_connection(
                selection,
                ENTITY_LISTS[name],
                tuple(_get(raw, "kinds") or ()),
                _get(raw, "text"),
                skip,
                limit,
                tag,
            )
        label = {"events": "Event", "timeline": "Event", "relations": "Relation"}.get(
            name
        ) or ENTITY_LISTS[name]
        return RootPlan(
            name,
            statement,
            lambda record: _connection(
                selection, label, record["total"], record["page"], skip, limit
            ),
        )
    if name == "search":
        limit = min(int(selection.arg("first") or 20), queries.MAX_PAGE)
        statement = queries.search(selection, selection.arg("text"), limit, tag)
        return RootPlan(name, statement, lambda record: record["result"])
    if name in RELATIONSHIP_FIELDS:
        from eventgraph.api.graphql.relationships import (
            plan_relationship,  # it builds on this module
        )

        return plan_relationship(selection, tag)
    raise InvalidData([Problem(name, name, "is not a field eventgraph can answer")])


def run_plan(driver: Driver, database: str, plan: RootPlan, timeout: float) -> Any:
    """Run a compiled root field: at most one round trip to Neo4j, in a read session without
    retries (when Neo4j is away the client hears so at once, not after a retry loop)."""
    if plan.statement is None:
        return plan.finish(None)
    try:
        with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            query = Query(plan.statement.cypher, timeout=timeout)
            record = session.run(query, plan.statement.params).single()
    except (Neo4jError, DriverError) as error:
        raise _translated(error, plan, timeout) from None
    return plan.finish(record)


async def run_plan_async(driver: AsyncDriver, database: str, plan: RootPlan, timeout: float) -> Any:
    """`run_plan` on the event loop (the fast path)."""
    if plan.statement is None:
        return plan.finish(None)
    try:
        async with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            query = Query(plan.statement.cypher, timeout=timeout)
            record = await (await session.run(query, plan.statement.params)).single()
    except (Neo4jError, DriverError) as error:
        raise _translated(error, plan, timeout) from None
    return plan.finish(record)


def _translated(error: Exception, plan: RootPlan, timeout: float) -> Exception:
    """The driver's error as eventgraph tells it (unchanged when it is none of ours)."""
    if isinstance(error, ServiceUnavailable | SessionExpired):
        return Unavailable("Neo4j does not answer (it is away or restarting)")
    if isinstance(error, Neo4jError) and is_memory_limit(error):
        return QueryTooLarge()
    code = error.code if isinstance(error, ClientError) else None
    if (code or "").startswith("Neo.ClientError.Transaction.TransactionTimedOut"):
        return QueryTimedOut(
            f"the query took longer than {timeout:g} s: ask for less (fewer nested lists, "
            "a smaller page or window)"
        )
    if plan.field == "search" and code == "Neo.ClientError.Procedure.ProcedureCallFailed":
        # The full-text index parses `text` (Lucene syntax: `OR`, quotes, `*`, `~`).
        return InvalidData(
            [
                Problem(
                    "search",
                    "text",
                    "is not a full-text query the index can parse",
                    "use words, quotes in pairs, OR/AND between words, a trailing *",
                )
            ]
        )
    return error
