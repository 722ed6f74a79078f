"""Messages a user acts on: each says what is wrong once, in plain words, with no traceback."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import PYDANTIC_PHRASES, run_cli


@pytest.mark.parametrize("fast", [True, False])
def test_a_bad_node_id_is_named_once(clean_graph: Driver, settings: Settings, fast: bool) -> None:
    anonymous = settings.model_copy(update={"anonymous_read": True})
    with TestClient(create_app(anonymous, graphql_fast_path=fast)) as client:
        body = client.post("/graphql", json={"query": '{ node(id: "garbage") { id } }'}).json()
    message = body["errors"][0]["message"]
    assert message.startswith("id: 'garbage' is not a node id"), message
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_token_messages_use_the_right_article(clean_graph: Driver, settings: Settings) -> None:
    reader = create_token(clean_graph, settings.neo4j_database, Role.READER, "article-test")
    mutation = {"query": 'mutation { retractEvent(key: "x", reason: "y") { key } }'}
    with TestClient(create_app(settings)) as client:
        without = client.post("/cypher", json={"query": "RETURN 1"})
        assert without.status_code == 401
        assert "this needs a reader token" in without.text
        refused = client.post(
            "/graphql", json=mutation, headers={"Authorization": f"Bearer {reader}"}
        )
    messages = [error["message"] for error in refused.json()["errors"]]
    assert any("needs an editor" in message for message in messages), messages
    assert not any("a editor" in message for message in messages), messages


@pytest.mark.parametrize(
    ("name", "reason"),
    [("missing.cypher", "no such file or folder"), ("", "is a folder, not a file")],
    ids=["missing", "folder"],
)
def test_cypher_file_that_cannot_be_read(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name if name else tmp_path
    result = run_cli("cypher", "--file", str(path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: --file {path}: {reason}"


def test_writing_where_no_folder_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "schema.graphql"
    result = run_cli("graphql-schema", str(target))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {target}: no such file or folder"
    assert "bug" not in result.stderr


def test_a_bad_setting_is_named_in_words() -> None:
    result = run_cli(
        "neo4j",
        "status",
        env={"EVENTGRAPH_NEO4J_PORT": "abc", "EVENTGRAPH_ANONYMOUS_READ": "maybe"},
    )
    assert result.returncode == 2
    message = result.stderr
    assert "EVENTGRAPH_NEO4J_PORT: must be a whole number, not 'abc'" in message
    assert "EVENTGRAPH_ANONYMOUS_READ: must be true or false, not 'maybe'" in message
    assert "bug" not in message and "Input should" not in message


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--since", "garbage"], "error: --since: 'garbage' is not a time"),
        (["--format", "xml"], "error: --format must be one of yaml, json, "),
    ],
)
def test_export_usage_mistakes(arguments: list[str], said: str) -> None:
    result = run_cli("export", *arguments)
    assert result.returncode == 2
    assert result.stderr.startswith(said), result.stderr


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"query": 5}, "query"),
        ({}, "query"),
        ({"query": "RETURN 1", "parameters": []}, "parameters"),
    ],
    ids=["query-not-text", "no-query", "parameters-not-a-map"],
)
def test_a_bad_cypher_body_is_told_in_our_words(
    clean_graph: Driver, settings: Settings, body: dict[str, object], named: str
) -> None:
    anonymous = settings.model_copy(update={"anonymous_read": True})
    with TestClient(create_app(anonymous)) as client:
        answer = client.post("/cypher", json=body)
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert f"{named}:" in message, message
    assert not any(phrase in message for phrase in PYDANTIC_PHRASES), message
