"""The web app's map (/map) in Debian's headless Chromium against the real server over the seed
story: the country outlines drawn from the bundle (no tile server, nothing fetched from
elsewhere), the air base, every flight as an arc from its origin to its destination, a
province-level place as the area it may be anywhere in, and the time slider. What is drawn is
read from Leaflet's SVG and its map (the holder element's `map`): where each path lies."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browsing import ARTIFACTS, Watch, ask_api, built_app

MAP = "[data-testid=map][data-ready=true]"
FLIGHTS = """{ events(filter: {types: [flight]}, first: 500) { nodes { id time { start }
  origin { ... on Location { point { latitude } } ... on Asset { locatedAt { point { latitude } } } }
  destination { ... on Location { point { latitude } } ... on Asset { locatedAt { point { latitude } } } }
} } }"""
PLACE = """query ($id: ID!) { node(id: $id) { ... on Location {
  point { latitude longitude precision uncertaintyKm } } } }"""

# The pixel boxes of the province's and the site's discs, and how many km a pixel is across
# the map's centre, by the map's own scale.
GEOMETRY = """holder => {
  const map = holder.map;
  const box = (id) => {
    const path = holder.querySelector(`path.place-id-${id.replace(/[^A-Za-z0-9-]/g, "-")}`);
    return path && path.getBoundingClientRect().toJSON();
  };
  const centre = map.getCenter();
  const left = map.containerPointToLatLng([0, 0]), right = map.containerPointToLatLng([100, 0]);
  const km = map.distance([centre.lat, left.lng], [centre.lat, right.lng]) / 1000;
  return { province: box("Location:latakia-province"), site: box("Location:hmeimim"),
    kmPerPx: km / 100 };
}"""


@pytest.fixture(scope="module", autouse=True)
def _app_built() -> None:
    built_app()


def _placed(end: dict[str, Any] | None) -> bool:
    return bool(end and (end.get("point") or (end.get("locatedAt") or {}).get("point")))


def test_the_map_draws_places_as_areas_and_flights_as_arcs(
    open_server: str, page: tuple[Page, Watch]
) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1100, "height": 900})
    browser_page.goto(f"{open_server}/")
    browser_page.get_by_role("link", name="Map").click()
    browser_page.wait_for_selector(MAP)
    holder = browser_page.locator(MAP)
    assert holder.locator("path.country").count() > 150  # Natural Earth's countries, 1:110m
    expect(holder.locator("path.asset")).not_to_have_count(0)  # the air base, at Hmeimim

    flights = ask_api(open_server, FLIGHTS)["events"]["nodes"]
    drawable = [f for f in flights if _placed(f["origin"]) and _placed(f["destination"])]
    assert drawable  # the Il-62M legs; the An-124 flights' origin is not known
    unplaced = len(flights) - len(drawable)
    expect(browser_page.locator(".note")).to_contain_text(f"{unplaced} flights have no known")
    arcs = holder.locator("path.flight-arc")
    expect(arcs).to_have_count(len(drawable))
    for arc in arcs.all():
        box = arc.bounding_box()
        assert box is not None and box["width"] + box["height"] > 5  # a line, not a point

    # Latakia Governorate is known to the province, within 40 km: an 80 km disc, not a pin;
    # the Hmeimim site (2 km) is a small one.
    province = ask_api(open_server, PLACE, id="Location:latakia-province")["node"]["point"]
    assert province["precision"] == "province"
    # Zoomed in on the coast, as an analyst would with the wheel.
    holder.evaluate("holder => holder.map.setView([35.5, 36.2], 8, { animate: false })")
    geometry = holder.evaluate(GEOMETRY)
    assert geometry["province"] is not None and geometry["site"] is not None
    width_km = geometry["province"]["width"] * geometry["kmPerPx"]
    assert abs(width_km - 2 * province["uncertaintyKm"]) < 0.15 * 2 * province["uncertaintyKm"]
    assert geometry["province"]["width"] > 5 * geometry["site"]["width"]
    browser_page.screenshot(path=str(ARTIFACTS / "map.png"), full_page=True)

    # The slider: at its start (a day before the first flight) none has begun, at its end all.
    slider = browser_page.get_by_role("slider", name="Flights begun by")
    expect(holder).to_have_attribute("data-flights-shown", str(len(drawable)))
    slider.fill(slider.get_attribute("min") or "")
    expect(browser_page).to_have_url(re.compile(r"[?&]until="))
    expect(holder).to_have_attribute("data-flights-shown", "0")
    slider.fill(slider.get_attribute("max") or "")
    expect(holder).to_have_attribute("data-flights-shown", str(len(drawable)))
    assert watch.outside == []
    assert watch.errors == []
