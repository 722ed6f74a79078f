"""The graph as nodes and edges with plain values, for the formats that carry a graph as such
(GraphML, JSON Lines) rather than records.

Nodes are keyed by their global id (`Label:id`, as in GraphQL), since ids are unique per label
only. Claims are nodes too, with their `SUPPORTS`, `SOURCED_FROM`, `IN_REPORT` and `BASED_ON`
edges: a claim has a grading and words of its own and ties an event to a source and a report,
which no single edge can hold. Properties are those the model declares
(`model.node_properties`), less the import's bookkeeping (`created_at`, `updated_at`,
`content_hash`, which say when we imported, not what happened); a value of another type than
the model's (written by another tool) is left out. A node's external ids are its
`external_ids`, `scheme:value` each. Times are ISO 8601 text, a point is `lat` and `lon`; lists
stay lists here (GraphML writes them as JSON text).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from neo4j.spatial import Point
from neo4j.time import Date, DateTime

from eventgraph.graph import model
from eventgraph.graph.exporting import Snapshot
from eventgraph.graph.ontology import CLAIM
from eventgraph.graph.records import RECORD_TYPES

RECORD_LABELS = tuple(record.label.name for record in RECORD_TYPES)
BOOKKEEPING = frozenset(prop.name for prop in model.IMPORTED)
POINT_PARTS = ("lat", "lon")
"""The point property's two parts (`point.y` and `point.x`), in this order."""


def _declared(label: str) -> dict[str, str]:
    """Each exported property of a label and its Neo4j type (`model.GraphProperty.cypher`)."""
    declared: dict[str, str] = {}
    for prop in model.node_properties(label):
        if prop.name in BOOKKEEPING:
            continue
        if prop.cypher == model.POINT:
            declared.update(dict.fromkeys(POINT_PARTS, "FLOAT"))
        else:
            declared[prop.name] = prop.cypher
    return declared


DECLARED = {label: _declared(label) for label in (*RECORD_LABELS, CLAIM.name)}
"""Per node label, its exported properties in the model's order, with their Neo4j types."""
EDGE_DECLARED = {
    prop.name: prop.cypher for props in model.EDGE_PROPERTIES.values() for prop in props
}


def _one_type_per_name() -> dict[str, str]:
    """Every node property name with its one type: GraphML declares an attribute once for all
    nodes, so a name must not change type between labels (a test keeps it so)."""
    types: dict[str, str] = {}
    for label, declared in DECLARED.items():
        for name, cypher in declared.items():
            if types.setdefault(name, cypher) != cypher:
                raise ValueError(f"{label}.{name} is {cypher}, elsewhere {types[name]}")
    return types


EXTERNAL_IDS = "external_ids"
"""The node property holding a node's external ids, `scheme:value` each (as the CSV cell
has them, docs/identity.md): not a property of the node in Neo4j, but ids other tools want."""
NODE_TYPES = {**_one_type_per_name(), EXTERNAL_IDS: "LIST<STRING>"}

_FITS: dict[str, tuple[type, ...]] = {
    "STRING": (str,),
    "INTEGER": (int,),
    "FLOAT": (float, int),
    "BOOLEAN": (bool,),
    "LIST<STRING>": (list,),
    model.DATETIME: (datetime,),
    model.DATE: (date,),
}


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Edge:
    type: str
    source: str
    target: str
    properties: dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, DateTime | Date):
        value = value.to_native()
    return value


def _fits(value: Any, cypher: str) -> bool:
    if isinstance(value, bool) and cypher != "BOOLEAN":
        return False
    return isinstance(value, _FITS.get(cypher, ()))


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def properties(declared: dict[str, str], stored: dict[str, Any]) -> dict[str, Any]:
    """The stored properties as plain values, in the declared order."""
    values = {name: _plain(value) for name, value in stored.items()}
    point = values.pop("point", None)
    if isinstance(point, Point):
        values["lat"], values["lon"] = float(point.y), float(point.x)
    return {
        name: _text(values[name])
        for name, cypher in declared.items()
        if values.get(name) is not None and _fits(values[name], cypher)
    }


def global_id(label: str, node_id: str) -> str:
    return f"{label}:{node_id}"


def nodes(snapshot: Snapshot) -> Iterator[Node]:
    """Every node, by label in the format's order and by id; then the claims, by id."""
    for label in RECORD_LABELS:
        found = snapshot.nodes.get(label, {})
        for node_id in sorted(found):
            values = properties(DECLARED[label], found[node_id])
            ids = snapshot.external_ids.get((label, node_id))
            if ids:
                values[EXTERNAL_IDS] = [f"{given['scheme']}:{given['value']}" for given in ids]
            yield Node(global_id(label, node_id), label, values)
    claims = sorted(
        (row for rows in snapshot.claims.values() for row in rows),
        key=lambda row: row["props"]["id"],
    )
    for row in claims:
        yield Node(
            global_id(CLAIM.name, row["props"]["id"]),
            CLAIM.name,
            properties(DECLARED[CLAIM.name], row["props"]),
        )


def edges(snapshot: Snapshot) -> Iterator[Edge]:
    """Every edge between exported nodes: the records' in node order, then the claims'."""
    order = {label: index for index, label in enumerate(RECORD_LABELS)}
    rows = sorted(
        (row for owner_rows in snapshot.edges.values() for row in owner_rows),
        key=lambda row: (
            order[row["owner_label"]],
            row["owner"],
            row["type"],
            row["props"].get("position", 0),
            row["target"],
        ),
    )
    for row in rows:
        if row["target_label"] is not None:
            yield Edge(
                row["type"],
                global_id(row["owner_label"], row["owner"]),
                global_id(row["target_label"], row["target"]),
                properties(EDGE_DECLARED, row["props"]),
            )
    claims = sorted(
        (row for rows in snapshot.claims.values() for row in rows),
        key=lambda row: row["props"]["id"],
    )
    for row in claims:
        claim = global_id(CLAIM.name, row["props"]["id"])
        yield Edge("SUPPORTS", claim, global_id(row["owner_label"], row["owner"]), {})
        if row["source"] is not None:
            yield Edge("SOURCED_FROM", claim, global_id("Source", row["source"]), {})
        if row["report"] is not None:
            yield Edge("IN_REPORT", claim, global_id("Report", row["report"]), {})
        for basis in sorted(row["based_on"]):
            yield Edge("BASED_ON", claim, global_id("Source", basis), {})
