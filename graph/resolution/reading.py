"""What resolution reads from the graph: each node's names, kind and place, and shared events.

One statement per label reads every node of it (a few thousand, even at 1M events: the world is
small, the events are many); co-occurrence is read only for the pairs that blocking and the names
let through, in one statement.
"""

from dataclasses import dataclass

from neo4j import Driver

from eventgraph.graph.ontology import PLACE_RADIUS_KM, PlacePrecision
from eventgraph.graph.projection import not_retracted

RESOLVABLE_LABELS = ("Actor", "Asset", "Location", "EquipmentType")
"""The labels resolution proposes pairs of (the allow-list: only these reach Cypher text)."""

_READ_NODES = """
MATCH (n:`{label}`)
WHERE {live_node}
OPTIONAL MATCH (n)-[:LOCATED_AT]->(at:Location)
WITH n, head(collect(at)) AS at
WITH n, at, coalesce(n.point, at.point) AS point
RETURN n.id AS key, n.name AS name, coalesce(n.aliases, []) AS aliases, n.kind AS kind,
       point.y AS lat, point.x AS lon,
       coalesce(n.point_uncertainty_km, at.point_uncertainty_km) AS uncertainty_km,
       coalesce(n.point_precision, at.point_precision) AS precision,
       n.registration AS registration, at.id AS located_at, n.anonymous = true AS anonymous
ORDER BY key
"""

_SHARED_EVENTS = """
UNWIND $pairs AS pair
MATCH (a:`{label}` {{id: pair[0]}}), (b:`{label}` {{id: pair[1]}})
RETURN pair[0] AS a, pair[1] AS b,
       COUNT {{
         MATCH (a)<-[:INVOLVES|OCCURRED_AT|ORIGIN|DESTINATION]-(e:Event)
               -[:INVOLVES|OCCURRED_AT|ORIGIN|DESTINATION]->(b)
         WHERE {live_event}
       }} AS shared
"""

DEFAULT_RADIUS_KM = 50.0
"""How far a point with neither an uncertainty nor a known precision may be from its place."""


@dataclass(frozen=True)
class Entity:
    """One node as resolution sees it."""

    label: str
    key: str
    name: str
    aliases: tuple[str, ...]
    kind: str | None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    """How far the true place may be from the point (its uncertainty, else its precision's)."""
    registration: str | None = None
    located_at: str | None = None
    anonymous: bool = False
    """Unnamed ("a Russian military official"): its name describes it, it does not name it."""

    @property
    def names(self) -> tuple[str, ...]:
        """The name, then the aliases."""
        return (self.name, *self.aliases)


def radius_km(uncertainty_km: float | None, precision: str | None) -> float | None:
    """How far the true place may be from a point: its uncertainty, else its precision's radius
    (None for a region), else `DEFAULT_RADIUS_KM`."""
    if uncertainty_km is not None:
        return float(uncertainty_km)
    if precision is not None and precision in PlacePrecision.__members__.values():
        return PLACE_RADIUS_KM.get(PlacePrecision(precision))
    return DEFAULT_RADIUS_KM


def _texts(value: object) -> tuple[str, ...]:
    """A list of names as stored; anything else (another tool's string) is no aliases."""
    return tuple(str(item) for item in value if item) if isinstance(value, list) else ()


def _checked(label: str) -> str:
    if label not in RESOLVABLE_LABELS:
        raise ValueError(f"resolution reads {', '.join(RESOLVABLE_LABELS)}, not {label}")
    return label


def read_entities(driver: Driver, database: str, label: str) -> list[Entity]:
    """Every (unretracted) node of the label, in key order."""
    statement = _READ_NODES.format(label=_checked(label), live_node=not_retracted("n"))
    records, _, _ = driver.execute_query(statement, database_=database, routing_="r")
    return [
        Entity(
            label=label,
            key=str(r["key"]),
            name=str(r["name"] or ""),
            aliases=_texts(r["aliases"]),
            kind=r["kind"],
            lat=r["lat"],
            lon=r["lon"],
            radius_km=radius_km(r["uncertainty_km"], r["precision"])
            if r["lat"] is not None
            else None,
            registration=r["registration"],
            located_at=r["located_at"],
            anonymous=bool(r["anonymous"]),
        )
        for r in records
        if r["key"] is not None
    ]


def read_shared_events(
    driver: Driver, database: str, label: str, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """How many (unretracted) events each pair both take part in or are places of."""
    if not pairs:
        return {}
    statement = _SHARED_EVENTS.format(label=_checked(label), live_event=not_retracted("e"))
    records, _, _ = driver.execute_query(
        statement, {"pairs": [list(pair) for pair in pairs]}, database_=database, routing_="r"
    )
    return {(str(r["a"]), str(r["b"])): int(r["shared"]) for r in records}
