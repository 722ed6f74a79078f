"""Flightradar24: its flight-details JSON and its two CSV exports. No FR24 data is shipped.

- Flight details: `result.response.data.flight` with `identification` (`id`, `number`,
  `callsign`), `aircraft` (`model.code`/`text`, `identification.modes` the Mode-S hex,
  `identification.registration`), `owner`/`airline` (`name`), `airport.origin`/`destination`,
  `time` and `track[]` of `latitude`, `longitude`, `altitude` (`feet`), `speed`, `heading`,
  `squawk`, `timestamp`.
- A flight's track CSV (the playback's download): `Timestamp,UTC,Callsign,Position,Altitude,
  Speed,Direction`, Position `"lat,lon"`, altitude in feet (0 on the ground); FR24 names it
  `<callsign>_<flight id>.csv`, and the flight id is taken from that name.
- The flights list CSV (`<yyyymmdd>_flights.csv`): `flight_id` (decimal), `aircraft_id` (Mode-S
  hex), `reg`, `equip`, `callsign`, `flight`, `schd_from`, `schd_to`, `real_to` (IATA codes).
  It gives the day, from the file name, and the scheduled airports: day-precise flights.
"""

import re
from datetime import date
from typing import Any

from eventgraph.graph.feeds.airports import by_iata
from eventgraph.graph.feeds.registry import FeedFile, Format, Table
from eventgraph.graph.feeds.sources import FEEDS
from eventgraph.graph.feeds.tracks import (
    Aircraft,
    FlightFacts,
    TrackPoint,
    check_point,
    icao24_of,
    in_order,
    leg_facts,
    record_flight,
)

FEED = FEEDS["fr24"]
TRACK_COLUMNS = ("Timestamp", "UTC", "Callsign", "Position", "Altitude", "Speed", "Direction")
FLIGHTS_COLUMNS = (
    "flight_id",
    "aircraft_id",
    "reg",
    "equip",
    "callsign",
    "flight",
    "schd_from",
    "schd_to",
    "real_to",
)
_FLIGHT_ID = re.compile(r"[0-9a-f]{6,10}")
_DAY = re.compile(r"(\d{8})_flights")


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _is_flight(data: Any) -> bool:
    return isinstance(_dig(data, "result", "response", "data", "flight"), dict)


def _flight_points(track: list[Any], file: FeedFile) -> list[TrackPoint]:
    points: list[TrackPoint] = []
    for index, entry in enumerate(track):
        label = f"track[{index}]"
        if not isinstance(entry, dict):
            file.problem(label, "a track point is an object with latitude, longitude, timestamp")
            continue
        missing = [key for key in ("latitude", "longitude", "timestamp") if key not in entry]
        for key in missing:
            file.problem(f"{label}.{key}", "missing")
        if missing or not check_point(file, label, entry["latitude"], entry["longitude"]):
            continue
        when = entry["timestamp"]
        if isinstance(when, bool) or not isinstance(when, int) or when <= 0:
            file.problem(f"{label}.timestamp", f"{when!r} is not a time (Unix seconds)")
            continue
        altitude = entry.get("altitude")
        feet = altitude.get("feet") if isinstance(altitude, dict) else altitude
        feet = float(feet) if isinstance(feet, int | float) and not isinstance(feet, bool) else None
        points.append(
            TrackPoint(
                label, when, float(entry["latitude"]), float(entry["longitude"]), feet, feet == 0
            )
        )
    return points


def read_flight(data: Any, file: FeedFile) -> None:
    flight = _dig(data, "result", "response", "data", "flight")
    if not isinstance(flight, dict):
        file.problem("result.response.data.flight", "missing: an FR24 flight-details answer has it")
        return
    base = "result.response.data.flight"
    flight_id = _text(_dig(flight, "identification", "id"))
    if flight_id is None:
        file.problem(f"{base}.identification.id", "missing: the FR24 flight id")
    track = flight.get("track")
    if not isinstance(track, list) or not track:
        file.problem(f"{base}.track", "missing: the flight's track points")
        return
    modes = _dig(flight, "aircraft", "identification", "modes")
    icao24 = icao24_of(file, f"{base}.aircraft.identification.modes", modes) if modes else None
    points = _flight_points(track, file)
    if file.problems or flight_id is None or not in_order(file, points):
        return
    registration = _text(_dig(flight, "aircraft", "identification", "registration")) or _text(
        _dig(flight, "aircraft", "registration")
    )
    aircraft = Aircraft(
        icao24=icao24,
        registration=registration,
        type_code=_text(_dig(flight, "aircraft", "model", "code")),
        operator=_text(_dig(flight, "owner", "name")) or _text(_dig(flight, "airline", "name")),
    )
    facts = leg_facts("", points, "FR24")  # FR24 has split its flights already: one leg
    facts.feed_id = flight_id
    facts.callsign = _text(_dig(flight, "identification", "callsign")) or facts.callsign
    listed = [
        _text(_dig(flight, "airport", end, "code", "icao")) or "?"
        for end in ("origin", "destination")
    ]
    facts.says += f"; FR24 lists the flight as {listed[0]} → {listed[1]}"
    record_flight(file, FEED, f"FR24 flight {flight_id}", aircraft, facts)


def _is_track_csv(header: list[str]) -> bool:
    return tuple(h.strip() for h in header) == TRACK_COLUMNS


def read_track_csv(table: Table, file: FeedFile) -> None:
    header, rows = table[0], table[1:]
    if not _is_track_csv(header):
        file.problem("header", f"the columns must be {','.join(TRACK_COLUMNS)}")
        return
    points: list[TrackPoint] = []
    for number, row in enumerate(rows, start=2):
        label = f"row {number}"
        if not row:
            continue
        if len(row) != len(TRACK_COLUMNS):
            file.problem(label, f"has {len(row)} fields, the header {len(TRACK_COLUMNS)}")
            continue
        cells = dict(zip(TRACK_COLUMNS, row, strict=True))
        try:
            when = int(cells["Timestamp"])
        except ValueError:
            file.problem(
                f"{label}.Timestamp", f"'{cells['Timestamp']}' is not a time (Unix seconds)"
            )
            continue
        lat_text, _, lon_text = cells["Position"].partition(",")
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            file.problem(f"{label}.Position", f"'{cells['Position']}' is not \"lat,lon\"")
            continue
        if not check_point(file, label, lat, lon):
            continue
        try:
            feet: float | None = float(cells["Altitude"])
        except ValueError:
            feet = None
        callsign = cells["Callsign"].strip() or None
        points.append(TrackPoint(label, when, lat, lon, feet, feet == 0, False, callsign))
    if not points and not file.problems:
        file.problem("rows", "the track has no points")
    if file.problems or not in_order(file, points):
        return
    tail = file.stem.rsplit("_", 1)[-1].lower()
    flight_id = tail if _FLIGHT_ID.fullmatch(tail) else None
    facts = leg_facts("", points, "FR24")
    facts.feed_id = flight_id or f"{facts.callsign or 'track'}/{facts.feed_id.lstrip('/')}"
    record_flight(file, FEED, f"FR24 track export {file.stem}", Aircraft(), facts)


def _is_flights_csv(header: list[str]) -> bool:
    return {"flight_id", "aircraft_id", "schd_from"} <= {h.strip() for h in header}


def read_flights_csv(table: Table, file: FeedFile) -> None:
    header = [h.strip() for h in table[0]]
    missing = [c for c in FLIGHTS_COLUMNS if c not in header]
    if missing:
        file.problem(
            "header",
            f"missing column(s) {', '.join(missing)}",
            f"the columns are {','.join(FLIGHTS_COLUMNS)}",
        )
        return
    found = _DAY.search(file.stem)
    day: date | None = None
    if found:
        try:
            day = date(int(found[1][:4]), int(found[1][4:6]), int(found[1][6:]))
        except ValueError:
            file.problem("file name", f"'{found[1]}' is not a date (yyyymmdd)")
            return
    else:
        file.problem("file name", "does not give the day (FR24 names it <yyyymmdd>_flights.csv)")
        return
    title = f"FR24 flights of {day.isoformat()}"
    for number, row in enumerate(table[1:], start=2):
        if not row:
            continue
        label = f"row {number}"
        if len(row) != len(header):
            file.problem(label, f"has {len(row)} fields, the header {len(header)}", row=True)
            continue
        cells = {key: value.strip() for key, value in zip(header, row, strict=True)}
        if not cells["flight_id"].isdigit():
            file.problem(
                f"{label}.flight_id",
                f"'{cells['flight_id']}' is not a decimal flight id",
                row=True,
            )
            continue
        before = len(file.problems)
        icao24 = (
            icao24_of(file, f"{label}.aircraft_id", cells["aircraft_id"], row=True)
            if cells["aircraft_id"]
            else None
        )
        if len(file.problems) > before:
            continue
        airports = by_iata()
        origin = airports.get(cells["schd_from"])
        destination = airports.get(cells["real_to"] or cells["schd_to"])
        says = (
            f"flight {cells['flight'] or cells['callsign'] or '?'} on {day.isoformat()}, scheduled "
            f"{cells['schd_from'] or '?'} → {cells['schd_to'] or '?'}"
            + (f", diverted to {cells['real_to']}" if cells["real_to"] else "")
        )
        facts = FlightFacts(
            feed_id=f"{int(cells['flight_id']):x}",  # the flight JSON's hex id, as a number
            time={
                "start": day.isoformat(),
                "precision": "day",
                "note": "FR24's flights list gives the day only",
            },
            callsign=cells["callsign"] or None,
            origin=origin,
            destination=destination,
            says=says,
        )
        aircraft = Aircraft(
            icao24=icao24, registration=cells["reg"] or None, type_code=cells["equip"] or None
        )
        record_flight(file, FEED, title, aircraft, facts)


FLIGHT = Format(
    "fr24-flight", FEED, "an FR24 flight-details answer", "json", _is_flight, read_flight
)
TRACK_CSV = Format(
    "fr24-track-csv", FEED, "an FR24 track CSV", "csv", _is_track_csv, read_track_csv
)
FLIGHTS_CSV = Format(
    "fr24-flights-csv", FEED, "an FR24 flights list CSV", "csv", _is_flights_csv, read_flights_csv
)
