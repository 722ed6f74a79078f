"""The `eventgraph` command line: run the local Neo4j, apply the schema, serve the API.

Every error ends the command with one message and the exit code api/errors.py's table gives it
(`Exit`): the same kinds as the HTTP statuses and GraphQL codes of the API.
"""

import functools
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TextIO, TypeVar

import typer
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer._click import Context, HelpFormatter  # typer's own copy of click
from typer.core import TyperArgument, TyperCommand

from eventgraph.api.errors import Exit, answer_of
from eventgraph.api.logs import quiet_driver
from eventgraph.graph import __version__, feeds, local_neo4j
from eventgraph.graph.driver import open_driver, reaching_advice, server_info, store_error
from eventgraph.graph.errors import (
    EventGraphError,
    InvalidData,
    LocalNeo4jError,
    Problem,
    Unavailable,
)
from eventgraph.graph.export import graphml, jsonl, tables
from eventgraph.graph.exporting import Snapshot, document_of, dump_document, read_snapshot
from eventgraph.graph.importer import ImportSummary, import_paths
from eventgraph.graph.importer.bulk import (
    AFTER_IMPORT,
    BulkSummary,
    admin_command,
    bulk_files_for_paths,
    bulk_import_paths,
)
from eventgraph.graph.importer.skipping import Skips
from eventgraph.graph.schema import apply_schema
from eventgraph.graph.settings import Settings, get_settings
from eventgraph.graph.stix.writing import bundle_of, versions_of
from eventgraph.graph.timespan import TimeError, bounds
from eventgraph.graph.tokens import Role, create_token, list_tokens, revoke_token

if TYPE_CHECKING:
    from eventgraph.graph.resolution.merging import MergeRecord
    from eventgraph.graph.resolution.scoring import Reason

P = ParamSpec("P")
R = TypeVar("R")


class InWords(TyperCommand):
    """A command whose help names arguments by their metavar (`PATH...`), never by a Python
    type (`<list[Path]>`); options get theirs from `metavar=`, flags show none."""

    def _argument_name(self, argument: TyperArgument) -> str:
        name = argument.metavar or (argument.name or "").upper()
        return name + ("..." if argument.nargs != 1 else "")

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = self._argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((self._argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
"""`-h` as `--help`, for every command (sub-commands inherit it)."""

app = typer.Typer(
    help="eventgraph: a knowledge-graph event tracker on Neo4j.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: the rich one prints every option's Python type
    context_settings=HELP_OPTIONS,
    pretty_exceptions_enable=False,
    add_completion=False,
)
neo4j_app = typer.Typer(
    help="Run the local Neo4j (unused when NEO4J_URI is set).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
schema_app = typer.Typer(
    help="Constraints and indexes derived from the ontology.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
token_app = typer.Typer(
    help="API tokens (stored hashed in the graph).", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(schema_app, name="schema")
app.add_typer(token_app, name="token")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _print_version(wanted: bool) -> None:
    if wanted:
        out.print(f"eventgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_print_version,
            is_eager=True,
            help="Print the eventgraph version and exit.",
        ),
    ] = False,
) -> None:
    """eventgraph: a knowledge-graph event tracker on Neo4j."""


def say_error(message: str) -> None:
    """Print one error; its text is the user's data too, so it is never read as markup."""
    err.print(Text.assemble(("error: ", "red"), message), soft_wrap=True)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn an error into one clear message and its exit code (`Exit`), never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except EventGraphError as error:
            say_error(str(error))
            raise typer.Exit(answer_of(error).exit) from None
        except Neo4jError as error:
            say_error(f"Neo4j refused: {error.code}: {error.message}")
            raise typer.Exit(Exit.FAILED) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except (ServiceUnavailable, SessionExpired) as error:  # Neo4j went away mid-command
            away = store_error(error, get_settings())
            say_error(str(away))
            raise typer.Exit(answer_of(away).exit) from None
        except ValidationError as error:  # only the settings are validated outside the importer
            say_error(_settings_problem(error))
            raise typer.Exit(Exit.USAGE) from None
        except OSError as error:
            if os.environ.get("EVENTGRAPH_DEBUG") or error.filename is None:
                raise
            say_error(_file_problem(error))
            raise typer.Exit(Exit.FAILED) from None
        except Exception as error:
            if os.environ.get("EVENTGRAPH_DEBUG"):
                raise
            say_error(
                f"unexpected {type(error).__name__}: {error}. This is a bug; run again with "
                "EVENTGRAPH_DEBUG=1 for the traceback and report it."
            )
            raise typer.Exit(Exit.FAILED) from None

    return wrapper


def _settings_problem(error: ValidationError) -> str:
    """`EVENTGRAPH_NEO4J_PORT: must be a whole number, not 'abc'`, for each bad setting."""
    from eventgraph.graph.importer.wording import in_words

    described = {str(f.validation_alias): f.description for f in Settings.model_fields.values()}
    said = []
    for detail in error.errors(include_url=False):
        name = ".".join(str(part) for part in detail["loc"])
        reason, suggestion = in_words(detail, name)
        hint = suggestion or described.get(name)
        said.append(f"{name}: {reason}" + (f" ({hint.rstrip('.')})" if hint else ""))
    return (
        "a setting (environment variable or .env) has a value eventgraph cannot use: "
        + "; ".join(said)
    )


def _file_problem(error: OSError) -> str:
    """`missing.cypher: no such file` from an `OSError` (no errno names or Python types)."""
    reason = (error.strerror or str(error)).lower()
    if isinstance(error, IsADirectoryError):
        reason = "is a folder, not a file"
    elif isinstance(error, FileNotFoundError):
        reason = "no such file or folder"
    elif isinstance(error, PermissionError):
        reason = "permission denied"
    return f"{error.filename}: {reason}"


def _local_only(settings: Settings) -> bool:
    if settings.uses_local_neo4j:
        return True
    out.print(
        f"NEO4J_URI is set ({settings.bolt_uri}): using that Neo4j; the launcher is not used."
    )
    return False


@neo4j_app.command("start", cls=InWords)
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
    out.print(
        f"Neo4j {settings.neo4j_version} is up on {settings.bolt_uri} "
        f"(data in {settings.neo4j_home})."
    )


@neo4j_app.command("stop", cls=InWords)
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


@neo4j_app.command("status", cls=InWords)
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
        raise typer.Exit(Exit.UNAVAILABLE)
    out.print(f"version: Neo4j {status.server.version} {status.server.edition}")
    out.print("status:  up")


@schema_app.command("apply", cls=InWords)
@reports_errors
def schema_apply() -> None:
    """Create the missing constraints and indexes (safe to run again)."""
    settings = get_settings()
    with open_driver(settings) as driver:
        server_info(driver, settings)  # fail fast, with the URI, when Neo4j is away
        report = apply_schema(driver, settings.neo4j_database)
    out.print(
        f"Schema version {report.version} ({report.fingerprint}) applied to {settings.bolt_uri}: "
        f"{len(report.created)} created, {len(report.replaced)} rebuilt, "
        f"{len(report.present)} already present."
        + "".join(f" Migrated: {name}." for name in report.migrated)
    )


@token_app.command("create", cls=InWords)
@reports_errors
def token_create(
    role: Annotated[
        Role,
        typer.Option(metavar="ROLE", help="reader reads; editor also writes; admin also manages."),
    ],
    name: Annotated[
        str | None, typer.Option(metavar="NAME", help="A name to recognise it by.")
    ] = None,
) -> None:
    """Create a token and print it (once: only its hash is kept)."""
    settings = get_settings()
    with open_driver(settings) as driver:
        server_info(driver, settings)
        apply_schema(driver, settings.neo4j_database)
        token = create_token(driver, settings.neo4j_database, role, name)
    err.print(
        f"A {role.value} token; send it as `Authorization: Bearer <token>`. It is not shown again:"
    )
    out.print(token)


@token_app.command("revoke", cls=InWords)
@reports_errors
def token_revoke(
    ref: Annotated[str, typer.Argument(metavar="ID", help="The token's id or name.")],
) -> None:
    """Revoke a token (takes effect within seconds in running servers)."""
    settings = get_settings()
    with open_driver(settings) as driver:
        server_info(driver, settings)
        token_id = revoke_token(driver, settings.neo4j_database, ref)
    out.print(f"Token {token_id} revoked.")


@token_app.command("list", cls=InWords)
@reports_errors
def token_list() -> None:
    """The tokens: id, name, role, created, revoked (never the secret)."""
    settings = get_settings()
    with open_driver(settings) as driver:
        server_info(driver, settings)
        tokens = list_tokens(driver, settings.neo4j_database)
    table = Table("id", "name", "role", "created", "revoked", box=None)
    for info in tokens:
        table.add_row(
            info.id,
            info.name,
            info.role.value,
            f"{info.created_at:%Y-%m-%d %H:%M}" if info.created_at else "",
            f"{info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "",
        )
    out.print(table)


@app.command("import", cls=InWords)
@reports_errors
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Files or folders (.yaml, .json, .csv; feeds also .tsv, .gz, .zip).",
        ),
    ],
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Commit every N records (for very large feeds); re-run resumes.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Initial load of an empty local database with neo4j-admin (restarts Neo4j).",
        ),
    ] = False,
    bulk_files: Annotated[
        Path | None,
        typer.Option(
            "--bulk-files",
            metavar="DIR",
            help="Only write neo4j-admin's import files into DIR, for your own server.",
        ),
    ] = None,
    feed_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="NAME",
            help=f"Read every file as this feed format ({', '.join(feeds.FORMATS)}).",
        ),
    ] = None,
    grading: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FEED=GRADING",
            help=f"A feed's claims graded so (e.g. adsb=C3; feeds: {', '.join(feeds.FEEDS)}).",
        ),
    ] = None,
    feed_config: Annotated[
        Path | None,
        typer.Option(metavar="TOML", help='Feed gradings from a file ([grading] adsb = "B2").'),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help=f"Leave out bad records (and what refers to them), write the rest; exit "
            f"{int(Exit.SKIPPED)} if any was left out.",
        ),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="With --skip-bad: every record left out, and why."),
    ] = None,
) -> None:
    """Validate everything, then write it (all-or-nothing unless --batch-size); idempotent."""
    try:
        options = feeds.options_of(feed_format, grading or [], feed_config)
    except ValueError as error:
        say_error(str(error))
        raise typer.Exit(Exit.USAGE) from None
    if report is not None and not skip_bad:
        say_error("--report lists what --skip-bad left out: add --skip-bad")
        raise typer.Exit(Exit.USAGE)
    if skip_bad and (bulk or bulk_files is not None):
        say_error("--skip-bad is for online imports: a bulk load takes only files with no problem")
        raise typer.Exit(Exit.USAGE)
    with feeds.using(options):
        _import(paths, batch_size, quiet, bulk, bulk_files, _Skipping(skip_bad, report))


@dataclass(frozen=True)
class _Skipping:
    """`--skip-bad` and where its full report goes."""

    on: bool
    report: Path | None


def _import(
    paths: list[Path],
    batch_size: int | None,
    quiet: bool,
    bulk: bool,
    bulk_files: Path | None,
    skipping: _Skipping,
) -> None:
    settings = get_settings()
    if bulk_files is not None:
        files = bulk_files_for_paths(settings, paths, bulk_files)
        out.print(
            f"Wrote the import files into {files.directory}. Copy them to the server and, with "
            "its database stopped, run (Aura: see docs/importing.md):"
        )
        out.print(admin_command(files, settings.neo4j_database), soft_wrap=True, markup=False)
        out.print(
            "Then, with the server started on the new store, complete the empty lists (neo4j-admin "
            f"cannot store them): cypher-shell -f {files.directory / AFTER_IMPORT}",
            soft_wrap=True,
            markup=False,
        )
        return
    if bulk:
        if batch_size is not None:
            say_error("--bulk loads everything at once: drop --batch-size")
            raise typer.Exit(Exit.USAGE)
        _print_bulk_summary(bulk_import_paths(settings, paths, report=err.print))
        return
    show_progress = not quiet and err.is_terminal and not os.environ.get("CI")
    with open_driver(settings) as driver:
        server_info(driver, settings)
        apply_schema(driver, settings.neo4j_database)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=err,
            disable=not show_progress,
            transient=True,
        ) as progress:
            task = progress.add_task("checking", total=None, rate="")
            phase = _Phase(time.monotonic(), "files")

            def begin(name: str, total: int) -> None:
                phase.started = time.monotonic()
                phase.unit = "files" if name == "checking" else "records"
                progress.reset(task, total=total, description=name, rate="")

            def advance(done: int) -> None:
                progress.advance(task, done)
                completed = progress.tasks[0].completed
                rate = completed / max(time.monotonic() - phase.started, 1e-6)
                progress.update(task, rate=f"{rate:,.0f} {phase.unit}/s")

            try:
                summary = import_paths(
                    driver,
                    settings.neo4j_database,
                    paths,
                    max_bytes=settings.import_max_mb * 2**20,
                    batch_size=batch_size,
                    on_phase=begin,
                    on_progress=advance,
                    skip_bad=skipping.on,
                )
            except InvalidData as invalid:
                progress.stop()
                say_error(str(invalid))
                if invalid.rejected:
                    rejected = ", ".join(
                        f"{label} {n}" for label, n in sorted(invalid.rejected.items())
                    )
                    err.print(f"rejected: {rejected}", soft_wrap=True)
                raise typer.Exit(answer_of(invalid).exit) from None
            except Unavailable as away:  # it says what stays written; add how to get Neo4j back
                progress.stop()
                say_error(f"{away} {reaching_advice(settings)}")
                raise typer.Exit(answer_of(away).exit) from None
    _print_summary(summary)
    if summary.skipped is not None and summary.skipped.problems:
        _report_skipped(summary.skipped, skipping.report)
        raise typer.Exit(Exit.SKIPPED)


def _report_skipped(skips: Skips, report: Path | None) -> None:
    """On stderr: how many records `--skip-bad` left out, by reason, and the first of them;
    every one in `report`, one a line."""
    err.print(
        f"Skipped {len(skips.problems)} bad record(s) or row(s) (--skip-bad), by reason:",
        soft_wrap=True,
        markup=False,
    )
    for line in skips.summary():
        err.print(line, soft_wrap=True, markup=False)
    if report is not None:
        try:
            report.write_text("".join(f"{problem}\n" for problem in skips.problems))
        except OSError as error:
            say_error(f"--report {report}: cannot be written ({error.strerror or error})")
            return
        err.print(f"Every one is listed in {report}.", soft_wrap=True, markup=False)


@dataclass
class _Phase:
    """The import's current phase, for the progress bar's rate."""

    started: float
    unit: str


def _print_bulk_summary(summary: BulkSummary) -> None:
    table = Table("label", "created", box=None)
    for label, count in sorted(summary.nodes.items()):
        table.add_row(label, str(count))
    out.print(table)
    out.print(
        f"Bulk-loaded {summary.records} records from {len(summary.files)} file(s): "
        f"{sum(summary.nodes.values())} nodes, {summary.relationships} relationships."
    )


def _print_summary(summary: ImportSummary) -> None:
    outcome = summary.outcome
    labels = sorted(set(outcome.created) | set(outcome.updated) | set(outcome.unchanged))
    table = Table("label", "created", "updated", "unchanged", "rejected", box=None)
    for label in labels:
        table.add_row(
            label,
            str(outcome.created[label]),
            str(outcome.updated[label]),
            str(outcome.unchanged[label]),
            "0",
        )
    out.print(table)
    files = len(summary.files)
    if outcome.changed == 0:
        out.print(
            f"Nothing changed: all {summary.records} records from {files} file(s) "
            "are already in the graph."
        )
    else:
        out.print(
            f"Imported {summary.records} records from {files} file(s): "
            f"{sum(outcome.created.values())} created, {sum(outcome.updated.values())} "
            f"updated, {sum(outcome.unchanged.values())} unchanged."
        )
    if summary.attached:
        out.print(
            f"{summary.attached} more record(s) attached to nodes already in the graph by their "
            "external ids, which those nodes now carry (docs/identity.md)."
        )
    _print_retracted(summary)


def _print_retracted(summary: ImportSummary) -> None:
    """What a feed's deleted-records list did; ids not in the graph are listed, not refused."""
    done = summary.retracted
    if not (done.retracted or done.unchanged or done.not_found):
        return
    out.print(
        f"Deleted by the feed: {len(done.retracted)} event(s) retracted, "
        f"{len(done.unchanged)} retracted before, {len(done.not_found)} not in the graph."
    )
    if done.not_found:
        shown = ", ".join(done.not_found[:20])
        more = f" and {len(done.not_found) - 20} more" if len(done.not_found) > 20 else ""
        out.print(f"Not in the graph (skipped): {shown}{more}", soft_wrap=True)


def _native(format_: str) -> Callable[[Snapshot, TextIO], object]:
    return lambda snapshot, out: out.write(dump_document(document_of(snapshot), format_))


_TEXT_EXPORTS: dict[str, Callable[[Snapshot, TextIO], object]] = {
    "yaml": _native("yaml"),
    "json": _native("json"),
    "graphml": graphml.write,
    "jsonl": jsonl.write,
    "stix": lambda snapshot, out: out.write(
        json.dumps(
            bundle_of(document_of(snapshot), versions_of(snapshot)), ensure_ascii=False, indent=2
        )
        + "\n"
    ),
}
"""Export formats written as one text, into PATH or onto standard output (docs/exporting.md)."""
_FOLDER_EXPORTS: dict[str, Callable[[Snapshot, Path], object]] = {
    "csv": lambda snapshot, folder: tables.write(document_of(snapshot), folder),
}
"""Export formats written as several files, into the folder PATH (new or empty)."""
_EXPORT_FORMATS = (*_TEXT_EXPORTS, *_FOLDER_EXPORTS)
_EXPORT_SUFFIXES = {".json": "json", ".graphml": "graphml", ".jsonl": "jsonl"}
"""The format a file name implies when `--format` is not given (yaml otherwise)."""


@app.command("export", cls=InWords)
@reports_errors
def export(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH", help="File (a folder for csv) to write; standard output if absent."
        ),
    ] = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help=f"{', '.join(_EXPORT_FORMATS)} (default: from the file name, else yaml).",
        ),
    ] = "",
    since: Annotated[
        str | None,
        typer.Option(
            metavar="TIME", help="Only events and relations from this time on (2025-10-01)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(metavar="TIME", help="Only events and relations up to this time."),
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option(metavar="ID", help="Only events and relations involving this id."),
    ] = None,
) -> None:
    """Write the graph, or a slice of it: the native format (re-importable as is) or another."""
    settings = get_settings()
    suffix = path.suffix.lower() if path is not None else ""
    chosen = format_ or _EXPORT_SUFFIXES.get(suffix, "yaml")
    if chosen not in _EXPORT_FORMATS:
        say_error(f"--format must be one of {', '.join(_EXPORT_FORMATS)}, not '{chosen}'")
        raise typer.Exit(Exit.USAGE)
    if chosen in _FOLDER_EXPORTS:
        _check_export_folder(chosen, path)
    window = [
        _window_bound(name, value) for name, value in (("--since", since), ("--until", until))
    ]
    with open_driver(settings) as driver:
        server_info(driver, settings)
        snapshot = read_snapshot(driver, settings.neo4j_database, window[0], window[1], entity)
    counts = ", ".join(f"{n} {collection}" for collection, n in snapshot.counts().items())
    if path is not None and chosen in _FOLDER_EXPORTS:
        _FOLDER_EXPORTS[chosen](snapshot, path)
        err.print(f"Wrote {chosen} tables into {path}: {counts or 'an empty graph'}.")
    elif path is None:
        _TEXT_EXPORTS[chosen](snapshot, sys.stdout)
    else:
        with path.open("w", encoding="utf-8", newline="") as out:
            _TEXT_EXPORTS[chosen](snapshot, out)
        err.print(f"Wrote {path}: {counts or 'an empty graph'}.")


def _check_export_folder(format_: str, path: Path | None) -> None:
    """A folder export needs a new or empty folder: it never mixes its tables with others."""
    if path is None:
        say_error(f"--format {format_} writes a folder of files: give the folder as PATH")
        raise typer.Exit(Exit.USAGE)
    if path.is_file() or (path.is_dir() and any(path.iterdir())):
        what = "a file" if path.is_file() else "a folder that is not empty"
        say_error(
            f"{path} is {what}: --format {format_} writes into a new or empty folder, "
            "and overwrites nothing"
        )
        raise typer.Exit(Exit.USAGE)


def _window_bound(option: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        low, high, _ = bounds(value)
    except TimeError as error:
        say_error(f"{option}: {error}")
        raise typer.Exit(Exit.USAGE) from None
    return low if option == "--since" else high


# ---- eventgraph cypher: read-only Cypher for power users (rules in graph/power) ----------------

_CYPHER_FORMATS = ("table", "json", "csv")


def _cypher_parameters(pairs: list[str]) -> dict[str, object]:
    """`k=v` pairs; a value is JSON when it parses as JSON (`10`, `true`, `["a"]`), else text."""
    import json

    parameters: dict[str, object] = {}
    for pair in pairs:
        name, equals, raw = pair.partition("=")
        if not equals or not name.strip():
            say_error(f"--param '{pair}' is not name=value")
            raise typer.Exit(Exit.USAGE)
        try:
            parameters[name.strip()] = json.loads(raw)
        except ValueError:
            parameters[name.strip()] = raw
    return parameters


def _cypher_text(query: str | None, file: Path | None) -> str:
    if (query is None) == (file is None):
        say_error("give the query as an argument, `-` for standard input, or --file PATH")
        raise typer.Exit(Exit.USAGE)
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as error:
            say_error(f"--file {_file_problem(error)}")
            raise typer.Exit(Exit.USAGE) from None
        except UnicodeDecodeError as error:
            say_error(f"--file {file}: byte {error.object[error.start]:#04x} is not UTF-8")
            raise typer.Exit(Exit.USAGE) from None
    return sys.stdin.read() if query == "-" else str(query)


@app.command("cypher", cls=InWords)
@reports_errors
def cypher(
    query: Annotated[
        str | None,
        typer.Argument(metavar="QUERY", help="The query; `-` reads it from standard input."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", metavar="FILE", help="Read the query from this file."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            help="name=value for $name (value read as JSON if it parses, else text); repeatable.",
        ),
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="table, json or csv.")
    ] = "table",
) -> None:
    """Run one read-only Cypher query (writes, LOAD CSV and admin commands are refused)."""
    import csv
    import json

    from eventgraph.graph.power import run_read_query
    from eventgraph.graph.power.values import text_of

    if format_ not in _CYPHER_FORMATS:
        say_error(f"--format must be one of {', '.join(_CYPHER_FORMATS)}, not '{format_}'")
        raise typer.Exit(Exit.USAGE)
    text = _cypher_text(query, file)
    parameters = _cypher_parameters(param or [])
    settings = get_settings()
    with open_driver(settings) as driver:
        result = run_read_query(driver, settings, text, parameters)
    if format_ == "json":
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    elif format_ == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([text_of(value) for value in row] for row in result.rows)
    else:
        table = Table(box=None)
        for column in result.columns:
            table.add_column(Text(column))
        for row in result.rows:
            table.add_row(*(Text(text_of(value)) for value in row))
        out.print(table)
        err.print(f"{len(result.rows)} row(s)")
    if result.truncated:
        err.print(
            f"Only the first {len(result.rows)} rows are shown: the result has more "
            "(EVENTGRAPH_CYPHER_MAX_ROWS). Narrow the query or add LIMIT."
        )


# ---- eventgraph resolve: entity resolution proposals (graph/resolution, docs/resolution.md) ----


@app.command("resolve", cls=InWords)
@reports_errors
def resolve(
    label: Annotated[
        str | None,
        typer.Option(
            "--label", metavar="LABEL", help="Actor, Asset, Location or EquipmentType (all)."
        ),
    ] = None,
    events: Annotated[
        bool,
        typer.Option("--events", help="Events that probably describe one happening (coreference)."),
    ] = False,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score",
            metavar="SCORE",
            help="The least score shown, 0 to 1 (0.8; with --events 0.5).",
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="One JSON array of proposals.")] = False,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply", help="With --events: merge every automatic proposal (undo: unmerge)."
        ),
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who merges (your user name).")
    ] = None,
) -> None:
    """Propose pairs of nodes that are probably one thing, best first, with reasons; with
    --events --apply, merge the automatic ones."""
    from dataclasses import asdict

    from eventgraph.graph.resolution import (
        COREFERENCE_MIN_SCORE,
        DEFAULT_MIN_SCORE,
        propose,
        propose_coreference,
    )

    if events and label is not None:
        problem = Problem("--label", "label", "--events proposes events: leave --label out")
        raise InvalidData([problem])
    if apply:
        if not events:
            raise InvalidData([Problem("--apply", "apply", "merges events only: add --events")])
        _apply_coreference(by)
        return
    least = (
        min_score
        if min_score is not None
        else (COREFERENCE_MIN_SCORE if events else DEFAULT_MIN_SCORE)
    )
    settings = get_settings()
    with open_driver(settings) as driver:
        if events:
            proposals = propose_coreference(driver, settings.neo4j_database, least)
        else:
            proposals = propose(driver, settings.neo4j_database, label, least)
    if json_:
        sys.stdout.write(json.dumps([asdict(p) for p in proposals], ensure_ascii=False) + "\n")
        return
    for proposal in proposals:
        mark = "automatic" if proposal.automatic else "to review"
        out.print(
            Text(
                f"{proposal.score:.2f}  {proposal.label} {proposal.a.key} '{proposal.a.name}' ~ "
                f"{proposal.b.key} '{proposal.b.name}'  ({mark})"
            ),
            soft_wrap=True,
        )
        if proposal.alternatives:
            shown = ", ".join(f"{alt.node.key} '{alt.node.name}'" for alt in proposal.alternatives)
            out.print(Text(f"      or one of: {shown}"), soft_wrap=True)
        _print_reasons(proposal.reasons, "      ")
        for alt in proposal.alternatives:
            out.print(
                Text(f"      or {alt.score:.2f} ~ {alt.node.key} '{alt.node.name}'"),
                soft_wrap=True,
            )
            _print_reasons(alt.reasons, "        ")
        if proposal.alternatives:
            out.print(
                Text(
                    f"      accept one: eventgraph merge CHOSEN {proposal.a.key} --reason …"
                    " (CHOSEN: b or one of the alternatives)"
                ),
                soft_wrap=True,
            )
    err.print(f"{len(proposals)} proposal(s) at a score of {least:g} or more")


def _print_reasons(reasons: "Sequence[Reason]", indent: str) -> None:
    for reason in reasons:
        line = f"{indent}{reason.weight:+.2f} {reason.kind.value}: {reason.detail}"
        out.print(Text(line), soft_wrap=True)


def _apply_coreference(by: str | None) -> None:
    from eventgraph.graph.resolution.applying import apply_coreference

    settings = get_settings()
    with open_driver(settings) as driver:
        done = apply_coreference(driver, settings.neo4j_database, by=_who(by))
    for applied in done.merged:
        record = applied.record
        out.print(
            Text(
                f"{record.id}  Event '{record.folded}' into '{record.kept}' "
                f"(score {applied.proposal.score:.2f})"
            ),
            soft_wrap=True,
        )
    for refused in done.refused:
        err.print(
            Text(f"skipped: Event '{refused.fold}' into '{refused.keep}': {refused.why}"),
            soft_wrap=True,
        )
    err.print(
        f"{len(done.merged)} merge(s), {len(done.refused)} skipped"
        + (": undo one with `eventgraph unmerge MERGE_ID --reason …`" if done.merged else "")
    )


# ---- eventgraph merge / unmerge / merges (graph/resolution/merging.py, docs/identity.md) -----

_LABEL_HELP = "Actor, EquipmentType, Asset, Location or Event (found from KEEP when left out)."


def _who(by: str | None) -> str:
    import getpass

    return by or getpass.getuser()


def _print_merge(record: "MergeRecord") -> None:
    from eventgraph.graph.resolution.merging import Fate

    state = (
        f"undone by {record.undone_by} at {record.undone_at:%Y-%m-%d %H:%M}Z: {record.undo_reason}"
        if record.undone_at is not None
        else "standing"
    )
    out.print(
        Text(
            f"{record.id}  {record.label} '{record.folded}' into '{record.kept}' by {record.by} "
            f"at {record.at:%Y-%m-%d %H:%M}Z: {record.reason}  ({state})"
        ),
        soft_wrap=True,
    )
    counts = ", ".join(f"{record.count(fate)} {fate.value}" for fate in Fate)
    out.print(Text(f"      relationships: {counts}"), soft_wrap=True)


@app.command("merge", cls=InWords)
@reports_errors
def merge_(
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="Key of the node kept.")],
    fold: Annotated[str, typer.Argument(metavar="FOLD", help="Key of the node folded into it.")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why (required).")],
    label: Annotated[str | None, typer.Option("--label", metavar="LABEL", help=_LABEL_HELP)] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who merges (your user name).")
    ] = None,
) -> None:
    """Fold node FOLD into KEEP: its claims, links and ids move; its key then reaches KEEP."""
    from eventgraph.graph.resolution.merging import merge, merge_label

    settings = get_settings()
    with open_driver(settings) as driver:
        database = settings.neo4j_database
        wanted = label or merge_label(driver, database, keep)
        record = merge(driver, database, wanted, keep, fold, by=_who(by), reason=reason)
    _print_merge(record)
    err.print(f"merged: undo with `eventgraph unmerge {record.id} --reason …`")


@app.command("unmerge", cls=InWords)
@reports_errors
def unmerge_(
    merge_id: Annotated[str, typer.Argument(metavar="MERGE", help="The merge's id.")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why (required).")],
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who undoes it (your user name).")
    ] = None,
) -> None:
    """Undo a merge: both nodes as they were; what came since stays with the node kept."""
    from eventgraph.graph.resolution.merging import unmerge

    settings = get_settings()
    with open_driver(settings) as driver:
        done = unmerge(driver, settings.neo4j_database, merge_id, by=_who(by), reason=reason)
    _print_merge(done.merge)
    err.print(
        f"unmerged: {done.restored} relationship(s) given back to '{done.merge.folded}'"
        + (f", {done.gone} whose other end is gone" if done.gone else "")
        + (
            f"; {len(done.rewritten)} node(s) written since are written again on their next import"
            if done.rewritten
            else ""
        )
    )


@app.command("merges", cls=InWords)
@reports_errors
def merges_(
    node: Annotated[
        str | None, typer.Option("--node", metavar="KEY", help="Only those that kept or folded it.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="One JSON array of merges.")] = False,
) -> None:
    """List merges, newest first: who, when, why, and what moved."""
    from dataclasses import asdict

    from eventgraph.graph.resolution.merging import merges

    settings = get_settings()
    with open_driver(settings) as driver:
        found = merges(driver, settings.neo4j_database, node=node)
    if json_:
        sys.stdout.write(json.dumps([asdict(m) for m in found], default=str) + "\n")
        return
    for record in found:
        _print_merge(record)
    err.print(f"{len(found)} merge(s)")


@app.command(
    "cypher-shell",
    cls=InWords,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
@reports_errors
def cypher_shell(ctx: typer.Context) -> None:
    """Neo4j's cypher-shell on the configured Neo4j (fetched once); other arguments go to it.

    E.g. `eventgraph cypher-shell --format plain < queries.cypher`; its own help:
    `eventgraph cypher-shell -- --help`. It can write: it is Neo4j's shell, not
    `eventgraph cypher`.
    """
    from eventgraph.graph.cypher_shell import command_and_environment

    settings = get_settings()
    if settings.uses_local_neo4j and local_neo4j.running_launcher(settings) is None:
        raise LocalNeo4jError(
            f"the local Neo4j is not running on {settings.bolt_uri}: `eventgraph neo4j start`"
        )
    with err.status("Preparing cypher-shell (fetched from Maven Central the first time)…"):
        command, environment = command_and_environment(settings, list(ctx.args))
    sys.stdout.flush()
    os.execve(command[0], command, environment)  # noqa: S606 (the shell owns the terminal, Ctrl-C)


@app.command("graphql-schema", cls=InWords)
@reports_errors
def graphql_schema(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the SDL.")] = Path(
        "schema.graphql"
    ),
) -> None:
    """Write the GraphQL schema (SDL) that the API serves; CI checks it is current."""
    from eventgraph.api.graphql.schema import schema

    path.write_text(schema.as_str() + "\n", encoding="utf-8")
    out.print(f"Wrote {path}.")


@app.command("serve", cls=InWords)
@reports_errors
def serve(
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            min=1, max=65535, metavar="PORT", envvar="EVENTGRAPH_PORT", help="Port to listen on."
        ),
    ] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            envvar="EVENTGRAPH_WORKERS",
            help="Worker processes to serve with (default: one per core this process may run "
            "on; 1: this process alone).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the web app at / and the HTTP API: /graphql (GraphiQL in a browser), /cypher, /docs,
    /metrics, /ready, /health."""
    from eventgraph.api import serving
    from eventgraph.graph.processes import usable_cores

    settings = get_settings()
    sock = serving.bind(host, port)  # before anything starts: a port in use is one clear error
    base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    processes = workers or usable_cores()

    def announce() -> None:
        listed = serving.routes(base, settings)
        width = max(len(url) for url, _ in listed)
        how = "" if processes == 1 else f", {processes} worker processes"
        lines = [f"eventgraph {__version__} serves (Neo4j at {settings.bolt_uri}{how}):"]
        lines += [f"  {url:<{width}}  {what}" for url, what in listed]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()  # seen at once even when standard output is a pipe

    serving.serve(sock, settings, processes, announce)


def main() -> None:
    """Console-script entry point."""
    quiet_driver()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
