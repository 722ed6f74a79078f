"""What one GraphQL operation may spend: one deadline and one answer budget, shared by its root
fields.

`FastSchema.execute` makes an `OperationLimits` per operation and puts it in the request
context, so both paths draw on the same clock and the same budget, and both run an operation's
root fields one after the other (graphql-core would start them all at once: the standard path
waits its turn in `run_field_in_turn`), so that the API holds one root field's record at a time:

- the deadline starts when the operation does (`EVENTGRAPH_GRAPHQL_TIMEOUT_S`); each statement
  gets the time that is left as its Neo4j timeout, and a field with none left is not started
  (`QueryTimedOut`, code TIMEOUT);
- the budget counts the objects of the answer as each root field's record is read
  (`EVENTGRAPH_MAX_ANSWER_NODES`); a nested list over `MAX_NESTED_LIST` arrives as a marker.
  Either refuses the whole operation (`AnswerTooLarge`, code ANSWER_TOO_LARGE, no data) and
  the fields not yet run are not started.
"""

import asyncio
import threading
import time
from typing import Any, NoReturn

from eventgraph.api.errors import AnswerTooLarge
from eventgraph.api.metrics import observe_field
from eventgraph.graph.errors import QueryTimedOut
from eventgraph.graph.executor import Executor
from eventgraph.graph.projection import MAX_NESTED_LIST, TOO_MANY
from eventgraph.graph.settings import Settings
from eventgraph.graph.translate.plans import RootPlan

LIMITS_KEY = "eventgraph_limits"
"""Where the operation's limits live in the request context."""


class OperationLimits:
    """The deadline and the answer budget of one operation."""

    def __init__(self, timeout_s: float, max_nodes: int) -> None:
        self.timeout_s = timeout_s
        self.max_nodes = max_nodes
        self._ends_at = time.monotonic() + timeout_s
        self._nodes = 0
        self._lock = threading.Lock()  # the standard path counts from worker threads
        self.turn = asyncio.Lock()
        """Held by the root field being run (the standard path; the fast path runs them in
        order anyway)."""
        self.refusal: AnswerTooLarge | None = None
        """Set once the answer went over: the operation then answers this error alone."""

    def timed_out(self) -> QueryTimedOut:
        return QueryTimedOut(
            f"the request took longer than {self.timeout_s:g} s in all: ask for less "
            "(fewer root fields or nested lists, a smaller page or window)"
        )

    def remaining(self) -> float:
        """Seconds left for the next statement; QueryTimedOut (the field is not started) when
        none are, AnswerTooLarge when the answer was already refused."""
        if self.refusal is not None:
            raise self.refusal
        left = self._ends_at - time.monotonic()
        if left <= 0:
            raise self.timed_out()
        return left

    def take(self, value: Any) -> None:
        """Count one root field's value against the budget (AnswerTooLarge when it goes over)."""
        try:
            nodes = _objects(value)
        except AnswerTooLarge as refusal:
            self._refuse(refusal)
        with self._lock:
            self._nodes += nodes
            if self._nodes > self.max_nodes:
                self._refuse(
                    AnswerTooLarge(
                        f"the answer holds more than {self.max_nodes} objects "
                        "(EVENTGRAPH_MAX_ANSWER_NODES): ask for smaller pages (`first`), "
                        "fewer aliases or fewer nested lists"
                    )
                )

    def recount(self) -> None:
        """Empty the budget (the standard path answers again what the fast path left to it);
        the deadline runs on."""
        with self._lock:
            self._nodes = 0

    def _refuse(self, refusal: AnswerTooLarge) -> NoReturn:
        """Refuse the operation (the first refusal is the one it answers)."""
        if self.refusal is None:
            self.refusal = refusal
        raise self.refusal


def run_field(limits: OperationLimits, executor: Executor, plan: RootPlan, field: str) -> Any:
    """Run one root field within the operation's limits (the standard path, in a thread);
    its statement's time goes to the metrics under the field's name."""
    started = time.perf_counter()
    try:
        value = plan.run(executor, limits.remaining())
    except QueryTimedOut:
        raise limits.timed_out() from None
    finally:
        observe_field(field, time.perf_counter() - started)
    limits.take(value)
    return value


async def run_field_in_turn(
    limits: OperationLimits, executor: Executor, plan: RootPlan, field: str
) -> Any:
    """`run_field` in a worker thread (the driver blocks), once no other root field of the
    operation runs: a field whose turn comes after the answer was refused, or after the
    deadline, is not started, and the records of two fields are never held at once."""
    async with limits.turn:
        limits.remaining()
        return await asyncio.to_thread(run_field, limits, executor, plan, field)


async def run_field_async(
    limits: OperationLimits, executor: Executor, plan: RootPlan, field: str
) -> Any:
    """`run_field` on the event loop (the fast path)."""
    started = time.perf_counter()
    try:
        value = await plan.run_async(executor, limits.remaining())
    except QueryTimedOut:
        raise limits.timed_out() from None
    finally:
        observe_field(field, time.perf_counter() - started)
    limits.take(value)
    return value


def _objects(value: Any) -> int:
    """The objects (maps) in a value; AnswerTooLarge at a nested list's TOO_MANY marker."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if TOO_MANY in item:
                raise AnswerTooLarge(
                    f"`{item[TOO_MANY]}` holds more than {MAX_NESTED_LIST} items, the most a "
                    "nested list may hold: page them with a root field (`events` with a "
                    "filter, `timeline`)"
                )
            count += 1
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def limits_of(context: dict[str, Any]) -> OperationLimits:
    """The operation's limits from the request context (`FastSchema.execute` puts them there);
    fresh ones from the settings for a resolver run outside it."""
    limits = context.get(LIMITS_KEY)
    if isinstance(limits, OperationLimits):
        return limits
    return operation_limits(context["request"].app.state.settings)


def operation_limits(settings: Settings) -> OperationLimits:
    """Fresh limits for one operation, from now."""
    return OperationLimits(settings.graphql_timeout_s, settings.max_answer_nodes)
