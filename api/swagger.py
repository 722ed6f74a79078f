"""Swagger UI at /docs (the HTTP API: /cypher, /ready, ...), its files served from this machine.

FastAPI's own /docs and /redoc load their scripts from a CDN, so the app turns them off and
serves this page instead; /redoc is not served.
"""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from eventgraph.api import static

ASSETS = ("swagger-ui.js", "swagger-ui.css", "swagger-favicon.png")

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """The API's OpenAPI description in Swagger UI, or how to install Swagger UI's files."""
    absent = static.missing(ASSETS)
    if absent:
        message = f"Swagger UI is not installed on this server ({', '.join(absent)}): "
        return HTMLResponse(
            f"<!doctype html><title>Swagger UI is not installed</title><p>{message}"
            f"{static.INSTALL_HINT}. The OpenAPI description is at /openapi.json.</p>",
            status_code=503,
        )
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · API",
        swagger_js_url=static.url("swagger-ui.js"),
        swagger_css_url=static.url("swagger-ui.css"),
        swagger_favicon_url=static.url("swagger-favicon.png"),
        swagger_ui_parameters={"validatorUrl": None},  # the default asks an outside validator
    )
