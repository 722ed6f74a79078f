"""Which events were recorded or changed lately: the statements of the live feed
(`api/graphql/live.py` polls them for `eventRecorded` subscribers).

`updated_at` is range-indexed, set by every write of an event (the API's and imports' alike).
Retracted events are left out, even when they change again.

The feed reads in pages ordered by (`updated_at`, id) and resumes after the last (time, id)
it delivered: one import gives all its events the same `updated_at`, so a cursor of the time
alone would deliver the first page of a 20,000-event import and skip the rest.
"""

from datetime import UTC
from typing import Any

from eventgraph.graph.executor import Statement
from eventgraph.graph.projection import not_retracted

PAGE = 1000
"""Events per poll at most; a larger burst is delivered over the next polls."""

NEWEST_UPDATE = Statement(
    "MATCH (e:Event) WHERE e.updated_at IS NOT NULL "
    "RETURN e.updated_at AS at, e.id AS key ORDER BY at DESC, key DESC LIMIT 1",
    {},
)
"""The graph's newest event write, (time, id): where a feed starts (so other machines' clocks
do not matter)."""

_RECENT_EVENTS = (
    "MATCH (e:Event) WHERE e.updated_at >= $since "
    "AND (e.updated_at > $since OR e.id > $after) "
    f"AND {not_retracted('e')} "
    "RETURN e.id AS key, e.updated_at AS at ORDER BY at, key LIMIT $page"
)


def recent_event_keys(since: Any, after: str) -> Statement:
    """Events recorded or changed after (`since`, `after`) in (time, id) order, by anyone:
    API, imports, other processes. `since` is a `datetime` or Neo4j's own `DateTime` (which
    keeps nanoseconds)."""
    # As an offset, not the zone name the driver reads back (`…Z[UTC]`): Neo4j's index does not
    # find offset-stored times from a zone-named bound, so the feed would stall.
    since = since.astimezone(UTC)
    return Statement(_RECENT_EVENTS, {"since": since, "after": after, "page": PAGE})
