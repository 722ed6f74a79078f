"""Reading import files into raw records that remember where they came from.

YAML and JSON hold native-format documents; CSV holds one flat table per file, named by its
stem (`events.csv`, `claims-2025.csv` …, see `docs/importing.md`). Nothing here trusts its
input: YAML aliases (the "billion laughs" bomb) and tags are refused before anything is built,
duplicate keys and merge keys (`<<:`) are errors rather than silent overwrites, files above the
size limit are refused before they are read, and bytes that are not UTF-8 are named by line.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from eventgraph.graph import feeds, model
from eventgraph.graph.errors import Problem, Subject
from eventgraph.graph.records import RECORD_TYPES_BY_COLLECTION

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
PathKey = tuple[str | int, ...]


@dataclass
class RawRecord:
    """One record as read, before validation."""

    collection: str
    data: dict[str, Any]
    file: Path
    path: PathKey
    lines: dict[PathKey, int] = field(default_factory=dict)
    """Line of each sub-path (YAML, CSV); empty for JSON, which is located by record path."""

    def where(self, sub: PathKey = ()) -> str:
        """`file:line` of this record or a field inside it (just the file for JSON)."""
        return place(self.file, self.line(sub))

    def line(self, sub: PathKey = ()) -> int | None:
        """The line of this record or a field inside it, or of what holds it; None for JSON."""
        if not self.lines:
            return None
        full = self.path + sub
        for cut in range(len(full), 0, -1):
            line = self.lines.get(full[:cut])
            if line is not None:
                return line
        return None

    def field(self, sub: PathKey = ()) -> str:
        """The record path of a field, e.g. `events[3].time.start`."""
        return format_path(self.path + sub)

    def subject(self, refers: str | None = None) -> Subject:
        """This record, as what a problem is about (`refers`: the id a reference names)."""
        given = self.data.get("id")
        record_id = given if isinstance(given, str) else None
        return Subject("record", str(self.file), format_path(self.path), record_id, refers)


@dataclass
class Attachment:
    """A CSV row that adds a participant or claim to an event or relation of the same import
    (or a feed's row: a GDELT mention is a claim on an event of the events file)."""

    target: str
    field: str
    item: dict[str, Any]
    file: Path
    line: int
    column: str = ""
    """The column naming the target where it is not the CSV table's (a feed's)."""

    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def target_column(self) -> str:
        """The column that names the target, as problems name it."""
        return self.column or ("event" if self.field == "participants" else "target")

    def subject(self) -> Subject:
        """This row, as what a problem is about."""
        return Subject("row", str(self.file), str(self.line), refers=self.target)


@dataclass
class ReadResult:
    """What one file held (or several: the fields add up)."""

    records: list[RawRecord] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    retractions: list[feeds.FeedRetraction] = field(default_factory=list)
    """Feed actions on events already in the graph, applied after the write."""


def place(file: Path, line: int | None) -> str:
    """`file:line`, or just the file without a line."""
    return str(file) if line is None else f"{file}:{line}"


def format_path(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def discover(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to import, folders expanded (sorted), unknown kinds refused."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and _readable(p)))
        elif path.is_file():
            if _readable(path):
                files.append(path)
            else:
                problems.append(
                    Problem(
                        str(path), "file", "not a .yaml, .yml, .json, .csv, .tsv, .gz or .zip file"
                    )
                )
        else:
            problems.append(Problem(str(path), "file", "no such file or folder"))
    return files, problems


def feed_records(records: list[tuple[str, tuple[str, dict[str, Any]]]]) -> list[RawRecord]:
    """A feed reader's (where, (collection, data)) records as raw records."""
    paths: dict[str, Path] = {}  # one Path per file, not per record (a feed file has 100k)
    return [
        RawRecord(
            collection,
            data,
            paths.get(where) or paths.setdefault(where, Path(where)),
            (collection, index),
        )
        for index, (where, (collection, data)) in enumerate(records)
    ]


def shared_feed_records() -> list[RawRecord]:
    """The entities the import's feed files share, merged (`feeds.shared_records`)."""
    return feed_records(feeds.shared_records())


def _readable(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES or feeds.is_feed_only(path)


def holds_attachments(file: Path) -> bool:
    """A CSV of participants or claims, or a feed file of claims (GDELT mentions): rows that
    attach to events or relations of any file."""
    if feeds.holds_attachments(file):
        return True
    return SUFFIXES.get(file.suffix.lower()) == "csv" and csv_table(file) in ATTACHING


def read_file(file: Path, max_bytes: int) -> ReadResult:
    """Read one file; problems are collected, never raised, so all are reported at once."""
    result = _read(file, max_bytes, feeds_too=True)
    assert result is not None
    return result


def read_native_file(file: Path, max_bytes: int) -> ReadResult | None:
    """`read_file` of a native import file; None if it is a feed's (feeds share records
    across the files of one import: parallel.py leaves those to the importing process)."""
    return _read(file, max_bytes, feeds_too=False)


def _read(file: Path, max_bytes: int, *, feeds_too: bool) -> ReadResult | None:
    result = ReadResult(files=[file])
    try:
        size = file.stat().st_size
    except OSError as error:
        result.problems.append(_unreadable(file, error))
        return result
    if size > max_bytes:
        result.problems.append(
            Problem(
                str(file),
                "file",
                f"is {size / 2**20:.0f} MB, above the {max_bytes / 2**20:.0f} MB limit",
                "split it, or raise EVENTGRAPH_IMPORT_MAX_MB if the machine has the memory",
            )
        )
        return result
    feed = feeds.read_file(file, max_bytes)  # a feed's file (docs/feeds.md), or None
    if feed is not None and not feeds_too:
        return None
    if feed is not None:
        result.problems.extend(feed.problems)
        result.records.extend(feed_records(feed.records))
        result.attachments.extend(
            Attachment(item.target, item.field, item.item, Path(where), item.row, item.column)
            for where, item in feed.attachments
        )
        result.retractions.extend(item for _, item in feed.retractions)
        return result
    text = _decode(file, result.problems)
    if text is None:
        return result
    kind = SUFFIXES[file.suffix.lower()]
    if kind == "yaml":
        _read_yaml(file, text, result)
    elif kind == "json":
        _read_json(file, text, result)
    else:
        _read_csv(file, text, result)
    return result


def _unreadable(file: Path, error: OSError) -> Problem:
    reason = "permission denied" if isinstance(error, PermissionError) else error.strerror
    return Problem(str(file), "file", f"cannot be read: {(reason or str(error)).lower()}")


def _decode(file: Path, problems: list[Problem]) -> str | None:
    try:
        raw = file.read_bytes()
    except OSError as error:
        problems.append(_unreadable(file, error))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        problems.append(
            Problem(
                f"{file}:{line}",
                "encoding",
                f"byte {raw[error.start]:#04x} at offset {error.start} is not UTF-8",
                "save the file as UTF-8",
            )
        )
        return None


# ---- native documents (YAML, JSON) ------------------------------------------------------------


def _read_document(file: Path, data: Any, lines: dict[PathKey, int], result: ReadResult) -> None:
    if not isinstance(data, dict):
        result.problems.append(
            Problem(str(file), "document", "must be a mapping of collections (actors:, events: …)")
        )
        return
    for key, value in data.items():
        if key == "eventgraph":
            if value != 1:
                result.problems.append(
                    Problem(
                        f"{file}", "eventgraph", f"format version {value!r} is not supported (1 is)"
                    )
                )
        elif key == "assumptions":
            if isinstance(value, list):
                result.assumptions.extend(str(item) for item in value)
        elif key in RECORD_TYPES_BY_COLLECTION:
            if value is None:
                continue
            if not isinstance(value, list):
                result.problems.append(
                    Problem(f"{file}:{lines.get((key,), 1)}", key, "must be a list of records")
                )
                continue
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    line = lines.get((key, index))
                    result.problems.append(
                        Problem(
                            f"{file}:{line}" if line else str(file),
                            f"{key}[{index}]",
                            "must be a mapping with an id",
                            about=Subject("dropped", str(file)),
                        )
                    )
                    continue
                result.records.append(RawRecord(key, item, file, (key, index), lines))
        else:
            from difflib import get_close_matches

            close = get_close_matches(str(key), [*RECORD_TYPES_BY_COLLECTION, "assumptions"], 1)
            result.problems.append(
                Problem(
                    f"{file}:{lines.get((str(key),), 1)}",
                    str(key),
                    "is not a collection we know",
                    f"did you mean '{close[0]}'?" if close else None,
                )
            )


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (about 30 times faster), the pure-Python one otherwise."""


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML whose dates stay text: the format reads them itself (2025, 2025-10,
    2025-10-26, instants with zones), so YAML's timestamp rules never turn a bad date into a
    crash or a naive datetime."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _first_alias_line(text: str) -> int | None:
    """Where the first alias is: aliases let a few bytes expand into gigabytes, so a file
    with any is refused before a single node is built."""
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            return int(event.start_mark.line) + 1 if event.start_mark else 1
    return None


_MERGE = "tag:yaml.org,2002:merge"


def _yaml_lines(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], refused: list[tuple[int, str, str]]
) -> None:
    """Note the line of every sub-path, and refuse (line, key path, why) the keys YAML would
    resolve silently: a duplicate key (the last wins) and a merge key (`<<:`, whose entries
    yield to the mapping's own, a way round the duplicate-key refusal)."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                refused.append((line, format_path((*path, key)), "merge"))
            elif key in seen:
                refused.append((line, format_path((*path, key)), "duplicate"))
            seen.add(key)
            _yaml_lines(value_node, (*path, key), lines, refused)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _yaml_lines(item, (*path, index), lines, refused)


_REFUSED_KEYS = {
    "duplicate": (
        "appears twice in one mapping",
        "keep one: YAML would silently keep only the last",
    ),
    "merge": (
        "is a YAML merge key, which is not allowed in import files",
        "write the fields out in the mapping itself: a merge would silently give way to them",
    ),
}


def _read_yaml(file: Path, text: str, result: ReadResult) -> None:
    try:
        alias_line = _first_alias_line(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        result.problems.append(
            Problem(f"{file}:{line}", "yaml", f"malformed YAML: {error.problem}")
        )
        return
    if alias_line is not None:
        result.problems.append(
            Problem(
                f"{file}:{alias_line}",
                "yaml",
                "YAML aliases (*name) are not allowed in import files",
            )
        )
        return
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return
        lines: dict[PathKey, int] = {}
        refused: list[tuple[int, str, str]] = []
        _yaml_lines(node, (), lines, refused)
        for line, key_path, why in refused:
            reason, suggestion = _REFUSED_KEYS[why]
            result.problems.append(Problem(f"{file}:{line}", key_path, reason, suggestion))
        if refused:
            return
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or str(error)
        if "could not determine a constructor" in reason:
            reason = "tags like !!python/object are not allowed (they are never executed)"
        result.problems.append(Problem(f"{file}:{line}", "yaml", f"malformed YAML: {reason}"))
        return
    except (yaml.YAMLError, ValueError, TypeError) as error:
        result.problems.append(Problem(str(file), "yaml", f"malformed YAML: {error}"))
        return
    except RecursionError:
        result.problems.append(Problem(str(file), "yaml", "nested too deeply"))
        return
    finally:
        loader.dispose()
    _read_document(file, data, lines, result)


def _read_json(file: Path, text: str, result: ReadResult) -> None:
    duplicates: list[str] = []

    def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        result.problems.append(
            Problem(
                f"{file}:{error.lineno}",
                "json",
                f"malformed JSON: {error.msg} (column {error.colno})",
            )
        )
        return
    except RecursionError:
        result.problems.append(Problem(str(file), "json", "nested too deeply"))
        return
    if duplicates:
        keys = ", ".join(sorted(set(duplicates)))
        result.problems.append(
            Problem(
                str(file),
                "json",
                f"duplicate keys in one object: {keys}",
                "keep one: JSON parsers would silently keep only the last",
            )
        )
        return
    _read_document(file, data, {}, result)


# ---- flat tables (CSV) ------------------------------------------------------------------------

LIST_SEPARATOR = ";"

CSV_TABLES: dict[str, tuple[str, ...]] = {
    **{shape.label.collection: shape.csv_columns() for shape in model.SHAPES},
    "participants": ("event", "role", "ref"),
    "claims": (
        "target",
        "id",
        "source",
        "report",
        "based_on",
        "reliability",
        "credibility",
        "paraphrase",
        "quote",
        "grading_note",
        "reported_on",
    ),
}
"""Columns per table; the first ones (`id`… or `event`/`target`) are required, see the docs."""
ATTACHING = ("participants", "claims")
"""CSV tables whose rows attach to records of other files rather than being records."""
CSV_REQUIRED = {
    "participants": ("event", "role", "ref"),
    "claims": ("target", "source", "credibility", "paraphrase"),
}


def csv_table(file: Path) -> str | None:
    """The table a CSV file holds, from its stem: `events.csv`, `events-2025.csv` …"""
    stem = file.stem.lower()
    for table in sorted(CSV_TABLES, key=len, reverse=True):
        if stem == table or stem.startswith((f"{table}-", f"{table}_", f"{table}.")):
            return table
    return None


def _cells(row: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in row.items() if value not in ("", None)}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _boolean(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    return value  # left for validation to refuse, with the field named


def _number(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


_LIST_COLUMNS = frozenset(
    field.name
    for shape in model.SHAPES
    for field in shape.fields
    if (isinstance(field, model.Prop) and field.type.many)
    or (isinstance(field, model.Link) and field.many)
)
_FLAG_COLUMNS = frozenset(
    prop.name for shape in model.SHAPES for prop in shape.props if prop.type is model.FLAG
)


def _external_id(item: str) -> dict[str, str]:
    scheme, _, value = item.partition(":")
    return {"scheme": scheme.strip(), "value": value}


def _csv_record(table: str, cells: dict[str, str]) -> dict[str, Any]:
    """A CSV row in the shape of a native record."""
    data: dict[str, Any] = {}
    for key, value in cells.items():
        if key in _LIST_COLUMNS:
            data[key] = _split(value)
        elif key in _FLAG_COLUMNS or key.endswith("year_assumed"):
            data[key] = _boolean(value)
        else:
            data[key] = value
    if "external_ids" in data:  # `scheme:value;scheme:value` (docs/importing.md)
        data["external_ids"] = [_external_id(item) for item in _split(data["external_ids"])]
    if table == "locations" and ("lat" in data or "lon" in data):
        point = {"lat": _number(data.pop("lat", "")), "lon": _number(data.pop("lon", ""))}
        if "point_precision" in data:
            point["precision"] = data.pop("point_precision")
        if "uncertainty_km" in data:
            point["uncertainty_km"] = _number(data.pop("uncertainty_km"))
        data["point"] = point
    if table == "events":
        time: dict[str, Any] = {k: data.pop(k) for k in ("start", "end", "precision") if k in data}
        if "year_assumed" in data:
            time["year_assumed"] = data.pop("year_assumed")
        if "time_note" in data:
            time["note"] = data.pop("time_note")
        data["time"] = time
        duration = {
            key.removeprefix("duration_"): data.pop(key)
            for key in ("duration_amount", "duration_unit", "duration_approximate")
            if key in data
        }
        if "approximate" in duration:
            duration["approximate"] = _boolean(duration["approximate"])
        if duration:
            data["duration"] = duration
        data.setdefault("claims", [])
    if table == "relations":
        data.setdefault("claims", [])
    if table == "reports":
        published = {
            key.removeprefix("published_"): data.pop(key)
            for key in list(data)
            if key.startswith("published_")
        }
        if published:
            data["published"] = published
    return data


def _read_csv(file: Path, text: str, result: ReadResult) -> None:
    table = csv_table(file)
    if table is None:
        result.problems.append(
            Problem(
                str(file),
                "file",
                "the file name does not say which table it holds",
                f"name it after one of: {', '.join(sorted(CSV_TABLES))} (e.g. events.csv)",
            )
        )
        return
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
    columns = reader.fieldnames or []
    unknown = [c for c in columns if c not in CSV_TABLES[table]]
    required = CSV_REQUIRED.get(table, ("id",))
    missing = [c for c in required if c not in columns]
    if unknown or missing:
        reasons = []
        if unknown:
            reasons.append(f"unknown column(s) {', '.join(unknown)}")
        if missing:
            reasons.append(f"missing column(s) {', '.join(missing)}")
        result.problems.append(
            Problem(
                f"{file}:1",
                "header",
                "; ".join(reasons),
                f"{table} columns are: {', '.join(CSV_TABLES[table])}",
            )
        )
        return
    try:
        for index, row in enumerate(reader):
            line = reader.line_num
            if "__extra__" in row:
                result.problems.append(
                    Problem(
                        f"{file}:{line}",
                        "row",
                        "more cells than columns",
                        about=Subject("dropped", str(file)),
                    )
                )
                continue
            cells = _cells(row)
            if table in ATTACHING:
                target = cells.pop("event" if table == "participants" else "target", "")
                item: dict[str, Any] = dict(cells)
                if "based_on" in item:  # `source;source` (docs/importing.md)
                    item["based_on"] = _split(item["based_on"])
                result.attachments.append(Attachment(target, table, item, file, line))
                continue
            data = _csv_record(table, cells)
            result.records.append(
                RawRecord(table, data, file, (table, index), {(table, index): line})
            )
    except csv.Error as error:
        result.problems.append(
            Problem(f"{file}:{reader.line_num}", "csv", f"malformed CSV: {error}")
        )
