"""Root fields compiled into plans: one statement each, and how to shape its one record.

`plan_root` looks the field up in `PLANNERS`, the one dispatch table for root fields and
relationship fields alike; a planner reads the field's arguments (`translate/arguments.py`),
builds its statement (`translate/queries.py`, `translate/relationships.py`) and says how to
turn the record into the field's value, keyed by response key. A plan is data and functions of
the selection only, so the API may cache it and run it again (`RootPlan.run`, through the
executor).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventgraph.graph import __version__
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.executor import Executor, Statement
from eventgraph.graph.projection import Selection
from eventgraph.graph.translate import queries
from eventgraph.graph.translate import relationships as rq
from eventgraph.graph.translate.arguments import (
    event_filter,
    kinds_filter,
    relation_filter,
    window,
)
from eventgraph.graph.translate.connection import connection

ENTITY_LISTS = {
    "actors": "Actor",
    "assets": "Asset",
    "equipment_types": "EquipmentType",
    "locations": "Location",
    "sources": "Source",
    "reports": "Report",
}
"""Root fields that page through one label's nodes."""


@dataclass(frozen=True)
class RootPlan:
    """A root field compiled: the statement to run (None when nothing needs Neo4j) and how to
    turn its one record into the field's value."""

    statement: Statement | None
    finish: Callable[[Any], Any]

    def run(self, executor: Executor, timeout: float) -> Any:
        """The field's value: at most one round trip to Neo4j (in a worker thread)."""
        if self.statement is None:
            return self.finish(None)
        return self.finish(executor.read_one(self.statement, timeout))

    async def run_async(self, executor: Executor, timeout: float) -> Any:
        """`run` on the event loop."""
        if self.statement is None:
            return self.finish(None)
        return self.finish(await executor.read_one_async(self.statement, timeout))


Planner = Callable[[Selection, bool], RootPlan]
"""Compiles one root field; `tag` adds the `__label` type tags abstract positions need."""


def plan_root(selection: Selection, tag: bool) -> RootPlan:
    """Compile one root field (raises InvalidData for arguments eventgraph refuses)."""
    planner = PLANNERS.get(selection.name)
    if planner is None:
        name = selection.name
        raise InvalidData([Problem(name, name, "is not a field eventgraph can answer")])
    return planner(selection, tag)


def _result(record: Any) -> Any:
    return record["result"]


def _result_or(empty: Any) -> Callable[[Any], Any]:
    """The record's `result`, or `empty` when the statement returned no record."""
    return lambda record: record["result"] if record else empty


def _version(selection: Selection, tag: bool) -> RootPlan:
    return RootPlan(None, lambda _: __version__)


def _node(selection: Selection, tag: bool) -> RootPlan:
    return RootPlan(queries.node(selection, selection.arg("id"), tag), _result_or(None))


def _by_external_id(selection: Selection, tag: bool) -> RootPlan:
    scheme, value = selection.arg("scheme"), selection.arg("value")
    return RootPlan(queries.by_external_id(selection, scheme, value, tag), _result_or(None))


def _paged(build: Callable[[Selection, int, int, bool], Statement]) -> Planner:
    """A connection's planner: Relay arguments to a page window, the envelope around it."""

    def planner(selection: Selection, tag: bool) -> RootPlan:
        skip, limit = queries.page_window(
            selection.arg("first"),
            selection.arg("after"),
            selection.arg("last"),
            selection.arg("before"),
        )
        return RootPlan(
            build(selection, skip, limit, tag),
            lambda record: connection(selection, record["total"], record["page"], skip, limit),
        )

    return planner


def _events(selection: Selection, skip: int, limit: int, tag: bool) -> Statement:
    order = selection.arg("order_by") or "START_ASC"
    f = event_filter(selection.arg("filter"))
    return queries.events_connection(selection, f, order, skip, limit, tag)


def _timeline(selection: Selection, skip: int, limit: int, tag: bool) -> Statement:
    start, end = window(selection.arg("window"), "window")
    return queries.timeline(selection, selection.arg("entity"), start, end, skip, limit, tag)


def _relations(selection: Selection, skip: int, limit: int, tag: bool) -> Statement:
    f = relation_filter(selection.arg("filter"))
    return queries.relations_connection(selection, f, skip, limit, tag)


def _entities(selection: Selection, skip: int, limit: int, tag: bool) -> Statement:
    kinds, text = kinds_filter(selection.arg("filter"))
    label = ENTITY_LISTS[selection.name]
    return queries.entities_connection(selection, label, kinds, text, skip, limit, tag)


def _search(selection: Selection, tag: bool) -> RootPlan:
    limit = min(int(selection.arg("first") or 20), queries.MAX_PAGE)
    return RootPlan(queries.search(selection, selection.arg("text"), limit, tag), _result)


# ---- relationship fields ------------------------------------------------------------------------


def _neighborhood(selection: Selection, tag: bool) -> RootPlan:
    start, end = window(selection.arg("window"), "window")
    statement = rq.neighborhood(
        selection,
        selection.arg("id"),
        selection.arg("depth"),
        selection.arg("types"),
        start,
        end,
        tag,
    )
    return RootPlan(statement, _result_or(None))


def _paths(selection: Selection, tag: bool) -> RootPlan:
    statement = rq.paths(
        selection,
        selection.arg("from"),
        selection.arg("to"),
        selection.arg("max_hops"),
        selection.arg("types"),
        selection.arg("first"),
        tag,
    )
    return RootPlan(statement, _result_or([]))


def _co_involvement(selection: Selection, tag: bool) -> RootPlan:
    start, end = window(selection.arg("window"), "window")
    statement = rq.co_involvement(
        selection,
        selection.arg("a"),
        selection.arg("b"),
        start,
        end,
        selection.arg("first"),
        tag,
    )
    return RootPlan(statement, _result)


def _activity(selection: Selection, tag: bool) -> RootPlan:
    start, end = window(selection.arg("window"), "window")
    if start is None or end is None:
        raise InvalidData([Problem("window", "window", "needs both `from` and `to`")])
    plan = rq.activity_plan(rq.Bucket(selection.arg("bucket").lower()), start, end)
    statement = rq.activity(
        plan,
        selection.arg("entity"),
        selection.arg("place"),
        list(selection.arg("types") or ()),
        selection.arg("timeline"),
    )
    return RootPlan(
        statement,
        lambda record: _activity_value(selection, rq.activity_counts(plan, record["result"])),
    )


def _iso(instant: datetime) -> str:
    """As Neo4j's `toString` writes a UTC instant (what every other DateTime field returns)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _shape(selection: Selection, fields: dict[str, Callable[[Selection], Any]]) -> dict[str, Any]:
    """A value keyed by response key; `fields` gives each field's value from its selection."""
    return {child.key: fields[child.name](child) for child in selection.children}


def _activity_value(selection: Selection, counts: rq.ActivityCounts) -> dict[str, Any]:
    def bucket(item: rq.BucketCount) -> Callable[[Selection], dict[str, Any]]:
        return lambda s: _shape(
            s,
            {
                "start": lambda _: _iso(item.start),
                "end": lambda _: _iso(item.end),
                "count": lambda _: item.count,
                "uncertain": lambda _: item.uncertain,
                "z_score": lambda _: item.z_score,
            },
        )

    baseline = counts.baseline
    return _shape(
        selection,
        {
            "bucket": lambda _: selection.arg("bucket"),
            "buckets": lambda s: [bucket(item)(s) for item in counts.buckets],
            "baseline": lambda s: _shape(
                s,
                {
                    "start": lambda _: _iso(baseline.start),
                    "end": lambda _: _iso(baseline.end),
                    "buckets": lambda _: baseline.buckets,
                    "mean": lambda _: baseline.mean,
                    "stddev": lambda _: baseline.stddev,
                    "uncertain_mean": lambda _: baseline.uncertain_mean,
                },
            ),
        },
    )


PLANNERS: dict[str, Planner] = {
    "version": _version,
    "node": _node,
    "by_external_id": _by_external_id,
    "events": _paged(_events),
    "timeline": _paged(_timeline),
    "relations": _paged(_relations),
    **{name: _paged(_entities) for name in ENTITY_LISTS},
    "search": _search,
    "neighborhood": _neighborhood,
    "paths": _paths,
    "co_involvement": _co_involvement,
    "activity": _activity,
}
"""Every root field the compiler answers, by the model's name: the one dispatch table."""
ROOT_FIELDS = frozenset(PLANNERS)
