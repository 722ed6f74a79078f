"""The GraphQL types, one per ontology label, with enums taken from the ontology.

Objects are never built in Python: a root field runs one compiled Cypher statement
(`graph/projection.py`) whose rows already have the response shape, keyed by response key. So
every field here reads its value with the one resolver `from_row`, and abstract types (the
`Node` interface, the `Entity` and `Place` unions) recognise their members by the `__label` the
compiler adds for this path. `tests/test_graphql_schema.py` checks these types against the
compiler's field table and the exported `schema.graphql`.
"""

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from eventgraph.graph import ontology


def from_row(root: Any, info: Info) -> Any:
    """The value the compiled statement put under this field's response key."""
    return root[info.path.key]


def row(graphql_type: Any, description: str | None = None) -> Any:
    return strawberry.field(resolver=from_row, graphql_type=graphql_type, description=description)


def _enum(name: str, values: tuple[str, ...], description: str) -> Any:
    members: Any = Enum(name, {value: value for value in values})  # type: ignore[misc]
    return strawberry.enum(members, description=description)


ActorKind = _enum("ActorKind", ontology.ACTOR.kinds, "Kinds of actor.")
EquipmentKind = _enum("EquipmentKind", ontology.EQUIPMENT_TYPE.kinds, "Kinds of equipment type.")
AssetKind = _enum("AssetKind", ontology.ASSET.kinds, "Kinds of asset.")
LocationKind = _enum("LocationKind", ontology.LOCATION.kinds, "Kinds of place.")
SourceKind = _enum("SourceKind", ontology.SOURCE.kinds, "Kinds of source.")
ReportKind = _enum("ReportKind", ontology.REPORT.kinds, "Kinds of report.")
EventType = _enum("EventType", tuple(t.name for t in ontology.EVENT_TYPES), "Event taxonomy.")
RoleName = _enum("Role", tuple(r.name for r in ontology.ROLES), "Roles in events.")
RelationType = _enum(
    "RelationType", tuple(r.name for r in ontology.RELATION_TYPES), "Relations between entities."
)
Reliability = _enum(
    "Reliability",
    tuple(r.value for r in ontology.Reliability),
    "Admiralty source reliability, A (completely reliable) to F (cannot be judged).",
)
TimePrecision = _enum(
    "TimePrecision",
    tuple(p.value for p in ontology.TimePrecision),
    "How precisely a time is known.",
)
PlacePrecision = _enum(
    "PlacePrecision",
    tuple(p.value for p in ontology.PlacePrecision),
    "How precisely a place is known.",
)

DateTime = strawberry.scalar(
    str,
    name="DateTime",
    description="An ISO-8601 UTC instant, e.g. 2025-10-24T00:00:00Z.",
    serialize=str,
    parse_value=str,
)


def _tagged(cls: type) -> type:
    """Let abstract positions recognise rows of this type by their `__label`."""
    name = cls.__name__

    def is_type_of(obj: Any, info: Info) -> bool:
        return isinstance(obj, dict) and obj.get("__label") == name

    cls.is_type_of = classmethod(lambda _cls, obj, info: is_type_of(obj, info))  # type: ignore[attr-defined]
    return cls


@strawberry.interface(description="Anything with a global id (`Label:key`), for `node(id)`.")
class Node:
    id = row(strawberry.ID, "Global id: the label and the key, e.g. `Event:hmeimim-2025-attack`.")


@strawberry.type(description="When something happened, exactly as precisely as known.")
class TimeSpan:
    start = row(DateTime | None, "First instant it may have happened (null: open).")
    end = row(DateTime | None, "Last instant it may have happened (null: open).")
    precision = row(TimePrecision)
    year_assumed = row(bool, "The source gave no year; the year is an assumption.")
    note = row(str | None, "How the time is known, in words.")


@strawberry.type(description="A WGS-84 point and how precise it is.")
class GeoPoint:
    latitude = row(float)
    longitude = row(float)
    precision = row(PlacePrecision | None)
    uncertainty_km = row(float | None)


@strawberry.type(description="A state, government, armed force, group or person (maybe unnamed).")
@_tagged
class Actor(Node):
    key = row(str, "The id in the native format.")
    name = row(str)
    aliases = row(list[str])
    description = row(str | None)
    kind = row(ActorKind)
    anonymous = row(bool)


@strawberry.type(description="A type of equipment (An-124-100 'Ruslan').")
@_tagged
class EquipmentType(Node):
    key = row(str)
    name = row(str)
    aliases = row(list[str])
    description = row(str | None)
    kind = row(EquipmentKind)


@strawberry.type(description="A place; places nest (site → province → country).")
@_tagged
class Location(Node):
    key = row(str)
    name = row(str)
    aliases = row(list[str])
    description = row(str | None)
    kind = row(LocationKind)
    point = row(GeoPoint | None)
    within = row(Annotated["Location", strawberry.lazy("eventgraph.api.graphql.types")] | None)
    contains = row(list[Annotated["Location", strawberry.lazy("eventgraph.api.graphql.types")]])


@strawberry.type(description="An installation or an individual airframe, ship or vehicle.")
@_tagged
class Asset(Node):
    key = row(str)
    name = row(str)
    aliases = row(list[str])
    description = row(str | None)
    kind = row(AssetKind)
    registration = row(str | None)
    located_at = row(Location | None)
    instance_of = row(EquipmentType | None)


@strawberry.type(description="Who reports: an outlet, a data service, an (anonymous) person.")
@_tagged
class Source(Node):
    key = row(str)
    name = row(str)
    aliases = row(list[str])
    description = row(str | None)
    kind = row(SourceKind)
    anonymous = row(bool)
    reliability = row(Reliability | None, "Its usual grading.")
    reliability_note = row(str | None)
    actor = row(Actor | None, "The actor this source is.")


@strawberry.type(description="One publication of a source.")
@_tagged
class Report(Node):
    key = row(str)
    name = row(str)
    kind = row(ReportKind)
    url = row(str | None)
    description = row(str | None)
    published = row(TimeSpan | None)
    publisher = row(Source | None)


@strawberry.type(description="One source's graded claim, in one report.")
class Claim:
    key = row(str)
    source = row(Source)
    report = row(Report | None)
    reliability = row(Reliability)
    credibility = row(int, "Information credibility, 1 (confirmed) to 6 (cannot be judged).")
    paraphrase = row(str)
    reported_on = row(DateTime | None)


Entity = Annotated[Actor | Asset | EquipmentType | Location, strawberry.union("Entity")]
Place = Annotated[Location | Asset, strawberry.union("Place")]


@strawberry.type(description="An entity in a role in an event.")
class Participation:
    role = row(RoleName)
    entity = row(Entity)


TIME_ORDER = (
    "In time order: `start` ascending, an open (unknown) start first; then `end` ascending, "
    "an open end last; then `key`. Events taken back by `retractEvent` are left out."
)
"""How nested event lists are ordered (`graph.projection.time_order`)."""
_Events = list[Annotated["Event", strawberry.lazy("eventgraph.api.graphql.types")]]


@strawberry.type(
    description="Something that happened, with its time, places, participants, claims."
)
@_tagged
class Event(Node):
    key = row(str)
    name = row(str)
    aliases = row(list[str])
    description = row(str | None)
    type = row(EventType)
    time = row(TimeSpan)
    place_precision = row(PlacePrecision | None)
    participants = row(list[Participation])
    at = row(list[Place])
    origin = row(Place | None)
    destination = row(Place | None)
    part_of = row(_Events, "Larger events this is part of. " + TIME_ORDER)
    parts = row(_Events, "Events that are part of this one. " + TIME_ORDER)
    about = row(_Events, "Events this statement or assessment is about. " + TIME_ORDER)
    ends = row(_Events, "Events this one ends. " + TIME_ORDER)
    claims = row(list[Claim])


@strawberry.type(description="A sourced, time-bounded relation between two entities.")
@_tagged
class Relation(Node):
    key = row(str)
    type = row(RelationType)
    description = row(str | None)
    since = row(
        TimeSpan | None, "When it began, as precisely as known (all of 2015: 'since 2015')."
    )
    until = row(TimeSpan | None, "When it ended, as precisely as known (null: open).")
    from_ = strawberry.field(resolver=from_row, graphql_type=Entity | None, name="from")
    to = row(Entity | None)
    claims = row(list[Claim])


@strawberry.type
class PageInfo:
    has_next_page = row(bool)
    has_previous_page = row(bool)
    start_cursor = row(str | None)
    end_cursor = row(str | None)


@strawberry.type
class EventEdge:
    cursor = row(str)
    node = row(Event)


@strawberry.type(description="A page of events; totalCount is counted, not collected.")
class EventConnection:
    total_count = row(int)
    page_info = row(PageInfo)
    edges = row(list[EventEdge])
    nodes = row(list[Event])


@strawberry.type
class SearchHit:
    score = row(float)
    node = row(Node)


NODE_CLASSES = (Actor, EquipmentType, Asset, Location, Source, Report, Event, Relation)
