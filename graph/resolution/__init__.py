"""Entity resolution: which nodes of one label are probably one thing, and why (issue 16).

`propose` answers `eventgraph resolve` and the GraphQL `resolutionProposals` query, and merges
nothing: docs/resolution.md says what each reason weighs and which rule is automatic. A pair a
person accepts is merged, and undone, by `merging.merge` and `merging.unmerge`
(docs/identity.md).
"""

from eventgraph.graph.resolution.proposals import Proposal, Proposed, propose, resolvable_label
from eventgraph.graph.resolution.reading import RESOLVABLE_LABELS
from eventgraph.graph.resolution.scoring import DEFAULT_MIN_SCORE, Reason, ReasonKind

__all__ = [
    "DEFAULT_MIN_SCORE",
    "RESOLVABLE_LABELS",
    "Proposal",
    "Proposed",
    "Reason",
    "ReasonKind",
    "propose",
    "resolvable_label",
]
