"""Nested lists come in their documented order: claims by position, related nodes by key.

`RETURN n {…} ORDER BY n.position` orders by the projected map (the column is named `n` too),
which has no `position`, so the order was whatever Neo4j found first; the benchmark's
hand-written Cypher caught it (claims of a flight came back reversed).
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from api.graphql.schema import schema
from graph.importer import import_records
from graph.settings import Settings

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
    schema.fast_path_enabled = fast
    try:
        with client:
            body = client.post("/graphql", json={"query": QUERY}).json()
    finally:
        schema.fast_path_enabled = True
    event = body["data"]["node"]
    assert [claim["credibility"] for claim in event["claims"]] == [3, 1, 2]
    assert [part["name"] for part in event["partOf"]] == ["airlift-a", "airlift-b", "airlift-c"]
