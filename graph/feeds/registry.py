"""What a feed format is, and the file it is read from.

A format turns one file's content into native-format records — the same `(collection,
record)` pairs a YAML or JSON file holds — and says what it got wrong, by file, record or point
and field. Validation, the import modes and error reporting are the importer's, as for any
file. The formats themselves are listed in `graph/feeds/__init__.py`.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from eventgraph.graph.errors import Problem, Subject
from eventgraph.graph.feeds.grading import Grading
from eventgraph.graph.feeds.sources import Feed, report_record, source_record

NativeRecord = tuple[str, dict[str, Any]]
"""(collection, native-format record), as in a YAML or JSON import file."""
Table = list[list[str]]
"""A CSV file: its header row first, then the data rows."""


@dataclass(frozen=True)
class FeedAttachment:
    """An item for a record that another file of the import gives (a GDELT mention is a claim
    on an event of the events file): the importer holds it until that record is read."""

    target: str
    """Our id of the event or relation it belongs to."""
    field: str
    """Where in that record it goes (`claims`)."""
    item: dict[str, Any]
    row: int
    column: str
    """What the file calls the target, for the problem if no record takes it."""


@dataclass(frozen=True)
class FeedRetraction:
    """An action on an event already in the graph (ACLED's deleted events): retract it, with
    the reason. The importer applies these after writing the import's records."""

    target: str
    """Our id of the event."""
    reason: str
    feed_id: str
    """What the file calls it, for the report of ids not in the graph."""


@dataclass
class FeedFile:
    """One file (or archive member) being read, and what reading it gave."""

    name: str
    """How problems name it: `traces/a.json`, `day.zip:20251026_flights.csv` …"""
    stem: str
    """The file name without folders and suffixes (some formats carry an id or date in it)."""
    content: bytes
    grading: Mapping[str, Grading]
    records: list[NativeRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    attachments: list[FeedAttachment] = field(default_factory=list)
    retractions: list[FeedRetraction] = field(default_factory=list)
    _reports: dict[str, str] = field(default_factory=dict)
    _added: set[tuple[str, str]] = field(default_factory=set)

    def problem(
        self, where: str, reason: str, suggestion: str | None = None, *, row: bool = False
    ) -> None:
        """Record what is wrong at `where` (a record, point index or field of this file);
        `row`: of a row the reader leaves out, so `--skip-bad` may go on without it."""
        about = Subject("dropped", self.name) if row else None
        self.problems.append(Problem(self.name, where, reason, suggestion, about=about))

    def add(self, collection: str, record: dict[str, Any]) -> None:
        self.records.append((collection, record))

    def add_once(self, collection: str, record: dict[str, Any]) -> str:
        """Add a record shared by many of the file's records (an airframe, an airport) once."""
        key = (collection, str(record["id"]))
        if key not in self._added:
            self._added.add(key)
            self.add(collection, record)
        return key[1]

    def report_of(self, feed: Feed, title: str) -> str:
        """The id of this file's Report (written with the feed's Source, once per file)."""
        if feed.name not in self._reports:
            self.add("sources", source_record(feed, self.grading_of(feed)))
            report = report_record(feed, self.content, title)
            self.add("reports", report)
            self._reports[feed.name] = report["id"]
        return self._reports[feed.name]

    def grading_of(self, feed: Feed) -> Grading:
        return self.grading.get(feed.name, feed.grading)

    def claim(self, feed: Feed, title: str, paraphrase: str) -> dict[str, Any]:
        """A claim sourced to the feed and this file's report, graded for the feed."""
        return {
            "source": feed.source_id,
            "report": self.report_of(feed, title),
            "credibility": self.grading_of(feed).credibility.value,
            "paraphrase": paraphrase,
        }


@dataclass(frozen=True)
class Format:
    """One format of one feed."""

    name: str
    """What `--format` takes: `readsb-trace`, `opensky-flights` …"""
    feed: Feed
    title: str
    kind: Literal["json", "csv", "tsv"]
    """JSON; CSV with a header; or tab-separated lines without one (in `.csv` files)."""
    sniff: Callable[[Any], bool]
    """Whether parsed content is of this format: a JSON value, a CSV header row, or the
    tab-separated rows."""
    read: Callable[[Any, FeedFile], None]
    """Turn parsed content (a JSON value, or a `Table`) into records and problems."""
    file_names: re.Pattern[str] | None = None
    """File names that claim this format (`trace_full_<hex>.json`), checked against content."""
    holds_attachments: bool = False
    """Its files attach items to records of other files: the importer reads them first."""
