"""Reports: the publications claims cite, fewer per event as the dataset grows.

A real feed has far fewer articles than events (one article reports many flights), so the
number of reports grows with the square root of the event count. Most claims come from a report
published within `CITE_WITHIN_DAYS` after the event, by that report's publisher.
"""

import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import isqrt

from bench.skew import Skewed
from bench.world import PERIOD_DAYS, PERIOD_START, Record, World

CITE_WITHIN_DAYS = 45
_KIND_BY_SOURCE = {
    "news_outlet": "article",
    "data_service": "dataset",
    "official": "statement",
    "person": "post",
    "organisation": "document",
    "social_media": "post",
}
_TOPICS = (
    "Transport flights resume",
    "Build-up at air bases",
    "Clashes reported",
    "Officials decline to comment",
    "Satellite images show new deployments",
    "Tracking data: cargo flights",
    "Analysts weigh signals",
)


def report_count(events: int) -> int:
    """How many reports a dataset of `events` events has: 10·√events, from 100 to 10 000."""
    return max(100, min(10_000, 10 * isqrt(events)))


@dataclass
class Reports:
    """The report records and, per source, its reports by day (to cite the right one)."""

    records: list[Record] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    """Publication days (ordinals), sorted."""
    by_day: list[Record] = field(default_factory=list)
    """The records in the same order."""

    def soon_after(self, day: date, rng: random.Random) -> Record | None:
        """One of the (up to 8) first reports published within `CITE_WITHIN_DAYS` of `day`."""
        first = bisect_left(self.days, day.toordinal())
        last = bisect_left(self.days, day.toordinal() + CITE_WITHIN_DAYS + 1, lo=first)
        if first == last:
            return None
        return self.by_day[first + rng.randrange(min(8, last - first))]


def build_reports(world: World, events: int, seed: int) -> Reports:
    """The reports of a dataset: their own random stream, so the world does not depend on N."""
    rng = random.Random(f"eventgraph-bench/reports/{seed}")
    publishers = Skewed(world.sources, exponent=0.7)
    drafts: list[tuple[int, Record]] = []
    for n in range(report_count(events)):
        source = publishers.pick(rng)
        day = PERIOD_START + timedelta(days=rng.randrange(PERIOD_DAYS + CITE_WITHIN_DAYS))
        report_id = f"report-{n:05d}"
        record: Record = {
            "id": report_id,
            "name": f"{rng.choice(_TOPICS)} ({day.isoformat()})",
            "kind": _KIND_BY_SOURCE[source["kind"]],
            "publisher": source["id"],
            "published": {"start": day.isoformat(), "precision": "day"},
            "url": f"https://example.org/{source['id']}/{report_id}",
        }
        drafts.append((day.toordinal(), record))
    reports = Reports(records=[record for _, record in drafts])
    for day_number, record in sorted(drafts, key=lambda draft: (draft[0], draft[1]["id"])):
        reports.days.append(day_number)
        reports.by_day.append(record)
    return reports
