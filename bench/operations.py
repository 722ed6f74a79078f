"""The operations a frontend makes, each in three implementations measured side by side.

For every operation: our GraphQL document, the *floor* (the same question as hand-written,
parameterised Cypher through the Python driver, returning the same data as our answer) and the
name of the @neo4j/graphql *reference* operation in `bench/neo4j_graphql/operations.graphql`,
where that library can express it. All three take variables of the same names; the values differ
only in how nodes are named: our API takes global ids (`Actor:russia`), the floor and the
reference take native keys (`russia`).

The floors are what a good hand-coder would write for this schema: they start from an index
(ids, the full-text index, the time range indexes), keep retracted events out, and build the
answer in the database, so a floor's answer can be compared with ours field by field
(`same_answer`) before anything is measured.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    Node,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor
from neo4j import AsyncDriver, Driver, Record

from bench.dataset import Probes
from bench.reference import search_hits
from eventgraph.graph import ontology
from eventgraph.graph.ontology import LONG_SPAN_LABEL, SHORT_SPAN_DAYS
from eventgraph.graph.projection import time_order

REFERENCE_OPERATIONS = Path(__file__).parent / "neo4j_graphql" / "operations.graphql"
NODE_LABELS = ["Actor", "EquipmentType", "Asset", "Location", "Source", "Report", "Event"]
"""Labels a global id is made of (the same list our API uses); `Relation` never shows as a node."""

FOLLOWED_EDGES = [
    edge.name
    for edge in ontology.EDGE_TYPES
    if edge.name not in ("SUPPORTS", "SOURCED_FROM", "IN_REPORT", "FROM", "TO")
]
"""What a neighbourhood or path follows: every stored relationship but provenance and the two
halves of a reified relation (a relation counts as one relationship of its own type)."""
_FOLLOWED = "|".join(f"`{name}`" for name in FOLLOWED_EDGES)
RELATION_TYPES = [relation.name for relation in ontology.RELATION_TYPES]

NEIGHBOURHOOD_NODES = 500
NEIGHBOURHOOD_RELATIONSHIPS = 2000
PAGE_SIZE = 100
CONNECTION_PAGE = 20
SEARCH_HITS = 20
MAX_HOPS = 4
PATHS = 10


# ---- what the operations are asked about ---------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """The probes plus what the probes do not name but two operations need, picked from the
    graph itself, deterministically: an event for `node`, an aircraft type and a graded source
    for `record_event`."""

    probes: Probes
    event: str
    aircraft: str
    source: str


_EVENT_OF_ACTOR = (
    "MATCH (:Actor {id: $actor})<-[:INVOLVES]-(e:Event) WHERE NOT e:Retracted "
    "RETURN e.id AS id ORDER BY e.start, e.id LIMIT 1"
)
_AIRCRAFT_TYPE = (
    "MATCH (t:EquipmentType {kind: 'aircraft_type'}) RETURN t.id AS id ORDER BY t.id LIMIT 1"
)
_GRADED_SOURCE = (
    "MATCH (s:Source) WHERE s.reliability IS NOT NULL RETURN s.id AS id ORDER BY s.id LIMIT 1"
)


def pick_subjects(driver: Driver, database: str, probes: Probes) -> Subjects:
    """Find the event, aircraft type and source the probes do not name; fail if one is missing."""
    picked = {}
    for name, query in (
        ("event", _EVENT_OF_ACTOR),
        ("aircraft", _AIRCRAFT_TYPE),
        ("source", _GRADED_SOURCE),
    ):
        records = driver.execute_query(query, actor=probes.actor, database_=database)[0]
        if not records:
            raise LookupError(f"the graph holds no {name} to benchmark with ({query})")
        picked[name] = str(records[0]["id"])
    return Subjects(probes, **picked)


def instant(text: str) -> datetime:
    """An ISO-8601 instant (the manifest's window) as an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone")
    return value.astimezone(UTC)


# ---- the operation -------------------------------------------------------------------------

Variables = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One frontend operation in its three implementations, and how to check they agree."""

    name: str
    what: str
    graphql: str
    """Our document: one named operation."""
    floor: str
    """The hand-written Cypher."""
    variables: Callable[[Subjects, str], Variables]
    """Variable values (native keys) from the subjects; the string makes writes unique."""
    reference: str | None = None
    """The @neo4j/graphql operation's name, where it can express the question."""
    global_ids: dict[str, str] = field(default_factory=dict)
    """Variables that our API takes as global ids, with their label."""
    day_texts: tuple[str, ...] = ()
    """Instants that our API takes as the day's date (a time is never more precise than known)."""
    floor_params: Callable[[Variables], dict[str, Any]] = dict
    """The floor's parameters from the variables (typed values, derived values)."""
    floor_answer: Callable[[list[Record], Variables], Any] = lambda records, _: records[0]["result"]
    """The floor's records as our answer's shape."""
    reference_answer: Callable[[Any], Any] = lambda data: data
    """The reference's `data` as a frontend reads it (for comparing it with ours)."""
    writes: bool = False

    def ours(self, subjects: Subjects, unique: str = "") -> Variables:
        """Our API's variables: native keys turned into global ids."""
        values = self.variables(subjects, unique)
        for name, label in self.global_ids.items():
            values[name] = f"{label}:{values[name]}"
        for name in self.day_texts:
            values[name] = instant(values[name]).date().isoformat()
        return values

    @property
    def root_field(self) -> str:
        """The root field of our document that holds the answer."""
        document = parse(self.graphql)
        operation = document.definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        first = operation.selection_set.selections[0]
        assert isinstance(first, FieldNode)
        return first.alias.value if first.alias else first.name.value


def _window(subjects: Subjects) -> Variables:
    return {"from": subjects.probes.window_from, "to": subjects.probes.window_to}


def _typed_window(variables: Variables) -> dict[str, Any]:
    """The window as instants, and the earliest start a short event overlapping it can have."""
    start = instant(variables["from"])
    return {
        **variables,
        "from": start,
        "to": instant(variables["to"]),
        "earliest": start - timedelta(days=SHORT_SPAN_DAYS),
        "node_labels": NODE_LABELS,
    }


def _with_labels(variables: Variables) -> dict[str, Any]:
    return {**variables, "node_labels": NODE_LABELS}


_GLOBAL_ID = "head([l IN labels({v}) WHERE l IN $node_labels]) + ':' + {v}.id"


def _gid(v: str) -> str:
    return _GLOBAL_ID.format(v=v)


_NAMED_ENTITY = (
    "... on Actor { id name } ... on Asset { id name } "
    "... on EquipmentType { id name } ... on Location { id name }"
)
_PLACE = "... on Location { id name } ... on Asset { id name }"
_EVENT_DETAIL = f"""
    id name type time {{ start end precision }}
    participants {{ role entity {{ {_NAMED_ENTITY} }} }}
    at {{ {_PLACE} }} origin {{ {_PLACE} }} destination {{ {_PLACE} }}
    claims {{ reliability credibility paraphrase source {{ name }} }}
"""


def _event_detail(e: str) -> str:
    """The Cypher map of an event as `_EVENT_DETAIL` asks for it."""

    def place(edge: str) -> str:
        return (
            f"COLLECT {{ MATCH ({e})-[:{edge}]->(p) "
            f"RETURN {{id: {_gid('p')}, name: p.name}} ORDER BY p.id }}"
        )

    return (
        f"{{id: 'Event:' + {e}.id, name: {e}.name, type: {e}.type, "
        f"time: {{start: toString({e}.start), end: toString({e}.end), "
        f"precision: {e}.time_precision}}, "
        f"participants: COLLECT {{ MATCH ({e})-[r:INVOLVES]->(x) "
        f"RETURN {{role: r.role, entity: {{id: {_gid('x')}, name: x.name}}}} "
        "ORDER BY r.position }, "
        f"at: {place('OCCURRED_AT')}, origin: head({place('ORIGIN')}), "
        f"destination: head({place('DESTINATION')}), "
        f"claims: COLLECT {{ MATCH ({e})<-[:SUPPORTS]-(c:Claim)-[:SOURCED_FROM]->(s:Source) "
        "RETURN {reliability: c.reliability, credibility: toInteger(c.credibility), "
        "paraphrase: c.paraphrase, source: {name: s.name}} ORDER BY c.position }}"
    )


_OVERLAPS = "(e.start IS NULL OR e.start <= $to) AND (e.end IS NULL OR e.end >= $from)"


def _in_window(pattern: str, where: str, then: str) -> str:
    """Events of `pattern` (binding `e`) overlapping [$from, $to], by the schema's documented
    way: events of at most SHORT_SPAN_DAYS start within [$earliest, $to] (a seek of the start
    index), the others carry LONG_SPAN_LABEL and are matched apart. `then` ends each branch."""
    return (
        f"CALL () {{ MATCH {pattern} WHERE e.start >= $earliest AND e.start <= $to "
        f"AND e.end >= $from AND {where} {then} "
        f"UNION MATCH {pattern} WHERE e:`{LONG_SPAN_LABEL}` AND {_OVERLAPS} AND {where} {then} }} "
    )


# ---- events_page ---------------------------------------------------------------------------

EVENTS_PAGE = Operation(
    name="events_page",
    what=f"events of a type overlapping a month, first {PAGE_SIZE} by start, with participants, "
    "places and claims",
    graphql=f"""
query EventsPage($type: EventType!, $from: String!, $to: String!) {{
  events(filter: {{types: [$type], window: {{from: $from, to: $to}}}}, first: {PAGE_SIZE},
         orderBy: START_ASC) {{
    nodes {{ {_EVENT_DETAIL} }}
  }}
}}""",
    floor=(
        _in_window(
            "(e:Event)",
            "e.type = $type AND NOT e:Retracted",
            f"RETURN e ORDER BY e.start, e.id LIMIT {PAGE_SIZE}",
        )
        + f"WITH e ORDER BY e.start, e.id LIMIT {PAGE_SIZE} "
        f"RETURN {_event_detail('e')} AS event"
    ),
    variables=lambda s, _: {"type": s.probes.event_type, **_window(s)},
    reference="EventsPage",
    floor_params=_typed_window,
    floor_answer=lambda records, _: {"nodes": [record["event"] for record in records]},
)


# ---- timeline ------------------------------------------------------------------------------

TIMELINE = Operation(
    name="timeline",
    what="events involving an actor in the window, in time order",
    graphql="""
query Timeline($entity: ID!, $from: String!, $to: String!) {
  timeline(entity: $entity, window: {from: $from, to: $to}, first: 500) {
    nodes { id name type time { start end precision } }
  }
}""",
    floor=(
        _in_window("(:Actor {id: $entity})<-[:INVOLVES]-(e:Event)", "NOT e:Retracted", "RETURN e")
        + f"WITH e ORDER BY {time_order('e')} "
        "RETURN 'Event:' + e.id AS id, e.name AS name, e.type AS type, "
        "{start: toString(e.start), end: toString(e.end), precision: e.time_precision} AS time "
        "LIMIT 500"
    ),
    variables=lambda s, _: {"entity": s.probes.actor, **_window(s)},
    reference="Timeline",
    global_ids={"entity": "Actor"},
    floor_params=_typed_window,
    floor_answer=lambda records, _: {"nodes": [record.data() for record in records]},
)


HUB_TIMELINE = Operation(
    name="hub_timeline",
    what=f"the first {PAGE_SIZE} events of the hub air force (a tenth of all events and more), "
    "in time order",
    graphql=f"""
query HubTimeline($entity: ID!) {{
  timeline(entity: $entity, first: {PAGE_SIZE}) {{
    nodes {{ id name type time {{ start end precision }} }}
  }}
}}""",
    # The plain way: every event of the actor, sorted (ours reads the start index instead
    # when the actor has many events: graph/translate/entity_pages.py).
    floor=(
        "MATCH (:Actor {id: $entity})<-[:INVOLVES]-(e:Event) WHERE NOT e:Retracted "
        f"WITH DISTINCT e ORDER BY {time_order('e')} LIMIT {PAGE_SIZE} "
        "RETURN 'Event:' + e.id AS id, e.name AS name, e.type AS type, "
        "{start: toString(e.start), end: toString(e.end), precision: e.time_precision} AS time"
    ),
    variables=lambda s, _: {"entity": s.probes.actor},
    global_ids={"entity": "Actor"},
    floor_answer=lambda records, _: {"nodes": [record.data() for record in records]},
)


# ---- neighborhood --------------------------------------------------------------------------

_NEIGHBOURS = (
    "CALL ({f}) {{ MATCH ({f})-[:" + _FOLLOWED + "]-(n) WHERE NOT n:Retracted RETURN n "
    "UNION MATCH ({f})<-[:FROM|TO]-(rel:Relation)-[:FROM|TO]->(n) "
    "WHERE rel.type IN $relation_types AND NOT rel:Retracted AND NOT n:Retracted RETURN n }} "
)
_SHOWN_NODE = (
    f"CASE WHEN n:Event THEN {{id: {_gid('n')}, name: n.name, type: n.type}} "
    f"ELSE {{id: {_gid('n')}, name: n.name}} END"
)
NEIGHBORHOOD = Operation(
    name="neighborhood",
    what="nodes within 2 hops of an air base and the relationships between them",
    graphql="""
query Neighborhood($id: ID!) {
  neighborhood(id: $id, depth: 2) {
    truncated
    nodes { id ... on Actor { name } ... on Asset { name } ... on EquipmentType { name }
            ... on Location { name } ... on Source { name } ... on Report { name }
            ... on Event { name type } }
    relationships { id type from to role }
  }
}""",
    # Nearest first: hop by hop, each hop's new nodes in id order, until 500 nodes.
    floor=(
        "MATCH (root:Asset {id: $id}) WHERE NOT root:Retracted "
        "CALL (root) { " + _NEIGHBOURS.format(f="root") + "WITH DISTINCT n WHERE n <> root "
        "ORDER BY n.id, labels(n)[0] RETURN collect(n) AS near } "
        "WITH root, near[..$room] AS hop1, size(near) > $room AS cut1 "
        "CALL (root, hop1) { UNWIND hop1 AS f " + _NEIGHBOURS.format(f="f") + ""
        "WITH DISTINCT n WHERE n <> root AND NOT n IN hop1 "
        "ORDER BY n.id, labels(n)[0] RETURN collect(n) AS far } "
        "WITH root, hop1, cut1, far, $room - size(hop1) AS left "
        "WITH [root] + hop1 + far[..left] AS seen, cut1 OR size(far) > left AS truncated "
        "CALL (seen) { UNWIND seen AS a "
        "  CALL (a, seen) { MATCH (a)-[r:" + _FOLLOWED + "]->(b) WHERE b IN seen "
        "    RETURN b, type(r) AS kind, r.role AS role, null AS rel "
        "    UNION MATCH (a)<-[:FROM]-(rel:Relation)-[:TO]->(b) WHERE b IN seen "
        "    AND rel.type IN $relation_types AND NOT rel:Retracted "
        "    RETURN b, rel.type AS kind, null AS role, rel } "
        "  WITH a, b, kind, role, rel "
        "  ORDER BY kind, a.id, b.id, coalesce(role, ''), coalesce(rel.id, '') "
        f"  LIMIT {NEIGHBOURHOOD_RELATIONSHIPS + 1} "
        "  RETURN collect({id: kind + ':' + a.id + ':' + b.id + coalesce(':' + role, '') "
        "    + coalesce(':' + rel.id, ''), type: kind, "
        f"    from: {_gid('a')}, to: {_gid('b')}, role: role}}) AS edges }} "
        "RETURN {truncated: truncated OR size(edges) > $max_relationships, "
        f"  nodes: [n IN seen | {_SHOWN_NODE}], "
        "  relationships: edges[..$max_relationships]} AS result"
    ),
    variables=lambda s, _: {"id": s.probes.site},
    global_ids={"id": "Asset"},
    floor_params=lambda v: {
        **v,
        "node_labels": NODE_LABELS,
        "relation_types": RELATION_TYPES,
        "room": NEIGHBOURHOOD_NODES - 1,
        "max_relationships": NEIGHBOURHOOD_RELATIONSHIPS,
    },
)


# ---- paths ---------------------------------------------------------------------------------

PATHS_OPERATION = Operation(
    name="paths",
    what=f"shortest paths between two actors, at most {MAX_HOPS} hops",
    graphql=f"""
query Paths($from: ID!, $to: ID!) {{
  paths(from: $from, to: $to, maxHops: {MAX_HOPS}) {{
    nodes {{ id }}
    relationships {{ id type from to role }}
  }}
}}""",
    # A Relation node on a path shows as one relationship from its FROM end to its TO end.
    floor=(
        "MATCH (a:Actor {id: $from}) WHERE NOT a:Retracted "
        "MATCH (b:Actor {id: $to}) WHERE NOT b:Retracted "
        "MATCH p = allShortestPaths((a)-[:" + _FOLLOWED + f"|FROM|TO*1..{MAX_HOPS}]-(b)) "
        "WHERE all(x IN nodes(p) WHERE NOT x:Retracted "
        "  AND (NOT x:Relation OR x.type IN $relation_types)) "
        f"WITH p ORDER BY [n IN nodes(p) | n.id] LIMIT {PATHS} "
        "CALL (p) { WITH nodes(p) AS ns, relationships(p) AS rs "
        "  UNWIND range(0, size(rs) - 1) AS i WITH ns, rs, i WHERE NOT ns[i]:Relation "
        "  WITH i, rs[i] AS r, CASE WHEN ns[i + 1]:Relation THEN ns[i + 1] END AS rel, "
        "    ns[i] AS here, ns[i + 2] AS there "
        "  WITH i, r, rel, "
        "    CASE WHEN rel IS NULL THEN startNode(r) WHEN type(r) = 'TO' THEN there "
        "    ELSE here END AS a, "
        "    CASE WHEN rel IS NULL THEN endNode(r) WHEN type(r) = 'TO' THEN here "
        "    ELSE there END AS b "
        "  WITH i, a, b, rel, CASE WHEN rel IS NULL THEN type(r) ELSE rel.type END AS kind, "
        "    CASE WHEN rel IS NULL THEN r.role END AS role ORDER BY i "
        "  RETURN collect({id: kind + ':' + a.id + ':' + b.id + coalesce(':' + role, '') "
        f"    + coalesce(':' + rel.id, ''), type: kind, from: {_gid('a')}, to: {_gid('b')}, "
        "    role: role}) AS shown } "
        f"RETURN collect({{nodes: [n IN nodes(p) WHERE NOT n:Relation | {{id: {_gid('n')}}}], "
        "  relationships: shown}) AS result"
    ),
    variables=lambda s, _: {"from": s.probes.actor_a, "to": s.probes.actor_b},
    global_ids={"from": "Actor", "to": "Actor"},
    floor_params=lambda v: {**v, "node_labels": NODE_LABELS, "relation_types": RELATION_TYPES},
)


# ---- activity ------------------------------------------------------------------------------


def week_starts(start: datetime, end: datetime) -> list[datetime]:
    """ISO weeks (from Monday, UTC) covering [start, end], as many again before them as a
    baseline, and the start of the week after the last: the bucket bounds."""
    first = datetime(start.year, start.month, start.day, tzinfo=UTC)
    first -= timedelta(days=first.weekday())
    weeks = (end - first) // timedelta(weeks=1) + 1
    return [first + timedelta(weeks=k) for k in range(-weeks, weeks + 1)]


def _activity_params(variables: Variables) -> dict[str, Any]:
    starts = week_starts(instant(variables["from"]), instant(variables["to"]))
    return {
        "place": variables["place"],
        "starts": starts,
        "low": starts[0],
        "high": starts[-1] - timedelta(microseconds=1),
    }


def _activity_answer(records: list[Record], variables: Variables) -> dict[str, Any]:
    """Weekly counts as our `activity` answers them: the window's weeks against a baseline of
    as many weeks before, z = (count − mean) / max(stddev, √mean, 1)."""
    starts = _activity_params(variables)["starts"]
    size = (len(starts) - 1) // 2
    counts = {int(record["week"]): record for record in records}
    certain = [int(counts[i]["certain"]) if i in counts else 0 for i in range(2 * size)]
    maybe = [int(counts[i]["uncertain"]) if i in counts else 0 for i in range(2 * size)]
    baseline = certain[:size]
    mean = sum(baseline) / size
    stddev = (sum((x - mean) ** 2 for x in baseline) / (size - 1)) ** 0.5 if size > 1 else 0.0
    spread = max(stddev, mean**0.5, 1.0)
    one = timedelta(microseconds=1)
    return {
        "baseline": {
            "start": _datetime_text(starts[0]),
            "end": _datetime_text(starts[size] - one),
            "buckets": size,
            "mean": round(mean, 3),
            "stddev": round(stddev, 3),
            "uncertainMean": round(sum(maybe[:size]) / size, 3),
        },
        "buckets": [
            {
                "start": _datetime_text(starts[i]),
                "end": _datetime_text(starts[i + 1] - one),
                "count": certain[i],
                "uncertain": maybe[i],
                "zScore": round((certain[i] - mean) / spread, 3),
            }
            for i in range(size, 2 * size)
        ],
    }


def _datetime_text(value: datetime) -> str:
    """Our API's DateTime text: ISO-8601 UTC with a Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


ACTIVITY = Operation(
    name="activity",
    what="weekly event counts at a province (places inside count) over the window, "
    "against a baseline",
    graphql="""
query Activity($place: ID!, $from: String!, $to: String!) {
  activity(place: $place, bucket: WEEK, window: {from: $from, to: $to}) {
    baseline { start end buckets mean stddev uncertainMean }
    buckets { start end count uncertain zScore }
  }
}""",
    # Places inside the province, the events there overlapping the weeks, then per week the
    # events wholly inside it (certain) and those that only overlap it (uncertain).
    floor=(
        "MATCH (place:Location {id: $place}) "
        "CALL (place) { MATCH (place)<-[:WITHIN*0..8]-(l:Location) RETURN l AS p "
        "  UNION MATCH (place)<-[:WITHIN*0..7]-(:Location)<-[:LOCATED_AT]-(a:Asset) "
        "  RETURN a AS p } "
        "MATCH (p)<-[:OCCURRED_AT|ORIGIN|DESTINATION]-(e:Event) "
        "WHERE (e.start IS NULL OR e.start <= $high) AND (e.end IS NULL OR e.end >= $low) "
        "AND NOT e:Retracted "
        "WITH DISTINCT e "
        "UNWIND range(0, size($starts) - 2) AS week "
        "WITH e, week, $starts[week] AS first, $starts[week + 1] AS next "
        "WHERE (e.start IS NULL OR e.start < next) AND (e.end IS NULL OR e.end >= first) "
        "WITH week, e.start >= first AND e.end < next AS inside "
        "RETURN week, count(CASE WHEN inside THEN 1 END) AS certain, "
        "count(CASE WHEN inside THEN null ELSE 1 END) AS uncertain"
    ),
    variables=lambda s, _: {"place": s.probes.place, **_window(s)},
    global_ids={"place": "Location"},
    floor_params=_activity_params,
    floor_answer=_activity_answer,
)


# ---- search --------------------------------------------------------------------------------

SEARCH = Operation(
    name="search",
    what=f"full-text search over names and aliases, first {SEARCH_HITS}",
    graphql=f"""
query Search($text: String!) {{
  search(text: $text, first: {SEARCH_HITS}) {{
    score
    node {{ id ... on Actor {{ name }} ... on Asset {{ name }} ... on EquipmentType {{ name }}
            ... on Location {{ name }} ... on Source {{ name }} ... on Report {{ name }}
            ... on Event {{ name }} }}
  }}
}}""",
    floor=(
        "CALL db.index.fulltext.queryNodes('entity_names', $text, {limit: $limit}) "
        "YIELD node, score WHERE NOT node:Retracted "
        f"RETURN score, {{id: {_gid('node')}, name: node.name}} AS node"
    ),
    variables=lambda s, _: {"text": s.probes.search_text},
    reference="Search",
    # The library searches one type per root field: the client merges the hits by score.
    reference_answer=lambda data: search_hits(data, SEARCH_HITS),
    floor_params=lambda v: {**v, "limit": SEARCH_HITS, "node_labels": NODE_LABELS},
    floor_answer=lambda records, _: [record.data() for record in records],
)


# ---- events_count --------------------------------------------------------------------------

EVENTS_COUNT = Operation(
    name="events_count",
    what=f"a connection of an actor's events: totalCount and the first {CONNECTION_PAGE}",
    graphql=f"""
query EventsCount($entity: ID!) {{
  events(filter: {{involving: $entity}}, first: {CONNECTION_PAGE}) {{
    totalCount
    nodes {{ id name }}
  }}
}}""",
    floor=(
        "MATCH (a:Actor {id: $entity}) "
        "CALL (a) { MATCH (a)<-[:INVOLVES]-(e:Event) WHERE NOT e:Retracted "
        "  RETURN count(DISTINCT e) AS total } "
        "CALL (a) { MATCH (a)<-[:INVOLVES]-(e:Event) WHERE NOT e:Retracted "
        f"  WITH DISTINCT e ORDER BY e.start, e.id LIMIT {CONNECTION_PAGE} "
        "  RETURN collect({id: 'Event:' + e.id, name: e.name}) AS page } "
        "RETURN {totalCount: total, nodes: page} AS result"
    ),
    variables=lambda s, _: {"entity": s.probes.actor},
    reference="EventsCount",
    global_ids={"entity": "Actor"},
)


# ---- record_event --------------------------------------------------------------------------


def _flight(subjects: Subjects, unique: str) -> Variables:
    """A new flight into the air base by the probe actor, on the window's first day."""
    return {
        "id": f"bench-flight-{unique}",
        "name": f"Benchmark flight {unique}",
        "start": subjects.probes.window_from,
        "operator": subjects.probes.actor,
        "aircraft": subjects.aircraft,
        "destination": subjects.probes.site,
        "source": subjects.source,
        "paraphrase": "Tracking data show a transport flight into the base.",
    }


def _flight_params(variables: Variables) -> dict[str, Any]:
    moment = instant(variables["start"])
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return {
        **variables,
        "start": day,
        "end": day + timedelta(days=1) - timedelta(microseconds=1),
        "now": datetime.now(UTC),
    }


RECORD_EVENT = Operation(
    name="record_event",
    what="a mutation recording a flight with 2 participants and 1 claim",
    graphql="""
mutation RecordEvent($id: String!, $name: String!, $start: String!, $operator: String!,
                     $aircraft: String!, $destination: String!, $source: String!,
                     $paraphrase: String!) {
  recordEvent(input: {key: $id, type: flight, name: $name,
                      time: {start: $start, precision: day}, destination: $destination,
                      participants: [{role: operator, ref: $operator},
                                     {role: aircraft, ref: $aircraft}],
                      claims: [{source: $source, credibility: 2, paraphrase: $paraphrase}]}) {
    id
  }
}""",
    # The importer's shape: the event MERGEd by id, its edges and its claim (with the
    # source's grading) beside it, in one statement.
    floor=(
        "MATCH (operator:Actor {id: $operator}) "
        "MATCH (aircraft:EquipmentType {id: $aircraft}) "
        "MATCH (destination:Asset {id: $destination}) "
        "MATCH (source:Source {id: $source}) "
        "MERGE (e:Event {id: $id}) "
        "ON CREATE SET e.created_at = $now "
        "SET e.name = $name, e.type = 'flight', e.start = $start, e.end = $end, "
        "  e.time_precision = 'day', e.year_assumed = false, e.updated_at = $now "
        "MERGE (e)-[:INVOLVES {role: 'operator', position: 0}]->(operator) "
        "MERGE (e)-[:INVOLVES {role: 'aircraft', position: 1}]->(aircraft) "
        "MERGE (e)-[:DESTINATION]->(destination) "
        "MERGE (c:Claim {id: $id + '/claim-1'}) "
        "ON CREATE SET c.created_at = $now "
        "SET c.position = 0, c.reliability = source.reliability, c.reliability_given = false, "
        "  c.credibility = '2', c.paraphrase = $paraphrase "
        "MERGE (c)-[:SUPPORTS]->(e) "
        "MERGE (c)-[:SOURCED_FROM]->(source) "
        "RETURN {id: 'Event:' + e.id} AS result"
    ),
    variables=_flight,
    reference="RecordEvent",
    day_texts=("start",),
    floor_params=_flight_params,
    writes=True,
)


# ---- node ----------------------------------------------------------------------------------

NODE = Operation(
    name="node",
    what="one event by id with participants and claims",
    graphql="""
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Event {
      name type time { start end precision }
      participants { role entity { ... on Actor { id name } ... on Asset { id name }
                                   ... on EquipmentType { id name } ... on Location { id name } } }
      claims { reliability credibility paraphrase source { name } }
    }
  }
}""",
    floor=(
        "MATCH (e:Event {id: $id}) WHERE NOT e:Retracted "
        "RETURN {id: 'Event:' + e.id, name: e.name, type: e.type, "
        "time: {start: toString(e.start), end: toString(e.end), precision: e.time_precision}, "
        "participants: COLLECT { MATCH (e)-[r:INVOLVES]->(x) "
        f"  RETURN {{role: r.role, entity: {{id: {_gid('x')}, name: x.name}}}} "
        "  ORDER BY r.position }, "
        "claims: COLLECT { MATCH (e)<-[:SUPPORTS]-(c:Claim)-[:SOURCED_FROM]->(s:Source) "
        "  RETURN {reliability: c.reliability, credibility: toInteger(c.credibility), "
        "  paraphrase: c.paraphrase, source: {name: s.name}} ORDER BY c.position }} AS result"
    ),
    variables=lambda s, _: {"id": s.event},
    reference="Node",
    global_ids={"id": "Event"},
    floor_params=_with_labels,
)


OPERATIONS: tuple[Operation, ...] = (
    EVENTS_PAGE,
    TIMELINE,
    HUB_TIMELINE,
    NEIGHBORHOOD,
    PATHS_OPERATION,
    ACTIVITY,
    SEARCH,
    EVENTS_COUNT,
    NODE,
    RECORD_EVENT,
)
"""In the order they are measured: the write last, so reads see the imported graph only."""

BY_NAME = {operation.name: operation for operation in OPERATIONS}


# ---- running the floor ---------------------------------------------------------------------


async def run_floor(
    driver: AsyncDriver, database: str, operation: Operation, variables: Variables
) -> list[Record]:
    """One floor call: an auto-commit read, or a managed write transaction (retried on
    transient errors, as our importer's writes are)."""
    params = operation.floor_params(variables)
    if operation.writes:
        records, _, _ = await driver.execute_query(
            operation.floor, params, database_=database, routing_="w"
        )
        return records
    async with driver.session(database=database, default_access_mode="READ") as session:
        result = await session.run(operation.floor, params)
        return [record async for record in result]


# ---- the reference's documents -------------------------------------------------------------


def reference_documents(path: Path = REFERENCE_OPERATIONS) -> dict[str, str]:
    """Each named operation of the reference's file as a document of its own (with the fragments
    it uses), so the server parses only what it runs."""
    document = parse(path.read_text(encoding="utf-8"))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    documents = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name:
            used = _fragments_used(definition, fragments)
            single = DocumentNode(definitions=(definition, *used))
            documents[definition.name.value] = print_ast(single)
    return documents


class _Spreads(Visitor):
    """Collects the names of the fragments a definition spreads."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.append(node.name.value)


def _fragments_used(
    root: Node, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    found: dict[str, FragmentDefinitionNode] = {}
    pending = [root]
    while pending:
        spreads = _Spreads()
        visit(pending.pop(), spreads)
        for name in spreads.names:
            if name not in found and name in fragments:
                found[name] = fragments[name]
                pending.append(fragments[name])
    return list(found.values())
