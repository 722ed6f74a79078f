"""GraphiQL at /graphql and Swagger UI at /docs in a real headless Chromium (Debian's, driven by
Playwright), against the real server over the test Neo4j with the seed story: the pages load
from this machine alone (every other request is aborted and counted), log no JavaScript error,
and answer the example query, a query sent with a typed token and a subscription."""

import contextlib
import json
from typing import Any

import httpx
import pytest
from neo4j import Driver
from playwright.sync_api import Page, expect

from eventgraph.api import graphiql, static
from eventgraph.api.graphiql import EXAMPLE_QUERY
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.browsing import Watch
from tests.helpers import RECORD_EVENT, recorded_flight

DAY = "2025-11-05"

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADER_EDITOR = ".graphiql-editor-tool .CodeMirror >> visible=true"  # the Headers tab is open
RESULT = ".result-window .CodeMirror"

FLIGHT_NAMES = {
    "An-124 flight to Latakia airport (1 of 3)",
    "An-124 flight to Latakia airport (2 of 3)",
    "An-124 flight to Latakia airport (3 of 3, the last)",
    "Il-62M trip Libya - Latakia - Moscow Oblast",
}


@pytest.fixture(autouse=True, scope="module")
def _ui_installed() -> None:
    assert not static.missing(tuple(static.ASSETS)), "the UI files are missing: run `make setup`"


def _editor_text(page: Page, selector: str) -> str:
    """All the text of a CodeMirror editor (the screen holds only the lines in view)."""
    return str(page.locator(selector).evaluate("editor => editor.CodeMirror.getValue()"))


def _open_graphiql(page: Page, base: str) -> None:
    page.goto(f"{base}/graphql")
    page.wait_for_selector(QUERY_EDITOR, timeout=20_000)
    assert _editor_text(page, QUERY_EDITOR) == EXAMPLE_QUERY


def _result(page: Page, contains: str, timeout: float = 20_000) -> Any:
    """The result pane's JSON, once it holds `contains` (and shows it on screen)."""
    expect(page.locator(RESULT)).to_contain_text(contains, timeout=timeout)
    return json.loads(_editor_text(page, RESULT))


def _ask(base: str, query: str, token: str | None = None, **variables: object) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables}
    return httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=30).json()


def test_graphiql_runs_the_example_offline(open_server: str, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    _open_graphiql(browser_page, open_server)
    browser_page.click(".graphiql-execute-button")
    shown = _result(browser_page, '"totalCount": 6')
    assert shown == _ask(open_server, EXAMPLE_QUERY)  # what the API itself answers
    names = {node["name"] for node in shown["data"]["events"]["nodes"]}
    assert names >= FLIGHT_NAMES
    assert watch.outside == []
    assert watch.errors == []


def test_an_example_that_looks_like_script_stays_text(
    open_server: str, page: tuple[Page, Watch], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug that left the page blank: backticks in the example ended a script's string."""
    hostile = "# `Authorization` ${window.pwned = 1} </script><script>window.pwned = 2</script> <!--\n{ version }\n"
    monkeypatch.setattr(graphiql, "EXAMPLE_QUERY", hostile)
    browser_page, watch = page
    browser_page.goto(f"{open_server}/graphql")
    browser_page.wait_for_selector(QUERY_EDITOR, timeout=20_000)
    assert _editor_text(browser_page, QUERY_EDITOR) == hostile
    assert browser_page.evaluate("window.pwned") is None
    assert watch.outside == []
    assert watch.errors == []


def test_graphiql_sends_the_typed_token_and_subscribes_with_it(
    closed_server: str, story_to_extend: Driver, settings: Settings, page: tuple[Page, Watch]
) -> None:
    browser_page, watch = page
    reader = create_token(story_to_extend, settings.neo4j_database, Role.READER, "graphiql-reader")
    editor = create_token(story_to_extend, settings.neo4j_database, Role.EDITOR, "graphiql-editor")
    _open_graphiql(browser_page, closed_server)

    # Without a token the example is refused (and GraphiQL's schema fetch was, too).
    browser_page.keyboard.press("Control+Enter")
    assert _result(browser_page, "UNAUTHENTICATED")["errors"]
    refused = [e for e in watch.errors if "401" in e]
    assert refused and refused == watch.errors  # only the browser's notes of the 401 answers
    watch.errors.clear()

    browser_page.click(HEADER_EDITOR)
    browser_page.keyboard.type(f'{{"Authorization": "Bearer {reader}"}}')
    assert json.loads(_editor_text(browser_page, HEADER_EDITOR)) == {
        "Authorization": f"Bearer {reader}"
    }
    browser_page.click(".graphiql-execute-button")
    shown = _result(browser_page, '"totalCount"')
    assert shown == _ask(closed_server, EXAMPLE_QUERY, reader)
    assert {node["name"] for node in shown["data"]["events"]["nodes"]} >= FLIGHT_NAMES

    # A subscription goes over graphql-transport-ws, the typed token in `connection_init`.
    browser_page.click(QUERY_EDITOR)
    browser_page.keyboard.press("Control+A")
    browser_page.keyboard.press("Delete")
    subscription = "subscription { eventRecorded { key name } }"
    browser_page.keyboard.type(subscription)
    assert _editor_text(browser_page, QUERY_EDITOR) == subscription
    browser_page.click(".graphiql-execute-button")
    expect(browser_page.locator(".graphiql-execute-button")).to_have_attribute(
        "aria-label", "Stop query (Ctrl-Enter)", timeout=10_000
    )
    # The server starts listening a moment after that: record flights until one is heard.
    keys = [f"graphiql-flight-{attempt}" for attempt in range(5)]
    heard: Any = None
    try:
        for key in keys:
            recorded = _ask(closed_server, RECORD_EVENT, editor, input=recorded_flight(key, DAY))
            assert "errors" not in recorded, recorded
            with contextlib.suppress(AssertionError):
                heard = _result(browser_page, key, timeout=4_000)
                break
        assert heard == {"data": {"eventRecorded": {"key": key, "name": f"Flight {key}"}}}
    finally:
        story_to_extend.execute_query(
            "MATCH (e:Event) WHERE e.id IN $keys "
            "OPTIONAL MATCH (c:Claim)-[:SUPPORTS]->(e) DETACH DELETE c, e",
            keys=keys,
            database_=settings.neo4j_database,
        )
    init = next(frame for frame in watch.socket_frames if '"connection_init"' in frame)
    assert json.loads(init)["payload"] == {"Authorization": f"Bearer {reader}"}
    assert watch.outside == []
    assert watch.errors == []


def test_swagger_ui_shows_the_operations_offline(
    open_server: str, page: tuple[Page, Watch]
) -> None:
    browser_page, watch = page
    browser_page.goto(f"{open_server}/docs")
    operations = browser_page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible(timeout=20_000)
    paths = set(operations.all_inner_texts())
    assert {"/cypher", "/ready", "/health"} <= {p.replace("\u200b", "") for p in paths}
    assert watch.outside == []
    assert watch.errors == []
