"""Root queries of the read API: whole Cypher statements around a compiled projection.

Each function takes the root field's `Selection` and its arguments and returns one
parameterised statement (`Statement`) that yields exactly one row: for most, one column,
`result`, holding the field's value; for connections `total` and `page`, which
`translate/connection.py` wraps in the connection's envelope. Connections count with `count()`
in their own subquery (never by collecting every node) and page with SKIP/LIMIT over a stable
order.
"""

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from eventgraph.graph import corroboration
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.executor import Statement
from eventgraph.graph.identifiers import OWN_ID, checked_key, key_of
from eventgraph.graph.involvement import events_count
from eventgraph.graph.ontology import (
    ALIASED_LABELS,
    EXTERNAL_ID_LABEL,
    IDENTIFIES,
    LONG_SPAN_LABEL,
    PLACE_RADIUS_KM,
    SHORT_SPAN_DAYS,
)
from eventgraph.graph.projection import (
    NODE_TYPES,
    PLACE_TYPES,
    Compiler,
    Selection,
    not_retracted,
    project,
    time_order,
)
from eventgraph.graph.translate.entity_pages import first_events_of

MAX_PAGE = 500
DEFAULT_PAGE = 50
MAX_OFFSET = 2**31 - 1
"""The largest offset a cursor may name: beyond any result eventgraph pages through, and well
inside what Neo4j's SKIP takes (a 64-bit integer)."""
RELIABILITY_ORDER = "ABCDEF"


def parse_global_id(global_id: str) -> tuple[str, str]:
    """`Event:hmeimim-2025-attack` → ("Event", "hmeimim-2025-attack")."""
    label, _, key = global_id.partition(":")
    if label not in NODE_TYPES or not key:
        raise InvalidData(
            [Problem("id", "id", f"'{global_id}' is not a node id: use Label:key, e.g. Event:x")]
        )
    return label, key


def node(selection: Selection, global_id: str, tag: bool = False) -> Statement:
    label, key = parse_global_id(global_id)
    c = Compiler(type_tags=tag)
    shape = project(c, "n", selection, (label,))
    if label not in ALIASED_LABELS:
        cypher = (
            f"OPTIONAL MATCH (n:`{label}` {{id: {c.param(key)}}}) WHERE {not_retracted('n')} "
            f"RETURN CASE WHEN n IS NULL THEN null ELSE {shape} END AS result"
        )
        return Statement(cypher, c.params)
    # An id that attached to another node, or of a node merged into another (an `id` alias,
    # docs/identity.md), reads as that node.
    cypher = (
        f"OPTIONAL MATCH (m:`{label}` {{id: {c.param(key)}}}) "
        f"OPTIONAL MATCH (:`{EXTERNAL_ID_LABEL}` {{key: {c.param(key_of(OWN_ID, key))}}})"
        f"-[:`{IDENTIFIES}`]->(a:`{label}`) "
        "WITH coalesce(m, a) AS n "
        f"RETURN CASE WHEN n IS NULL OR NOT ({not_retracted('n')}) THEN null ELSE {shape} END "
        "AS result"
    )
    return Statement(cypher, c.params)


def by_external_id(selection: Selection, scheme: str, value: str, tag: bool = False) -> Statement:
    """The node an external id identifies (its value normalised for its scheme), or null."""
    key = checked_key(scheme, value)
    c = Compiler(type_tags=tag)
    shape = project(c, "n", selection, ALIASED_LABELS)
    cypher = (
        f"OPTIONAL MATCH (:`{EXTERNAL_ID_LABEL}` {{key: {c.param(key)}}})-[:`{IDENTIFIES}`]->(n) "
        f"WHERE {not_retracted('n')} "
        f"RETURN CASE WHEN n IS NULL THEN null ELSE {shape} END AS result"
    )
    return Statement(cypher, c.params)


def nodes_by_keys(
    selection: Selection, label: str, keys: list[str], tag: bool = False
) -> Statement:
    """The `label` nodes with these keys, in the keys' order, shaped as `selection` asks (what a
    mutation returns: one statement however many nodes it wrote).

    The nodes themselves come back even when retracted (`recordEvent` under a retracted key
    writes it and it stays retracted; the mutation answers for what it wrote), but the related
    events nested in them leave retracted ones out, as everywhere. Their nested lists are not
    capped (`Compiler.capped`): the answer says what was written, never an ANSWER_TOO_LARGE for
    a write that took place."""
    if label not in NODE_TYPES:
        raise InvalidData([Problem("label", label, "is not a node label")])
    c = Compiler(type_tags=tag, capped=False)
    shape = project(c, "n", selection, (label,))
    match = f"MATCH (n:`{label}` {{id: key}})"
    if label in ALIASED_LABELS:  # a record that attached answers as its node
        match = (
            f"OPTIONAL MATCH (m:`{label}` {{id: key}}) "
            f"OPTIONAL MATCH (:`{EXTERNAL_ID_LABEL}` {{key: '{OWN_ID}:' + key}})"
            f"-[:`{IDENTIFIES}`]->(a:`{label}`) "
            "WITH coalesce(m, a) AS n WHERE n IS NOT NULL"
        )
    cypher = (
        f"CALL () {{ UNWIND {c.param(keys)} AS key {match} "
        f"RETURN collect({shape}) AS result }} RETURN result"
    )
    return Statement(cypher, c.params)


# ---- connections ---------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str, argument: str = "after") -> int:
    """The offset a cursor names; `InvalidData` for one eventgraph did not give (not base64,
    another kind, a negative or out-of-range offset)."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, number = text.partition(":")
        if kind != "o" or not number.isdigit() or int(number) > MAX_OFFSET:
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidData(
            [
                Problem(
                    argument,
                    argument,
                    f"'{cursor[:60]}' is not a cursor eventgraph gave",
                    "pass a cursor from `edges.cursor` or `pageInfo`",
                )
            ]
        ) from None


def page_window(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> tuple[int, int]:
    """(skip, limit) for Relay arguments; limit is capped at MAX_PAGE."""
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise InvalidData([Problem(name, name, f"must be between 0 and {MAX_PAGE}")])
    if first is not None and last is not None:
        # Relay leaves both at once undefined; taking one silently would hide the other.
        raise InvalidData([Problem("last", "last", "give `first` or `last`, not both")])
    start = decode_cursor(after) + 1 if after else 0
    if before is not None:
        end = decode_cursor(before, "before")
        if last is not None:
            return max(start, end - last), max(0, min(last, end - start))
        return start, max(0, min(end - start, first if first is not None else DEFAULT_PAGE))
    if last is not None and first is None:
        raise InvalidData([Problem("last", "last", "needs `before` (or use first/after)")])
    return start, first if first is not None else DEFAULT_PAGE


class Sourcing(StrEnum):
    """Whose word a fact rests on: every one of its claims from an anonymous source, every one
    from a named source, or any."""

    ANY = "ANY"
    ANONYMOUS_ONLY = "ANONYMOUS_ONLY"
    NAMED_ONLY = "NAMED_ONLY"


@dataclass(frozen=True)
class EventFilter:
    types: tuple[str, ...] = ()
    text: str | None = None
    claim_text: str | None = None
    """In the paraphrase or the quote of one of the event's claims."""
    start: datetime | None = None
    end: datetime | None = None
    involving: str | None = None
    role: str | None = None
    at: str | None = None
    near: tuple[float, float, float] | None = None
    """(latitude, longitude, km)"""
    min_reliability: str | None = None
    min_credibility: int | None = None
    source: str | None = None
    origin: str | None = None
    destination: str | None = None
    sourcing: Sourcing = Sourcing.ANY
    min_independent_origins: int | None = None
    """At least this many independent origins (graph/corroboration.py)."""


PLACE_HOPS = 8
"""How deep places nest (site in town in province in country …) for `at` filters."""
PLACE_EDGES = {
    "at": "OCCURRED_AT|ORIGIN|DESTINATION",
    "origin": "ORIGIN",
    "destination": "DESTINATION",
}
"""Per place filter of `EventFilter`, the edges from an event to the place it names."""


def _place_filter(f: EventFilter) -> tuple[str, str] | None:
    """The first place filter set (its field name and place id), the one to start from."""
    return next(((name, getattr(f, name)) for name in PLACE_EDGES if getattr(f, name)), None)


def event_match(
    c: Compiler, f: EventFilter, e: str = "e", order: str | None = None, limit: str | None = None
) -> str:
    """A clause binding `e` to the events that pass the filter, starting from the most selective
    node the filter names: the entity involved, else the place (and every place nested inside
    it), else — for a window — the start index, else every event. From an anchor the cost grows
    with that entity's or place's events, not with the graph (a scan of 5,000 events took
    ~550 ms). `order` and `limit` (a parameter) let a page stop early: the clause may return
    only the first `limit` events in that order, which the caller orders and pages again."""
    if f.involving:
        label, key = parse_global_id(f.involving)
        role = f" {{role: {c.param(f.role)}}}" if f.role else ""
        pattern = f"(:`{label}` {{id: {c.param(key)}}})<-[:INVOLVES{role}]-({e}:Event)"
        rest = replace(f, involving=None, role=None)
        if rest.start is not None:
            # Both ways in are open to the planner: from the entity, or through the window.
            return _window_match(c, rest, e, order, limit, pattern)
        anchor = f"MATCH {pattern} WITH DISTINCT {e}"
    elif place := _place_filter(f):
        name, global_id = place
        label, key = parse_global_id(global_id)
        anchor = (
            f"MATCH (:`{label}` {{id: {c.param(key)}}})<-[:LOCATED_AT|WITHIN*0..{PLACE_HOPS}]-"
            f"(place) WITH DISTINCT place "
            f"MATCH (place)<-[:{PLACE_EDGES[name]}]-({e}:Event) WITH DISTINCT {e}"
        )
        cleared: dict[str, Any] = {name: None}
        rest = replace(f, **cleared)
    elif f.start is not None:
        return _window_match(c, f, e, order, limit, f"({e}:Event)")
    else:
        return f"MATCH ({e}:Event) WHERE {' AND '.join(_event_conditions(c, f, e))}"
    return f"{anchor} WHERE {' AND '.join(_event_conditions(c, rest, e))}"


def _window_match(
    c: Compiler, f: EventFilter, e: str, order: str | None, limit: str | None, pattern: str
) -> str:
    """Events of `pattern` in a window: short ones by a seek of the start index from `from`
    minus the longest short span, plus the long ones (`ontology.LONG_SPAN_LABEL`) apart."""
    assert f.start is not None
    where = " AND ".join(_event_conditions(c, f, e))
    earliest = c.param(f.start - timedelta(days=SHORT_SPAN_DAYS))
    seek = f"{e}.start >= {earliest}"
    if f.end is not None:
        seek += f" AND {e}.start <= {c.param(f.end)}"
    first = f" WITH {e} ORDER BY {order} LIMIT {limit}" if order and limit else ""
    return (
        f"CALL () {{ MATCH {pattern} WHERE {seek} AND {where}{first} RETURN {e} "
        f"UNION MATCH {pattern} WHERE {e}:`{LONG_SPAN_LABEL}` AND {where}{first} RETURN {e} }}"
    )


def _lower(value: str) -> str:
    """`value` as lower-case text, null when it is not text-like: a node written by another tool
    through Bolt (a number, a list as `name`) then fails the match instead of the statement."""
    return f"toLower(toStringOrNull({value}))"


def _as_list(value: str) -> str:
    """A property that should hold a list, as one: a lone value (another tool's `aliases:
    'x'`, or null) as a one-item list."""
    return f"CASE WHEN {value} IS :: LIST<ANY> THEN {value} ELSE [{value}] END"


def _event_conditions(c: Compiler, f: EventFilter, e: str) -> list[str]:
    where = [not_retracted(e)]
    if f.types:
        where.append(f"{e}.type IN {c.param(list(f.types))}")
    if f.text:
        where.append(f"{_lower(f'{e}.name')} CONTAINS toLower({c.param(f.text)})")
    if f.claim_text:
        said = c.param(f.claim_text)
        where.append(
            f"EXISTS {{ MATCH (said:Claim)-[:SUPPORTS]->({e}) "
            f"WHERE {_lower('said.paraphrase')} CONTAINS toLower({said}) "
            f"OR {_lower('said.quote')} CONTAINS toLower({said}) }}"
        )
    if f.end is not None:
        where.append(f"({e}.start IS NULL OR {e}.start <= {c.param(f.end)})")
    if f.start is not None:
        where.append(f"({e}.end IS NULL OR {e}.end >= {c.param(f.start)})")
    if f.involving:
        label, key = parse_global_id(f.involving)
        role = f" {{role: {c.param(f.role)}}}" if f.role else ""
        where.append(f"EXISTS {{ ({e})-[:INVOLVES{role}]->(:`{label}` {{id: {c.param(key)}}}) }}")
    elif f.role:
        where.append(f"EXISTS {{ ({e})-[:INVOLVES {{role: {c.param(f.role)}}}]->() }}")
    for name, edges in PLACE_EDGES.items():
        if global_id := getattr(f, name):
            label, key = parse_global_id(global_id)
            place = c.param(key)
            where.append(
                f"EXISTS {{ MATCH ({e})-[:{edges}]->(p) "
                f"WHERE (p:`{label}` AND p.id = {place}) "
                f"OR EXISTS {{ (p)-[:LOCATED_AT|WITHIN*1..{PLACE_HOPS}]->"
                f"(:`{label}` {{id: {place}}}) }} }}"
            )
    if f.near:
        where.append(_near(c, e, *f.near))
    where += claim_conditions(c, e, f.min_reliability, f.min_credibility, f.source, f.sourcing)
    where += origin_conditions(c, e, f.min_independent_origins)
    return where


def checked_near(lat: float, lon: float, km: float) -> None:
    """`InvalidData` naming each part of `near` that is off the globe or negative."""
    problems = [
        Problem("filter.near", name, reason)
        for name, wrong, reason in (
            ("latitude", not -90 <= lat <= 90, "must be between -90 and 90"),
            ("longitude", not -180 <= lon <= 180, "must be between -180 and 180"),
            ("km", not km >= 0, "must be 0 or more"),
        )
        if wrong
    ]
    if problems:
        raise InvalidData(problems)


def _near(c: Compiler, e: str, lat: float, lon: float, km: float) -> str:
    """Event `e` has a place whose whole uncertainty disc lies within `km` of the point: its
    distance plus its radius (`point_uncertainty_km`, else `ontology.PLACE_RADIUS_KM` for the
    point's precision; none for a region) is at most `km`. An asset without a point of its own
    stands at its location's."""
    checked_near(lat, lon, km)
    here = f"point({{latitude: {c.param(lat)}, longitude: {c.param(lon)}}})"
    radii = c.param({precision.value: km for precision, km in PLACE_RADIUS_KM.items()})
    return (
        f"EXISTS {{ MATCH ({e})-[:OCCURRED_AT|ORIGIN|DESTINATION]->(p) "
        "OPTIONAL MATCH (p)-[:LOCATED_AT]->(l:Location) "
        "WITH CASE WHEN p.point IS NULL THEN l ELSE p END AS w "
        f"WHERE point.distance(w.point, {here}) + 1000.0 * "
        f"coalesce(w.point_uncertainty_km, {radii}[w.point_precision]) <= "
        f"{c.param(km * 1000.0)} }}"
    )


def claim_conditions(
    c: Compiler,
    v: str,
    min_reliability: str | None,
    min_credibility: int | None,
    source: str | None,
    sourcing: Sourcing,
) -> list[str]:
    """Conditions on the claims of `v` (an event or a relation). The grading and `source` hold
    for one claim together (at least one claim from that source is at least this reliable AND
    this credible); `sourcing` looks at every claim's source."""
    where = []
    conditions = []
    if min_reliability:
        conditions.append(f"c.reliability <= {c.param(min_reliability)}")
    if min_credibility:
        conditions.append(f"toInteger(c.credibility) <= {c.param(min_credibility)}")
    if source:
        _, source_key = parse_global_id(source)
        conditions.append(
            f"EXISTS {{ (c)-[:SOURCED_FROM]->(:Source {{id: {c.param(source_key)}}}) }}"
        )
    if conditions:
        where.append(
            f"EXISTS {{ MATCH ({v})<-[:SUPPORTS]-(c:Claim) WHERE {' AND '.join(conditions)} }}"
        )
    if sourcing is not Sourcing.ANY:
        other = "NOT " if sourcing is Sourcing.ANONYMOUS_ONLY else ""
        where.append(
            f"EXISTS {{ ({v})<-[:SUPPORTS]-(:Claim) }} AND NOT EXISTS {{ "
            f"MATCH ({v})<-[:SUPPORTS]-(:Claim)-[:SOURCED_FROM]->(s:Source) "
            f"WHERE {other}coalesce(s.anonymous, false) }}"
        )
    return where


def origin_conditions(c: Compiler, v: str, min_independent_origins: int | None) -> list[str]:
    """`v` (an event or a relation) has at least this many independent origins."""
    if not min_independent_origins:
        return []
    count = corroboration.independent_origins(v, c.var("o"))
    return [f"{count} >= {c.param(min_independent_origins)}"]


ORDERS = {
    "START_ASC": "e.start ASC, e.id ASC",
    "START_DESC": "e.start DESC, e.id DESC",
    "NAME_ASC": "e.name ASC, e.id ASC",
}


def events_connection(
    selection: Selection, f: EventFilter, order: str, skip: int, limit: int, tag: bool = False
) -> Statement:
    """A Relay connection over events: total_count, page_info, edges {cursor node}, nodes."""
    c = Compiler(type_tags=tag)
    enough = c.param(skip + limit + 1)
    page_match = count = None
    if f.involving and f == EventFilter(involving=f.involving):
        label, key = parse_global_id(f.involving)
        count = events_count(c, label, key)
        if order in _BY_START:
            page_match = first_events_of(c, label, key, skip + limit + 1, _BY_START[order])
    return _connection(
        c,
        selection,
        "Event",
        "e",
        event_match(c, f),
        ORDERS[order],
        skip,
        limit,
        page_match=page_match or event_match(c, f, "e", ORDERS[order], enough),
        count=count,
    )


_BY_START = {"START_ASC": False, "START_DESC": True}
"""The orders that sort by `start` first, and whether downwards: an entity's page of events in
one of them is read through the start index when the entity has many (`entity_pages`)."""


def entities_connection(
    selection: Selection,
    label: str,
    kinds: tuple[str, ...],
    text: str | None,
    skip: int,
    limit: int,
    tag: bool = False,
) -> Statement:
    c = Compiler(type_tags=tag)
    where = ["true"]
    if kinds:
        where.append(f"e.kind IN {c.param(list(kinds))}")
    if text:
        needle = c.param(text)
        where.append(
            f"({_lower('e.name')} CONTAINS toLower({needle}) OR "
            f"any(a IN {_as_list('e.aliases')} WHERE {_lower('a')} CONTAINS toLower({needle})))"
        )
    match = f"MATCH (e:`{label}`) WHERE {' AND '.join(where)}"
    return _connection(c, selection, label, "e", match, "e.name ASC, e.id ASC", skip, limit)


def _connection(
    c: Compiler,
    selection: Selection,
    label: str,
    e: str,
    match: str,
    order: str,
    skip: int,
    limit: int,
    page_match: str | None = None,
    count: str | None = None,
) -> Statement:
    """`match` binds `e` to every node of the connection (for `total_count`); `page_match`, when
    given, to a superset of the page (the first skip + limit + 1 in `order`); `count`, when
    given, returns `total` without reading them (`involvement.events_count`)."""
    wanted = {child.name for child in selection.children}
    node_sel = next((ch for ch in selection.children if ch.name == "nodes"), None)
    edges_sel = next((ch for ch in selection.children if ch.name == "edges"), None)
    edge_node = (
        next((ch for ch in edges_sel.children if ch.name == "node"), None) if edges_sel else None
    )
    shapes = []
    if node_sel is not None:
        shapes.append(f"`n_{node_sel.key}`: {project(c, e, node_sel, (label,))}")
    if edge_node is not None:
        shapes.append(f"`e_{edge_node.key}`: {project(c, e, edge_node, (label,))}")
    parts = []
    if "total_count" in wanted:
        parts.append(count or f"CALL () {{ {match} RETURN count({e}) AS total }}")
    else:
        parts.append("WITH null AS total")
    skip_p, limit_p = c.param(skip), c.param(limit + 1)
    parts.append(
        f"CALL () {{ {page_match or match} WITH {e} ORDER BY {order} "
        f"SKIP {skip_p} LIMIT {limit_p} "
        f"RETURN collect({{{', '.join(shapes) or '_: null'}}}) AS page }}"
    )
    parts.append("RETURN total, page")
    return Statement(" ".join(parts), c.params)


def search(selection: Selection, text: str, limit: int, tag: bool = False) -> Statement:
    """Full-text search over names and aliases, best first."""
    c = Compiler(type_tags=tag)
    node_sel = next((ch for ch in selection.children if ch.name == "node"), None)
    score_keys = [ch.key for ch in selection.children if ch.name == "score"]
    entries = [f"`{key}`: score" for key in score_keys]
    if node_sel is not None:
        entries.append(f"`{node_sel.key}`: {project(c, 'node', node_sel, NODE_TYPES)}")
    cypher = (
        "CALL db.index.fulltext.queryNodes('entity_names', "
        f"{c.param(text)}, {{limit: {c.param(limit)}}}) YIELD node, score "
        f"WHERE {not_retracted('node')} "
        f"RETURN collect({{{', '.join(entries) or '_: null'}}}) AS result"
    )
    return Statement(cypher, c.params, refusals=(_UNPARSABLE_SEARCH,))


_UNPARSABLE_SEARCH = (
    "Neo.ClientError.Procedure.ProcedureCallFailed",
    Problem(
        "search",
        "text",
        "is not a full-text query the index can parse",
        "use words, quotes in pairs, OR/AND between words, a trailing *",
    ),
)
"""The full-text index parses `text` (Lucene syntax: `OR`, quotes, `*`, `~`)."""


def timeline(
    selection: Selection,
    global_id: str,
    start: datetime | None,
    end: datetime | None,
    skip: int,
    limit: int,
    tag: bool = False,
) -> Statement:
    """A Relay connection over the events an entity takes part in (any role) and, for a place
    (a Location or an Asset), the events at it as `EventFilter.at` finds them, each once, in
    time order (`time_order`). Paged: a hub's timeline holds thousands of events."""
    c = Compiler(type_tags=tag)
    match = timeline_match(c, global_id, start, end)
    label, key = parse_global_id(global_id)
    page_match = count = None
    if start is None and end is None and label not in PLACE_TYPES:
        page_match = first_events_of(c, label, key, skip + limit + 1, descending=False)
        count = events_count(c, label, key)
    return _connection(
        c,
        selection,
        "Event",
        "e",
        match,
        time_order("e"),
        skip,
        limit,
        page_match=page_match,
        count=count,
    )


def timeline_match(
    c: Compiler,
    global_id: str,
    start: datetime | None,
    end: datetime | None,
    types: tuple[str, ...] = (),
) -> str:
    """A clause binding `e` to what `timeline(entity)` lists: the events the entity takes part
    in and, for a place, the events at it, each once (`activity(timeline)` counts the same)."""
    label, _ = parse_global_id(global_id)
    ways = [EventFilter(types=types, start=start, end=end, involving=global_id)]
    if label in PLACE_TYPES:
        ways.append(EventFilter(types=types, start=start, end=end, at=global_id))
    union = " UNION ".join(f"{event_match(c, f)} RETURN e" for f in ways)
    return f"CALL () {{ {union} }}"


# ---- relations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RelationFilter:
    types: tuple[str, ...] = ()
    from_: str | None = None
    to: str | None = None
    involving: str | None = None
    """Either end."""
    start: datetime | None = None
    end: datetime | None = None
    min_reliability: str | None = None
    min_credibility: int | None = None
    source: str | None = None
    sourcing: Sourcing = Sourcing.ANY
    min_independent_origins: int | None = None
    """At least this many independent origins (graph/corroboration.py)."""


RELATION_ORDER = "r.since IS NOT NULL, r.since, r.id"
"""Relations by when they began (an open `since` first), then key."""


def relation_match(c: Compiler, f: RelationFilter, r: str = "r") -> str:
    """A clause binding `r` to the relations that pass the filter, starting from the entity at
    an end it names, else from every relation."""
    ends = (("FROM", f.from_), ("TO", f.to), ("FROM|TO", f.involving))
    where = [not_retracted(r)]
    anchor = None
    for edges, global_id in ends:
        if not global_id:
            continue
        label, key = parse_global_id(global_id)
        entity = f"(:`{label}` {{id: {c.param(key)}}})"
        if anchor is None:
            anchor = f"MATCH {entity}<-[:{edges}]-({r}:Relation) WITH DISTINCT {r}"
        else:
            where.append(f"EXISTS {{ ({r})-[:{edges}]->{entity} }}")
    if f.types:
        where.append(f"{r}.type IN {c.param(list(f.types))}")
    if f.end is not None:
        where.append(f"({r}.since IS NULL OR {r}.since <= {c.param(f.end)})")
    if f.start is not None:
        where.append(f"({r}.until IS NULL OR {r}.until >= {c.param(f.start)})")
    where += claim_conditions(c, r, f.min_reliability, f.min_credibility, f.source, f.sourcing)
    where += origin_conditions(c, r, f.min_independent_origins)
    return f"{anchor or f'MATCH ({r}:Relation)'} WHERE {' AND '.join(where)}"


def relations_connection(
    selection: Selection, f: RelationFilter, skip: int, limit: int, tag: bool = False
) -> Statement:
    """A Relay connection over relations, in `RELATION_ORDER`."""
    c = Compiler(type_tags=tag)
    match = relation_match(c, f)
    return _connection(c, selection, "Relation", "r", match, RELATION_ORDER, skip, limit)


def events_by_keys(
    selection: Selection, f: EventFilter, keys: list[str], tag: bool = False
) -> Statement:
    """The events among `keys` that pass the filter, shaped as `selection` asks."""
    c = Compiler(type_tags=tag)
    where = " AND ".join([f"e.id IN {c.param(keys)}", *_event_conditions(c, f, "e")])
    cypher = (
        f"CALL () {{ MATCH (e:Event) WHERE {where} WITH e ORDER BY e.updated_at, e.id "
        f"RETURN collect({project(c, 'e', selection, ('Event',))}) AS result }} RETURN result"
    )
    return Statement(cypher, c.params)
