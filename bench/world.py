"""The fixed part of a synthetic dataset: places, actors, equipment, assets, sources, relations.

Its size does not depend on the number of events (about 2k places, 1k actors, 5k assets, 200
sources, as issue 6 asks), so a bigger dataset is a busier world, not a bigger one. Every record
is a native-format dict (docs/importing.md) using only kinds, roles and relation types that
`graph/ontology.py` allows. The world also keeps what the event generator draws from: who flies
which airframes, which bases lie in which province, and the provinces that see a build-up.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.names import NamePool
from bench.skew import Skewed

Record = dict[str, Any]

PERIOD_START = date(2023, 1, 2)
"""A Monday: events happen from here on, so weekly buckets line up with the bursts."""
PERIOD_DAYS = 3 * 364
"""Three years of 52 weeks."""
BURSTS = 4
BURST_WEEKS = 4
"""A burst window is four weeks: a quiet first week, then three weeks of build-up."""


@dataclass(frozen=True)
class WorldSize:
    """How many places, actors, assets and sources the world holds."""

    countries: int = 40
    provinces_per_country: int = 8  # 320 provinces
    cities: int = 800
    sites: int = 840  # 40 + 320 + 800 + 840 = 2000 locations
    units: int = 160
    armed_groups: int = 150
    organisations: int = 60
    persons: int = 470  # 40 states + 40 governments + 80 armed forces + the above = 1000 actors
    air_bases: int = 300
    airports: int = 100
    naval_bases: int = 60
    ports: int = 90
    military_bases: int = 100
    airframes: int = 3700
    ships: int = 650  # 5000 assets
    sources_per_kind: tuple[tuple[str, int], ...] = (
        ("news_outlet", 80),
        ("data_service", 20),
        ("official", 40),
        ("person", 30),
        ("organisation", 15),
        ("social_media", 15),
    )  # 200 sources


BENCHMARK_WORLD = WorldSize()
"""The benchmark's world, at every scale."""
SMALL_WORLD = WorldSize(
    countries=4,
    provinces_per_country=4,
    cities=40,
    sites=60,
    units=8,
    armed_groups=6,
    organisations=3,
    persons=40,
    air_bases=24,
    airports=8,
    naval_bases=4,
    ports=6,
    military_bases=6,
    airframes=60,
    ships=12,
    sources_per_kind=tuple((kind, 2) for kind, _ in BENCHMARK_WORLD.sources_per_kind),
)
"""A world of every kind of record but few of each, for tests of what the generator writes
and how it imports, not of how big it is."""

_AIRCRAFT_FAMILIES = ("An", "Il", "Tu", "Y", "C", "KC", "Su", "MiG", "Ka", "Mi")
_SHIP_CLASSES = ("frigate", "corvette", "landing ship", "tanker", "cargo ship")
_VEHICLE_TYPES = ("armoured personnel carrier", "main battle tank", "air-defence system")
_WEAPON_TYPES = ("cruise missile", "attack drone", "ballistic missile", "loitering munition")
_RELIABILITY_NOTES = {
    "A": "Long record of accurate, first-hand reporting.",
    "B": "Established outlet; usually accurate on defence matters.",
    "C": "Fairly reliable; occasional errors of detail.",
    "D": "Often repeats unverified claims.",
    "E": "Has published fabrications before.",
    "F": "No track record to judge by.",
}


@dataclass(frozen=True)
class Burst:
    """A build-up: flights and deployments to the bases of one province in one window."""

    province: str
    bases: tuple[str, ...]
    """Air bases inside the province (each located at a site within it)."""
    sites: tuple[str, ...]
    first_day: date
    """The Monday the window starts; the build-up starts one week later."""


@dataclass
class World:
    """The records of the fixed world, and the pools events draw from."""

    locations: list[Record] = field(default_factory=list)
    actors: list[Record] = field(default_factory=list)
    equipment_types: list[Record] = field(default_factory=list)
    assets: list[Record] = field(default_factory=list)
    sources: list[Record] = field(default_factory=list)
    relations: list[Record] = field(default_factory=list)

    states: list[str] = field(default_factory=list)
    governments: list[str] = field(default_factory=list)
    air_forces: list[str] = field(default_factory=list)
    navies: list[str] = field(default_factory=list)
    units_of: dict[str, list[str]] = field(default_factory=dict)
    """Armed force → its units."""
    armed_groups: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    airframes_of: dict[str, list[str]] = field(default_factory=dict)
    """Air force → the airframes it flies."""
    type_of: dict[str, str] = field(default_factory=dict)
    """Airframe or ship → its equipment type."""
    aircraft_types: list[str] = field(default_factory=list)
    ships: list[str] = field(default_factory=list)
    airfields: list[str] = field(default_factory=list)
    """Air bases and airports: where flights start and land."""
    bases: list[str] = field(default_factory=list)
    """Naval and military bases."""
    sites: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    name_of: dict[str, str] = field(default_factory=dict)
    source_ids: list[str] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)
    hub_air_force: str = ""
    """The air force in many events: the `actor` probe."""
    rivals: tuple[str, str] = ("", "")
    """A unit and an armed group that keep clashing: the `actor_a`/`actor_b` probes."""
    search_text: str = ""


def build_world(seed: int, size: WorldSize = BENCHMARK_WORLD) -> World:
    """The fixed world for a seed: the same seed, the same world, whatever the event count."""
    rng = random.Random(f"eventgraph-bench/world/{seed}")
    names = NamePool(rng)
    world = World()
    _places(world, rng, names, size)
    _actors(world, rng, names, size)
    _equipment(world, rng, names)
    _assets(world, rng, names, size)
    _sources(world, rng, names, size)
    _relations(world, rng)
    _bursts(world, rng)
    return world


def _point(lat: float, lon: float, precision: str, uncertainty_km: float) -> Record:
    return {
        "lat": round(max(-89.0, min(89.0, lat)), 4),
        "lon": round(max(-179.0, min(179.0, lon)), 4),
        "precision": precision,
        "uncertainty_km": uncertainty_km,
    }


def _variant(name: str) -> str | None:
    """Another transliteration of a name, when the name has a letter that has one."""
    for old, new in (("k", "q"), ("v", "w"), ("ou", "u"), ("y", "i"), ("sh", "ch")):
        if old in name:
            return name.replace(old, new, 1)
    return None


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _add(world: World, collection: list[Record], record: Record) -> None:
    collection.append(record)
    world.name_of[record["id"]] = record["name"]


def _places(world: World, rng: random.Random, names: NamePool, size: WorldSize) -> None:
    provinces: list[tuple[str, float, float]] = []
    for c in range(size.countries):
        lat = 10 + (c // 8) * 8 + rng.uniform(1, 7)
        lon = -5 + (c % 8) * 10 + rng.uniform(1, 9)
        name = names.take(2)
        country = f"country-{c:03d}"
        _add(
            world,
            world.locations,
            {
                "id": country,
                "name": name,
                "kind": "country",
                "aliases": [f"Republic of {name}"],
                "point": _point(lat, lon, "country", 300.0),
            },
        )
        for p in range(size.provinces_per_country):
            number = c * size.provinces_per_country + p
            province = f"province-{number:04d}"
            plat, plon = lat + rng.uniform(-3, 3), lon + rng.uniform(-4, 4)
            record: Record = {
                "id": province,
                "name": names.take(2),
                "kind": "province",
                "within": country,
                "point": _point(plat, plon, "province", 80.0),
            }
            _add(world, world.locations, record)
            provinces.append((province, plat, plon))
    for kind, count, pool, precision, km in (
        ("city", size.cities, world.cities, "city", 10.0),
        ("site", size.sites, world.sites, "site", 1.0),
    ):
        for n in range(count):
            province, plat, plon = provinces[n % len(provinces)]
            place = f"{kind}-{n:04d}"
            name = names.take(2)
            if kind == "site":
                name = f"{name} {rng.choice(('Heights', 'Plain', 'Field', 'Valley', 'Ridge'))}"
            record = {
                "id": place,
                "name": name,
                "kind": kind,
                "within": province,
                "point": _point(
                    plat + rng.uniform(-0.8, 0.8), plon + rng.uniform(-0.8, 0.8), precision, km
                ),
            }
            alias = _variant(name) if rng.random() < 0.2 else None
            if alias and alias != name:
                record["aliases"] = [alias]
            _add(world, world.locations, record)
            pool.append(place)


def _actors(world: World, rng: random.Random, names: NamePool, size: WorldSize) -> None:
    countries = [r for r in world.locations if r["kind"] == "country"]
    for c, country in enumerate(countries):
        state, government = f"state-{c:03d}", f"government-{c:03d}"
        air_force, navy = f"air-force-{c:03d}", f"navy-{c:03d}"
        country_name = country["name"]
        _add(
            world,
            world.actors,
            {
                "id": state,
                "name": country_name,
                "kind": "state",
                "aliases": [f"State of {country_name}"],
            },
        )
        _add(
            world,
            world.actors,
            {"id": government, "name": f"Government of {country_name}", "kind": "government"},
        )
        _add(
            world,
            world.actors,
            {"id": air_force, "name": f"{country_name} Air Force", "kind": "armed_force"},
        )
        _add(
            world, world.actors, {"id": navy, "name": f"{country_name} Navy", "kind": "armed_force"}
        )
        world.states.append(state)
        world.governments.append(government)
        world.air_forces.append(air_force)
        world.navies.append(navy)
        world.units_of[air_force] = []
        world.units_of[navy] = []
    for n in range(size.units):
        force = (world.air_forces if n % 3 else world.navies)[n % size.countries]
        what = "Transport Aviation Regiment" if force.startswith("air") else "Naval Brigade"
        unit = f"unit-{n:04d}"
        _add(
            world,
            world.actors,
            {
                "id": unit,
                "name": f"{_ordinal(n + 1)} {what} ({world.name_of[force]})",
                "kind": "military_unit",
            },
        )
        world.units_of[force].append(unit)
    for n in range(size.armed_groups):
        group = f"group-{n:04d}"
        style = rng.choice(("Brigade", "Front", "Liberation Army", "Movement", "Guards"))
        _add(
            world,
            world.actors,
            {"id": group, "name": f"{names.take(2)} {style}", "kind": "armed_group"},
        )
        world.armed_groups.append(group)
    for n in range(size.organisations):
        organisation = f"organisation-{n:03d}"
        style = rng.choice(("Institute", "Monitor", "Observatory", "Centre for Security Studies"))
        _add(
            world,
            world.actors,
            {"id": organisation, "name": f"{names.take(2)} {style}", "kind": "organisation"},
        )
        world.organisations.append(organisation)
    first_names = [names.take(2) for _ in range(60)]
    surnames = [names.take(2) for _ in range(200)]
    surname_of = Skewed(surnames, exponent=0.4)
    used: dict[str, int] = {}
    for n in range(size.persons):
        person = f"person-{n:04d}"
        if n % 7 == 3:
            country_name = world.name_of[rng.choice(world.states)]
            record: Record = {
                "id": person,
                "name": f"Unnamed {country_name} defence official",
                "kind": "person",
                "anonymous": True,
            }
        else:
            surname = surname_of.pick(rng)
            used[surname] = used.get(surname, 0) + 1
            record = {
                "id": person,
                "name": f"{rng.choice(first_names)} {surname}",
                "kind": "person",
            }
            alias = _variant(surname)
            if alias:
                record["aliases"] = [f"{record['name'].split()[0]} {alias}"]
        _add(world, world.actors, record)
        world.persons.append(person)
    world.search_text = max(sorted(used), key=lambda surname: used[surname])
    world.hub_air_force = world.air_forces[0]
    world.rivals = (world.units_of[world.air_forces[0]][0], world.armed_groups[0])


def _equipment(world: World, rng: random.Random, names: NamePool) -> None:
    for n in range(40):
        family = _AIRCRAFT_FAMILIES[n % len(_AIRCRAFT_FAMILIES)]
        model = f"{family}-{rng.randrange(12, 180)}{rng.choice(('', 'M', 'MD', 'A', '-100'))}"
        equipment = f"aircraft-type-{n:02d}"
        record: Record = {"id": equipment, "name": model, "kind": "aircraft_type"}
        if rng.random() < 0.5:
            record["aliases"] = [names.take(2)]
        _add(world, world.equipment_types, record)
        world.aircraft_types.append(equipment)
    for kinds, kind, prefix in (
        (_SHIP_CLASSES, "ship_type", "ship-type"),
        (_VEHICLE_TYPES, "vehicle_type", "vehicle-type"),
        (_WEAPON_TYPES, "weapon_type", "weapon-type"),
    ):
        for n in range(5 * len(kinds)):
            equipment = f"{prefix}-{n:02d}"
            what = kinds[n % len(kinds)]
            record = {"id": equipment, "name": f"{names.take(2)}-class {what}", "kind": kind}
            _add(world, world.equipment_types, record)


def _assets(world: World, rng: random.Random, names: NamePool, size: WorldSize) -> None:
    location_name = {r["id"]: r["name"] for r in world.locations}
    free = {
        "site": rng.sample(world.sites, len(world.sites)),
        "city": rng.sample(world.cities, len(world.cities)),
    }
    for kind, prefix, count, where, label in (
        ("air_base", "air-base", size.air_bases, "site", "Air Base"),
        ("airport", "airport", size.airports, "city", "International Airport"),
        ("naval_base", "naval-base", size.naval_bases, "site", "Naval Base"),
        ("port", "port", size.ports, "city", "Port"),
        ("military_base", "military-base", size.military_bases, "site", "Garrison"),
    ):
        for n in range(count):
            place = free[where].pop()
            asset = f"{prefix}-{n:03d}"
            record: Record = {
                "id": asset,
                "name": f"{location_name[place].split()[0]} {label}",
                "kind": kind,
                "located_at": place,
            }
            if rng.random() < 0.25:
                record["aliases"] = [f"{names.take(2)} {label.split()[0]}"]
            _add(world, world.assets, record)
            (world.airfields if kind in ("air_base", "airport") else world.bases).append(asset)
    ship_types = [r["id"] for r in world.equipment_types if r["kind"] == "ship_type"]
    for n in range(size.airframes):
        force = world.air_forces[n % size.countries]
        equipment = world.aircraft_types[rng.randrange(len(world.aircraft_types))]
        country = int(force.rsplit("-", 1)[1])
        registration = f"{chr(65 + country // 26)}{chr(65 + country % 26)}-{10000 + n:05d}"
        asset = f"airframe-{n:04d}"
        _add(
            world,
            world.assets,
            {
                "id": asset,
                "name": f"{world.name_of[equipment]} {registration}",
                "kind": "aircraft",
                "instance_of": equipment,
                "registration": registration,
            },
        )
        world.airframes_of.setdefault(force, []).append(asset)
        world.type_of[asset] = equipment
    for n in range(size.ships):
        equipment = ship_types[n % len(ship_types)]
        asset = f"ship-{n:04d}"
        _add(
            world,
            world.assets,
            {
                "id": asset,
                "name": names.take(2),
                "kind": "ship",
                "instance_of": equipment,
                "registration": f"{100 + n}",
            },
        )
        world.ships.append(asset)
        world.type_of[asset] = equipment


def _sources(world: World, rng: random.Random, names: NamePool, size: WorldSize) -> None:
    n = 0
    for kind, count in size.sources_per_kind:
        for _ in range(count):
            source = f"source-{n:03d}"
            grade = rng.choices("ABCDEF", weights=(1, 5, 5, 3, 1, 2))[0]
            record: Record = {"id": source, "name": "", "kind": kind, "reliability": grade}
            if kind == "news_outlet":
                record["name"] = f"The {names.take(2)} {rng.choice(('Times', 'Post', 'Herald'))}"
            elif kind == "data_service":
                record["name"] = f"{names.take(2)}Track"
            elif kind in ("official", "person"):
                person = world.persons[(n * 13) % len(world.persons)]
                record["name"] = f"{world.name_of[person]} ({kind})"
                record["actor"] = person
                record["anonymous"] = world.name_of[person].startswith("Unnamed")
            elif kind == "organisation":
                record["name"] = f"{names.take(2)} Conflict Monitor"
            else:
                record["name"] = f"@{names.take(2).lower()}_osint"
            record["reliability_note"] = _RELIABILITY_NOTES[grade]
            _add(world, world.sources, record)
            world.source_ids.append(source)
            n += 1


def _claims(world: World, rng: random.Random, text: str) -> list[Record]:
    picks = rng.sample(world.source_ids, rng.choice((1, 1, 2)))
    return [
        {"source": source, "credibility": rng.choice((1, 2, 2, 3, 3, 4)), "paraphrase": text}
        for source in picks
    ]


def _relations(world: World, rng: random.Random) -> None:
    def relate(kind: str, source: str, target: str, text: str) -> None:
        record: Record = {
            "id": f"relation-{len(world.relations):04d}",
            "type": kind,
            "from": source,
            "to": target,
            "since": str(rng.randrange(1995, 2023)),
        }
        if rng.random() < 0.1:
            record["until"] = str(rng.randrange(2023, 2026))
        record["claims"] = _claims(world, rng, text)
        world.relations.append(record)

    for state, force, navy in zip(world.states, world.air_forces, world.navies, strict=True):
        relate("part_of", force, state, "The air force is the state's.")
        relate("part_of", navy, state, "The navy is the state's.")
    for force, units in world.units_of.items():
        for unit in units:
            relate("part_of", unit, force, "The unit belongs to this armed force.")
            base = rng.choice(world.airfields if force.startswith("air") else world.bases)
            relate("stationed_at", unit, base, "The unit is based here.")
    for force in world.air_forces:
        for base in rng.sample(world.airfields, 3):
            relate("operates", force, base, "The air force flies from this base.")
    for group in world.armed_groups:
        relate("supports", rng.choice(world.states), group, "The state arms the group.")
        relate("opposes", group, rng.choice(world.governments), "The group fights the government.")
    for n, state in enumerate(world.states):
        relate("allied_with", state, world.states[(n + 5) % len(world.states)], "An alliance.")


def _bursts(world: World, rng: random.Random) -> None:
    """Provinces whose air bases see a build-up, each in its own four-week window."""
    located = {r["id"]: r.get("located_at") for r in world.assets}
    province_of = {r["id"]: r.get("within") for r in world.locations}
    bases_in: dict[str, list[str]] = {}
    for asset in world.airfields:
        if asset.startswith("air-base"):
            province = province_of[located[asset]]
            bases_in.setdefault(str(province), []).append(asset)
    candidates = sorted(p for p, bases in bases_in.items() if len(bases) >= 2)
    weeks = PERIOD_DAYS // 7
    for n, province in enumerate(rng.sample(candidates, BURSTS)):
        week = (n * weeks) // BURSTS + rng.randrange(8, weeks // BURSTS - BURST_WEEKS - 4)
        sites = tuple(sorted({str(located[base]) for base in bases_in[province]}))
        world.bursts.append(
            Burst(province, tuple(bases_in[province]), sites, PERIOD_START + timedelta(weeks=week))
        )
