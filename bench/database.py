"""The benchmark's database: emptied between runs (never someone else's), and counted.

Emptying deletes in batches (`CALL { … } IN TRANSACTIONS`), relationships first, because one
transaction deleting a million-event graph, or a batch of nodes that holds a hub with all its
relationships, would need more heap than the server has. It refuses a database that holds
data and is not marked as the benchmark's (or the tests') own, as the tests do.
"""

from dataclasses import dataclass

from neo4j import Driver

from eventgraph.graph.ontology import EDGE_TYPES, LABELS
from eventgraph.graph.schema import SCHEMA_NODE_LABEL, apply_schema

BENCHMARK_MARKER = "EventGraphBenchmark"
"""Marks a database as the benchmark's: it may be emptied."""
_TEST_MARKER = "EventGraphTestDatabase"
_KEEP = f"n:{BENCHMARK_MARKER} OR n:{_TEST_MARKER}"
_DELETE_BATCH = 20_000


@dataclass(frozen=True)
class GraphCounts:
    """Nodes per label and relationships per type, bookkeeping nodes left out."""

    nodes: dict[str, int]
    relationships: dict[str, int]

    @property
    def events(self) -> int:
        return self.nodes.get("Event", 0)


def empty_database(driver: Driver, database: str) -> None:
    """Delete every node (keeping the markers), then apply our schema."""
    rows = driver.execute_query(
        f"OPTIONAL MATCH (m) WHERE m:{BENCHMARK_MARKER} OR m:{_TEST_MARKER} "
        "WITH count(m) AS marked "
        f"OPTIONAL MATCH (n) WHERE NOT (n:{BENCHMARK_MARKER} OR n:{_TEST_MARKER} "
        f"OR n:{SCHEMA_NODE_LABEL}) "
        "RETURN marked, count(n) AS nodes",
        database_=database,
    )[0]
    if not rows[0]["marked"] and rows[0]["nodes"]:
        raise RuntimeError(
            f"Refusing to empty database '{database}': it holds {rows[0]['nodes']} nodes and is "
            "not the benchmark's. Point the benchmark at its own Neo4j (EVENTGRAPH_NEO4J_HOME)."
        )
    mark_database(driver, database)
    with driver.session(database=database) as session:
        # Relationships first: deleting a hub node with its 100 000 relationships in one go
        # would outgrow the transaction memory, whatever the batch of nodes.
        session.run(
            f"MATCH ()-[r]->() CALL (r) {{ DELETE r }} IN TRANSACTIONS OF {_DELETE_BATCH} ROWS"
        ).consume()
        session.run(
            f"MATCH (n) WHERE NOT ({_KEEP}) "
            f"CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {_DELETE_BATCH} ROWS"
        ).consume()
    apply_schema(driver, database)


def mark_database(driver: Driver, database: str) -> None:
    """Mark the database as the benchmark's (it may then be emptied)."""
    driver.execute_query(f"MERGE (:{BENCHMARK_MARKER} {{id: 'benchmark'}})", database_=database)


def unmark_database(driver: Driver, database: str) -> None:
    """Drop the mark of an emptied database, so that it holds no node at all: `import --bulk`
    loads only such a database (and replaces the store, the mark with it)."""
    driver.execute_query(f"MATCH (m:{BENCHMARK_MARKER}) DELETE m", database_=database)


def graph_counts(driver: Driver, database: str) -> GraphCounts:
    """How many nodes of each ontology label and relationships of each type the graph holds."""
    nodes = {}
    for label in LABELS:
        query = f"MATCH (n:`{label.name}`) RETURN count(n) AS n"
        nodes[label.name] = driver.execute_query(query, database_=database)[0][0]["n"]
    relationships = {}
    for edge in EDGE_TYPES:
        query = f"MATCH ()-[r:`{edge.name}`]->() RETURN count(r) AS n"
        relationships[edge.name] = driver.execute_query(query, database_=database)[0][0]["n"]
    return GraphCounts(
        {label: n for label, n in nodes.items() if n},
        {edge: n for edge, n in relationships.items() if n},
    )


BOOKKEEPING_PROPERTIES = frozenset({"content_hash", "created_at", "updated_at"})
"""Properties that say when and how a node was written, not what it holds."""


def graph_content(driver: Driver, database: str) -> tuple[dict[str, object], list[object]]:
    """Every node (by label and id, properties without bookkeeping) and every relationship
    (type, ends, properties), to compare two imports of the same data."""
    nodes: dict[str, object] = {}
    for label in LABELS:
        rows = driver.execute_query(
            f"MATCH (n:`{label.name}`) RETURN n.id AS id, labels(n) AS labels, "
            "properties(n) AS properties",
            database_=database,
        )[0]
        for row in rows:
            properties = {
                key: value
                for key, value in row["properties"].items()
                if key not in BOOKKEEPING_PROPERTIES
            }
            nodes[f"{label.name}:{row['id']}"] = (sorted(row["labels"]), properties)
    rows = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, "
        "properties(r) AS properties",
        database_=database,
    )[0]
    relationships = sorted(
        (row["type"], row["a"], row["b"], sorted(row["properties"].items())) for row in rows
    )
    return nodes, list(relationships)
