"""Bookmarks in and out of each request: read-your-writes across API replicas
(`graph/consistency.py` says why; docs/graphql.md, "Several replicas", how to use it).

A client sends back the bookmark a write's answer carried, in the `X-EventGraph-Bookmark`
header (several, comma-separated, when it wrote through several replicas); every read of the
request is then at least that fresh. An answer after a write carries the bookmark it left in
the same header and, for GraphQL, in `extensions.bookmarks`. The browser may read the header
(CORS exposes it).
"""

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from eventgraph.graph import consistency

BOOKMARK_HEADER = consistency.BOOKMARK_FIELD.lower().encode("ascii")


def bookmarks_sent(headers: list[tuple[bytes, bytes]]) -> tuple[str, ...]:
    """The bookmarks a request sent (the header's comma-separated values, each kept as it came:
    Neo4j alone can tell a real one; too many is refused at the first read)."""
    sent: list[str] = []
    for name, value in headers:
        if name == BOOKMARK_HEADER:
            sent += [part.strip() for part in value.decode("latin-1").split(",") if part.strip()]
    return tuple(sent)


class BookmarksInAndOut:
    """The ASGI middleware that starts each request's consistency from its header and puts the
    bookmark its writes left into the answer's header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        current = consistency.begin(bookmarks_sent(scope["headers"]))
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_with_bookmark(message: Message) -> None:
            if message["type"] == "http.response.start" and current.left:
                value = ",".join(sorted(current.left)).encode("ascii")
                message["headers"] = [*message.get("headers", ()), (BOOKMARK_HEADER, value)]
            await send(message)

        await self.app(scope, receive, send_with_bookmark)


class BookmarksInAnswer(SchemaExtension):
    """`extensions.bookmarks` of a GraphQL answer after a write: what to send back."""

    def get_results(self) -> dict[str, Any]:
        current = consistency.current()
        if current is None or not current.left:
            return {}
        return {"bookmarks": sorted(current.left)}
