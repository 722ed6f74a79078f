"""The standard path's one resolver for root fields: graphql-core calls it per root field, and
it runs the field's compiled plan (`graph/translate/`) within the operation's limits.

graphql-core then completes every field of the answer (with `types.from_row`), which is what the
fast path (`api/graphql/fast.py`) skips; the tests hold the two to the same answer.
"""

from typing import Any

from strawberry.types import Info

from eventgraph.api.graphql.limits import limits_of, run_field_in_turn
from eventgraph.api.graphql.selection import selection_of
from eventgraph.graph.executor import Executor
from eventgraph.graph.translate.plans import plan_root


async def answer_root(info: Info) -> Any:
    """Build this root field's selection from the raw query and resolve it in one statement
    (in a worker thread: the driver blocks, the event loop must not), within the operation's
    deadline and answer budget, one root field at a time (graphql-core would start them all
    at once and hold every field's records together)."""
    selection = selection_of(info)
    limits = limits_of(info.context)
    limits.remaining()  # a field the operation has no time (or room) left for is not started
    executor: Executor = info.context["request"].app.state.executor
    plan = plan_root(selection, True)
    return await run_field_in_turn(limits, executor, plan, info.field_name)
