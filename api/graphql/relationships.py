"""Relationship queries in GraphQL: `neighborhood`, `paths`, `coInvolvement`, `activity`.

Each root field runs one statement from `graph/relationship_queries.py` (which also says how
reified relations are shown and how hops are counted). Neighbourhoods, paths and co-involvement
come back from Neo4j already in the response shape; activity counts are turned into buckets,
a baseline and z-scores here, keyed by response key like every other row, so both GraphQL
paths (`plan_root`) return the same thing.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from eventgraph.api.graphql.resolve import RootPlan, _get, _instant, _plain
from eventgraph.api.graphql.types import (
    Claim,
    DateTime,
    Event,
    EventType,
    Node,
    Relation,
    RoleName,
    from_row,
    row,
)
from eventgraph.graph import relationship_queries as rq
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.projection import Selection

if TYPE_CHECKING:
    from eventgraph.api.graphql.schema import Window

LazyWindow = Annotated["Window", strawberry.lazy("eventgraph.api.graphql.schema")]
"""The schema module's `Window` input (that module imports this one)."""


@strawberry.type(
    description="A relationship as shown: a stored one (`INVOLVES`, `WITHIN` …) or a reified "
    "relation (`operates`, `part_of` …) with its claims."
)
class GraphRelationship:
    id = row(
        strawberry.ID,
        "Stable id: `type:fromKey:toKey`, then `:role` for INVOLVES, `:relationKey` for relations.",
    )
    type = row(str, "A stored type (`INVOLVES` …) or a relation type (`operates` …).")
    from_ = strawberry.field(
        resolver=from_row,
        graphql_type=strawberry.ID,
        name="from",
        description="Global id of the node it starts at (stored direction; a relation's FROM).",
    )
    to = row(strawberry.ID, "Global id of the node it ends at.")
    role = row(RoleName | None, "The role, for INVOLVES.")
    relation = row(Relation | None, "The reified relation it stands for (since, until …).")
    claims = row(
        list[Claim],
        "The relation's claims. Empty for stored relationships: they rest on their event's claims.",
    )


@strawberry.type(description="Nodes around one node and the relationships between them.")
class Subgraph:
    nodes = row(list[Node], "Nearest first: the node asked about, then each hop in key order.")
    relationships = row(list[GraphRelationship], "Every followed relationship between the nodes.")
    truncated = row(bool, "More nodes or relationships were in reach than the caps let through.")


@strawberry.type(description="One shortest path: its nodes and relationships in order.")
class Path:
    nodes = row(list[Node])
    relationships = row(list[GraphRelationship])


@strawberry.enum(description="Calendar buckets in UTC; weeks start on Monday (ISO).")
class TimeBucket(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@strawberry.type(description="Events in one bucket, counted without inventing precision.")
class ActivityBucket:
    start = row(DateTime)
    end = row(DateTime, "Last instant of the bucket (inclusive).")
    count = row(int, "Events whose whole time span lies in this bucket.")
    uncertain = row(
        int, "Events that may have happened in it: their span overlaps it and other buckets."
    )
    z_score = row(float, "(count − baseline mean) / baseline spread (see `ActivityBaseline`).")


@strawberry.type(description="The same number of buckets just before the window.")
class ActivityBaseline:
    start = row(DateTime)
    end = row(DateTime)
    buckets = row(int)
    mean = row(float, "Mean `count` per bucket.")
    stddev = row(float, "Sample standard deviation of `count`.")
    uncertain_mean = row(float, "Mean `uncertain` per bucket.")


@strawberry.type(description="Event counts per bucket over a window, against a baseline.")
class Activity:
    bucket = row(TimeBucket)
    buckets = row(list[ActivityBucket])
    baseline = row(ActivityBaseline)


async def _answer(info: Info) -> Any:
    """Resolve a root field as every other one is (`_root`: one statement, off the event loop)."""
    from eventgraph.api.graphql.schema import _root  # the schema module imports this one

    return await _root(info)


@strawberry.type
class RelationshipQueries:
    @strawberry.field(
        description=f"Nodes within `depth` (1–{rq.MAX_DEPTH}) hops of a node, and the "
        "relationships between them; a relation counts one hop. `types`: stored relationship "
        "types and relation types to follow (all when left out). Events outside `window` are "
        f"left out. At most {rq.MAX_NODES} nodes. Null when the node does not exist."
    )
    async def neighborhood(
        self,
        info: Info,
        id: strawberry.ID,
        depth: int = 1,
        types: list[str] | None = None,
        window: LazyWindow | None = None,
    ) -> Subgraph | None:
        return await _answer(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="All shortest undirected paths between two nodes (the first `first` in "
        f"order of their nodes' ids, at most {rq.MAX_PATHS}). `maxHops` (at most "
        f"{rq.MAX_HOPS}) counts stored relationships: a relation, like an event, is a node "
        "between two entities and costs two."
    )
    async def paths(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = rq.DEFAULT_HOPS,
        types: list[str] | None = None,
        first: int = rq.DEFAULT_PATHS,
    ) -> list[Path]:
        return await _answer(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Events involving both `a` and `b` (in any roles), in time order "
        f"(at most `first`, up to {rq.MAX_EVENTS})."
    )
    async def co_involvement(
        self,
        info: Info,
        a: strawberry.ID,
        b: strawberry.ID,
        window: LazyWindow | None = None,
        first: int = 100,
    ) -> list[Event]:
        return await _answer(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Events per bucket over `window` (from and to both needed), involving "
        "`entity` and/or at `place` (places nested inside count), with a baseline over as many "
        "buckets just before the window."
    )
    async def activity(
        self,
        info: Info,
        bucket: TimeBucket,
        window: LazyWindow,
        entity: strawberry.ID | None = None,
        place: strawberry.ID | None = None,
        types: list[EventType] | None = None,
    ) -> Activity:
        return await _answer(info)  # type: ignore[no-any-return]


# ---- compiling (both GraphQL paths, through `plan_root`) ----------------------------------------


def _window(selection: Selection) -> tuple[datetime | None, datetime | None]:
    window = selection.arg("window")
    return (
        _instant(_get(window, "from", "from_"), "window.from", last=False),
        _instant(_get(window, "to"), "window.to", last=True),
    )


def plan_relationship(selection: Selection, tag: bool) -> RootPlan:
    """Compile one relationship root field."""
    name = selection.name
    start, end = _window(selection)
    if name == "neighborhood":
        statement = rq.neighborhood(
            selection,
            selection.arg("id"),
            selection.arg("depth"),
            selection.arg("types"),
            start,
            end,
            tag,
        )
        return RootPlan(name, statement, lambda record: record["result"] if record else None)
    if name == "paths":
        statement = rq.paths(
            selection,
            selection.arg("from"),
            selection.arg("to"),
            selection.arg("maxHops"),
            selection.arg("types"),
            selection.arg("first"),
            tag,
        )
        return RootPlan(name, statement, lambda record: record["result"] if record else [])
    if name == "coInvolvement":
        statement = rq.co_involvement(
            selection,
            selection.arg("a"),
            selection.arg("b"),
            start,
            end,
            selection.arg("first"),
            tag,
        )
        return RootPlan(name, statement, lambda record: record["result"])
    if name == "activity":
        if start is None or end is None:
            raise InvalidData([Problem("window", "window", "needs both `from` and `to`")])
        unit = rq.Bucket(_plain(selection.arg("bucket")).lower())
        plan = rq.activity_plan(unit, start, end)
        statement = rq.activity(
            plan,
            selection.arg("entity"),
            selection.arg("place"),
            list(_plain(selection.arg("types")) or ()),
        )
        return RootPlan(
            name,
            statement,
            lambda record: _activity(selection, rq.activity_counts(plan, record["result"])),
        )
    raise InvalidData([Problem(name, name, "is not a relationship query")])


def _iso(instant: datetime) -> str:
    """As Neo4j's `toString` writes a UTC instant (what every other DateTime field returns)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _shape(
    selection: Selection, typename: str, fields: dict[str, Callable[[Selection], Any]]
) -> dict[str, Any]:
    """A row keyed by response key; `fields` gives each field's value from its selection."""
    return {
        child.key: typename if child.name == "__typename" else fields[child.name](child)
        for child in selection.children
    }


def _activity(selection: Selection, counts: rq.ActivityCounts) -> dict[str, Any]:
    def bucket(item: rq.BucketCount) -> Callable[[Selection], dict[str, Any]]:
        return lambda s: _shape(
            s,
            "ActivityBucket",
            {
                "start": lambda _: _iso(item.start),
                "end": lambda _: _iso(item.end),
                "count": lambda _: item.count,
                "uncertain": lambda _: item.uncertain,
                "zScore": lambda _: item.z_score,
            },
        )

    baseline = counts.baseline
    return _shape(
        selection,
        "Activity",
        {
            "bucket": lambda _: _plain(selection.arg("bucket")),
            "buckets": lambda s: [bucket(item)(s) for item in counts.buckets],
            "baseline": lambda s: _shape(
                s,
                "ActivityBaseline",
                {
                    "start": lambda _: _iso(baseline.start),
                    "end": lambda _: _iso(baseline.end),
                    "buckets": lambda _: baseline.buckets,
                    "mean": lambda _: baseline.mean,
                    "stddev": lambda _: baseline.stddev,
                    "uncertainMean": lambda _: baseline.uncertain_mean,
                },
            ),
        },
    )
