"""Running the real `eventgraph` console script, serving the app, finding free ports, and asking
the GraphQL API the way several test modules do."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anyio
import uvicorn

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from neo4j import Driver

    from eventgraph.graph.settings import Settings

EVENTGRAPH = Path(sys.executable).parent / "eventgraph"
DRIVER_WORDS = ("Traceback", "ServiceUnavailable", "SessionExpired", "Couldn't connect", "neo4j.")
"""What must never reach a user: a stack trace or the driver's own words."""


EXPORTING_DOC = (Path(__file__).parent.parent / "docs" / "exporting.md").read_text()


def jsonl_examples() -> list[dict[str, Any]]:
    """The JSON Lines lines docs/exporting.md shows (what the docs test and the export test
    hold against the code and against the seed story's export)."""
    block = EXPORTING_DOC.split("```jsonl\n")[1].split("```")[0]
    return [json.loads(line) for line in block.splitlines()]


def kill_neo4j(settings: "Settings") -> None:
    """`kill -9` a local Neo4j started by our launcher, and wait until it is gone."""
    from eventgraph.graph import local_neo4j

    state = local_neo4j.running_launcher(settings)
    assert state is not None
    os.kill(state.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while local_neo4j.running_launcher(settings) is not None:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def throwaway_neo4j(home: Path) -> dict[str, str]:
    """The variables of a small Neo4j of a test's own (a free port, its store under `home`),
    for tests that stop, kill or replace a store: never the shared test database."""
    return {
        "EVENTGRAPH_NEO4J_PORT": str(free_port()),
        "EVENTGRAPH_NEO4J_HOME": str(home),
        "EVENTGRAPH_NEO4J_HEAP": "512m",
        "EVENTGRAPH_NEO4J_PAGECACHE": "64m",
    }


@contextmanager
def served(app: "FastAPI", port: int | None = None) -> Iterator[str]:
    """The app served by uvicorn on a loopback port (a free one unless given), as `eventgraph
    serve` runs it; yields `http://127.0.0.1:PORT`."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def eventgraph_serve(
    env: dict[str, str], *args: str, log: Path | None = None
) -> Iterator["subprocess.Popen[str]"]:
    """The real `eventgraph serve ARGS` with the test environment plus `env`, its banner on
    `stdout` (read it: the first line comes once the port answers), its log (standard error)
    in the file `log` if given; stopped at the end."""
    with (
        open(log if log is not None else os.devnull, "w") as log_file,
        subprocess.Popen(
            [str(EVENTGRAPH), "serve", *args],
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            env={**os.environ, **env},
        ) as server,
    ):
        try:
            assert server.stdout is not None
            yield server
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def graphql_path(client: "TestClient", fast: bool) -> Iterator[None]:
    """The fast path on or off in the app `client` serves (off: the standard path answers)."""
    app = cast("FastAPI", client.app)
    app.state.graphql_fast_path = fast
    try:
        yield
    finally:
        app.state.graphql_fast_path = True


def ask(client: "TestClient", query: str, fast: bool, **extra: Any) -> "httpx.Response":
    """POST a GraphQL operation with the fast path on or off (off: the standard path answers)."""
    with graphql_path(client, fast):
        response: httpx.Response = client.post("/graphql", json={"query": query, **extra})
        return response


def agreed_data(client: "TestClient", query: str) -> dict[str, Any]:
    """The answer's data, which both paths must give alike (and the fast path must really give)."""
    from tests.counting import watching_fast_path

    standard = _answer(ask(client, query, fast=False))
    assert "errors" not in standard, standard
    with watching_fast_path() as tally:
        fast = _answer(ask(client, query, fast=True))
    assert tally.answered == 1, "the fast path fell back to the standard path"
    assert fast == standard
    return standard["data"]  # type: ignore[no-any-return]


def agreed_refusal(client: "TestClient", query: str) -> str:
    """The error message, the same both ways, coded BAD_USER_INPUT, with nothing leaked."""
    messages = []
    for fast in (True, False):
        body = _answer(ask(client, query, fast))
        assert not any((body.get("data") or {}).values()), body
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "Traceback" not in str(body) and "MATCH" not in str(body)
        message: str = error["message"]
        messages.append(message)
    assert messages[0] == messages[1]
    return messages[0]


def _answer(response: "httpx.Response") -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


RECORD_EVENT = """mutation($input: EventInput!) { recordEvent(input: $input) { key } }"""

JAVASCRIPT_CLIENTS = Path(__file__).parent / "clients"
"""The JavaScript clients' tests (`node --test`), their packages pinned by its package-lock.json."""


def run_javascript_client(test_file: str, env: dict[str, str]) -> None:
    """Run `node --test` on one file of tests/clients/ with `env` (the servers' URLs and
    tokens `live.mjs` reads); fails with node's report unless every test passed."""
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed for this test"
    assert (JAVASCRIPT_CLIENTS / "node_modules" / "@apollo" / "client").is_dir(), (
        "the client packages are not installed: run `make test-setup`"
    )
    finished = subprocess.run(
        [node, "--test", "--test-reporter=spec", str(JAVASCRIPT_CLIENTS / test_file)],
        env={**os.environ, **env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, f"{test_file} failed:\n{finished.stdout}\n{finished.stderr}"
    assert "fail 0" in finished.stdout, finished.stdout


def recorded_flight(key: str, day: str) -> dict[str, object]:
    """A flight as the recordEvent mutation takes it: the Russian air force, seen on one day."""
    return {
        "key": key,
        "type": "flight",
        "name": f"Flight {key}",
        "time": {"start": day, "precision": "day"},
        "participants": [{"role": "operator", "ref": "russian-air-force"}],
        "claims": [{"source": "flightradar24", "credibility": 2, "paraphrase": "Seen."}],
    }


def wait_until_feed_listens(app: Any, seconds: float = 10.0) -> None:
    """Block until the app's live feed polls: a subscription is registered asynchronously, and
    an event written before that is (rightly) not news to it."""
    deadline = time.monotonic() + seconds
    while not app.state.event_feed.polling:
        assert time.monotonic() < deadline, "the subscription never started the live feed"
        time.sleep(0.02)


@contextmanager
def subscribed(
    settings: "Settings", query: str, variables: dict[str, Any] | None = None
) -> Iterator[tuple["TestClient", Any]]:
    """An anonymous-read app with one graphql-transport-ws subscription registered and its
    live feed polling: (the HTTP client, the WebSocket). The subscription completes on exit."""
    from fastapi.testclient import TestClient

    from eventgraph.api.app import create_app

    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        wait_until_feed_listens(app)
        yield client, ws
        ws.send_json({"id": "1", "type": "complete"})


def next_recorded(ws: Any, seconds: float = 30.0) -> dict[str, Any]:
    """The next event an `eventRecorded` subscription hears of, over graphql-transport-ws;
    fails (instead of waiting for ever) if none arrives within `seconds`."""
    while True:
        message = _receive_within(ws, seconds)
        if message["type"] == "next":
            return message["payload"]["data"]["eventRecorded"]  # type: ignore[no-any-return]
        assert message["type"] not in ("error", "complete"), message


def _receive_within(ws: Any, seconds: float) -> Any:
    """`ws.receive_json()` with a deadline (Starlette's test session has none)."""

    async def receive() -> Any:
        with anyio.fail_after(seconds):
            return await ws._send_rx.receive()

    try:
        message = ws.portal.call(receive)
    except TimeoutError:
        raise AssertionError(f"no message on the subscription within {seconds:.0f} s") from None
    assert message["type"] == "websocket.send", message
    return json.loads(message.get("text") or message["bytes"])


PYDANTIC_PHRASES = (
    "after validation",
    "Input should",
    "Field required",
    "For further information",
    "String should",
    "Value error",
    "valid dictionary",
    "unable to parse",
    "pydantic",
    "Tuple",
)
"""Phrases of pydantic's own messages: a message to a user says what is wrong in our words."""


def run_cli(
    *args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `eventgraph ARGS` with the test environment plus `env`, minus the names in `drop`."""
    full_env = {key: value for key, value in os.environ.items() if key not in drop}
    full_env.update(env or {})
    return subprocess.run(
        [str(EVENTGRAPH), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def graph_checksum(driver: "Driver") -> str:
    """A digest of every node and relationship with its properties (bookkeeping included)."""
    import hashlib

    nodes = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY elementId(n)"
    )[0]
    edges = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS p, b.id AS b "
        "ORDER BY a, t, b"
    )[0]

    def canonical(value: object) -> object:
        if isinstance(value, dict):
            return sorted((key, canonical(item)) for key, item in value.items())
        return value

    rows = sorted(repr(canonical(row.data())) for row in [*nodes, *edges])
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()
