"""Entity resolution proposals (graph/resolution, docs/resolution.md) on the real Neo4j.

The safe rule reads external ids as `(:ExternalId {scheme, value})-[:IDENTIFIES]->(n)`. Most
tests make nodes and ids in their own Cypher setup (states the importer cannot reach, such as
one id naming two nodes); one imports them the way users give them.
"""

import json
from enum import StrEnum

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.importer import import_records
from eventgraph.graph.resolution import Proposal, ReasonKind, propose
from eventgraph.graph.settings import Settings
from tests.helpers import run_cli

_NODES = """
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE row.label = 'Actor' CREATE (n:Actor) SET n = row.props RETURN n
  UNION
  WITH row WHERE row.label = 'Location' CREATE (n:Location) SET n = row.props RETURN n
  UNION
  WITH row WHERE row.label = 'Asset' CREATE (n:Asset) SET n = row.props RETURN n
}
RETURN count(*) AS made
"""
_POINTS = """
UNWIND $rows AS row
MATCH (n:Location {id: row.id})
SET n.point = point({latitude: row.lat, longitude: row.lon}), n.point_precision = row.precision
"""
_EXTERNAL_IDS = """
UNWIND $rows AS row
MATCH (n {id: row.key})
MERGE (x:ExternalId {scheme: row.scheme, value: row.value})
MERGE (x)-[:IDENTIFIES]->(n)
"""


def _make(driver: Driver, database: str, label: str, *records: dict[str, object]) -> None:
    rows = [{"label": label, "props": record} for record in records]
    driver.execute_query(_NODES, {"rows": rows}, database_=database)


def _ids(driver: Driver, database: str, *rows: tuple[str, str, str]) -> None:
    params = [{"key": key, "scheme": scheme, "value": value} for key, scheme, value in rows]
    driver.execute_query(_EXTERNAL_IDS, {"rows": params}, database_=database)


def _pairs(proposals: list[Proposal]) -> dict[tuple[str, str], Proposal]:
    return {(p.a.key, p.b.key): p for p in proposals}


def _kinds(proposal: Proposal) -> set[StrEnum]:
    return {reason.kind for reason in proposal.reasons}


def test_the_seed_story_gives_no_false_proposal(seed_story: Driver, settings: Settings) -> None:
    proposals = propose(seed_story, settings.neo4j_database)
    assert proposals == [], [(p.a.name, p.b.name, p.score) for p in proposals]


def test_one_external_id_naming_two_nodes_is_the_safe_automatic_rule(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Actor",
        {"id": "russia", "name": "Russia", "kind": "state"},
        {"id": "acled-rus", "name": "Military Forces of Russia (2000-)", "kind": "armed_force"},
        {"id": "acled-rus-2", "name": "Russian military", "kind": "armed_force"},
        {"id": "gdelt-rus", "name": "RUS", "kind": "state"},
        {"id": "other-a", "name": "Alpha Front", "kind": "armed_group"},
        {"id": "other-b", "name": "Omega Movement", "kind": "armed_group"},
    )
    _ids(
        clean_graph,
        db,
        ("russia", "cameo_actor", "RUS"),
        ("gdelt-rus", "cameo_actor", "RUS"),  # one ExternalId, two nodes
        ("acled-rus", "acled_actor", "Military Forces of Russia (2000-)"),
        ("acled-rus-2", "acled_actor", "military forces of  RUSSIA (2000-)"),  # its case rule
        ("other-a", "wikidata", "Q42"),
        ("other-b", "geonames", "Q42"),  # the same text in another scheme is another id
    )
    pairs = _pairs(propose(clean_graph, db, "actor"))
    assert set(pairs) == {("gdelt-rus", "russia"), ("acled-rus", "acled-rus-2")}
    for pair in pairs.values():
        assert pair.automatic and pair.score == 1.0
        assert pair.reasons[0].kind is ReasonKind.EXTERNAL_ID
    assert "cameo_actor RUS names both" in pairs[("gdelt-rus", "russia")].reasons[0].detail


def test_imported_ids_spelled_two_ways_are_the_safe_rule(
    clean_graph: Driver, settings: Settings
) -> None:
    """An import keeps an ACLED name's case and a registration's hyphen as given, so two
    records of one actor (or one airframe) spelled two ways become two nodes; the safe rule
    finds them."""
    db = settings.neo4j_database

    def actor(key: str, name: str, acled: str) -> tuple[str, dict[str, object]]:
        ids = [{"scheme": "acled_actor", "value": acled}]
        return "actors", {"id": key, "name": name, "kind": "armed_force", "external_ids": ids}

    def asset(key: str, registration: str) -> tuple[str, dict[str, object]]:
        ids = [{"scheme": "registration", "value": registration}]
        return "assets", {"id": key, "name": registration, "kind": "aircraft", "external_ids": ids}

    import_records(
        clean_graph,
        db,
        [
            actor("acled-a", "Military Forces of Russia", "Military Forces of Russia (2000-)"),
            actor("acled-b", "Russian forces", "MILITARY FORCES OF RUSSIA  (2000-)"),
            asset("airframe-a", "RA-82010"),
            asset("airframe-b", "RA82010"),
        ],
        "test",
    )
    actors = _pairs(propose(clean_graph, db, "actor"))
    assert set(actors) == {("acled-a", "acled-b")}
    assert actors[("acled-a", "acled-b")].automatic
    assets = _pairs(propose(clean_graph, db, "asset"))
    assert ("airframe-a", "airframe-b") in assets
    assert assets[("airframe-a", "airframe-b")].automatic


def test_a_case_sensitive_scheme_does_not_fold_values(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Actor",
        {"id": "x-1", "name": "Kestrel Brigade", "kind": "armed_group"},
        {"id": "x-2", "name": "Osprey Movement", "kind": "armed_group"},
    )
    _ids(clean_graph, db, ("x-1", "feed_record", "AbC-1"), ("x-2", "feed_record", "abc-1"))
    assert propose(clean_graph, db, "Actor", min_score=0.0) == []


def test_sibling_units_and_a_person_and_their_organisation_are_vetoed(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Actor",
        {"id": "gta-1", "name": "1st Guards Tank Army", "kind": "military_unit"},
        {"id": "gta-2", "name": "2nd Guards Tank Army", "kind": "military_unit"},
        {"id": "gta-2b", "name": "Second Guards Tank Army", "kind": "military_unit"},
        {"id": "gta-12", "name": "12th Guards Tank Army", "kind": "military_unit"},
        {"id": "gta-13", "name": "13th Guards Tank Army", "kind": "military_unit"},
        {"id": "massoud", "name": "Ahmad Shah Massoud", "kind": "person"},
        {"id": "massoud-org", "name": "Ahmad Shah Massoud", "kind": "organisation"},
    )
    assert set(_pairs(propose(clean_graph, db))) == {("gta-2", "gta-2b")}  # "Second" is 2nd
    everything = _pairs(propose(clean_graph, db, "Actor", min_score=0.0))
    assert ("gta-1", "gta-2") not in everything  # "1st" and "2nd" are not alike at all
    siblings = everything[("gta-12", "gta-13")]  # one letter apart: the numbers veto them
    assert siblings.score == 0 and ReasonKind.NUMBERS_DIFFER in _kinds(siblings)
    named_after = everything[("massoud", "massoud-org")]
    assert named_after.score == 0 and ReasonKind.KIND_DIFFERS in _kinds(named_after)
    assert ReasonKind.SAME_NAME in _kinds(named_after)  # the names do agree: the kind vetoes it
    assert not any(p.automatic for p in everything.values())


def test_spelling_variants_are_proposed_for_review_never_automatic(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Actor",
        {"id": "wagner", "name": "The Wagner Group", "kind": "armed_group"},
        {
            "id": "vagner",
            "name": "Группа Вагнера",
            "aliases": ["Gruppa Vagnera"],
            "kind": "armed_group",
        },
        {"id": "wagner-en", "name": "Wagner group", "kind": "armed_group"},
        {"id": "hts", "name": "Hayat Tahrir al-Sham", "kind": "armed_group"},
        {"id": "izza", "name": "Jaish al-Izza", "kind": "armed_group"},
        {"id": "izza-typo", "name": "Jaish al-Izzah", "kind": "armed_group"},
        {"id": "hts-short", "name": "HTS", "kind": "armed_group"},
        {"id": "ndf", "name": "National Defence Forces", "kind": "armed_group"},
        {"id": "ndf-order", "name": "Defence Forces, National", "kind": "armed_group"},
        {
            "id": "official-1",
            "name": "Unnamed defence official",
            "kind": "person",
            "anonymous": True,
        },
        {
            "id": "official-2",
            "name": "Unnamed defence official",
            "kind": "person",
            "anonymous": True,
        },
    )
    pairs = _pairs(propose(clean_graph, db, "Actor"))
    assert ("wagner", "wagner-en") in pairs
    assert _kinds(pairs[("wagner", "wagner-en")]) == {ReasonKind.SAME_NAME, ReasonKind.SAME_KIND}
    assert ReasonKind.TYPO in _kinds(pairs[("izza", "izza-typo")])
    assert ("hts", "hts-short") in pairs
    assert ReasonKind.ACRONYM in _kinds(pairs[("hts", "hts-short")])
    assert not any(p.automatic for p in pairs.values())
    assert all(0.8 <= p.score < 1 for p in pairs.values())
    assert ReasonKind.SIMILAR_NAME in _kinds(pairs[("ndf", "ndf-order")])  # word order
    assert ("hts-short", "ndf") not in pairs
    assert ("official-1", "official-2") not in pairs  # unnamed: described, not named


def test_places_of_one_name_are_one_place_only_when_near(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Location",
        {"id": "latakia", "name": "Latakia", "kind": "city"},
        {"id": "al-ladhiqiyah", "name": "Lattakia", "aliases": ["Al-Lādhiqīyah"], "kind": "city"},
        {"id": "springfield-il", "name": "Springfield", "kind": "city"},
        {"id": "springfield-ma", "name": "Springfield", "kind": "city"},
    )
    points = [
        {"id": "latakia", "lat": 35.52, "lon": 35.79, "precision": "city"},
        {"id": "al-ladhiqiyah", "lat": 35.53, "lon": 35.80, "precision": "city"},
        {"id": "springfield-il", "lat": 39.80, "lon": -89.64, "precision": "city"},
        {"id": "springfield-ma", "lat": 42.10, "lon": -72.59, "precision": "city"},
    ]
    clean_graph.execute_query(_POINTS, {"rows": points}, database_=db)
    everything = _pairs(propose(clean_graph, db, "Location", min_score=0.0))
    near = everything[("al-ladhiqiyah", "latakia")]
    assert near.score >= 0.8 and ReasonKind.NEAR in _kinds(near)
    far = everything[("springfield-il", "springfield-ma")]
    assert far.score < 0.8 and ReasonKind.FAR in _kinds(far)


@pytest.mark.parametrize(
    ("label", "min_score", "message"),
    [
        ("Event", 0.8, "label: 'Event' is none of Actor, Asset, Location, EquipmentType"),
        ("Actor", 1.5, "min score: 1.5 is not between 0 and 1"),
    ],
)
def test_bad_arguments_are_named(
    seed_story: Driver, settings: Settings, label: str, min_score: float, message: str
) -> None:
    with pytest.raises(InvalidData, match=message):
        propose(seed_story, settings.neo4j_database, label, min_score)


def test_the_cli_prints_proposals_with_reasons_and_json(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Actor",
        {"id": "wagner", "name": "The Wagner Group", "kind": "armed_group"},
        {"id": "wagner-en", "name": "Wagner group", "kind": "armed_group"},
    )
    shown = run_cli("resolve", "--label", "Actor")
    assert shown.returncode == 0, shown.stderr
    assert "0.90  Actor wagner 'The Wagner Group' ~ wagner-en 'Wagner group'  (to review)" in (
        shown.stdout
    )
    assert "+0.80 same_name: 'The Wagner Group' and 'Wagner group'" in shown.stdout
    answer = json.loads(run_cli("resolve", "--json").stdout)
    assert [(p["a"]["key"], p["b"]["key"], p["score"]) for p in answer] == [
        ("wagner", "wagner-en", 0.9)
    ]
    assert {r["kind"] for r in answer[0]["reasons"]} == {"same_name", "same_kind"}
    refused = run_cli("resolve", "--label", "Claim")
    assert refused.returncode != 0
    assert "label: 'Claim' is none of Actor, Asset" in refused.stderr


_PROPOSALS = """
query ($label: ResolvableLabel, $minScore: Float!) {
  resolutionProposals(label: $label, minScore: $minScore, first: 5) {
    a { id key name } b { key name } score automatic reasons { kind detail weight }
  }
}
"""


def test_graphql_gives_the_proposals_to_a_reader(clean_graph: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    _make(
        clean_graph,
        db,
        "Asset",
        {
            "id": "ra-82010",
            "name": "An-124 RA-82010",
            "kind": "aircraft",
            "registration": "RA-82010",
        },
        {
            "id": "ra82010",
            "name": "An-124 Ruslan RA82010",
            "kind": "aircraft",
            "registration": "RA82010",
        },
        {
            "id": "ra-82011",
            "name": "An-124 RA-82011",
            "kind": "aircraft",
            "registration": "RA-82011",
        },
    )
    _ids(
        clean_graph,
        db,
        ("ra-82010", "registration", "RA-82010"),
        ("ra82010", "registration", "ra82010"),
    )
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        answer = client.post(
            "/graphql", json={"query": _PROPOSALS, "variables": {"label": "Asset", "minScore": 0.8}}
        ).json()
        refused = client.post(
            "/graphql", json={"query": _PROPOSALS, "variables": {"minScore": 2.0}}
        ).json()
    assert "errors" not in answer, answer
    (proposal,) = answer["data"]["resolutionProposals"]
    assert proposal["a"] == {"id": "Asset:ra-82010", "key": "ra-82010", "name": "An-124 RA-82010"}
    assert proposal["b"]["key"] == "ra82010"
    assert proposal["automatic"] is True and proposal["score"] == 1.0
    kinds = [reason["kind"] for reason in proposal["reasons"]]
    assert kinds[0] == "external_id" and "same_registration" in kinds
    assert proposal["reasons"][0]["detail"] == "registration RA-82010 and ra82010 names both"
    assert refused["data"] is None
    assert refused["errors"][0]["message"] == "min score: 2 is not between 0 and 1"
