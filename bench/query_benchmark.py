"""One scale's query benchmark: every operation on every side it has, at each concurrency.

Sides: `ours` (our GraphQL server, one process), `ours_<N>_workers` (the same with
`serve --workers N`, at each concurrency above 1), `floor` (the hand-written Cypher through the
async driver) and `reference` (@neo4j/graphql, for the operations it can express). Each
operation is first checked (`bench.agreement`), then measured side by side, one point after
another, so the sides never compete for the machine. The write goes last: reads see the
imported graph only.
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


def workers_side(workers: int) -> str:
    """The side of our server run with `serve --workers N`."""
    return f"ours_{workers}_workers"


@dataclass(frozen=True)
class LoadPlan:
    """How each point is measured."""

    clients: tuple[int, ...]
    warmup_s: float
    duration_s: float
    sides: tuple[str, ...] = SIDES
    workers: tuple[int, ...] = ()
    """Worker counts our server is also measured with, at each concurrency above 1 (one
    client keeps one connection, so one worker: the one-process figures answer for it)."""
    operations: tuple[str, ...] = ()
    """The operations measured, by name; empty: all of them."""

    def clients_of(self, side: str) -> tuple[int, ...]:
        """The concurrencies a side is measured at."""
        if side in (workers_side(n) for n in self.workers):
            return tuple(clients for clients in self.clients if clients > 1)
        return self.clients


def sides_of(operation: Operation, plan: LoadPlan) -> list[str]:
    """The sides this operation is measured on, in turn for each operation: ours with one
    process, then with each worker count, the floor, the reference only where it has one."""
    sides = [side for side in plan.sides if side != "reference" or operation.reference is not None]
    return sides[:1] + [workers_side(n) for n in plan.workers] + sides[1:]


async def measure_queries(
    settings: Settings,
    subjects: Subjects,
    our_url: str,
    workers_urls: dict[int, str],
    token: str,
    reference_url: str | None,
    plan: LoadPlan,
    progress: Progress,
) -> list[dict[str, Any]]:
    """Check, then measure, every operation (or those `plan.operations` names); one result per
    operation (JSON-ready). `workers_urls`: our server with N workers, by N."""
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
            if plan.operations and operation.name not in plan.operations:
                continue
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
            for workers, url in workers_urls.items():
                calls[workers_side(workers)] = graphql_call(
                    client,
                    url,
                    operation.graphql,
                    variables_source(operation, subjects, workers_side(workers), ours=True),
                    token,
                )
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
                for clients in plan.clients_of(side):
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
