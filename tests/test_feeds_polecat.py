"""POLECAT events imported into the real Neo4j: counts, keys, PLOVER types, day-precise times,
place precision from the GeoNames feature type, actors deduped, grading, re-imports, and bad
input refused naming file, row and field with nothing written."""

from pathlib import Path

import pytest
from neo4j import Driver

from eventgraph.graph import feeds
from eventgraph.graph.feeds import polecat
from eventgraph.graph.importer import import_paths
from eventgraph.graph.ontology import EVENT_TYPES_BY_NAME
from eventgraph.graph.settings import Settings
from tests.feed_imports import changed_sample, graph_rows, import_feed, refused_naming
from tests.helpers import graph_checksum

EVENTS = Path(__file__).parent / "feeds" / "polecat-syria-2025-10.tsv"

POLECAT_EVENTS = """
MATCH (e:Event {feed: 'polecat'})
OPTIONAL MATCH (e)-[:OCCURRED_AT]->(p:Location)
RETURN e.feed_id AS feed_id, e.id AS id, e.type AS type, e.plover_event_type AS plover,
       e.time_precision AS time, toString(e.start) AS start, toString(e.end) AS end,
       e.place_precision AS geo, p.id AS place, p.point_precision AS point,
       e.plover_mode AS mode, e.plover_contexts AS contexts, e.plover_intensity AS intensity,
       COUNT { (e)-[:INVOLVES]->(:Actor) } AS actors
ORDER BY e.feed_id
"""


def test_rows_become_events_with_types_precision_actors_places_and_grading(
    clean_graph: Driver, settings: Settings
) -> None:
    created = import_feed(clean_graph, settings, EVENTS).outcome.created
    assert created["Event"] == 6
    assert created["Location"] == 5, "one place per GeoNames id; the last row has none"
    assert created["Actor"] == 6, "Russia's forces and Syria's government: one actor each"
    assert (created["Source"], created["Report"]) == (1, 1)
    events = {row["feed_id"]: row for row in graph_rows(clean_graph, POLECAT_EVENTS)}
    assert {key: (row["type"], row["plover"]) for key, row in events.items()} == {
        "pc-20251020-0003": ("deployment", "MOBILIZE"),
        "pc-20251023-0006": ("political_development", "AID"),
        "pc-20251024-0004": ("political_development", "CONSULT"),
        "pc-20251025-0005": (polecat.GENERIC_TYPE, "DEMAND"),  # unknown: kept, generic type
        "pc-20251026-0001": ("attack", "ASSAULT"),
        "pc-20251026-0002": ("statement", "ACCUSE"),
    }
    attack = events["pc-20251026-0001"]
    assert attack["id"] == "polecat:pc-20251026-0001"
    assert attack["place"] == "polecat:place/9900001"
    assert (attack["time"], attack["start"], attack["end"]) == (
        "day",
        "2025-10-26T00:00:00Z",
        "2025-10-26T23:59:59.999999Z",
    ), "the day, never more precise"
    assert (attack["mode"], attack["contexts"], attack["intensity"]) == (
        "aerial",
        ["military", "terrorism"],
        -8.0,
    )
    assert {key: (row["geo"], row["point"]) for key, row in events.items()} == {
        "pc-20251020-0003": ("province", "province"),  # ADM1
        "pc-20251023-0006": (None, None),  # no GeoNames id: no place
        "pc-20251024-0004": ("city", "city"),  # PPLC
        "pc-20251025-0005": ("country", "country"),  # PCLI
        "pc-20251026-0001": ("site", "site"),  # AIRB, an air base
        "pc-20251026-0002": ("city", "city"),
    }
    assert events["pc-20251024-0004"]["actors"] == 2, "two ';'-separated actors"
    [claim] = graph_rows(
        clean_graph,
        """MATCH (c:Claim)-[:SUPPORTS]->(:Event {id: 'polecat:pc-20251026-0002'})
        MATCH (c)-[:SOURCED_FROM]->(s) MATCH (c)-[:IN_REPORT]->(r)
        RETURN s.id AS source, s.reliability AS reliability, c.credibility AS credibility,
               c.grading_note AS note, r.id AS report, toString(c.reported_on) AS reported""",
    )
    assert (claim["source"], claim["reliability"] + claim["credibility"]) == ("feed-polecat", "C3")
    assert claim["report"] == "report-polecat-dataset" and "Example Daily" in claim["note"]
    assert claim["reported"].startswith("2025-10-26"), "the publication day, not its time"
    [russia] = graph_rows(
        clean_graph,
        """MATCH (a:Actor {feed: 'polecat', name: 'Russian Armed Forces'})
        RETURN a.id AS id, a.kind AS kind, a.country_code AS country, a.plover_sector AS sector,
               a.wikipedia_id AS wiki, COUNT { (a)<-[:INVOLVES]-() } AS n""",
    )
    assert russia == {
        "id": "polecat:actor/rus/military/russian-armed-forces",
        "kind": "armed_force",
        "country": "RUS",
        "sector": "Military",
        "wiki": "Q999001",
        "n": 3,
    }
    roles = graph_rows(
        clean_graph,
        """MATCH (:Event {id: 'polecat:pc-20251026-0001'})-[r:INVOLVES]->(a:Actor)
        RETURN r.role AS role, a.name AS name ORDER BY role""",
    )
    assert roles == [
        {"role": "perpetrator", "name": "Unidentified Armed Group"},
        {"role": "target", "name": "Russian Armed Forces"},
    ]


def test_every_plover_event_type_maps_to_one_of_our_types() -> None:
    assert len(polecat.EVENT_TYPES) == 16
    assert set(polecat.EVENT_TYPES.values()) <= set(EVENT_TYPES_BY_NAME)


def test_re_importing_changes_nothing_and_a_changed_row_updates_its_event(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import_feed(clean_graph, settings, EVENTS)
    before = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, EVENTS)
    assert graph_checksum(clean_graph) == before
    assert not again.outcome.created and not again.outcome.updated
    updated = import_feed(
        clean_graph, settings, changed_sample(EVENTS, tmp_path, 2, "Intensity", "-3")
    )
    assert dict(updated.outcome.updated) == {"Event": 1} and not updated.outcome.created
    [row] = graph_rows(
        clean_graph,
        "MATCH (e:Event {id: 'polecat:pc-20251026-0002'}) RETURN e.plover_intensity AS i",
    )
    assert row == {"i": -3.0}


def test_the_grading_option_changes_the_claims(clean_graph: Driver, settings: Settings) -> None:
    from eventgraph.graph.feeds.grading import parse_grading

    import_feed(clean_graph, settings, EVENTS, grading={"polecat": parse_grading("B2")})
    [row] = graph_rows(
        clean_graph,
        """MATCH (s:Source {id: 'feed-polecat'}), (c:Claim)-[:SOURCED_FROM]->(s)
        RETURN s.reliability AS reliability, collect(DISTINCT c.credibility) AS credibility""",
    )
    assert row == {"reliability": "B", "credibility": ["2"]}


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (0, "GeoNames ID", "", "header: lacks the column(s) GeoNames ID"),
        (2, "*", "39", "row 2: has 39 fields, the header 40"),
        (3, "Event Date", "2025-10-32", "row 3.Event Date: '2025-10-32' is not a date"),
        (1, "Latitude", "95.2", "row 1.Latitude: 95.2 is out of range (-90 to 90)"),
        (4, "Longitude", "east", "row 4.Longitude: 'east' is not a number"),
        (5, "Event Type", "None", "row 5.Event Type: missing: the PLOVER event type"),
        (2, "GeoNames ID", "Moscow", "row 2.GeoNames ID: 'Moscow' is not a GeoNames id"),
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
    bad = changed_sample(EVENTS, tmp_path, row, column, value)
    refused_naming(clean_graph, settings, bad, expected)


def test_the_docs_query_finds_the_attack(clean_graph: Driver, settings: Settings) -> None:
    import re

    from eventgraph.graph.settings import PROJECT_ROOT

    import_feed(clean_graph, settings, EVENTS)
    section = (PROJECT_ROOT / "docs" / "feeds.md").read_text().split("## POLECAT")[1]
    section = section.split("\n## ")[0]
    [query] = re.findall(r"```cypher\n(.*?)```", section, re.S)
    rows = graph_rows(clean_graph, query)
    assert [row["e.id"] for row in rows] == ["polecat:pc-20251026-0001"]


def test_places_give_their_geonames_ids(clean_graph: Driver, settings: Settings) -> None:
    import_feed(clean_graph, settings, EVENTS)
    rows = graph_rows(
        clean_graph,
        """MATCH (x:ExternalId {scheme: 'geonames'})-[:IDENTIFIES]->(p:Location)
        RETURN x.value AS geonames, p.id AS place ORDER BY geonames""",
    )
    assert rows == [
        {"geonames": f"990000{n}", "place": f"polecat:place/990000{n}"} for n in range(1, 6)
    ]


BASE_WITH_GEONAMES = """\
eventgraph: 1
assets:
  - {id: hmeimim-base, name: Hmeimim Air Base, kind: air_base, external_ids: [{scheme: geonames, value: "9900001"}]}
"""


def test_a_geonames_id_already_on_an_asset_is_refused_or_skipped(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """GeoNames ids name assets too (an air base): a place whose id is an asset's is another
    kind of node, refused naming the row's place and the asset; `--skip-bad` leaves it out,
    and the event there with it."""
    base = tmp_path / "base.yaml"
    base.write_text(BASE_WITH_GEONAMES)
    import_feed(clean_graph, settings, base)
    message = refused_naming(
        clean_graph,
        settings,
        EVENTS,
        "geonames '9900001' already identifies Asset 'hmeimim-base' in the graph, which is an "
        "Asset, not Location",
    )
    assert "locations[" in message and "external_ids[0]" in message, message
    with feeds.using(feeds.FeedOptions()):
        summary = import_paths(
            clean_graph, settings.neo4j_database, [EVENTS], max_bytes=2**24, skip_bad=True
        )
    assert summary.skipped is not None
    reasons = [str(problem) for problem in summary.skipped.problems]
    assert any("already identifies Asset 'hmeimim-base'" in r for r in reasons), reasons
    assert any("refers to 'polecat:place/9900001', which was skipped" in r for r in reasons)
    written = {row["feed_id"] for row in graph_rows(clean_graph, POLECAT_EVENTS)}
    assert written == {
        "pc-20251020-0003",
        "pc-20251023-0006",
        "pc-20251024-0004",
        "pc-20251025-0005",
        "pc-20251026-0002",
    }
    assert not graph_rows(clean_graph, "MATCH (p:Location {id: 'polecat:place/9900001'}) RETURN p")
