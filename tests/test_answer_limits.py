"""Limits that hold per operation: a bounded answer (`EVENTGRAPH_MAX_ANSWER_NODES`, nested lists
of at most `MAX_NESTED_LIST`) refused whole with ANSWER_TOO_LARGE, a paged `timeline` through a
hub, and one deadline (`EVENTGRAPH_GRAPHQL_TIMEOUT_S`) shared by all root fields."""

import time
from collections.abc import Iterator
from typing import Any

import graphql
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.api.graphql.cost import MAX_COST, measure
from eventgraph.api.graphql.resolution import DEFAULT_PROPOSALS
from eventgraph.api.graphql.schema import schema
from eventgraph.graph.projection import MAX_NESTED_LIST
from eventgraph.graph.resolution import COREFERENCE_MAX_REASONS
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from eventgraph.graph.translate.queries import MAX_PAGE
from tests.counting import watching_fast_path
from tests.graph_store import wipe
from tests.helpers import graphql_path

HUB_EVENTS = 3000
OTHERS = 5
MAX_NODES = 20_000

HUB_GRAPH = """
MERGE (hub:Actor {id: 'hub'}) SET hub.name = 'Hub', hub.kind = 'state', hub.anonymous = false
WITH hub
UNWIND range(0, $others - 1) AS o
MERGE (a:Actor {id: 'other-' + o}) SET a.name = 'Other ' + o, a.kind = 'state', a.anonymous = false
WITH hub, collect(a) AS others
UNWIND range(0, $events - 1) AS i
CREATE (e:Event {id: 'hub-' + right('0000' + i, 5), name: 'Hub event ' + i, type: 'deployment',
                 time_precision: 'day', year_assumed: false,
                 start: datetime('2020-01-01T00:00:00Z') + duration({days: i}),
                 end: datetime('2020-01-01T23:59:59Z') + duration({days: i})})
WITH hub, others[i % $others] AS other, e
CREATE (e)-[:INVOLVES {role: 'participant', position: 0}]->(hub)
CREATE (e)-[:INVOLVES {role: 'participant', position: 1}]->(other)
"""
CROWDS = """
MERGE (s:Source {id: 'wire'})
  SET s.name = 'Wire', s.kind = 'news_outlet', s.anonymous = false, s.reliability = 'B'
WITH count(*) AS sources
UNWIND [['crowd-fits', $cap], ['crowd-over', $cap + 1]] AS crowd
CREATE (e:Event {id: crowd[0], name: crowd[0], type: 'deployment', time_precision: 'day',
                 year_assumed: false, start: datetime('2019-01-01T00:00:00Z'),
                 end: datetime('2019-01-01T23:59:59Z')})
WITH e, crowd
UNWIND range(1, crowd[1]) AS i
MERGE (a:Actor {id: 'crowd-' + i})
  SET a.name = 'Crowd ' + i, a.kind = 'armed_group', a.anonymous = false
CREATE (e)-[:INVOLVES {role: 'participant', position: i}]->(a)
"""


@pytest.fixture(scope="module")
def hub_client(driver: Driver, settings: Settings) -> Iterator[TestClient]:
    """A graph with one hub actor in HUB_EVENTS events (each with one other actor too) and two
    crowded events (MAX_NESTED_LIST participants and one more), built with one UNWIND each."""
    wipe(driver, settings.neo4j_database)
    params = {"events": HUB_EVENTS, "others": OTHERS, "cap": MAX_NESTED_LIST}
    driver.execute_query(HUB_GRAPH, params, database_=settings.neo4j_database)
    driver.execute_query(CROWDS, params, database_=settings.neo4j_database)
    app_settings = settings.model_copy(
        update={"anonymous_read": True, "max_answer_nodes": MAX_NODES}
    )
    with TestClient(create_app(app_settings)) as client:
        yield client
    wipe(driver, settings.neo4j_database)


def _ask(client: TestClient, query: str, fast: bool, variables: Any = None) -> dict[str, Any]:
    with graphql_path(client, fast):
        response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _refused(client: TestClient, query: str, code: str, variables: Any = None) -> str:
    """The one error both paths answer, with no data at all; its message."""
    messages: list[str] = []
    for fast in (True, False):
        body = _ask(client, query, fast, variables)
        assert body.get("data") is None, str(body)[:300]
        assert [error["extensions"]["code"] for error in body["errors"]] == [code]
        messages.append(body["errors"][0]["message"])
    assert messages[0] == messages[1]
    return messages[0]


def _aliases(count: int, body: str) -> str:
    return "{ " + " ".join(f"t{i}: {body}" for i in range(count)) + " }"


HUB_PAGE = (
    f'timeline(entity: "Actor:hub", first: {MAX_PAGE}) '
    "{ nodes { key name time { start end } participants { role entity { ... on Actor { name } } } } }"
)
PAGE_OBJECTS = 1 + MAX_PAGE * (1 + 1 + 2 * 2)
"""The objects in one HUB_PAGE: the connection; per event itself, its time, two participations
and their entities."""
LIGHT_PAGE = (
    f'timeline(entity: "Actor:hub", first: {MAX_PAGE}) {{ nodes {{ key time {{ start }} }} }}'
)
LIGHT_OBJECTS = 1 + MAX_PAGE * 2
"""The objects in one LIGHT_PAGE: the connection; per event itself and its time. Its cost is
small (no nested list), so the answer budget, not the estimate, is what refuses many of them."""


def test_the_amplification_request_is_refused_before_neo4j_is_asked(
    hub_client: TestClient,
) -> None:
    """The issue's request: 30 aliases of a hub's timeline with participants. Each page may
    hold 500 events × 200 participations, so the estimate refuses it before any work."""
    message = _refused(hub_client, _aliases(30, HUB_PAGE), "QUERY_TOO_COMPLEX")
    assert "estimated cost is" in message and f"the limit is {MAX_COST:,}" in message


def test_an_answer_over_the_budget_is_refused_whole(hub_client: TestClient) -> None:
    message = _refused(hub_client, _aliases(30, LIGHT_PAGE), "ANSWER_TOO_LARGE")
    assert f"more than {MAX_NODES} objects" in message
    assert "EVENTGRAPH_MAX_ANSWER_NODES" in message


def test_an_answer_just_under_the_limit_is_given_both_ways_alike(hub_client: TestClient) -> None:
    for page, objects in ((HUB_PAGE, PAGE_OBJECTS), (LIGHT_PAGE, LIGHT_OBJECTS)):
        fits = MAX_NODES // objects
        standard = _ask(hub_client, _aliases(fits, page), fast=False)
        with watching_fast_path() as tally:
            fast = _ask(hub_client, _aliases(fits, page), fast=True)
        assert tally.answered == 1
        assert "errors" not in fast and fast == standard
        assert all(len(timeline["nodes"]) == MAX_PAGE for timeline in fast["data"].values())
    _refused(hub_client, _aliases(fits + 1, LIGHT_PAGE), "ANSWER_TOO_LARGE")


def test_a_nested_list_over_its_cap_is_refused_naming_it(hub_client: TestClient) -> None:
    asked = '{ node(id: "Event:%s") { ... on Event { people: participants { role } } } }'
    message = _refused(hub_client, asked % "crowd-over", "ANSWER_TOO_LARGE")
    assert f"`people` holds more than {MAX_NESTED_LIST} items" in message
    body = _ask(hub_client, asked % "crowd-fits", fast=True)
    assert len(body["data"]["node"]["people"]) == MAX_NESTED_LIST


def test_paging_through_a_hubs_timeline_gives_every_event_once(hub_client: TestClient) -> None:
    query = (
        'query($after: String) { timeline(entity: "Actor:hub", first: 700, after: $after) '
        "{ totalCount pageInfo { hasNextPage endCursor } nodes { key } } }"
    )
    refused = _ask(hub_client, query, fast=True)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # over MAX_PAGE
    query = query.replace("first: 700", "first: 400")
    keys: list[str] = []
    after = None
    while True:
        page = _ask(hub_client, query, fast=after is not None, variables={"after": after})
        timeline = page["data"]["timeline"]
        assert timeline["totalCount"] == HUB_EVENTS
        keys += [event["key"] for event in timeline["nodes"]]
        if not timeline["pageInfo"]["hasNextPage"]:
            break
        after = timeline["pageInfo"]["endCursor"]
    assert keys == [f"hub-{i:05d}" for i in range(HUB_EVENTS)]  # in time order, each once


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "standard"])
def test_all_root_fields_share_one_deadline(
    hub_client: TestClient, settings: Settings, fast: bool
) -> None:
    """30 aliases of a statement slow in Neo4j on purpose (each row lowers a 400 KB needle)
    end within about one timeout, not thirty; the fields left without time answer TIMEOUT."""
    timeout = 2.0
    hub_client.app.state.settings = hub_client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"graphql_timeout_s": timeout}
    )
    query = "query($t: String!) " + _aliases(30, "events(filter: {text: $t}) { totalCount }")
    try:
        began = time.monotonic()
        body = _ask(hub_client, query, fast, variables={"t": "x" * 400_000})
        took = time.monotonic() - began
    finally:
        hub_client.app.state.settings = hub_client.app.state.settings.model_copy(  # type: ignore[attr-defined]
            update={"graphql_timeout_s": settings.graphql_timeout_s}
        )
    assert took < 3 * timeout, took
    assert body["data"] is None  # `events` is non-null: its null reaches the root
    assert {error["extensions"]["code"] for error in body["errors"]} == {"TIMEOUT"}
    assert "took longer than 2 s in all" in body["errors"][-1]["message"]


def test_subscribers_and_editors_see_a_crowded_event_as_the_limits_say(
    hub_client: TestClient, driver: Driver, settings: Settings
) -> None:
    """A subscription's batch is bounded as a query is (refused with the code); the mutation
    that wrote the event answers for all it wrote (its read-back is not capped)."""
    editor = create_token(driver, settings.neo4j_database, Role.EDITOR, "limits-editor")
    crowd = [{"role": "participant", "ref": f"crowd-{i}"} for i in range(1, MAX_NESTED_LIST + 2)]
    event = {
        "key": "crowd-live",
        "type": "deployment",
        "name": "A crowded event",
        "time": {"start": "2026-01-01", "precision": "day"},
        "participants": crowd,
        "claims": [{"source": "wire", "credibility": 2, "paraphrase": "Seen."}],
    }
    subscribe = "subscription { eventRecorded { key participants { role } } }"
    with hub_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": subscribe}})
        written = hub_client.post(
            "/graphql",
            json={
                "query": "mutation($input: EventInput!) "
                "{ recordEvent(input: $input) { key participants { role } } }",
                "variables": {"input": event},
            },
            headers={"Authorization": f"Bearer {editor}"},
        ).json()
        assert len(written["data"]["recordEvent"]["participants"]) == MAX_NESTED_LIST + 1
        message = ws.receive_json()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["ANSWER_TOO_LARGE"], message
    assert "`participants` holds more than" in errors[0]["message"]


def test_the_default_page_of_coreference_proposals_with_every_list_is_within_the_cost() -> None:
    """A pair's reasons are counted at the most a pair can have (each kind once, `role_differs`
    once per role), not as a nested list of 200: the whole review list at its default page, with
    every alternative's reasons, is a query a client may send."""
    document = graphql.parse(
        """{ coreferenceProposals {
          a { id key name kind } b { id key name kind } score automatic
          reasons { kind detail weight }
          alternatives { event { id key name kind } score reasons { kind detail weight } }
        } }"""
    )
    [(_, measured)] = measure(schema._schema, document)
    assert measured.cost <= MAX_COST
    per_reason = 3  # the kind, detail and weight of each one
    assert measured.cost >= DEFAULT_PROPOSALS * COREFERENCE_MAX_REASONS * per_reason
