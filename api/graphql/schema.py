"""The strawberry schema: its root fields, mutations and subscription.

Root fields resolve with `standard.answer_root` (the standard path: graphql-core completes every
field); `api/graphql/fast.py` answers the same queries without per-field completion;
`tests/test_graphql.py` proves both agree.
"""

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from eventgraph.api.consistency import BookmarksInAnswer
from eventgraph.api.graphql import types
from eventgraph.api.graphql.coreference import CoreferenceQueries
from eventgraph.api.graphql.fast import FastSchema
from eventgraph.api.graphql.inputs import (
    ActorFilter,
    AssetFilter,
    EquipmentTypeFilter,
    EventFilter,
    EventOrder,
    LocationFilter,
    RelationFilter,
    ReportFilter,
    SourceFilter,
    Window,
)
from eventgraph.api.graphql.limits import operation_limits
from eventgraph.api.graphql.merging import MergeQueries
from eventgraph.api.graphql.mutations import Mutation
from eventgraph.api.graphql.relationships import RelationshipQueries
from eventgraph.api.graphql.resolution import ResolutionQueries
from eventgraph.api.graphql.safety import extensions
from eventgraph.api.graphql.selection import selection_of
from eventgraph.api.graphql.standard import answer_root
from eventgraph.api.graphql.types import (
    NODE_CLASSES,
    EventConnection,
    Node,
    PageInfo,
    SearchHit,
    row,
)
from eventgraph.api.graphql.types import (
    Event as EventNode,
)
from eventgraph.graph import __version__
from eventgraph.graph.executor import Executor
from eventgraph.graph.translate import queries
from eventgraph.graph.translate.arguments import event_filter
from eventgraph.graph.translate.queries import DEFAULT_PAGE, MAX_PAGE

PAGE = f"At most {MAX_PAGE}; {DEFAULT_PAGE} when neither first nor last is given."


@strawberry.type
class Query(RelationshipQueries, ResolutionQueries, CoreferenceQueries, MergeQueries):
    @strawberry.field(description="The eventgraph version serving this API.")
    def version(self) -> str:
        return __version__

    @strawberry.field(description="Any node by its global id (`Label:key`).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await answer_root(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The node an external id identifies (`scheme`: modes, registration, "
        "icao_type, icao_airport, wikidata …; the value is normalised for it), or null; an "
        "`id` alias reads as the node its record attached to (docs/identity.md)."
    )
    async def by_external_id(self, info: Info, scheme: str, value: str) -> Node | None:
        return await answer_root(info)  # type: ignore[no-any-return]

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
        return await answer_root(info)  # type: ignore[no-any-return]

    @strawberry.field(description="Full-text search over names and aliases, best match first.")
    async def search(self, info: Info, text: str, first: int | None = 20) -> list[SearchHit]:
        return await answer_root(info)  # type: ignore[no-any-return]

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
        return await answer_root(info)  # type: ignore[no-any-return]


def _entity_list(filter_type: type, node_type: type) -> Any:
    async def resolver(
        info: Info,
        filter: filter_type | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        return await answer_root(info)

    return strawberry.field(resolver=resolver, graphql_type=_connection_of(node_type))


def _connection_of(node_type: type) -> type:
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
        app = info.context["request"].app
        executor: Executor = app.state.executor
        selection = selection_of(info)
        wanted = event_filter(selection.arg("filter"))
        async for keys in app.state.event_feed.subscribe():
            statement = queries.events_by_keys(selection, wanted, keys, tag=True)
            # Each batch is answered as one operation: its own deadline and answer budget.
            limits = operation_limits(app.state.settings)
            record = await executor.read_one_async(statement, limits.remaining())
            assert record is not None  # the statement collects: always one record
            limits.take(record["result"])
            for event in record["result"]:
                yield event


schema = FastSchema(
    query=strawberry.type(_with_entity_lists(type("Query", (Query,), {}))),
    mutation=Mutation,
    subscription=Subscription,
    types=list(NODE_CLASSES),
    extensions=[*extensions(), BookmarksInAnswer],
)
