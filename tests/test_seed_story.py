"""The seed story, imported as `make run` does: every fact of the article reads back with its
sources, no time is more precise than the article, and re-importing changes nothing."""

from pathlib import Path
from typing import Any

import yaml
from neo4j import Driver

from eventgraph.graph.exporting import dump_document, export_document
from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import Settings
from tests.graph_store import SEEDS, wipe


def test_a_first_import_writes_every_record(clean_graph: Driver, settings: Settings) -> None:
    summary = import_paths(clean_graph, settings.neo4j_database, [SEEDS], max_bytes=2**24)
    assert summary.outcome.changed == summary.records


def _rows(driver: Driver, query: str, **params: object) -> list[dict[str, object]]:
    return [record.data() for record in driver.execute_query(query, params)[0]]


def test_reimport_changes_nothing(fresh_story: Driver, settings: Settings) -> None:
    again = import_paths(fresh_story, settings.neo4j_database, [SEEDS], max_bytes=2**24)
    assert again.outcome.changed == 0


def test_three_an124_flights_are_three_events_known_only_to_an_interval(seed_story: Driver) -> None:
    rows = _rows(
        seed_story,
        "MATCH (f:Event {type: 'flight'})-[:INVOLVES {role: 'aircraft'}]->(:EquipmentType {id: 'an-124-100'}) "
        "MATCH (f)-[:PART_OF]->(a:Event {type: 'airlift'}) "
        "MATCH (f)-[:DESTINATION]->(:Asset {id: 'latakia-airport'}) "
        "MATCH (f)<-[:SUPPORTS]-(:Claim)-[:SOURCED_FROM]->(s:Source {id: 'flightradar24'}) "
        "RETURN f.id AS id, toString(date(f.start)) AS first, toString(date(f.end)) AS last, "
        "f.time_precision AS precision, f.year_assumed AS assumed, a.id AS airlift ORDER BY id",
    )
    assert len(rows) == 3
    for row in rows:
        assert (row["first"], row["last"], row["precision"], row["assumed"]) == (
            "2025-10-24",
            "2025-10-27",
            "interval",
            True,
        )


def test_il62m_leg_from_libya_is_day_precise_and_returns_to_moscow_oblast(
    seed_story: Driver,
) -> None:
    rows = _rows(
        seed_story,
        "MATCH (leg:Event)-[:INVOLVES {role: 'aircraft'}]->(:EquipmentType {id: 'il-62m'}) "
        "MATCH (leg)-[:INVOLVES {role: 'operator'}]->(op:Actor) "
        "MATCH (leg)-[:ORIGIN]->(o) MATCH (leg)-[:DESTINATION]->(d) "
        "RETURN leg.time_precision AS precision, toString(date(leg.start)) AS day, o.id AS origin, "
        "d.id AS destination, op.id AS operator ORDER BY leg.start, leg.end",
    )
    assert {
        "precision": "day",
        "day": "2025-10-26",
        "origin": "libya",
        "destination": "latakia-province",
        "operator": "russian-air-force",
    } in rows
    assert any(
        row["destination"] == "moscow-oblast" and row["origin"] == "latakia-province"
        for row in rows
    )


def test_airlift_ends_a_hiatus_and_the_attack_was_repelled(seed_story: Driver) -> None:
    assert _rows(
        seed_story,
        "MATCH (:Event {type: 'airlift'})-[:ENDS]->(h:Event {type: 'hiatus'}) RETURN h.id AS id",
    )
    attack = _rows(
        seed_story,
        "MATCH (a:Event {type: 'attack'})-[:INVOLVES {role: 'perpetrator'}]->(p:Actor) "
        "MATCH (a)-[:INVOLVES {role: 'target'}]->(t:Asset) "
        "MATCH (d:Event {type: 'defence'})-[:PART_OF]->(a) "
        "MATCH (d)-[:INVOLVES {role: 'defender'}]->(df:Actor) "
        "RETURN p.id AS perpetrator, t.id AS target, df.id AS defender, "
        "toString(date(a.start)) AS first, toString(date(a.end)) AS last",
    )
    assert attack == [
        {
            "perpetrator": "syrian-rebels",
            "target": "hmeimim-air-base",
            "defender": "russian-armed-forces",
            "first": "2025-10-01",
            "last": "2025-10-31",
        }
    ]


def test_the_pause_lasts_about_six_months_and_ends_when_the_first_flight_may_have(
    seed_story: Driver,
) -> None:
    """Its bounds are only as tight as the report allows; its length is data a query can use."""
    rows = _rows(
        seed_story,
        "MATCH (h:Event {type: 'hiatus'}) WHERE h.duration_unit = 'month' "
        "AND h.duration_amount >= 6 "
        "RETURN toString(date(h.start)) AS first, toString(date(h.end)) AS last, "
        "h.duration_approximate AS approximate, "
        "toString(date(h.end) - duration({months: h.duration_amount})) AS about_start",
    )
    assert rows == [
        {
            "first": "2025-03-01",
            "last": "2025-10-26",
            "approximate": True,
            "about_start": "2025-04-26",
        }
    ]


def test_every_claim_carries_why_it_is_graded_so(seed_story: Driver) -> None:
    rows = _rows(
        seed_story,
        "MATCH (c:Claim)-[:SUPPORTS]->(e {id: 'hmeimim-2025-an124-flight-3'}) "
        "MATCH (c)-[:SOURCED_FROM]->(s:Source) "
        "RETURN s.id AS source, c.credibility AS credibility, c.grading_note AS note "
        "ORDER BY c.position",
    )
    assert [(row["source"], row["credibility"]) for row in rows] == [
        ("flightradar24", "2"),
        ("bloomberg", "3"),
    ]
    assert "Wednesday" in str(rows[1]["note"])
    ungraded = _rows(seed_story, "MATCH (c:Claim) WHERE c.grading_note IS NULL RETURN c.id AS id")
    assert ungraded == []


def _earlier(seed: dict[str, Any]) -> dict[str, Any]:
    """The seed as it stood before issue 19: no grading notes or durations, the pause from
    April to 24 October, the last An-124 flight's Wednesday on the tracker's claim alone."""
    for record in (*seed["events"], *seed["relations"]):
        record.pop("duration", None)
        for claim in record["claims"]:
            claim.pop("grading_note", None)
        if record["id"] == "hmeimim-2025-flight-hiatus":
            record["time"].update(start="2025-04", end="2025-10-24")
        if record["id"] == "hmeimim-2025-an124-flight-3":
            record["claims"] = record["claims"][:1]
    return seed


def test_the_seed_imports_over_its_earlier_version_and_duplicates_nothing(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    database = settings.neo4j_database
    import_paths(clean_graph, database, [SEEDS], max_bytes=2**24)
    fresh = dump_document(export_document(clean_graph, database), "yaml")
    wipe(clean_graph, database)
    earlier = tmp_path / "earlier.yaml"
    seed = yaml.safe_load((SEEDS / "hmeimim-airlift-2025.yaml").read_text(encoding="utf-8"))
    changed = {"Event": len(seed["events"]), "Relation": len(seed["relations"])}
    earlier.write_text(yaml.safe_dump(_earlier(seed)), encoding="utf-8")
    import_paths(clean_graph, database, [earlier], max_bytes=2**24)

    summary = import_paths(clean_graph, database, [SEEDS], max_bytes=2**24)
    assert summary.outcome.created == {}
    assert summary.outcome.updated == changed  # every claim gained its grading note
    assert dump_document(export_document(clean_graph, database), "yaml") == fresh
    claims = _rows(clean_graph, "MATCH (c:Claim) RETURN count(c) AS n, count(DISTINCT c.id) AS ids")
    assert claims == [{"n": 42, "ids": 42}]


def test_every_statement_has_an_anonymous_speaker_with_an_ungraded_source(
    seed_story: Driver,
) -> None:
    rows = _rows(
        seed_story,
        "MATCH (s:Event) WHERE s.type IN ['statement', 'comment_refusal'] "
        "MATCH (s)-[:INVOLVES {role: 'speaker'}]->(speaker:Actor) "
        "MATCH (s)<-[:SUPPORTS]-(c:Claim)-[:SOURCED_FROM]->(src:Source)-[:IS_ACTOR]->(speaker) "
        "RETURN s.type AS type, speaker.id AS speaker, speaker.anonymous AS anonymous, "
        "c.reliability AS reliability ORDER BY speaker",
    )
    speakers = {row["speaker"] for row in rows}
    assert speakers == {
        "kremlin-close-source",
        "russian-military-official",
        "moscow-defence-analyst",
        "russian-soldier",
        "damascus-diplomat",
        "russian-officials",
    }
    assert all(row["anonymous"] and row["reliability"] == "F" for row in rows)
    assert {row["type"] for row in rows} == {"statement", "comment_refusal"}


def test_signal_to_turkey_and_iran(seed_story: Driver) -> None:
    rows = _rows(
        seed_story,
        "MATCH (s:Event {type: 'signal'})-[:INVOLVES {role: 'addressee'}]->(a:Actor) "
        "MATCH (s)-[:ABOUT]->(:Event {type: 'airlift'}) RETURN a.id AS id ORDER BY id",
    )
    assert [row["id"] for row in rows] == ["iran", "turkey"]


def test_relations_are_time_bounded_and_sourced(seed_story: Driver) -> None:
    rows = _rows(
        seed_story,
        "MATCH (a)<-[:FROM]-(r:Relation {type: 'operates'})-[:TO]->(b:Asset {id: 'hmeimim-air-base'}) "
        "MATCH (r)<-[:SUPPORTS]-(c:Claim)-[:SOURCED_FROM]->(s:Source) "
        "RETURN a.id AS operator, r.since.year AS since, r.since_precision AS precision, "
        "r.until AS until, s.id AS source, c.reliability + c.credibility AS grading",
    )
    assert rows and rows[0]["operator"] == "russian-armed-forces"
    assert (rows[0]["since"], rows[0]["precision"], rows[0]["until"]) == (2015, "year", None)


def test_every_event_and_relation_has_graded_claims_in_the_report(seed_story: Driver) -> None:
    unsupported = _rows(
        seed_story,
        "MATCH (n) WHERE (n:Event OR n:Relation) AND NOT (n)<-[:SUPPORTS]-(:Claim) RETURN n.id AS id",
    )
    assert unsupported == []
    ungraded = _rows(
        seed_story,
        "MATCH (c:Claim) WHERE NOT c.reliability IN ['A','B','C','D','E','F'] "
        "OR NOT c.credibility IN ['1','2','3','4','5','6'] OR NOT (c)-[:SOURCED_FROM]->(:Source) "
        "RETURN c.id AS id",
    )
    assert ungraded == []


def test_places_nest_and_have_points(seed_story: Driver) -> None:
    rows = _rows(
        seed_story,
        "MATCH path = (:Location {id: 'hmeimim'})-[:WITHIN*]->(country:Location {kind: 'country'}) "
        "MATCH (b:Asset {id: 'hmeimim-air-base'})-[:LOCATED_AT]->(site:Location) "
        "RETURN [n IN nodes(path) | n.id] AS chain, site.point.y AS lat, site.point.x AS lon",
    )
    assert rows[0]["chain"] == ["hmeimim", "latakia-province", "syria"]
    assert 35.3 < rows[0]["lat"] < 35.5 and 35.8 < rows[0]["lon"] < 36.0  # type: ignore[operator]


def test_full_text_finds_aliases(seed_story: Driver) -> None:
    for text, expected in (("Ruslan", "an-124-100"), ("Khmeimim", "hmeimim-air-base")):
        rows = _rows(
            seed_story,
            "CALL db.index.fulltext.queryNodes('entity_names', $text) YIELD node RETURN node.id AS id",
            text=text,
        )
        assert expected in [row["id"] for row in rows]


def test_year_assumption_is_recorded_in_the_seed_file() -> None:
    import yaml

    document = yaml.safe_load((SEEDS / "hmeimim-airlift-2025.yaml").read_text())
    assert any("2025" in line and "year" in line for line in document["assumptions"])
