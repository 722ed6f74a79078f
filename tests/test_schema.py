"""The schema derived from the ontology: idempotent, versioned, tolerant of equivalent twins."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from neo4j import Driver

from eventgraph.graph.errors import Conflict
from eventgraph.graph.ontology import EXTERNAL_ID_LABEL, LABELS, MERGE_LABEL
from eventgraph.graph.schema import (
    SCHEMA_NODE_LABEL,
    SCHEMA_VERSION,
    SchemaReport,
    applied_version,
    apply_schema,
    schema_items,
)
from eventgraph.graph.settings import Settings


def _names(driver: Driver, show: str) -> set[str]:
    return {record["name"] for record in driver.execute_query(f"SHOW {show} YIELD name")[0]}


def test_every_label_gets_a_unique_id_constraint() -> None:
    constrained = {item.labels[0] for item in schema_items() if item.is_constraint}
    assert constrained == {label.name for label in LABELS} | {
        "ApiToken",
        "EventGraphSchema",
        EXTERNAL_ID_LABEL,
        MERGE_LABEL,
    }


def test_apply_twice_creates_nothing_the_second_time(driver: Driver, settings: Settings) -> None:
    apply_schema(driver, settings.neo4j_database)
    again = apply_schema(driver, settings.neo4j_database)
    assert again.created == []
    assert len(again.present) == len(schema_items())
    constraints = _names(driver, "CONSTRAINTS")
    indexes = _names(driver, "INDEXES")
    for item in schema_items():
        assert item.name in (constraints if item.is_constraint else indexes)
    assert applied_version(driver, settings.neo4j_database) == SCHEMA_VERSION


def test_unique_id_is_enforced(clean_graph: Driver) -> None:
    clean_graph.execute_query("CREATE (:Actor {id: 'russia'})")
    with pytest.raises(Exception, match="already exists"):
        clean_graph.execute_query("CREATE (:Actor {id: 'russia'})")


def test_an_equivalent_constraint_under_another_name_counts_as_present(
    driver: Driver, settings: Settings
) -> None:
    driver.execute_query("DROP CONSTRAINT source_id_unique")
    driver.execute_query("CREATE CONSTRAINT their_source_id FOR (s:Source) REQUIRE s.id IS UNIQUE")
    try:
        report = apply_schema(driver, settings.neo4j_database)
        assert "their_source_id" in report.present
        assert report.created == []
    finally:
        driver.execute_query("DROP CONSTRAINT their_source_id")
        apply_schema(driver, settings.neo4j_database)


def test_a_plain_index_blocking_a_constraint_is_named(driver: Driver, settings: Settings) -> None:
    driver.execute_query("DROP CONSTRAINT report_id_unique")
    driver.execute_query("CREATE INDEX their_report_id FOR (r:Report) ON (r.id)")
    try:
        with pytest.raises(Conflict, match="their_report_id"):
            apply_schema(driver, settings.neo4j_database)
    finally:
        driver.execute_query("DROP INDEX their_report_id")
        apply_schema(driver, settings.neo4j_database)


def test_an_index_of_ours_that_the_ontology_outgrew_is_rebuilt(
    driver: Driver, settings: Settings
) -> None:
    driver.execute_query("DROP INDEX entity_names")
    driver.execute_query("CREATE FULLTEXT INDEX entity_names FOR (n:Actor) ON EACH [n.name]")
    report = apply_schema(driver, settings.neo4j_database)
    assert report.replaced == ["entity_names"]
    rows = driver.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes WHERE name = 'entity_names'"
    )[0]
    assert "EquipmentType" in rows[0]["labelsOrTypes"]


def _drop_the_schema(driver: Driver) -> None:
    """Leave the database as a new one is: no constraints, no indexes of ours, no record."""
    for row in driver.execute_query("SHOW CONSTRAINTS YIELD name")[0]:
        driver.execute_query(f"DROP CONSTRAINT `{row['name']}`")
    for row in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")[0]:
        driver.execute_query(f"DROP INDEX `{row['name']}`")
    driver.execute_query(f"MATCH (s:{SCHEMA_NODE_LABEL}) DELETE s")


APPLIERS = 8


def test_schema_applied_at_once_by_many_imports_succeeds_once(
    clean_graph: Driver, settings: Settings
) -> None:
    """Imports started together into a new database all apply the schema first: none fails on
    a rule another one created a moment before, and they leave one schema record, not one each."""
    _drop_the_schema(clean_graph)
    start = threading.Barrier(APPLIERS)

    def apply() -> SchemaReport:
        start.wait()
        return apply_schema(clean_graph, settings.neo4j_database)

    with ThreadPoolExecutor(APPLIERS) as pool:
        reports = list(pool.map(lambda _: apply(), range(APPLIERS)))
    assert all(len(r.created) + len(r.present) == len(schema_items()) for r in reports)
    constraints, indexes = _names(clean_graph, "CONSTRAINTS"), _names(clean_graph, "INDEXES")
    for item in schema_items():
        assert item.name in (constraints if item.is_constraint else indexes)
    records = clean_graph.execute_query(
        f"MATCH (s:{SCHEMA_NODE_LABEL}) RETURN s.version AS version"
    )[0]
    assert [record["version"] for record in records] == [SCHEMA_VERSION]
    assert apply_schema(clean_graph, settings.neo4j_database).created == []


def test_a_schema_record_written_twice_before_is_made_one(
    driver: Driver, settings: Settings
) -> None:
    driver.execute_query("DROP CONSTRAINT eventgraphschema_id_unique")
    driver.execute_query(f"CREATE (:{SCHEMA_NODE_LABEL} {{id: 'schema', version: 1}})")
    report = apply_schema(driver, settings.neo4j_database)
    assert report.created == ["eventgraphschema_id_unique"]
    records = driver.execute_query(f"MATCH (s:{SCHEMA_NODE_LABEL}) RETURN s.version AS version")[0]
    assert [record["version"] for record in records] == [SCHEMA_VERSION]
