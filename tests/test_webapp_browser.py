"""The analyst's web app at / in a real headless Chromium (Debian's, driven by Playwright),
against the real server over the test Neo4j with the seed story, as an analyst uses it: search
with the keyboard, an entity's timeline (checked by where its bars are drawn), an event's
claims and their grading, a reloaded deep link, and sign-in with a bad and a good token. The
pages load from this machine alone and log no JavaScript error. Screenshots of each view go to
var/test-artifacts/webapp/."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from playwright.sync_api import Page, expect

from eventgraph.api import webapp
from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.browsing import (
    ARTIFACTS,
    TIMELINE,
    Watch,
    ask_api,
    assert_spans,
    bar,
    built_app,
    ms,
    settle,
)
from tests.helpers import free_port, served

AIR_BASE = "Asset:hmeimim-air-base"
PROVINCE = "Location:latakia-province"
AN124 = [
    "An-124 flight to Latakia airport (1 of 3)",
    "An-124 flight to Latakia airport (2 of 3)",
    "An-124 flight to Latakia airport (3 of 3, the last)",
]
IL62M_LEG = "Il-62M leg Libya to Latakia"
FIRST_FLIGHT = "Event:hmeimim-2025-an124-flight-1"
AIRLIFT = "Event:hmeimim-2025-airlift"

CLAIMS = """query ($id: ID!) { node(id: $id) { ... on Event {
  claims { source { name anonymous } report { name } reliability credibility paraphrase } } } }"""


@pytest.fixture(scope="module", autouse=True)
def _app_built() -> None:
    built_app()


def _shot(page: Page, view: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{view}.png"), full_page=True)


def test_search_timeline_and_claims(open_server: str, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto(f"{open_server}/")
    search = browser_page.get_by_role("combobox", name="Search names and aliases")
    options = browser_page.locator("#search-suggestions [role=option]")
    air_base = browser_page.get_by_role("option", name=re.compile(r"^Hmeimim Air Base "))
    search.press_sequentially("Hmei", delay=30)
    expect(browser_page.locator("#search-suggestions[aria-busy=false]")).to_be_visible()
    expect(air_base).to_be_visible()  # type-ahead: a word's start is enough
    search.press("Escape")
    expect(options).to_have_count(0)
    search.press_sequentially("mim", delay=30)
    expect(browser_page.locator("#search-suggestions[aria-busy=false]")).to_be_visible()
    expect(air_base).to_be_visible()
    shown = options.all_inner_texts()
    assert any("asset · air base" in text for text in shown), shown  # kinds are shown
    _shot(browser_page, "search")
    for _ in range(next(i for i, text in enumerate(shown) if text.startswith("Hmeimim Air Base "))):
        search.press("ArrowDown")
    expect(air_base).to_have_attribute("aria-selected", "true")
    search.press("Enter")

    expect(browser_page).to_have_url(f"{open_server}/entity/{quote(AIR_BASE, safe='')}")
    expect(browser_page.locator("h1")).to_have_text("Hmeimim Air Base")
    expect(browser_page.locator(".place-chain")).to_contain_text("Latakia Governorate")
    expect(browser_page.locator("table.relations")).to_contain_text("Russian Armed Forces")
    # The base's own events leave out the flights (they landed at the civil airport on its
    # runway); the province holds both.
    browser_page.wait_for_selector(TIMELINE)
    assert bar(browser_page, AN124[0]).count() == 0
    browser_page.get_by_label("Timeline of").select_option(PROVINCE)
    browser_page.wait_for_selector(f"{TIMELINE} .vis-item >> text={IL62M_LEG}")

    # Zoom in with the wheel over the flights: the window narrows and goes into the URL.
    box = bar(browser_page, AN124[0]).bounding_box()
    assert box is not None
    browser_page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(5):
        browser_page.mouse.wheel(0, -300)
        browser_page.wait_for_timeout(150)
    expect(browser_page).to_have_url(re.compile(r"[?&]from=.+&to="))
    settle(browser_page, AN124[0])

    bars = [assert_spans(browser_page, name, "2025-10-24", "2025-10-28") for name in AN124]
    assert len({round(box["y"]) for box in bars}) == 3  # three bars, stacked, not one
    assert bars[0]["width"] > 40  # zoomed in: four days are wide enough to see
    for name in AN124:
        expect(bar(browser_page, name)).to_have_class(re.compile(r"\bprecision-interval\b"))
    assert_spans(browser_page, IL62M_LEG, "2025-10-26", "2025-10-27")
    expect(bar(browser_page, IL62M_LEG)).to_have_class(re.compile(r"\bprecision-day\b"))
    expect(browser_page.locator(".timeline .legend")).to_contain_text("interval")
    browser_page.mouse.move(0, 0)  # no tooltip over the picture
    _shot(browser_page, "entity-zoomed")

    bar(browser_page, AN124[0]).click()
    expect(browser_page).to_have_url(f"{open_server}/event/{quote(FIRST_FLIGHT, safe='')}")
    expect(browser_page.locator("h1")).to_have_text(AN124[0])
    expect(browser_page.locator(".facts")).to_contain_text("24 Oct 2025 – 27 Oct 2025 (interval")
    expect(browser_page.locator(".roles")).to_contain_text("aircraft")
    cards = browser_page.locator(".claim")
    claims = ask_api(open_server, CLAIMS, id=FIRST_FLIGHT)["node"]["claims"]
    expect(cards).to_have_count(len(claims))
    for card, claim in zip(cards.all(), claims, strict=True):
        expect(card.locator(".source-name")).to_have_text(claim["source"]["name"])
        expect(card.locator(".grade")).to_have_text(f"{claim['reliability']}{claim['credibility']}")
        expect(card.locator(".paraphrase")).to_have_text(claim["paraphrase"])
        expect(card.locator(".report")).to_contain_text(claim["report"]["name"])
    expect(cards.first).to_contain_text("Flightradar24")
    expect(cards.first).to_contain_text("Bloomberg")
    _shot(browser_page, "event")

    # The airlift's claims: graded apart at a glance, the anonymous source marked.
    browser_page.get_by_role("link", name="Russian flights to Hmeimim resume").click()
    expect(browser_page.locator("h1")).to_have_text("Russian flights to Hmeimim resume")
    expect(browser_page.locator(".claim .anonymous").first).to_be_visible()
    colours = {
        grade.inner_text(): grade.locator(".rel").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for grade in browser_page.locator(".claim .grade").all()
    }
    letters = {text[0]: colour for text, colour in colours.items()}
    assert len(letters) >= 2 and len(set(letters.values())) == len(letters), colours
    _shot(browser_page, "event-graded")
    assert watch.outside == []
    assert watch.errors == []


def test_a_deep_link_reloads_into_its_view(open_server: str, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    window = "from=2025-10-20T00:00:00.000Z&to=2025-11-02T00:00:00.000Z"
    link = f"{open_server}/entity/{quote(AIR_BASE, safe='')}?scope={quote(PROVINCE)}&{window}"
    browser_page.goto(link)
    browser_page.reload()
    expect(browser_page.locator("h1")).to_have_text("Hmeimim Air Base")
    browser_page.wait_for_selector(f"{TIMELINE} .vis-item >> text={IL62M_LEG}")
    timeline = browser_page.locator(TIMELINE)
    assert float(timeline.get_attribute("data-window-start") or 0) == ms("2025-10-20")
    assert float(timeline.get_attribute("data-window-end") or 0) == ms("2025-11-02")
    assert_spans(browser_page, AN124[2], "2025-10-24", "2025-10-28")
    _shot(browser_page, "entity")

    browser_page.goto(f"{open_server}/event/{quote(AIRLIFT, safe='')}")
    browser_page.reload()
    expect(browser_page.locator("h1")).to_have_text("Russian flights to Hmeimim resume")
    expect(browser_page.get_by_role("heading", name="Parts")).to_be_visible()

    for node, name in (
        ("Actor:russian-armed-forces", "Russian Armed Forces"),
        ("EquipmentType:il-62m", "Ilyushin Il-62M"),
        ("Location:hmeimim", "Hmeimim"),
    ):
        browser_page.goto(f"{open_server}/entity/{quote(node, safe='')}")
        expect(browser_page.locator("h1")).to_have_text(name)
        browser_page.wait_for_selector(f"{TIMELINE} .vis-item")

    browser_page.goto(f"{open_server}/search?q=Khmeimim")
    browser_page.reload()
    expect(browser_page.locator(".hits")).to_contain_text("Hmeimim Air Base")
    assert watch.outside == []
    assert watch.errors == []


def test_sign_in_says_why_a_token_is_refused(
    closed_server: str, story_to_extend: Driver, settings: Settings, page: tuple[Page, Watch]
) -> None:
    browser_page, watch = page
    reader = create_token(story_to_extend, settings.neo4j_database, Role.READER, "webapp-reader")
    browser_page.goto(f"{closed_server}/event/{quote(FIRST_FLIGHT, safe='')}")
    refused = browser_page.locator(".problem[data-code=UNAUTHENTICATED]")
    expect(refused).to_contain_text("401")
    expect(refused).to_contain_text("needs a reader token")

    for token, told in (("not-a-token", "unknown or revoked"), (reader, None)):
        browser_page.get_by_role("link", name="Sign in with a token").click()
        browser_page.get_by_label("Token").fill(token)
        browser_page.get_by_role("button", name="Sign in").click()
        expect(browser_page).to_have_url(f"{closed_server}/event/{quote(FIRST_FLIGHT, safe='')}")
        if told:
            expect(refused).to_contain_text(told)
            _shot(browser_page, "sign-in-refused")
    expect(browser_page.locator("h1")).to_have_text(AN124[0])
    assert browser_page.evaluate("sessionStorage.getItem('eventgraph.token')") == reader
    assert watch.outside == []
    assert watch.errors and all("401" in error for error in watch.errors)  # the refusals only


def test_without_a_build_the_app_says_how_to_make_one(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webapp, "DIST", tmp_path / "dist")
    with TestClient(create_app(settings)) as client:
        answer = client.get("/entity/Asset:hmeimim-air-base")
    assert answer.status_code == 503
    assert "make setup" in answer.text and "web/dist/index.html" in answer.text


def test_only_built_files_are_served(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        index = client.get("/search?q=x")
        asset = index.text.split('src="', 1)[1].split('"', 1)[0]
        assert asset.startswith("/app/assets/")
        served = client.get(asset)
        outside = [
            client.get(f"/app/assets/{path}") for path in ("..%2Findex.html", "%2E%2E/package.json")
        ]
    assert index.status_code == 200 and index.headers["cache-control"] == "no-cache"
    assert served.status_code == 200 and "immutable" in served.headers["cache-control"]
    assert [answer.status_code for answer in outside] == [404, 404]


def test_a_graph_store_away_is_said_so(settings: Settings, page: tuple[Page, Watch]) -> None:
    browser_page, watch = page
    away = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    with served(create_app(away.model_copy(update={"anonymous_read": True}))) as base:
        browser_page.goto(f"{base}/entity/{quote(AIR_BASE, safe='')}")
        told = browser_page.locator(".problem[data-code=GRAPH_STORE_UNAVAILABLE]")
        expect(told).to_contain_text("graph store is unavailable", timeout=15_000)
        _shot(browser_page, "graph-store-unavailable")
    assert watch.outside == []
    assert watch.errors == []
