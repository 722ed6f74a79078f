"""The one safe rule: two nodes of one label that one external identifier names are one node.

External identifiers are stored as `(:ExternalId {scheme, value})-[:IDENTIFIES]->(n)`, one
ExternalId per (scheme, value). Two nodes of one label are the same thing when

- one ExternalId identifies both (the same id in one scheme), or
- their ExternalIds of one scheme have values that are equal once the scheme's own spelling
  rules are applied: the scheme's normalisation (`graph/ontology.py` `IdScheme`: case), then
  `LOOSER` (ACLED actor names differing only in case, a registration with or without its
  hyphen).

This is the only rule that may mark a proposal automatic: a name match, however close, never
is. Values of different schemes never match each other (Wikidata `Q42` is not GeoNames `42`).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from neo4j import Driver

from eventgraph.graph.ontology import ID_SCHEMES_BY_NAME

SAFE_WEIGHT = 1.0


def _spaced_casefold(value: str) -> str:
    return " ".join(value.casefold().split())


def _letters_and_digits(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value)


LOOSER: dict[str, Callable[[str], str]] = {
    "acled_actor": _spaced_casefold,
    "registration": _letters_and_digits,
}
"""Schemes whose one value is spelled several ways beyond what the scheme's own normalisation
(`IdScheme.normalise`: case, trimming) already makes one: their values compare through this."""
assert set(LOOSER) <= set(ID_SCHEMES_BY_NAME), "LOOSER names a scheme the ontology lacks"

READ_IDENTIFIED = """
MATCH (x:ExternalId)-[:IDENTIFIES]->(n)
WITH x, n, [label IN labels(n) WHERE label IN $labels] AS found
WHERE found <> []
RETURN found[0] AS label, x.scheme AS scheme, x.value AS value, n.id AS key
"""


@dataclass(frozen=True)
class SharedId:
    """Two nodes of one label that one external id (after its scheme's folding) names."""

    label: str
    a: str
    b: str
    scheme: str
    values: tuple[str, ...]
    """The stored values (two when they differ only in the scheme's spelling)."""


def folded_value(scheme: str, value: str) -> str:
    """The value as its scheme compares it: normalised as stored, then `LOOSER`."""
    known = ID_SCHEMES_BY_NAME.get(scheme)
    normal = known.normalise(value) if known else value.strip()
    return LOOSER.get(scheme, str)(normal)


def shared_ids(rows: Iterable[tuple[str, str, str, str]]) -> list[SharedId]:
    """Every pair of nodes one external id names, from (label, scheme, value, key) rows."""
    named: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for label, scheme, value, key in rows:
        named[(label, scheme, folded_value(scheme, value))][key].add(value)
    shared = []
    for (label, scheme, _), keys in named.items():
        ordered = sorted(keys)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                values = tuple(sorted(keys[a] | keys[b]))
                shared.append(SharedId(label, a, b, scheme, values))
    return shared


def read_shared_ids(driver: Driver, database: str, labels: tuple[str, ...]) -> list[SharedId]:
    """The safe rule over the graph, for nodes of these labels."""
    records, _, _ = driver.execute_query(
        READ_IDENTIFIED, {"labels": list(labels)}, database_=database, routing_="r"
    )
    return shared_ids(
        (r["label"], str(r["scheme"]), str(r["value"]), str(r["key"]))
        for r in records
        if r["scheme"] is not None and r["value"] is not None and r["key"] is not None
    )
