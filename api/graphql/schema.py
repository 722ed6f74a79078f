"""The strawberry schema: root fields whose resolvers run one compiled statement each.

This is the standard path (graphql-core completes every field). `api/graphql/fast.py` answers
the same queries without per-field completion; `tests/test_graphql.py` proves both agree.
"""

import asyncio
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Any

import neo4j
import strawberry
from graphql import FieldNode, GraphQLObjectType
from strawberry.types import Info

from eventgraph.api.graphql.fast import FastSchema
from eventgraph.api.graphql.limits import limits_of, operation_limits, run_field_in_turn
from eventgraph.api.graphql.mutations import Mutation
from eventgraph.api.graphql.relationships import RelationshipQueries
from eventgraph.api.graphql.resolve import event_filter, plan_root
from eventgraph.api.graphql.safety import extensions
from eventgraph.api.graphql.selection import Context, to_selection
from eventgraph.api.graphql.types import (
    NODE_CLASSES,
    ActorKind,
    AssetKind,
    EquipmentKind,
    EventConnection,
    EventType,
    LocationKind,
    Node,
    RelationType,
    Reliability,
    ReportKind,
    RoleName,
    SearchHit,
    SourceKind,
)
from eventgraph.api.graphql.types import (
    Event as EventNode,
)
from eventgraph.graph import __version__, queries
from eventgraph.graph.queries import DEFAULT_PAGE, MAX_PAGE, Sourcing
from eventgraph.graph.settings import Settings


@strawberry.enum(description="How to order events.")
class EventOrder(Enum):
    START_ASC = "START_ASC"
    START_DESC = "START_DESC"
    NAME_ASC = "NAME_ASC"


@strawberry.input(description="A time window; events overlapping it match. Partial times work.")
class Window:
    from_: str | None = strawberry.field(default=None, name="from", description="e.g. 2025-10-24")
    to: str | None = strawberry.field(default=None, description="e.g. 2025-10 (to its end)")


@strawberry.input(
    description="Within `km` of a WGS-84 point: a place only when its whole uncertainty disc "
    "is (distance + its point's `uncertaintyKm`, else a radius for its precision, ≤ km)."
)
class Near:
    latitude: float
    longitude: float
    km: float


SourcingEnum = strawberry.enum(
    Sourcing,
    name="Sourcing",
    description="Whose word it rests on: ANONYMOUS_ONLY (every claim from an anonymous source), "
    "NAMED_ONLY (every claim from a named one), ANY.",
)


@strawberry.input(description="What the claims of an event or relation rest on.")
class ClaimConditions:
    """The grading and sourcing conditions events and relations share (one set of fields, one
    meaning: `graph.queries.claim_conditions`)."""

    min_reliability: Reliability | None = strawberry.field(
        default=None,
        description="At least one claim this reliable (A best); with minCredibility, "
        "the same claim.",
    )
    min_credibility: int | None = strawberry.field(
        default=None,
        description="At least one claim this credible (1 best); with minReliability, "
        "the same claim.",
    )
    source: strawberry.ID | None = strawberry.field(
        default=None, description="A Source id: one claim from it (the graded one, if graded)."
    )
    sourcing: SourcingEnum | None = None  # type: ignore[valid-type]


@strawberry.input(description="Every given condition must hold.")
class EventFilter(ClaimConditions):
    types: list[EventType] | None = None
    text: str | None = strawberry.field(default=None, description="In the event's name.")
    window: Window | None = None
    involving: strawberry.ID | None = strawberry.field(default=None, description="A node id.")
    role: RoleName | None = strawberry.field(
        default=None, description="With `involving`: only in this role."
    )
    at: strawberry.ID | None = strawberry.field(
        default=None, description="A place (Location or Asset) id; places nested inside count."
    )
    origin: strawberry.ID | None = strawberry.field(
        default=None, description="Starting at this place (Location or Asset) or inside it."
    )
    destination: strawberry.ID | None = strawberry.field(
        default=None, description="Going to this place (Location or Asset) or inside it."
    )
    near: Near | None = None


@strawberry.input(description="Every given condition must hold.")
class RelationFilter(ClaimConditions):
    types: list[RelationType] | None = None
    from_: strawberry.ID | None = strawberry.field(
        default=None, name="from", description="The entity it is from (a node id)."
    )
    to: strawberry.ID | None = strawberry.field(default=None, description="The entity it is to.")
    involving: strawberry.ID | None = strawberry.field(default=None, description="Either end.")
    window: Window | None = strawberry.field(
        default=None, description="Relations whose since–until overlaps it (open ends do)."
    )


def _kinds_filter(name: str, kind_enum: Any) -> type:
    return strawberry.input(
        type(
            name,
            (),
            {
                "__annotations__": {"kinds": list[kind_enum] | None, "text": str | None},
                "kinds": None,
                "text": None,
            },
        ),
        description="Kinds (any of) and a text in the name or aliases.",
    )


ActorFilter = _kinds_filter("ActorFilter", ActorKind)
AssetFilter = _kinds_filter("AssetFilter", AssetKind)
EquipmentTypeFilter = _kinds_filter("EquipmentTypeFilter", EquipmentKind)
LocationFilter = _kinds_filter("LocationFilter", LocationKind)
SourceFilter = _kinds_filter("SourceFilter", SourceKind)
ReportFilter = _kinds_filter("ReportFilter", ReportKind)


async def _root(info: Info) -> Any:
    """Build this root field's selection from the raw query and resolve it in one statement
    (in a worker thread: the driver blocks, the event loop must not), within the operation's
    deadline and answer budget, one root field at a time."""
    raw = info._raw_info
    context = Context(raw.schema, raw.fragments, raw.variable_values)
    key = raw.path.key
    nodes: list[FieldNode] = list(raw.field_nodes)
    parent: GraphQLObjectType = raw.parent_type
    selection = to_selection(context, str(key), nodes, parent)
    request = info.context["request"]
    settings: Settings = request.app.state.settings
    limits = limits_of(info.context)
    limits.remaining()  # a field the operation has no time (or room) left for is not started
    return await run_field_in_turn(
        limits,
        request.app.state.driver,
        settings.neo4j_database,
        plan_root(selection, True),
    )


PAGE = f"At most {MAX_PAGE}; {DEFAULT_PAGE} when neither first nor last is given."


@strawberry.type
class Query(RelationshipQueries):
    @strawberry.field(description="The eventgraph version serving this API.")
    def version(self) -> str:
        return __version__

    @strawberry.field(description="Any node by its global id (`Label:key`).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _root(info)  # type: ignore[no-any-return]

    @strawberry.field(description="Events, filtered, ordered and paged (Relay). " + PAGE)
    async def events(
        self,
        info: Info,
        filter: EventFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: EventOrder = EventOrder.START_ASC,
    ) -> EventConnection:
        return await _root(info)  # type: ignore[no-any-return]

    @strawberry.field(description="Full-text search over names and aliases, best match first.")
    async def search(self, info: Info, text: str, first: int | None = 20) -> list[SearchHit]:
        return await _root(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Events an entity takes part in (any role) and, for a place (Location or "
        "Asset), events at it or at places inside it (as `events(filter: {at})`), each once; "
        "in time order: start (an open start first), then end (an open end last), then id; "
        "paged (Relay). " + PAGE
    )
    async def timeline(
        self,
        info: Info,
        entity: strawberry.ID,
        window: Window | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> EventConnection:
        return await _root(info)  # type: ignore[no-any-return]


def _entity_list(filter_type: type, node_type: type) -> Any:
    async def resolver(
        info: Info,
        filter: filter_type | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        return await _root(info)

    return strawberry.field(resolver=resolver, graphql_type=_connection_of(node_type))


def _connection_of(node_type: type) -> type:
    from eventgraph.api.graphql.types import PageInfo, row

    name = node_type.__name__
    edge = strawberry.type(
        type(f"{name}Edge", (), {"cursor": row(str), "node": row(node_type)}),
    )
    return strawberry.type(
        type(
            f"{name}Connection",
            (),
            {
                "total_count": row(int),
                "page_info": row(PageInfo),
                "edges": row(list[edge]),  # type: ignore[valid-type]
                "nodes": row(list[node_type]),  # type: ignore[valid-type]
            },
        ),
        description=f"A page of {name} nodes; totalCount is counted, not collected.",
    )


def _with_entity_lists(query: type) -> type:
    from eventgraph.api.graphql import types

    for field_name, filter_type, node_type in (
        ("actors", ActorFilter, types.Actor),
        ("assets", AssetFilter, types.Asset),
        ("equipment_types", EquipmentTypeFilter, types.EquipmentType),
        ("locations", LocationFilter, types.Location),
        ("sources", SourceFilter, types.Source),
        ("reports", ReportFilter, types.Report),
        ("relations", RelationFilter, types.Relation),
    ):
        setattr(query, field_name, _entity_list(filter_type, node_type))
    return query


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Events as they are recorded or changed (by the API or by imports), "
        "filtered; over the graphql-transport-ws protocol."
    )
    async def event_recorded(
        self, info: Info, filter: EventFilter | None = None
    ) -> AsyncGenerator[EventNode, None]:
        connection = info.context["request"]
        settings: Settings = connection.app.state.settings
        driver = connection.app.state.driver
        raw = info._raw_info
        context = Context(raw.schema, raw.fragments, raw.variable_values)
        selection = to_selection(context, str(raw.path.key), list(raw.field_nodes), raw.parent_type)
        wanted = event_filter(filter)
        async for keys in connection.app.state.event_feed.subscribe():
            statement = queries.events_by_keys(selection, wanted, keys, tag=True)
            # Each batch is answered as one operation: its own deadline and answer budget.
            limits = operation_limits(settings)
            records, _, _ = await asyncio.to_thread(
                driver.execute_query,
                neo4j.Query(statement.cypher, timeout=limits.remaining()),
                statement.params,
                database_=settings.neo4j_database,
            )
            limits.take(records[0]["result"])
            for event in records[0]["result"]:
                yield event


schema = FastSchema(
    query=strawberry.type(_with_entity_lists(type("Query", (Query,), {}))),
    mutation=Mutation,
    subscription=Subscription,
    types=list(NODE_CLASSES),
    extensions=extensions(),
)
