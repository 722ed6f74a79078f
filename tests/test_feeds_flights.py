"""Flight feeds (readsb/tar1090/adsb.lol, OpenSky, Flightradar24) imported into the real Neo4j:
counts, keys, precision and grading; re-imports; and every kind of bad input refused."""

import copy
import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from eventgraph.graph import feeds
from eventgraph.graph.feeds.grading import parse_grading
from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import Settings
from tests.feed_imports import graph_rows, import_feed, refused_feed, refused_naming
from tests.helpers import graph_checksum

SAMPLES = Path(__file__).parent / "feeds"
TRACE = SAMPLES / "trace_full_14f1c4.json"


FLIGHTS = """
MATCH (f:Event {type: 'flight'})
OPTIONAL MATCH (f)-[:ORIGIN]->(o) OPTIONAL MATCH (f)-[:DESTINATION]->(d)
OPTIONAL MATCH (c:Claim)-[:SUPPORTS]->(f)
OPTIONAL MATCH (c)-[:SOURCED_FROM]->(s) OPTIONAL MATCH (c)-[:IN_REPORT]->(r)
RETURN f.id AS id, f.feed AS feed, f.feed_id AS feed_id, o.id AS origin, d.id AS destination,
       toString(f.start) AS start, toString(f.end) AS end, f.time_precision AS precision,
       f.track_points AS points, f.destination_distance_km AS km, s.id AS source,
       c.reliability + c.credibility AS grading, r.id AS report
ORDER BY f.start
"""


def _tmp(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def _trace() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TRACE.read_text())
    return data


def test_a_readsb_trace_becomes_two_legs_with_airports_airframe_and_grading(
    clean_graph: Driver, settings: Settings
) -> None:
    summary = import_feed(clean_graph, settings, TRACE)
    assert summary.outcome.created["Event"] == 2
    flights = graph_rows(clean_graph, FLIGHTS)
    assert [(f["origin"], f["destination"]) for f in flights] == [
        ("airport-uumu", "airport-urmm"),
        ("airport-urmm", "airport-oslk"),
    ]
    first, second = flights
    assert first["id"] == "adsb:14f1c4/20251026T030200Z" and first["feed"] == "adsb"
    assert first["feed_id"] == "14f1c4/20251026T030200Z"
    assert (first["start"], first["end"], first["precision"]) == (
        "2025-10-26T03:02:00Z",
        "2025-10-26T05:43:00Z",
        "exact",
    )
    assert second["points"] == 19 and 0 <= second["km"] < 1  # the 40-minute gap stays one leg
    assert {(f["source"], f["grading"]) for f in flights} == {("feed-adsb", "B2")}
    assert first["report"] == second["report"] and first["report"].startswith("report-adsb-")
    airframe = graph_rows(
        clean_graph,
        "MATCH (f:Event {id: $id})-[:INVOLVES {role: 'aircraft'}]->(a:Asset)-[:INSTANCE_OF]->(t)"
        " MATCH (op:Actor)<-[:FROM]-(:Relation {type: 'operates'})-[:TO]->(a)"
        " RETURN a.id AS id, a.icao24 AS hex, a.registration AS reg, t.id AS type, op.name AS op",
        id=first["id"],
    )
    assert airframe == [
        {
            "id": "icao24-14f1c4",
            "hex": "14f1c4",
            "reg": "RA-82999",
            "type": "icao-type-a124",
            "op": "Sample Cargo Operator",
        }
    ]
    airports = graph_rows(
        clean_graph,
        "MATCH (l:Location {kind: 'airport'}) RETURN l.id AS id, l.point_precision AS p ORDER BY id",
    )
    assert airports == [{"id": f"airport-{c}", "p": "site"} for c in ("oslk", "urmm", "uumu")]


def test_re_importing_changes_nothing_and_an_updated_trace_updates_the_same_flights(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    data = _trace()
    cut = copy.deepcopy(data)
    cut["trace"] = cut["trace"][:-6]  # the file as it was before the landing at Hmeimim
    early = _tmp(tmp_path, "trace_full_14f1c4.json", cut)
    import_feed(clean_graph, settings, early)
    flights = graph_rows(clean_graph, FLIGHTS)
    assert flights[1]["destination"] is None and flights[1]["end"] is None
    assert (
        flights[1]["precision"] == "interval"
    )  # landing not seen: an open end, not an invented one
    checksum = graph_checksum(clean_graph)
    again = import_feed(clean_graph, settings, early)
    assert again.outcome.changed == 0 and graph_checksum(clean_graph) == checksum
    import_feed(clean_graph, settings, _tmp(tmp_path, "trace_full_14f1c4.json", data))
    updated = graph_rows(clean_graph, FLIGHTS)
    assert [f["id"] for f in updated] == [f["id"] for f in flights]
    assert updated[1]["destination"] == "airport-oslk" and updated[1]["precision"] == "exact"


def test_grading_defaults_give_way_to_the_option_and_the_config_file(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import_feed(clean_graph, settings, TRACE, grading={"adsb": parse_grading("C3")})
    assert {f["grading"] for f in graph_rows(clean_graph, FLIGHTS)} == {"C3"}
    config = tmp_path / "feeds.toml"
    config.write_text('[grading]\nadsb = "A1"\n')
    options = feeds.options_of(None, ["opensky=D4"], config)
    assert {k: str(v) for k, v in options.grading.items()} == {"adsb": "A1", "opensky": "D4"}
    with pytest.raises(ValueError, match="'nope' is not a feed"):
        feeds.options_of(None, ["nope=B2"], None)
    with pytest.raises(ValueError, match="not an Admiralty grading"):
        feeds.options_of(None, ["adsb=G9"], None)


def test_one_airframe_from_two_feeds_of_one_import_is_one_record_with_both_feeds_fields(
    clean_graph: Driver, settings: Settings
) -> None:
    """The import streams file by file, so the entities feed files share are checked once all
    are read: the airframe keeps the readsb trace's registration and type, and no options are
    needed for it (a plain `import_paths` call)."""
    import_paths(
        clean_graph,
        settings.neo4j_database,
        [TRACE, SAMPLES / "opensky-flights.json"],
        max_bytes=2**24,
    )
    assets = graph_rows(
        clean_graph,
        "MATCH (a:Asset) WHERE a.icao24 = '14f1c4' "
        "OPTIONAL MATCH (a)-[:INSTANCE_OF]->(t) RETURN a.id AS id, a.name AS name, t.id AS type",
    )
    assert assets == [{"id": "icao24-14f1c4", "name": "RA-82999", "type": "icao-type-a124"}]
    feeds_seen = graph_rows(
        clean_graph, "MATCH (f:Event) RETURN DISTINCT f.feed AS feed ORDER BY feed"
    )
    assert feeds_seen == [{"feed": "adsb"}, {"feed": "opensky"}]


def test_opensky_flights_and_states(clean_graph: Driver, settings: Settings) -> None:
    import_feed(clean_graph, settings, SAMPLES / "opensky-flights.json")
    flights = graph_rows(clean_graph, FLIGHTS)
    assert [(f["origin"], f["destination"], f["precision"]) for f in flights] == [
        ("airport-uumu", "airport-urmm", "exact"),
        ("airport-urmm", None, "interval"),  # no arrival airport: the end stays unknown
    ]
    assert flights[0]["id"] == "opensky:14f1c4/1761447780"
    assert flights[0]["km"] == 2.3 and flights[0]["grading"] == "B2"
    import_feed(clean_graph, settings, SAMPLES / "opensky-states.json")
    states = [f for f in graph_rows(clean_graph, FLIGHTS) if "/2025" in f["id"]]
    assert [(s["points"], s["origin"], s["end"]) for s in states] == [(3, None, None)]


def test_fr24_flight_json_and_its_csv_exports(clean_graph: Driver, settings: Settings) -> None:
    import_feed(clean_graph, settings, SAMPLES / "fr24-flight-3a1b2c3d.json")
    (flight,) = graph_rows(clean_graph, FLIGHTS)
    assert (flight["id"], flight["feed_id"], flight["grading"]) == (
        "fr24:3a1b2c3d",
        "3a1b2c3d",
        "B3",
    )
    assert (flight["destination"], flight["precision"], flight["points"]) == (
        "airport-oslk",
        "exact",
        19,
    )
    import_feed(clean_graph, settings, SAMPLES / "SYN124_3a1b2c3d.csv")  # the same flight's track
    assert [f["id"] for f in graph_rows(clean_graph, FLIGHTS)] == ["fr24:3a1b2c3d"]
    import_feed(clean_graph, settings, SAMPLES / "20251026_flights.csv")
    listed = graph_rows(clean_graph, FLIGHTS)
    assert {(f["id"], f["precision"], f["start"][:10]) for f in listed} == {
        ("fr24:3a1b2c3d", "day", "2025-10-26"),
        ("fr24:3ade68b1", "day", "2025-10-26"),
    }


def test_gz_zip_and_folders_import_alike(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    packed = tmp_path / "trace_full_14f1c4.json.gz"
    packed.write_bytes(gzip.compress(TRACE.read_bytes()))
    import_feed(clean_graph, settings, packed)
    checksum = graph_checksum(clean_graph)
    archive = tmp_path / "day.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(TRACE, "traces/trace_full_14f1c4.json")
    assert import_feed(clean_graph, settings, archive).outcome.changed == 0
    assert graph_checksum(clean_graph) == checksum
    folder = tmp_path / "feeds"
    folder.mkdir()
    for name in ("opensky-flights.json", "20251026_flights.csv", TRACE.name):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    summary = import_feed(clean_graph, settings, folder)  # one airframe, from three feeds
    assert summary.outcome.created["Event"] == 4  # 2 from the trace are already in
    (asset,) = graph_rows(
        clean_graph,
        "MATCH (a:Asset {icao24: '14f1c4'}) RETURN a.registration AS reg, a.name AS name",
    )
    assert asset == {"reg": "RA-82999", "name": "RA-82999"}


def test_broken_archives_are_refused_by_name(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    truncated = tmp_path / "trace_full_14f1c4.json.gz"
    truncated.write_bytes(gzip.compress(TRACE.read_bytes())[:200])
    assert f"{truncated}: file: is a truncated gzip file" in refused_feed(
        clean_graph, settings, truncated
    )
    plain = tmp_path / "x.json.gz"
    plain.write_bytes(TRACE.read_bytes())
    assert "is named .gz but is not gzip-compressed" in refused_feed(clean_graph, settings, plain)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("trace_full_14f1c4.json", TRACE.read_text())
    raw = bytearray(buffer.getvalue())
    raw[60:70] = b"\x00" * 10  # inside the compressed member
    corrupt = tmp_path / "bad.zip"
    corrupt.write_bytes(bytes(raw))
    message = refused_feed(clean_graph, settings, corrupt)
    assert f"{corrupt}" in message and "corrupt" in message
    cut = tmp_path / "cut.zip"
    cut.write_bytes(buffer.getvalue()[:40])
    assert "is not a readable zip archive (truncated or corrupt)" in refused_feed(
        clean_graph, settings, cut
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["trace"].__setitem__(5, [d["trace"][4][0] - 10, *d["trace"][5][1:]]),
            "trace[5].time: 2025-10-26T03:10:50Z is before the previous point's",
        ),
        (
            lambda d: d["trace"].__setitem__(5, list(d["trace"][4])),
            "trace[5].time: duplicate point: the same time as trace[4]",
        ),
        (lambda d: d["trace"][7].__setitem__(1, 91.5), "trace[7].lat: 91.5 is out of range"),
        (lambda d: d["trace"][7].__setitem__(2, "east"), "trace[7].lon: 'east' is not a number"),
        (
            lambda d: d.__setitem__("timestamp", "2025-10-26"),
            "timestamp: '2025-10-26' is not a time",
        ),
        (lambda d: d.pop("icao"), "icao: missing"),
        (lambda d: d.__setitem__("icao", "zz12"), "icao: 'zz12' is not a Mode-S address"),
    ],
)
def test_a_bad_trace_is_refused_naming_file_point_and_field(
    clean_graph: Driver, settings: Settings, tmp_path: Path, change: Any, expected: str
) -> None:
    data = _trace()
    change(data)
    path = _tmp(tmp_path, "trace_full_14f1c4.json", data)
    refused_naming(clean_graph, settings, path, expected)


def test_bad_rows_and_dates_in_csv_exports_are_refused(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    rows = (SAMPLES / "SYN124_3a1b2c3d.csv").read_text().splitlines()
    rows[3] = "yesterday," + rows[3].split(",", 1)[1]
    track = _tmp(tmp_path, "SYN124_3a1b2c3d.csv", "\n".join(rows) + "\n")
    refused_naming(clean_graph, settings, track, "row 4.Timestamp: 'yesterday' is not a time")
    listing = _tmp(tmp_path, "20251326_flights.csv", (SAMPLES / "20251026_flights.csv").read_text())
    refused_naming(clean_graph, settings, listing, "file name: '20251326' is not a date")
    opensky = json.loads((SAMPLES / "opensky-flights.json").read_text())
    del opensky[1]["lastSeen"]
    opensky[0]["firstSeen"] = "noon"
    path = _tmp(tmp_path, "opensky.json", opensky)
    message = refused_naming(clean_graph, settings, path, "[0].firstSeen: 'noon' is not a time")
    assert f"{path}: [1].lastSeen: missing" in message


def test_a_file_claiming_one_format_and_holding_another_is_refused(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    opensky = SAMPLES / "opensky-flights.json"
    message = refused_feed(clean_graph, settings, opensky, format="readsb-trace")
    assert "--format says a readsb/tar1090 trace (readsb-trace) but it holds an OpenSky" in message
    misnamed = _tmp(tmp_path, "trace_full_14f1c4.json", opensky.read_text())
    assert "its name says a readsb/tar1090 trace" in refused_feed(clean_graph, settings, misnamed)
    native = _tmp(tmp_path, "story.json", {"eventgraph": 1, "actors": []})
    forced = refused_feed(clean_graph, settings, native, format="readsb-trace")
    assert f"{native}: icao: missing" in forced
