"""Writes the synthetic flight-feed samples beside this file (run it again after changing it).

Every value is made up: the airframe (Mode-S 14f1c4, RA-82999), its operator, callsigns and
flight ids exist nowhere; only the airports' positions are real (from the airportsdata
gazetteer). An An-124 flies Chkalovsky (UUMU) → Mineralnye Vody (URMM, a ground stop) →
Latakia/Hmeimim (OSLK), losing coverage for 40 minutes on the way.

The GDELT files are as made up: GDELT-like rows (event ids, feature ids, URLs under example.com)
of a drone attack on Hmeimim the same day, Moscow's statement about it, and four more rows
that give every Geo_Type and unmapped CAMEO codes. The ACLED rows are made up too (the same
drone attack, known to the week, and five more: every time and geo precision), with a deleted
list naming one of them and an id that is in no file. The POLECAT rows are made up as well
(the same attack, Moscow's accusation, a deployment, talks in Damascus, an unknown PLOVER type
and a row without a place; GeoNames ids and Wikipedia ids invented).
"""

import csv
import json
from pathlib import Path
from typing import Any

Point = tuple[int, float, float, Any, int]

HERE = Path(__file__).parent
BASE = 1761447600  # 2025-10-26T03:00:00Z
UUMU, URMM, OSLK = (55.8783, 38.0617), (44.2251, 43.0819), (35.4011, 35.9487)


def _line(
    start: tuple[float, float], end: tuple[float, float], steps: int
) -> list[tuple[float, float]]:
    return [
        (start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps)
        for i in range(1, steps)
    ]


def track() -> list[Point]:
    """(seconds after BASE, lat, lon, altitude or 'ground', flags) of the whole day."""
    points: list[Point] = []
    t = 0
    for _ in range(3):  # taxi at Chkalovsky
        points.append((t, round(UUMU[0] + 0.001 * len(points), 4), UUMU[1], "ground", 0))
        t += 60
    climb = [2000, 12000, 28000] + [33000] * 14 + [20000, 8000, 2500]
    for (lat, lon), alt in zip(_line(UUMU, URMM, len(climb) + 1), climb, strict=True):
        points.append((t, round(lat, 4), round(lon, 4), alt, 0))
        t += 480
    for i in range(3):  # ground stop at Mineralnye Vody, about 90 minutes
        points.append((t, round(URMM[0] + 0.002 * i, 4), URMM[1], "ground", 0))
        t += 2700
    route = _line(URMM, OSLK, 18)
    altitudes = [3000, 15000, 31000] + [35000] * 12 + [18000, 6000]
    for index, ((lat, lon), alt) in enumerate(zip(route, altitudes, strict=True)):
        flags = 2 if index == 0 else 0  # readsb marks the new leg on the first airborne point
        points.append((t, round(lat, 4), round(lon, 4), alt, flags))
        t += 2400 if index == 7 else 420  # 40 minutes without a point over the mountains
    for i in range(2):
        points.append((t, OSLK[0], round(OSLK[1] + 0.003 * i, 4), "ground", 0))
        t += 60
    return points


def readsb(points: list[Point], name: str) -> None:
    trace = []
    for t, lat, lon, alt, flags in points:
        details = {"flight": "SYN124  "} if t == 0 else None
        trace.append([t, lat, lon, alt, 450 if alt != "ground" else 12, 180.0, flags, 0, details])
    data = {
        "icao": "14f1c4",
        "r": "RA-82999",
        "t": "A124",
        "desc": "ANTONOV An-124 Ruslan",
        "ownOp": "Sample Cargo Operator",
        "dbFlags": 1,
        "timestamp": BASE,
        "trace": trace,
    }
    (HERE / name).write_text(json.dumps(data, indent=1) + "\n")


def opensky() -> None:
    flights = [
        {
            "icao24": "14f1c4",
            "firstSeen": BASE + 180,
            "estDepartureAirport": "UUMU",
            "lastSeen": BASE + 9600,
            "estArrivalAirport": "URMM",
            "callsign": "SYN124  ",
            "estDepartureAirportHorizDistance": 1200,
            "estDepartureAirportVertDistance": 40,
            "estArrivalAirportHorizDistance": 2300,
            "estArrivalAirportVertDistance": 120,
            "departureAirportCandidatesCount": 1,
            "arrivalAirportCandidatesCount": 0,
        },
        {
            "icao24": "14f1c4",
            "firstSeen": BASE + 18000,
            "estDepartureAirport": "URMM",
            "lastSeen": BASE + 24600,
            "estArrivalAirport": None,
            "callsign": "SYN124  ",
            "estDepartureAirportHorizDistance": 900,
            "estDepartureAirportVertDistance": 60,
            "estArrivalAirportHorizDistance": None,
            "estArrivalAirportVertDistance": None,
            "departureAirportCandidatesCount": 0,
            "arrivalAirportCandidatesCount": 0,
        },
    ]
    (HERE / "opensky-flights.json").write_text(json.dumps(flights, indent=1) + "\n")
    answers: list[dict[str, Any]] = []
    for k, (lat, lon, alt, ground) in enumerate(
        [
            (44.30, 43.00, 900.0, False),
            (43.10, 42.20, 9500.0, False),
            (41.90, 41.20, 10600.0, False),
        ]
    ):
        when = BASE + 18000 + 300 * k
        state = [
            "14f1c4",
            "SYN124  ",
            "Russian Federation",
            when,
            when + 1,
            lon,
            lat,
            alt,
            ground,
            220.5,
            200.0,
            5.0,
            None,
            alt + 100,
            "7000",
            False,
            0,
            6,
        ]
        answers.append({"time": when + 2, "states": [state]})
    (HERE / "opensky-states.json").write_text(json.dumps(answers, indent=1) + "\n")


def fr24(points: list[Point]) -> None:
    track_points: list[dict[str, Any]] = [
        {
            "latitude": lat,
            "longitude": lon,
            "altitude": {
                "feet": 0 if alt == "ground" else alt,
                "meters": 0 if alt == "ground" else round(alt * 0.3048),
            },
            "speed": {"kts": 450},
            "heading": 180,
            "squawk": "7000",
            "timestamp": BASE + t,
        }
        for t, lat, lon, alt, _ in points
        if t >= 9900  # the second leg, from the ground stop on
    ][2:]
    flight = {
        "identification": {"id": "3a1b2c3d", "number": {"default": None}, "callsign": "SYN124"},
        "aircraft": {
            "model": {"code": "A124", "text": "Antonov An-124 Ruslan"},
            "identification": {"modes": "14F1C4", "registration": "RA-82999"},
        },
        "owner": {"name": "Sample Cargo Operator"},
        "airline": None,
        "airport": {
            "origin": {"code": {"iata": "MRV", "icao": "URMM"}},
            "destination": {"code": {"iata": "LTK", "icao": "OSLK"}},
        },
        "time": {"real": {"departure": track_points[0]["timestamp"], "arrival": None}},
        "track": track_points,
    }
    answer = {"result": {"response": {"data": {"flight": flight}}}}
    (HERE / "fr24-flight-3a1b2c3d.json").write_text(json.dumps(answer, indent=1) + "\n")
    with (HERE / "SYN124_3a1b2c3d.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Timestamp", "UTC", "Callsign", "Position", "Altitude", "Speed", "Direction"]
        )
        for p in track_points:
            from datetime import UTC, datetime

            utc = datetime.fromtimestamp(p["timestamp"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            writer.writerow(
                [
                    p["timestamp"],
                    utc,
                    "SYN124",
                    f"{p['latitude']},{p['longitude']}",
                    p["altitude"]["feet"],
                    450,
                    180,
                ]
            )
    with (HERE / "20251026_flights.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "flight_id",
                "aircraft_id",
                "reg",
                "equip",
                "callsign",
                "flight",
                "schd_from",
                "schd_to",
                "real_to",
            ]
        )
        writer.writerow(
            [int("3a1b2c3d", 16), "14F1C4", "RA-82999", "A124", "SYN124", "", "MRV", "LTK", ""]
        )
        writer.writerow(
            [987654321, "14f1c5", "RA-82998", "A124", "SYN125", "", "CKL", "MRV", "MCX"]
        )


GDELT_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode")
GDELT_ACTOR_REST = ("Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
GDELT_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
GDELT_EVENT_COLUMNS = (
    ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    + [f"Actor{n}{name}" for n in (1, 2) for name in GDELT_ACTOR + GDELT_ACTOR_REST]
    + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass"]
    + ["GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]
    + [f"{who}Geo_{name}" for who in ("Actor1", "Actor2", "Action") for name in GDELT_GEO]
    + ["DATEADDED", "SOURCEURL"]
)
HMEIMIM = {
    "ActionGeo_Type": "4",
    "ActionGeo_FullName": "Hmeimim, Latakia, Syria",
    "ActionGeo_CountryCode": "SY",
    "ActionGeo_ADM1Code": "SY09",
    "ActionGeo_Lat": "35.4011",
    "ActionGeo_Long": "35.9487",
    "ActionGeo_FeatureID": "-9990001",
}
REBELS = {"Actor1Code": "SYRREB", "Actor1Name": "SYRIAN REBEL", "Actor1CountryCode": "SYR"}
REBELS["Actor1Type1Code"] = "REB"
RUSSIAN_FORCES = {"Code": "RUSMIL", "Name": "RUSSIA", "CountryCode": "RUS", "Type1Code": "MIL"}


def _actor(number: int, fields: dict[str, str]) -> dict[str, str]:
    return {f"Actor{number}{key}": value for key, value in fields.items()}


def gdelt_events() -> list[dict[str, str]]:
    """Five events: ids, CAMEO codes and places (one each Geo_Type, Hmeimim twice)."""
    day = {"SQLDATE": "20251026", "MonthYear": "202510", "Year": "2025"}
    day |= {"FractionDate": "2025.8164", "DATEADDED": "20251026150000"}
    return [
        day | event
        for event in (
            {
                "GLOBALEVENTID": "1250000001",
                **REBELS,
                **_actor(2, RUSSIAN_FORCES),
                "IsRootEvent": "1",
                **{"EventCode": "190", "EventBaseCode": "190", "EventRootCode": "19"},
                **{"QuadClass": "4", "GoldsteinScale": "-10.0", "NumMentions": "6"},
                **{"NumSources": "2", "NumArticles": "6", "AvgTone": "-7.25"},
                **HMEIMIM,
                "SOURCEURL": "https://news.example.com/2025/10/26/drones-over-hmeimim",
            },
            {
                "GLOBALEVENTID": "1250000002",
                **_actor(1, {"Code": "RUSGOV", "Name": "MOSCOW", "CountryCode": "RUS"}),
                "Actor1Type1Code": "GOV",
                **_actor(2, {"Code": "SYR", "Name": "SYRIA", "CountryCode": "SYR"}),
                "IsRootEvent": "0",
                **{"EventCode": "010", "EventBaseCode": "010", "EventRootCode": "01"},
                **{"QuadClass": "1", "GoldsteinScale": "0.0", "NumMentions": "2"},
                **{"NumSources": "1", "NumArticles": "2", "AvgTone": "-2.5"},
                **{"ActionGeo_Type": "1", "ActionGeo_FullName": "Syria"},
                **{"ActionGeo_CountryCode": "SY", "ActionGeo_Lat": "35", "ActionGeo_Long": "38"},
                "ActionGeo_FeatureID": "SY",
                "SOURCEURL": "https://wire.example.com/moscow-on-hmeimim",
            },
            {
                "GLOBALEVENTID": "1250000003",
                **_actor(1, RUSSIAN_FORCES),
                "IsRootEvent": "0",
                **{"EventCode": "0874", "EventBaseCode": "087", "EventRootCode": "08"},
                **{"QuadClass": "2", "GoldsteinScale": "10.0", "NumMentions": "1"},
                **{"NumSources": "1", "NumArticles": "1", "AvgTone": "1.5"},
                **{"ActionGeo_Type": "5", "ActionGeo_FullName": "Latakia, Syria"},
                **{"ActionGeo_CountryCode": "SY", "ActionGeo_ADM1Code": "SY09"},
                **{
                    "ActionGeo_Lat": "35.6",
                    "ActionGeo_Long": "36.0",
                    "ActionGeo_FeatureID": "SY09",
                },
                "SOURCEURL": "https://news.example.com/2025/10/26/drones-over-hmeimim",
            },
            {
                "GLOBALEVENTID": "1250000004",
                **_actor(1, {"Code": "USAMIL", "Name": "UNITED STATES", "CountryCode": "USA"}),
                "Actor1Type1Code": "MIL",
                "IsRootEvent": "1",
                **{"EventCode": "154", "EventBaseCode": "154", "EventRootCode": "15"},
                **{"QuadClass": "4", "GoldsteinScale": "-7.2", "NumMentions": "3"},
                **{"NumSources": "1", "NumArticles": "3", "AvgTone": "-3.0"},
                **{"ActionGeo_Type": "3", "ActionGeo_FullName": "Norfolk, Virginia, United States"},
                **{"ActionGeo_CountryCode": "US", "ActionGeo_ADM1Code": "USVA"},
                **{"ActionGeo_Lat": "36.85", "ActionGeo_Long": "-76.29"},
                "ActionGeo_FeatureID": "9990002",
                "SOURCEURL": "https://base.example.com/norfolk-deployment",
            },
            {
                "GLOBALEVENTID": "1250000005",
                **REBELS,
                **_actor(2, RUSSIAN_FORCES),
                "IsRootEvent": "0",
                **{"EventCode": "193", "EventBaseCode": "193", "EventRootCode": "19"},
                **{"QuadClass": "4", "GoldsteinScale": "-10.0", "NumMentions": "1"},
                **{"NumSources": "1", "NumArticles": "1", "AvgTone": "-8.0"},
                **HMEIMIM,
                "SOURCEURL": "https://other.example.com/hmeimim-small-arms",
            },
            {
                "GLOBALEVENTID": "1250000006",
                **_actor(1, {"Code": "USA", "Name": "UNITED STATES", "CountryCode": "USA"}),
                "IsRootEvent": "0",
                **{"EventCode": "043", "EventBaseCode": "043", "EventRootCode": "04"},
                **{"QuadClass": "1", "GoldsteinScale": "2.8", "NumMentions": "1"},
                **{"NumSources": "1", "NumArticles": "1", "AvgTone": "0.0"},
                **{"ActionGeo_Type": "2", "ActionGeo_FullName": "Virginia, United States"},
                **{"ActionGeo_CountryCode": "US", "ActionGeo_ADM1Code": "USVA"},
                **{
                    "ActionGeo_Lat": "37.54",
                    "ActionGeo_Long": "-77.43",
                    "ActionGeo_FeatureID": "VA",
                },
                "SOURCEURL": "https://base.example.com/norfolk-deployment",
            },
        )
    ]


GDELT_MENTIONS = (
    ("1250000001", "1", "news.example.com", "https://news.example.com/2025/10/26/drones-over-hmeimim", "1", "1", "100"),
    ("1250000001", "1", "radio.example.com", "https://radio.example.com/hmeimim-night", "4", "0", "60"),
    ("1250000002", "1", "wire.example.com", "https://wire.example.com/moscow-on-hmeimim", "2", "1", "80"),
    ("1250000005", "2", "Journal of Examples", "Example, A. (2025) Hmeimim after dark", "7", "0", "20"),
)  # fmt: skip
"""(event, MentionType, MentionSourceName, MentionIdentifier, SentenceID, InRawText, Confidence)"""


def gdelt() -> None:
    with (HERE / "20251026150000.export.CSV").open("w", newline="\n") as handle:
        for one in gdelt_events():
            fields = {**one}
            for who in ("Actor1", "Actor2"):  # GDELT repeats the action's place for actors
                if fields.get(f"{who}Code"):
                    for name in GDELT_GEO:
                        fields[f"{who}Geo_{name}"] = one.get(f"ActionGeo_{name}", "")
            row = [fields.get(column, "") for column in GDELT_EVENT_COLUMNS]
            handle.write("\t".join(row) + "\n")
    with (HERE / "20251026150000.mentions.CSV").open("w", newline="\n") as handle:
        for event, kind, outlet, identifier, sentence, raw, confidence in GDELT_MENTIONS:
            offsets = ["120", "160", "140"]
            row = [event, "20251026150000", "20251026151500", kind, outlet, identifier, sentence]
            row += [*offsets, raw, confidence, "2400", "-6.1", "", ""]
            handle.write("\t".join(row) + "\n")


ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
"""The ACLED codebook's columns, in its order."""
RUSSIA = "Military Forces of Russia (2000-)"
UNKNOWN = "Unidentified Armed Group (Syria)"
HMEIMIM_ACLED = {"admin1": "Lattakia", "admin2": "Jableh", "admin3": "Ain Elsharqiyeh"}
HMEIMIM_ACLED |= {"location": "Hmeimim", "latitude": "35.4011", "longitude": "35.9487"}


def acled_events() -> list[dict[str, str]]:
    """Six ACLED-like rows: every time and geo precision, Hmeimim twice, one unmapped type."""
    syria = {"iso": "760", "region": "Middle East", "country": "Syria", "year": "2025"}
    violence = {"disorder_type": "Political violence"}
    return [
        syria | row
        for row in (
            violence | HMEIMIM_ACLED | {
                "event_id_cnty": "SYR1001", "event_date": "2025-10-26", "time_precision": "2",
                "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
                "actor1": UNKNOWN, "inter1": "2", "actor2": RUSSIA, "inter2": "8",
                "interaction": "28", "geo_precision": "1",
                "source": "Example Observatory; Example Daily", "source_scale": "National",
                "notes": "During the week of 26 October 2025, drones attacked Hmeimim air base. "
                "Russian forces said they shot them down. No fatalities reported.",
                "fatalities": "0", "timestamp": "1761523200",
            },
            violence | {
                "event_id_cnty": "SYR1002", "event_date": "2025-10-15", "time_precision": "3",
                "event_type": "Battles", "sub_event_type": "Armed clash",
                "actor1": "Military Forces of Syria (2024-)", "inter1": "1",
                "actor2": "Islamic State (Syria)", "inter2": "2", "interaction": "12",
                "admin1": "Deir ez Zor", "location": "Deir ez Zor",
                "latitude": "35.3359", "longitude": "40.1408", "geo_precision": "3",
                "source": "Example Wire", "source_scale": "International",
                "notes": "In October 2025, government forces clashed with IS fighters in the "
                "Deir ez Zor countryside. 4 fatalities.",
                "fatalities": "4", "timestamp": "1761523200",
            },
            violence | {
                "event_id_cnty": "SYR1003", "event_date": "2025-10-25", "time_precision": "1",
                "event_type": "Violence against civilians", "sub_event_type": "Attack",
                "actor1": UNKNOWN, "inter1": "2", "actor2": "Civilians (Syria)",
                "assoc_actor_2": "Farmers (Syria); Women (Syria)", "inter2": "7",
                "interaction": "27", "civilian_targeting": "Civilian targeting",
                "admin1": "Lattakia", "admin2": "Jableh", "location": "Jableh",
                "latitude": "35.3616", "longitude": "35.9256", "geo_precision": "2",
                "source": "Example Observatory", "source_scale": "National",
                "notes": "On 25 October 2025, gunmen shot at farmers near Jableh. 1 fatality.",
                "fatalities": "1", "timestamp": "1761523200",
            },
            {"disorder_type": "Strategic developments"} | HMEIMIM_ACLED | {
                "event_id_cnty": "SYR1004", "event_date": "2025-10-20", "time_precision": "1",
                "event_type": "Strategic developments",
                "sub_event_type": "Headquarters or base established",
                "actor1": RUSSIA, "inter1": "8", "interaction": "80", "geo_precision": "1",
                "source": "Example Daily", "source_scale": "National",
                "notes": "On 20 October 2025, Russian forces set up a new command post at Hmeimim.",
                "fatalities": "0", "timestamp": "1761523200",
            },
            {"disorder_type": "Demonstrations"} | {
                "event_id_cnty": "SYR1005", "event_date": "2025-10-24", "time_precision": "1",
                "event_type": "Protests", "sub_event_type": "Peaceful protest",
                "actor1": "Protesters (Syria)", "inter1": "6", "interaction": "60",
                "admin1": "Lattakia", "admin2": "Latakia", "admin3": "Latakia",
                "location": "Latakia", "latitude": "35.5317", "longitude": "35.7901",
                "geo_precision": "1", "source": "Example Daily", "source_scale": "Subnational",
                "notes": "On 24 October 2025, residents protested against power cuts in Latakia.",
                "fatalities": "0", "tags": "crowd size=around 200", "timestamp": "1761523200",
            },
            {"disorder_type": "Strategic developments"} | {
                "event_id_cnty": "SYR1006", "event_date": "2025-10-23", "time_precision": "1",
                "event_type": "Strategic developments", "sub_event_type": "Other",
                "actor1": RUSSIA, "inter1": "8", "interaction": "80",
                "admin1": "Lattakia", "location": "Latakia",
                "latitude": "35.5317", "longitude": "35.7901", "geo_precision": "3",
                "source": "Example Wire", "source_scale": "International",
                "notes": "On 23 October 2025, a Russian convoy was seen near Latakia.",
                "fatalities": "0", "timestamp": "1761523200",
            },
        )
    ]  # fmt: skip


def acled() -> None:
    with (HERE / "acled-syria-2025-10.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ACLED_COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(acled_events())
    with (HERE / "acled-deleted.csv").open("w", newline="") as handle:
        handle.write("event_id_cnty,deleted_timestamp\nSYR1004,1761782400\nSYR9999,1761782400\n")


RUSSIA_PC = {"Name": "Russian Armed Forces", "Country": "RUS", "Sector": "Military"}
UNKNOWN_PC = {"Name": "Unidentified Armed Group", "Country": "SYR", "Sector": "Rebel"}
HMEIMIM_PC = {
    "Placename": "Hmeimim Air Base", "City": "Hmeimim", "District": "Jableh",
    "Province": "Latakia Governorate", "Country": "Syria", "Latitude": "35.4011",
    "Longitude": "35.9487", "GeoNames ID": "9900001", "Raw Placename": "Hmeimim",
    "Feature Type": "AIRB",
}  # fmt: skip


def _party(side: str, party: dict[str, str]) -> dict[str, str]:
    return {
        f"{side} Name": party["Name"],
        f"{side} Country": party["Country"],
        f"Primary {side} Sector": party["Sector"],
        f"{side} Sectors": party["Sector"],
    }


def polecat_events() -> list[dict[str, str]]:
    """Six POLECAT-like rows: every precision we give, Russia's forces twice (one actor)."""
    story = {"Language": "en", "Version": "1.0", "Source": "Example Daily"}
    return [
        story | row
        for row in (
            _party("Actor", UNKNOWN_PC) | _party("Recipient", RUSSIA_PC) | HMEIMIM_PC | {
                "Event ID": "pc-20251026-0001", "Event Date": "2025-10-26",
                "Event Type": "ASSAULT", "Event Mode": "aerial", "Intensity": "-8",
                "Quad Code": "4", "Contexts": "military;terrorism",
                "Wikipedia Recipient ID": "Q999001", "Publication Date": "2025-10-27",
            },
            _party("Actor", {"Name": "Russian Ministry of Defence", "Country": "RUS",
                             "Sector": "Government"}) | _party("Recipient", UNKNOWN_PC) | {
                "Event ID": "pc-20251026-0002", "Event Date": "2025-10-26",
                "Event Type": "ACCUSE", "Intensity": "-2", "Quad Code": "3",
                "Placename": "Moscow", "City": "Moscow", "Country": "Russia",
                "Latitude": "55.7522", "Longitude": "37.6156", "GeoNames ID": "9900002",
                "Feature Type": "PPLC", "Publication Date": "2025-10-26 18:40:00",
            },
            _party("Actor", RUSSIA_PC) | {
                "Event ID": "pc-20251020-0003", "Event Date": "2025-10-20",
                "Event Type": "MOBILIZE", "Event Mode": "troops", "Contexts": "military",
                "Placename": "Latakia Governorate", "Province": "Latakia Governorate",
                "Country": "Syria", "Latitude": "35.6", "Longitude": "36.0",
                "GeoNames ID": "9900003", "Feature Type": "ADM1",
            },
            {
                "Actor Name": "Government of Syria;Government of Russia",
                "Actor Country": "SYR;RUS", "Primary Actor Sector": "Government;Government",
                "Event ID": "pc-20251024-0004", "Event Date": "2025-10-24",
                "Event Type": "CONSULT", "Contexts": "diplomacy",
                "Placename": "Damascus", "City": "Damascus", "Country": "Syria",
                "Latitude": "33.5102", "Longitude": "36.2913", "GeoNames ID": "9900004",
                "Feature Type": "PPLC",
            },
            _party("Actor", {"Name": "Syrian Civil Defence", "Country": "SYR",
                             "Sector": "Civilian"}) | {
                "Event ID": "pc-20251025-0005", "Event Date": "2025-10-25",
                "Event Type": "DEMAND", "Placename": "Syria", "Country": "Syria",
                "Latitude": "35.0", "Longitude": "38.0", "GeoNames ID": "9900005",
                "Feature Type": "PCLI",
            },
            _party("Actor", RUSSIA_PC) | _party("Recipient", {"Name": "Government of Syria",
                                                              "Country": "SYR",
                                                              "Sector": "Government"}) | {
                "Event ID": "pc-20251023-0006", "Event Date": "2025-10-23",
                "Event Type": "AID", "Event Mode": "military",
            },
        )
    ]  # fmt: skip


def polecat() -> None:
    from eventgraph.graph.feeds.polecat import COLUMNS

    with (HERE / "polecat-syria-2025-10.tsv").open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle, COLUMNS, restval="", delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE
        )
        writer.writeheader()
        writer.writerows(polecat_events())


if __name__ == "__main__":
    day = track()
    readsb(day, "trace_full_14f1c4.json")
    opensky()
    fr24(day)
    gdelt()
    acled()
    polecat()
