"""A wrong NEO4J_URI or password: commands fail fast naming the URI (never the password)."""

from fastapi.testclient import TestClient
from pydantic import SecretStr

from eventgraph.api.app import create_app
from eventgraph.api.errors import Exit
from eventgraph.graph.settings import Settings
from tests.helpers import free_port, run_cli

WRONG_PASSWORD = "not-the-password-4711"


def test_unreachable_uri_fails_fast_with_the_uri_and_advice() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = run_cli("schema", "apply", env={"NEO4J_URI": uri, "NEO4J_PASSWORD": WRONG_PASSWORD})
    assert result.returncode == Exit.UNAVAILABLE
    assert f"Neo4j does not answer at {uri} (connection refused)" in result.stderr
    assert "Check NEO4J_URI" in result.stderr
    assert WRONG_PASSWORD not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_password_is_named_as_such_without_echoing_it(settings: Settings) -> None:
    result = run_cli(
        "schema",
        "apply",
        env={"NEO4J_URI": settings.bolt_uri, "NEO4J_PASSWORD": WRONG_PASSWORD},
    )
    assert result.returncode == Exit.USAGE  # a setting to fix, not a server to wait for
    assert f"Neo4j at {settings.bolt_uri} refused user 'neo4j'" in result.stderr
    assert "NEO4J_PASSWORD" in result.stderr
    assert WRONG_PASSWORD not in result.stdout + result.stderr


def test_status_of_an_unreachable_neo4j_says_down_with_exit_3() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = run_cli("neo4j", "status", env={"NEO4J_URI": uri})
    assert result.returncode == Exit.UNAVAILABLE
    assert f"uri:     {uri}" in result.stdout
    assert "status:  down" in result.stdout


def test_api_serves_while_neo4j_is_unreachable_and_ready_says_why() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    settings = Settings(neo4j_uri=uri, neo4j_password=SecretStr(WRONG_PASSWORD))
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "unavailable"
        assert uri in body["reason"]
        assert WRONG_PASSWORD not in ready.text
