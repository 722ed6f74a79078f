"""The API shell against the test Neo4j: health, readiness, GraphQL and GraphiQL."""

from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from graph import __version__
from graph.settings import Settings


def test_health_ready_and_graphql_version(driver: Driver, settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["neo4j"].startswith(("5.26.", "20"))
        answer = client.post("/graphql", json={"query": "{ version }"})
        assert answer.json() == {"data": {"version": __version__}}


def test_graphiql_opens_in_a_browser(driver: Driver, settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "GraphiQL" in page.text
    assert "events(filter: {types: [flight]}, first: 10)" in page.text  # opens on an example
