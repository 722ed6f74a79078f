"""One pair of events' reasons: do they describe one happening?

The score is the sum of the reasons' weights, held to [0, 1] (`scoring.score_of`, as for
entities). What counts: compatible types, times that agree as precisely as both are known,
places that agree within their precision, shared participants by role, and that two sources
report it. A veto (`scoring.VETO`) says the two are distinct whatever else agrees: one report
names both (a report that counts three flights means three), one is part of or about the
other, their times do not overlap, their places lie far apart.

The interval rule: two times known only as intervals ("between 24 and 27 October", a month)
that overlap, even exactly, are no evidence of one happening; the reason says so and weighs
nothing, so such pairs rest on place and participants alone and never reach
`AUTOMATIC_SCORE` (docs/resolution.md). An interval that lies within a longer one ("24 to 27
October" in "October") fits it as a day within it does, and weighs as much (`interval_within`),
but is never evidence for `automatic` either.

Agreement on a common participant weighs less than on a rare one (`Commonness`): the
term-frequency adjustment of record linkage.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from eventgraph.graph.ontology import (
    EVENT_TYPES_BY_NAME,
    PLACE_RADIUS_KM,
    ROLES,
    PlacePrecision,
    TimePrecision,
)
from eventgraph.graph.resolution.event_reading import EventPlace, EventView, Participant
from eventgraph.graph.resolution.scoring import FAR_SLACK_KM, VETO, Reason, km_between


class CoreferenceReasonKind(StrEnum):
    SAME_TYPE = "same_type"
    COMPATIBLE_TYPE = "compatible_type"
    SAME_TIME = "same_time"
    TIME_WITHIN = "time_within"
    INTERVAL_ONLY = "interval_only"
    INTERVAL_WITHIN = "interval_within"
    TIME_APART = "time_apart"
    SAME_PLACE = "same_place"
    NEAR = "near"
    PLACE_WITHIN = "place_within"
    FAR = "far"
    SHARED_PARTICIPANTS = "shared_participants"
    ROLE_DIFFERS = "role_differs"
    DIFFERENT_SOURCES = "different_sources"
    SAME_REPORT = "same_report"
    LINKED = "linked"
    AMBIGUOUS = "ambiguous"


MAX_PAIR_REASONS = len(CoreferenceReasonKind) - 1 + len(ROLES)
"""The most reasons one pair can have: each kind once, but `role_differs` once per role (the
GraphQL cost estimate counts a pair's reasons as this many, `api/graphql/cost.py`)."""


SAME_TYPE_WEIGHT = 0.15
COMPATIBLE_TYPE_WEIGHT = 0.1
"""Two types the taxonomy maps to one ACLED, CAMEO or PLOVER type (an attack and a defence)."""
SAME_TIME_WEIGHT = 0.3
"""Both known to the day or better, and overlapping."""
TIME_WITHIN_WEIGHTS = ((7, 0.2), (31, 0.15))
"""One known to the day or better, within the other's coarser time: what it weighs when the
coarser one spans at most so many days (a week, a month); a longer one (a year, an open end)
says little of when (`TIME_WITHIN_LEAST`)."""
TIME_WITHIN_LEAST = 0.05
SAME_PLACE_WEIGHT = 0.25
NEAR_WEIGHT = 0.2
PLACE_WITHIN_WEIGHT = 0.1
"""One's place lies in the other's (a base in the province another report names)."""
NEAR_MAX_RADIUS_KM = PLACE_RADIUS_KM[PlacePrecision.DISTRICT]
"""Places known less precisely than this are never `near` anything: a province-known place
is not near a point, it is at most around it (`place_within`)."""
PARTICIPANT_WEIGHT = 0.15
"""Per shared participant in one role, up to `PARTICIPANTS_CAP`."""
PARTICIPANTS_CAP = 0.3
COMMON_PARTICIPANT_WEIGHT = 0.1
"""Per shared participant that is common among events of the type (`COMMON_EVENTS`): as a
common surname is weaker evidence than a rare one in record linkage, one air force named by
thousands of flights says less that two flights are one than a rarely seen airframe does."""
COMMON_EVENTS = 200
"""A participant named by more events of one type than this is common in that type (the size
of a crowded block, `coreference.CROWDED_BLOCK`)."""
ROLE_DIFFERS_WEIGHT = -0.5
"""Per role both name someone in and share no one (two airframes, two perpetrators)."""
DIFFERENT_SOURCES_WEIGHT = 0.05
DEFAULT_MIN_SCORE = 0.5
"""Coreference proposals below this are not shown unless asked for."""
AUTOMATIC_SCORE = 0.9
"""At or above this, with the time known to the day on at least one side, the places one or
near, and no other event fitting as well, a proposal is `automatic`: the one rule under which
linking two events may be applied without review."""

_SECONDS_PER_DAY = 86_400
AMBIGUOUS_WEIGHT = -0.25
"""Taken off a pair when one of its events fits another about as well …"""
AMBIGUITY_MARGIN = 0.05
"""… scoring at least this little less …"""
AMBIGUITY_FLOOR = 0.5
"""… where only rivals that score this much (before the penalty) count."""
PINNED = frozenset({TimePrecision.EXACT, TimePrecision.DAY})
"""Precisions that pin an event to one day or better: only they are evidence of one time."""
_TIME_EVIDENCE = frozenset({CoreferenceReasonKind.SAME_TIME, CoreferenceReasonKind.TIME_WITHIN})
_PLACE_EVIDENCE = frozenset({CoreferenceReasonKind.SAME_PLACE, CoreferenceReasonKind.NEAR})


def type_tags(event_type: str) -> frozenset[str]:
    """What makes two types compatible: the type itself and each interchange code the
    taxonomy gives it (an airlift and a deployment are both CAMEO 154)."""
    known = EVENT_TYPES_BY_NAME.get(event_type)
    tags = {f"type:{event_type}"}
    if known is not None:
        if known.acled is not None:
            tags.add(f"ACLED {known.acled[0]}/{known.acled[1]}")
        if known.cameo is not None:
            tags.add(f"CAMEO {known.cameo}")
        if known.plover is not None:
            tags.add(f"PLOVER {known.plover}")
    return frozenset(tags)


def _type_reason(a: EventView, b: EventView) -> Reason | None:
    if a.type == b.type:
        return Reason(CoreferenceReasonKind.SAME_TYPE, f"both are {a.type}", SAME_TYPE_WEIGHT)
    shared = sorted(tag for tag in type_tags(a.type) & type_tags(b.type))
    if not shared:
        return None
    return Reason(
        CoreferenceReasonKind.COMPATIBLE_TYPE,
        f"{a.type} and {b.type} are both {', '.join(shared)}",
        COMPATIBLE_TYPE_WEIGHT,
    )


def _day(seconds: int | None) -> str:
    if seconds is None:
        return "open"
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


def _minute(seconds: int | None) -> str:
    if seconds is None:
        return "open"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


def _when(event: EventView) -> str:
    """The time as the reasons show it: an exact one with its time of day (two sorties of one
    airframe on one day are told apart by it), the others by their days."""
    shown = _minute if event.precision is TimePrecision.EXACT else _day
    start, end = shown(event.start), shown(event.end)
    return start if start == end else f"{start} to {end}"


def overlap(a: EventView, b: EventView) -> bool:
    """The two times share an instant (an open bound reaches any time)."""
    a_end = a.end if a.end is not None else float("inf")
    b_end = b.end if b.end is not None else float("inf")
    a_start = a.start if a.start is not None else float("-inf")
    b_start = b.start if b.start is not None else float("-inf")
    return a_start <= b_end and b_start <= a_end


def _pinned(event: EventView) -> bool:
    return event.precision in PINNED and event.start is not None


def _within_weight(coarse: EventView) -> float:
    if coarse.start is None or coarse.end is None:
        return TIME_WITHIN_LEAST
    days = (coarse.end - coarse.start) / _SECONDS_PER_DAY
    for most, weight in TIME_WITHIN_WEIGHTS:
        if days <= most:
            return weight
    return TIME_WITHIN_LEAST


def _lies_within(inner: EventView, outer: EventView) -> bool:
    """`inner`'s interval lies within `outer`'s and is shorter (equal intervals do not)."""
    if None in (inner.start, inner.end, outer.start, outer.end):
        return False
    assert inner.start is not None and inner.end is not None  # for the type checker
    assert outer.start is not None and outer.end is not None
    inside = outer.start <= inner.start and inner.end <= outer.end
    return inside and inner.end - inner.start < outer.end - outer.start


def _time_evidence(a: EventView, b: EventView) -> tuple[CoreferenceReasonKind, float]:
    """What the two times say, and what it weighs (the one place the time rules live)."""
    if not overlap(a, b):
        return CoreferenceReasonKind.TIME_APART, VETO
    if _pinned(a) and _pinned(b):
        return CoreferenceReasonKind.SAME_TIME, SAME_TIME_WEIGHT
    if _pinned(a) or _pinned(b):
        return CoreferenceReasonKind.TIME_WITHIN, _within_weight(b if _pinned(a) else a)
    if _lies_within(a, b) or _lies_within(b, a):
        return CoreferenceReasonKind.INTERVAL_WITHIN, _within_weight(b if _lies_within(a, b) else a)
    return CoreferenceReasonKind.INTERVAL_ONLY, 0.0


def _time_reason(a: EventView, b: EventView) -> Reason:
    kind, weight = _time_evidence(a, b)
    if kind is CoreferenceReasonKind.TIME_APART:
        detail = f"{_when(a)} and {_when(b)} do not overlap"
    elif kind is CoreferenceReasonKind.SAME_TIME:
        detail = f"{_when(a)} and {_when(b)} ({a.precision}, {b.precision}) overlap"
    elif kind is CoreferenceReasonKind.TIME_WITHIN:
        fine, coarse = (a, b) if _pinned(a) else (b, a)
        detail = (
            f"{_when(fine)} ({fine.precision}) lies within {_when(coarse)} ({coarse.precision})"
        )
    elif kind is CoreferenceReasonKind.INTERVAL_WITHIN:
        fine, coarse = (a, b) if _lies_within(a, b) else (b, a)
        detail = (
            f"{_when(fine)} ({fine.precision}) lies within the longer {_when(coarse)} "
            f"({coarse.precision}): it fits, as a day within it would, but pins no day"
        )
    else:
        detail = (
            f"{_when(a)} and {_when(b)} are known only as intervals: overlapping (even equal) "
            "intervals are no evidence of one happening"
        )
    return Reason(kind, detail, weight)


def _one_place(x: EventPlace, y: EventPlace) -> Reason | None:
    if x.key == y.key:
        return Reason(CoreferenceReasonKind.SAME_PLACE, f"both at {x.key}", SAME_PLACE_WEIGHT)
    if y.key in x.within or x.key in y.within:
        inner, outer = (x, y) if y.key in x.within else (y, x)
        return Reason(
            CoreferenceReasonKind.PLACE_WITHIN,
            f"{inner.key} lies in {outer.key}",
            PLACE_WITHIN_WEIGHT,
        )
    if x.lat is None or y.lat is None or x.lon is None or y.lon is None:
        return None
    if x.radius_km is None or y.radius_km is None:
        return None  # a region: never near, never far
    km, allowed = km_between(x.lat, x.lon, y.lat, y.lon), x.radius_km + y.radius_km
    if km > 2 * allowed + FAR_SLACK_KM:
        return Reason(
            CoreferenceReasonKind.FAR,
            f"{x.key} and {y.key} are {km:.0f} km apart, beyond their {allowed:g} km",
            VETO,
        )
    if km <= allowed and max(x.radius_km, y.radius_km) <= NEAR_MAX_RADIUS_KM:
        return Reason(
            CoreferenceReasonKind.NEAR,
            f"{x.key} and {y.key} are {km:.1f} km apart, within their {allowed:g} km",
            NEAR_WEIGHT,
        )
    return None


def _place_reason(a: EventView, b: EventView) -> Reason | None:
    """Places compared role by role (origin with origin …), or all with all when the two give
    them in different roles; a far pair in any role vetoes, else the best agreement counts."""
    roles = {p.role for p in a.places} & {p.role for p in b.places}
    best: Reason | None = None
    compared: list[str | None] = [*sorted(roles)] or [None]
    for role in compared:
        found = [
            reason
            for x in a.places
            for y in b.places
            if role is None or x.role == y.role == role
            if (reason := _one_place(x, y)) is not None
        ]
        agreeing = [reason for reason in found if not reason.veto]
        if found and not agreeing:
            return found[0]
        for reason in agreeing:
            if best is None or reason.weight > best.weight:
                best = reason
    return best


def _fits(x: Participant, y: Participant) -> bool:
    """One participant: the same node, or an airframe and the type that is all another report
    knows of it."""
    return x.key == y.key or x.type_key == y.key or x.key == y.type_key


def _matches_by_role(a: EventView, b: EventView) -> list[tuple[str, list[str]]]:
    """For each role both name someone in (in order), the participants of `a` in it that fit
    one of `b`'s: none means the role differs."""
    ours, theirs = a.by_role, b.by_role
    return [
        (role, [x.key for x in ours[role] if any(_fits(x, y) for y in theirs[role])])
        for role in sorted(ours.keys() & theirs.keys())
    ]


Commonness = Mapping[tuple[str, str], int]
"""(event type, participant) → how many events of the type name it, for the common ones only."""


def common_participants(events: Sequence[EventView], more_than: int = COMMON_EVENTS) -> Commonness:
    """The participants named by more than `more_than` events of one type."""
    named = Counter(
        (event.type, key) for event in events for key in {p.key for p in event.participants}
    )
    return {pair: count for pair, count in named.items() if count > more_than}


def _participants_weight(weights: Iterable[float]) -> float:
    return round(min(PARTICIPANTS_CAP, sum(weights)), 3)


def _commonness(a: EventView, b: EventView, key: str, common: Commonness) -> int | None:
    """How many events name `key` in the type of `a` or of `b`, if it is common in either."""
    counts = [c for t in {a.type, b.type} if (c := common.get((t, key))) is not None]
    return max(counts) if counts else None


def _participant_weight(a: EventView, b: EventView, key: str, common: Commonness) -> float:
    if _commonness(a, b, key, common) is None:
        return PARTICIPANT_WEIGHT
    return COMMON_PARTICIPANT_WEIGHT


def _participant_reasons(a: EventView, b: EventView, common: Commonness) -> list[Reason]:
    shared: list[str] = []
    weights: list[float] = []
    reasons: list[Reason] = []
    for role, matched in _matches_by_role(a, b):
        if matched:
            for key in matched:
                count = _commonness(a, b, key, common)
                shared.append(
                    f"{role} {key}" + ("" if count is None else f" (common: in {count:,} events)")
                )
                weights.append(_participant_weight(a, b, key, common))
        else:
            left = ", ".join(x.key for x in a.by_role[role])
            right = ", ".join(y.key for y in b.by_role[role])
            reasons.append(
                Reason(
                    CoreferenceReasonKind.ROLE_DIFFERS,
                    f"{role}: {left} is not {right}",
                    ROLE_DIFFERS_WEIGHT,
                )
            )
    if shared:
        reasons.insert(
            0,
            Reason(
                CoreferenceReasonKind.SHARED_PARTICIPANTS,
                "; ".join(shared),
                _participants_weight(weights),
            ),
        )
    return reasons


def _provenance_reason(a: EventView, b: EventView) -> Reason | None:
    same_report = sorted(a.reports & b.reports)
    if same_report:
        return Reason(
            CoreferenceReasonKind.SAME_REPORT,
            f"report {same_report[0]} reports both, as distinct events",
            VETO,
        )
    if a.sources and b.sources and not a.sources & b.sources:
        return Reason(
            CoreferenceReasonKind.DIFFERENT_SOURCES,
            f"{', '.join(sorted(a.sources))} and {', '.join(sorted(b.sources))} report them",
            DIFFERENT_SOURCES_WEIGHT,
        )
    return None


def score_bound(a: EventView, b: EventView, common: Commonness) -> float:
    """A cheap upper bound on the pair's score (before `ambiguous`): its type, time,
    participant and source reasons as weighed, with places taken to agree as well as places
    can. Pairs whose bound is below every threshold that matters are never explained."""
    if a.reports & b.reports or b.key in a.linked or a.key in b.linked:
        return 0.0
    _, time_weight = _time_evidence(a, b)
    if time_weight <= VETO:
        return 0.0
    bound = SAME_TYPE_WEIGHT if a.type == b.type else COMPATIBLE_TYPE_WEIGHT
    bound += time_weight
    if a.places and b.places:
        bound += SAME_PLACE_WEIGHT
    weights: list[float] = []
    for _, matched in _matches_by_role(a, b):
        weights += [_participant_weight(a, b, key, common) for key in matched]
        if not matched:
            bound += ROLE_DIFFERS_WEIGHT
    if weights:
        bound += _participants_weight(weights)
    if a.sources and b.sources and not a.sources & b.sources:
        bound += DIFFERENT_SOURCES_WEIGHT
    # held to [0, 1] and rounded as `score_of` does: 0.15 + 0.3 + 0.05 is 0.5, not 0.4999…
    return round(min(1.0, max(0.0, bound)), 3)


def pair_reasons(a: EventView, b: EventView, common: Commonness) -> list[Reason]:
    """Every reason about one pair of events (vetoes included); `common`: the participants
    common in their type (`common_participants` of every event compared)."""
    reasons: list[Reason] = []
    if b.key in a.linked or a.key in b.linked:
        reasons.append(
            Reason(
                CoreferenceReasonKind.LINKED,
                f"{a.key} and {b.key} are linked (part of, about, ends): two events",
                VETO,
            )
        )
    for found in (_type_reason(a, b), _time_reason(a, b), _place_reason(a, b)):
        if found is not None:
            reasons.append(found)
    reasons += _participant_reasons(a, b, common)
    provenance = _provenance_reason(a, b)
    if provenance is not None:
        reasons.append(provenance)
    return reasons


def evidence_for_automatic(reasons: Iterable[Reason]) -> bool:
    """The two rules besides the score that an automatic proposal needs: one of the times is
    known to the day or better (the interval rule), and the places are one or near (a place
    known only to its province is not)."""
    kinds = {reason.kind for reason in reasons}
    return bool(kinds & _TIME_EVIDENCE) and bool(kinds & _PLACE_EVIDENCE)
