"""The schema derived from the ontology: idempotent, versioned, tolerant of equivalent twins."""

import pytest
from neo4j import Driver

from eventgraph.graph.errors import Conflict
from eventgraph.graph.ontology import LABELS
from eventgraph.graph.schema import SCHEMA_VERSION, applied_version, apply_schema, schema_items
from eventgraph.graph.settings import Settings


def _names(driver: Driver, show: str) -> set[str]:
    return {record["name"] for record in driver.execute_query(f"SHOW {show} YIELD name")[0]}


def test_every_label_gets_a_unique_id_constraint() -> None:
    constrained = {item.labels[0] for item in schema_items() if item.is_constraint}
    assert constrained == {label.name for label in LABELS} | {"ApiToken"}


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
