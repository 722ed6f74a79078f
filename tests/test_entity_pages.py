"""An entity's page of events read through the start index (graph/translate/entity_pages.py)
lists exactly what expanding from the entity and sorting all of its events lists: ties in
`start` at the page's edge, events without a start, open ends, retracted events, an entity in
one event under two roles, both directions, every page through `after`."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.involvement import RECOUNT_ALL
from eventgraph.graph.projection import time_order
from eventgraph.graph.settings import Settings
from eventgraph.graph.spans import MARK_ALL_LONG_SPANS
from eventgraph.graph.translate.entity_pages import DENSE_SHARE, WALK_SHARE
from tests.graph_store import wipe
from tests.helpers import graphql_path

HUB_EVENTS = 240
"""The hub's events, three to a day (ties in `start`), among OTHER_EVENTS it is not in."""
OTHER_EVENTS = 60
UNSTARTED = 4
"""Of the hub's events, how many have no start (`:LongSpan`, first in time order)."""
RETRACTED = ("hub-00007", "hub-00100", "hub-00101")
TWO_ROLES = ("hub-00000", "hub-00050", "hub-00239")

GRAPH = """
MERGE (hub:Actor {id: 'hub'}) SET hub.name = 'Hub', hub.kind = 'state', hub.anonymous = false
MERGE (other:Actor {id: 'other'})
  SET other.name = 'Other', other.kind = 'state', other.anonymous = false
WITH hub, other
UNWIND range(0, $hub_events + $other_events - 1) AS i
WITH hub, other, i, i >= $hub_events AS theirs
CREATE (e:Event {id: CASE WHEN theirs THEN 'other-' ELSE 'hub-' END + right('0000' + i, 5),
                 name: 'Event ' + i, type: 'deployment', time_precision: 'day',
                 year_assumed: false})
SET e.start = CASE WHEN i < $unstarted THEN null
                   ELSE datetime('2020-01-01T00:00:00Z') + duration({days: (i % 97) / 3}) END,
    e.end = CASE WHEN i % 11 = 0 THEN null
                 ELSE datetime('2020-01-01T23:59:59Z') + duration({days: (i % 97) / 3 + i % 4})
            END
WITH hub, other, theirs, e
CREATE (e)-[:INVOLVES {role: 'participant', position: 0}]->(other)
FOREACH (_ IN CASE WHEN theirs THEN [] ELSE [1] END |
  CREATE (e)-[:INVOLVES {role: 'operator', position: 1}]->(hub))
FOREACH (_ IN CASE WHEN e.id IN $two_roles THEN [1] ELSE [] END |
  CREATE (e)-[:INVOLVES {role: 'target', position: 2}]->(hub))
FOREACH (_ IN CASE WHEN e.id IN $retracted THEN [1] ELSE [] END | SET e:Retracted)
"""

ORDERS = {
    "timeline": time_order("e"),
    "START_ASC": "e.start ASC, e.id ASC",
    "START_DESC": "e.start DESC, e.id DESC",
}
"""The order each listing promises (the plain reading below sorts by it)."""
PLAIN = (
    "MATCH (:Actor {id: $entity})<-[:INVOLVES]-(e:Event) WITH DISTINCT e "
    "WHERE NOT e:Retracted WITH e ORDER BY {order} RETURN collect(e.id) AS keys"
)


@pytest.fixture(scope="module")
def client(driver: Driver, settings: Settings) -> Iterator[TestClient]:
    wipe(driver, settings.neo4j_database)
    driver.execute_query(
        GRAPH,
        hub_events=HUB_EVENTS,
        other_events=OTHER_EVENTS,
        unstarted=UNSTARTED,
        retracted=list(RETRACTED),
        two_roles=list(TWO_ROLES),
        database_=settings.neo4j_database,
    )
    with driver.session(database=settings.neo4j_database) as session:
        session.run(MARK_ALL_LONG_SPANS).consume()  # as the importer labels them
        session.run(RECOUNT_ALL).consume()  # and as every writer keeps the counts
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        yield client
    wipe(driver, settings.neo4j_database)


def _plain(driver: Driver, settings: Settings, entity: str, listing: str) -> list[str]:
    query = PLAIN.replace("{order}", ORDERS[listing])
    records = driver.execute_query(query, entity=entity, database_=settings.neo4j_database)[0]
    return list(records[0]["keys"])


def _pages(client: TestClient, entity: str, listing: str, first: int, fast: bool) -> list[str]:
    """Every page of `first`, through `after`, as keys; every page's totalCount is their
    number."""
    if listing == "timeline":
        field = f'timeline(entity: "Actor:{entity}", first: {first}, after: $after)'
    else:
        field = (
            f'events(filter: {{involving: "Actor:{entity}"}}, first: {first}, after: $after, '
            f"orderBy: {listing})"
        )
    query = (
        f"query($after: String) {{ page: {field} "
        "{ totalCount pageInfo { hasNextPage endCursor } nodes { key } } }"
    )
    keys: list[str] = []
    totals: set[int] = set()
    after: Any = None
    while True:
        with graphql_path(client, fast):
            response = client.post("/graphql", json={"query": query, "variables": {"after": after}})
        body = response.json()
        assert "errors" not in body, body
        page = body["data"]["page"]
        keys += [node["key"] for node in page["nodes"]]
        totals.add(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            assert totals == {len(keys)}
            return keys
        after = page["pageInfo"]["endCursor"]


def test_the_hub_is_read_through_the_start_index(
    client: TestClient, driver: Driver, settings: Settings
) -> None:
    """The graph makes the hub dense (`entity_pages.DENSE_SHARE`), so the index reading is
    what answers below."""
    degree, events = driver.execute_query(
        "MATCH (a:Actor {id: 'hub'}) RETURN COUNT { (a)<-[:INVOLVES]-() } AS degree, "
        "COUNT { (:Event) } AS events",
        database_=settings.neo4j_database,
    )[0][0]
    assert degree * DENSE_SHARE > events


@pytest.mark.parametrize("listing", list(ORDERS))
@pytest.mark.parametrize("first", [1, 2, 10, 50])
def test_every_page_of_a_hub_lists_what_sorting_all_its_events_lists(
    client: TestClient, driver: Driver, settings: Settings, listing: str, first: int
) -> None:
    expected = _plain(driver, settings, "hub", listing)
    assert len(expected) == HUB_EVENTS - len(RETRACTED)  # two roles count once
    assert _pages(client, "hub", listing, first, fast=True) == expected


@pytest.mark.parametrize("listing", list(ORDERS))
def test_the_standard_path_pages_the_same(
    client: TestClient, driver: Driver, settings: Settings, listing: str
) -> None:
    assert _pages(client, "hub", listing, 7, fast=False) == _plain(driver, settings, "hub", listing)


def test_an_entity_with_few_events_is_read_from_itself_the_same(
    client: TestClient, driver: Driver, settings: Settings
) -> None:
    driver.execute_query(
        "MERGE (a:Actor {id: 'rare'}) SET a.name = 'Rare', a.kind = 'state', a.anonymous = false "
        "WITH a MATCH (e:Event) WHERE e.id IN ['hub-00002', 'other-00250', 'hub-00120'] "
        "CREATE (e)-[:INVOLVES {role: 'participant', position: 3}]->(a)",
        database_=settings.neo4j_database,
    )
    for listing in ORDERS:
        expected = _plain(driver, settings, "rare", listing)
        assert len(expected) == 3
        assert _pages(client, "rare", listing, 2, fast=True) == expected


def test_a_dense_entity_whose_events_all_come_last_is_read_from_itself_the_same(
    client: TestClient, driver: Driver, settings: Settings
) -> None:
    """Dense by its degree, but its events are the last to start: a small page gives up on
    the index after WALK_SHARE × N events and reads the entity's own; a larger one finds them
    within its walk."""
    late = (HUB_EVENTS + OTHER_EVENTS) // DENSE_SHARE + 2
    driver.execute_query(
        "MERGE (a:Actor {id: 'late'}) SET a.name = 'Late', a.kind = 'state', a.anonymous = false "
        "WITH a MATCH (e:Event) WHERE e.start IS NOT NULL "
        "WITH a, e ORDER BY e.start DESC, e.id DESC LIMIT $late "
        "CREATE (e)-[:INVOLVES {role: 'participant', position: 4}]->(a)",
        late=late,
        database_=settings.neo4j_database,
    )
    assert HUB_EVENTS + OTHER_EVENTS - late > (2 + 1) * WALK_SHARE  # the small page gives up
    for listing in ("timeline", "START_ASC"):
        expected = _plain(driver, settings, "late", listing)
        assert len(expected) > 20  # more than the larger page
        for first in (2, 20):
            assert _pages(client, "late", listing, first, fast=True) == expected
