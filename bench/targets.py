"""The four targets of issue 6, judged from the measured results (never typed in).

1. import ≥ 1.0× the LOAD CSV reference's events/s, at every scale;
2. every operation's p50 ≤ 1.3× its floor's at 1 client, at every scale;
3. throughput ≥ 1.0× @neo4j/graphql on every shared operation at 8 and 32 clients;
4. p50 at 1M events ≤ 2× p50 at 10k events, for every (index-backed) operation.

A target that a run could not judge (the 1M scale not run, the reference left out, a point
without answers) says "not measured" and why, never "met".
"""

from dataclasses import dataclass
from typing import Any

MET, MISSED, NOT_MEASURED = "met", "missed", "not measured"
LATENCY_LIMIT = 1.3
THROUGHPUT_FLOOR = 1.0
IMPORT_FLOOR = 1.0
GROWTH_LIMIT = 2.0
SMALL, LARGE = 10_000, 1_000_000


@dataclass(frozen=True)
class Verdict:
    target: str
    status: str
    detail: str


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


def import_target(scales: list[dict[str, Any]]) -> Verdict:
    target = f"import ≥ {IMPORT_FLOOR:.1f}× LOAD CSV events/s"
    misses, unjudged, judged = [], [], 0
    for scale in scales:
        figures = scale["import"]
        found = ratio(figures["eventgraph"]["events_per_s"], figures["load_csv"]["events_per_s"])
        if found is None:
            unjudged.append(scale["name"])
            continue
        judged += 1
        if found < IMPORT_FLOOR:
            misses.append(f"{scale['name']} ({found:.2f}×)")
    return _verdict(target, misses, judged, unjudged)


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


def verdicts(scales: list[dict[str, Any]]) -> list[Verdict]:
    return [
        import_target(scales),
        latency_target(scales),
        throughput_target(scales),
        growth_target(scales),
    ]
