"""The test database: claimed by the tests before they wipe it, wiped between tests, and the seed
story imported into it once and shared for as long as it stays as imported."""

import hashlib

from neo4j import Driver

from eventgraph.graph.importer import import_paths
from eventgraph.graph.schema import SCHEMA_NODE_LABEL
from eventgraph.graph.settings import PROJECT_ROOT
from eventgraph.graph.tokens import TOKEN_LABEL

TEST_MARKER_LABEL = "EventGraphTestDatabase"
"""Marks a database as created by the tests, so they may wipe it."""

SEEDS = PROJECT_ROOT / "seeds"

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


_COUNTS = (
    "CALL () { MATCH (n) RETURN count(n) AS nodes } "
    f"CALL () {{ MATCH (t:{TOKEN_LABEL}) RETURN count(t) AS tokens }} "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
    "RETURN nodes - tokens AS nodes, relationships"
)
_NODES = (
    f"MATCH (n) WHERE NOT n:{TOKEN_LABEL} "
    "RETURN labels(n) AS labels, properties(n) AS props, elementId(n) AS node"
)
_EDGES = (
    "MATCH (a)-[r]->(b) "
    "RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b"
)


def fingerprint(driver: Driver, database: str) -> str:
    """A digest of the graph's nodes, relationships and properties. API tokens are left out: the
    tests create them over a graph they only read, and using a token marks it used."""
    counts = driver.execute_query(_COUNTS, database_=database)[0][0]
    nodes = driver.execute_query(_NODES, database_=database)[0]
    edges = driver.execute_query(_EDGES, database_=database)[0]
    rows = sorted(repr(_canonical(record.data())) for record in [*nodes, *edges])
    digest = hashlib.sha256("\n".join(rows).encode())
    return f"{counts['nodes']}/{counts['relationships']}/{digest.hexdigest()}"


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return sorted((key, _canonical(item)) for key, item in value.items())
    return value


def same_size(driver: Driver, database: str, known: str) -> bool:
    """Whether the graph still has the node and relationship counts of the `known` fingerprint
    (two count-store reads: cheap however big the graph is)."""
    counts = driver.execute_query(_COUNTS, database_=database)[0][0]
    return known.startswith(f"{counts['nodes']}/{counts['relationships']}/")


class SeedStory:
    """The seed story in the test database, imported again only when the graph is no longer
    as this import left it: a test that wrote to it said so (`spoil`), or it changed unseen
    (another module wrote, wiped or imported), which `ensure` finds out by its fingerprint."""

    def __init__(self, driver: Driver, database: str) -> None:
        self.driver, self.database = driver, database
        self._imported: str | None = None
        """The graph's fingerprint right after the import, while it is believed unchanged."""

    def ensure(self, *, verify: bool = True) -> None:
        """Make the graph hold the seed story as imported; `verify=False` trusts that nothing
        wrote to it since the last check unless told (`spoil`)."""
        if self._imported is not None and (not verify or self._unchanged(self._imported)):
            return
        wipe(self.driver, self.database)
        import_paths(self.driver, self.database, [SEEDS], max_bytes=2**24)
        self._imported = fingerprint(self.driver, self.database)

    def spoil(self) -> None:
        """Note that the graph was written to: the next `ensure` imports anew."""
        self._imported = None

    def _unchanged(self, known: str) -> bool:
        if not same_size(self.driver, self.database, known):
            return False
        return fingerprint(self.driver, self.database) == known
