"""`eventRecorded` over graphql-transport-ws: an open map hears of events recorded by the API
and by imports (another path into the graph), filtered as it asked."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph import recent
from eventgraph.graph.importer import import_paths, import_records
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import RECORD_EVENT, next_recorded, recorded_flight, subscribed

SUBSCRIBE = """subscription($filter: EventFilter) {
  eventRecorded(filter: $filter) { key name type participants { role entity { ... on Actor { key } } } }
}"""

ATTACK = """\
events:
  - id: live-attack
    type: attack
    name: Drone attack on the base
    time: {start: 2025-11-03, precision: day}
    participants:
      - {role: perpetrator, ref: syrian-rebels}
      - {role: target, ref: hmeimim-air-base}
    claims:
      - {source: bloomberg, credibility: 3, paraphrase: Drones were launched at the base.}
"""


def test_events_from_mutations_and_imports_reach_subscribers(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    driver = fresh_story
    editor = create_token(driver, settings.neo4j_database, Role.EDITOR, "live-editor")
    with subscribed(settings, SUBSCRIBE, {"filter": {"types": ["flight"]}}) as (client, ws):
        # An attack first: the subscriber asked for flights only, so it must not hear of it.
        feed = tmp_path / "attack.yaml"
        feed.write_text(ATTACK)
        import_paths(driver, settings.neo4j_database, [feed], max_bytes=2**24)
        answer = client.post(
            "/graphql",
            json={
                "query": RECORD_EVENT,
                "variables": {"input": recorded_flight("live-flight", "2025-11-03")},
            },
            headers={"Authorization": f"Bearer {editor}"},
        )
        assert "errors" not in answer.json(), answer.json()
        event = next_recorded(ws)
        assert event["key"] == "live-flight"
        assert event["participants"] == [
            {"role": "operator", "entity": {"key": "russian-air-force"}}
        ]

        # An import (as from the command line) reaches the subscriber too.
        feed.write_text(
            ATTACK.replace("live-attack", "live-flight-2")
            .replace("type: attack", "type: flight")
            .replace("perpetrator", "operator")
            .replace("syrian-rebels", "russia")
            .replace("role: target, ref: hmeimim-air-base", "role: aircraft, ref: an-124-100")
        )
        import_paths(driver, settings.neo4j_database, [feed], max_bytes=2**24)
        assert next_recorded(ws)["key"] == "live-flight-2"


def test_subscriptions_need_a_reader(driver: Driver, settings: Settings) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    app = create_app(settings.model_copy(update={"anonymous_read": False}))
    with (
        TestClient(app) as client,
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        ws.receive_json()


def test_a_browser_authenticates_in_connection_init(
    fresh_story: Driver, settings: Settings
) -> None:
    """Browsers cannot put headers on a WebSocket: the token comes in `connection_init`, as the
    Apollo and graphql-ws clients send it. Without one (anonymous read off) the server closes
    with 4403 before any subscription; a reader token there cannot write over the socket."""
    import pytest
    from starlette.websockets import WebSocketDisconnect

    driver = fresh_story
    reader = create_token(driver, settings.neo4j_database, Role.READER, "ws-reader")
    editor = create_token(driver, settings.neo4j_database, Role.EDITOR, "ws-editor")
    app = create_app(settings.model_copy(update={"anonymous_read": False}))
    flight = recorded_flight("ws-flight", "2025-11-04")
    with TestClient(app) as client:
        for payload in ({}, {"Authorization": "Bearer not-a-token"}):
            with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
                ws.send_json({"type": "connection_init", "payload": payload})
                with pytest.raises(WebSocketDisconnect) as closed:
                    ws.receive_json()
                assert closed.value.code == 4403

        for token, allowed in ((reader, False), (editor, True)):
            with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
                ws.send_json(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
                assert ws.receive_json()["type"] == "connection_ack"
                ws.send_json(
                    {
                        "id": "w",
                        "type": "subscribe",
                        "payload": {"query": RECORD_EVENT, "variables": {"input": flight}},
                    }
                )
                answer = ws.receive_json()
                if allowed:
                    assert answer["type"] == "next", answer
                    assert answer["payload"]["data"] == {"recordEvent": {"key": "ws-flight"}}
                else:
                    errors = (
                        answer["payload"]["errors"]
                        if answer["type"] == "next"
                        else answer["payload"]
                    )
                    assert errors[0]["extensions"]["code"] == "FORBIDDEN", answer
        keys, _, _ = driver.execute_query(
            "MATCH (e:Event {id: 'ws-flight'}) RETURN count(e) AS n",
            database_=settings.neo4j_database,
        )
        assert keys[0]["n"] == 1


def test_a_burst_larger_than_one_poll_reaches_subscribers_whole(
    clean_graph: Driver, settings: Settings
) -> None:
    """One import gives all its events the same `updated_at`: the feed pages by (time, id), so
    a subscriber hears of every one of 1,050 (more than one poll's page), each once."""
    driver, database = clean_graph, settings.neo4j_database
    wire = ("sources", {"id": "wire", "name": "Wire", "kind": "news_outlet", "reliability": "B"})
    import_records(driver, database, [wire], "test")
    count = recent.PAGE + 50
    burst: list[tuple[str, dict[str, Any]]] = [
        (
            "events",
            {
                "id": f"burst-{number:04d}",
                "type": "flight",
                "name": f"Flight {number}",
                "time": {"start": "2025-11-03", "precision": "day"},
                "claims": [{"source": "wire", "credibility": 2, "paraphrase": "Seen."}],
            },
        )
        for number in range(count)
    ]
    with subscribed(settings, "subscription { eventRecorded { key } }") as (_, ws):
        import_records(driver, database, burst, "test")
        heard = [next_recorded(ws)["key"] for _ in range(count)]
    assert sorted(heard) == sorted(record["id"] for _, record in burst)
