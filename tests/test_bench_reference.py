"""The @neo4j/graphql reference of the benchmarks answers each shared operation over the seed
story as our API does: the same events, participants, places, claims, hits and counts.

The reference needs APOC. The session's Neo4j is used when it has APOC loaded; otherwise (a
local Neo4j without it, as `make test` starts) the module runs a throwaway Neo4j of its own
with APOC in its plugins, since eventgraph's own Neo4j must not depend on APOC.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from bench import operations
from bench.dataset import Probes
from bench.operations import Operation, Subjects, pick_subjects, reference_documents
from bench.our_server import free_port
from bench.reference import (
    APOC_POM,
    INSTALLED_RECORD,
    ReferenceServer,
    apoc_version,
    install_apoc,
    search_hits,
)
from eventgraph.api.app import create_app
from eventgraph.graph import local_neo4j
from eventgraph.graph.driver import open_driver
from eventgraph.graph.importer import import_paths
from eventgraph.graph.schema import apply_schema
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.graph_store import claim_for_tests, wipe

pytestmark = pytest.mark.lifecycle

STORY = Probes(
    actor="russia",
    actor_a="syrian-rebels",
    actor_b="turkey",
    place="latakia-province",
    site="hmeimim-air-base",
    window_from="2025-10-20T00:00:00Z",
    window_to="2025-10-31T23:59:59Z",
    search_text="Khmeimim OR Ruslan",
    event_type="flight",
)
SHARED = [operation for operation in operations.OPERATIONS if operation.reference]


@dataclass
class Story:
    """The seed story in a Neo4j with APOC, and both GraphQL APIs over it."""

    settings: Settings
    driver: Driver
    subjects: Subjects
    ours: TestClient
    reference_url: str


def _own_apoc_neo4j(settings: Settings) -> Settings:
    """A throwaway local Neo4j beside the session's, with APOC in its plugins."""
    home = settings.neo4j_home.with_name(f"{settings.neo4j_home.name}-apoc")
    own = settings.model_copy(
        update={
            "neo4j_home": home,
            "neo4j_port": free_port(),
            "neo4j_heap": "512m",
            "neo4j_pagecache": "128m",
        }
    )
    install_apoc(home)
    return own


@pytest.fixture(scope="module")
def apoc_neo4j(driver: Driver, settings: Settings) -> Iterator[tuple[Settings, Driver]]:
    """The session's Neo4j if it has APOC loaded, else a throwaway local one that has."""
    if apoc_version(driver, settings.neo4j_database) is not None:
        wipe(driver, settings.neo4j_database)
        yield settings, driver
        wipe(driver, settings.neo4j_database)
        return
    if not settings.uses_local_neo4j:
        pytest.skip(f"{settings.bolt_uri} has no APOC, which the @neo4j/graphql reference needs")
    own = _own_apoc_neo4j(settings)
    local_neo4j.stop(own)  # one left running by an interrupted run holds a stale port
    local_neo4j.start(own)
    try:
        with open_driver(own) as own_driver:
            claim_for_tests(own_driver, own.neo4j_database)
            wipe(own_driver, own.neo4j_database)
            apply_schema(own_driver, own.neo4j_database)
            assert apoc_version(own_driver, own.neo4j_database) is not None
            yield own, own_driver
    finally:
        local_neo4j.stop(own)


@pytest.fixture(scope="module")
def story(
    apoc_neo4j: tuple[Settings, Driver], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Story]:
    settings, driver = apoc_neo4j
    import_paths(driver, settings.neo4j_database, [PROJECT_ROOT / "seeds"], max_bytes=2**24)
    subjects = pick_subjects(driver, settings.neo4j_database, STORY)
    log = tmp_path_factory.mktemp("reference") / "reference.log"
    app_settings = settings.model_copy(update={"anonymous_read": True})
    with (
        ReferenceServer(settings, log_path=log) as reference,
        TestClient(create_app(app_settings)) as ours,
    ):
        yield Story(settings, driver, subjects, ours, reference.url)


def _ours(story: Story, operation: Operation) -> Any:
    response = story.ours.post(
        "/graphql", json={"query": operation.graphql, "variables": operation.ours(story.subjects)}
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"][operation.root_field]


def _reference(story: Story, name: str, variables: dict[str, Any]) -> Any:
    response = httpx.post(
        story.reference_url,
        json={"query": reference_documents()[name], "variables": variables},
        timeout=30,
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def _key(global_id: str) -> str:
    return global_id.split(":", 1)[1]


def _instant(text: str | None) -> datetime | None:
    """A DateTime to the millisecond: the reference's precision (ours gives microseconds)."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _event_ours(event: dict[str, Any]) -> dict[str, Any]:
    """An event of our answer in a shape both answers share (keys, times as instants)."""

    def places(value: Any) -> list[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return [_key(place["id"]) for place in items]

    shared: dict[str, Any] = {
        "id": _key(event["id"]),
        "name": event["name"],
        "type": event["type"],
        "start": _instant(event["time"]["start"]),
        "end": _instant(event["time"]["end"]),
        "precision": event["time"]["precision"],
    }
    if "participants" in event:
        shared["participants"] = [
            (p["role"], _key(p["entity"]["id"]), p["entity"]["name"]) for p in event["participants"]
        ]
        shared["claims"] = [
            (c["reliability"], c["credibility"], c["paraphrase"], c["source"]["name"])
            for c in event["claims"]
        ]
    for place in ("at", "origin", "destination"):
        if place in event:
            shared[place] = places(event[place])
    return shared


def _event_reference(event: dict[str, Any]) -> dict[str, Any]:
    """An event of the reference's answer in the shape `_event_ours` makes."""
    shared: dict[str, Any] = {
        "id": event["id"],
        "name": event["name"],
        "type": event["type"],
        "start": _instant(event["start"]),
        "end": _instant(event["end"]),
        "precision": event["timePrecision"],
    }
    if "participantsConnection" in event:
        shared["participants"] = [
            (edge["properties"]["role"], edge["node"]["id"], edge["node"]["name"])
            for edge in event["participantsConnection"]["edges"]
        ]
        shared["claims"] = [
            (c["reliability"], int(c["credibility"]), c["paraphrase"], source["name"])
            for c in event["claims"]
            for source in c["source"]
        ]
    for place in ("at", "origin", "destination"):
        if place in event:
            shared[place] = [item["id"] for item in event[place]]
    return shared


def test_every_shared_operation_is_in_the_reference_file() -> None:
    assert sorted(operation.reference or "" for operation in SHARED) == sorted(
        name for name in reference_documents() if name
    )


def test_events_page_lists_the_same_events_with_participants_places_and_claims(
    story: Story,
) -> None:
    ours = [_event_ours(event) for event in _ours(story, operations.EVENTS_PAGE)["nodes"]]
    variables = operations.EVENTS_PAGE.variables(story.subjects, "")
    answer = _reference(story, "EventsPage", variables)["events"]
    reference = [_event_reference(event) for event in answer]
    assert len(ours) >= 4  # the An-124 flights and the Il-62M legs of late October
    assert all(event["claims"] and event["participants"] for event in ours)
    assert reference == ours


def test_timeline_lists_the_actors_events_in_the_same_order(story: Story) -> None:
    ours = [_event_ours(event) for event in _ours(story, operations.TIMELINE)["nodes"]]
    variables = operations.TIMELINE.variables(story.subjects, "")
    (actor,) = _reference(story, "Timeline", variables)["actors"]
    reference = [_event_reference(event) for event in actor["events"]]
    # A timeline puts open starts first; @neo4j/graphql's sort can only put nulls last.
    reference = [e for e in reference if e["start"] is None] + [
        e for e in reference if e["start"] is not None
    ]
    assert len(ours) >= 10
    assert any(event["start"] is None for event in ours)  # an open start overlaps the window
    assert reference == ours


def test_search_finds_the_same_nodes_with_the_same_scores(story: Story) -> None:
    ours = {
        _key(hit["node"]["id"]): round(hit["score"], 4) for hit in _ours(story, operations.SEARCH)
    }
    variables = operations.SEARCH.variables(story.subjects, "")
    hits = search_hits(_reference(story, "Search", variables), operations.SEARCH_HITS)
    reference = {hit["node"]["id"]: round(hit["score"], 4) for hit in hits}
    assert {"an-124-100", "hmeimim-air-base"} <= set(ours)  # "Ruslan", "Khmeimim" as aliases
    assert reference == ours


def test_events_count_counts_and_pages_the_same_events(story: Story) -> None:
    ours = _ours(story, operations.EVENTS_COUNT)
    variables = operations.EVENTS_COUNT.variables(story.subjects, "")
    (actor,) = _reference(story, "EventsCount", variables)["actors"]
    connection = actor["eventsConnection"]
    assert ours["totalCount"] >= 10
    assert connection["totalCount"] == ours["totalCount"]
    assert [edge["node"]["id"] for edge in connection["edges"]] == [
        _key(node["id"]) for node in ours["nodes"]
    ]


def test_node_answers_the_same_event(story: Story) -> None:
    ours = _event_ours(_ours(story, operations.NODE))
    variables = operations.NODE.variables(story.subjects, "")
    (event,) = _reference(story, "Node", variables)["events"]
    assert ours["id"] == story.subjects.event and ours["claims"]
    assert _event_reference(event) == ours


@pytest.fixture
def recorded(story: Story) -> Iterator[dict[str, Any]]:
    """RecordEvent's variables; the flight it records is deleted afterwards."""
    variables = operations.RECORD_EVENT.variables(story.subjects, "reference-test")
    yield variables
    story.driver.execute_query(
        "MATCH (e:Event {id: $id}) OPTIONAL MATCH (e)<-[:SUPPORTS]-(c:Claim) DETACH DELETE e, c",
        id=variables["id"],
        database_=story.settings.neo4j_database,
    )


def test_record_event_stores_a_flight_our_api_reads_back(
    story: Story, recorded: dict[str, Any]
) -> None:
    variables = recorded
    answer = _reference(story, "RecordEvent", variables)["createEvents"]["events"]
    assert answer == [{"id": variables["id"]}]
    node = story.ours.post(
        "/graphql",
        json={"query": operations.NODE.graphql, "variables": {"id": f"Event:{variables['id']}"}},
    ).json()
    assert "errors" not in node, node
    flight = _event_ours(node["data"]["node"])
    assert flight["type"] == "flight" and flight["name"] == variables["name"]
    given = datetime.fromisoformat(variables["start"].replace("Z", "+00:00"))
    assert flight["start"] == (given if given.tzinfo else given.replace(tzinfo=UTC))
    assert flight["participants"][:2] == [
        ("operator", story.subjects.probes.actor, flight["participants"][0][2]),
        ("aircraft", story.subjects.aircraft, flight["participants"][1][2]),
    ]
    (claim,) = flight["claims"]
    assert claim[1:3] == (2, variables["paraphrase"])
    destination = story.driver.execute_query(
        "MATCH (:Event {id: $id})-[:DESTINATION]->(d) RETURN d.id AS id",
        id=variables["id"],
        database_=story.settings.neo4j_database,
    )[0]
    assert [record["id"] for record in destination] == [variables["destination"]]


def test_the_reference_refuses_introspection(story: Story) -> None:
    response = httpx.post(story.reference_url, json={"query": "{ __schema { types { name } } }"})
    assert "data" not in response.json() or response.json()["data"] is None
    assert response.json()["errors"]


def test_install_apoc_replaces_what_it_installed_and_nothing_else(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "someone-elses-plugin-1.0.jar").write_bytes(b"not ours")
    (plugins / "apoc-core-5.26.0.jar").write_bytes(b"an older one of ours")
    (plugins / INSTALLED_RECORD).write_text(json.dumps(["apoc-core-5.26.0.jar"]))
    assert install_apoc(tmp_path) is True
    installed = {path.name for path in plugins.glob("*.jar")}
    version = re.search(r"<apoc.version>(.+?)</apoc.version>", APOC_POM.read_text())
    assert version is not None
    assert {f"apoc-core-{version[1]}.jar", f"apoc-common-{version[1]}.jar"} <= installed
    assert "someone-elses-plugin-1.0.jar" in installed
    assert "apoc-core-5.26.0.jar" not in installed
    assert install_apoc(tmp_path) is False
