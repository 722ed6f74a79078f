"""The first events of one entity by start, read without touching all of its events.

An entity's events are found from the entity (`(a)<-[:INVOLVES]-(e)`): a page of them in time
order then reads every one of them to sort them, which for a hub (a sixth of all events) is the
whole cost of the page. When the entity takes part in many events, the events in start order
(the `Event(start)` range index, read in order) reach its first N after about N × events ÷
degree of them, each checked with one `Expand(Into)`: the planner stops at N.

Which way is taken is decided per call, in the statement, from two numbers Neo4j keeps without
a scan: the entity's degree (`COUNT { (a)<-[:INVOLVES]-() }`, the degree store) and the number
of events (the count store). An entity in more than one event in DENSE_SHARE is read through the
index, at most WALK_SHARE × N events in start order; an entity whose events sit where the walk
does not reach (all at the end of the record, say) does not fill its page there and is read from
itself after all: it costs that bounded walk more, never an answer that differs.

Both ways bind `e` to a superset of the entity's first N events in any order that sorts by
`start` first (`projection.time_order`, `START_ASC`, `START_DESC`): through the index, the first
N by start, every event with the same start as the last of them (so ties at the cut are whole)
and the events without a start (`:LongSpan` ones, which either order puts at one end). The
caller orders and pages them again. Nothing is written or maintained for it: every writer stays
as it is, and retracted events are left out as everywhere else.
"""

from eventgraph.graph.ontology import LONG_SPAN_LABEL
from eventgraph.graph.projection import Compiler, not_retracted

DENSE_SHARE = 8
"""An entity is read through the start index when it takes part in more than one event in
DENSE_SHARE (by its degree against the number of events): its first N are then expected within
about DENSE_SHARE × N events in start order."""
WALK_SHARE = 32
"""How far the index is read, at most, before giving up for the entity's own events:
WALK_SHARE × N events in start order (four times what a dense entity is expected to need)."""


def first_events_of(c: Compiler, label: str, key: str, enough: int, descending: bool) -> str:
    """A clause binding `e` to a superset of the first `enough` events entity `label`/`key`
    takes part in (any role), by start ascending or descending, each once."""
    entity, wanted, walk = c.param(key), c.param(enough), c.param(WALK_SHARE * enough)
    direction = "DESC" if descending else "ASC"
    involved = f"{not_retracted('e')} AND EXISTS {{ (e)-[:INVOLVES]->(a) }}"
    return (
        f"CALL () {{ MATCH (a:`{label}` {{id: {entity}}}) "
        f"WITH a, COUNT {{ (a)<-[:INVOLVES]-() }} * {DENSE_SHARE} > "
        "COUNT { MATCH (any:Event) RETURN any } AS dense "
        "CALL (a, dense) { WITH a WHERE dense "
        "MATCH (e:Event) USING INDEX e:Event(start) WHERE e.start IS NOT NULL "
        f"WITH a, e ORDER BY e.start {direction} LIMIT {walk} WITH a, e WHERE {involved} "
        f"WITH e ORDER BY e.start {direction} LIMIT {wanted} RETURN collect(e) AS first }} "
        f"WITH a, first, size(first) = {wanted} AS walked "
        "CALL (a, first, walked) { "
        "WITH a WHERE NOT walked MATCH (a)<-[:INVOLVES]-(e:Event) WITH DISTINCT e "
        f"WHERE {not_retracted('e')} RETURN e "
        "UNION WITH a, first WHERE walked WITH a, first, last(first).start AS cut "
        f"UNWIND first + COLLECT {{ MATCH (e:Event {{start: cut}}) WHERE {involved} RETURN e }} "
        "AS e RETURN e "
        f"UNION WITH a WHERE walked MATCH (e:`{LONG_SPAN_LABEL}`) WHERE e.start IS NULL "
        f"AND {involved} RETURN e }} RETURN e }}"
    )
