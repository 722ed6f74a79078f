"""Automatic persisted queries (APQ) as Apollo's PersistedQueryLink speaks them: a hash-only
request that misses, the registering one, hash-only hits over POST and GET, and each refusal."""

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.api.graphql.http import MAX_BATCH
from eventgraph.api.graphql.persisted import PersistedQueries
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token

FLIGHTS = "{ events(filter: {types: [flight]}) { totalCount nodes { key } } }"
SPEC = {"Accept": "application/graphql-response+json, application/json;q=0.9"}


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def by_hash(query: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256(query)}}


@pytest.fixture(scope="module")
def reader(seed_story: Driver, settings: Settings) -> str:
    """A reader token over the seed story."""
    return create_token(seed_story, settings.neo4j_database, Role.READER, "apq-reader")


@pytest.fixture
def client(settings: Settings, reader: str) -> Iterator[TestClient]:
    """A fresh app (an empty store) with anonymous read off: every read needs the token."""
    app = create_app(settings.model_copy(update={"anonymous_read": False}))
    with TestClient(app, headers={"Authorization": f"Bearer {reader}"}) as test_client:
        yield test_client


def test_a_miss_asks_for_the_document_then_the_hash_alone_runs_it(client: TestClient) -> None:
    for accept in ({}, SPEC):  # a 200 whatever the client accepts, as Apollo Server answers
        missed = client.post("/graphql", json={"extensions": by_hash(FLIGHTS)}, headers=accept)
        assert missed.status_code == 200
        assert missed.headers["cache-control"] == "private, no-cache, must-revalidate"
        [error] = missed.json()["errors"]
        assert error["message"] == "PersistedQueryNotFound"
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = client.post("/graphql", json={"query": FLIGHTS, "extensions": by_hash(FLIGHTS)})
    assert registered.status_code == 200
    flights = registered.json()["data"]["events"]
    assert flights["totalCount"] >= 4  # the Il-62M and the three An-124-100 flights

    hit = client.post("/graphql", json={"extensions": by_hash(FLIGHTS)}, headers=SPEC)
    assert hit.status_code == 200
    assert hit.json() == {"data": {"events": flights}}


def test_a_hash_that_is_not_the_documents_is_refused_and_not_registered(
    client: TestClient,
) -> None:
    other = "{ events(first: 1) { totalCount } }"
    refused = client.post("/graphql", json={"query": FLIGHTS, "extensions": by_hash(other)})
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert "is not the SHA-256 of `query`" in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    missed = client.post("/graphql", json={"extensions": by_hash(other)})
    assert missed.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_other_versions_and_malformed_hashes_are_refused_clearly(client: TestClient) -> None:
    version = client.post("/graphql", json={"extensions": by_hash(FLIGHTS, version=2)})
    assert version.status_code == 400
    assert "version 2 is not supported" in version.json()["errors"][0]["message"]
    for extension in ({"version": 1, "sha256Hash": "abc"}, "v1", {"version": 1}):
        malformed = client.post("/graphql", json={"extensions": {"persistedQuery": extension}})
        assert malformed.status_code == 400, extension
        assert "persistedQuery" in malformed.json()["errors"][0]["message"]


def test_a_document_that_does_not_parse_is_answered_but_never_stored(client: TestClient) -> None:
    garbage = "{ events(first: 1) { totalCount "
    answered = client.post("/graphql", json={"query": garbage, "extensions": by_hash(garbage)})
    assert answered.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    missed = client.post("/graphql", json={"extensions": by_hash(garbage)})
    assert missed.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_hashed_queries_over_get_are_operations_that_need_a_token(
    settings: Settings, client: TestClient
) -> None:
    """`useGETForHashedQueries`: the hash in `extensions`, no `query`. Neither the GraphiQL page
    (even to a client that accepts HTML) nor a way round the token."""
    params = {"extensions": json.dumps(by_hash(FLIGHTS))}
    missed = client.get("/graphql", params=params, headers={"Accept": "text/html, */*"})
    assert missed.headers["content-type"] == "application/json"
    assert missed.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    client.post("/graphql", json={"query": FLIGHTS, "extensions": by_hash(FLIGHTS)})
    hit = client.get("/graphql", params=params)
    assert hit.status_code == 200
    assert hit.json()["data"]["events"]["totalCount"] >= 4

    anonymous = client.get("/graphql", params=params, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "GraphiQL" in client.get("/graphql", headers={"Accept": "text/html"}).text


def test_a_registered_mutation_is_refused_over_get_by_its_hash(client: TestClient) -> None:
    retract = 'mutation { retractEvent(key: "no-such-event", reason: "test") { key } }'
    client.post("/graphql", json={"query": retract, "extensions": by_hash(retract)})
    refused = client.get("/graphql", params={"extensions": json.dumps(by_hash(retract))})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"


def test_a_batch_answers_each_persisted_query_on_its_own(client: TestClient) -> None:
    other = "{ events(first: 1) { totalCount } }"
    batch = [
        {"extensions": by_hash(FLIGHTS)},  # unknown yet
        {"query": FLIGHTS, "extensions": by_hash(FLIGHTS)},  # registers it
        {"extensions": by_hash(FLIGHTS)},  # now known
        {"query": FLIGHTS, "extensions": by_hash(other)},  # a wrong hash: this one refused
        {"query": other},
    ]
    assert len(batch) <= MAX_BATCH
    answered = client.post("/graphql", json=batch)
    assert answered.status_code == 200
    missed, registered, hit, mismatched, plain = answered.json()
    assert missed["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered["data"]["events"]["totalCount"] >= 4
    assert hit == registered
    assert mismatched["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert plain["data"]["events"]["totalCount"] >= 1


def test_the_store_is_bounded_in_documents_and_characters() -> None:
    from strawberry.http import GraphQLRequestData

    store = PersistedQueries(max_documents=2, max_chars=60)

    def register(query: str) -> None:
        store.resolve(GraphQLRequestData(query, None, None, by_hash(query)))

    def known(query: str) -> bool:
        try:
            store.resolve(GraphQLRequestData(None, None, None, by_hash(query)))
        except Exception:
            return False
        return True

    first, second, third = "{ a }", "{ b }", "{ c }"
    register(first)
    register(second)
    assert known(first)  # now the most recently used
    register(third)
    assert (known(first), known(second), known(third)) == (True, False, True)
    long = "{ " + "x " * 27 + "}"  # 57 characters: the two short ones must go
    register(long)
    assert len(store) == 1 and known(long)
    register("{ " + "y " * 40 + "}")  # longer than the whole store: not kept
    assert len(store) == 1 and known(long)
