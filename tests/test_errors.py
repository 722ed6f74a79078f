"""One error tree, one table: every error has a row, the kinds a user tells apart have codes of
their own, and GraphQL, `/cypher` and the command line answer the same error alike."""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

import eventgraph.api
import eventgraph.graph
from eventgraph.api.app import create_app
from eventgraph.api.errordocs import (
    GRAPHQL_DOC,
    README,
    errors_markdown,
    exit_codes_markdown,
    generated_graphql_doc,
)
from eventgraph.api.errors import (
    ERRORS,
    EXIT_MEANINGS,
    GRAPHQL_REQUEST_ERRORS,
    Exit,
    Forbidden,
    RequestRefused,
    Unauthenticated,
)
from eventgraph.api.graphql.cost import TOO_COMPLEX
from eventgraph.graph import errors as graph_errors
from eventgraph.graph.errors import (
    Conflict,
    EventGraphError,
    InvalidData,
    NotFound,
    QueryTimedOut,
    Refused,
    Unavailable,
)
from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from eventgraph.graph.tokens import Role, create_token
from tests.graph_store import wipe
from tests.helpers import free_port, run_cli

NOT_USER_FACING = {"Nonconforming", "TimeError", "ContainerError", "GradingError", "_TooLarge"}
"""Exceptions of ours that never reach a user: the fast path's signal to leave a row to the
standard path; the time parser's and the feed archives', which their callers turn into a
`Problem`; a feed grading's (a `ValueError` the command line reports as a usage error); and the
import writer's signal that Neo4j refused a transaction for memory (told as `Refused`)."""

TOLD_APART = (InvalidData, NotFound, Conflict, Unauthenticated, Forbidden, QueryTimedOut,
              Unavailable, Refused)  # fmt: skip
"""The kinds a client or a script must be able to tell apart by code alone."""


def _our_modules() -> Iterator[Any]:
    for package in (eventgraph.graph, eventgraph.api):
        yield package
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield importlib.import_module(module.name)


def _subclasses(kind: type[EventGraphError]) -> Iterator[type[EventGraphError]]:
    """The product's subclasses (the benchmarks' own errors, bench/, are not the API's)."""
    for child in kind.__subclasses__():
        if child.__module__.startswith("eventgraph."):
            yield child
        yield from _subclasses(child)


def test_every_error_of_the_tree_has_a_row_and_every_error_is_in_the_tree() -> None:
    defined = {
        value
        for module in _our_modules()
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__
    }
    outside = {kind.__name__ for kind in defined if not issubclass(kind, EventGraphError)}
    assert outside == NOT_USER_FACING
    assert {EventGraphError, *_subclasses(EventGraphError)} == set(ERRORS)
    tree = inspect.getdoc(graph_errors)
    assert tree is not None
    for kind in ERRORS:
        assert f" {kind.__name__} " in tree, f"graph/errors.py's tree does not draw {kind}"


def test_the_kinds_a_user_tells_apart_have_codes_of_their_own() -> None:
    answers = [ERRORS[kind] for kind in TOLD_APART]
    for column in ("graphql", "http", "exit"):
        values = [getattr(answer, column) for answer in answers]
        assert len(set(values)) == len(values), (column, values)
    routes = [answer.route for answer in answers if answer.route is not None]
    assert len(set(routes)) == len(routes), routes
    assert ERRORS[RequestRefused].graphql == ERRORS[Refused].graphql  # both "refused"
    assert set(EXIT_MEANINGS) == set(Exit)
    assert TOO_COMPLEX in GRAPHQL_REQUEST_ERRORS


def test_the_docs_show_the_table() -> None:
    current = GRAPHQL_DOC.read_text(encoding="utf-8")
    assert generated_graphql_doc(current) == current, (
        "docs/graphql.md is out of date: run `.venv/bin/python -m eventgraph.api.errordocs`"
    )
    assert errors_markdown() in current
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert exit_codes_markdown() in readme, f"README.md should say: {exit_codes_markdown()}"


# ---- the same error, answered alike everywhere ----------------------------------------------


@pytest.fixture(scope="module")
def editor(driver: Driver, settings: Settings) -> Iterator[tuple[TestClient, str]]:
    """The seed story, an app on it and an editor's token."""
    wipe(driver, settings.neo4j_database)
    import_paths(driver, settings.neo4j_database, [PROJECT_ROOT / "seeds"], max_bytes=2**24)
    token = create_token(driver, settings.neo4j_database, Role.EDITOR, "errors-editor")
    with TestClient(create_app(settings)) as client:
        yield client, token


def _mutate(client: TestClient, token: str, query: str, variables: dict[str, Any]) -> str:
    """The code of the one error the mutation answers."""
    body = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert len(body["errors"]) == 1, body
    return str(body["errors"][0]["extensions"]["code"])


RECORD = "mutation($e: EventInput!) { recordEvent(input: $e) { key } }"


def _event(key: str, claim: str) -> dict[str, Any]:
    return {
        "key": key,
        "type": "flight",
        "name": f"Flight {key}",
        "time": {"start": "2025-11-02", "precision": "day"},
        "claims": [
            {"key": claim, "source": "flightradar24", "credibility": 2, "paraphrase": "Seen."}
        ],
    }


def test_not_found_is_told_alike_by_graphql_and_the_cli(editor: tuple[TestClient, str]) -> None:
    client, token = editor
    retract = 'mutation { retractEvent(key: "errors-no-such-event", reason: "gone") { key } }'
    assert _mutate(client, token, retract, {}) == "NOT_FOUND" == ERRORS[NotFound].graphql
    exported = run_cli("export", "--entity", "errors-no-such-node")
    assert exported.returncode == Exit.NOT_FOUND == ERRORS[NotFound].exit, exported.stderr
    assert "no node with id 'errors-no-such-node'" in exported.stderr


def test_a_conflict_is_told_alike_by_graphql_and_the_cli(
    editor: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, token = editor
    first = client.post(
        "/graphql",
        json={"query": RECORD, "variables": {"e": _event("errors-first", "errors-claim")}},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "errors" not in first, first
    taken = {"e": _event("errors-second", "errors-claim")}  # another event's claim id
    assert _mutate(client, token, RECORD, taken) == "CONFLICT" == ERRORS[Conflict].graphql
    document = tmp_path / "conflict.yaml"
    document.write_text(
        "eventgraph: 1\nevents:\n  - id: errors-third\n    name: Flight three\n"
        "    type: flight\n    time: {start: 2025-11-02, precision: day}\n"
        "    claims: [{id: errors-claim, source: flightradar24, credibility: '2', "
        "paraphrase: Seen.}]\n"
    )
    imported = run_cli("import", str(document))
    assert imported.returncode == Exit.CONFLICT == ERRORS[Conflict].exit, imported.stderr
    assert "the graph refused the import" in imported.stderr


def test_unavailable_is_told_alike_by_graphql_cypher_and_the_cli() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    away = Settings(neo4j_uri=uri, neo4j_password=SecretStr("x"), anonymous_read=True)
    with TestClient(create_app(away)) as client:
        graphql = client.post("/graphql", json={"query": "{ events { totalCount } }"}).json()
        cypher = client.post("/cypher", json={"query": "RETURN 1"})
    assert graphql["errors"][0]["extensions"]["code"] == ERRORS[Unavailable].graphql
    assert cypher.status_code == 503 == ERRORS[Unavailable].http
    assert cypher.json()["error"]["code"] == ERRORS[Unavailable].route
    cli = run_cli("cypher", "RETURN 1", env={"NEO4J_URI": uri})
    assert cli.returncode == Exit.UNAVAILABLE == ERRORS[Unavailable].exit, cli.stderr


def test_a_missing_token_is_told_alike_by_graphql_and_cypher(
    editor: tuple[TestClient, str],
) -> None:
    client, _ = editor
    graphql = client.post("/graphql", json={"query": "{ events { totalCount } }"})
    cypher = client.post("/cypher", json={"query": "RETURN 1"})
    for answer in (graphql, cypher):
        assert answer.status_code == 401 == ERRORS[Unauthenticated].http
        assert answer.headers["www-authenticate"] == "Bearer"
    assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert cypher.json()["error"]["code"] == ERRORS[Unauthenticated].route
    assert "this needs a reader token" in cypher.json()["error"]["message"]
