"""GraphQL over the seed story: every documented query, fast path and standard path alike;
one Cypher round trip per root field; auth; the exported SDL."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import GraphQLNonNull
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.api.graphql.schema import schema
from eventgraph.api.graphql.selection import model_name
from eventgraph.graph import model
from eventgraph.graph.importer import import_paths
from eventgraph.graph.projection import FIELDS
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from eventgraph.graph.tokens import Role, create_token
from tests.counting import counting_statements, watching_fast_path
from tests.helpers import graphql_path

DOC = PROJECT_ROOT / "docs" / "graphql.md"
DOCUMENTED = [
    block
    for block in re.findall(r"```graphql\n(.*?)```", DOC.read_text(), flags=re.S)
    if not block.lstrip().startswith(("mutation", "subscription"))
]


def _ask(client: TestClient, query: str, fast: bool, **extra: Any) -> dict[str, Any]:
    return json.loads(_ask_text(client, query, fast, **extra))  # type: ignore[no-any-return]


def _ask_text(client: TestClient, query: str, fast: bool, **extra: Any) -> str:
    """The response body as sent, on the fast path or the standard path."""
    with graphql_path(client, fast):
        response = client.post("/graphql", json={"query": query, **extra})
    assert response.status_code == 200, response.text
    return str(response.text)


def test_the_docs_hold_queries() -> None:
    assert len(DOCUMENTED) >= 8


@pytest.mark.parametrize("query", DOCUMENTED, ids=[f"doc-{i}" for i in range(len(DOCUMENTED))])
def test_documented_query_fast_path_equals_standard_path(
    story_client: TestClient, query: str
) -> None:
    standard = _ask_text(story_client, query, fast=False)
    assert "errors" not in json.loads(standard), standard
    with watching_fast_path() as tally:
        fast = _ask_text(story_client, query, fast=True)
    assert tally.answered == 1, "the fast path fell back to the standard path"
    # The same JSON text: the same values, and every object's keys in the same order (the
    # order the query asks for, as the spec says; graphql-core keeps it).
    assert fast == standard
    assert json.loads(fast, object_pairs_hook=list) == json.loads(standard, object_pairs_hook=list)
    assert any(value for value in json.loads(standard)["data"].values())


def test_flights_answer_as_the_story_says(story_client: TestClient) -> None:
    data = _ask(story_client, DOCUMENTED[0], fast=True)["data"]["events"]
    assert data["totalCount"] == 6
    an124 = [edge["node"] for edge in data["edges"] if "An-124" in edge["node"]["name"]]
    assert len(an124) == 3
    for flight in an124:
        assert flight["time"]["start"] == "2025-10-24T00:00:00Z"
        assert flight["time"]["precision"] == "interval"
        assert flight["time"]["yearAssumed"] is True
        assert flight["claims"][0]["source"]["name"]


HUNDRED_FLIGHTS = """\
events:
""" + "".join(
    f"""  - id: bulk-flight-{i}
    type: flight
    name: Bulk flight {i}
    time: {{start: 2025-09-{1 + i % 28:02d}, precision: day}}
    destination: hmeimim-air-base
    origin: libya
    participants:
      - {{role: operator, ref: russian-air-force}}
      - {{role: aircraft, ref: il-62m}}
    claims:
      - {{source: flightradar24, report: bloomberg-hmeimim-flights-2025-10, credibility: 2, paraphrase: Seen}}
      - {{source: bloomberg, credibility: 3, paraphrase: Reported}}
"""
    for i in range(100)
)
PAGE_OF_100 = """{
  events(first: 100, filter: {types: [flight], window: {to: "2025-09"}}) {
    totalCount
    nodes {
      id name time { start end precision }
      participants { role entity { ... on Actor { name } ... on EquipmentType { name } } }
      origin { ... on Location { name } } destination { ... on Asset { name } }
      claims { source { name } report { name } reliability credibility paraphrase }
    }
  }
}"""


@pytest.mark.parametrize("fast", [True, False])
def test_a_100_event_page_costs_one_round_trip(
    story_client: TestClient, fresh_story: Driver, settings: Settings, tmp_path: Path, fast: bool
) -> None:
    feed = tmp_path / "bulk.yaml"
    feed.write_text(HUNDRED_FLIGHTS)
    import_paths(fresh_story, settings.neo4j_database, [feed], max_bytes=2**24)
    app = story_client.app
    with counting_statements(app) as counting, watching_fast_path() as tally:
        data = _ask(story_client, PAGE_OF_100, fast=fast)["data"]["events"]
    assert data["totalCount"] == 100
    assert len(data["nodes"]) == 100
    assert all(
        len(node["claims"]) == 2 and len(node["participants"]) == 2 for node in data["nodes"]
    )
    assert counting.statements == 1
    assert tally.answered == fast


def test_reads_need_a_token_unless_anonymous_read_is_on(driver: Driver, settings: Settings) -> None:
    query = {"query": "{ version }"}
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": False}))) as client:
        refused = client.post("/graphql", json=query)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        token = create_token(driver, settings.neo4j_database, Role.READER, "graphql-test")
        allowed = client.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"})
        assert allowed.status_code == 200
        wrong = client.post("/graphql", json=query, headers={"Authorization": "Bearer eg_x_y"})
        assert wrong.status_code == 401


def test_bad_cursor_and_page_size_are_graphql_errors_not_crashes(story_client: TestClient) -> None:
    for query in (
        '{ events(after: "nonsense") { totalCount } }',
        "{ events(first: 100000000) { totalCount } }",
    ):
        body = _ask(story_client, query, fast=True)
        assert body["data"] is None
        assert body["errors"][0]["message"]
        assert "Traceback" not in str(body)


def test_schema_graphql_is_exported_and_current() -> None:
    exported = (PROJECT_ROOT / "schema.graphql").read_text()
    assert exported == schema.as_str() + "\n", (
        "schema.graphql drifted: run `eventgraph graphql-schema`"
    )


def _graphql_type(name: str) -> Any:
    return schema._schema.get_type(name)


def test_every_graphql_field_reads_the_graph_through_the_field_table() -> None:
    # A claim's source, report and the sources it rests on are projected by the claims list
    # itself (projection._claims).
    nested = {"Claim": {"source", "report", "based_on"}}
    for type_name, table in FIELDS.items():
        graphql_fields = _graphql_type(type_name).fields
        fields = {model_name(field, name) for name, field in graphql_fields.items()}
        assert fields == set(table) | nested.get(type_name, set()), (
            f"{type_name}: the schema and FIELDS differ"
        )


def test_graphql_types_and_inputs_carry_every_plain_property_of_the_model() -> None:
    inputs = {"Actor", "Asset", "Location", "Source", "Event"}
    for shape in model.SHAPES:
        label = shape.label.name
        output = _graphql_type(label).fields
        given = _graphql_type(f"{label}Input").fields if label in inputs else {}
        for prop in shape.props:
            name = prop.graphql_name
            nullable = not (prop.required or prop.type.many or prop.type is model.FLAG)
            assert name in output, f"{label}.{name} is not in the GraphQL type"
            assert isinstance(output[name].type, GraphQLNonNull) != nullable, f"{label}.{name}"
            if given:
                assert name in given, f"{label}Input lacks {name}"
        for link in shape.links:
            assert link.graphql_name in output, f"{label}.{link.graphql_name}"
            if given:
                assert link.graphql_name in given, f"{label}Input lacks {link.graphql_name}"


def _deep(depth: int) -> str:
    inner = "name"
    for _ in range(depth):
        inner = f"partOf {{ {inner} }}"
    # An empty page costs nothing, so the compiler, not the cost limit, sees how deep it nests.
    return "{ events(first: 0) { nodes { " + inner + " } } }"


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        (_deep(50), "exceeds maximum operation depth"),
        ("{ " + " ".join(f"a{i}: version" for i in range(1000)) + " }", "aliases found"),
        ("{ version " + "__typename " * 5000 + "}", "token"),
        ("{ events(first: 100000000) { totalCount } }", "must be between 0 and 500"),
        ('{ events(first: "ten") { totalCount } }', "Int cannot represent"),
        ("{ node { id } }", "of type 'ID!' is required"),
        (_deep(4), "nests related-node fields more than 3 deep"),
        (
            "{ events(first: 1) { nodes { "
            + " ".join(f"p{i}: partOf {{ name }}" for i in range(13))
            + " } } }",
            "more than 12 related-node fields",
        ),
    ],
)
def test_hostile_queries_are_refused_with_a_code(
    story_client: TestClient, query: str, needle: str
) -> None:
    for fast in (True, False):
        with graphql_path(story_client, fast):
            response = story_client.post("/graphql", json={"query": query})
        assert response.status_code < 500
        body = response.json()
        assert body.get("data") in (None, {}) or body["data"].get("events") is None
        error = body["errors"][0]
        assert needle.lower() in error["message"].lower(), error
        assert error["extensions"]["code"] in (
            "BAD_USER_INPUT",
            "GRAPHQL_VALIDATION_FAILED",
            "GRAPHQL_PARSE_FAILED",
        )
        assert "Traceback" not in response.text and "MATCH" not in response.text


def test_a_one_megabyte_query_is_refused(story_client: TestClient) -> None:
    query = "{ version # " + "x" * 1_000_000 + "\n }"
    response = story_client.post("/graphql", json={"query": query})
    assert response.status_code < 500


VARIABLES_AND_FRAGMENTS = """
query Flights($types: [EventType!], $first: Int, $withClaims: Boolean!, $place: ID) {
  flights: events(filter: {types: $types, at: $place}, first: $first, orderBy: START_DESC) {
    totalCount
    nodes { ...EventBits claims @include(if: $withClaims) { reliability credibility } }
  }
}
fragment EventBits on Event { key name time { precision } participants { role entity { ...Named } } }
fragment Named on Node { id ... on Actor { name } ... on EquipmentType { name } }
"""


@pytest.mark.parametrize("with_claims", [True, False])
def test_variables_fragments_and_directives_fast_equals_standard(
    story_client: TestClient, with_claims: bool
) -> None:
    variables = {
        "types": ["flight"],
        "first": 4,
        "withClaims": with_claims,
        "place": "Location:syria",
    }
    standard = _ask(story_client, VARIABLES_AND_FRAGMENTS, fast=False, variables=variables)
    assert "errors" not in standard, standard
    with watching_fast_path() as tally:
        fast = _ask(story_client, VARIABLES_AND_FRAGMENTS, fast=True, variables=variables)
    assert tally.answered == 1
    assert fast == standard
    nodes = standard["data"]["flights"]["nodes"]
    assert len(nodes) == 4 and ("claims" in nodes[0]) is with_claims


def test_graphiql_example_query_answers(story_client: TestClient) -> None:
    from eventgraph.api.graphiql import EXAMPLE_QUERY

    body = _ask(story_client, EXAMPLE_QUERY, fast=True)
    assert "errors" not in body, body
    events = body["data"]["events"]
    assert events["totalCount"] >= 6  # the story's six flights (other tests may add more)
    assert all(node["claims"] and node["participants"] for node in events["nodes"])


TYPENAMES = """{
  events(first: 1) { __typename edges { __typename node { __typename } } pageInfo { __typename } }
  actors(first: 1) { __typename edges { __typename node { __typename } } }
  locations(first: 1) { __typename edges { __typename } }
}"""


def test_connection_typenames_fast_equals_standard(story_client: TestClient) -> None:
    standard = _ask(story_client, TYPENAMES, fast=False)
    assert standard["data"]["actors"]["edges"][0]["__typename"] == "ActorEdge"
    assert standard["data"]["locations"]["__typename"] == "LocationConnection"
    assert _ask(story_client, TYPENAMES, fast=True) == standard


def test_compiled_plans_are_cached_per_document_and_variables(story_client: TestClient) -> None:
    """The same document with the same variables runs its cached statement; other variables
    compile anew and get their own answer, never a stale one."""
    query = "query($n: Int) { events(filter: {types: [flight]}, first: $n) { nodes { key } } }"
    with watching_fast_path() as tally:
        two = _ask(story_client, query, fast=True, variables={"n": 2})
        assert tally.compiled == 1
        again = _ask(story_client, query, fast=True, variables={"n": 2})
        assert tally.compiled == 1, "the second request compiled again"
        three = _ask(story_client, query, fast=True, variables={"n": 3})
        assert tally.compiled == 2
    assert again == two
    assert len(two["data"]["events"]["nodes"]) == 2
    assert len(three["data"]["events"]["nodes"]) == 3


TYPENAMES_EVERYWHERE = """{
  events(filter: {types: [flight]}, first: 2) {
    __typename totalCount pageInfo { __typename hasNextPage }
    edges { __typename cursor node { __typename id time { __typename start precision }
      participants { __typename role entity { __typename ... on Actor { name } } }
      destination { __typename ... on Asset { name } ... on Location { name } }
      claims { __typename paraphrase source { __typename name }
        report { __typename name published { __typename start } } } } }
  }
  node(id: "Location:hmeimim") { __typename ... on Location { point { __typename latitude } } }
  search(text: "Hmeimim", first: 2) { __typename score node { __typename id } }
}"""


def test_every_type_answers_its_typename_on_both_paths(story_client: TestClient) -> None:
    """Apollo Client and urql add `__typename` to every selection set (time and point too)."""
    standard = _ask(story_client, TYPENAMES_EVERYWHERE, fast=False)
    assert "errors" not in standard, standard
    with watching_fast_path() as tally:
        fast = _ask(story_client, TYPENAMES_EVERYWHERE, fast=True)
    assert tally.answered == 1
    assert fast == standard
    event = standard["data"]["events"]["edges"][0]["node"]
    assert event["time"]["__typename"] == "TimeSpan"
    assert event["participants"][0]["__typename"] == "Participation"
    assert event["claims"][0]["__typename"] == "Claim"
    assert standard["data"]["search"][0]["__typename"] == "SearchHit"
