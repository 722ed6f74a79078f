"""What event coreference reads from the graph: each live event's type, time, places,
participants, reports and sources, and the events it is linked to.

Two statements: one reads each place and asset once (where it lies, what it lies in, an
airframe's type), one streams every unretracted event as one list of the keys of what it names;
times come back as epoch seconds, so nothing is converted row by row, and a place or participant
met again is the object already built.
"""

from dataclasses import dataclass
from functools import cached_property

from neo4j import READ_ACCESS, Driver

from eventgraph.graph.ontology import PLACE_RADIUS_KM, PlacePrecision, TimePrecision
from eventgraph.graph.projection import not_retracted
from eventgraph.graph.resolution.reading import radius_km

_READ_EVENTS = """
MATCH (e:Event)
WHERE {live_event}
RETURN [e.id, e.name, e.type, e.start.epochSeconds, e.end.epochSeconds, e.time_precision,
        e.place_precision,
        [(e)-[r:OCCURRED_AT|ORIGIN|DESTINATION]->(p) | [type(r), p.id]],
        [(e)-[i:INVOLVES]->(n) | [i.role, n.id]],
        [(e)<-[:SUPPORTS]-(c:Claim) |
            [[(c)-[:IN_REPORT]->(r:Report) | r.id], [(c)-[:SOURCED_FROM]->(s:Source) | s.id]]],
        [(e)-[:PART_OF|ABOUT|ENDS]-(o:Event) | o.id]]
"""
"""One row per event, one list per row (key, name, type, start, end, time and place
precision, places, participants, claims as [reports, sources], linked events): streamed, with no
record built per field."""

_READ_PLACES = """
MATCH (p)
WHERE p:Location OR p:Asset
OPTIONAL MATCH (p)-[:LOCATED_AT]->(l:Location)
WITH p, head(collect(l)) AS l
WITH p, l, coalesce(p.point, l.point) AS point
RETURN p.id AS key, point.y AS lat, point.x AS lon,
       coalesce(p.point_uncertainty_km, l.point_uncertainty_km) AS uncertainty_km,
       coalesce(p.point_precision, l.point_precision) AS point_precision,
       [(p)-[:LOCATED_AT|WITHIN*1..4]->(up:Location) | [up.id, up.kind]] AS within,
       head([(p)-[:INSTANCE_OF]->(t:EquipmentType) | t.id]) AS type_key
"""
"""Each place and asset once (a few thousand, however many events name them): where it lies,
what it lies in, and an airframe's type."""

WIDE_AREA_KINDS = frozenset({"country", "region"})
"""Areas too wide to pair events by (every event in a country): blocking leaves them out, the
`place_within` reason does not."""


@dataclass(frozen=True)
class EventPlace:
    """One place of an event (where it happened, or a flight's origin or destination)."""

    role: str
    """OCCURRED_AT, ORIGIN or DESTINATION."""
    key: str
    lat: float | None
    lon: float | None
    radius_km: float | None
    """How far the happening may be from the point: the wider of the event's place precision
    and the point's own; None when either is only a region (never near, never far)."""
    within: frozenset[str]
    """The places it lies in (its location, province, country …)."""
    narrow_within: frozenset[str]
    """Those of them narrower than a country: what blocking pairs events by."""


@dataclass(frozen=True)
class Participant:
    role: str
    key: str
    type_key: str | None
    """The equipment type of an airframe: a report that knows only the type names it."""


@dataclass(frozen=True)
class EventView:
    """One event as coreference sees it."""

    key: str
    name: str
    type: str
    start: int | None
    """Epoch seconds of the first instant; None when open."""
    end: int | None
    precision: TimePrecision
    places: tuple[EventPlace, ...]
    participants: tuple[Participant, ...]
    reports: frozenset[str]
    sources: frozenset[str]
    linked: frozenset[str]
    """Events it is part of, about, or ends, or that are part of it (never one with it)."""

    @cached_property
    def by_role(self) -> dict[str, tuple[Participant, ...]]:
        """Its participants, role by role."""
        roles: dict[str, list[Participant]] = {}
        for participant in self.participants:
            roles.setdefault(participant.role, []).append(participant)
        return {role: tuple(found) for role, found in roles.items()}


def _place_radius(
    event_precision: str | None, uncertainty_km: float | None, point_precision: str | None
) -> float | None:
    own = radius_km(uncertainty_km, point_precision)
    if event_precision is None:
        return own
    if event_precision not in PlacePrecision.__members__.values():
        return own
    by_event = PLACE_RADIUS_KM.get(PlacePrecision(event_precision))
    if by_event is None or own is None:
        return None
    return max(by_event, own)


@dataclass(frozen=True)
class _Node:
    """A place or asset as read once: its point, what it lies in, an airframe's type."""

    lat: float | None
    lon: float | None
    uncertainty_km: float | None
    point_precision: str | None
    within: frozenset[str]
    narrow_within: frozenset[str]
    type_key: str | None


def _read_nodes(driver: Driver, database: str) -> dict[str, _Node]:
    records, _, _ = driver.execute_query(_READ_PLACES, database_=database, routing_="r")
    nodes = {}
    for r in records:
        within = [(str(key), kind) for key, kind in r["within"] if key is not None]
        nodes[str(r["key"])] = _Node(
            lat=r["lat"],
            lon=r["lon"],
            uncertainty_km=r["uncertainty_km"],
            point_precision=r["point_precision"],
            within=frozenset(key for key, _ in within),
            narrow_within=frozenset(key for key, kind in within if kind not in WIDE_AREA_KINDS),
            type_key=r["type_key"],
        )
    return nodes


_NOWHERE = _Node(None, None, None, None, frozenset(), frozenset(), None)


def _place(role: str, key: str, node: _Node, event_precision: str | None) -> EventPlace:
    return EventPlace(
        role=role,
        key=key,
        lat=node.lat,
        lon=node.lon,
        radius_km=_place_radius(event_precision, node.uncertainty_km, node.point_precision)
        if node.lat is not None
        else None,
        within=node.within,
        narrow_within=node.narrow_within,
    )


def read_events(driver: Driver, database: str) -> list[EventView]:
    """Every unretracted event."""
    nodes = _read_nodes(driver, database)
    statement = _READ_EVENTS.format(live_event=not_retracted("e"))
    places: dict[tuple[str, str, str | None], EventPlace] = {}
    participants: dict[tuple[str, str], Participant] = {}
    events = []
    with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        for (row,) in session.run(statement):
            key, name, kind, start, end, precision, place_precision = row[:7]
            at, involves, claims, linked = row[7:]
            event_places = []
            for role, place in at:
                found = places.get((role, place, place_precision))
                if found is None:
                    node = nodes.get(place, _NOWHERE)
                    found = _place(role, place, node, place_precision)
                    places[(role, place, place_precision)] = found
                event_places.append(found)
            event_participants = []
            for role, node_key in involves:
                if role is None or node_key is None:
                    continue
                one = participants.get((role, node_key))
                if one is None:
                    one = Participant(role, node_key, nodes.get(node_key, _NOWHERE).type_key)
                    participants[(role, node_key)] = one
                event_participants.append(one)
            events.append(
                EventView(
                    key=key,
                    name=name or "",
                    type=kind,
                    start=start,
                    end=end,
                    precision=TimePrecision(precision or TimePrecision.INTERVAL),
                    places=tuple(event_places),
                    participants=tuple(event_participants),
                    reports=frozenset(r for in_reports, _ in claims for r in in_reports),
                    sources=frozenset(s for _, by in claims for s in by),
                    linked=frozenset(linked),
                )
            )
    return events
