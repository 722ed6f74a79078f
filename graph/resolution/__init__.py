"""Entity resolution: which nodes of one label are probably one thing, and why (issue 16).

`propose` answers `eventgraph resolve` and the GraphQL `resolutionProposals` query;
`propose_coreference` does the same for events that probably describe one happening
(`eventgraph resolve --events`, `coreferenceProposals`). Neither merges anything:
docs/resolution.md says what each reason weighs and which rule is automatic. A pair a person
accepts is merged, and undone, by `merging.merge` and `merging.unmerge` (docs/identity.md).
"""

from eventgraph.graph.resolution.coreference import propose_coreference
from eventgraph.graph.resolution.event_scoring import (
    AUTOMATIC_SCORE as COREFERENCE_AUTOMATIC_SCORE,
)
from eventgraph.graph.resolution.event_scoring import (
    DEFAULT_MIN_SCORE as COREFERENCE_MIN_SCORE,
)
from eventgraph.graph.resolution.event_scoring import MAX_PAIR_REASONS as COREFERENCE_MAX_REASONS
from eventgraph.graph.resolution.event_scoring import CoreferenceReasonKind
from eventgraph.graph.resolution.proposals import Proposal, Proposed, propose, resolvable_label
from eventgraph.graph.resolution.reading import RESOLVABLE_LABELS
from eventgraph.graph.resolution.scoring import DEFAULT_MIN_SCORE, Reason, ReasonKind

__all__ = [
    "COREFERENCE_AUTOMATIC_SCORE",
    "COREFERENCE_MAX_REASONS",
    "COREFERENCE_MIN_SCORE",
    "DEFAULT_MIN_SCORE",
    "RESOLVABLE_LABELS",
    "CoreferenceReasonKind",
    "Proposal",
    "Proposed",
    "Reason",
    "ReasonKind",
    "propose",
    "propose_coreference",
    "resolvable_label",
]
