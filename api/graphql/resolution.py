"""`resolutionProposals`: entity resolution proposals in GraphQL, for review (issue 16).

The proposals come from `graph/resolution` (as `eventgraph resolve`'s do), not from a compiled
statement: the root field is not one the fast path compiles, so it is answered on the standard
path (one field, a few statements whatever the page). Any reader may ask; nothing merges.
"""

import asyncio

import strawberry
from strawberry.types import Info

from eventgraph.api.graphql.limits import limits_of
from eventgraph.api.graphql.types import _enum
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.executor import Executor
from eventgraph.graph.resolution import (
    DEFAULT_MIN_SCORE,
    RESOLVABLE_LABELS,
    Proposal,
    Proposed,
    ReasonKind,
    propose,
)
from eventgraph.graph.translate.queries import MAX_PAGE

DEFAULT_PROPOSALS = 100

ResolvableLabel = _enum(
    "ResolvableLabel", RESOLVABLE_LABELS, "The labels resolution proposes pairs of."
)
ResolutionReasonKind = _enum(
    "ResolutionReasonKind",
    tuple(kind.value for kind in ReasonKind),
    "What a reason found (docs/resolution.md gives each one's weight).",
)


@strawberry.type(description="One side of a resolution proposal.")
class ProposedNode:
    id: strawberry.ID = strawberry.field(description="Global id (`Label:key`).")
    key: str
    name: str
    kind: str | None


@strawberry.type(description="One thing found about a pair, and what it counted.")
class ResolutionReason:
    kind: ResolutionReasonKind  # type: ignore[valid-type]
    detail: str
    weight: float = strawberry.field(
        description="Added to the score; −1 vetoes (different kinds, numbers, registrations)."
    )


@strawberry.type(description="Two nodes of one label that are probably one thing.")
class ResolutionProposal:
    label: ResolvableLabel  # type: ignore[valid-type]
    a: ProposedNode = strawberry.field(description="The one with the smaller key.")
    b: ProposedNode
    score: float = strawberry.field(description="The reasons' weights summed, held to [0, 1].")
    automatic: bool = strawberry.field(
        description="The safe rule (one external id names both) says so and nothing vetoes it."
    )
    reasons: list[ResolutionReason]


def node_of(node: Proposed) -> ProposedNode:
    """A proposal's side as GraphQL gives it."""
    return ProposedNode(
        id=strawberry.ID(f"{node.label}:{node.key}"), key=node.key, name=node.name, kind=node.kind
    )


def _proposal(proposal: Proposal) -> ResolutionProposal:
    return ResolutionProposal(
        label=ResolvableLabel(proposal.label),
        a=node_of(proposal.a),
        b=node_of(proposal.b),
        score=proposal.score,
        automatic=proposal.automatic,
        reasons=[
            ResolutionReason(
                kind=ResolutionReasonKind(reason.kind.value),
                detail=reason.detail,
                weight=reason.weight,
            )
            for reason in proposal.reasons
        ],
    )


@strawberry.type
class ResolutionQueries:
    @strawberry.field(
        description="Pairs of nodes of one label (every resolvable label when left out) that "
        "are probably one thing, best first, each with its score and reasons; at most `first` "
        f"(up to {MAX_PAGE}). Only `automatic` ones may ever be merged without review."
    )
    async def resolution_proposals(
        self,
        info: Info,
        label: ResolvableLabel | None = None,  # type: ignore[valid-type]
        min_score: float = DEFAULT_MIN_SCORE,
        first: int = DEFAULT_PROPOSALS,
    ) -> list[ResolutionProposal]:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidData([Problem("first", "first", f"must be between 0 and {MAX_PAGE}")])
        limits_of(info.context).remaining()
        executor: Executor = info.context["request"].app.state.executor
        wanted = None if label is None else str(label.value)
        proposals = await asyncio.to_thread(
            propose, executor.driver, executor.database, wanted, min_score, first
        )
        return [_proposal(proposal) for proposal in proposals]
