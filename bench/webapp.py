"""The web app's benchmark (`python -m bench --only webapp`): Playwright driving Debian's Chromium
against `eventgraph serve` over the imported benchmark graph.

- **First meaningful paint of an entity page**: from navigation start (a fresh browser context
  each time, so nothing is cached) to the `timeline-drawn` performance mark the timeline sets
  when vis-timeline has drawn its first items (web/src/Timeline.tsx); the entity's name is
  on the page before it. Asked of the build-up's base (`Probes.site`).
- **Hub timeline**: the same mark on the hub air force's page (`Probes.actor`, thousands of
  events), drawn as counts per bucket; both the time from navigation start and the page's
  `mode` (buckets or events) are kept, and for the last load of each page its GraphQL
  requests (operation, sent, answer read), which say where the time went.
- **Link chart at 500 nodes**: the hub's neighbourhood (cut at 500 nodes by the API), the
  time until its layout stops, then frame times and long tasks (over 50 ms) while a script
  drags the chart and zooms it with the wheel, and for SETTLE_MS after, when the chart is
  drawn again in full.
- **Bundle**: every file of web/dist/assets, raw and gzip-compressed (level 6, as servers do).
"""

import gzip
import os
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from neo4j import Driver
from playwright.sync_api import Browser, Page, sync_playwright

from bench.dataset import Probes
from bench.our_server import OurServer
from eventgraph.api import webapp
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
LOADS = 5
"""Page loads per measured page (each in a fresh context); the first is cold."""
PAINT_TARGET_MS = 1500.0
HUB_TARGET_MS = 1000.0
CHART_NODES = 500
LONG_TASK_MS = 50.0
TOKEN_KEY = "eventgraph.token"  # noqa: S105 (the sessionStorage key, web/src/session.ts)
TIMELINE_DRAWN = "[data-testid=timeline][data-ready=true]"
CHART_READY = "[data-testid=chart][data-ready=true]"
WAIT_MS = 60_000
SETTLE_MS = 500
"""Frames are kept this long after the last wheel turn: cytoscape draws the whole chart again
150 ms after the wheel stops (its wheel timeout), and that redraw is part of the move."""

_FRAMES_START = """() => {
  window.__frames = []; window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: "longtask", buffered: false });
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last); last = now;
    if (!window.__stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
_FRAMES_STOP = """() => {
  window.__stop = true; return { frames: window.__frames, longTasks: window.__longTasks };
}"""


def bundle_sizes(dist: Path = webapp.DIST) -> dict[str, Any]:
    """Each built asset's size, raw and gzipped, and the totals; the entry (index) apart."""
    files = sorted(path for path in (dist / "assets").iterdir() if path.is_file())
    rows: list[dict[str, Any]] = [
        {
            "file": path.name,
            "bytes": path.stat().st_size,
            "gzip_bytes": len(gzip.compress(path.read_bytes(), compresslevel=6)),
        }
        for path in files
    ]
    entry = [row for row in rows if row["file"].startswith("index-")]
    return {
        "files": rows,
        "bytes": sum(row["bytes"] for row in rows),
        "gzip_bytes": sum(row["gzip_bytes"] for row in rows),
        "entry_bytes": sum(row["bytes"] for row in entry),
        "entry_gzip_bytes": sum(row["gzip_bytes"] for row in entry),
    }


_RECORD_REQUESTS = """(() => {
  window.__requests = [];
  const fetched = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    let name = null;
    try { name = JSON.parse(init && init.body).operationName ?? null; } catch (e) {}
    const entry = { name, start: performance.now(), end: null };
    window.__requests.push(entry);
    const response = await fetched(input, init);
    if (name !== null) await response.clone().text();
    entry.end = performance.now();
    return response;
  };
})()"""
"""Each GraphQL request's operation and when it went out and was read, since navigation start."""


def _page(browser: Browser, token: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(f"sessionStorage.setItem({TOKEN_KEY!r}, {token!r})")
    context.add_init_script(_RECORD_REQUESTS)
    return context.new_page()


def _requests(page: Page) -> list[dict[str, Any]]:
    """The page's GraphQL requests so far, by the time each went out."""
    entries: list[dict[str, Any]] = page.evaluate("() => window.__requests")
    return sorted(
        (
            {"name": e["name"], "start_ms": round(e["start"]), "end_ms": round(e["end"])}
            for e in entries
            if e["name"] is not None and e["end"] is not None
        ),
        key=lambda e: e["start_ms"],
    )


def _drawn_mark(page: Page) -> dict[str, Any]:
    """The first `timeline-drawn` mark: when since navigation start, in which mode, how many."""
    page.wait_for_selector(TIMELINE_DRAWN, timeout=WAIT_MS)
    mark: dict[str, Any] = page.evaluate(
        """() => { const m = performance.getEntriesByName("timeline-drawn")[0];
                   return { ms: m.startTime, mode: m.detail.mode, items: m.detail.items }; }"""
    )
    return mark


def _entity_loads(browser: Browser, base: str, token: str, entity: str) -> dict[str, Any]:
    """LOADS loads of an entity's page: each one's paint, the median of the warm ones."""
    url = f"{base}/entity/{quote(entity, safe='')}"
    marks = []
    for _ in range(LOADS):
        page = _page(browser, token)
        page.goto(url)
        page.wait_for_selector("main h1", timeout=WAIT_MS)
        marks.append(_drawn_mark(page))
        requests = _requests(page)  # the last load's are kept: a warm one
        page.context.close()
    warm = [mark["ms"] for mark in marks[1:]]
    return {
        "entity": entity,
        "loads_ms": [round(mark["ms"], 1) for mark in marks],
        "median_warm_ms": round(statistics.median(warm), 1),
        "max_warm_ms": round(max(warm), 1),
        "mode": marks[-1]["mode"],
        "items": marks[-1]["items"],
        "last_drawn_ms": round(marks[-1]["ms"], 1),
        "last_requests": requests,
    }


def _chart(browser: Browser, base: str, token: str, focus: str) -> dict[str, Any]:
    """The neighbourhood chart of `focus`: time to layout, then frames during a pan and zoom."""
    page = _page(browser, token)
    page.goto(f"{base}/chart?focus={quote(focus, safe='')}")
    page.wait_for_function(  # laid out with the neighbourhood in (an empty chart is ready too)
        f"() => Number(document.querySelector({CHART_READY!r})?.dataset.nodes) > 0",
        timeout=WAIT_MS,
    )
    laid_out_ms = float(page.evaluate("() => performance.now()"))
    chart = page.locator("[data-testid=chart]")
    nodes = int(chart.get_attribute("data-nodes") or 0)
    box = chart.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(_FRAMES_START)
    started = time.perf_counter()
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(40):
        page.mouse.move(x + (step % 20 - 10) * 12, y + (step % 10 - 5) * 8)
        page.wait_for_timeout(16)
    page.mouse.up()
    for step in range(20):
        page.mouse.wheel(0, -120 if step < 10 else 120)
        page.wait_for_timeout(30)
    page.wait_for_timeout(SETTLE_MS)
    scripted_s = time.perf_counter() - started
    measured = page.evaluate(_FRAMES_STOP)
    page.context.close()
    frames = sorted(measured["frames"][1:])
    long_tasks = measured["longTasks"]
    return {
        "focus": focus,
        "nodes": nodes,
        "laid_out_ms": round(laid_out_ms, 1),
        "scripted_s": round(scripted_s, 2),
        "frames": len(frames),
        "frame_p50_ms": round(statistics.median(frames), 1) if frames else None,
        "frame_p95_ms": round(frames[int(0.95 * (len(frames) - 1))], 1) if frames else None,
        "frame_max_ms": round(frames[-1], 1) if frames else None,
        "long_tasks": len(long_tasks),
        "long_task_ms": round(sum(long_tasks), 1),
    }


def missing_for_webapp() -> str | None:
    """What the web app's benchmark lacks on this machine, said as what to run; None if nothing."""
    if not (webapp.DIST / "index.html").is_file():
        return "the web app is not built (web/dist): run `make setup` (it needs Node 20+ and npm)"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing: run `make test-setup` (it installs Debian's chromium)"
    return None


def run_webapp(
    driver: Driver, settings: Settings, probes: Probes, log_path: Path
) -> dict[str, Any]:
    """The web app's figures over the graph `settings` names (imported before)."""
    started = time.monotonic()
    load_before = os.getloadavg()
    token = create_token(driver, settings.neo4j_database, Role.READER, name="bench-webapp")
    with OurServer(settings, log_path) as server, sync_playwright() as playwright:
        base = server.url.removesuffix("/graphql")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            site, hub_actor = f"Asset:{probes.site}", f"Actor:{probes.actor}"  # native keys
            entity = _entity_loads(browser, base, token, site)
            hub = _entity_loads(browser, base, token, hub_actor)
            chart = _chart(browser, base, token, hub_actor)
        finally:
            browser.close()
    return {
        "entity": entity,
        "hub": hub,
        "chart": chart,
        "bundle": bundle_sizes(),
        "seconds": time.monotonic() - started,
        "load_average": {"before_1min": load_before[0], "after_1min": os.getloadavg()[0]},
    }


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def _verdict(value: float, target: float) -> str:
    return "✅ met" if value <= target else "❌ missed"


def webapp_section(runs: list[dict[str, Any]] | None) -> list[str]:
    """The report's markdown for the web app runs (one per scale), or nothing."""
    if not runs:
        return []
    lines = [
        "## The web app",
        "",
        "`python -m bench --only webapp`: bench/webapp.py drives Debian's Chromium (headless, "
        "Playwright) against `eventgraph serve` over the imported graph, a reader token in the "
        f"session. Each page is loaded {LOADS} times, each in a fresh browser context (nothing "
        "cached); the first load is cold and left out of the median. Paint: from navigation "
        "start to the timeline's `timeline-drawn` mark, set once vis-timeline has drawn the "
        "page's first items (the name is on the page before it). Entity: the build-up's base; "
        "hub: the hub air force, whose timeline is drawn as counts per bucket past 500 events.",
        "",
        "| scale | page | drawn as | loads (ms, first cold) | median warm | max warm | target |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    for run in runs:
        for name, target in (("entity", PAINT_TARGET_MS), ("hub", HUB_TARGET_MS)):
            f = run[name]
            lines.append(
                f"| {run['scale']} | {name} `{f['entity']}` | {f['items']} {f['mode']} | "
                f"{', '.join(f'{v:,.0f}' for v in f['loads_ms'])} | {f['median_warm_ms']:,.0f} ms "
                f"| {f['max_warm_ms']:,.0f} ms | ≤ {target:,.0f} ms: "
                f"{_verdict(f['median_warm_ms'], target)} |"
            )
    lines += [
        "",
        "What the last load waited for: each GraphQL request of the page, by operation, from "
        "when it went out to when its answer was read (ms since navigation start), and when "
        "the timeline was drawn.",
        "",
    ]
    for run in runs:
        for name in ("entity", "hub"):
            f = run[name]
            if "last_requests" not in f:
                continue
            asked = ", ".join(
                f"{r['name']} {r['start_ms']:,}–{r['end_ms']:,}" for r in f["last_requests"]
            )
            lines.append(
                f"- {run['scale']} {name}: {asked}; drawn at {f['last_drawn_ms']:,.0f} ms."
            )
    lines += [
        "",
        f"Link chart: the hub's neighbourhood (the API cuts it at {CHART_NODES} nodes), the "
        "time from navigation start until its layout stops, then every frame's time while a "
        "script drags the chart 40 steps and turns the wheel 20 times, and for "
        f"{SETTLE_MS} ms after (the full redraw once the move stops); long tasks are over "
        f"{LONG_TASK_MS:.0f} ms (the browser's own measure).",
        "",
        "| scale | nodes | laid out | frames | frame p50 / p95 / max | long tasks |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for run in runs:
        c = run["chart"]
        lines.append(
            f"| {run['scale']} | {c['nodes']} | {c['laid_out_ms']:,.0f} ms | {c['frames']} in "
            f"{c['scripted_s']:.1f} s | {c['frame_p50_ms']} / {c['frame_p95_ms']} / "
            f"{c['frame_max_ms']} ms | {c['long_tasks']} ({c['long_task_ms']:,.0f} ms) |"
        )
    loads = "; ".join(
        f"{run['scale']} {run['load_average']['before_1min']:.2f} before, "
        f"{run['load_average']['after_1min']:.2f} after"
        for run in runs
    )
    bundle = runs[-1]["bundle"]
    lines += [
        "",
        f"Production bundle (web/dist/assets): {bundle['bytes']:,} bytes "
        f"({_kib(bundle['bytes'])}), {bundle['gzip_bytes']:,} gzipped "
        f"({_kib(bundle['gzip_bytes'])}); the entry every page loads "
        f"{bundle['entry_bytes']:,} bytes, {bundle['entry_gzip_bytes']:,} gzipped; the rest "
        "is loaded with the page that needs it.",
        "",
        f"Load average (1 min) on this 2-core machine: {loads}.",
        "",
        "| file | bytes | gzip |",
        "| --- | ---: | ---: |",
        *(
            f"| {row['file']} | {row['bytes']:,} | {row['gzip_bytes']:,} |"
            for row in bundle["files"]
        ),
        "",
    ]
    return lines
