"""Exports: slices found through the indexes give what filtering the whole graph gave; CSV,
GraphML and JSON Lines load in their consumers (the CSV import, networkx, a JSON reader)."""

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx
import pytest
from neo4j import Driver

from eventgraph.api.errors import Exit
from eventgraph.graph import exporting, slices
from eventgraph.graph.errors import Conflict
from eventgraph.graph.export import graphml, jsonl, tables
from eventgraph.graph.exporting import Snapshot, document_of, export_document, read_snapshot
from eventgraph.graph.importer import import_paths
from eventgraph.graph.retraction import retract_event
from eventgraph.graph.settings import Settings
from tests.graph_store import SeedStory, wipe
from tests.helpers import EXPORTING_DOC, jsonl_examples, run_cli

EDGES_STORY = """\
eventgraph: 1
locations:
  - {id: syria, name: Syria, kind: country}
  - {id: hmeimim, name: "Hmeimim\\r\\nsite", kind: site, within: syria, point: {lat: 35.4011, lon: 35.9486, precision: site, uncertainty_km: 2.5}}
actors:
  - {id: russia, name: Russia, kind: state, aliases: [Russian Federation, RF], external_ids: [{scheme: wikidata, value: Q159}, {scheme: cameo_actor, value: RUS}]}
  - {id: rebels, name: "Syrian rebels\\u2028(armed)", kind: armed_group}
  - {id: turkey, name: Turkey, kind: state}
  - {id: ru-official, name: Russian official, kind: person, anonymous: true}
equipment_types:
  - {id: an-124-100, name: An-124-100 Ruslan, kind: aircraft_type}
assets:
  - {id: base, name: Hmeimim Air Base, kind: air_base, located_at: hmeimim}
  - {id: ra-82010, name: RA-82010, kind: aircraft, instance_of: an-124-100, registration: RA-82010, icao24: 1519a4}
sources:
  - {id: bloomberg, name: Bloomberg, kind: news_outlet, reliability: B, reliability_note: Established.}
  - {id: official, name: Russian official, kind: official, anonymous: true, actor: ru-official, reliability: F}
  - {id: tracker, name: Flight tracker, kind: data_service, reliability: B}
reports:
  - {id: article, name: Flights resume, kind: article, publisher: bloomberg, url: "https://example.org/a", published: {start: 2025-10-30, precision: day}}
  - {id: copy, name: Flights resume (syndicated), kind: article, repeats: article}
events:
  - id: airlift
    type: airlift
    name: Airlift
    time: {start: 2025-10-24, end: 2025-10-31, precision: interval, year_assumed: true}
    destination: base
    claims:
      - {source: bloomberg, report: article, credibility: 2, paraphrase: Several flights}
  - id: flight-1
    type: flight
    name: Flight one
    time: {start: 2025-10-24, end: 2025-10-27, precision: interval, year_assumed: true, note: one of three}
    destination: base
    part_of: [airlift]
    participants:
      - {role: operator, ref: russia}
      - {role: aircraft, ref: ra-82010}
    claims:
      - {source: bloomberg, report: article, credibility: 2, paraphrase: One flight, quote: "An An-124 flew", reported_on: 2025-10-30}
      - {source: official, report: article, reliability: F, credibility: 3, paraphrase: Routine, grading_note: unnamed}
  - id: flight-2
    type: flight
    name: Flight two
    time: {start: "2025-11-10T08:00:00Z", end: "2025-11-10T12:30:00Z", precision: exact}
    at: [base, hmeimim]
    participants:
      - {role: aircraft, ref: an-124-100}
    claims:
      - {id: flight-2-tracked, source: bloomberg, report: copy, based_on: [tracker], credibility: 3, paraphrase: Tracked}
  - id: statement
    type: statement
    name: Ministry statement
    time: {start: 2025-12-01, precision: day}
    about: [flight-2]
    participants:
      - {role: speaker, ref: ru-official}
    claims:
      - {source: official, credibility: 4, paraphrase: Said so}
  - id: campaign
    type: deployment
    name: The campaign
    time: {start: 2015-09-30, precision: interval}
    duration: {amount: 10, unit: year, approximate: true}
    participants:
      - {role: operator, ref: russia}
    claims:
      - {source: bloomberg, credibility: 2, paraphrase: Since 2015}
  - id: before
    type: attack
    name: An attack long ago
    time: {end: 2010-01-01, precision: interval}
    participants:
      - {role: perpetrator, ref: rebels}
    claims:
      - {source: bloomberg, credibility: 5, paraphrase: Some time before 2010}
  - id: taken-back
    type: flight
    name: A flight taken back
    time: {start: 2025-10-25, precision: day}
    part_of: [airlift]
    participants:
      - {role: operator, ref: turkey}
    claims:
      - {source: official, credibility: 6, paraphrase: Wrong}
relations:
  - id: russia-operates-base
    type: operates
    from: russia
    to: base
    since: 2015
    claims:
      - {source: bloomberg, report: article, credibility: 2, paraphrase: Since 2015}
  - id: turkey-supports-rebels
    type: supports
    from: turkey
    to: rebels
    since: 2012-03
    until: 2020
    claims:
      - {source: bloomberg, credibility: 3, paraphrase: For years}
  - id: russia-opposes-rebels
    type: opposes
    from: russia
    to: rebels
    claims:
      - {source: official, credibility: 2, paraphrase: Always}
  - id: turkey-opposes-russia
    type: opposes
    from: turkey
    to: russia
    until: 2016-06
    claims:
      - {source: bloomberg, credibility: 3, paraphrase: Until the apology}
"""
"""Every way a time can be open or closed, a retracted event, claims of every shape, and text
that GraphML and JSON Lines readers would mangle (a carriage return, U+2028)."""

WINDOWS = [
    (datetime(2025, 10, 28, tzinfo=UTC), datetime(2025, 10, 29, tzinfo=UTC)),
    (datetime(2025, 11, 1, tzinfo=UTC), None),
    (None, datetime(2014, 1, 1, tzinfo=UTC)),
    (datetime(2016, 1, 1, tzinfo=UTC), datetime(2016, 12, 31, tzinfo=UTC)),
    (datetime(2030, 1, 1, tzinfo=UTC), None),
    (None, None),
]


# ---- the old semantics, written plainly: filter a snapshot of the whole graph ------------------


def _overlaps(start: Any, end: Any, since: Any, until: Any) -> bool:
    return (until is None or start is None or start <= until) and (
        since is None or end is None or end >= since
    )


def _old_slice(whole: Snapshot, since: Any, until: Any, entity: str | None) -> set[str]:
    """The ids the export held when it filtered a full snapshot in Python."""
    seeds: set[str] = set()
    for label, (first, last) in slices.SPANS.items():
        for node_id, props in whole.nodes[label].items():
            targets = {edge["target"] for edge in whole.edges.get(node_id, [])}
            if _overlaps(props.get(first), props.get(last), since, until) and (
                entity is None or entity in targets
            ):
                seeds.add(node_id)
    if entity is not None:
        seeds.add(entity)
    selected, frontier = set(seeds), list(seeds)
    while frontier:
        node_id = frontier.pop()
        refs = {edge["target"] for edge in whole.edges.get(node_id, [])}
        for claim in whole.claims.get(node_id, []):
            refs |= {claim["source"], claim["report"], *claim["based_on"]} - {None}
        frontier.extend(refs - selected)
        selected |= refs
    return selected


def _filtered(document: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    kept = {
        key: [record for record in records if record["id"] in ids]
        for key, records in document.items()
        if isinstance(records, list)
    }
    return {"eventgraph": document["eventgraph"], **{k: v for k, v in kept.items() if v}}


def _assert_slices_match_the_old_filter(
    driver: Driver, database: str, entities: list[str | None]
) -> int:
    whole = read_snapshot(driver, database)
    everything = document_of(whole)
    compared = 0
    for since, until in WINDOWS:
        for entity in entities:
            if since is None and until is None and entity is None:
                continue
            expected = _filtered(everything, _old_slice(whole, since, until, entity))
            assert export_document(driver, database, since, until, entity) == expected, (
                since,
                until,
                entity,
            )
            compared += 1
    return compared


def test_slices_of_the_seed_story_match_the_old_filter(
    seed_story: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    entities = [
        row["id"]
        for row in seed_story.execute_query(
            "MATCH (n) WHERE n:Actor OR n:Asset OR n:EquipmentType OR n:Location OR n:Event "
            "RETURN n.id AS id ORDER BY id",
            database_=database,
        )[0]
    ]
    assert len(entities) > 20
    assert _assert_slices_match_the_old_filter(seed_story, database, [None, *entities]) > 100


def test_the_exporting_docs_examples_are_what_the_seed_story_exports(
    seed_story: Driver, settings: Settings
) -> None:
    """docs/exporting.md's JSON Lines lines (properties shortened) and networkx example."""
    snapshot = read_snapshot(seed_story, settings.neo4j_database)
    text = io.StringIO()
    jsonl.write(snapshot, text)
    exported = [json.loads(line) for line in text.getvalue().splitlines()]
    for example in jsonl_examples():
        same = [
            item
            for item in exported
            if {k: v for k, v in item.items() if k != "properties"}
            == {k: v for k, v in example.items() if k != "properties"}
        ]
        assert len(same) == 1, example
        properties = same[0]["properties"]
        assert example["properties"].items() <= properties.items(), (example, properties)
    written = io.StringIO()
    graphml.write(snapshot, written)
    graph = networkx.read_graphml(io.BytesIO(written.getvalue().encode()), force_multigraph=True)
    node, value = re.findall(
        r'graph\.nodes\["([^"]+)"\]\["start"\]  # \'([^\']+)\'', EXPORTING_DOC
    )[0]
    assert graph.nodes[node]["start"] == value


@pytest.fixture(scope="module")
def edges_story(
    driver: Driver,
    settings: Settings,
    shared_story: SeedStory,
    tmp_path_factory: pytest.TempPathFactory,
) -> Driver:
    """The test driver over EDGES_STORY, with `taken-back` retracted (tests only read it)."""
    shared_story.spoil()
    wipe(driver, settings.neo4j_database)
    path = tmp_path_factory.mktemp("edges") / "story.yaml"
    path.write_text(EDGES_STORY, encoding="utf-8")
    import_paths(driver, settings.neo4j_database, [path], max_bytes=2**24)
    retract_event(driver, settings.neo4j_database, "taken-back", "Test: wrong.", "tester")
    return driver


def test_slices_with_open_times_and_a_retracted_event_match_the_old_filter(
    edges_story: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    entities: list[str | None] = [None, "russia", "rebels", "turkey", "an-124-100", "base"]
    entities += ["hmeimim", "flight-2", "airlift", "ru-official"]
    _assert_slices_match_the_old_filter(edges_story, database, entities)
    window = export_document(edges_story, database, since=datetime(2025, 10, 28, tzinfo=UTC))
    assert [event["id"] for event in window["events"]] == [
        "airlift",
        "campaign",
        "flight-2",
        "statement",
    ]
    assert [relation["id"] for relation in window["relations"]] == [
        "russia-operates-base",
        "russia-opposes-rebels",
    ]
    by_turkey = export_document(edges_story, database, entity="turkey")
    assert "events" not in by_turkey  # its one event is retracted
    assert {r["id"] for r in by_turkey["relations"]} == {
        "turkey-opposes-russia",
        "turkey-supports-rebels",
    }


def _operators(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield plan["operatorType"].split("@")[0], str(plan.get("args", {}).get("Details", ""))
    for child in plan.get("children", []):
        yield from _operators(child)


def _plan(driver: Driver, database: str, query: str, **parameters: Any) -> list[tuple[str, str]]:
    summary = driver.execute_query(f"EXPLAIN {query}", parameters, database_=database)[1]
    assert summary.plan is not None
    return list(_operators(summary.plan))


@pytest.mark.parametrize("window", WINDOWS[:4], ids=["both", "since", "until", "a-year"])
def test_the_seed_queries_seek_the_indexes_and_scan_no_events(
    edges_story: Driver, settings: Settings, window: slices.Window
) -> None:
    """The honest test of "uses the indexes": the plans Neo4j makes for the seed queries."""
    database = settings.neo4j_database
    parameters = {**slices.window_parameters(window), "labels": list(slices.RECORD_LABELS)}
    events = _plan(edges_story, database, slices.event_seed_query(window), **parameters)
    relations = _plan(edges_story, database, slices.relation_seed_query(window), **parameters)
    entity = _plan(
        edges_story, database, slices.entity_seed_query(window), entity="russia", **parameters
    )
    closure = _plan(edges_story, database, slices.REFERENCES, ids=["x"], labels=["Actor"])
    reads = [  # how a slice's events and their edges and claims are read
        template.format(head=exporting._SLICED[template].format(label="Event"))
        for template in (exporting._NODES, exporting._EDGES, exporting._CLAIMS)
    ]
    nodes = [
        step
        for read in reads
        for step in _plan(edges_story, database, read, ids=["x"], labels=["Event"])
    ]
    # Events are found through the start index, never by their label. Whether Neo4j seeks
    # it (`NodeIndexSeek`) or reads it in order and filters (`NodeIndexScan`) is its choice by
    # statistics: on this story's handful of events both cost the same, and a CI run saw it
    # pick the scan even for a window with a start. Either reads the index, not the events.
    start_index = "NodeIndex"
    for plan in (events, relations, entity, closure, nodes):
        scans = [(op, details) for op, details in plan if "Scan" in op]
        # Only the long-span events are found by label (`LongSpan&Event&!Retracted`), never
        # all events; relations open at both ends are the one scan of the Relation label.
        assert not [
            (op, details)
            for op, details in scans
            if op == "AllNodesScan"
            or (
                "Event" in details
                and "LongSpan" not in details
                and not (op == "NodeIndexScan" and ":Event(start)" in details)
            )
        ], plan
    assert any(op.startswith(start_index) and ":Event(start)" in d for op, d in events), events
    assert any(op.startswith("NodeIndexSeek") for op, _ in relations), relations
    assert any(op == "NodeUniqueIndexSeek" for op, _ in entity), entity
    assert any(op == "NodeByElementIdSeek" for op, _ in closure), closure


def test_graphml_reads_in_networkx_with_every_node_edge_and_typed_attribute(
    edges_story: Driver, settings: Settings
) -> None:
    snapshot = read_snapshot(edges_story, settings.neo4j_database)
    text = io.StringIO()
    graphml.write(snapshot, text)
    graph = networkx.read_graphml(io.BytesIO(text.getvalue().encode()), force_multigraph=True)
    labels = [data["label"] for _, data in graph.nodes(data=True)]
    claims = sum(len(rows) for rows in snapshot.claims.values())
    assert {label: labels.count(label) for label in set(labels)} == {
        "Location": 2,
        "Actor": 4,
        "EquipmentType": 1,
        "Asset": 2,
        "Source": 3,
        "Report": 2,
        "Event": 6,  # the retracted one left out
        "Relation": 4,
        "Claim": claims,
    }
    assert claims == 11
    hmeimim = graph.nodes["Location:hmeimim"]
    assert hmeimim["name"] == "Hmeimim\r\nsite"  # the carriage return survives XML
    assert (hmeimim["lat"], hmeimim["lon"], hmeimim["point_uncertainty_km"]) == (
        35.4011,
        35.9486,
        2.5,
    )
    assert json.loads(graph.nodes["Actor:russia"]["aliases"]) == ["Russian Federation", "RF"]
    ids = json.loads(graph.nodes["Actor:russia"]["external_ids"])
    assert ids == ["cameo_actor:RUS", "wikidata:Q159"], "as the CSV cell gives them"
    assert "external_ids" not in graph.nodes["Actor:turkey"]
    assert graph.nodes["Actor:ru-official"]["anonymous"] is True
    campaign = graph.nodes["Event:campaign"]
    assert campaign["start"] == "2015-09-30T00:00:00+00:00" and "end" not in campaign
    assert campaign["duration_amount"] == 10 and campaign["duration_approximate"] is True
    claim = graph.nodes["Claim:flight-1/claim-1"]
    assert (claim["credibility"], claim["reported_on"], claim["position"]) == ("2", "2025-10-30", 0)
    involves = graph.get_edge_data("Event:flight-1", "Actor:russia")
    assert [(e["type"], e["role"], e["position"]) for e in involves.values()] == [
        ("INVOLVES", "operator", 0)
    ]
    assert {
        e["type"] for e in graph.get_edge_data("Claim:flight-1/claim-2", "Source:official").values()
    } == {"SOURCED_FROM"}
    assert graph.has_edge("Claim:flight-1/claim-2", "Event:flight-1")
    assert graph.has_edge("Claim:flight-1/claim-2", "Report:article")
    assert graph.has_edge("Claim:flight-2-tracked", "Source:tracker")  # BASED_ON
    assert graph.has_edge("Report:copy", "Report:article")  # REPEATS
    assert graph.number_of_edges() == sum(1 for _ in text.getvalue().splitlines() if "<edge " in _)


def test_jsonl_is_one_object_a_line_nodes_before_the_edges_that_join_them(
    edges_story: Driver, settings: Settings
) -> None:
    snapshot = read_snapshot(edges_story, settings.neo4j_database, entity="rebels")
    text = io.StringIO()
    jsonl.write(snapshot, text)
    lines = text.getvalue().splitlines()  # splits at U+2028 too: it must be escaped
    items = [json.loads(line) for line in lines]
    nodes = {item["id"]: item for item in items if item["type"] == "node"}
    edges = [item for item in items if item["type"] == "edge"]
    assert len(nodes) + len(edges) == len(items)
    assert items.index(edges[0]) == len(nodes), "nodes come first"
    assert all(edge["from"] in nodes and edge["to"] in nodes for edge in edges)
    assert {key for key in nodes if key.startswith("Event:")} == {"Event:before"}
    assert nodes["Actor:rebels"]["properties"]["name"] == "Syrian rebels\u2028(armed)"
    assert nodes["Actor:russia"]["properties"]["aliases"] == ["Russian Federation", "RF"]
    assert nodes["Actor:russia"]["properties"]["external_ids"] == [
        "cameo_actor:RUS",
        "wikidata:Q159",
    ]
    assert nodes["Event:before"]["properties"]["end"] == "2010-01-01T23:59:59.999999+00:00"
    assert {"type": "edge", "label": "INVOLVES", "from": "Event:before", "to": "Actor:rebels",
            "properties": {"role": "perpetrator", "position": 0}} in edges  # fmt: skip


def test_csv_refuses_a_list_item_that_holds_the_separator(tmp_path: Path) -> None:
    document = {"actors": [{"id": "a", "name": "A", "kind": "state", "aliases": ["x;y"]}]}
    with pytest.raises(Conflict, match=r"actors 'a'.aliases: list item 'x;y'"):
        tables.write(document, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("arguments", "said", "code"),
    [
        (
            ["--format", "csv"],
            "--format csv writes a folder of files: give the folder as PATH",
            Exit.USAGE,
        ),
        (["--format", "xml"], "--format must be one of yaml, json", Exit.USAGE),
        (["--format", "csv", "{full}"], "is a folder that is not empty", Exit.USAGE),
        (
            ["--format", "jsonl", "--entity", "no-such-node"],
            "no node with id 'no-such-node'",
            Exit.NOT_FOUND,
        ),
    ],
    ids=["csv-without-path", "unknown-format", "folder-not-empty", "unknown-entity"],
)
def test_export_mistakes_are_told_with_their_exit_codes(
    tmp_path: Path, arguments: list[str], said: str, code: int
) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    result = run_cli("export", *[a.format(full=full) for a in arguments])
    assert result.returncode == code, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in full.iterdir()] == ["keep.txt"]


def test_csv_export_imports_back_to_the_same_graph(
    edges_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    """export csv → wipe → import the folder → the native export is the same (here through
    the command line, a one-week slice and the whole graph)."""
    database = settings.neo4j_database
    before = export_document(edges_story, database)
    week = export_document(edges_story, database, datetime(2025, 11, 8, tzinfo=UTC),
                           datetime(2025, 11, 15, tzinfo=UTC))  # fmt: skip
    folder = tmp_path / "tables"
    result = run_cli("export", "--format", "csv", str(folder))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "actors.csv",
        "assets.csv",
        "claims.csv",
        "equipment_types.csv",
        "events.csv",
        "locations.csv",
        "participants.csv",
        "relations.csv",
        "reports.csv",
        "sources.csv",
    ]
    with (folder / "actors.csv").open(newline="") as handle:
        actors = {row["id"]: row for row in csv.DictReader(handle)}
    assert actors["russia"]["external_ids"] == "cameo_actor:RUS;wikidata:Q159"
    sliced = tmp_path / "week"
    tables.write(week, sliced)
    wipe(edges_story, database)
    import_paths(edges_story, database, [folder], max_bytes=2**24)
    assert export_document(edges_story, database) == before
    wipe(edges_story, database)
    import_paths(edges_story, database, [sliced], max_bytes=2**24)
    assert export_document(edges_story, database) == week
