"""External ids in the graph: `(:ExternalId {scheme, value, key})-[:IDENTIFIES]->(node)`.

The schemes are declared in `graph/ontology.py` (`ID_SCHEMES`); this module owns the Cypher
that finds which node an id identifies and that writes a record's ids. `key` is
`scheme:value` of the normalised value, unique by a constraint (`graph/schema.py`), so an id
identifies at most one node; a node may carry several ids of one scheme. docs/identity.md
says what attaches and why.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import ManagedTransaction

from eventgraph.graph.driver import Queries, lookup_rows
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.ontology import (
    ALIASED_LABELS,
    EXTERNAL_ID_LABEL,
    ID_SCHEMES_BY_NAME,
    IDENTIFIABLE_LABELS,
    IDENTIFIES,
)
from eventgraph.graph.read_ahead import Lookup

OWN_ID = "id"
"""The scheme of our own ids that stand for another node (a record that attached to it, or a
node merged into it)."""
ROWS_PER_QUERY = 10_000


def key_of(scheme: str, value: str) -> str:
    """The unique key of an id's node; `value` already normalised."""
    return f"{scheme}:{value}"


def checked_key(scheme: str, value: str) -> str:
    """The key of an id asked for (an API argument): its value normalised, or InvalidData."""
    known = ID_SCHEMES_BY_NAME.get(scheme)
    if known is None:
        names = ", ".join(ID_SCHEMES_BY_NAME)
        raise InvalidData(
            [Problem("scheme", "scheme", f"'{scheme}' is not a known id scheme ({names})")]
        )
    try:
        return key_of(scheme, known.check(value))
    except ValueError as error:
        raise InvalidData([Problem("value", "value", str(error))]) from None


@dataclass(frozen=True)
class Identified:
    """The node an external id identifies."""

    label: str
    id: str


_IDENTIFIED = (
    f"UNWIND $keys AS key MATCH (x:`{EXTERNAL_ID_LABEL}` {{key: key}}) "
    f"USING INDEX x:`{EXTERNAL_ID_LABEL}`(key) "
    f"MATCH (x)-[:`{IDENTIFIES}`]->(n) "
    "RETURN key, [l IN labels(n) WHERE l IN $labels][0] AS label, n.id AS id"
)


def identified(
    queries: Queries | None, database: str, keys: Iterable[str]
) -> dict[str, Identified]:
    """Which node each of `keys` identifies, for those the graph holds."""
    wanted = sorted(set(keys))
    found: dict[str, Identified] = {}
    for start in range(0, len(wanted), ROWS_PER_QUERY):
        rows = lookup_rows(
            queries,
            _IDENTIFIED,
            keys=wanted[start : start + ROWS_PER_QUERY],
            labels=list(ALIASED_LABELS),
            database=database,
        )
        found.update({row["key"]: Identified(row["label"], row["id"]) for row in rows})
    return found


def aliases_any_lookup(label: str) -> Lookup:
    """How many ids identify a node of `label` (from the count store: no scan)."""
    return Lookup(f"MATCH ()-[r:`{IDENTIFIES}`]->(:`{label}`) RETURN count(r) AS ids", {}, ("ids",))


def aliases_any(queries: Queries | None, database: str, label: str) -> bool:
    """Whether any id identifies a node of `label`."""
    lookup = aliases_any_lookup(label)
    found = lookup_rows(queries, lookup.query, database=database)
    return bool(found and found[0]["ids"])


def _held_query(label: str) -> str:
    return (
        f"UNWIND $ids AS id MATCH (n:`{label}` {{id: id}}) USING INDEX n:`{label}`(id) "
        f"MATCH (x:`{EXTERNAL_ID_LABEL}`)-[:`{IDENTIFIES}`]->(n) WHERE x.scheme IN $schemes "
        "RETURN n.id AS id, x.key AS key"
    )


_HELD = {label: _held_query(label) for label in IDENTIFIABLE_LABELS}


def held(
    queries: Queries | None, database: str, label: str, node_ids: list[str], schemes: list[str]
) -> dict[str, set[str]]:
    """The keys of the ids of `schemes` that nodes of `label` carry, by node id."""
    found: dict[str, set[str]] = {}
    rows = lookup_rows(queries, _HELD[label], ids=node_ids, schemes=schemes, database=database)
    for row in rows:
        found.setdefault(row["id"], set()).add(row["key"])
    return found


def _write_query(label: str) -> str:
    """Adds ids to nodes of `label` (from the allow-list); an id that meanwhile identifies
    another node is left alone (the import checked it did not: only a concurrent import can
    have given it since)."""
    return (
        f"UNWIND $rows AS row MATCH (n:`{label}` {{id: row.id}}) USING INDEX n:`{label}`(id) "
        "UNWIND row.ids AS given "
        f"MERGE (x:`{EXTERNAL_ID_LABEL}` {{key: given.key}}) "
        "ON CREATE SET x.scheme = given.scheme, x.value = given.value, x.created_at = $now "
        f"WITH x, n WHERE NOT EXISTS {{ MATCH (x)-[:`{IDENTIFIES}`]->(other) WHERE other <> n }} "
        f"MERGE (x)-[:`{IDENTIFIES}`]->(n)"
    )


_WRITE = {label: _write_query(label) for label in ALIASED_LABELS}


def id_row(scheme: str, value: str) -> dict[str, str]:
    return {"scheme": scheme, "value": value, "key": key_of(scheme, value)}


def write_ids(
    tx: ManagedTransaction, label: str, rows: list[dict[str, Any]], now: datetime
) -> None:
    """Give nodes of `label` their ids, in the transaction that writes them (the importer's
    batch): rows of `{id, ids: [id_row …]}`. Idempotent: ids are added, never removed, so every
    record that attached to a node keeps what it brought."""
    for start in range(0, len(rows), ROWS_PER_QUERY):
        tx.run(_WRITE[label], rows=rows[start : start + ROWS_PER_QUERY], now=now)
