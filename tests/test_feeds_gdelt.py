"""GDELT 2.0 events and mentions imported into the real Neo4j: counts, keys, types from CAMEO,
place precision by Geo_Type, grading, re-imports, archives, and bad input refused."""

import zipfile
from pathlib import Path

import pytest
from neo4j import Driver

from eventgraph.graph import ontology
from eventgraph.graph.exporting import dump_document, export_document
from eventgraph.graph.feeds import gdelt
from eventgraph.graph.feeds.grading import parse_grading
from eventgraph.graph.importer import ImportSummary, import_paths
from eventgraph.graph.settings import Settings
from tests.feed_imports import (
    changed_sample,
    graph_rows,
    import_feed,
    refused_feed,
    refused_naming,
)
from tests.graph_store import SEEDS, wipe
from tests.helpers import graph_checksum

SAMPLES = Path(__file__).parent / "feeds"
EVENTS = SAMPLES / "20251026150000.export.CSV"
MENTIONS = SAMPLES / "20251026150000.mentions.CSV"

GDELT_EVENTS = """
MATCH (e:Event {feed: 'gdelt'})
OPTIONAL MATCH (e)-[:OCCURRED_AT]->(p:Location)
RETURN e.feed_id AS feed_id, e.id AS id, e.type AS type, e.cameo_code AS code,
       e.place_precision AS precision, p.id AS place, p.point_precision AS point,
       e.time_precision AS time, toString(e.start) AS start, e.num_mentions AS mentions,
       e.goldstein_scale AS goldstein, e.quad_class AS quad, e.is_root_event AS root,
       COUNT { (:Claim)-[:SUPPORTS]->(e) } AS claims
ORDER BY e.feed_id
"""


CLAIMS_PER_EVENT = {
    "1250000001": 3,
    "1250000002": 2,
    "1250000003": 1,
    "1250000004": 1,
    "1250000005": 2,
    "1250000006": 1,
}
"""Claims per sample event once its events and mentions files are in: one of the events file,
one per mention."""


def test_events_and_mentions_become_events_claims_actors_places_and_reports(
    clean_graph: Driver, settings: Settings
) -> None:
    summary = import_feed(clean_graph, settings, EVENTS, MENTIONS)
    created = summary.outcome.created
    assert created["Event"] == 6
    assert created["Location"] == 5, "Hmeimim is one place for the two events there"
    assert created["Actor"] == 6, "RUSSIA as RUSMIL is one actor for its three events"
    assert created["Report"] == 6, "one report per article URL, from either file"
    events = {row["feed_id"]: row for row in graph_rows(clean_graph, GDELT_EVENTS)}
    assert {key: (row["type"], row["code"]) for key, row in events.items()} == {
        "1250000001": ("attack", "190"),
        "1250000002": ("statement", "010"),
        "1250000003": ("assessment", "0874"),  # unmapped: kept as the code, generic type
        "1250000004": ("deployment", "154"),
        "1250000005": ("attack", "193"),  # by its root code 19
        "1250000006": ("assessment", "043"),
    }
    by_geo_type = {
        "1250000001": ("city", "gdelt:place/-9990001"),  # 4 world city
        "1250000002": ("country", "gdelt:place/SY"),  # 1 country
        "1250000003": ("province", "gdelt:place/SY09"),  # 5 world state
        "1250000004": ("city", "gdelt:place/9990002"),  # 3 US city
        "1250000005": ("city", "gdelt:place/-9990001"),
        "1250000006": ("province", "gdelt:place/VA"),  # 2 US state
    }
    assert {key: (row["precision"], row["place"]) for key, row in events.items()} == by_geo_type
    assert all(row["point"] == row["precision"] for row in events.values())
    attack = events["1250000001"]
    assert attack["id"] == "gdelt:1250000001"
    assert (attack["time"], attack["start"]) == ("day", "2025-10-26T00:00:00Z")
    assert (attack["mentions"], attack["goldstein"], attack["quad"], attack["root"]) == (
        6,
        -10.0,
        4,
        True,
    )
    assert {key: row["claims"] for key, row in events.items()} == CLAIMS_PER_EVENT
    claims = graph_rows(
        clean_graph,
        """MATCH (c:Claim)-[:SUPPORTS]->(:Event {id: 'gdelt:1250000001'})
        MATCH (c)-[:SOURCED_FROM]->(s) MATCH (c)-[:IN_REPORT]->(r)
        RETURN s.id AS source, c.reliability + c.credibility AS grading, r.url AS url,
               c.grading_note AS note ORDER BY c.position""",
    )
    assert {(c["source"], c["grading"]) for c in claims} == {("feed-gdelt", "D3")}
    assert [c["url"] for c in claims] == [
        "https://news.example.com/2025/10/26/drones-over-hmeimim",
        "https://news.example.com/2025/10/26/drones-over-hmeimim",
        "https://radio.example.com/hmeimim-night",
    ]
    assert "confidence 60%" in claims[2]["note"]
    roles = graph_rows(
        clean_graph,
        """MATCH (:Event {id: 'gdelt:1250000001'})-[r:INVOLVES]->(a:Actor)
        RETURN r.role AS role, a.cameo_actor_code AS code, a.country_code AS country,
               a.kind AS kind, a.cameo_type_codes AS types ORDER BY role""",
    )
    assert roles == [
        {"role": "perpetrator", "code": "SYRREB", "country": "SYR", "kind": "armed_group",
         "types": ["REB"]},
        {"role": "target", "code": "RUSMIL", "country": "RUS", "kind": "armed_force",
         "types": ["MIL"]},
    ]  # fmt: skip


def test_mentions_of_events_of_an_earlier_import_attach_to_them(
    clean_graph: Driver, settings: Settings
) -> None:
    import_feed(clean_graph, settings, EVENTS)
    own_claims = {row["feed_id"]: row["claims"] for row in graph_rows(clean_graph, GDELT_EVENTS)}
    assert set(own_claims.values()) == {1}, "the events file's own claim each"
    summary = import_feed(clean_graph, settings, MENTIONS)
    mentions = [line for line in MENTIONS.read_text().splitlines() if line]
    assert summary.outcome.created["Claim"] == len(mentions)
    claims = {row["feed_id"]: row["claims"] for row in graph_rows(clean_graph, GDELT_EVENTS)}
    assert claims == CLAIMS_PER_EVENT, "as if both files came in one import"
    [mention] = graph_rows(
        clean_graph,
        """MATCH (c:Claim)-[:SUPPORTS]->(:Event {id: 'gdelt:1250000001'})
        MATCH (c)-[:SOURCED_FROM]->(s) MATCH (c)-[:IN_REPORT]->(r)
        WHERE r.url = 'https://radio.example.com/hmeimim-night'
        RETURN s.id AS source, c.reliability + c.credibility AS grading, c.grading_note AS note""",
    )
    assert (mention["source"], mention["grading"]) == ("feed-gdelt", "D3")
    assert "confidence 60%" in mention["note"]
    before = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, MENTIONS)
    assert graph_checksum(clean_graph) == before and not again.outcome.changed


def test_every_cameo_code_of_our_types_maps_to_one_type() -> None:
    """A code several of our types give has a chosen type, so the ontology's order never
    decides; root codes reach a type through their `<root>0` code."""
    codes: dict[str, list[str]] = {}
    for event_type in ontology.EVENT_TYPES:
        if event_type.cameo:
            codes.setdefault(event_type.cameo, []).append(event_type.name)
    for code, names in codes.items():
        assert len(names) == 1 or gdelt.SHARED_CODES.get(code) in names, code
        assert gdelt.event_type_of(code, code, code[:2]) == gdelt.BY_CAMEO[code]
    assert gdelt.event_type_of("195", "195", "19") == "attack"
    assert gdelt.event_type_of("2041", "204", "20") == gdelt.GENERIC_TYPE


def test_re_importing_changes_nothing_and_zips_and_grading_options_apply(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    for sample in (EVENTS, MENTIONS):
        with zipfile.ZipFile(tmp_path / f"{sample.name}.zip", "w") as archive:
            archive.write(sample, sample.name)
    import_feed(clean_graph, settings, tmp_path)
    before = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, EVENTS, MENTIONS)
    assert graph_checksum(clean_graph) == before
    assert not again.outcome.created and not again.outcome.updated
    import_feed(clean_graph, settings, tmp_path, grading={"gdelt": parse_grading("C3")})
    [row] = graph_rows(clean_graph, "MATCH (s:Source {id: 'feed-gdelt'}) RETURN s.reliability AS r")
    assert row["r"] == "C"


@pytest.mark.parametrize(
    ("sample", "row", "column", "value", "expected"),
    [
        (EVENTS, 1, "*", "60", "row 1: has 60 tab-separated fields, a GDELT 2.0 Event Database row 61"),
        (EVENTS, 3, "SQLDATE", "20251332", "row 3.SQLDATE: '20251332' is not a day (YYYYMMDD)"),
        (EVENTS, 1, "ActionGeo_Lat", "95.2", "row 1.ActionGeo_Lat: 95.2 is out of range (-90 to 90)"),
        (EVENTS, 4, "ActionGeo_Long", "east", "row 4.ActionGeo_Long: 'east' is not a number"),
        (MENTIONS, 2, "MentionTimeDate", "2025-10-26", "row 2.MentionTimeDate: '2025-10-26' is not a time"),
        (MENTIONS, 3, "GLOBALEVENTID", "1259999999",
         "20251026150000.mentions.CSV:3: GLOBALEVENTID: 'gdelt:1259999999' is not an event"),
    ],
)  # fmt: skip
def test_bad_rows_are_refused_naming_file_row_and_field(
    clean_graph: Driver,
    settings: Settings,
    tmp_path: Path,
    sample: Path,
    row: int,
    column: str,
    value: str,
    expected: str,
) -> None:
    columns = gdelt.EVENT_COLUMNS if sample == EVENTS else gdelt.MENTION_COLUMNS
    bad = changed_sample(sample, tmp_path, row, column, value, columns=columns)
    other = MENTIONS if sample == EVENTS else EVENTS
    refused_naming(clean_graph, settings, bad, expected, other)


def test_detection_by_content_and_a_forced_format_that_does_not_fit(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    renamed = tmp_path / "day.csv"
    renamed.write_bytes(EVENTS.read_bytes())
    assert import_feed(clean_graph, settings, renamed).outcome.created["Event"] == 6
    message = refused_feed(clean_graph, settings, EVENTS, format="gdelt-mentions")
    assert "--format says a GDELT 2.0 mentions file (gdelt-mentions)" in message
    assert "holds a GDELT 2.0 events export (gdelt-events)" in message


CAMEO_IDS = """
MATCH (x:ExternalId {scheme: 'cameo_actor'})-[:IDENTIFIES]->(a:Actor)
RETURN x.value AS code, a.id AS actor ORDER BY code
"""


def test_actors_give_their_cameo_code_where_it_names_one_actor(
    clean_graph: Driver, settings: Settings
) -> None:
    """A state, its government and its armed forces are one actor each, whatever name the
    article gives them; a country's rebels are many, so `SYRREB` names no one actor."""
    import_feed(clean_graph, settings, EVENTS)
    assert graph_rows(clean_graph, CAMEO_IDS) == [
        {"code": "RUSGOV", "actor": "gdelt:actor/RUSGOV"},
        {"code": "RUSMIL", "actor": "gdelt:actor/RUSMIL"},
        {"code": "SYR", "actor": "gdelt:actor/SYR"},
        {"code": "USA", "actor": "gdelt:actor/USA"},
        {"code": "USAMIL", "actor": "gdelt:actor/USAMIL"},
    ]
    [rebels] = graph_rows(
        clean_graph,
        "MATCH (a:Actor {cameo_actor_code: 'SYRREB'}) "
        "RETURN a.id AS id, COUNT { (:ExternalId)-[:IDENTIFIES]->(a) } AS ids",
    )
    assert rebels == {"id": "gdelt:actor/SYRREB/syrian-rebel", "ids": 0}
    assert gdelt.identifying_code("EURGOV", "EUR") is None, "a region is no state"
    assert gdelt.identifying_code("MIL", "") is None, "a role without a country"
    assert gdelt.identifying_code("RUSSPY", "RUS") is None, "several services"


def _seed_and_a_row_naming_rus(driver: Driver, settings: Settings, folder: Path) -> ImportSummary:
    """The seed story, then the sample with its row 3 coding Actor1 `RUS` (the state)."""
    import_paths(driver, settings.neo4j_database, [SEEDS], max_bytes=2**24)
    columns = gdelt.EVENT_COLUMNS
    changed_sample(EVENTS, folder, 3, "Actor1Code", "RUS", columns=columns)
    sample = changed_sample(folder / EVENTS.name, folder, 3, "Actor1Type1Code", "", columns=columns)
    return import_feed(driver, settings, sample, MENTIONS)


def test_a_row_naming_rus_lands_on_the_seeds_russia(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """The seed gives its states and forces their CAMEO codes: GDELT's actors attach to them,
    so the events involve `russia`, and no second Russia is made."""
    summary = _seed_and_a_row_naming_rus(clean_graph, settings, tmp_path)
    assert summary.attached == 4, "RUS, RUSMIL, SYR and USA are the seed's"
    involved = graph_rows(
        clean_graph,
        """MATCH (e:Event {feed: 'gdelt'})-[:INVOLVES]->(a:Actor) WHERE a.feed IS NULL
        RETURN e.feed_id AS event, a.id AS actor ORDER BY event, actor""",
    )
    assert involved == [
        {"event": "1250000001", "actor": "russian-armed-forces"},
        {"event": "1250000002", "actor": "syria-state"},
        {"event": "1250000003", "actor": "russia"},
        {"event": "1250000005", "actor": "russian-armed-forces"},
        {"event": "1250000006", "actor": "united-states"},
    ]
    [russia] = graph_rows(
        clean_graph,
        """MATCH (:ExternalId {key: 'cameo_actor:RUS'})-[:IDENTIFIES]->(a:Actor)
        RETURN a.id AS id, a.name AS name,
               [(x:ExternalId)-[:IDENTIFIES]->(a) | x.key] AS ids,
               COUNT { (:Claim)-[:SUPPORTS]->(:Event {feed: 'gdelt'})-[:INVOLVES]->(a) } AS claims""",
    )
    assert russia["id"] == "russia" and russia["name"] == "Russia", "the seed's node, as it was"
    assert sorted(russia["ids"]) == ["cameo_actor:RUS", "id:gdelt:actor/RUS"]
    assert russia["claims"] == CLAIMS_PER_EVENT["1250000003"]
    assert not graph_rows(clean_graph, "MATCH (a:Actor {id: 'gdelt:actor/RUS'}) RETURN a")


def test_the_graph_gdelt_attached_to_exports_and_imports_back_byte_identical(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """The seed's ids and those the GDELT records brought (their own ids, as `id`) go out in
    the native export and come back: export → wipe → import → export is the same text."""
    database = settings.neo4j_database
    _seed_and_a_row_naming_rus(clean_graph, settings, tmp_path)
    exported = dump_document(export_document(clean_graph, database), "yaml")
    assert "value: gdelt:actor/RUS\n" in exported
    assert exported.count("scheme: cameo_actor") == 9, "the seed's 7, RUSGOV and USAMIL"
    path = tmp_path / "exported.yaml"
    path.write_text(exported)
    wipe(clean_graph, database)
    import_paths(clean_graph, database, [path], max_bytes=2**24)
    assert dump_document(export_document(clean_graph, database), "yaml") == exported
