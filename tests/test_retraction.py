"""A retracted event appears nowhere: per read field, on both GraphQL paths, and in the feed.

The seed story plus four events of its own (`RETRACTION_FIXTURE`) is asked every question once
before three events are retracted and once after: one of the three An-124 flights (a part of
the airlift, at Latakia airport, involving Russia and the aircraft type, in `search`) and two
fixture events that others point at (`partOf`, `about`, `ends`). Each field must answer
exactly as before, minus the retracted events, with its counts down by as many.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.exporting import dump_document, export_document
from eventgraph.graph.importer import import_paths, import_records
from eventgraph.graph.retraction import retract_event
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.graph_store import wipe
from tests.helpers import ask, next_recorded, subscribed

FLIGHT = "hmeimim-2025-an124-flight-3"
RETRACTED = (FLIGHT, "rt-parent", "rt-ended")

RETRACTION_FIXTURE = """\
eventgraph: 1
events:
  - id: rt-parent
    name: Retraction test operation
    type: airlift
    time: {start: 2025-10-25, precision: day}
    claims: [{source: bloomberg, credibility: "3", paraphrase: An operation.}]
  - id: rt-ended
    name: Retraction test pause
    type: hiatus
    time: {start: 2025-09, precision: month}
    claims: [{source: bloomberg, credibility: "3", paraphrase: A pause.}]
  - id: rt-child
    name: Retraction test flight
    type: flight
    time: {start: 2025-10-25, precision: day}
    part_of: [hmeimim-2025-airlift, rt-parent]
    ends: [hmeimim-2025-flight-hiatus, rt-ended]
    claims: [{source: bloomberg, credibility: "3", paraphrase: A flight.}]
  - id: rt-statement
    name: Retraction test statement
    type: statement
    time: {start: 2025-10-28, precision: day}
    about: [hmeimim-2025-airlift, rt-parent]
    claims: [{source: bloomberg, credibility: "3", paraphrase: A statement.}]
"""


def _key(global_id: str) -> str:
    return global_id.partition(":")[2]


def _node_keys(data: dict[str, Any], field: str, *path: str) -> list[str]:
    """Keys of the events under `node` alias `field`, following `path` (a list field)."""
    value = data[field]
    if value is None:
        return []
    return [item["key"] for item in value[path[0]]] if path else [value["key"]]


Case = tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]
"""A query and what to compare of its answer: named lists of event keys, and counts."""

CASES: dict[str, Case] = {
    "events": (
        """{
          all: events(first: 100) { totalCount nodes { key } edges { node { key } } }
          flights: events(filter: {types: [flight]}) { totalCount nodes { key } }
          russia: events(filter: {involving: "Actor:russia", window: {from: "2025-10-20"}}) {
            totalCount nodes { key } }
          there: events(filter: {at: "Location:latakia-province"}) { totalCount nodes { key } }
        }""",
        lambda d: {
            "all": [n["key"] for n in d["all"]["nodes"]],
            "all edges": [e["node"]["key"] for e in d["all"]["edges"]],
            **{
                name: [n["key"] for n in d[name]["nodes"]]
                for name in ("all", "flights", "russia", "there")
            },
            **{
                f"{name} total": d[name]["totalCount"]
                for name in ("all", "flights", "russia", "there")
            },
        },
    ),
    "node": (
        """{
          flight: node(id: "Event:hmeimim-2025-an124-flight-3") { ... on Event { key } }
          parent: node(id: "Event:rt-parent") { ... on Event { key } }
        }""",
        lambda d: {
            "flight": _node_keys(d, "flight"),
            "parent": _node_keys(d, "parent"),
        },
    ),
    "search": (
        '{ search(text: "An-124 OR Retraction", first: 50) { node { id } } }',
        lambda d: {"hits": [_key(hit["node"]["id"]) for hit in d["search"]]},
    ),
    "timeline": (
        '{ timeline(entity: "Actor:russia") { nodes { key } } }',
        lambda d: {"timeline": [event["key"] for event in d["timeline"]["nodes"]]},
    ),
    "parts": (
        '{ airlift: node(id: "Event:hmeimim-2025-airlift") { ... on Event { key parts { key } } } }',
        lambda d: {"parts": _node_keys(d, "airlift", "parts")},
    ),
    "partOf": (
        '{ child: node(id: "Event:rt-child") { ... on Event { key partOf { key } } } }',
        lambda d: {"partOf": _node_keys(d, "child", "partOf")},
    ),
    "about": (
        '{ said: node(id: "Event:rt-statement") { ... on Event { key about { key } } } }',
        lambda d: {"about": _node_keys(d, "said", "about")},
    ),
    "ends": (
        '{ child: node(id: "Event:rt-child") { ... on Event { key ends { key } } } }',
        lambda d: {"ends": _node_keys(d, "child", "ends")},
    ),
    "nested in a list": (
        """{ events(filter: {types: [flight, statement]}, first: 100) {
              nodes { key partOf { key } about { key } ends { key } } } }""",
        lambda d: {
            f"{event['key']} {name}": [other["key"] for other in event[name]]
            for event in d["events"]["nodes"]
            if event["key"] not in RETRACTED
            for name in ("partOf", "about", "ends")
        },
    ),
    "neighborhood": (
        """{ neighborhood(id: "EquipmentType:an-124-100") {
              nodes { id } relationships { from to } } }""",
        lambda d: {
            "nodes": [_key(node["id"]) for node in d["neighborhood"]["nodes"]],
            "relationships": [
                f"{_key(r['from'])}>{_key(r['to'])}" for r in d["neighborhood"]["relationships"]
            ],
        },
    ),
    "paths": (
        """{ paths(from: "EquipmentType:an-124-100", to: "Asset:latakia-airport") {
              nodes { id } } }""",
        lambda d: {
            "via": [_key(path["nodes"][1]["id"]) for path in d["paths"]],
            "paths": len(d["paths"]),
        },
    ),
    "coInvolvement": (
        '{ coInvolvement(a: "Actor:russia", b: "EquipmentType:an-124-100") { key } }',
        lambda d: {
            "events": [event["key"] for event in d["coInvolvement"]],
            "count": len(d["coInvolvement"]),
        },
    ),
    "activity": (
        """{
          october: activity(bucket: MONTH, window: {from: "2025-10", to: "2025-10"},
                            entity: "Actor:russia") { buckets { count } }
          november: activity(bucket: MONTH, window: {from: "2025-11", to: "2025-11"},
                             entity: "Actor:russia") { baseline { mean } }
        }""",
        lambda d: {
            "october count": d["october"]["buckets"][0]["count"],
            "baseline mean": d["november"]["baseline"]["mean"],
        },
    ),
}

DROPS = {
    "all total": 3,
    "flights total": 1,
    "russia total": 1,
    "there total": 1,
    "paths": 1,
    "count": 1,
    "october count": 1,
    "baseline mean": 1,
}
"""How much each count drops: of the three retracted events only the An-124 flight involves
Russia and the aircraft type and went to Latakia; all three are among all events."""


@pytest.fixture(scope="module")
def answers(
    story_to_extend: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[tuple[str, bool], dict[str, Any]]]]:
    """A client over the story after the retractions, and every case's answer before them."""
    driver = story_to_extend
    fixture = tmp_path_factory.mktemp("retraction") / "retraction.yaml"
    fixture.write_text(RETRACTION_FIXTURE, encoding="utf-8")
    import_paths(driver, settings.neo4j_database, [fixture], max_bytes=2**24)
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        before = {
            (name, fast): _read(client, query, fast)
            for name, (query, _) in CASES.items()
            for fast in (True, False)
        }
        for key in RETRACTED:
            retract_event(driver, settings.neo4j_database, key, "Test: taken back.", "tester")
        yield client, before


def _read(client: TestClient, query: str, fast: bool) -> dict[str, Any]:
    response = ask(client, query, fast=fast)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def _without_retracted(value: Any) -> Any:
    if isinstance(value, list):
        return [item for item in value if not any(key in str(item).split(">") for key in RETRACTED)]
    return value


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "standard"])
@pytest.mark.parametrize("field", list(CASES))
def test_a_retracted_event_is_gone_from_every_field(
    answers: tuple[TestClient, dict[tuple[str, bool], dict[str, Any]]], field: str, fast: bool
) -> None:
    client, before_answers = answers
    query, compared = CASES[field]
    before = compared(before_answers[field, fast])
    after = compared(_read(client, query, fast))
    reached = [
        name
        for name, value in before.items()
        if name in DROPS or _without_retracted(value) != value
    ]
    assert reached, f"{field}: the fixture reaches no retracted event, so this proves nothing"
    for name, value in before.items():
        if isinstance(value, list):
            assert after[name] == _without_retracted(value), f"{field}: {name}"
        else:
            assert after[name] == value - DROPS[name], f"{field}: {name}"


def test_both_paths_agree_after_retraction(
    answers: tuple[TestClient, dict[tuple[str, bool], dict[str, Any]]],
) -> None:
    client, _ = answers
    for query, _compared in CASES.values():
        assert _read(client, query, fast=True) == _read(client, query, fast=False)


def _flight(key: str, name: str) -> tuple[str, dict[str, Any]]:
    time = {"start": "2025-11-03", "precision": "day"}
    claims = [{"source": "wire", "credibility": 2, "paraphrase": "Seen."}]
    return "events", {"id": key, "type": "flight", "name": name, "time": time, "claims": claims}


def test_a_retracted_event_is_not_delivered_to_subscribers(
    clean_graph: Driver, settings: Settings
) -> None:
    """A retracted event that changes again (a re-import moves its `updated_at`) stays out of
    `eventRecorded`; the next event recorded is the first one the subscriber hears of."""
    driver, database = clean_graph, settings.neo4j_database
    wire = ("sources", {"id": "wire", "name": "Wire", "kind": "news_outlet", "reliability": "B"})
    import_records(driver, database, [wire, _flight("taken-back", "A flight")], "test")
    retract_event(driver, database, "taken-back", "Test: a duplicate.", "tester")
    subscription = "subscription { eventRecorded(filter: {types: [flight]}) { key } }"
    with subscribed(settings, subscription) as (_, ws):
        import_records(driver, database, [_flight("taken-back", "A flight, renamed")], "test")
        import_records(driver, database, [_flight("kept", "Another flight")], "test")
        assert next_recorded(ws) == {"key": "kept"}
    changed = driver.execute_query(
        "MATCH (e:Event {id: 'taken-back'}) RETURN e.name AS name", database_=database
    )[0]
    assert changed[0]["name"] == "A flight, renamed", "the retracted event did not change"


def test_recording_a_retracted_event_again_keeps_who_retracted_it_and_why(
    clean_graph: Driver, settings: Settings
) -> None:
    """A re-import replaces an event's properties; the retraction's audit is not one of them."""
    driver, database = clean_graph, settings.neo4j_database
    wire = ("sources", {"id": "wire", "name": "Wire", "kind": "news_outlet", "reliability": "B"})
    import_records(driver, database, [wire, _flight("taken-back", "A flight")], "test")
    when = retract_event(driver, database, "taken-back", "Test: a duplicate.", "tester")
    import_records(driver, database, [_flight("taken-back", "A flight, renamed")], "test")
    stored = driver.execute_query(
        "MATCH (e:Event {id: 'taken-back'}) RETURN e.name AS name, labels(e) AS labels, "
        "e.retracted_at AS at, e.retracted_by AS by, e.retraction_reason AS reason",
        database_=database,
    )[0][0]
    assert stored["name"] == "A flight, renamed"
    assert "Retracted" in stored["labels"]
    assert (stored["at"].to_native(), stored["by"], stored["reason"]) == (
        when,
        "tester",
        "Test: a duplicate.",
    )


SPELLED_LABEL = re.compile(r"""[:`'"]Retracted\b""")
"""The label as Cypher or a label list would spell it (`e:Retracted`, `'Retracted'` …)."""


def test_no_read_spells_the_retracted_label_itself() -> None:
    """Cypher reaches `:Retracted` only through `not_retracted` (and the label constant), so no
    read can leave it out in its own way, or forget it in a copy."""
    spelled = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("graph", "api")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if path.name != "ontology.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SPELLED_LABEL.search(line)
    ]
    assert spelled == []


def test_an_export_leaves_retracted_events_and_references_to_them_out(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Exported without its retraction, an event would come back as an ordinary one; so it is
    not exported, nor is the airlift's `ends` pointing at it, and the export imports cleanly."""
    driver, database = fresh_story, settings.neo4j_database
    for key in (FLIGHT, "hmeimim-2025-flight-hiatus"):
        retract_event(driver, database, key, "Test: taken back.", "tester")
    exported = export_document(driver, database)
    events = {event["id"]: event for event in exported["events"]}
    assert FLIGHT not in events and "hmeimim-2025-flight-hiatus" not in events
    assert "ends" not in events["hmeimim-2025-airlift"]
    text = dump_document(exported, "yaml")
    assert FLIGHT not in text
    backup = tmp_path / "backup.yaml"
    backup.write_text(text, encoding="utf-8")
    wipe(driver, database)
    import_paths(driver, database, [backup], max_bytes=2**24)
    assert export_document(driver, database) == exported
