"""Feeds: flight tracks (and later GDELT, ACLED, POLECAT, STIX) read into native records.

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
from eventgraph.graph.feeds import fr24, opensky, readsb
from eventgraph.graph.feeds.containers import (
    COMPRESSED,
    ContainerError,
    Member,
    open_members,
)
from eventgraph.graph.feeds.grading import merged, parse_overrides, read_config
from eventgraph.graph.feeds.options import FeedOptions, current, one_import, using
from eventgraph.graph.feeds.registry import FeedFile, Format, NativeRecord
from eventgraph.graph.feeds.sources import FEEDS

__all__ = [
    "FEEDS",
    "FORMATS",
    "FeedOptions",
    "FeedRead",
    "is_feed_container",
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
    )
}
"""Every format, by the name `--format` takes."""

_HINTS = (b'"trace"', b'"icao24"', b'"firstSeen"', b'"states"', b'"result"')
"""Keys one of which every JSON feed format has near its start: other JSON is left to the
native reader without being parsed twice."""


@dataclass
class FeedRead:
    """What the feed readers made of one file."""

    records: list[tuple[str, NativeRecord]] = field(default_factory=list)
    """(where, record): the file or archive member each record came from."""
    problems: list[Problem] = field(default_factory=list)


def options_of(format_name: str | None, grading: list[str], config: Path | None) -> FeedOptions:
    """The feed options of an import; `ValueError` says what is wrong with them."""
    if format_name is not None and format_name not in FORMATS:
        raise ValueError(f"--format: '{format_name}' is not a feed format ({', '.join(FORMATS)})")
    from_file = read_config(config, FEEDS) if config is not None else {}
    return FeedOptions(format_name, merged({}, from_file, parse_overrides(grading, FEEDS)))


def is_feed_container(path: Path) -> bool:
    """A compressed file the importer should read (`.json.gz`, `.csv.gz`, `.zip`)."""
    return path.suffix.lower() in COMPRESSED


def read_file(file: Path, max_bytes: int) -> FeedRead | None:
    """Read `file` as a feed, or None if it is a native import file (YAML, or JSON and CSV
    that no feed format recognises) and `--format` does not say otherwise."""
    options = current()
    lowered = file.name.lower()
    if not options.format and not is_feed_container(file):
        if lowered.endswith((".yaml", ".yml")):
            return None
        if lowered.endswith(".json") and not _may_be_feed_json(file):
            return None
        if lowered.endswith(".csv") and not _may_be_feed_csv(file):
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
        parsed = _parse(member, read.problems)
        if parsed is None:
            continue
        before = len(read.problems)
        chosen = _choose(member, parsed, options, read.problems, is_feed_container(file))
        if chosen is None:
            if len(read.problems) == before and not is_feed_container(file):
                return None  # a native file: the importer reads it
            continue
        into = FeedFile(member.name, member.stem, member.content, options.grading)
        chosen.read(parsed, into)
        read.problems.extend(into.problems)
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
    header = next(csv.reader(io.StringIO(head.splitlines()[0] if head else "")), [])
    return any(f.kind == "csv" and f.sniff(header) for f in FORMATS.values())


def _parse(member: Member, problems: list[Problem]) -> Any:
    try:
        text = member.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(member.name, "encoding", f"byte at offset {error.start} is not UTF-8")
        )
        return None
    if member.suffix == ".csv":
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


def _sniffed(member: Member, parsed: Any) -> Format | None:
    for candidate in FORMATS.values():
        kind_matches = (candidate.kind == "csv") == (member.suffix == ".csv")
        if kind_matches and candidate.sniff(
            parsed[0] if member.suffix == ".csv" and parsed else parsed
        ):
            return candidate
    return None


def _choose(
    member: Member, parsed: Any, options: FeedOptions, problems: list[Problem], packed: bool
) -> Format | None:
    """The format to read `member` as: the one `--format` names or its name claims, if the
    content is not plainly another; else the one its content shows."""
    found = _sniffed(member, parsed)
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
        if (claimed.kind == "csv" and member.suffix != ".csv") or (
            claimed.kind == "json" and member.suffix != ".json"
        ):
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
