"""The web app's views checked by axe-core (pinned in web/package.json) in a real headless
Chromium: the search box with its suggestions open, an entity page with its timeline and activity chart, an event
page with its claims, sign-in, the link chart and the map. None may have a serious or critical violation; a failure
names each rule, what it asks and the elements it found. What axe-core cannot decide counts
too, but for contrast it cannot measure."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from eventgraph.api import webapp
from tests.browsing import TIMELINE, Watch, built_app

AXE = webapp.WEB_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}
AIR_BASE = "Asset:hmeimim-air-base"
FIRST_FLIGHT = "Event:hmeimim-2025-an124-flight-1"
TURKEY = "Actor:turkey"


@pytest.fixture
def checked_page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    """A fresh page whose content security policy lets the test inject axe-core (the app's own
    policy allows scripts from the server only)."""
    built_app()
    assert AXE.is_file(), f"{AXE} is missing: run `make setup`"
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    watch = Watch()
    watch.attach(opened)
    yield opened, watch
    context.close()


def _violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each: its
    violations and what it could not decide, but for contrast it cannot measure (text over the
    interval bars' hatching, one-letter grades: docs/webapp.md says how those were checked)."""
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, incomplete: r.incomplete,"
        " passed: r.passes.map((p) => p.id)}; }"
    )
    checked = {v["id"] for v in results["violations"]} | set(results["passed"])
    assert "color-contrast" in checked, f"axe-core did not check {page.url}: {results}"
    undecided = [v for v in results["incomplete"] if v["id"] != "color-contrast"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"] + undecided
        if v["impact"] in SERIOUS
    ]


def test_no_view_has_a_serious_accessibility_violation(
    open_server: str, checked_page: tuple[Page, Watch]
) -> None:
    page, watch = checked_page
    found: dict[str, list[str]] = {}

    page.goto(f"{open_server}/")
    page.get_by_role("combobox", name="Search names and aliases").press_sequentially("Hmeimim")
    expect(page.locator("#search-suggestions[aria-busy=false] [role=option]").first).to_be_visible()
    found["search with suggestions"] = _violations(page)

    page.goto(f"{open_server}/search?q=Hmeimim")
    expect(page.locator(".hits")).to_contain_text("Hmeimim Air Base")
    found["search page"] = _violations(page)

    page.goto(f"{open_server}/entity/{quote(AIR_BASE, safe='')}")
    page.wait_for_selector(f"{TIMELINE} .vis-item")
    page.wait_for_selector("[data-testid=activity] g.bucket")  # its activity chart too
    found["entity page"] = _violations(page)

    page.goto(f"{open_server}/event/{quote(FIRST_FLIGHT, safe='')}")
    expect(page.locator(".claim").first).to_be_visible()
    found["event page"] = _violations(page)

    page.goto(f"{open_server}/sign-in?next=%2F")
    expect(page.get_by_label("Token")).to_be_visible()
    found["sign-in"] = _violations(page)

    page.goto(f"{open_server}/chart?focus={quote(TURKEY, safe='')}")
    page.wait_for_selector("[data-testid=chart][data-ready=true]")
    found["link chart"] = _violations(page)

    page.goto(f"{open_server}/map")
    page.wait_for_selector("[data-testid=map][data-ready=true]")
    found["map"] = _violations(page)

    assert {view: lines for view, lines in found.items() if lines} == {}
    assert watch.outside == []
    assert watch.errors == []
