"""A hub's timeline in a real headless Chromium: an actor with 600 events (more than the 500 the
timeline draws as bars) imported in one `eventgraph import`. Its page draws the window as
counts per week whose sum is its timeline's `totalCount`; a click on a week's box zooms into it
and draws that week's events as bars, styled by their precision; zooming out again past 500
events draws counts again. The module extends the seed story (`story_to_extend`)."""

import re
from contextlib import suppress
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from neo4j import Driver
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browsing import ARTIFACTS, TIMELINE, Watch, ask_api, built_app
from tests.helpers import run_cli

HUB = "Actor:hub-test-squadron"
EVENTS = 600
FIRST_DAY = date(2024, 1, 1)
COUNTS = f"{TIMELINE}[data-mode=buckets]"
BARS = f"{TIMELINE}[data-mode=events]"
PAGE_LOAD_MS = 15_000
"""A whole page loaded again (the app, its timeline chunk, the graph store's answer): on a
busy 2-core machine it has taken more than the 5 s a step inside one page gets."""


def _hub_document() -> str:
    """One squadron flying once a day for EVENTS days, as `eventgraph import` reads it."""
    events = "".join(
        f"""  - id: hub-test-flight-{i}
    name: Squadron sortie {i}
    type: flight
    time: {{start: {(FIRST_DAY + timedelta(days=i)).isoformat()}, precision: day}}
    destination: latakia-airport
    participants: [{{role: operator, ref: hub-test-squadron}}]
    claims:
      - {{source: flightradar24, credibility: "3", paraphrase: A sortie was tracked.}}
"""
        for i in range(EVENTS)
    )
    return f"""eventgraph: 1
actors:
  - id: hub-test-squadron
    name: Hub Test Squadron
    kind: military_unit
events:
{events}"""


@pytest.fixture(scope="module")
def hub(story_to_extend: Driver, tmp_path_factory: pytest.TempPathFactory) -> str:
    built_app()
    document: Path = tmp_path_factory.mktemp("hub") / "hub.yaml"
    document.write_text(_hub_document())
    imported = run_cli("import", str(document), "--quiet")
    assert imported.returncode == 0, imported.stderr
    return f"/entity/{quote(HUB, safe='')}"


def _bucket_counts(page: Page, total: int) -> list[int]:
    """The numbers of the boxes drawn, once they add up to `total`, or as last drawn if they
    never do. vis-timeline draws the items a frame after the view shows it counts, and draws
    them again when the counts of the settled window arrive, so one reading may catch none."""
    selector = f"{COUNTS} .bucket-count"
    with suppress(PlaywrightTimeout):  # the caller's assertion then shows what was drawn
        page.wait_for_function(
            "([selector, total]) => [...document.querySelectorAll(selector)]"
            ".reduce((sum, box) => sum + Number(box.innerText), 0) === total",
            arg=[selector, total],
            timeout=PAGE_LOAD_MS,
        )
    return [int(text) for text in page.locator(selector).all_inner_texts()]


def test_a_hubs_timeline_is_drawn_as_counts_until_zoomed_in(
    hub: str, open_server: str, page: tuple[Page, Watch]
) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1280, "height": 1200})
    browser_page.goto(f"{open_server}{hub}")
    expect(browser_page.locator(COUNTS)).to_be_visible(timeout=20_000)  # a cold graph store
    total = ask_api(open_server, f'{{ timeline(entity: "{HUB}") {{ totalCount }} }}')
    assert total["timeline"]["totalCount"] == EVENTS
    # Every sortie is dated to its day: each counts once, in its week's box.
    counts = _bucket_counts(browser_page, EVENTS)
    assert sum(counts) == EVENTS and max(counts) == 7, counts
    expect(browser_page.get_by_test_id("timeline-note")).to_contain_text(
        f"{EVENTS} events in this window, more than 500: drawn as counts per week"
    )
    expect(browser_page.locator(f"{TIMELINE} .vis-item.precision-day")).to_have_count(0)
    browser_page.locator("figure.timeline").screenshot(path=str(ARTIFACTS / "entity-hub.png"))

    # A click on a week's box zooms into that week: its seven sorties, as day-precision bars.
    browser_page.locator(f"{COUNTS} .vis-item.aggregate", has_text="7").nth(3).click()
    expect(browser_page).to_have_url(re.compile(r"[?&]from=.*&to="))
    bars = browser_page.locator(f"{BARS} .vis-item.precision-day")
    expect(bars).to_have_count(7)
    expect(browser_page.get_by_test_id("timeline-note")).to_contain_text(
        f"The 7 events of this window are drawn, of {EVENTS} in all"
    )
    bars.first.click()
    expect(browser_page).to_have_url(re.compile(r"/event/Event%3Ahub-test-flight-\d+$"))
    browser_page.go_back()
    expect(browser_page.locator(BARS)).to_be_visible()

    # Two years in view hold all 600: counts again, fetched once the zoom settles.
    browser_page.goto(
        f"{open_server}{hub}?from=2023-10-01T00:00:00.000Z&to=2025-10-01T00:00:00.000Z"
    )
    expect(browser_page.locator(COUNTS)).to_be_visible(timeout=PAGE_LOAD_MS)
    assert sum(_bucket_counts(browser_page, EVENTS)) == EVENTS
    # Sixty days: sixty bars.
    browser_page.goto(
        f"{open_server}{hub}?from=2024-03-01T00:00:00.000Z&to=2024-04-29T23:59:59.000Z"
    )
    expect(browser_page.locator(f"{BARS} .vis-item.precision-day")).to_have_count(
        60, timeout=PAGE_LOAD_MS
    )
    # Zooming out by the wheel past 500 events brings the counts back.
    centre = browser_page.locator(".vis-panel.vis-center")
    centre.hover()
    for _ in range(20):
        browser_page.mouse.wheel(0, 400)
        browser_page.wait_for_timeout(50)
    expect(browser_page.locator(COUNTS)).to_be_visible(timeout=10_000)
    assert watch.outside == []
    assert watch.errors == []
