"""`python -m bench --only bulk`: the report keeps the rest of the one it replaces, puts each
measured scale's bulk figures in place of the old ones (a scale the old report lacks is added),
and says which run they come from. Pure report logic, on the committed report's own figures
(docs/benchmarks.json, read only); the bulk import itself is measured in test_bench_smoke.py."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import with_bulk_of
from bench.feeds import earlier_results
from bench.report import render
from eventgraph.graph.settings import PROJECT_ROOT

COMMITTED = PROJECT_ROOT / "docs" / "benchmarks.md"


@pytest.fixture
def earlier() -> dict[str, Any]:
    results = earlier_results(Path(COMMITTED))
    # The 1M scale is the one a bulk-only run adds here: whatever the report holds of it is left out.
    results["scales"] = [s for s in results.get("scales", ()) if s["events"] != 1_000_000]
    results.pop("bulk_from", None)
    if not results["scales"]:
        pytest.skip("docs/benchmarks.json holds no scale below 1M")
    return results


def _bulk_scale(name: str, events: int, seconds: float) -> dict[str, Any]:
    """A scale as `run_bulk_scale` returns it."""
    phases = {"checking": seconds / 2, "neo4j-admin": seconds / 4, "schema": seconds / 4}
    return {
        "name": name,
        "events": events,
        "dataset_cached": True,
        "seconds": {"dataset": 0.1, "import": seconds, "queries": None, "total": seconds},
        "counts": {"nodes": {"Event": events}, "relationships": {"INVOLVES": events}},
        "import": {
            "bulk": {
                "events": events,
                "seconds": seconds,
                "events_per_s": events / seconds,
                "peak_rss_mib": 900.0,
                "batch_size": None,
                "offline": True,
                "phases": phases,
            }
        },
        "subjects": None,
        "operations": None,
    }


def test_a_bulk_only_run_replaces_the_bulk_rows_and_keeps_the_rest(
    earlier: dict[str, Any],
) -> None:
    kept = copy.deepcopy(earlier)
    old = kept["scales"][-1]
    run = {
        "started": "2030-01-01T00:00:00+00:00",
        "finished": "2030-01-01T00:10:00+00:00",
        "command": "python -m bench --only bulk --scales 1m",
        "machine": {"load_average_15min": 3.5, "load_average_15min_after": 4.5},
        "commit": "abc123",
    }
    new_old = _bulk_scale(old["name"], old["events"], 77.0)
    million = _bulk_scale("1m", 1_000_000, 170.0)
    results = with_bulk_of(kept, [million, new_old], run)

    assert earlier == kept  # the earlier results themselves are not changed
    names = [scale["name"] for scale in results["scales"]]
    assert names == [*(scale["name"] for scale in earlier["scales"]), "1m"]
    merged = results["scales"][-2]
    assert merged["import"]["bulk"]["seconds"] == 77.0
    for way in set(old["import"]) - {"bulk"}:
        assert merged["import"][way] == old["import"][way]
    assert merged["operations"] == old.get("operations")
    assert results["bulk_from"] == {"1m": run, old["name"]: run}
    for key in ("started", "command", "feeds", "machine"):
        assert results.get(key) == earlier.get(key)

    markdown, raw = render(results)
    assert f"The bulk rows at 1m, {old['name']} come from a run of the bulk import alone" in (
        markdown
    )
    assert "load average (15 min) 3.5 before / 4.5 after" in markdown
    assert "except the bulk import's at 1m" in markdown
    assert "| 1m | `eventgraph import --bulk` | none (neo4j-admin, offline) | 2.8 min |" in markdown
    assert "| 1m | LOAD CSV | not run |" in markdown
    (bulk_target,) = [
        verdict
        for verdict in json.loads(raw)["targets"]
        if "bulk import of 1M" in verdict["target"]
    ]
    assert bulk_target["status"] == "met", bulk_target
