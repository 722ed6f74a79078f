"""The shape of every record, declared once: each label's properties, links and special parts.

`graph/ontology.py` names the vocabulary (labels and their kinds, event types, roles, relation
and relationship types); this module says what a record of each label holds, in the order of
the native import format. Everything else is derived from it, never written again:

    graph/records.py            the pydantic import models and the JSON Schema
    graph/importer/reading.py   the CSV columns
    graph/importer/writing.py   the properties and edges an import writes
    graph/importer/references.py  which ids a record points at, and at which labels
    graph/exporting.py          the native records an export gives back
    graph/schema.py             the full-text index over names
    graph/projection.py         how each GraphQL field reads the graph (`FIELDS`)
    api/graphql/types.py        the GraphQL types' plain fields
    api/graphql/mutations.py    the mutation inputs' plain fields
    graph/docgen.py             docs/data-model.md, docs/cypher.md's schema part

A record's fields are of three sorts:

- `Prop`, a plain property: one value, stored under its name on the node, given under the same
  name in the import format (and in CSV) and in GraphQL (camel-cased; `id` is GraphQL's `key`,
  as GraphQL's `id` is the global id). Adding one is one line here, plus test data.
- `Link`, an outgoing relationship to one or many other records, given by id.
- `Special`, a part with a shape of its own (time spans, points, participations, claims): its
  behaviour is written once in each layer, keyed by its name; here it only holds its place in
  the format and the graph properties it is stored as.
"""

import keyword
from dataclasses import dataclass, replace
from enum import StrEnum

from eventgraph.graph import ontology
from eventgraph.graph.ontology import (
    ENTITY_LABELS,
    FOLDED,
    FOLDED_LABEL,
    LONG_SPAN_LABEL,
    MERGE_LABEL,
    MOVED_BY,
    PLACE_LABELS,
    RETRACTED_LABEL,
    SHORT_SPAN_DAYS,
    NodeLabel,
    PlacePrecision,
    Reliability,
)

# ---- value types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueType:
    """What a plain property holds, and how Neo4j names its type."""

    name: str
    cypher: str
    """The Neo4j type, as `db.schema.nodeTypeProperties()` names it."""
    many: bool = False
    """A list (CSV cells separate its items with `;`)."""
    choices: tuple[str, ...] = ()
    """The allowed values, for a choice; an import error names them as `name`s."""
    enum: type[StrEnum] | None = None
    """The ontology enum an import validates a choice with (its JSON Schema then refers to it)."""


ID = ValueType("id", "STRING")
"""A stable identifier (its pattern: `graph.records.ID_PATTERN`)."""
TEXT = ValueType("text", "STRING")
TEXTS = ValueType("texts", "LIST<STRING>", many=True)
FLAG = ValueType("flag", "BOOLEAN")
INTEGER = ValueType("integer", "INTEGER")
NUMBER = ValueType("number", "FLOAT")


def choice(name: str, values: tuple[str, ...]) -> ValueType:
    """Text that must be one of `values`, called a `name` in import errors."""
    return ValueType(name, "STRING", choices=values)


def enum(name: str, values: type[StrEnum]) -> ValueType:
    """Text that must be a value of an ontology enum."""
    return ValueType(name, "STRING", choices=tuple(v.value for v in values), enum=values)


ACTOR_KIND = choice("actor kind", ontology.ACTOR.kinds)
EQUIPMENT_KIND = choice("equipment kind", ontology.EQUIPMENT_TYPE.kinds)
ASSET_KIND = choice("asset kind", ontology.ASSET.kinds)
LOCATION_KIND = choice("location kind", ontology.LOCATION.kinds)
SOURCE_KIND = choice("source kind", ontology.SOURCE.kinds)
REPORT_KIND = choice("report kind", ontology.REPORT.kinds)
EVENT_TYPE = choice("event type", tuple(t.name for t in ontology.EVENT_TYPES))
RELATION_TYPE = choice("relation type", tuple(r.name for r in ontology.RELATION_TYPES))
RELIABILITY = enum("reliability", Reliability)
PLACE_PRECISION = enum("place precision", PlacePrecision)


# ---- the three sorts of field ------------------------------------------------------------------


@dataclass(frozen=True)
class GraphProperty:
    """A property as it is stored on a node: its name, its Neo4j type, what it holds."""

    name: str
    cypher: str
    meaning: str


@dataclass(frozen=True)
class Prop:
    """A plain property: one value under one name in the graph, the import format and GraphQL."""

    name: str
    type: ValueType
    meaning: str
    required: bool = False
    """The import format requires it (required text must not be empty)."""
    searchable: bool = False
    """In the `entity_names` full-text index."""
    graphql: str | None = None
    """The GraphQL field (snake case, as Python spells it) when not `name`."""
    graphql_doc: str | None = None
    """The GraphQL field's description, where the schema gives one."""

    @property
    def graphql_name(self) -> str:
        """The field's name in GraphQL (`reliability_note` → `reliabilityNote`)."""
        return camel(self.graphql or self.name)

    @property
    def default(self) -> object:
        """What the import format takes when the field is not given (unless required)."""
        return () if self.type.many else (False if self.type is FLAG else None)

    def stored(self) -> GraphProperty:
        indexed = " (full-text indexed)" if self.searchable else ""
        return GraphProperty(self.name, self.type.cypher, self.meaning + indexed)


@dataclass(frozen=True)
class Link:
    """Outgoing relationships of type `edge` to one or many records, given by id."""

    name: str
    edge: str
    targets: tuple[str, ...]
    """The labels it may point at (one id space for entities: the id alone says which)."""
    many: bool = False
    required: bool = False
    meaning: str | None = None
    """What the import format says of the field."""
    by_relation_type: bool = False
    """The relation's type narrows the targets further (`ontology.RELATION_TYPES`)."""

    @property
    def graphql_name(self) -> str:
        return camel(self.name)

    @property
    def python_name(self) -> str:
        """The attribute name: `from` is a Python keyword, so its attribute is `from_`."""
        return f"{self.name}_" if keyword.iskeyword(self.name) else self.name


@dataclass(frozen=True)
class Reverse:
    """A GraphQL field that follows `edge` backwards (the import format gives the other end)."""

    name: str
    edge: str
    targets: tuple[str, ...]
    many: bool = True

    @property
    def graphql_name(self) -> str:
        return camel(self.name)


@dataclass(frozen=True)
class Special:
    """A part with a shape of its own; each layer writes its behaviour once, by `name`."""

    name: str
    stored: tuple[GraphProperty, ...] = ()
    """The node properties it is stored as."""
    columns: tuple[str, ...] = ()
    """Its CSV columns (participants and claims have tables of their own)."""
    required: bool = False


Field = Prop | Link | Special


@dataclass(frozen=True)
class Shape:
    """What a record of one label holds, in the order of the native format."""

    label: NodeLabel
    fields: tuple[Field, ...]
    reverse: tuple[Reverse, ...] = ()

    @property
    def props(self) -> tuple[Prop, ...]:
        return tuple(f for f in self.fields if isinstance(f, Prop))

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(f for f in self.fields if isinstance(f, Link))

    def stored(self) -> tuple[GraphProperty, ...]:
        """Every property a node of this label can carry, bookkeeping included."""
        own: list[GraphProperty] = []
        for part in self.fields:
            if isinstance(part, Prop):
                own.append(part.stored())
            elif isinstance(part, Special):
                own.extend(part.stored)
        return (*own, *IMPORTED)

    def csv_columns(self) -> tuple[str, ...]:
        """The columns of this label's CSV table."""
        return tuple(
            column
            for f in self.fields
            for column in (f.columns if isinstance(f, Special) else (f.name,))
        )


def camel(name: str) -> str:
    """GraphQL's spelling of a snake-case name, as strawberry gives it."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _t(name: str, cypher: str, meaning: str) -> GraphProperty:
    return GraphProperty(name, cypher, meaning)


DATETIME, DATE, POINT = "ZONED DATETIME", "DATE", "POINT"

# ---- the records --------------------------------------------------------------------------------

KEY = Prop("id", ID, "stable id, unique per label", required=True, graphql="key")
NAME = Prop("name", TEXT, "what analysts call it", required=True, searchable=True)
ALIASES = Prop("aliases", TEXTS, "other names and spellings", searchable=True)
DESCRIPTION = Prop("description", TEXT, "what it is, in our words")
NAMED = (KEY, NAME, ALIASES, DESCRIPTION)
FEED = (
    Prop("feed", TEXT, "the feed a record came from (adsb, opensky, fr24 …; docs/feeds.md)"),
    Prop("feed_id", TEXT, "the record's own id in that feed, unique per feed"),
)
"""Where a feed record came from: our `id` is derived from both, so re-imports upsert on it."""
STIX_VERSION = (
    Prop("stix_created", TEXT, "STIX: when the object was first created (UTC, ISO 8601)"),
    Prop("stix_modified", TEXT, "STIX: its version; an older one does not overwrite a newer"),
    Prop("stix_markings", TEXTS, "STIX marking definitions (TLP) on it, by id"),
)
"""A record's STIX version and markings, kept so that re-exports give the same bundle."""
TRACK_SUMMARY = (
    Prop("track_first_seen", TEXT, "instant of a flight's first track point (UTC, ISO 8601)"),
    Prop("track_first_lat", NUMBER, "latitude of the first track point"),
    Prop("track_first_lon", NUMBER, "longitude of the first track point"),
    Prop("track_last_seen", TEXT, "instant of a flight's last track point (UTC, ISO 8601)"),
    Prop("track_last_lat", NUMBER, "latitude of the last track point"),
    Prop("track_last_lon", NUMBER, "longitude of the last track point"),
    Prop("track_points", INTEGER, "how many track points the flight has"),
    Prop("track_max_altitude_ft", INTEGER, "highest altitude the track reports, in feet"),
    Prop("origin_distance_km", NUMBER, "first track point's distance from the origin airport"),
    Prop("destination_distance_km", NUMBER, "last track point's distance from the destination"),
)
"""A flight's track, summed up (its points are not nodes; docs/feeds.md)."""
GDELT_EVENT = (
    Prop("cameo_code", TEXT, "CAMEO event code the feed gives (kept when no type maps from it)"),
    Prop("cameo_base_code", TEXT, "CAMEO base (three-digit) event code"),
    Prop("cameo_root_code", TEXT, "CAMEO root (two-digit) event code"),
    Prop("quad_class", INTEGER, "GDELT quad class: 1–2 verbal/material cooperation, 3–4 conflict"),
    Prop("goldstein_scale", NUMBER, "GDELT Goldstein score of the event type, −10 to +10"),
    Prop("num_mentions", INTEGER, "GDELT: mentions of the event in its first 15 minutes"),
    Prop("num_sources", INTEGER, "GDELT: information sources that mentioned it"),
    Prop("num_articles", INTEGER, "GDELT: source documents that mentioned it"),
    Prop("avg_tone", NUMBER, "GDELT: average tone of those documents, −100 to +100"),
    Prop("is_root_event", FLAG, "GDELT: coded from an article's lead paragraph"),
)
"""A GDELT event's codes and counts, as the feed gives them (docs/feeds.md)."""
GDELT_ACTOR = (
    Prop("cameo_actor_code", TEXT, "CAMEO actor code (country, role and group codes joined)"),
    Prop("country_code", TEXT, "country of the actor, three letters (CAMEO or ISO 3166)"),
    Prop("cameo_type_codes", TEXTS, "CAMEO actor type codes (GOV, MIL, REB …)"),
    Prop("cameo_other_codes", TEXTS, "CAMEO known group, ethnic and religion codes"),
)
"""A GDELT actor's CAMEO codes (docs/feeds.md)."""
ACLED_EVENT = (
    Prop("disorder_type", TEXT, "ACLED disorder type (political violence, demonstrations …)"),
    Prop("acled_event_type", TEXT, "ACLED event type (Battles, Explosions/Remote violence …)"),
    Prop("acled_sub_event_type", TEXT, "ACLED sub-event type (Air/drone strike …), always kept"),
    Prop("acled_interaction", TEXT, "ACLED interaction code of the two actors' types"),
    Prop("fatalities", INTEGER, "ACLED: reported fatalities (a conservative estimate)"),
    Prop("civilian_targeting", FLAG, "ACLED: civilians were the target"),
    Prop("acled_tags", TEXTS, "ACLED tags (crowd size, weapons …)"),
    Prop("acled_timestamp", INTEGER, "ACLED: when the row was last changed (Unix seconds)"),
)
"""An ACLED event's coding, as the feed gives it (docs/feeds.md)."""
ACLED_ACTOR = (Prop("acled_inter", TEXT, "ACLED actor type (inter code: 1 state forces …)"),)
POLECAT_EVENT = (
    Prop("plover_event_type", TEXT, "PLOVER event type POLECAT gives (ASSAULT …), always kept"),
    Prop("plover_mode", TEXT, "PLOVER event mode (how: aerial, firearms …)"),
    Prop("plover_contexts", TEXTS, "PLOVER contexts (military, terrorism …)"),
    Prop("plover_intensity", NUMBER, "POLECAT intensity of the event (its coder's score)"),
    Prop("plover_quad_code", TEXT, "POLECAT quad code (verbal/material cooperation/conflict)"),
)
"""A POLECAT event's PLOVER coding, as the feed gives it (docs/feeds.md)."""
POLECAT_ACTOR = (
    Prop("plover_sector", TEXT, "POLECAT primary sector of the actor (Military, Government …)"),
    Prop("plover_sectors", TEXTS, "POLECAT sectors of the actor"),
    Prop("wikipedia_id", TEXT, "the Wikipedia article the feed resolved the actor to"),
)
"""A POLECAT actor's sectors and Wikipedia resolution (docs/feeds.md)."""


def kind(of: ValueType) -> Prop:
    return Prop("kind", of, "one of the label's kinds (docs/data-model.md)", required=True)


def anonymous(meaning: str) -> Prop:
    return Prop("anonymous", FLAG, meaning)


EXTERNAL_IDS = Special("external_ids", columns=("external_ids",))
"""Ids other systems give the node (`[{scheme, value}]`, ontology.ID_SCHEMES), stored as
`(:ExternalId)-[:IDENTIFIES]->` nodes, not node properties (docs/identity.md). In CSV one cell,
`scheme:value` items separated by `;`."""
CLAIMS = Special("claims", required=True)
"""The claims that report an event or relation (`(:Claim)-[:SUPPORTS]->`), one at least."""


def _time_span(
    start: str, end: str, precision: str, year_assumed: str, note: str
) -> tuple[GraphProperty, ...]:
    """The node properties of a time span (graph/timespan.py), under the given names."""
    return (
        _t(start, DATETIME, "earliest instant (UTC, inclusive); null when open"),
        _t(end, DATETIME, "latest instant (UTC, inclusive); null when open"),
        _t(precision, "STRING", "exact, day, month, year or interval"),
        _t(year_assumed, "BOOLEAN", "the year is our assumption, not the source's"),
        _t(note, "STRING", "how the time is known, in words"),
    )


ACTOR = Shape(
    ontology.ACTOR,
    (
        replace(KEY, graphql_doc="The id in the native format."),  # the first type says it once
        *NAMED[1:],
        kind(ACTOR_KIND),
        anonymous("unnamed in the source ('a Russian military official')"),
        EXTERNAL_IDS,
        *FEED,
        *STIX_VERSION,
        *GDELT_ACTOR,
        *ACLED_ACTOR,
        *POLECAT_ACTOR,
    ),
)
EQUIPMENT_TYPE = Shape(
    ontology.EQUIPMENT_TYPE, (*NAMED, kind(EQUIPMENT_KIND), EXTERNAL_IDS, *FEED, *STIX_VERSION)
)
ASSET = Shape(
    ontology.ASSET,
    (
        *NAMED,
        kind(ASSET_KIND),
        Link("located_at", "LOCATED_AT", ("Location",), meaning="A Location id."),
        Link(
            "instance_of",
            "INSTANCE_OF",
            ("EquipmentType",),
            meaning="An EquipmentType id (airframes).",
        ),
        Prop("registration", TEXT, "tail or hull number of one airframe or ship"),
        Prop("icao24", TEXT, "Mode-S hex address of an airframe, 6 hex digits"),
        EXTERNAL_IDS,
        *FEED,
        *STIX_VERSION,
    ),
)
LOCATION = Shape(
    ontology.LOCATION,
    (
        *NAMED,
        kind(LOCATION_KIND),
        Link("within", "WITHIN", ("Location",), meaning="The Location this one lies in."),
        Special(
            "point",
            (
                _t("point", POINT, "WGS-84 point (`point.y` latitude, `point.x` longitude)"),
                _t("point_precision", "STRING", "how precise the point is (site, city … country)"),
                _t("point_uncertainty_km", "FLOAT", "radius the true place lies within"),
            ),
            ("lat", "lon", "point_precision", "uncertainty_km"),
        ),
        EXTERNAL_IDS,
        *FEED,
        *STIX_VERSION,
    ),
    reverse=(Reverse("contains", "WITHIN", ("Location",)),),
)
SOURCE = Shape(
    ontology.SOURCE,
    (
        *NAMED,
        kind(SOURCE_KIND),
        anonymous("an anonymous person or office ('a Russian military official')"),
        Link("actor", "IS_ACTOR", ("Actor",), meaning="The Actor this source is (people)."),
        Prop(
            "reliability",
            RELIABILITY,
            "its usual Admiralty reliability A–F (claims that give none take it)",
            graphql_doc="Its usual grading.",
        ),
        Prop("reliability_note", TEXT, "why that grading"),
        EXTERNAL_IDS,
        *FEED,
        *STIX_VERSION,
    ),
)
_PUBLISHED = _time_span(
    "published_start",
    "published_end",
    "published_precision",
    "published_year_assumed",
    "published_note",
)
REPORT = Shape(
    ontology.REPORT,
    (
        KEY,
        Prop("name", TEXT, "title", required=True, searchable=True),
        kind(REPORT_KIND),
        Link("publisher", "PUBLISHED_BY", ("Source",), meaning="The Source that published it."),
        Link(
            "repeats",
            "REPEATS",
            ("Report",),
            meaning="The Report this one repeats (a syndicated copy, a rewrite): one origin.",
        ),
        Special("published", _PUBLISHED, tuple(p.name for p in _PUBLISHED)),
        Prop("url", TEXT, "where it was published"),
        Prop("description", TEXT, "what it is"),
        EXTERNAL_IDS,
        *FEED,
        *STIX_VERSION,
    ),
)
_TIME = _time_span("start", "end", "time_precision", "year_assumed", "time_note")
_DURATION = (
    _t("duration_amount", "INTEGER", "how long it lasted, in `duration_unit`s"),
    _t("duration_unit", "STRING", ", ".join(unit.value for unit in ontology.DurationUnit)),
    _t("duration_approximate", "BOOLEAN", "the source gives a round figure ('about six months')"),
)
EVENT = Shape(
    ontology.EVENT,
    (
        *NAMED,
        Prop("type", EVENT_TYPE, "event type (flight, attack, statement …)", required=True),
        Special(
            "time", _TIME, ("start", "end", "precision", "year_assumed", "time_note"), required=True
        ),
        Special("duration", _DURATION, tuple(p.name for p in _DURATION)),
        Prop("place_precision", PLACE_PRECISION, "how precisely the place is known"),
        Link(
            "at",
            "OCCURRED_AT",
            PLACE_LABELS,
            many=True,
            meaning="Where it happened (Location or Asset).",
        ),
        Link("origin", "ORIGIN", PLACE_LABELS),
        Link("destination", "DESTINATION", PLACE_LABELS),
        Special("participants"),
        Link("part_of", "PART_OF", ("Event",), many=True, meaning="Larger events this is part of."),
        Link("about", "ABOUT", ("Event",), many=True, meaning="Events a statement is about."),
        Link("ends", "ENDS", ("Event",), many=True, meaning="Events this one ends."),
        EXTERNAL_IDS,
        *FEED,
        *STIX_VERSION,
        *TRACK_SUMMARY,
        *GDELT_EVENT,
        *ACLED_EVENT,
        *POLECAT_EVENT,
        CLAIMS,
    ),
    reverse=(Reverse("parts", "PART_OF", ("Event",)),),
)
RELATION = Shape(
    ontology.RELATION,
    (
        KEY,
        Prop("type", RELATION_TYPE, "relation type (operates, part_of, supports …)", required=True),
        Link("from", "FROM", ENTITY_LABELS, required=True, by_relation_type=True),
        Link("to", "TO", ENTITY_LABELS, required=True, by_relation_type=True),
        Special(
            "since",
            (
                _t("since", DATETIME, "first instant of the time it was given as"),
                _t("since_end", DATETIME, "last instant of the time `since` was given as"),
                _t("since_precision", "STRING", "precision of `since` (exact, day, month or year)"),
            ),
            ("since",),
        ),
        Special(
            "until",
            (
                _t("until_start", DATETIME, "first instant of the time `until` was given as"),
                _t("until", DATETIME, "last instant of the time it was given as"),
                _t("until_precision", "STRING", "precision of `until` (exact, day, month or year)"),
            ),
            ("until",),
        ),
        DESCRIPTION,
        *FEED,
        *STIX_VERSION,
        CLAIMS,
    ),
)

SHAPES: tuple[Shape, ...] = (
    ACTOR,
    EQUIPMENT_TYPE,
    ASSET,
    LOCATION,
    SOURCE,
    REPORT,
    EVENT,
    RELATION,
)
"""The labels an import writes records of, in the order of the native format."""
SHAPES_BY_LABEL = {shape.label.name: shape for shape in SHAPES}
SHAPES_BY_COLLECTION = {shape.label.collection: shape for shape in SHAPES}

# ---- what the graph holds besides ------------------------------------------------------------

IMPORTED = (
    _t("created_at", DATETIME, "when the import first wrote it"),
    _t("updated_at", DATETIME, "when an import last changed it"),
    _t("content_hash", "STRING", "hash of the imported record (re-imports skip unchanged ones)"),
)
"""Bookkeeping every imported node carries."""

UNCOUNTED_INVOLVES = _t(
    "uncounted_involves",
    "INTEGER",
    "INVOLVES relationships into the entity that its number of events leaves out: the second "
    "and later ones from one event, and every one from a retracted event; absent when none "
    "(graph/involvement.py keeps it: the count is the degree less it)",
)
"""Kept by every writer on the entities events involve, not given by a record: an import that
replaces an entity's record keeps it."""

CLAIM_PROPERTIES = (
    _t("id", "STRING", "stable id, unique per label"),
    _t("position", "INTEGER", "order among the claims of its event or relation"),
    _t("reliability", "STRING", "Admiralty source reliability A–F (else the source's)"),
    _t("reliability_given", "BOOLEAN", "graded on the claim, not taken from the source"),
    _t("credibility", "STRING", "Admiralty information credibility '1'–'6'"),
    _t("paraphrase", "STRING", "what the source said, in our words (full-text indexed)"),
    _t("quote", "STRING", "the source's exact words, where recorded (full-text indexed)"),
    _t("grading_note", "STRING", "why this reliability and credibility"),
    _t("reported_on", DATE, "when the source said it"),
    _t("created_at", DATETIME, "when the import wrote it"),
)
"""A claim's node (written by `graph.importer.writing.claim_rows`)."""

EXTERNAL_ID_PROPERTIES = (
    _t("key", "STRING", "`scheme:value`, unique (an id names one node)"),
    _t("scheme", "STRING", "the system the id comes from (External id schemes)"),
    _t("value", "STRING", "the id, normalised for its scheme"),
    _t("created_at", DATETIME, "when an import first gave it"),
)
"""An external id's node (graph/identifiers.py), linked `-[:IDENTIFIES]->` to what it names."""

EDGE_PROPERTIES: dict[str, tuple[GraphProperty, ...]] = {
    "INVOLVES": (
        _t("role", "STRING", "the role the entity plays (docs/data-model.md)"),
        _t("position", "INTEGER", "order among the event's participants"),
    ),
}
"""Properties of relationship types (participations); the others carry none."""


def node_properties(label: str) -> tuple[GraphProperty, ...]:
    """Every property a node of an ontology label can carry (absent when unknown, never null)."""
    return CLAIM_PROPERTIES if label == ontology.CLAIM.name else SHAPES_BY_LABEL[label].stored()


def searchable() -> dict[str, tuple[str, ...]]:
    """Per label, its properties in the full-text index over names and aliases."""
    found: dict[str, tuple[str, ...]] = {}
    for shape in SHAPES:
        names = tuple(p.name for p in shape.props if p.searchable)
        if names:
            found[shape.label.name] = names
    return found


BOOKKEEPING_LABELS = {
    "EventGraphSchema": "one node: the schema version applied (`version`, `fingerprint`, "
    "`applied_at`)",
    "ApiToken": "API tokens (`id`, `name`, `role`, `secret_sha256`, `created_at`, "
    "`revoked_at`); only a hash of each secret is stored",
    RETRACTED_LABEL: "a second label on events taken out of normal queries (`retractEvent`), "
    "with `retracted_by`, `retracted_at` and `retraction_reason`",
    LONG_SPAN_LABEL: f"a second label on events whose time is open at either end or spans more "
    f"than {SHORT_SPAN_DAYS} days, kept by imports: window queries find the other events "
    f"through the `start` index (from {SHORT_SPAN_DAYS} days before the window) and these apart",
    MERGE_LABEL: "one node per merge of two nodes into one (`eventgraph merge`, `mergeNodes`): "
    "`id`, `label`, `kept`, `folded`, `by`, `at`, `reason`, the folded node's `folded_labels`, "
    "every relationship it moved or dropped (`edges`, JSON) and their counts (`moved`, "
    "`duplicates`, `between`); once undone `undone_at`, `undone_by`, `undo_reason`, `restored` "
    "(docs/identity.md)",
    FOLDED_LABEL: f"what a node folded into another carries instead of its labels while the "
    f"merge stands, its properties untouched, linked `(:{MERGE_LABEL})-[:{FOLDED}]->`; a "
    f"relationship the merge moved that the folded node's record wrote carries `{MOVED_BY}` "
    "(the merge's id)",
}
"""Labels outside the ontology that eventgraph writes for itself."""
BOOKKEEPING_PROPERTIES = {
    UNCOUNTED_INVOLVES.name: f"on an entity ({', '.join(ENTITY_LABELS)}), an integer: "
    f"{UNCOUNTED_INVOLVES.meaning}",
}
"""Properties outside the records that eventgraph keeps on their nodes for itself."""
