"""What the browser tests share: Debian's Chromium, how Playwright launches it, and `Watch`, which
records what a page did that it should not (requests off this machine, JavaScript errors), and
where the app's timeline draws an event's bar."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import (
    ConsoleMessage,
    FloatRect,
    Locator,
    Page,
    Route,
    WebSocket,
    WebSocketRoute,
)

from eventgraph.api import webapp
from eventgraph.graph.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "var" / "test-artifacts" / "webapp"
"""Where the web app's browser tests keep their screenshots."""

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}
TIMELINE = "[data-testid=timeline][data-ready=true]"
PX = 2.5
"""How far a bar's edge may sit from where its instant falls (its 1 px border, rounding)."""


@dataclass
class Watch:
    """What a page did that it should not: requests off this machine, JavaScript errors."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    socket_frames: list[str] = field(default_factory=list)
    """What the page sent over WebSockets (to this machine)."""

    def attach(self, page: Page) -> None:
        page.route("**/*", self._only_local)
        page.route_web_socket(self._is_outside, self._refuse_socket)
        page.on("websocket", self._watch_socket)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)

    @staticmethod
    def _is_outside(url: str) -> bool:
        return urlsplit(url).hostname not in LOCAL_HOSTS

    def _note_outside(self, url: str) -> None:
        if self._is_outside(url):
            self.outside.append(url)

    def _only_local(self, route: Route) -> None:
        self._note_outside(route.request.url)
        if self._is_outside(route.request.url):
            route.abort()
        else:
            route.continue_()

    def _watch_socket(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda frame: self.socket_frames.append(str(frame)))

    def _refuse_socket(self, socket: WebSocketRoute) -> None:
        self.outside.append(socket.url)
        socket.close()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")


# Where the web app's timeline draws things (web/src/Timeline.tsx).


def ms(day: str) -> float:
    """Midnight UTC at the start of `day`, in milliseconds (the timeline's unit)."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000


def x_of(page: Page, instant_ms: float) -> float:
    """Where the timeline draws an instant: its visible window over its centre panel's width."""
    timeline = page.locator(TIMELINE)
    start = float(timeline.get_attribute("data-window-start") or "nan")
    end = float(timeline.get_attribute("data-window-end") or "nan")
    panel = page.locator(".vis-panel.vis-center").bounding_box()
    assert panel is not None
    return float(panel["x"] + (instant_ms - start) / (end - start) * panel["width"])


def settle(page: Page, name: str) -> None:
    """Wait until the timeline's window and the bar of `name` stop moving (zooming ends with
    a redraw or two after the last wheel step)."""
    timeline = page.locator(TIMELINE)

    def where() -> tuple[object, ...]:
        box = bar(page, name).bounding_box()
        window = (
            timeline.get_attribute("data-window-start"),
            timeline.get_attribute("data-window-end"),
        )
        return (*window, box and (box["x"], box["width"]))

    before = where()
    for _ in range(30):
        page.wait_for_timeout(150)
        now = where()
        if now == before:
            return
        before = now
    raise AssertionError(f"the timeline kept moving: {before}")


def bar(page: Page, name: str) -> Locator:
    """The timeline's bar for the event called `name`."""
    return page.locator(".vis-item", has_text=name).first


def assert_spans(page: Page, name: str, first_day: str, day_after_last: str) -> FloatRect:
    """The bar of `name` runs from the start of `first_day` to the end of the day before
    `day_after_last`, as drawn on screen."""
    box = bar(page, name).bounding_box()
    assert box is not None, name
    left, right = x_of(page, ms(first_day)), x_of(page, ms(day_after_last))
    assert abs(box["x"] - left) <= PX, (name, box, left)
    assert abs(box["x"] + box["width"] - right) <= PX, (name, box, right)
    return box


def built_app() -> None:
    """Fail at once, saying what to run, when the web app has not been built; make room for the
    screenshots."""
    assert (webapp.DIST / "index.html").is_file(), "the web app is not built: run `make setup`"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def ask_api(base: str, query: str, **variables: object) -> Any:
    """The public GraphQL endpoint's `data` for a query, as the app would get it; an answer with
    errors fails the test."""
    answer = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in answer, answer
    return answer["data"]
