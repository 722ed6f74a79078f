"""Flight tracks into flight events: points checked, split into legs, ends matched to airports.

A leg ends where the feed flags a new leg, where the aircraft takes off again after ground
contact, and at a gap of more than `GAP_MINUTES` without a point (it may have landed unseen).
A leg's start is its first point; its end is known only when it ends on the ground or low at
an airport: otherwise the flight has an open end, and no destination (docs/feeds.md).
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from eventgraph.graph.feeds.airports import Airport, Match, location_record, nearest
from eventgraph.graph.feeds.external import external_ids
from eventgraph.graph.feeds.registry import FeedFile
from eventgraph.graph.feeds.sources import Feed

GAP_MINUTES = 60
"""A longer silence ends a leg: the aircraft may have landed where no receiver saw it."""
_HEX = re.compile(r"[0-9a-f]{6}")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class TrackPoint:
    label: str
    """How problems name it: `trace[12]`, `row 14` …"""
    time: float
    """Unix seconds (fractions kept as the feed gives them)."""
    lat: float
    lon: float
    altitude_ft: float | None
    on_ground: bool
    new_leg: bool = False
    callsign: str | None = None


@dataclass(frozen=True)
class Aircraft:
    """What a feed says of the airframe; any part may be unknown."""

    icao24: str | None = None
    registration: str | None = None
    type_code: str | None = None
    operator: str | None = None
    military: bool = False


@dataclass
class FlightFacts:
    """One flight as a feed gives it, before it becomes records."""

    feed_id: str
    time: dict[str, Any]
    callsign: str | None = None
    origin: Airport | None = None
    destination: Airport | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    says: str = ""
    """What the feed says, in our words: the claim's paraphrase."""


def iso(seconds: float) -> str:
    """An instant as precise as the feed gives it: whole seconds, or milliseconds."""
    instant = datetime.fromtimestamp(seconds, UTC)
    spec = "seconds" if float(seconds).is_integer() else "milliseconds"
    return instant.isoformat(timespec=spec).replace("+00:00", "Z")


def compact(seconds: float) -> str:
    """An instant for ids: `20251026T031207Z`."""
    return datetime.fromtimestamp(math.floor(seconds), UTC).strftime("%Y%m%dT%H%M%SZ")


def check_point(file: FeedFile, label: str, lat: object, lon: object) -> bool:
    """Coordinates are numbers within range; else a problem naming the point and field."""
    good = True
    for name, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            file.problem(f"{label}.{name}", f"{value!r} is not a number")
            good = False
        elif not -limit <= value <= limit or math.isnan(value):
            file.problem(f"{label}.{name}", f"{value} is out of range (−{limit} to {limit})")
            good = False
    return good


def in_order(file: FeedFile, points: Sequence[TrackPoint]) -> bool:
    """Times strictly increase; a point going back in time or repeated is a problem."""
    good = True
    for before, point in pairwise(points):
        if point.time < before.time:
            file.problem(
                f"{point.label}.time",
                f"{iso(point.time)} is before the previous point's {iso(before.time)} "
                f"({before.label}): time goes backwards",
            )
            good = False
        elif point.time == before.time:
            file.problem(
                f"{point.label}.time",
                f"duplicate point: the same time as {before.label} ({iso(point.time)})",
                "remove the repeated point",
            )
            good = False
    return good


def legs(points: Sequence[TrackPoint]) -> list[list[TrackPoint]]:
    """The track cut into legs; stretches with no airborne point (taxiing, parked) dropped.

    A leg runs from the last ground point before take-off to the first after landing (or
    its first and last points where none was seen on the ground)."""
    cut: list[list[TrackPoint]] = []
    for point in points:
        current = cut[-1] if cut else None
        if current is None or point.time - current[-1].time > GAP_MINUTES * 60:
            cut.append([point])
        elif point.new_leg or (
            current[-1].on_ground and not point.on_ground and _airborne(current)
        ):
            cut.append([current[-1], point] if current[-1].on_ground else [point])
        else:
            current.append(point)
    return [_trimmed(leg) for leg in cut if _airborne(leg)]


def _trimmed(leg: list[TrackPoint]) -> list[TrackPoint]:
    """A leg from its last ground point before take-off to its first after landing: taxiing
    and standing at either end are not the flight."""
    airborne = [index for index, point in enumerate(leg) if not point.on_ground]
    return leg[max(airborne[0] - 1, 0) : airborne[-1] + 2]


def _airborne(leg: Sequence[TrackPoint]) -> bool:
    return any(not p.on_ground for p in leg)


def _at_airport(point: TrackPoint) -> Match | None:
    return nearest(point.lat, point.lon, point.altitude_ft, point.on_ground)


def leg_facts(prefix: str, leg: Sequence[TrackPoint], source_words: str) -> FlightFacts:
    """A leg's flight: start at its first point, end and destination only if it landed."""
    first, last = leg[0], leg[-1]
    origin, destination = _at_airport(first), _at_airport(last)
    landed = last.on_ground or destination is not None
    notes = [f"first {source_words} point {iso(first.time)}"]
    if origin is None:
        notes.append("take-off not seen (first point airborne away from any airport)")
    if landed:
        time: dict[str, Any] = {"start": iso(first.time), "end": iso(last.time)}
        time["precision"] = "exact"
        how = "on the ground" if last.on_ground else "low at an airport"
        notes.append(f"last point {iso(last.time)}, {how}")
    else:
        time = {"start": iso(first.time), "precision": "interval"}
        notes.append(f"landing not seen: last point {iso(last.time)}, end unknown")
    time["note"] = "; ".join(notes)
    altitudes = [p.altitude_ft for p in leg if p.altitude_ft is not None and not p.on_ground]
    summary: dict[str, Any] = {
        "track_first_seen": iso(first.time),
        "track_first_lat": first.lat,
        "track_first_lon": first.lon,
        "track_last_seen": iso(last.time),
        "track_last_lat": last.lat,
        "track_last_lon": last.lon,
        "track_points": len(leg),
        "track_max_altitude_ft": round(max(altitudes)) if altitudes else None,
        "origin_distance_km": round(origin.distance_km, 2) if origin else None,
        "destination_distance_km": round(destination.distance_km, 2) if destination else None,
    }
    callsign = next((p.callsign for p in leg if p.callsign), None)
    return FlightFacts(
        feed_id=f"{prefix}/{compact(first.time)}",
        time=time,
        callsign=callsign,
        origin=origin.airport if origin else None,
        destination=destination.airport if destination else None,
        summary={k: v for k, v in summary.items() if v is not None},
        says=f"{len(leg)} {source_words} points from {iso(first.time)} to {iso(last.time)}"
        + (f", from {origin.distance_km:.1f} km of {origin.airport.icao}" if origin else "")
        + (
            f", to {destination.distance_km:.1f} km of {destination.airport.icao}"
            if destination
            else ", landing not seen"
        ),
    )


def icao24_of(file: FeedFile, where: str, value: object, *, row: bool = False) -> str | None:
    """A Mode-S address as six lower-case hex digits; `~…` (non-ICAO, e.g. TIS-B) is no
    airframe's address, so None; anything else is a problem (`row`: of a row left out)."""
    if not isinstance(value, str) or not value.strip():
        file.problem(where, "missing: the aircraft's Mode-S hex address", row=row)
        return None
    text = value.strip().lower()
    if text.startswith("~"):
        return None
    if not _HEX.fullmatch(text):
        file.problem(where, f"'{value}' is not a Mode-S address (6 hex digits)", row=row)
        return None
    return text


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:80] or "unnamed"


def _aircraft_records(
    file: FeedFile, feed: Feed, title: str, aircraft: Aircraft
) -> list[dict[str, Any]]:
    """The airframe, its type and operator as records; the event's participants."""
    participants: list[dict[str, Any]] = []
    type_id = None
    if aircraft.type_code:
        type_id = file.add_once(
            "equipment_types",
            {
                "id": f"icao-type-{_slug(aircraft.type_code)}",
                "name": aircraft.type_code.upper(),
                "kind": "aircraft_type",
                "description": f"ICAO type designator {aircraft.type_code.upper()}.",
                **external_ids(("icao_type", aircraft.type_code)),
            },
        )
    asset_id = None
    if aircraft.icao24:
        described = ["Airframe by its Mode-S address."]
        if aircraft.military:
            described.append(f"Flagged military in {feed.title}'s aircraft database.")
        asset: dict[str, Any] = {
            "id": f"icao24-{aircraft.icao24}",
            "name": aircraft.registration or aircraft.icao24.upper(),
            "kind": "aircraft",
            "description": " ".join(described),
            "icao24": aircraft.icao24,
        }
        if aircraft.registration:
            asset["registration"] = aircraft.registration
        asset.update(
            external_ids(("modes", aircraft.icao24), ("registration", aircraft.registration))
        )
        if type_id:
            asset["instance_of"] = type_id
        asset_id = file.add_once("assets", asset)
        participants.append({"role": "aircraft", "ref": asset_id})
    elif type_id:
        participants.append({"role": "aircraft", "ref": type_id})
    if aircraft.operator:
        actor_id = file.add_once(
            "actors",
            {
                "id": f"operator-{_slug(aircraft.operator)}",
                "name": aircraft.operator,
                "kind": "organisation",
            },
        )
        participants.append({"role": "operator", "ref": actor_id})
        if asset_id:
            file.add_once(
                "relations",
                {
                    "id": f"{asset_id}/operated-by/{_slug(aircraft.operator)}",
                    "type": "operates",
                    "from": actor_id,
                    "to": asset_id,
                    "claims": [
                        file.claim(
                            feed,
                            title,
                            f"{feed.title} lists {aircraft.operator} as the operator of "
                            f"{asset['name']}.",
                        )
                    ],
                },
            )
    return participants


def record_flight(
    file: FeedFile, feed: Feed, title: str, aircraft: Aircraft, facts: FlightFacts
) -> None:
    """Add one flight event with its airframe, type, operator and airports."""
    participants = _aircraft_records(file, feed, title, aircraft)
    who = aircraft.registration or facts.callsign or (aircraft.icao24 or "").upper() or "aircraft"
    ends = [airport.icao if airport else "?" for airport in (facts.origin, facts.destination)]
    route = " → ".join(ends)
    day = str(facts.time.get("start", ""))[:10]
    event: dict[str, Any] = {
        "id": feed.record_id(facts.feed_id),
        "name": f"{who} flight {route}, {day}",
        "type": "flight",
        "time": facts.time,
        "participants": participants,
        "feed": feed.name,
        "feed_id": facts.feed_id,
        **facts.summary,
    }
    if facts.callsign:
        event["aliases"] = [facts.callsign]
    for end, airport in (("origin", facts.origin), ("destination", facts.destination)):
        if airport is not None:
            event[end] = file.add_once("locations", location_record(airport))
    if facts.origin or facts.destination:
        event["place_precision"] = "site"
    event["claims"] = [file.claim(feed, title, f"{feed.title}: {facts.says}.")]
    file.add("events", event)
