"""The first events of one entity by start, read without touching all of its events.

An entity's events are found from the entity (`(a)<-[:INVOLVES]-(e)`): a page of them in time
order then reads every one of them to sort them, which for a hub (a sixth of all events) is the
whole cost of the page. When the entity takes part in many events, the events in start order
(the `Event(start)` range index, read in order) reach its first N after about N × events ÷
degree of them, each checked with one `Expand(Into)`: the planner stops at N.

Which way is cheaper is decided per call, in the statement, from two numbers Neo4j keeps
without a scan: the entity's degree (`COUNT { (a)<-[:INVOLVES]-() }`, the degree store) and
the number of events (the count store). From the entity costs about its degree; through the
index about N × events ÷ degree; the index is taken when degree² > N × events. The index
reading assumes the entity's events are spread over time like the rest; a hub whose events all
sit at the end of the record costs more, never an answer that differs.

Both ways bind `e` to a superset of the entity's first N events in any order that sorts by
`start` first (`projection.time_order`, `START_ASC`, `START_DESC`): through the index, the first
N by start, every event with the same start as the last of them (so ties at the cut are whole)
and the events without a start (`:LongSpan` ones, which either order puts at one end). The
caller orders and pages them again. Nothing is written or maintained for it: every writer stays
as it is, and retracted events are left out as everywhere else.
"""

from eventgraph.graph.ontology import LONG_SPAN_LABEL
from eventgraph.graph.projection import Compiler, not_retracted


def first_events_of(c: Compiler, label: str, key: str, enough: str, descending: bool) -> str:
    """A clause binding `e` to a superset of the first `enough` (a parameter) events entity
    `label`/`key` takes part in (any role), by start ascending or descending, each once."""
    entity = c.param(key)
    direction = "DESC" if descending else "ASC"
    involved = f"{not_retracted('e')} AND EXISTS {{ (e)-[:INVOLVES]->(a) }}"
    by_start = (
        f"MATCH (e:Event) USING INDEX e:Event(start) WHERE e.start IS NOT NULL AND {involved} "
        f"WITH e ORDER BY e.start {direction} LIMIT {enough}"
    )
    return (
        f"CALL () {{ MATCH (a:`{label}` {{id: {entity}}}) "
        "WITH a, COUNT { (a)<-[:INVOLVES]-() } AS degree "
        "CALL () { MATCH (any:Event) RETURN count(any) AS events } "
        f"WITH a, degree * degree > {enough} * events AS dense "
        "CALL (a, dense) { "
        f"WITH a WHERE NOT dense MATCH (a)<-[:INVOLVES]-(e:Event) WITH DISTINCT e "
        f"WHERE {not_retracted('e')} RETURN e "
        f"UNION WITH a WHERE dense CALL (a) {{ {by_start} RETURN collect(e) AS first }} "
        "WITH a, first, last(first).start AS cut "
        f"UNWIND first + COLLECT {{ MATCH (e:Event {{start: cut}}) WHERE {involved} RETURN e }} "
        "AS e RETURN e "
        f"UNION WITH a WHERE dense MATCH (e:`{LONG_SPAN_LABEL}`) WHERE e.start IS NULL "
        f"AND {involved} RETURN e }} RETURN e }}"
    )
