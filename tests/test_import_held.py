"""An import stopped while it writes leaves no record without its external ids, and a feed's
claims on events of an earlier import only with the import's last records.

The test holds, in a transaction of its own, a lock the import needs: an uncommitted node with
the key the import will write, an `ExternalId` one record gives or a GDELT mention's `Claim` on
an event of an earlier import (the import's write of it waits on the uniqueness constraint). Once Neo4j shows the import's transaction blocked, the real `eventgraph
import` is killed (`kill -9`) and its transaction terminated, the test's rolled back, and the
graph read: what committed is whole. The re-run then ends complete.
"""

import os
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from eventgraph.graph.settings import Settings
from tests.feed_imports import import_feed
from tests.graph_store import wipe
from tests.helpers import EVENTGRAPH

GDELT = Path(__file__).parent / "feeds"
EVENTS = GDELT / "20251026150000.export.CSV"
MENTIONS = GDELT / "20251026150000.mentions.CSV"
MODES = [f"a0000{n}" for n in range(1, 7)]
FLEET = textwrap.dedent(
    """\
    eventgraph: 1
    equipment_types:
      - {id: il-76, name: Il-76, kind: aircraft_type}
    assets:
    """
) + "".join(
    f"  - {{id: tail-{n}, name: Il-76 {n}, kind: aircraft, instance_of: il-76, "
    f"external_ids: [{{scheme: modes, value: {value}}}]}}\n"
    for n, value in enumerate(MODES, 1)
)
"""An aircraft type and six aircraft, each with its Mode-S id."""
MODES_OF = {f"tail-{n}": [f"modes:{value}"] for n, value in enumerate(MODES, 1)}
BLOCKED = """
SHOW TRANSACTIONS YIELD transactionId, status, currentQuery
WHERE status STARTS WITH 'Blocked' AND NOT currentQuery STARTS WITH 'SHOW'
RETURN transactionId
"""
MODES_IN_THE_GRAPH = """
MATCH (a:Asset) RETURN a.id AS id, [(x:ExternalId)-[:IDENTIFIES]->(a) | x.key] AS ids
"""
MENTION_CLAIMS = "MATCH (c:Claim) WHERE c.id CONTAINS '/mention-' RETURN count(c) AS n"
FIRST_MENTION = """
MATCH (c:Claim)-[:SUPPORTS]->(:Event {feed_id: '1250000001'}) WHERE c.id CONTAINS '/mention-'
RETURN c.id AS id ORDER BY id LIMIT 1
"""
MODES_ARGS = [
    pytest.param([], id="all-or-nothing"),
    pytest.param(["--batch-size", "2"], id="batched"),
]


def _one(driver: Driver, cypher: str) -> int:
    return int(driver.execute_query(cypher)[0][0][0])


def _wait_blocked(driver: Driver, importer: "subprocess.Popen[str]") -> str:
    """The id of the import's transaction once Neo4j shows it waiting for a lock."""
    deadline = time.monotonic() + 60
    while not (found := driver.execute_query(BLOCKED)[0]):
        assert importer.poll() is None, "the import ended without waiting for the held lock"
        assert time.monotonic() < deadline, "the import never waited for the held lock"
        time.sleep(0.05)
    return str(found[0]["transactionId"])


@contextmanager
def _held(driver: Driver, settings: Settings, hold: str, **params: Any) -> Iterator[None]:
    """Inside the block, the test's transaction has run `hold` and holds its locks."""
    with driver.session(database=settings.neo4j_database) as session:
        tx = session.begin_transaction()
        try:
            tx.run(hold, params).consume()
            yield
        finally:
            tx.rollback()


def _import(path: Path, *args: str) -> "subprocess.Popen[str]":
    command = [str(EVENTGRAPH), "import", "--quiet", str(path), *args]
    return subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _killed_while_held(
    driver: Driver, settings: Settings, path: Path, args: list[str], hold: str, **params: Any
) -> None:
    """Run the import while `hold` holds a lock it needs; kill it once it waits for that lock."""
    with _held(driver, settings, hold, **params):
        importer = _import(path, *args)
        try:
            waiting = _wait_blocked(driver, importer)
        finally:
            importer.kill()
            importer.communicate(timeout=30)
        driver.execute_query("TERMINATE TRANSACTIONS $ids", ids=[waiting])
    deadline = time.monotonic() + 30
    while (
        driver.execute_query(BLOCKED)[0]
        or _one(driver, "SHOW TRANSACTIONS YIELD * RETURN count(*)") > 1
    ):
        assert time.monotonic() < deadline, "the killed import's transaction stayed open"
        time.sleep(0.05)


def _finished(path: Path, *args: str) -> None:
    importer = _import(path, *args)
    _, told = importer.communicate(timeout=120)
    assert importer.returncode == 0, told


def _modes(driver: Driver) -> dict[str, list[str]]:
    return {row["id"]: sorted(row["ids"]) for row in driver.execute_query(MODES_IN_THE_GRAPH)[0]}


@pytest.mark.parametrize("args", MODES_ARGS)
def test_no_record_is_in_the_graph_without_its_external_ids(
    clean_graph: Driver, settings: Settings, tmp_path: Path, args: list[str]
) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(FLEET)
    _killed_while_held(
        clean_graph,
        settings,
        fleet,
        args,
        "CREATE (:ExternalId {key: $key, scheme: 'modes', value: $value})",
        key=f"modes:{MODES[4]}",
        value=MODES[4],
    )
    between = _modes(clean_graph)
    assert len(between) < len(MODES), "the import was killed before its fifth aircraft"
    assert between == {node: MODES_OF[node] for node in between}, "a node without its id"
    if not args:
        assert _one(clean_graph, "MATCH (n) WHERE n.content_hash IS NOT NULL RETURN count(n)") == 0
    _finished(fleet, *args)
    assert _modes(clean_graph) == MODES_OF


@pytest.mark.parametrize("args", [[], ["--batch-size", "1"]], ids=["all-or-nothing", "batched"])
def test_claims_on_earlier_events_commit_with_the_imports_last_records(
    clean_graph: Driver, settings: Settings, args: list[str]
) -> None:
    import_feed(clean_graph, settings, EVENTS, MENTIONS)
    mention = clean_graph.execute_query(FIRST_MENTION)[0][0]["id"]
    wipe(clean_graph, settings.neo4j_database)
    import_feed(clean_graph, settings, EVENTS)
    reports = _one(clean_graph, "MATCH (r:Report) RETURN count(r)")
    _killed_while_held(
        clean_graph, settings, MENTIONS, args, "CREATE (:Claim {id: $id})", id=mention
    )
    between = _one(clean_graph, "MATCH (r:Report) RETURN count(r)")
    assert _one(clean_graph, MENTION_CLAIMS) == 0, "claims on events, the import not finished"
    _finished(MENTIONS, *args)
    assert _one(clean_graph, MENTION_CLAIMS) > 0
    everything = _one(clean_graph, "MATCH (r:Report) RETURN count(r)")
    assert between < everything, "the import's last records committed without its claims"
    if not args:
        assert between == reports
