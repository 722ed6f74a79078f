"""Fixtures against a real Neo4j: the throwaway test server `make test` starts (or this starts).

Unless NEO4J_URI is set, the tests use their own local Neo4j on port 7688 with data under
`var/test/`, never the one `make run` serves. Whatever the server, the session refuses to wipe a
database that holds data these tests did not create.
"""

import os
from collections.abc import Iterator

import pytest
from neo4j import Driver

from eventgraph.graph import local_neo4j
from eventgraph.graph.driver import open_driver
from eventgraph.graph.schema import SCHEMA_NODE_LABEL, apply_schema
from eventgraph.graph.settings import PROJECT_ROOT, Settings

if not os.environ.get("NEO4J_URI"):
    os.environ.setdefault("EVENTGRAPH_NEO4J_PORT", "7688")
    os.environ.setdefault("EVENTGRAPH_NEO4J_HOME", str(PROJECT_ROOT / "var" / "test" / "neo4j"))
    os.environ.setdefault("EVENTGRAPH_NEO4J_HEAP", "1g")
    os.environ.setdefault("EVENTGRAPH_NEO4J_PAGECACHE", "256m")

TEST_MARKER_LABEL = "EventGraphTestDatabase"
"""Marks a database as created by the tests, so they may wipe it."""

_KEEP = f"n:{TEST_MARKER_LABEL} OR n:{SCHEMA_NODE_LABEL}"


def claim_for_tests(driver: Driver, database: str) -> None:
    """Mark the database as the tests' own, or stop if it holds data the tests did not create."""
    records = driver.execute_query(
        f"OPTIONAL MATCH (m:{TEST_MARKER_LABEL}) WITH count(m) AS marked "
        f"OPTIONAL MATCH (n) WHERE NOT ({_KEEP}) RETURN marked, count(n) AS foreign",
        database_=database,
    )[0]
    marked, foreign = records[0]["marked"], records[0]["foreign"]
    if not marked and foreign:
        raise RuntimeError(
            f"Refusing to run the tests: database '{database}' holds {foreign} nodes the tests did "
            "not create. Point the tests at an empty or throwaway Neo4j."
        )
    driver.execute_query(f"MERGE (:{TEST_MARKER_LABEL} {{id: 'tests'}})", database_=database)


def wipe(driver: Driver, database: str) -> None:
    """Delete everything but the test marker and the schema record."""
    with driver.session(database=database) as session:  # batches: a big graph fits no one tx
        session.run(
            f"MATCH (n) WHERE NOT ({_KEEP}) "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


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


@pytest.fixture
def clean_graph(driver: Driver, settings: Settings) -> Driver:
    """The test driver over an empty graph."""
    wipe(driver, settings.neo4j_database)
    return driver
