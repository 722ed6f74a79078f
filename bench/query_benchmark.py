"""One scale's query benchmark: every operation on every side it has, at each concurrency.

Sides: `ours` (our GraphQL server), `floor` (the hand-written Cypher through the async driver)
and `reference` (@neo4j/graphql, for the operations it can express). Each operation is first
checked (`bench.agreement`), then measured side by side, one point after another, so the sides
never compete for the machine. The write goes last: reads see the imported graph only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncGraphDatabase

from bench.agreement import check_operation
from bench.load import (
    GraphQLClient,
    closed_loop,
    floor_call,
    graphql_call,
    variables_source,
)
from bench.operations import OPERATIONS, Operation, Subjects, reference_documents
from eventgraph.graph.settings import Settings

SIDES = ("ours", "floor", "reference")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadPlan:
    """How each point is measured."""

    clients: tuple[int, ...]
    warmup_s: float
    duration_s: float
    sides: tuple[str, ...] = SIDES


def sides_of(operation: Operation, plan: LoadPlan) -> list[str]:
    """The sides this operation is measured on: the reference only where it has one."""
    return [side for side in plan.sides if side != "reference" or operation.reference is not None]


async def measure_queries(
    settings: Settings,
    subjects: Subjects,
    our_url: str,
    token: str,
    reference_url: str | None,
    plan: LoadPlan,
    progress: Progress,
) -> list[dict[str, Any]]:
    """Check, then measure, every operation; one result per operation (JSON-ready)."""
    documents = reference_documents() if reference_url else {}
    results = []
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    async with (
        GraphQLClient() as client,
        AsyncGraphDatabase.driver(
            settings.bolt_uri,
            auth=auth,
            notifications_min_severity="OFF",
            user_agent="eventgraph-bench-floor",
        ) as driver,
    ):
        for operation in OPERATIONS:
            reference = None
            if reference_url and operation.reference and "reference" in plan.sides:
                if operation.reference not in documents:
                    raise LookupError(
                        f"bench/neo4j_graphql/operations.graphql has no operation "
                        f"'{operation.reference}' for {operation.name}"
                    )
                reference = (reference_url, documents[operation.reference])
            progress(f"{operation.name}: checking ours against the floor")
            agreement = await check_operation(
                operation,
                subjects,
                client,
                our_url,
                token,
                driver,
                settings.neo4j_database,
                reference,
            )
            calls = {
                "ours": graphql_call(
                    client,
                    our_url,
                    operation.graphql,
                    variables_source(operation, subjects, "ours", ours=True),
                    token,
                ),
                "floor": floor_call(
                    driver,
                    settings.neo4j_database,
                    operation,
                    variables_source(operation, subjects, "floor", ours=False),
                ),
            }
            if reference is not None:
                calls["reference"] = graphql_call(
                    client,
                    reference[0],
                    reference[1],
                    variables_source(operation, subjects, "reference", ours=False),
                )
            sides: dict[str, list[dict[str, Any]]] = {}
            for side in sides_of(operation, plan):
                if side not in calls:
                    continue
                points = []
                for clients in plan.clients:
                    progress(f"{operation.name}: {side}, {clients} client(s)")
                    point = await closed_loop(calls[side], clients, plan.warmup_s, plan.duration_s)
                    points.append(point.summary())
                sides[side] = points
            results.append(
                {
                    "name": operation.name,
                    "what": operation.what,
                    "reference": operation.reference,
                    "writes": operation.writes,
                    "answer_size": agreement.size,
                    "reference_agrees": agreement.reference_agrees,
                    "sides": sides,
                }
            )
    return results
