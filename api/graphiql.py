"""GraphiQL at GET /graphql: our own small page around GraphiQL's files, served from here.

The page holds no script of its own text: what it needs to know (the endpoint and the example
query) is JSON in a `<script type="application/json">` block, escaped so that nothing in it can
end the block, and `eventgraph-graphiql.js` reads it. Queries and mutations go over HTTP with
the headers typed into GraphiQL's Headers pane; subscriptions over graphql-transport-ws on the
same endpoint, those headers (`Authorization`) becoming the `connection_init` payload.
"""

from html import escape

import orjson
from starlette.responses import HTMLResponse

from eventgraph.api import static

EXAMPLE_QUERY = """# eventgraph: the Hmeimim airlift of October 2025 (the seed story).
# Send `Authorization: Bearer <token>` in Headers below unless anonymous read is on.
# More questions, with answers: docs/graphql.md. Run with Ctrl-Enter.
{
  events(filter: {types: [flight]}, first: 10) {
    totalCount
    nodes {
      name
      time { start end precision yearAssumed note }
      participants { role entity { ... on Actor { name } ... on EquipmentType { name } } }
      destination { ... on Asset { name } ... on Location { name } }
      claims { source { name anonymous } reliability credibility paraphrase }
    }
  }
}
"""

STYLES = ("graphiql.css", "explorer.css")
SCRIPTS = ("react.js", "react-dom.js", "graphiql.js", "explorer.js", "graphql-ws.js")
"""GraphiQL's files, in the order the page loads them (each needs the ones before it)."""

OWN_SCRIPT = "eventgraph-graphiql.js"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eventgraph · GraphiQL</title>
<link rel="icon" href="data:,">
{styles}
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="eventgraph-graphiql-config">{config}</script>
{scripts}
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>eventgraph · GraphiQL is not installed</title></head>
<body>
<h1>GraphiQL is not installed on this server</h1>
<p>Its files are missing ({missing}): {hint}.</p>
<p>The API itself works without it: POST GraphQL to <code>{endpoint}</code>.</p>
</body>
</html>
"""


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The browser holds the page to this: files from this server only, no inline script (the
config block is data, never run), queries and WebSockets to this server only."""


def json_for_html(value: object) -> str:
    """JSON that is inert inside a `<script>` block: `<`, `>` and `&` as `\\u` escapes, so
    neither `</script>` nor `<!--` in a string can end or change the block."""
    text = orjson.dumps(value).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def graphiql_page(endpoint: str) -> HTMLResponse:
    """The GraphiQL page for `endpoint`, or a page saying how to install GraphiQL's files."""
    absent = static.missing((*STYLES, *SCRIPTS, OWN_SCRIPT))
    if absent:
        body = _MISSING.format(
            missing=escape(", ".join(absent)), hint=escape(static.INSTALL_HINT), endpoint=endpoint
        )
        return HTMLResponse(body, status_code=503)
    config = {"endpoint": endpoint, "query": EXAMPLE_QUERY}
    styles = "\n".join(f'<link rel="stylesheet" href="{static.url(n)}">' for n in STYLES)
    scripts = "\n".join(f'<script src="{static.url(n)}"></script>' for n in (*SCRIPTS, OWN_SCRIPT))
    page = _PAGE.format(styles=styles, config=json_for_html(config), scripts=scripts)
    return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
