"""An entity's number of events comes from its degree (graph/involvement.py), and stays exact
through every writer: imports that create and replace events (roles changed, one entity named
twice), retractions, merges and unmerges of entities and of events, concurrent imports, the
migration; `events(filter: {involving})` and `timeline` answer it, equal to a scan."""

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph import involvement, schema
from eventgraph.graph.importer import import_paths
from eventgraph.graph.projection import Compiler
from eventgraph.graph.resolution.merging import merge, unmerge
from eventgraph.graph.retraction import retract_event, retract_events
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import ask

ACTORS = """\
eventgraph: 1
actors:
  - {id: ct-a, name: Count test A, kind: state}
  - {id: ct-b, name: Count test B, kind: state}
  - {id: ct-c, name: Count test C, kind: state}
"""


def _events(parts: dict[str, list[tuple[str, str]]]) -> str:
    """Events ct-<n>, each with the (role, ref) participants given."""
    lines = ["eventgraph: 1", "events:"]
    for event_id, participants in parts.items():
        lines += [
            f"  - id: {event_id}",
            f"    name: Count test {event_id}",
            "    type: attack",
            "    time: {start: 2025-10-25, precision: day}",
            "    participants:",
            *(f"      - {{role: {role}, ref: {ref}}}" for role, ref in participants),
            '    claims: [{source: bloomberg, credibility: "3", paraphrase: An attack.}]',
        ]
    return "\n".join(lines) + "\n"


FIRST = {
    "ct-1": [("perpetrator", "ct-a"), ("target", "ct-b")],
    "ct-2": [("perpetrator", "ct-a"), ("target", "ct-a")],
    "ct-3": [("target", "ct-b"), ("perpetrator", "russia")],
    "ct-4": [("perpetrator", "ct-c"), ("target", "ct-b"), ("defender", "ct-b")],
}
SECOND = {  # roles changed: ct-1 names A twice, ct-2 once, ct-4 names C twice instead of B
    "ct-1": [("perpetrator", "ct-a"), ("target", "ct-a"), ("defender", "ct-b")],
    "ct-2": [("perpetrator", "ct-a"), ("target", "ct-c")],
    "ct-3": [("target", "ct-b"), ("perpetrator", "russia")],
    "ct-4": [("perpetrator", "ct-c"), ("defender", "ct-c")],
}


def _import(driver: Driver, settings: Settings, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    import_paths(driver, settings.neo4j_database, [path], max_bytes=2**20)


def _wrong(driver: Driver, settings: Settings) -> list[dict[str, Any]]:
    """Every entity whose kept count is not what a scan of its events gives."""
    records = driver.execute_query(involvement.RECOUNTED_WRONG, database_=settings.neo4j_database)
    return [record.data() for record in records[0]]


def _scanned(driver: Driver, settings: Settings, key: str, types: list[str] | None = None) -> int:
    return int(
        driver.execute_query(
            "MATCH (:Actor {id: $key})<-[:INVOLVES]-(e:Event) WHERE NOT e:Retracted "
            "AND ($types IS NULL OR e.type IN $types) RETURN count(DISTINCT e) AS n",
            key=key,
            types=types,
            database_=settings.neo4j_database,
        )[0][0]["n"]
    )


def _uncounted(driver: Driver, settings: Settings) -> dict[str, int]:
    records = driver.execute_query(
        "MATCH (a:Actor) WHERE a.uncounted_involves IS NOT NULL "
        "RETURN a.id AS id, a.uncounted_involves AS n",
        database_=settings.neo4j_database,
    )[0]
    return {record["id"]: record["n"] for record in records}


def test_every_writer_keeps_the_count_exact(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    driver, database = fresh_story, settings.neo4j_database
    assert _wrong(driver, settings) == []  # the seed story, imported
    _import(driver, settings, tmp_path, "actors", ACTORS)
    _import(driver, settings, tmp_path, "first", _events(FIRST))
    assert _wrong(driver, settings) == []
    assert _uncounted(driver, settings) == {"ct-a": 1, "ct-b": 1}

    _import(driver, settings, tmp_path, "second", _events(SECOND))
    assert _wrong(driver, settings) == []
    assert _uncounted(driver, settings) == {"ct-a": 1, "ct-c": 1}
    _import(driver, settings, tmp_path, "actors-again", ACTORS.replace("Count test C", "C"))
    assert _uncounted(driver, settings) == {"ct-a": 1, "ct-c": 1}  # kept by a replace

    retract_event(driver, database, "ct-1", "a mistake", "tester")
    assert _wrong(driver, settings) == []
    retract_event(driver, database, "ct-1", "a mistake, twice", "tester")  # again: no change
    retract_events(driver, database, {"ct-1": "said again", "ct-3": "gone"}, "feed")
    assert _wrong(driver, settings) == []
    assert _scanned(driver, settings, "ct-a") == 1
    _import(driver, settings, tmp_path, "retracted-replaced", _events(FIRST))
    assert _wrong(driver, settings) == []

    kept = merge(driver, database, "Actor", "ct-a", "ct-b", by="tester", reason="one state")
    assert _wrong(driver, settings) == []
    unmerge(driver, database, kept.id, by="tester", reason="two after all")
    assert _wrong(driver, settings) == []

    folded = merge(driver, database, "Event", "ct-2", "ct-4", by="tester", reason="one strike")
    assert _wrong(driver, settings) == []
    unmerge(driver, database, folded.id, by="tester", reason="two strikes")
    assert _wrong(driver, settings) == []
    _import(driver, settings, tmp_path, "after-all", _events(SECOND))
    assert _wrong(driver, settings) == []


def test_concurrent_imports_of_one_entity_twice_add_up(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(fresh_story, settings, tmp_path, "actors", ACTORS)
    texts = [
        _events({f"ct-{n}-{i}": [("perpetrator", "ct-a"), ("target", "ct-a")] for i in range(20)})
        for n in range(4)
    ]
    paths = []
    for n, text in enumerate(texts):
        paths.append(tmp_path / f"twice-{n}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    importers = [
        threading.Thread(
            target=import_paths,
            args=(fresh_story, settings.neo4j_database, [path]),
            kwargs={"max_bytes": 2**20, "batch_size": 5},
        )
        for path in paths
    ]
    for importer in importers:
        importer.start()
    for importer in importers:
        importer.join()
    assert _uncounted(fresh_story, settings) == {"ct-a": 80}
    assert _wrong(fresh_story, settings) == []


def test_the_migration_counts_a_graph_written_before_it(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    driver, database = fresh_story, settings.neo4j_database
    _import(driver, settings, tmp_path, "actors", ACTORS)
    _import(driver, settings, tmp_path, "first", _events(FIRST))
    retract_event(driver, database, "ct-3", "a mistake", "tester")
    driver.execute_query(
        "MATCH (a) REMOVE a.uncounted_involves "
        "WITH count(*) AS _ MATCH (s:EventGraphSchema) SET s.version = 3",
        database_=database,
    )
    assert _wrong(driver, settings) != []
    report = schema.apply_schema(driver, database)
    assert "entities' uncounted INVOLVES relationships" in report.migrated
    assert _wrong(driver, settings) == []


def test_the_api_counts_from_the_degree_as_a_scan_would(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    driver, database = fresh_story, settings.neo4j_database
    _import(driver, settings, tmp_path, "actors", ACTORS)
    _import(driver, settings, tmp_path, "second", _events(SECOND))
    retract_event(driver, database, "ct-2", "a mistake", "tester")
    query = """query($id: ID!) {
      events(filter: {involving: $id}, first: 1) { totalCount }
      timeline(entity: $id, first: 1) { totalCount }
      typed: events(filter: {involving: $id, types: [attack]}, first: 1) { totalCount }
    }"""
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        for key in ("ct-a", "ct-b", "ct-c", "russia", "nobody"):
            for fast in (True, False):
                answer = ask(client, query, fast, variables={"id": f"Actor:{key}"}).json()
                data = answer["data"]
                expected = _scanned(driver, settings, key)
                assert data["events"]["totalCount"] == expected, (key, fast, answer)
                assert data["timeline"]["totalCount"] == expected, (key, fast, answer)
                attacks = _scanned(driver, settings, key, ["attack"])
                assert data["typed"]["totalCount"] == attacks, (key, fast, answer)
    assert _scanned(driver, settings, "ct-a") == 1


def test_the_count_reads_the_degree_not_the_events(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(fresh_story, settings, tmp_path, "actors", ACTORS)
    _import(fresh_story, settings, tmp_path, "first", _events(FIRST))
    c = Compiler()
    cypher = "PROFILE " + involvement.events_count(c, "Actor", "russia") + " RETURN total"
    with fresh_story.session(database=settings.neo4j_database) as session:
        result = session.run(cypher, c.params)
        assert result.single(strict=True)["total"] == _scanned(fresh_story, settings, "russia")
        plan = result.consume().profile
    assert plan is not None
    operators = _operators(plan)
    assert not [name for name in operators if "Expand" in name], operators


def _operators(plan: dict[str, Any]) -> list[str]:
    names = [str(plan["operatorType"])]
    for child in plan.get("children", []):
        names += _operators(child)
    return names


RECORD = """mutation($input: EventInput!) { recordEvent(input: $input) { key } }"""
RETRACT = """mutation($key: String!) { retractEvent(key: $key, reason: "wrong") { key } }"""


def test_the_mutations_keep_the_count_exact(
    fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(fresh_story, settings, tmp_path, "actors", ACTORS)
    token = create_token(fresh_story, settings.neo4j_database, Role.EDITOR, "counts-editor")
    event = {
        "key": "ct-recorded",
        "type": "attack",
        "name": "Count test recorded",
        "time": {"start": "2025-11-02", "precision": "day"},
        "participants": [
            {"role": "perpetrator", "ref": "ct-a"},
            {"role": "target", "ref": "ct-a"},
        ],
        "claims": [{"source": "bloomberg", "credibility": 3, "paraphrase": "An attack."}],
    }
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:

        def post(query: str, variables: dict[str, Any]) -> None:
            answer = client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            ).json()
            assert "errors" not in answer, answer

        post(RECORD, {"input": event})
        assert _uncounted(fresh_story, settings) == {"ct-a": 1}
        event["participants"] = [
            {"role": "perpetrator", "ref": "ct-a"},
            {"role": "target", "ref": "ct-b"},
        ]
        post(RECORD, {"input": event})
        assert _uncounted(fresh_story, settings) == {}
        post(RETRACT, {"key": "ct-recorded"})
        assert _uncounted(fresh_story, settings) == {"ct-a": 1, "ct-b": 1}
    assert _wrong(fresh_story, settings) == []
