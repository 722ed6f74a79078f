"""Event coreference against known answers (`python -m bench --only coreference`).

On a graph that holds a benchmark dataset (the online import leaves it), add a known tenth of
its events again as another source's report of the same happening, perturbed as such reports
are: the time known less precisely (an instant as its day, a day as its month, an interval
wider, a month as its year), and with half of them the place given as its province and one
participant missing; another event id, another source and report, no links to other events.
Add decoys that must not be proposed: interval-only repeats (the seed story's three An-124
flights: copies of an interval-dated event that its own report counts as further events) and
events of the same type on the same day with the same participants somewhere far away. Then
time `eventgraph resolve --events` and report precision, recall (per perturbation too), how
many decoys were taken, and what the automatic rule takes.

Before that, the originals that nothing they carry tells apart — the same type and places,
times that overlap, the participants of one all among the other's (the generator's two sorties
of one airframe to one base on one day, both known only to the day) — are given the instant the
generator drew each at, as a feed that counted them as two would have them (a tracker's times):
re-imported with an exact time, so that their times of day tell them apart. Without it the
known answers would call two events distinct that no evidence separates.
"""

import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from neo4j import Driver

from bench.event_stream import EventStream, exact_time
from bench.reports import Reports, build_reports
from bench.resolution import Pair, figures_of, share_text
from bench.world import BENCHMARK_WORLD, Record, World, WorldSize, build_world
from eventgraph.graph.importer import import_paths
from eventgraph.graph.ontology import TimePrecision
from eventgraph.graph.resolution import (
    COREFERENCE_AUTOMATIC_SCORE,
    COREFERENCE_MIN_SCORE,
    propose_coreference,
)
from eventgraph.graph.resolution.coreference import candidate_pairs
from eventgraph.graph.resolution.event_reading import read_events
from eventgraph.graph.resolution.event_scoring import CoreferenceReasonKind
from eventgraph.graph.resolution.proposals import Proposal
from eventgraph.graph.resolution.scoring import km_between
from eventgraph.graph.settings import Settings
from eventgraph.graph.timespan import span

SHARE = 0.1
"""Events reported again by another source: a tenth."""
PROVINCE_SHARE = 0.5
"""Of those, the share that give the place as its province (where the event has a place)."""
MISSING_SHARE = 0.5
"""… and the share that leave one participant out (where the event has two or more)."""
REPEATS = 0.005
"""Interval-only events repeated twice in their own report, per event."""
ELSEWHERE = 0.005
"""Day-dated events copied to a far place by another source, per event."""
FAR_KM = 500.0
LASTING_TYPES = frozenset({"airlift", "hiatus"})
"""Types the generator gives only as intervals of days to months: no instant is theirs, so
two alike ones are not given their times (and stay alike)."""
PRECISION_TARGET = 0.98
RECALL_TARGET = 0.9
SECONDS_TARGET = 60.0

_REMOVE_EARLIER = """
MATCH (e:Event)
WHERE e.id STARTS WITH 'dup-' OR e.id STARTS WITH 'decoy-'
OPTIONAL MATCH (c:Claim)-[:SUPPORTS]->(e)
DETACH DELETE c, e
"""


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass
class Truth:
    """The added events and the answers coreference should give."""

    events: list[Record] = field(default_factory=list)
    duplicates: set[Pair] = field(default_factory=set)
    perturbations: dict[Pair, tuple[str, ...]] = field(default_factory=dict)
    decoys: dict[str, set[Pair]] = field(default_factory=dict)
    """Kind of decoy → pairs that must not be proposed."""
    timed: list[Record] = field(default_factory=list)
    """Originals alike with another, given the exact time they were drawn at (`timed_alike`)."""


class Places:
    """Where the world's places lie: each one's province and point."""

    def __init__(self, world: World) -> None:
        self.record = {r["id"]: r for r in world.locations}
        self.located = {r["id"]: r["located_at"] for r in world.assets if r.get("located_at")}
        self.airfields = world.airfields

    def province(self, key: str) -> str | None:
        here: str | None = self.located.get(key, key)
        while here is not None and here in self.record:
            if self.record[here]["kind"] == "province":
                return here
            here = self.record[here].get("within")
        return None

    def point(self, key: str) -> tuple[float, float] | None:
        record = self.record.get(self.located.get(key, key))
        if record is None or "point" not in record:
            return None
        return float(record["point"]["lat"]), float(record["point"]["lon"])

    def far_from(self, key: str, rng: random.Random) -> str | None:
        here = self.point(key)
        if here is None:
            return None
        for other in rng.sample(self.airfields, min(40, len(self.airfields))):
            there = self.point(other)
            if there is not None and km_between(*here, *there) > FAR_KM:
                return str(other)
        return None


def _coarser(time: Record, rng: random.Random) -> tuple[Record, str]:
    """The time as a later, less precise report gives it."""
    precision = time["precision"]
    start = str(time.get("start", ""))
    if precision == "exact":
        return {"start": start[:10], "precision": "day"}, "instant as its day"
    if precision == "day":
        return {"start": start[:7], "precision": "month"}, "day as its month"
    if precision == "month":
        return {"start": start[:4], "precision": "year"}, "month as its year"
    wider: Record = {"precision": "interval"}
    if "start" in time:
        wider["start"] = start[:7] if len(start) >= 7 else start
    if "end" in time:
        wider["end"] = str(time["end"])[:7]
    return wider, "interval wider"


def _other_claim(event: Record, reports: Reports, sources: list[str], rng: random.Random) -> Record:
    """A claim by a source the event's claims do not cite, in a report none of them is in."""
    cited = {claim["source"] for claim in event["claims"]}
    in_reports = {claim.get("report") for claim in event["claims"]}
    day = _day_of(event)
    for _ in range(10):
        report = reports.soon_after(day, rng) if day is not None else None
        if report and report["publisher"] not in cited and report["id"] not in in_reports:
            return {
                "source": report["publisher"],
                "report": report["id"],
                "credibility": rng.choice((2, 3)),
                "paraphrase": f"Reports it too: {event['name']}.",
            }
    source = rng.choice([s for s in sources if s not in cited])
    return {"source": source, "credibility": 3, "paraphrase": f"Reports it too: {event['name']}."}


def _day_of(event: Record) -> date | None:
    start = str(event["time"].get("start", ""))
    if len(start) >= 10:
        return date.fromisoformat(start[:10])
    if len(start) == 7:
        return date.fromisoformat(f"{start}-01")
    return None


def _without_links(event: Record) -> Record:
    return {k: v for k, v in event.items() if k not in ("part_of", "about", "ends", "claims")}


def _duplicate(
    event: Record, places: Places, reports: Reports, sources: list[str], rng: random.Random
) -> tuple[Record, tuple[str, ...]]:
    copy = _without_links(event)
    copy["id"] = f"dup-{event['id']}"
    copy["name"] = f"{event['name']} (another report)"
    copy["time"], coarser = _coarser(event["time"], rng)
    done = [coarser]
    place_field = "destination" if "destination" in event else "at" if "at" in event else None
    if place_field is not None and rng.random() < PROVINCE_SHARE:
        place = event[place_field][0] if place_field == "at" else event[place_field]
        province = places.province(place)
        if province is not None:
            copy[place_field] = [province] if place_field == "at" else province
            copy["place_precision"] = "province"
            done.append("place as its province")
    if len(event["participants"]) >= 2 and rng.random() < MISSING_SHARE:
        participants = list(event["participants"])
        participants.pop(rng.randrange(len(participants)))
        copy["participants"] = participants
        done.append("one participant missing")
    copy["claims"] = [_other_claim(event, reports, sources, rng)]
    return copy, tuple(done)


def _repeats(event: Record) -> Iterator[Record]:
    """Two more events its own report counts (same claims, same report): three flights."""
    for n in (1, 2):
        copy = _without_links(event)
        copy["id"] = f"decoy-repeat-{n}-{event['id']}"
        copy["name"] = f"{event['name']} ({n + 1} of 3)"
        copy["claims"] = [dict(claim) for claim in event["claims"]]
        yield copy


def _elsewhere(
    event: Record, places: Places, reports: Reports, sources: list[str], rng: random.Random
) -> Record | None:
    """The same type on the same day with the same participants, far away, by another source."""
    place_field = "destination" if "destination" in event else "at" if "at" in event else None
    if place_field is None:
        return None
    place = event[place_field][0] if place_field == "at" else event[place_field]
    far = places.far_from(place, rng)
    if far is None:
        return None
    copy = _without_links(event)
    copy["id"] = f"decoy-elsewhere-{event['id']}"
    copy[place_field] = [far] if place_field == "at" else far
    copy.pop("origin", None)
    copy["claims"] = [_other_claim(event, reports, sources, rng)]
    return copy


def _places_of(event: Record) -> tuple[tuple[str, str], ...]:
    places: list[tuple[str, str]] = [("at", ref) for ref in event.get("at", ())]
    places += [(end, event[end]) for end in ("origin", "destination") if end in event]
    return tuple(sorted(places))


def _participants_of(event: Record) -> frozenset[tuple[str, str]]:
    return frozenset((p["role"], p["ref"]) for p in event["participants"])


def _seconds(event: Record) -> tuple[float, float]:
    time = event["time"]
    found = span(time.get("start"), time.get("end"), TimePrecision(time["precision"]))
    start = found.start.timestamp() if found.start is not None else float("-inf")
    return start, found.end.timestamp() if found.end is not None else float("inf")


def alike_originals(originals: list[Record]) -> set[int]:
    """Positions of the originals that nothing they carry tells from another: the same type
    and places (by role), times that overlap as given, and the participants of one all among
    the other's. A sweep in order of start within each (type, places)."""
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[int]] = {}
    for position, event in enumerate(originals):
        if event["type"] not in LASTING_TYPES:
            groups.setdefault((event["type"], _places_of(event)), []).append(position)
    alike: set[int] = set()
    for positions in groups.values():
        if len(positions) < 2:
            continue
        times = {position: _seconds(originals[position]) for position in positions}
        active: list[int] = []
        for position in sorted(positions, key=lambda p: times[p]):
            active = [other for other in active if times[other][1] >= times[position][0]]
            mine = _participants_of(originals[position])
            for other in active:
                theirs = _participants_of(originals[other])
                if mine <= theirs or theirs <= mine:
                    alike |= {position, other}
            active.append(position)
    return alike


def timed_alike(drawn: list[tuple[Record, datetime]]) -> tuple[list[Record], list[Record]]:
    """The originals, those alike with another (`alike_originals`) given the exact time they
    were drawn at unless theirs is exact already; and the ones so given."""
    originals = [event for event, _ in drawn]
    timed = []
    for position in sorted(alike_originals(originals)):
        event, when = drawn[position]
        if event["time"]["precision"] != "exact":
            kept = {k: v for k, v in event["time"].items() if k in ("year_assumed", "note")}
            originals[position] = {**event, "time": {**exact_time(when), **kept}}
            timed.append(originals[position])
    return originals, timed


def duplicated_events(seed: int, events: int, size: WorldSize = BENCHMARK_WORLD) -> Truth:
    """The events to add to the dataset of this seed and size (and the originals to give
    their exact time), and the known answers."""
    world = build_world(seed, size)
    reports = build_reports(world, events, seed)
    places = Places(world)
    originals, timed = timed_alike(list(EventStream(world, reports, events, seed).drawn()))
    rng = random.Random(f"eventgraph-bench/coreference/{seed}")
    truth = Truth(decoys={"interval-only repeats": set(), "same day, far away": set()})
    truth.timed = timed
    chosen = set(rng.sample(range(len(originals)), max(1, round(SHARE * len(originals)))))
    for position in sorted(chosen):
        event = originals[position]
        duplicate, done = _duplicate(event, places, reports, world.source_ids, rng)
        truth.events.append(duplicate)
        pair = _pair(event["id"], duplicate["id"])
        truth.duplicates.add(pair)
        truth.perturbations[pair] = done
    rest = [event for n, event in enumerate(originals) if n not in chosen]
    intervals = [
        e
        for e in rest
        if e["time"]["precision"] == "interval" and any("report" in c for c in e["claims"])
    ]
    for event in rng.sample(intervals, min(len(intervals), max(1, round(REPEATS * events)))):
        made = list(_repeats(event))
        truth.events += made
        keys = [event["id"], *(m["id"] for m in made)]
        truth.decoys["interval-only repeats"] |= {
            _pair(a, b) for n, a in enumerate(keys) for b in keys[n + 1 :]
        }
    dated = [e for e in rest if e["time"]["precision"] == "day"]
    for event in rng.sample(dated, min(len(dated), max(1, round(ELSEWHERE * events)))):
        copy = _elsewhere(event, places, reports, world.source_ids, rng)
        if copy is not None:
            truth.events.append(copy)
            truth.decoys["same day, far away"].add(_pair(event["id"], copy["id"]))
    return truth


def add_to_graph(driver: Driver, settings: Settings, truth: Truth) -> None:
    """Import the added events and the originals given their exact time (as any import
    would: the import replaces an event's time), having removed an earlier run's."""
    driver.execute_query(_REMOVE_EARLIER, database_=settings.neo4j_database)
    with tempfile.TemporaryDirectory(prefix="eventgraph-coreference-") as folder:
        added = Path(folder) / "reported-again.json"
        added.write_bytes(orjson.dumps({"events": [*truth.timed, *truth.events]}))
        import_paths(
            driver, settings.neo4j_database, [added], max_bytes=settings.import_max_mb * 2**20
        )


def _pairs_named(proposal: Proposal) -> list[Pair]:
    """The pair a proposal names and, for an ambiguous one, the pairs of its alternatives."""
    sides = (proposal.b, *(alternative.node for alternative in proposal.alternatives))
    return [_pair(proposal.a.key, side.key) for side in sides]


def review_figures(proposals: list[Proposal], known: set[Pair]) -> dict[str, Any]:
    """The proposals as review items: one is right when its pair is a known answer or, for an
    ambiguous one ("this report is one of these"), when one of its alternatives' is; found:
    the known answers some item names."""
    right = [p for p in proposals if any(pair in known for pair in _pairs_named(p))]
    found = {pair for p in right for pair in _pairs_named(p)} & known
    with_alternatives = [p for p in proposals if p.alternatives]
    return {
        "proposed": len(proposals),
        "known": len(known),
        "found": len(found),
        "precision": len(right) / len(proposals) if proposals else None,
        "recall": len(found) / len(known) if known else None,
        "with_alternatives": len(with_alternatives),
        "right_with_alternatives": sum(1 for p in right if p.alternatives),
        "alternatives_mean": (
            sum(len(p.alternatives) for p in with_alternatives) / len(with_alternatives)
            if with_alternatives
            else None
        ),
    }


def evaluate(driver: Driver, settings: Settings, truth: Truth) -> dict[str, Any]:
    """Time the proposals and hold them to the known answers."""
    started = time.monotonic()
    proposals = propose_coreference(driver, settings.neo4j_database)
    seconds = time.monotonic() - started
    events = read_events(driver, settings.neo4j_database)
    pairs = len(candidate_pairs(events))
    unbounded = len(candidate_pairs(events, crowded=None))
    proposed = {pair for p in proposals for pair in _pairs_named(p)}
    automatic = {_pair(p.a.key, p.b.key) for p in proposals if p.automatic}
    unambiguous = {
        _pair(p.a.key, p.b.key)
        for p in proposals
        if all(r.kind is not CoreferenceReasonKind.AMBIGUOUS for r in p.reasons)
    }
    added = {event["id"] for event in truth.events}
    known = Counter(kind for done in truth.perturbations.values() for kind in done)
    hits = Counter(
        kind for pair, done in truth.perturbations.items() if pair in proposed for kind in done
    )
    return {
        "min_score": COREFERENCE_MIN_SCORE,
        "automatic_score": COREFERENCE_AUTOMATIC_SCORE,
        "seconds": seconds,
        "added_events": len(truth.events),
        "timed_originals": len(truth.timed),
        "candidate_pairs": pairs,
        "candidate_pairs_without_hub_rule": unbounded,
        "proposals": review_figures(proposals, truth.duplicates),
        "pairs": figures_of(proposed, truth.duplicates),
        "unambiguous": figures_of(unambiguous, truth.duplicates),
        "automatic": figures_of(automatic, truth.duplicates),
        "wrong_between_originals": sum(
            1 for a, b in proposed - truth.duplicates if a not in added and b not in added
        ),
        "perturbations": {
            kind: {"known": known[kind], "found": hits[kind]} for kind in sorted(known)
        },
        "decoys": {
            kind: {"pairs": len(pairs), "proposed": len(pairs & proposed)}
            for kind, pairs in truth.decoys.items()
        },
    }


def run_coreference(
    driver: Driver, settings: Settings, seed: int, events: int, size: WorldSize = BENCHMARK_WORLD
) -> dict[str, Any]:
    """Add the reported-again events and decoys of this dataset, then measure the proposals."""
    truth = duplicated_events(seed, events, size)
    add_to_graph(driver, settings, truth)
    return evaluate(driver, settings, truth)


def coreference_section(runs: list[dict[str, Any]] | None) -> list[str]:
    """The report's markdown for the coreference runs (one per scale), or nothing."""
    if not runs:
        return []
    lines = [
        "## Event coreference",
        "",
        "`python -m bench --only coreference`: bench/coreference.py reports a tenth of the "
        "imported events again by another source (time less precise, place as its province, "
        "a participant missing), adds decoys, then times `eventgraph resolve --events` "
        f"(proposals at {COREFERENCE_MIN_SCORE} or more; automatic at "
        f"{COREFERENCE_AUTOMATIC_SCORE}). Targets: precision ≥ {PRECISION_TARGET} with "
        f"recall ≥ {RECALL_TARGET}; ≤ {SECONDS_TARGET:g} s. `proposals`: the review items, "
        "where a report that fits several events about as well is one proposal with the best "
        "of them and the others as alternatives, right when the known answer is among them; "
        "`every pair`: each pair a proposal names, its alternatives' too (so an item with "
        "alternatives is counted right by any one of them: the last table says how many items "
        "have alternatives and how many each has on average); `unambiguous`: the "
        "proposals not marked `ambiguous`; "
        "wrong between originals: wrong proposals that pair two events of the dataset itself, "
        "neither of them added; originals timed: those that nothing else tells from another "
        "(same type, places, participants, overlapping times), given the exact time the "
        "generator drew them at, as a feed that counted them as two would have them.",
        "",
        "| scale | proposals | proposed | known | found | precision | recall | time |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        for name in ("proposals", "pairs", "unambiguous", "automatic"):
            f = run.get(name)
            if f is None:
                continue
            shown = "every pair" if name == "pairs" else name
            lines.append(
                f"| {run['scale']} | {shown} | {f['proposed']:,} | {f['known']:,} | "
                f"{f['found']:,} | {share_text(f['precision'])} | {share_text(f['recall'])} | "
                f"{run['seconds']:.1f} s |"
            )
    lines += [
        "",
        "| scale | candidate pairs | recall per perturbation | decoys proposed | "
        "wrong between originals | originals timed |",
        "| --- | ---: | --- | --- | ---: | ---: |",
    ]
    for run in runs:
        per = ", ".join(f"{k} {v['found']}/{v['known']}" for k, v in run["perturbations"].items())
        decoys = ", ".join(f"{k} {v['proposed']}/{v['pairs']}" for k, v in run["decoys"].items())
        pairs = run.get("candidate_pairs")
        before = run.get("candidate_pairs_without_hub_rule")
        shown = "" if pairs is None else f"{pairs:,} (without the hub rule {before:,})"
        between = run.get("wrong_between_originals")
        timed = run.get("timed_originals")
        lines.append(
            f"| {run['scale']} | {shown} | {per} | {decoys} | "
            f"{'' if between is None else f'{between:,}'} | "
            f"{'' if timed is None else f'{timed:,}'} |"
        )
    lines += [
        "",
        "| scale | items with alternatives | of them right | alternatives per such item |",
        "| --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        f = run["proposals"]
        if "with_alternatives" not in f:
            continue  # a run from before items had alternatives counted
        mean = f["alternatives_mean"]
        lines.append(
            f"| {run['scale']} | {f['with_alternatives']:,} of {f['proposed']:,} | "
            f"{f['right_with_alternatives']:,} | {'' if mean is None else f'{mean:.1f}'} |"
        )
    return [*lines, ""]
