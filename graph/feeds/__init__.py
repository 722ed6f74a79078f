"""Feeds: flight tracks, GDELT, ACLED, POLECAT and STIX 2.1 read into native records.

    file ─▶ containers (plain, .gz, .zip) ─▶ detect the format (content; --format forces)
         ─▶ the format's reader ─▶ native records + problems ─▶ the importer, as for YAML

Every record a feed gives is sourced: a `Source` per feed (`sources.FEEDS`, with its default
grading) and a `Report` per file (its id from the file's content hash), and every event's
claim points at both. Records keep the feed's own id (`feed`, `feed_id`), and our id is
derived from the two, so re-importing an updated feed updates the same nodes. docs/feeds.md
describes each format.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventgraph.graph.errors import Problem
from eventgraph.graph.feeds import acled, fr24, gdelt, opensky, polecat, readsb, stix
from eventgraph.graph.feeds.containers import (
    COMPRESSED,
    TABBED,
    ContainerError,
    Member,
    open_members,
)
from eventgraph.graph.feeds.external import add_ids
from eventgraph.graph.feeds.grading import merged, parse_overrides, read_config
from eventgraph.graph.feeds.options import FeedOptions, current, one_import, using
from eventgraph.graph.feeds.registry import (
    FeedAttachment,
    FeedFile,
    FeedRetraction,
    Format,
    NativeRecord,
)
from eventgraph.graph.feeds.sources import FEEDS

__all__ = [
    "FEEDS",
    "FORMATS",
    "FeedAttachment",
    "FeedOptions",
    "FeedRead",
    "FeedRetraction",
    "holds_attachments",
    "is_feed_container",
    "is_feed_only",
    "may_be_feed",
    "one_import",
    "options_of",
    "read_file",
    "shared_records",
    "using",
]

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        readsb.TRACE,
        opensky.FLIGHTS,
        opensky.STATES,
        fr24.FLIGHT,
        fr24.TRACK_CSV,
        fr24.FLIGHTS_CSV,
        gdelt.EVENTS,
        gdelt.MENTIONS,
        acled.EVENTS,
        acled.DELETED,
        polecat.EVENTS,
        stix.BUNDLE,
    )
}
"""Every format, by the name `--format` takes."""

_HINTS = (b'"trace"', b'"icao24"', b'"firstSeen"', b'"states"', b'"result"', b'"bundle"')
"""Keys one of which every JSON feed format has near its start: other JSON is left to the
native reader without being parsed twice."""


@dataclass
class FeedRead:
    """What the feed readers made of one file."""

    records: list[tuple[str, NativeRecord]] = field(default_factory=list)
    """(where, record): the file or archive member each record came from."""
    problems: list[Problem] = field(default_factory=list)
    attachments: list[tuple[str, FeedAttachment]] = field(default_factory=list)
    """(where, item) for records of other files (`FeedAttachment`)."""
    retractions: list[tuple[str, FeedRetraction]] = field(default_factory=list)
    """(where, action) on events already in the graph (`FeedRetraction`)."""


def options_of(format_name: str | None, grading: list[str], config: Path | None) -> FeedOptions:
    """The feed options of an import; `ValueError` says what is wrong with them."""
    if format_name is not None and format_name not in FORMATS:
        raise ValueError(f"--format: '{format_name}' is not a feed format ({', '.join(FORMATS)})")
    from_file = read_config(config, FEEDS) if config is not None else {}
    return FeedOptions(format_name, merged({}, from_file, parse_overrides(grading, FEEDS)))


def is_feed_container(path: Path) -> bool:
    """A compressed file the importer should read (`.json.gz`, `.csv.gz`, `.zip`)."""
    return path.suffix.lower() in COMPRESSED


def is_feed_only(path: Path) -> bool:
    """A file only a feed format can read: compressed, or tab-separated (`.tsv`)."""
    return is_feed_container(path) or path.suffix.lower() == TABBED


def holds_attachments(file: Path) -> bool:
    """A feed file whose rows attach to records of other files (GDELT mentions): by its name,
    or because `--format` says so; the importer reads these first."""
    forced = FORMATS.get(current().format or "")
    if forced is not None:
        return forced.holds_attachments
    return any(
        f.holds_attachments and f.file_names is not None and f.file_names.search(file.name)
        for f in FORMATS.values()
    )


def may_be_feed(file: Path) -> bool:
    """Whether `file` may be a feed's, from its name and first bytes only: `--format` is
    given, it is compressed or tab-separated, or its JSON keys or CSV header are a feed's.
    False means a native import file (YAML, or JSON and CSV that no feed format starts so)."""
    if current().format or is_feed_only(file):
        return True
    lowered = file.name.lower()
    if lowered.endswith((".yaml", ".yml")):
        return False
    if lowered.endswith(".json"):
        return _may_be_feed_json(file)
    if lowered.endswith(".csv"):
        return _may_be_feed_csv(file)
    return True


def read_file(file: Path, max_bytes: int) -> FeedRead | None:
    """Read `file` as a feed, or None if it is a native import file (YAML, or JSON and CSV
    that no feed format recognises) and `--format` does not say otherwise."""
    options = current()
    if not may_be_feed(file):
        return None
    try:
        raw = file.read_bytes()
        members = open_members(file, raw, max_bytes)
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        return FeedRead(problems=[Problem(str(file), "file", f"cannot be read: {reason}")])
    except ContainerError as error:
        return FeedRead(problems=[error.problem])
    read = FeedRead()
    for member in members:
        kind = _kind_of(member, options)
        parsed = _parse(member, kind, read.problems)
        if parsed is None:
            continue
        before = len(read.problems)
        chosen = _choose(member, kind, parsed, options, read.problems, is_feed_only(file))
        if chosen is None:
            if len(read.problems) == before and not is_feed_only(file):
                return None  # a native file: the importer reads it
            continue
        into = FeedFile(member.name, member.stem, member.content, options.grading)
        chosen.read(parsed, into)
        read.problems.extend(into.problems)
        read.attachments.extend((member.name, item) for item in into.attachments)
        read.retractions.extend((member.name, item) for item in into.retractions)
        read.records.extend(
            (member.name, record) for record in into.records if _first(member.name, record, options)
        )
    return read


SHARED = ("actors", "equipment_types", "assets", "locations", "sources", "relations")
"""Collections whose records several feed files of one import may each give."""


def _first(where: str, record: NativeRecord, options: FeedOptions) -> bool:
    """Whether `record` is read now; an entity that several files may give is held instead
    (`shared_records`), and one seen before takes the fields it lacked from this one."""
    collection, data = record
    if collection not in SHARED:
        return True
    _, earlier = options.shared.setdefault((collection, str(data["id"])), (where, data))
    if earlier is not data:
        for key, value in data.items():
            earlier.setdefault(key, value)
        add_ids(earlier, data.get("external_ids", []))  # each file's ids, not the first's only
    return False


def shared_records() -> list[tuple[str, NativeRecord]]:
    """(where, record) of the entities this import's feed files gave, each merged from every
    file that gave it: the importer checks them once it has read every file."""
    return [
        (where, (collection, data)) for (collection, _), (where, data) in current().shared.items()
    ]


def _may_be_feed_json(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return any(hint in head for hint in _HINTS)


def _may_be_feed_csv(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            head = handle.read(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    first = head.splitlines()[0] if head else ""
    if _tabbed(first):
        return True  # the whole file is read to see whether it is a feed's
    header = next(csv.reader(io.StringIO(first)), [])
    return any(f.kind == "csv" and f.sniff(header) for f in FORMATS.values())


_MIN_TABS = 15
"""Tab-separated feed files (GDELT's) have at least 16 columns: a `.csv` whose first line
has this many tabs is read as tab-separated lines, not as CSV."""


def _tabbed(line: str) -> bool:
    return line.count("\t") >= _MIN_TABS


def _kind_of(member: Member, options: FeedOptions) -> str:
    """How to parse a member: JSON, CSV, or tab-separated lines (a `.tsv`, a `.csv` whose
    first line has many tabs, or any `.csv` when `--format` names a tab-separated format)."""
    if member.suffix == TABBED:
        return "tsv"
    if member.suffix != ".csv":
        return "json"
    forced = FORMATS.get(options.format or "")
    if forced is not None and forced.kind == "tsv":
        return "tsv"
    first = member.content[:4096].split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return "tsv" if _tabbed(first) else "csv"


def _parse(member: Member, kind: str, problems: list[Problem]) -> Any:
    try:
        text = member.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(member.name, "encoding", f"byte at offset {error.start} is not UTF-8")
        )
        return None
    if kind == "tsv":  # no quoting: GDELT's fields hold quotes and commas as they are
        return [line.rstrip("\r").split("\t") for line in text.split("\n") if line.strip()]
    if kind == "csv":
        try:
            return list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            problems.append(Problem(member.name, "csv", f"malformed CSV: {error}"))
            return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(
            Problem(
                f"{member.name}:{error.lineno}",
                "json",
                f"malformed JSON: {error.msg} (column {error.colno})",
            )
        )
    except RecursionError:
        problems.append(Problem(member.name, "json", "nested too deeply"))
    return None


def _sniffed(kind: str, parsed: Any) -> Format | None:
    for candidate in FORMATS.values():
        if candidate.kind == kind and candidate.sniff(
            parsed[0] if kind == "csv" and parsed else parsed
        ):
            return candidate
    return None


def _choose(
    member: Member,
    kind: str,
    parsed: Any,
    options: FeedOptions,
    problems: list[Problem],
    packed: bool,
) -> Format | None:
    """The format to read `member` as: the one `--format` names or its name claims, if the
    content is not plainly another; else the one its content shows."""
    found = _sniffed(kind, parsed)
    claimed = FORMATS.get(options.format or "")
    reason = "--format says"
    if claimed is None:
        for candidate in FORMATS.values():
            if candidate.file_names is not None and candidate.file_names.fullmatch(member.stem):
                claimed, reason = candidate, "its name says"
    if claimed is not None:
        if found is not None and found is not claimed:
            problems.append(
                Problem(
                    member.name,
                    "format",
                    f"{reason} {claimed.title} ({claimed.name}) but it holds {found.title} "
                    f"({found.name})",
                    "drop --format, or import it with the format it holds",
                )
            )
            return None
        if (claimed.kind == "json") != (member.suffix == ".json"):
            problems.append(
                Problem(member.name, "format", f"{claimed.name} is a {claimed.kind} format")
            )
            return None
        return claimed
    if found is None and packed:
        problems.append(
            Problem(
                member.name,
                "format",
                "is not in a feed format eventgraph reads",
                f"the formats are: {', '.join(FORMATS)} (docs/feeds.md); native import "
                "files are imported unpacked",
            )
        )
    return found
