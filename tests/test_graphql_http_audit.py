"""The GraphQL-over-HTTP spec, audited: graphql-http's own audit suite (real Node, the npm
package pinned in tests/graphql_http_audit/) against the real app served by uvicorn."""

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator

import pytest
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.helpers import served

AUDIT = PROJECT_ROOT / "tests" / "graphql_http_audit"


@pytest.fixture(scope="module")
def served_url(driver: Driver, settings: Settings) -> Iterator[str]:
    """The app on a free loopback port, as `eventgraph serve` runs it (anonymous read on)."""
    with served(create_app(settings.model_copy(update={"anonymous_read": True}))) as base:
        yield f"{base}/graphql"


def test_graphql_over_http_audit_passes_without_errors_or_warnings(served_url: str) -> None:
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed for this test"
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), (
        "graphql-http is not installed: run `make test-setup`"
    )
    finished = subprocess.run(
        [node, str(AUDIT / "audit.mjs"), served_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    results = json.loads(finished.stdout)
    statuses = Counter(result["status"] for result in results)
    failed = [result for result in results if result["status"] in ("warn", "error")]
    assert not failed, json.dumps(failed, indent=2)
    assert statuses["ok"] >= 60, statuses  # graphql-http 1.23.1 has 61 audits
