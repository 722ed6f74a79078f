"""`eventgraph import --bulk`: the initial load of an empty local database with neo4j-admin.

    emptiness checked ─▶ Neo4j stopping (a thread) beside the check, each record spelled as
        CSV rows as it passes (CsvSpool) ─▶ CSV files ─▶ the stop awaited
        ─▶ `neo4j-admin database import full` ─▶ its counts checked against the files
        ─▶ start Neo4j ─▶ the empty lists (`list_statements`) ─▶ apply_schema

Each step is timed (`Phases`) and its time printed as it ends. Validation is the normal
import's, so invalid input writes nothing. The files hold exactly what the online writer stores
(writing.py builds every node's properties, edges and claims; this module only spells them as
neo4j-admin's CSV), content hashes included: importing the same files online afterwards
reports them unchanged. What the online writer derives in Cypher (`:LongSpan`, relations'
`since_end`/`until_start`, graph/spans.py) the files carry too, and the schema's record
(`schema_record`) with them: applying the schema to the new store runs no migration, it only
builds the indexes (after the lists are set, so that setting them updates no index). Entities'
`uncounted_involves` (graph/involvement.py) is summed during the check (`_uncounted_terms`) and
written in the entities' files, which are kept in memory until the check ends (entities are
few). The check looks nothing up in the graph (it is empty), so Neo4j stops meanwhile; if the
check refuses the files, Neo4j is started again.

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
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from neo4j import Driver
from neo4j.spatial import WGS84Point

from eventgraph.graph import local_neo4j, model, ontology
from eventgraph.graph.driver import open_driver, server_info
from eventgraph.graph.errors import Conflict, InvalidData, LocalNeo4jError, Problem, SetupError
from eventgraph.graph.identifiers import id_row
from eventgraph.graph.importer import read_and_validate
from eventgraph.graph.importer.reading import ReadResult
from eventgraph.graph.importer.spool import FRAME, Spool
from eventgraph.graph.importer.validation import Item, Plan
from eventgraph.graph.importer.writing import WRITE_ORDER, claim_rows, edges_of, node_properties
from eventgraph.graph.involvement import UNCOUNTED
from eventgraph.graph.java import find_jdk
from eventgraph.graph.ontology import LONG_SPAN_LABEL
from eventgraph.graph.records import ClaimSpec
from eventgraph.graph.schema import SCHEMA_NODE_LABEL, apply_schema, schema_record
from eventgraph.graph.settings import Settings
from eventgraph.graph.spans import is_long_span, relation_bounds

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


PHASES = ("checking", "files", "stop", "neo4j-admin", "counts", "start", "lists", "schema")
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
    schema_record: Path | None = None
    """The schema's record (`schema.schema_record`): one node, not counted in `node_counts`."""

    def arguments(self, database: str) -> list[str]:
        """`database import full …` for these files (paths as they are now)."""
        return [
            "database",
            "import",
            "full",
            *(f"--nodes={label}={path}" for label, path in self.nodes.items()),
            *([f"--nodes={SCHEMA_NODE_LABEL}={self.schema_record}"] if self.schema_record else []),
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
# Each table's columns and their header types come from the model (graph/model.py: what a
# node of each label can carry, a claim's, an external id's, the edges' properties), so the
# header is known before the first row: every row is spelled straight into its line of CSV
# and written to its file as the check passes it (at 100k events, the rows' cells kept in
# dicts, pickled beside the file and joined at the end were a third of the bulk's CPU).

ADMIN_TYPES = {
    "STRING": "string",
    "LIST<STRING>": "string[]",
    "BOOLEAN": "boolean",
    "INTEGER": "long",
    "FLOAT": "double",
    model.DATETIME: "datetime",
    model.DATE: "date",
    model.POINT: "point{crs:WGS-84}",
}
"""neo4j-admin's header type of each Neo4j type the model stores."""


def _quoted(text: str) -> str:
    """A CSV cell of text: always quoted (so an empty text stays one)."""
    return '"' + text.replace('"', '""') + '"'


def _text_cell(value: Any) -> str:
    text = value if type(value) is str else str(value)
    return '"' + text.replace('"', '""') + '"'  # `_quoted`, inline: most cells are text


def _list_cell(value: list[Any]) -> str:
    if not value or value == [""]:
        return ""  # neo4j-admin has no spelling for these: `list_statements` sets them
    items = [item if type(item) is str else str(item) for item in value]
    if any(ARRAY_DELIMITER in item for item in items):
        raise Conflict(
            "a list item holds the ASCII unit separator (U+001F), which the bulk files "
            "use between items; import these files without --bulk"
        )
    return _quoted(ARRAY_DELIMITER.join(items))


def _point_cell(value: WGS84Point) -> str:
    return f'"{{longitude:{value.longitude!r}, latitude:{value.latitude!r}}}"'


_SPELLERS: dict[str, Callable[[Any], str]] = {
    "string": _text_cell,
    "string[]": _list_cell,
    "boolean": lambda value: "true" if value else "false",
    "long": str,
    "double": str,
    "datetime": lambda value: value.isoformat(),
    "date": lambda value: value.isoformat(),
    "point{crs:WGS-84}": _point_cell,
}
"""How a value of each header type is spelled as a cell."""
LABEL = "LABEL"
"""The header type of a column of further labels (neo4j-admin's `:LABEL`), beside the one its
file is given under: an event's `:LongSpan`."""
_SPELLERS[LABEL] = _text_cell


@dataclass(frozen=True)
class _Columns:
    """The columns of one CSV file: the fixed ones first (`fixed`, header given), then each
    property with its type (`typed`); `index` says where a property's cell goes and how it
    is spelled."""

    fixed: tuple[str, ...]
    typed: tuple[tuple[str, str], ...]
    index: dict[str, tuple[int, Callable[[Any], str]]]

    @classmethod
    def of(cls, fixed: tuple[str, ...], typed: Iterable[tuple[str, str]]) -> "_Columns":
        typed = tuple(typed)
        index: dict[str, tuple[int, Callable[[Any], str]]] = {}
        for position, name in enumerate(fixed):
            index[name] = (position, _text_cell)
        for position, (name, kind) in enumerate(typed, start=len(fixed)):
            index[name] = (position, _SPELLERS[kind])
        return cls(fixed, typed, index)

    def header(self, fixed_header: list[str]) -> str:
        names = [
            *fixed_header,
            *(f":{kind}" if kind == LABEL else f"{name}:{kind}" for name, kind in self.typed),
        ]
        return ",".join(_quoted(name) for name in names) + "\n"

    def cells(self, row: dict[str, Any]) -> list[str]:
        """A row's cells, in column order (None values and absent columns left empty)."""
        index = self.index
        cells = [""] * len(index)
        for key, value in row.items():
            if value is not None:
                position, spell = index[key]
                cells[position] = spell(value)
        return cells

    def line(self, row: dict[str, Any]) -> str:
        return ",".join(self.cells(row)) + "\n"


@dataclass(frozen=True)
class _SourceGrading:
    """A claim's reliability still to be taken from its source, which may come later in the
    files (or be in the graph): resolved as its row is kept, or once the check is done."""

    source: str


NODE_FIXED = ("id",)
EXTERNAL_ID_FIXED = ("key",)
"""An external id's node is keyed by its `key` (graph/identifiers.py), not an `id`."""
EDGE_FIXED = ("from", "to", "type")
"""The columns of node and relationship files that carry no type in the header."""
EXTERNAL_ID = ontology.EXTERNAL_ID_LABEL
ENTITY_GROUP = "Entity"
"""neo4j-admin's id group of the entity labels, which share one id space (validation refuses
an id two of them give): an edge to an entity names the group, so a link that may point at
several labels (an event's `at`, a participant) needs no lookup of which one it is."""
BLANK_MARKER = "eventgraph_blank_{key}"
"""A boolean column marking a node whose list `key` is `[""]`, which neo4j-admin cannot spell
(nor `[]`): `list_statements` sets both on the loaded store and removes the marker."""
LONG_SPAN_COLUMN = "eventgraph_long_span"
"""An event's `:LABEL` cell: `:LongSpan` when `spans.is_long_span` (never stored as a property)."""
RELIABILITY = "reliability"
"""A claim's reliability is its table's last column: a row whose grading waits for its
source is kept as the cells before it (`_SourceGrading`)."""


def _group(label: str) -> str:
    return ENTITY_GROUP if label in ontology.ENTITY_LABELS else label


def _node_key(label: str) -> str:
    """The property a node table's id column is stored as: an external id's is its `key`."""
    return (EXTERNAL_ID_FIXED if label == EXTERNAL_ID else NODE_FIXED)[0]


def _typed(
    properties: Iterable[model.GraphProperty], but: tuple[str, ...]
) -> list[tuple[str, str]]:
    return [(p.name, ADMIN_TYPES[p.cypher]) for p in properties if p.name not in but]


_LIST_KEYS = {
    shape.label.name: tuple(p.name for p in shape.props if p.type.many) for shape in model.SHAPES
}
"""Per label, its list properties (every record has each: `model.Prop.default`)."""


def _list_keys(label: str) -> tuple[str, ...]:
    return _LIST_KEYS.get(label, ())


def _node_columns(label: str) -> _Columns:
    """A node file's columns, from the model: every property its label can carry."""
    if label == CLAIM:
        typed = _typed(model.CLAIM_PROPERTIES, (*NODE_FIXED, RELIABILITY))
        return _Columns.of(NODE_FIXED, [*typed, (RELIABILITY, "string")])
    if label == EXTERNAL_ID:
        return _Columns.of(EXTERNAL_ID_FIXED, _typed(model.EXTERNAL_ID_PROPERTIES, ("key",)))
    markers = [(BLANK_MARKER.format(key=key), "boolean") for key in _list_keys(label)]
    stored = model.SHAPES_BY_LABEL[label].stored()
    labels = [(LONG_SPAN_COLUMN, LABEL)] if label == ontology.EVENT.name else []
    return _Columns.of(NODE_FIXED, [*_typed(stored, NODE_FIXED), *markers, *labels])


EDGE_COLUMNS = _Columns.of(
    EDGE_FIXED,
    {
        (p.name, ADMIN_TYPES[p.cypher]): None
        for properties in model.EDGE_PROPERTIES.values()
        for p in properties
    },
)
"""Every relationship file's columns: the edge properties of every type (most are empty)."""
_NO_PROPERTIES = "," * len(EDGE_COLUMNS.typed) + "\n"


_EDGE_PLAN = EDGE_COLUMNS.index
_EDGE_CELLS = [""] * len(EDGE_COLUMNS.index)


def _edge_line(edge_type: str, source_id: str, target_id: str, props: dict[str, Any]) -> str:
    """A relationship's line with properties (an event's participants: role and position),
    as `EDGE_COLUMNS.line` spells it, without the row's dict."""
    cells = _EDGE_CELLS.copy()
    cells[0], cells[1], cells[2] = (
        _text_cell(source_id),
        _text_cell(target_id),
        _text_cell(edge_type),
    )
    for key, value in props.items():
        if value is not None:
            position, spell = _EDGE_PLAN[key]
            cells[position] = spell(value)
    return ",".join(cells) + "\n"


def _link(edge_type: str, source_id: str, target_id: str) -> str:
    """A relationship's line when it has no properties (most: a claim's links, an event's
    places). Record and claim ids match `records.ID_PATTERN`, which has no quote to double
    (at 100k events, quoting each id was a tenth of the bulk's rows)."""
    return f'"{source_id}","{target_id}","{edge_type}"{_NO_PROPERTIES}'


class _GroupPlan(Plan):
    """What `edges_of` and `claim_rows` ask of a plan while the files are still being checked:
    the target of a link that allows several labels is an entity (its id group), and a claim
    without its own grading takes its source's, as its row is kept (`_SourceGrading`)."""

    def label_of_id(self, record_id: str) -> str:
        return ENTITY_GROUP

    def reliability_of(self, owner_id: str, index: int, claim: ClaimSpec) -> Any:
        if claim.reliability is not None:
            return claim.reliability.value
        return _SourceGrading(claim.source)


Table = tuple[str, str]
"""A node file (`("", label)`) or a relationship file (`(source group, target group)`)."""
_TABLES: dict[tuple[str, str], Table] = {}


@cache
def _table_of(source: str, target: str) -> Table:
    """The file of a node (`source` "") or of an edge between two labels, always as the same
    tuple: pickling a worker's results (parallel.py) then writes each once per batch. Cached:
    it is asked once per line."""
    key = (source, target) if not source else (_group(source), _group(target))
    return _TABLES.setdefault(key, key)


Waiting = tuple[str, str]
"""A claim's row whose grading is its source's: (the source, the cells before it)."""


class Spelled(NamedTuple):
    """A valid record as `_CsvRows` spells it, for `CsvSpool.add_encoded`."""

    grading: tuple[str, str | None] | None
    """(id, its own grading) of a source."""
    tables: tuple[tuple[Table, int], ...]
    """Each file the record has lines in, and how many: the same tuple for records of the
    same shape, so that pickling a worker's results (parallel.py) writes it once per batch."""
    text: tuple[str, ...]
    """The record's lines in each of `tables`, joined (one string per file, not per line: at
    100k events, pickling and unpickling each line were a third of what the pool sent)."""
    waiting: list[Waiting]
    """Its claims' rows that take their source's grading, once it is known."""


_SHAPES: dict[tuple[tuple[Table, int], ...], tuple[tuple[Table, int], ...]] = {}


@dataclass
class _CsvRows:
    """Spells a valid record as its lines of neo4j-admin's CSV (`validation.Encode`), in the
    check's process or a worker's (parallel.py): the grading it gives (a source's), its
    lines per file, and its claims' rows that take their source's grading (`Waiting`)."""

    now: datetime
    plan: _GroupPlan = field(default_factory=_GroupPlan)
    now_cell: str = field(init=False)
    """`now` spelled once: every node's `created_at` (a record's `updated_at`)."""

    def __post_init__(self) -> None:
        self.now_cell = self.now.isoformat()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_CsvRows, (self.now,))

    def __call__(self, item: Item, canonical: str) -> Spelled:
        label, record = item.label, item.record
        grading = None
        if label == ontology.SOURCE.name:
            given = getattr(record, "reliability", None)
            grading = (record.id, given.value if given else None)
        lines: defaultdict[Table, list[str]] = defaultdict(list)
        props = node_properties(item)
        for key in _list_keys(label):
            if props.get(key) == [""]:
                props[BLANK_MARKER.format(key=key)] = True
        if label == ontology.EVENT.name and is_long_span(props.get("start"), props.get("end")):
            props[LONG_SPAN_COLUMN] = LONG_SPAN_LABEL
        elif label == ontology.RELATION.name:
            props.update(relation_bounds(record))
        props.update(id=record.id, content_hash=item.content_hash)
        cells = _NODE_COLUMNS[label].cells(props)
        created, updated = _NOW_AT[label]
        cells[created] = cells[updated] = self.now_cell
        lines[_table_of("", label)].append(",".join(cells) + "\n")
        for edge_type, source, source_id, target, target_id, edge_props in edges_of(
            item, self.plan
        ):
            table = _table_of(source, target)
            if not edge_props:
                lines[table].append(_link(edge_type, source_id, target_id))
                continue
            lines[table].append(_edge_line(edge_type, source_id, target_id, edge_props))
        for given in getattr(record, "external_ids", ()):  # graph/identifiers.py, as CSV
            id_cells = id_row(given.scheme, given.value)
            external = {**id_cells, "created_at": self.now}
            lines[_table_of("", EXTERNAL_ID)].append(_NODE_COLUMNS[EXTERNAL_ID].line(external))
            key = id_cells["key"].replace('"', '""')  # an external id's value may hold one
            link = _link(ontology.IDENTIFIES, key, record.id)
            lines[_table_of(EXTERNAL_ID, label)].append(link)
        claims_from = _table_of(CLAIM, label)
        waiting: list[Waiting] = []
        for claim in claim_rows(item, self.plan):
            claim_props = claim["props"]  # made for this row: taking its reliability out is safe
            claim_id = claim_props["id"]
            reliability = claim_props.pop(RELIABILITY)
            cells = _CLAIM_COLUMNS.cells(claim_props)
            cells[_CLAIM_CREATED] = self.now_cell
            before = ",".join(cells[:-1])
            if type(reliability) is _SourceGrading:
                waiting.append((reliability.source, before))
            else:
                lines[_table_of("", CLAIM)].append(f"{before},{_quoted(reliability)}\n")
            lines[claims_from].append(_link("SUPPORTS", claim_id, claim["owner"]))
            lines[_CLAIM_SOURCE].append(_link("SOURCED_FROM", claim_id, claim["source"]))
            if claim["report"] is not None:
                lines[_CLAIM_REPORT].append(_link("IN_REPORT", claim_id, claim["report"]))
            for basis in claim["based_on"]:
                lines[_CLAIM_SOURCE].append(_link("BASED_ON", claim_id, basis))
        shape = tuple((table, len(group)) for table, group in lines.items())
        return Spelled(
            grading,
            _SHAPES.setdefault(shape, shape),
            tuple("".join(group) for group in lines.values()),
            waiting,
        )


Terms = tuple[tuple[str, int], ...]
"""An event's nonzero terms of its entities' `uncounted_involves` (graph/involvement.py)."""


def _uncounted_terms(item: Item) -> Terms:
    """Per entity an event names k times, k − 1 (a bulk load has no retracted event:
    `_refuse_retractions`); empty for the common event and for other records."""
    participants = getattr(item.record, "participants", ())
    if len(participants) < 2:
        return ()
    named = Counter(participant.ref for participant in participants)
    return tuple((ref, k - 1) for ref, k in named.items() if k > 1)


@dataclass
class _BulkRows:
    """The bulk load's encoder (`validation.Encode`): a record's CSV (`_CsvRows`) and its
    terms of the entities' uncounted INVOLVES, which the spool sums into the entities' rows."""

    now: datetime
    rows: _CsvRows = field(init=False)

    def __post_init__(self) -> None:
        self.rows = _CsvRows(self.now)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_BulkRows, (self.now,))

    def __call__(self, item: Item, canonical: str) -> tuple[Any, ...]:
        return (*self.rows(item, canonical), _uncounted_terms(item))


_NODE_COLUMNS = {label: _node_columns(label) for label in (*WRITE_ORDER, CLAIM, EXTERNAL_ID)}
_CLAIM_COLUMNS = _NODE_COLUMNS[CLAIM]
_SCHEMA_COLUMNS = _Columns.of(
    NODE_FIXED, [("version", "long"), ("fingerprint", "string"), ("applied_at", "datetime")]
)
"""The schema record's file (`schema.schema_record`, and when)."""
_CLAIM_CREATED = _CLAIM_COLUMNS.index["created_at"][0]
_NOW_AT = {
    label: (columns.index["created_at"][0], columns.index["updated_at"][0])
    for label, columns in _NODE_COLUMNS.items()
    if label in model.SHAPES_BY_LABEL
}
"""Where a record's node has its `created_at` and `updated_at` cells (both the import's time)."""
_CLAIM_SOURCE = _table_of(CLAIM, "Source")
_CLAIM_REPORT = _table_of(CLAIM, "Report")
"""The relationship files of a claim's links to its source (and `based_on`) and its report."""


class _Table:
    """One CSV file being written: its header (from the model) first, then each line as the
    check keeps it."""

    def __init__(self, path: Path, header: str) -> None:
        self.path = path
        self.count = 0
        self._out = path.open("w", encoding="utf-8", buffering=2**20)
        self._out.write(header)

    def add(self, lines: str, count: int = 1) -> None:
        """Write `count` lines, joined in `lines`."""
        self._out.write(lines)
        self.count += count

    def close(self) -> None:
        self._out.close()


UNCOUNTED_COLUMN = f"{UNCOUNTED}:long"
"""An entity file's last column: `uncounted_involves`, known once every event is checked."""


class _EntityTable(_Table):
    """An entity label's file: its lines are kept (entities are few: about 8,000 at 1M events)
    until every event is checked, then written with their `uncounted_involves` cell last."""

    def __init__(self, path: Path, header: str) -> None:
        super().__init__(path, f"{header[:-1]},{_quoted(UNCOUNTED_COLUMN)}\n")
        self._lines: list[str] = []

    def add(self, lines: str, count: int = 1) -> None:
        """Keep an entity's line (a record has one line in its own label's file; a cell
        may hold a line break, `--multiline-fields`, so the line is kept whole)."""
        assert count == 1, "an entity record has one line in its label's file"
        self._lines.append(lines)
        self.count += 1

    def close_counted(self, uncounted: Counter[str]) -> None:
        """Write the lines, each entity's count last (the id is a line's first cell, quoted:
        record ids hold no quote, `records.ID_PATTERN`)."""
        for line in self._lines:
            n = uncounted.get(line[1 : line.index('"', 1)])
            self._out.write(f"{line[:-1]},{n}\n" if n else f"{line[:-1]},\n")
        self._lines = []
        self.close()


class _Waiting:
    """Claims' rows whose grading is a source's not yet known (it comes later in the files,
    or is in the graph), kept on disk beside the files, a frame at a time, until the check
    is done."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._frame: list[Waiting] = []
        self._out: BinaryIO | None = None

    def add(self, row: Waiting) -> None:
        self._frame.append(row)
        if len(self._frame) >= FRAME:
            self._flush()

    def _flush(self) -> None:
        if self._frame:
            if self._out is None:
                self._out = self._path.open("wb")
            pickle.dump(self._frame, self._out, protocol=pickle.HIGHEST_PROTOCOL)
            self._frame = []

    def rows(self) -> Iterator[Waiting]:
        """Every row kept, then none (the file is removed)."""
        if self._out is not None:
            self._out.close()
            with self._path.open("rb") as saved:
                while True:
                    try:
                        yield from pickle.load(saved)  # noqa: S301 (our own file)
                    except EOFError:
                        break
            self._path.unlink()
            self._out = None
        yield from self._frame
        self._frame = []


class CsvSpool(Spool):
    """The spool of a bulk load: each valid record, as the check passes it, becomes its lines
    of neo4j-admin's CSV (from the record model the check built: no second pass over the
    records, no reading them back), written to the files in `directory` at once;
    `finish_files` completes them once the check is done. The attachments (spool.py) stay
    in `directory` beside the files."""

    def __init__(self, directory: Path, now: datetime | None = None) -> None:
        super().__init__(WRITE_ORDER, directory)
        self.now = now or datetime.now(UTC)
        self._grading: dict[str, str | None] = {}
        """Source id → its own grading, of the sources kept so far."""
        self._tables: dict[Table, _Table] = {}
        self._waiting = _Waiting(directory / "claims-waiting.pickle")
        self._uncounted: Counter[str] = Counter()
        """Entity id → its uncounted INVOLVES (`_uncounted_terms`), where not 0."""

    def encoder(self) -> "_BulkRows":
        return _BulkRows(self.now)

    def add_encoded(self, label: str, encoded: Any) -> None:
        """Keep a record spelled by `_BulkRows`: its grading (a source's), lines per file
        (`Spelled`) and terms of the entities' uncounted INVOLVES; a claim whose source's
        grading is known by now gets it."""
        grading, shape, text, waiting, terms = encoded
        self.total += 1
        for entity, term in terms:
            self._uncounted[entity] += term
        if grading is not None:
            self._grading[grading[0]] = grading[1]
        tables = self._tables
        for (key, count), lines in zip(shape, text, strict=True):
            table = tables.get(key)
            if table is None:
                table = self._table(key)
            table.add(lines, count)
        for row in waiting:
            reliability = self._grading.get(row[0])
            if reliability is None:
                self._waiting.add(row)
            else:
                self._claims().add(f"{row[1]},{_quoted(reliability)}\n")

    def _claims(self) -> _Table:
        key = ("", CLAIM)
        return self._tables.get(key) or self._table(key)

    def _table(self, key: Table) -> _Table:
        if not key[0]:
            label = key[1]
            path = self._directory / f"nodes-{label}.csv"
            header = _NODE_COLUMNS[label].header([f"{_node_key(label)}:ID({_group(label)})"])
        else:
            path = self._directory / f"relationships-{key[0]}-{key[1]}.csv"
            header = EDGE_COLUMNS.header([f":START_ID({key[0]})", f":END_ID({key[1]})", ":TYPE"])
        kind = _EntityTable if key[1] in ontology.ENTITY_LABELS and not key[0] else _Table
        table = self._tables[key] = kind(path, header)
        return table

    def __iter__(self) -> Iterator[Item]:
        raise TypeError("a bulk load's records are in its CSV files, not kept to be read again")

    @property
    def _directory(self) -> Path:
        assert self.directory is not None
        return self.directory

    def _schema_record(self, directory: Path) -> Path:
        """The schema's record as a node file of its own (see the module docstring)."""
        path = directory / f"nodes-{SCHEMA_NODE_LABEL}.csv"
        record = {**schema_record(), "applied_at": self.now}
        with path.open("w", encoding="utf-8") as out:
            out.write(_SCHEMA_COLUMNS.header([f"id:ID({SCHEMA_NODE_LABEL})"]))
            out.write(_SCHEMA_COLUMNS.line(record))
        return path

    def finish_files(self, plan: Plan, into: Path | None = None) -> BulkFiles:
        """Complete the CSV files (the claims' gradings still waiting taken from the checked
        `plan`) and move them into `into` (else they stay in the spool's folder)."""
        grading = {**plan.source_reliability, **self._grading}
        for source, before in self._waiting.rows():
            reliability = grading.get(source)
            if reliability is None:  # the check refuses such a claim: never reached
                raise Conflict(f"source '{source}' has no grading for its claims")
            self._claims().add(f"{before},{_quoted(reliability)}\n")
        files = BulkFiles(into or self._directory)
        files.schema_record = self._schema_record(into or self._directory)
        for (source, target), table in self._tables.items():
            if isinstance(table, _EntityTable):
                table.close_counted(self._uncounted)
            else:
                table.close()
            path = table.path
            if into is not None:
                path = Path(shutil.move(path, into / path.name))
            if not source:
                files.nodes[target] = path
                files.node_counts[target] = table.count
                if _list_keys(target):
                    files.lists[target] = sorted(_list_keys(target))
            else:
                files.relationships.append(path)
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


def after_import_statements(files: BulkFiles) -> tuple[str, ...]:
    """What the store needs once neo4j-admin has built it, before its indexes: the empty lists
    (`list_statements`; the entities' uncounted INVOLVES are in the files)."""
    return tuple(list_statements(files))


def set_lists(driver: Driver, database: str, files: BulkFiles) -> None:
    """Run `after_import_statements`, each batched: in an implicit transaction."""
    with driver.session(database=database) as session:
        for statement in after_import_statements(files):
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
    expected = sum(files.node_counts.values()) + (files.schema_record is not None)
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
        stopping = _Stopping(settings, report)
        try:
            with phase("checking", "Checking the files (and spelling them as CSV)…"):
                read, plan = read_and_validate(None, database, paths, _max_bytes(settings), spool)
            _refuse_retractions(read)
            with phase("files", "Writing the import files…"):
                files = spool.finish_files(plan)
            with phase("stop", "Waiting for Neo4j to stop…"):
                stopping.join()
        except BaseException:
            stopping.join(quietly=True)
            report("Starting Neo4j again: nothing was imported…")
            local_neo4j.start(settings, report)
            raise
        try:
            with phase("neo4j-admin", "Running neo4j-admin database import full…"):
                log = _run_admin_import(settings, files)
            with phase("counts", "Checking the counts…"):
                _check_counts(log, files)
        finally:
            with phase("start", "Starting Neo4j…"):
                local_neo4j.start(settings, report)
    with open_driver(settings) as driver:
        with phase("lists", "Setting the empty lists…"):
            set_lists(driver, database, files)
        with phase("schema", "Applying the schema…"):
            apply_schema(driver, database)
    return BulkSummary(
        read.files,
        plan.total,
        files.node_counts,
        files.relationship_count,
        read.assumptions,
        phase.seconds,
    )


class _Stopping:
    """Neo4j stopping in a thread of its own, while the files are checked: the database is
    empty (`_refuse_unless_empty`), so the check looks nothing up in it, and the stop's
    checkpoint and the JVM's shutdown overlap the check, whose workers get its core."""

    def __init__(self, settings: Settings, report: Report) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._stop, args=(settings, report), name="bulk-stop", daemon=True
        )
        self._thread.start()

    def _stop(self, settings: Settings, report: Report) -> None:
        try:
            local_neo4j.stop(settings, report)
        except BaseException as error:  # raised again by join
            self._error = error

    def join(self, *, quietly: bool = False) -> None:
        """Wait for the stop; raise what it raised, unless `quietly`."""
        self._thread.join()
        if self._error is not None and not quietly:
            raise self._error


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
    load (`AFTER_IMPORT`: the empty lists, the entities' counts); nothing is written to Neo4j,
    nor to `directory` unless the check passes."""
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
            "".join(f"{statement};\n" for statement in after_import_statements(files))
        )
        return files
