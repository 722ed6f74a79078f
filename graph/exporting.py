"""`eventgraph export`: the graph (or a slice of it) back in the native format.

The export is canonical (records sorted by id, fields in the format's order, defaults left
out), so export → wipe → import → export gives the same bytes. A slice by time window or by
entity takes the matching events and relations plus everything they reference, so it imports
on its own into an empty graph; `graph/slices.py` finds them through the indexes, and only
those nodes are read. The other formats (`graph/export/`) are written from the same snapshot.

Retracted events are left out, with their claims and every reference to them (another event's
`part_of`, `about`, `ends`): the native format has no way to say an event was retracted, and an
event exported without that would come back as an ordinary one on import. So an export holds
what the API shows; the retracted events and who retracted them stay in the graph only.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import neo4j
import yaml
from neo4j import READ_ACCESS, Driver, ManagedTransaction, RoutingControl
from neo4j.time import DateTime

from eventgraph.graph import model, slices
from eventgraph.graph.ontology import (
    ALIASED_LABELS,
    EXTERNAL_ID_LABEL,
    IDENTIFIES,
    TimePrecision,
)
from eventgraph.graph.projection import not_retracted
from eventgraph.graph.records import FORMAT_VERSION, RECORD_TYPES, Record
from eventgraph.graph.timespan import render, render_bound

_NODES = "{head} " + not_retracted("n") + " RETURN n {{.*}} AS props"
_EDGES = (
    "{head} NOT m:Claim AND "
    + not_retracted("n")
    + " AND "
    + not_retracted("m")
    + " RETURN n.id AS owner, type(r) AS type, m.id AS target, properties(r) AS props, "
    "[label IN labels(m) WHERE label IN $labels][0] AS target_label"
)
_CLAIMS = (
    "{head} " + not_retracted("owner") + " "
    "OPTIONAL MATCH (c)-[:SOURCED_FROM]->(s:Source) OPTIONAL MATCH (c)-[:IN_REPORT]->(r:Report) "
    "RETURN owner.id AS owner, c {{.*}} AS props, s.id AS source, r.id AS report, "
    "[(c)-[:BASED_ON]->(basis:Source) | basis.id] AS based_on, "
    "[label IN labels(owner) WHERE label IN $labels][0] AS owner_label"
)
_IDS = (
    "{head} " + not_retracted("n") + f" MATCH (x:`{EXTERNAL_ID_LABEL}`)-[:`{IDENTIFIES}`]->(n) "
    "RETURN n.id AS owner, x.scheme AS scheme, x.value AS value ORDER BY owner, scheme, value"
)
_WHOLE = {
    _NODES: "MATCH (n:`{label}`) WHERE",
    _IDS: "MATCH (n:`{label}`) WHERE",
    _EDGES: "MATCH (n:`{label}`)-[r]->(m) WHERE",
    _CLAIMS: "MATCH (c:Claim)-[:SUPPORTS]->(owner) WHERE",
}
"""How each query (the key) starts when it reads the whole graph …"""


def _by_element_id(v: str) -> str:
    """Each node of `$ids` as `v`; braces doubled, as the head is a format string."""
    return (
        f"UNWIND $ids AS id CALL (id) {{{{ MATCH ({v}) WHERE elementId({v}) = id RETURN {v} }}}} "
    )


_SLICED = {
    _NODES: _by_element_id("n") + "WITH n WHERE n:`{label}` AND",
    _IDS: _by_element_id("n") + "WITH n WHERE n:`{label}` AND",
    _EDGES: _by_element_id("n") + "MATCH (n:`{label}`)-[r]->(m) WHERE",
    _CLAIMS: _by_element_id("owner") + "MATCH (c:Claim)-[:SUPPORTS]->(owner) WHERE",
}
"""… and when it reads the nodes of a slice (`$ids`: their element ids), one element id seek
each (in a subquery: on a small graph Neo4j would rather scan the label for each id)."""
_MODEL_BY_LABEL = {record.label.name: record for record in RECORD_TYPES}


@dataclass
class Snapshot:
    """The graph as plain data, keyed by label and id."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    edges: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    external_ids: dict[tuple[str, str], list[dict[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """(label, owner id) → its external ids (`{scheme, value}`), in order: ids are unique per
    label only, and an actor and a source may share one (a STIX identity that is both)."""

    def counts(self) -> dict[str, int]:
        """How many records of each collection it holds (those it has any of)."""
        return {
            record.label.collection: len(self.nodes[record.label.name])
            for record in RECORD_TYPES
            if self.nodes.get(record.label.name)
        }


def _native(value: Any) -> Any:
    if isinstance(value, DateTime):
        return value.to_native()
    return value


Run = Callable[[str, dict[str, Any]], Iterable[neo4j.Record]]
"""Runs one query with its parameters: in a transaction of its own, or in the caller's."""


def _read(run: Run, heads: dict[str, str], ids: dict[str, list[str]] | None) -> Snapshot:
    """Read every node (or those of `ids`, element ids by label), its edges and its claims."""
    snapshot = Snapshot()
    labels = [record_type.label.name for record_type in RECORD_TYPES]

    def query(template: str, label: str = "") -> str:
        return template.format(head=heads[template].format(label=label))

    def parameters(*of: str) -> dict[str, Any]:
        chosen = None if ids is None else [i for label in of for i in ids.get(label, [])]
        return {"labels": labels, "ids": chosen}

    for label in labels:
        if ids is not None and not ids.get(label):
            continue
        for row in run(query(_NODES, label), parameters(label)):
            props = {key: _native(value) for key, value in row["props"].items()}
            snapshot.nodes[label][props["id"]] = props
        for row in run(query(_EDGES, label), parameters(label)):
            snapshot.edges[row["owner"]].append({**row.data(), "owner_label": label})
        if label in ALIASED_LABELS:  # the labels whose records carry `external_ids`
            for row in run(query(_IDS, label), parameters(label)):
                given = {"scheme": row["scheme"], "value": row["value"]}
                snapshot.external_ids[(label, row["owner"])].append(given)
    for row in run(query(_CLAIMS), parameters(*slices.SPANS)):  # events and relations
        snapshot.claims[row["owner"]].append(row.data())
    return snapshot


def read_snapshot(
    driver: Driver,
    database: str,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
) -> Snapshot:
    """The graph, or the slice of it `graph.slices` finds, as plain data."""
    if since is None and until is None and entity is None:
        return _read(
            lambda query, parameters: driver.execute_query(
                query, parameters, database_=database, routing_=RoutingControl.READ
            )[0],
            _WHOLE,
            None,
        )

    def read_slice(tx: ManagedTransaction) -> Snapshot:
        ids = slices.slice_of(tx, (since, until), entity)
        return _read(lambda query, parameters: list(tx.run(query, parameters)), _SLICED, ids)

    with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        return session.execute_read(read_slice)


def _targets(snapshot: Snapshot, owner: str, edge_type: str) -> list[str]:
    edges = [edge for edge in snapshot.edges.get(owner, []) if edge["type"] == edge_type]
    edges.sort(key=lambda edge: (edge["props"].get("position", 0), edge["target"]))
    return [edge["target"] for edge in edges]


def _claims(snapshot: Snapshot, owner: str) -> list[dict[str, Any]]:
    rows = sorted(snapshot.claims.get(owner, []), key=lambda row: row["props"].get("position", 0))
    claims = []
    for index, row in enumerate(rows):
        props = row["props"]
        claim: dict[str, Any] = {}
        if props["id"] != f"{owner}/claim-{index + 1}":
            claim["id"] = props["id"]
        claim["source"] = row["source"]
        if row["report"]:
            claim["report"] = row["report"]
        if row["based_on"]:
            claim["based_on"] = sorted(row["based_on"])
        if props.get("reliability_given"):
            claim["reliability"] = props["reliability"]
        claim["credibility"] = props["credibility"]
        claim["paraphrase"] = props["paraphrase"]
        for optional in ("quote", "grading_note"):
            if props.get(optional) is not None:
                claim[optional] = props[optional]
        if props.get("reported_on") is not None:
            claim["reported_on"] = props["reported_on"].to_native().isoformat()
        claims.append(claim)
    return claims


def _time(props: dict[str, Any], prefix: str, precision_key: str) -> dict[str, Any]:
    precision = TimePrecision(props[precision_key])
    start: datetime | None = props.get(f"{prefix}start")
    end: datetime | None = props.get(f"{prefix}end")
    time: dict[str, Any] = dict(render(start, end, precision))
    time["precision"] = precision.value
    return time


def _point(snapshot: Snapshot, node_id: str, props: dict[str, Any]) -> Any:
    point = props.get("point")
    if point is None:
        return None
    return {
        "lat": point.y,
        "lon": point.x,
        "precision": props.get("point_precision"),
        "uncertainty_km": props.get("point_uncertainty_km"),
    }


def _published(snapshot: Snapshot, node_id: str, props: dict[str, Any]) -> Any:
    if not props.get("published_precision"):
        return None
    published = _time(props, "published_", "published_precision")
    published["year_assumed"] = props.get("published_year_assumed", False)
    published["note"] = props.get("published_note")
    return published


def _event_time(snapshot: Snapshot, node_id: str, props: dict[str, Any]) -> Any:
    time = _time(props, "", "time_precision")
    time["year_assumed"] = props.get("year_assumed", False)
    time["note"] = props.get("time_note")
    return time


def _participants(snapshot: Snapshot, node_id: str, props: dict[str, Any]) -> Any:
    return [
        {"role": edge["props"]["role"], "ref": edge["target"]}
        for edge in sorted(
            snapshot.edges.get(node_id, []), key=lambda edge: edge["props"].get("position", 0)
        )
        if edge["type"] == "INVOLVES"
    ]


def _bound(name: str) -> Callable[[Snapshot, str, dict[str, Any]], Any]:
    def read(snapshot: Snapshot, node_id: str, props: dict[str, Any]) -> Any:
        if props.get(name) is None:
            return None
        return render_bound(props[name], TimePrecision(props[f"{name}_precision"]))

    return read


def _duration(snapshot: Snapshot, node_id: str, props: dict[str, Any]) -> Any:
    if props.get("duration_amount") is None:
        return None
    return {
        "amount": props["duration_amount"],
        "unit": props.get("duration_unit"),
        "approximate": props.get("duration_approximate", False),
    }


_SPECIALS: dict[str, Callable[[Snapshot, str, dict[str, Any]], Any]] = {
    "point": _point,
    "published": _published,
    "time": _event_time,
    "duration": _duration,
    "participants": _participants,
    "claims": lambda snapshot, node_id, props: _claims(snapshot, node_id),
    "since": _bound("since"),
    "until": _bound("until"),
}
"""How each special part (`graph.model.Special`) is read back from the snapshot."""


def record_of(snapshot: Snapshot, label: str, props: dict[str, Any]) -> dict[str, Any]:
    """The native-format record of one node."""
    node_id = props["id"]
    data: dict[str, Any] = {}
    for part in model.SHAPES_BY_LABEL[label].fields:
        if isinstance(part, model.Prop):
            data[part.name] = props.get(part.name)
        elif isinstance(part, model.Link):
            targets = _targets(snapshot, node_id, part.edge)
            data[part.name] = targets if part.many else (targets[0] if targets else None)
        elif part.name == "external_ids":  # by label: ids are unique per label only
            data[part.name] = snapshot.external_ids.get((label, node_id))
        else:
            data[part.name] = _SPECIALS[part.name](snapshot, node_id, props)
    record: Record = _MODEL_BY_LABEL[label].model_validate(
        {k: v for k, v in data.items() if v is not None}
    )
    return record.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def document_of(snapshot: Snapshot) -> dict[str, Any]:
    """The native-format document of a snapshot."""
    document: dict[str, Any] = {"eventgraph": FORMAT_VERSION}
    for record_type in RECORD_TYPES:
        label = record_type.label.name
        nodes = snapshot.nodes.get(label, {})
        records = [record_of(snapshot, label, nodes[node_id]) for node_id in sorted(nodes)]
        if records:
            document[record_type.label.collection] = records
    return document


def export_document(
    driver: Driver,
    database: str,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
) -> dict[str, Any]:
    """The native-format document of the graph or of a slice of it."""
    return document_of(read_snapshot(driver, database, since, until, entity))


YAML_LINE_BREAKS = ("\x85", "\u2028", "\u2029")
"""Characters YAML reads as line breaks besides CR and LF: in a plain or single-quoted scalar
they fold (PyYAML writes U+0085 there and reads it back as a space), so text holding any is
written double-quoted, where they are escapes (`\\N`, `\\L`, `\\P`)."""


class _ExactDumper(yaml.SafeDumper):
    """Safe YAML whose every string reads back byte-identical."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(brk in text for brk in YAML_LINE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_ExactDumper.add_representer(str, _represent_text)


def dump_document(document: dict[str, Any], format_: str) -> str:
    """The document as YAML or JSON text (UTF-8, keys in the format's order)."""
    if format_ == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(document, Dumper=_ExactDumper, sort_keys=False, allow_unicode=True, width=100)
