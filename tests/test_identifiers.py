"""External ids: records attach to the node their ids identify; bad ids are refused with file,
record, field and reason, and nothing is written; export gives them back."""

import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.export import tables
from eventgraph.graph.exporting import dump_document, export_document
from eventgraph.graph.importer import ImportSummary, import_paths
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.feed_imports import import_feed
from tests.graph_store import wipe
from tests.helpers import agreed_data, agreed_refusal, graph_checksum

SEED = Path(__file__).parent.parent / "seeds" / "hmeimim-airlift-2025.yaml"
TRACE = Path(__file__).parent / "feeds" / "trace_full_14f1c4.json"

WORLD = """\
eventgraph: 1
locations:
  - {id: syria, name: Syria, kind: country, external_ids: [{scheme: wikidata, value: q858}]}
equipment_types:
  - id: il-62m
    name: Il-62M
    kind: aircraft_type
    external_ids: [{scheme: icao_type, value: il62}]
assets:
  - id: hmeimim
    name: Hmeimim Air Base
    kind: air_base
    located_at: syria
    external_ids: [{scheme: icao_airport, value: oslk}]
  - id: ra-86496
    name: Il-62M RA-86496
    kind: aircraft
    instance_of: il-62m
    external_ids:
      - {scheme: modes, value: 1550C5}
      - {scheme: registration, value: ra-86496}
sources:
  - {id: fr24, name: Flightradar24, kind: data_service, reliability: B}
"""

SECOND_FEED = """\
eventgraph: 1
equipment_types:
  - {id: feed:type:IL62, name: IL62, kind: aircraft_type, external_ids: [{scheme: icao_type, value: IL62}]}
assets:
  - id: feed:aircraft:1550c5
    name: RA-86496 (feed)
    kind: aircraft
    instance_of: feed:type:IL62
    external_ids:
      - {scheme: modes, value: 1550c5}
      - {scheme: stix, value: tool--00000000-0000-4000-8000-000000000001}
events:
  - id: feed:flight:1
    type: flight
    name: A flight to Hmeimim
    time: {start: 2025-10-24, end: 2025-10-27, precision: interval}
    destination: hmeimim
    participants:
      - {role: aircraft, ref: feed:aircraft:1550c5}
    claims:
      - {source: fr24, credibility: 2, paraphrase: The airframe flew to Hmeimim.}
"""


def _import(
    driver: Driver, settings: Settings, tmp_path: Path, name: str, text: str
) -> ImportSummary:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return import_paths(driver, settings.neo4j_database, [path], max_bytes=2**24)


def _ids_of(driver: Driver, label: str, node_id: str) -> list[str]:
    rows = driver.execute_query(
        f"MATCH (x:ExternalId)-[:IDENTIFIES]->(n:`{label}` {{id: $id}}) RETURN x.key AS key "
        "ORDER BY key",
        id=node_id,
    )[0]
    return [row["key"] for row in rows]


def _count(driver: Driver, label: str) -> int:
    return int(driver.execute_query(f"MATCH (n:`{label}`) RETURN count(n) AS n")[0][0]["n"])


@pytest.fixture
def world(clean_graph: Driver, settings: Settings, tmp_path: Path) -> Driver:
    _import(clean_graph, settings, tmp_path, "world.yaml", WORLD)
    return clean_graph


def test_ids_are_stored_normalised(world: Driver) -> None:
    assert _ids_of(world, "Asset", "ra-86496") == ["modes:1550c5", "registration:RA-86496"]
    assert _ids_of(world, "Asset", "hmeimim") == ["icao_airport:OSLK"]
    assert _ids_of(world, "Location", "syria") == ["wikidata:Q858"]


def test_a_second_feeds_record_attaches_and_its_id_reaches_the_node(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    assets, types = _count(world, "Asset"), _count(world, "EquipmentType")
    summary = _import(world, settings, tmp_path, "feed.yaml", SECOND_FEED)
    assert summary.attached == 2
    assert (_count(world, "Asset"), _count(world, "EquipmentType")) == (assets, types)
    # the node keeps its own data and gains the record's ids, its own id among them
    name = world.execute_query("MATCH (a:Asset {id: 'ra-86496'}) RETURN a.name AS name")[0]
    assert name[0]["name"] == "Il-62M RA-86496"
    assert _ids_of(world, "Asset", "ra-86496") == [
        "id:feed:aircraft:1550c5",
        "modes:1550c5",
        "registration:RA-86496",
        "stix:tool--00000000-0000-4000-8000-000000000001",
    ]
    # the event written with it points at the node the record attached to
    flown = world.execute_query(
        "MATCH (:Event {id: 'feed:flight:1'})-[:INVOLVES {role: 'aircraft'}]->(a:Asset) "
        "RETURN a.id AS id"
    )[0]
    assert [row["id"] for row in flown] == ["ra-86496"]
    # a re-import changes nothing
    before = graph_checksum(world)
    again = _import(world, settings, tmp_path, "feed.yaml", SECOND_FEED)
    assert again.attached == 2
    assert graph_checksum(world) == before


def test_a_later_import_reaches_the_node_by_an_attached_records_id(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(world, settings, tmp_path, "feed.yaml", SECOND_FEED)
    later = """\
    eventgraph: 1
    events:
      - id: feed:flight:2
        type: flight
        name: Another flight
        time: {start: 2025-10-28, precision: day}
        participants:
          - {role: aircraft, ref: feed:aircraft:1550c5}
        claims:
          - {source: fr24, credibility: 2, paraphrase: It flew again.}
    """
    _import(world, settings, tmp_path, "later.yaml", later)
    flown = world.execute_query(
        "MATCH (:Event {id: 'feed:flight:2'})-[:INVOLVES]->(a:Asset) RETURN a.id AS id"
    )[0]
    assert [row["id"] for row in flown] == ["ra-86496"]


def _refused(driver: Driver, settings: Settings, tmp_path: Path, text: str, *expected: str) -> None:
    before = graph_checksum(driver)
    with pytest.raises(InvalidData) as caught:
        _import(driver, settings, tmp_path, "bad.yaml", text)
    message = str(caught.value)
    for part in expected:
        assert part in message, message
    assert graph_checksum(driver) == before


ONE_ASSET = """\
eventgraph: 1
assets:
  - id: {id}
    name: An airframe
    kind: {kind}
    external_ids: [{{scheme: {scheme}, value: "{value}"}}]
"""


@pytest.mark.parametrize(
    ("scheme", "value", "reason"),
    [
        ("mode_s", "1550c5", "'mode_s' is not a known id scheme"),
        ("icao_type", "IL62", "a 'icao_type' id identifies EquipmentType, not Asset"),
        ("modes", "1550c", "'1550c' is not a modes id"),
        ("registration", "RA 86496", "'RA 86496' is not a registration id"),
    ],
)
def test_bad_ids_are_refused_where_they_are(
    world: Driver, settings: Settings, tmp_path: Path, scheme: str, value: str, reason: str
) -> None:
    text = ONE_ASSET.format(id="new-one", kind="aircraft", scheme=scheme, value=value)
    _refused(world, settings, tmp_path, text, "bad.yaml:6", "assets[0].external_ids[0]", reason)


def test_an_event_takes_old_ids_only(world: Driver, settings: Settings, tmp_path: Path) -> None:
    text = """\
    eventgraph: 1
    sources:
      - {id: a-source, name: A source, kind: data_service}
    events:
      - id: an-event
        name: An event
        type: statement
        time: {start: "2025-10-26", precision: day}
        external_ids: [{scheme: wikidata, value: Q42}]
        claims: [{source: a-source, credibility: 3, paraphrase: It happened.}]
    """
    reason = "a 'wikidata' id identifies Actor or EquipmentType or Asset or Location or Source or "
    _refused(world, settings, tmp_path, text, "events[0].external_ids[0]", reason, "not Event")


def test_one_id_on_two_records_of_one_import_is_refused(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = """\
    eventgraph: 1
    assets:
      - {id: one, name: One, kind: aircraft, external_ids: [{scheme: modes, value: abcdef}]}
      - {id: two, name: Two, kind: aircraft, external_ids: [{scheme: modes, value: ABCDEF}]}
    """
    _refused(
        world,
        settings,
        tmp_path,
        text,
        "assets[1].external_ids[0]",
        "modes 'abcdef' is given to Asset 'two' and to Asset 'one'",
    )


def test_an_id_of_a_node_of_another_label_is_refused(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = """\
    eventgraph: 1
    locations:
      - {id: oslk, name: Hmeimim, kind: airport, external_ids: [{scheme: icao_airport, value: OSLK}]}
    """
    _refused(
        world,
        settings,
        tmp_path,
        text,
        "locations[0].external_ids[0]",
        "icao_airport 'OSLK' already identifies Asset 'hmeimim' in the graph, which is an Asset, "
        "not Location",
    )


def test_ids_of_two_nodes_on_one_record_are_refused(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = """\
    eventgraph: 1
    assets:
      - id: both
        name: Both
        kind: aircraft
        external_ids: [{scheme: modes, value: 1550c5}, {scheme: icao_airport, value: OSLK}]
    """
    _refused(
        world,
        settings,
        tmp_path,
        text,
        "assets[0].external_ids",
        "its ids identify two Asset nodes, 'hmeimim' and 'ra-86496'",
    )


def test_a_record_in_the_graph_whose_ids_name_another_node_is_refused(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = ONE_ASSET.format(id="hmeimim", kind="air_base", scheme="modes", value="1550c5")
    _refused(
        world,
        settings,
        tmp_path,
        text,
        "assets[0].external_ids",
        "Asset 'hmeimim' is in the graph, and its ids identify Asset 'ra-86496' too",
    )


def test_a_registration_passed_to_another_airframe_does_not_attach_it(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = """\
    eventgraph: 1
    assets:
      - id: icao24-abcdef
        name: RA-86496
        kind: aircraft
        external_ids: [{scheme: modes, value: abcdef}, {scheme: registration, value: RA-86496}]
    """
    _refused(
        world,
        settings,
        tmp_path,
        text,
        "assets[0].external_ids",
        "its ids name Asset 'ra-86496', which is modes:1550c5, not modes:abcdef",
    )


def test_export_gives_the_ids_back_and_round_trips(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(world, settings, tmp_path, "feed.yaml", SECOND_FEED)
    database = settings.neo4j_database
    exported = dump_document(export_document(world, database), "yaml")
    assert "scheme: modes" in exported and "value: 1550c5" in exported
    assert "scheme: id" in exported and "value: feed:aircraft:1550c5" in exported
    wipe(world, database)
    _import(world, settings, tmp_path, "exported.yaml", exported)
    assert _ids_of(world, "Asset", "ra-86496")[0] == "id:feed:aircraft:1550c5"
    assert dump_document(export_document(world, database), "yaml") == exported


def test_a_flight_feeds_type_attaches_to_the_seeds_type(
    clean_graph: Driver, settings: Settings
) -> None:
    import_paths(clean_graph, settings.neo4j_database, [SEED], max_bytes=2**24)
    summary = import_feed(clean_graph, settings, TRACE)
    assert summary.attached == 1  # icao-type-a124 is the seed's an-124-100
    rows = clean_graph.execute_query(
        "MATCH (a:Asset {id: 'icao24-14f1c4'})-[:INSTANCE_OF]->(t:EquipmentType) "
        "RETURN t.id AS type, t.name AS name"
    )[0]
    assert [row.data() for row in rows] == [{"type": "an-124-100", "name": "An-124-100 Ruslan"}]
    assert _ids_of(clean_graph, "Asset", "icao24-14f1c4") == [
        "modes:14f1c4",
        "registration:RA-82999",
    ]
    assert "id:icao-type-a124" in _ids_of(clean_graph, "EquipmentType", "an-124-100")


def test_graphql_reads_ids_and_finds_nodes_by_them_on_both_paths(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(world, settings, tmp_path, "feed.yaml", SECOND_FEED)
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with TestClient(app) as client:
        data = agreed_data(
            client,
            """{
              byId: byExternalId(scheme: "modes", value: " 1550C5") {
                id ... on Asset { externalIds { scheme value } instanceOf { key } }
              }
              alias: node(id: "Asset:feed:aircraft:1550c5") { id }
              none: byExternalId(scheme: "wikidata", value: "Q1") { id }
            }""",
        )
        assert data["byId"]["id"] == "Asset:ra-86496"
        assert data["byId"]["externalIds"][:2] == [
            {"scheme": "id", "value": "feed:aircraft:1550c5"},
            {"scheme": "modes", "value": "1550c5"},
        ]
        assert data["byId"]["instanceOf"] == {"key": "il-62m"}
        assert data["alias"] == {"id": "Asset:ra-86496"}
        assert data["none"] is None
        refusal = agreed_refusal(client, '{ byExternalId(scheme: "modes", value: "x") { id } }')
        assert "'x' is not a modes id" in refusal
        refusal = agreed_refusal(client, '{ byExternalId(scheme: "tail", value: "x") { id } }')
        assert "'tail' is not a known id scheme" in refusal


def test_an_upsert_that_attaches_answers_with_the_node(world: Driver, settings: Settings) -> None:
    token = create_token(world, settings.neo4j_database, Role.EDITOR, "identifiers-editor")
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    mutation = """mutation($a: [AssetInput!]!) {
      upsertAssets(input: $a) { key name externalIds { scheme value } }
    }"""
    airframe = {
        "key": "api-airframe",
        "name": "Reported through the API",
        "kind": "aircraft",
        "externalIds": [{"scheme": "registration", "value": "RA-86496"}],
    }
    with TestClient(app) as client:
        response = client.post(
            "/graphql",
            json={"query": mutation, "variables": {"a": [airframe]}},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    (node,) = body["data"]["upsertAssets"]
    assert (node["key"], node["name"]) == ("ra-86496", "Il-62M RA-86496")
    assert {"scheme": "id", "value": "api-airframe"} in node["externalIds"]


def test_csv_export_gives_the_ids_in_one_cell_and_imports_back(
    world: Driver, settings: Settings, tmp_path: Path
) -> None:
    _import(world, settings, tmp_path, "feed.yaml", SECOND_FEED)
    database = settings.neo4j_database
    before = export_document(world, database)
    folder = tmp_path / "tables"
    tables.write(before, folder)
    assets = (folder / "assets.csv").read_text()
    assert "id:feed:aircraft:1550c5;modes:1550c5;registration:RA-86496;stix:tool--" in assets
    wipe(world, database)
    import_paths(world, database, [folder], max_bytes=2**24)
    assert export_document(world, database) == before
