"""The browser UIs' files at /static/{name}: GraphiQL and Swagger UI, served from this machine.

They come from the npm packages pinned by `api/ui/package-lock.json` (installed into
`api/ui/node_modules` by `make setup`), plus our own script for the GraphiQL page. Only the
files named in `ASSETS` are served, by name, never a path that a request spells out.
"""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

UI_ROOT = Path(__file__).resolve().parent / "ui"
"""The small npm project whose packages the pages load."""

_MODULES = UI_ROOT / "node_modules"

ASSETS: dict[str, Path] = {
    "react.js": _MODULES / "react/umd/react.production.min.js",
    "react-dom.js": _MODULES / "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": _MODULES / "graphiql/graphiql.min.js",
    "graphiql.css": _MODULES / "graphiql/graphiql.min.css",
    "explorer.js": _MODULES / "@graphiql/plugin-explorer/dist/index.umd.js",
    "explorer.css": _MODULES / "@graphiql/plugin-explorer/dist/style.css",
    "graphql-ws.js": _MODULES / "graphql-ws/umd/graphql-ws.min.js",
    "eventgraph-graphiql.js": UI_ROOT / "eventgraph-graphiql.js",
    "swagger-ui.js": _MODULES / "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": _MODULES / "swagger-ui-dist/swagger-ui.css",
    "swagger-favicon.png": _MODULES / "swagger-ui-dist/favicon-32x32.png",
}
"""Public name → file. The pages name these, and nothing else is served."""

INSTALL_HINT = (
    "run `make setup` (it needs Node.js 20+ with npm), or `npm ci --prefix api/ui`, "
    "then restart the server"
)

router = APIRouter(include_in_schema=False)


def url(name: str) -> str:
    """Where a page loads the asset `name` from."""
    if name not in ASSETS:
        raise KeyError(name)
    return f"/static/{name}"


def missing(names: tuple[str, ...]) -> list[str]:
    """Those of `names` whose files are not installed here."""
    return [name for name in names if not ASSETS[name].is_file()]


@router.get("/static/{name}")
async def asset(name: str) -> FileResponse:
    """One of the UIs' files, by its public name."""
    path = ASSETS.get(name)
    if path is None or not path.is_file():
        raise HTTPException(404, "Not Found")
    return FileResponse(path, headers={"Cache-Control": "no-cache"})
