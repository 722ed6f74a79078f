"""OpenSky Network: its flights answer and its state vectors.

Flights (`/flights/all`, `/flights/aircraft`, `/flights/arrival` …): a JSON list of objects
with `icao24`, `firstSeen`, `lastSeen` (Unix seconds), `estDepartureAirport`,
`estArrivalAirport` (ICAO codes OpenSky estimates, or null), `callsign` and the estimates'
horizontal distances (`estDepartureAirportHorizDistance`, … in metres).

State vectors (`/states/all`): `{"time": …, "states": [[icao24, callsign, origin_country,
time_position, last_contact, longitude, latitude, baro_altitude (m), on_ground, velocity,
true_track, vertical_rate, sensors, geo_altitude, squawk, spi, position_source, …], …]}`, or a
JSON list of such answers taken one after another; each aircraft's positions become a track.
"""

from collections import defaultdict
from typing import Any

from eventgraph.graph.feeds.airports import Airport, by_icao
from eventgraph.graph.feeds.registry import FeedFile, Format
from eventgraph.graph.feeds.sources import FEEDS
from eventgraph.graph.feeds.tracks import (
    Aircraft,
    FlightFacts,
    TrackPoint,
    check_point,
    icao24_of,
    iso,
    leg_facts,
    legs,
    record_flight,
)

FEED = FEEDS["opensky"]
_FEET_PER_METRE = 3.28084
_MAX_TIME = 2**33


def _is_flights(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(
            isinstance(item, dict) and "icao24" in item and "firstSeen" in item for item in data
        )
    )


def _is_states(data: Any) -> bool:
    answers = data if isinstance(data, list) else [data]
    return bool(answers) and all(
        isinstance(item, dict) and "states" in item and "time" in item for item in answers
    )


def _seconds(file: FeedFile, where: str, value: object, required: bool = True) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _MAX_TIME:
        file.problem(where, f"{value!r} is not a time (whole Unix seconds)")
        return None
    return value


def _airport(file: FeedFile, where: str, code: object) -> Airport | None:
    if code is None:
        return None
    if not isinstance(code, str):
        file.problem(where, f"{code!r} is not an ICAO airport code")
        return None
    return by_icao().get(code.strip().upper())  # one the gazetteer lacks stays unknown


def _km(item: dict[str, Any], key: str) -> float | None:
    value = item.get(key)
    return (
        round(value / 1000, 2)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else None
    )


def read_flights(data: Any, file: FeedFile) -> None:
    if not isinstance(data, list):
        file.problem("flights", "an OpenSky flights answer is a JSON list of flights")
        return
    title = f"OpenSky flights ({file.stem})"
    for index, item in enumerate(data):
        where = f"[{index}]"
        if not isinstance(item, dict):
            file.problem(where, "a flight is an object with icao24, firstSeen, lastSeen")
            continue
        missing = [key for key in ("icao24", "firstSeen", "lastSeen") if key not in item]
        for key in missing:
            file.problem(f"{where}.{key}", "missing")
        if missing:
            continue
        before = len(file.problems)
        icao24 = icao24_of(file, f"{where}.icao24", item["icao24"])
        first = _seconds(file, f"{where}.firstSeen", item["firstSeen"])
        last = _seconds(file, f"{where}.lastSeen", item["lastSeen"])
        origin = _airport(file, f"{where}.estDepartureAirport", item.get("estDepartureAirport"))
        destination = _airport(file, f"{where}.estArrivalAirport", item.get("estArrivalAirport"))
        if len(file.problems) > before or first is None or last is None:
            continue
        if last < first:
            file.problem(f"{where}.lastSeen", f"{iso(last)} is before firstSeen {iso(first)}")
            continue
        callsign = item.get("callsign")
        callsign = callsign.strip() or None if isinstance(callsign, str) else None
        landed = destination is not None
        time: dict[str, Any] = {"start": iso(first), "precision": "exact" if landed else "interval"}
        if landed:
            time["end"] = iso(last)
        time["note"] = f"firstSeen {iso(first)} to lastSeen {iso(last)} by OpenSky's receivers" + (
            "" if landed else "; no arrival airport estimated, so the end is unknown"
        )
        summary = {
            "track_first_seen": iso(first),
            "track_last_seen": iso(last),
            "origin_distance_km": _km(item, "estDepartureAirportHorizDistance") if origin else None,
            "destination_distance_km": _km(item, "estArrivalAirportHorizDistance")
            if destination
            else None,
        }
        facts = FlightFacts(
            feed_id=f"{icao24 or str(item['icao24']).lower()}/{first}",
            time=time,
            callsign=callsign,
            origin=origin,
            destination=destination,
            summary={k: v for k, v in summary.items() if v is not None},
            says=f"seen from {iso(first)} to {iso(last)}, estimated departure "
            f"{item.get('estDepartureAirport') or 'unknown'}, estimated arrival "
            f"{item.get('estArrivalAirport') or 'unknown'}",
        )
        record_flight(file, FEED, title, Aircraft(icao24=icao24), facts)


def read_states(data: Any, file: FeedFile) -> None:
    answers = data if isinstance(data, list) else [data]
    tracks: dict[str, list[TrackPoint]] = defaultdict(list)
    for number, answer in enumerate(answers):
        prefix = f"[{number}]" if isinstance(data, list) else ""
        if not isinstance(answer, dict) or not isinstance(answer.get("states"), list | None):
            file.problem(f"{prefix}states", "an OpenSky states answer has time and states")
            continue
        for index, state in enumerate(answer.get("states") or []):
            label = f"{prefix}states[{index}]"
            if not isinstance(state, list) or len(state) < 9:
                file.problem(label, "a state vector is a list of at least 9 fields")
                continue
            icao24 = icao24_of(file, f"{label}[0]", state[0])
            seen = state[3] if state[3] is not None else None
            lon, lat = state[5], state[6]
            if icao24 is None or seen is None or lat is None or lon is None:
                continue  # no position in this vector (or not an airframe's address)
            when = _seconds(file, f"{label}[3]", seen)
            if when is None or not check_point(file, label, lat, lon):
                continue
            altitude = state[7]
            on_ground = state[8] is True
            callsign = state[1].strip() or None if isinstance(state[1], str) else None
            feet = (
                float(altitude) * _FEET_PER_METRE
                if isinstance(altitude, int | float) and not isinstance(altitude, bool)
                else None
            )
            track = tracks[icao24]
            if track and track[-1].time == when:
                continue  # the same position again: OpenSky repeats it until a new one comes
            track.append(
                TrackPoint(label, when, float(lat), float(lon), feet, on_ground, False, callsign)
            )
    if file.problems:
        return
    title = f"OpenSky state vectors ({file.stem})"
    for icao24, points in sorted(tracks.items()):
        points.sort(key=lambda p: p.time)
        for leg in legs(points):
            record_flight(
                file, FEED, title, Aircraft(icao24=icao24), leg_facts(icao24, leg, "OpenSky")
            )


FLIGHTS = Format(
    "opensky-flights", FEED, "an OpenSky flights answer", "json", _is_flights, read_flights
)
STATES = Format("opensky-states", FEED, "OpenSky state vectors", "json", _is_states, read_states)
