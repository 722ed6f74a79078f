"""What each request leaves behind: its id, one access line, and its place in the metrics.

`Observed` is the outermost middleware of the app (a plain ASGI one: no per-request task or
body copy). For every HTTP request it

- takes the client's `X-Request-ID` when it is 1–128 safe characters (letters, digits, `._:-`),
  else makes one, and returns it in the response's `X-Request-ID`;
- keeps a `RequestFacts` (`api/request_facts.py`) in a context variable for the request's
  lifetime: the GraphQL router fills in the operation name, the token check the token's name,
  and every log line written while the request runs (a traceback included, in worker threads
  too) carries its id;
- when the answer is sent, counts it in `api/metrics.py` by route template (never the raw path)
  and writes one access line (`api/logs.py` formats it as text or JSON): time, request id,
  method, route, path (without the query string: GET variables never reach the log), operation,
  status, duration and token name.
"""

import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventgraph.api.metrics import observe_request
from eventgraph.api.request_facts import RequestFacts, begin_request

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

access_log = logging.getLogger("eventgraph.access")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's request id if it is a safe one, else a new one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _SAFE_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return os.urandom(8).hex()


class Observed:
    """The middleware that gives each request an id, an access line and its metrics."""

    def __init__(self, app: ASGIApp, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        facts = RequestFacts(request_id_of(scope["headers"]))
        begin_request(facts)
        if scope["type"] == "websocket":  # no access line: it lasts; its log lines carry the id
            await self.app(scope, receive, send)
            return
        header = (REQUEST_ID_HEADER, facts.request_id.encode("ascii"))
        status = 500  # unless an answer starts: an error no handler answered

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            observe_request(route, scope["method"], facts.operation, status, seconds)
            if self.log_requests and access_log.isEnabledFor(logging.INFO):
                # The record made here rather than by `access_log.info`, which would walk the
                # stack for the caller's file and line (a third of the line's cost).
                fields = _access_fields(scope, route, facts, status, seconds)
                line = (scope["method"], scope["path"], status)
                access_log.handle(
                    access_log.makeRecord(
                        access_log.name, logging.INFO, __file__, 0, "%s %s %s", line, None,
                        extra={"access": fields},
                    )
                )  # fmt: skip


def _access_fields(
    scope: Scope, route: str, facts: RequestFacts, status: int, seconds: float
) -> dict[str, Any]:
    return {
        "method": scope["method"],
        "route": route,
        "path": scope["path"],
        "operation": facts.operation or None,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "token": facts.token or None,
    }
