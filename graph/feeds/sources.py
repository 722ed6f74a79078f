"""The feeds eventgraph reads, each a `Source` with a default grading: the one table.

A new feed adds a row here and a module with its formats.
The reasons are the defence of each default, stored on the Source as `reliability_note`;
docs/feeds.md says the same at more length.
"""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from eventgraph.graph.feeds.grading import Grading, parse_grading


@dataclass(frozen=True)
class Feed:
    name: str
    """The short name options use (`--grading adsb=B2`) and our ids start with."""
    title: str
    grading: Grading
    """The default grading of its claims."""
    why: str

    @property
    def source_id(self) -> str:
        return f"feed-{self.name}"

    def record_id(self, feed_id: str) -> str:
        """Our id of the feed's record `feed_id`: the same for the same record on every import
        (ids the native format cannot hold are replaced by a hash of them)."""
        if _SAFE.fullmatch(feed_id):
            return f"{self.name}:{feed_id}"
        return f"{self.name}:h-{hashlib.sha256(feed_id.encode()).hexdigest()[:24]}"


_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,150}")

FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        Feed(
            "adsb",
            "ADS-B aggregators (readsb, tar1090, adsb.lol)",
            parse_grading("B2"),
            "Positions are machine-recorded measurements of what the transponder broadcast: "
            "usually reliable for where and when it says it was (spoofing, wrong addresses and "
            "multilateration errors happen), silent on purpose, cargo and who ordered it.",
        ),
        Feed(
            "opensky",
            "OpenSky Network",
            parse_grading("B2"),
            "A research network of receivers recording the same ADS-B broadcasts; its flights "
            "list estimates departure and arrival airports from them.",
        ),
        Feed(
            "fr24",
            "Flightradar24",
            parse_grading("B3"),
            "A commercial aggregator: ADS-B and multilateration positions merged with its own "
            "estimates and schedule data, with its own flight splitting; positions as good as "
            "ADS-B, but what it adds (schedules, estimated stretches) is less certain.",
        ),
        Feed(
            "gdelt",
            "GDELT 2.0 Event Database",
            parse_grading("D3"),
            "Events coded by machine from news articles, with no human check: the coder, not "
            "the outlet, is the source. Validation studies find most of its geocoded conflict "
            "events misplaced, duplicated or not events at all, so a row is at best possibly "
            "true until another source confirms it.",
        ),
        Feed(
            "acled",
            "ACLED (Armed Conflict Location & Event Data)",
            parse_grading("B2"),
            "Events coded by trained researchers from named sources (news, local partners, "
            "reports), each reviewed before release and corrected in place when new "
            "information comes: usually reliable, and each event probably true, though "
            "fatalities and actors are the sources' first reports and may change.",
        ),
        Feed(
            "polecat",
            "POLECAT (PLOVER-coded political events)",
            parse_grading("C3"),
            "Events coded by machine, as GDELT's are, but from a curated pipeline: a licensed "
            "news corpus de-duplicated by story, classifiers trained and checked against "
            "hand-coded stories, actors resolved to Wikipedia and places to GeoNames. Fairly "
            "reliable, and each event possibly true: no person checked it.",
        ),
        Feed(
            "stix",
            "STIX 2.1 bundles",
            parse_grading("F6"),
            "A bundle's producers are its own identities (`created_by_ref`), each a Source, and "
            "each object grades itself (`confidence`); what no producer signs and no confidence "
            "grades cannot be judged from the bundle.",
        ),
    )
}


def source_record(feed: Feed, grading: Grading) -> dict[str, Any]:
    """The feed's `sources` record, with the grading in force for this import."""
    return {
        "id": feed.source_id,
        "name": feed.title,
        "kind": "data_service",
        "description": f"Records imported from {feed.title} (docs/feeds.md).",
        "reliability": grading.reliability.value,
        "reliability_note": feed.why,
        "feed": feed.name,
    }


def report_record(feed: Feed, content: bytes, title: str) -> dict[str, Any]:
    """The `reports` record of one feed file: its id from the file's content, so the same
    file imported again is the same report."""
    digest = hashlib.sha256(content).hexdigest()[:20]
    return {
        "id": f"report-{feed.name}-{digest}",
        "name": title,
        "kind": "dataset",
        "publisher": feed.source_id,
        "description": f"One {feed.title} file, sha-256 {digest}…",
        "feed": feed.name,
        "feed_id": f"sha256:{digest}",
    }


def dataset_report(feed: Feed, description: str) -> dict[str, Any]:
    """The one `reports` record of a living data set's claims (ACLED, POLECAT): the data set,
    not the file, so a re-released file changes only the events whose rows changed."""
    return {
        "id": f"report-{feed.name}-dataset",
        "name": f"The {feed.title.split(' (')[0]} data set",
        "kind": "dataset",
        "publisher": feed.source_id,
        "description": description,
        "feed": feed.name,
        "feed_id": "dataset",
    }
