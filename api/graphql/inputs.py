"""The GraphQL input types of the read API: filters, windows, orders (mutations keep theirs in
`api/graphql/mutations.py`). The compiler reads them as plain maps by the model's names
(`api/graphql/selection.py` turns them into those; `graph/translate/arguments.py` reads them).
"""

from enum import Enum
from typing import Any

import strawberry

from eventgraph.api.graphql.types import (
    ActorKind,
    AssetKind,
    EquipmentKind,
    EventType,
    LocationKind,
    RelationType,
    Reliability,
    ReportKind,
    RoleName,
    SourceKind,
)
from eventgraph.graph.translate.queries import Sourcing


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
    meaning: `graph.translate.queries.claim_conditions`)."""

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
    min_independent_origins: int | None = strawberry.field(
        default=None,
        description="At least this many independent origins: claims that repeat another "
        "report or rest on another source's data count as that origin (docs/reliability.md).",
    )


@strawberry.input(description="Every given condition must hold.")
class EventFilter(ClaimConditions):
    types: list[EventType] | None = None
    text: str | None = strawberry.field(default=None, description="In the event's name.")
    claim_text: str | None = strawberry.field(
        default=None,
        description="In what one of its claims says: the paraphrase or the quote (any case).",
    )
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
