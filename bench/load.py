"""Closed-loop load: N clients each send a request, wait for the answer, send the next.

Every latency is kept; a point is measured for a fixed duration after a warm-up. Every request
started inside the measured window is awaited and counts, so slow operations have answers too;
throughput is those answers over the time until the last of them. Errors are counted (warm-up
included) and a few messages kept: an error is never a fast answer, and never hidden.

One asyncio HTTP client (aiohttp, lower per-request overhead than httpx) serves both GraphQL
servers; the floor goes through the async neo4j driver.
"""

import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from neo4j import AsyncDriver

from bench.operations import Operation, Subjects, Variables, run_floor

Call = Callable[[int], Awaitable[None]]
"""One request; the number is unique per call (writes use it for fresh ids). Raises on error."""

REQUEST_TIMEOUT_S = 60.0
IDLE_CONNECTION_S = 2.0
"""How long the client keeps an idle connection: less than the servers' keep-alive (5 s)."""
KEPT_ERRORS = 5


class RequestFailed(Exception):
    """The server answered with an error (HTTP status or GraphQL `errors`)."""


@dataclass
class Point:
    """One side × operation × concurrency: every latency and the errors."""

    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    """From the start of the measured window until its last request was answered."""
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)

    def quantile(self, q: float) -> float | None:
        """The q-quantile of the latencies (inclusive method), None without any."""
        if not self.latencies_ms:
            return None
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        cuts = statistics.quantiles(self.latencies_ms, n=1000, method="inclusive")
        return cuts[round(q * 1000) - 1]

    @property
    def throughput(self) -> float:
        """Answered requests per second over the measured window."""
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        """The figures the report shows (the raw latencies stay in `latencies_ms`)."""
        return {
            "clients": self.clients,
            "requests": len(self.latencies_ms),
            "seconds": self.seconds,
            "p50_ms": self.quantile(0.50),
            "p95_ms": self.quantile(0.95),
            "p99_ms": self.quantile(0.99),
            "mean_ms": statistics.fmean(self.latencies_ms) if self.latencies_ms else None,
            "max_ms": max(self.latencies_ms, default=None),
            "throughput_rps": self.throughput,
            "errors": self.errors,
            "error_messages": self.error_messages,
        }


def _failed(point: Point, error: BaseException) -> None:
    point.errors += 1
    message = f"{type(error).__name__}: {error}"[:300]
    if len(point.error_messages) < KEPT_ERRORS and message not in point.error_messages:
        point.error_messages.append(message)


async def _clients(
    call: Call, clients: int, numbers: Iterator[int], until: float, point: Point, record: bool
) -> float:
    """Run `clients` closed loops that start requests until `until`; every request started is
    awaited. Returns when the last one was answered."""
    last = time.perf_counter()

    async def client() -> None:
        nonlocal last
        while (start := time.perf_counter()) < until:
            try:
                await call(next(numbers))
            except Exception as error:  # every failure is counted, whatever it is
                _failed(point, error)
                continue
            done = time.perf_counter()
            last = max(last, done)
            if record:
                point.latencies_ms.append((done - start) * 1000.0)

    await asyncio.gather(*(client() for _ in range(clients)))
    return last


async def closed_loop(call: Call, clients: int, warmup_s: float, duration_s: float) -> Point:
    """Warm up, then measure `clients` closed-loop clients for `duration_s`.

    Every request started in the measured window is awaited and its latency kept, so a point
    always has answers, however slow the operation; throughput is the answers over the time
    from the window's start to the last answer. Errors count in both phases."""
    point = Point(clients=clients)
    numbers = itertools.count()
    await _clients(call, clients, numbers, time.perf_counter() + warmup_s, point, record=False)
    begin = time.perf_counter()
    last = await _clients(call, clients, numbers, begin + duration_s, point, record=True)
    point.seconds = max(last - begin, 1e-9) if point.latencies_ms else 0.0
    return point


# ---- the three sides -----------------------------------------------------------------------


class GraphQLClient:
    """POSTs GraphQL documents as JSON over kept-alive connections; raises `RequestFailed`."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "GraphQLClient":
        self._session = aiohttp.ClientSession(
            # Both servers close a connection idle for 5 s (uvicorn's and Node's default); the
            # client must drop it first, or a request may meet the close (connection reset).
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=IDLE_CONNECTION_S),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(
        self, url: str, document: str, variables: Variables, token: str | None = None
    ) -> Any:
        """The `data` of the answer."""
        assert self._session is not None, "use GraphQLClient as an async context manager"
        headers = {"content-type": "application/json", "accept": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = orjson.dumps({"query": document, "variables": variables})
        async with self._session.post(url, data=body, headers=headers) as response:
            payload = await response.read()
            if response.status != 200:
                raise RequestFailed(f"HTTP {response.status}: {payload[:200]!r}")
        answer = orjson.loads(payload)
        if answer.get("errors"):
            raise RequestFailed(orjson.dumps(answer["errors"][:2]).decode())
        return answer.get("data")


def graphql_call(
    client: GraphQLClient,
    url: str,
    document: str,
    variables_of: Callable[[int], Variables],
    token: str | None = None,
) -> Call:
    """A GraphQL request per call; reads reuse one variables object, writes get fresh ones."""

    async def call(number: int) -> None:
        await client.post(url, document, variables_of(number), token)

    return call


def floor_call(
    driver: AsyncDriver,
    database: str,
    operation: Operation,
    variables_of: Callable[[int], Variables],
) -> Call:
    """The hand-written Cypher per call, every record pulled."""

    async def call(number: int) -> None:
        await run_floor(driver, database, operation, variables_of(number))

    return call


def variables_source(
    operation: Operation, subjects: Subjects, side: str, ours: bool
) -> Callable[[int], Variables]:
    """Per call number, the variables of `side`: computed once for reads, fresh (unique id)
    per call for writes."""
    if not operation.writes:
        fixed = operation.ours(subjects) if ours else operation.variables(subjects, "")
        return lambda _: fixed

    def fresh(number: int) -> Variables:
        unique = f"{side}-{time.time_ns()}-{number}"
        return operation.ours(subjects, unique) if ours else operation.variables(subjects, unique)

    return fresh
