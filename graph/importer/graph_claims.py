"""A feed's claims rows on records an earlier import brought: GDELT ships a mentions file every
15 minutes, and its rows mention events of earlier files too.

Such a row attaches to no record of the import; if its target is already in the graph (an
event, or a relation), the claim is added to that node (`attach`, during the check) and written
in the transaction of the import's last batch (`write`), once the import's sources and
reports are: created if no claim has its id yet, else left as it is, so importing the same
mentions again changes nothing. The node's other claims are kept.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from neo4j import ManagedTransaction

from eventgraph.graph.driver import Queries, lookup_rows
from eventgraph.graph.importer.reading import Attachment
from eventgraph.graph.records import ClaimSpec

OWNERS = ("Event", "Relation")
"""What a claim may be on."""
_CHUNK = 5_000

BASED_ON_EDGES = (
    "WITH c, claim CALL (c, claim) {{ UNWIND claim.based_on AS basis "
    "MATCH (basis_source:Source {{id: basis}}) USING INDEX basis_source:Source(id) "
    "CREATE (c)-[:BASED_ON]->(basis_source) }}"
)
"""Links claim `c` to the sources its row's `based_on` names (a template: braces doubled);
every statement that writes claims ends with it."""
_FIND = (
    "UNWIND $ids AS id OPTIONAL MATCH (e:Event {id: id}) USING INDEX e:Event(id) "
    "OPTIONAL MATCH (r:Relation {id: id}) USING INDEX r:Relation(id) "
    "WITH id, e, r WHERE e IS NOT NULL OR r IS NOT NULL "
    "RETURN id, CASE WHEN e IS NOT NULL THEN 'Event' ELSE 'Relation' END AS label"
)
_WRITE = (
    "UNWIND $rows AS claim "
    "MATCH (n:`{label}` {{id: claim.owner}}) USING INDEX n:`{label}`(id) "
    "MATCH (s:Source {{id: claim.source}}) USING INDEX s:Source(id) "
    "OPTIONAL MATCH (report:Report {{id: claim.report}}) USING INDEX report:Report(id) "
    "MERGE (c:Claim {{id: claim.props.id}}) ON CREATE SET c.created_at = $now "
    "WITH c, claim, n, s, report WHERE c.created_at = $now AND NOT (c)-[:SUPPORTS]->() "
    "SET c += claim.props "
    "CREATE (c)-[:SUPPORTS]->(n) CREATE (c)-[:SOURCED_FROM]->(s) "
    "FOREACH (_ IN CASE WHEN report IS NULL THEN [] ELSE [1] END | "
    "CREATE (c)-[:IN_REPORT]->(report)) " + BASED_ON_EDGES + " "
    "RETURN count(c) AS created"
)
"""Creates the claims no claim has the id of yet, on their node in the graph."""


def _of_feed(row: Attachment) -> bool:
    """A feed's claims row (a GDELT mention), which may name a node of an earlier import."""
    return bool(row.column) and row.field == "claims"


GraphClaim = tuple[str, str, ClaimSpec]
"""(label, id, claim): a feed's claim on a node already in the graph."""


def attach(
    rows: Iterable[Attachment],
    found_claims: list[GraphClaim],
    queries: Queries | None,
    database: str,
) -> Iterator[Attachment]:
    """Add to `found_claims` the feed's claims rows whose target is in the graph; give back
    the rest (rows on nothing: problems)."""
    left = iter(rows)
    while chunk := list(islice(left, _CHUNK)):
        targets = sorted({row.target for row in chunk if _of_feed(row)})
        found: dict[str, str] = {}
        if targets:
            answer = lookup_rows(queries, _FIND, ids=targets, database=database)
            found = {record["id"]: record["label"] for record in answer}
        for row in chunk:
            label = found.get(row.target) if _of_feed(row) else None
            if label is None:
                yield row
            else:
                claim = ClaimSpec.model_validate(row.item)
                found_claims.append((label, row.target, claim))


def write(tx: ManagedTransaction, rows: Iterable[tuple[str, dict[str, Any]]], now: Any) -> int:
    """Write (label, claim row) on nodes in the graph, in the import's transaction (its last
    batch: docs/importing.md); how many were new."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    for label, row in rows:
        by_label.setdefault(label, []).append(row)
    created = 0
    for label, claims in by_label.items():
        query = _WRITE.format(label=label)
        for start in range(0, len(claims), _CHUNK):
            part = claims[start : start + _CHUNK]
            created += tx.run(query, rows=part, now=now).single(strict=True)["created"]
    return created
