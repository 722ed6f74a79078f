"""The web app's link chart (/chart) in Debian's headless Chromium against the real server over
the seed story, as an analyst uses it: open it from Turkey's page, ask how Turkey connects to
the Hmeimim air base, expand a node with a double click, hide a relationship type, open a
node's page, and leave out the events after a day (all of them). What is drawn is read from
cytoscape's own model (the canvas element's `cy`): which nodes and edges exist, whether they
are displayed, and where on the canvas they sit."""

import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browsing import ARTIFACTS, Watch, ask_api, built_app

TURKEY = "Actor:turkey"
AIR_BASE = "Asset:hmeimim-air-base"
CHART = "[data-testid=chart]"
READY = f"{CHART}[data-ready=true]"

PATHS = """query ($from: ID!, $to: ID!) { paths(from: $from, to: $to, maxHops: 6, first: 10) {
  nodes { id } relationships { id } } }"""
NEIGHBOURS = """query ($id: ID!, $window: Window) {
  neighborhood(id: $id, window: $window) { nodes { id } } }"""

DRAWN = """chart => {
  const cy = chart.cy;
  const box = chart.getBoundingClientRect();
  const seen = (el) => {
    const p = el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
    return el.visible() && p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height;
  };
  return {
    nodes: Object.fromEntries(cy.nodes().map((n) => [n.id(), {
      x: box.x + n.renderedPosition().x, y: box.y + n.renderedPosition().y,
      seen: seen(n), onPath: n.hasClass("on-path"), name: n.data("name"),
    }])),
    edges: Object.fromEntries(cy.edges().map((e) => [e.id(), {
      type: e.data("type"), visible: e.visible(), seen: seen(e), onPath: e.hasClass("on-path"),
    }])),
  };
}"""


@pytest.fixture(scope="module", autouse=True)
def _app_built() -> None:
    built_app()


def _chart_url(base: str, *params: tuple[str, str]) -> str:
    """The chart's URL as the app writes it (URLSearchParams: every `:` and `/` escaped)."""
    return f"{base}/chart?" + "&".join(f"{key}={quote(value, safe='')}" for key, value in params)


def _drawn(page: Page) -> dict[str, dict[str, dict[str, Any]]]:
    page.wait_for_selector(READY)
    drawn: dict[str, dict[str, dict[str, Any]]] = page.locator(CHART).evaluate(DRAWN)
    return drawn


def test_how_turkey_connects_to_the_air_base(open_server: str, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1100, "height": 860})
    browser_page.goto(f"{open_server}/entity/{quote(TURKEY, safe='')}")
    browser_page.get_by_role("link", name="Link chart").click()
    focus, connect_to = ("focus", TURKEY), ("connect", AIR_BASE)
    expect(browser_page).to_have_url(_chart_url(open_server, focus))
    expect(browser_page.locator("h1")).to_have_text("Link chart: Turkey")
    around = _drawn(browser_page)
    assert TURKEY in around["nodes"] and len(around["nodes"]) > 1

    # "Connect to": pick the air base; the shortest paths the API gives are drawn, in view.
    connect = browser_page.get_by_role("combobox", name="Connect to")
    connect.press_sequentially("Hmeimim", delay=30)
    expect(browser_page.locator("#chart-connect[aria-busy=false]")).to_be_visible()
    browser_page.get_by_role("option", name=re.compile(r"^Hmeimim Air Base ")).click()
    expect(browser_page).to_have_url(_chart_url(open_server, focus, connect_to))
    expect(browser_page.get_by_test_id("path-note")).to_contain_text(
        "Shortest paths to Hmeimim Air Base"
    )
    paths = ask_api(open_server, PATHS, **{"from": TURKEY, "to": AIR_BASE})["paths"]
    assert paths, "the seed story links Turkey to the air base"
    on_path_nodes = {node["id"] for path in paths for node in path["nodes"]}
    on_path_edges = {r["id"] for path in paths for r in path["relationships"]}
    on_path = len(on_path_nodes) + len(on_path_edges)
    browser_page.wait_for_selector(f"{CHART}[data-on-path='{on_path}']")
    drawn = _drawn(browser_page)
    assert on_path_nodes <= drawn["nodes"].keys()
    assert on_path_edges <= drawn["edges"].keys()
    assert {n for n, v in drawn["nodes"].items() if v["onPath"]} == on_path_nodes
    assert {e for e, v in drawn["edges"].items() if v["onPath"]} == on_path_edges
    assert all(drawn["nodes"][n]["seen"] for n in on_path_nodes), drawn["nodes"]
    assert all(drawn["edges"][e]["seen"] for e in on_path_edges), drawn["edges"]
    browser_page.screenshot(path=str(ARTIFACTS / "chart-path.png"), full_page=True)

    # Double-click a node whose neighbourhood reaches beyond the chart: its neighbours appear.
    def reaches_beyond(node: str) -> set[str]:
        found = ask_api(open_server, NEIGHBOURS, id=node)["neighborhood"]["nodes"]
        return {n["id"] for n in found} - drawn["nodes"].keys()

    node, new = next(
        (n, reached)
        for n in sorted(drawn["nodes"].keys() - {TURKEY})
        if (reached := reaches_beyond(n))
    )
    where = drawn["nodes"][node]
    browser_page.mouse.dblclick(where["x"], where["y"])
    expand = ("expand", node)
    expect(browser_page).to_have_url(_chart_url(open_server, focus, connect_to, expand))
    expect(browser_page.locator(".chart-selection h2")).to_have_text(where["name"])
    expect(browser_page.locator(CHART)).not_to_have_attribute(
        "data-nodes", str(len(drawn["nodes"]))
    )
    grown = _drawn(browser_page)
    assert new <= grown["nodes"].keys()
    assert all(grown["nodes"][n]["seen"] for n in new)

    # Hide the participations: their edges go, the rest stay.
    assert any(e["type"] == "INVOLVES" for e in grown["edges"].values())
    browser_page.get_by_role("checkbox", name="INVOLVES").uncheck()
    hide = ("hide", "INVOLVES")
    expect(browser_page).to_have_url(_chart_url(open_server, focus, connect_to, expand, hide))
    browser_page.wait_for_selector(f"{CHART}[data-hidden-types=INVOLVES]")
    filtered = _drawn(browser_page)
    assert not any(e["visible"] for e in filtered["edges"].values() if e["type"] == "INVOLVES")
    others = [e for e in filtered["edges"].values() if e["type"] != "INVOLVES"]
    assert others and all(e["visible"] for e in others)
    browser_page.screenshot(path=str(ARTIFACTS / "chart-filtered.png"), full_page=True)

    # A click selects the air base; its page opens from the selection. The chart is first
    # panned so the base sits mid-canvas: after the expansion's layout it may lie at an edge,
    # under a neighbour's label (panning moves the view, not the graph).
    browser_page.locator(CHART).evaluate(
        "(chart, id) => chart.cy.center(chart.cy.getElementById(id))", AIR_BASE
    )
    base = _drawn(browser_page)["nodes"][AIR_BASE]
    browser_page.mouse.click(base["x"], base["y"])
    expect(browser_page.locator(".chart-selection h2")).to_have_text("Hmeimim Air Base")
    browser_page.get_by_role("link", name="Open its page").click()
    expect(browser_page).to_have_url(f"{open_server}/entity/{quote(AIR_BASE, safe='')}")
    expect(browser_page.locator("h1")).to_have_text("Hmeimim Air Base")
    browser_page.go_back()  # the chart's state is in its URL
    expect(browser_page.get_by_role("checkbox", name="INVOLVES")).not_to_be_checked()

    # A window leaves out the events after it: the chart holds what the API answers for it.
    browser_page.get_by_label("To", exact=True).fill("2024-12-31")
    expect(browser_page).to_have_url(re.compile(r"[?&]to=2024-12-31"))
    windowed = set(on_path_nodes)
    for centre in (TURKEY, node):
        found = ask_api(open_server, NEIGHBOURS, id=centre, window={"to": "2024-12-31"})
        windowed |= {n["id"] for n in found["neighborhood"]["nodes"]}
    assert windowed < filtered["nodes"].keys()  # some events are left out
    expect(browser_page.locator(CHART)).to_have_attribute("data-nodes", str(len(windowed)))
    assert _drawn(browser_page)["nodes"].keys() == windowed
    assert watch.outside == []
    assert watch.errors == []
