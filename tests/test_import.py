"""Importing good data: idempotent, updates in place, batch mode, CSV, concurrency, round trip."""

import json
import threading
from pathlib import Path

import pytest
import yaml
from neo4j import Driver

from eventgraph.graph.errors import InvalidData
from eventgraph.graph.exporting import dump_document, export_document
from eventgraph.graph.importer import ImportSummary, import_paths, writing
from eventgraph.graph.settings import Settings
from tests.graph_store import wipe

STORY = """\
eventgraph: 1
locations:
  - {id: syria, name: Syria, kind: country}
  - {id: hmeimim, name: Hmeimim, kind: site, within: syria, point: {lat: 35.4011, lon: 35.9486, precision: site}}
actors:
  - {id: russia, name: Russia, kind: state, aliases: [Russian Federation]}
  - {id: rebels, name: Syrian rebels, kind: armed_group}
equipment_types:
  - {id: an-124-100, name: An-124-100 Ruslan, kind: aircraft_type}
assets:
  - {id: hmeimim-air-base, name: Hmeimim Air Base, kind: air_base, located_at: hmeimim}
sources:
  - {id: bloomberg, name: Bloomberg, kind: news_outlet, reliability: B}
  - {id: official, name: Russian official, kind: official, anonymous: true}
reports:
  - {id: article, name: Flights resume, kind: article, publisher: bloomberg}
events:
  - id: airlift
    type: airlift
    name: Airlift
    time: {start: 2025-10-24, end: 2025-10-31, precision: interval, year_assumed: true}
    destination: hmeimim-air-base
    claims:
      - {source: bloomberg, report: article, credibility: 2, paraphrase: Several flights}
  - id: flight-1
    type: flight
    name: Flight one
    time: {start: 2025-10-24, end: 2025-10-27, precision: interval, year_assumed: true}
    destination: hmeimim-air-base
    part_of: [airlift]
    participants:
      - {role: operator, ref: russia}
      - {role: aircraft, ref: an-124-100}
    claims:
      - {source: bloomberg, report: article, credibility: 2, paraphrase: One flight}
      - {source: official, report: article, reliability: F, credibility: 3, paraphrase: Routine}
relations:
  - id: russia-operates-hmeimim
    type: operates
    from: russia
    to: hmeimim-air-base
    since: 2015
    claims:
      - {source: bloomberg, report: article, credibility: 2, paraphrase: Since 2015}
"""


def _import(
    driver: Driver, settings: Settings, *paths: Path, batch: int | None = None
) -> ImportSummary:
    return import_paths(
        driver, settings.neo4j_database, list(paths), max_bytes=2**24, batch_size=batch
    )


def _export(driver: Driver, settings: Settings) -> str:
    return dump_document(export_document(driver, settings.neo4j_database), "yaml")


def _counts(driver: Driver) -> dict[str, int]:
    rows = driver.execute_query(
        "MATCH (n) WHERE NOT n:EventGraphTestDatabase AND NOT n:EventGraphSchema "
        "RETURN labels(n)[0] AS label, count(*) AS n"
    )[0]
    counts = {row["label"]: row["n"] for row in rows}
    counts["edges"] = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n")[0][0]["n"]
    return counts


def _story(tmp_path: Path, text: str = STORY, name: str = "story.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _export_of_csv(driver: Driver, settings: Settings, tables: dict[str, str], folder: Path) -> str:
    """Wipe, import the CSV `tables` from `folder`, and give the export."""
    wipe(driver, settings.neo4j_database)
    folder.mkdir()
    for name, text in tables.items():
        (folder / name).write_text(text)
    _import(driver, settings, folder)
    return _export(driver, settings)


def test_import_then_reimport_changes_nothing(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _story(tmp_path)
    first = _import(clean_graph, settings, path)
    assert first.outcome.created == {
        "Location": 2,
        "Actor": 2,
        "EquipmentType": 1,
        "Asset": 1,
        "Source": 2,
        "Report": 1,
        "Event": 2,
        "Relation": 1,
    }
    counts = _counts(clean_graph)
    assert counts["Claim"] == 4
    again = _import(clean_graph, settings, path)
    assert again.outcome.changed == 0
    assert sum(again.outcome.unchanged.values()) == 12
    assert _counts(clean_graph) == counts


def test_claims_are_queryable_with_grading_and_default_reliability(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(clean_graph, settings, _story(tmp_path))
    rows = clean_graph.execute_query(
        "MATCH (:Event {id: 'flight-1'})<-[:SUPPORTS]-(c:Claim)-[:SOURCED_FROM]->(s:Source) "
        "MATCH (c)-[:IN_REPORT]->(r:Report) "
        "RETURN s.id AS source, s.anonymous AS anonymous, c.reliability AS rel, "
        "c.credibility AS cred, r.id AS report ORDER BY c.position"
    )[0]
    assert [row.data() for row in rows] == [
        {"source": "bloomberg", "anonymous": False, "rel": "B", "cred": "2", "report": "article"},
        {"source": "official", "anonymous": True, "rel": "F", "cred": "3", "report": "article"},
    ]
    relation = clean_graph.execute_query(
        "MATCH (a:Actor)<-[:FROM]-(r:Relation {type: 'operates'})-[:TO]->(b:Asset) "
        "MATCH (r)<-[:SUPPORTS]-(:Claim)-[:SOURCED_FROM]->(s:Source) "
        "RETURN a.id AS a, b.id AS b, r.since.year AS since, r.until AS until, s.id AS source"
    )[0]
    assert [row.data() for row in relation] == [
        {
            "a": "russia",
            "b": "hmeimim-air-base",
            "since": 2015,
            "until": None,
            "source": "bloomberg",
        }
    ]


def test_interval_times_are_not_turned_into_dates(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(clean_graph, settings, _story(tmp_path))
    row = clean_graph.execute_query(
        "MATCH (e:Event {id: 'flight-1'}) RETURN toString(e.start) AS start, toString(e.end) AS end, "
        "e.time_precision AS precision, e.year_assumed AS assumed"
    )[0][0]
    assert row.data() == {
        "start": "2025-10-24T00:00:00Z",
        "end": "2025-10-27T23:59:59.999999Z",
        "precision": "interval",
        "assumed": True,
    }
    window = clean_graph.execute_query(
        "MATCH (e:Event) WHERE e.start <= datetime($to) AND e.end >= datetime($from) RETURN e.id AS id",
        {"from": "2025-10-26T00:00:00Z", "to": "2025-10-26T23:59:59Z"},
    )[0]
    assert sorted(row["id"] for row in window) == ["airlift", "flight-1"]


def test_a_changed_record_updates_in_place(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(clean_graph, settings, _story(tmp_path))
    before = _counts(clean_graph)
    changed = STORY.replace("name: Flight one", "name: Flight one (corrected)").replace(
        "      - {role: aircraft, ref: an-124-100}\n", ""
    )
    summary = _import(clean_graph, settings, _story(tmp_path, changed))
    assert summary.outcome.updated == {"Event": 1}
    assert summary.outcome.created == {}
    after = _counts(clean_graph)
    assert after["edges"] == before["edges"] - 1
    assert after["Claim"] == before["Claim"]
    names = clean_graph.execute_query("MATCH (e:Event {id: 'flight-1'}) RETURN e.name AS name")[0]
    assert [row["name"] for row in names] == ["Flight one (corrected)"]


def test_batch_mode_matches_one_transaction_and_resumes(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _story(tmp_path)
    _import(clean_graph, settings, path)
    whole = _export(clean_graph, settings)
    counts = _counts(clean_graph)
    wipe(clean_graph, settings.neo4j_database)

    summary = _import(clean_graph, settings, path, batch=3)
    assert sum(summary.outcome.created.values()) == 12
    assert _export(clean_graph, settings) == whole
    # A run that stopped between writing nodes and their edges leaves records without their
    # content hash: the next run finishes exactly those, and duplicates nothing.
    clean_graph.execute_query("MATCH (e:Event {id: 'flight-1'}) REMOVE e.content_hash")
    resumed = _import(clean_graph, settings, path, batch=3)
    assert resumed.outcome.updated == {"Event": 1}
    assert _counts(clean_graph) == counts
    assert _export(clean_graph, settings) == whole


def test_a_writer_that_forgets_what_it_wrote_asks_the_graph_and_ends_the_same(
    clean_graph: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer remembers a bounded number of ids; past that it looks targets up again."""
    path = _story(tmp_path)
    _import(clean_graph, settings, path)
    whole, counts = _export(clean_graph, settings), _counts(clean_graph)
    wipe(clean_graph, settings.neo4j_database)
    monkeypatch.setattr(writing, "KNOWN_PER_LABEL", 1)
    for batch in (None, 1, 3):
        summary = _import(clean_graph, settings, path, batch=batch)
        assert sum(summary.outcome.created.values()) in (0, 12)
        assert _counts(clean_graph) == counts
        assert _export(clean_graph, settings) == whole


CSV_TABLES = {
    "locations.csv": "id,name,kind,within,lat,lon,point_precision\nsyria,Syria,country,,,,\n"
    "hmeimim,Hmeimim,site,syria,35.4011,35.9486,site\n",
    "actors.csv": "id,name,kind,aliases\nrussia,Russia,state,Russian Federation\nrebels,Syrian rebels,armed_group,\n",
    "equipment_types.csv": "id,name,kind\nan-124-100,An-124-100 Ruslan,aircraft_type\n",
    "assets.csv": "id,name,kind,located_at\nhmeimim-air-base,Hmeimim Air Base,air_base,hmeimim\n",
    "sources.csv": "id,name,kind,anonymous,reliability\nbloomberg,Bloomberg,news_outlet,,B\n"
    "official,Russian official,official,true,\n",
    "reports.csv": "id,name,kind,publisher\narticle,Flights resume,article,bloomberg\n",
    "events.csv": "id,type,name,start,end,precision,year_assumed,destination,part_of\n"
    "airlift,airlift,Airlift,2025-10-24,2025-10-31,interval,true,hmeimim-air-base,\n"
    "flight-1,flight,Flight one,2025-10-24,2025-10-27,interval,true,hmeimim-air-base,airlift\n",
    "participants.csv": "event,role,ref\nflight-1,operator,russia\nflight-1,aircraft,an-124-100\n",
    "relations.csv": "id,type,from,to,since\nrussia-operates-hmeimim,operates,russia,hmeimim-air-base,2015\n",
    "claims.csv": "target,source,report,reliability,credibility,paraphrase\n"
    "airlift,bloomberg,article,,2,Several flights\n"
    "flight-1,bloomberg,article,,2,One flight\n"
    "flight-1,official,article,F,3,Routine\n"
    "russia-operates-hmeimim,bloomberg,article,,2,Since 2015\n",
}


def test_csv_tables_give_the_same_graph_as_yaml(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(clean_graph, settings, _story(tmp_path))
    from_yaml = _export(clean_graph, settings)
    csv = _export_of_csv(clean_graph, settings, CSV_TABLES, tmp_path / "csv")
    assert csv == from_yaml


def test_export_wipe_import_export_is_identical(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(clean_graph, settings, _story(tmp_path))
    first = _export(clean_graph, settings)
    exported = tmp_path / "export.yaml"
    exported.write_text(first)
    wipe(clean_graph, settings.neo4j_database)
    _import(clean_graph, settings, exported)
    assert _export(clean_graph, settings) == first
    assert yaml.safe_load(first)["events"][1]["time"] == {
        "start": "2025-10-24",
        "end": "2025-10-27",
        "precision": "interval",
        "year_assumed": True,
    }


LINE_BREAKS = "next\x85line\u2028separator\u2029paragraph\x85"
"""Characters YAML reads as line breaks besides CR and LF (U+0085 was exported as a space)."""


def test_yaml_export_round_trips_every_line_separator_byte_identical(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "breaks.json"
    actor = {"id": "breaks", "name": LINE_BREAKS, "aliases": [LINE_BREAKS], "kind": "person"}
    source.write_text(json.dumps({"eventgraph": 1, "actors": [actor]}), encoding="utf-8")
    _import(clean_graph, settings, source)
    exported = tmp_path / "export.yaml"
    exported.write_text(_export(clean_graph, settings), encoding="utf-8")
    wipe(clean_graph, settings.neo4j_database)
    _import(clean_graph, settings, exported)
    stored = clean_graph.execute_query(
        "MATCH (a:Actor {id: 'breaks'}) RETURN a.name AS name, a.aliases AS aliases"
    )[0][0]
    assert (stored["name"], stored["aliases"]) == (LINE_BREAKS, [LINE_BREAKS])


def test_export_slices_by_entity_and_window(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    _import(clean_graph, settings, _story(tmp_path))
    by_entity = export_document(clean_graph, settings.neo4j_database, entity="an-124-100")
    assert [event["id"] for event in by_entity["events"]] == [
        "airlift",
        "flight-1",
    ]  # airlift: part_of
    assert "relations" not in by_entity
    window = export_document(
        clean_graph,
        settings.neo4j_database,
        since=datetime(2025, 10, 28, tzinfo=UTC),
        until=datetime(2025, 10, 29, tzinfo=UTC),
    )
    assert [event["id"] for event in window["events"]] == ["airlift"]
    assert [relation["id"] for relation in window["relations"]] == ["russia-operates-hmeimim"]


def test_two_concurrent_imports_of_overlapping_data_leave_no_duplicates(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    first = _story(tmp_path, name="first.yaml")
    second = _story(
        tmp_path, STORY.replace("name: Airlift", "name: The airlift"), name="second.yaml"
    )
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            _import(clean_graph, settings, path)
        except BaseException as error:  # reported below
            errors.append(error)

    for _ in range(3):
        threads = [threading.Thread(target=run, args=(path,)) for path in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    duplicates = clean_graph.execute_query(
        "MATCH (n) WHERE n.id IS NOT NULL WITH labels(n) AS labels, n.id AS id, count(*) AS copies "
        "WHERE copies > 1 RETURN labels, id"
    )[0]
    assert duplicates == []
    counts = _counts(clean_graph)
    assert counts["Claim"] == 4
    edges = clean_graph.execute_query(
        "MATCH (a)-[r]->(b) WITH a, type(r) AS t, b, count(*) AS copies WHERE copies > 1 RETURN count(*) AS n"
    )[0][0]["n"]
    assert edges == 0


AIRFRAME = """\
eventgraph: 1
equipment_types:
  - {id: il-76md, name: Il-76MD, kind: aircraft_type}
assets:
  - {id: ra-78830, name: RA-78830, kind: aircraft, instance_of: il-76md, registration: RA-78830, icao24: 1514a2}
"""
AIRFRAME_CSV = {
    "equipment_types.csv": "id,name,kind\nil-76md,Il-76MD,aircraft_type\n",
    "assets.csv": "id,name,kind,instance_of,registration,icao24\n"
    "ra-78830,RA-78830,aircraft,il-76md,RA-78830,1514a2\n",
}


def test_an_airframe_icao24_address_is_imported_from_yaml_and_csv_and_exported(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """A property declared once in graph/model.py reaches the graph, CSV and the export."""
    _import(clean_graph, settings, _story(tmp_path, AIRFRAME, "airframe.yaml"))
    stored = clean_graph.execute_query("MATCH (a:Asset {id: 'ra-78830'}) RETURN a.icao24 AS hex")
    assert stored[0][0]["hex"] == "1514a2"
    from_yaml = _export(clean_graph, settings)
    assert yaml.safe_load(from_yaml)["assets"][0]["icao24"] == "1514a2"
    csv = _export_of_csv(clean_graph, settings, AIRFRAME_CSV, tmp_path / "csv")
    assert csv == from_yaml


PAUSE = """\
eventgraph: 1
sources:
  - {id: wire, name: Wire, kind: news_outlet, reliability: B}
events:
  - id: pause
    name: A pause of about six months
    type: hiatus
    time: {start: 2025-03, end: 2025-10-26, precision: interval}
    duration: {amount: 6, unit: month, approximate: true}
    claims:
      - source: wire
        credibility: 2
        paraphrase: Flights stopped for about half a year.
        quote: A made-up quote about a six-month pause.
        grading_note: Made up for the test.
"""
PAUSE_CSV = {
    "sources.csv": "id,name,kind,reliability\nwire,Wire,news_outlet,B\n",
    "events.csv": "id,name,type,start,end,precision,duration_amount,duration_unit,"
    "duration_approximate\n"
    "pause,A pause of about six months,hiatus,2025-03,2025-10-26,interval,6,month,true\n",
    "claims.csv": "target,source,credibility,paraphrase,quote,grading_note\n"
    "pause,wire,2,Flights stopped for about half a year.,"
    "A made-up quote about a six-month pause.,Made up for the test.\n",
}


def test_a_duration_and_a_claims_quote_and_grading_note_round_trip_yaml_csv_and_export(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(clean_graph, settings, _story(tmp_path, PAUSE, "pause.yaml"))
    from_yaml = _export(clean_graph, settings)
    event = yaml.safe_load(from_yaml)["events"][0]
    assert event["duration"] == {"amount": 6, "unit": "month", "approximate": True}
    assert event["claims"][0]["quote"] == "A made-up quote about a six-month pause."
    assert event["claims"][0]["grading_note"] == "Made up for the test."
    found = clean_graph.execute_query(
        "CALL db.index.fulltext.queryNodes('claim_texts', 'made-up AND pause') YIELD node "
        "RETURN node.id AS id"
    )[0]
    assert [row["id"] for row in found] == ["pause/claim-1"]
    csv = _export_of_csv(clean_graph, settings, PAUSE_CSV, tmp_path / "csv")
    assert csv == from_yaml


def test_a_duration_longer_than_its_time_is_refused(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = PAUSE.replace("approximate: true", "approximate: false").replace(
        "start: 2025-03", "start: 2025-09"
    )
    with pytest.raises(InvalidData) as refused:
        _import(clean_graph, settings, _story(tmp_path, text, "too-short.yaml"))
    assert "does not fit between 2025-09-01T00:00:00Z and 2025-10-26" in str(refused.value)
