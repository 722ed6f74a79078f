"""The airport gazetteer flight feeds match track ends against (`airportsdata`, ICAO-keyed).

A flight's origin or destination is the nearest airport to its first or last point, within
`RADIUS_KM`, and only while the aircraft is on the ground or low (`LOW_ALTITUDE_FT` above the
airport): a track that fades out at cruise height over an airport has not landed there.
"""

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import airportsdata

RADIUS_KM = 10.0
"""How far a track's end may lie from an airport's reference point (runways reach 2–4 km)."""
LOW_ALTITUDE_FT = 5000
"""Above this height over the airport's elevation, an end point is not at the airport."""
_CELL_DEGREES = 1.0
_EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Airport:
    icao: str
    iata: str
    name: str
    city: str
    country: str
    lat: float
    lon: float
    elevation_ft: float

    @property
    def location_id(self) -> str:
        """Our id of the airport's Location: from its ICAO code, so every feed agrees."""
        return f"airport-{self.icao.lower()}"


@dataclass(frozen=True)
class Match:
    airport: Airport
    distance_km: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _airport(row: dict[str, Any]) -> Airport:
    return Airport(
        icao=str(row["icao"]),
        iata=str(row.get("iata") or ""),
        name=str(row.get("name") or row["icao"]),
        city=str(row.get("city") or ""),
        country=str(row.get("country") or ""),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        elevation_ft=float(row.get("elevation") or 0.0),
    )


@cache
def by_icao() -> dict[str, Airport]:
    """Every airport of the gazetteer by ICAO code (loaded once, ~28,000 rows)."""
    rows: dict[str, Any] = airportsdata.load("ICAO")
    return {code: _airport(row) for code, row in rows.items()}


@cache
def by_iata() -> dict[str, Airport]:
    return {a.iata: a for a in by_icao().values() if a.iata}


@cache
def _grid() -> dict[tuple[int, int], list[Airport]]:
    cells: dict[tuple[int, int], list[Airport]] = {}
    for airport in by_icao().values():
        cells.setdefault(_cell(airport.lat, airport.lon), []).append(airport)
    return cells


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _CELL_DEGREES), math.floor(lon / _CELL_DEGREES)


def nearest(lat: float, lon: float, altitude_ft: float | None, on_ground: bool) -> Match | None:
    """The nearest airport within `RADIUS_KM` that the point can be at (on the ground, or no
    higher than `LOW_ALTITUDE_FT` above it; a point without altitude counts only on the
    ground), or None."""
    if not on_ground and altitude_ft is None:
        return None
    row, column = _cell(lat, lon)
    best: Match | None = None
    for d_row in (-1, 0, 1):
        for d_column in (-1, 0, 1):
            wrapped = (column + d_column + 180) % 360 - 180
            for airport in _grid().get((row + d_row, wrapped), ()):
                km = distance_km(lat, lon, airport.lat, airport.lon)
                if km > RADIUS_KM or (best is not None and km >= best.distance_km):
                    continue
                height = 0.0 if on_ground or altitude_ft is None else altitude_ft
                if height - airport.elevation_ft > LOW_ALTITUDE_FT:
                    continue
                best = Match(airport, km)
    return best


def location_record(airport: Airport) -> dict[str, Any]:
    """The airport as a native `locations` record (created when a flight refers to it)."""
    where = ", ".join(part for part in (airport.city, airport.country) if part)
    return {
        "id": airport.location_id,
        "name": airport.name,
        "kind": "airport",
        "aliases": [code for code in (airport.icao, airport.iata) if code],
        "description": f"Airport {airport.icao}{f' ({where})' if where else ''}, "
        "from the airportsdata gazetteer.",
        "point": {"lat": airport.lat, "lon": airport.lon, "precision": "site"},
    }
