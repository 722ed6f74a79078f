"""Relationship queries in GraphQL: `neighborhood`, `paths`, `coInvolvement`, `activity`.

The types and root fields only: each field is compiled like every other root field
(`graph/translate/plans.py`, its statements in `graph/translate/relationships.py`, which also
says how reified relations are shown and how hops are counted) and resolved by
`standard.answer_root`.
"""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from eventgraph.api.graphql.inputs import Window
from eventgraph.api.graphql.standard import answer_root
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
from eventgraph.graph.translate import relationships as rq


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
        window: Window | None = None,
    ) -> Subgraph | None:
        return await answer_root(info)  # type: ignore[no-any-return]

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
        return await answer_root(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Events involving both `a` and `b` (in any roles), in time order "
        f"(at most `first`, up to {rq.MAX_EVENTS})."
    )
    async def co_involvement(
        self,
        info: Info,
        a: strawberry.ID,
        b: strawberry.ID,
        window: Window | None = None,
        first: int = 100,
    ) -> list[Event]:
        return await answer_root(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Events per bucket over `window` (from and to both needed), involving "
        "`entity` and/or at `place` (places nested inside count), or what `timeline` of "
        "that entity lists (not taken with either), with a baseline over as many buckets just "
        "before the window."
    )
    async def activity(
        self,
        info: Info,
        bucket: TimeBucket,
        window: Window,
        entity: strawberry.ID | None = None,
        place: strawberry.ID | None = None,
        types: list[EventType] | None = None,
        timeline: strawberry.ID | None = None,
    ) -> Activity:
        return await answer_root(info)  # type: ignore[no-any-return]
