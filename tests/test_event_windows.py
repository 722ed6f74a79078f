"""Window filters find every event whose time overlaps the window, short or long, open or not:
short events are sought through the start index, long ones (`:LongSpan`) checked apart."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.importer import import_paths
from eventgraph.graph.ontology import LONG_SPAN_LABEL
from eventgraph.graph.schema import apply_schema
from eventgraph.graph.settings import Settings
from tests.graph_store import wipe

# (key, start, end): None is an open end. Days of 2025.
SPANS = [
    ("day", "2025-03-10", "2025-03-10"),
    ("week", "2025-03-01", "2025-03-07"),
    ("thirty-one-days", "2025-02-01", "2025-03-03"),
    ("thirty-two-days", "2025-01-31", "2025-03-03"),
    ("half-year", "2024-10-01", "2025-03-31"),
    ("open-start", None, "2025-02-15"),
    ("open-end", "2025-03-20", None),
    ("late", "2025-06-01", "2025-06-02"),
    ("early", "2024-01-01", "2024-01-02"),
]
LONG = {"thirty-two-days", "half-year", "open-start", "open-end"}


def _yaml() -> str:
    lines = [
        "sources:",
        "  - {id: windows-src, name: Window source, kind: news_outlet, reliability: C}",
        "events:",
    ]
    for key, start, end in SPANS:
        time = ", ".join(
            part
            for part in (
                f"start: {start}" if start else "",
                f"end: {end}" if end else "",
                "precision: interval",
            )
            if part
        )
        lines += [
            f"  - id: w-{key}",
            "    type: flight",
            f"    name: Window {key}",
            f"    time: {{{time}}}",
            "    claims: [{source: windows-src, credibility: 3, paraphrase: Seen.}]",
        ]
    return "\n".join(lines) + "\n"


def _overlaps(start: str | None, end: str | None, low: datetime, high: datetime) -> bool:
    first = datetime.fromisoformat(start).replace(tzinfo=UTC) if start else None
    last = (
        datetime.fromisoformat(end).replace(tzinfo=UTC) + timedelta(days=1) - timedelta(seconds=1)
        if end
        else None
    )
    return (first is None or first <= high) and (last is None or last >= low)


WINDOWS = [
    ("2025-03-05", "2025-03-05"),
    ("2025-03-04", "2025-03-12"),
    ("2025-02-20", "2025-02-28"),
    ("2025-01-01", "2025-01-31"),
    ("2025-05-01", "2025-07-01"),
    ("2023-01-01", "2023-12-31"),
    ("2024-01-02", "2024-01-02"),
]


@pytest.fixture(scope="module")
def client(
    driver: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    wipe(driver, settings.neo4j_database)
    feed = tmp_path_factory.mktemp("windows") / "spans.yaml"
    feed.write_text(_yaml())
    import_paths(driver, settings.neo4j_database, [feed], max_bytes=2**20)
    with TestClient(
        create_app(settings.model_copy(update={"anonymous_read": True}))
    ) as test_client:
        yield test_client


def _keys(client: TestClient, low: str, high: str, first: int = 50) -> tuple[list[str], int]:
    query = """query($w: Window, $n: Int) {
      events(filter: {window: $w}, first: $n) { totalCount nodes { key } } }"""
    body = client.post(
        "/graphql", json={"query": query, "variables": {"w": {"from": low, "to": high}, "n": first}}
    ).json()
    assert "errors" not in body, body
    events = body["data"]["events"]
    return [node["key"] for node in events["nodes"]], events["totalCount"]


def test_long_spans_are_labelled(client: TestClient, driver: Driver, settings: Settings) -> None:
    records, _, _ = driver.execute_query(
        f"MATCH (e:`{LONG_SPAN_LABEL}`) WHERE e.id STARTS WITH 'w-' RETURN e.id AS id",
        database_=settings.neo4j_database,
    )
    assert {record["id"].removeprefix("w-") for record in records} == LONG


@pytest.mark.parametrize(("low", "high"), WINDOWS)
def test_a_window_finds_every_overlapping_event(client: TestClient, low: str, high: str) -> None:
    low_at = datetime.fromisoformat(low).replace(tzinfo=UTC)
    high_at = datetime.fromisoformat(high).replace(tzinfo=UTC) + timedelta(days=1, seconds=-1)
    expected = {f"w-{key}" for key, start, end in SPANS if _overlaps(start, end, low_at, high_at)}
    keys, total = _keys(client, low, high)
    assert set(keys) == expected
    assert total == len(expected)


def test_pages_of_a_window_hold_every_event_once(client: TestClient) -> None:
    everything, total = _keys(client, "2024-01-01", "2025-12-31")
    assert total == len(SPANS) == len(everything)
    paged: list[str] = []
    cursor = None
    while True:
        query = """query($a: String) { events(filter: {window: {from: "2024-01-01", to: "2025-12-31"}},
          first: 2, after: $a) { nodes { key } pageInfo { hasNextPage endCursor } } }"""
        page = client.post("/graphql", json={"query": query, "variables": {"a": cursor}}).json()
        events = page["data"]["events"]
        paged += [node["key"] for node in events["nodes"]]
        if not events["pageInfo"]["hasNextPage"]:
            break
        cursor = events["pageInfo"]["endCursor"]
    assert paged == everything


def test_the_migration_labels_a_graph_imported_before_the_label(
    client: TestClient, driver: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    driver.execute_query(
        f"MATCH (e:`{LONG_SPAN_LABEL}`) REMOVE e:`{LONG_SPAN_LABEL}`", database_=database
    )
    driver.execute_query("MATCH (s:EventGraphSchema) SET s.version = 1", database_=database)
    report = apply_schema(driver, database)
    assert report.migrated
    keys, _ = _keys(client, "2025-01-01", "2025-01-31")
    assert "w-half-year" in keys and "w-open-start" in keys
    assert not apply_schema(driver, database).migrated  # once only


def test_a_shortened_event_loses_the_label(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    feed = tmp_path / "shorter.yaml"
    feed.write_text(
        _yaml().replace(
            "{start: 2024-10-01, end: 2025-03-31", "{start: 2025-03-01, end: 2025-03-02"
        )
    )
    import_paths(driver, settings.neo4j_database, [feed], max_bytes=2**20)
    records, _, _ = driver.execute_query(
        f"MATCH (e:Event {{id: 'w-half-year'}}) RETURN e:`{LONG_SPAN_LABEL}` AS long",
        database_=settings.neo4j_database,
    )
    assert records[0]["long"] is False
