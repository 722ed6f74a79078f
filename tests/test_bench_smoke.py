"""The benchmark end to end at a tiny scale (CI's smoke test of `make bench`).

`python -m bench` as `make bench` runs it, on its own throwaway Neo4j (with APOC) and a few
hundred events, one short point per side and concurrency: the dataset, the three imports (the
bulk one restarts that Neo4j), our server, the @neo4j/graphql reference, the floor, the
agreement checks and the report, which goes to a temporary path (docs/benchmarks.md holds a
real run and is never touched here). Then `--only imports` on the same Neo4j and report: the
imports again, and the report keeps the first run's query tables, saying whose they are. Then
`--only feeds`: the feed imports again (a few hundred ACLED rows, a GDELT "day" of a hundred
events), and the report keeps the rest.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import bench_settings, benchmark_neo4j, main
from bench.operations import OPERATIONS
from eventgraph.graph.driver import open_driver
from eventgraph.graph.importer.bulk import PHASES
from eventgraph.graph.local_neo4j import running_launcher
from eventgraph.graph.settings import PROJECT_ROOT
from tests.helpers import free_port

pytestmark = pytest.mark.lifecycle

CLIENTS = [1, 8]
EVENTS = 300
ACLED_ROWS = 200
GDELT_EVENTS = 100
Run = tuple[dict[str, Any], str]
"""One run's raw results and its markdown report."""


def _report(path: Path) -> Run:
    return json.loads(path.with_suffix(".json").read_text()), path.read_text()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """A tiny full run, then a tiny `--only imports` run into the same report, both on one
    Neo4j started here (so it is started once); what APOC says after both runs."""
    folder = tmp_path_factory.mktemp("bench")
    report = folder / "benchmarks.md"
    committed = PROJECT_ROOT / "docs" / "benchmarks.md"
    before = committed.read_bytes() if committed.exists() else None
    port, home = free_port(), folder / "neo4j"
    common = [
        f"--scales={EVENTS}",
        f"--report={report}",
        f"--neo4j-port={port}",
        f"--neo4j-home={home}",
        f"--data-dir={folder / 'data'}",
        f"--acled-rows={ACLED_ROWS}",
        f"--gdelt-events={GDELT_EVENTS}",
    ]
    settings = bench_settings(port, home)
    found = {}
    with benchmark_neo4j(settings, with_apoc=True, say=lambda _: None):
        main([*common, "--clients=1,8", "--warmup=0.2", "--duration=1"])
        found["full"] = _report(report)
        main([*common, "--only=imports", "--no-bulk"])
        found["imports"] = _report(report)
        main([*common, "--only=feeds"])
        found["feeds"] = _report(report)
        with open_driver(settings) as driver:
            apoc = driver.execute_query("RETURN apoc.version() AS v")[0][0]["v"]
        found["apoc"] = ({"version": apoc, "launcher": running_launcher(settings)}, "")
    after = committed.read_bytes() if committed.exists() else None
    assert after == before, "the smoke run wrote docs/benchmarks.md"
    return found


def test_every_operation_is_measured_on_every_side_it_has_without_errors(
    runs: dict[str, Run],
) -> None:
    results, _ = runs["full"]
    (scale,) = results["scales"]
    assert [operation["name"] for operation in scale["operations"]] == [
        operation.name for operation in OPERATIONS
    ]
    for operation in scale["operations"]:
        sides = {"ours", "ours_2_workers", "floor"} | (
            {"reference"} if operation["reference"] else set()
        )
        assert set(operation["sides"]) == sides, operation["name"]
        for side, points in operation["sides"].items():
            several = [clients for clients in CLIENTS if clients > 1]  # what 2 workers change
            expected = several if side == "ours_2_workers" else CLIENTS
            assert [point["clients"] for point in points] == expected
            for point in points:
                where = (operation["name"], side, point["clients"])
                assert point["errors"] == 0, (where, point["error_messages"])
                assert point["requests"] > 0, where
                assert 0 < point["p50_ms"] <= point["p95_ms"] <= point["p99_ms"], where
                assert point["throughput_rps"] > 0, where


def test_the_three_imports_are_measured_and_the_graph_is_the_dataset(
    runs: dict[str, Run],
) -> None:
    results, _ = runs["full"]
    (scale,) = results["scales"]
    assert set(scale["import"]) == {"eventgraph", "bulk", "load_csv"}
    for figures in scale["import"].values():
        assert figures["events"] == EVENTS
        assert figures["seconds"] > 0 and figures["events_per_s"] > 0
    online, bulk = scale["import"]["eventgraph"], scale["import"]["bulk"]
    assert online["peak_rss_mib"] > 0 and not online["offline"]
    assert bulk["offline"] and bulk["batch_size"] is None
    # neo4j-admin's JVM is counted, not only the Python process that waits for it.
    assert bulk["peak_rss_mib"] > online["peak_rss_mib"]
    assert list(bulk["phases"]) == list(PHASES)  # each step of it timed, from what it printed
    assert scale["counts"]["nodes"]["Event"] == EVENTS
    assert scale["seconds"]["total"] >= scale["seconds"]["queries"] > 0


def test_the_neo4j_comes_back_from_the_bulk_import_as_the_benchmark_needs_it(
    runs: dict[str, Run],
) -> None:
    """Same port and home (the run found it), with APOC (the reference ran after the bulk
    import, as the first test shows), and still running after both runs."""
    state, _ = runs["apoc"]
    assert state["version"]
    assert state["launcher"] is not None


def test_the_report_judges_each_target_and_names_what_it_ran_on(runs: dict[str, Run]) -> None:
    results, markdown = runs["full"]
    statuses = {target["target"]: target["status"] for target in results["targets"]}
    assert len(statuses) == 10
    assert set(statuses.values()) <= {"met", "missed", "not measured"}
    not_measured = [target for target, status in statuses.items() if status == "not measured"]
    # No 10k, 100k or 1m scale in a smoke run: what needs them cannot be judged.
    assert len(not_measured) >= 6, statuses
    assert results["versions"]["apoc"] and results["versions"]["@neo4j/graphql"]
    for heading in ("## The issue's targets", "## Machine and versions", "## Import"):
        assert heading in markdown
    assert "| `eventgraph import --bulk` | none (neo4j-admin, offline) |" in markdown
    assert "| scale | " + " | ".join(PHASES) + " |" in markdown  # the bulk import's steps
    for operation in OPERATIONS:
        assert f"| {operation.name} | 1 | 1 |" in markdown  # clients, workers
        assert f"| {operation.name} | 8 | 2 |" in markdown  # 8 clients, `serve --workers 2`


def test_an_imports_only_run_keeps_the_query_tables_saying_whose(runs: dict[str, Run]) -> None:
    full, _ = runs["full"]
    results, markdown = runs["imports"]
    (scale,) = results["scales"]
    assert scale["operations"] is None and scale["seconds"]["queries"] is None
    assert set(scale["import"]) == {"eventgraph", "load_csv"}
    assert scale["import"]["eventgraph"]["events"] == EVENTS
    kept = results["queries_from"]
    assert kept["started"] == full["started"]
    assert kept["scales"][0]["operations"] == full["scales"][0]["operations"]
    assert f"kept from the report it replaced: the queries of the run of {full['started']}" in (
        markdown
    )
    for operation in OPERATIONS:
        assert f"| {operation.name} | 1 |" in markdown
    query_targets = results["targets"][-3:]
    assert all(full["started"] in target["detail"] for target in query_targets)


def test_the_feed_imports_build_the_same_graph_as_their_records_in_the_native_format(
    runs: dict[str, Run],
) -> None:
    results, markdown = runs["full"]
    adapter, gdelt = results["feeds"]["adapter"], results["feeds"]["gdelt"]
    assert adapter["records"] == ACLED_ROWS
    assert adapter["counts"]["nodes"]["Event"] == ACLED_ROWS
    for figures in adapter["import"].values():
        assert figures["seconds"] > 0 and figures["peak_rss_mib"] > 0
    assert adapter["time_ratio"] == pytest.approx(
        adapter["import"]["feed"]["seconds"] / adapter["import"]["native"]["seconds"]
    )
    half, day = gdelt["half"], gdelt["day"]
    assert (half["events"], day["events"]) == (GDELT_EVENTS // 2, GDELT_EVENTS)
    for part in (half, day):
        assert part["mentions"] >= part["events"]  # at least one mention an event
        assert part["counts"]["nodes"]["Claim"] == part["events"] + part["mentions"]
        assert part["batch_size"] and part["peak_rss_mib"] > 0
    assert gdelt["memory_ratio"] == pytest.approx(day["peak_rss_mib"] / half["peak_rss_mib"])
    verdicts = {target["target"]: target for target in results["targets"]}
    feed_verdicts = [v for name, v in verdicts.items() if "ACLED" in name or "GDELT" in name]
    # Judged only at the sizes the targets name: a smoke run's say so, with its figures.
    assert [v["status"] for v in feed_verdicts] == ["not measured"] * 2
    assert f"at {ACLED_ROWS:,} rows" in feed_verdicts[0]["detail"]
    assert f"### Adapter overhead: ACLED, {ACLED_ROWS:,} rows" in markdown


def test_a_feeds_only_run_keeps_the_rest_of_the_report(runs: dict[str, Run]) -> None:
    imports, _ = runs["imports"]
    results, markdown = runs["feeds"]
    assert results["scales"] == imports["scales"]
    assert results["queries_from"] == imports["queries_from"]
    assert results["feeds"]["started"] > imports["feeds"]["started"]
    assert results["feeds"]["command"].endswith("--only=feeds")
    assert imports["feeds"] == runs["full"][0]["feeds"]  # an imports-only run keeps them
    assert f"Measured by `{results['feeds']['command']}`" in markdown
