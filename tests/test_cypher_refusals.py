"""Power users' Cypher cannot change anything: writes, admin, schema and SSRF attempts are refused.

Every attempt goes through the shared runner (graph/power), a representative subset also through
`POST /cypher` and `eventgraph cypher`; the graph's checksum is the same afterwards. The layers
behind the text checks (Neo4j's plan, the READ transaction) are tested on their own too.
"""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import READ_ACCESS, Driver
from neo4j.exceptions import ClientError

from eventgraph.api.app import create_app
from eventgraph.api.errors import Exit
from eventgraph.graph.errors import Refused
from eventgraph.graph.power import guard, run_read_query
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import graph_checksum, run_cli

WRITE, SCHEMA, ADMIN = guard.WRITE, guard.SCHEMA, guard.ADMIN
LOAD_CSV, PROCEDURE, FUNCTION, USE = guard.LOAD_CSV, guard.PROCEDURE, guard.FUNCTION, guard.USE

Attempt = tuple[str, str, dict[str, Any]]
"""(query, the code it must be refused with, parameters)"""

WRITES: list[Attempt] = [
    ("CREATE (n:Intruder {id: 'x'})", WRITE, {}),
    ("MERGE (n:Actor {id: 'russia'}) RETURN n", WRITE, {}),
    ("MATCH (n:Actor {id: 'russia'}) SET n.name = 'hacked'", WRITE, {}),
    ("MATCH (n:Actor {id: 'russia'}) SET n:Compromised", WRITE, {}),
    ("MATCH (n:Actor {id: 'russia'}) REMOVE n.name", WRITE, {}),
    ("MATCH (n:Claim) DELETE n", WRITE, {}),
    ("MATCH (n) DETACH DELETE n", WRITE, {}),
    ("MATCH (e:Event) WITH collect(e) AS es FOREACH (e IN es | SET e.name = 'x')", WRITE, {}),
    ("FOREACH (i IN range(1, 3) | CREATE (:Intruder))", WRITE, {}),
    ("MATCH (n:Actor) CALL (n) { SET n.flag = true } RETURN count(*)", WRITE, {}),
    ("MATCH (n:Actor) CALL { WITH n DETACH DELETE n } RETURN 1", WRITE, {}),
    (
        "MATCH (n:Actor) RETURN n.id AS id UNION "
        "MATCH (m:Actor {id: 'russia'}) DETACH DELETE m RETURN m.id AS id",
        WRITE,
        {},
    ),
    ("match (n:Actor {id: 'russia'}) set n.name = 'lower case'", WRITE, {}),
    ("MaTcH (n) DeTaCh DeLeTe n", WRITE, {}),
    ("MATCH (n)\n// only reading, honest\nCREATE (m:Intruder)", WRITE, {}),
    ("/* MATCH (n) RETURN n */ CREATE (n:Intruder)", WRITE, {}),
    ("MATCH (n:Actor) WITH n LIMIT 1\nMERGE (n)-[:KNOWS]->(:Intruder)", WRITE, {}),
    ("UNWIND $rows AS row CREATE (:Intruder {id: row})", WRITE, {"rows": ["a", "b"]}),
    ("MATCH (n:Actor {id: $id}) SET n += $props", WRITE, {"id": "russia", "props": {"x": 1}}),
    ("MATCH (n:Actor {id: 'russia'}) SET n.`name` = 'quoted'", WRITE, {}),
    ("INSERT (:Intruder {id: 'gql'})", WRITE, {}),
    ("CYPHER 5 CREATE (n:Intruder)", WRITE, {}),
    ("CALL { CREATE (:Intruder) } IN TRANSACTIONS", WRITE, {}),
    (
        "UNWIND range(1, 3) AS i CALL (i) { MATCH (n) WHERE n.x = i RETURN n } "
        "IN TRANSACTIONS OF 2 ROWS RETURN n",
        guard.IN_TRANSACTIONS,
        {},
    ),
    ("RETURN 1; CREATE (n:Intruder)", guard.MULTIPLE_STATEMENTS, {}),
    ("EXPLAIN CREATE (n:Intruder)", guard.EXPLAIN_OR_PROFILE, {}),
    ("PROFILE MATCH (n) RETURN n", guard.EXPLAIN_OR_PROFILE, {}),
]

FILES_AND_URLS: list[Attempt] = [
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", LOAD_CSV, {}),
    ("LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:7474/' AS row RETURN row", LOAD_CSV, {}),
    ("load csv from 'https://127.0.0.1:8000/health' as l return l", LOAD_CSV, {}),
    ("MATCH (n:Actor) WITH n LIMIT 1 LOAD CSV FROM 'file:///' + n.id AS l RETURN l", LOAD_CSV, {}),
    ("LOAD CSV FROM $url AS l RETURN l", LOAD_CSV, {"url": "http://127.0.0.1:9/"}),
    ("CALL apoc.load.json('http://127.0.0.1:8000/health') YIELD value RETURN value", PROCEDURE, {}),
    ("CALL apoc.load.csv('file:///etc/passwd') YIELD map RETURN map", PROCEDURE, {}),
    ("RETURN apoc.util.md5(['x']) AS digest", FUNCTION, {}),
]

PROCEDURES: list[Attempt] = [
    ("CALL dbms.components()", PROCEDURE, {}),
    ("CALL dbms.security.createUser('intruder', 'intruder-password', false)", PROCEDURE, {}),
    ("CALL dbms.killQueries(['query-1'])", PROCEDURE, {}),
    ("CALL db.createLabel('Intruder')", PROCEDURE, {}),
    ("CALL db.createProperty('intruder')", PROCEDURE, {}),
    ("CALL db.createRelationshipType('INTRUDES')", PROCEDURE, {}),
    ("call DB.CREATELABEL('Intruder')", PROCEDURE, {}),
    ("CALL `db`.`createLabel`('Intruder')", PROCEDURE, {}),
    ("CALL db.clearQueryCaches()", PROCEDURE, {}),
    ("CALL db.awaitIndexes(1)", PROCEDURE, {}),
    ("CALL apoc.create.node(['Intruder'], {}) YIELD node RETURN node", PROCEDURE, {}),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", PROCEDURE, {}),
    (
        "RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) DETACH DELETE n RETURN 1', {})",
        FUNCTION,
        {},
    ),
    ("MATCH (n) CALL db.labels() YIELD label CALL db.createLabel(label) RETURN 1", PROCEDURE, {}),
]

SCHEMA_AND_ADMIN: list[Attempt] = [
    (
        "CREATE CONSTRAINT intruder IF NOT EXISTS FOR (n:Intruder) REQUIRE n.id IS UNIQUE",
        SCHEMA,
        {},
    ),
    ("DROP INDEX event_start_range", SCHEMA, {}),
    ("DROP CONSTRAINT actor_id_unique", SCHEMA, {}),
    ("CREATE INDEX intruder FOR (n:Intruder) ON (n.id)", SCHEMA, {}),
    ("create fulltext index intruder for (n:Actor) on each [n.name]", SCHEMA, {}),
    ("SHOW USERS", ADMIN, {}),
    ("SHOW ROLES", ADMIN, {}),
    ("SHOW CURRENT USER", ADMIN, {}),
    ("show transactions", ADMIN, {}),
    ("SHOW SETTINGS", ADMIN, {}),
    ("SHOW DATABASES", ADMIN, {}),
    ("ALTER USER neo4j SET PASSWORD 'pwned-password'", ADMIN, {}),
    ("CREATE USER intruder SET PASSWORD 'intruder-password'", ADMIN, {}),
    ("CREATE DATABASE intruder", ADMIN, {}),
    ("CREATE OR REPLACE DATABASE neo4j", ADMIN, {}),
    ("DROP DATABASE neo4j", ADMIN, {}),
    ("GRANT ROLE admin TO intruder", ADMIN, {}),
    ("STOP DATABASE neo4j", ADMIN, {}),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", ADMIN, {}),
    ("SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t", ADMIN, {}),
    ("USE system SHOW USERS", USE, {}),
    ("USE system MATCH (n) RETURN n", USE, {}),
    ("MATCH (n) RETURN n UNION USE system MATCH (m) RETURN m AS n", USE, {}),
    ("CALL { USE neo4j MATCH (n) RETURN n } RETURN n", USE, {}),
    ("", guard.EMPTY, {}),
    ("// only a comment", guard.EMPTY, {}),
]

ALL_ATTEMPTS = WRITES + FILES_AND_URLS + PROCEDURES + SCHEMA_AND_ADMIN

FOR_HTTP_AND_CLI: list[Attempt] = [
    WRITES[0],  # CREATE
    WRITES[6],  # DETACH DELETE
    WRITES[9],  # a write hidden in a subquery
    WRITES[11],  # a write hidden in a union
    WRITES[15],  # behind a comment
    WRITES[18],  # parameters for a write
    FILES_AND_URLS[0],  # LOAD CSV file:///
    FILES_AND_URLS[1],  # LOAD CSV http://127.0.0.1
    PROCEDURES[3],  # db.createLabel
    PROCEDURES[0],  # dbms.*
    SCHEMA_AND_ADMIN[1],  # DROP INDEX
    SCHEMA_AND_ADMIN[5],  # SHOW USERS
    SCHEMA_AND_ADMIN[11],  # ALTER USER
    SCHEMA_AND_ADMIN[20],  # USE system
]


def _refusals(driver: Driver, settings: Settings, attempts: list[Attempt]) -> list[str]:
    """Run every attempt; describe each one that was not refused as it should have been."""
    wrong = []
    for query, code, parameters in attempts:
        try:
            result = run_read_query(driver, settings, query, parameters)
        except Refused as refused:
            if refused.code != code or not refused.reason:
                wrong.append(f"{query!r}: refused as {refused.code} ({refused.reason}), not {code}")
        else:
            wrong.append(f"{query!r}: ran and returned {result.rows[:3]}")
    return wrong


def test_there_are_more_than_forty_attempts() -> None:
    assert len(ALL_ATTEMPTS) >= 40
    assert len({query for query, _, _ in ALL_ATTEMPTS}) == len(ALL_ATTEMPTS)


@pytest.mark.parametrize(
    "attempts",
    [WRITES, FILES_AND_URLS, PROCEDURES, SCHEMA_AND_ADMIN],
    ids=["writes", "files-and-urls", "procedures", "schema-and-admin"],
)
def test_the_shared_runner_refuses_them_and_the_graph_is_unchanged(
    seed_story: Driver, settings: Settings, attempts: list[Attempt]
) -> None:
    before = graph_checksum(seed_story)
    assert _refusals(seed_story, settings, attempts) == []
    assert graph_checksum(seed_story) == before
    constraints = seed_story.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")[0]
    assert "intruder" not in {record["name"] for record in constraints}


def test_refusals_say_where(seed_story: Driver, settings: Settings) -> None:
    with pytest.raises(Refused) as refused:
        run_read_query(seed_story, settings, "MATCH (n:Actor)\nWITH n\n  DETACH DELETE n")
    assert refused.value.code == WRITE
    assert refused.value.reason.startswith("line 3, column 3: DETACH DELETE writes")


def test_post_cypher_refuses_them_with_400(seed_story: Driver, settings: Settings) -> None:
    token = create_token(seed_story, settings.neo4j_database, Role.READER, "refusals")
    with TestClient(create_app(settings)) as client:
        before = graph_checksum(seed_story)  # after start-up, which records the schema it applied
        for query, code, parameters in FOR_HTTP_AND_CLI:
            answer = client.post(
                "/cypher",
                json={"query": query, "parameters": parameters},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 400, (query, answer.text)
            error = answer.json()["error"]
            assert error["code"] == code, (query, error)
            assert "Traceback" not in error["message"]
    assert graph_checksum(seed_story) == before


def test_eventgraph_cypher_refuses_them_with_the_refused_exit_code(seed_story: Driver) -> None:
    before = graph_checksum(seed_story)
    for query, code, parameters in FOR_HTTP_AND_CLI:
        params = [f"--param={name}={json.dumps(value)}" for name, value in parameters.items()]
        answer = run_cli("cypher", *params, query)
        assert answer.returncode == Exit.REFUSED, (query, answer.stdout, answer.stderr)
        assert answer.stderr.startswith("error: "), answer.stderr
        assert f"({code})" in " ".join(answer.stderr.split()), (query, answer.stderr)
        assert answer.stdout == ""
    assert graph_checksum(seed_story) == before


# ---- the layers behind the text checks, each on its own --------------------------------------

BEHIND_THE_TEXT = [
    "CREATE (n:Intruder)",
    "MATCH (n:Actor) SET n.x = 1",
    "MATCH (n) DETACH DELETE n",
    "FOREACH (i IN [1] | CREATE (:Intruder))",
    "MATCH (n:Actor) CALL (n) { SET n.flag = true } RETURN count(*)",
    "CALL db.createLabel('Intruder')",
    "CALL dbms.components()",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "SHOW USERS",
    "SHOW TRANSACTIONS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "CREATE INDEX intruder FOR (n:Intruder) ON (n.id)",
    "CALL { CREATE (:Intruder) } IN TRANSACTIONS",
]


@pytest.mark.parametrize("query", BEHIND_THE_TEXT)
def test_neo4js_plan_alone_is_enough_to_refuse(
    driver: Driver, settings: Settings, query: str
) -> None:
    with driver.session(database=settings.neo4j_database, default_access_mode=READ_ACCESS) as s:
        summary = s.run("EXPLAIN " + query).consume()
    with pytest.raises(Refused):
        guard.check_plan(summary.query_type, summary.plan)


def test_the_read_transaction_alone_is_enough_to_refuse_writes(
    seed_story: Driver, settings: Settings
) -> None:
    before = graph_checksum(seed_story)
    with (
        seed_story.session(database=settings.neo4j_database, default_access_mode=READ_ACCESS) as s,
        pytest.raises(ClientError) as refused,
    ):
        s.execute_read(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
    assert refused.value.code == "Neo.ClientError.Statement.AccessMode"
    assert graph_checksum(seed_story) == before


# ---- and what looks like a write but is not ---------------------------------------------------

LOOKALIKES: list[tuple[str, dict[str, Any], list[list[Any]]]] = [
    (
        "RETURN 'LOAD CSV FROM file:///etc/passwd' AS text // DETACH DELETE",
        {},
        [["LOAD CSV FROM file:///etc/passwd"]],
    ),
    ("MATCH (n:Actor) WHERE n.name CONTAINS 'CREATE' RETURN n.id AS id", {}, []),
    ("RETURN {set: 1, create: 2, delete: 3} AS map", {}, [[{"set": 1, "create": 2, "delete": 3}]]),
    ("MATCH (n:Actor {id: 'russia'}) RETURN n.set AS set_property", {}, [[None]]),
    ("RETURN $delete AS d", {"delete": 1}, [[1]]),
    ("RETURN $q AS q", {"q": "MATCH (n) DETACH DELETE n"}, [["MATCH (n) DETACH DELETE n"]]),
    ("MATCH (use:Actor {id: 'russia'}) RETURN use.id AS id;", {}, [["russia"]]),
    ("CYPHER 5 MATCH (n:Actor {id: 'iran'}) RETURN n.name AS name", {}, [["Iran"]]),
    ("MATCH (n:`Actor` {id: 'turkey'}) RETURN n.`name` AS `CREATE`", {}, [["Turkey"]]),
    ("CALL db.labels() YIELD label WHERE label = 'Actor' RETURN label", {}, [["Actor"]]),
    (
        "SHOW CONSTRAINTS YIELD name WHERE name = 'actor_id_unique' RETURN name",
        {},
        [["actor_id_unique"]],
    ),
    ("RETURN point.distance(point({x: 0, y: 0}), point({x: 3, y: 4})) AS d", {}, [[5.0]]),
    ("WITH ['a'] AS transactions RETURN 'a' IN transactions AS found", {}, [[True]]),
]


def test_reads_that_merely_look_like_writes_run(seed_story: Driver, settings: Settings) -> None:
    before = graph_checksum(seed_story)
    for query, parameters, rows in LOOKALIKES:
        assert run_read_query(seed_story, settings, query, parameters).rows == rows, query
    assert graph_checksum(seed_story) == before
