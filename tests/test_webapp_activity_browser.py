"""The entity page's activity chart in a real headless Chromium against the real server over the
seed story: on the Hmeimim air base's page widened to the province, the chart's bars are the
API's `activity` answer for the same arguments (the timeline's events' span, by week, then by
day and month as the selector and the URL say), drawn to one scale, with exactly the buckets
whose zScore reaches 2 highlighted and listed in words; a window of more buckets than the API
counts is refused in words. A screenshot goes to
var/test-artifacts/webapp/."""

import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browsing import ARTIFACTS, Watch, ask_api, built_app

AIR_BASE = "Asset:hmeimim-air-base"
PROVINCE = "Location:latakia-province"
UNUSUAL_Z = 2

TIMELINE = """query ($entity: ID!) { timeline(entity: $entity, first: 500) {
  nodes { time { start end } } } }"""
ACTIVITY = """query ($bucket: TimeBucket!, $window: Window!, $place: ID) {
  activity(bucket: $bucket, window: $window, place: $place) {
    buckets { start count uncertain zScore } baseline { mean } } }"""


@pytest.fixture(scope="module", autouse=True)
def _app_built() -> None:
    built_app()


def _span(base: str, entity: str) -> dict[str, str]:
    """The window the chart counts over when the URL names none: its timeline's events' span."""
    nodes = ask_api(base, TIMELINE, entity=entity)["timeline"]["nodes"]
    instants = [t for n in nodes for t in (n["time"]["start"], n["time"]["end"]) if t]
    return {"from": min(instants), "to": max(instants)}


def _drawn(page: Page, bucket: str) -> list[dict[str, Any]]:
    """Each bar of the chart once it shows `bucket`: its data and its two rectangles' heights."""
    page.wait_for_selector(f"[data-testid=activity][data-bucket={bucket}]")
    bars: list[dict[str, Any]] = page.locator("[data-testid=activity] g.bucket").evaluate_all(
        """gs => gs.map(g => ({
          start: g.dataset.start, count: Number(g.dataset.count),
          uncertain: Number(g.dataset.uncertain), z: Number(g.dataset.z),
          unusual: g.dataset.unusual === "true", red: g.classList.contains("unusual"),
          known: Number(g.querySelector("rect.known").getAttribute("height")),
          maybe: Number(g.querySelector("rect.maybe").getAttribute("height")),
        }))"""
    )
    return bars


def _assert_is_answer(base: str, page: Page, bucket: str) -> list[dict[str, Any]]:
    """The chart's bars are the API's buckets, to one scale, the unusual ones highlighted."""
    bars = _drawn(page, bucket)
    answer = ask_api(base, ACTIVITY, bucket=bucket, window=_span(base, PROVINCE), place=PROVINCE)
    buckets = answer["activity"]["buckets"]
    assert [(b["start"], b["count"], b["uncertain"]) for b in bars] == [
        (b["start"], b["count"], b["uncertain"]) for b in buckets
    ]
    assert [b["z"] for b in bars] == [b["zScore"] for b in buckets]
    # Heights: every bar to the same scale, the solid part the count, the hatched the rest.
    scale = {round(b["known"] / b["count"], 3) for b in bars if b["count"]}
    scale |= {round(b["maybe"] / b["uncertain"], 3) for b in bars if b["uncertain"]}
    assert len(scale) == 1, scale
    assert all(b["known"] == 0 for b in bars if not b["count"])
    flagged = [b["start"] for b in buckets if b["zScore"] >= UNUSUAL_Z]
    assert [b["start"] for b in bars if b["unusual"] and b["red"]] == flagged
    assert [b["start"] for b in bars if b["unusual"] or b["red"]] == flagged
    listed = page.locator("[data-testid=unusual] [data-start]").evaluate_all(
        "spans => spans.map(s => s.dataset.start)"
    )
    assert listed == flagged
    return bars


def test_activity_chart_is_the_apis_answer(open_server: str, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1280, "height": 1400})
    entity = f"{open_server}/entity/{quote(AIR_BASE, safe='')}"
    browser_page.goto(f"{entity}?scope={quote(PROVINCE, safe='')}")

    weeks = _assert_is_answer(open_server, browser_page, "WEEK")  # week by default
    assert len(weeks) > 1
    assert sum(b["count"] + b["uncertain"] for b in weeks) > 0

    per = browser_page.get_by_role("combobox", name="Events per")
    per.select_option("DAY")
    expect(browser_page).to_have_url(re.compile(r"[?&]bucket=day\b"))
    days = _assert_is_answer(open_server, browser_page, "DAY")
    assert len(days) > len(weeks)

    per.select_option("MONTH")
    expect(browser_page).to_have_url(re.compile(r"[?&]bucket=month\b"))
    months = _assert_is_answer(open_server, browser_page, "MONTH")
    # October's flights against a quiet baseline: a build-up, highlighted and told in words.
    assert any(b["unusual"] for b in months), months
    expect(browser_page.locator("[data-testid=unusual]")).to_contain_text("October 2025")
    browser_page.locator("section.activity").screenshot(path=str(ARTIFACTS / "entity-activity.png"))

    browser_page.reload()  # the bucket is in the URL
    _drawn(browser_page, "MONTH")

    # Six years by day are more buckets than the API counts: the chart says why, draws nothing.
    years = "from=2020-01-01T00:00:00.000Z&to=2025-12-31T00:00:00.000Z"
    browser_page.goto(f"{entity}?scope={quote(PROVINCE, safe='')}&{years}&bucket=day")
    expect(browser_page.locator(".activity [role=alert]")).to_contain_text(
        "more than 400 day buckets (use a shorter window or a coarser bucket)"
    )
    expect(browser_page.locator("[data-testid=activity]")).to_have_count(0)
    assert watch.outside == []
    assert watch.errors == []
