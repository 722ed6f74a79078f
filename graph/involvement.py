"""How many events an entity takes part in, read without reading its events.

Neo4j keeps each node's number of relationships by type and direction (the degree store), so
`COUNT { (a)<-[:INVOLVES]-() }` costs the same for a hub in 167k events as for an entity in one
(a `GetDegree`, no `Expand`). That degree is the entity's number of (unretracted) events but for
the INVOLVES relationships that count no event, both rare:

- the second and later ones from one event (it names the entity in two roles, or a merge
  folded two of its participants into one);
- every one from a retracted event.

Their number is kept on the entity (`model.UNCOUNTED_INVOLVES`, absent when 0), and the count
is the degree less it. It is a sum of one term per event, k(e, a) − (0 if e is retracted else
1), k(e, a) being the number of INVOLVES relationships from e to a: a writer that changes an
event's participations or its retraction reads the event's terms before and after
(`terms_of`: an event has a few participants) and adds the difference to its entities
(`add_terms`); a retraction adds 1 to each of its entities (`retraction.RETRACTING`); where
an entity's relationships move as a whole (merging or unmerging two entities), `recount` counts
it again from its events. In the common case every term is 0 and no entity is written:
imports of events that name a hub do not queue on the hub's lock.
"""

from collections import Counter
from collections.abc import Iterable

from neo4j import ManagedTransaction

from eventgraph.graph.model import UNCOUNTED_INVOLVES
from eventgraph.graph.ontology import ENTITY_LABELS
from eventgraph.graph.projection import Compiler
from eventgraph.graph.retraction import not_retracted

UNCOUNTED = UNCOUNTED_INVOLVES.name

Terms = Counter[str]
"""Per entity (its element id), the sum of the nonzero terms of some events."""

_TERMS = (
    "UNWIND $ids AS id MATCH (e:Event {id: id}) USING INDEX e:Event(id) "
    "MATCH (e)-[:INVOLVES]->(a) WITH e, a, count(*) AS k "
    f"WITH a, k - CASE WHEN {not_retracted('e')} THEN 1 ELSE 0 END AS term "
    "WHERE term > 0 RETURN elementId(a) AS entity, sum(term) AS term"
)
_ADD = (
    "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.entity "
    f"SET a.`{UNCOUNTED}` = coalesce(a.`{UNCOUNTED}`, 0) + row.change "
    f"WITH a WHERE a.`{UNCOUNTED}` = 0 REMOVE a.`{UNCOUNTED}`"
)
"""The read of the property on the right of its `SET` makes Cypher take the node's write lock
before reading it: concurrent writers add up, none is lost."""


def _recounted(a: str) -> str:
    """Set entity `a`'s property from its events (it holds its write lock after)."""
    return (
        f"SET {a}.`{UNCOUNTED}` = COUNT {{ ({a})<-[:INVOLVES]-() }} - "
        f"COUNT {{ MATCH ({a})<-[:INVOLVES]-(e:Event) WHERE {not_retracted('e')} "
        f"RETURN DISTINCT e }} "
        f"WITH {a} WHERE {a}.`{UNCOUNTED}` = 0 REMOVE {a}.`{UNCOUNTED}`"
    )


_ENTITY = "|".join(f"`{label}`" for label in ENTITY_LABELS)
_RECOUNT = f"UNWIND $ids AS id MATCH (a:{_ENTITY} {{id: id}}) " + _recounted("a")
RECOUNT_ALL = (
    f"MATCH (a:{_ENTITY}) WHERE EXISTS {{ (a)<-[:INVOLVES]-() }} OR a.`{UNCOUNTED}` IS NOT NULL "
    f"CALL (a) {{ {_recounted('a')} }} IN TRANSACTIONS OF 1000 ROWS"
)
"""Every entity counted again from its events (the migration to schema version 4); batched,
so it fits a graph of any size, and idempotent."""
RECOUNTED_WRONG = (
    f"MATCH (a:{_ENTITY}) "
    "WITH a, COUNT { (a)<-[:INVOLVES]-() } - "
    f"coalesce(a.`{UNCOUNTED}`, 0) AS kept, "
    f"COUNT {{ MATCH (a)<-[:INVOLVES]-(e:Event) WHERE {not_retracted('e')} "
    "RETURN DISTINCT e } AS scanned "
    "WHERE kept <> scanned RETURN labels(a)[0] + ':' + a.id AS entity, kept, scanned "
    "ORDER BY entity"
)
"""Every entity whose kept count differs from the count of its events (none, when every
writer keeps it): `eventgraph` does not run it, a check for tests and operators."""


def events_count(c: Compiler, label: str, key: str) -> str:
    """A clause returning `total`: how many unretracted events entity `label`/`key` takes
    part in (0 when there is no such entity), from its degree."""
    return (
        f"CALL () {{ MATCH (a:`{label}` {{id: {c.param(key)}}}) "
        f"RETURN sum(COUNT {{ (a)<-[:INVOLVES]-() }} - coalesce(a.`{UNCOUNTED}`, 0)) AS total }}"
    )


def terms_of(tx: ManagedTransaction, event_ids: Iterable[str]) -> Terms:
    """The nonzero terms of these events, summed per entity, as the graph holds them now."""
    terms: Terms = Counter()
    ids = list(event_ids)
    if ids:
        for record in tx.run(_TERMS, ids=ids):
            terms[record["entity"]] += record["term"]
    return terms


def add_terms(tx: ManagedTransaction, before: Terms, after: Terms) -> None:
    """Add to each entity the change of its terms between `before` and `after`."""
    changes = {entity: after[entity] - before[entity] for entity in before.keys() | after.keys()}
    rows = [{"entity": entity, "change": change} for entity, change in changes.items() if change]
    if rows:
        tx.run(_ADD, rows=sorted(rows, key=lambda row: row["entity"])).consume()


def recount(tx: ManagedTransaction, entity_ids: Iterable[str]) -> None:
    """Count these entities (ids, any entity label) again from their events."""
    ids = sorted(set(entity_ids))
    if ids:
        tx.run(_RECOUNT, ids=ids).consume()
