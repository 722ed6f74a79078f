"""Nested lists come in their documented order: claims by position, related events in time
order (`graph.projection.time_order`), other related nodes by key.

`RETURN n {…} ORDER BY n.position` orders by the projected map (the column is named `n` too),
which has no `position`, so the order was whatever Neo4j found first; the benchmark's
hand-written Cypher caught it (claims of a flight came back reversed).
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.importer import import_records
from eventgraph.graph.settings import Settings
from tests.helpers import graphql_path

QUERY = """{
  node(id: "Event:flight") {
    ... on Event { claims { credibility } partOf { name } }
  }
}"""


def _claim(credibility: int) -> dict[str, Any]:
    return {"source": "wire", "credibility": credibility, "paraphrase": "Seen."}


def _airlift(key: str) -> tuple[str, dict[str, Any]]:
    time = {"start": "2025-10", "precision": "month"}
    record = {"id": key, "type": "airlift", "name": key, "time": time, "claims": [_claim(2)]}
    return "events", record


@pytest.fixture
def client(clean_graph: Driver, settings: Settings) -> TestClient:
    # Written in an order that is neither the expected one nor its reverse.
    flight = {
        "id": "flight",
        "type": "flight",
        "name": "A flight",
        "time": {"start": "2025-10-24", "precision": "day"},
        "part_of": ["airlift-b", "airlift-a", "airlift-c"],
        "claims": [_claim(3), _claim(1), _claim(2)],
    }
    records = [
        ("sources", {"id": "wire", "name": "Wire", "kind": "news_outlet", "reliability": "B"}),
        _airlift("airlift-a"),
        _airlift("airlift-b"),
        _airlift("airlift-c"),
        ("events", flight),
    ]
    import_records(clean_graph, settings.neo4j_database, records, "test")
    return TestClient(create_app(settings.model_copy(update={"anonymous_read": True})))


@pytest.mark.parametrize("fast", [True, False])
def test_claims_by_position_and_related_nodes_by_key(client: TestClient, fast: bool) -> None:
    with graphql_path(client, fast), client:
        body = client.post("/graphql", json={"query": QUERY}).json()
    event = body["data"]["node"]
    assert [claim["credibility"] for claim in event["claims"]] == [3, 1, 2]
    assert [part["name"] for part in event["partOf"]] == ["airlift-a", "airlift-b", "airlift-c"]


def _ask_both(client: TestClient, query: str) -> dict[str, Any]:
    """The answer, the same on both GraphQL paths."""
    answers = []
    for fast in (True, False):
        with graphql_path(client, fast), client:
            body = client.post("/graphql", json={"query": query}).json()
        assert "errors" not in body, body
        answers.append(body["data"])
    assert answers[0] == answers[1]
    return answers[0]  # type: ignore[no-any-return]


def _event(key: str, time: dict[str, Any], **links: list[str]) -> tuple[str, dict[str, Any]]:
    record = {"id": key, "type": "flight", "name": key, "time": time, "claims": [_claim(2)]}
    return "events", {**record, **links}


def test_nested_events_come_in_time_order(clean_graph: Driver, settings: Settings) -> None:
    """Open start first (it may be the earliest), then by start; on equal starts by end, an
    open end last; then by key. Written in an order that sorts neither by key nor by time."""
    children = [
        _event("c-later", {"start": "2025-10-12", "precision": "day"}, part_of=["operation"]),
        _event(
            "c-open-end", {"start": "2025-10-10", "precision": "interval"}, part_of=["operation"]
        ),
        _event("c-tie-b", {"start": "2025-10-10", "precision": "day"}, part_of=["operation"]),
        _event(
            "c-open-start", {"end": "2025-10-20", "precision": "interval"}, part_of=["operation"]
        ),
        _event("c-tie-a", {"start": "2025-10-10", "precision": "day"}, part_of=["operation"]),
        _event(
            "c-longer",
            {"start": "2025-10-10", "end": "2025-10-11", "precision": "interval"},
            part_of=["operation"],
        ),
    ]
    records = [
        ("sources", {"id": "wire", "name": "Wire", "kind": "news_outlet", "reliability": "B"}),
        _event("operation", {"start": "2025-10", "precision": "month"}),
        *children,
    ]
    import_records(clean_graph, settings.neo4j_database, records, "test")
    client = TestClient(create_app(settings.model_copy(update={"anonymous_read": True})))
    data = _ask_both(client, '{ node(id: "Event:operation") { ... on Event { parts { key } } } }')
    assert [part["key"] for part in data["node"]["parts"]] == [
        "c-open-start",
        "c-tie-a",
        "c-tie-b",
        "c-longer",
        "c-open-end",
        "c-later",
    ]


def test_the_airlift_lists_its_parts_in_time_order(seed_story: Driver, settings: Settings) -> None:
    client = TestClient(create_app(settings.model_copy(update={"anonymous_read": True})))
    query = '{ node(id: "Event:hmeimim-2025-airlift") { ... on Event { parts { key } } } }'
    parts = [part["key"] for part in _ask_both(client, query)["node"]["parts"]]
    assert parts == [
        "hmeimim-2025-an124-flight-1",  # 24–27 Oct, all three: by key
        "hmeimim-2025-an124-flight-2",
        "hmeimim-2025-an124-flight-3",
        "hmeimim-2025-il62m-leg-libya-latakia",  # 26 Oct, known to the day: ends first
        "hmeimim-2025-il62m-leg-latakia-moscow-oblast",  # 26–31 Oct: by key
        "hmeimim-2025-il62m-trip",
    ]
