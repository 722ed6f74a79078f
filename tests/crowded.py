"""A graph whose nested lists are as full as their caps let them be, and the widest answer the
cost limit lets one request ask of it: what the memory and memory-limit tests send."""

import graphql

from eventgraph.api.graphql.cost import MAX_ALIASES, MAX_COST, measure
from eventgraph.api.graphql.schema import schema
from eventgraph.graph.translate.queries import MAX_PAGE

CROWD = """
UNWIND range(1, $members) AS i
MERGE (a:Actor {id: 'member-' + i})
  SET a.name = 'Member ' + i, a.kind = 'armed_group', a.anonymous = false
WITH collect(a) AS members
UNWIND range(0, $events - 1) AS i
CREATE (e:Event {id: 'crowded-' + right('0000' + i, 5), name: 'Crowded event ' + i,
                 type: 'deployment', time_precision: 'day', year_assumed: false,
                 start: datetime('2021-01-01T00:00:00Z') + duration({days: i}),
                 end: datetime('2021-01-01T23:59:59Z') + duration({days: i})})
WITH e, members
UNWIND range(0, size(members) - 1) AS p
WITH e, members[p] AS member, p
CREATE (e)-[:INVOLVES {role: 'participant', position: p}]->(member)
"""
"""MAX_PAGE events, each with MAX_NESTED_LIST participants (every member in every event): a
page of them holds every nested list at its cap."""


def _page(directive: str, extra: str) -> str:
    return (
        f"{{ events(first: {MAX_PAGE}){directive} {{ nodes {{ key name participants {{ role "
        f"entity {{ ... on Actor {{ key name kind anonymous aliases{extra} }} }} }} }} }} }}"
    )


def _cost(query: str) -> int:
    ((_, found),) = measure(schema._schema, graphql.parse(query))
    return found.cost


def widest(directive: str = "") -> str:
    """The widest answer one request may ask for: a full page of events, each participation
    with its entity's fields and as many more (aliases of `name`) as the cost limit lets
    through. The graph fills every nested list, so its one record is as large as the estimate
    (500 × 200 participations: 200,501 objects and about MAX_COST values)."""
    extra = ""
    for alias in range(MAX_ALIASES):
        wider = f"{extra} n{alias}: name"
        if _cost(_page(directive, wider)) > MAX_COST:
            break
        extra = wider
    return _page(directive, extra)
