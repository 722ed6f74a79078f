"""Writing a validated plan: records in transactions of whole records, idempotent, resumable.

Each record is classified against the graph by its content hash: new records are created,
changed ones replaced in place (their properties, their outgoing edges and their claims), and
unchanged ones not touched at all. A record is written whole: its node (with its content hash),
its outgoing edges, its participants, its claims and its external ids go in one transaction, so
a reader never
sees an event without its parts, and an import that stopped anywhere resumes exactly when run
again (what committed is unchanged, the rest is written). By default the whole import is one
transaction, sent chunk by chunk as the records stream in; with a batch size each batch of
records commits on its own. What belongs to no record the import writes (the ids that attached
records bring to their nodes, a feed's claims on nodes already in the graph) goes in the last
transaction, which holds the import's last records: by then its sources and reports are written.

A record's edges can only be created once their targets exist. The records arrive in
`WRITE_ORDER`, so targets of an earlier label are written already; one that points at a record
of its own label not yet written (`part_of`, `about`, `ends`, `within`) waits in a short pending
list until that record is, and whatever still waits at the end (a cycle) is written together in
one last transaction. Only ids are kept, never the records, and of those at most a bounded
cache (`KNOWN_PER_LABEL`): a target the writer does not remember is looked up in the graph.

While Neo4j writes one batch, a thread reads and builds the rows of the next (prefetch.py).

What Neo4j does per record is kept small: a record no node had the id of when its batch was
classified is created whole by one statement per label (`CREATE` of the node with its edges to
earlier labels and its claims: no MERGE, nothing to delete), properties named key by key so no
statement plans an `Eager`. Only changed records take the replace path below.

Any number of imports of overlapping data at once end as if run one after another. A changed
record's node is MERGEd under the uniqueness constraints, and its edges and claims are deleted
and re-created in the transaction whose `SET` of its node holds the node's write lock until the
commit, so a second importer waits for the first to commit and then replaces what it wrote.
Only nodes that existed before their MERGE have edges and claims to delete; the MERGE reports
them. A record found new that another import creates before this one commits makes the
uniqueness constraint refuse the transaction; the batch is then written again with every record
on the replace path (`_written`), which finds that node and replaces it. A deadlock between
importers is a transient error the driver's managed transaction retries. Labels and
relationship types come only from the ontology (interpolated, or as parameters of `$(…)`);
values are parameters.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from neo4j import Driver, ManagedTransaction, Record, Result, Session
from neo4j.exceptions import ConstraintError, ServiceUnavailable, SessionExpired, TransientError
from neo4j.spatial import WGS84Point

from eventgraph.graph import consistency, identifiers, involvement, model, ontology
from eventgraph.graph.driver import begin_with_first_query, is_memory_limit
from eventgraph.graph.errors import Conflict, InvalidData, QueryTooLarge, Refused, Unavailable
from eventgraph.graph.executor import Statement
from eventgraph.graph.identifiers import id_row
from eventgraph.graph.importer import graph_claims
from eventgraph.graph.importer.attaching import attached_id_rows
from eventgraph.graph.importer.graph_claims import BASED_ON_EDGES
from eventgraph.graph.importer.prefetch import prefetched
from eventgraph.graph.importer.reading import RawRecord
from eventgraph.graph.importer.validation import Checker, Item, Plan, claim_id_of, claims_of
from eventgraph.graph.read_ahead import Lookup, ReadAhead
from eventgraph.graph.records import ClaimSpec
from eventgraph.graph.retraction import RETRACTION_PROPERTIES
from eventgraph.graph.spans import mark_long_span, set_relation_bounds
from eventgraph.graph.timespan import bounds

Progress = Callable[[int], None]
W = TypeVar("W")
"""What a write transaction's function gives back."""

WRITE_ORDER = (
    "Location",
    "Actor",
    "EquipmentType",
    "Asset",
    "Source",
    "Report",
    "Event",
    "Relation",
)
ROWS_PER_QUERY = 10_000
SLICE_RECORDS = 500
"""Records built into rows at a time (what the prefetch thread hands over)."""
CHUNK_RECORDS = 2_000
"""Records per chunk sent in one-transaction mode (the progress bar moves per chunk)."""
TOO_LARGE = QueryTooLarge.CODE
AHEAD_RECORDS = 20_000
"""At most this many records are built ahead of what Neo4j is writing: in batch mode one batch
(the next one is ready when the last commits; less would leave part of its building to after
the commit, more could not be sent sooner), up to this cap. It costs memory by the record's
rows: measured on a generated GDELT day, about 8.5 KB per event (four claims each) and 1.7 KB
per place, actor or report, so 10,000 events ahead hold some 85 MiB (docs/benchmarks.md)."""


@dataclass
class Outcome:
    """Per label: how many records were created, updated, left unchanged."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def add(self, other: "Outcome") -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)
        self.unchanged.update(other.unchanged)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


# ---- records to rows -----------------------------------------------------------------------


def _point(record: Any) -> dict[str, Any]:
    point = record.point
    if point is None:
        return {}
    return {
        "point": WGS84Point((point.lon, point.lat)),
        "point_precision": point.precision.value,
        "point_uncertainty_km": point.uncertainty_km,
    }


def _published(record: Any) -> dict[str, Any]:
    if record.published is None:
        return {}
    published = record.published.resolved()
    return {
        "published_start": published.start,
        "published_end": published.end,
        "published_precision": published.precision.value,
        "published_year_assumed": record.published.year_assumed,
        "published_note": record.published.note,
    }


def _time(record: Any) -> dict[str, Any]:
    when = record.time.resolved()
    return {
        "start": when.start,
        "end": when.end,
        "time_precision": when.precision.value,
        "year_assumed": record.time.year_assumed,
        "time_note": record.time.note,
    }


def _duration(record: Any) -> dict[str, Any]:
    if record.duration is None:
        return {}
    return {
        "duration_amount": record.duration.amount,
        "duration_unit": record.duration.unit.value,
        "duration_approximate": record.duration.approximate,
    }


def _since(record: Any) -> dict[str, Any]:
    if record.since is None:
        return {}
    low, _, precision = bounds(record.since)
    return {"since": low, "since_precision": precision.value}


def _until(record: Any) -> dict[str, Any]:
    if record.until is None:
        return {}
    _, high, precision = bounds(record.until)
    return {"until": high, "until_precision": precision.value}


_SPECIAL_PROPERTIES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "point": _point,
    "published": _published,
    "time": _time,
    "duration": _duration,
    "since": _since,
    "until": _until,
}
"""The node properties of each special part that is stored on the node (by its name; the
others are edges or claims). `since_end` and `until_start` are set in Cypher (graph/spans.py)."""


def _stored(value: Any) -> Any:
    if type(value) is str:  # most values: spare the checks below
        return value
    if isinstance(value, Enum):
        return value.value
    return list(value) if isinstance(value, tuple) else value


_NODE_PARTS: dict[str, tuple[tuple[str, Callable[[Any], dict[str, Any]] | None], ...]] = {
    shape.label.name: tuple(
        (part.name, _SPECIAL_PROPERTIES.get(part.name) if isinstance(part, model.Special) else None)
        for part in shape.fields
        if isinstance(part, model.Prop)
        or (isinstance(part, model.Special) and part.name in _SPECIAL_PROPERTIES)
    )
    for shape in model.SHAPES
}
"""Per label, in the model's order, each part stored on the node: a property's name (None)
or a special part's name and what it stores (worked out once, not per record)."""


def node_properties(item: Item) -> dict[str, Any]:
    """The properties a record's node carries (None values are simply not set)."""
    record = item.record
    values = record.__dict__
    props: dict[str, Any] = {}
    for name, special in _NODE_PARTS[item.label]:
        if special is None:
            value = values[name]
            if value is not None:
                props[name] = _stored(value)
        else:
            props.update(special(record))
    return {key: value for key, value in props.items() if value is not None}


Edge = tuple[str, str, str, str, str, dict[str, Any]]
"""(type, from label, from id, to label, to id, properties)"""


def edges_of(item: Item, plan: Plan) -> list[Edge]:
    """The outgoing edges a record owns."""
    record: Any = item.record
    label = item.label
    out: list[Edge] = []

    def to(edge_type: str, target: str, target_label: str | None = None, **props: Any) -> None:
        out.append(
            (edge_type, label, record.id, target_label or plan.label_of_id(target), target, props)
        )

    values = record.__dict__
    for link in _EDGE_PARTS[label]:
        if link is None:
            for position, participant in enumerate(record.participants):
                to("INVOLVES", participant.ref, role=participant.role, position=position)
            continue
        value = values[link.python_name]
        known = link.targets[0] if len(link.targets) == 1 else None
        for target in value if link.many else (value,) if value else ():
            to(link.edge, target, known)
    return out


_EDGE_PARTS: dict[str, tuple[model.Link | None, ...]] = {
    shape.label.name: tuple(
        part if isinstance(part, model.Link) else None
        for part in shape.fields
        if isinstance(part, model.Link)
        or (isinstance(part, model.Special) and part.name == "participants")
    )
    for shape in model.SHAPES
}
"""Per label, in the model's order, the parts that are edges: each link, and None for the
participants (worked out once, not per record)."""


def claim_rows(item: Item, plan: Plan) -> list[dict[str, Any]]:
    return [
        claim_row(item.record.id, index, claim, plan)
        for index, claim in enumerate(claims_of(item.record))
    ]


def claim_row(owner: str, index: int | None, claim: ClaimSpec, plan: Plan) -> dict[str, Any]:
    """The row a claim of `owner` is written from (`index`: its place among the owner's
    claims, None for one added to a node already in the graph, which then gives its id)."""
    props = {
        "id": claim.id if index is None else claim_id_of(owner, index, claim),
        "position": index,
        "reliability": plan.reliability_of(owner, index or 0, claim),
        "reliability_given": claim.reliability is not None,
        "credibility": claim.credibility.value,
        "paraphrase": claim.paraphrase,
        "quote": claim.quote,
        "grading_note": claim.grading_note,
        "reported_on": claim.reported_on,
    }
    return {
        "owner": owner,
        "source": claim.source,
        "report": claim.report,
        "based_on": list(dict.fromkeys(claim.based_on)),  # one BASED_ON edge per source
        "props": {k: v for k, v in props.items() if v is not None},
    }


# ---- Cypher --------------------------------------------------------------------------------
# Every lookup by id names its index (`USING INDEX`): Neo4j plans from the statistics of the
# moment, and in a graph that was just emptied it sometimes chose to scan a label and filter it
# row by row instead (seen: 6.5 s instead of 0.1 s to delete the edges of 5 000 assets).

_READ_HASHES = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) "
    "RETURN '{label}' AS label, n.id AS id, n.content_hash AS hash, n.stix_modified AS modified"
)
KEPT_ON_REPLACE = (*RETRACTION_PROPERTIES, model.UNCOUNTED_INVOLVES.name)
"""What a node carries that its record does not give: kept when the record replaces it."""
_UPSERT_NODES = (
    "UNWIND $rows AS row "
    "MERGE (n:`{label}` {{id: row.id}}) ON CREATE SET n.created_at = $now "
    "ON MATCH SET n.updated_at = $now "
    "WITH n, row, n.created_at AS created, coalesce(n.created_at <> $now, true) AS existed, "
    f"n {{{{{', '.join('.' + name for name in KEPT_ON_REPLACE)}}}}} AS kept "
    "SET n = row.props, n += kept, "
    "n.created_at = coalesce(created, $now), n.updated_at = $now{times} "
    "WITH n, existed {then}"
    "WITH n WHERE existed RETURN n.id AS id"
)
"""Upserts nodes and returns the ids of those that existed before (not created by this MERGE:
`created_at` is `$now` only on nodes it created). `ON MATCH SET` takes each node's write lock
for the rest of the transaction before what it keeps (`KEPT_ON_REPLACE`) is read: a retraction
or a count another transaction changes meanwhile is not lost."""
TIME_PROPERTIES = {
    "Event": ("start", "end"),
    "Report": ("published_start", "published_end"),
    "Relation": ("since", "until"),
}
"""Datetime properties per label. They travel as ISO text and Neo4j's `datetime()` reads them:
the driver's own conversion of a Python datetime costs about 0.1 ms each in Python, more than
the rest of an event's row (10k events: 2 s of a 9 s write)."""
_DELETE_OWNED_EDGES = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}})-[r:{types}]->() USING INDEX n:`{label}`(id) "
    f"WHERE r.`{ontology.MOVED_BY}` IS NULL DELETE r"
)
_DELETE_OWNED_CLAIMS = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}})<-[s:SUPPORTS]-(c:Claim) "
    "USING INDEX n:`{label}`(id) "
    f"WHERE s.`{ontology.MOVED_BY}` IS NULL DETACH DELETE c"
)
"""A record replaces its node's links and claims; those a merge moved to it from the node it
folded (`ontology.MOVED_BY`) are that node's, given back by unmerging, and stay."""
# Properties are written key by key from the model (`{key: row.props.key}`), never `SET n =
# row.props`: a map Neo4j cannot see into makes it plan an `Eager` (every row buffered before
# the next operator) after each such SET. A key a row lacks is null, and null is not stored.


def _map(keys: Iterable[str], source: str) -> str:
    return ", ".join(f"`{key}`: {source}.`{key}`" for key in keys)


_EDGE_KEYS = _map(
    sorted({prop.name for props in model.EDGE_PROPERTIES.values() for prop in props}),
    "edge.props",
)
_CLAIM_KEYS = _map(
    (p.name for p in model.CLAIM_PROPERTIES if p.name != "created_at"), "claim.props"
)
_CREATE_EDGES = (
    "UNWIND $rows AS edge "
    "MATCH (a:`{source}` {{id: edge.from}}) USING INDEX a:`{source}`(id) "
    "MATCH (b:`{target}` {{id: edge.to}}) USING INDEX b:`{target}`(id) "
    f"CREATE (a)-[:$(edge.type) {{{{{_EDGE_KEYS}}}}}]->(b)"
)
"""One statement per pair of labels, the type a parameter: fewer statements for Neo4j to plan
(each costs it 30-130 ms, more than writing a few thousand edges)."""
_CLAIMS_OF_N = (
    "MATCH (s:Source {{id: claim.source}}) USING INDEX s:Source(id) "
    "OPTIONAL MATCH (report:Report {{id: claim.report}}) USING INDEX report:Report(id) "
    f"CREATE (c:Claim {{{{{_CLAIM_KEYS}, created_at: $now}}}}) "
    "CREATE (c)-[:SUPPORTS]->(n) CREATE (c)-[:SOURCED_FROM]->(s) "
    "FOREACH (_ IN CASE WHEN report IS NULL THEN [] ELSE [1] END | "
    "CREATE (c)-[:IN_REPORT]->(report)) " + BASED_ON_EDGES
)
"""Creates the claims (`claim`) of the node `n` with their edges."""
_CREATE_CLAIMS = (
    "UNWIND $rows AS claim "
    "MATCH (n:`{label}` {{id: claim.owner}}) USING INDEX n:`{label}`(id) " + _CLAIMS_OF_N
)
_CREATE_RECORDS = (
    "UNWIND $rows AS row "
    "CREATE (n:`{label}` {{{props}, created_at: $now, updated_at: $now{times}}}){rest}"
)
"""Creates records that are new to the graph whole, in one statement per label: the node, its
edges to nodes of earlier labels (`WRITE_ORDER`, written already: one subquery per target
label, so every lookup is an index seek) and its claims. Edges to its own label or later ones
wait for `_CREATE_EDGES` (a MATCH of the label this statement creates would make Neo4j buffer
every row first)."""
_LINKS_TO = (
    "CALL (n, row) {{ UNWIND row.edges.`{target}` AS edge "
    "MATCH (b:`{target}` {{id: edge.to}}) USING INDEX b:`{target}`(id) "
    f"CREATE (n)-[:$(edge.type) {{{{{_EDGE_KEYS}}}}}]->(b) }}}} "
)


def _owned_edge_types(label: str) -> str:
    types = [edge.name for edge in ontology.EDGE_TYPES if label in edge.from_labels]
    return "|".join(f"`{name}`" for name in types)


def _upsert_nodes(label: str) -> str:
    times = "".join(
        f", n.`{key}` = datetime(row.times.`{key}`)" for key in TIME_PROPERTIES.get(label, ())
    )
    then = {
        "Event": f"CALL (n) {{ {mark_long_span('n')} }} ",
        "Relation": f"CALL (n) {{ {set_relation_bounds('n')} }} ",
    }.get(label, "")
    return _UPSERT_NODES.format(label=label, times=times, then=then)


_RANK = {label: rank for rank, label in enumerate(WRITE_ORDER)}


def _earlier_targets(label: str) -> list[str]:
    """The labels, earlier in `WRITE_ORDER`, that this label's edges may point at."""
    targets = {
        target
        for edge in ontology.EDGE_TYPES
        if label in edge.from_labels
        for target in edge.to_labels
        if _RANK[target] < _RANK[label]
    }
    return sorted(targets, key=_RANK.__getitem__)


def _has_claims(label: str) -> bool:
    return any(
        isinstance(part, model.Special) and part.name == "claims"
        for part in model.SHAPES_BY_LABEL[label].fields
    )


_SET_IN_CYPHER = {"created_at", "updated_at", "since_end", "until_start"}
"""Stored properties the rows do not carry: stamps, and the bounds graph/spans.py derives."""


def _create_records(label: str) -> str:
    own_times = TIME_PROPERTIES.get(label, ())
    keys = [
        prop.name
        for prop in model.SHAPES_BY_LABEL[label].stored()
        if prop.name not in _SET_IN_CYPHER and prop.name not in own_times
    ]
    times = "".join(f", `{key}`: datetime(row.times.`{key}`)" for key in own_times)
    links = "".join(_LINKS_TO.format(target=target) for target in _earlier_targets(label))
    claims = (
        "CALL (n, row) { UNWIND row.claims AS claim " + _CLAIMS_OF_N.format() + " } "
        if _has_claims(label)
        else ""
    )
    then = {
        "Event": f"CALL (n) {{ {mark_long_span('n')} }}",
        "Relation": f"CALL (n) {{ {set_relation_bounds('n')} }}",
    }.get(label, "")
    rest = links + claims + then
    return _CREATE_RECORDS.format(
        label=label,
        props=_map(keys, "row.props"),
        times=times,
        rest=f" WITH n, row {rest}" if rest else "",
    )


@dataclass(frozen=True)
class _Statements:
    """One label's statements, built once."""

    read_hashes: str
    create: str
    upsert: str
    delete_edges: str | None
    delete_claims: str | None
    create_claims: str


_STATEMENTS = {
    label: _Statements(
        _READ_HASHES.format(label=label),
        _create_records(label),
        _upsert_nodes(label),
        _DELETE_OWNED_EDGES.format(label=label, types=_owned_edge_types(label))
        if _owned_edge_types(label)
        else None,
        _DELETE_OWNED_CLAIMS.format(label=label) if _has_claims(label) else None,
        _CREATE_CLAIMS.format(label=label),
    )
    for label in WRITE_ORDER
}


def _chunks(rows: list[Any], size: int = ROWS_PER_QUERY) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _run(tx: ManagedTransaction, query: str, key: str, chunk: list[Any], **params: Any) -> Result:
    """Run `query` with `chunk` as `$key`, then empty `chunk` (sent by then; a retried
    transaction builds its chunks again). The driver keeps every statement's parameters on its
    `Result`, which sits in reference cycles, so they lived until the garbage collector's next
    full collection, long after their batch committed, and ever rarer as the heap grew: a GDELT
    day's write pass held the rows of batches written long before (1 GiB at 150k events)."""
    result = tx.run(query, {key: chunk, **params})
    chunk.clear()
    return result


def _slices(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """`items` in lists of `size` (the last one shorter), read as they come."""
    stream = iter(items)
    while chunk := list(islice(stream, size)):
        yield chunk


# ---- records made ready to write -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rows:
    """One record's rows, built ahead (prefetch.py) of the transaction that writes them."""

    label: str
    id: str
    content_hash: str
    node: dict[str, Any]
    edges: list[tuple[str, str, dict[str, Any]]]
    """(from label, to label, row) of each outgoing edge."""
    claims: list[dict[str, Any]]
    targets: tuple[tuple[str, str], ...]
    """(label, id) of every other node its edges and claims need."""
    created: dict[str, Any]
    """The row `_STATEMENTS[label].create` takes if the record is new to the graph."""
    later: list[tuple[str, str, dict[str, Any]]]
    """The edges that statement leaves to `_CREATE_EDGES` (to its own label or a later one)."""
    ids: list[dict[str, str]]
    """The external ids the record gives (`identifiers.id_row`), written with it."""


def _rows_of(item: Item, plan: Plan) -> _Rows:
    record_id = item.record.id
    label = item.label
    props = node_properties(item)
    texts = {
        key: props.pop(key).isoformat() for key in TIME_PROPERTIES.get(label, ()) if key in props
    }
    props["content_hash"] = item.content_hash
    edges = []
    earlier: dict[str, list[dict[str, Any]]] = {}
    later = []
    targets = []
    for edge_type, source, _, target, target_id, edge_props in edges_of(item, plan):
        edge = {"type": edge_type, "from": record_id, "to": target_id, "props": edge_props}
        edges.append((source, target, edge))
        if _RANK[target] < _RANK[label]:
            earlier.setdefault(target, []).append(edge)
        else:
            later.append((source, target, edge))
        if target_id != record_id:
            targets.append((target, target_id))
    claims = claim_rows(item, plan)
    for claim in claims:
        targets.append(("Source", claim["source"]))
        if claim["report"] is not None:
            targets.append(("Report", claim["report"]))
        targets.extend(("Source", basis) for basis in claim["based_on"])
    ids = [id_row(given.scheme, given.value) for given in getattr(item.record, "external_ids", ())]
    created: dict[str, Any] = {"props": props}
    if texts:
        created["times"] = texts
    if earlier:
        created["edges"] = earlier
    if claims:
        created["claims"] = claims
    return _Rows(
        label,
        record_id,
        item.content_hash,
        {"id": record_id, "props": props, "times": texts},
        edges,
        claims,
        tuple(targets),
        created,
        later,
        ids,
    )


def _in_write_order(items: Iterable[Item]) -> Iterable[Item]:
    """The records in `WRITE_ORDER`: a stream comes so; a list (records in file order, as a
    folder's `events-*.json` sort before its `world.json`) is sorted, stably, by label. Out of
    order, every event would wait for its places and assets and the batches would not hold."""
    if isinstance(items, list):
        return sorted(items, key=lambda item: _RANK[item.label])
    return items


def _rows_ahead(plan: Plan) -> AbstractContextManager[Iterator[list[_Rows]]]:
    """The plan's rows, built in a thread ahead of the writer (prefetch.py) when there is more
    than one slice; one slice (an API mutation) is built here: a thread would have nothing to
    build while Neo4j writes, and starting and joining one took 0.14–0.22 ms (at load 15)."""
    rows = _all_rows(plan)
    if plan.total <= SLICE_RECORDS:
        return nullcontext(rows)
    return prefetched(rows, AHEAD_RECORDS // SLICE_RECORDS)


def _all_rows(plan: Plan) -> Iterator[list[_Rows]]:
    """The plan's records as rows, in slices (what the prefetch thread hands over)."""
    for chunk in _slices(_in_write_order(plan.items), SLICE_RECORDS):
        yield [_rows_of(item, plan) for item in chunk]


# ---- writing -------------------------------------------------------------------------------


Ids = defaultdict[str, set[str]]
"""Ids by label (ids are unique per label only)."""


def _ids() -> Ids:
    return defaultdict(set)


KNOWN_PER_LABEL = 100_000
"""Ids per label the writer remembers to exist; past that it forgets them and asks the graph
again (one index seek per target, by batch), so its memory does not grow with the import."""


@dataclass
class _Known:
    """What an import has learnt of the graph: ids only, never records."""

    present: Ids = field(default_factory=_ids)
    """Nodes known to exist (written by this import, found unchanged, or found in the graph):
    a cache of at most KNOWN_PER_LABEL ids per label. A target not in it is looked up."""
    absent: Ids = field(default_factory=_ids)
    """Targets found missing: records of this import not written yet (the pending ones')."""
    ahead: ReadAhead | None = None
    """Where the writer's lookups go when they were read ahead with the check (a mutation)."""

    @classmethod
    def checked(cls, plan: Plan, ahead: ReadAhead) -> "_Known":
        """What a check in this very transaction found: the targets it found in the graph
        exist (the writer need not look them up again), the records' hashes read ahead."""
        known = cls(ahead=ahead)
        for node_id, label in plan.graph_labels.items():
            known.present[label].add(node_id)
        return known

    def has(self, label: str, node_id: str) -> bool:
        return node_id in self.present[label]

    def learn(self, label: str, ids: set[str]) -> None:
        known = self.present[label]
        if len(known) + len(ids) > KNOWN_PER_LABEL:
            known.clear()
        known.update(ids)
        self.absent[label].difference_update(ids)


@dataclass
class _Sent:
    """What one transaction function did (applied to `_Known` once it committed)."""

    outcome: Outcome = field(default_factory=Outcome)
    done: int = 0
    """Records written or found unchanged."""
    present: Ids = field(default_factory=_ids)
    """Those records, and the targets found in the graph."""
    missing: Ids = field(default_factory=_ids)
    pending: list[_Rows] = field(default_factory=list)
    finished: bool = False
    """Whether it wrote what belongs to no record (`_write_unowned`): it was the last."""

    def apply(self, known: _Known) -> None:
        for label, ids in self.present.items():
            known.learn(label, ids)
        for label, ids in self.missing.items():
            known.absent[label].update(ids)


def _by_label(rows: list[_Rows]) -> dict[str, list[_Rows]]:
    grouped: dict[str, list[_Rows]] = {}
    for row in rows:
        grouped.setdefault(row.label, []).append(row)
    return grouped


def _read_hashes(
    tx: ManagedTransaction,
    wanted: dict[str, list[str]],
    versions: dict[str, dict[str, str]] | None = None,
    ahead: ReadAhead | None = None,
) -> dict[str, dict[str, str | None]]:
    """The stored content hash of each id found, by label; the STIX version of each into
    `versions`. Several labels with few ids between them are read in one statement: a
    mutation recording one event asked five labels, one round trip each. With `ahead`, the
    lookups go through it (a mutation's, read ahead with its check: `hash_lookups`)."""
    stored: dict[str, dict[str, str | None]] = {label: {} for label in wanted}
    asked = {label: ids for label, ids in wanted.items() if ids}
    found: Iterable[Record]
    if ahead is not None:
        found = (
            row
            for lookup in hash_lookups(asked)
            for row in ahead.execute_query(lookup.query, lookup.params).records
        )
    elif len(asked) > 1 and sum(map(len, asked.values())) <= ROWS_PER_QUERY:
        (lookup,) = hash_lookups(asked)
        found = tx.run(lookup.query, lookup.params)
    else:
        found = (
            row
            for label, ids in asked.items()
            for chunk in _chunks(ids)
            for row in _run(tx, _STATEMENTS[label].read_hashes, "ids", chunk)
        )
    for row in found:
        label = row["label"]
        stored[label][row["id"]] = row["hash"]
        if versions is not None and row["modified"] is not None:
            versions.setdefault(label, {})[row["id"]] = row["modified"]
    return stored


def hash_lookups(wanted: dict[str, list[str]]) -> list[Lookup]:
    """The statements `_read_hashes` reads the `wanted` ids' hashes with: one for several
    labels with few ids between them, else one per label and chunk; each label's ids sorted,
    so the same ids make the same lookups (`graph/read_ahead.py` matches them so)."""
    asked = {label: sorted(set(ids)) for label, ids in wanted.items() if ids}
    columns = ("label", "id", "hash", "modified")
    if len(asked) > 1 and sum(map(len, asked.values())) <= ROWS_PER_QUERY:
        labels = tuple(sorted(asked, key=_RANK.__getitem__))
        params = {f"ids{i}": asked[label] for i, label in enumerate(labels)}
        return [Lookup(_hashes_of(labels), params, columns)]
    return [
        Lookup(_STATEMENTS[label].read_hashes, {"ids": chunk}, columns)
        for label, ids in asked.items()
        for chunk in _chunks(ids)
    ]


@cache
def _hashes_of(labels: tuple[str, ...]) -> str:
    """`_READ_HASHES` of several labels in one statement, `$ids0`… in the order of `labels`."""
    branches = [
        _READ_HASHES.format(label=label).replace("$ids", f"$ids{index}")
        for index, label in enumerate(labels)
    ]
    return "CALL () { " + " UNION ALL ".join(branches) + " } RETURN label, id, hash, modified"


def _superseded(row: "_Rows", versions: dict[str, str]) -> bool:
    """A STIX object older (`modified`) than the version in the graph: it does not overwrite."""
    modified = row.node["props"].get("stix_modified")
    return modified is not None and row.id in versions and modified < versions[row.id]


class _TooLarge(Exception):
    """Neo4j stopped a statement for its memory: the driver must not retry it (a commit it
    stops so comes as the driver's `TransientError`, after its retries)."""


def _write_records(
    tx: ManagedTransaction,
    candidates: list[_Rows],
    known: _Known,
    now: datetime,
    everything: bool = False,
    create: bool = True,
    finish: Plan | None = None,
) -> _Sent:
    """`_send_records`, a memory refusal told at once instead of retried for seconds."""
    try:
        return _send_records(tx, candidates, known, now, everything, create, finish)
    except TransientError as error:
        if is_memory_limit(error):
            raise _TooLarge from None
        raise


def _send_records(
    tx: ManagedTransaction,
    candidates: list[_Rows],
    known: _Known,
    now: datetime,
    everything: bool,
    create: bool,
    finish: Plan | None,
) -> _Sent:
    """Write the candidates whose targets exist (all of them if `everything`): classify by
    hash; create the new ones whole if `create` (else upsert them too); upsert the changed
    nodes and replace their edges and claims; add the external ids of both. The rest come back
    as pending. With `finish` (the import's last records) and nothing pending, also what of the
    plan belongs to no record written (`_write_unowned`).

    Changes nothing in `known`: the caller applies the result once it
    committed (a retried transaction starts again from the same `known`)."""
    sent = _Sent()
    to_write: list[_Rows] = []
    groups = _by_label(candidates)
    versions_of: dict[str, dict[str, str]] = {}
    stored = _read_hashes(
        tx,
        {label: [row.id for row in group] for label, group in groups.items()},
        versions_of,
        known.ahead,
    )
    for label, group in groups.items():
        hashes, versions = stored[label], versions_of.get(label, {})
        for row in group:
            if row.id in hashes and (
                hashes[row.id] == row.content_hash or _superseded(row, versions)
            ):
                sent.outcome.unchanged[label] += 1
                sent.present[label].add(row.id)
                sent.done += 1
            else:
                to_write.append(row)
    if not everything:
        to_write = _ready(tx, to_write, known, sent)
    new: list[_Rows] = []
    changed: list[_Rows] = []
    for row in to_write:
        found = row.id in stored[row.label]
        (sent.outcome.updated if found else sent.outcome.created)[row.label] += 1
        sent.present[row.label].add(row.id)
        (new if create and not found else changed).append(row)
    _create_new(tx, new, now)
    existed = _write_nodes(tx, changed, now)
    replaced = [row.id for row in changed if row.label == ontology.EVENT.name]
    before = involvement.terms_of(tx, replaced)  # under the events' locks, taken just now
    _replace_links(tx, changed, existed, now)
    _create_edges(tx, [edge for row in new for edge in row.later])
    twice = [row.id for row in new if _names_an_entity_twice(row)]
    involvement.add_terms(tx, before, involvement.terms_of(tx, replaced + twice))
    _write_ids(tx, to_write, now)
    sent.done += len(to_write)
    if finish is not None and not sent.pending:
        if created := _write_unowned(tx, finish, now):
            sent.outcome.created["Claim"] += created
        sent.finished = True
    return sent


def _names_an_entity_twice(row: _Rows) -> bool:
    """A new event with two participations of one entity, the only way one new to the graph
    has an uncounted INVOLVES (`involvement`): the others need no reading back."""
    involved = [(target, edge["to"]) for _, target, edge in row.edges if edge["type"] == "INVOLVES"]
    return len(involved) != len(set(involved))


def _write_ids(tx: ManagedTransaction, rows: list[_Rows], now: datetime) -> None:
    """The external ids of the records written, on their nodes (graph/identifiers.py)."""
    for label, group in _by_label([row for row in rows if row.ids]).items():
        identifiers.write_ids(tx, label, [{"id": row.id, "ids": row.ids} for row in group], now)


def _nothing_unowned(plan: Plan) -> bool:
    return not (plan.graph_claims or plan.attached.nodes)


def _write_unowned(tx: ManagedTransaction, plan: Plan, now: datetime) -> int:
    """What the import brings to nodes already in the graph, in its last transaction: the ids
    of the records that attached to them, and the feed's claims on them (graph_claims.py: they
    cite the import's sources and reports, written by then); how many claims were new."""
    for label, rows in attached_id_rows(plan.attached).items():
        identifiers.write_ids(tx, label, rows, now)
    claims = (
        (label, claim_row(owner, None, claim, plan)) for label, owner, claim in plan.graph_claims
    )
    return graph_claims.write(tx, claims, now)


def _ready(tx: ManagedTransaction, rows: list[_Rows], known: _Known, sent: _Sent) -> list[_Rows]:
    """The rows whose targets all exist or are written with them; the others wait."""
    unknown = _ids()
    for row in rows:
        for label, target in row.targets:
            if target not in known.present[label] and target not in known.absent[label]:
                unknown[label].add(target)
    stored = _read_hashes(
        tx, {label: sorted(ids) for label, ids in unknown.items()}, ahead=known.ahead
    )
    for label, ids in unknown.items():
        found = stored[label]
        sent.present[label].update(found)
        sent.missing[label].update(ids.difference(found))
    ready = rows
    while True:
        here = {(row.label, row.id) for row in ready}
        kept = [
            row
            for row in ready
            if all(
                known.has(label, target) or target in sent.present[label] or (label, target) in here
                for label, target in row.targets
            )
        ]
        if len(kept) == len(ready):
            break
        ready = kept
    if len(ready) < len(rows):
        chosen = {id(row) for row in ready}
        sent.pending = [row for row in rows if id(row) not in chosen]
    return ready


def _create_new(tx: ManagedTransaction, rows: list[_Rows], now: datetime) -> None:
    """Create records no node had the id of when they were classified, whole (but for their
    `later` edges), label by label in `WRITE_ORDER`. One that another import created since
    makes the uniqueness constraint refuse the transaction: the caller writes it again with
    `create` off (see `_written`)."""
    for label, group in sorted(_by_label(rows).items(), key=lambda pair: _RANK[pair[0]]):
        for chunk in _chunks([row.created for row in group]):
            _run(tx, _STATEMENTS[label].create, "rows", chunk, now=now)


def _create_edges(tx: ManagedTransaction, edges: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Create edges, one statement per (from label, to label)."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for source, target, edge in edges:
        grouped.setdefault((source, target), []).append(edge)
    for (source, target), edge_rows in grouped.items():
        query = _CREATE_EDGES.format(source=source, target=target)
        for chunk in _chunks(edge_rows):
            _run(tx, query, "rows", chunk)


def _write_nodes(tx: ManagedTransaction, rows: list[_Rows], now: datetime) -> Ids:
    """Upsert the nodes, content hash included; the ids of those that existed."""
    results = []
    for label, group in _by_label(rows).items():
        for chunk in _chunks([row.node for row in group]):
            results.append((label, _run(tx, _STATEMENTS[label].upsert, "rows", chunk, now=now)))
    # Read only once all are sent: Neo4j works on one chunk while the next is being sent.
    existed = _ids()
    for label, result in results:
        existed[label].update(record["id"] for record in result)
    return existed


def _replace_links(tx: ManagedTransaction, rows: list[_Rows], existed: Ids, now: datetime) -> None:
    """Replace the outgoing edges and claims of the records written (only the nodes that
    `existed` can have any: the others were created in this transaction)."""
    for label, group in _by_label(rows).items():
        statements = _STATEMENTS[label]
        old = [row.id for row in group if row.id in existed[label]]
        for chunk in _chunks(old):
            if statements.delete_edges:
                _run(tx, statements.delete_edges, "ids", list(chunk))
            if statements.delete_claims:
                _run(tx, statements.delete_claims, "ids", chunk)
        _create_edges(tx, [edge for row in group for edge in row.edges])
        claims = [claim for row in group for claim in row.claims]
        for chunk in _chunks(claims):
            _run(tx, statements.create_claims, "rows", chunk, now=now)


@dataclass
class _Committed:
    """How far an import got: records committed (written, or found unchanged)."""

    total: int
    done: int = 0

    def __str__(self) -> str:
        if self.done == 0:
            return "nothing of it was written."
        if self.done >= self.total:
            return f"all {self.total} records were written."
        return f"{self.done} of {self.total} records were written."


def write_plan(
    driver: Driver,
    database: str,
    plan: Plan,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Write the plan: one transaction, or one per batch of `batch_size` whole records.

    Raise `Conflict` for what the graph refuses or a lock conflict the driver's retries did
    not get past, `Refused` for a transaction larger than Neo4j's memory allows, `Unavailable`
    when Neo4j goes away; each says what stays written."""
    committed = _Committed(plan.total)
    with _told(committed, batch_size), driver.session(database=database) as session:
        if batch_size is None:
            return _write_whole(session, plan, progress)
        return _write_batches(session, plan, batch_size, committed, progress)


def write_and_read(
    driver: Driver,
    database: str,
    checker_of: Callable[[], Checker],
    again: Callable[[], Iterable[RawRecord]],
    read_back: Statement | None,
) -> tuple[Plan, Outcome, list[Record]]:
    """Check, write and read back in one transaction (an API mutation): the checker
    `checker_of` gives (its records checked each on its own) checks them against the graph in
    the transaction (`again` gives the records once more to place a problem), and raises
    `InvalidData` on any problem, with nothing written; the plan is written, then `read_back`
    (the mutation's answer) is read in it too. The write's bookmark is kept for the request's
    answer (`graph/consistency.py`).

    The check's lookups and the writer's (the records' stored hashes) are read ahead in one
    statement (`graph/read_ahead.py`), and the targets the check found are not looked up
    again.

    A transaction the driver runs again (a lock conflict, or the uniqueness constraint refusing
    a record another writer created meanwhile) checks again: a plan checked against the view
    of a transaction that rolled back is not written. Neo4j away is the driver's error, for
    the caller to tell."""
    committed = _Committed(0)  # how many: known once checked; none until the commit

    def check_write_read(
        tx: ManagedTransaction, create: bool
    ) -> tuple[Plan, Outcome, list[Record]]:
        checker = checker_of()
        ahead = ReadAhead(tx)
        ahead.expect(checker.lookups())
        ahead.expect(
            hash_lookups({label: list(checker.ids.ids((label,))) for label in WRITE_ORDER})
        )
        plan = checker.finish(ahead, database, again)
        if plan.problems:
            raise InvalidData(plan.problems, rejected=dict(plan.rejected))
        committed.total = plan.total
        outcome = _write_all(tx, plan, None, _Attempts(), create, _Known.checked(plan, ahead))
        read = [] if read_back is None else list(tx.run(read_back.cypher, read_back.params))
        return plan, outcome, read

    with (
        _told(committed, None, import_away=False),
        driver.session(database=database, bookmarks=consistency.wanted_bookmarks()) as session,
        begin_with_first_query(session),
    ):
        written = _created_else_replaced(session, check_write_read)
        consistency.note_written(session.last_bookmarks())
    return written


def _write_whole(session: Session, plan: Plan, progress: Progress | None) -> Outcome:
    """The plan in one transaction."""
    attempts = _Attempts()
    return _created_else_replaced(
        session, lambda tx, create: _write_all(tx, plan, progress, attempts, create)
    )


def _created_else_replaced(session: Session, write: Callable[[ManagedTransaction, bool], W]) -> W:
    """`write(tx, create=True)` in one write transaction. A record that another import created
    after this one found it missing makes the uniqueness constraint refuse it: written again
    with `create` off, it finds that node and replaces it (see `_written`)."""
    try:
        return session.execute_write(write, True)
    except ConstraintError:
        return session.execute_write(write, False)


@contextmanager
def _told(
    committed: "_Committed", batch_size: int | None, *, import_away: bool = True
) -> Iterator[None]:
    """The driver's failures under a write as eventgraph tells them (see `write_plan`).
    Without `import_away`, Neo4j away or gone stays the driver's error, for the caller to
    tell (a mutation's is the executor's, naming the URI: it may never have reached Neo4j)."""
    try:
        yield
    except ConstraintError as error:
        raise Conflict(
            f"the graph refused the import: {error.message}. Nothing of the current batch was "
            f"written ({committed}); a claim or record id probably belongs to another record "
            "already."
        ) from None
    except (_TooLarge, TransientError) as error:
        if isinstance(error, TransientError) and not is_memory_limit(error):  # a lock conflict
            raise Conflict(
                "another import or writer kept changing the same records at the same time and "
                "Neo4j's retries did not get past it (a lock conflict, not a problem with the "
                f"data): {committed} Run the import again: it resumes where it stopped."
            ) from None
        smaller = "a smaller --batch-size" if batch_size else "--batch-size (5000, say)"
        raise Refused(
            TOO_LARGE,
            "the import needed more memory than Neo4j allows one transaction "
            f"(dbms.memory.transaction.total.max): {committed} Run it again with {smaller}: "
            "it resumes where it stopped.",
        ) from None
    except (ServiceUnavailable, SessionExpired):  # the driver's retries gave up
        if not import_away:
            raise
        raise Unavailable(
            f"Neo4j went away during the import: {committed} Once Neo4j is back, run the "
            "same import again: it resumes where it stopped."
        ) from None


def _write_batches(
    session: Any, plan: Plan, batch_size: int, committed: _Committed, progress: Progress | None
) -> Outcome:
    """One transaction per batch of whole records, built while the last one is written; what
    waits on a record not yet written joins a later batch, a cycle the last transaction."""
    total = Outcome()
    known = _Known()
    pending: list[_Rows] = []
    ahead = max(1, min(batch_size, AHEAD_RECORDS) // SLICE_RECORDS)
    finished = False
    with prefetched(_all_rows(plan), ahead) as slices:
        for batch, last in _batches((row for rows in slices for row in rows), batch_size):
            candidates = pending + batch if pending else batch
            sent = _written(session, candidates, known, finish=plan if last else None)
            finished = sent.finished
            pending = _committed_batch(sent, known, total, committed, progress)
    if pending or not (finished or _nothing_unowned(plan)):  # a cycle left, or no records
        sent = _written(session, pending, known, everything=True, finish=plan)
        _committed_batch(sent, known, total, committed, progress)
    return total


def _batches(rows: Iterable[_Rows], size: int) -> Iterator[tuple[list[_Rows], bool]]:
    """`rows` in lists of `size`, each with whether it is the last: one row is read ahead."""
    stream = iter(rows)
    batch = list(islice(stream, size))
    while batch:
        following = next(stream, None)
        yield batch, following is None
        batch = [] if following is None else [following, *islice(stream, size - 1)]


def _written(
    session: Session,
    candidates: list[_Rows],
    known: _Known,
    everything: bool = False,
    finish: Plan | None = None,
) -> _Sent:
    """One batch in a transaction of its own, its new records created. A record that another
    import created after this one found it missing makes the uniqueness constraint refuse the
    transaction; written again, the batch finds that node and replaces it as a changed record
    (a refusal then is the data's own, and `write_plan` reports it)."""
    try:
        return session.execute_write(
            _write_records, candidates, known, datetime.now(UTC), everything, True, finish
        )
    except ConstraintError:
        return session.execute_write(
            _write_records, candidates, known, datetime.now(UTC), everything, False, finish
        )


def _committed_batch(
    sent: _Sent, known: _Known, total: Outcome, committed: _Committed, progress: Progress | None
) -> list[_Rows]:
    sent.apply(known)
    total.add(sent.outcome)
    committed.done += sent.done
    if progress and sent.done:
        progress(sent.done)
    return sent.pending


class _Attempts:
    """Counts the runs of a transaction function the driver retries."""

    def __init__(self) -> None:
        self.count = 0


def _write_all(
    tx: ManagedTransaction,
    plan: Plan,
    progress: Progress | None,
    attempts: _Attempts,
    create: bool,
    known: "_Known | None" = None,
) -> Outcome:
    """The whole import in this transaction, chunk by chunk as the records stream in (`known`:
    what a check in the same transaction found, `_Known.checked`)."""
    attempts.count += 1
    items: Iterable[Item] = plan.items
    if attempts.count > 1 and iter(items) is items:
        # The records were read once, as they streamed in; they cannot be sent again.
        raise Conflict(
            "another import or writer changed the same records at the same time (a lock "
            "conflict, not a problem with the data): nothing of it was written. Run the "
            "import again."
        )
    total = Outcome()
    known = known or _Known()
    pending: list[_Rows] = []
    now = datetime.now(UTC)
    with _rows_ahead(plan) as slices:
        for chunk in _slices((row for rows in slices for row in rows), CHUNK_RECORDS):
            sent = _write_records(
                tx, pending + chunk if pending else chunk, known, now, False, create
            )
            sent.apply(known)
            total.add(sent.outcome)
            pending = sent.pending
            if progress and sent.done and attempts.count == 1:
                progress(sent.done)
    sent = _write_records(tx, pending, known, now, True, create, plan)
    total.add(sent.outcome)
    if progress and sent.done and attempts.count == 1:
        progress(sent.done)
    return total
