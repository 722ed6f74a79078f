"""Merging two nodes of one label into one, and undoing it exactly (docs/identity.md).

`merge` folds B into A in one transaction:

- both nodes are locked (in id order) and checked again under the lock, so of two merges that
  touch one node the second waits for the first and then sees what it did;
- every relationship of B moves to A: claims, participations, places, relation ends, event
  links, external ids. One A already has (same type, direction, other end and role) is dropped
  (`Fate.DUPLICATE`), one between A and B too (`Fate.BETWEEN`: it would join A to itself);
- B's id becomes an `id` alias of A (`(:ExternalId {key: 'id:B'})-[:IDENTIFIES]->(A)`), so
  GraphQL's `node(id)`, `byExternalId` and later imports that name B reach A;
- B itself stays, untouched but for its labels, which give way to `Folded`:
  `(:Merge)-[:FOLDED]->(B)`. The `Merge` node says who, when and why, B's labels, and every
  relationship that moved or was dropped, with its properties and its other end.

A moved relationship that B's own record wrote (B's outgoing links, its claims, its ids) carries
the merge's id (`ontology.MOVED_BY`): an import of A's record replaces A's own links and claims
and leaves those alone, and `unmerge` finds them by it.

`unmerge` restores both as they were, in one transaction: B gets its labels back and every
relationship it had; A keeps whatever was added to it since the merge. A relationship another
node's record owns (an event's participation of B) that this node's import has rewritten since
stays as it was rewritten, and every node written since the merge and linked to A loses its
content hash, so that its next import writes it again and an id it names that was B's reaches
B again.
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ConstraintError
from neo4j.time import DateTime

from eventgraph.graph import involvement
from eventgraph.graph.errors import Conflict, InvalidData, NotFound, Problem, a_or_an
from eventgraph.graph.identifiers import OWN_ID, key_of
from eventgraph.graph.ontology import (
    EDGE_TYPES,
    ENTITY_LABELS,
    EVENT,
    EXTERNAL_ID_LABEL,
    FOLDED,
    FOLDED_LABEL,
    IDENTIFIES,
    LABELS,
    LONG_SPAN_LABEL,
    MERGE_LABEL,
    MERGEABLE_LABELS,
    MOVED_BY,
    RETRACTED_LABEL,
)

MOVABLE_TYPES = frozenset({edge.name for edge in EDGE_TYPES} | {IDENTIFIES})
"""Relationship types a merge moves (the allow-list their Cypher is built from)."""
OTHER_END_LABELS = (*(label.name for label in LABELS), EXTERNAL_ID_LABEL)
"""Labels the other end of a moved relationship may have: each has a unique `id` (`key`)."""
RESTORABLE_LABELS = frozenset({*MERGEABLE_LABELS, LONG_SPAN_LABEL})
"""Labels a folded node may have had, and gets back."""
_LOCK = "merge_lock"
"""Set and removed at once: takes the node's write lock until the transaction ends."""


class Fate(StrEnum):
    """What a merge did with one relationship of the node it folded."""

    MOVED = "moved"
    DUPLICATE = "duplicate"
    """The kept node had the same one: dropped."""
    BETWEEN = "between"
    """It joined the two nodes: dropped."""


@dataclass(frozen=True)
class MovedEdge:
    """One relationship of the folded node, as it was, and what the merge did with it."""

    type: str
    outgoing: bool
    """The folded node was its start."""
    other_label: str
    other: str
    """The other end's id (an external id's key)."""
    properties: dict[str, Any]
    fate: Fate
    owned: bool
    """The folded node's own record wrote it (its outgoing links, its claims, its ids)."""

    @property
    def other_key(self) -> str:
        return "key" if self.other_label == EXTERNAL_ID_LABEL else "id"

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "outgoing": self.outgoing,
            "other_label": self.other_label,
            "other": self.other,
            "properties": self.properties,
            "fate": self.fate.value,
            "owned": self.owned,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "MovedEdge":
        return cls(
            data["type"],
            data["outgoing"],
            data["other_label"],
            data["other"],
            data["properties"],
            Fate(data["fate"]),
            data["owned"],
        )


@dataclass(frozen=True)
class MergeRecord:
    """One merge: who folded which node into which, when and why, and what moved."""

    id: str
    label: str
    kept: str
    folded: str
    by: str
    at: datetime
    reason: str
    folded_labels: tuple[str, ...]
    edges: tuple[MovedEdge, ...]
    undone_at: datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None

    def count(self, fate: Fate) -> int:
        return sum(1 for edge in self.edges if edge.fate is fate)


@dataclass(frozen=True)
class UnmergeRecord:
    """What `unmerge` did."""

    merge: MergeRecord
    """The merge, now marked undone."""
    restored: int
    """Relationships given back to the folded node."""
    gone: int
    """Relationships not given back: their other end is no longer in the graph."""
    rewritten: tuple[str, ...]
    """Nodes written since the merge and linked to the kept node: their next import writes
    them again (ids they name that were the folded node's then reach it)."""


def _checked_label(label: str) -> str:
    if label not in MERGEABLE_LABELS:
        raise InvalidData(
            [
                Problem(
                    "label",
                    "label",
                    f"'{label}' is not a label whose nodes merge ({', '.join(MERGEABLE_LABELS)})",
                )
            ]
        )
    return label


def _checked_words(what: str, by: str, reason: str) -> None:
    problems = []
    if not reason.strip():
        problems.append(Problem(what, "reason", "is required: say why"))
    if not by.strip():
        problems.append(Problem(what, "by", "is required: say who"))
    if problems:
        raise InvalidData(problems)


# ---- Cypher --------------------------------------------------------------------------------

_LOCK_NODES = {
    label: (
        f"UNWIND $ids AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) "
        f"SET n.`{_LOCK}` = true REMOVE n.`{_LOCK}` "
        f"RETURN n.id AS id, labels(n) AS labels, n:`{RETRACTED_LABEL}` AS retracted, "
        "n.retracted_by AS retracted_by, n.retraction_reason AS retraction_reason"
    )
    for label in MERGEABLE_LABELS
}
_LABELS_OF = (
    "CALL () { "
    + " UNION ALL ".join(
        f"MATCH (n:`{label.name}` {{id: $id}}) RETURN '{label.name}' AS label" for label in LABELS
    )
    + " } RETURN label"
)
_STANDING = (
    f"MATCH (m:`{MERGE_LABEL}` {{label: $label, folded: $id}}) WHERE m.undone_at IS NULL "
    "RETURN m.id AS merge, m.kept AS kept"
)
_EDGES_OF = {
    label: (
        f"MATCH (b:`{label}` {{id: $fold}}) MATCH (a:`{label}` {{id: $keep}}) "
        "MATCH (b)-[r]-(o) WITH a, b, r, o, startNode(r) = b AS outgoing "
        "RETURN type(r) AS type, outgoing, properties(r) AS props, "
        "[l IN labels(o) WHERE l IN $labels][0] AS label, coalesce(o.id, o.key) AS other, "
        "o = a AS between, "
        "EXISTS { MATCH (a)-[s]-(o) WHERE type(s) = type(r) AND (startNode(s) = a) = outgoing "
        "AND coalesce(s.role, '') = coalesce(r.role, '') } AS duplicate"
    )
    for label in MERGEABLE_LABELS
}


def _link(label: str, edge_type: str, outgoing: bool, other_label: str, other_key: str) -> str:
    """Creates `$rows` relationships of one type between the node `$node` of `label` and
    other ends of one label; every name from the allow-lists."""
    assert edge_type in MOVABLE_TYPES and other_label in OTHER_END_LABELS
    arrow = f"-[r:`{edge_type}`]->"
    pattern = f"(n){arrow}(o)" if outgoing else f"(o){arrow}(n)"
    return (
        f"MATCH (n:`{label}` {{id: $node}}) UNWIND $rows AS row "
        f"MATCH (o:`{other_label}` {{`{other_key}`: row.other}}) "
        f"CREATE {pattern} SET r = row.props RETURN count(r) AS made"
    )


def _create_edges(
    tx: ManagedTransaction,
    label: str,
    node: str,
    edges: Iterable[MovedEdge],
    mark: str | None = None,
) -> int:
    """Give `node` these relationships (owned ones marked with `mark`, if given); those whose
    other end is gone are left out. Returns how many were made."""
    groups: dict[tuple[str, bool, str, str], list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        props = dict(edge.properties)
        if mark is not None and edge.owned:
            props[MOVED_BY] = mark
        groups[(edge.type, edge.outgoing, edge.other_label, edge.other_key)].append(
            {"other": edge.other, "props": props}
        )
    made = 0
    for (edge_type, outgoing, other_label, other_key), rows in groups.items():
        query = _link(label, edge_type, outgoing, other_label, other_key)
        made += tx.run(query, node=node, rows=rows).single(strict=True)["made"]
    return made


# ---- merge ---------------------------------------------------------------------------------


def labels_of(driver: Driver, database: str, node_id: str) -> list[str]:
    """The ontology labels that have a node of this id (entities share one id space)."""
    records = driver.execute_query(_LABELS_OF, id=node_id, database_=database, routing_="r")[0]
    return [record["label"] for record in records]


def merge_label(driver: Driver, database: str, node_id: str) -> str:
    """The mergeable label of the node with this key (for callers that name nodes by key)."""
    found = [label for label in labels_of(driver, database, node_id) if label in MERGEABLE_LABELS]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"'{node_id}' is no node that merges ({', '.join(MERGEABLE_LABELS)})")
    reason = f"is a key of {' and of '.join(found)} nodes: say which label"
    raise InvalidData([Problem("keep", "keep", reason)])


def merge(
    driver: Driver,
    database: str,
    label: str,
    keep_id: str,
    fold_id: str,
    *,
    by: str,
    reason: str,
) -> MergeRecord:
    """Fold the `label` node `fold_id` into `keep_id`, in one transaction (the module says how)."""
    _checked_label(label)
    _checked_words("merge", by, reason)
    if keep_id == fold_id:
        raise InvalidData(
            [
                Problem(
                    "fold",
                    "fold",
                    f"is '{keep_id}', the node kept: a node does not merge with itself",
                )
            ]
        )
    at = datetime.now(UTC)
    merge_id = f"merge-{at:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    with driver.session(database=database) as session:
        try:
            return session.execute_write(
                _merge, label, keep_id, fold_id, merge_id, by.strip(), at, reason.strip()
            )
        except ConstraintError as error:
            raise Conflict(
                f"merging {label} '{fold_id}' into '{keep_id}' would break a constraint "
                f"({error.message}); nothing was changed"
            ) from None


def _merge(
    tx: ManagedTransaction,
    label: str,
    keep_id: str,
    fold_id: str,
    merge_id: str,
    by: str,
    at: datetime,
    reason: str,
) -> MergeRecord:
    # A node matched before another merge folded it is locked only once that merge commits:
    # its labels, read under the lock, say so.
    locked = {
        record["id"]: record
        for record in tx.run(_LOCK_NODES[label], ids=sorted({keep_id, fold_id}))
        if label in record["labels"]
    }
    for role, node_id in (("keep", keep_id), ("fold", fold_id)):
        if node_id not in locked:
            _missing(tx, label, role, node_id)
        if locked[node_id]["retracted"]:
            found = locked[node_id]
            raise Conflict(
                f"{label} '{node_id}' is retracted (by {found['retracted_by']}: "
                f"{found['retraction_reason']}): a retracted event does not merge; merge the "
                "events that stand"
            )
    folded_labels = tuple(locked[fold_id]["labels"])
    strange = [name for name in folded_labels if name not in RESTORABLE_LABELS]
    if strange:
        raise Conflict(f"{label} '{fold_id}' carries labels a merge cannot restore: {strange}")
    counted = _Counted(tx, label, (keep_id, fold_id))
    edges = [
        _moved_edge(label, fold_id, record)
        for record in tx.run(
            _EDGES_OF[label], keep=keep_id, fold=fold_id, labels=list(OTHER_END_LABELS)
        )
    ]
    _create_edges(tx, label, keep_id, (e for e in edges if e.fate is Fate.MOVED), merge_id)
    tx.run(f"MATCH (b:`{label}` {{id: $fold}})-[r]-() DELETE r", fold=fold_id).consume()
    tx.run(
        f"MATCH (a:`{label}` {{id: $keep}}) "
        f"CREATE (x:`{EXTERNAL_ID_LABEL}` {{key: $key, scheme: $scheme, value: $fold, "
        f"created_at: $at}})-[:`{IDENTIFIES}`]->(a)",
        keep=keep_id,
        key=key_of(OWN_ID, fold_id),
        scheme=OWN_ID,
        fold=fold_id,
        at=at,
    ).consume()
    record = MergeRecord(
        merge_id, label, keep_id, fold_id, by, at, reason, folded_labels, tuple(edges)
    )
    removed = ":".join(f"`{name}`" for name in folded_labels)
    tx.run(
        f"MATCH (b:`{label}` {{id: $fold}}) REMOVE b:{removed} SET b:`{FOLDED_LABEL}` "
        f"CREATE (m:`{MERGE_LABEL}`)-[:`{FOLDED}`]->(b) SET m = $props",
        fold=fold_id,
        props=_stored(record),
    ).consume()
    counted.again((keep_id,))
    return record


class _Counted:
    """Keeps the entities' event counts (graph/involvement.py) through a merge or an unmerge
    of `ids`: two entities are counted again from their events once their relationships have
    moved; for two events, their participations' terms are read before and after."""

    def __init__(self, tx: ManagedTransaction, label: str, ids: tuple[str, ...]) -> None:
        self.tx, self.label = tx, label
        self.before = involvement.terms_of(tx, ids) if label == EVENT.name else None

    def again(self, ids: tuple[str, ...]) -> None:
        if self.before is not None:
            involvement.add_terms(self.tx, self.before, involvement.terms_of(self.tx, ids))
        elif self.label in ENTITY_LABELS:
            involvement.recount(self.tx, ids)


def _missing(tx: ManagedTransaction, label: str, role: str, node_id: str) -> None:
    """Raise why `node_id` is not a `label` node that can merge."""
    standing = tx.run(_STANDING, label=label, id=node_id).single()
    if standing is not None:
        raise Conflict(
            f"{label} '{node_id}' was folded into '{standing['kept']}' by merge "
            f"{standing['merge']}: it is not a node of its own any more (merge with "
            f"'{standing['kept']}', or unmerge {standing['merge']} first)"
        )
    others = [record["label"] for record in tx.run(_LABELS_OF, id=node_id)]
    if others:
        raise InvalidData(
            [
                Problem(
                    role,
                    role,
                    f"'{node_id}' is {a_or_an(others[0])}, not {a_or_an(label)}: only nodes of "
                    "one label merge",
                )
            ]
        )
    raise NotFound(f"no {label} with key '{node_id}'")


def _moved_edge(label: str, fold_id: str, record: Any) -> MovedEdge:
    edge_type, outgoing = record["type"], record["outgoing"]
    if edge_type not in MOVABLE_TYPES or record["label"] is None or record["other"] is None:
        raise Conflict(
            f"{label} '{fold_id}' has a {edge_type} relationship to a node a merge cannot name "
            "again: nothing was changed"
        )
    props = {key: value for key, value in record["props"].items()}
    for key, value in props.items():
        if not isinstance(value, str | int | float | bool):
            raise Conflict(
                f"{label} '{fold_id}' has a {edge_type} relationship whose '{key}' a merge "
                "cannot record: nothing was changed"
            )
    fate = (
        Fate.BETWEEN if record["between"] else Fate.DUPLICATE if record["duplicate"] else Fate.MOVED
    )
    owned = outgoing or edge_type in ("SUPPORTS", IDENTIFIES)
    return MovedEdge(edge_type, outgoing, record["label"], record["other"], props, fate, owned)


def _stored(record: MergeRecord) -> dict[str, Any]:
    """The Merge node's properties."""
    return {
        "id": record.id,
        "label": record.label,
        "kept": record.kept,
        "folded": record.folded,
        "by": record.by,
        "at": record.at,
        "reason": record.reason,
        "folded_labels": list(record.folded_labels),
        "edges": json.dumps([edge.as_json() for edge in record.edges], ensure_ascii=False),
        "moved": record.count(Fate.MOVED),
        "duplicates": record.count(Fate.DUPLICATE),
        "between": record.count(Fate.BETWEEN),
    }


def _as_python(value: Any) -> Any:
    return value.to_native() if isinstance(value, DateTime) else value


def merge_record(props: dict[str, Any]) -> MergeRecord:
    """A MergeRecord from its node's properties."""
    return MergeRecord(
        id=props["id"],
        label=props["label"],
        kept=props["kept"],
        folded=props["folded"],
        by=props["by"],
        at=_as_python(props["at"]),
        reason=props["reason"],
        folded_labels=tuple(props["folded_labels"]),
        edges=tuple(MovedEdge.from_json(edge) for edge in json.loads(props["edges"])),
        undone_at=_as_python(props.get("undone_at")),
        undone_by=props.get("undone_by"),
        undo_reason=props.get("undo_reason"),
    )


# ---- unmerge -------------------------------------------------------------------------------

_LOCK_MERGE = (
    f"MATCH (m:`{MERGE_LABEL}` {{id: $merge}}) SET m.`{_LOCK}` = true REMOVE m.`{_LOCK}` "
    "RETURN properties(m) AS props"
)


def _restore_folded(labels: tuple[str, ...]) -> str:
    """Gives the node a merge folded its labels back (from the allow-list)."""
    restored = ":".join(f"`{name}`" for name in labels if name in RESTORABLE_LABELS)
    return (
        f"MATCH (m:`{MERGE_LABEL}` {{id: $merge}})-[f:`{FOLDED}`]->(b:`{FOLDED_LABEL}`) "
        f"DELETE f REMOVE b:`{FOLDED_LABEL}` SET b:{restored} RETURN b.id AS id"
    )


def _clear_alias(label: str) -> str:
    return (
        f"MATCH (x:`{EXTERNAL_ID_LABEL}` {{key: $key}})-[:`{IDENTIFIES}`]->(:`{label}` "
        "{id: $keep}) DETACH DELETE x"
    )


def _take_owned_back(label: str) -> str:
    """Deletes what the merge moved to the kept node that the folded node's record wrote."""
    return f"MATCH (a:`{label}` {{id: $keep}})-[r]-() WHERE r.`{MOVED_BY}` = $merge DELETE r"


def _take_back(label: str, edge_type: str, other_label: str, other_key: str) -> str:
    """For each of `$rows` (relationships another node's record owns, from it to the folded
    node): whether that node is there and not written since the merge (`fresh`), and, for a
    row to `take`, one such relationship to the kept node deleted (`found`)."""
    assert edge_type in MOVABLE_TYPES and other_label in OTHER_END_LABELS
    return (
        f"MATCH (a:`{label}` {{id: $keep}}) UNWIND $rows AS row "
        f"OPTIONAL MATCH (o:`{other_label}` {{`{other_key}`: row.other}}) "
        "WITH a, row, o, o IS NOT NULL AND coalesce(o.updated_at <= $at, true) AS fresh "
        f"OPTIONAL MATCH (o)-[r:`{edge_type}`]->(a) "
        "WHERE row.take AND fresh AND properties(r) = row.props "
        "WITH row, o, fresh, head(collect(r)) AS r DELETE r "
        "RETURN row.index AS index, o IS NOT NULL AS exists, fresh, r IS NOT NULL AS found"
    )


def _written_since(label: str) -> str:
    """Takes the content hash off every node written since the merge and linked to the kept
    node, so that its next import writes it again."""
    return (
        f"MATCH (a:`{label}` {{id: $keep}})-[r]-(o) WHERE o.updated_at > $at "
        "AND o.content_hash IS NOT NULL REMOVE o.content_hash RETURN DISTINCT o.id AS id"
    )


def unmerge(driver: Driver, database: str, merge_id: str, *, by: str, reason: str) -> UnmergeRecord:
    """Undo a merge, in one transaction: both nodes as they were (the module says what stays)."""
    _checked_words("unmerge", by, reason)
    with driver.session(database=database) as session:
        try:
            return session.execute_write(
                _unmerge, merge_id, by.strip(), datetime.now(UTC), reason.strip()
            )
        except ConstraintError as error:
            raise Conflict(
                f"unmerging {merge_id} would break a constraint ({error.message}); nothing was "
                "changed"
            ) from None


def _unmerge(
    tx: ManagedTransaction, merge_id: str, by: str, now: datetime, reason: str
) -> UnmergeRecord:
    found = tx.run(_LOCK_MERGE, merge=merge_id).single()
    if found is None:
        raise NotFound(f"no merge '{merge_id}' (`eventgraph merges` lists them)")
    record = merge_record(found["props"])
    if record.undone_at is not None:
        raise Conflict(
            f"merge {merge_id} was undone already, by {record.undone_by} at "
            f"{record.undone_at.isoformat()} ({record.undo_reason})"
        )
    label = record.label
    kept = [found for found in tx.run(_LOCK_NODES[label], ids=[record.kept])]
    if not any(label in found["labels"] for found in kept):
        standing = tx.run(_STANDING, label=label, id=record.kept).single()
        if standing is not None:
            raise Conflict(
                f"{label} '{record.kept}', which merge {merge_id} kept, was folded into "
                f"'{standing['kept']}' by merge {standing['merge']} since: unmerge that first"
            )
        raise Conflict(f"{label} '{record.kept}', which merge {merge_id} kept, is gone")
    counted = _Counted(tx, label, (record.kept,))
    tx.run(_take_owned_back(label), keep=record.kept, merge=merge_id).consume()
    given_back = [edge for edge in record.edges if edge.owned]
    gone = 0
    groups: dict[tuple[str, str, str], list[tuple[int, MovedEdge]]] = defaultdict(list)
    for index, edge in enumerate(record.edges):
        if not edge.owned:
            groups[(edge.type, edge.other_label, edge.other_key)].append((index, edge))
    for (edge_type, other_label, other_key), indexed in groups.items():
        rows = [
            {
                "index": index,
                "other": edge.other,
                "props": edge.properties,
                "take": edge.fate is Fate.MOVED,
            }
            for index, edge in indexed
        ]
        by_index = dict(indexed)
        query = _take_back(label, edge_type, other_label, other_key)
        for row in tx.run(query, keep=record.kept, rows=rows, at=record.at):
            edge = by_index[row["index"]]
            if not row["exists"]:
                gone += 1
            elif row["found"] or (row["fresh"] and edge.fate is not Fate.MOVED):
                given_back.append(edge)
    if tx.run(_restore_folded(record.folded_labels), merge=merge_id).single() is None:
        raise Conflict(f"merge {merge_id} has lost the node it folded: it cannot be undone")
    made = _create_edges(tx, label, record.folded, given_back)
    gone += len(given_back) - made
    tx.run(_clear_alias(label), key=key_of(OWN_ID, record.folded), keep=record.kept).consume()
    rewritten = tuple(
        row["id"] for row in tx.run(_written_since(label), keep=record.kept, at=record.at)
    )
    undone = replace(record, undone_at=now, undone_by=by, undo_reason=reason)
    tx.run(
        f"MATCH (m:`{MERGE_LABEL}` {{id: $merge}}) SET m.undone_at = $now, m.undone_by = $by, "
        "m.undo_reason = $reason, m.restored = $restored",
        merge=merge_id,
        now=now,
        by=by,
        reason=reason,
        restored=made,
    ).consume()
    counted.again((record.kept, record.folded))
    return UnmergeRecord(undone, made, gone, rewritten)


# ---- reading -------------------------------------------------------------------------------

_MERGES = (
    f"MATCH (m:`{MERGE_LABEL}`) WHERE ($node IS NULL OR $node IN [m.kept, m.folded]) "
    "AND ($label IS NULL OR m.label = $label) "
    "RETURN properties(m) AS props ORDER BY m.at DESC, m.id LIMIT $first"
)


def merges(
    driver: Driver,
    database: str,
    *,
    node: str | None = None,
    label: str | None = None,
    first: int = 100,
) -> list[MergeRecord]:
    """Merges, newest first: all, or those that kept or folded `node` (of `label`)."""
    records = driver.execute_query(
        _MERGES, node=node, label=label, first=first, database_=database, routing_="r"
    )[0]
    return [merge_record(record["props"]) for record in records]
