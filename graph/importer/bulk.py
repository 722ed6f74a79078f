"""`eventgraph import --bulk`: the initial load of an empty local database with neo4j-admin.

    check (into the spool) ─▶ CSV files ─▶ stop Neo4j ─▶ `neo4j-admin database import full`
             ─▶ start Neo4j ─▶ apply_schema ─▶ counts checked against the plan

Validation is the normal import's, so invalid input writes nothing. The files hold exactly what
the online writer stores (writing.py builds every node's properties, edges and claims; this
module only spells them as neo4j-admin's CSV), content hashes included: importing the same
files online afterwards reports them unchanged. What the online writer derives in Cypher
(`:LongSpan`, relations' `since_end`/`until_start`) is filled in by the schema's migrations,
which run on the new store because it has no schema marker yet.

Only into an empty database, because neo4j-admin replaces the whole store. For a Neo4j that
eventgraph does not run, `write_bulk_files` writes the files and the command to run there.
"""

import os
import pickle
import shlex
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver
from neo4j.spatial import WGS84Point

from eventgraph.graph import local_neo4j, model
from eventgraph.graph.driver import open_driver, server_info
from eventgraph.graph.errors import Conflict, InvalidData, LocalNeo4jError, Problem, SetupError
from eventgraph.graph.importer import checked, read_and_validate
from eventgraph.graph.importer.reading import ReadResult
from eventgraph.graph.importer.spool import FRAME, Spool
from eventgraph.graph.importer.validation import Plan
from eventgraph.graph.importer.writing import WRITE_ORDER, claim_rows, edges_of, node_properties
from eventgraph.graph.java import find_jdk
from eventgraph.graph.schema import SCHEMA_NODE_LABEL, apply_schema
from eventgraph.graph.settings import Settings

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
ADMIN_HEAP = "1g"
ADMIN_OFF_HEAP = "768m"
"""neo4j-admin's memory: its heap (not the server's fixed one) and the off-heap caches it
would otherwise size at 90% of free memory; together under the 2 GiB a bulk load may take
(a 1M-event store, 2.5M nodes and 8M relationships, fits in them)."""
ARRAY_DELIMITER = "\x1f"
"""Between a list's items in a cell: the ASCII unit separator, which no text of ours holds."""
CLAIM = "Claim"

Report = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class BulkFiles:
    """The CSV files of a plan, as neo4j-admin's `--nodes` / `--relationships` arguments."""

    directory: Path
    nodes: dict[str, Path] = field(default_factory=dict)
    """Label → its node file."""
    relationships: list[Path] = field(default_factory=list)
    """One file per pair of labels (the type is a column)."""
    node_counts: Counter[str] = field(default_factory=Counter)
    relationship_count: int = 0
    blank_lists: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(label, property) → ids of the nodes whose list is `[""]`, which neo4j-admin reads as no
    property: `set_lists` sets it once loaded."""

    def arguments(self, database: str) -> list[str]:
        """`database import full …` for these files (paths as they are now)."""
        return [
            "database",
            "import",
            "full",
            *(f"--nodes={label}={path}" for label, path in self.nodes.items()),
            *(f"--relationships={path}" for path in self.relationships),
            f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
            f"--max-off-heap-memory={ADMIN_OFF_HEAP}",
            "--multiline-fields=true",
            "--overwrite-destination=true",
            database,
        ]


@dataclass
class BulkSummary:
    """What a bulk load wrote."""

    files: list[Path]
    records: int
    nodes: Counter[str]
    relationships: int
    assumptions: list[str] = field(default_factory=list)


# ---- rows to CSV ---------------------------------------------------------------------------


def _type_of(value: Any) -> str:
    """neo4j-admin's header type of a stored value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, WGS84Point):
        return "point{crs:WGS-84}"
    if isinstance(value, list):
        return "string[]"
    return "string"


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, WGS84Point):
        return f"{{longitude:{value.longitude!r}, latitude:{value.latitude!r}}}"
    if isinstance(value, list):
        if value in ([], [""]):
            return None  # neo4j-admin has no spelling for these: `set_lists` sets them
        if any(ARRAY_DELIMITER in str(item) for item in value):
            raise Conflict(
                "a list item holds the ASCII unit separator (U+001F), which the bulk files "
                "use between items; import these files without --bulk"
            )
        return ARRAY_DELIMITER.join(str(item) for item in value)
    return str(value)


def _quoted(cell: str | None) -> str:
    """A CSV cell: text always quoted (so an empty text stays one), nothing for no value."""
    return "" if cell is None else '"' + cell.replace('"', '""') + '"'


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str | None]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(_quoted(name) for name in header) + "\n")
        for row in rows:
            out.write(",".join(_quoted(cell) for cell in row) + "\n")


class _Table:
    """One CSV file being written: rows wait in a pickle file beside it until the end, when
    the header (a column per property any row has, sorted) is known and the CSV is written."""

    def __init__(self, path: Path, fixed: list[str]) -> None:
        self.path = path
        self.fixed = fixed
        self.types: dict[str, str] = {}
        self.count = 0
        self._rows: list[dict[str, Any]] = []
        self._waiting = path.with_suffix(".rows")
        self._out = self._waiting.open("wb")

    def add(self, row: dict[str, Any]) -> None:
        types = self.types
        for key, value in row.items():
            if key in self.fixed or value is None:
                continue
            kind = _type_of(value)
            if types.setdefault(key, kind) != kind:
                if {types[key], kind} == {"long", "double"}:
                    types[key] = "double"
                else:
                    raise Conflict(f"property '{key}' holds both {types[key]} and {kind} values")
        self._rows.append({key: _cell(value) for key, value in row.items()})
        self.count += 1
        if len(self._rows) >= FRAME:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            pickle.dump(self._rows, self._out, protocol=pickle.HIGHEST_PROTOCOL)
            self._rows = []

    def _rows_back(self) -> Iterator[dict[str, Any]]:
        with self._waiting.open("rb") as saved:
            while True:
                try:
                    yield from pickle.load(saved)  # noqa: S301 (our own file)
                except EOFError:
                    return

    def write(self, header_fixed: list[str]) -> Path:
        """Write the CSV (`header_fixed` names the fixed columns in the header)."""
        self._flush()
        self._out.close()
        names = sorted(self.types)
        header = [*header_fixed, *(f"{name}:{self.types[name]}" for name in names)]
        columns = [*self.fixed, *names]
        _write_csv(self.path, header, ([row.get(n) for n in columns] for row in self._rows_back()))
        self._waiting.unlink()
        return self.path


def write_bulk_files(plan: Plan, directory: Path, now: datetime | None = None) -> BulkFiles:
    """Write the plan as neo4j-admin's CSV input into `directory` (which must exist), record
    by record from the plan's spool: memory holds a frame of rows per file, not the import."""
    now = now or datetime.now(UTC)
    nodes: dict[str, _Table] = {}
    edges: dict[tuple[str, str], _Table] = {}

    def node_table(label: str) -> _Table:
        table = nodes.get(label)
        if table is None:
            table = nodes[label] = _Table(directory / f"nodes-{label}.csv", ["id"])
        return table

    def edge_table(source: str, target: str) -> _Table:
        table = edges.get((source, target))
        if table is None:
            path = directory / f"relationships-{source}-{target}.csv"
            table = edges[(source, target)] = _Table(path, ["from", "to", "type"])
        return table

    blank_lists: dict[tuple[str, str], list[str]] = {}

    for item in plan.items:
        props = node_properties(item)
        props.update(id=item.record.id, content_hash=item.content_hash)
        props.update(created_at=now, updated_at=now)
        node_table(item.label).add(props)
        for key, value in props.items():
            if value == [""]:
                blank_lists.setdefault((item.label, key), []).append(item.record.id)
        for edge_type, source, source_id, target, target_id, edge_props in edges_of(item, plan):
            edge_table(source, target).add(
                {**edge_props, "from": source_id, "to": target_id, "type": edge_type}
            )
        for claim in claim_rows(item, plan):
            claim_id = claim["props"]["id"]
            node_table(CLAIM).add({**claim["props"], "created_at": now})
            links = [
                ("SUPPORTS", item.label, claim["owner"]),
                ("SOURCED_FROM", "Source", claim["source"]),
            ]
            if claim["report"] is not None:
                links.append(("IN_REPORT", "Report", claim["report"]))
            for edge_type, target, target_id in links:
                edge_table(CLAIM, target).add(
                    {"from": claim_id, "to": target_id, "type": edge_type}
                )
    files = BulkFiles(directory, blank_lists=blank_lists)
    for label, table in nodes.items():
        files.nodes[label] = table.write([f"id:ID({label})"])
        files.node_counts[label] = table.count
    for (source, target), table in edges.items():
        files.relationships.append(
            table.write([f":START_ID({source})", f":END_ID({target})", ":TYPE"])
        )
        files.relationship_count += table.count
    return files


# ---- the load ------------------------------------------------------------------------------

_FOREIGN_NODES = f"MATCH (n) WHERE NOT n:`{SCHEMA_NODE_LABEL}` RETURN count(n) AS n"
_COUNT_LABEL = "MATCH (n:$($label)) RETURN count(n) AS n"
_COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r) AS n"
_SET_EMPTY_LIST = (
    "MATCH (n:`{label}`) WHERE n.`{key}` IS NULL "
    "CALL (n) {{ SET n.`{key}` = [] }} IN TRANSACTIONS OF 10000 ROWS"
)
_SET_BLANK_LIST = "UNWIND $ids AS id MATCH (n:`{label}` {{id: id}}) SET n.`{key}` = ['']"
"""Labels and keys from the model's allow-list, never from input."""


def _max_bytes(settings: Settings) -> int:
    return settings.import_max_mb * 2**20


def _refuse_unless_empty(driver: Driver, database: str) -> None:
    count = driver.execute_query(_FOREIGN_NODES, database_=database)[0][0]["n"]
    if count:
        raise Conflict(
            f"--bulk loads only an empty database, and '{database}' holds {count} node(s): "
            "neo4j-admin would replace them all. Import without --bulk to add to the graph, "
            "or empty it first (`eventgraph neo4j stop`, delete the data folder, start again)."
        )


def _run_admin_import(settings: Settings, files: BulkFiles, report: Report) -> None:
    """neo4j-admin from the launcher's jars, on the stopped local store."""
    home = settings.neo4j_home.resolve()
    conf = files.directory / "conf"
    conf.mkdir(exist_ok=True)
    (conf / "neo4j.conf").write_text("")  # the launcher configures Neo4j in code; defaults here
    command = local_neo4j.java_command(
        settings,
        find_jdk(settings),
        ADMIN_TOOL,
        files.arguments(settings.neo4j_database),
        max_heap=ADMIN_HEAP,
    )
    log = files.directory / "neo4j-admin.log"
    report("Running neo4j-admin database import full…")
    with log.open("w") as out:
        completed = subprocess.run(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf)},
            cwd=home,
            check=False,
        )
    if completed.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-12:])
        kept = settings.neo4j_home / "bulk-failed.log"
        shutil.copy(log, kept)
        raise LocalNeo4jError(
            f"neo4j-admin could not import the files (exit code {completed.returncode}); the "
            f"database may be empty now, import again. Log: {kept}\n{tail}"
        )


def set_lists(driver: Driver, database: str, files: BulkFiles) -> None:
    """Store the lists neo4j-admin cannot spell (it reads an empty cell, quoted or not, as no
    property) as the online import does: `[""]` on the nodes that had it, and `[]` on the
    others without the property: a record never lacks a list (`model.Prop.default`)."""
    for (label, key), ids in files.blank_lists.items():
        driver.execute_query(
            _SET_BLANK_LIST.format(label=label, key=key), ids=ids, database_=database
        )
    for label in files.node_counts:
        shape = model.SHAPES_BY_LABEL.get(label)
        for part in shape.fields if shape else ():
            if isinstance(part, model.Prop) and part.type.many:
                with driver.session(database=database) as session:  # batched: an implicit tx
                    session.run(_SET_EMPTY_LIST.format(label=label, key=part.name)).consume()


def _check_counts(driver: Driver, database: str, files: BulkFiles) -> None:
    wrong = []
    for label, expected in files.node_counts.items():
        found = driver.execute_query(_COUNT_LABEL, label=label, database_=database)[0][0]["n"]
        if found != expected:
            wrong.append(f"{label}: {found} of {expected}")
    found = driver.execute_query(_COUNT_RELATIONSHIPS, database_=database)[0][0]["n"]
    if found != files.relationship_count:
        wrong.append(f"relationships: {found} of {files.relationship_count}")
    if wrong:
        raise Conflict(f"the bulk load left other counts than planned ({'; '.join(wrong)})")


def bulk_import_paths(
    settings: Settings, paths: list[Path], *, report: Report = _quiet
) -> BulkSummary:
    """Validate, then load an empty local database with neo4j-admin; see the module docstring."""
    if not settings.uses_local_neo4j:
        raise SetupError(
            f"--bulk replaces the store of the local Neo4j, and NEO4J_URI names another "
            f"({settings.bolt_uri}). Use --bulk-files DIR to write the import files and the "
            "neo4j-admin command to run on that server."
        )
    database = settings.neo4j_database
    with (
        Spool.on_disk(WRITE_ORDER) as spool,
        tempfile.TemporaryDirectory(prefix="bulk-", dir=settings.neo4j_home) as scratch,
    ):
        with open_driver(settings) as driver:
            server_info(driver, settings)
            _refuse_unless_empty(driver, database)
            read, plan = read_and_validate(driver, database, paths, _max_bytes(settings), spool)
            _refuse_retractions(read)
        report("Writing the import files…")
        files = write_bulk_files(plan, Path(scratch))
        spool.close()
        local_neo4j.stop(settings, report)
        try:
            _run_admin_import(settings, files, report)
        finally:
            local_neo4j.start(settings, report)
    with open_driver(settings) as driver:
        report("Applying the schema…")
        apply_schema(driver, database)
        set_lists(driver, database, files)
        _check_counts(driver, database, files)
    return BulkSummary(
        read.files, plan.total, files.node_counts, files.relationship_count, read.assumptions
    )


def _refuse_retractions(read: ReadResult) -> None:
    """neo4j-admin writes records only: a feed's deleted-records list (ACLED's) retracts
    events, so it is imported online, after the bulk load."""
    if read.retractions:
        raise InvalidData(
            [
                Problem(
                    "--bulk",
                    "files",
                    f"{len(read.retractions)} deleted record(s) of a feed would be retracted, "
                    "which a bulk load cannot do",
                    "bulk-load the other files, then import the deleted list without --bulk",
                )
            ]
        )


def admin_command(files: BulkFiles, database: str) -> str:
    """The shell command a user runs on their own (stopped) server for these files."""
    return shlex.join(["neo4j-admin", *files.arguments(database)])


def bulk_files_for_paths(settings: Settings, paths: list[Path], directory: Path) -> BulkFiles:
    """Validate (against the configured Neo4j, as any import), then write the import files
    into `directory` for a server eventgraph does not run; nothing is written to Neo4j."""
    if directory.exists() and any(directory.iterdir()):
        raise Conflict(f"{directory} is not empty; name a new or empty folder for the files")
    with open_driver(settings) as driver:
        server_info(driver, settings)
        database = settings.neo4j_database
        with checked(driver, database, paths, _max_bytes(settings)) as (read, plan):
            _refuse_retractions(read)
            directory.mkdir(parents=True, exist_ok=True)
            return write_bulk_files(plan, directory.resolve())
