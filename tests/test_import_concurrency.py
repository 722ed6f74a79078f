"""Overlapping imports end with the graph one import gives: several batched `eventgraph import`
processes started at once into an empty graph leave the same nodes, the same relationships
(none twice) and the same participants per event as a single run, all exit 0 and print nothing
on standard error (no refusal, no driver retry lines). A mutation whose transaction runs again
checks its records again."""

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from bench.dataset import generate
from bench.world import SMALL_WORLD
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.importer import import_paths, import_records
from eventgraph.graph.settings import Settings
from tests.graph_store import wipe
from tests.helpers import EVENTGRAPH, run_cli

IMPORTERS = 6
BATCH = "50"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred generated events and their small world, as native JSON files."""
    out = tmp_path_factory.mktemp("overlapping")
    generate(300, seed=11, out=out, world_size=SMALL_WORLD)
    return out / "native"


def _graph(driver: Driver) -> dict[str, Any]:
    """What must be the same however the graph was imported."""
    labels = driver.execute_query(
        "MATCH (n) WHERE NOT n:EventGraphTestDatabase AND NOT n:EventGraphSchema "
        "RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
    )[0]
    types = driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"
    )[0]
    participants = driver.execute_query(
        "MATCH (e:Event) OPTIONAL MATCH (e)-[r:INVOLVES]->(p) "
        "WITH e, r, p ORDER BY r.position, p.id "
        "RETURN e.id AS event, collect([r.role, p.id, r.position]) AS parts"
    )[0]
    return {
        "nodes": {row["label"]: row["n"] for row in labels},
        "relationships": {row["type"]: row["n"] for row in types},
        "participants": {row["event"]: row["parts"] for row in participants},
        "complete": driver.execute_query(
            "MATCH (n) WHERE n.content_hash IS NULL "
            "AND NOT (n:Claim OR n:EventGraphTestDatabase OR n:EventGraphSchema) "
            "RETURN count(n) AS n"
        )[0][0]["n"],
    }


def _duplicate_triples(driver: Driver) -> int:
    return int(
        driver.execute_query(
            "MATCH (a)-[r]->(b) WITH a, type(r) AS type, b, r.role AS role, count(*) AS copies "
            "WHERE copies > 1 RETURN count(*) AS n"
        )[0][0]["n"]
    )


def test_overlapping_batched_imports_give_the_graph_of_one_import(
    clean_graph: Driver, settings: Settings, dataset: Path
) -> None:
    single = run_cli("import", str(dataset), "--batch-size", BATCH, "--quiet")
    assert single.returncode == 0, single.stderr
    expected = _graph(clean_graph)
    assert expected["complete"] == 0
    assert _duplicate_triples(clean_graph) == 0

    wipe(clean_graph, settings.neo4j_database)
    importers = [
        subprocess.Popen(
            [str(EVENTGRAPH), "import", str(dataset), "--batch-size", BATCH, "--quiet"],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(IMPORTERS)
    ]
    told = [importer.communicate(timeout=600)[1] for importer in importers]
    assert [(importer.returncode, err) for importer, err in zip(importers, told, strict=True)] == [
        (0, "")
    ] * IMPORTERS
    assert _duplicate_triples(clean_graph) == 0
    assert _graph(clean_graph) == expected

    again = run_cli("import", str(dataset), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "Nothing changed" in again.stdout


def _wait_until_a_transaction_is_blocked(driver: Driver, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        blocked = driver.execute_query(
            "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n"
        )[0][0]["n"]
        if blocked:
            return
        time.sleep(0.05)
    raise AssertionError("the import never waited on the other writer's lock")


def test_a_record_another_writer_creates_meanwhile_is_replaced_not_refused(
    clean_graph: Driver, settings: Settings, dataset: Path
) -> None:
    """The importer finds an event missing and creates it, while another writer has created
    that event and not committed yet: the importer waits on its lock, the uniqueness
    constraint refuses its transaction once the other commits, and the batch is written again
    as a change of that event: the graph ends as one import leaves it."""
    single = run_cli("import", str(dataset), "--batch-size", BATCH, "--quiet")
    assert single.returncode == 0, single.stderr
    expected = _graph(clean_graph)
    contested = sorted(expected["participants"])[-1]

    wipe(clean_graph, settings.neo4j_database)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            import_paths(
                clean_graph,
                settings.neo4j_database,
                [dataset],
                max_bytes=2**24,
                batch_size=int(BATCH),
            )
        except BaseException as error:  # reported below
            errors.append(error)

    with clean_graph.session(database=settings.neo4j_database) as session:
        other = session.begin_transaction()
        other.run("CREATE (:Event {id: $id, name: 'written by another'})", id=contested).consume()
        importer = threading.Thread(target=run)
        importer.start()
        try:
            _wait_until_a_transaction_is_blocked(clean_graph)
        finally:
            other.commit()
            importer.join(timeout=600)
    assert errors == []
    assert _duplicate_triples(clean_graph) == 0
    assert _graph(clean_graph) == expected


def test_a_mutation_written_again_is_checked_again(clean_graph: Driver, settings: Settings) -> None:
    """A mutation checks its records in the transaction that writes them. Another writer
    creates the event it records and deletes the source its claim cites, not committed yet:
    the mutation's check still sees the source, its create waits on the event's lock, and the
    uniqueness constraint refuses it once the other commits. Run again, the transaction checks
    again and refuses the claim's source, naming it, instead of writing the event from the
    first attempt's check (with its claim cut from a source that is gone)."""
    driver, database = clean_graph, settings.neo4j_database
    wire = ("sources", {"id": "wire", "name": "Wire", "kind": "news_outlet", "reliability": "B"})
    import_records(driver, database, [wire], "test")
    claims = [{"source": "wire", "credibility": 2, "paraphrase": "Seen."}]
    time = {"start": "2025-11-03", "precision": "day"}
    flight = {"id": "contested", "type": "flight", "name": "A flight", "time": time}
    errors: list[BaseException] = []

    def record() -> None:
        try:
            import_records(driver, database, [("events", {**flight, "claims": claims})], "test")
        except BaseException as error:  # reported below
            errors.append(error)

    with driver.session(database=database) as session:
        other = session.begin_transaction()
        other.run("CREATE (:Event {id: 'contested', name: 'written by another'})").consume()
        other.run("MATCH (s:Source {id: 'wire'}) DETACH DELETE s").consume()
        mutation = threading.Thread(target=record)
        mutation.start()
        try:
            _wait_until_a_transaction_is_blocked(driver)
        finally:
            other.commit()
            mutation.join(timeout=120)
    assert len(errors) == 1 and isinstance(errors[0], InvalidData), errors
    assert [(problem.field, problem.reason) for problem in errors[0].problems] == [
        (
            "input.events[0].claims[0].source",
            "unknown source 'wire': neither in these files nor in the graph",
        )
    ]
    stored = driver.execute_query(
        "MATCH (e:Event {id: 'contested'}) "
        "RETURN e.name AS name, COUNT { (e)<-[:SUPPORTS]-() } AS claims",
        database_=database,
    )[0]
    assert [(row["name"], row["claims"]) for row in stored] == [("written by another", 0)]
