"""Fixtures against a real Neo4j: the throwaway test server `make test` starts (or this starts).

Unless NEO4J_URI is set, the tests use their own local Neo4j on port 7688 with data under
`var/test/`, never the one `make run` serves. Whatever the server, the session refuses to wipe a
database that holds data these tests did not create.

The seed story (`seeds/`) is imported once and shared: `seed_story` for tests that only read
it, `fresh_story` for a test that writes to it, `story_to_extend` for a module whose tests add
facts of their own. Whoever writes says so; the story is imported again before the next reader
(and whenever a module finds the graph changed, `tests/graph_store.py`).
"""

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from playwright.sync_api import Browser, Page, sync_playwright

from eventgraph.api.app import create_app
from eventgraph.graph import local_neo4j
from eventgraph.graph.driver import open_driver
from eventgraph.graph.schema import apply_schema
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.browsing import CHROMIUM, CHROMIUM_FLAGS, Watch
from tests.graph_store import SeedStory, claim_for_tests, wipe
from tests.helpers import served

if not os.environ.get("NEO4J_URI"):
    os.environ.setdefault("EVENTGRAPH_NEO4J_PORT", "7688")
    os.environ.setdefault("EVENTGRAPH_NEO4J_HOME", str(PROJECT_ROOT / "var" / "test" / "neo4j"))
    os.environ.setdefault("EVENTGRAPH_NEO4J_HEAP", "1g")
    os.environ.setdefault("EVENTGRAPH_NEO4J_PAGECACHE", "256m")
# The servers tests start run in one process unless a test asks for workers (`serve --workers`,
# tests/test_workers.py): the default, a worker per core, would double each one's start-up.
os.environ.setdefault("EVENTGRAPH_WORKERS", "1")


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The test server's settings (read from the environment set above)."""
    return Settings()


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[Driver]:
    """A driver to the test Neo4j, started if needed, claimed for the tests, schema applied."""
    if settings.uses_local_neo4j:
        local_neo4j.start(settings)
    with open_driver(settings) as session_driver:
        try:
            claim_for_tests(session_driver, settings.neo4j_database)
        except RuntimeError as refusal:
            pytest.exit(str(refusal), returncode=2)
        apply_schema(session_driver, settings.neo4j_database)
        yield session_driver


@pytest.fixture(scope="session")
def shared_story(driver: Driver, settings: Settings) -> SeedStory:
    """The seed story's state in the test database (use the fixtures below)."""
    return SeedStory(driver, settings.neo4j_database)


@pytest.fixture
def clean_graph(driver: Driver, settings: Settings, shared_story: SeedStory) -> Driver:
    """The test driver over an empty graph."""
    shared_story.spoil()
    wipe(driver, settings.neo4j_database)
    return driver


@pytest.fixture(scope="module")
def seed_story(driver: Driver, shared_story: SeedStory) -> Driver:
    """The test driver over the seed story, for tests that only read it."""
    shared_story.ensure()
    return driver


@pytest.fixture(autouse=True)
def _seed_story_as_imported(request: pytest.FixtureRequest) -> None:
    """Before each reader of `seed_story`: import it again if a test wrote to it since."""
    if "seed_story" in request.fixturenames:
        shared_story: SeedStory = request.getfixturevalue("shared_story")
        shared_story.ensure(verify=False)


@pytest.fixture
def fresh_story(driver: Driver, shared_story: SeedStory) -> Iterator[Driver]:
    """The test driver over the seed story, for one test that writes to it."""
    shared_story.ensure()
    yield driver
    shared_story.spoil()


@pytest.fixture(scope="module")
def story_to_extend(driver: Driver, shared_story: SeedStory) -> Iterator[Driver]:
    """The test driver over the seed story, for a module whose tests add to it as they go."""
    shared_story.ensure()
    yield driver
    shared_story.spoil()


@pytest.fixture(scope="module")
def story_client(seed_story: Driver, settings: Settings) -> Iterator[TestClient]:
    """A client of the app over the seed story, anonymous read on."""
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        yield client


# The browser tests' servers and Chromium (tests/test_graphiql_browser.py, tests/test_webapp_browser.py).


@pytest.fixture(scope="module")
def open_server(story_to_extend: Driver, settings: Settings) -> Iterator[str]:
    """The API as `make run` serves it: anonymous read on."""
    with served(create_app(settings.model_copy(update={"anonymous_read": True}))) as base:
        yield base


@pytest.fixture(scope="module")
def closed_server(story_to_extend: Driver, settings: Settings) -> Iterator[str]:
    """The API with anonymous read off: reads need a reader token."""
    with served(create_app(settings.model_copy(update={"anonymous_read": False}))) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: run `make test-setup`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    """A fresh page (its own context: no storage shared) and what it did that it should not."""
    context = browser.new_context()
    opened = context.new_page()
    watch = Watch()
    watch.attach(opened)
    yield opened, watch
    context.close()
