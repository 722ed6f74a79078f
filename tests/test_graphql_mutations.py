"""Mutations: editors write through the importer's validation; readers and strangers cannot."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.importer.validation import content_hash
from eventgraph.graph.records import RECORD_TYPES_BY_COLLECTION
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import ask, graph_checksum

RECORD = """
mutation Record($input: EventInput!) {
  recordEvent(input: $input) {
    id key name type
    time { start end precision yearAssumed }
    participants { role entity { ... on Actor { key } ... on EquipmentType { key } } }
    destination { ... on Asset { key } }
    claims { source { key } reliability credibility paraphrase }
  }
}"""

FLIGHT = {
    "key": "api-flight-1",
    "type": "flight",
    "name": "Il-62M flight reported through the API",
    "time": {"start": "2025-11-02", "precision": "day"},
    "destination": "hmeimim-air-base",
    "participants": [
        {"role": "operator", "ref": "russian-air-force"},
        {"role": "aircraft", "ref": "il-62m"},
    ],
    "claims": [
        {"source": "flightradar24", "credibility": 2, "paraphrase": "Tracked into Hmeimim."}
    ],
}


@pytest.fixture(scope="module")
def client(
    story_to_extend: Driver, settings: Settings
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client over the seed story, which the tests write to in turn (one reads what another
    recorded), and a token for each role."""
    database = settings.neo4j_database
    tokens = {
        role.value: create_token(story_to_extend, database, role, f"mutations-{role.value}")
        for role in Role
    }
    with TestClient(
        create_app(settings.model_copy(update={"anonymous_read": True}))
    ) as test_client:
        yield test_client, tokens


def _post(
    client: TestClient, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code < 500, response.text
    return response.json()  # type: ignore[no-any-return]


def test_editor_records_an_event_idempotently(
    client: tuple[TestClient, dict[str, str]], driver: Driver
) -> None:
    test_client, tokens = client
    first = _post(test_client, RECORD, {"input": FLIGHT}, tokens["editor"])
    assert "errors" not in first, first
    event = first["data"]["recordEvent"]
    assert event["id"] == "Event:api-flight-1"
    assert event["time"] == {
        "start": "2025-11-02T00:00:00Z",
        "end": "2025-11-02T23:59:59.999999Z",
        "precision": "day",
        "yearAssumed": False,
    }
    assert event["claims"][0]["reliability"] == "B"  # the source's own grading
    before = graph_checksum(driver)
    again = _post(test_client, RECORD, {"input": FLIGHT}, tokens["admin"])
    assert again["data"]["recordEvent"] == event
    assert graph_checksum(driver) == before


@pytest.mark.parametrize("who", [None, "reader"])
def test_strangers_and_readers_cannot_write(
    client: tuple[TestClient, dict[str, str]], driver: Driver, who: str | None
) -> None:
    test_client, tokens = client
    before = graph_checksum(driver)
    body = _post(
        test_client, RECORD, {"input": {**FLIGHT, "key": "api-flight-x"}}, tokens.get(who or "")
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED" if who is None else "FORBIDDEN"
    )
    assert graph_checksum(driver) == before


def test_invalid_input_is_refused_with_field_paths(
    client: tuple[TestClient, dict[str, str]], driver: Driver
) -> None:
    test_client, tokens = client
    before = graph_checksum(driver)
    for change, expected in (
        (
            {"time": {"start": "2025-10-27", "end": "2025-10-24", "precision": "interval"}},
            "input.events[0].time: the end (2025-10-24) is before the start (2025-10-27)",
        ),
        (
            {"participants": [{"role": "operator", "ref": "rusia"}]},
            "input.events[0].participants[0].ref: unknown actor 'rusia'",
        ),
    ):
        body = _post(
            test_client,
            RECORD,
            {"input": {**FLIGHT, "key": "api-flight-bad", **change}},
            tokens["editor"],
        )
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert expected in error["message"]
    assert graph_checksum(driver) == before


def test_upsert_entities_and_retract_an_event(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, tokens = client
    upsert = """mutation($a: [ActorInput!]!, $l: [LocationInput!]!) {
      upsertActors(input: $a) { id name kind anonymous }
      upsertLocations(input: $l) { id name point { latitude longitude precision } within { key } }
    }"""
    body = _post(
        test_client,
        upsert,
        {
            "a": [
                {
                    "key": "api-observer",
                    "name": "Anonymous observer",
                    "kind": "person",
                    "anonymous": True,
                }
            ],
            "l": [
                {
                    "key": "api-jableh",
                    "name": "Jableh",
                    "kind": "city",
                    "within": "latakia-province",
                    "point": {"latitude": 35.36, "longitude": 35.92, "precision": "city"},
                }
            ],
        },
        tokens["editor"],
    )
    assert "errors" not in body, body
    assert body["data"]["upsertActors"] == [
        {
            "id": "Actor:api-observer",
            "name": "Anonymous observer",
            "kind": "person",
            "anonymous": True,
        }
    ]
    assert body["data"]["upsertLocations"][0]["within"] == {"key": "latakia-province"}

    _post(test_client, RECORD, {"input": {**FLIGHT, "key": "api-flight-retract"}}, tokens["editor"])
    retract = 'mutation { retractEvent(key: "api-flight-retract", reason: "Duplicate of api-flight-1") { key reason retractedBy } }'
    done = _post(test_client, retract, {}, tokens["editor"])
    assert done["data"]["retractEvent"]["retractedBy"] == "mutations-editor"
    gone = _post(
        test_client,
        '{ node(id: "Event:api-flight-retract") { id } events(filter: {text: "reported through the API"}) { totalCount } }',
        {},
        None,
    )
    assert gone["data"]["node"] is None
    assert gone["data"]["events"]["totalCount"] == 1


def test_upserted_nodes_come_back_in_input_order(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    """Read back in one statement for the whole list, in the order the client sent them."""
    test_client, tokens = client
    keys = ["api-order-c", "api-order-a", "api-order-b"]
    actors = [{"key": key, "name": key.upper(), "kind": "armed_group"} for key in keys]
    body = _post(
        test_client,
        "mutation($a: [ActorInput!]!) { upsertActors(input: $a) { key name } }",
        {"a": actors},
        tokens["editor"],
    )
    assert "errors" not in body, body
    assert body["data"]["upsertActors"] == [{"key": key, "name": key.upper()} for key in keys]


def test_an_airframe_keeps_its_icao24_address_on_both_paths(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    """A property declared once in graph/model.py reaches the mutation input and the type."""
    test_client, tokens = client
    airframe = {"key": "api-ra-82038", "name": "RA-82038", "kind": "aircraft", "icao24": "15205a"}
    body = _post(
        test_client,
        "mutation($a: [AssetInput!]!) { upsertAssets(input: $a) { key icao24 registration } }",
        {"a": [airframe]},
        tokens["editor"],
    )
    assert "errors" not in body, body
    assert body["data"]["upsertAssets"] == [
        {"key": "api-ra-82038", "icao24": "15205a", "registration": None}
    ]
    query = '{ node(id: "Asset:api-ra-82038") { ... on Asset { icao24 } } }'
    for fast in (True, False):
        read = ask(test_client, query, fast).json()
        assert read == {"data": {"node": {"icao24": "15205a"}}}, (fast, read)


def test_an_event_keeps_its_duration_and_a_claims_quote_and_grading_note_on_both_paths(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    """The parts issue 19 added reach the mutation input, the graph and both read paths; a
    duration that cannot fit its time is refused with the reason."""
    test_client, tokens = client
    claim = {
        "source": "flightradar24",
        "credibility": 2,
        "paraphrase": "A stopover of some three hours.",
        "quote": "A made-up quote: on the ground for three hours.",
        "gradingNote": "Made-up tracking data, graded for the test.",
    }
    stopover = {
        "key": "api-stopover",
        "type": "flight",
        "name": "Stopover reported through the API",
        "time": {"start": "2025-11-03", "precision": "day"},
        "duration": {"amount": 3, "unit": "hour"},
        "claims": [claim],
    }
    query = (
        "mutation($e: EventInput!) { recordEvent(input: $e) { key "
        "duration { amount unit approximate } claims { paraphrase quote gradingNote } } }"
    )
    body = _post(test_client, query, {"e": stopover}, tokens["editor"])
    assert "errors" not in body, body
    written = {
        "key": "api-stopover",
        "duration": {"amount": 3, "unit": "hour", "approximate": False},
        "claims": [{k: claim[k] for k in ("paraphrase", "quote", "gradingNote")}],
    }
    assert body["data"]["recordEvent"] == written
    read = '{ node(id: "Event:api-stopover") { ... on Event { key duration { amount unit approximate } claims { paraphrase quote gradingNote } } } }'
    for fast in (True, False):
        assert ask(test_client, read, fast).json() == {"data": {"node": written}}, fast
    for said in ("MADE-UP QUOTE", "some three hours"):  # the quote, the paraphrase
        found = "query($t: String) { events(filter: {claimText: $t}) { nodes { key } } }"
        for fast in (True, False):
            answer = ask(test_client, found, fast, variables={"t": said}).json()
            assert answer == {"data": {"events": {"nodes": [{"key": "api-stopover"}]}}}, said

    too_long = {**stopover, "key": "api-too-long", "duration": {"amount": 2, "unit": "day"}}
    refused = _post(test_client, query, {"e": too_long}, tokens["editor"])
    assert "does not fit" in refused["errors"][0]["message"], refused


def test_a_recorded_event_is_the_record_an_import_of_it_stores(
    client: tuple[TestClient, dict[str, str]], driver: Driver
) -> None:
    """The mutation's input becomes the import format's record (keys → ids, camelCase →
    the format's names, enums → their values, nested inputs and lists included): its stored
    content hash is the hash of that record as an import would read it."""
    test_client, tokens = client
    given = {
        **FLIGHT,
        "key": "api-rich-flight",
        "aliases": ["IL-62M RA-86496"],
        "time": {"start": "2025-11-04", "precision": "day", "yearAssumed": True, "note": "n"},
        "duration": {"amount": 3, "unit": "hour", "approximate": True},
        "externalIds": [{"scheme": "id", "value": "api-rich-flight-old"}],
        "claims": [
            {
                "source": "flightradar24",
                "credibility": 3,
                "paraphrase": "Tracked.",
                "basedOn": ["flightradar24"],
                "reliability": "C",
                "key": "api-rich-flight/tracked",
            },
            {"source": "flightradar24", "credibility": 2, "paraphrase": "Seen."},
        ],
    }
    native = {
        "id": "api-rich-flight",
        "type": "flight",
        "name": FLIGHT["name"],
        "aliases": ["IL-62M RA-86496"],
        "time": {"start": "2025-11-04", "precision": "day", "year_assumed": True, "note": "n"},
        "duration": {"amount": 3, "unit": "hour", "approximate": True},
        "destination": "hmeimim-air-base",
        "participants": FLIGHT["participants"],
        "external_ids": [{"scheme": "id", "value": "api-rich-flight-old"}],
        "claims": [
            {
                "source": "flightradar24",
                "credibility": 3,
                "paraphrase": "Tracked.",
                "based_on": ["flightradar24"],
                "reliability": "C",
                "id": "api-rich-flight/tracked",
            },
            {"source": "flightradar24", "credibility": 2, "paraphrase": "Seen."},
        ],
    }
    body = _post(test_client, RECORD, {"input": given}, tokens["editor"])
    assert "errors" not in body, body
    stored = driver.execute_query(
        "MATCH (e:Event {id: 'api-rich-flight'}) RETURN e.content_hash AS hash"
    ).records
    record = RECORD_TYPES_BY_COLLECTION["events"].model_validate(native)
    assert stored[0]["hash"] == content_hash(record)

    wrong = {**given, "key": "api-rich-bad", "time": {"start": "2025-13-40", "precision": "day"}}
    wrong["participants"] = [{"role": "operator", "ref": "nobody-here"}]
    refused = _post(test_client, RECORD, {"input": wrong}, tokens["editor"])
    message = refused["errors"][0]["message"]
    assert "input.events[0].time.start: '2025-13-40' is not a time" in message
    assert "input.events[0].participants[0].ref: unknown actor 'nobody-here'" in message
