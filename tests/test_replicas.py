"""Several API replicas on one Neo4j, reached as a cluster is (`neo4j://`): a write's answer
carries its bookmark (header and `extensions.bookmarks`), a request that sends it back to
another `eventgraph serve` reads at least that fresh, a bad bookmark is a clear error and not
a hang, Apollo Client and urql carry the bookmark from one replica to the other, and a
subscription on one replica hears an event recorded through the other (graph/consistency.py,
api/consistency.py; docs/graphql.md, "Several replicas")."""

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import neo4j
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from neo4j import Driver

from eventgraph.graph.driver import open_driver
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token, revoke_token
from tests.helpers import (
    RECORD_EVENT,
    eventgraph_serve,
    free_port,
    recorded_flight,
    run_javascript_client,
)

HEADER = "X-EventGraph-Bookmark"
READ_BACK = "query($id: ID!) { node(id: $id) { ... on Event { key } } }"


@dataclass(frozen=True)
class Replicas:
    first: str
    second: str
    editor: str
    reader: str


@pytest.fixture(scope="module")
def replicas(seed_story: Driver, settings: Settings) -> Iterator[Replicas]:
    """Two `eventgraph serve` processes on the test Neo4j, both through the routing protocol."""
    database = settings.neo4j_database
    name = f"replicas-{secrets.token_hex(4)}"
    editor = create_token(seed_story, database, Role.EDITOR, f"{name}-editor")
    reader = create_token(seed_story, database, Role.READER, f"{name}-reader")
    env = {"EVENTGRAPH_NEO4J_SCHEME": "neo4j", "EVENTGRAPH_ANONYMOUS_READ": "false"}
    ports = free_port(), free_port()
    try:
        with (
            eventgraph_serve(env, "--port", str(ports[0])) as first,
            eventgraph_serve(env, "--port", str(ports[1])) as second,
        ):
            for server in (first, second):
                assert server.stdout is not None
                server.stdout.readline()  # the banner: it answers
            first_url, second_url = (f"http://127.0.0.1:{port}/graphql" for port in ports)
            yield Replicas(first_url, second_url, editor, reader)
    finally:
        revoke_token(seed_story, database, f"{name}-editor")
        revoke_token(seed_story, database, f"{name}-reader")


def _ask(url: str, token: str, query: str, variables: dict[str, Any], **headers: str) -> Any:
    answer = httpx.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", **headers},
        timeout=10,  # a bad bookmark must not hang
    )
    return answer


def test_the_local_neo4j_answers_the_routing_protocol(settings: Settings) -> None:
    routed = settings.model_copy(update={"neo4j_scheme": "neo4j"})
    assert routed.bolt_uri.startswith("neo4j://")
    with open_driver(routed) as driver:
        assert isinstance(driver, neo4j.Neo4jDriver)  # routing: reads to readers, writes to writers
        table = driver.execute_query(
            "CALL dbms.routing.getRoutingTable({}, $db)", db=settings.neo4j_database
        ).records[0]["servers"]
    assert {server["role"] for server in table} == {"READ", "WRITE", "ROUTE"}


def test_a_write_through_one_replica_is_read_through_the_other_with_its_bookmark(
    replicas: Replicas,
) -> None:
    key = f"replicated-{uuid.uuid4().hex[:8]}"
    written = _ask(
        replicas.first, replicas.editor, RECORD_EVENT, {"input": recorded_flight(key, "2025-11-09")}
    )
    body = written.json()
    assert "errors" not in body, body
    bookmarks = body["extensions"]["bookmarks"]
    assert bookmarks and written.headers[HEADER] == ",".join(bookmarks)
    read = _ask(
        replicas.second,
        replicas.reader,
        READ_BACK,
        {"id": f"Event:{key}"},
        **{HEADER: written.headers[HEADER]},
    )
    assert read.json() == {"data": {"node": {"key": key}}}
    assert HEADER not in read.headers  # a read leaves no bookmark to send back


@pytest.mark.parametrize(
    ("sent", "told"),
    [
        ("not-a-bookmark", "not a bookmark this database gave"),
        (",".join(["FB:x"] * 17), "at most 16 bookmarks"),
    ],
)
def test_a_bad_bookmark_is_a_clear_error_not_a_hang(
    replicas: Replicas, sent: str, told: str
) -> None:
    answer = _ask(replicas.second, replicas.reader, READ_BACK, {"id": "Event:x"}, **{HEADER: sent})
    errors = answer.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert HEADER in errors[0]["message"] and told in errors[0]["message"]
    assert "packstream" not in answer.text and "Neo." not in answer.text  # no driver internals
    cypher = httpx.post(
        replicas.second.replace("/graphql", "/cypher"),
        json={"query": "RETURN 1 AS one"},
        headers={"Authorization": f"Bearer {replicas.reader}", HEADER: sent},
        timeout=10,
    )
    assert cypher.status_code == 422 and told in cypher.text, cypher.text


def test_apollo_and_urql_send_a_writes_bookmark_to_the_other_replica(replicas: Replicas) -> None:
    """The clients people use, as docs/graphql.md shows them: each keeps the bookmark header
    of a mutation answered by the first replica and sends it with a query the second answers
    (tests/clients/replicas.test.mjs)."""
    first_ws = replicas.first.replace("http://", "ws://")
    run_javascript_client(
        "replicas.test.mjs",
        {
            "EVENTGRAPH_HTTP_URL": replicas.first,
            "EVENTGRAPH_WS_URL": first_ws,
            "EVENTGRAPH_SECOND_HTTP_URL": replicas.second,
            "EVENTGRAPH_READER_TOKEN": replicas.reader,
            "EVENTGRAPH_EDITOR_TOKEN": replicas.editor,
        },
    )


SUBSCRIBE = """subscription($filter: EventFilter) { eventRecorded(filter: $filter) { key } }"""


async def _heard_on_second(replicas: Replicas, marker: str) -> tuple[str, list[str]]:
    """Subscribe on the second replica, record flights through the first until one is heard."""
    transport = WebsocketsTransport(
        url=replicas.second.replace("http://", "ws://"),
        init_payload={"Authorization": f"Bearer {replicas.reader}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    recorded: list[str] = []

    async def record() -> None:
        headers = {"Authorization": f"Bearer {replicas.editor}"}
        async with httpx.AsyncClient(headers=headers, timeout=10) as http:
            for attempt in range(15):
                key = f"{marker}-{attempt}"
                flight = recorded_flight(key, "2025-11-09") | {"name": f"Flight {marker}"}
                answer = await http.post(
                    replicas.first, json={"query": RECORD_EVENT, "variables": {"input": flight}}
                )
                assert "errors" not in answer.json(), answer.json()
                recorded.append(key)
                await asyncio.sleep(2)

    async with Client(transport=transport) as session:
        request = GraphQLRequest(SUBSCRIBE, variable_values={"filter": {"text": marker}})
        recording = asyncio.create_task(record())
        try:
            async with asyncio.timeout(40):
                async for result in session.subscribe(request):
                    return result["eventRecorded"]["key"], recorded
        finally:
            recording.cancel()
    raise AssertionError("the subscription ended without an event")


def test_a_subscription_on_one_replica_hears_an_event_recorded_through_the_other(
    replicas: Replicas,
) -> None:
    marker = f"across-{uuid.uuid4().hex[:8]}"
    heard, recorded = asyncio.run(_heard_on_second(replicas, marker))
    assert heard in recorded
