"""The GraphQL types, one per ontology label, with enums taken from the ontology.

Objects are never built in Python: a root field runs one compiled Cypher statement
(`graph/projection.py`) whose rows already have the response shape, keyed by response key. So
every field here reads its value with the one resolver `from_row`, and abstract types (the
`Node` interface, the `Entity` and `Place` unions) recognise their members by the `__label` the
compiler adds for this path.

A type's plain fields come from the model (`graph/model.py`, through `with_properties`); the
fields written here are the rest: links to other nodes, time spans, points, participations and
claims. `tests/test_graphql.py` checks these types against the model, the compiler's field
table (`graph.projection.FIELDS`) and the exported `schema.graphql`.
"""

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from eventgraph.graph import model, ontology


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
DurationUnit = _enum(
    "DurationUnit",
    tuple(u.value for u in ontology.DurationUnit),
    "The unit of a duration.",
)
PlacePrecision = _enum(
    "PlacePrecision",
    tuple(p.value for p in ontology.PlacePrecision),
    "How precisely a place is known.",
)

_PLAIN_TYPES: dict[model.ValueType, Any] = {
    model.ID: str,
    model.TEXT: str,
    model.TEXTS: list[str],
    model.FLAG: bool,
    model.INTEGER: int,
    model.NUMBER: float,
    model.ACTOR_KIND: ActorKind,
    model.EQUIPMENT_KIND: EquipmentKind,
    model.ASSET_KIND: AssetKind,
    model.LOCATION_KIND: LocationKind,
    model.SOURCE_KIND: SourceKind,
    model.REPORT_KIND: ReportKind,
    model.EVENT_TYPE: EventType,
    model.RELATION_TYPE: RelationType,
    model.RELIABILITY: Reliability,
    model.PLACE_PRECISION: PlacePrecision,
}
"""The GraphQL type of each value type of the model."""


def plain_type(prop: model.Prop) -> Any:
    """A plain property's GraphQL type: null where the import format lets it be absent
    (lists and flags read as empty and false instead)."""
    graphql_type = _PLAIN_TYPES[prop.type]
    always = prop.required or prop.type.many or prop.type is model.FLAG
    return graphql_type if always else graphql_type | None


def _python_name(prop: model.Prop) -> str:
    return prop.graphql or prop.name


T = TypeVar("T", bound=type)


def _rebuilt(
    cls: T, fields: dict[str, Any], annotations: dict[str, Any], after: dict[str, str]
) -> T:
    """`cls` anew with `fields` (name → field or default) in that order, those named in `after`
    moved to follow another (so `schema.graphql` keeps the order it has always had)."""
    names = list(fields)
    for name, anchor in after.items():
        names.remove(name)
        names.insert(names.index(anchor) + 1, name)
    namespace = {
        key: value
        for key, value in vars(cls).items()
        if key not in ("__dict__", "__weakref__", "__annotations__") and key not in fields
    }
    namespace["__annotations__"] = {n: annotations[n] for n in names if n in annotations}
    namespace.update(
        (name, fields[name]) for name in names if fields[name] is not dataclasses.MISSING
    )
    rebuilt: T = type(cls)(cls.__name__, cls.__bases__, namespace)
    return rebuilt


def with_properties(shape: model.Shape, after: dict[str, str] | None = None) -> Callable[[T], T]:
    """Give a GraphQL type the plain properties of its label, ahead of the fields its class
    writes (each read from the row by `from_row`)."""

    def build(cls: T) -> T:
        fields: dict[str, Any] = {
            _python_name(prop): row(plain_type(prop), prop.graphql_doc) for prop in shape.props
        }
        fields.update(
            (name, value) for name, value in vars(cls).items() if isinstance(value, StrawberryField)
        )
        return _rebuilt(cls, fields, {}, after or {})

    return build


def _input_field(part: model.Prop | model.Link) -> tuple[str, Any, Any]:
    """(name, type, default) of a plain property or a link (given by key) in a mutation input."""
    if isinstance(part, model.Prop):
        name, graphql_type, many = _python_name(part), plain_type(part), part.type.many
    else:
        name, many = part.python_name, part.many
        graphql_type = list[str] if many else (str if part.required else str | None)
    if part.required:
        return name, graphql_type, dataclasses.MISSING
    if many:
        return name, graphql_type, strawberry.field(default_factory=list)
    return name, graphql_type, (False if graphql_type is bool else None)


def input_of(shape: model.Shape, after: dict[str, str] | None = None) -> Callable[[T], T]:
    """Give a mutation input the plain properties and links of its label; its class writes the
    special parts. Required fields come first, each group in the model's order."""

    def build(cls: T) -> T:
        own = getattr(cls, "__annotations__", {})
        entries: list[tuple[str, Any, Any]] = []
        for part in shape.fields:
            if not isinstance(part, model.Special):
                entries.append(_input_field(part))
            elif part.name in own:
                default = vars(cls).get(part.name, dataclasses.MISSING)
                entries.append((part.name, own[part.name], default))
            else:
                raise TypeError(f"{cls.__name__} lacks the model's `{part.name}`")
        entries.sort(key=lambda entry: entry[2] is not dataclasses.MISSING)
        fields = {name: default for name, _, default in entries}
        annotations = {name: graphql_type for name, graphql_type, _ in entries}
        return _rebuilt(cls, fields, annotations, after or {})

    return build


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


@strawberry.type(description="How long something lasted, as precisely as the source says.")
class Duration:
    amount = row(int)
    unit = row(DurationUnit)
    approximate = row(bool, "The source gives a round figure ('about six months').")


@strawberry.type(description="A WGS-84 point and how precise it is.")
class GeoPoint:
    latitude = row(float)
    longitude = row(float)
    precision = row(PlacePrecision | None)
    uncertainty_km = row(float | None)


@strawberry.type(description="An id another system gives a node (docs/identity.md).")
class ExternalId:
    scheme = row(str, "The system: modes, registration, icao_type, icao_airport, wikidata …")
    value = row(str, "The id, normalised for its scheme (Mode-S hex lower case, ICAO upper).")


@strawberry.type(description="A state, government, armed force, group or person (maybe unnamed).")
@_tagged
@with_properties(model.ACTOR)
class Actor(Node):
    external_ids = row(list[ExternalId])


@strawberry.type(description="A type of equipment (An-124-100 'Ruslan').")
@_tagged
@with_properties(model.EQUIPMENT_TYPE)
class EquipmentType(Node):
    external_ids = row(list[ExternalId])


@strawberry.type(description="A place; places nest (site → province → country).")
@_tagged
@with_properties(model.LOCATION)
class Location(Node):
    external_ids = row(list[ExternalId])
    point = row(GeoPoint | None)
    within = row(Annotated["Location", strawberry.lazy("eventgraph.api.graphql.types")] | None)
    contains = row(list[Annotated["Location", strawberry.lazy("eventgraph.api.graphql.types")]])


@strawberry.type(description="An installation or an individual airframe, ship or vehicle.")
@_tagged
@with_properties(model.ASSET)
class Asset(Node):
    external_ids = row(list[ExternalId])
    located_at = row(Location | None)
    instance_of = row(EquipmentType | None)


@strawberry.type(description="Who reports: an outlet, a data service, an (anonymous) person.")
@_tagged
@with_properties(model.SOURCE)
class Source(Node):
    external_ids = row(list[ExternalId])
    actor = row(Actor | None, "The actor this source is.")


@strawberry.type(description="One publication of a source.")
@_tagged
@with_properties(model.REPORT)
class Report(Node):
    external_ids = row(list[ExternalId])
    published = row(TimeSpan | None)
    publisher = row(Source | None)
    repeats = row(
        Annotated["Report", strawberry.lazy("eventgraph.api.graphql.types")] | None,
        "The report this one repeats (a syndicated copy, a rewrite): one origin with it.",
    )


@strawberry.type(description="One source's graded claim, in one report.")
class Claim:
    key = row(str)
    source = row(Source)
    report = row(Report | None)
    based_on = row(
        list[Source],
        "The sources whose data or word it rests on (empty: its source's own): its origins.",
    )
    reliability = row(Reliability)
    credibility = row(int, "Information credibility, 1 (confirmed) to 6 (cannot be judged).")
    paraphrase = row(str, "What the source said, in our words.")
    quote = row(str | None, "The source's exact words, where recorded.")
    grading_note = row(str | None, "Why this reliability and credibility.")
    reported_on = row(DateTime | None)


@strawberry.type(
    description="An Admiralty grading: source reliability and information credibility."
)
class Grading:
    reliability = row(Reliability)
    credibility = row(int, "1 (confirmed) to 6 (cannot be judged).")
    code = row(str, "Both in one, as analysts write it: `B2`.")


@strawberry.type(description="A source the claims finally rest on (docs/reliability.md).")
class Origin:
    source = row(Source)
    claim_count = row(int, "How many of the claims rest on it.")


@strawberry.type(
    description="How many independent origins support an event or relation, and how well: "
    "claims that repeat another report or rest on another source's data count as that "
    "origin (docs/reliability.md). Retracted claims are left out."
)
class Corroboration:
    independent_origins = row(int, "Distinct origins of its claims.")
    origins = row(list[Origin], "Each origin once, in the order of the first claim resting on it.")
    best_grading = row(
        Grading | None, "The best grading of a claim: reliability first (A best), then credibility."
    )
    worst_grading = row(Grading | None, "The worst grading of a claim, in the same order.")
    anonymous_only = row(bool, "Every origin is an anonymous source.")
    claim_count = row(int, "How many claims support it.")


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
@with_properties(model.EVENT, after={"time": "type"})
class Event(Node):
    external_ids = row(
        list[ExternalId], "Its old ids (scheme `id`): events merged into it (docs/identity.md)."
    )
    time = row(TimeSpan)
    duration = row(Duration | None, "How long it lasted, where the source says (null: not given).")
    participants = row(list[Participation])
    at = row(list[Place])
    origin = row(Place | None)
    destination = row(Place | None)
    part_of = row(_Events, "Larger events this is part of. " + TIME_ORDER)
    parts = row(_Events, "Events that are part of this one. " + TIME_ORDER)
    about = row(_Events, "Events this statement or assessment is about. " + TIME_ORDER)
    ends = row(_Events, "Events this one ends. " + TIME_ORDER)
    claims = row(list[Claim])
    corroboration = row(Corroboration)


@strawberry.type(description="A sourced, time-bounded relation between two entities.")
@_tagged
@with_properties(model.RELATION)
class Relation(Node):
    since = row(
        TimeSpan | None, "When it began, as precisely as known (all of 2015: 'since 2015')."
    )
    until = row(TimeSpan | None, "When it ended, as precisely as known (null: open).")
    from_ = strawberry.field(resolver=from_row, graphql_type=Entity | None, name="from")
    to = row(Entity | None)
    claims = row(list[Claim])
    corroboration = row(Corroboration)


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
