"""The ontology, declared once: labels and their kinds, the event taxonomy, roles, relations.

What a record of each label holds (its properties and links) is declared next to it, in
`graph/model.py`. Everything else follows from these two modules: the Neo4j constraints and
indexes (`graph/schema.py`), import validation and the import JSON Schema (`graph/records.py`),
the GraphQL types and enums, and `docs/data-model.md` (a test keeps it in step). Names here and
there are the allow-list: a label, a relationship type or a property name reaches Cypher text
only if it is declared in one of them.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

# ---- node labels ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeLabel:
    """One kind of node in the graph."""

    name: str
    """The Neo4j label."""
    collection: str
    """Its key in the native import format (`actors:`, `events:` …)."""
    description: str
    kinds: tuple[str, ...] = ()
    """Allowed values of the `kind` property (the event label uses the event taxonomy)."""
    time_properties: tuple[str, ...] = ()
    """Properties with a range index, for time-window queries."""
    point_property: str | None = None
    """A WGS-84 point property with a point index."""
    is_entity: bool = True
    """Entities take part in events and relations and share one id space."""


ACTOR = NodeLabel(
    "Actor",
    "actors",
    "A state, government, armed force or unit, armed group, organisation or person. Unnamed "
    "actors ('a Russian military official') are actors with `anonymous: true`.",
    kinds=(
        "state",
        "government",
        "armed_force",
        "military_unit",
        "armed_group",
        "organisation",
        "person",
        "group",
    ),
)
EQUIPMENT_TYPE = NodeLabel(
    "EquipmentType",
    "equipment_types",
    "A type or model of equipment (An-124-100 'Ruslan', Il-62M): what most reports know.",
    kinds=("aircraft_type", "ship_type", "vehicle_type", "weapon_type"),
)
ASSET = NodeLabel(
    "Asset",
    "assets",
    "An installation (air base, airport, port) or one individual piece of equipment "
    "(an airframe with its registration, a ship).",
    kinds=(
        "air_base",
        "airport",
        "naval_base",
        "port",
        "military_base",
        "aircraft",
        "ship",
        "vehicle",
    ),
)
LOCATION = NodeLabel(
    "Location",
    "locations",
    "A place: country, province, city or site, with a WGS-84 point where known; places nest.",
    kinds=("country", "region", "province", "district", "city", "site", "airport"),
    point_property="point",
)
SOURCE = NodeLabel(
    "Source",
    "sources",
    "Who reports: a news outlet, a data service, an (anonymous) person or office.",
    kinds=("news_outlet", "data_service", "official", "person", "organisation", "social_media"),
    is_entity=False,
)
REPORT = NodeLabel(
    "Report",
    "reports",
    "One publication: an article, a dataset release, a post.",
    kinds=("article", "dataset", "post", "statement", "document"),
    is_entity=False,
)
EVENT = NodeLabel(
    "Event",
    "events",
    "Something that happened, with a time interval and its precision, participants in roles, "
    "places, and the claims that report it.",
    time_properties=("start", "end", "updated_at"),
    is_entity=False,
)
RETRACTED_LABEL = "Retracted"
"""A second label on events taken out of normal queries (`retractEvent`), kept for audit.
Every read the API compiles leaves them out through `graph.projection.not_retracted`."""

LONG_SPAN_LABEL = "LongSpan"
"""Carried by the events whose time is open at either end or spans more than SHORT_SPAN_DAYS.
Every other event overlapping a window [from, to] starts within [from - SHORT_SPAN_DAYS, to],
so window queries seek the start index over that range (cost grows with the window, not the
graph) and check the few long events apart. The importer keeps it in step with `start`/`end`."""
SHORT_SPAN_DAYS = 31
RELATION = NodeLabel(
    "Relation",
    "relations",
    "A time-bounded, sourced claim that one entity stands in a relation to another (operates, "
    "part of, supports, depends on, opposes …); reified so its claims can point at it.",
    time_properties=("since", "until"),
    is_entity=False,
)
CLAIM = NodeLabel(
    "Claim",
    "claims",
    "One source's claim, in one report, that an event happened or a relation holds, with the "
    "Admiralty grading and a paraphrase.",
    is_entity=False,
)

LABELS: tuple[NodeLabel, ...] = (
    ACTOR,
    EQUIPMENT_TYPE,
    ASSET,
    LOCATION,
    SOURCE,
    REPORT,
    EVENT,
    RELATION,
    CLAIM,
)
LABELS_BY_NAME = {label.name: label for label in LABELS}
ENTITY_LABELS = tuple(label.name for label in LABELS if label.is_entity)
"""Labels whose nodes take part in events and relations: their ids must not collide."""

# ---- external identifiers ------------------------------------------------------------------

EXTERNAL_ID_LABEL = "ExternalId"
"""A node `(:ExternalId {scheme, value, key})` per id another system gives a node, linked
`(:ExternalId)-[:IDENTIFIES]->(node)`; `key` is `scheme:value`, unique (docs/identity.md)."""
IDENTIFIES = "IDENTIFIES"
"""Kept out of `EDGE_TYPES`: neighbourhoods and paths follow what happened, not bookkeeping."""


@dataclass(frozen=True)
class IdScheme:
    """One system's identifiers: what they name and how a value is written.

    A value is normalised (`case`, then `pattern` must match the whole of it) before it is
    stored or looked up, so `4B1805` and `4b1805` are one Mode-S address."""

    name: str
    meaning: str
    labels: tuple[str, ...]
    """The labels it may identify."""
    pattern: str
    """A regular expression the normalised value must match in full."""
    example: str
    case: str = ""
    """`upper`, `lower` or `` (kept as given)."""
    one_per_node: bool = False
    """A node has one id of this scheme (an airframe one Mode-S address): a record that gives
    another one does not attach to it by its other ids (a registration passed on)."""

    def normalise(self, value: str) -> str:
        """The value as stored: trimmed and in the scheme's case."""
        value = value.strip()
        return value.upper() if self.case == "upper" else value.lower() if self.case else value

    def check(self, value: str) -> str:
        """The value normalised; ValueError naming the scheme if it is not one of its ids."""
        normal = self.normalise(value)
        if not re.fullmatch(self.pattern, normal):
            raise ValueError(
                f"'{value}' is not a {self.name} id ({self.meaning}, e.g. '{self.example}')"
            )
        return normal


IDENTIFIABLE_LABELS = ("Actor", "EquipmentType", "Asset", "Location", "Source", "Report")
"""Labels that carry external ids. Not events and relations: one happening reported twice is
coreference (several reports of one event), not one id; nor claims, which are ours."""
_IDENTIFIABLE = IDENTIFIABLE_LABELS
ALIASED_LABELS = (*IDENTIFIABLE_LABELS, "Event")
"""Labels an `id` alias may stand for: the identifiable ones (a record that attached to a node)
and events (a duplicate event merged into the one kept, docs/identity.md). Their records carry
`external_ids`: an event's of scheme `id` only, so export → import keeps its old ids."""
ID_SCHEMES: tuple[IdScheme, ...] = (
    IdScheme(
        "id",
        "an eventgraph id that now stands for this node: a record that attached to it, or a "
        "node merged into it",
        ALIASED_LABELS,
        r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}",
        "fr24:aircraft:ra-82010",
    ),
    IdScheme(
        "modes",
        "ICAO 24-bit aircraft address (Mode-S hex) of one airframe",
        ("Asset",),
        r"[0-9a-f]{6}",
        "4b1805",
        case="lower",
        one_per_node=True,
    ),
    IdScheme(
        "registration",
        "registration (tail number) of one airframe, as painted",
        ("Asset",),
        r"[A-Z0-9][A-Z0-9-]{1,9}",
        "RA-82010",
        case="upper",
    ),
    IdScheme(
        "icao_type",
        "ICAO aircraft type designator (Doc 8643)",
        ("EquipmentType",),
        r"[A-Z0-9]{2,4}",
        "A124",
        case="upper",
    ),
    IdScheme(
        "icao_airport",
        "ICAO location indicator of an airport or air base",
        ("Asset", "Location"),
        r"[A-Z]{4}",
        "OSLK",
        case="upper",
    ),
    IdScheme(
        "iata_airport",
        "IATA airport code",
        ("Asset", "Location"),
        r"[A-Z]{3}",
        "LTK",
        case="upper",
    ),
    IdScheme(
        "cameo_actor",
        "GDELT/CAMEO actor code (country, role and group codes joined)",
        ("Actor",),
        r"[A-Z0-9]{3,15}",
        "RUSMIL",
        case="upper",
    ),
    IdScheme(
        "acled_actor",
        "ACLED actor name, exactly as ACLED spells it",
        ("Actor",),
        r"\S(.{0,198}\S)?",
        "Military Forces of Russia (2000-)",
    ),
    IdScheme(
        "geonames", "GeoNames feature id", ("Location", "Asset"), r"[1-9][0-9]{0,9}", "170654"
    ),
    IdScheme(
        "wikidata",
        "Wikidata item id",
        _IDENTIFIABLE,
        r"Q[1-9][0-9]{0,11}",
        "Q159",
        case="upper",
    ),
    IdScheme(
        "stix",
        "STIX 2.1 object id (`type--uuid`)",
        _IDENTIFIABLE,
        r"[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
        case="lower",
    ),
)
"""Every scheme an external id may have; `id` is our own (docs/identity.md)."""
ID_SCHEMES_BY_NAME = {scheme.name: scheme for scheme in ID_SCHEMES}

# ---- merges ---------------------------------------------------------------------------------

MERGEABLE_LABELS = ("Actor", "EquipmentType", "Asset", "Location", "Event")
"""Labels whose nodes may be merged, two of one label into one (graph/resolution/merging.py)."""
MERGE_LABEL = "Merge"
"""A node `(:Merge {id, label, kept, folded, by, at, reason, …})` per merge: who, when, why and
every relationship it moved, enough to undo it exactly (docs/identity.md)."""
FOLDED_LABEL = "Folded"
"""What a node folded into another carries instead of its labels while the merge stands: its
properties untouched, linked `(:Merge)-[:FOLDED]->(node)`, so that unmerging restores it."""
FOLDED = "FOLDED"
"""From a merge to the node it folded; kept out of `EDGE_TYPES`, as `IDENTIFIES` is."""
MOVED_BY = "moved_by"
"""On a relationship a merge moved from the folded node to the kept one and that the folded
node's own record wrote (its outgoing links, its claims, its ids): the merge's id. An import
of the kept node's record replaces its own links and claims and leaves these alone."""

# ---- event taxonomy ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    """One event type with its interchange codes (None where the scheme has no fitting type)."""

    name: str
    description: str
    acled: tuple[str, str] | None = None
    """ACLED event type and sub-type."""
    cameo: str | None = None
    """CAMEO event code."""
    plover: str | None = None
    """PLOVER event type; statements have none, so ours stand alone."""


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("flight", "One flight leg of an aircraft from an origin to a destination."),
    EventType(
        "airlift",
        "A series of transport flights moving people or materiel (its legs are parts).",
        acled=("Strategic developments", "Other"),
        cameo="154",
        plover="MOBILIZE",
    ),
    EventType(
        "deployment",
        "Forces or equipment moved to or stationed at a place.",
        acled=("Strategic developments", "Other"),
        cameo="154",
        plover="MOBILIZE",
    ),
    EventType(
        "hiatus",
        "A period in which a recurring activity stopped (ended by a later event).",
    ),
    EventType(
        "attack",
        "An armed attack on a target (perpetrator, target).",
        acled=("Battles", "Armed clash"),
        cameo="190",
        plover="ASSAULT",
    ),
    EventType(
        "defence",
        "Repelling or resisting an attack (defender, perpetrator of the attack).",
        acled=("Battles", "Armed clash"),
        cameo="190",
        plover="ASSAULT",
    ),
    EventType(
        "statement",
        "Something an actor said (speaker; subject; addressee).",
        cameo="010",
    ),
    EventType(
        "comment_refusal",
        "An actor declined to comment (speaker; subject).",
        cameo="011",
    ),
    EventType(
        "assessment",
        "An interpretation or judgement by analysts, observers or the reporter.",
    ),
    EventType(
        "signal",
        "An action read as a message to other actors (addressee), e.g. a show of force.",
        cameo="150",
        plover="THREATEN",
    ),
    EventType(
        "political_development",
        "A change in who holds power or how (realignment, consolidation).",
        acled=("Strategic developments", "Change to group/activity"),
    ),
)
EVENT_TYPES_BY_NAME = {event_type.name: event_type for event_type in EVENT_TYPES}

# ---- roles, relations, grading, precision ---------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A role an entity plays in an event, and which labels may play it."""

    name: str
    description: str
    labels: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role("operator", "Runs the asset or operation (an air force flying a transport).", ("Actor",)),
    Role(
        "aircraft",
        "The aircraft: an airframe, or only its type when that is all that is known.",
        ("Asset", "EquipmentType"),
    ),
    Role(
        "equipment",
        "Other equipment involved (ships, vehicles, weapons).",
        ("Asset", "EquipmentType"),
    ),
    Role("perpetrator", "Carries out an attack.", ("Actor",)),
    Role("target", "Is attacked.", ("Actor", "Asset")),
    Role("defender", "Defends against an attack.", ("Actor",)),
    Role("speaker", "Makes a statement or declines to comment.", ("Actor",)),
    Role("addressee", "A statement or signal is aimed at it.", ("Actor",)),
    Role(
        "subject",
        "What a statement or assessment is about (an entity).",
        ("Actor", "Asset", "EquipmentType", "Location"),
    ),
    Role("participant", "Takes part, in no more specific role.", ("Actor", "Asset")),
)
ROLES_BY_NAME = {role.name: role for role in ROLES}


@dataclass(frozen=True)
class RelationType:
    """A relation between two entities, claimed by sources and bounded in time."""

    name: str
    description: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]


RELATION_TYPES: tuple[RelationType, ...] = (
    RelationType(
        "operates",
        "Runs or uses an installation or equipment.",
        ("Actor",),
        ("Asset", "EquipmentType"),
    ),
    RelationType(
        "part_of", "Belongs to a larger actor (a unit of an armed force).", ("Actor",), ("Actor",)
    ),
    RelationType(
        "affiliated_with",
        "Works for or speaks for (an official of a ministry).",
        ("Actor",),
        ("Actor",),
    ),
    RelationType(
        "supports", "Gives military, political or material support.", ("Actor",), ("Actor",)
    ),
    RelationType("depends_on", "Relies on another actor's support.", ("Actor",), ("Actor",)),
    RelationType("opposes", "Is hostile to or fights.", ("Actor",), ("Actor",)),
    RelationType("allied_with", "Is allied with.", ("Actor",), ("Actor",)),
    RelationType(
        "stationed_at", "Has forces or equipment at.", ("Actor", "Asset"), ("Asset", "Location")
    ),
    RelationType(
        "shares_facilities_with", "Shares a runway, port or other facility.", ("Asset",), ("Asset",)
    ),
)
RELATION_TYPES_BY_NAME = {relation.name: relation for relation in RELATION_TYPES}


class Reliability(StrEnum):
    """Admiralty (NATO) source reliability."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged


class Credibility(StrEnum):
    """Admiralty (NATO) information credibility."""

    CONFIRMED = "1"
    PROBABLY_TRUE = "2"
    POSSIBLY_TRUE = "3"
    DOUBTFUL = "4"
    IMPROBABLE = "5"
    CANNOT_BE_JUDGED = "6"


class TimePrecision(StrEnum):
    """How precisely an event's time is known."""

    EXACT = "exact"  # to the minute or better: start and end are instants
    DAY = "day"  # one calendar day
    MONTH = "month"  # one calendar month
    YEAR = "year"  # one calendar year
    INTERVAL = "interval"  # somewhere between start and end (either may be open)


class DurationUnit(StrEnum):
    """The unit of how long an event lasted ("about six months": 6 month, approximate)."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class PlacePrecision(StrEnum):
    """How precisely an event's place (or a location's point) is known."""

    EXACT = "exact"
    SITE = "site"
    CITY = "city"
    DISTRICT = "district"
    PROVINCE = "province"
    COUNTRY = "country"
    REGION = "region"


PLACE_RADIUS_KM: dict[PlacePrecision, float] = {
    PlacePrecision.EXACT: 0.1,
    PlacePrecision.SITE: 2.0,
    PlacePrecision.CITY: 15.0,
    PlacePrecision.DISTRICT: 30.0,
    PlacePrecision.PROVINCE: 100.0,
    PlacePrecision.COUNTRY: 500.0,
}
"""How far (km) a point of this precision may lie from where the place really is, when the
point gives no `uncertainty_km` of its own: what `near` adds to the distance. A region has no
radius: a place known only to a region is never within any distance of a point."""


# ---- relationship types in the graph ---------------------------------------------------------


@dataclass(frozen=True)
class EdgeType:
    """A Neo4j relationship type: its endpoints and properties."""

    name: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    description: str
    properties: tuple[str, ...] = ()


PLACE_LABELS = ("Location", "Asset")
EDGE_TYPES: tuple[EdgeType, ...] = (
    EdgeType("INVOLVES", ("Event",), ENTITY_LABELS, "An entity takes part in an event.", ("role",)),
    EdgeType("OCCURRED_AT", ("Event",), PLACE_LABELS, "Where the event happened."),
    EdgeType("ORIGIN", ("Event",), PLACE_LABELS, "Where a flight or movement started."),
    EdgeType("DESTINATION", ("Event",), PLACE_LABELS, "Where a flight or movement went."),
    EdgeType("PART_OF", ("Event",), ("Event",), "A flight of an airlift, a leg of a round trip."),
    EdgeType("ABOUT", ("Event",), ("Event",), "A statement or assessment about another event."),
    EdgeType("ENDS", ("Event",), ("Event",), "An event that ends another (flights end a hiatus)."),
    EdgeType("WITHIN", ("Location",), ("Location",), "Places nest: site → province → country."),
    EdgeType("LOCATED_AT", ("Asset",), ("Location",), "Where an installation or asset is."),
    EdgeType("INSTANCE_OF", ("Asset",), ("EquipmentType",), "An airframe is of a type."),
    EdgeType("IS_ACTOR", ("Source",), ("Actor",), "The actor a (person) source is."),
    EdgeType("PUBLISHED_BY", ("Report",), ("Source",), "Who published a report."),
    EdgeType(
        "REPEATS",
        ("Report",),
        ("Report",),
        "A report that repeats another (a syndicated copy, a rewrite): one origin with it.",
    ),
    EdgeType("FROM", ("Relation",), ENTITY_LABELS, "The relation's subject."),
    EdgeType("TO", ("Relation",), ENTITY_LABELS, "The relation's object."),
    EdgeType("SUPPORTS", ("Claim",), ("Event", "Relation"), "What the claim asserts."),
    EdgeType("SOURCED_FROM", ("Claim",), ("Source",), "Who makes the claim."),
    EdgeType("IN_REPORT", ("Claim",), ("Report",), "Where the claim was published."),
    EdgeType(
        "BASED_ON",
        ("Claim",),
        ("Source",),
        "The source whose data or word the claim rests on (Bloomberg's on Flightradar24's).",
    ),
)
EDGE_TYPES_BY_NAME = {edge.name: edge for edge in EDGE_TYPES}
