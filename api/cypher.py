"""`POST /cypher`: a power user's read-only Cypher over HTTP, for reader tokens.

Every rule (what may run, the timeout, the row cap) lives in graph/power; this module maps its
outcome to HTTP: 200 with `{columns, rows, truncated}`; `{error: {code, message}}` with 400 for a
refused or invalid query, 504 when Neo4j stopped it for running too long, 503 when Neo4j does not
answer. Never a stack trace. It also serves Neo4j Browser at /browser when `make browser` has
fetched it (api/browser.py).
"""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from eventgraph.api.auth import ReaderDep
from eventgraph.api.browser import router as browser_router
from eventgraph.api.deps import DriverDep, SettingsDep
from eventgraph.graph.errors import Refused, Unavailable
from eventgraph.graph.importer.wording import in_words
from eventgraph.graph.power import run_read_query
from eventgraph.graph.power.console import is_timeout
from eventgraph.graph.power.guard import MAX_QUERY_CHARS

INVALID_REQUEST = "EventGraph.Request.Invalid"
UNAVAILABLE = "EventGraph.Neo4j.Unavailable"


class CypherRequest(BaseModel):
    """The body of `POST /cypher`."""

    model_config = {"extra": "forbid"}

    query: str = Field(max_length=MAX_QUERY_CHARS, description="One read-only Cypher statement.")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Values for the query's `$parameters`."
    )


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _invalid_body(error: ValidationError) -> str:
    """Each problem of the body in our words (never pydantic's), naming its field."""
    problems = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        reason, suggestion = in_words(problem, field)
        problems.append(f"{field}: {reason}" + (f" ({suggestion})" if suggestion else ""))
    return "; ".join(problems)


router = APIRouter(tags=["cypher"])
router.include_router(browser_router)

_ERRORS = {
    400: {"description": "Refused or invalid query: `{error: {code, message}}`"},
    401: {"description": "No token, or an unknown or revoked one"},
    503: {"description": "Neo4j does not answer"},
    504: {"description": "Neo4j stopped the query when it ran out of time"},
}


@router.post(
    "/cypher",
    responses=_ERRORS,  # type: ignore[arg-type]
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CypherRequest.model_json_schema()}},
        }
    },
)
async def run_cypher(
    request: Request, reader: ReaderDep, driver: DriverDep, settings: SettingsDep
) -> JSONResponse:
    """Run one read-only Cypher query: `{columns, rows, truncated}`."""
    try:
        body = CypherRequest.model_validate(json.loads(await request.body()))
    except (ValueError, UnicodeDecodeError) as error:
        message = _invalid_body(error) if isinstance(error, ValidationError) else str(error)
        message = f"the body must be JSON {{query, parameters}}: {message}"
        return _error(400, INVALID_REQUEST, message)
    try:
        result = await run_in_threadpool(
            run_read_query, driver, settings, body.query, body.parameters
        )
    except Refused as refused:
        return _error(504 if is_timeout(refused) else 400, refused.code, refused.reason)
    except Unavailable as unavailable:
        return _error(503, UNAVAILABLE, str(unavailable))
    return JSONResponse(result.as_json())
