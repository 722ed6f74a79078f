"""The API shell against the test Neo4j: health, readiness, GraphQL and GraphiQL."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api import static
from eventgraph.api.app import create_app
from eventgraph.graph import __version__
from eventgraph.graph.settings import Settings


def test_health_ready_and_graphql_version(driver: Driver, settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["neo4j"].startswith(("5.26.", "20"))
        answer = client.post("/graphql", json={"query": "{ version }"})
        assert answer.json() == {"data": {"version": __version__}}


def test_graphiql_and_docs_say_how_to_install_their_files_when_missing(
    driver: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without `npm ci` (no Node), the pages say what to run instead of staying blank."""
    gone = {name: tmp_path / "not-installed" / name for name in static.ASSETS}
    monkeypatch.setattr(static, "ASSETS", gone)
    with TestClient(create_app(settings)) as client:
        for path in ("/graphql", "/docs"):
            page = client.get(path, headers={"Accept": "text/html"})
            assert page.status_code == 503
            assert "make setup" in page.text and "Node.js 20+" in page.text
            assert "<script" not in page.text
        assert client.get("/static/graphiql.js").status_code == 404


def test_static_serves_only_the_named_ui_files(driver: Driver, settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        script = client.get("/static/graphiql.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert client.get("/static/swagger-ui.css").headers["content-type"].startswith("text/css")
        for path in ("/static/package.json", "/static/..%2Fpackage.json", "/static/react/umd"):
            assert client.get(path).status_code == 404, path
        assert client.get("/redoc").status_code == 404  # it would load its script from a CDN
