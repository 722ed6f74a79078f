"""`POST /cypher`: a power user's read-only Cypher over HTTP, for reader tokens.

Every rule (what may run, the timeout, the row cap) lives in graph/power; this module answers
200 with `{columns, rows, truncated}`. Its errors (a refused or invalid query, one Neo4j stopped
for running too long, Neo4j away, a missing token) are the tree's, answered by the app as
`{error: {code, message}}` with the status api/errors.py's table gives: 400, 504, 503, 401 …
Never a stack trace. It also serves Neo4j Browser at /browser when `make browser` has fetched it
(api/browser.py).
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
from eventgraph.api.errors import ERRORS, Forbidden, RequestRefused, Unauthenticated
from eventgraph.graph.errors import QueryTimedOut, Refused, Unavailable
from eventgraph.graph.importer.wording import in_words
from eventgraph.graph.power import run_read_query
from eventgraph.graph.power.guard import MAX_QUERY_CHARS


class CypherRequest(BaseModel):
    """The body of `POST /cypher`."""

    model_config = {"extra": "forbid"}

    query: str = Field(max_length=MAX_QUERY_CHARS, description="One read-only Cypher statement.")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Values for the query's `$parameters`."
    )


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
    ERRORS[kind].http: {"description": f"`{{error: {{code, message}}}}`: {ERRORS[kind].when}"}
    for kind in (Refused, Unauthenticated, Forbidden, Unavailable, QueryTimedOut)
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
        raise RequestRefused(f"the body must be JSON {{query, parameters}}: {message}") from None
    result = await run_in_threadpool(run_read_query, driver, settings, body.query, body.parameters)
    return JSONResponse(result.as_json())
