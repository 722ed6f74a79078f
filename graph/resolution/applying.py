"""Applying automatic event coreference: every proposal marked automatic is merged
(`merging.merge`), recorded and undoable (`eventgraph unmerge`).

Which event is kept: the one whose time is known more narrowly (the shorter span from start to
end; an open end is unbounded), on a tie the one with the smaller id, so the better-dated report
names the happening and a second run keeps the same one. A merge that is refused (one of the
two was folded by an earlier proposal of this run or by someone meanwhile, or retracted since
the events were read) is reported and skipped: the others still apply. A second run proposes
again from what the merges left, so a pair that only became automatic through a merge (a chain
of three reports) is applied then.
"""

from dataclasses import dataclass

from neo4j import Driver

from eventgraph.graph.errors import Conflict, InvalidData, NotFound
from eventgraph.graph.resolution.coreference import EVENT_LABEL, proposals_among
from eventgraph.graph.resolution.event_reading import EventView, read_events
from eventgraph.graph.resolution.event_scoring import DEFAULT_MIN_SCORE
from eventgraph.graph.resolution.merging import MergeRecord, merge
from eventgraph.graph.resolution.proposals import Proposal

_UNBOUNDED = float("inf")


@dataclass(frozen=True)
class AppliedMerge:
    """One automatic proposal, merged."""

    proposal: Proposal
    record: MergeRecord


@dataclass(frozen=True)
class RefusedMerge:
    """One automatic proposal the merge refused, and why."""

    proposal: Proposal
    keep: str
    fold: str
    why: str


@dataclass(frozen=True)
class AppliedCoreference:
    merged: tuple[AppliedMerge, ...]
    refused: tuple[RefusedMerge, ...]


def _span(event: EventView) -> float:
    if event.start is None or event.end is None:
        return _UNBOUNDED
    return float(event.end - event.start)


def kept_and_folded(a: EventView, b: EventView) -> tuple[EventView, EventView]:
    """Which of two events a merge keeps (the module says the rule) and which it folds."""
    kept = min((a, b), key=lambda event: (_span(event), event.key))
    return (kept, b if kept is a else a)


def merge_reason(proposal: Proposal) -> str:
    """What the merge record says: the score and every reason, as the proposal gave them."""
    reasons = "; ".join(f"{r.kind.value} {r.weight:+.2f}: {r.detail}" for r in proposal.reasons)
    return f"automatic event coreference, score {proposal.score:.2f}: {reasons}"


def apply_coreference(driver: Driver, database: str, *, by: str) -> AppliedCoreference:
    """Merge every automatic coreference proposal, best first; each merge is its own transaction
    (a refused one changes nothing and does not stop the rest)."""
    events = read_events(driver, database)
    by_key = {event.key: event for event in events}
    merged: list[AppliedMerge] = []
    refused: list[RefusedMerge] = []
    for proposal in proposals_among(events, DEFAULT_MIN_SCORE):
        if not proposal.automatic:
            continue
        kept, folded = kept_and_folded(by_key[proposal.a.key], by_key[proposal.b.key])
        try:
            record = merge(
                driver,
                database,
                EVENT_LABEL,
                kept.key,
                folded.key,
                by=by,
                reason=merge_reason(proposal),
            )
        except (Conflict, NotFound, InvalidData) as error:
            refused.append(RefusedMerge(proposal, kept.key, folded.key, str(error)))
            continue
        merged.append(AppliedMerge(proposal, record))
    return AppliedCoreference(tuple(merged), tuple(refused))
