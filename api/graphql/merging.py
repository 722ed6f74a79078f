"""Merges in GraphQL: `mergeNodes` and `unmergeNodes` (editor), and the `merges` query.

The work is `graph/resolution/merging.py`'s (as `eventgraph merge`'s is); who merges is the
token's subject. `merges` is not a field the fast path compiles, so it is answered on the
standard path, as `resolutionProposals` is. docs/identity.md says what moves and what an
unmerge gives back.
"""

import asyncio
from datetime import datetime
from functools import partial

import strawberry
from strawberry.types import Info

from eventgraph.api.graphql.limits import limits_of
from eventgraph.api.graphql.types import _enum
from eventgraph.graph.errors import InvalidData, Problem, a_or_an
from eventgraph.graph.executor import Executor
from eventgraph.graph.ontology import MERGEABLE_LABELS
from eventgraph.graph.resolution.applying import apply_coreference
from eventgraph.graph.resolution.merging import (
    Fate,
    MergeRecord,
    MovedEdge,
    UnmergeRecord,
    merge,
    merges,
    unmerge,
)
from eventgraph.graph.translate.queries import MAX_PAGE, parse_global_id

MergeableLabel = _enum("MergeableLabel", MERGEABLE_LABELS, "The labels whose nodes merge.")
MoveFate = _enum(
    "MoveFate",
    tuple(fate.value for fate in Fate),
    "What a merge did with a relationship of the node it folded: moved it to the node kept, or "
    "dropped it because the node kept had the same one (duplicate) or it joined the two "
    "(between).",
)


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@strawberry.type(description="One relationship of a folded node, as it was before the merge.")
class MovedRelationship:
    type: str = strawberry.field(description="Its relationship type (INVOLVES, SUPPORTS …).")
    outgoing: bool = strawberry.field(description="The folded node was its start.")
    other: strawberry.ID = strawberry.field(
        description="Its other end: a global id (`Label:key`), or an external id's `scheme:value`."
    )
    role: str | None = strawberry.field(description="A participation's role.")
    fate: MoveFate  # type: ignore[valid-type]


def _moved(edge: MovedEdge) -> MovedRelationship:
    other = edge.other if edge.other_key == "key" else f"{edge.other_label}:{edge.other}"
    role = edge.properties.get("role")
    return MovedRelationship(
        type=edge.type,
        outgoing=edge.outgoing,
        other=strawberry.ID(other),
        role=role if isinstance(role, str) else None,
        fate=MoveFate(edge.fate.value),
    )


@strawberry.type(description="One merge of two nodes into one: who, when, why, what moved.")
class Merge:
    id: str = strawberry.field(description="The merge's id (give it to `unmergeNodes`).")
    label: MergeableLabel  # type: ignore[valid-type]
    kept: strawberry.ID = strawberry.field(description="Global id of the node kept.")
    folded: strawberry.ID = strawberry.field(
        description="Global id of the node folded into it; it reads as the node kept while the "
        "merge stands."
    )
    by: str
    at: str = strawberry.field(description="When (UTC, ISO 8601).")
    reason: str
    moved: int = strawberry.field(description="Relationships moved to the node kept.")
    dropped: int = strawberry.field(
        description="Relationships dropped: the node kept had the same one, or it joined the two."
    )
    relationships: list[MovedRelationship] = strawberry.field(
        description="Every relationship of the folded node, and what the merge did with it."
    )
    undone_at: str | None
    undone_by: str | None
    undo_reason: str | None


def _merge(record: MergeRecord) -> Merge:
    return Merge(
        id=record.id,
        label=MergeableLabel(record.label),
        kept=strawberry.ID(f"{record.label}:{record.kept}"),
        folded=strawberry.ID(f"{record.label}:{record.folded}"),
        by=record.by,
        at=_instant(record.at) or "",
        reason=record.reason,
        moved=record.count(Fate.MOVED),
        dropped=record.count(Fate.DUPLICATE) + record.count(Fate.BETWEEN),
        relationships=[_moved(edge) for edge in record.edges],
        undone_at=_instant(record.undone_at),
        undone_by=record.undone_by,
        undo_reason=record.undo_reason,
    )


@strawberry.type(description="What undoing a merge did.")
class Unmerge:
    merge: Merge = strawberry.field(description="The merge, now undone.")
    restored: int = strawberry.field(description="Relationships given back to the folded node.")
    gone: int = strawberry.field(
        description="Relationships not given back: their other end is no longer in the graph."
    )
    rewritten: list[str] = strawberry.field(
        description="Keys of nodes written since the merge and linked to the node kept: their "
        "next import writes them again, so that an id they name that was the folded node's "
        "reaches it."
    )


def _executor(info: Info) -> Executor:
    return info.context["request"].app.state.executor  # type: ignore[no-any-return]


def _label_of(keep: str, fold: str) -> tuple[str, str, str]:
    """(label, keep key, fold key) of two global ids of one label."""
    label, keep_key = parse_global_id(keep)
    fold_label, fold_key = parse_global_id(fold)
    if fold_label != label:
        reason = f"is {a_or_an(fold_label)}, not {a_or_an(label)}: only nodes of one label merge"
        raise InvalidData([Problem("fold", "fold", reason)])
    return label, keep_key, fold_key


async def merge_nodes(info: Info, who: str, keep: str, fold: str, reason: str) -> Merge:
    """Fold `fold` into `keep` (global ids) as `who`."""
    label, keep_key, fold_key = _label_of(keep, fold)
    work = partial(merge, by=who, reason=reason)
    done = await asyncio.to_thread(_executor(info).call, work, label, keep_key, fold_key)
    return _merge(done)


async def unmerge_nodes(info: Info, who: str, merge_id: str, reason: str) -> Unmerge:
    """Undo the merge `merge_id` as `who`."""
    work = partial(unmerge, by=who, reason=reason)
    done: UnmergeRecord = await asyncio.to_thread(_executor(info).call, work, merge_id)
    return Unmerge(
        merge=_merge(done.merge),
        restored=done.restored,
        gone=done.gone,
        rewritten=list(done.rewritten),
    )


@strawberry.type(description="An automatic coreference proposal whose merge was refused.")
class SkippedMerge:
    keep: strawberry.ID = strawberry.field(description="Global id of the event it would keep.")
    fold: strawberry.ID = strawberry.field(description="Global id of the event it would fold.")
    why: str


@strawberry.type(description="What applying automatic event coreference did.")
class CoreferenceApplied:
    merged: list[Merge] = strawberry.field(description="The merges, best proposal first.")
    skipped: list[SkippedMerge] = strawberry.field(
        description="Refused merges (one event folded or retracted meanwhile), skipped."
    )


async def apply_coreference_merges(info: Info, who: str) -> CoreferenceApplied:
    """Merge every automatic coreference proposal as `who` (docs/resolution.md)."""
    done = await asyncio.to_thread(_executor(info).call, partial(apply_coreference, by=who))
    return CoreferenceApplied(
        merged=[_merge(applied.record) for applied in done.merged],
        skipped=[
            SkippedMerge(
                keep=strawberry.ID(f"Event:{refused.keep}"),
                fold=strawberry.ID(f"Event:{refused.fold}"),
                why=refused.why,
            )
            for refused in done.refused
        ],
    )


@strawberry.type
class MergeQueries:
    @strawberry.field(
        description="Merges of two nodes into one, newest first: all, or those that kept or "
        f"folded `node` (a global id); at most `first` (up to {MAX_PAGE})."
    )
    async def merges(
        self, info: Info, node: strawberry.ID | None = None, first: int = 100
    ) -> list[Merge]:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidData([Problem("first", "first", f"must be between 0 and {MAX_PAGE}")])
        limits_of(info.context).remaining()
        label, key = parse_global_id(str(node)) if node is not None else (None, None)
        executor = _executor(info)
        found = await asyncio.to_thread(
            partial(merges, node=key, label=label, first=first),
            executor.driver,
            executor.database,
        )
        return [_merge(record) for record in found]
