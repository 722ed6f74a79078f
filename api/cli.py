"""The `eventgraph` command line: run the local Neo4j, apply the schema, serve the API."""

import functools
import sys
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from graph import local_neo4j
from graph.driver import open_driver, server_info
from graph.errors import EventGraphError
from graph.schema import apply_schema
from graph.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    help="eventgraph: a knowledge-graph event tracker on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
neo4j_app = typer.Typer(
    help="Run the local Neo4j (unused when NEO4J_URI is set).", no_args_is_help=True
)
schema_app = typer.Typer(
    help="Constraints and indexes derived from the ontology.", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(schema_app, name="schema")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn an `EventGraphError` into one clear message and its exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except EventGraphError as error:
            err.print(f"[red]error:[/red] {error}", markup=True, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper


def _local_only(settings: Settings) -> bool:
    if settings.uses_local_neo4j:
        return True
    out.print(
        f"NEO4J_URI is set ({settings.bolt_uri}): using that Neo4j; the launcher is not used."
    )
    return False


@neo4j_app.command("start")
@reports_errors
def neo4j_start() -> None:
    """Build the launcher once, start the local Neo4j in the background, wait until Bolt answers."""
    settings = get_settings()
    if not _local_only(settings):
        return
    with err.status("Starting the local Neo4j…") as spinner:
        started = local_neo4j.start(settings, report=lambda message: spinner.update(message))
    if not started:
        out.print(f"Neo4j is already running on {settings.bolt_uri}; nothing to do.")
        return
    out.print(f"Neo4j {settings.neo4j_version} is up on {settings.bolt_uri} "
              f"(data in {settings.neo4j_home}).")  # fmt: skip


@neo4j_app.command("stop")
@reports_errors
def neo4j_stop() -> None:
    """Stop the local Neo4j and wait for its clean shutdown."""
    settings = get_settings()
    if not _local_only(settings):
        return
    if local_neo4j.stop(settings, report=lambda message: err.print(message)):
        out.print("Neo4j stopped cleanly.")
    else:
        out.print("Neo4j is not running; nothing to do.")


@neo4j_app.command("status")
@reports_errors
def neo4j_status() -> None:
    """Print the URI, the Neo4j version and whether it is up (exit code 3 when down)."""
    settings = get_settings()
    status = local_neo4j.status(settings)
    out.print(f"uri:     {status.uri}")
    if settings.uses_local_neo4j:
        pid = f"pid {status.process.pid}" if status.process else "not running"
        out.print(f"local:   {pid} (data in {settings.neo4j_home})")
    if status.server is None:
        out.print("status:  down")
        out.print(f"reason:  {status.reason}", soft_wrap=True)
        raise typer.Exit(3)
    out.print(f"version: Neo4j {status.server.version} {status.server.edition}")
    out.print("status:  up")


@schema_app.command("apply")
@reports_errors
def schema_apply() -> None:
    """Create the missing constraints and indexes (safe to run again)."""
    settings = get_settings()
    with open_driver(settings) as driver:
        server_info(driver, settings)  # fail fast, with the URI, when Neo4j is away
        report = apply_schema(driver, settings.neo4j_database)
    out.print(
        f"Schema version {report.version} ({report.fingerprint}) applied to {settings.bolt_uri}: "
        f"{len(report.created)} created, {len(report.present)} already present."
    )


@app.command("serve")
@reports_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API: /graphql (GraphiQL in a browser), /health and /ready."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    out.print(f"eventgraph API on http://{host}:{port}/graphql (GraphiQL), "
              f"/health and /ready; Neo4j at {settings.bolt_uri}")  # fmt: skip
    uvicorn.run(create_app(settings), host=host, port=port, loop="uvloop", http="httptools")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
