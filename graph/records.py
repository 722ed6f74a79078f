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
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, core_schema

from eventgraph.graph import model, ontology
from eventgraph.graph.ontology import (
    Credibility,
    DurationUnit,
    PlacePrecision,
    Reliability,
    TimePrecision,
)
from eventgraph.graph.timespan import Duration, Span, TimeError, canonical, check_fits, span

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


RoleName = Annotated[str, OneOf("role", tuple(r.name for r in ontology.ROLES))]


def _rebuilt(kind: type[BaseModel], values: dict[str, Any], given: set[str]) -> BaseModel:
    """A model from its own field values, unchecked: what `_Spooled` pickles to."""
    rebuilt = kind.__new__(kind)
    object.__setattr__(rebuilt, "__dict__", values)
    object.__setattr__(rebuilt, "__pydantic_fields_set__", given)
    object.__setattr__(rebuilt, "__pydantic_extra__", None)
    object.__setattr__(rebuilt, "__pydantic_private__", None)
    return rebuilt


class _Spooled(BaseModel):
    """A model that pickles as its field values and unpickles without pydantic's
    `__setstate__`: the import spools every valid record to disk and reads it back (a third
    faster to load; the values were checked when the record was built)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (type(self), self.__dict__, self.__pydantic_fields_set__))


class Record(_Spooled):
    """Common to every record: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
    label: ClassVar[ontology.NodeLabel]

    id: Id


class TimeSpec(_Spooled):
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


class DurationSpec(_Spooled):
    """How long an event lasted, apart from when: "a pause of about six months"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: int = Field(gt=0, description="How many units.")
    unit: DurationUnit = Field(description="minute, hour, day, week, month or year")
    approximate: bool = Field(
        default=False, description="The source gives a round figure ('about six months')."
    )

    def resolved(self) -> Duration:
        return Duration(self.amount, self.unit, self.approximate)


class Point(_Spooled):
    """A WGS-84 point and how precise it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90, description="Latitude, WGS-84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS-84 degrees.")
    precision: PlacePrecision = Field(description="What the point stands for: exact … country.")
    uncertainty_km: float | None = Field(default=None, ge=0)


class ClaimSpec(_Spooled):
    """One source's claim, in one report, graded on the Admiralty scale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id | None = Field(
        default=None, description="Defaults to `<event or relation id>/claim-<n>`."
    )
    source: Id = Field(description="The Source that makes the claim.")
    report: Id | None = Field(default=None, description="The Report it appears in.")
    based_on: tuple[Id, ...] = Field(
        default=(),
        description="The Sources whose data or word the claim rests on, when it is not the "
        "source's own (an outlet reading a tracker's data): its origins (docs/reliability.md).",
    )
    reliability: Reliability | None = Field(
        default=None, description="Source reliability A–F; defaults to the source's own grading."
    )
    credibility: Credibility = Field(description="Information credibility 1–6.")
    paraphrase: str = Field(min_length=1, description="What the source says, in our words.")
    quote: str | None = Field(
        default=None,
        min_length=1,
        description="The source's exact words, where recorded (the paraphrase is ours).",
    )
    grading_note: str | None = Field(
        default=None, min_length=1, description="Why this reliability and credibility."
    )
    reported_on: date | None = Field(default=None, description="When the source said it.")

    @field_validator("credibility", mode="before")
    @classmethod
    def _credibility_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Participant(_Spooled):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: RoleName
    ref: Id = Field(description="Id of an actor, asset, equipment type or location.")


class ExternalIdSpec(_Spooled):
    """An id another system gives the record's node (ontology.ID_SCHEMES, docs/identity.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: ClassVar[str] = ""
    """The label of the records it may be on (set on each label's own subclass)."""

    scheme: str = Field(description="The system the id comes from (modes, icao_airport …).")
    value: str = Field(
        min_length=1, description="The id; normalised per scheme (docs/identity.md)."
    )

    @field_validator("scheme", mode="after")
    @classmethod
    def _known_scheme(cls, scheme: str) -> str:
        known = ontology.ID_SCHEMES_BY_NAME.get(scheme)
        if known is None:
            names = tuple(ontology.ID_SCHEMES_BY_NAME)
            close = get_close_matches(scheme, names, n=1, cutoff=0.6)
            hint = f"{SUGGESTION}'{close[0]}'?" if close else ""
            raise ValueError(f"'{scheme}' is not a known id scheme ({', '.join(names)}){hint}")
        if cls.label not in known.labels:
            raise ValueError(
                f"a '{scheme}' id identifies {' or '.join(known.labels)}, not {cls.label}"
            )
        return scheme

    @field_validator("value", mode="after")
    @classmethod
    def _normalised(cls, value: str, info: ValidationInfo) -> str:
        scheme = ontology.ID_SCHEMES_BY_NAME.get(info.data.get("scheme", ""))
        if scheme is None:
            return value  # the scheme's own problem says what is wrong
        return scheme.check(value)

    @property
    def key(self) -> str:
        """`scheme:value`, the unique key of its `ExternalId` node."""
        return f"{self.scheme}:{self.value}"


def _external_id_type(label: str) -> type[ExternalIdSpec]:
    schemes = [s.name for s in ontology.ID_SCHEMES if label in s.labels]
    spec: type[ExternalIdSpec] = create_model(
        f"{label}ExternalId",
        __base__=ExternalIdSpec,
        __module__=__name__,
        scheme=(str, Field(description="One of: " + ", ".join(schemes) + ".")),
    )
    spec.label = label
    return spec


EXTERNAL_ID_TYPES = {label: _external_id_type(label) for label in ontology.ALIASED_LABELS}
globals().update({spec.__name__: spec for spec in EXTERNAL_ID_TYPES.values()})  # for pickle


class _RelationChecks(Record):
    """A relation's `since` and `until`: partial times, the one not after the other."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("since", "until", mode="after", check_fields=False)
    @classmethod
    def _canonical(cls, value: object) -> object:
        return _canonical_or_error(value)

    @model_validator(mode="after")
    def _since_before_until(self) -> "_RelationChecks":
        since, until = getattr(self, "since", None), getattr(self, "until", None)
        if since is None and until is None:
            return self
        try:
            span(since, until, TimePrecision.INTERVAL)
        except TimeError as error:
            raise ValueError(str(error)) from None
        return self


class _EventChecks(Record):
    """An event's duration fits its time (`graph.timespan.check_fits`)."""

    @model_validator(mode="after")
    def _duration_fits_time(self) -> "_EventChecks":
        duration, time = getattr(self, "duration", None), getattr(self, "time", None)
        if duration is None or time is None:
            return self
        try:
            check_fits(duration.resolved(), time.resolved())
        except TimeError as error:
            raise ValueError(str(error)) from None
        return self


_SPECIALS: dict[str, tuple[Any, Any]] = {
    "point": (Point | None, None),
    "time": (TimeSpec, ...),
    "duration": (DurationSpec | None, None),
    "published": (TimeSpec | None, None),
    "since": (PartialTime | None, None),
    "until": (PartialTime | None, None),
    "participants": (tuple[Participant, ...], ()),
    "claims": (tuple[ClaimSpec, ...], Field(min_length=1)),
}
"""The pydantic field of each special part (`graph.model.Special`), by its name."""


class _ReportChecks(Record):
    """A report repeats another report, not itself."""

    @model_validator(mode="after")
    def _repeats_another(self) -> "_ReportChecks":
        if getattr(self, "repeats", None) == self.id:
            raise ValueError(f"report '{self.id}' repeats itself: name the report it repeats")
        return self


_BASES: dict[str, type[Record]] = {
    "Relation": _RelationChecks,
    "Event": _EventChecks,
    "Report": _ReportChecks,
}


def _annotation(value_type: model.ValueType) -> Any:
    if value_type is model.ID:
        return Id
    if value_type.enum is not None:
        return value_type.enum
    if value_type.choices:
        return Annotated[str, OneOf(value_type.name, value_type.choices)]
    if value_type.many:
        return tuple[str, ...]
    numbers: dict[model.ValueType, Any] = {model.INTEGER: int, model.NUMBER: float}
    return numbers.get(value_type, bool if value_type is model.FLAG else str)


def _sentence(meaning: str) -> str:
    return meaning[0].upper() + meaning[1:] + "."


def _prop_field(prop: model.Prop) -> tuple[Any, Any]:
    annotation = _annotation(prop.type)
    if prop.type is model.ID:
        return annotation, ...  # `Id` describes itself
    if prop.required:
        length = 1 if prop.type is model.TEXT else None
        return annotation, Field(description=_sentence(prop.meaning), min_length=length)
    if prop.default is None:
        annotation = annotation | None
    return annotation, Field(default=prop.default, description=_sentence(prop.meaning))


def _link_field(link: model.Link) -> tuple[Any, Any]:
    options: dict[str, Any] = {"alias": link.name} if link.python_name != link.name else {}
    if link.meaning is not None:
        options["description"] = link.meaning
    if link.many:
        return tuple[Id, ...], Field(default=(), **options)
    if link.required:
        return Id, Field(**options)
    return Id | None, Field(default=None, **options)


def _record_type(shape: model.Shape) -> type[Record]:
    fields: dict[str, Any] = {}
    for item in shape.fields:
        if isinstance(item, model.Prop):
            fields[item.name] = _prop_field(item)
        elif isinstance(item, model.Link):
            fields[item.python_name] = _link_field(item)
        elif item is model.EXTERNAL_IDS:
            spec = EXTERNAL_ID_TYPES[shape.label.name]
            fields[item.name] = (
                tuple[spec, ...],  # type: ignore[valid-type]
                Field(default=(), description="Ids other systems give it (docs/identity.md)."),
            )
        else:
            fields[item.name] = _SPECIALS[item.name]
    base = _BASES.get(shape.label.name, Record)
    return _labelled(
        create_model(shape.label.name, __base__=base, __module__=__name__, **fields), shape.label
    )


def _labelled(record_type: type[Record], label: ontology.NodeLabel) -> type[Record]:
    record_type.label = label
    return record_type


RECORD_TYPES: tuple[type[Record], ...] = tuple(_record_type(shape) for shape in model.SHAPES)
"""One import model per label, in the order of the native format."""
RECORD_TYPES_BY_COLLECTION = {kind.label.collection: kind for kind in RECORD_TYPES}
RECORD_TYPES_BY_LABEL = {kind.label.name: kind for kind in RECORD_TYPES}
globals().update(RECORD_TYPES_BY_LABEL)  # `records.Event` …: where pickle looks for them


class _Document(BaseModel):
    """A whole native-format file; every collection is optional."""

    model_config = ConfigDict(extra="forbid")

    eventgraph: int = Field(default=FORMAT_VERSION, description="Format version (1).")
    assumptions: tuple[str, ...] = Field(
        default=(), description="What the data assumes that its sources do not say."
    )


_COLLECTIONS: dict[str, Any] = {kind.label.collection: (list[kind], []) for kind in RECORD_TYPES}  # type: ignore[valid-type]
Document = create_model(
    "Document", __base__=_Document, __doc__=_Document.__doc__, __module__=__name__, **_COLLECTIONS
)


def import_json_schema() -> dict[str, Any]:
    """The JSON Schema of the native format, for editors and other tools."""
    schema = Document.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://eventgraph.dev/schema/eventgraph-1.schema.json"
    schema["title"] = "eventgraph native import format, version 1"
    return schema
