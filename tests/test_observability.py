"""Metrics, request ids, access lines and tracing, as an operator sees them: `eventgraph serve`
run for real over the seed story, scraped with prometheus-client's own parser, its JSON log
read line by line (docs/operations.md)."""

import contextvars
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from eventgraph.api.app import create_app
from eventgraph.api.logs import TextFormatter
from eventgraph.api.request_facts import RequestFacts, begin_request
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token, revoke_token
from tests.helpers import RECORD_EVENT, eventgraph_serve, free_port, recorded_flight

METRICS_TOKEN = "scrape-only-0123456789abcdef"


@dataclass(frozen=True)
class Served:
    base: str
    log: Path
    reader: str
    """A reader token, named `reader_name`."""
    reader_name: str
    editor: str

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def served(
    seed_story: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """`eventgraph serve` with JSON logs, a metrics token and anonymous read off."""
    database = settings.neo4j_database
    name = f"observed-reader-{secrets.token_hex(4)}"
    reader = create_token(seed_story, database, Role.READER, name)
    editor = create_token(seed_story, database, Role.EDITOR, f"{name}-editor")
    log = tmp_path_factory.mktemp("observed") / "serve.log"
    port = free_port()
    env = {
        "EVENTGRAPH_LOG_FORMAT": "json",
        "EVENTGRAPH_METRICS_TOKEN": METRICS_TOKEN,
        "EVENTGRAPH_ANONYMOUS_READ": "false",
        "EVENTGRAPH_ACCESS_LOG": "true",
    }
    try:
        with eventgraph_serve(env, "--port", str(port), log=log) as server:
            assert server.stdout is not None
            server.stdout.readline()  # the banner: it answers
            yield Served(f"http://127.0.0.1:{port}", log, reader, name, editor)
    finally:
        revoke_token(seed_story, database, name)
        revoke_token(seed_story, database, f"{name}-editor")


def _ask(served: Served, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        f"{served.base}/graphql",
        json=body,
        headers={"Authorization": f"Bearer {served.reader}", **headers},
        timeout=30,
    )


def _scrape(served: Served) -> dict[str, list[Sample]]:
    response = httpx.get(
        f"{served.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def _value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    return sum(found)


EVENTS = "query ObservedEvents($first: Int!) { events(first: $first) { totalCount } }"


def test_a_scrape_parses_and_counts_a_request_by_operation_its_cypher_and_an_error_by_code(
    served: Served,
) -> None:
    before = _scrape(served)
    answer = _ask(
        served, {"query": EVENTS, "operationName": "ObservedEvents", "variables": {"first": 1}}
    )
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    broken = _ask(served, {"query": "query Broken { events(first: 1) {", "operationName": "Broken"})
    code = broken.json()["errors"][0]["extensions"]["code"]
    assert code == "GRAPHQL_PARSE_FAILED"
    after = _scrape(served)

    def grew(family: str, sample: str, **labels: str) -> float:
        return _value(after.get(family, []), sample, **labels) - _value(
            before.get(family, []), sample, **labels
        )

    latency = "eventgraph_http_request_duration_seconds"
    assert grew(latency, f"{latency}_count", route="/graphql", operation="ObservedEvents") == 1
    assert grew(latency, f"{latency}_bucket", operation="ObservedEvents", le="+Inf") == 1
    assert grew(latency, f"{latency}_sum", operation="ObservedEvents") > 0
    cypher = "eventgraph_graphql_field_cypher_seconds"
    assert grew(cypher, f"{cypher}_count", field="events") == 1
    assert grew("eventgraph_errors", "eventgraph_errors_total", code="GRAPHQL_PARSE_FAILED") == 1
    requests = "eventgraph_http_requests"
    assert grew(requests, f"{requests}_total", route="/graphql", method="POST", status="200") == 2
    pool = after["eventgraph_neo4j_pool_connections"]
    assert _value(pool, "eventgraph_neo4j_pool_connections", driver="async") >= 1
    assert after["eventgraph_graphql_websocket_connections"][0].value == 0


def test_a_refused_mutation_counts_its_importer_batch_and_records(served: Served) -> None:
    """Refused, so the shared story stays as it is: nothing is written."""
    before = _scrape(served)
    flight = {**recorded_flight("observed-flight", "2025-10-27"),
              "participants": [{"role": "operator", "ref": "no-such-actor"}]}  # fmt: skip
    answer = _ask(
        served,
        {"query": RECORD_EVENT, "variables": {"input": flight}},
        Authorization=f"Bearer {served.editor}",
    )
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer.text
    after = _scrape(served)

    def grew(family: str, sample: str, **labels: str) -> float:
        return _value(after.get(family, []), sample, **labels) - _value(
            before.get(family, []), sample, **labels
        )

    batches, records = "eventgraph_import_batches", "eventgraph_import_records"
    assert grew(batches, f"{batches}_total", outcome="refused") == 1
    assert grew(records, f"{records}_total", collection="events", outcome="refused") == 1
    assert grew(records, f"{records}_total", outcome="written") == 0
    assert grew("eventgraph_errors", "eventgraph_errors_total", code="BAD_USER_INPUT") == 1


def test_a_request_id_travels_from_the_header_to_its_log_line(served: Served) -> None:
    marker = "variable-value-never-logged"
    answer = _ask(
        served,
        {
            "query": "query Find($q: String!) { search(text: $q, first: 1) { score } }",
            "operationName": "Find",
            "variables": {"q": marker},
        },
        **{"X-Request-ID": "trace-me.0042"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-request-id"] == "trace-me.0042"
    line = _logged(served, "trace-me.0042")
    assert line["route"] == "/graphql" and line["path"] == "/graphql"
    assert line["method"] == "POST" and line["status"] == 200
    assert line["operation"] == "Find" and line["token"] == served.reader_name
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["time"].endswith("Z") and line["level"] == "info"
    text = served.log.read_text()
    assert marker not in text and served.reader not in text and METRICS_TOKEN not in text


def test_a_lookup_asked_again_is_counted_and_logged_as_the_first(served: Served) -> None:
    """From the second time on, the lane answers the document (`api/graphql/lane.py`): its
    answers, request ids, access lines and metrics are the router's."""
    body = {
        "query": 'query Again { node(id: "Actor:russia") { id ... on Actor { name } } }',
        "operationName": "Again",
    }
    before = _scrape(served)
    answers = [_ask(served, body, **{"X-Request-ID": f"again.{n}"}) for n in range(3)]
    after = _scrape(served)
    assert len({answer.content for answer in answers}) == 1
    assert answers[0].json() == {"data": {"node": {"id": "Actor:russia", "name": "Russia"}}}
    for n, answer in enumerate(answers):
        assert answer.headers["x-request-id"] == f"again.{n}"
        line = _logged(served, f"again.{n}")
        assert (line["route"], line["operation"], line["status"]) == ("/graphql", "Again", 200)
        assert line["token"] == served.reader_name

    def grew(family: str, sample: str, **labels: str) -> float:
        return _value(after.get(family, []), sample, **labels) - _value(
            before.get(family, []), sample, **labels
        )

    latency = "eventgraph_http_request_duration_seconds"
    assert grew(latency, f"{latency}_count", route="/graphql", operation="Again") == 3
    cypher = "eventgraph_graphql_field_cypher_seconds"
    assert grew(cypher, f"{cypher}_count", field="node") == 3


@pytest.mark.parametrize("sent", ["has spaces", "x" * 129, "semi;colon", ""])
def test_an_unsafe_request_id_is_replaced_by_a_new_one(served: Served, sent: str) -> None:
    answer = httpx.get(f"{served.base}/health", headers={"X-Request-ID": sent}, timeout=30)
    made = answer.headers["x-request-id"]
    assert made != sent and len(made) == 16 and made.isalnum()
    assert _logged(served, made)["route"] == "/health"


def test_only_the_metrics_token_scrapes_when_one_is_configured(served: Served) -> None:
    reader = httpx.get(
        f"{served.base}/metrics", headers={"Authorization": f"Bearer {served.reader}"}, timeout=30
    )
    assert reader.status_code == 403
    assert reader.json()["error"]["message"].startswith("this token cannot scrape /metrics")
    assert httpx.get(f"{served.base}/metrics", timeout=30).status_code == 401
    assert "eventgraph_http_requests" in _scrape(served)


def test_without_a_metrics_token_metrics_are_read_as_the_graph_is(story_client: TestClient) -> None:
    """The story's client has anonymous read on: anyone reads the graph, so anyone scrapes."""
    answer = story_client.get("/metrics")
    assert answer.status_code == 200
    assert "eventgraph_http_request_duration_seconds" in answer.text


def test_tracing_on_makes_a_span_for_a_request_and_none_for_a_scrape(
    seed_story: Driver, settings: Settings
) -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    app = create_app(settings.model_copy(update={"anonymous_read": True}), tracer_provider=provider)
    with TestClient(app) as client:
        answer = client.post("/graphql", json={"query": "{ version }"})
        assert answer.status_code == 200
        assert client.get("/metrics").status_code == 200
        secret = "variable-value-never-traced"
        asked = client.get("/graphql", params={"query": "query($v: String) { version }",
                                               "variables": json.dumps({"v": secret})})  # fmt: skip
        assert asked.status_code == 200, asked.text
    finished = [dict(span.attributes or {}) for span in spans.get_finished_spans()]
    servers = [attributes for attributes in finished if attributes.get("http.route")]
    assert [attributes["http.request.method"] for attributes in servers] == ["POST", "GET"]
    assert {attributes["http.route"] for attributes in servers} == {"/graphql"}  # no /metrics
    assert servers[1]["url.query"] == "REDACTED"
    assert not any(secret in str(attributes) for attributes in finished)


def test_the_text_log_line_names_the_request_its_operation_and_token() -> None:
    """The default format, for a person at a terminal (`make run`)."""
    facts = RequestFacts("trace-me.0043")
    facts.operation, facts.token = "Find", "analyst"
    record = logging.LogRecord("eventgraph.access", logging.INFO, __file__, 1, "%s %s %s",
                               ("POST", "/graphql", 200), None)  # fmt: skip
    record.__dict__["access"] = {"operation": "Find", "duration_ms": 3.14, "token": "analyst"}

    def formatted() -> str:
        begin_request(facts)
        return TextFormatter().format(record)

    line = contextvars.copy_context().run(formatted)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO    \[trace-me\.0043\] "
        r"POST /graphql 200 Find 3\.1ms token=analyst",
        line,
    ), line


def _logged(served: Served, request_id: str) -> dict[str, Any]:
    """The access line of the request with this id (written once the answer has gone)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [
            line
            for line in served.log_lines()
            if line.get("request_id") == request_id and line.get("logger") == "eventgraph.access"
        ]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 1, served.log.read_text()[-2000:]
    return lines[0]


COUNT_ONE_REQUEST = """
from eventgraph.api import metrics
metrics.observe_request("/graphql", "POST", "Counted", 200, 0.002)
"""
SCRAPE = """
from eventgraph.api import metrics
print(metrics.exposition(metrics.pools_registry({})).decode())
"""


def test_with_a_multiprocess_folder_a_scrape_adds_up_every_process(tmp_path: Path) -> None:
    """What several worker processes will need: each writes its values to the folder, and a
    scrape of any one adds them up."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT_ONE_REQUEST], env=env, check=True)
    scraped = subprocess.run(
        [sys.executable, "-c", SCRAPE], env=env, check=True, capture_output=True, text=True
    ).stdout
    families = {family.name: family.samples for family in text_string_to_metric_families(scraped)}
    latency = "eventgraph_http_request_duration_seconds"
    assert _value(families[latency], f"{latency}_count", operation="Counted") == 2
