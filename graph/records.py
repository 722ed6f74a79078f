"""The native import format, as pydantic models built from the ontology.

One document (YAML or JSON) holds collections keyed as in the ontology (`actors:`, `events:` …).
These models check each record's shape, enums, times and coordinates; `graph/importer/` checks
what spans records (references, duplicates). `import_json_schema()` is the JSON Schema users'
editors validate against (`docs/eventgraph.schema.json`, kept in step by a test).
"""

from dataclasses import dataclass
from datetime import date, datetime
from difflib import get_close_matches
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, core_schema

from eventgraph.graph import ontology
from eventgraph.graph.ontology import Credibility, PlacePrecision, Reliability, TimePrecision
from eventgraph.graph.timespan import Span, TimeError, canonical, span

FORMAT_VERSION = 1

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$"
Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Stable identifier: letters, digits and . _ : / - (at most 200)."),
]
PartialTime = Annotated[
    str | int | date | datetime,
    Field(description="2025, 2025-10, 2025-10-26 or an instant with offset, 2025-10-26T14:05:00Z"),
]


def _canonical_or_error(value: object) -> object:
    if value is None:
        return None
    try:
        return canonical(value)
    except TimeError as error:
        raise ValueError(str(error)) from None


SUGGESTION = "; did you mean "


@dataclass(frozen=True)
class OneOf:
    """Annotated metadata: the string must be one of the ontology's `values`.

    The error names the allowed values and the closest one; the JSON Schema gets an enum.
    """

    what: str
    values: tuple[str, ...]

    def check(self, value: str) -> str:
        if value not in self.values:
            close = get_close_matches(value, self.values, n=1, cutoff=0.6)
            hint = f"{SUGGESTION}'{close[0]}'?" if close else ""
            raise ValueError(
                f"'{value}' is not a known {self.what} ({', '.join(self.values)}){hint}"
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


ActorKind = Annotated[str, OneOf("actor kind", ontology.ACTOR.kinds)]
EquipmentKind = Annotated[str, OneOf("equipment kind", ontology.EQUIPMENT_TYPE.kinds)]
AssetKind = Annotated[str, OneOf("asset kind", ontology.ASSET.kinds)]
LocationKind = Annotated[str, OneOf("location kind", ontology.LOCATION.kinds)]
SourceKind = Annotated[str, OneOf("source kind", ontology.SOURCE.kinds)]
ReportKind = Annotated[str, OneOf("report kind", ontology.REPORT.kinds)]
EventTypeName = Annotated[str, OneOf("event type", tuple(t.name for t in ontology.EVENT_TYPES))]
RoleName = Annotated[str, OneOf("role", tuple(r.name for r in ontology.ROLES))]
RelationTypeName = Annotated[
    str, OneOf("relation type", tuple(r.name for r in ontology.RELATION_TYPES))
]


class Record(BaseModel):
    """Common to every record: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
    label: ClassVar[ontology.NodeLabel]

    id: Id


class Named(Record):
    name: str = Field(min_length=1, description="What analysts call it.")
    aliases: tuple[str, ...] = Field(default=(), description="Other names and spellings.")
    description: str | None = None


class TimeSpec(BaseModel):
    """When something happened, exactly as precisely as the source says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: PartialTime | None = None
    end: PartialTime | None = None
    precision: TimePrecision = Field(description="exact, day, month, year or interval")
    year_assumed: bool = Field(
        default=False,
        description="The source gives no year; the year is our assumption (see `assumptions`).",
    )
    note: str | None = Field(default=None, description="How the time is known, in words.")

    @field_validator("start", "end", mode="after")
    @classmethod
    def _canonical(cls, value: object) -> object:
        return _canonical_or_error(value)

    @model_validator(mode="after")
    def _bounds_fit_precision(self) -> "TimeSpec":
        try:
            span(self.start, self.end, self.precision)
        except TimeError as error:
            raise ValueError(str(error)) from None
        return self

    def resolved(self) -> Span:
        return span(self.start, self.end, self.precision)


class Point(BaseModel):
    """A WGS-84 point and how precise it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90, description="Latitude, WGS-84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS-84 degrees.")
    precision: PlacePrecision = Field(description="What the point stands for: exact … country.")
    uncertainty_km: float | None = Field(default=None, ge=0)


class ClaimSpec(BaseModel):
    """One source's claim, in one report, graded on the Admiralty scale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id | None = Field(
        default=None, description="Defaults to `<event or relation id>/claim-<n>`."
    )
    source: Id = Field(description="The Source that makes the claim.")
    report: Id | None = Field(default=None, description="The Report it appears in.")
    reliability: Reliability | None = Field(
        default=None, description="Source reliability A–F; defaults to the source's own grading."
    )
    credibility: Credibility = Field(description="Information credibility 1–6.")
    paraphrase: str = Field(min_length=1, description="What the source says, in our words.")
    reported_on: date | None = Field(default=None, description="When the source said it.")

    @field_validator("credibility", mode="before")
    @classmethod
    def _credibility_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: RoleName
    ref: Id = Field(description="Id of an actor, asset, equipment type or location.")


class Actor(Named):
    label = ontology.ACTOR
    kind: ActorKind
    anonymous: bool = Field(default=False, description="Unnamed in the source: 'an official'.")


class EquipmentType(Named):
    label = ontology.EQUIPMENT_TYPE
    kind: EquipmentKind


class Asset(Named):
    label = ontology.ASSET
    kind: AssetKind
    located_at: Id | None = Field(default=None, description="A Location id.")
    instance_of: Id | None = Field(default=None, description="An EquipmentType id (airframes).")
    registration: str | None = Field(default=None, description="Tail number, hull number.")


class Location(Named):
    label = ontology.LOCATION
    kind: LocationKind
    within: Id | None = Field(default=None, description="The Location this one lies in.")
    point: Point | None = None


class Source(Named):
    label = ontology.SOURCE
    kind: SourceKind
    anonymous: bool = False
    actor: Id | None = Field(default=None, description="The Actor this source is (people).")
    reliability: Reliability | None = Field(default=None, description="Its usual grading A–F.")
    reliability_note: str | None = Field(default=None, description="Why that grading.")


class Report(Record):
    label = ontology.REPORT
    name: str = Field(min_length=1, description="Title.")
    kind: ReportKind
    publisher: Id | None = Field(default=None, description="The Source that published it.")
    published: TimeSpec | None = None
    url: str | None = None
    description: str | None = None


class Event(Named):
    label = ontology.EVENT
    type: EventTypeName
    time: TimeSpec
    place_precision: PlacePrecision | None = None
    at: tuple[Id, ...] = Field(default=(), description="Where it happened (Location or Asset).")
    origin: Id | None = None
    destination: Id | None = None
    participants: tuple[Participant, ...] = ()
    part_of: tuple[Id, ...] = Field(default=(), description="Larger events this is part of.")
    about: tuple[Id, ...] = Field(default=(), description="Events a statement is about.")
    ends: tuple[Id, ...] = Field(default=(), description="Events this one ends.")
    claims: tuple[ClaimSpec, ...] = Field(min_length=1)


class Relation(Record):
    label = ontology.RELATION
    type: RelationTypeName
    from_: Id = Field(alias="from")
    to: Id
    since: PartialTime | None = None
    until: PartialTime | None = None
    description: str | None = None
    claims: tuple[ClaimSpec, ...] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("since", "until", mode="after")
    @classmethod
    def _canonical(cls, value: object) -> object:
        return _canonical_or_error(value)

    @model_validator(mode="after")
    def _since_before_until(self) -> "Relation":
        if self.since is None and self.until is None:
            return self
        try:
            span(self.since, self.until, TimePrecision.INTERVAL)
        except TimeError as error:
            raise ValueError(str(error)) from None
        return self


RECORD_TYPES: tuple[type[Record], ...] = (
    Actor,
    EquipmentType,
    Asset,
    Location,
    Source,
    Report,
    Event,
    Relation,
)
RECORD_TYPES_BY_COLLECTION = {model.label.collection: model for model in RECORD_TYPES}


class Document(BaseModel):
    """A whole native-format file; every collection is optional."""

    model_config = ConfigDict(extra="forbid")

    eventgraph: int = Field(default=FORMAT_VERSION, description="Format version (1).")
    assumptions: tuple[str, ...] = Field(
        default=(), description="What the data assumes that its sources do not say."
    )
    actors: list[Actor] = []
    equipment_types: list[EquipmentType] = []
    assets: list[Asset] = []
    locations: list[Location] = []
    sources: list[Source] = []
    reports: list[Report] = []
    events: list[Event] = []
    relations: list[Relation] = []


def import_json_schema() -> dict[str, Any]:
    """The JSON Schema of the native format, for editors and other tools."""
    schema = Document.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://eventgraph.dev/schema/eventgraph-1.schema.json"
    schema["title"] = "eventgraph native import format, version 1"
    return schema
