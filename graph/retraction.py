"""Retracting an event: out of normal queries, kept in the graph for audit (who, when, why)."""

from datetime import UTC, datetime

from neo4j import Driver

from eventgraph.graph.errors import InvalidData, NotFound, Problem
from eventgraph.graph.ontology import RETRACTED_LABEL

RETRACTION_PROPERTIES = ("retracted_at", "retracted_by", "retraction_reason")
"""Who took an event back, when and why: kept when the event is recorded again (the importer
replaces every other property), so the audit survives a re-import."""
_RETRACT = (
    f"MATCH (e:Event {{id: $key}}) SET e:{RETRACTED_LABEL}, e.retracted_at = $now, "
    "e.retracted_by = $who, e.retraction_reason = $reason RETURN e.id AS id"
)


def retract_event(driver: Driver, database: str, key: str, reason: str, who: str) -> datetime:
    """Mark the event retracted and return when; retracting again updates the reason."""
    if not reason.strip():
        raise InvalidData([Problem("retractEvent", "reason", "is required: say why")])
    now = datetime.now(UTC)
    records = driver.execute_query(
        _RETRACT, key=key, now=now, who=who, reason=reason, database_=database
    )[0]
    if not records:
        raise NotFound(f"no event with key '{key}'")
    return now
