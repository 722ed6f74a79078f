"""The benchmark end to end at a tiny scale (CI's smoke test of `make bench`).

`python -m bench` as `make bench` runs it, on its own throwaway Neo4j (with APOC) and a few
hundred events, one short point per side and concurrency: the dataset, both imports, our server,
the @neo4j/graphql reference, the floor, the agreement checks and the report, which goes to a
temporary path (docs/benchmarks.md holds a real run and is never touched here).
"""

import json
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import main
from bench.operations import OPERATIONS
from eventgraph.graph.settings import PROJECT_ROOT
from tests.helpers import free_port

pytestmark = pytest.mark.lifecycle

CLIENTS = [1, 8]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """One tiny benchmark run: its raw results and its markdown report."""
    folder = tmp_path_factory.mktemp("bench")
    report = folder / "benchmarks.md"
    committed = PROJECT_ROOT / "docs" / "benchmarks.md"
    before = committed.read_bytes() if committed.exists() else None
    main(
        [
            "--scales=300",
            "--clients=1,8",
            "--warmup=0.2",
            "--duration=1",
            f"--report={report}",
            f"--neo4j-port={free_port()}",
            f"--neo4j-home={folder / 'neo4j'}",
            f"--data-dir={folder / 'data'}",
        ]
    )
    after = committed.read_bytes() if committed.exists() else None
    assert after == before, "the smoke run wrote docs/benchmarks.md"
    return json.loads(Path(report.with_suffix(".json")).read_text()), report.read_text()


def test_every_operation_is_measured_on_every_side_it_has_without_errors(
    run: tuple[dict[str, Any], str],
) -> None:
    results, _ = run
    (scale,) = results["scales"]
    assert [operation["name"] for operation in scale["operations"]] == [
        operation.name for operation in OPERATIONS
    ]
    for operation in scale["operations"]:
        sides = {"ours", "floor"} | ({"reference"} if operation["reference"] else set())
        assert set(operation["sides"]) == sides, operation["name"]
        for side, points in operation["sides"].items():
            assert [point["clients"] for point in points] == CLIENTS
            for point in points:
                where = (operation["name"], side, point["clients"])
                assert point["errors"] == 0, (where, point["error_messages"])
                assert point["requests"] > 0, where
                assert 0 < point["p50_ms"] <= point["p95_ms"] <= point["p99_ms"], where
                assert point["throughput_rps"] > 0, where


def test_imports_are_measured_and_the_graph_is_the_dataset(
    run: tuple[dict[str, Any], str],
) -> None:
    results, _ = run
    (scale,) = results["scales"]
    for way in ("eventgraph", "load_csv"):
        figures = scale["import"][way]
        assert figures["events"] == 300
        assert figures["seconds"] > 0 and figures["events_per_s"] > 0
    assert scale["import"]["eventgraph"]["peak_rss_mib"] > 0
    assert scale["counts"]["nodes"]["Event"] == 300
    assert scale["seconds"]["total"] >= scale["seconds"]["queries"] > 0


def test_the_report_judges_each_target_and_names_what_it_ran_on(
    run: tuple[dict[str, Any], str],
) -> None:
    results, markdown = run
    statuses = [target["status"] for target in results["targets"]]
    assert len(statuses) == 4
    assert set(statuses) <= {"met", "missed", "not measured"}
    assert statuses[3] == "not measured"  # no 10k and 1m scales in a smoke run
    assert results["versions"]["apoc"] and results["versions"]["@neo4j/graphql"]
    for heading in ("## The issue's targets", "## Machine and versions", "## Import"):
        assert heading in markdown
    for operation in OPERATIONS:
        assert f"| {operation.name} | 1 |" in markdown
