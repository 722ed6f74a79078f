"""GraphQL over HTTP as frontends use it: GET queries, CORS for configured origins only,
production mode without GraphiQL and introspection, Neo4j away at once."""

from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings
from tests.counting import watching_fast_path
from tests.helpers import free_port, graphql_path


def test_queries_over_get_for_http_caches(driver: Driver, settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        response = client.get("/graphql", params={"query": "{ version }"})
        assert response.status_code == 200
        assert "version" in response.json()["data"]
        refused = client.get(
            "/graphql", params={"query": 'mutation { retractEvent(key: "x", reason: "y") { key } }'}
        )
        assert refused.status_code == 405
        assert refused.headers["allow"] == "POST"
        assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_graphql_response_json_when_asked_with_the_spec_status_codes(
    driver: Driver, settings: Settings
) -> None:
    spec = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        answered = client.post("/graphql", json={"query": "{ version }"}, headers=spec)
        assert answered.status_code == 200
        assert answered.headers["content-type"] == "application/graphql-response+json"
        invalid = client.post("/graphql", json={"query": "{ nope }"}, headers=spec)
        assert invalid.status_code == 400
        assert "data" not in invalid.json()
        assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        legacy = client.post("/graphql", json={"query": "{ nope }"})
        assert legacy.status_code == 200
        assert legacy.headers["content-type"] == "application/json"
        assert legacy.json()["data"] is None


def test_cors_only_for_configured_origins_and_never_wildcard_with_credentials(
    settings: Settings,
) -> None:
    preflight = {"Origin": "https://map.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(settings)) as client:
        assert (
            "access-control-allow-origin"
            not in client.options("/graphql", headers=preflight).headers
        )
    configured = settings.model_copy(update={"cors_origins": "https://map.example"})
    with TestClient(create_app(configured)) as client:
        headers = client.options("/graphql", headers=preflight).headers
        assert headers["access-control-allow-origin"] == "https://map.example"
        assert headers["access-control-allow-credentials"] == "true"
    wildcard = settings.model_copy(update={"cors_origins": "*"})
    with TestClient(create_app(wildcard)) as client:
        headers = client.options("/graphql", headers=preflight).headers
        assert headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in headers


def test_production_mode_has_no_graphiql_and_no_introspection(settings: Settings) -> None:
    introspection = {"query": "{ __schema { queryType { name } } }"}
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        assert "GraphiQL" in client.get("/graphql", headers={"Accept": "text/html"}).text
        assert client.post("/graphql", json=introspection).json()["data"]["__schema"]
    production = settings.model_copy(update={"anonymous_read": True, "production": True})
    with TestClient(create_app(production)) as client:
        assert "GraphiQL" not in client.get("/graphql", headers={"Accept": "text/html"}).text
        body = client.post("/graphql", json=introspection).json()
        assert body["errors"][0]["message"] == "introspection is off in production mode"
        assert client.post("/graphql", json={"query": "{ version }"}).json()["data"]["version"]


def test_neo4j_away_is_a_coded_error_at_once(settings: Settings) -> None:
    away = settings.model_copy(
        update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}", "anonymous_read": True}
    )
    # `events` cannot be null, so its error nulls the whole answer; `node` can. One root field
    # per query: with two, graphql-core reports one or both errors, as its resolvers finish.
    cases = {
        "{ events { totalCount } }": (None, ["events"]),
        '{ node(id: "Event:x") { id } }': ({"node": None}, ["node"]),
    }
    with TestClient(create_app(away)) as client:
        for query, (data, path) in cases.items():
            with graphql_path(client, False):
                standard = client.post("/graphql", json={"query": query}).json()
            with watching_fast_path() as tally:
                body = client.post("/graphql", json={"query": query}).json()
            # The fast path answers it itself, as the standard path does, not trying twice.
            assert tally.answered == 1
            for answer in (body, standard):  # the drivers (sync, async) word it apiece
                message = answer["errors"][0].pop("message")
                assert message.startswith("graph store unavailable: Neo4j does not answer")
            assert body == standard
            assert body["data"] == data
            assert body["errors"][0]["path"] == path
            assert body["errors"][0]["extensions"]["code"] == "GRAPH_STORE_UNAVAILABLE"
