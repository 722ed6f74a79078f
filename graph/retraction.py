"""Retracting an event: out of normal queries, kept in the graph for audit (who, when, why)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from neo4j import Driver

from eventgraph.graph.errors import InvalidData, NotFound, Problem
from eventgraph.graph.model import UNCOUNTED_INVOLVES
from eventgraph.graph.ontology import RETRACTED_LABEL


def not_retracted(v: str) -> str:
    """The condition that node `v` is not retracted: the one way compiled reads leave out what
    `retractEvent` took back (`ontology.RETRACTED_LABEL`)."""
    return f"NOT {v}:`{RETRACTED_LABEL}`"


_LOCK = "retraction_lock"
"""Set and removed at once: takes the event's write lock until the transaction ends."""
RETRACTING = (
    f"CALL (e) {{ SET e.`{_LOCK}` = true REMOVE e.`{_LOCK}` }} "
    f"CALL (e) {{ WITH e WHERE {not_retracted('e')} "
    "MATCH (e)-[:INVOLVES]->(a) WITH DISTINCT a "
    f"SET a.`{UNCOUNTED_INVOLVES.name}` = coalesce(a.`{UNCOUNTED_INVOLVES.name}`, 0) + 1 }} "
)
"""Before an event `e` is labelled retracted: each of its entities counts it no more
(graph/involvement.py), once whatever its number of roles; nothing when it was retracted
already, read under the event's lock so that two retractions at once add 1, not 2."""

RETRACTION_PROPERTIES = ("retracted_at", "retracted_by", "retraction_reason")
"""Who took an event back, when and why: kept when the event is recorded again (the importer
replaces every other property), so the audit survives a re-import."""
_MARK = (
    f"SET e:{RETRACTED_LABEL}, e.retracted_at = $now, e.retracted_by = $who, "
    "e.retraction_reason = {reason} "
)
_RETRACT = (
    "MATCH (e:Event {id: $key}) "
    + RETRACTING
    + _MARK.format(reason="$reason")
    + "RETURN e.id AS id"
)
_RETRACT_MANY = (
    "UNWIND $rows AS row MATCH (e:Event {id: row.key}) USING INDEX e:Event(id) "
    f"WITH e, row, (e:{RETRACTED_LABEL} AND e.retraction_reason = row.reason) AS same "
    "CALL (e, row, same) { WITH e, row, same WHERE NOT same "
    + RETRACTING
    + _MARK.format(reason="row.reason")
    + "} RETURN e.id AS id, same"
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


@dataclass
class Retracted:
    """What `retract_events` did: events newly retracted, those already retracted for the
    same reason (left as they were), and the keys no event has."""

    retracted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def retract_events(driver: Driver, database: str, reasons: dict[str, str], who: str) -> Retracted:
    """Retract many events at once, each with its reason (a feed's deleted records); one
    retracted before for the same reason keeps its audit, so applying a list again changes
    nothing."""
    records = driver.execute_query(
        _RETRACT_MANY,
        rows=[{"key": key, "reason": reason} for key, reason in reasons.items()],
        now=datetime.now(UTC),
        who=who,
        database_=database,
    )[0]
    done = Retracted()
    for record in records:
        (done.unchanged if record["same"] else done.retracted).append(record["id"])
    found = {record["id"] for record in records}
    done.not_found = [key for key in reasons if key not in found]
    return done
