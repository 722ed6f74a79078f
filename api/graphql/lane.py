"""The lane: `POST /graphql` for the documents the fast path owns, answered as plain ASGI.

A point lookup costs Neo4j well under a millisecond; on the way there, FastAPI's routing, its
dependencies (the GraphQL context, the token check) and strawberry's view cost about as much
again per request (docs/graphql.md, "What a request costs"). The lane sits inside the app's own
middleware (`Observed`: request id, metrics, access line; `BookmarksInAndOut`; CORS) and ahead
of the router, and answers a request itself when everything it needs is already known:

- a POST of one JSON operation (no batch, no `extensions`: persisted queries take the router),
  within the body and document limits (`api/graphql/http.py`);
- a caller known without asking Neo4j (`auth.known_caller`: anonymous read, or a token checked
  in the last seconds);
- plans the fast path keeps for this document and these variables (`FastSchema.planned`: the
  first request of a document goes the whole way and leaves them).

Anything else, and every refusal, is handed on to the router untouched (the body replayed), so
errors, codes and messages are the router's. An operation the lane ran and the fast path then
left to the standard path (a stored value breaking the schema) goes on with the lane's limits
and is not run on the fast path twice (`fast.TRIED_IN_LANE`). With tracing on, or the fast
path off (`create_app(graphql_fast_path=False)`), the lane steps aside.
"""

from typing import Any

import orjson
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventgraph.api.auth import bearer_in_header, known_caller
from eventgraph.api.graphql.fast import TRIED_IN_LANE, FastRouter, FastSchema
from eventgraph.api.graphql.http import (
    JSON,
    MAX_BODY_BYTES,
    MAX_QUERY_CHARS,
    response_media_type,
)
from eventgraph.api.graphql.limits import LIMITS_KEY, operation_limits
from eventgraph.api.metrics import operation_label
from eventgraph.api.request_facts import current_request
from eventgraph.graph.tokens import Role

_READ_HEADERS = frozenset({b"content-type", b"content-length", b"accept", b"authorization"})
_CONTENT_TYPES = {
    media: (b"content-type", media.encode("ascii"))
    for media in (JSON, "application/graphql-response+json")
}


class FastLane:
    """The ASGI middleware that answers `POST path` for documents the fast path owns."""

    def __init__(self, app: ASGIApp, path: str, router: FastRouter) -> None:
        self.app = app
        self.path = path
        self.router = router
        self._post_route: BaseRoute | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = {
            name: value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _READ_HEADERS
        }
        declared = headers.get(b"content-length", "")
        media = headers.get(b"content-type", "").split(";")[0].strip().lower()
        if media != JSON or (declared.isdigit() and int(declared) > MAX_BODY_BYTES):
            await self.app(scope, receive, send)
            return
        messages, body = await _body(receive)
        answer = None if body is None else await self._answer(scope, headers, body)
        if answer is None:
            await self.app(scope, _replaying(messages, receive), send)
            return
        content, status, media_type = answer
        scope["route"] = self._route()  # the route template the metrics count it under
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(content)).encode("ascii")),
                    _CONTENT_TYPES[media_type],
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

    async def _answer(
        self, scope: Scope, headers: dict[bytes, str], body: bytes
    ) -> tuple[bytes, int, str] | None:
        """(body, status, media type) of the answer, or None to hand the request on."""
        state = scope["app"].state
        if not getattr(state, "graphql_fast_path", True):
            return None
        operation = _operation(body)
        if operation is None:
            return None
        query, variables, name = operation
        token = bearer_in_header(headers.get(b"authorization", ""))
        caller = known_caller(state.settings, token, Role.READER)
        if caller is None:
            return None
        schema = self.router.schema
        assert isinstance(schema, FastSchema)
        plans = schema.planned(query, variables, name)
        if plans is None:
            return None
        facts = current_request()
        if facts is not None:
            facts.token = caller.name
            facts.operation = operation_label(name)
        limits = operation_limits(state.settings)
        request = Request(scope)
        result = await schema.answer_planned(plans, {"request": request, LIMITS_KEY: limits})
        if result is None:
            if limits.refusal is None:
                scope[TRIED_IN_LANE] = limits  # the standard path answers, with these limits
                return None
            result = schema.refused(limits.refusal)
        media_type = response_media_type(headers.get(b"accept"))
        answer, status = await self.router.answer_of(request, result, media_type)
        return orjson.dumps(answer), status, media_type

    def _route(self) -> BaseRoute | None:
        """The router's route for `POST path` (found once)."""
        if self._post_route is None:
            for route in self.router.routes:
                if getattr(route, "path", None) == self.path and "POST" in getattr(
                    route, "methods", ()
                ):
                    self._post_route = route
                    break
        return self._post_route


def _operation(body: bytes) -> tuple[str, dict[str, Any], str | None] | None:
    """(query, variables, operation name) of a body holding one plain operation, else None."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or payload.get("extensions") is not None:
        return None
    query, variables, name = (
        payload.get("query"),
        payload.get("variables"),
        payload.get("operationName"),
    )
    if not isinstance(query, str) or not query or len(query) > MAX_QUERY_CHARS:
        return None
    if not isinstance(variables, dict | None) or not isinstance(name, str | None):
        return None
    return query, variables or {}, name


async def _body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages read and the whole body, or None for the body when the client left or it
    grew over MAX_BODY_BYTES (the router then reads on and answers)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return messages, None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return messages, b"".join(chunks) if len(chunks) != 1 else chunks[0]


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that gives `messages` again first."""
    pending = list(reversed(messages))

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
