"""The analyst's questions over the seed story (plus a few facts of its own, imported for the
module): timelines at places and in time order, `near` that honours how
precisely a place is known, origin/destination and sourcing filters, grading on one claim, and
the `relations` connection with its time spans. Every query runs both ways and must agree."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph import ontology
from eventgraph.graph.importer import import_paths
from eventgraph.graph.schema import SCHEMA_NODE_LABEL, apply_schema
from eventgraph.graph.settings import Settings
from tests.helpers import agreed_data, agreed_refusal

EXTRA = """
eventgraph: 1
actors:
  - {id: t-actor, name: Test actor, kind: armed_group}
  - {id: t-other, name: Other test actor, kind: armed_group}
locations:
  - {id: t-town, name: Test town, kind: city, point: {lat: 10.0, lon: 10.0, precision: city}}
  - {id: t-region, name: Test region, kind: region, point: {lat: 20.0, lon: 20.0, precision: region}}
sources:
  - {id: t-named, name: Named test source, kind: news_outlet, reliability: B}
  - {id: t-anon, name: Anonymous test source, kind: person, anonymous: true, reliability: F}
events:
  - id: t-open-end
    name: Open-ended
    type: deployment
    time: {start: 2024-06-01, precision: interval}
    at: [t-town]
    participants: [{role: participant, ref: t-actor}]
    claims: [{source: t-named, credibility: "4", paraphrase: Graded B/4.},
             {source: t-anon, credibility: "2", paraphrase: Graded F/2.}]
  - id: t-month
    name: A month
    type: deployment
    time: {start: 2024-06, precision: month}
    at: [t-region]
    participants: [{role: participant, ref: t-actor}]
    claims: [{source: t-named, credibility: "2", paraphrase: Graded B/2.}]
  - id: t-day
    name: A day
    type: deployment
    time: {start: 2024-06-01, precision: day}
    participants: [{role: participant, ref: t-actor}]
    claims: [{source: t-named, credibility: "2", paraphrase: Graded B/2.}]
  - id: t-open-start
    name: Open start
    type: deployment
    time: {end: 2024-01-01, precision: interval}
    participants: [{role: participant, ref: t-actor}]
    claims: [{source: t-anon, credibility: "3", paraphrase: Graded F/3.}]
relations:
  - id: t-rel
    type: opposes
    from: t-actor
    to: t-other
    since: 2024-06
    until: 2025-03-15
    claims: [{source: t-anon, credibility: "3", paraphrase: Anonymous word.}]
"""


@pytest.fixture(scope="module")
def client(
    story_to_extend: Driver, settings: Settings, tmp_path_factory: Any
) -> Iterator[TestClient]:
    """The seed story and the facts above, anonymous read on."""
    path: Path = tmp_path_factory.mktemp("analyst") / "extra.yaml"
    path.write_text(EXTRA)
    import_paths(story_to_extend, settings.neo4j_database, [path], max_bytes=2**20)
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        yield client


def _keys(items: list[dict[str, Any]]) -> list[str]:
    return [item["key"] for item in items]


# ---- timeline ----------------------------------------------------------------------------------


def test_a_places_timeline_holds_the_events_at_it(client: TestClient) -> None:
    data = agreed_data(
        client,
        '{ t: timeline(entity: "Asset:latakia-airport") { nodes { key } } '
        'e: events(filter: {at: "Asset:latakia-airport"}) { nodes { key } } }',
    )
    assert _keys(data["t"]["nodes"]) == _keys(data["e"]["nodes"]) != []


def test_the_bases_timeline_holds_what_happened_there_and_what_it_took_part_in(
    client: TestClient,
) -> None:
    keys = _keys(
        agreed_data(client, '{ timeline(entity: "Asset:hmeimim-air-base") { nodes { key } } }')[
            "timeline"
        ]["nodes"]
    )
    # At it: the airlift's destination, the defence and the hiatus; the attack is both at the
    # base and aimed at it (target), and comes once; the statements are about it (subject).
    assert {
        "hmeimim-2025-airlift",
        "hmeimim-2025-attack-repelled",
        "hmeimim-2025-flight-hiatus",
        "hmeimim-2025-attack",
        "hmeimim-2025-stmt-official-routine",
    } <= set(keys)
    assert len(keys) == len(set(keys))


def test_a_timeline_is_in_time_order_open_start_first_open_end_last(client: TestClient) -> None:
    data = agreed_data(
        client,
        '{ mine: timeline(entity: "Actor:t-actor") { nodes { key } } '
        'raf: timeline(entity: "Actor:russian-air-force") { nodes { key } } }',
    )
    assert _keys(data["mine"]["nodes"]) == ["t-open-start", "t-day", "t-month", "t-open-end"]
    # Two legs started on 26 October: the one-day leg ends first, so it comes first.
    assert _keys(data["raf"]["nodes"]) == [
        "hmeimim-2025-airlift",
        "hmeimim-2025-il62m-leg-libya-latakia",
        "hmeimim-2025-il62m-leg-latakia-moscow-oblast",
        "hmeimim-2025-il62m-trip",
    ]


# ---- near --------------------------------------------------------------------------------------


def _near(client: TestClient, lat: float, lon: float, km: float) -> list[str]:
    query = (
        f"{{ events(filter: {{near: {{latitude: {lat}, longitude: {lon}, km: {km}}}}}) "
        "{ nodes { key } } }"
    )
    return sorted(_keys(agreed_data(client, query)["events"]["nodes"]))


def test_a_place_known_only_to_its_country_is_not_near_the_countrys_middle(
    client: TestClient,
) -> None:
    assert _near(client, 27.0, 17.0, 1) == []
    assert _near(client, 27.0, 17.0, 500) == []
    assert _near(client, 27.0, 17.0, 1500) == [
        "hmeimim-2025-il62m-leg-libya-latakia",
        "hmeimim-2025-il62m-trip",
    ]


def test_a_place_known_only_to_its_province_is_not_within_1_km_of_anything(
    client: TestClient,
) -> None:
    assert _near(client, 35.62, 35.98, 1) == []  # Latakia province's own point
    # The base's site (2 km of uncertainty) is within 3 km of its point; the province is not.
    near_base = _near(client, 35.4011, 35.9486, 3)
    assert "hmeimim-2025-flight-hiatus" in near_base
    assert "hmeimim-2025-il62m-leg-libya-latakia" not in near_base


def test_without_an_uncertainty_the_points_precision_gives_the_radius(client: TestClient) -> None:
    city = ontology.PLACE_RADIUS_KM[ontology.PlacePrecision.CITY]
    assert _near(client, 10.0, 10.0, city - 1) == []
    assert _near(client, 10.0, 10.0, city) == ["t-open-end"]
    assert "t-month" not in _near(client, 20.0, 20.0, 20_000)  # a region: never within


# ---- origin, destination, sourcing, grading -----------------------------------------------------


def test_destination_and_origin_tell_the_legs_apart(client: TestClient) -> None:
    data = agreed_data(
        client,
        '{ to: events(filter: {destination: "Location:latakia-province"}) { nodes { key } } '
        'from: events(filter: {origin: "Location:latakia-province"}) { nodes { key } } '
        'at: events(filter: {at: "Location:latakia-province", types: [flight]}) { nodes { key } } }',
    )
    to, origin = set(_keys(data["to"]["nodes"])), set(_keys(data["from"]["nodes"]))
    assert "hmeimim-2025-an124-flight-1" in to  # to the airport, inside Hmeimim, in the province
    assert "hmeimim-2025-il62m-leg-libya-latakia" in to
    assert origin == {"hmeimim-2025-il62m-leg-latakia-moscow-oblast"}
    assert not to & origin
    assert {"hmeimim-2025-il62m-leg-latakia-moscow-oblast", "hmeimim-2025-an124-flight-1"} <= set(
        _keys(data["at"]["nodes"])
    )


def test_sourcing_looks_at_every_claims_source(client: TestClient) -> None:
    shape = "{ totalCount nodes { key claims { source { anonymous } } } }"
    data = agreed_data(
        client,
        f"{{ anonymous: events(filter: {{sourcing: ANONYMOUS_ONLY}}) {shape} "
        f"named: events(filter: {{sourcing: NAMED_ONLY}}) {shape} "
        f"all: events(filter: {{sourcing: ANY}}) {{ totalCount }} }}",
    )
    anonymous, named = data["anonymous"]["nodes"], data["named"]["nodes"]
    assert all(c["source"]["anonymous"] for e in anonymous for c in e["claims"])
    assert not any(c["source"]["anonymous"] for e in named for c in e["claims"])
    assert "hmeimim-2025-stmt-official-routine" in _keys(anonymous)
    assert "hmeimim-2025-an124-flight-1" in _keys(named)
    mixed = data["all"]["totalCount"] - len(anonymous) - len(named)
    assert mixed >= 2  # the airlift (tracker and anonymous officials) and t-open-end
    assert "hmeimim-2025-airlift" not in _keys(anonymous) + _keys(named)


def test_reliability_and_credibility_must_hold_for_the_same_claim(client: TestClient) -> None:
    def keys(grading: str) -> set[str]:
        query = f'{{ events(filter: {{text: "Open-ended", {grading}}}) {{ nodes {{ key }} }} }}'
        return set(_keys(agreed_data(client, query)["events"]["nodes"]))

    # t-open-end has a B/4 claim and an F/2 claim, but no claim that is both B and 2.
    assert keys("minReliability: B") == keys("minCredibility: 2") == {"t-open-end"}
    assert keys("minReliability: B, minCredibility: 2") == set()


# ---- relations ---------------------------------------------------------------------------------

RELATION = (
    "key type since { start end precision yearAssumed } until { start end precision } "
    "from { ... on Actor { name } ... on Asset { name } } to { __typename }"
)


def test_relations_page_and_filter(client: TestClient) -> None:
    data = agreed_data(
        client,
        "{ all: relations(first: 100) { totalCount nodes { key } } "
        "page: relations(first: 2) { totalCount pageInfo { hasNextPage endCursor } "
        "  edges { cursor node { key } } } "
        'base: relations(filter: {involving: "Asset:hmeimim-air-base"}) { nodes { key type } } '
        'to: relations(filter: {to: "Asset:hmeimim-air-base", types: [operates]}) '
        f"  {{ nodes {{ {RELATION} }} }} "
        'from: relations(filter: {from: "Actor:russian-armed-forces", to: "Actor:russia"}) '
        "  { nodes { key } } }",
    )
    every = _keys(data["all"]["nodes"])
    assert data["all"]["totalCount"] == len(every) == 10  # the story's 9 and t-rel
    assert data["page"]["totalCount"] == 10 and data["page"]["pageInfo"]["hasNextPage"]
    assert [edge["node"]["key"] for edge in data["page"]["edges"]] == every[:2]
    assert {r["type"] for r in data["base"]["nodes"]} == {
        "operates",
        "stationed_at",
        "shares_facilities_with",
    }
    (operates,) = data["to"]["nodes"]
    assert operates["from"] == {"name": "Russian Armed Forces"}
    assert operates["since"] == {
        "start": "2015-01-01T00:00:00Z",
        "end": "2015-12-31T23:59:59.999999Z",
        "precision": "year",
        "yearAssumed": False,
    }
    assert operates["until"] is None
    assert _keys(data["from"]["nodes"]) == ["hmeimim-2025-rel-forces-part-of-russia"]


def test_relations_over_a_window_grading_and_sourcing(client: TestClient) -> None:
    def keys(condition: str) -> set[str]:
        query = f"{{ relations(filter: {{{condition}}}, first: 100) {{ nodes {{ key }} }} }}"
        return set(_keys(agreed_data(client, query)["relations"]["nodes"]))

    every = keys("")
    # Before 2015: the operation from Hmeimim had not begun; t-rel began in 2024.
    before = keys('window: {to: "2014"}')
    assert "hmeimim-2025-rel-raf-operates-hmeimim" not in before
    assert "t-rel" not in before and "hmeimim-2025-rel-forces-part-of-russia" in before
    assert "t-rel" not in keys('window: {from: "2025-03-16"}')
    assert "t-rel" in keys('window: {from: "2025-03-15"}')
    assert keys("sourcing: ANONYMOUS_ONLY") == {"t-rel"}
    assert keys("sourcing: NAMED_ONLY") == every - {"t-rel"}
    editors = keys('source: "Source:eventgraph-editors"')
    assert "hmeimim-2025-rel-air-force-part-of-forces" in editors
    assert keys("minCredibility: 1") == editors  # only the editors grade a relation 1
    assert "hmeimim-2025-rel-syria-gov-depends-on-russia" not in keys("minCredibility: 3")


def test_relation_bounds_are_spans_and_old_graphs_get_them(
    client: TestClient, driver: Driver, settings: Settings
) -> None:
    query = f'{{ relations(filter: {{involving: "Actor:t-actor"}}) {{ nodes {{ {RELATION} }} }} }}'
    expected = (
        {
            "start": "2024-06-01T00:00:00Z",
            "end": "2024-06-30T23:59:59.999999Z",
            "precision": "month",
            "yearAssumed": False,
        },
        {
            "start": "2025-03-15T00:00:00Z",
            "end": "2025-03-15T23:59:59.999999Z",
            "precision": "day",
        },
    )
    (relation,) = agreed_data(client, query)["relations"]["nodes"]
    assert (relation["since"], relation["until"]) == expected
    # A graph written before schema version 3 lacks the far ends: applying the schema adds them.
    database = settings.neo4j_database
    driver.execute_query("MATCH (r:Relation) REMOVE r.since_end, r.until_start", database_=database)
    driver.execute_query(f"MATCH (s:{SCHEMA_NODE_LABEL}) SET s.version = 2", database_=database)
    assert "relations' since_end and until_start" in apply_schema(driver, database).migrated
    (relation,) = agreed_data(client, query)["relations"]["nodes"]
    assert (relation["since"], relation["until"]) == expected


def test_retracted_relations_are_left_out(
    client: TestClient, driver: Driver, settings: Settings
) -> None:
    query = '{ relations(filter: {involving: "Actor:t-actor"}) { totalCount nodes { key } } }'
    retract = f"MATCH (r:Relation {{id: 't-rel'}}) SET r:`{ontology.RETRACTED_LABEL}`"
    driver.execute_query(retract, database_=settings.neo4j_database)
    try:
        assert agreed_data(client, query)["relations"] == {"totalCount": 0, "nodes": []}
    finally:
        driver.execute_query(
            f"MATCH (r:Relation {{id: 't-rel'}}) REMOVE r:`{ontology.RETRACTED_LABEL}`",
            database_=settings.neo4j_database,
        )


def test_a_relations_filter_refuses_what_is_not_a_node_id(client: TestClient) -> None:
    message = agreed_refusal(client, '{ relations(filter: {from: "russia"}) { totalCount } }')
    assert "russia" in message
