"""A batched import killed anywhere leaves only whole records, and running it again ends exact.

The real `eventgraph import --batch-size` is killed (`kill -9`) at several moments, watched
through the count of what it committed: while the world is written, after its first events,
half-way through the events. After each kill, every event in the graph has all its
participants and claims, every relation its subject, object and claims, and every node its
content hash (a record is written whole or not at all). Each re-run resumes; the last one ends
with the dataset's counts and no relationship twice. Neo4j itself killed under an import (a
throwaway Neo4j of this module, never the shared test one) is told in one line, exit code 3, and
the re-run after Neo4j is back is exact too.
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from neo4j import Driver

from bench.dataset import generate
from bench.world import SMALL_WORLD
from eventgraph.api.errors import Exit
from eventgraph.graph import local_neo4j
from eventgraph.graph.driver import open_driver
from eventgraph.graph.schema import apply_schema
from eventgraph.graph.settings import Settings
from tests.graph_store import claim_for_tests, wipe
from tests.helpers import DRIVER_WORDS, EVENTGRAPH, kill_neo4j, throwaway_neo4j

EVENTS = 1200
BATCH = "100"
"""About 2,000 records in some twenty batches."""
POLL_S = 0.01


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The generated dataset's native files and its manifest (the counts to end with)."""
    out = tmp_path_factory.mktemp("crash")
    manifest = generate(EVENTS, seed=17, out=out, world_size=SMALL_WORLD)
    return out / "native", manifest


def _parts(native: Path) -> dict[str, tuple[int, int]]:
    """Per event or relation id: (participants, claims) as the files give them."""
    parts = {}
    for file in sorted(native.glob("*.json")):
        document = orjson.loads(file.read_bytes())
        for collection in ("events", "relations"):
            for record in document.get(collection, ()):
                parts[record["id"]] = (
                    len(record.get("participants", ())),
                    len(record.get("claims", ())),
                )
    return parts


def _one(driver: Driver, cypher: str) -> int:
    return int(driver.execute_query(cypher)[0][0][0])


def _count(driver: Driver, label: str) -> int:
    return _one(driver, f"MATCH (n:`{label}`) RETURN count(n)")


def _assert_whole(driver: Driver, parts: dict[str, tuple[int, int]]) -> None:
    """Whatever the graph shows is complete: no record without its parts."""
    rows = driver.execute_query(
        "MATCH (n) WHERE n:Event OR n:Relation "
        "RETURN n.id AS id, COUNT { (n)-[:INVOLVES]->() } AS participants, "
        "COUNT { (n)<-[:SUPPORTS]-(:Claim) } AS claims, COUNT { (n)-[:FROM]->() } AS subject, "
        "COUNT { (n)-[:TO]->() } AS object, n:Relation AS relation"
    )[0]
    for row in rows:
        assert (row["participants"], row["claims"]) == parts[row["id"]], row
        if row["relation"]:
            assert (row["subject"], row["object"]) == (1, 1), row
    assert (
        _one(
            driver,
            "MATCH (n) WHERE n.content_hash IS NULL "
            "AND NOT (n:Claim OR n:EventGraphTestDatabase OR n:EventGraphSchema) RETURN count(n)",
        )
        == 0
    )
    assert _one(driver, "MATCH (c:Claim) WHERE NOT (c)-[:SUPPORTS]->() RETURN count(c)") == 0


def _assert_exact(driver: Driver, manifest: dict[str, Any]) -> None:
    for label, expected in manifest["counts"].items():
        assert _count(driver, label) == expected, label
    types = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")[0]
    assert {row["type"]: row["n"] for row in types} == manifest["relationships"]
    duplicates = _one(
        driver,
        "MATCH (a)-[r]->(b) WITH a, type(r) AS type, b, r.role AS role, count(*) AS copies "
        "WHERE copies > 1 RETURN count(*)",
    )
    assert duplicates == 0


def _importer(native: Path, env: dict[str, str]) -> "subprocess.Popen[str]":
    return subprocess.Popen(
        [str(EVENTGRAPH), "import", str(native), "--batch-size", BATCH, "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(driver: Driver, importer: "subprocess.Popen[str]", label: str, at_least: int) -> None:
    """Until `at_least` nodes of `label` are committed (the importer must still be running)."""
    deadline = time.monotonic() + 60
    while _count(driver, label) < at_least:
        assert importer.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(POLL_S)


def test_a_killed_import_leaves_whole_records_and_resumes_exactly(
    clean_graph: Driver, dataset: tuple[Path, dict[str, Any]]
) -> None:
    native, manifest = dataset
    parts = _parts(native)
    env = dict(os.environ)
    moments = [("Location", 1), ("Event", 1), ("Event", EVENTS // 2)]
    for label, at_least in moments:
        importer = _importer(native, env)
        try:
            _wait_for(clean_graph, importer, label, at_least)
        finally:
            importer.send_signal(signal.SIGKILL)
            importer.communicate(timeout=30)
        _assert_whole(clean_graph, parts)
        assert _count(clean_graph, "Event") < EVENTS  # it was killed before the end
    finished = _importer(native, env)
    _, told = finished.communicate(timeout=300)
    assert finished.returncode == 0, told
    _assert_exact(clean_graph, manifest)
    _assert_whole(clean_graph, parts)


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A throwaway local Neo4j to kill (started here, stopped at the end)."""
    variables = throwaway_neo4j(tmp_path_factory.mktemp("crash-neo4j") / "neo4j")
    own = Settings(
        neo4j_uri=None,
        neo4j_port=int(variables["EVENTGRAPH_NEO4J_PORT"]),
        neo4j_home=Path(variables["EVENTGRAPH_NEO4J_HOME"]),
        neo4j_heap=variables["EVENTGRAPH_NEO4J_HEAP"],
        neo4j_pagecache=variables["EVENTGRAPH_NEO4J_PAGECACHE"],
    )
    local_neo4j.start(own)
    try:
        yield own
    finally:
        local_neo4j.stop(own)


@pytest.mark.lifecycle
def test_neo4j_killed_under_an_import_is_one_line_and_the_rerun_is_exact(
    own_neo4j: Settings, dataset: tuple[Path, dict[str, Any]]
) -> None:
    native, manifest = dataset
    env = {
        **os.environ,
        "EVENTGRAPH_NEO4J_PORT": str(own_neo4j.neo4j_port),
        "EVENTGRAPH_NEO4J_HOME": str(own_neo4j.neo4j_home),
    }
    env.pop("NEO4J_URI", None)
    with open_driver(own_neo4j) as driver:
        claim_for_tests(driver, own_neo4j.neo4j_database)
        wipe(driver, own_neo4j.neo4j_database)
        apply_schema(driver, own_neo4j.neo4j_database)
        importer = _importer(native, env)
        try:
            _wait_for(driver, importer, "Event", 1)
            kill_neo4j(own_neo4j)
            _, told = importer.communicate(timeout=120)
        finally:
            importer.kill()
            local_neo4j.start(own_neo4j)
    assert importer.returncode == Exit.UNAVAILABLE, told
    lines = told.strip().splitlines()
    assert len(lines) == 1, told
    assert lines[0].startswith("error: Neo4j went away during the import: "), told
    assert " records were written. " in told, told
    assert "run the same import again: it resumes where it stopped" in told
    assert "Start it with `eventgraph neo4j start`." in told
    assert not any(word in told for word in (*DRIVER_WORDS, "bug", "retried")), told
    rerun = _importer(native, env)
    _, told = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, told
    with open_driver(own_neo4j) as driver:
        _assert_exact(driver, manifest)
        _assert_whole(driver, _parts(native))
