"""The reference: the dataset's CSV tables loaded by Neo4j's own `LOAD CSV`, batched with
`CALL { … } IN TRANSACTIONS`, into the graph our importer builds (same labels, properties and
relationships; only our importer's `content_hash` bookkeeping is left out).

This is what a user would write without eventgraph: no validation at all, every value taken as
given, references looked up by id (under each label a reference may have, since the CSV does not
say which). Tables are loaded parents first (places, actors, equipment, assets, sources,
reports, relations, then each chunk's events, participants and claims); the generator only
ever refers back to records of earlier rows or files, so one pass per file is enough.
Participants' and claims' positions (their order within an event, which our importer stores)
come from grouping each file's rows by event, in file order.

Times follow `graph/timespan.py`: a day, month or year covers its first to its last
microsecond in UTC, an instant is itself, and an interval runs from the start of its start to
the end of its end; events open at either end or long get `:LongSpan` as our importer gives it
(`graph/spans.py`), since the window queries rely on it. The Cypher text is built only from
the constants below, never from data.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eventgraph.graph import model
from eventgraph.graph.spans import mark_long_span, set_relation_bounds

ROWS_PER_TRANSACTION = 10_000
_MICROSECOND = "duration({microseconds: 1})"


def _low(text: str) -> str:
    """Cypher for the first instant a partial time (2025, 2025-10, 2025-10-26, instant) covers."""
    return (
        f"CASE size({text}) "
        f"WHEN 4 THEN datetime({{year: toInteger({text}), timezone: 'Z'}}) "
        f"WHEN 7 THEN datetime({{year: toInteger(left({text}, 4)), "
        f"month: toInteger(right({text}, 2)), timezone: 'Z'}}) "
        f"WHEN 10 THEN datetime({{date: date({text}), timezone: 'Z'}}) "
        f"ELSE datetime({text}) END"
    )


def _high(text: str) -> str:
    """Cypher for the last instant a partial time covers."""
    return (
        f"CASE size({text}) "
        f"WHEN 4 THEN {_low(text)} + duration({{years: 1}}) - {_MICROSECOND} "
        f"WHEN 7 THEN {_low(text)} + duration({{months: 1}}) - {_MICROSECOND} "
        f"WHEN 10 THEN {_low(text)} + duration({{days: 1}}) - {_MICROSECOND} "
        f"ELSE datetime({text}) END"
    )


def _precision(text: str) -> str:
    return (
        f"CASE WHEN {text} IS NULL THEN null WHEN size({text}) = 4 THEN 'year' "
        f"WHEN size({text}) = 7 THEN 'month' WHEN size({text}) = 10 THEN 'day' ELSE 'exact' END"
    )


def _list(text: str) -> str:
    return f"coalesce([part IN split({text}, ';') WHERE trim(part) <> '' | trim(part)], [])"


def _entity(variable: str, reference: str, labels: tuple[str, ...]) -> str:
    """A subquery finding the node with id `reference` under any of `labels`."""
    union = " UNION ".join(
        f"MATCH ({variable}:`{label}` {{id: {reference}}}) RETURN {variable}" for label in labels
    )
    return f"CALL ({reference.split('.')[0]}) {{ {union} }}"


def _batched(body: str) -> str:
    return (
        "LOAD CSV WITH HEADERS FROM $url AS row "
        f"CALL (row) {{ {body} }} IN TRANSACTIONS OF {ROWS_PER_TRANSACTION} ROWS"
    )


_ENTITIES = ("Actor", "Asset", "EquipmentType", "Location")
_PLACES = ("Location", "Asset")
_NAMED = (
    "n.name = row.name, n.aliases = " + _list("row.aliases") + ", n.description = row.description"
)

_FROM_THE_TABLES = ("aliases", "anonymous")
"""Properties with a default that the statements below read from the CSV tables."""


def _stamps(label: str) -> str:
    """The timestamps, and the default of every property with one that the CSV tables do not
    carry (`[]`, `false`: the online import stores `model.Prop.default` for a field not given)."""
    defaults = [
        (part.name, "[]" if part.type.many else str(part.default).lower())
        for part in model.SHAPES_BY_LABEL[label].fields
        if isinstance(part, model.Prop)
        and part.default is not None
        and part.name not in _FROM_THE_TABLES
    ]
    return "n.created_at = $now, n.updated_at = $now" + "".join(
        f", n.`{name}` = {value}" for name, value in defaults
    )


LOCATIONS = _batched(
    "MERGE (n:Location {id: row.id}) "
    f"SET {_NAMED}, n.kind = row.kind, "
    "n.point = CASE WHEN row.lat IS NULL THEN null "
    "ELSE point({latitude: toFloat(row.lat), longitude: toFloat(row.lon)}) END, "
    "n.point_precision = row.point_precision, "
    f"n.point_uncertainty_km = toFloat(row.uncertainty_km), {_stamps('Location')} "
    "WITH n, row WHERE row.within IS NOT NULL "
    "MATCH (parent:Location {id: row.within}) CREATE (n)-[:WITHIN]->(parent)"
)
ACTORS = _batched(
    "MERGE (n:Actor {id: row.id}) "
    f"SET {_NAMED}, n.kind = row.kind, "
    f"n.anonymous = coalesce(toBoolean(row.anonymous), false), {_stamps('Actor')}"
)
EQUIPMENT_TYPES = _batched(
    f"MERGE (n:EquipmentType {{id: row.id}}) SET {_NAMED}, n.kind = row.kind, "
    f"{_stamps('EquipmentType')}"
)
ASSETS = _batched(
    "MERGE (n:Asset {id: row.id}) "
    f"SET {_NAMED}, n.kind = row.kind, n.registration = row.registration, {_stamps('Asset')} "
    "WITH n, row "
    "CALL (n, row) { WITH * WHERE row.located_at IS NOT NULL "
    "MATCH (place:Location {id: row.located_at}) CREATE (n)-[:LOCATED_AT]->(place) } "
    "CALL (n, row) { WITH * WHERE row.instance_of IS NOT NULL "
    "MATCH (type:EquipmentType {id: row.instance_of}) CREATE (n)-[:INSTANCE_OF]->(type) }"
)
SOURCES = _batched(
    "MERGE (n:Source {id: row.id}) "
    f"SET {_NAMED}, n.kind = row.kind, n.anonymous = coalesce(toBoolean(row.anonymous), false), "
    "n.reliability = row.reliability, n.reliability_note = row.reliability_note, "
    f"{_stamps('Source')} "
    "WITH n, row WHERE row.actor IS NOT NULL "
    "MATCH (actor:Actor {id: row.actor}) CREATE (n)-[:IS_ACTOR]->(actor)"
)
REPORTS = _batched(
    "MERGE (n:Report {id: row.id}) "
    "SET n.name = row.name, n.kind = row.kind, n.url = row.url, n.description = row.description, "
    f"n.published_start = {_low('row.published_start')}, "
    "n.published_end = CASE WHEN row.published_end IS NOT NULL "
    f"THEN {_high('row.published_end')} "
    "WHEN row.published_precision = 'interval' THEN null "
    f"ELSE {_high('row.published_start')} END, "
    "n.published_precision = row.published_precision, "
    "n.published_year_assumed = CASE WHEN row.published_precision IS NULL THEN null "
    "ELSE coalesce(toBoolean(row.published_year_assumed), false) END, "
    f"n.published_note = row.published_note, {_stamps('Report')} "
    "WITH n, row WHERE row.publisher IS NOT NULL "
    "MATCH (source:Source {id: row.publisher}) CREATE (n)-[:PUBLISHED_BY]->(source)"
)
RELATIONS = _batched(
    "MERGE (n:Relation {id: row.id}) "
    "SET n.type = row.type, n.description = row.description, "
    f"n.since = {_low('row.since')}, n.since_precision = {_precision('row.since')}, "
    f"n.until = {_high('row.until')}, n.until_precision = {_precision('row.until')}, "
    f"{_stamps('Relation')} "
    "WITH n, row "
    f"{_entity('source', 'row.from', _ENTITIES)} "
    f"{_entity('target', 'row.to', _ENTITIES)} "
    "CREATE (n)-[:FROM]->(source) CREATE (n)-[:TO]->(target) "
    f"WITH n CALL (n) {{ {set_relation_bounds('n')} }}"
)
EVENTS = _batched(
    "MERGE (n:Event {id: row.id}) "
    f"SET {_NAMED}, n.type = row.type, n.start = {_low('row.start')}, "
    "n.end = CASE WHEN row.end IS NOT NULL "
    f"THEN {_high('row.end')} WHEN row.precision = 'interval' THEN null "
    f"ELSE {_high('row.start')} END, "
    "n.time_precision = row.precision, "
    "n.year_assumed = coalesce(toBoolean(row.year_assumed), false), "
    f"n.time_note = row.time_note, n.place_precision = row.place_precision, {_stamps('Event')} "
    "WITH n, row "
    f"CALL (n) {{ {mark_long_span('n')} }} "
    f"CALL (n, row) {{ UNWIND {_list('row.at')} AS ref "
    f"{_entity('place', 'ref', _PLACES)} CREATE (n)-[:OCCURRED_AT]->(place) }} "
    "CALL (n, row) { WITH * WHERE row.origin IS NOT NULL "
    f"{_entity('place', 'row.origin', _PLACES)} CREATE (n)-[:ORIGIN]->(place) }} "
    "CALL (n, row) { WITH * WHERE row.destination IS NOT NULL "
    f"{_entity('place', 'row.destination', _PLACES)} CREATE (n)-[:DESTINATION]->(place) }} "
    f"CALL (n, row) {{ UNWIND {_list('row.part_of')} AS ref "
    "MATCH (other:Event {id: ref}) CREATE (n)-[:PART_OF]->(other) } "
    f"CALL (n, row) {{ UNWIND {_list('row.about')} AS ref "
    "MATCH (other:Event {id: ref}) CREATE (n)-[:ABOUT]->(other) } "
    f"CALL (n, row) {{ UNWIND {_list('row.ends')} AS ref "
    "MATCH (other:Event {id: ref}) CREATE (n)-[:ENDS]->(other) }"
)
PARTICIPANTS = (
    "LOAD CSV WITH HEADERS FROM $url AS row "
    "WITH row.event AS event, collect(row) AS rows "
    "CALL (event, rows) { "
    "MATCH (n:Event {id: event}) "
    "UNWIND range(0, size(rows) - 1) AS position "
    "WITH n, rows[position] AS row, position "
    f"{_entity('entity', 'row.ref', _ENTITIES)} "
    "CREATE (n)-[:INVOLVES {role: row.role, position: position}]->(entity) "
    f"}} IN TRANSACTIONS OF {ROWS_PER_TRANSACTION} ROWS"
)


def _claims(owner: str) -> str:
    return (
        "LOAD CSV WITH HEADERS FROM $url AS row "
        "WITH row.target AS target, collect(row) AS rows "
        "CALL (target, rows) { "
        f"MATCH (owner:`{owner}` {{id: target}}) "
        "UNWIND range(0, size(rows) - 1) AS position "
        "WITH owner, rows[position] AS row, position "
        "MATCH (source:Source {id: row.source}) "
        "OPTIONAL MATCH (report:Report {id: row.report}) "
        "CREATE (c:Claim {id: coalesce(row.id, target + '/claim-' + toString(position + 1))}) "
        "SET c.position = position, c.reliability = coalesce(row.reliability, source.reliability), "
        "c.reliability_given = row.reliability IS NOT NULL, c.credibility = row.credibility, "
        "c.paraphrase = row.paraphrase, c.reported_on = date(row.reported_on), "
        "c.created_at = $now "
        "CREATE (c)-[:SUPPORTS]->(owner) CREATE (c)-[:SOURCED_FROM]->(source) "
        "FOREACH (_ IN CASE WHEN report IS NULL THEN [] ELSE [1] END | "
        "CREATE (c)-[:IN_REPORT]->(report)) "
        f"}} IN TRANSACTIONS OF {ROWS_PER_TRANSACTION} ROWS"
    )


EVENT_CLAIMS = _claims("Event")
RELATION_CLAIMS = _claims("Relation")

WORLD_STEPS = (
    ("locations.csv", LOCATIONS),
    ("actors.csv", ACTORS),
    ("equipment_types.csv", EQUIPMENT_TYPES),
    ("assets.csv", ASSETS),
    ("sources.csv", SOURCES),
    ("reports.csv", REPORTS),
    ("relations.csv", RELATIONS),
    ("claims-world.csv", RELATION_CLAIMS),
)
CHUNK_STEPS = (("events", EVENTS), ("participants", PARTICIPANTS), ("claims", EVENT_CLAIMS))


@dataclass(frozen=True)
class LoadStep:
    """One LOAD CSV statement over one file."""

    file: Path
    cypher: str


def load_steps(csv_dir: Path) -> Iterator[LoadStep]:
    """The statements that load a dataset's CSV folder, in dependency order."""
    for name, cypher in WORLD_STEPS:
        yield LoadStep(csv_dir / name, cypher)
    for events_file in sorted(csv_dir.glob("events-*.csv")):
        suffix = events_file.name.removeprefix("events")
        for table, cypher in CHUNK_STEPS:
            yield LoadStep(csv_dir / f"{table}{suffix}", cypher)
