"""What `POST /cypher` and `eventgraph cypher` answer: values, errors, access, time and row limits."""

import csv
import io
import json
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.api.errors import Exit
from eventgraph.graph.driver import open_driver
from eventgraph.graph.errors import Refused, Unavailable
from eventgraph.graph.power import run_read_query
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import free_port, graph_checksum, run_cli

MILLION_ROWS = "UNWIND range(1, 1000000) AS x RETURN x"


@pytest.fixture
def reader(seed_story: Driver, settings: Settings) -> dict[str, str]:
    token = create_token(seed_story, settings.neo4j_database, Role.READER, "cypher-tests")
    return {"Authorization": f"Bearer {token}"}


def _post(
    client: TestClient, headers: dict[str, str], query: str, **parameters: object
) -> dict[str, Any]:
    answer = client.post(
        "/cypher", json={"query": query, "parameters": parameters}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# ---- values --------------------------------------------------------------------------------


def test_nodes_relationships_and_paths_are_typed_objects(
    seed_story: Driver, settings: Settings, reader: dict[str, str]
) -> None:
    with TestClient(create_app(settings)) as client:
        answer = _post(
            client,
            reader,
            "MATCH path = (base:Asset {id: $id})-[located:LOCATED_AT]->(site:Location) "
            "RETURN base, located, path",
            id="hmeimim-air-base",
        )
    assert answer["columns"] == ["base", "located", "path"]
    assert answer["truncated"] is False
    [[base, located, path]] = answer["rows"]
    assert base["type"] == "node"
    assert base["labels"] == ["Asset"]
    assert base["properties"]["id"] == "hmeimim-air-base"
    assert "Khmeimim" in base["properties"]["aliases"]
    assert base["properties"]["created_at"].endswith("Z")
    assert located == {
        "type": "relationship",
        "id": located["id"],
        "relationship_type": "LOCATED_AT",
        "start": base["id"],
        "end": path["nodes"][1]["id"],
        "properties": {},
    }
    assert path["type"] == "path"
    assert [node["properties"]["id"] for node in path["nodes"]] == ["hmeimim-air-base", "hmeimim"]
    assert path["relationships"] == [located]


def test_times_and_points_are_plain_json(
    seed_story: Driver, settings: Settings, reader: dict[str, str]
) -> None:
    with TestClient(create_app(settings)) as client:
        answer = _post(
            client,
            reader,
            "MATCH (leg:Event {id: 'hmeimim-2025-il62m-leg-libya-latakia'}), "
            "(site:Location {id: 'hmeimim'}) "
            "RETURN leg.start AS start, date(leg.start) AS day, duration.between(leg.start, leg.end) AS span, "
            "site.point AS point, localtime('12:30') AS noon, 0.0 / 0.0 AS nan",
        )
    assert answer["rows"] == [
        [
            "2025-10-26T00:00:00Z",
            "2025-10-26",
            "PT23H59M59.999999S",
            {"type": "point", "srid": 4326, "x": 35.9486, "y": 35.4011},
            "12:30:00",
            "NaN",
        ]
    ]


# ---- access --------------------------------------------------------------------------------


def test_a_reader_token_is_needed_unless_anonymous_read_is_on(
    seed_story: Driver, settings: Settings, reader: dict[str, str]
) -> None:
    body = {"query": "RETURN 1 AS one"}
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": False}))) as client:
        assert client.post("/cypher", json=body).status_code == 401
        bad = {"Authorization": "Bearer eg_nope_nope"}
        assert client.post("/cypher", json=body, headers=bad).status_code == 401
        assert client.post("/cypher", json=body, headers=reader).json()["rows"] == [[1]]
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        assert client.post("/cypher", json=body).json()["rows"] == [[1]]


# ---- errors --------------------------------------------------------------------------------


def test_syntax_errors_say_where_in_the_users_query(
    seed_story: Driver, settings: Settings, reader: dict[str, str]
) -> None:
    with TestClient(create_app(settings)) as client:
        answer = client.post("/cypher", json={"query": "MATCH (e:Event)\nRETRUN e"}, headers=reader)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "Neo.ClientError.Statement.SyntaxError"
    assert "(line 2, column 1 (offset: 16))" in error["message"]
    assert "EXPLAIN" not in error["message"]


def test_bad_bodies_get_400_with_a_reason(settings: Settings, reader: dict[str, str]) -> None:
    with TestClient(create_app(settings)) as client:
        for body in (
            b"not json",
            b'{"parameters": {}}',
            b'{"query": 1}',
            b'{"query": "RETURN 1", "x": 1}',
        ):
            answer = client.post("/cypher", content=body, headers=reader)
            assert answer.status_code == 400, body
            assert answer.json()["error"]["code"] == "EventGraph.Request.Invalid"


def test_neo4j_down_is_503(settings: Settings) -> None:
    away = settings.model_copy(update={"neo4j_port": free_port(), "anonymous_read": True})
    with TestClient(create_app(away)) as client:
        answer = client.post("/cypher", json={"query": "RETURN 1"})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "EventGraph.Neo4j.Unavailable"
    assert "Neo4j does not answer" in answer.json()["error"]["message"]
    with open_driver(away) as driver, pytest.raises(Unavailable):
        run_read_query(driver, away, "RETURN 1")


# ---- time and rows -------------------------------------------------------------------------


def _running(driver: Driver, marker: str) -> list[str]:
    records = driver.execute_query(
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
        "WHERE currentQuery CONTAINS $marker AND NOT currentQuery CONTAINS 'SHOW TRANSACTIONS' "
        "RETURN transactionId",
        marker=marker,
    )[0]
    return [record["transactionId"] for record in records]


@pytest.mark.parametrize(
    "runaway",
    [
        "UNWIND range(1, 1000000000) AS x RETURN count(x)",
        "MATCH (a), (b), (c), (d), (e) WHERE a.id + b.id + c.id + d.id + e.id = 'never' RETURN a",
    ],
    ids=["unwind-a-billion", "cartesian-product"],
)
def test_a_runaway_query_is_stopped_within_the_timeout_and_leaves_nothing_running(
    seed_story: Driver, settings: Settings, reader: dict[str, str], runaway: str
) -> None:
    marker = f"runaway-{uuid.uuid4().hex}"
    short = settings.model_copy(update={"cypher_timeout_s": 2.0})
    with TestClient(create_app(short)) as client:
        started = time.monotonic()
        answer = client.post("/cypher", json={"query": f"{runaway} // {marker}"}, headers=reader)
        took = time.monotonic() - started
    assert answer.status_code == 504, answer.text
    assert "TransactionTimedOut" in answer.json()["error"]["code"]
    assert "longer than 2 s" in answer.json()["error"]["message"]
    assert took < 2.0 + 3.0, f"stopped after {took:.1f} s"
    deadline = time.monotonic() + 5
    while _running(seed_story, marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running(seed_story, marker) == []


def test_a_million_rows_come_back_capped_with_bounded_memory(
    seed_story: Driver, settings: Settings
) -> None:
    capped = settings.model_copy(update={"cypher_max_rows": 10_000})
    tracemalloc.start()
    try:
        started = time.monotonic()
        result = run_read_query(seed_story, capped, MILLION_ROWS)
        took = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.truncated is True
    assert len(result.rows) == 10_000
    assert result.rows[-1] == [10_000]
    # All million rows as Python objects would take well over 100 MB; the cap plus one
    # fetch batch takes a few.
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    assert took < 10, f"{took:.1f} s: were all rows pulled?"


def test_the_http_answer_is_capped_too(
    seed_story: Driver, settings: Settings, reader: dict[str, str]
) -> None:
    capped = settings.model_copy(update={"cypher_max_rows": 250})
    with TestClient(create_app(capped)) as client:
        answer = _post(client, reader, MILLION_ROWS)
        exact = _post(client, reader, "UNWIND range(1, 250) AS x RETURN x")
    assert answer["truncated"] is True
    assert len(answer["rows"]) == 250
    assert exact["truncated"] is False
    assert len(exact["rows"]) == 250


# ---- the command line ----------------------------------------------------------------------


def test_cli_prints_a_table_json_and_csv(seed_story: Driver) -> None:
    query = "MATCH (s:Source) WHERE s.reliability = $grade RETURN s.id AS id, s.anonymous AS anon ORDER BY id"
    table = run_cli("cypher", "--param", "grade=B", query)
    assert table.returncode == 0, table.stderr
    assert table.stdout.split() == [
        "id", "anon", "bloomberg", "false", "eventgraph-editors", "false", "flightradar24", "false"
    ]  # fmt: skip
    assert "3 row(s)" in table.stderr
    as_json = json.loads(run_cli("cypher", "-p", "grade=B", "--format", "json", query).stdout)
    assert as_json["columns"] == ["id", "anon"]
    assert as_json["rows"][0] == ["bloomberg", False]
    assert as_json["truncated"] is False
    as_csv = run_cli("cypher", "-p", "grade=B", "--format", "csv", query).stdout
    assert list(csv.reader(io.StringIO(as_csv)))[:2] == [["id", "anon"], ["bloomberg", "false"]]


def test_cli_parameters_are_json_when_they_parse(seed_story: Driver) -> None:
    answer = run_cli(
        "cypher",
        "--format=json",
        "--param",
        "n=10",
        "--param",
        'ids=["iran", "turkey"]',
        "--param",
        "word=hello world",
        "--param",
        "flag=true",
        "RETURN $n + 1 AS n, $ids AS ids, $word AS word, $flag AS flag",
    )
    assert json.loads(answer.stdout)["rows"] == [[11, ["iran", "turkey"], "hello world", True]]


def test_cli_reads_the_query_from_stdin_or_a_file(seed_story: Driver, tmp_path: Path) -> None:
    import subprocess

    from tests.helpers import EVENTGRAPH

    piped = subprocess.run(
        [str(EVENTGRAPH), "cypher", "--format", "json", "-"],
        input="MATCH (a:Actor {id: 'iran'})\nRETURN a.name AS name",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert json.loads(piped.stdout)["rows"] == [["Iran"]]
    question = tmp_path / "question.cypher"
    question.write_text("// who is Turkey\nMATCH (a:Actor {id: 'turkey'}) RETURN a.name AS name;\n")
    from_file = run_cli("cypher", "--format", "json", "--file", str(question))
    assert json.loads(from_file.stdout)["rows"] == [["Turkey"]]
    neither = run_cli("cypher")
    assert neither.returncode == 2
    assert "give the query" in neither.stderr


def test_cli_says_when_rows_were_cut_off(seed_story: Driver) -> None:
    answer = run_cli(
        "cypher", "--format", "csv", MILLION_ROWS, env={"EVENTGRAPH_CYPHER_MAX_ROWS": "5"}
    )
    assert answer.returncode == 0
    assert answer.stdout.split() == ["x", "1", "2", "3", "4", "5"]
    assert "Only the first 5 rows" in " ".join(answer.stderr.split())


def test_cli_errors_are_one_line_with_the_neo4j_code(seed_story: Driver) -> None:
    before = graph_checksum(seed_story)
    answer = run_cli("cypher", "RETURN nosuchfunction(1)")
    assert answer.returncode == Exit.REFUSED
    assert "Neo.ClientError.Statement.SyntaxError" in answer.stderr
    assert "Traceback" not in answer.stderr
    timed_out = run_cli(
        "cypher",
        "UNWIND range(1, 1000000000) AS x RETURN count(x)",
        env={"EVENTGRAPH_CYPHER_TIMEOUT_S": "1"},
    )
    assert timed_out.returncode == Exit.TIMED_OUT
    assert "longer than 1 s" in " ".join(timed_out.stderr.split())
    assert graph_checksum(seed_story) == before


def test_refused_is_an_eventgraph_error_with_a_code() -> None:
    refused = Refused("EventGraph.Refused.Write", "CREATE writes")
    assert str(refused) == "CREATE writes (EventGraph.Refused.Write)"
