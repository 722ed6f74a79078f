"""Neo4j Browser at /browser, for requests from this machine only.

The web app comes from Maven Central (`org.neo4j.client:neo4j-browser`, fetched and unpacked
into var/browser/ by `make browser`, never committed). It is static files: the page then talks
Bolt over a WebSocket straight to Neo4j, with the Neo4j user and password typed into it, so
this API only hands out the files. `/browser` opens it pointed at the configured Bolt URI.
"""

from ipaddress import ip_address
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse

from eventgraph.api.deps import SettingsDep
from eventgraph.graph.settings import PROJECT_ROOT

BROWSER_ROOT = PROJECT_ROOT / "var" / "browser" / "browser"
"""Where `make browser` unpacks the web app (the jar's `browser/` folder)."""

router = APIRouter(include_in_schema=False)


def _from_this_machine(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _check(request: Request, root: Path) -> None:
    if not _from_this_machine(request):
        raise HTTPException(404, "Not Found")
    if not (root / "index.html").is_file():
        raise HTTPException(404, "Neo4j Browser is not installed here: run `make browser`.")


@router.get("/browser")
async def open_browser(request: Request, settings: SettingsDep) -> RedirectResponse:
    """Neo4j Browser, set to connect to this API's Neo4j."""
    _check(request, BROWSER_ROOT)
    scheme, _, address = settings.bolt_uri.partition("://")
    dbms = f"{scheme}://{settings.neo4j_user}@{address}"  # the Browser fills in the user
    return RedirectResponse(f"/browser/?dbms={quote(dbms, safe='')}")


@router.get("/browser/{path:path}")
async def browser_file(request: Request, path: str) -> FileResponse:
    """One file of the web app (index.html for the folder itself)."""
    _check(request, BROWSER_ROOT)
    root = BROWSER_ROOT.resolve()
    wanted = (root / (path or "index.html")).resolve()
    if not wanted.is_relative_to(root) or not wanted.is_file():
        raise HTTPException(404, "Not Found")
    return FileResponse(wanted)
