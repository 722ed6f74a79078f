"""Writing a validated plan: batched `UNWIND … MERGE` per label, idempotent, all-or-nothing.

Each record is classified against the graph by its content hash: new records are created,
changed ones replaced in place (their properties, their outgoing edges and their claims), and
unchanged ones not touched at all. Writing takes two passes, nodes first, then edges and claims.
In batch mode the content hash is set last, in its own pass, so a record only counts as
unchanged once all of it is written: an import that stopped half-way picks up where it stopped
when run again. In one transaction everything commits together, so the hash goes with the node.

Any number of imports of overlapping data at once end as if run one after another: nodes are
MERGEd under the uniqueness constraints, and a record's edges and claims are deleted and
re-created under its node's write lock, so a second importer waits for the first to commit and
then replaces what it wrote. In one transaction the node pass's `SET` holds that lock until the
commit, and only nodes that existed before their MERGE (changed records, or records another
import created meanwhile) have edges and claims to delete; the MERGE reports them. In batch
mode the link pass is a transaction of its own, so it takes the lock first (`_LOCK_NODES`):
deleting edges locks nothing when there are none, and two importers would both create them.
A deadlock between importers is a transient error the driver's managed transaction retries.
Labels and relationship types come only from the ontology (interpolated, or as parameters of
`$(…)`); values are parameters.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from itertools import islice
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ConstraintError, ServiceUnavailable, SessionExpired, TransientError
from neo4j.spatial import WGS84Point

from eventgraph.graph import model, ontology
from eventgraph.graph.errors import Conflict, Unavailable
from eventgraph.graph.importer.validation import Item, Plan, claim_id_of, claims_of
from eventgraph.graph.retraction import RETRACTION_PROPERTIES
from eventgraph.graph.spans import mark_long_span, set_relation_bounds
from eventgraph.graph.timespan import bounds

Progress = Callable[[int], None]
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
    if isinstance(value, Enum):
        return value.value
    return list(value) if isinstance(value, tuple) else value


def node_properties(item: Item) -> dict[str, Any]:
    """The properties a record's node carries (None values are simply not set)."""
    record = item.record
    props: dict[str, Any] = {}
    for part in model.SHAPES_BY_LABEL[item.label].fields:
        if isinstance(part, model.Prop):
            props[part.name] = _stored(getattr(record, part.name))
        elif isinstance(part, model.Special) and part.name in _SPECIAL_PROPERTIES:
            props.update(_SPECIAL_PROPERTIES[part.name](record))
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

    for part in model.SHAPES_BY_LABEL[label].fields:
        if isinstance(part, model.Link):
            value = getattr(record, part.python_name)
            known = part.targets[0] if len(part.targets) == 1 else None
            for target in value if part.many else (value,) if value else ():
                to(part.edge, target, known)
        elif isinstance(part, model.Special) and part.name == "participants":
            for position, participant in enumerate(record.participants):
                to("INVOLVES", participant.ref, role=participant.role, position=position)
    return out


def claim_rows(item: Item, plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for index, claim in enumerate(claims_of(item.record)):
        props = {
            "id": claim_id_of(item.record.id, index, claim),
            "position": index,
            "reliability": plan.reliability_of(item.record.id, index, claim),
            "reliability_given": claim.reliability is not None,
            "credibility": claim.credibility.value,
            "paraphrase": claim.paraphrase,
            "quote": claim.quote,
            "grading_note": claim.grading_note,
            "reported_on": claim.reported_on,
        }
        rows.append(
            {
                "owner": item.record.id,
                "source": claim.source,
                "report": claim.report,
                "props": {k: v for k, v in props.items() if v is not None},
            }
        )
    return rows


# ---- Cypher --------------------------------------------------------------------------------
# Every lookup by id names its index (`USING INDEX`): Neo4j plans from the statistics of the
# moment, and in a graph that was just emptied it sometimes chose to scan a label and filter it
# row by row instead (seen: 6.5 s instead of 0.1 s to delete the edges of 5 000 assets).

_READ_HASHES = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) "
    "RETURN n.id AS id, n.content_hash AS hash"
)
_UPSERT_NODES = (
    "UNWIND $rows AS row "
    "MERGE (n:`{label}` {{id: row.id}}) ON CREATE SET n.created_at = $now "
    "WITH n, row, n.created_at AS created, coalesce(n.created_at <> $now, true) AS existed, "
    f"n {{{{{', '.join('.' + name for name in RETRACTION_PROPERTIES)}}}}} AS retraction "
    "SET n = row.props, n += retraction, "
    "n.created_at = coalesce(created, $now), n.updated_at = $now{times} "
    "WITH n, existed {then}"
    "WITH n WHERE existed RETURN n.id AS id"
)
"""Upserts nodes and returns the ids of those that existed before (not created by this MERGE:
`created_at` is `$now` only on nodes it created)."""
TIME_PROPERTIES = {
    "Event": ("start", "end"),
    "Report": ("published_start", "published_end"),
    "Relation": ("since", "until"),
}
"""Datetime properties per label. They travel as ISO text and Neo4j's `datetime()` reads them:
the driver's own conversion of a Python datetime costs about 0.1 ms each in Python, more than
the rest of an event's row (10k events: 2 s of a 9 s write)."""
_LOCK_NODES = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) SET n.id = n.id"
)
"""Takes each node's write lock for the rest of the transaction and changes nothing (Neo4j
locks a node before it compares the value it sets)."""
_DELETE_OWNED_EDGES = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}})-[r:{types}]->() USING INDEX n:`{label}`(id) "
    "DELETE r"
)
_DELETE_OWNED_CLAIMS = (
    "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}})<-[:SUPPORTS]-(c:Claim) "
    "USING INDEX n:`{label}`(id) DETACH DELETE c"
)
_CREATE_EDGES = (
    "UNWIND $rows AS row "
    "MATCH (a:`{source}` {{id: row.from}}) USING INDEX a:`{source}`(id) "
    "MATCH (b:`{target}` {{id: row.to}}) USING INDEX b:`{target}`(id) "
    "CREATE (a)-[r:$(row.type)]->(b) SET r = row.props"
)
"""One statement per pair of labels, the type a parameter: fewer statements for Neo4j to plan
(each costs it 30-130 ms, more than writing a few thousand edges)."""
_CREATE_CLAIMS = (
    "UNWIND $rows AS row "
    "MATCH (owner:`{label}` {{id: row.owner}}) USING INDEX owner:`{label}`(id) "
    "MATCH (s:Source {{id: row.source}}) USING INDEX s:Source(id) "
    "OPTIONAL MATCH (report:Report {{id: row.report}}) USING INDEX report:Report(id) "
    "CREATE (c:Claim) SET c = row.props, c.created_at = $now "
    "CREATE (c)-[:SUPPORTS]->(owner) CREATE (c)-[:SOURCED_FROM]->(s) "
    "FOREACH (_ IN CASE WHEN report IS NULL THEN [] ELSE [1] END | "
    "  CREATE (c)-[:IN_REPORT]->(report))"
)
_SET_HASHES = (
    "UNWIND $rows AS row MATCH (n:`{label}` {{id: row.id}}) USING INDEX n:`{label}`(id) "
    "SET n.content_hash = row.hash"
)


def _owned_edge_types(label: str) -> str:
    types = [edge.name for edge in ontology.EDGE_TYPES if label in edge.from_labels]
    return "|".join(f"`{name}`" for name in types)


def _chunks(rows: list[Any], size: int = ROWS_PER_QUERY) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """`items` (an iterator too) in lists of `size`."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _by_label(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    grouped: dict[str, list[Item]] = {label: [] for label in WRITE_ORDER}
    for item in items:
        grouped[item.label].append(item)
    return [(label, grouped[label]) for label in WRITE_ORDER if grouped[label]]


def _classify(tx: ManagedTransaction, items: Iterable[Item], outcome: Outcome) -> list[Item]:
    """Count each item as created / updated / unchanged; return those to write."""
    to_write = []
    for label, group in _by_label(items):
        stored: dict[str, str | None] = {}
        for chunk in _chunks([item.record.id for item in group]):
            for row in tx.run(_READ_HASHES.format(label=label), ids=chunk):
                stored[row["id"]] = row["hash"]
        for item in group:
            if item.record.id not in stored:
                outcome.created[label] += 1
            elif stored[item.record.id] == item.content_hash:
                outcome.unchanged[label] += 1
                continue
            else:
                outcome.updated[label] += 1
            to_write.append(item)
    return to_write


def _node_row(item: Item, times: tuple[str, ...], with_hash: bool) -> dict[str, Any]:
    props = node_properties(item)
    texts = {key: props.pop(key).isoformat() for key in times if key in props}
    if with_hash:
        props["content_hash"] = item.content_hash
    return {"id": item.record.id, "props": props, "times": texts}


def _upsert_nodes(label: str) -> str:
    times = "".join(
        f", n.`{key}` = datetime(row.times.`{key}`)" for key in TIME_PROPERTIES.get(label, ())
    )
    then = {
        "Event": f"CALL (n) {{ {mark_long_span('n')} }} ",
        "Relation": f"CALL (n) {{ {set_relation_bounds('n')} }} ",
    }.get(label, "")
    return _UPSERT_NODES.format(label=label, times=times, then=then)


def _write_nodes(
    tx: ManagedTransaction, items: list[Item], now: datetime, with_hash: bool
) -> set[str]:
    """Upsert the nodes (with their content hash if `with_hash`); the ids that existed."""
    results = []
    for label, group in _by_label(items):
        times = TIME_PROPERTIES.get(label, ())
        rows = [_node_row(item, times, with_hash) for item in group]
        for chunk in _chunks(rows):
            results.append(tx.run(_upsert_nodes(label), rows=chunk, now=now))
    # Read only once all are sent: Neo4j works on one chunk while the next is being built.
    return {row["id"] for result in results for row in result}


def _write_links(
    tx: ManagedTransaction,
    items: list[Item],
    plan: Plan,
    now: datetime,
    existed: set[str] | None = None,
) -> None:
    """Replace each record's outgoing edges and claims. Only the `existed` nodes can have any
    (None: any node may, as in batch mode, where each node is locked first and the hash is
    set last to mark a record complete; otherwise it was set with the node)."""
    for label, group in _by_label(items):
        ids = [item.record.id for item in group]
        if existed is not None:
            ids = [record_id for record_id in ids if record_id in existed]
        else:
            # Sorted: importers of overlapping batches lock in one order, so rarely deadlock.
            ids.sort()
            for chunk in _chunks(ids):
                tx.run(_LOCK_NODES.format(label=label), ids=chunk)
        owned = _owned_edge_types(label)
        for chunk in _chunks(ids):
            if owned:
                tx.run(_DELETE_OWNED_EDGES.format(label=label, types=owned), ids=chunk)
            if label in ("Event", "Relation"):
                tx.run(_DELETE_OWNED_CLAIMS.format(label=label), ids=chunk)
        edges: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for item in group:
            for edge_type, source, source_id, target, target_id, props in edges_of(item, plan):
                edges.setdefault((source, target), []).append(
                    {"type": edge_type, "from": source_id, "to": target_id, "props": props}
                )
        for (source, target), rows in edges.items():
            query = _CREATE_EDGES.format(source=source, target=target)
            for chunk in _chunks(rows):
                tx.run(query, rows=chunk)
        claims = [row for item in group for row in claim_rows(item, plan)]
        for chunk in _chunks(claims):
            tx.run(_CREATE_CLAIMS.format(label=label), rows=chunk, now=now)
        if existed is None:
            hashes = [{"id": item.record.id, "hash": item.content_hash} for item in group]
            for chunk in _chunks(hashes):
                tx.run(_SET_HASHES.format(label=label), rows=chunk)


@dataclass
class _Committed:
    """How far a batched import got: records whose nodes, and whose every part, committed."""

    total: int
    nodes: int = 0
    complete: int = 0

    def __str__(self) -> str:
        if self.complete == self.total:
            return f"all {self.total} records were written."
        if self.nodes == 0:
            return "nothing of it was written."
        done = f"{self.complete} of {self.total} records were written completely"
        if self.nodes > self.complete:
            done += f", {self.nodes - self.complete} more without their edges and claims yet"
        return done + "."


def write_plan(
    driver: Driver,
    database: str,
    plan: Plan,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Write the plan: one transaction, or one per batch of `batch_size` records.

    Raise `Conflict` for what the graph refuses or a lock conflict the driver's retries did
    not get past, `Unavailable` when Neo4j goes away; each says what stays written."""
    batches = [] if batch_size is None else list(_batches(plan.items, batch_size))
    total = Outcome()
    to_link: list[list[Item]] = []
    committed = _Committed(plan.total)
    try:
        with driver.session(database=database) as session:
            if batch_size is None:
                total = session.execute_write(_write_all, plan)
                if progress:
                    progress(plan.total)
                return total
            for batch in batches:
                outcome, written = session.execute_write(_write_node_batch, batch)
                committed.nodes += len(batch)
                total.add(outcome)
                to_link.append(written)
                if progress:
                    progress(len(batch) // 2)
            for batch, written in zip(batches, to_link, strict=True):
                session.execute_write(_write_link_batch, written, plan)
                committed.complete += len(batch)
                if progress:
                    progress(len(batch) - len(batch) // 2)
    except ConstraintError as error:
        raise Conflict(
            f"the graph refused the import: {error.message}. Nothing of the current batch was "
            "written; a claim or record id probably belongs to another record already."
        ) from None
    except TransientError:
        raise Conflict(
            "another import or writer kept changing the same records at the same time and "
            "Neo4j's retries did not get past it (a lock conflict, not a problem with the "
            f"data): {committed} Run the import again: it resumes where it stopped."
        ) from None
    except (ServiceUnavailable, SessionExpired):  # the driver's retries gave up
        raise Unavailable(
            f"Neo4j went away during the import: {committed} Once Neo4j is back, run the "
            "same import again: it resumes where it stopped."
        ) from None
    return total


def _write_all(tx: ManagedTransaction, plan: Plan) -> Outcome:
    outcome = Outcome()
    now = datetime.now(UTC)
    written = _classify(tx, plan.items, outcome)
    existed = _write_nodes(tx, written, now, with_hash=True)
    _write_links(tx, written, plan, now, existed)
    return outcome


def _write_node_batch(tx: ManagedTransaction, batch: list[Item]) -> tuple[Outcome, list[Item]]:
    outcome = Outcome()
    written = _classify(tx, batch, outcome)
    _write_nodes(tx, written, datetime.now(UTC), with_hash=False)
    return outcome, written


def _write_link_batch(tx: ManagedTransaction, written: list[Item], plan: Plan) -> None:
    _write_links(tx, written, plan, datetime.now(UTC))
