"""STIX 2.1 bundles in and out against the real Neo4j: the hand-written sample (counts, keys,
grading from confidence, versions by `modified`), the seed story exported as STIX (the official
stix2-validator accepts it) and read back to the same bundle, and bad bundles refused naming
file, object and field with nothing written."""

import json
from functools import partial
from pathlib import Path
from typing import Any

from neo4j import Driver
from stix2validator import ValidationOptions, validate_instance

from eventgraph.graph.exporting import export_document
from eventgraph.graph.feeds import FeedOptions, using
from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import Settings
from eventgraph.graph.stix.mapping import timestamp
from eventgraph.graph.stix.writing import bundle_of
from tests.feed_imports import graph_rows, import_feed, refused_naming
from tests.graph_store import SEEDS, wipe
from tests.helpers import graph_checksum, run_cli

SAMPLE = Path(__file__).parent / "feeds" / "stix-hmeimim.json"
SIGHTING = "stix:sighting--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
MOD = "stix:identity--6f3b2a1c-8d4e-4f5a-9b6c-1d2e3f4a5b6c"
WATCH = "stix:identity--2c9e7d41-5a3b-4c8d-8e1f-7a6b5c4d3e2f"


def _sample() -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(SAMPLE.read_text())
    return bundle


def _write(tmp_path: Path, bundle: dict[str, Any], name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(bundle))
    return path


def _counts(driver: Driver) -> dict[str, int]:
    rows = graph_rows(
        driver, "MATCH (n) WHERE n.feed = 'stix' RETURN labels(n)[0] AS l, count(*) AS n"
    )
    return {row["l"]: row["n"] for row in rows}


def test_sample_lands_with_its_keys_and_grading(clean_graph: Driver, settings: Settings) -> None:
    import_feed(clean_graph, settings, SAMPLE)
    assert _counts(clean_graph) == {
        "Actor": 3,
        "Source": 2,
        "Location": 1,
        "Report": 1,
        "Event": 3,
        "Relation": 2,
    }
    claims = graph_rows(
        clean_graph,
        "MATCH (c:Claim)-[:SUPPORTS]->(e:Event {id: $id}) MATCH (c)-[:SOURCED_FROM]->(s) "
        "OPTIONAL MATCH (c)-[:IN_REPORT]->(r) "
        "RETURN s.id AS source, c.credibility AS credibility, r.stix_markings AS markings "
        "ORDER BY c.position",
        id=SIGHTING,
    )
    # its own (confidence 70 → 2, in the TLP:AMBER report), the note (50 → 3), the ministry's
    # opinion (no confidence, "agree" → 2)
    assert [(c["source"], c["credibility"]) for c in claims] == [
        (WATCH, "2"),
        (WATCH, "3"),
        (MOD, "2"),
    ]
    assert claims[0]["markings"] == ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]
    sighting = graph_rows(
        clean_graph,
        "MATCH (e:Event {id: $id})-[:OCCURRED_AT]->(p) MATCH (e)-[:INVOLVES]->(a) "
        "MATCH (e)-[:PART_OF]->(g) "
        "RETURN e.feed_id AS feed_id, p.point_precision AS precision, a.id AS actor, g.feed_id AS group",
        id=SIGHTING,
    )
    assert sighting == [
        {
            "feed_id": SIGHTING.removeprefix("stix:"),
            "precision": "site",
            "actor": MOD,
            "group": "grouping--6e7f8091-a2b3-4c4d-9e5f-60718293a4b5",
        }
    ]
    relation = graph_rows(
        clean_graph,
        "MATCH (c:Claim)-[:SUPPORTS]->(r:Relation {type: 'opposes'}) RETURN c.credibility AS c",
    )
    assert relation == [{"c": "4"}]  # its own confidence, 30


def test_reimport_changes_nothing_and_versions_follow_modified(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import_feed(clean_graph, settings, SAMPLE)
    before = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, SAMPLE)
    assert graph_checksum(clean_graph) == before
    assert sum(again.outcome.updated.values()) + sum(again.outcome.created.values()) == 0

    def with_location(modified: str, name: str) -> Path:
        bundle = _sample()
        for obj in bundle["objects"]:
            if obj["type"] == "location":
                obj["modified"], obj["name"] = modified, name
        return _write(tmp_path, bundle, f"{name}.json")

    import_feed(clean_graph, settings, with_location("2025-11-02T00:00:00.000Z", "Newer"))
    import_feed(clean_graph, settings, with_location("2025-10-31T00:00:00.000Z", "Older"))
    rows = graph_rows(
        clean_graph, "MATCH (l:Location {feed: 'stix'}) RETURN l.name AS name, l.stix_modified AS m"
    )
    assert rows == [{"name": "Newer", "m": "2025-11-02T00:00:00.000Z"}]


def test_seed_story_as_stix_validates_and_round_trips(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    database = settings.neo4j_database
    import_paths(clean_graph, database, [SEEDS], max_bytes=2**24)
    first = bundle_of(export_document(clean_graph, database))
    result = validate_instance(first, ValidationOptions())
    assert result.is_valid and not result.errors, [str(e) for e in result.errors]
    path = _write(tmp_path, first, "seed.stix.json")
    wipe(clean_graph, database)
    import_feed(clean_graph, settings, path)
    second = bundle_of(export_document(clean_graph, database))
    assert second == first
    types = {obj["type"] for obj in first["objects"]}
    assert types >= {
        "identity",
        "threat-actor",
        "location",
        "report",
        "sighting",
        "note",
        "relationship",
        "grouping",
        "infrastructure",
    }


def _refusal(driver: Driver, settings: Settings, tmp_path: Path, bundle: Any, expected: str) -> str:
    """`bundle` (with something wrong) refused as the one bad input, saying `expected`."""
    text = bundle if isinstance(bundle, str) else json.dumps(bundle)
    path = tmp_path / "bad.json"
    path.write_text(text)
    return refused_naming(driver, settings, path, expected, format="stix-bundle")


def test_bad_bundles_are_refused_naming_object_and_field(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    refused = partial(_refusal, clean_graph, settings, tmp_path)
    unknown = _sample()
    unknown["objects"].append(
        {
            "type": "weapon",
            "spec_version": "2.1",
            "id": "weapon--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f50",
        }
    )
    refused(
        unknown,
        "weapon--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f50.type: 'weapon' is not a STIX 2.1 type",
    )

    unread = _sample()
    unread["objects"].append(
        {
            "type": "malware",
            "spec_version": "2.1",
            "id": "malware--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f50",
            "created": "2025-10-30T09:00:00Z",
            "modified": "2025-10-30T09:00:00Z",
            "name": "x",
            "is_family": False,
        }
    )
    refused(
        unread,
        "malware--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f50.type: 'malware' is not a type eventgraph reads",
    )

    dangling = _sample()
    for obj in dangling["objects"]:
        if obj["type"] == "sighting":
            obj["where_sighted_refs"] = ["location--00000000-0000-4000-8000-000000000000"]
    refused(
        dangling,
        f"{SIGHTING.removeprefix('stix:')}.where_sighted_refs[0]: 'location--00000000-0000-4000-8000-000000000000' is not in the bundle",
    )

    confidence = _sample()
    for obj in confidence["objects"]:
        if obj["type"] == "note":
            obj["confidence"] = 150
    refused(
        confidence,
        "note--5b6c7d8e-9f0a-4b1c-9d2e-3f4a5b6c7d8e.confidence: 150 is not a STIX confidence",
    )

    missing = _sample()
    for obj in missing["objects"]:
        if obj["type"] == "location":
            del obj["latitude"]
    message = refused(
        missing,
        "location--4d5e6f70-8192-4a3b-9c4d-5e6f708192a3.latitude: missing",
    )
    assert "is not in the bundle" not in message  # a refused object is still in the bundle

    unmapped = _sample()
    for obj in unmapped["objects"]:
        if obj.get("relationship_type") == "opposes":
            obj["relationship_type"] = "attributed-to"
        if obj["type"] == "location":
            obj["object_marking_refs"] = [
                "marking-definition--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f52"
            ]
    unmapped["objects"].append(
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": "marking-definition--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f52",
            "created": "2025-10-30T09:00:00Z",
            "definition_type": "statement",
            "definition": {"statement": "Copyright"},
        }
    )
    unmapped["objects"].append(
        {
            "type": "note",
            "spec_version": "2.1",
            "id": "note--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f51",
            "created": "2025-10-30T09:00:00Z",
            "modified": "2025-10-30T09:00:00Z",
            "content": "About the ministry itself.",
            "object_refs": [MOD.removeprefix("stix:")],
        }
    )
    message = refused(
        unmapped,
        "relationship--1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b.relationship_type: 'attributed-to' is not one of ours",
    )
    assert (
        "location--4d5e6f70-8192-4a3b-9c4d-5e6f708192a3.object_marking_refs: 'marking-definition--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f52' is not a TLP marking"
        in message
    )
    assert (
        "note--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f51.object_refs[0]: 'identity--6f3b2a1c-8d4e-4f5a-9b6c-1d2e3f4a5b6c' is not an event or relation"
        in message
    )

    crafted = _sample()  # our custom properties, malformed: refused, never a stack trace
    for obj in crafted["objects"]:
        if obj["type"] == "sighting":
            obj["x_eventgraph_label"] = ["Event"]
        if obj["type"] == "relationship":
            obj["x_eventgraph_participants"] = ["q"]
    refused(
        crafted,
        f"{SIGHTING.removeprefix('stix:')}.x_eventgraph_label: ",
    )
    for obj in crafted["objects"]:
        obj.pop("x_eventgraph_label", None)
    refused(
        crafted,
        "relationship--1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b.x_eventgraph_participants: must be",
    )

    truncated = SAMPLE.read_text()[:500]
    refused(truncated, "json: malformed JSON")


def test_custom_objects_are_left_out(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    bundle = _sample()
    bundle["objects"].append(
        {
            "type": "x-acme-widget",
            "spec_version": "2.1",
            "id": "x-acme-widget--0b7d4b0e-1b5e-4b8e-9c1e-3f1c2d3e4f50",
            "created": "2025-10-30T09:00:00Z",
            "modified": "2025-10-30T09:00:00Z",
        }
    )
    import_feed(clean_graph, settings, _write(tmp_path, bundle))
    assert sum(_counts(clean_graph).values()) == 12


def test_a_bundle_read_exports_with_its_ids_and_reads_back_the_same(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """STIX → graph → `eventgraph export --format stix` → wipe → import → the same bundle;
    the objects keep their STIX ids (observed data, whose observables are not kept, comes
    back as a sighting with an id of ours)."""
    database = settings.neo4j_database
    import_feed(clean_graph, settings, SAMPLE)
    exported = tmp_path / "graph.stix.json"
    done = run_cli("export", "--format", "stix", str(exported))
    assert done.returncode == 0, done.stderr
    first = json.loads(exported.read_text())
    assert validate_instance(first, ValidationOptions()).is_valid
    ids = {obj["id"] for obj in first["objects"]}
    sample_ids = {obj["id"] for obj in _sample()["objects"]}
    assert sample_ids - ids == {
        "observed-data--b4c5d6e7-f809-4a1b-9c2d-3e4f5a6b7c8d",
        "url--c1d2e3f4-a5b6-5c7d-8e9f-0a1b2c3d4e5f",
        "note--5b6c7d8e-9f0a-4b1c-9d2e-3f4a5b6c7d8e",
        "opinion--8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f",
    }  # claims go out as notes of ours
    wipe(clean_graph, database)
    import_feed(clean_graph, settings, exported)
    assert bundle_of(export_document(clean_graph, database)) == first


def test_two_exports_of_an_unchanged_graph_are_byte_identical(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Records that did not come from STIX are versioned by when the graph wrote them, not
    by when they were exported."""
    import_paths(clean_graph, settings.neo4j_database, [SEEDS], max_bytes=2**24)
    first, second = tmp_path / "first.stix.json", tmp_path / "second.stix.json"
    for path in (first, second):
        done = run_cli("export", "--format", "stix", str(path))
        assert done.returncode == 0, done.stderr
    assert first.read_bytes() == second.read_bytes()
    [written] = graph_rows(
        clean_graph,
        "MATCH (a:Actor) WITH a ORDER BY a.id LIMIT 1 "
        "RETURN a.id AS id, a.created_at AS created, a.updated_at AS updated",
    )
    [actor] = [
        obj
        for obj in json.loads(first.read_text())["objects"]
        if obj.get("x_eventgraph_id") == written["id"] and obj.get("x_eventgraph_label") == "Actor"
    ]
    assert actor["created"] == timestamp(written["created"].to_native())
    assert actor["modified"] == timestamp(written["updated"].to_native())


def test_a_file_that_is_not_a_bundle_is_refused_as_one(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _refusal(clean_graph, settings, tmp_path, [{"type": "identity"}], "type: is not a STIX bundle")


LOCATION = "location--4d5e6f70-8192-4a3b-9c4d-5e6f708192a3"
STIX_IDS = """
MATCH (x:ExternalId {scheme: 'stix'})-[:IDENTIFIES]->(n)
RETURN x.value AS stix, labels(n)[0] AS label, n.id AS id ORDER BY stix
"""


def test_objects_carry_their_stix_ids(clean_graph: Driver, settings: Settings) -> None:
    """Identities, threat actors, locations and reports carry their STIX ids; an identity that
    is an actor and a source is the actor's (an id names one node)."""
    import_feed(clean_graph, settings, SAMPLE)
    assert graph_rows(clean_graph, STIX_IDS) == [
        {"stix": WATCH[5:], "label": "Actor", "id": WATCH},
        {"stix": MOD[5:], "label": "Actor", "id": MOD},
        {"stix": LOCATION, "label": "Location", "id": f"stix:{LOCATION}"},
        {
            "stix": "report--7e8f9a0b-1c2d-4e3f-a4b5-c6d7e8f9a0b1",
            "label": "Report",
            "id": "stix:report--7e8f9a0b-1c2d-4e3f-a4b5-c6d7e8f9a0b1",
        },
        {
            "stix": "threat-actor--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "label": "Actor",
            "id": "stix:threat-actor--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        },
    ]


OUR_HMEIMIM = f"""\
eventgraph: 1
locations:
  - {{id: hmeimim, name: Hmeimim, kind: site, point: {{lat: 35.4011, lon: 35.9486, precision: site}}, external_ids: [{{scheme: stix, value: {LOCATION}}}]}}
"""


def test_a_node_with_a_stix_id_takes_the_bundle_and_exports_under_that_id(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Our `hmeimim` carries the sample's location id: the bundle's sighting is at it, and the
    STIX export writes it under that id (valid, and read back to the same bundle)."""
    database = settings.neo4j_database
    ours = tmp_path / "ours.yaml"
    ours.write_text(OUR_HMEIMIM)
    import_feed(clean_graph, settings, ours)
    summary = import_feed(clean_graph, settings, SAMPLE)
    assert summary.attached == 1
    [at] = graph_rows(
        clean_graph, "MATCH (:Event {id: $id})-[:OCCURRED_AT]->(p) RETURN p.id AS id", id=SIGHTING
    )
    assert at["id"] == "hmeimim"
    first = bundle_of(export_document(clean_graph, database))
    assert validate_instance(first, ValidationOptions()).is_valid
    [location] = [obj for obj in first["objects"] if obj["type"] == "location"]
    assert (location["id"], location["x_eventgraph_id"]) == (LOCATION, "hmeimim")
    [sighting] = [obj for obj in first["objects"] if obj["id"] == SIGHTING[5:]]
    assert sighting["where_sighted_refs"] == [LOCATION]
    path = _write(tmp_path, first, "graph.stix.json")
    wipe(clean_graph, database)
    import_feed(clean_graph, settings, path)
    assert bundle_of(export_document(clean_graph, database)) == first
    [kept] = graph_rows(
        clean_graph,
        "MATCH (x:ExternalId {scheme: 'stix'})-[:IDENTIFIES]->(:Location {id: 'hmeimim'}) "
        "RETURN x.value AS stix",
    )
    assert kept["stix"] == LOCATION


def test_a_stix_id_already_on_another_kind_of_node_is_refused_or_skipped(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """An actor of ours with the location's STIX id: the location is refused, naming the
    object, the field and the actor; `--skip-bad` leaves it out, and what is at it."""
    ours = tmp_path / "ours.yaml"
    ours.write_text(
        "eventgraph: 1\nactors:\n  - {id: not-a-place, name: Someone, kind: group, "
        f"external_ids: [{{scheme: stix, value: {LOCATION}}}]}}\n"
    )
    import_feed(clean_graph, settings, ours)
    message = refused_naming(
        clean_graph,
        settings,
        SAMPLE,
        f"stix '{LOCATION}' already identifies Actor 'not-a-place' in the graph, which is an "
        "Actor, not Location",
    )
    assert f"stix:{LOCATION}" in message, message
    with using(FeedOptions()):
        summary = import_paths(
            clean_graph, settings.neo4j_database, [SAMPLE], max_bytes=2**24, skip_bad=True
        )
    assert summary.skipped is not None
    reasons = [str(problem) for problem in summary.skipped.problems]
    assert any("already identifies Actor 'not-a-place'" in r for r in reasons), reasons
    assert not graph_rows(clean_graph, "MATCH (p:Location) RETURN p")
    assert _counts(clean_graph)["Actor"] == 3, "the rest of the bundle is in"
