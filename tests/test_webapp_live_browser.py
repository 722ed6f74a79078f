"""Live updates in the web app, in a real headless Chromium: with Hmeimim Air Base's page open
(its timeline widened to the province), a flight to Latakia airport imported from the command
line appears in the open timeline within 3 s, drawn over its day, with a notice that links to
it; the open event page of an event imported again with a change shows the change; after a
server restart the timeline listens again by itself. The module extends the seed story
(`story_to_extend`): the story is imported again after it."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from neo4j import Driver
from playwright.sync_api import Page, expect

from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings
from tests.browsing import ARTIFACTS, TIMELINE, Watch, assert_spans, bar, built_app
from tests.helpers import free_port, run_cli, served, wait_until_feed_listens

AIR_BASE = "Asset:hmeimim-air-base"
PROVINCE = "Location:latakia-province"
IL62M_LEG = "Il-62M leg Libya to Latakia"
NEW_FLIGHT = "Il-76 flight to Latakia airport"
NEW_FLIGHT_ID = "Event:hmeimim-2025-il76-flight-live"
LIVE_WITHIN_S = 3.0
WINDOW = "from=2025-10-20T00:00:00.000Z&to=2025-11-02T00:00:00.000Z"


def _flight_document(key: str, name: str, day: str, description: str) -> str:
    """A flight to Latakia airport on `day` in 2025, as `eventgraph import` reads it."""
    return f"""eventgraph: 1
events:
  - id: {key}
    name: {name}
    type: flight
    description: {description}
    time: {{start: {day}, precision: day}}
    destination: latakia-airport
    place_precision: site
    participants:
      - {{role: operator, ref: russia}}
    claims:
      - source: flightradar24
        report: bloomberg-hmeimim-flights-2025-10
        credibility: "2"
        paraphrase: Tracking data show an aircraft landing at Latakia airport.
"""


@pytest.fixture(scope="module")
def live_app(story_to_extend: Driver, settings: Settings) -> Iterator[tuple[Any, str]]:
    """The app as `make run` serves it (anonymous read on) and its address; the app itself is
    at hand so the test can wait for its live feed to poll."""
    built_app()
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with served(app) as base:
        yield app, base


def _import(
    tmp_path: Path,
    description: str,
    key: str = "hmeimim-2025-il76-flight-live",
    name: str = NEW_FLIGHT,
    day: str = "2025-10-29",
) -> float:
    """Import a flight with `eventgraph import`; the moment the command returned."""
    document = tmp_path / f"{key}.yaml"
    document.write_text(_flight_document(key, name, day, description))
    imported = run_cli("import", str(document), "--quiet")
    assert imported.returncode == 0, imported.stderr
    return time.monotonic()


def _wait_for_subscriptions(app: Any, page: Page, watch: Watch, count: int) -> None:
    """Until the page has sent `count` subscriptions and the server's feed polls. Playwright
    hands events over only while it is called, hence its own wait rather than a sleep."""
    deadline = time.monotonic() + 10
    while sum('"type":"subscribe"' in frame for frame in watch.socket_frames) < count:
        assert time.monotonic() < deadline, "\n".join(watch.socket_frames)
        page.wait_for_timeout(50)
    wait_until_feed_listens(app)


def test_an_imported_event_appears_in_the_open_views(
    live_app: tuple[Any, str], page: tuple[Page, Watch], tmp_path: Path
) -> None:
    app, base = live_app
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto(f"{base}/entity/{quote(AIR_BASE, safe='')}?scope={quote(PROVINCE)}&{WINDOW}")
    browser_page.wait_for_selector(f"{TIMELINE} .vis-item >> text={IL62M_LEG}")
    notice = browser_page.get_by_role("status").filter(has_text="new event")
    expect(notice).to_have_count(0)
    _wait_for_subscriptions(
        app, browser_page, watch, 2
    )  # the province's events: involving it, and at it

    week = browser_page.locator('[data-testid=activity] g.bucket[data-start^="2025-10-27"]')
    counted = int(week.get_attribute("data-count") or "")

    imported_at = _import(tmp_path, "An Il-76 seen landing after the An-124 flights.")
    expect(bar(browser_page, NEW_FLIGHT)).to_be_visible(timeout=LIVE_WITHIN_S * 1000)
    seen_after = time.monotonic() - imported_at
    assert seen_after <= LIVE_WITHIN_S, seen_after
    expect(notice).to_have_text(f"1 new event: {NEW_FLIGHT}")
    expect(notice).to_have_attribute("aria-live", "polite")
    # The activity chart counts it too: a day-dated flight on 29 Oct, in the week of the 27th.
    expect(week).to_have_attribute("data-count", str(counted + 1))
    assert_spans(browser_page, NEW_FLIGHT, "2025-10-29", "2025-10-30")
    assert_spans(browser_page, IL62M_LEG, "2025-10-26", "2025-10-27")  # the rest stays put
    expect(browser_page.locator(".event-list")).to_contain_text(NEW_FLIGHT)
    browser_page.screenshot(path=str(ARTIFACTS / "entity-live.png"), full_page=True)

    notice.get_by_role("link", name=NEW_FLIGHT).click()
    expect(browser_page).to_have_url(f"{base}/event/{quote(NEW_FLIGHT_ID, safe='')}")
    expect(browser_page.locator(".description")).to_have_text(
        "An Il-76 seen landing after the An-124 flights."
    )
    _wait_for_subscriptions(app, browser_page, watch, 3)
    _import(tmp_path, "An Il-76 seen landing on the base's runway.")
    expect(browser_page.locator(".description")).to_have_text(
        "An Il-76 seen landing on the base's runway.", timeout=LIVE_WITHIN_S * 1000
    )
    expect(browser_page.get_by_role("status")).to_contain_text("This event changed while open")
    browser_page.screenshot(path=str(ARTIFACTS / "event-live.png"), full_page=True)
    assert watch.outside == []
    assert watch.errors == []


def test_the_timeline_listens_again_after_a_server_restart(
    story_to_extend: Driver, settings: Settings, page: tuple[Page, Watch], tmp_path: Path
) -> None:
    browser_page, watch = page
    port = free_port()
    anonymous = settings.model_copy(update={"anonymous_read": True})
    first = create_app(anonymous)
    with served(first, port) as base:
        browser_page.goto(
            f"{base}/entity/{quote(AIR_BASE, safe='')}?scope={quote(PROVINCE)}&{WINDOW}"
        )
        browser_page.wait_for_selector(f"{TIMELINE} .vis-item >> text={IL62M_LEG}")
        _wait_for_subscriptions(first, browser_page, watch, 2)
    browser_page.wait_for_timeout(500)  # the server is away; the page retries
    second = create_app(anonymous)
    with served(second, port):
        _wait_for_subscriptions(second, browser_page, watch, 4)
        name = "Il-76 flight to Latakia airport after the restart"
        _import(
            tmp_path, "Seen after a restart.", "hmeimim-2025-il76-after-restart", name, "2025-10-30"
        )
        expect(bar(browser_page, name)).to_be_visible(timeout=LIVE_WITHIN_S * 1000)
        expect(browser_page.get_by_role("status")).to_contain_text(f"1 new event: {name}")
    assert watch.outside == []
    # While the server was away the browser logs the refused socket; nothing else.
    assert all("WebSocket connection" in error for error in watch.errors), watch.errors
