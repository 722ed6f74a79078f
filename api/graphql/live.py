"""Live updates: which events were just recorded or changed, for `eventRecorded` subscribers.

One poller per process asks Neo4j every POLL_S seconds for events whose `updated_at` moved
(range-indexed). The graph is the bus: mutations of this process, imports from the command line,
other API processes and replicas all reach every open map the same way, once each. The poller
runs only while someone listens, and starts from the newest `updated_at` in the graph, so clocks
of other machines do not matter. Retracted events are never delivered, even when they change
again: `graph.recent.recent_event_keys` and `events_by_keys` leave them out.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from eventgraph.graph.executor import Executor
from eventgraph.graph.recent import NEWEST_UPDATE, recent_event_keys

log = logging.getLogger("eventgraph.live")

POLL_S = 1.0


class EventFeed:
    """Fans event keys out to subscribers; one poller per process."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._subscribers: set[asyncio.Queue[list[str]]] = set()
        self._poller: asyncio.Task[None] | None = None
        self._since: Any = datetime.now(UTC)
        self._after = ""
        """The feed's cursor: the (time, id) of the last event delivered."""

    @property
    def polling(self) -> bool:
        """Whether the poller runs: from then on, every event written reaches subscribers."""
        return self._poller is not None and not self._poller.done()

    def _fan_out(self, keys: list[str]) -> None:
        for queue in self._subscribers:
            queue.put_nowait(keys)

    async def subscribe(self) -> AsyncIterator[list[str]]:
        """Batches of event keys, from now on, until the subscriber goes away."""
        queue: asyncio.Queue[list[str]] = asyncio.Queue()
        self._subscribers.add(queue)
        if self._poller is None or self._poller.done():
            self._since, self._after = await self._newest()
            self._poller = asyncio.create_task(self._poll())
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)
            if not self._subscribers and self._poller is not None:
                self._poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._poller
                self._poller = None

    async def _newest(self) -> tuple[Any, str]:
        record = await self._executor.read_one_async(NEWEST_UPDATE)
        if record is None:
            return datetime(1, 1, 1, tzinfo=UTC), ""
        return record["at"], record["key"]

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            try:
                records = await self._executor.read_async(
                    recent_event_keys(self._since, self._after)
                )
            except Exception as error:  # Neo4j away: try again next round
                log.warning("event feed: %s; retrying in %.0f s", error, POLL_S)
                continue
            if records:
                # Neo4j's own time value: converting it would drop nanoseconds, and the
                # cursor would then sit before the event it last delivered.
                self._since, self._after = records[-1]["at"], records[-1]["key"]
                self._fan_out([record["key"] for record in records])
