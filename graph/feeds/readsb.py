"""readsb / tar1090 / adsb.lol trace files (`trace_full_<hex>.json`, `trace_recent_<hex>.json`).

An object with `icao` (Mode-S hex), `timestamp` (Unix seconds) and `trace`, a list of points
`[seconds after timestamp, lat, lon, altitude in ft or "ground" or null, ground speed, track,
flags, vertical rate, details or null, …]`; flags bit value 2 marks the start of a new leg.
The aircraft database fields `r` (registration), `t` (ICAO type designator), `desc`, `ownOp`
(operator) and `dbFlags` (1 = military) describe the airframe.
"""

import re
from typing import Any

from eventgraph.graph.feeds.registry import FeedFile, Format
from eventgraph.graph.feeds.sources import FEEDS
from eventgraph.graph.feeds.tracks import (
    Aircraft,
    TrackPoint,
    check_point,
    icao24_of,
    in_order,
    leg_facts,
    legs,
    record_flight,
)

FEED = FEEDS["adsb"]
NEW_LEG = 2
MILITARY = 1


def _is_trace(data: Any) -> bool:
    return isinstance(data, dict) and "icao" in data and "trace" in data


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _points(data: dict[str, Any], base: float, file: FeedFile) -> list[TrackPoint]:
    points: list[TrackPoint] = []
    for index, entry in enumerate(data["trace"]):
        label = f"trace[{index}]"
        if not isinstance(entry, list) or len(entry) < 4:
            file.problem(label, "a trace point is a list [seconds, lat, lon, altitude, …]")
            continue
        offset, lat, lon, altitude = entry[:4]
        if isinstance(offset, bool) or not isinstance(offset, int | float):
            file.problem(f"{label}[0]", f"{offset!r} is not a number of seconds")
            continue
        if not check_point(file, label, lat, lon):
            continue
        on_ground = altitude == "ground"
        if (
            not on_ground
            and altitude is not None
            and (isinstance(altitude, bool) or not isinstance(altitude, int | float))
        ):
            file.problem(f"{label}[3]", f'{altitude!r} is not an altitude (feet, "ground" or null)')
            continue
        flags = entry[6] if len(entry) > 6 and isinstance(entry[6], int) else 0
        details = entry[8] if len(entry) > 8 and isinstance(entry[8], dict) else {}
        callsign = details.get("flight")
        points.append(
            TrackPoint(
                label,
                base + offset,
                float(lat),
                float(lon),
                None if on_ground or altitude is None else float(altitude),
                on_ground,
                bool(flags & NEW_LEG),
                callsign.strip() or None if isinstance(callsign, str) else None,
            )
        )
    return points


def read_trace(data: Any, file: FeedFile) -> None:
    if not isinstance(data, dict):
        file.problem("trace", "a readsb trace is a JSON object with icao, timestamp and trace")
        return
    for key in ("icao", "timestamp", "trace"):
        if key not in data:
            file.problem(key, "missing: a readsb trace has icao, timestamp and trace")
    if file.problems:
        return
    icao24 = icao24_of(file, "icao", data["icao"])
    base = data["timestamp"]
    if isinstance(base, bool) or not isinstance(base, int | float) or not 0 < base < 2**33:
        file.problem("timestamp", f"{base!r} is not a time (Unix seconds)")
        return
    if not isinstance(data["trace"], list):
        file.problem("trace", "must be a list of points")
        return
    points = _points(data, float(base), file)
    if file.problems or not in_order(file, points):
        return
    flags = data.get("dbFlags")
    aircraft = Aircraft(
        icao24=icao24,
        registration=_text(data, "r"),
        type_code=_text(data, "t"),
        operator=_text(data, "ownOp"),
        military=isinstance(flags, int) and bool(flags & MILITARY),
    )
    title = f"readsb trace of {data['icao']} ({file.stem})"
    for leg in legs(points):
        facts = leg_facts(str(data["icao"]).lower(), leg, "ADS-B")
        record_flight(file, FEED, title, aircraft, facts)


TRACE = Format(
    "readsb-trace",
    FEED,
    "a readsb/tar1090 trace",
    "json",
    _is_trace,
    read_trace,
    re.compile(r"trace_(full|recent)_~?[0-9a-fA-F]{6}"),
)
