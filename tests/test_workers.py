"""`eventgraph serve --workers 2` run for real on the test Neo4j: requests spread over both
worker processes and all answer right, a subscription held by one worker hears a mutation
another answered, a token created or revoked with the CLI is honoured by every worker, one
scrape of `/metrics` counts every worker's requests (no series twice), a dead worker is replaced
(and leaves the live gauges), and SIGTERM or the supervisor's death ends every worker (api/serving.py; docs/operations.md, "Several workers").

Which worker answered a request is read from its JSON access line (`pid`); which one holds a
WebSocket, from the kernel's table of connections (/proc/net/tcp) and the workers' open files.
"""

import asyncio
import json
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from eventgraph.api.auth import TOKEN_CACHE_S
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token, revoke_token
from tests.helpers import RECORD_EVENT, eventgraph_serve, free_port, recorded_flight, run_cli

METRICS_TOKEN = "workers-scrape-0123456789abcdef"
READ_BACK = "query ReadBack($id: ID!) { node(id: $id) { ... on Event { key name } } }"
SUBSCRIBE = "subscription($filter: EventFilter) { eventRecorded(filter: $filter) { key } }"
IN_FLIGHT = 8
"""Requests at once: while one worker answers, the other accepts the next connection."""


@dataclass
class Workers:
    server: "subprocess.Popen[str]"
    port: int
    log: Path
    temp: Path
    """The server's TMPDIR: where its metrics folder lives while it runs."""
    editor: str
    reader: str
    pids: set[int]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def access_lines(self, request_ids: set[str]) -> list[dict[str, Any]]:
        """The access lines of these requests, once all are written (after their answers)."""
        deadline = time.monotonic() + 10
        while True:
            lines = [
                line
                for line in map(json.loads, self.log.read_text().splitlines())
                if line.get("logger") == "eventgraph.access"
                and line.get("request_id") in request_ids
            ]
            if len(lines) >= len(request_ids) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, command line) of every process this user may see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry)] = (int(fields[1]), fields[0], command)
    return table


def _worker_pids(supervisor: int) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    return {
        pid
        for pid, (parent, _, command) in _process_table().items()
        if parent == supervisor and "multiprocessing.spawn" in command
    }


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _holder(server_port: int, client_port: int, pids: set[int]) -> int:
    """Which of `pids` holds the server's end of the connection from `client_port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
            if local == server_port and remote == client_port:
                inodes.add(fields[9])
    holders = {
        pid
        for pid in pids
        for fd in os.listdir(f"/proc/{pid}/fd")
        if _link(f"/proc/{pid}/fd/{fd}") in {f"socket:[{inode}]" for inode in inodes}
    }
    assert len(holders) == 1, (inodes, holders)
    return holders.pop()


def _link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


@pytest.fixture(scope="module")
def workers(
    story_to_extend: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workers]:
    """`eventgraph serve --workers 2` with JSON access lines, a metrics token, anonymous read
    off."""
    database = settings.neo4j_database
    name = f"workers-{secrets.token_hex(4)}"
    editor = create_token(story_to_extend, database, Role.EDITOR, f"{name}-editor")
    reader = create_token(story_to_extend, database, Role.READER, f"{name}-reader")
    here = tmp_path_factory.mktemp("workers")
    log, temp = here / "serve.log", here / "tmp"
    temp.mkdir()
    port = free_port()
    env = {
        "EVENTGRAPH_LOG_FORMAT": "json",
        "EVENTGRAPH_ACCESS_LOG": "true",
        "EVENTGRAPH_ANONYMOUS_READ": "false",
        "EVENTGRAPH_METRICS_TOKEN": METRICS_TOKEN,
        "TMPDIR": str(temp),
    }
    try:
        with eventgraph_serve(env, "--port", str(port), "--workers", "2", log=log) as server:
            assert server.stdout is not None
            banner = server.stdout.readline()  # once every worker has started
            assert "2 worker processes" in banner, banner
            pids = _worker_pids(server.pid)
            assert len(pids) == 2, pids
            yield Workers(server, port, log, temp, editor, reader, pids)
    finally:
        revoke_token(story_to_extend, database, f"{name}-editor")
        revoke_token(story_to_extend, database, f"{name}-reader")


def _post(
    workers: Workers,
    token: str,
    query: str,
    variables: dict[str, Any],
    request_id: str,
    operation: str | None = None,
) -> httpx.Response:
    """One request on a connection of its own (a kept-alive one stays with one worker)."""
    return httpx.post(
        f"{workers.base}/graphql",
        json={"query": query, "variables": variables, "operationName": operation},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": request_id},
        timeout=30,
    )


def _at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        return list(pool.map(lambda call: call(), calls))


def _record(workers: Workers, key: str, request_id: str) -> httpx.Response:
    flight = recorded_flight(key, "2025-11-09")
    answer = _post(workers, workers.editor, RECORD_EVENT, {"input": flight}, request_id)
    assert answer.json()["data"] == {"recordEvent": {"key": key}}, answer.text
    return answer


def test_requests_spread_over_both_workers_and_all_answer_right(workers: Workers) -> None:
    marker = uuid.uuid4().hex[:8]
    keys = [f"spread-{marker}-{n}" for n in range(3)]
    for key in keys:
        _record(workers, key, f"record-{key}")
    asked = [(f"read-{marker}-{n}", keys[n % len(keys)]) for n in range(32)]
    answers = _at_once(
        [
            partial(_post, workers, workers.reader, READ_BACK, {"id": f"Event:{key}"}, rid)
            for rid, key in asked
        ]
    )
    for (_, key), answer in zip(asked, answers, strict=True):
        assert answer.json() == {"data": {"node": {"key": key, "name": f"Flight {key}"}}}
    lines = workers.access_lines({rid for rid, _ in asked})
    assert {line["status"] for line in lines} == {200} and len(lines) == len(asked)
    assert {line["pid"] for line in lines} == workers.pids  # both answered


def test_one_scrape_counts_every_workers_requests_once(workers: Workers) -> None:
    operation = f"Counted{uuid.uuid4().hex[:8]}"
    query = f"query {operation} {{ events(first: 1) {{ totalCount }} }}"
    request_ids = {f"{operation}-{n}" for n in range(24)}
    answers = _at_once(
        [partial(_post, workers, workers.reader, query, {}, rid, operation) for rid in request_ids]
    )
    assert {answer.status_code for answer in answers} == {200}
    pids = {line["pid"] for line in workers.access_lines(request_ids)}
    assert pids == workers.pids
    scraped = httpx.get(
        f"{workers.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert scraped.status_code == 200, scraped.text
    samples = [s for family in text_string_to_metric_families(scraped.text) for s in family.samples]
    series = [(s.name, tuple(sorted(s.labels.items()))) for s in samples]
    assert len(series) == len(set(series)), "a series appears twice"
    counted = [
        s.value
        for s in samples
        if s.name == "eventgraph_http_request_duration_seconds_count"
        and s.labels.get("operation") == operation
    ]
    assert counted == [len(request_ids)]  # one series, both workers' requests
    assert list(workers.temp.glob("eventgraph-metrics-*/*.db"))  # each worker's values


async def _heard_across(workers: Workers, marker: str) -> tuple[int, int, str]:
    """Subscribe; record flights, each on a connection of its own, until one is answered by
    the worker that does not hold the subscription; wait until the subscription hears it.
    (The subscriber's worker, the recording worker, the key heard.)"""
    url = f"ws://127.0.0.1:{workers.port}/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"Authorization": f"Bearer {workers.reader}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        variables = {"filter": {"text": marker}}
        subscribe = {"query": SUBSCRIBE, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        holder = _holder(workers.port, ws.local_address[1], workers.pids)
        target, recorder = "", holder
        for attempt in range(20):
            await asyncio.sleep(1.0)  # the feed starts from the newest write when subscribed
            key = f"{marker}-{attempt}"
            await asyncio.to_thread(_record, workers, key, key)
            recorder = (await asyncio.to_thread(workers.access_lines, {key}))[0]["pid"]
            if recorder != holder:
                target = key
                break
        assert target, "every flight was recorded by the subscriber's worker"
        async with asyncio.timeout(30):
            while True:
                message = json.loads(await ws.recv())
                assert message["type"] == "next", message
                if message["payload"]["data"]["eventRecorded"]["key"] == target:
                    return holder, recorder, target


def test_a_subscription_on_one_worker_hears_a_mutation_answered_by_the_other(
    workers: Workers,
) -> None:
    holder, recorder, _ = asyncio.run(_heard_across(workers, f"across-{uuid.uuid4().hex[:8]}"))
    assert holder != recorder and {holder, recorder} == workers.pids


def test_a_token_created_and_revoked_with_the_cli_is_honoured_by_every_worker(
    workers: Workers,
) -> None:
    name = f"cli-reader-{secrets.token_hex(4)}"
    created = run_cli("token", "create", "--role", "reader", "--name", name)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    query = "query Who { events(first: 1) { totalCount } }"

    def ask_everyone(phase: str) -> list[dict[str, Any]]:
        request_ids = {f"{name}-{phase}-{n}" for n in range(24)}
        _at_once([partial(_post, workers, token, query, {}, rid) for rid in request_ids])
        lines = workers.access_lines(request_ids)
        assert {line["pid"] for line in lines} == workers.pids  # both answered
        return lines

    assert {line["status"] for line in ask_everyone("created")} == {200}  # at once
    revoked = run_cli("token", "revoke", name)
    assert revoked.returncode == 0, revoked.stderr
    time.sleep(TOKEN_CACHE_S + 0.5)  # the documented bound: each worker's cache of a check
    refused = ask_everyone("revoked")
    assert {line["status"] for line in refused} == {401}


def test_sigterm_stops_every_worker_and_leaves_nothing_behind(workers: Workers) -> None:
    """The module's last test: it stops the module's server."""
    workers.server.send_signal(signal.SIGTERM)
    assert workers.server.wait(timeout=30) == 0
    assert not [pid for pid in workers.pids if _running(pid)]
    assert not _worker_pids(workers.server.pid)
    assert not list(workers.temp.glob("eventgraph-metrics-*"))  # the metrics folder is gone


def test_a_dead_worker_is_replaced_and_all_end_when_their_supervisor_is_killed(
    story_to_extend: Driver, tmp_path: Path
) -> None:
    env = {"TMPDIR": str(tmp_path)}  # its metrics folder outlives it: `kill -9` cleans nothing
    with eventgraph_serve(env, "--port", str(free_port()), "--workers", "2") as server:
        assert server.stdout is not None
        server.stdout.readline()
        first = _worker_pids(server.pid)
        assert len(first) == 2, first
        (folder,) = tmp_path.glob("eventgraph-metrics-*")
        killed = min(first)
        assert (folder / f"gauge_livesum_{killed}.db").exists()  # its WebSocket gauge
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while len((now := _worker_pids(server.pid)) - first) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(now) == 2 and killed not in now, now  # replaced
        gauge = folder / f"gauge_livesum_{killed}.db"
        while gauge.exists() and time.monotonic() < deadline:  # dropped once it is replaced
            time.sleep(0.1)
        assert not gauge.exists()  # its connections no longer count
        server.kill()
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while [pid for pid in now if _running(pid)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in now if _running(pid)]
