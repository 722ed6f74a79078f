"""GraphQL over HTTP as its spec says: what a request may hold, and how an answer is sent.

- POST with `Content-Type: application/json` (else 415), or GET with `query`, `operationName`,
  and `variables` / `extensions` as JSON text in the URL. Mutations only over POST: a GET
  mutation is a 405 with `Allow: POST`. An operation whose `extensions` hold a
  `persistedQuery` may leave `query` out (`api/graphql/persisted.py`); so a GET is an
  operation when it has `query` or `extensions` (GraphiQL otherwise).
- A POST body may be a JSON array of at most `MAX_BATCH` operations, answered in order.
- Bodies over `MAX_BODY_BYTES` and documents over `MAX_QUERY_CHARS` are refused (413) before
  anything is parsed, so a huge query never reaches the parser, the caches or Neo4j.
- The answer's media type follows the client's `Accept`: `application/graphql-response+json`
  when the client names it at least as high as `application/json`, else `application/json`.
  With the former, a request error (the document does not parse or validate, or its variables
  do not coerce: errors and no data) is a 400 without a `data` entry; anything else is a 200.
  With `application/json` every GraphQL answer is a 200, as before.
- A request refused before it is executed gets `{"errors": [{"message", "extensions": {"code"}}]}`
  with an HTTP status: a `RequestRefused` error, whose code and status are in api/errors.py's
  table (`BAD_REQUEST` 400, `METHOD_NOT_ALLOWED` 405, `REQUEST_TOO_LARGE` 413 …).
"""

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from eventgraph.api.errors import (
    BatchTooLarge,
    RequestRefused,
    RequestTooLarge,
    UnsupportedMediaType,
)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

MAX_BATCH = 10
"""Operations in one batched POST (a JSON array); more is refused as a whole."""
MAX_BODY_BYTES = 512 * 1024
"""A POST body larger than this is refused before it is read in full."""
MAX_QUERY_CHARS = 100_000
"""A GraphQL document longer than this is refused before it is parsed (the token limit would
refuse it too, but only after reading it, and the parse caches would keep it)."""


def response_media_type(accept: str | None) -> str:
    """`application/graphql-response+json` if `Accept` names it no lower than JSON, else JSON."""
    if not accept:
        return JSON
    named: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = part.split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        named.setdefault(media.strip().lower(), quality)
    wanted = named.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json = named.get(JSON, named.get("application/*", named.get("*/*", 0.0)))
    return GRAPHQL_RESPONSE_JSON if wanted > 0 and wanted >= json else JSON


def asks_by_hash(extensions: object) -> bool:
    """True when an operation's `extensions` carry a `persistedQuery` (APQ)."""
    return isinstance(extensions, dict) and "persistedQuery" in extensions


def names_an_operation(query_params: Mapping[str, str]) -> bool:
    """A GET whose URL holds `query` or `extensions` (a persisted query's hash) asks for an
    operation, with a token like any read; any other GET is the GraphiQL page."""
    return "query" in query_params or "extensions" in query_params


async def read_operations(request: Request) -> GraphQLRequestData | list[GraphQLRequestData]:
    """The operation (or batch) a GET or POST carries; `RequestRefused` if it is not one."""
    if request.method == "GET":
        params = request.query_params
        return _operation(
            {
                "query": params.get("query"),
                "operationName": params.get("operationName"),
                "variables": _json_param(params.get("variables"), "variables"),
                "extensions": _json_param(params.get("extensions"), "extensions"),
            }
        )
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media != JSON:
        raise UnsupportedMediaType("send the operation as JSON (Content-Type: application/json)")
    payload = _parse_json(await _bounded_body(request), "the request body")
    if not isinstance(payload, list):
        return _operation(payload)
    if not payload:
        raise RequestRefused("the batch is empty: send at least one operation")
    if len(payload) > MAX_BATCH:
        raise BatchTooLarge(
            f"a batch holds at most {MAX_BATCH} operations; this one holds {len(payload)}"
        )
    return [_operation(item) for item in payload]


def is_request_error(result: ExecutionResult) -> bool:
    """No data and only request errors (parse, validation, variables): nothing was executed.
    Field errors always carry a `path`; request errors never do."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large("the request body", MAX_BODY_BYTES, "bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large("the request body", MAX_BODY_BYTES, "bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, limit: int, unit: str) -> RequestTooLarge:
    return RequestTooLarge(f"{what} is over {limit:,} {unit}")


def _parse_json(text: str | bytes, what: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise RequestRefused(f"{what} is not valid JSON") from None


def _json_param(text: str | None, name: str) -> Any:
    return _parse_json(text, f"the `{name}` parameter") if text else None


def _operation(item: object) -> GraphQLRequestData:
    if not isinstance(item, dict):
        raise RequestRefused("an operation is a JSON object with a `query` string")
    query, extensions = item.get("query"), item.get("extensions")
    if not isinstance(extensions, dict | None):
        raise RequestRefused("`extensions` must be a JSON object or null")
    if query is None and asks_by_hash(extensions):
        pass  # the document comes from the persisted queries, by its hash
    elif not isinstance(query, str) or not query:
        raise RequestRefused("`query` is missing: it must be a string holding the document")
    elif len(query) > MAX_QUERY_CHARS:
        raise _too_large("the query", MAX_QUERY_CHARS, "characters")
    operation_name = item.get("operationName")
    if not isinstance(operation_name, str | None):
        raise RequestRefused("`operationName` must be a string or null")
    variables = item.get("variables")
    if not isinstance(variables, dict | None):
        raise RequestRefused("`variables` must be a JSON object or null")
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation_name, extensions=extensions
    )
