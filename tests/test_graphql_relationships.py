"""Relationship queries over the seed story: neighbourhoods, shortest paths, co-involvement and
activity, each asked both ways (fast path and standard path must agree), one round trip each."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import Settings
from tests.counting import counting_statements
from tests.helpers import agreed_data, agreed_refusal, ask


def _ask(client: TestClient, query: str, fast: bool) -> dict[str, Any]:
    response = ask(client, query, fast)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


EDGE = """fragment Edge on GraphRelationship {
  id type from to role relation { key since { start end precision } until { start } } claims { source { name } credibility }
}
"""


# ---- neighborhood ---------------------------------------------------------------------------------


def test_a_relation_shows_as_one_relationship_with_its_claims(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        EDGE
        + """{ neighborhood(id: "Actor:russian-air-force", depth: 2,
                            types: ["part_of", "operates", "stationed_at"]) {
                 truncated nodes { id __typename } relationships { ...Edge } } }""",
    )["neighborhood"]
    assert data["truncated"] is False
    ids = [node["id"] for node in data["nodes"]]
    assert ids[0] == "Actor:russian-air-force"  # the node asked about comes first
    assert ids[1] == "Actor:russian-armed-forces"  # then its one hop, then the second
    assert set(ids) == {
        "Actor:russian-air-force",
        "Actor:russian-armed-forces",
        "Actor:russia",
        "Actor:russian-soldier",
        "Asset:hmeimim-air-base",
    }
    assert "Relation" not in {node["__typename"] for node in data["nodes"]}
    edges = {edge["id"]: edge for edge in data["relationships"]}
    operates = edges[
        "operates:russian-armed-forces:hmeimim-air-base:hmeimim-2025-rel-raf-operates-hmeimim"
    ]
    assert operates["type"] == "operates"
    assert operates["from"] == "Actor:russian-armed-forces"
    assert operates["to"] == "Asset:hmeimim-air-base"
    assert operates["relation"]["since"] == {
        "start": "2015-01-01T00:00:00Z",
        "end": "2015-12-31T23:59:59.999999Z",
        "precision": "year",
    }
    assert operates["relation"]["until"] is None
    assert sorted((c["source"]["name"], c["credibility"]) for c in operates["claims"]) == [
        ("Bloomberg", 2),
        ("eventgraph editors", 1),
    ]
    assert {edge["type"] for edge in edges.values()} == {"operates", "part_of", "stationed_at"}
    assert len(edges) == 5


def test_the_bases_neighbourhood_holds_its_events_places_and_relations(
    story_client: TestClient,
) -> None:
    data = agreed_data(
        story_client,
        EDGE
        + '{ neighborhood(id: "Asset:hmeimim-air-base") { nodes { id } relationships { ...Edge } } }',
    )["neighborhood"]
    ids = {node["id"] for node in data["nodes"]}
    assert {
        "Location:hmeimim",
        "Event:hmeimim-2025-attack",
        "Event:hmeimim-2025-airlift",
        "Asset:latakia-airport",
        "Actor:russian-armed-forces",
    } <= ids
    edges = {edge["id"]: edge for edge in data["relationships"]}
    target = edges["INVOLVES:hmeimim-2025-attack:hmeimim-air-base:target"]
    assert (target["from"], target["to"], target["role"]) == (
        "Event:hmeimim-2025-attack",
        "Asset:hmeimim-air-base",
        "target",
    )
    assert target["claims"] == [] and target["relation"] is None
    assert "LOCATED_AT:hmeimim-air-base:hmeimim" in edges
    assert all(edge["from"] in ids and edge["to"] in ids for edge in edges.values())
    assert len(edges) == len(data["relationships"])  # ids are unique
    assert not any(edge["type"] in ("FROM", "TO", "SUPPORTS") for edge in edges.values())


def test_a_window_leaves_out_events_outside_it(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        """{ neighborhood(id: "Asset:hmeimim-air-base", window: {from: "2025-11"}) {
               nodes { id } relationships { type } } }""",
    )["neighborhood"]
    assert {node["id"] for node in data["nodes"]} == {
        "Asset:hmeimim-air-base",
        "Location:hmeimim",
        "Asset:latakia-airport",
        "Actor:russian-armed-forces",
    }
    assert {edge["type"] for edge in data["relationships"]} == {
        "LOCATED_AT",
        "operates",
        "stationed_at",
        "shares_facilities_with",
    }


def test_aliases_fragments_and_typenames_work_on_relationships(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        """fragment E on GraphRelationship { kind: type __typename }
           { around: neighborhood(id: "Actor:turkey") {
               __typename
               links: relationships { ...E key: id }
               first: nodes { ... on Event { label: name } } } }""",
    )["around"]
    assert data["__typename"] == "Subgraph"
    assert data["links"] == [
        {
            "kind": "INVOLVES",
            "__typename": "GraphRelationship",
            "key": "INVOLVES:hmeimim-2025-signal:turkey:addressee",
        }
    ]
    assert data["first"] == [{}, {"label": "Resumed flights as a signal to Turkey and Iran"}]


def test_depth_four_is_refused(story_client: TestClient) -> None:
    message = agreed_refusal(
        story_client, '{ neighborhood(id: "Actor:russia", depth: 4) { truncated } }'
    )
    assert message == "neighborhood: depth: must be between 1 and 3, not 4"


@pytest.mark.parametrize(
    ("types", "needle"),
    [
        ('["SUPPORTS"]', "claims are provenance"),
        ('["FROM"]', "name relation types instead: operates"),
        ('["KNOWS"]', "is not a relationship type (use INVOLVES"),
        ("[]", "names no type"),
    ],
)
def test_types_outside_the_allow_list_are_refused(
    story_client: TestClient, types: str, needle: str
) -> None:
    query = f'{{ neighborhood(id: "Actor:russia", types: {types}) {{ truncated }} }}'
    assert needle in agreed_refusal(story_client, query)


def test_an_unknown_node_has_no_neighbourhood_and_a_relation_is_no_node(
    story_client: TestClient,
) -> None:
    assert agreed_data(story_client, '{ neighborhood(id: "Actor:nobody") { truncated } }') == {
        "neighborhood": None
    }
    query = '{ neighborhood(id: "Relation:hmeimim-2025-rel-forces-part-of-russia") { truncated } }'
    assert "shown as a relationship" in agreed_refusal(story_client, query)


def test_a_big_neighbourhood_is_capped_and_says_so(
    story_client: TestClient, fresh_story: Driver, settings: Settings, tmp_path: Path
) -> None:
    feed = tmp_path / "crowd.yaml"
    feed.write_text(
        "actors:\n  - {id: crowd-speaker, name: Crowd speaker, kind: person}\nevents:\n"
        + "".join(
            f"""  - id: crowd-statement-{i}
    type: statement
    name: Crowd statement {i}
    time: {{start: 2024-01-{1 + i % 28:02d}, precision: day}}
    participants: [{{role: speaker, ref: crowd-speaker}}]
    claims: [{{source: bloomberg, credibility: 3, paraphrase: Said}}]
"""
            for i in range(600)
        )
    )
    import_paths(fresh_story, settings.neo4j_database, [feed], max_bytes=2**24)
    data = agreed_data(
        story_client,
        '{ neighborhood(id: "Actor:crowd-speaker") { truncated nodes { id } relationships { id } } }',
    )["neighborhood"]
    assert data["truncated"] is True
    assert len(data["nodes"]) == 500
    assert data["nodes"][0]["id"] == "Actor:crowd-speaker"
    assert len(data["relationships"]) == 499  # one INVOLVES per event kept


# ---- paths ----------------------------------------------------------------------------------------


def test_turkey_reaches_hmeimim_through_the_signal(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        """{ all: paths(from: "Actor:turkey", to: "Asset:hmeimim-air-base") {
               nodes { id } relationships { type from to role } }
             people: paths(from: "Actor:turkey", to: "Asset:hmeimim-air-base", types: ["INVOLVES"]) {
               nodes { id } relationships { role } } }""",
    )
    assert [[node["id"] for node in path["nodes"]] for path in data["all"]] == [
        [
            "Actor:turkey",
            "Event:hmeimim-2025-signal",
            "Event:hmeimim-2025-airlift",
            "Asset:hmeimim-air-base",
        ]
    ]
    assert data["all"][0]["relationships"] == [
        {
            "type": "INVOLVES",
            "from": "Event:hmeimim-2025-signal",
            "to": "Actor:turkey",
            "role": "addressee",
        },
        {
            "type": "ABOUT",
            "from": "Event:hmeimim-2025-signal",
            "to": "Event:hmeimim-2025-airlift",
            "role": None,
        },
        {
            "type": "DESTINATION",
            "from": "Event:hmeimim-2025-airlift",
            "to": "Asset:hmeimim-air-base",
            "role": None,
        },
    ]
    (through_russia,) = data["people"]
    assert [node["id"] for node in through_russia["nodes"]] == [
        "Actor:turkey",
        "Event:hmeimim-2025-signal",
        "Actor:russia",
        "Event:hmeimim-2025-stmt-kremlin-source-confirms",
        "Asset:hmeimim-air-base",
    ]
    assert [edge["role"] for edge in through_russia["relationships"]] == [
        "addressee",
        "participant",
        "subject",
        "subject",
    ]


def test_paths_through_relations_show_each_relation_once_with_its_claims(
    story_client: TestClient,
) -> None:
    data = agreed_data(
        story_client,
        EDGE
        + """{ paths(from: "Actor:russian-air-force", to: "Asset:hmeimim-air-base",
                     types: ["part_of", "operates", "stationed_at"]) {
                 nodes { id } relationships { ...Edge } } }""",
    )["paths"]
    assert len(data) == 2
    for path in data:
        assert [node["id"] for node in path["nodes"]] == [
            "Actor:russian-air-force",
            "Actor:russian-armed-forces",
            "Asset:hmeimim-air-base",
        ]
        part_of, second = path["relationships"]
        assert (part_of["type"], part_of["from"], part_of["to"]) == (
            "part_of",
            "Actor:russian-air-force",
            "Actor:russian-armed-forces",
        )
        assert part_of["claims"] == [{"source": {"name": "eventgraph editors"}, "credibility": 1}]
        assert second["from"] == "Actor:russian-armed-forces"
        assert second["claims"] and second["relation"]["key"]
    assert sorted(path["relationships"][1]["type"] for path in data) == [
        "operates",
        "stationed_at",
    ]


def test_paths_respect_max_hops_and_refuse_bad_bounds(story_client: TestClient) -> None:
    query = '{ paths(from: "Actor:turkey", to: "Asset:hmeimim-air-base", maxHops: %d) { nodes { id } } }'
    assert agreed_data(story_client, query % 2) == {"paths": []}
    assert "maxHops: must be between 1 and 6, not 7" in agreed_refusal(story_client, query % 7)
    same = '{ paths(from: "Actor:turkey", to: "Actor:turkey") { nodes { id } } }'
    assert "is the same node as `from`" in agreed_refusal(story_client, same)


def test_paths_come_once_each_without_their_relationships(story_client: TestClient) -> None:
    """Asking only for `nodes` gave every path once per relationship on it (each twice here)."""
    query = """{ paths(from: "EquipmentType:an-124-100", to: "Asset:latakia-airport") {
      nodes { id } } }"""
    via = [path["nodes"][1]["id"] for path in agreed_data(story_client, query)["paths"]]
    assert via == [f"Event:hmeimim-2025-an124-flight-{n}" for n in (1, 2, 3)]


# ---- coInvolvement --------------------------------------------------------------------------------


def test_co_involvement_lists_shared_events_in_time_order(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        """{ iran: coInvolvement(a: "Actor:russia", b: "Actor:iran") {
               key participants { role entity { ... on Actor { key } } } }
             air: coInvolvement(a: "Actor:russian-air-force", b: "Actor:russia") { key }
             syria: coInvolvement(a: "Actor:russia", b: "Actor:syria-state") { key time { start } }
             later: coInvolvement(a: "Actor:russia", b: "Actor:iran", window: {from: "2025-11"}) { key } }""",
    )
    (signal,) = data["iran"]
    assert signal["key"] == "hmeimim-2025-signal"
    roles = {(p["entity"]["key"], p["role"]) for p in signal["participants"]}
    assert {("russia", "participant"), ("iran", "addressee")} <= roles
    assert [event["key"] for event in data["air"]] == ["hmeimim-2025-airlift"]
    # Time order; the diplomat's remark has an open start and comes last.
    assert [event["key"] for event in data["syria"]] == [
        "hmeimim-2025-signal",
        "hmeimim-2025-assess-posture-shift",
        "hmeimim-2025-stmt-diplomat-here-to-stay",
    ]
    assert data["later"] == []


# ---- activity -------------------------------------------------------------------------------------

WEEKLY = """{ activity(place: "Location:latakia-province", bucket: WEEK,
                       window: {from: "2025-09", to: "2025-11"}) {
    bucket baseline { start end buckets mean stddev uncertainMean }
    buckets { start end count uncertain zScore } } }"""


def test_weekly_activity_at_latakia_rises_in_late_october(story_client: TestClient) -> None:
    data = agreed_data(story_client, WEEKLY)["activity"]
    assert data["bucket"] == "WEEK"
    buckets = data["buckets"]
    assert len(buckets) == 13
    assert buckets[0]["start"] == "2025-09-01T00:00:00Z"
    assert buckets[-1]["end"] == "2025-11-30T23:59:59.999999Z"
    assert data["baseline"] == {
        "start": "2025-06-02T00:00:00Z",
        "end": "2025-08-31T23:59:59.999999Z",
        "buckets": 13,
        "mean": 0.0,
        "stddev": 0.0,
        "uncertainMean": 1.0,  # the six-month pause, dated only to an interval
    }
    by_week = {bucket["start"][:10]: bucket for bucket in buckets}
    # The one flight leg dated to the day (26 October) is the only certain count; the An-124
    # flights (24-27 October) straddle two weeks, so they are uncertain in both.
    week = by_week["2025-10-20"]
    assert (week["count"], week["uncertain"], week["zScore"]) == (1, 8, 1.0)
    assert [b["zScore"] for b in buckets if b["zScore"] > 0] == [1.0]
    assert by_week["2025-10-27"]["uncertain"] == 7
    uncertain = [bucket["uncertain"] for bucket in buckets]
    assert max(uncertain) == uncertain[7] and uncertain[:8] == sorted(uncertain[:8])
    assert uncertain[-4:] == [0, 0, 0, 0]


def test_monthly_activity_shows_october_against_a_quiet_baseline(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        """{ activity(place: "Location:latakia-province", bucket: MONTH,
                      window: {from: "2025-08-15", to: "2025-11"}) {
               baseline { start buckets mean } buckets { start count uncertain zScore } } }""",
    )["activity"]
    assert data["baseline"] == {"start": "2025-04-01T00:00:00Z", "buckets": 4, "mean": 0.0}
    assert [(b["start"][:7], b["count"], b["zScore"]) for b in data["buckets"]] == [
        ("2025-08", 0, 0.0),
        ("2025-09", 0, 0.0),
        ("2025-10", 8, 8.0),
        ("2025-11", 0, 0.0),
    ]


def test_activity_of_an_entity_by_day_and_type(story_client: TestClient) -> None:
    data = agreed_data(
        story_client,
        """{ activity(entity: "Actor:russian-air-force", bucket: DAY, types: [flight],
                      window: {from: "2025-10-24", to: "2025-10-31"}) {
               buckets { start count uncertain } } }""",
    )["activity"]
    by_day = {b["start"][:10]: (b["count"], b["uncertain"]) for b in data["buckets"]}
    assert len(by_day) == 8
    assert by_day["2025-10-25"] == (0, 0)
    assert by_day["2025-10-26"] == (1, 2)  # the Libya leg; the trip and the Moscow leg may be
    assert by_day["2025-10-31"] == (0, 2)


def test_activity_of_a_timeline_counts_what_the_timeline_lists(story_client: TestClient) -> None:
    # One bucket: every event the timeline lists over the month is certain or uncertain in it.
    data = agreed_data(
        story_client,
        """{ timeline: activity(timeline: "Asset:hmeimim-air-base", bucket: MONTH,
                                window: {from: "2025-10", to: "2025-10"}) {
               buckets { count uncertain } }
             place: activity(place: "Asset:hmeimim-air-base", bucket: MONTH,
                             window: {from: "2025-10", to: "2025-10"}) { buckets { count } }
             listed: timeline(entity: "Asset:hmeimim-air-base",
                              window: {from: "2025-10", to: "2025-10"}) { totalCount } }""",
    )
    [bucket] = data["timeline"]["buckets"]
    assert bucket["count"] + bucket["uncertain"] == data["listed"]["totalCount"] > 0
    # The air base is also the subject of events elsewhere: its timeline holds more than the
    # events at it.
    assert bucket["count"] > data["place"]["buckets"][0]["count"]


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        (
            'timeline: "Asset:hmeimim-air-base", entity: "Actor:russia", bucket: WEEK, '
            'window: {from: "2025-09", to: "2025-10"}',
            "not taken with",
        ),
        ('timeline: "Event:x", bucket: WEEK, window: {from: "2025", to: "2025"}', "not an entity"),
        ('place: "Location:syria", bucket: WEEK, window: {from: "2025-09"}', "needs both"),
        ('place: "Location:syria", bucket: DAY, window: {from: "2024", to: "2025"}', "more than"),
        ('place: "Actor:russia", bucket: WEEK, window: {from: "2025", to: "2025"}', "not a place"),
        ('bucket: WEEK, window: {from: "2025-10", to: "2025-09"}', "`to` is before `from`"),
    ],
)
def test_bad_activity_windows_are_refused(
    story_client: TestClient, arguments: str, needle: str
) -> None:
    query = f"{{ activity({arguments}) {{ buckets {{ count }} }} }}"
    assert needle in agreed_refusal(story_client, query)


# ---- cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fast", [True, False])
def test_each_relationship_query_costs_one_round_trip(story_client: TestClient, fast: bool) -> None:
    queries = [
        '{ neighborhood(id: "Actor:russia", depth: 3) { nodes { id ... on Event { claims '
        "{ source { name } } participants { role } } } relationships { id claims { credibility } } } }",
        '{ paths(from: "Actor:turkey", to: "Asset:hmeimim-air-base", types: ["INVOLVES"]) '
        "{ nodes { id } relationships { relation { key } claims { paraphrase } } } }",
        '{ coInvolvement(a: "Actor:russia", b: "Actor:iran") { claims { report { name } } } }',
        WEEKLY,
    ]
    with counting_statements(story_client.app) as counting:
        for query in queries:
            before = counting.statements
            body = _ask(story_client, query, fast)
            assert "errors" not in body, body
            assert counting.statements == before + 1, query
