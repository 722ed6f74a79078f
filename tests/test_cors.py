"""CORS as docs/graphql.md describes it, with real preflight requests through the app."""

from fastapi.testclient import TestClient

from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def test_a_listed_origin_is_allowed_what_the_docs_say(settings: Settings) -> None:
    listed = settings.model_copy(
        update={"cors_origins": "https://map.example, http://localhost:5173"}
    )
    with TestClient(create_app(listed)) as client:
        for origin in ("https://map.example", "http://localhost:5173"):
            answer = client.options("/graphql", headers={"Origin": origin, **PREFLIGHT})
            assert answer.status_code == 200
            headers = answer.headers
            assert headers["access-control-allow-origin"] == origin
            assert headers["access-control-allow-credentials"] == "true"
            assert headers["access-control-max-age"] == "600"
            assert set(headers["access-control-allow-methods"].split(", ")) >= {"GET", "POST"}
            allowed = {
                h.strip().lower() for h in headers["access-control-allow-headers"].split(",")
            }
            assert {"authorization", "content-type", "accept"} <= allowed
        other = client.options("/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT})
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers
        # the request itself, from a listed origin: answered, and readable by that origin
        answer = client.post(
            "/cypher",
            json={"query": "RETURN 1 AS one"},
            headers={"Origin": "https://map.example"},
        )
        assert answer.headers["access-control-allow-origin"] == "https://map.example"


def test_a_listed_origin_may_send_a_bookmark_and_read_the_ones_answers_carry(
    settings: Settings,
) -> None:
    """Read-your-writes from a browser app (docs/graphql.md, "Several replicas"): the preflight
    allows the bookmark request header, and every answer to the origin exposes the bookmark and
    request id headers, which a browser hides from scripts unless they are named."""
    listed = settings.model_copy(update={"cors_origins": "https://map.example"})
    with TestClient(create_app(listed)) as client:
        preflight = client.options(
            "/graphql",
            headers={
                "Origin": "https://map.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, x-eventgraph-bookmark",
            },
        )
        assert preflight.status_code == 200, preflight.text
        allowed = {
            h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
        }
        assert "x-eventgraph-bookmark" in allowed
        answer = client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://map.example"},
        )
        exposed = {
            h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")
        }
        assert {"x-eventgraph-bookmark", "x-request-id"} <= exposed
