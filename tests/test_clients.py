"""The clients frontend developers reach for, against a live server over the seed story with
anonymous read off: Apollo Client 4, urql and graphql-ws (Node, `node --test` in tests/clients/,
packages pinned by its package-lock.json) and Python's gql over HTTP and graphql-transport-ws."""

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.websockets import WebsocketsTransport
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import run_javascript_client, served

SEED_FLIGHTS = {f"hmeimim-2025-an124-flight-{n}" for n in (1, 2, 3)}


@dataclass(frozen=True)
class LiveServer:
    http_url: str
    ws_url: str
    reader: str
    editor: str


@pytest.fixture(scope="module")
def live(story_to_extend: Driver, settings: Settings) -> Iterator[LiveServer]:
    """The app served on a free port over the seed story (the clients record events in it),
    anonymous read off, with tokens."""
    driver, database = story_to_extend, settings.neo4j_database
    reader = create_token(driver, database, Role.READER, "clients-reader")
    editor = create_token(driver, database, Role.EDITOR, "clients-editor")
    with served(create_app(settings.model_copy(update={"anonymous_read": False}))) as base:
        yield LiveServer(
            f"{base}/graphql", base.replace("http://", "ws://") + "/graphql", reader, editor
        )


@pytest.mark.parametrize("client", ["apollo", "urql", "graphql-ws"])
def test_javascript_client(live: LiveServer, client: str) -> None:
    run_javascript_client(
        f"{client}.test.mjs",
        {
            "EVENTGRAPH_HTTP_URL": live.http_url,
            "EVENTGRAPH_WS_URL": live.ws_url,
            "EVENTGRAPH_READER_TOKEN": live.reader,
            "EVENTGRAPH_EDITOR_TOKEN": live.editor,
        },
    )


def test_gql_query_over_http_validated_against_the_served_schema(live: LiveServer) -> None:
    """gql introspects the schema first and checks the query against it before sending."""
    transport = AIOHTTPTransport(
        url=live.http_url, headers={"Authorization": f"Bearer {live.reader}"}
    )
    client = Client(transport=transport, fetch_schema_from_transport=True)
    request = GraphQLRequest(
        "query Flights($types: [EventType!]) {"
        " events(filter: {types: $types}) { totalCount nodes { key time { start precision } } } }",
        variable_values={"types": ["flight"]},
    )
    result = client.execute(request)
    keys = {event["key"] for event in result["events"]["nodes"]}
    assert keys >= SEED_FLIGHTS
    assert result["events"]["totalCount"] == len(keys)
    assert client.schema is not None and client.schema.get_type("TimeSpan") is not None


def test_gql_finds_a_node_by_external_id_and_asks_for_proposals(live: LiveServer) -> None:
    """The identity queries as a Python client sends them: variables, checked by gql against
    the served schema before sending."""
    transport = AIOHTTPTransport(
        url=live.http_url, headers={"Authorization": f"Bearer {live.reader}"}
    )
    client = Client(transport=transport, fetch_schema_from_transport=True)
    request = GraphQLRequest(
        "query Identity($scheme: String!, $value: String!, $label: ResolvableLabel) {"
        " node: byExternalId(scheme: $scheme, value: $value) {"
        "  ... on EquipmentType { key externalIds { scheme value } } }"
        " proposals: resolutionProposals(label: $label, minScore: 0.0) {"
        "  a { key } b { key } score automatic reasons { kind detail weight } } }",
        variable_values={"scheme": "icao_type", "value": "a124", "label": "EquipmentType"},
    )
    result = client.execute(request)
    assert result["node"]["key"] == "an-124-100"
    assert {"scheme": "icao_type", "value": "A124"} in result["node"]["externalIds"]
    for proposal in result["proposals"]:  # the seed's two types are not one: nothing above 0.8
        assert proposal["score"] < 0.8 and not proposal["automatic"], proposal


def test_gql_asks_how_many_independent_origins_support_the_flights(live: LiveServer) -> None:
    """Corroboration as a Python client asks for it: the minimum a variable, the query checked
    by gql against the served schema before sending (docs/reliability.md)."""
    transport = AIOHTTPTransport(
        url=live.http_url, headers={"Authorization": f"Bearer {live.reader}"}
    )
    client = Client(transport=transport, fetch_schema_from_transport=True)
    query = (
        "query Corroborated($min: Int) {"
        " events(filter: {minIndependentOrigins: $min, types: [airlift]}) { nodes { key"
        "  corroboration { independentOrigins anonymousOnly origins { source { key } claimCount }"
        "   bestGrading { code } worstGrading { code } } } } }"
    )
    nodes = client.execute(GraphQLRequest(query, variable_values={"min": 3}))["events"]["nodes"]
    assert [node["key"] for node in nodes] == ["hmeimim-2025-airlift"]
    corroboration = nodes[0]["corroboration"]
    assert corroboration["independentOrigins"] == 3 and not corroboration["anonymousOnly"]
    assert corroboration["origins"][0] == {"source": {"key": "flightradar24"}, "claimCount": 2}
    assert (corroboration["bestGrading"], corroboration["worstGrading"]) == (
        {"code": "B2"},
        {"code": "F3"},
    )
    fewer = client.execute(GraphQLRequest(query, variable_values={"min": 4}))
    assert fewer["events"]["nodes"] == []


def test_gql_merges_and_unmerges_two_actors_as_the_editor(live: LiveServer) -> None:
    """mergeNodes and unmergeNodes as a Python client sends them (variables, checked by gql
    against the served schema): the folded key reads as the one kept, then as itself again."""
    marker = uuid.uuid4().hex[:8]
    keep, fold = f"clients-{marker}-unit", f"clients-{marker}-unit-alias"
    transport = AIOHTTPTransport(
        url=live.http_url, headers={"Authorization": f"Bearer {live.editor}"}
    )
    client = Client(transport=transport, fetch_schema_from_transport=True)
    client.execute(
        GraphQLRequest(
            "mutation($input: [ActorInput!]!) { upsertActors(input: $input) { key } }",
            variable_values={
                "input": [
                    {"key": keep, "name": "Test unit", "kind": "military_unit"},
                    {"key": fold, "name": "Test unit (alias)", "kind": "military_unit"},
                ]
            },
        )
    )
    node = "query($id: ID!) { node(id: $id) { ... on Actor { key name } } }"
    merged = client.execute(
        GraphQLRequest(
            "mutation($keep: ID!, $fold: ID!, $why: String!) {"
            " mergeNodes(keep: $keep, fold: $fold, reason: $why) { id kept folded by reason } }",
            variable_values={
                "keep": f"Actor:{keep}",
                "fold": f"Actor:{fold}",
                "why": "one unit under two names",
            },
        )
    )["mergeNodes"]
    assert (merged["kept"], merged["folded"]) == (f"Actor:{keep}", f"Actor:{fold}")
    assert merged["by"] == "clients-editor" and merged["reason"] == "one unit under two names"
    seen = client.execute(GraphQLRequest(node, variable_values={"id": f"Actor:{fold}"}))
    assert seen["node"] == {"key": keep, "name": "Test unit"}
    undone = client.execute(
        GraphQLRequest(
            "mutation($merge: String!) {"
            ' unmergeNodes(merge: $merge, reason: "kept apart") { merge { undoneBy } } }',
            variable_values={"merge": merged["id"]},
        )
    )
    assert undone["unmergeNodes"]["merge"]["undoneBy"] == "clients-editor"
    again = client.execute(GraphQLRequest(node, variable_values={"id": f"Actor:{fold}"}))
    assert again["node"] == {"key": fold, "name": "Test unit (alias)"}


SUBSCRIBE = """subscription Recorded($filter: EventFilter) {
  eventRecorded(filter: $filter) { key type time { __typename start precision } }
}"""
RECORD = "mutation($input: EventInput!) { recordEvent(input: $input) { key } }"


async def _record_until_heard(live: LiveServer, marker: str, recorded: list[str]) -> None:
    """Record a new flight every two seconds (the server starts listening once it has the
    subscribe message, and polls the graph about every second) until cancelled."""
    headers = {"Authorization": f"Bearer {live.editor}"}
    async with httpx.AsyncClient(headers=headers, timeout=10) as http:
        for attempt in range(15):
            key = f"{marker}-{attempt}"
            flight = {
                "key": key,
                "type": "flight",
                "name": f"Flight {marker} {attempt}",
                "time": {"start": "2025-11-08", "precision": "day"},
                "participants": [{"role": "operator", "ref": "russian-air-force"}],
                "claims": [{"source": "flightradar24", "credibility": 2, "paraphrase": "Seen."}],
            }
            answer = await http.post(
                live.http_url, json={"query": RECORD, "variables": {"input": flight}}
            )
            assert "errors" not in answer.json(), answer.json()
            recorded.append(key)
            await asyncio.sleep(2)


async def _first_event(live: LiveServer, marker: str, recorded: list[str]) -> dict[str, Any]:
    transport = WebsocketsTransport(
        url=live.ws_url,
        init_payload={"Authorization": f"Bearer {live.reader}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:
        request = GraphQLRequest(
            SUBSCRIBE, variable_values={"filter": {"types": ["flight"], "text": marker}}
        )
        recording = asyncio.create_task(_record_until_heard(live, marker, recorded))
        try:
            async with asyncio.timeout(40):
                async for result in session.subscribe(request):
                    return result["eventRecorded"]  # type: ignore[no-any-return]
        finally:
            recording.cancel()
    raise AssertionError("the subscription ended without an event")


def test_gql_subscription_over_graphql_transport_ws(live: LiveServer) -> None:
    marker = f"gql-{uuid.uuid4().hex[:8]}"
    recorded: list[str] = []
    event = asyncio.run(_first_event(live, marker, recorded))
    assert event["key"] in recorded
    assert event["type"] == "flight"
    assert event["time"]["__typename"] == "TimeSpan"
    assert event["time"]["start"].startswith("2025-11-08")
