"""Before anything is measured: do the implementations answer the same question?

Ours and the floor must give the same answer, field by field (a floor that answered something
easier would be no floor); a difference stops the benchmark. For the write, both record a
flight and the two stored events must be alike. The reference's answers take their own shape,
so they are compared by the node keys they hold (and counts), and a difference is reported.
"""

import math
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver

from bench.load import GraphQLClient
from bench.operations import Operation, Subjects, run_floor


class Disagreement(Exception):
    """Ours and the floor answered differently: the benchmark would compare different work."""


@dataclass(frozen=True)
class Agreement:
    """What the check found for one operation."""

    operation: str
    size: int
    """How big our answer is (events, nodes, hits, buckets …): results grow with the graph."""
    reference_agrees: bool | None
    """None where there is no reference or nothing to compare."""
    note: str = ""


def _rounded(value: Any) -> Any:
    """Floats to 6 significant places (scores and z travel through JSON on one side only)."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def answer_size(answer: Any) -> int:
    """Events, nodes, hits, paths or buckets in an answer (1 for a single node)."""
    if isinstance(answer, list):
        return len(answer)
    if isinstance(answer, dict):
        for key in ("totalCount", "nodes", "buckets"):
            if key in answer:
                value = answer[key]
                return value if isinstance(value, int) else len(value)
        return 1
    return 0


def _first_difference(ours: Any, floor: Any, path: str = "") -> str:
    if isinstance(ours, dict) and isinstance(floor, dict):
        for key in sorted(set(ours) | set(floor)):
            if ours.get(key, "<absent>") != floor.get(key, "<absent>"):
                return _first_difference(ours.get(key), floor.get(key), f"{path}.{key}")
    if isinstance(ours, list) and isinstance(floor, list):
        if len(ours) != len(floor):
            return f"{path}: {len(ours)} items, floor {len(floor)}"
        for index, (mine, theirs) in enumerate(zip(ours, floor, strict=True)):
            if mine != theirs:
                return _first_difference(mine, theirs, f"{path}[{index}]")
    return f"{path}: ours {ours!r:.200}, floor {floor!r:.200}"


def compare_with_floor(operation: Operation, ours: Any, floor: Any) -> None:
    """Raise `Disagreement` unless the two answers are the same.

    A neighbourhood cut at its node cap keeps the nearest nodes, but which of the equally near
    ones is up to the order Neo4j finds them in: then only the sizes must agree.
    """
    ours, floor = _rounded(ours), _rounded(floor)
    if operation.name == "neighborhood" and ours and ours.get("truncated"):
        same = (
            bool(floor and floor.get("truncated"))
            and len(ours["nodes"]) == len(floor["nodes"])
            and ours["nodes"][0] == floor["nodes"][0]
        )
        if not same:
            raise Disagreement(f"neighborhood: {_first_difference(ours, floor)}")
        return
    if ours != floor:
        raise Disagreement(f"{operation.name}: {_first_difference(ours, floor, operation.name)}")


_STORED_FLIGHT = """
MATCH (e:Event {id: $id})
RETURN [e.type, e.start, e.end, e.time_precision, e.year_assumed] AS event,
  COLLECT { MATCH (e)-[r:INVOLVES]->(x) RETURN [r.role, r.position, x.id] ORDER BY r.position }
    AS participants,
  COLLECT { MATCH (e)-[r:OCCURRED_AT|ORIGIN|DESTINATION]->(p) RETURN [type(r), p.id] }
    AS places,
  COLLECT { MATCH (e)<-[:SUPPORTS]-(c:Claim)-[:SOURCED_FROM]->(s:Source)
            RETURN [c.id = e.id + '/claim-1', c.position, c.reliability, c.reliability_given,
                    c.credibility, c.paraphrase, s.id] } AS claims
"""
_FORGET_FLIGHTS = """
UNWIND $ids AS id MATCH (e:Event {id: id})
OPTIONAL MATCH (e)<-[:SUPPORTS]-(c:Claim)
DETACH DELETE e, c
"""


async def _stored_flight(driver: AsyncDriver, database: str, key: str) -> dict[str, Any]:
    records, _, _ = await driver.execute_query(_STORED_FLIGHT, id=key, database_=database)
    if not records:
        raise Disagreement(f"record_event: flight '{key}' was not stored")
    return records[0].data()


async def _check_write(
    operation: Operation,
    subjects: Subjects,
    client: GraphQLClient,
    url: str,
    token: str,
    driver: AsyncDriver,
    database: str,
) -> Any:
    """Both record a flight; the stored flights must be alike. They are deleted afterwards, so
    the reads measured next see the imported graph only."""
    mine = operation.variables(subjects, "check-ours")
    theirs = operation.variables(subjects, "check-floor")
    try:
        data = await client.post(
            url, operation.graphql, operation.ours(subjects, "check-ours"), token
        )
        records = await run_floor(driver, database, operation, theirs)
        answer = data[operation.root_field]
        if answer != {"id": f"Event:{mine['id']}"} or records[0]["result"] != {
            "id": f"Event:{theirs['id']}"
        }:
            raise Disagreement(f"record_event answered {answer} and {records[0]['result']}")
        stored_ours = await _stored_flight(driver, database, mine["id"])
        stored_floor = await _stored_flight(driver, database, theirs["id"])
        if stored_ours != stored_floor:
            difference = _first_difference(stored_ours, stored_floor)
            raise Disagreement(f"record_event stored different flights: {difference}")
    finally:
        await driver.execute_query(
            _FORGET_FLIGHTS, ids=[mine["id"], theirs["id"]], database_=database
        )
    return answer


def _keys(value: Any, found: set[str]) -> set[str]:
    """Every node key in an answer: `id`/`key` strings, global ids read as their key."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name in ("id", "key") and isinstance(item, str):
                found.add(item.split(":", 1)[1] if ":" in item else item)
            else:
                _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def _counts(value: Any, found: list[int]) -> list[int]:
    if isinstance(value, dict):
        for name, item in value.items():
            if name in ("totalCount", "count") and isinstance(item, int):
                found.append(item)
            else:
                _counts(item, found)
    elif isinstance(value, list):
        for item in value:
            _counts(item, found)
    return found


def reference_agrees(ours: Any, reference: Any) -> bool:
    """The same node keys and the same counts, whatever the shape around them."""
    return _keys(ours, set()) == _keys(reference, set()) and sorted(_counts(ours, [])) == sorted(
        _counts(reference, [])
    )


async def check_operation(
    operation: Operation,
    subjects: Subjects,
    client: GraphQLClient,
    our_url: str,
    token: str,
    driver: AsyncDriver,
    database: str,
    reference: tuple[str, str] | None,
) -> Agreement:
    """Check one operation; `reference` is (url, document) where the reference has it."""
    if operation.writes:
        answer = await _check_write(operation, subjects, client, our_url, token, driver, database)
        return Agreement(operation.name, 1, None, "stored flights compared")
    data = await client.post(our_url, operation.graphql, operation.ours(subjects), token)
    ours = data[operation.root_field]
    variables = operation.variables(subjects, "")
    floor = operation.floor_answer(
        await run_floor(driver, database, operation, variables), variables
    )
    compare_with_floor(operation, ours, floor)
    agrees: bool | None = None
    if reference is not None:
        url, document = reference
        answer = operation.reference_answer(await client.post(url, document, variables))
        agrees = reference_agrees(ours, answer)
    return Agreement(operation.name, answer_size(ours), agrees)
