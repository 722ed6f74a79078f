"""Resolution proposals: pairs of nodes of one label that are probably one thing, with reasons.

For each label: read its nodes (`reading.py`), pair them by blocking (`blocking.py`), keep the
pairs whose names agree (`scoring.name_reason`), add what kind, registration and place say, then
read shared events for the pairs that could still reach the threshold, and add every pair the
safe rule names (`safe.py`), which alone makes a proposal automatic. Nothing is merged here.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from neo4j import Driver

from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.resolution.blocking import candidate_pairs
from eventgraph.graph.resolution.names import numbers
from eventgraph.graph.resolution.reading import (
    RESOLVABLE_LABELS,
    Entity,
    read_entities,
    read_shared_events,
)
from eventgraph.graph.resolution.safe import SAFE_WEIGHT, SharedId, read_shared_ids
from eventgraph.graph.resolution.scoring import (
    CO_OCCURRENCE_CAP,
    DEFAULT_MIN_SCORE,
    Reason,
    ReasonKind,
    co_occurrence_reason,
    facts_of,
    name_reason,
    numbers_reason,
    score_of,
)

CO_OCCURRENCE_BATCH = 5000


@dataclass(frozen=True)
class Proposed:
    """One side of a proposal."""

    label: str
    key: str
    name: str
    kind: str | None


@dataclass(frozen=True)
class Alternative:
    """Another event that an ambiguous event proposal's `a` fits about as well as its `b`:
    which one, with the pair's own score and reasons (what a reviewer weighs to choose)."""

    node: Proposed
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Proposal:
    """Two nodes of one label that are probably one: `a` has the smaller key, except in an
    ambiguous event proposal, where `a` is the event that fits several about as well, `b` the
    best of them and `alternatives` the others, best first (one review item, not one per
    candidate: accepting it is choosing one of them, or none)."""

    label: str
    a: Proposed
    b: Proposed
    score: float
    automatic: bool
    """The safe rule says so and nothing vetoes it (only then may a merge be automatic)."""
    reasons: tuple[Reason, ...]
    alternatives: tuple[Alternative, ...] = ()


def resolvable_label(text: str) -> str:
    """The label a user means (`actor`, `Actor`, `equipment_type` …), or a clear error."""
    wanted = text.replace("_", "").replace("-", "").casefold()
    for label in RESOLVABLE_LABELS:
        if label.casefold() == wanted:
            return label
    allowed = ", ".join(RESOLVABLE_LABELS)
    raise InvalidData([Problem("label", "label", f"'{text}' is none of {allowed}")])


def check_min_score(value: float) -> float:
    """A score threshold in [0, 1], or a clear error."""
    if not 0.0 <= value <= 1.0:
        raise InvalidData([Problem("min score", "min score", f"{value:g} is not between 0 and 1")])
    return value


def _side(label: str, entity: Entity) -> Proposed:
    return Proposed(label, entity.key, entity.name, entity.kind)


def _safe_reason(shared: SharedId) -> Reason:
    values = " and ".join(shared.values)
    return Reason(ReasonKind.EXTERNAL_ID, f"{shared.scheme} {values} names both", SAFE_WEIGHT)


def _reasons_by_names(a: Entity, b: Entity) -> list[Reason] | None:
    if a.anonymous or b.anonymous:
        return None  # two "unnamed defence officials" are not one person by their description
    found = name_reason(a, b)
    if found is None:
        return None
    reason, left, right = found
    reasons = [reason, *facts_of(a, b)]
    veto = numbers_reason(left, right) or numbers_reason(*(_numbers_of(e) for e in (a, b)))
    if veto is not None:
        reasons.append(veto)
    return reasons


def _numbers_of(entity: Entity) -> frozenset[int]:
    return numbers(entity.name)


def _drop_ambiguous_initials(reasons: dict[tuple[str, str], list[Reason]]) -> None:
    """Initials that fit several nodes ("TARFAF": every Transport Aviation Regiment of one air
    force) say nothing: the pairs that rest on them are dropped."""
    by_initials = [pair for pair, found in reasons.items() if found[0].kind is ReasonKind.ACRONYM]
    counts = Counter(key for pair in by_initials for key in pair)
    for pair in by_initials:
        if counts[pair[0]] > 1 or counts[pair[1]] > 1:
            del reasons[pair]


def proposals_for_label(
    driver: Driver,
    database: str,
    label: str,
    min_score: float,
    shared_ids: Iterable[SharedId] = (),
) -> list[Proposal]:
    """The proposals of one label at or above `min_score`."""
    entities = read_entities(driver, database, label)
    by_key = {entity.key: entity for entity in entities}
    reasons: dict[tuple[str, str], list[Reason]] = {}
    for i, j in candidate_pairs(entities):
        a, b = sorted((entities[i], entities[j]), key=lambda entity: entity.key)
        found = _reasons_by_names(a, b)
        if found is not None:
            reasons[(a.key, b.key)] = found
    _drop_ambiguous_initials(reasons)
    for shared in shared_ids:
        if shared.a in by_key and shared.b in by_key:
            pair = (shared.a, shared.b)
            if pair not in reasons:
                reasons[pair] = _reasons_by_names(by_key[shared.a], by_key[shared.b]) or [
                    *facts_of(by_key[shared.a], by_key[shared.b])
                ]
            reasons[pair].insert(0, _safe_reason(shared))
    hopeful = [
        pair
        for pair, found in reasons.items()
        if score_of(tuple(found)) + CO_OCCURRENCE_CAP >= min_score and score_of(tuple(found)) < 1
    ]
    for start in range(0, len(hopeful), CO_OCCURRENCE_BATCH):
        batch = hopeful[start : start + CO_OCCURRENCE_BATCH]
        for pair, shared_events in read_shared_events(driver, database, label, batch).items():
            reason = co_occurrence_reason(shared_events)
            if reason is not None:
                reasons[pair].append(reason)
    proposals = []
    for (key_a, key_b), found in reasons.items():
        held = tuple(found)
        score = score_of(held)
        if score < min_score or (min_score == 0 and not held):
            continue
        safe = any(reason.kind is ReasonKind.EXTERNAL_ID for reason in held)
        automatic = safe and not any(reason.veto for reason in held)
        proposals.append(
            Proposal(
                label,
                _side(label, by_key[key_a]),
                _side(label, by_key[key_b]),
                score,
                automatic,
                held,
            )
        )
    return proposals


def propose(
    driver: Driver,
    database: str,
    label: str | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    first: int | None = None,
) -> list[Proposal]:
    """Proposals of one label (or of every resolvable label), best first, at most `first`."""
    labels = (resolvable_label(label),) if label is not None else RESOLVABLE_LABELS
    check_min_score(min_score)
    if first is not None and first < 0:
        raise InvalidData([Problem("first", "first", f"{first} is negative")])
    shared = read_shared_ids(driver, database, labels)
    proposals = []
    for each in labels:
        own = [s for s in shared if s.label == each]
        proposals += proposals_for_label(driver, database, each, min_score, own)
    proposals.sort(key=lambda p: (-p.score, p.label, p.a.key, p.b.key))
    return proposals if first is None else proposals[:first]
