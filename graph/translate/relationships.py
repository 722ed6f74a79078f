"""Relationship queries: neighbourhoods, shortest paths, co-involvement and activity over time.

Each builder returns one parameterised `Statement` yielding one row whose `result` column is
the answer (for `activity`, the counts that `activity_counts` turns into buckets and a
baseline). Node shapes come from the projection compiler, so nested selections work as in every
other root field.

How relationships are presented
    Stored relationships (`INVOLVES`, `OCCURRED_AT`, `WITHIN` …) are shown as they are, with the
    stored direction; `role` is the `INVOLVES` role. A reified `Relation` node — `(:Relation
    {type})-[:FROM]->(a)`, `-[:TO]->(b)`, with claims pointing at it — is shown as ONE
    relationship `a —type→ b` (`operates`, `part_of` …, the ontology's lower-case relation
    names) that carries the Relation (`since`, `until`, `description`) and its claims: what an
    analyst expects from "russia —operates→ hmeimim". Relation nodes are never listed as nodes,
    and `FROM`/`TO` are never shown. Claims are provenance, not graph content: `SUPPORTS`,
    `SOURCED_FROM`, `IN_REPORT` and `BASED_ON` are never followed. A stored relationship
    carries no claims of its own; a participation, place or part rests on its event's claims.

How far is a hop
    `neighborhood` counts hops as they are shown: a relation is one hop (depth 1 around Russia
    shows the units that are `part_of` it as well as the events it takes part in). `paths`
    runs Neo4j's shortest-path search over the stored graph, where a relation is a node between
    two entities just like an event, so linking two entities through either costs two hops:
    the search prefers no kind of fact over the other, and `maxHops` counts stored
    relationships.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from eventgraph.graph import ontology
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.executor import Statement
from eventgraph.graph.projection import (
    FIELDS,
    NODE_TYPES,
    Compiler,
    Selection,
    not_retracted,
    project,
)
from eventgraph.graph.translate.queries import (
    EventFilter,
    _event_conditions,
    event_match,
    parse_global_id,
    timeline_match,
)

MAX_DEPTH = 3
MAX_NODES = 500
"""A neighbourhood stops growing here (nearest nodes first) and says it was truncated."""
MAX_RELATIONSHIPS = 2000
MAX_HOPS = 6
DEFAULT_HOPS = 4
MAX_PATHS = 50
DEFAULT_PATHS = 10
MAX_EVENTS = 500
"""At most this many co-involvement events per request (`first`)."""
MAX_BUCKETS = 400
"""At most this many activity buckets in the window (the baseline has as many again)."""

PROVENANCE_EDGES = ("SUPPORTS", "SOURCED_FROM", "IN_REPORT", "BASED_ON")
RELATION_EDGES = ("FROM", "TO")
FOLLOWABLE_EDGES = tuple(
    edge.name
    for edge in ontology.EDGE_TYPES
    if edge.name not in PROVENANCE_EDGES and edge.name not in RELATION_EDGES
)
RELATION_TYPES = tuple(relation.name for relation in ontology.RELATION_TYPES)


@dataclass(frozen=True)
class Followed:
    """The relationship types a traversal follows: stored ones, and relations by type."""

    edges: tuple[str, ...]
    relations: tuple[str, ...]

    def pattern(self) -> str:
        """The stored types as a Cypher type expression, `A`|`B` (empty when there are none)."""
        return "|".join(f"`{name}`" for name in self.edges)


def followed(types: list[str] | None, field: str = "types") -> Followed:
    """Check `types` against the ontology's allow-list; None follows everything."""
    if types is None:
        return Followed(FOLLOWABLE_EDGES, RELATION_TYPES)
    problems = []
    for name in types:
        if name in PROVENANCE_EDGES:
            problems.append(
                Problem(field, name, "claims are provenance, not followed", "select `claims`")
            )
        elif name in RELATION_EDGES:
            problems.append(
                Problem(
                    field,
                    name,
                    "is half of a reified relation",
                    "name relation types instead: " + ", ".join(RELATION_TYPES),
                )
            )
        elif name not in FOLLOWABLE_EDGES and name not in RELATION_TYPES:
            problems.append(
                Problem(
                    field,
                    name,
                    "is not a relationship type",
                    "use " + ", ".join((*FOLLOWABLE_EDGES, *RELATION_TYPES)),
                )
            )
    if not types:
        problems.append(Problem(field, field, "names no type", "leave it out to follow all"))
    if problems:
        raise InvalidData(problems)
    return Followed(
        tuple(name for name in FOLLOWABLE_EDGES if name in types),
        tuple(name for name in RELATION_TYPES if name in types),
    )


def _graph_node(global_id: str, field: str) -> tuple[str, str]:
    """(label, key) of a node that can stand in a subgraph (a Relation shows as a relationship)."""
    label, key = parse_global_id(global_id)
    if label == "Relation":
        raise InvalidData(
            [
                Problem(
                    field,
                    global_id,
                    "a relation is shown as a relationship, not a node",
                    "ask about its `from` or `to` entity",
                )
            ]
        )
    return label, key


def _bounded(where: str, field: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidData([Problem(where, field, f"must be between {low} and {high}, not {value}")])


# ---- shared pieces ----------------------------------------------------------------------------

_GLOBAL_ID = FIELDS["Event"]["id"]
"""The `Label:key` global id expression (the same for every node type)."""


def _relation_ok(
    c: Compiler, rel: str, f: Followed, start: datetime | None, end: datetime | None
) -> str:
    where = [not_retracted(rel), f"{rel}.type IN {c.param(list(f.relations))}"]
    if end is not None:
        where.append(f"({rel}.since IS NULL OR {rel}.since <= {c.param(end)})")
    if start is not None:
        where.append(f"({rel}.until IS NULL OR {rel}.until >= {c.param(start)})")
    return " AND ".join(where)


def _node_ok(c: Compiler, n: str, start: datetime | None, end: datetime | None) -> str:
    """Not retracted; an event only when it overlaps the window."""
    event = " AND ".join(_event_conditions(c, EventFilter(start=start, end=end), n)[1:])
    return not_retracted(n) + (f" AND (NOT {n}:Event OR ({event}))" if event else "")


def _relationship(c: Compiler, s: Selection, a: str, b: str, kind: str, role: str, rel: str) -> str:
    """The map of one shown relationship.

    `a` and `b` are its end nodes (stored direction), `kind` and `role` expressions for its type
    and INVOLVES role, `rel` the Relation node it stands for (null for stored relationships).
    """
    entries = []
    for child in s.children:
        if child.name == "id":
            value = (
                f"{kind} + ':' + {a}.id + ':' + {b}.id + "
                f"coalesce(':' + {role}, '') + coalesce(':' + {rel}.id, '')"
            )
        elif child.name == "type":
            value = kind
        elif child.name == "from":
            value = _GLOBAL_ID(c, a, child)
        elif child.name == "to":
            value = _GLOBAL_ID(c, b, child)
        elif child.name == "role":
            value = role
        elif child.name == "claims":
            claims = FIELDS["Relation"]["claims"](c, rel, child)
            value = f"CASE WHEN {rel} IS NULL THEN [] ELSE {claims} END"
        elif child.name == "relation":
            relation = project(c, rel, child, ("Relation",))
            value = f"CASE WHEN {rel} IS NULL THEN null ELSE {relation} END"
        else:
            raise ValueError(f"a shown relationship has no field {child.name}")
        entries.append(f"`{child.key}`: {value}")
    return "{" + ", ".join(entries) + "}"


def _nodes(c: Compiler, s: Selection, nodes: str) -> str:
    n = c.var("n")
    return f"[{n} IN {nodes} | {project(c, n, s, NODE_TYPES)}]"


def _object(s: Selection, fields: dict[str, Callable[[Selection], str]]) -> str:
    """A map keyed by response key; `fields` builds each field's expression from its selection."""
    return (
        "{" + ", ".join(f"`{child.key}`: {fields[child.name](child)}" for child in s.children) + "}"
    )


def _child(s: Selection, name: str) -> list[Selection]:
    return [child for child in s.children if child.name == name]


# ---- neighborhood --------------------------------------------------------------------------------


def neighborhood(
    selection: Selection,
    global_id: str,
    depth: int,
    types: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    tag: bool = False,
) -> Statement:
    """Nodes within `depth` hops of a node (nearest first, at most MAX_NODES) and every followed
    relationship between them; null when the node does not exist."""
    _bounded("neighborhood", "depth", depth, 1, MAX_DEPTH)
    f = followed(types)
    label, key = _graph_node(global_id, "id")
    c = Compiler(type_tags=tag)
    room = c.param(MAX_NODES)
    # Enough distinct neighbours to fill what is left and see that more exist.
    step_limit = c.param(2 * MAX_NODES + 1)
    parts = [
        f"MATCH (root:`{label}` {{id: {c.param(key)}}}) WHERE {not_retracted('root')}",
        "WITH root, [root] AS seen, [root] AS frontier, false AS cut",
    ]
    hops = []
    if f.edges:
        hops.append(f"MATCH (f)-[:{f.pattern()}]-(n) WHERE {_node_ok(c, 'n', start, end)} RETURN n")
    if f.relations:
        hops.append(
            "MATCH (f)<-[:`FROM`|`TO`]-(rel:Relation)-[:`FROM`|`TO`]->(n) "
            f"WHERE {_relation_ok(c, 'rel', f, start, end)} AND {_node_ok(c, 'n', start, end)} "
            "RETURN n"
        )
    for _ in range(depth):
        parts.append(
            "CALL (seen, frontier) { "
            "CALL (frontier) { UNWIND frontier AS f "
            f"CALL (f) {{ {' UNION '.join(hops)} }} "
            f"WITH DISTINCT n LIMIT {step_limit} WITH n ORDER BY n.id, labels(n)[0] "
            "RETURN collect(n) AS found } "
            "WITH seen, [n IN found WHERE NOT n IN seen] AS fresh "
            f"WITH seen, fresh, {room} - size(seen) AS room "
            "RETURN seen + fresh[..room] AS grown, fresh[..room] AS next, "
            "size(fresh) > room AS cut_here "
            "} "
            "WITH root, grown AS seen, next AS frontier, cut OR cut_here AS cut"
        )
    parts.append(_induced_relationships(c, selection, f, start, end))
    limit = c.param(MAX_RELATIONSHIPS)
    fields = {
        "nodes": lambda child: _nodes(c, child, "seen"),
        "relationships": lambda child: f"[e IN edges[..{limit}] | e.`{child.key}`]",
        "truncated": lambda child: f"cut OR size(edges) > {limit}",
    }
    parts.append(f"RETURN {_object(selection, fields)} AS result")
    return Statement(" ".join(parts), c.params)


def _induced_relationships(
    c: Compiler, selection: Selection, f: Followed, start: datetime | None, end: datetime | None
) -> str:
    """`edges`: every followed relationship between two nodes of `seen`, in id order, one map
    per edge holding a shape per `relationships` selection (at most MAX_RELATIONSHIPS + 1).

    Stored relationships are matched from their start node and relations from their FROM end,
    so a hub with many incoming relationships costs nothing extra here.
    """
    edge_selections = _child(selection, "relationships")
    if not edge_selections:
        return "WITH seen, cut, [] AS edges"
    lines = []
    if f.edges:
        lines.append(
            f"MATCH (a)-[r:{f.pattern()}]->(b) WHERE b IN seen "
            "RETURN b, type(r) AS kind, r.role AS role, null AS rel"
        )
    if f.relations:
        lines.append(
            "MATCH (a)<-[:`FROM`]-(rel:Relation)-[:`TO`]->(b) "
            f"WHERE b IN seen AND {_relation_ok(c, 'rel', f, start, end)} "
            "RETURN b, rel.type AS kind, null AS role, rel"
        )
    shapes = ", ".join(
        f"`{s.key}`: {_relationship(c, s, 'a', 'b', 'kind', 'role', 'rel')}"
        for s in edge_selections
    )
    return (
        "CALL (seen) { UNWIND seen AS a "
        f"CALL (a, seen) {{ {' UNION '.join(lines)} }} "
        "WITH a, b, kind, role, rel "
        "ORDER BY kind, a.id, b.id, coalesce(role, ''), coalesce(rel.id, '') "
        f"LIMIT {c.param(MAX_RELATIONSHIPS + 1)} "
        f"RETURN collect({{{shapes}}}) AS edges }}"
    )


# ---- paths ---------------------------------------------------------------------------------------


def paths(
    selection: Selection,
    from_id: str,
    to_id: str,
    max_hops: int,
    types: list[str] | None,
    first: int,
    tag: bool = False,
) -> Statement:
    """All shortest undirected paths (at most `first`, in order of their nodes' ids) between two
    nodes over the followed types, each as its shown nodes and relationships.

    `allShortestPaths`, not GQL's `ALL SHORTEST` with a quantified pattern: in Neo4j 5.26 the
    latter took 40 s for two actors of the 1M-event benchmark who share 11,065 events, where
    this bidirectional search, its node predicates checked as it expands, took 0.25 s."""
    _bounded("paths", "maxHops", max_hops, 1, MAX_HOPS)
    _bounded("paths", "first", first, 1, MAX_PATHS)
    f = followed(types)
    from_label, from_key = _graph_node(from_id, "from")
    to_label, to_key = _graph_node(to_id, "to")
    if (from_label, from_key) == (to_label, to_key):
        raise InvalidData([Problem("to", to_id, "is the same node as `from`")])
    c = Compiler(type_tags=tag)
    stored = [*f.edges, *(RELATION_EDGES if f.relations else ())]
    step = "|".join(f"`{name}`" for name in stored)
    inner = [not_retracted("x")]
    if f.relations:
        inner.append(f"(NOT x:Relation OR x.type IN {c.param(list(f.relations))})")
    fields = {
        "nodes": lambda child: _nodes(c, child, "[n IN nodes(p) WHERE NOT n:Relation]"),
        "relationships": lambda child: f"edges.`{child.key}`",
    }
    cypher = (
        f"MATCH (start:`{from_label}` {{id: {c.param(from_key)}}}) "
        f"WHERE {not_retracted('start')} "
        f"MATCH (goal:`{to_label}` {{id: {c.param(to_key)}}}) WHERE {not_retracted('goal')} "
        f"MATCH p = allShortestPaths((start)-[:{step}*1..{max_hops}]-(goal)) "
        f"WHERE all(x IN nodes(p) WHERE {' AND '.join(inner)}) "
        f"WITH p ORDER BY [n IN nodes(p) | n.id] LIMIT {c.param(first)} "
        f"CALL (p) {{ {_path_relationships(c, selection)} }} "
        f"RETURN collect({_object(selection, fields)}) AS result"
    )
    return Statement(cypher, c.params)


def _path_relationships(c: Compiler, selection: Selection) -> str:
    """`edges`: the shown relationships of path `p` in order, one list per `relationships`
    selection. A Relation node between ns[i] and ns[i + 2] shows as one relationship from its
    FROM end to its TO end. Without a `relationships` selection, one row of nothing: the
    UNWIND below would otherwise give each path once per relationship."""
    selections = _child(selection, "relationships")
    if not selections:
        return "RETURN null AS edges"
    shapes = ", ".join(
        f"`{s.key}`: collect({_relationship(c, s, 'a', 'b', 'kind', 'role', 'rel')})"
        for s in selections
    )
    return (
        "WITH nodes(p) AS ns, relationships(p) AS rs "
        "UNWIND range(0, size(rs) - 1) AS i "
        "WITH ns, rs, i WHERE NOT ns[i]:Relation "
        "WITH i, rs[i] AS r, CASE WHEN ns[i + 1]:Relation THEN ns[i + 1] END AS rel, "
        "CASE WHEN type(rs[i]) = 'TO' THEN ns[i + 2] ELSE ns[i] END AS from_end, "
        "CASE WHEN type(rs[i]) = 'TO' THEN ns[i] ELSE ns[i + 2] END AS to_end "
        "WITH i, rel, CASE WHEN rel IS NULL THEN startNode(r) ELSE from_end END AS a, "
        "CASE WHEN rel IS NULL THEN endNode(r) ELSE to_end END AS b, "
        "CASE WHEN rel IS NULL THEN type(r) ELSE rel.type END AS kind, "
        "CASE WHEN rel IS NULL THEN r.role END AS role "
        "ORDER BY i "
        f"RETURN {{{shapes}}} AS edges"
    )


# ---- co-involvement ------------------------------------------------------------------------------


def co_involvement(
    selection: Selection,
    a: str,
    b: str,
    start: datetime | None,
    end: datetime | None,
    first: int,
    tag: bool = False,
) -> Statement:
    """Events involving both `a` and `b` (any roles) overlapping the window, in time order."""
    _bounded("coInvolvement", "first", first, 1, MAX_EVENTS)
    label, key = parse_global_id(a)
    c = Compiler(type_tags=tag)
    # Start from `a`'s participations rather than from every event.
    where = " AND ".join(_event_conditions(c, EventFilter(start=start, end=end, involving=b), "e"))
    cypher = (
        f"CALL () {{ MATCH (:`{label}` {{id: {c.param(key)}}})<-[:INVOLVES]-(e:Event) "
        f"WHERE {where} WITH DISTINCT e ORDER BY e.start ASC, e.id ASC LIMIT {c.param(first)} "
        f"RETURN collect({project(c, 'e', selection, ('Event',))}) AS result }} RETURN result"
    )
    return Statement(cypher, c.params)


# ---- activity ------------------------------------------------------------------------------------


class Bucket(StrEnum):
    """A calendar bucket in UTC: a day, an ISO week (from Monday), a month."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def bucket_start(unit: Bucket, instant: datetime) -> datetime:
    """The first instant of the bucket holding `instant` (as Neo4j's `datetime.truncate`)."""
    day = datetime(instant.year, instant.month, instant.day, tzinfo=UTC)
    if unit is Bucket.WEEK:
        return day - timedelta(days=day.weekday())
    if unit is Bucket.MONTH:
        return day.replace(day=1)
    return day


def shift(unit: Bucket, start: datetime, buckets: int) -> datetime:
    """The start of the bucket `buckets` after (or before, when negative) the one at `start`."""
    if unit is Bucket.MONTH:
        months = start.year * 12 + start.month - 1 + buckets
        return start.replace(year=months // 12, month=months % 12 + 1)
    return start + timedelta(days=buckets * (7 if unit is Bucket.WEEK else 1))


@dataclass(frozen=True)
class ActivityPlan:
    """The buckets of one activity query: `size` baseline buckets, then `size` in the window."""

    unit: Bucket
    size: int
    starts: tuple[datetime, ...]
    """Start of every bucket (baseline first), then the start of the bucket after the last."""

    @property
    def low(self) -> datetime:
        return self.starts[0]

    @property
    def high(self) -> datetime:
        """The last instant of the last bucket."""
        return self.starts[-1] - timedelta(microseconds=1)


def activity_plan(unit: Bucket, start: datetime, end: datetime) -> ActivityPlan:
    """Whole buckets covering [start, end], and as many again just before them as a baseline."""
    if end < start:
        raise InvalidData([Problem("window", "window", "`to` is before `from`")])
    first, last = bucket_start(unit, start), bucket_start(unit, end)
    size = 1
    while shift(unit, first, size) <= last:
        size += 1
        if size > MAX_BUCKETS:
            raise InvalidData(
                [
                    Problem(
                        "window",
                        "window",
                        f"holds more than {MAX_BUCKETS} {unit.value} buckets",
                        "use a shorter window or a coarser bucket",
                    )
                ]
            )
    starts = tuple(shift(unit, first, k) for k in range(-size, size + 1))
    return ActivityPlan(unit, size, starts)


def activity(
    plan: ActivityPlan,
    entity: str | None,
    place: str | None,
    types: list[str],
    timeline: str | None = None,
) -> Statement:
    """Events (involving `entity`, at `place` or inside it, or what `timeline` of that entity
    lists) overlapping the plan's buckets, grouped by their first and last bucket and whether
    they lie in one bucket (`known`)."""
    for name, value in (("entity", entity), ("timeline", timeline)):
        if value is not None and parse_global_id(value)[0] not in ontology.ENTITY_LABELS:
            raise InvalidData([Problem(name, value, "is not an entity (actor, asset …)")])
    if place is not None and parse_global_id(place)[0] not in ontology.PLACE_LABELS:
        raise InvalidData([Problem("place", place, "is not a place (Location or Asset)")])
    if timeline is not None and (entity is not None or place is not None):
        raise InvalidData(
            [
                Problem(
                    "timeline",
                    timeline,
                    "is not taken with `entity` or `place`",
                    "count a timeline, or events involving an entity and/or at a place",
                )
            ]
        )
    c = Compiler()
    if timeline is not None:
        match = timeline_match(c, timeline, plan.low, plan.high, tuple(types))
    else:
        f = EventFilter(
            types=tuple(types), start=plan.low, end=plan.high, involving=entity, at=place
        )
        match = event_match(c, f)
    unit, low, high = c.param(plan.unit.value), c.param(plan.low), c.param(plan.high)
    cypher = (
        f"{match} "
        "WITH e.start AS s, e.end AS t "
        f"WITH datetime.truncate({unit}, CASE WHEN s IS NULL OR s < {low} THEN {low} ELSE s END) "
        "AS first, "
        f"datetime.truncate({unit}, CASE WHEN t IS NULL OR t > {high} THEN {high} ELSE t END) "
        "AS last, "
        f"s IS NOT NULL AND t IS NOT NULL AND datetime.truncate({unit}, s) = "
        f"datetime.truncate({unit}, t) AS known "
        "WITH first, last, known, count(*) AS n "
        "RETURN collect({first: first, last: last, known: known, n: n}) AS result"
    )
    return Statement(cypher, c.params)


@dataclass(frozen=True)
class BucketCount:
    start: datetime
    end: datetime
    """Last instant of the bucket (inclusive, like event times)."""
    count: int
    """Events whose whole time span lies in this bucket."""
    uncertain: int
    """Events that may have happened in this bucket: their span overlaps it but not only it."""
    z_score: float


@dataclass(frozen=True)
class Baseline:
    start: datetime
    end: datetime
    buckets: int
    mean: float
    stddev: float
    uncertain_mean: float


@dataclass(frozen=True)
class ActivityCounts:
    buckets: list[BucketCount]
    baseline: Baseline


def _native(value: Any) -> datetime:
    """A driver DateTime as a Python datetime."""
    return value.to_native() if hasattr(value, "to_native") else value  # type: ignore[no-any-return]


def activity_counts(plan: ActivityPlan, rows: list[dict[str, Any]]) -> ActivityCounts:
    """Counts per bucket, the baseline's mean and spread, and each window bucket's z-score.

    The z-score divides by the baseline's sample standard deviation, but never by less than
    what chance alone gives for counts (√mean, as for a Poisson count) nor by less than one
    event: a quiet baseline must not turn one event into an infinite surge.
    """
    total = 2 * plan.size
    index = {start: i for i, start in enumerate(plan.starts[:-1])}
    certain = [0] * total
    spread = [0] * (total + 1)
    for row in rows:
        first, last = index[_native(row["first"])], index[_native(row["last"])]
        if row["known"]:
            certain[first] += row["n"]
        else:
            spread[first] += row["n"]
            spread[last + 1] -= row["n"]
    uncertain, running = [], 0
    for step in spread[:total]:
        running += step
        uncertain.append(running)
    reference = certain[: plan.size]
    mean = sum(reference) / plan.size
    stddev = (
        math.sqrt(sum((x - mean) ** 2 for x in reference) / (plan.size - 1))
        if plan.size > 1
        else 0.0
    )
    scale = max(stddev, math.sqrt(mean), 1.0)
    one = timedelta(microseconds=1)
    buckets = [
        BucketCount(
            start=plan.starts[i],
            end=plan.starts[i + 1] - one,
            count=certain[i],
            uncertain=uncertain[i],
            z_score=round((certain[i] - mean) / scale, 3),
        )
        for i in range(plan.size, total)
    ]
    baseline = Baseline(
        start=plan.starts[0],
        end=plan.starts[plan.size] - one,
        buckets=plan.size,
        mean=round(mean, 3),
        stddev=round(stddev, 3),
        uncertain_mean=round(sum(uncertain[: plan.size]) / plan.size, 3),
    )
    return ActivityCounts(buckets, baseline)
