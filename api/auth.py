"""Who is asking: bearer tokens (graph/tokens.py) and the anonymous-read setting.

`require(Role.EDITOR)` is a FastAPI dependency; `identify` is the same check for code that is
not a route (the GraphQL context). Both raise `Unauthenticated` or `Forbidden` (answered as
api/errors.py's table says), and `Unavailable` when Neo4j cannot be asked.
Verified tokens are cached for a few seconds, so a request
costs no extra round trip to Neo4j and a revoked token stops working within TOKEN_CACHE_S. The
cache is each process's: with `serve --workers`, every worker asks the graph, so the bound holds
on each (a new token is never in a cache before it exists: it works at once everywhere).
"""

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from eventgraph.api.errors import Forbidden, Unauthenticated
from eventgraph.api.request_facts import current_request
from eventgraph.graph.errors import a_or_an
from eventgraph.graph.executor import Executor
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, TokenInfo, verify_token

TOKEN_CACHE_S = 5.0
ANONYMOUS = TokenInfo(id="anonymous", name="anonymous", role=Role.READER)

_cache: dict[str, tuple[float, TokenInfo | None]] = {}


def bearer_of(request: HTTPConnection) -> str | None:
    """The bearer token of the Authorization header, if any."""
    return bearer_in_header(request.headers.get("authorization", ""))


def bearer_in_header(header: str) -> str | None:
    """The bearer token of an Authorization header's value, if any."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _cached(token: str) -> tuple[bool, TokenInfo | None]:
    """(True, what the token was found to be) when it was checked less than TOKEN_CACHE_S ago."""
    cached = _cache.get(token)
    if cached and time.monotonic() - cached[0] < TOKEN_CACHE_S:
        return True, cached[1]
    return False, None


def _verified(executor: Executor, token: str) -> TokenInfo | None:
    now = time.monotonic()
    known, cached = _cached(token)
    if known:
        return cached
    info = executor.call(verify_token, token)  # Neo4j away: `Unavailable` (503), never a 500
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[token] = (now, info)
    return info


async def identify(request: HTTPConnection, needed: Role) -> TokenInfo:
    """The caller, if allowed to act as `needed`; else `Unauthenticated` or `Forbidden`."""
    return await identify_token(request, bearer_of(request), needed)


async def identify_token(connection: HTTPConnection, token: str | None, needed: Role) -> TokenInfo:
    """`identify` for a token that came another way than the Authorization header (the
    `connection_init` payload of a WebSocket, which browsers cannot give headers)."""
    settings: Settings = connection.app.state.settings
    facts = current_request()
    if token is None:
        if needed is Role.READER and settings.anonymous_read:
            if facts is not None:
                facts.token = ANONYMOUS.name
            return ANONYMOUS
        raise Unauthenticated(
            f"this needs {a_or_an(needed.value)} token: send Authorization: Bearer <token>"
        )
    known, info = _cached(token)  # most requests: no thread hop, no round trip
    if not known:
        info = await run_in_threadpool(_verified, connection.app.state.executor, token)
    if info is None:
        raise Unauthenticated("the token is unknown or revoked")
    if facts is not None:
        facts.token = info.name  # its name, for the access line; never the token itself
    if not info.role.allows(needed):
        raise Forbidden(
            f"{a_or_an(info.role.value)} token cannot do this: it needs {a_or_an(needed.value)} "
            "token",
        )
    return info


def known_caller(settings: Settings, token: str | None, needed: Role) -> TokenInfo | None:
    """The caller `identify_token` lets in, when that is known without asking Neo4j (anonymous
    read, or a token checked less than TOKEN_CACHE_S ago); else None, and `identify_token`
    answers, with its error if it refuses."""
    if token is None:
        return ANONYMOUS if needed is Role.READER and settings.anonymous_read else None
    known, info = _cached(token)
    if not known or info is None or not info.role.allows(needed):
        return None
    return info


def bearer_in(payload: object) -> str | None:
    """The token in a graphql-transport-ws `connection_init` payload: `{"Authorization":
    "Bearer <token>"}` (the Apollo and graphql-ws clients' convention), any case of the key."""
    if not isinstance(payload, dict):
        return None
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def require(needed: Role) -> Callable[[Request], object]:
    """A dependency that lets the request through only for `needed` or a higher role."""

    async def dependency(request: Request) -> TokenInfo:
        return await identify(request, needed)

    return dependency


ReaderDep = Annotated[TokenInfo, Depends(require(Role.READER))]
EditorDep = Annotated[TokenInfo, Depends(require(Role.EDITOR))]
