"""Which events were recorded or changed lately: the statements of the live feed
(`api/graphql/live.py` polls them for `eventRecorded` subscribers).

`updated_at` is range-indexed, set by every write of an event (the API's and imports' alike).
Retracted events are left out, even when they change again.
"""

from datetime import datetime

from eventgraph.graph.executor import Statement
from eventgraph.graph.projection import not_retracted

NEWEST_UPDATE = Statement("MATCH (e:Event) RETURN max(e.updated_at) AS at", {})
"""When the graph's newest event was written: where a feed starts (so other machines' clocks
do not matter)."""

_RECENT_EVENTS = (
    f"MATCH (e:Event) WHERE e.updated_at > $since AND {not_retracted('e')} "
    "RETURN e.id AS key, e.updated_at AS at ORDER BY at LIMIT 1000"
)


def recent_event_keys(since: datetime) -> Statement:
    """Events recorded or changed after `since` (by anyone: API, imports, other processes)."""
    return Statement(_RECENT_EVENTS, {"since": since})
