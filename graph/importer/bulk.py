"""`eventgraph import --bulk`: the initial load of an empty local database with neo4j-admin.

    check, each record spelled as CSV rows as it passes (CsvSpool) ─▶ CSV files ─▶ stop Neo4j
        ─▶ `neo4j-admin database import full` ─▶ its counts checked against the files
        ─▶ start Neo4j ─▶ apply_schema ─▶ the empty lists (`list_statements`)

Each step is timed (`Phases`) and its time printed as it ends. Validation is the normal
import's, so invalid input writes nothing. The files hold exactly what the online writer stores
(writing.py builds every node's properties, edges and claims; this module only spells them as
neo4j-admin's CSV), content hashes included: importing the same files online afterwards
reports them unchanged. What the online writer derives in Cypher (`:LongSpan`, relations'
`since_end`/`until_start`) is filled in by the schema's migrations, which run on the new store
because it has no schema marker yet.

Only into an empty database, because neo4j-admin replaces the whole store. For a Neo4j that
eventgraph does not run, `bulk_files_for_paths` writes the files, and the statements to run
there once it is started on them (`AFTER_IMPORT`).
"""

import os
import pickle
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver
from neo4j.spatial import WGS84Point

from eventgraph.graph import local_neo4j, ontology
from eventgraph.graph.driver import open_driver, server_info
from eventgraph.graph.errors import Conflict, InvalidData, LocalNeo4jError, Problem, SetupError
from eventgraph.graph.identifiers import id_row
from eventgraph.graph.importer import read_and_validate
from eventgraph.graph.importer.reading import ReadResult
from eventgraph.graph.importer.spool import FRAME, Spool
from eventgraph.graph.importer.validation import Item, Plan
from eventgraph.graph.importer.writing import WRITE_ORDER, claim_rows, edges_of, node_properties
from eventgraph.graph.java import find_jdk
from eventgraph.graph.records import ClaimSpec
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


PHASES = ("checking", "files", "stop", "neo4j-admin", "counts", "start", "schema", "lists")
"""The steps of a bulk load, in order, as `Phases` names them."""
_PHASE_LINE = "phase {name}: {seconds:.1f} s"
_PHASE_LINE_PATTERN = re.compile(r"^phase ([a-z0-9-]+): ([0-9.]+) s$", re.MULTILINE)


class Phases:
    """Times the steps of a bulk load and tells `report` how long each took, one line each
    (`phase NAME: S s`, which `phases_in` reads back: the benchmark does, from the output)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str, doing: str) -> Iterator[None]:
        self.report(doing)
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started
            self.report(_PHASE_LINE.format(name=name, seconds=self.seconds[name]))


def phases_in(output: str) -> dict[str, float]:
    """The phase times a bulk load printed (the last line of each name counts)."""
    return {name: float(seconds) for name, seconds in _PHASE_LINE_PATTERN.findall(output)}


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
    lists: dict[str, list[str]] = field(default_factory=dict)
    """Label → its list properties, which neo4j-admin cannot store empty: `list_statements`
    sets them on the loaded store."""

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
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per step (`PHASES`)."""


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
        if not value or value == [""]:
            return None  # neo4j-admin has no spelling for these: `list_statements` sets them
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


@dataclass(frozen=True)
class _SourceGrading:
    """A claim's reliability still to be taken from its source, which may come later in the
    files (or be in the graph): resolved when the files are written, after the check."""

    source: str


Resolve = Callable[[_SourceGrading], str]


NODE_FIXED = ("id",)
EXTERNAL_ID_FIXED = ("key",)
"""An external id's node is keyed by its `key` (graph/identifiers.py), not an `id`."""
EDGE_FIXED = ("from", "to", "type")
"""The columns of node and relationship files that carry no type in the header."""


_TRUE, _FALSE = _quoted("true"), _quoted("false")


def _spelling(value: Any) -> tuple[Any, str]:
    """A stored value's cell, quoted (`_cell`, `_quoted`: a row is then just its cells
    joined), and its header type (`_type_of`); the types most values have are told apart by
    their exact type first (the check spells every record: at 100k events, `isinstance`
    chains per value were a third of the bulk's checking). A grading still to be taken from
    its source stays as it is, until the files are written."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace('"', '""') + '"', "string"
    if kind is bool:
        return (_TRUE if value else _FALSE), "boolean"
    if kind is int:
        return f'"{value}"', "long"
    if kind is float:
        return f'"{value!s}"', "double"
    if kind is datetime:
        return f'"{value.isoformat()}"', "datetime"
    if kind is _SourceGrading:
        return value, "string"
    return _quoted(_cell(value)), _type_of(value)


_NO_KINDS: dict[str, str] = {}
"""The header types of a row whose cells are all fixed columns (shared: never changed)."""


def _link(edge_type: str, source_id: str, target_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A relationship's cells when it has no properties (most: a claim's links, an event's
    places): nothing to spell (at 100k events, spelling these was a sixth of the bulk rows)."""
    cells = {"from": _quoted(source_id), "to": _quoted(target_id), "type": _quoted(edge_type)}
    return cells, _NO_KINDS


def _spelled(row: dict[str, Any], fixed: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """A row's CSV cells, quoted (None values left out), and the header type of each that
    has one."""
    cells: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    for key, value in row.items():
        if value is None:
            continue
        if key in fixed:
            cells[key] = _quoted(value)
        else:
            cells[key], kinds[key] = _spelling(value)
    return cells, kinds


class _Table:
    """One CSV file being written: rows wait in a pickle file beside it until the end, when
    the header (a column per property any row has, sorted) is known and the CSV is written."""

    def __init__(self, path: Path, fixed: tuple[str, ...]) -> None:
        self.path = path
        self.fixed = fixed
        self.types: dict[str, str] = {}
        self._last_kinds: dict[str, str] = {}
        self.count = 0
        self._rows: list[dict[str, Any]] = []
        self._waiting = path.with_suffix(".rows")
        self._out = self._waiting.open("wb")

    def add(self, cells: dict[str, Any], kinds: dict[str, str]) -> None:
        """Add a row spelled by `_spelled` (`kinds`: the header type of each cell)."""
        if kinds is not self._last_kinds and kinds != self._last_kinds:  # most rows repeat
            types = self.types
            for key, kind in kinds.items():
                if types.setdefault(key, kind) != kind:
                    if {types[key], kind} == {"long", "double"}:
                        types[key] = "double"
                    else:
                        raise Conflict(
                            f"property '{key}' holds both {types[key]} and {kind} values"
                        )
            self._last_kinds = kinds
        self._rows.append(cells)
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

    def write(self, header_fixed: list[str], resolve: Resolve, into: Path) -> Path:
        """Write the CSV into folder `into` (`header_fixed` names the fixed columns in the
        header); its path."""
        self._flush()
        self._out.close()
        names = sorted(self.types)
        header = [*header_fixed, *(f"{name}:{self.types[name]}" for name in names)]
        columns = [*self.fixed, *names]
        path = into / self.path.name
        with path.open("w", encoding="utf-8") as out:
            out.write(",".join(_quoted(name) for name in header) + "\n")
            for row in self._rows_back():
                cells = [row.get(name, "") for name in columns]
                try:
                    out.write(",".join(cells) + "\n")
                except TypeError:  # a claim's grading to take from its source (rare)
                    out.write(",".join(_resolved(cell, resolve) for cell in cells) + "\n")
        self._waiting.unlink()
        return path


def _resolved(cell: Any, resolve: Resolve) -> str:
    return _quoted(resolve(cell)) if isinstance(cell, _SourceGrading) else str(cell)


EXTERNAL_ID = ontology.EXTERNAL_ID_LABEL
ENTITY_GROUP = "Entity"
"""neo4j-admin's id group of the entity labels, which share one id space (validation refuses
an id two of them give): an edge to an entity names the group, so a link that may point at
several labels (an event's `at`, a participant) needs no lookup of which one it is."""
BLANK_MARKER = "eventgraph_blank_{key}"
"""A boolean column marking a node whose list `key` is `[""]`, which neo4j-admin cannot spell
(nor `[]`): `list_statements` sets both on the loaded store and removes the marker."""


def _group(label: str) -> str:
    return ENTITY_GROUP if label in ontology.ENTITY_LABELS else label


def _node_key(label: str) -> str:
    """The property a node table's id column is stored as: an external id's is its `key`."""
    return (EXTERNAL_ID_FIXED if label == EXTERNAL_ID else NODE_FIXED)[0]


class _GroupPlan(Plan):
    """What `edges_of` and `claim_rows` ask of a plan while the files are still being checked:
    the target of a link that allows several labels is an entity (its id group), and a claim
    without its own grading takes its source's once the check is done (`_SourceGrading`)."""

    def label_of_id(self, record_id: str) -> str:
        return ENTITY_GROUP

    def reliability_of(self, owner_id: str, index: int, claim: ClaimSpec) -> Any:
        if claim.reliability is not None:
            return claim.reliability.value
        known = self.source_reliability.get(claim.source)
        return known if known is not None else _SourceGrading(claim.source)


@dataclass
class _CsvRows:
    """Spells a valid record as its rows of neo4j-admin's CSV (`validation.Encode`), in the
    check's process or a worker's (parallel.py): the grading it gives (a source's), the
    list properties it has, and per file its cells and their header types. Pickled for a
    worker without the plan: a claim whose grading is its source's then always waits for the
    end of the check (`_SourceGrading`), which fills it in the same."""

    now: datetime
    plan: _GroupPlan = field(default_factory=_GroupPlan)
    now_cell: str = field(init=False)
    """`now` spelled once (quoted): every node's `created_at` (a record's `updated_at`)."""

    def __post_init__(self) -> None:
        self.now_cell = _quoted(self.now.isoformat())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_CsvRows, (self.now,))

    def __call__(self, item: Item, canonical: str) -> Any:
        label, record = item.label, item.record
        now = self.now_cell
        grading = None
        if label == ontology.SOURCE.name:
            given = getattr(record, "reliability", None)
            grading = (record.id, given.value if given else None)
            self.plan.source_reliability[record.id] = grading[1]
        rows: list[tuple[tuple[str, str], dict[str, Any], dict[str, str]]] = []
        props = node_properties(item)
        lists = []
        for key, value in list(props.items()):
            if type(value) is list:
                lists.append(key)
                if value == [""]:
                    props[BLANK_MARKER.format(key=key)] = True
        cells, kinds = _spelled(props, NODE_FIXED)
        cells.update(
            id=_quoted(record.id),
            content_hash=_quoted(item.content_hash),
            created_at=now,
            updated_at=now,
        )
        kinds.update(content_hash="string", created_at="datetime", updated_at="datetime")
        rows.append((("", label), cells, kinds))
        for edge_type, source, source_id, target, target_id, edge_props in edges_of(
            item, self.plan
        ):
            table = (_group(source), _group(target))
            if not edge_props:
                rows.append((table, *_link(edge_type, source_id, target_id)))
                continue
            edge = {**edge_props, "from": source_id, "to": target_id, "type": edge_type}
            rows.append((table, *_spelled(edge, EDGE_FIXED)))
        for given in getattr(record, "external_ids", ()):  # graph/identifiers.py, as CSV
            id_cells = id_row(given.scheme, given.value)
            external = {**id_cells, "created_at": self.now}
            rows.append((("", EXTERNAL_ID), *_spelled(external, EXTERNAL_ID_FIXED)))
            link = _link(ontology.IDENTIFIES, id_cells["key"], record.id)
            rows.append(((EXTERNAL_ID, _group(label)), *link))
        claims_from = (_group(CLAIM), _group(label))
        for claim in claim_rows(item, self.plan):
            claim_id = claim["props"]["id"]
            cells, kinds = _spelled(claim["props"], NODE_FIXED)
            cells["created_at"] = now
            kinds["created_at"] = "datetime"
            rows.append((("", CLAIM), cells, kinds))
            rows.append((claims_from, *_link("SUPPORTS", claim_id, claim["owner"])))
            rows.append((_CLAIM_SOURCE, *_link("SOURCED_FROM", claim_id, claim["source"])))
            if claim["report"] is not None:
                rows.append((_CLAIM_REPORT, *_link("IN_REPORT", claim_id, claim["report"])))
            for basis in claim["based_on"]:
                rows.append((_CLAIM_SOURCE, *_link("BASED_ON", claim_id, basis)))
        return grading, lists, rows


_CLAIM_SOURCE = (_group(CLAIM), _group("Source"))
_CLAIM_REPORT = (_group(CLAIM), _group("Report"))
"""The relationship files of a claim's links to its source (and `based_on`) and its report."""


class CsvSpool(Spool):
    """The spool of a bulk load: each valid record, as the check passes it, becomes its rows
    of neo4j-admin's CSV (from the record model the check built: no second pass over the
    records, no reading them back); `finish_files` writes the files once the check is done.
    The attachments (spool.py) stay in `directory` beside the files."""

    def __init__(self, directory: Path, now: datetime | None = None) -> None:
        super().__init__(WRITE_ORDER, directory)
        self.now = now or datetime.now(UTC)
        self._plan = _GroupPlan()
        self._nodes: dict[str, _Table] = {}
        self._edges: dict[tuple[str, str], _Table] = {}
        self._lists: dict[str, set[str]] = {}
        """Label → its list properties (from the model), which `list_statements` completes."""

    def encoder(self) -> "_CsvRows":
        return _CsvRows(self.now, self._plan)

    def add_encoded(self, label: str, encoded: Any) -> None:
        """Keep a record spelled by `_CsvRows`: its grading (a source's), lists and rows."""
        grading, lists, rows = encoded
        self.total += 1
        if grading is not None:
            self._plan.source_reliability[grading[0]] = grading[1]
        if lists:
            self._lists.setdefault(label, set()).update(lists)
        for table, cells, kinds in rows:
            self._table(table).add(cells, kinds)

    def _table(self, key: tuple[str, str]) -> _Table:
        """A node file (`("", label)`) or a relationship file (`(source group, target group)`)."""
        table = self._nodes.get(key[1]) if not key[0] else self._edges.get(key)
        if table is not None:
            return table
        if not key[0]:
            path = self._directory / f"nodes-{key[1]}.csv"
            fixed = EXTERNAL_ID_FIXED if key[1] == EXTERNAL_ID else NODE_FIXED
            table = self._nodes[key[1]] = _Table(path, fixed)
        else:
            path = self._directory / f"relationships-{key[0]}-{key[1]}.csv"
            table = self._edges[key] = _Table(path, EDGE_FIXED)
        return table

    def __iter__(self) -> Iterator[Item]:
        raise TypeError("a bulk load's records are in its CSV files, not kept to be read again")

    @property
    def _directory(self) -> Path:
        assert self.directory is not None
        return self.directory

    def finish_files(self, plan: Plan, into: Path | None = None) -> BulkFiles:
        """Write the CSV files (into `into`, else the spool's folder), the claims' gradings
        taken from the checked `plan`."""
        grading = {**plan.source_reliability, **self._plan.source_reliability}

        def resolve(pending: _SourceGrading) -> str:
            reliability = grading.get(pending.source)
            if reliability is None:  # the check refuses such a claim: never reached
                raise Conflict(f"source '{pending.source}' has no grading for its claims")
            return reliability

        files = BulkFiles(into or self._directory)
        files.lists = {label: sorted(keys) for label, keys in self._lists.items()}
        for label, table in self._nodes.items():
            header = [f"{_node_key(label)}:ID({_group(label)})"]
            files.nodes[label] = table.write(header, resolve, files.directory)
            files.node_counts[label] = table.count
        for (source, target), table in self._edges.items():
            header = [f":START_ID({source})", f":END_ID({target})", ":TYPE"]
            files.relationships.append(table.write(header, resolve, files.directory))
            files.relationship_count += table.count
        return files


# ---- the load ------------------------------------------------------------------------------

_FOREIGN_NODES = f"MATCH (n) WHERE NOT n:`{SCHEMA_NODE_LABEL}` RETURN count(n) AS n"
_COMPLETE_LISTS = (
    "MATCH (n:`{label}`) WHERE {missing} CALL (n) {{ SET {sets} }} IN TRANSACTIONS OF 10000 ROWS"
)
"""Labels and keys from the model's allow-list, never from input."""


def list_statements(files: BulkFiles) -> list[str]:
    """Cypher that stores the lists neo4j-admin cannot spell (it reads an empty cell, quoted or
    not, as no property) as the online import does: `[""]` on the nodes marked so, `[]` on
    the others without the property (a record never lacks a list, `model.Prop.default`).
    One pass over each label with lists, touching only the nodes that lack one."""
    statements = []
    for label, keys in files.lists.items():
        missing = " OR ".join(f"n.`{key}` IS NULL" for key in keys)
        sets = ", ".join(
            f"n.`{key}` = CASE WHEN n.`{BLANK_MARKER.format(key=key)}` THEN [''] "
            f"ELSE coalesce(n.`{key}`, []) END, n.`{BLANK_MARKER.format(key=key)}` = null"
            for key in keys
        )
        statements.append(_COMPLETE_LISTS.format(label=label, missing=missing, sets=sets))
    return statements


def set_lists(driver: Driver, database: str, files: BulkFiles) -> None:
    """Run `list_statements` (each batched: in an implicit transaction)."""
    with driver.session(database=database) as session:
        for statement in list_statements(files):
            session.run(statement).consume()


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


def _run_admin_import(settings: Settings, files: BulkFiles) -> str:
    """neo4j-admin from the launcher's jars, on the stopped local store; its output."""
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
    return log.read_text(errors="replace")


_ADMIN_COUNTS = re.compile(
    r"^\s*Imported:\s*\n\s*([0-9]+) nodes\s*\n\s*([0-9]+) relationships", re.MULTILINE
)


def _check_counts(log: str, files: BulkFiles) -> None:
    """neo4j-admin's own report of what it imported against the files (no query: counting a
    store of millions of relationships is not free)."""
    found = _ADMIN_COUNTS.search(log)
    if found is None:
        raise Conflict("neo4j-admin did not report what it imported; see its log")
    nodes, relationships = int(found[1]), int(found[2])
    expected = sum(files.node_counts.values())
    wrong = []
    if nodes != expected:
        wrong.append(f"nodes: {nodes} of {expected}")
    if relationships != files.relationship_count:
        wrong.append(f"relationships: {relationships} of {files.relationship_count}")
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
    phase = Phases(report)
    with tempfile.TemporaryDirectory(prefix="bulk-", dir=settings.neo4j_home) as scratch:
        spool = CsvSpool(Path(scratch))
        with open_driver(settings) as driver:
            server_info(driver, settings)
            _refuse_unless_empty(driver, database)
            with phase("checking", "Checking the files (and spelling them as CSV)…"):
                read, plan = read_and_validate(driver, database, paths, _max_bytes(settings), spool)
            _refuse_retractions(read)
        with phase("files", "Writing the import files…"):
            files = spool.finish_files(plan)
        with phase("stop", "Stopping Neo4j…"):
            local_neo4j.stop(settings, report)
        try:
            with phase("neo4j-admin", "Running neo4j-admin database import full…"):
                log = _run_admin_import(settings, files)
            with phase("counts", "Checking the counts…"):
                _check_counts(log, files)
        finally:
            with phase("start", "Starting Neo4j…"):
                local_neo4j.start(settings, report)
    with open_driver(settings) as driver:
        with phase("schema", "Applying the schema…"):
            apply_schema(driver, database)
        with phase("lists", "Setting the empty lists…"):
            set_lists(driver, database, files)
    return BulkSummary(
        read.files,
        plan.total,
        files.node_counts,
        files.relationship_count,
        read.assumptions,
        phase.seconds,
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


AFTER_IMPORT = "after-import.cypher"
"""Beside `--bulk-files`' CSV: the statements to run once the server is started on the new store."""


def bulk_files_for_paths(settings: Settings, paths: list[Path], directory: Path) -> BulkFiles:
    """Validate (against the configured Neo4j, as any import), then write the import files
    into `directory` for a server eventgraph does not run, with the Cypher to run after the
    load (`AFTER_IMPORT`: the empty lists); nothing is written to Neo4j, nor to `directory`
    unless the check passes."""
    if directory.exists() and any(directory.iterdir()):
        raise Conflict(f"{directory} is not empty; name a new or empty folder for the files")
    with (
        open_driver(settings) as driver,
        tempfile.TemporaryDirectory(prefix="eventgraph-bulk-") as scratch,
    ):
        server_info(driver, settings)
        spool = CsvSpool(Path(scratch))
        read, plan = read_and_validate(
            driver, settings.neo4j_database, paths, _max_bytes(settings), spool
        )
        _refuse_retractions(read)
        directory.mkdir(parents=True, exist_ok=True)
        files = spool.finish_files(plan, directory.resolve())
        (directory / AFTER_IMPORT).write_text(
            "".join(f"{statement};\n" for statement in list_statements(files))
        )
        return files
