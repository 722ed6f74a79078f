"""Malformed arguments get a client error naming what is wrong, on both GraphQL paths: a
variable of the wrong type, an enum value that does not exist, a point off the globe, a cursor
eventgraph never gave. Never INTERNAL_SERVER_ERROR. Production mode keeps graphql-core's
"Did you mean …" hints (field, argument, type and enum names) to itself."""

import base64
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings
from tests.graph_store import wipe
from tests.helpers import graphql_path


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


COUNT = "query($n: Int) { events(first: $n) { totalCount } }"
FILTERED = "query($f: EventFilter) { events(filter: $f) { totalCount } }"
AFTER = "query($c: String) { events(after: $c) { totalCount } }"
BEFORE = "query($c: String) { events(before: $c, last: 2) { totalCount } }"
BOTH = "query($c: String) { events(before: $c, first: 3, last: 2) { totalCount } }"
TIMELINE_BOTH = '{ timeline(entity: "Actor:x", first: 3, last: 2) { totalCount } }'


def _near(latitude: float, longitude: float, km: float) -> dict[str, Any]:
    return {"f": {"near": {"latitude": latitude, "longitude": longitude, "km": km}}}


BAD = [
    # (document, variables, code, what the message says)
    (COUNT, {"n": "ten"}, "BAD_USER_INPUT", "Variable '$n' has invalid value"),
    (COUNT, {"n": 2.5}, "BAD_USER_INPUT", "Variable '$n' has invalid value"),
    (FILTERED, {"f": {"types": ["NOPE"]}}, "BAD_USER_INPUT", "'NOPE' does not exist"),
    (FILTERED, {"f": {"sourcing": "SOME"}}, "BAD_USER_INPUT", "'SOME' does not exist"),
    (FILTERED, _near(91, 0, 5), "BAD_USER_INPUT", "latitude: must be between -90 and 90"),
    (FILTERED, _near(-90.5, 0, 5), "BAD_USER_INPUT", "latitude: must be between -90 and 90"),
    (FILTERED, _near(0, 181, 5), "BAD_USER_INPUT", "longitude: must be between -180 and 180"),
    (FILTERED, _near(0, 0, -1), "BAD_USER_INPUT", "km: must be 0 or more"),
    (AFTER, {"c": _cursor("o:-5")}, "BAD_USER_INPUT", "after: '"),
    (AFTER, {"c": _cursor("o:99999999999999999999")}, "BAD_USER_INPUT", "is not a cursor"),
    (AFTER, {"c": _cursor("x:3")}, "BAD_USER_INPUT", "is not a cursor"),
    (AFTER, {"c": "not base64 at all!"}, "BAD_USER_INPUT", "is not a cursor"),
    (BEFORE, {"c": _cursor("o:-1")}, "BAD_USER_INPUT", "before: '"),
    (
        "{ events(filter: {near: {latitude: 100, longitude: 0, km: 1}}) { totalCount } }",
        None,
        "BAD_USER_INPUT",
        "filter.near: latitude",
    ),
    ("{ events(first: 501) { totalCount } }", None, "BAD_USER_INPUT", "first: must be between"),
    ("{ events(last: 2) { totalCount } }", None, "BAD_USER_INPUT", "last: needs `before`"),
    (
        '{ timeline(entity: "Actor:x", last: 2) { totalCount } }',
        None,
        "BAD_USER_INPUT",
        "needs `before`",
    ),
    (BOTH, {"c": _cursor("o:5")}, "BAD_USER_INPUT", "last: give `first` or `last`, not both"),
    (TIMELINE_BOTH, None, "BAD_USER_INPUT", "give `first` or `last`, not both"),
]


@pytest.fixture(scope="module")
def client(driver: Driver, settings: Settings) -> Iterator[TestClient]:
    wipe(driver, settings.neo4j_database)
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        yield client


@pytest.fixture(scope="module")
def production(driver: Driver, settings: Settings) -> Iterator[TestClient]:
    app_settings = settings.model_copy(update={"anonymous_read": True, "production": True})
    with TestClient(create_app(app_settings)) as client:
        yield client


def _errors(client: TestClient, query: str, variables: Any, fast: bool) -> list[dict[str, Any]]:
    with graphql_path(client, fast):
        response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "standard"])
@pytest.mark.parametrize(("query", "variables", "code", "says"), BAD)
def test_malformed_arguments_are_the_clients_error(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: Any,
    code: str,
    says: str,
    fast: bool,
) -> None:
    with caplog.at_level(logging.ERROR, logger="eventgraph"):
        errors = _errors(client, query, variables, fast)
    assert [error["extensions"]["code"] for error in errors] == [code], errors
    assert says in errors[0]["message"]
    assert not [r for r in caplog.records if r.name.startswith("eventgraph")], "masked, logged"


def test_a_before_cursor_ahead_of_after_is_an_empty_page(client: TestClient) -> None:
    query = (
        f'{{ events(after: "{_cursor("o:9")}", before: "{_cursor("o:2")}") '
        "{ totalCount nodes { id } } }"
    )
    for fast in (True, False):
        with graphql_path(client, fast):
            body = client.post("/graphql", json={"query": query}).json()
        assert body == {"data": {"events": {"totalCount": 0, "nodes": []}}}


TYPOS = [
    ("{ event { totalCount } }", "Cannot query field 'event' on type 'Query'."),
    ("{ events(fist: 3) { totalCount } }", "Unknown argument 'fist' on field 'Query.events'."),
    ("{ events(orderBy: START_AS) { totalCount } }", "Value 'START_AS' does not exist"),
    ("query($f: EventFiltr) { events(filter: $f) { totalCount } }", "Unknown type 'EventFiltr'."),
    ("{ events { totalCont } }", "Cannot query field 'totalCont' on type 'EventConnection'."),
]


@pytest.mark.parametrize(("query", "says"), TYPOS)
def test_production_mode_suggests_no_names(
    client: TestClient, production: TestClient, query: str, says: str
) -> None:
    # Outside production the hint is there, which is what makes this test mean something.
    assert "Did you mean" in _errors(client, query, None, fast=True)[0]["message"]
    for fast in (True, False):
        errors = _errors(production, query, None, fast)
        assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert says in errors[0]["message"]
        assert "Did you mean" not in " ".join(error["message"] for error in errors)


def test_production_mode_suggests_no_enum_values_in_variables(production: TestClient) -> None:
    errors = _errors(production, FILTERED, {"f": {"types": ["FLIGT"]}}, fast=False)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'FLIGT' does not exist in 'EventType' enum." in errors[0]["message"]
    assert "Did you mean" not in errors[0]["message"]
