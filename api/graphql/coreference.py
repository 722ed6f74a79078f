"""`coreferenceProposals`: events that probably describe one happening, for review (issue 16).

The proposals come from `graph/resolution` (as `eventgraph resolve --events`'s do), answered on
the standard path like `resolutionProposals`, whose proposed-node type they share. Nothing links
or merges here.
"""

import asyncio
from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from eventgraph.api.graphql.limits import limits_of
from eventgraph.api.graphql.resolution import DEFAULT_PROPOSALS, ProposedNode, node_of
from eventgraph.api.graphql.types import _enum
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.executor import Executor
from eventgraph.graph.resolution import (
    COREFERENCE_AUTOMATIC_SCORE,
    COREFERENCE_MIN_SCORE,
    CoreferenceReasonKind,
    Proposal,
    Reason,
    propose_coreference,
)
from eventgraph.graph.translate.queries import MAX_PAGE

CoreferenceReasonKindEnum = _enum(
    "CoreferenceReasonKind",
    tuple(kind.value for kind in CoreferenceReasonKind),
    "What a coreference reason found (docs/resolution.md gives each one's weight).",
)


@strawberry.type(description="One thing found about a pair of events, and what it counted.")
class CoreferenceReason:
    kind: CoreferenceReasonKindEnum  # type: ignore[valid-type]
    detail: str
    weight: float = strawberry.field(
        description="Added to the score; −1 vetoes (one report names both, times apart, "
        "places far apart, one part of the other)."
    )


@strawberry.type(
    description="Another event that an ambiguous proposal's `a` fits about as well as `b`, "
    "with that pair's own score and reasons."
)
class CoreferenceAlternative:
    event: ProposedNode
    score: float = strawberry.field(description="The pair's reasons' weights summed, in [0, 1].")
    reasons: list[CoreferenceReason]


@strawberry.type(
    description="Two events that probably describe one happening; when one of them fits "
    "several events about as well (`ambiguous`), one proposal: that one as `a`, the best "
    "fitting as `b`, the others as `alternatives` (accepting it is choosing one, or none)."
)
class CoreferenceProposal:
    a: ProposedNode = strawberry.field(
        description="The one with the smaller key, or in an ambiguous proposal the event that "
        "fits several (`kind`: its type)."
    )
    b: ProposedNode
    alternatives: list[CoreferenceAlternative] = strawberry.field(
        description="In an ambiguous proposal, the other events `a` fits about as well as `b`, "
        "best first, each with its reasons (for review: pick `b`, one of them, or none); "
        "otherwise empty."
    )
    score: float = strawberry.field(description="The reasons' weights summed, held to [0, 1].")
    automatic: bool = strawberry.field(
        description=f"Score {COREFERENCE_AUTOMATIC_SCORE} or more, a time known to the day on "
        "one side, places one or near, and no other event fitting as well."
    )
    reasons: list[CoreferenceReason]


def _reasons(reasons: Sequence[Reason]) -> list[CoreferenceReason]:
    return [
        CoreferenceReason(
            kind=CoreferenceReasonKindEnum(reason.kind.value),
            detail=reason.detail,
            weight=reason.weight,
        )
        for reason in reasons
    ]


def _proposal(proposal: Proposal) -> CoreferenceProposal:
    return CoreferenceProposal(
        a=node_of(proposal.a),
        b=node_of(proposal.b),
        alternatives=[
            CoreferenceAlternative(
                event=node_of(alternative.node),
                score=alternative.score,
                reasons=_reasons(alternative.reasons),
            )
            for alternative in proposal.alternatives
        ],
        score=proposal.score,
        automatic=proposal.automatic,
        reasons=_reasons(proposal.reasons),
    )


@strawberry.type
class CoreferenceQueries:
    @strawberry.field(
        description="Pairs of (unretracted) events from different reports that probably "
        "describe one happening, best first, each with its score and reasons; at most `first` "
        f"(up to {MAX_PAGE}). Events one report names apart, and times known only as "
        "intervals, are never taken for one."
    )
    async def coreference_proposals(
        self,
        info: Info,
        min_score: float = COREFERENCE_MIN_SCORE,
        first: int = DEFAULT_PROPOSALS,
    ) -> list[CoreferenceProposal]:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidData([Problem("first", "first", f"must be between 0 and {MAX_PAGE}")])
        limits_of(info.context).remaining()
        executor: Executor = info.context["request"].app.state.executor
        proposals = await asyncio.to_thread(
            propose_coreference, executor.driver, executor.database, min_score, first
        )
        return [_proposal(proposal) for proposal in proposals]
