"""Mutations for editors: upsert entities, record and retract events.

Writes go through the importer's own validation and writer (`graph.importer.import_records`),
so the API accepts exactly what an import accepts, with the same problems on the same field
paths, and is idempotent on the client-supplied keys. References (`locatedAt`, participants'
`ref`, claims' `source` …) are native keys, as in the import format. Neo4j away answers
`Unavailable` at once (the API's driver makes one attempt; `graph.driver.answering` says so).
"""

import asyncio
from dataclasses import asdict, is_dataclass
from enum import Enum
from typing import Any

import strawberry
from starlette.websockets import WebSocket
from strawberry.types import Info

from eventgraph.api.auth import identify
from eventgraph.api.errors import Forbidden
from eventgraph.api.graphql.selection import Context, to_selection
from eventgraph.api.graphql.types import (
    Actor,
    ActorKind,
    Asset,
    AssetKind,
    Event,
    EventType,
    Location,
    LocationKind,
    PlacePrecision,
    Reliability,
    RoleName,
    Source,
    SourceKind,
    TimePrecision,
)
from eventgraph.graph import queries
from eventgraph.graph.driver import answering
from eventgraph.graph.errors import a_or_an
from eventgraph.graph.importer import import_records
from eventgraph.graph.retraction import retract_event
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, TokenInfo


@strawberry.input
class TimeInput:
    start: str | None = None
    end: str | None = None
    precision: TimePrecision
    year_assumed: bool = False
    note: str | None = None


@strawberry.input
class PointInput:
    latitude: float
    longitude: float
    precision: PlacePrecision
    uncertainty_km: float | None = None


@strawberry.input
class ClaimInput:
    source: str = strawberry.field(description="A Source key.")
    credibility: int = strawberry.field(description="1 (confirmed) to 6 (cannot be judged).")
    paraphrase: str
    report: str | None = None
    reliability: Reliability | None = None
    reported_on: str | None = None
    key: str | None = None


@strawberry.input
class ParticipantInput:
    role: RoleName
    ref: str = strawberry.field(description="Key of an actor, asset, equipment type or location.")


@strawberry.input
class ActorInput:
    key: str
    name: str
    kind: ActorKind
    aliases: list[str] = strawberry.field(default_factory=list)
    description: str | None = None
    anonymous: bool = False


@strawberry.input
class AssetInput:
    key: str
    name: str
    kind: AssetKind
    aliases: list[str] = strawberry.field(default_factory=list)
    description: str | None = None
    located_at: str | None = None
    instance_of: str | None = None
    registration: str | None = None


@strawberry.input
class LocationInput:
    key: str
    name: str
    kind: LocationKind
    aliases: list[str] = strawberry.field(default_factory=list)
    description: str | None = None
    within: str | None = None
    point: PointInput | None = None


@strawberry.input
class SourceInput:
    key: str
    name: str
    kind: SourceKind
    aliases: list[str] = strawberry.field(default_factory=list)
    description: str | None = None
    anonymous: bool = False
    actor: str | None = None
    reliability: Reliability | None = None
    reliability_note: str | None = None


@strawberry.input
class EventInput:
    key: str
    type: EventType
    name: str
    time: TimeInput
    claims: list[ClaimInput]
    aliases: list[str] = strawberry.field(default_factory=list)
    description: str | None = None
    place_precision: PlacePrecision | None = None
    at: list[str] = strawberry.field(default_factory=list)
    origin: str | None = None
    destination: str | None = None
    participants: list[ParticipantInput] = strawberry.field(default_factory=list)
    part_of: list[str] = strawberry.field(default_factory=list)
    about: list[str] = strawberry.field(default_factory=list)
    ends: list[str] = strawberry.field(default_factory=list)


@strawberry.type(description="An event taken out of normal queries, kept for audit.")
class Retraction:
    key: str
    reason: str
    retracted_by: str
    retracted_at: str


def native(value: Any) -> Any:
    """A strawberry input as a native-format record: keys → ids, enums → values, no nulls."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        record = {}
        for name, item in value.items():
            if item is None:
                continue
            name = {"key": "id", "latitude": "lat", "longitude": "lon"}.get(name, name)
            record[name] = native(item)
        return record
    if isinstance(value, list):
        return [native(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


async def _editor(info: Info) -> TokenInfo:
    """The caller, if an editor: from the Authorization header, or, on a WebSocket that has
    none, from the token its `connection_init` gave (`FastRouter.on_ws_connect`)."""
    request = info.context["request"]
    caller = info.context.get("caller")
    if isinstance(request, WebSocket) and "authorization" not in request.headers:
        if caller is None or not caller.role.allows(Role.EDITOR):
            role = caller.role.value if caller is not None else "anonymous"
            raise Forbidden(f"{a_or_an(role)} connection cannot do this: it needs an editor token")
        return caller  # type: ignore[no-any-return]
    return await identify(request, Role.EDITOR)


async def _write(info: Info, collection: str, items: list[Any], label: str) -> list[Any]:
    """Check the caller is an editor, write through the importer, return the nodes as asked."""
    request = info.context["request"]
    await _editor(info)
    settings: Settings = request.app.state.settings
    driver = request.app.state.driver
    records = [(collection, native(item)) for item in items]
    raw = info._raw_info
    context = Context(raw.schema, raw.fragments, raw.variable_values)
    selection = to_selection(context, str(raw.path.key), list(raw.field_nodes), raw.parent_type)
    statement = queries.nodes_by_keys(selection, label, [item.key for item in items], tag=True)
    with answering(settings):
        await asyncio.to_thread(
            import_records, driver, settings.neo4j_database, records, "mutation"
        )
        records_out, _, _ = await asyncio.to_thread(
            driver.execute_query, statement.cypher, statement.params,
            database_=settings.neo4j_database,
        )  # fmt: skip
    return records_out[0]["result"]  # type: ignore[no-any-return]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create or update actors by key (editor).")
    async def upsert_actors(self, info: Info, input: list[ActorInput]) -> list[Actor]:
        return await _write(info, "actors", input, "Actor")

    @strawberry.mutation(description="Create or update assets by key (editor).")
    async def upsert_assets(self, info: Info, input: list[AssetInput]) -> list[Asset]:
        return await _write(info, "assets", input, "Asset")

    @strawberry.mutation(description="Create or update places by key (editor).")
    async def upsert_locations(self, info: Info, input: list[LocationInput]) -> list[Location]:
        return await _write(info, "locations", input, "Location")

    @strawberry.mutation(description="Create or update sources by key (editor).")
    async def upsert_sources(self, info: Info, input: list[SourceInput]) -> list[Source]:
        return await _write(info, "sources", input, "Source")

    @strawberry.mutation(
        description="Record an event with participants, places, time and sourced claims (editor)."
    )
    async def record_event(self, info: Info, input: EventInput) -> Event:
        return (await _write(info, "events", [input], "Event"))[0]  # type: ignore[no-any-return]

    @strawberry.mutation(
        description="Take an event out of normal queries, kept for audit (editor)."
    )
    async def retract_event(self, info: Info, key: str, reason: str) -> Retraction:
        request = info.context["request"]
        caller = await _editor(info)
        settings: Settings = request.app.state.settings
        with answering(settings):
            done = await asyncio.to_thread(
                retract_event, request.app.state.driver, settings.neo4j_database, key, reason,
                caller.name,
            )  # fmt: skip
        return Retraction(key=key, reason=reason, retracted_by=caller.name,
                          retracted_at=done.isoformat().replace("+00:00", "Z"))  # fmt: skip
