"""The analyst's web app (web/, built by `make setup` into web/dist) at `/`.

Every app route (`/`, `/search`, `/entity/<id>`, `/event/<id>`, `/chart`, `/map`, `/sign-in`)
answers the app's index.html, so a reloaded or shared link opens its view; the browser-side
router shows it. The built files are hashed, so `/app/assets/<name>` is cached for a year;
index.html never is. Only a file inside `web/dist/assets` is served, never a path a request
spells out beyond it. Without a build, the pages say how to make one.
"""

from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

from eventgraph.api.graphiql import CONTENT_SECURITY_POLICY

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
"""The app's npm project; `npm run build` writes `dist/` in it."""

DIST = WEB_ROOT / "dist"
ASSETS = DIST / "assets"

ROUTES = (
    "/",
    "/search",
    "/sign-in",
    "/chart",
    "/map",
    "/entity/{node_id:path}",
    "/event/{node_id:path}",
)
"""The app's own URLs: each loads index.html (web/src/main.tsx's routes)."""

BUILD_HINT = (
    "run `make setup` (it needs Node.js 20+ with npm), or "
    "`npm ci --prefix web && npm run build --prefix web`, then reload"
)

LONG_CACHE = "public, max-age=31536000, immutable"

_MISSING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>eventgraph · the web app is not built</title></head>
<body>
<h1>The eventgraph web app is not built on this server</h1>
<p>Its build (web/dist/index.html) is missing: {hint}.</p>
<p>The API works without it: GraphiQL at <a href="/graphql">/graphql</a>, the HTTP API at
<a href="/docs">/docs</a>.</p>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


def app_page(node_id: str | None = None) -> Response:
    """index.html of the built app, or a page saying how to build it."""
    del node_id  # the app reads it from the URL
    index = DIST / "index.html"
    if not index.is_file():
        body = _MISSING.format(hint=escape(BUILD_HINT))
        return HTMLResponse(body, status_code=503, headers={"Cache-Control": "no-cache"})
    return FileResponse(
        index,
        media_type="text/html",
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )


for _route in ROUTES:
    router.add_api_route(_route, app_page, methods=["GET", "HEAD"], response_class=HTMLResponse)


@router.get("/app/assets/{name:path}")
async def asset(name: str) -> FileResponse:
    """One of the built app's hashed files."""
    path = (ASSETS / name).resolve()
    if not path.is_relative_to(ASSETS.resolve()) or not path.is_file():
        raise HTTPException(404, "Not Found")
    return FileResponse(path, headers={"Cache-Control": LONG_CACHE})
