"""Mutations for editors: upsert entities, record and retract events, merge and unmerge nodes.

Writes go through the importer's own validation and writer (`graph.importer.import_records`),
so the API accepts exactly what an import accepts, with the same problems on the same field
paths, and is idempotent on the client-supplied keys. References (`locatedAt`, participants'
`ref`, claims' `source` …) are native keys, as in the import format. Neo4j away answers
`Unavailable` at once (the executor's policy: `graph/executor.py`).

The inputs' plain fields and links come from the model (`graph/model.py`, through `input_of`);
the classes here write only the special parts (time, point, participants, claims).
"""

import asyncio
from collections.abc import Mapping
from enum import Enum
from functools import cache
from typing import Any

import strawberry
from starlette.websockets import WebSocket
from strawberry.schema.name_converter import NameConverter
from strawberry.types import Info
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryList, StrawberryOptional

from eventgraph.api.auth import identify
from eventgraph.api.errors import Forbidden
from eventgraph.api.graphql.merging import (
    CoreferenceApplied,
    Merge,
    Unmerge,
    apply_coreference_merges,
    merge_nodes,
    unmerge_nodes,
)
from eventgraph.api.graphql.selection import selection_of
from eventgraph.api.graphql.types import (
    Actor,
    Asset,
    DurationUnit,
    Event,
    Location,
    PlacePrecision,
    Reliability,
    RoleName,
    Source,
    TimePrecision,
    input_of,
)
from eventgraph.api.metrics import count_import
from eventgraph.graph import model
from eventgraph.graph.errors import InvalidData, a_or_an
from eventgraph.graph.executor import Executor
from eventgraph.graph.importer import import_records
from eventgraph.graph.retraction import retract_event
from eventgraph.graph.tokens import Role, TokenInfo
from eventgraph.graph.translate import queries


@strawberry.input
class TimeInput:
    start: str | None = None
    end: str | None = None
    precision: TimePrecision
    year_assumed: bool = False
    note: str | None = None


@strawberry.input
class DurationInput:
    amount: int
    unit: DurationUnit
    approximate: bool = False


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
    quote: str | None = None
    grading_note: str | None = None
    report: str | None = None
    based_on: list[str] = strawberry.field(
        default_factory=list,
        description="Keys of the Sources whose data or word it rests on (docs/reliability.md).",
    )
    reliability: Reliability | None = None
    reported_on: str | None = None
    key: str | None = None


@strawberry.input
class ParticipantInput:
    role: RoleName
    ref: str = strawberry.field(description="Key of an actor, asset, equipment type or location.")


@strawberry.input(description="An id another system gives the node (docs/identity.md).")
class ExternalIdInput:
    scheme: str
    value: str


IDS = "Ids other systems give it (docs/identity.md)."


@strawberry.input
@input_of(model.ACTOR)
class ActorInput:
    external_ids: list[ExternalIdInput] = strawberry.field(default_factory=list, description=IDS)


@strawberry.input
@input_of(model.ASSET)
class AssetInput:
    external_ids: list[ExternalIdInput] = strawberry.field(default_factory=list, description=IDS)


@strawberry.input
@input_of(model.LOCATION)
class LocationInput:
    external_ids: list[ExternalIdInput] = strawberry.field(default_factory=list, description=IDS)
    point: PointInput | None = None


@strawberry.input
@input_of(model.SOURCE)
class SourceInput:
    external_ids: list[ExternalIdInput] = strawberry.field(default_factory=list, description=IDS)


@strawberry.input
@input_of(model.EVENT, after={"type": "key"})
class EventInput:
    time: TimeInput
    claims: list[ClaimInput]
    duration: DurationInput | None = None
    participants: list[ParticipantInput] = strawberry.field(default_factory=list)
    external_ids: list[ExternalIdInput] = strawberry.field(
        default_factory=list, description="Its old ids (scheme `id`, docs/identity.md)."
    )


@strawberry.type(description="An event taken out of normal queries, kept for audit.")
class Retraction:
    key: str
    reason: str
    retracted_by: str
    retracted_at: str


NATIVE_NAMES = {"key": "id", "latitude": "lat", "longitude": "lon"}
"""Input fields whose native-format name differs from their Python name."""
_Plan = tuple[tuple[str, str, type | None], ...]
"""Per field of an input type: its GraphQL name, its native name, its input type if nested."""


def _nested_input(type_: Any) -> type | None:
    """The input class `type_` (optional, a list, or both) holds, None for a leaf."""
    while isinstance(type_, StrawberryOptional | StrawberryList):
        type_ = type_.of_type
    definition = getattr(type_, "__strawberry_definition__", None)
    return type_ if definition is not None and definition.is_input else None


@cache
def _plan_of(cls: type, names: NameConverter) -> _Plan:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return tuple(
        (
            names.from_field(field),
            NATIVE_NAMES.get(field.python_name, field.python_name),
            _nested_input(field.resolve_type(type_definition=definition)),
        )
        for field in definition.fields
    )


def _native(cls: type, value: Mapping[str, Any], names: NameConverter) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for graphql_name, name, nested in _plan_of(cls, names):
        item = value.get(graphql_name)
        if item is None:
            continue
        if isinstance(item, list):  # a copy: graphql-core gives every request one default
            item = [_native(nested, entry, names) for entry in item] if nested else _leaves(item)
        elif nested is not None:
            item = _native(nested, item, names)
        elif isinstance(item, Enum):
            item = item.value
        record[name] = item
    return record


def _leaves(items: list[Any]) -> list[Any]:
    return [item.value if isinstance(item, Enum) else item for item in items]


def native_record(cls: type, value: Mapping[str, Any], context: InputContext) -> dict[str, Any]:
    """A mutation's input as a native-format record (keys → ids, enums → values, no nulls),
    straight from the value GraphQL checked and coerced (every default the schema publishes
    filled in): strawberry's own conversion built each input's class field by field (~1.5 ms
    of a recordEvent) only for the record to be taken apart again."""
    return _native(cls, value, context.config.name_converter)


for _input in (ActorInput, AssetInput, LocationInput, SourceInput, EventInput):
    _input.__strawberry_definition__.from_input = native_record  # type: ignore[union-attr]


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
    """Check the caller is an editor, write through the importer, return the nodes as asked.
    Each of `items` is a native record, whatever its annotation says (`native_record`)."""
    await _editor(info)
    executor: Executor = info.context["request"].app.state.executor
    records = [(collection, item) for item in items]  # native records (`native_record`)
    selection = selection_of(info)
    statement = queries.nodes_by_keys(selection, label, [item["id"] for item in items], tag=True)
    try:
        _, written = await asyncio.to_thread(
            executor.call, import_records, records, "mutation", statement
        )
    except InvalidData:
        count_import(collection, len(records), written=False)
        raise
    count_import(collection, len(records), written=True)
    return written[0]["result"]  # type: ignore[no-any-return]  # it collects: one record


async def _written(info: Info) -> None:
    """The answer carries a bookmark at least as new as what the mutation wrote in the graph
    functions' own sessions (`graph/consistency.py`; `_write` reads back on the writer instead)."""
    executor: Executor = info.context["request"].app.state.executor
    await asyncio.to_thread(executor.note_writes)


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
        caller = await _editor(info)
        executor: Executor = info.context["request"].app.state.executor
        done = await asyncio.to_thread(executor.call, retract_event, key, reason, caller.name)
        await _written(info)
        return Retraction(key=key, reason=reason, retracted_by=caller.name,
                          retracted_at=done.isoformat().replace("+00:00", "Z"))  # fmt: skip

    @strawberry.mutation(
        description="Fold node `fold` into `keep` (global ids of one label: actors, equipment "
        "types, assets, places, events): its claims, links and ids move, its key reads as "
        "`keep`; recorded, undone exactly by `unmergeNodes` (editor; docs/identity.md)."
    )
    async def merge_nodes(
        self, info: Info, keep: strawberry.ID, fold: strawberry.ID, reason: str
    ) -> Merge:
        caller = await _editor(info)
        merged = await merge_nodes(info, caller.name, str(keep), str(fold), reason)
        await _written(info)
        return merged

    @strawberry.mutation(
        description="Undo a merge: both nodes as they were; what came since stays with the "
        "node kept (editor; docs/identity.md)."
    )
    async def unmerge_nodes(self, info: Info, merge: str, reason: str) -> Unmerge:
        caller = await _editor(info)
        unmerged = await unmerge_nodes(info, caller.name, merge, reason)
        await _written(info)
        return unmerged

    @strawberry.mutation(
        description="Merge every automatic event coreference proposal (the event with the "
        "narrower time kept), each recorded and undone by `unmergeNodes`; refused ones are "
        "skipped (editor; docs/resolution.md)."
    )
    async def apply_coreference(self, info: Info) -> CoreferenceApplied:
        caller = await _editor(info)
        applied = await apply_coreference_merges(info, caller.name)
        await _written(info)
        return applied
