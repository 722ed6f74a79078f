"""Both GraphQL paths give one answer, byte for byte, in the order the query asks for — also on
nodes that other tools wrote through Bolt and that break the schema's promises.

The seed story plus such nodes (`BROKEN`): an Actor without kind or `anonymous`, one whose kind
is 'alien', one whose name is an integer, one whose aliases are a string, a Location whose
point has no precision and an integer uncertainty, Events without a time precision or of an
unknown type, a claim graded 'Z', wired into seed events so that lists and nested fields meet
them. Generated queries (hypothesis-graphql, selections shuffled) are answered on the fast path
and the standard path, and the raw responses must be equal. Then one test per kind of broken
data with its exact answer, and one on selection order.

500 generated queries, derandomized (the same every run): about a minute on two idle cores.
"""

import json
from collections.abc import Iterator
from dataclasses import replace
from random import Random
from typing import Any

import graphql
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.api.graphql.cost import TOO_COMPLEX
from eventgraph.api.graphql.schema import schema
from eventgraph.graph.settings import Settings
from eventgraph.graph.translate.queries import encode_cursor
from tests.counting import FastPathTally, watching_fast_path
from tests.helpers import ask, graphql_path

EXAMPLES = 500

BROKEN = """
MATCH (attack:Event {id: 'hmeimim-2025-attack'}), (russia:Actor {id: 'russia'}),
      (bloomberg:Source {id: 'bloomberg'})
CREATE (nokind:Actor {id: 'nokind', name: 'Nameless kind', aliases: []}),
       (alien:Actor {id: 'alien', name: 'Alien', kind: 'alien', aliases: [], anonymous: false}),
       (numbered:Actor {id: 'numbered', name: 42, kind: 'state', aliases: [], anonymous: false}),
       (listy:Actor {id: 'listy', name: 'Listy', kind: 'group', aliases: 'Listy group',
                     anonymous: false}),
       (nowhere:Location {id: 'nowhere', name: 'Nowhere', kind: 'site', aliases: [],
                          point: point({latitude: 35.5, longitude: 35.8}),
                          point_uncertainty_km: 5}),
       (outlet:Source {id: 'odd-outlet', name: 'Odd outlet', kind: 'news_outlet', aliases: [],
                       anonymous: false}),
       (untimed:Event {id: 'untimed', name: 'Untimed flight', type: 'flight', aliases: [],
                       year_assumed: false, start: datetime('2025-10-25T00:00:00Z'),
                       end: datetime('2025-10-25T23:59:59Z')}),
       (odd:Event {id: 'odd-flight', name: 'Odd flight', type: 'teleport', aliases: [],
                   time_precision: 'day', year_assumed: false,
                   start: datetime('2025-10-26T00:00:00Z'), end: datetime('2025-10-26T23:59:59Z')}),
       (graded:Claim {id: 'odd-flight/claim-1', paraphrase: 'Seen.', reliability: 'Z',
                      credibility: '2', position: 0}),
       (outlet)-[:IS_ACTOR]->(alien),
       (attack)-[:INVOLVES {role: 'target', position: 90}]->(nokind),
       (attack)-[:INVOLVES {role: 'participant', position: 91}]->(listy),
       (attack)-[:OCCURRED_AT]->(nowhere),
       (untimed)-[:INVOLVES {role: 'operator', position: 0}]->(russia),
       (odd)-[:INVOLVES {role: 'operator', position: 0}]->(alien),
       (odd)-[:INVOLVES {role: 'participant', position: 1}]->(russia),
       (odd)-[:DESTINATION]->(nowhere),
       (graded)-[:SUPPORTS]->(odd), (graded)-[:SOURCED_FROM]->(bloomberg)
"""
BROKEN_IDS = [
    "Actor:nokind",
    "Actor:alien",
    "Actor:numbered",
    "Actor:listy",
    "Location:nowhere",
    "Source:odd-outlet",
    "Event:untimed",
    "Event:odd-flight",
]
SEED_IDS = [
    "Actor:russia",
    "Actor:turkey",
    "Event:hmeimim-2025-attack",
    "Event:hmeimim-2025-airlift",
    "Location:hmeimim",
    "Location:latakia-province",
    "Asset:hmeimim-air-base",
    "EquipmentType:an-124-100",
    "Source:bloomberg",
]
STORED = "(written outside eventgraph's import); fix the node in the graph"  # every message ends so


def _value(node: type[graphql.ValueNode], values: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(values).map(lambda value: node(value=str(value)))  # type: ignore[call-arg]


SCALARS = {
    # Ids that meet the story and the broken nodes; small page sizes and depths, mostly ones
    # eventgraph accepts, so that most queries reach Neo4j (test_graphql_fuzz.py sends the
    # refused ones).
    "ID": _value(graphql.StringValueNode, BROKEN_IDS + SEED_IDS),
    "Int": _value(graphql.IntValueNode, [1, 2, 3]),
}
GENERATED = queries(schema._schema, custom_scalars=SCALARS, print_ast=lambda document: document)
ARGUMENT_TEXTS = {
    "after": [encode_cursor(0), encode_cursor(2)],
    "before": [encode_cursor(3), encode_cursor(9)],
    "from": ["2025-10", "2025-10-24"],
    "to": ["2025-10-27", "2025-11"],
    "text": ["alien", "Hmeimim", "nameless", "odd", "flight", "listy"],
    "types": ["INVOLVES", "OCCURRED_AT", "operates", "part_of"],
    "scheme": ["icao_airport", "icao_type"],
    "value": ["OSLK", "oslk"],
}
"""Strings by argument or input field name: ones that meet the story (any string would do for
the schema, and most would be refused)."""


class _Steered(graphql.Visitor):
    """Every selection set in a random order (as valid as before); string arguments drawn from
    `ARGUMENT_TEXTS`; windows with both ends; no `last` without `before` or with `first`, nor relationship
    `types: []` (eventgraph refuses both)."""

    def __init__(self, random: Random) -> None:
        super().__init__()
        self.random = random

    def leave_selection_set(self, node: graphql.SelectionSetNode, *_: Any) -> Any:
        selections = list(node.selections)
        self.random.shuffle(selections)
        return replace(node, selections=tuple(selections))

    def leave_field(self, node: graphql.FieldNode, *_: Any) -> Any:
        arguments = []
        given = {
            argument.name.value
            for argument in node.arguments or ()
            if not isinstance(argument.value, graphql.NullValueNode)
        }
        for argument in node.arguments or ():
            name, value = argument.name.value, argument.value
            if name == "last" and ("before" not in given or "first" in given):
                continue
            relationship_types = name == "types" and node.name.value in ("neighborhood", "paths")
            if relationship_types and isinstance(value, graphql.ListValueNode) and not value.values:
                continue
            arguments.append(argument)
        return replace(node, arguments=tuple(arguments))

    def leave_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
        if node.name.value in ("from", "to"):  # `paths(from:, to:)`: ids
            return None
        return replace(node, value=self._steered(node.name.value, node.value))

    def leave_object_field(self, node: graphql.ObjectFieldNode, *_: Any) -> Any:
        return replace(node, value=self._steered(node.name.value, node.value))

    def _steered(self, name: str, value: graphql.ValueNode) -> graphql.ValueNode:
        if name == "window" and isinstance(value, graphql.ObjectValueNode):
            ends = ("from", "to")
            return replace(
                value,
                fields=tuple(
                    graphql.ObjectFieldNode(
                        name=graphql.NameNode(value=end),
                        value=graphql.StringValueNode(
                            value=self.random.choice(ARGUMENT_TEXTS[end])
                        ),
                    )
                    for end in ends
                ),
            )
        texts = ARGUMENT_TEXTS.get(name)
        if texts is None:
            return value
        if isinstance(value, graphql.StringValueNode):
            return graphql.StringValueNode(value=self.random.choice(texts))
        if isinstance(value, graphql.ListValueNode):
            return replace(value, values=tuple(self._steered(name, item) for item in value.values))
        return value


@pytest.fixture(scope="module")
def client(story_to_extend: Driver, settings: Settings) -> Iterator[TestClient]:
    story_to_extend.execute_query(BROKEN, database_=settings.neo4j_database)
    # A short timeout, as in the fuzz tests: some valid nestings take Neo4j's planner seconds.
    app_settings = settings.model_copy(update={"anonymous_read": True, "graphql_timeout_s": 2.0})
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def _both(client: TestClient, query: str) -> tuple[str, str, FastPathTally]:
    """(fast text, standard text, what the fast path did when asked: answered it itself, or
    left it to the standard path because a stored value broke the schema)."""
    with watching_fast_path() as tally:
        fast = ask(client, query, fast=True)
    standard = ask(client, query, fast=False)
    assert fast.status_code == standard.status_code == 200, (fast.text, standard.text)
    return fast.text, standard.text, tally


def _ordered(text: str) -> Any:
    return json.loads(text, object_pairs_hook=list)


def test_generated_queries_answer_the_same_bytes_on_both_paths(client: TestClient) -> None:
    tally = {"asked": 0, "fast": 0, "fallbacks": 0, "timeouts": 0, "racy": 0, "too_complex": 0}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(document=GENERATED, random=st.randoms(use_true_random=False))
    def ask(document: graphql.DocumentNode, random: Random) -> None:
        query = graphql.print_ast(graphql.visit(document, _Steered(random)))
        note(query)
        fast, standard, watched = _both(client, query)
        by_fast = watched.answered == 1
        tally["asked"] += 1
        tally["fast"] += by_fast
        tally["too_complex"] += f'"{TOO_COMPLEX}"' in fast  # refused before either path runs
        tally["fallbacks"] += watched.fell_back > 0
        if '"TIMEOUT"' in fast or '"TIMEOUT"' in standard:
            tally["timeouts"] += 1  # Neo4j's planner, timed: the two runs may differ
            return
        if not by_fast and fast != standard:
            tally["racy"] += _graphql_core_alike(fast, standard)
            return
        assert fast == standard, f"{query}\nfast:     {fast}\nstandard: {standard}"

    ask()
    assert tally["asked"] >= EXAMPLES
    # the fast path answered most of what either path runs (a document the cost estimate
    # refuses is refused alike before either: more of them since events gained a list of ids)
    assert tally["fast"] > (tally["asked"] - tally["too_complex"]) // 2, tally
    assert tally["too_complex"] < tally["asked"] // 2, tally  # most generated ones are run
    # and the broken nodes were met: how often depends on what the schema lets hypothesis
    # generate (22 of 500 once, 8 after timeline became a connection, 4 once claims gained a
    # quote and a grading note); the plain tests below meet every broken node on purpose
    assert tally["fallbacks"] >= 3, tally
    assert tally["timeouts"] + tally["racy"] < tally["asked"] // 10, tally


def _graphql_core_alike(first: str, second: str) -> bool:
    """Two answers graphql-core gave to one query (the fast path left it to the standard path
    both times): the same, but for what depends on which root resolver finished first. Its
    resolvers run concurrently: errors are listed as they come, and once a non-null root field
    fails (`data` null), the others' errors are in or not. True when `data` was null."""
    one, other = json.loads(first), json.loads(second)
    if one["data"] is None or other["data"] is None:
        assert one["data"] is other["data"] is None, (first, second)
        assert one["errors"] and other["errors"], (first, second)
        return True
    assert _ordered(first)[0] == _ordered(second)[0], (first, second)  # data, in order
    errors = [sorted(json.dumps(e) for e in answer.get("errors", ())) for answer in (one, other)]
    assert errors[0] == errors[1], (first, second)
    return False


def _broken(query: str, field: str, path: list[Any], problem: str) -> Any:
    """A case: the query, and the answer when `field` (its first occurrence as ` field `) meets
    broken data at `path`: that error, with the data as it is left."""
    return query, {
        "message": f"{problem} {STORED}",
        "locations": [{"line": 1, "column": query.index(f" {field} ") + 2}],
        "path": path,
        "extensions": {"code": "STORED_DATA_INVALID"},
    }


BROKEN_CASES = [
    pytest.param(
        *_broken(
            '{ node(id: "Actor:nokind") { id ... on Actor { name kind } } }',
            "kind",
            ["node", "kind"],
            "Actor.kind: nothing is stored where the schema promises an ActorKind",
        ),
        {"node": None},
        id="required-field-missing",
    ),
    pytest.param(
        *_broken(
            '{ search(text: "alien") { score node { ... on Actor { kind } } } }',
            "kind",
            ["search", 0, "node", "kind"],
            "Actor.kind: the stored value 'alien' is not an ActorKind",
        ),
        None,
        id="kind-outside-the-enum-nulls-up-to-data",
    ),
    pytest.param(
        *_broken(
            '{ node(id: "Source:odd-outlet") { ... on Source { name actor { name kind } } } }',
            "kind",
            ["node", "actor", "kind"],
            "Actor.kind: the stored value 'alien' is not an ActorKind",
        ),
        {"node": {"name": "Odd outlet", "actor": None}},
        id="null-at-the-nearest-nullable-parent",
    ),
    pytest.param(
        *_broken(
            '{ node(id: "Actor:listy") { ... on Actor { name aliases } } }',
            "aliases",
            ["node", "aliases"],
            "Actor.aliases: the stored value 'Listy group' is not a list of String",
        ),
        {"node": None},
        id="list-that-is-a-string",
    ),
    pytest.param(
        *_broken(
            '{ node(id: "Event:untimed") { ... on Event { name time { start precision } } } }',
            "precision",
            ["node", "time", "precision"],
            "TimeSpan.precision: nothing is stored where the schema promises a TimePrecision",
        ),
        {"node": None},
        id="missing-time-precision",
    ),
    pytest.param(
        *_broken(
            '{ events(filter: {text: "odd"}) { nodes { name type } } }',
            "type",
            ["events", "nodes", 0, "type"],
            "Event.type: the stored value 'teleport' is not an EventType",
        ),
        None,
        id="unknown-event-type",
    ),
    pytest.param(
        *_broken(
            '{ node(id: "Event:odd-flight") { ... on Event { claims { reliability } } } }',
            "reliability",
            ["node", "claims", 0, "reliability"],
            "Claim.reliability: the stored value 'Z' is not a Reliability",
        ),
        {"node": None},
        id="claim-graded-outside-the-scale",
    ),
    pytest.param(
        *_broken(
            '{ node(id: "Event:odd-flight") { ... on Event { corroboration { independentOrigins '
            "bestGrading { reliability code } } } } }",
            "reliability",
            ["node", "corroboration", "bestGrading", "reliability"],
            "Grading.reliability: the stored value 'Z' is not a Reliability",
        ),
        {"node": {"corroboration": {"independentOrigins": 1, "bestGrading": None}}},
        id="corroboration-graded-outside-the-scale",
    ),
]


@pytest.mark.parametrize(("query", "error", "data"), BROKEN_CASES)
def test_broken_data_answers_as_the_spec_says_on_both_paths(
    client: TestClient, query: str, error: dict[str, Any], data: Any
) -> None:
    fast, standard, watched = _both(client, query)
    assert fast == standard
    assert json.loads(standard) == {"data": data, "errors": [error]}
    assert not watched.answered and watched.fell_back == 1  # the standard path answered


def test_broken_data_asked_again_is_tried_once_on_the_fast_path(client: TestClient) -> None:
    """The second time, the lane (`api/graphql/lane.py`) runs the fast path and leaves the
    operation to the standard path, which answers it without running the fast path again."""
    query = str(BROKEN_CASES[0].values[0])
    with watching_fast_path() as watched:
        first, again = [ask(client, query, fast=True) for _ in range(2)]
    assert first.content == again.content and first.status_code == again.status_code == 200
    assert not watched.answered and watched.fell_back == 2  # once per request


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_a_document_asked_again_answers_the_same_bytes(client: TestClient, accept: str) -> None:
    """The first time a document is asked, the router answers it and keeps its plans; from the
    second on, the lane does (`api/graphql/lane.py`): the same status, media type and bytes."""
    query = (  # a document of its own per media type: its first request plans it
        f'# asked with {accept}\n{{ node(id: "Event:hmeimim-2025-attack") {{ id ... on Event {{ '
        "name participants { role entity { ... on Actor { id name } } } } } }"
    )
    with watching_fast_path() as watched, graphql_path(client, fast=True):
        first, again = [
            client.post("/graphql", json={"query": query}, headers={"Accept": accept})
            for _ in range(2)
        ]
    assert watched.answered == 2 and watched.compiled == 1
    assert (first.status_code, first.content) == (again.status_code, again.content)
    assert first.status_code == 200 and b'"participants"' in first.content
    assert first.headers["content-type"] == again.headers["content-type"] == accept
    assert first.headers["content-length"] == again.headers["content-length"]


def test_an_integer_name_answers_as_graphql_core_writes_it(client: TestClient) -> None:
    """graphql-core writes an integer String as text; the fast path leaves that to it."""
    fast, standard, watched = _both(
        client, '{ node(id: "Actor:numbered") { ... on Actor { name } } }'
    )
    assert not watched.answered
    assert fast == standard == '{"data":{"node":{"name":"42"}}}'


def test_a_float_stored_as_an_integer_answers_as_a_float_on_the_fast_path(
    client: TestClient,
) -> None:
    query = (
        '{ node(id: "Location:nowhere") { '
        "... on Location { point { uncertaintyKm precision latitude } } } }"
    )
    fast, standard, watched = _both(client, query)
    assert watched.answered
    assert fast == standard
    assert fast == (
        '{"data":{"node":{"point":{"uncertaintyKm":5.0,"precision":null,"latitude":35.5}}}}'
    )


ORDER_CASES = [
    pytest.param(
        '{ node(id: "Event:hmeimim-2025-airlift") { '
        "... on Event { time { start end precision } } } }",
        [("node", [("time", [("start", ...), ("end", ...), ("precision", "interval")])])],
        id="time-span",
    ),
    pytest.param(
        '{ e: node(id: "Actor:russia") { z: __typename ... on Actor { b: name a: key } } }',
        [("e", [("z", "Actor"), ("b", "Russia"), ("a", "russia")])],
        id="aliases",
    ),
    pytest.param(
        '{ node(id: "Actor:russia") { ...Named id ... on Actor { key name } } } '
        "fragment Named on Actor { name kind }",
        [
            (
                "node",
                [("name", "Russia"), ("kind", "state"), ("id", "Actor:russia"), ("key", "russia")],
            )
        ],
        id="fragments-merge-by-first-appearance",
    ),
    pytest.param(
        '{ b: locations(filter: {text: "latakia"}, first: 1) { totalCount } '
        'a: version b: locations(filter: {text: "latakia"}, first: 1) { nodes { key } } }',
        [("b", [("totalCount", ...), ("nodes", [[("key", ...)]])]), ("a", ...)],
        id="root-fields-sharing-a-key-merge",
    ),
    pytest.param(
        '{ node(id: "Event:hmeimim-2025-airlift") { ... on Event { corroboration { '
        "worstGrading { code } o: origins { n: claimCount source { key } } independentOrigins "
        "bestGrading { credibility reliability } } } } }",
        [
            (
                "node",
                [
                    (
                        "corroboration",
                        [
                            ("worstGrading", [("code", "F3")]),
                            ("o", [[("n", 2), ("source", [("key", "flightradar24")])], ..., ...]),
                            ("independentOrigins", 3),
                            ("bestGrading", [("credibility", 2), ("reliability", "B")]),
                        ],
                    )
                ],
            )
        ],
        id="corroboration",
    ),
]


def _matches(answer: Any, expected: Any) -> bool:
    """`answer` (pairs, in order) against `expected`, where `...` stands for any value."""
    if expected is ...:
        return True
    if isinstance(expected, list):
        return (
            isinstance(answer, list)
            and len(answer) == len(expected)
            and all(_matches(a, e) for a, e in zip(answer, expected, strict=True))
        )
    if isinstance(expected, tuple):
        return answer[0] == expected[0] and _matches(answer[1], expected[1])
    return bool(answer == expected)


@pytest.mark.parametrize(("query", "expected"), ORDER_CASES)
def test_fields_answer_in_the_order_asked(client: TestClient, query: str, expected: Any) -> None:
    fast, standard, watched = _both(client, query)
    assert watched.answered
    assert fast == standard
    data = _ordered(fast)
    assert data[0][0] == "data" and len(data) == 1, fast
    assert _matches(data[0][1], expected), fast


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ('{ actors(filter: {text: "42"}) { nodes { key } } }', ["numbered"]),
        ('{ actors(filter: {text: "listy group"}) { nodes { key } } }', ["listy"]),
        ('{ events(filter: {text: "odd"}) { totalCount } }', None),
    ],
    ids=["number-as-name", "alias-as-one-string", "event-text"],
)
def test_text_filters_read_past_nodes_of_other_tools(
    client: TestClient, query: str, keys: list[str] | None
) -> None:
    """A number as `name` or one string as `aliases` (written through Bolt) is read as text:
    the filter matches or skips it, never fails the statement."""
    fast, standard, _ = _both(client, query)
    assert fast == standard
    answer = json.loads(standard)
    assert "errors" not in answer, answer
    if keys is not None:
        assert [node["key"] for node in answer["data"]["actors"]["nodes"]] == keys
