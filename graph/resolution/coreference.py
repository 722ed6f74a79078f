"""Event coreference proposals: pairs of events that probably describe one happening.

Read every live event (`event_reading.py`); block: two events meet only when their types are
compatible (`event_scoring.type_tags`), they share a participant or a place (or the area a
place lies in, narrower than a country), and their times overlap — within each block a sweep
over the events in order of start pairs only those whose intervals overlap, so nothing is
compared with everything. Then score each pair with its reasons (`event_scoring.py`). Nothing
is linked or merged here: `automatic` says which proposals a merge may apply without review.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from neo4j import Driver

from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.ontology import TimePrecision
from eventgraph.graph.resolution.event_reading import EventView, read_events
from eventgraph.graph.resolution.event_scoring import (
    AMBIGUITY_FLOOR,
    AMBIGUITY_MARGIN,
    AMBIGUOUS_WEIGHT,
    AUTOMATIC_SCORE,
    DEFAULT_MIN_SCORE,
    CoreferenceReasonKind,
    common_participants,
    evidence_for_automatic,
    pair_reasons,
    score_bound,
    type_tags,
)
from eventgraph.graph.resolution.proposals import (
    Alternative,
    Proposal,
    Proposed,
    check_min_score,
)
from eventgraph.graph.resolution.scoring import Reason, score_of

EVENT_LABEL = "Event"
CROWDED_BLOCK = 200
"""A block of more events than this is a hub: only events pinned in time meet in it."""
PINNED_PRECISIONS = frozenset({TimePrecision.EXACT, TimePrecision.DAY})
_NEVER = float("inf")


Key = tuple[str, str, str]


def block_keys(event: EventView) -> dict[Key, bool]:
    """Keys that events sharing one may be one happening by: (`at`, type tag, participant or
    place) and (`in`, type tag, area) for each area a place lies in or is. The flag says the
    event is at the area itself: in an `in` block only pairs with such a one are made (a report
    that gives the province meets every event in it; two events at two bases of one province
    meet by their participants, not by the province)."""
    keys: dict[Key, bool] = {}
    for tag in type_tags(event.type):
        for participant in event.participants:
            keys[("at", tag, participant.key)] = True
        for place in event.places:
            keys[("at", tag, place.key)] = True
            keys[("in", tag, place.key)] = True
            for area in place.narrow_within:
                keys.setdefault(("in", tag, area), False)
    return keys


def _start(event: EventView) -> float:
    return float("-inf") if event.start is None else event.start


def _end(event: EventView) -> float:
    return _NEVER if event.end is None else event.end


def _overlapping(
    members: Sequence[tuple[int, int]],
    starts: Sequence[float],
    ends: Sequence[float],
    needed: int = 1,
) -> Iterator[tuple[int, int]]:
    """Pairs of one block whose times overlap and whose flags together make `needed` (each
    key of the block is at the key itself on at least one side): a sweep in order of start,
    keeping the events that have not ended yet."""
    active: list[tuple[int, int]] = []
    for position, flags in sorted(members, key=lambda member: starts[member[0]]):
        start = starts[position]
        active = [other for other in active if ends[other[0]] >= start]
        for other, other_flags in active:
            if flags | other_flags == needed:
                yield (other, position) if other < position else (position, other)
        active.append((position, flags))


def _pinned(event: EventView) -> bool:
    return event.precision in PINNED_PRECISIONS


def _second_keys(
    key: Key, members: Sequence[tuple[int, int]], hub_keys: Sequence[list[tuple[Key, bool]]]
) -> dict[Key, list[tuple[int, int]]]:
    """A crowded block split by the other crowded keys of its events (flags: bit 0 at `key`,
    bit 1 at the second key). Two events that share a key not crowded already meet there."""
    split: dict[Key, list[tuple[int, int]]] = defaultdict(list)
    for position, flags in members:
        for other, at in hub_keys[position]:
            if other > key:
                split[other].append((position, flags | (2 if at else 0)))
    return split


def candidate_pairs(
    events: Sequence[EventView], crowded: int | None = CROWDED_BLOCK
) -> set[tuple[int, int]]:
    """Positions of the pairs blocking lets through, each once. In a block of more than
    `crowded` events (a hub: one country's air force, one busy airport) events whose time is
    pinned to the day or better meet; the others meet there only with events that share a
    second key with them, in a second block no more crowded (None: no block is crowded, as
    before the rule, for measuring it)."""
    keys = [block_keys(event) for event in events]
    starts, ends = [_start(event) for event in events], [_end(event) for event in events]
    blocks: dict[Key, list[tuple[int, int]]] = defaultdict(list)
    for position, event_keys in enumerate(keys):
        for key, at in event_keys.items():
            blocks[key].append((position, 1 if at else 0))
    hubs = set() if crowded is None else {k for k, m in blocks.items() if len(m) > crowded}
    hub_keys = [[(k, at) for k, at in event_keys.items() if k in hubs] for event_keys in keys]
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2 or not any(flags for _, flags in members):
            continue
        if crowded is None or len(members) <= crowded:
            pairs.update(_overlapping(members, starts, ends))
            continue
        pinned = [member for member in members if _pinned(events[member[0]])]
        pairs.update(_overlapping(pinned, starts, ends))
        loose = {position for position, _ in members if not _pinned(events[position])}
        for second in _second_keys(key, members, hub_keys).values():
            if 1 < len(second) <= crowded and any(p in loose for p, _ in second):
                pairs.update(
                    pair
                    for pair in _overlapping(second, starts, ends, needed=3)
                    if pair[0] in loose or pair[1] in loose
                )
    return pairs


def _side(event: EventView) -> Proposed:
    return Proposed(EVENT_LABEL, event.key, event.name, event.type)


def _rivals(scored: dict[tuple[str, str], float]) -> dict[str, list[tuple[float, str]]]:
    """Per event, the events it fits (score `AMBIGUITY_FLOOR` or more), with their scores."""
    fits: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (a, b), score in scored.items():
        if score >= AMBIGUITY_FLOOR:
            fits[a].append((score, b))
            fits[b].append((score, a))
    return fits


@dataclass(frozen=True)
class _Ambiguity:
    """One side of a pair fits other events about as well as the other side."""

    side: str
    others: tuple[str, ...]

    def reason(self) -> Reason:
        shown = ", ".join(self.others[:5]) + (" …" if len(self.others) > 5 else "")
        return Reason(
            CoreferenceReasonKind.AMBIGUOUS,
            f"{self.side} fits {shown} as well: for review",
            AMBIGUOUS_WEIGHT,
        )


def _ambiguity(
    pair: tuple[str, str], score: float, fits: dict[str, list[tuple[float, str]]]
) -> _Ambiguity | None:
    """A report that fits several events about equally well (a dated report of one of three
    undated flights fits all three) is evidence for none of them: the pair weighs less. The
    side that fits the most others is the one they are alternatives for. A pair that does not
    fit itself (below `AMBIGUITY_FLOOR`, a vetoed one) is not ambiguous, only weak."""
    if score < AMBIGUITY_FLOOR:
        return None
    sides = []
    for side, partner in (pair, pair[::-1]):
        others = sorted(
            {other for s, other in fits[side] if other != partner and s >= score - AMBIGUITY_MARGIN}
        )
        sides.append(_Ambiguity(side, tuple(others)))
    widest = max(sides, key=lambda found: len(found.others))
    return widest if widest.others else None


def propose_coreference(
    driver: Driver,
    database: str,
    min_score: float | None = None,
    first: int | None = None,
) -> list[Proposal]:
    """Pairs of events that probably describe one happening, best first, at most `first`."""
    least = check_min_score(DEFAULT_MIN_SCORE if min_score is None else min_score)
    if first is not None and first < 0:
        raise InvalidData([Problem("first", "first", f"{first} is negative")])
    return proposals_among(read_events(driver, database), least, first)


def proposals_among(
    events: Sequence[EventView], least: float, first: int | None = None
) -> list[Proposal]:
    """`propose_coreference` over events already read (a checked `least`). An event that fits
    several about as well makes one proposal, with the best of them and the rest as its
    alternatives, each with its own score and reasons."""
    found: dict[tuple[str, str], tuple[Reason, ...]] = {}
    sides: dict[str, Proposed] = {}
    floor = min(least, AMBIGUITY_FLOOR)
    common = common_participants(events)
    for i, j in candidate_pairs(events):
        a, b = sorted((events[i], events[j]), key=lambda event: event.key)
        if floor > 0 and score_bound(a, b, common) < floor:
            continue  # it can reach neither the threshold nor rival another pair
        found[(a.key, b.key)] = tuple(pair_reasons(a, b, common))
        sides[a.key], sides[b.key] = _side(a), _side(b)
    scores = {pair: score_of(reasons) for pair, reasons in found.items()}
    fits = _rivals(scores)
    ambiguities = {pair: _ambiguity(pair, scores[pair], fits) for pair in found}

    def explained(pair: tuple[str, str]) -> tuple[Reason, ...]:
        ambiguity = ambiguities[pair]
        return found[pair] if ambiguity is None else (*found[pair], ambiguity.reason())

    def alternative(side: str, other: str) -> Alternative:
        reasons = explained((side, other) if side < other else (other, side))
        return Alternative(sides[other], score_of(reasons), reasons)

    proposals = []
    ambiguous: dict[str, Proposal] = {}
    for pair, ambiguity in ambiguities.items():
        reasons = explained(pair)
        score = score_of(reasons)
        if score < least:
            continue
        if ambiguity is None:
            automatic = score >= AUTOMATIC_SCORE and evidence_for_automatic(reasons)
            proposals.append(
                Proposal(EVENT_LABEL, sides[pair[0]], sides[pair[1]], score, automatic, reasons)
            )
            continue
        side = ambiguity.side
        partner = pair[1] if pair[0] == side else pair[0]
        kept = ambiguous.get(side)
        if kept is not None and (-kept.score, kept.b.key) <= (-score, partner):
            continue  # one proposal per ambiguous event: its best candidate (then smallest key)
        alternatives = sorted(
            (alternative(side, other) for other in ambiguity.others),
            key=lambda fitting: (-fitting.score, fitting.node.key),
        )
        ambiguous[side] = Proposal(
            EVENT_LABEL, sides[side], sides[partner], score, False, reasons, tuple(alternatives)
        )
    proposals += ambiguous.values()
    proposals.sort(key=lambda p: (-p.score, p.a.key, p.b.key))
    return proposals if first is None else proposals[:first]
