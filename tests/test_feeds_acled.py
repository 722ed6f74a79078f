"""ACLED events and its deleted-events list imported into the real Neo4j: counts, keys, types,
time and place precision, grading, re-imports, an updated export, deletions as retractions,
and bad input refused naming file, row and field."""

import csv
import io
import re
from pathlib import Path

import pytest
from neo4j import Driver

from eventgraph.graph.errors import InvalidData
from eventgraph.graph.feeds import acled
from eventgraph.graph.importer.bulk import bulk_files_for_paths
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.feed_imports import (
    changed_sample,
    graph_rows,
    import_feed,
    refused_naming,
)
from tests.helpers import graph_checksum, run_cli

SAMPLES = Path(__file__).parent / "feeds"
EVENTS = SAMPLES / "acled-syria-2025-10.csv"
DELETED = SAMPLES / "acled-deleted.csv"

ACLED_EVENTS = """
MATCH (e:Event {feed: 'acled'})
OPTIONAL MATCH (e)-[:OCCURRED_AT]->(p:Location)
RETURN e.feed_id AS feed_id, e.id AS id, e.type AS type, e.acled_sub_event_type AS sub,
       e.time_precision AS time, toString(e.start) AS start, toString(e.end) AS end,
       e.place_precision AS geo, p.id AS place, e.fatalities AS fatalities,
       e.civilian_targeting AS civilians, e.acled_tags AS tags, e.disorder_type AS disorder,
       COUNT { (e)-[:INVOLVES]->(:Actor) } AS actors
ORDER BY e.feed_id
"""
HMEIMIM = "acled:place/syria/lattakia/jableh/ain-elsharqiyeh/hmeimim"


def _table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


def _write(path: Path, table: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    return path


def test_rows_become_events_with_types_precision_actors_places_and_grading(
    clean_graph: Driver, settings: Settings
) -> None:
    created = import_feed(clean_graph, settings, EVENTS).outcome.created
    assert created["Event"] == 6
    # Hmeimim is one place for its two events; Latakia named down to admin3 and Latakia
    # named by its province only (a geo_precision 3 row) are two, as ACLED names them.
    assert created["Location"] == 5
    assert created["Actor"] == 8, "Russia's forces are one actor for three events"
    assert (created["Source"], created["Report"]) == (1, 1)
    events = {row["feed_id"]: row for row in graph_rows(clean_graph, ACLED_EVENTS)}
    assert {key: (row["type"], row["sub"]) for key, row in events.items()} == {
        "SYR1001": ("attack", "Air/drone strike"),
        "SYR1002": ("attack", "Armed clash"),
        "SYR1003": ("attack", "Attack"),
        "SYR1004": ("deployment", "Headquarters or base established"),
        "SYR1005": ("signal", "Peaceful protest"),
        "SYR1006": (acled.GENERIC_TYPE, "Other"),  # kept, with the generic type
    }
    drone = events["SYR1001"]
    assert drone["id"] == "acled:SYR1001" and drone["place"] == HMEIMIM
    assert (drone["time"], drone["start"], drone["end"]) == (
        "interval",
        "2025-10-23T00:00:00Z",
        "2025-10-29T23:59:59.999999Z",
    ), "time_precision 2: the week around the date, never a day"
    assert (drone["fatalities"], drone["civilians"], drone["actors"]) == (0, False, 2)
    month = events["SYR1002"]
    assert (month["time"], month["start"]) == ("month", "2025-10-01T00:00:00Z")
    assert events["SYR1003"]["time"] == "day" and events["SYR1003"]["civilians"] is True
    assert events["SYR1003"]["actors"] == 4, "associated actors take part too"
    assert {key: row["geo"] for key, row in events.items()} == {
        "SYR1001": "city",
        "SYR1002": "province",
        "SYR1003": "district",
        "SYR1004": "city",
        "SYR1005": "city",
        "SYR1006": "province",
    }
    assert events["SYR1004"]["place"] == HMEIMIM
    assert events["SYR1005"]["tags"] == ["crowd size=around 200"]
    assert events["SYR1001"]["disorder"] == "Political violence"
    [claim] = graph_rows(
        clean_graph,
        """MATCH (c:Claim)-[:SUPPORTS]->(:Event {id: 'acled:SYR1001'})
        MATCH (c)-[:SOURCED_FROM]->(s) MATCH (c)-[:IN_REPORT]->(r)
        RETURN s.id AS source, s.reliability AS reliability, c.credibility AS credibility,
               c.paraphrase AS paraphrase, c.grading_note AS note, r.id AS report""",
    )
    assert (claim["source"], claim["reliability"] + claim["credibility"]) == ("feed-acled", "B2")
    assert claim["report"] == "report-acled-dataset"
    assert claim["paraphrase"].startswith("During the week of 26 October 2025, drones")
    assert "Example Observatory; Example Daily" in claim["note"]
    [russia] = graph_rows(
        clean_graph,
        """MATCH (a:Actor {feed: 'acled', name: 'Military Forces of Russia (2000-)'})
        RETURN a.acled_inter AS inter, a.kind AS kind, COUNT { (a)<-[:INVOLVES]-() } AS n""",
    )
    assert russia == {"inter": "8", "kind": "group", "n": 3}


def test_every_sub_event_type_of_the_codebook_maps_to_one_of_our_types() -> None:
    from eventgraph.graph.ontology import EVENT_TYPES_BY_NAME

    assert len(acled.EVENT_TYPES) == 25
    assert set(acled.EVENT_TYPES.values()) <= set(EVENT_TYPES_BY_NAME)


def test_re_importing_changes_nothing_and_an_update_changes_only_its_event(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import_feed(clean_graph, settings, EVENTS)
    before = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, EVENTS)
    assert graph_checksum(clean_graph) == before
    assert not again.outcome.created and not again.outcome.updated
    table = _table(EVENTS)
    header = table[0]
    table[2][header.index("fatalities")] = "6"
    table[2][header.index("timestamp")] = "1761868800"
    updated = import_feed(clean_graph, settings, _write(tmp_path / EVENTS.name, table))
    assert dict(updated.outcome.updated) == {"Event": 1}
    assert not updated.outcome.created
    [row] = graph_rows(
        clean_graph,
        "MATCH (e:Event {id: 'acled:SYR1002'}) RETURN e.fatalities AS f, e.acled_timestamp AS t",
    )
    assert row == {"f": 6, "t": 1761868800}


def test_the_deleted_list_retracts_its_events_and_reports_the_ones_not_in_the_graph(
    clean_graph: Driver, settings: Settings
) -> None:
    import_feed(clean_graph, settings, EVENTS)
    summary = import_feed(clean_graph, settings, DELETED)
    assert summary.retracted.retracted == ["acled:SYR1004"]
    assert summary.retracted.not_found == ["acled:SYR9999"]
    [row] = graph_rows(
        clean_graph,
        """MATCH (e:Event {id: 'acled:SYR1004'})
        RETURN e:Retracted AS retracted, e.retraction_reason AS reason, e.name AS name""",
    )
    assert row["retracted"] and row["reason"] == "deleted by ACLED on 2025-10-30"
    before = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, DELETED, EVENTS)
    assert graph_checksum(clean_graph) == before, "the list and the export again change nothing"
    assert again.retracted.unchanged == ["acled:SYR1004"] and not again.retracted.retracted
    [count] = graph_rows(clean_graph, "MATCH (e:Event:Retracted) RETURN count(e) AS n")
    assert count["n"] == 1


def test_an_event_and_its_deletion_in_one_import(clean_graph: Driver, settings: Settings) -> None:
    summary = import_feed(clean_graph, settings, EVENTS, DELETED)
    assert summary.outcome.created["Event"] == 6
    assert summary.retracted.retracted == ["acled:SYR1004"]


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (0, "fatalities", "", "header: lacks the column(s) fatalities"),
        (2, "*", "30", "row 2: has 30 fields, the header 31"),
        (3, "event_date", "2025-13-45", "row 3.event_date: '2025-13-45' is not a date"),
        (1, "latitude", "95.2", "row 1.latitude: 95.2 is out of range (-90 to 90)"),
        (4, "longitude", "east", "row 4.longitude: 'east' is not a number"),
        (5, "time_precision", "4", "row 5.time_precision: '4' is not one of 1, 2, 3"),
        (6, "geo_precision", "0", "row 6.geo_precision: '0' is not one of 1, 2, 3"),
        (2, "timestamp", "", "row 2.timestamp: missing: when ACLED last changed the row"),
    ],
)
def test_bad_input_is_refused_naming_file_row_and_field(
    clean_graph: Driver,
    settings: Settings,
    tmp_path: Path,
    row: int,
    column: str,
    value: str,
    expected: str,
) -> None:
    bad = changed_sample(EVENTS, tmp_path, row, column, value, delimiter=",")
    refused_naming(clean_graph, settings, bad, expected)


def test_a_bad_deleted_list_is_refused(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / DELETED.name
    bad.write_text("event_id_cnty,deleted_timestamp\nSYR1004,yesterday\n")
    expected = "row 1.deleted_timestamp: 'yesterday' is not a whole number"
    refused_naming(clean_graph, settings, bad, expected, EVENTS)


def test_the_docs_query_finds_the_drone_attack(clean_graph: Driver, settings: Settings) -> None:
    """The Cypher example of docs/feeds.md's ACLED section runs on the sample as it says."""
    section = (PROJECT_ROOT / "docs" / "feeds.md").read_text().split("## ACLED")[1]
    section = section.split("\n## ")[0]  # up to the next feed's section
    [query] = re.findall(r"```cypher\n(.*?)```", section, re.S)
    import_feed(clean_graph, settings, EVENTS)
    assert [list(row.values()) for row in graph_rows(clean_graph, query)] == [
        ["acled:SYR1001", "interval", "city", "Hmeimim"]
    ]


def test_the_command_says_what_the_deleted_list_did(clean_graph: Driver) -> None:
    imported = run_cli("import", str(EVENTS), str(DELETED))
    assert imported.returncode == 0, imported.stderr
    said = " ".join(imported.stdout.split())
    assert (
        "Deleted by the feed: 1 event(s) retracted, 0 retracted before, 1 not in the graph." in said
    )
    assert "Not in the graph (skipped): acled:SYR9999" in said


def test_a_bulk_load_refuses_a_deleted_list(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """neo4j-admin writes records, not retractions: the list is imported online afterwards."""
    with pytest.raises(InvalidData) as caught:
        bulk_files_for_paths(settings, [EVENTS, DELETED], tmp_path / "bulk")
    assert "import the deleted list without --bulk" in str(caught.value)
    assert not (tmp_path / "bulk").exists()


ACLED_IDS = """
MATCH (x:ExternalId {scheme: 'acled_actor'})-[:IDENTIFIES]->(a:Actor)
RETURN x.value AS name, a.id AS actor ORDER BY name
"""


def test_actors_acled_names_one_organisation_give_their_names_as_ids(
    clean_graph: Driver, settings: Settings
) -> None:
    """State forces, rebels, militias and foreign forces give their ACLED names, exactly as
    spelt; `Civilians (Syria)`, protesters and `Unidentified …` name many, so give none."""
    import_feed(clean_graph, settings, EVENTS)
    assert graph_rows(clean_graph, ACLED_IDS) == [
        {"name": "Islamic State (Syria)", "actor": "acled:actor/islamic-state-syria"},
        {
            "name": "Military Forces of Russia (2000-)",
            "actor": "acled:actor/military-forces-of-russia-2000",
        },
        {
            "name": "Military Forces of Syria (2024-)",
            "actor": "acled:actor/military-forces-of-syria-2024",
        },
    ]
    assert {"1", "state forces", "8"} <= acled.NAMED_INTERS


RUSSIAN_FORCES = """\
eventgraph: 1
actors:
  - id: russian-forces
    name: Russian forces
    kind: armed_force
    external_ids: [{scheme: acled_actor, value: "Military Forces of Russia (2000-)"}]
"""


def test_acled_actors_attach_to_the_node_that_has_their_name(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """An analyst's node with the ACLED name: ACLED's events involve it, under its own id
    and name, and a re-import still does; the ACLED record's id then reaches it too."""
    ours = tmp_path / "ours.yaml"
    ours.write_text(RUSSIAN_FORCES)
    import_feed(clean_graph, settings, ours)
    summary = import_feed(clean_graph, settings, EVENTS)
    assert summary.attached == 1
    involving = """MATCH (e:Event {feed: 'acled'})-[:INVOLVES]->(:Actor {id: 'russian-forces'})
        RETURN e.feed_id AS event ORDER BY event"""
    events = ["SYR1001", "SYR1004", "SYR1006"]
    assert [row["event"] for row in graph_rows(clean_graph, involving)] == events
    [node] = graph_rows(
        clean_graph,
        """MATCH (a:Actor {id: 'russian-forces'})
        RETURN a.name AS name, [(x:ExternalId)-[:IDENTIFIES]->(a) | x.key] AS ids""",
    )
    assert node["name"] == "Russian forces"
    assert sorted(node["ids"]) == [
        "acled_actor:Military Forces of Russia (2000-)",
        "id:acled:actor/military-forces-of-russia-2000",
    ]
    before = graph_checksum(clean_graph)
    import_feed(clean_graph, settings, EVENTS)
    assert graph_checksum(clean_graph) == before
    assert not graph_rows(
        clean_graph, "MATCH (a:Actor {id: 'acled:actor/military-forces-of-russia-2000'}) RETURN a"
    )


def test_one_actor_spelt_two_ways_carries_both_names(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Two spellings of one name (one actor, `acled:actor/<name>`) are both ACLED's ids of it:
    a later record spelt either way attaches to it."""
    shouted = "MILITARY FORCES OF RUSSIA (2000-)"
    sample = changed_sample(EVENTS, tmp_path, 4, "actor1", shouted, delimiter=",")
    import_feed(clean_graph, settings, sample)
    russia = "acled:actor/military-forces-of-russia-2000"
    names = [row["name"] for row in graph_rows(clean_graph, ACLED_IDS) if row["actor"] == russia]
    assert names == [shouted, "Military Forces of Russia (2000-)"]
