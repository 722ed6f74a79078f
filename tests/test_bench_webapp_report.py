"""The web app benchmark's report section says what each page waited for: its GraphQL requests
on the last load, by operation, when sent and when answered, and when the timeline was drawn;
a run recorded before requests were kept still reports its tables."""

from pathlib import Path
from typing import Any

import pytest

from bench.webapp import webapp_section


def _page(entity: str, requests: list[dict[str, Any]] | None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "entity": entity,
        "loads_ms": [1500.0, 700.0, 720.0, 690.0, 710.0],
        "median_warm_ms": 705.0,
        "max_warm_ms": 720.0,
        "mode": "buckets",
        "items": 158,
    }
    if requests is not None:
        page |= {"last_drawn_ms": 710.0, "last_requests": requests}
    return page


def _run(requests: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {
        "scale": "100k",
        "entity": _page("Asset:air-base-022", requests),
        "hub": _page("Actor:air-force-000", requests),
        "chart": {
            "nodes": 500,
            "laid_out_ms": 1100.0,
            "frames": 220,
            "scripted_s": 3.9,
            "frame_p50_ms": 16.7,
            "frame_p95_ms": 16.8,
            "frame_max_ms": 33.4,
            "long_tasks": 0,
            "long_task_ms": 0,
        },
        "bundle": {
            "files": [],
            "bytes": 1,
            "gzip_bytes": 1,
            "entry_bytes": 1,
            "entry_gzip_bytes": 1,
        },
        "load_average": {"before_1min": 4.0, "after_1min": 4.5},
    }


def test_each_page_lists_its_requests_in_the_order_they_went_out() -> None:
    requests = [
        {"name": "TimelineSpanOfEntity", "start_ms": 124, "end_ms": 409},
        {"name": "TimelineBuckets", "start_ms": 417, "end_ms": 1572},
    ]
    lines = webapp_section([_run(requests)])
    assert (
        "- 100k hub: TimelineSpanOfEntity 124–409, TimelineBuckets 417–1,572; drawn at 710 ms."
        in lines
    )
    assert "| 100k | hub `Actor:air-force-000` | 158 buckets |" in "\n".join(lines)


def test_a_run_without_requests_keeps_its_tables() -> None:
    lines = webapp_section([_run(None)])
    assert not [line for line in lines if line.startswith("- 100k")]
    assert any(line.startswith("| 100k | 500 | 1,100 ms") for line in lines)


def test_a_machine_without_chromium_is_told_what_to_install_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bench.__main__ as bench_main
    import bench.webapp as bench_webapp

    monkeypatch.setattr(bench_webapp, "CHROMIUM", tmp_path / "no-chromium")
    report = tmp_path / "report.md"
    with pytest.raises(SystemExit) as stopped:
        bench_main.main(["--only", "webapp", "--scales", "10k", "--report", str(report)])
    message = str(stopped.value)
    assert "no-chromium is missing" in message
    assert "make test-setup" in message
    assert not report.exists()  # stopped before the bench's Neo4j or any dataset
