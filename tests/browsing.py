"""What the browser tests share: Debian's Chromium, how Playwright launches it, and `Watch`, which
records what a page did that it should not (requests off this machine, JavaScript errors)."""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Route, WebSocket, WebSocketRoute

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
