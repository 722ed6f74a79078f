"""The issue's targets, judged from the measured results (never typed in).

Imports (issue 14), from this run's import figures:
1. the online import ≥ 1.5× LOAD CSV's events/s, at every scale (10k, 100k and 1M needed);
2. the bulk import of 1M events ≤ 3 min end to end;
3. the online import's peak RSS ≤ 1.5 GiB at 1M, and within 1.2× from 100k to 1M;
4. the bulk import's peak RSS ≤ 2 GiB (at 1M and every scale run);
5. the online import's cost per event at 1M ≤ 1.2× its cost at 10k.

Queries (issue 6), from the query tables the report shows (this run's, or those kept from an
earlier run when this one measured only the imports, which the verdict then names):
6. every operation's p50 ≤ 1.3× its floor's at 1 client, at every scale;
7. throughput ≥ 1.0× @neo4j/graphql on every shared operation at 8 and 32 clients;
8. p50 at 1M events ≤ 2× p50 at 10k events, for every (index-backed) operation.

Feeds (issue 15), from this run's feed figures (or those kept from the run that measured them):
9. the ACLED feed import of 100k rows takes ≤ 1.2× the time of the same records in our native
   format (the adapter adds at most 20%);
10. a GDELT day (150k events) imported in batches peaks ≤ 1.5 GiB RSS, within 1.2× of half
   of the day's peak (bounded memory, not proportional to the day).

A target that a run could not judge (a scale not run, the reference or the bulk import left
out, a point without answers) says "not measured" and why, never "met".
"""

from dataclasses import dataclass
from typing import Any

MET, MISSED, NOT_MEASURED = "met", "missed", "not measured"
LATENCY_LIMIT = 1.3
THROUGHPUT_FLOOR = 1.0
GROWTH_LIMIT = 2.0
ONLINE_FLOOR = 1.5
"""Online import events/s ÷ LOAD CSV's."""
BULK_1M_SECONDS = 180.0
ONLINE_RSS_MIB = 1.5 * 1024
ONLINE_RSS_FLAT = 1.2
"""Online peak RSS at 1M ÷ at 100k."""
BULK_RSS_MIB = 2.0 * 1024
COST_GROWTH_LIMIT = 1.2
"""Online seconds per event at 1M ÷ at 10k."""
FEED_OVERHEAD_LIMIT = 1.2
"""ACLED feed import seconds ÷ the native import's of the same records, at 100k rows."""
FEED_RECORDS = 100_000
GDELT_DAY_EVENTS = 150_000
GDELT_RSS_MIB = 1.5 * 1024
GDELT_RSS_FLAT = 1.2
"""GDELT day peak RSS ÷ half the day's: both well past the importer's fixed windows (the batch
and its read-ahead), so the ratio shows growth with the feed, not those windows filling."""
SMALL, MIDDLE, LARGE = 10_000, 100_000, 1_000_000
SCALE_NAMES = {SMALL: "10k", MIDDLE: "100k", LARGE: "1m"}
ONLINE, BULK, LOAD_CSV = "eventgraph", "bulk", "load_csv"
"""The keys of a scale's import figures."""


@dataclass(frozen=True)
class Verdict:
    target: str
    status: str
    detail: str


def on_figure(target: str, detail: str, missed: bool, off: str | None = None) -> Verdict:
    """The verdict on one measured figure (an import's time, a feed's overhead or memory):
    met or missed, `detail` saying what was measured; `off` says why the figure cannot judge
    the target though it was measured (a size other than the one the target names)."""
    if off is not None:
        return Verdict(target, NOT_MEASURED, f"{detail}: {off}")
    if missed:
        return Verdict(target, MISSED, f"missed: {detail}")
    return Verdict(target, MET, detail)


def point(operation: dict[str, Any], side: str, clients: int) -> dict[str, Any] | None:
    """The summary of one side of an operation at a concurrency, if measured."""
    for summary in operation["sides"].get(side, ()):
        if summary["clients"] == clients:
            return summary  # type: ignore[no-any-return]
    return None


def figure(summary: dict[str, Any] | None, key: str) -> float | None:
    """One figure of a point (`p50_ms`, `throughput_rps` …), None when it was not measured."""
    if summary is None or summary[key] is None:
        return None
    return float(summary[key])


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def at_scale(scales: list[dict[str, Any]], events: int) -> dict[str, Any] | None:
    return next((scale for scale in scales if scale["events"] == events), None)


def imported(scale: dict[str, Any] | None, way: str) -> dict[str, Any] | None:
    """One way's import figures at a scale, None where that way (or the scale) was not run."""
    return None if scale is None else scale["import"].get(way)


def cost_per_event(figures: dict[str, Any] | None) -> float | None:
    """Seconds per event of an import."""
    return None if figures is None else figures["seconds"] / figures["events"]


def _not_run(events: int, what: str = "scale") -> str:
    name = SCALE_NAMES[events]
    return f"the {name} {what} was not run (`BENCH_SCALES=10k,100k,1m`)"


def _verdict(target: str, misses: list[str], judged: int, unjudged: list[str]) -> Verdict:
    if misses:
        status = MISSED
    elif judged and not unjudged:
        status = MET
    else:
        status = NOT_MEASURED
    parts = []
    if misses:
        parts.append("missed by " + "; ".join(misses))
    if unjudged:
        parts.append("not measured: " + "; ".join(unjudged))
    if not parts:
        parts.append(f"all {judged} comparisons hold")
    return Verdict(target, status, ". ".join(parts))


def online_speed_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"online import ≥ {ONLINE_FLOOR:.1f}× LOAD CSV events/s at 10k, 100k and 1M"
    misses, unjudged, judged = [], [], 0
    for scale in scales:
        if scale["events"] not in (SMALL, MIDDLE, LARGE):
            continue  # the target names its scales; a smaller run's figures judge nothing
        online, reference = imported(scale, ONLINE), imported(scale, LOAD_CSV)
        found = ratio(figure(online, "events_per_s"), figure(reference, "events_per_s"))
        if found is None:
            unjudged.append(scale["name"])
            continue
        judged += 1
        if found < ONLINE_FLOOR:
            misses.append(f"{scale['name']} ({found:.2f}×)")
    unjudged += [_not_run(n) for n in (SMALL, MIDDLE, LARGE) if at_scale(scales, n) is None]
    return _verdict(target, misses, judged, unjudged)


def bulk_time_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"bulk import of 1M events ≤ {BULK_1M_SECONDS / 60:.0f} min end to end"
    large = at_scale(scales, LARGE)
    bulk = imported(large, BULK)
    if bulk is None:
        why = _not_run(LARGE) if large is None else "the bulk import was left out (--no-bulk)"
        return Verdict(target, NOT_MEASURED, why)
    minutes = f"{bulk['seconds'] / 60:.1f} min"
    return on_figure(target, minutes, bulk["seconds"] > BULK_1M_SECONDS)


def _gib(mib: float) -> str:
    return f"{mib / 1024:.2f} GiB"


def online_memory_target(scales: list[dict[str, Any]]) -> Verdict:
    target = (
        f"online import peak RSS ≤ {_gib(ONLINE_RSS_MIB)} at 1M and within "
        f"{ONLINE_RSS_FLAT:.1f}× from 100k to 1M"
    )
    large = figure(imported(at_scale(scales, LARGE), ONLINE), "peak_rss_mib")
    middle = figure(imported(at_scale(scales, MIDDLE), ONLINE), "peak_rss_mib")
    misses, unjudged, judged = [], [], 0
    if large is None:
        unjudged.append(_not_run(LARGE))
    else:
        judged += 1
        if large > ONLINE_RSS_MIB:
            misses.append(f"{_gib(large)} at 1m")
    growth = ratio(large, middle)
    if growth is None:
        if middle is None:  # (a missing 1m scale is said once, above)
            unjudged.append(_not_run(MIDDLE) + ", so flatness is not judged")
    else:
        judged += 1
        if growth > ONLINE_RSS_FLAT:
            misses.append(f"1m ÷ 100k {growth:.2f}×")
    return _verdict(target, misses, judged, unjudged)


def bulk_memory_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"bulk import peak RSS ≤ {_gib(BULK_RSS_MIB)} (with neo4j-admin's)"
    misses, unjudged, judged = [], [], 0
    for scale in scales:
        peak = figure(imported(scale, BULK), "peak_rss_mib")
        if peak is None:
            unjudged.append(f"{scale['name']} (bulk left out)")
            continue
        judged += 1
        if peak > BULK_RSS_MIB:
            misses.append(f"{scale['name']} ({_gib(peak)})")
    if at_scale(scales, LARGE) is None:
        unjudged.append(_not_run(LARGE))
    return _verdict(target, misses, judged, unjudged)


def online_growth_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"online import cost per event at 1M ≤ {COST_GROWTH_LIMIT:.1f}× at 10k"
    small = cost_per_event(imported(at_scale(scales, SMALL), ONLINE))
    large = cost_per_event(imported(at_scale(scales, LARGE), ONLINE))
    if small is None or large is None:
        missing = [_not_run(n) for n, cost in ((SMALL, small), (LARGE, large)) if cost is None]
        return Verdict(target, NOT_MEASURED, "; ".join(missing))
    found = large / small
    detail = f"{found:.2f}× ({large * 1e6:,.0f} µs ÷ {small * 1e6:,.0f} µs per event)"
    return on_figure(target, detail, found > COST_GROWTH_LIMIT)


def latency_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"every operation's p50 ≤ {LATENCY_LIMIT}× its floor at 1 client"
    misses, unjudged, judged = [], [], 0
    for scale in scales:
        for operation in scale["operations"]:
            ours, floor = point(operation, "ours", 1), point(operation, "floor", 1)
            found = ratio(figure(ours, "p50_ms"), figure(floor, "p50_ms"))
            where = f"{operation['name']} at {scale['name']}"
            if ours and ours["errors"]:
                misses.append(f"{where} ({ours['errors']} errors)")
                continue
            if found is None:
                unjudged.append(where)
                continue
            judged += 1
            if found > LATENCY_LIMIT:
                misses.append(f"{where} ({found:.2f}×)")
    return _verdict(target, misses, judged, unjudged)


def throughput_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"throughput ≥ {THROUGHPUT_FLOOR:.1f}× @neo4j/graphql at 8 and 32 clients"
    misses, unjudged, judged = [], [], 0
    for scale in scales:
        for operation in scale["operations"]:
            if operation["reference"] is None:
                continue
            for clients in (8, 32):
                ours = point(operation, "ours", clients)
                reference = point(operation, "reference", clients)
                where = f"{operation['name']} × {clients} at {scale['name']}"
                found = ratio(figure(ours, "throughput_rps"), figure(reference, "throughput_rps"))
                if ours and ours["errors"]:
                    misses.append(f"{where} ({ours['errors']} errors)")
                    continue
                if found is None:
                    unjudged.append(where)
                    continue
                judged += 1
                if found < THROUGHPUT_FLOOR:
                    misses.append(f"{where} ({found:.2f}×)")
    return _verdict(target, misses, judged, unjudged)


def growth_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"p50 at 1M events ≤ {GROWTH_LIMIT:.0f}× p50 at 10k (1 client)"
    small = next((s for s in scales if s["events"] == SMALL), None)
    large = next((s for s in scales if s["events"] == LARGE), None)
    if small is None or large is None:
        missing = " and ".join(
            name for name, scale in (("10k", small), ("1m", large)) if scale is None
        )
        return Verdict(
            target,
            NOT_MEASURED,
            f"the {missing} scale was not run (`BENCH_SCALES=10k,100k,1m make bench`); "
            "the growth table shows the scales that were",
        )
    misses, unjudged, judged = [], [], 0
    by_name = {operation["name"]: operation for operation in small["operations"]}
    for operation in large["operations"]:
        before = by_name.get(operation["name"])
        then = point(before, "ours", 1) if before else None
        found = ratio(figure(point(operation, "ours", 1), "p50_ms"), figure(then, "p50_ms"))
        if found is None:
            unjudged.append(operation["name"])
            continue
        judged += 1
        if found > GROWTH_LIMIT:
            misses.append(f"{operation['name']} ({found:.2f}×)")
    return _verdict(target, misses, judged, unjudged)


FEEDS_NOT_RUN = "the feeds were not run (`--only feeds`)"


def feed_overhead_target(feeds: dict[str, Any] | None) -> Verdict:
    target = (
        f"ACLED feed import ≤ {FEED_OVERHEAD_LIMIT:.1f}× the native import of its records "
        f"at {FEED_RECORDS // 1000}k"
    )
    adapter = None if feeds is None else feeds["adapter"]
    if adapter is None:
        return Verdict(target, NOT_MEASURED, FEEDS_NOT_RUN)
    found = adapter["time_ratio"]
    times = adapter["import"]
    detail = (
        f"{found:.2f}× ({times['feed']['seconds']:.1f} s ÷ {times['native']['seconds']:.1f} s "
        f"at {adapter['records']:,} rows)"
    )
    off = "the target names 100k rows" if adapter["records"] != FEED_RECORDS else None
    return on_figure(target, detail, found > FEED_OVERHEAD_LIMIT, off)


def gdelt_memory_target(feeds: dict[str, Any] | None) -> Verdict:
    target = (
        f"GDELT day in batches: peak RSS ≤ {_gib(GDELT_RSS_MIB)} and within "
        f"{GDELT_RSS_FLAT:.1f}× of half the day's"
    )
    gdelt = None if feeds is None else feeds["gdelt"]
    if gdelt is None:
        return Verdict(target, NOT_MEASURED, FEEDS_NOT_RUN)
    day, growth = gdelt["day"], gdelt["memory_ratio"]
    detail = (
        f"{_gib(day['peak_rss_mib'])} at {day['events']:,} events, {growth:.2f}× the "
        f"{gdelt['half']['events']:,}-event half's"
    )
    off = "the target names a 150k-event day" if day["events"] != GDELT_DAY_EVENTS else None
    missed = day["peak_rss_mib"] > GDELT_RSS_MIB or growth > GDELT_RSS_FLAT
    return on_figure(target, detail, missed, off)


FEED_TARGETS = (feed_overhead_target, gdelt_memory_target)
IMPORT_TARGETS = (
    online_speed_target,
    bulk_time_target,
    online_memory_target,
    bulk_memory_target,
    online_growth_target,
)
QUERY_TARGETS = (latency_target, throughput_target, growth_target)


def verdicts(
    scales: list[dict[str, Any]],
    query_scales: list[dict[str, Any]],
    queries_from: str | None,
    feeds: dict[str, Any] | None = None,
) -> list[Verdict]:
    """The imports judged from `scales`, the queries from `query_scales`, which come from the
    run `queries_from` names when not from this one (and are empty when there are none), the
    feeds from `feeds` (None when no run measured them)."""
    found = [judge(scales) for judge in IMPORT_TARGETS]
    found += [judge(feeds) for judge in FEED_TARGETS]
    for judge in QUERY_TARGETS:
        if not query_scales:
            found.append(Verdict(judge([]).target, NOT_MEASURED, "the queries were not run"))
            continue
        verdict = judge(query_scales)
        if queries_from is not None:
            verdict = Verdict(verdict.target, verdict.status, f"{verdict.detail} ({queries_from})")
        found.append(verdict)
    return found
