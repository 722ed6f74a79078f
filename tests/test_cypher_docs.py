"""docs/cypher.md stays true: its schema is the live database's, its cookbook answers as it says.

Expected results are read from the document itself, never copied into this file.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import Driver

from eventgraph.graph.importer import import_paths
from eventgraph.graph.power import run_read_query
from eventgraph.graph.power.values import text_of
from eventgraph.graph.settings import PROJECT_ROOT, Settings

CYPHER_DOC = (PROJECT_ROOT / "docs" / "cypher.md").read_text(encoding="utf-8")

# ---- reading the document ------------------------------------------------------------------

_ENTRY = re.compile(
    r"<!-- cookbook: (?P<name>[\w-]+) -->\n```cypher\n(?P<query>.*?)\n```\n\n"
    r"Returns (?P<count>\d+) rows?:\n\n(?P<table>(?:\|[^\n]*\n)+)",
    re.DOTALL,
)


@dataclass(frozen=True)
class CookbookEntry:
    name: str
    query: str
    columns: list[str]
    rows: list[list[str]]
    count: int


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def cookbook() -> list[CookbookEntry]:
    entries = []
    for match in _ENTRY.finditer(CYPHER_DOC):
        header, _rule, *rows = match.group("table").strip().splitlines()
        entries.append(
            CookbookEntry(
                match.group("name"),
                match.group("query"),
                _cells(header),
                [_cells(row) for row in rows],
                int(match.group("count")),
            )
        )
    return entries


def doc_table(heading: str) -> list[list[str]]:
    """The rows of the first table after a heading line of docs/cypher.md."""
    after = CYPHER_DOC.split(f"\n{heading}\n", 1)[1]
    lines = after.split("\n|", 1)[1].split("\n\n", 1)[0]
    return [_cells("|" + line) for line in lines.splitlines()[2:]]


def _names(cell: str) -> tuple[str, ...]:
    return tuple(name.strip().strip("`") for name in cell.split(",") if name.strip())


# ---- the cookbook ---------------------------------------------------------------------------


def test_the_cookbook_has_at_least_fifteen_distinct_questions() -> None:
    entries = cookbook()
    assert len(entries) >= 15
    assert len({entry.name for entry in entries}) == len(entries)
    assert CYPHER_DOC.count("<!-- cookbook:") == len(entries), "an entry lacks its result table"
    for entry in entries:
        assert entry.count == len(entry.rows), f"{entry.name}: says {entry.count} rows"


@pytest.mark.parametrize("entry", cookbook(), ids=lambda entry: entry.name)
def test_every_cookbook_query_answers_what_the_doc_says(
    seed_story: Driver, settings: Settings, entry: CookbookEntry
) -> None:
    result = run_read_query(seed_story, settings, entry.query)
    assert result.columns == entry.columns
    assert [[text_of(value) for value in row] for row in result.rows] == entry.rows
    assert result.truncated is False


RETRACTED_STORY = """
eventgraph: 1
events:
  - id: doc-test-retracted-flight
    name: Retracted flight (doc test)
    aliases: [Ruslan run]
    type: flight
    time: {start: 2025-10-25, precision: day}
    destination: latakia-airport
    participants:
      - {role: operator, ref: russia}
      - {role: aircraft, ref: an-124-100}
    part_of: [hmeimim-2025-airlift]
    ends: [hmeimim-2025-flight-hiatus]
    claims:
      - {source: src-analysts, credibility: "4", paraphrase: Another An-124 flight.}
  - id: doc-test-retracted-statement
    name: Retracted statement (doc test)
    type: statement
    time: {start: 2025-10-28, precision: day}
    participants:
      - {role: speaker, ref: russia}
      - {role: addressee, ref: turkey}
      - {role: subject, ref: syria-state}
      - {role: subject, ref: syrian-rebels}
    about: [hmeimim-2025-airlift]
    claims:
      - {source: bloomberg, credibility: "3", paraphrase: A word to Ankara.,
         quote: "A made-up quote for the doc test, said on a Wednesday."}
      - {source: src-analysts, credibility: "4", paraphrase: Read as a word to Ankara.}
"""
"""Two events built to show up in every cookbook answer that reaches events, then retracted."""

NO_EVENTS = {
    "operator-of-an-asset",
    "claims-about-an-event",
    "independent-origins",
    "place-chain",
    "relations-of-an-actor",
    "full-text-index",
    "external-id",
}
"""Entries the two events cannot reach: relations, places, the index, one event's own claims."""


def test_the_cookbook_leaves_retracted_events_out(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    from eventgraph.graph.retraction import retract_event

    extra = tmp_path / "retracted.yaml"
    extra.write_text(RETRACTED_STORY, encoding="utf-8")
    import_paths(fresh_story, settings.neo4j_database, [extra], max_bytes=2**20)

    def answers() -> dict[str, list[list[str]]]:
        return {
            entry.name: [
                [text_of(value) for value in row]
                for row in run_read_query(fresh_story, settings, entry.query).rows
            ]
            for entry in cookbook()
        }

    before = answers()
    reached = {entry.name for entry in cookbook() if before[entry.name] != entry.rows}
    assert reached == {entry.name for entry in cookbook()} - NO_EVENTS
    for key in ("doc-test-retracted-flight", "doc-test-retracted-statement"):
        retract_event(fresh_story, settings.neo4j_database, key, "Doc test: taken back.", "tester")
    assert answers() == {entry.name: entry.rows for entry in cookbook()}


# ---- the schema -----------------------------------------------------------------------------


def _constraint_type(raw: str) -> str:
    # 5.26 says UNIQUENESS; calendar releases say NODE_PROPERTY_UNIQUENESS.
    return "UNIQUENESS" if "UNIQUENESS" in raw else raw


def test_constraints_and_indexes_are_what_the_database_shows(driver: Driver) -> None:
    documented = {
        (row[0].strip("`"), row[1], _names(row[2]), _names(row[3]))
        for row in doc_table("### Constraints and indexes")
    }
    constraints = driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties"
    )[0]
    indexes = driver.execute_query(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint "
        "WHERE type <> 'LOOKUP' AND owningConstraint IS NULL"
    )[0]
    live = {
        (
            row["name"],
            _constraint_type(row["type"]),
            tuple(row["labelsOrTypes"]),
            tuple(row["properties"]),
        )
        for row in [*constraints, *indexes]
    }
    assert documented == live


NEO4J_TYPE_NAMES = {
    "STRING": "String",
    "LIST<STRING>": "StringArray",
    "BOOLEAN": "Boolean",
    "INTEGER": "Long",
    "FLOAT": "Double",
    "ZONED DATETIME": "DateTime",
    "DATE": "Date",
    "POINT": "Point",
}

STIX = (
    'stix_created: "2025-10-30T09:00:00.000Z", stix_modified: "2025-10-30T09:00:00.000Z", '
    "stix_markings: [marking-definition--f88d31f6-486f-44da-b317-01333bde0b82]"
)
FEED = f"feed: doc-test, feed_id: doc-1, {STIX}"
EVERY_OPTIONAL_PROPERTY = f"""
eventgraph: 1
actors:
  - {{id: doc-test-actor, name: Actor (doc test), kind: organisation, {FEED},
     cameo_actor_code: RUSMIL, country_code: RUS, cameo_type_codes: [MIL],
     cameo_other_codes: [ORT], acled_inter: "1", plover_sector: Military,
     plover_sectors: [Military], wikipedia_id: Q1}}
equipment_types:
  - {{id: doc-test-an-124, name: An-124 (doc test), kind: aircraft_type, {FEED}}}
assets:
  - {{id: doc-test-airframe, name: Airframe (doc test), kind: aircraft,
     instance_of: doc-test-an-124, registration: RA-82000, icao24: 15205a, {FEED}}}
locations:
  - {{id: doc-test-airport, name: Airport (doc test), kind: airport, {FEED}}}
sources:
  - {{id: doc-test-source, name: Source (doc test), kind: news_outlet, description: A test.,
     reliability: C, {FEED}}}
reports:
  - {{id: doc-test-report, name: Report (doc test), kind: article, publisher: doc-test-source,
     url: "https://example.org/report", published: {{start: 2025-10-30, precision: day}},
     {FEED}}}
events:
  - id: doc-test-event
    name: A three-hour event (doc test)
    type: flight
    time: {{start: 2025-10-30, precision: day}}
    duration: {{amount: 3, unit: hour}}
    feed: doc-test
    feed_id: doc-1
    stix_created: "2025-10-30T09:00:00.000Z"
    stix_modified: "2025-10-30T09:00:00.000Z"
    stix_markings: [marking-definition--f88d31f6-486f-44da-b317-01333bde0b82]
    track_first_seen: "2025-10-30T10:00:00Z"
    track_first_lat: 55.9
    track_first_lon: 38.1
    track_last_seen: "2025-10-30T13:00:00Z"
    track_last_lat: 35.4
    track_last_lon: 35.9
    track_points: 120
    track_max_altitude_ft: 35000
    origin_distance_km: 0.5
    destination_distance_km: 1.5
    cameo_code: "0874"
    cameo_base_code: "087"
    cameo_root_code: "08"
    quad_class: 2
    goldstein_scale: 10.0
    num_mentions: 4
    num_sources: 2
    num_articles: 4
    avg_tone: -1.5
    is_root_event: true
    disorder_type: Political violence
    acled_event_type: Battles
    acled_sub_event_type: Armed clash
    acled_interaction: "12"
    fatalities: 0
    civilian_targeting: false
    acled_tags: [crowd size=no report]
    acled_timestamp: 1761523200
    plover_event_type: ASSAULT
    plover_mode: aerial
    plover_contexts: [military]
    plover_intensity: -8.0
    plover_quad_code: "4"
    claims: [{{source: doc-test-source, credibility: "3", paraphrase: A short flight.}}]
relations:
  - id: doc-test-relation
    type: operates
    from: russia
    to: doc-test-airframe
    since: 2020
    until: 2024-06
    feed: doc-test
    feed_id: doc-1
    stix_created: "2025-10-30T09:00:00.000Z"
    stix_modified: "2025-10-30T09:00:00.000Z"
    stix_markings: [marking-definition--f88d31f6-486f-44da-b317-01333bde0b82]
    claims:
      - {{source: doc-test-source, report: doc-test-report, credibility: "3",
         reliability: D, reported_on: 2025-10-30, paraphrase: A claim with every field.,
         quote: "A made-up quote.", grading_note: Graded for the doc test.}}
"""


def test_node_and_relationship_properties_are_what_the_database_holds(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    extra = tmp_path / "every-optional-property.yaml"
    extra.write_text(EVERY_OPTIONAL_PROPERTY, encoding="utf-8")
    import_paths(fresh_story, settings.neo4j_database, [extra], max_bytes=2**20)

    sections = re.findall(
        r"#### `(\w+)`\n\n.*?\n\n((?:\|.*\n)+)",
        CYPHER_DOC.split("### Node labels and their properties")[1],
    )
    documented = {
        (label, row[0].strip("`"), NEO4J_TYPE_NAMES[row[1]])
        for label, table in sections
        for row in (_cells(line) for line in table.strip().splitlines()[2:])
    }
    documented_labels = {label for label, _ in sections}
    live = {
        (record["label"], record["property"], kind)
        for record in fresh_story.execute_query(
            "CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes "
            "WHERE size(nodeLabels) = 1 AND propertyName IS NOT NULL "
            "RETURN nodeLabels[0] AS label, propertyName AS property, propertyTypes AS kinds"
        )[0]
        if record["label"] in documented_labels
        for kind in record["kinds"]
    }
    assert documented == live

    edges = {
        row[0].strip("`"): {tuple(part.split(" ", 1)) for part in row[3].split(", ") if part != "—"}
        for row in doc_table("### Relationship types")
    }
    live_edges: dict[str, set[tuple[str, str]]] = {name: set() for name in edges}
    for record in fresh_story.execute_query(
        "CALL db.schema.relTypeProperties() YIELD relType, propertyName, propertyTypes "
        "WHERE propertyName IS NOT NULL RETURN relType, propertyName, propertyTypes"
    )[0]:
        name = record["relType"].strip(":`")
        for kind in record["propertyTypes"]:
            type_name = next(k for k, v in NEO4J_TYPE_NAMES.items() if v == kind)
            live_edges.setdefault(name, set()).add((f"`{record['propertyName']}`", type_name))
    assert edges == live_edges
