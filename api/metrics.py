"""The API's Prometheus metrics, declared once, and `/metrics` that serves them.

Every metric the API exports is declared here (docs/operations.md lists them); the places that
count call the small functions below, which keep each label set's child so that counting is a
dictionary look-up, not prometheus-client's label validation. Labels are bounded: routes by
their template, GraphQL operations by `operation_label` (at most `MAX_OPERATIONS` names per
process, then `(other)`), root fields and error codes by the schema and the error table.

Who may scrape (`may_scrape`): with `EVENTGRAPH_METRICS_TOKEN` set, only a request bearing that
token (no token: 401, any other token, a reader's or an editor's: 403); unset, whoever may read
the graph (a reader token, or anyone while anonymous read is on).

Several worker processes (`serve --workers`, `api/serving.py`): prometheus-client's
multiprocess mode. `serve` sets `PROMETHEUS_MULTIPROC_DIR` to a fresh folder before the workers
start; each writes its values there and a scrape of any one of them adds them up
(`MultiProcessCollector`); the gauge declares how (`livesum`). The driver pool's figures are read
at scrape time from the scraped process only.
"""

import hmac
import os
import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from eventgraph.api.auth import bearer_of, identify
from eventgraph.api.errors import Forbidden, Unauthenticated
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role

SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Histogram buckets: a point lookup takes 1–5 ms here, the GraphQL deadline is 10 s."""

MAX_OPERATIONS = 256
"""Distinct GraphQL operation names one process labels; later new names count as `(other)`."""

REQUEST_SECONDS = Histogram(
    "eventgraph_http_request_duration_seconds",
    "Seconds from a request's arrival to its answer, by route template and GraphQL operation.",
    ["route", "operation"],
    buckets=SECONDS,
)
REQUESTS = Counter(
    "eventgraph_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
FIELD_CYPHER_SECONDS = Histogram(
    "eventgraph_graphql_field_cypher_seconds",
    "Seconds a compiled GraphQL root field spent on its Cypher statement (the round trip to "
    "Neo4j and reading its record), by root field.",
    ["field"],
    buckets=SECONDS,
)
ERRORS = Counter(
    "eventgraph_errors",
    "Errors answered, by code: each GraphQL error's `extensions.code`, or the `error.code` of "
    "another route's error answer.",
    ["code"],
)
IMPORT_RECORDS = Counter(
    "eventgraph_import_records",
    "Records written (or refused) by the API's mutations through the importer, by collection.",
    ["collection", "outcome"],
)
IMPORT_BATCHES = Counter(
    "eventgraph_import_batches",
    "Importer batches the API's mutations ran (one per mutation field), by outcome.",
    ["outcome"],
)
WEBSOCKETS = Gauge(
    "eventgraph_graphql_websocket_connections",
    "Open GraphQL WebSocket connections (subscriptions).",
    multiprocess_mode="livesum",
)

_requests: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
_fields: dict[str, Any] = {}
_errors: dict[str, Any] = {}
_operations: dict[str, str] = {}
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


def operation_label(name: object) -> str:
    """How a GraphQL operation is labelled: its `operationName` when that is a GraphQL name,
    `(anonymous)` without one, `(invalid)` for anything else, `(other)` past MAX_OPERATIONS."""
    if name is None:
        return "(anonymous)"
    if not isinstance(name, str):
        return "(invalid)"
    label = _operations.get(name)
    if label is not None:
        return label
    if not _NAME.fullmatch(name):
        return "(invalid)"
    if len(_operations) >= MAX_OPERATIONS:
        return "(other)"
    _operations[name] = name
    return name


def observe_request(route: str, method: str, operation: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    key = (route, method, operation, status)
    children = _requests.get(key)
    if children is None:
        children = (
            REQUEST_SECONDS.labels(route, operation),
            REQUESTS.labels(route, method, str(status)),
        )
        _requests[key] = children
    children[0].observe(seconds)
    children[1].inc()


def observe_field(field: str, seconds: float) -> None:
    """Count one compiled root field's statement."""
    child = _fields.get(field)
    if child is None:
        child = _fields[field] = FIELD_CYPHER_SECONDS.labels(field)
    child.observe(seconds)


def count_error(code: str) -> None:
    """Count one error answered with `code`."""
    child = _errors.get(code)
    if child is None:
        child = _errors[code] = ERRORS.labels(code)
    child.inc()


def count_errors_in(body: object) -> None:
    """Count the errors of an answer: GraphQL's `errors[].extensions.code`, or `error.code`."""
    if not isinstance(body, dict):
        return
    errors = body.get("errors")
    if isinstance(errors, list):
        for error in errors:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            count_error(code if isinstance(code, str) else "(none)")
        return
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        count_error(error["code"])


def count_import(collection: str, records: int, written: bool) -> None:
    """Count one mutation's importer batch of `records` records of `collection`."""
    outcome = "written" if written else "refused"
    IMPORT_BATCHES.labels(outcome).inc()
    IMPORT_RECORDS.labels(collection, outcome).inc(records)


class DriverPools(Collector):
    """The Neo4j drivers' connection pools, read when scraped: connections in use and idle,
    per driver (`sync`: worker threads; `async`: the event loop), and the pools' size limit.
    Reads the driver's pool without its lock: a scrape may be a connection off, never stalls
    a request."""

    def __init__(self, drivers: dict[str, Any]) -> None:
        self._drivers = drivers

    def collect(self) -> Iterator[Metric]:
        connections = GaugeMetricFamily(
            "eventgraph_neo4j_pool_connections",
            "Connections in the Neo4j driver's pool, by driver and state (in_use, idle).",
            labels=["driver", "state"],
        )
        limit = GaugeMetricFamily(
            "eventgraph_neo4j_pool_max_connections",
            "The most connections the driver's pool opens per server.",
            labels=["driver"],
        )
        for name, driver in self._drivers.items():
            pool = getattr(driver, "_pool", None)
            by_address = getattr(pool, "connections", None)
            if not isinstance(by_address, dict):
                continue
            held = [c for queue in list(by_address.values()) for c in list(queue)]
            in_use = sum(1 for c in held if getattr(c, "in_use", False))
            connections.add_metric([name, "in_use"], in_use)
            connections.add_metric([name, "idle"], len(held) - in_use)
            size = getattr(getattr(pool, "pool_config", None), "max_connection_pool_size", None)
            if isinstance(size, int):
                limit.add_metric([name], size)
        yield connections
        yield limit


def exposition(pools: CollectorRegistry) -> bytes:
    """The scrape's text: this process's metrics (or, in multiprocess mode, every process's),
    then the driver pools'."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry) + generate_latest(pools)
    return generate_latest(REGISTRY) + generate_latest(pools)


def pools_registry(drivers: dict[str, Any]) -> CollectorRegistry:
    """A registry of one app's driver pools (an app of its own: tests build several)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DriverPools(drivers))
    return registry


async def may_scrape(request: Request) -> None:
    """Let the scrape through, or raise `Unauthenticated` / `Forbidden` (see the module's
    docstring)."""
    settings: Settings = request.app.state.settings
    if settings.metrics_token is None:
        await identify(request, Role.READER)
        return
    token = bearer_of(request)
    if token is None:
        raise Unauthenticated(
            "/metrics needs the metrics token: send Authorization: Bearer <token>"
        )
    expected = settings.metrics_token.get_secret_value().encode()
    if not hmac.compare_digest(token.encode(), expected):
        raise Forbidden("this token cannot scrape /metrics: it needs EVENTGRAPH_METRICS_TOKEN")


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """The metrics in Prometheus' text format, for whoever may scrape."""
    await may_scrape(request)
    return Response(exposition(request.app.state.metrics_pools), media_type=CONTENT_TYPE_LATEST)
