"""Which nodes a slice of the graph holds (`eventgraph export --since/--until/--entity`), found
through the indexes rather than by reading the whole graph.

A slice is its seeds, the events and relations that overlap the time window and (with an
entity) point at that entity, plus everything they reference, transitively: the nodes their
relationships lead to and the sources and reports of their claims. So it imports on its own.

The seeds come from index seeks. Events: the `start` range index from `since` minus the longest
short span (`ontology.SHORT_SPAN_DAYS`) and the `:LongSpan` events apart, as compiled window
queries do (`graph/translate/queries.py`); relations: the `until` and `since` range indexes.
Relations open at both ends overlap every window and carry no indexed value, so they alone are
found by a scan of the `Relation` label (relations are few next to events). An entity is found
by its id through the uniqueness indexes, and the events and relations pointing at it through
its relationships. The closure then follows relationships from the ids found, one round per
step away from the seeds.

Everything here runs in the caller's transaction, whose element ids stay valid throughout.
"""

from datetime import datetime, timedelta
from typing import Any

from neo4j import ManagedTransaction

from eventgraph.graph.errors import NotFound
from eventgraph.graph.ontology import LONG_SPAN_LABEL, SHORT_SPAN_DAYS
from eventgraph.graph.projection import not_retracted
from eventgraph.graph.records import RECORD_TYPES

RECORD_LABELS = tuple(record.label.name for record in RECORD_TYPES)
SPANS = {"Event": ("start", "end"), "Relation": ("since", "until")}
"""The first and last instant of the time of each label a slice is seeded with."""

Window = tuple[datetime | None, datetime | None]
_LABEL = "[label IN labels({node}) WHERE label IN $labels][0]"
"""The record label of a node, of the ones it has (derived labels such as LongSpan aside)."""


def _overlap(node: str, label: str, window: Window) -> list[str]:
    """Conditions that `node` overlaps the window (`$since`, `$until`); an open end overlaps."""
    first, last = SPANS[label]
    since, until = window
    conditions = []
    if until is not None:
        conditions.append(f"({node}.`{first}` IS NULL OR {node}.`{first}` <= $until)")
    if since is not None:
        conditions.append(f"({node}.`{last}` IS NULL OR {node}.`{last}` >= $since)")
    return conditions


def _where(*conditions: str) -> str:
    return " AND ".join(conditions)


def event_seed_query(window: Window) -> str:
    """Non-retracted events overlapping the window: a `start` index seek, plus `:LongSpan`."""
    since, until = window
    overlap = _overlap("e", "Event", window)
    if since is not None:
        seek = ["e.start >= $earliest"] + (["e.start <= $until"] if until is not None else [])
        long_ones = [f"e:`{LONG_SPAN_LABEL}`"]
    else:  # only an upper bound: every start up to it, and the events with an open start
        seek = ["e.start <= $until"]
        long_ones = [f"e:`{LONG_SPAN_LABEL}`", "e.start IS NULL"]
    alive = not_retracted("e")
    return (
        f"MATCH (e:Event) WHERE {_where(*seek, alive, *overlap)} RETURN elementId(e) AS id, "
        f"'Event' AS label UNION MATCH (e:`{LONG_SPAN_LABEL}`) "
        f"WHERE {_where('e:Event', *long_ones, *overlap)} AND {alive} "
        f"RETURN elementId(e) AS id, 'Event' AS label"
    )


def relation_seed_query(window: Window) -> str:
    """Relations overlapping the window: seeks of the `until` and `since` indexes, and the
    relations open at both ends (a label scan: no index holds an absent value)."""
    since, until = window
    parts = []
    if since is not None:
        earlier = ["(r.since IS NULL OR r.since <= $until)"] if until is not None else []
        parts.append(_where("r.until >= $since", *earlier))
        bounded = "r.since <= $until" if until is not None else "r.since IS NOT NULL"
        parts.append(_where("r.until IS NULL", bounded))
    else:
        parts.append("r.since <= $until")
    parts.append("r.since IS NULL AND r.until IS NULL" if since is not None else "r.since IS NULL")
    return " UNION ".join(
        f"MATCH (r:Relation) WHERE {part} RETURN elementId(r) AS id, 'Relation' AS label"
        for part in parts
    )


def entity_seed_query(window: Window) -> str:
    """The entity (any record label, by its id) and the events and relations pointing at it."""
    found = " UNION ".join(
        f"MATCH (t:`{label}` {{id: $entity}}) RETURN t" for label in RECORD_LABELS
    )
    overlaps = [
        f"(s:`{label}` AND {_where(*_overlap('s', label, window))})"
        if _overlap("s", label, window)
        else f"s:`{label}`"
        for label in SPANS
    ]
    return (
        f"CALL () {{ {found} }} WITH t WHERE {not_retracted('t')} "
        f"CALL (t) {{ RETURN t AS s UNION MATCH (t)<--(s) "
        f"WHERE ({' OR '.join(overlaps)}) AND {not_retracted('s')} RETURN s }} "
        f"RETURN DISTINCT elementId(s) AS id, {_LABEL.format(node='s')} AS label, s = t AS entity"
    )


def window_parameters(window: Window) -> dict[str, Any]:
    since, until = window
    return {
        "since": since,
        "until": until,
        "earliest": since - timedelta(days=SHORT_SPAN_DAYS) if since is not None else None,
    }


def seeds(tx: ManagedTransaction, window: Window, entity: str | None) -> dict[str, str]:
    """The element ids of a slice's seeds, with their labels; `NotFound` for an entity not in
    the graph."""
    parameters = {**window_parameters(window), "labels": list(RECORD_LABELS)}
    if entity is not None:
        rows = list(tx.run(entity_seed_query(window), parameters, entity=entity))
        if not any(row["entity"] for row in rows):
            raise NotFound(f"no node with id '{entity}' to export around")
        return {row["id"]: row["label"] for row in rows}
    found: dict[str, str] = {}
    for query in (event_seed_query(window), relation_seed_query(window)):
        found.update((row["id"], row["label"]) for row in tx.run(query, parameters))
    return found


REFERENCES = (
    "UNWIND $ids AS id MATCH (n) WHERE elementId(n) = id "
    "CALL (n) { "
    "MATCH (n)-->(m) WHERE NOT m:Claim AND " + not_retracted("m") + " RETURN m "
    "UNION MATCH (n)<-[:SUPPORTS]-(:Claim)-[:SOURCED_FROM|IN_REPORT|BASED_ON]->(m) RETURN m } "
    "WITH DISTINCT m WHERE any(label IN labels(m) WHERE label IN $labels) "
    "RETURN elementId(m) AS id, " + _LABEL.format(node="m") + " AS label"
)
"""What the nodes `$ids` reference: their relationships' ends, their claims' sources, reports
and the sources they rest on (never retracted events, which exports leave out)."""


def closure(tx: ManagedTransaction, start: dict[str, str]) -> dict[str, str]:
    """The element ids `start` and everything they reference, transitively, with labels."""
    selected = dict(start)
    frontier = sorted(start)
    while frontier:
        rows = tx.run(REFERENCES, ids=frontier, labels=list(RECORD_LABELS))
        found = {row["id"]: row["label"] for row in rows if row["id"] not in selected}
        selected.update(found)
        frontier = sorted(found)
    return selected


def slice_of(tx: ManagedTransaction, window: Window, entity: str | None) -> dict[str, list[str]]:
    """The element ids of every node of a slice, by label."""
    by_label: dict[str, list[str]] = {label: [] for label in RECORD_LABELS}
    for element_id, label in closure(tx, seeds(tx, window, entity)).items():
        by_label[label].append(element_id)
    return {label: sorted(ids) for label, ids in by_label.items()}
