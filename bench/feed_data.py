"""Synthetic feed files for the feed benchmark: a GDELT 2.0 day and an ACLED export.

Written from the published field lists (the GDELT 2.0 Event Database and mentions codebooks,
ACLED's codebook), seeded and deterministic; every value is made up (URLs under example.com,
place and actor names built from syllables, feature ids invented):

    var/bench/data/feeds/gdelt-<events>-seed<S>/files/   YYYYMMDDHHMMSS.export.CSV.zip and
                                                         YYYYMMDDHHMMSS.mentions.CSV.zip pairs
    var/bench/data/feeds/acled-<rows>-seed<S>/acled.csv

A GDELT day is 96 fifteen-minute pairs of about `EVENTS_PER_SLOT` events each, as GDELT ships
them; fewer events make fewer pairs of the same size (half the day is its first 48 pairs),
so a smaller day differs from the whole one in how many files the import holds across, not in
how big each is. Events cite actors from a pool of a few thousand and places from a pool whose
feature ids recur; CAMEO root codes follow the skew of GDELT's (verbal cooperation and
consultation most, mass violence least); each event has one mention or more (`MENTIONS_PER_EVENT`
on average), the first its own article in its own slot, later ones up to two hours later.
The manifest (`feeds.json`, beside the files, not among them: the folder is imported whole)
says what the files hold and is what the importer's counts are checked against.
"""

import csv
import io
import math
import random
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from eventgraph.graph.feeds.acled import COLUMNS as ACLED_COLUMNS
from eventgraph.graph.feeds.gdelt import EVENT_COLUMNS, MENTION_COLUMNS

FEED_DATA_VERSION = 2
"""Bumped when the generators change, so a cached file set is made again."""
MANIFEST = "feeds.json"
GDELT_FILES = "files"
DAY = datetime(2025, 10, 26, tzinfo=UTC)
SLOTS_PER_DAY = 96
GDELT_DAY_EVENTS = 150_000
EVENTS_PER_SLOT = math.ceil(GDELT_DAY_EVENTS / SLOTS_PER_DAY)
MENTIONS_PER_EVENT = 10 / 3
"""About 500k mentions for a day's 150k events."""
ACTORS = 3_000
PLACES = 5_000
ARTICLES_PER_MENTION = 1 / 4
"""An article mentions about four events (GDELT codes several events from one article)."""
LATER_MENTION_SLOTS = 8

# CAMEO root code → (share of events, QuadClass, Goldstein value, codes under it).
_CAMEO: dict[str, tuple[float, int, float, tuple[str, ...]]] = {
    "01": (13.0, 1, 0.0, ("010", "011", "012", "013", "014", "015", "016", "017", "018")),
    "02": (6.0, 1, 3.0, ("020", "021", "0211", "0214", "022", "023", "0231", "024", "025")),
    "03": (7.0, 1, 4.0, ("030", "031", "0311", "032", "033", "0331", "034", "036", "037")),
    "04": (17.0, 1, 1.0, ("040", "041", "042", "043", "044", "045", "046")),
    "05": (6.0, 1, 3.5, ("050", "051", "052", "053", "054", "055", "056", "057")),
    "06": (2.0, 2, 6.0, ("060", "061", "062", "063", "064")),
    "07": (2.5, 2, 7.0, ("070", "071", "072", "073", "074", "075")),
    "08": (2.0, 2, 5.0, ("080", "081", "0811", "082", "083", "084", "085", "086", "087")),
    "09": (2.0, 3, -2.0, ("090", "091", "092", "093", "094")),
    "10": (2.0, 3, -5.0, ("100", "101", "102", "103", "104", "105", "106", "107", "108")),
    "11": (5.0, 3, -2.0, ("110", "111", "112", "1121", "113", "114", "115", "116")),
    "12": (3.0, 3, -4.0, ("120", "121", "122", "123", "124", "125", "126", "127", "128")),
    "13": (3.0, 3, -6.0, ("130", "131", "132", "133", "134", "135", "136", "137", "138")),
    "14": (2.0, 4, -6.5, ("140", "141", "1411", "142", "143", "144", "145")),
    "15": (0.7, 4, -7.2, ("150", "151", "152", "153", "154", "155")),
    "16": (1.5, 4, -5.0, ("160", "161", "162", "163", "164", "165", "166")),
    "17": (6.0, 4, -7.0, ("170", "171", "172", "173", "174", "175", "176")),
    "18": (3.0, 4, -9.0, ("180", "181", "182", "1821", "183", "1831", "184", "185", "186")),
    "19": (8.0, 4, -10.0, ("190", "191", "192", "193", "194", "195", "1951", "196")),
    "20": (0.3, 4, -10.0, ("200", "201", "202", "203", "204", "2041")),
}
_ACTOR_TYPES = ("GOV", "MIL", "COP", "JUD", "BUS", "MED", "OPP", "REB", "CVL", "EDU", "LEG")
_GEO_TYPES = (("1", 25), ("2", 4), ("3", 9), ("4", 52), ("5", 10))
_SYLLABLES = ("ka", "ro", "mi", "sa", "tel", "var", "don", "bek", "li", "za", "nor", "ash")


@dataclass(frozen=True)
class _Country:
    iso3: str
    fips: str
    iso_number: int
    name: str
    region: str
    lat: float
    lon: float


_COUNTRIES = (
    _Country("SYR", "SY", 760, "Syria", "Middle East", 35.0, 38.5),
    _Country("RUS", "RS", 643, "Russia", "Europe", 55.7, 37.6),
    _Country("UKR", "UP", 804, "Ukraine", "Europe", 49.0, 31.4),
    _Country("USA", "US", 840, "United States", "North America", 38.9, -77.0),
    _Country("ISR", "IS", 376, "Israel", "Middle East", 31.8, 35.2),
    _Country("IRN", "IR", 364, "Iran", "Middle East", 35.7, 51.4),
    _Country("NGA", "NI", 566, "Nigeria", "Western Africa", 9.1, 7.5),
    _Country("SDN", "SU", 729, "Sudan", "Northern Africa", 15.5, 32.5),
    _Country("MMR", "BM", 104, "Myanmar", "Southeast Asia", 19.8, 96.1),
    _Country("COL", "CO", 170, "Colombia", "South America", 4.7, -74.1),
    _Country("IND", "IN", 356, "India", "South Asia", 28.6, 77.2),
    _Country("CHN", "CH", 156, "China", "East Asia", 39.9, 116.4),
    _Country("TUR", "TU", 792, "Turkey", "Middle East", 39.9, 32.9),
    _Country("MEX", "MX", 484, "Mexico", "Central America", 19.4, -99.1),
    _Country("PAK", "PK", 586, "Pakistan", "South Asia", 33.7, 73.1),
    _Country("YEM", "YM", 887, "Yemen", "Middle East", 15.4, 44.2),
)


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _weighted(rng: random.Random, choices: Sequence[tuple[str, float]]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    (directory / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of a generated file set, None when absent or from another generator."""
    path = directory / MANIFEST
    if not path.exists():
        return None
    manifest: dict[str, Any] = orjson.loads(path.read_bytes())
    return manifest if manifest.get("version") == FEED_DATA_VERSION else None


# GDELT ---------------------------------------------------------------------------------------


def _gdelt_actors(rng: random.Random) -> list[dict[str, str]]:
    """States, their institutions by CAMEO type code, and named people and groups."""
    actors = []
    for country in _COUNTRIES:
        actors.append(
            {"Code": country.iso3, "Name": country.name.upper(), "CountryCode": country.iso3}
        )
        for kind in _ACTOR_TYPES:
            actors.append(
                {
                    "Code": country.iso3 + kind,
                    "Name": country.name.upper(),
                    "CountryCode": country.iso3,
                    "Type1Code": kind,
                }
            )
    while len(actors) < ACTORS:
        country = rng.choice(_COUNTRIES)
        kind = rng.choice(_ACTOR_TYPES)
        actor = {
            "Code": country.iso3 + kind,
            "Name": f"{_name(rng, 2)} {_name(rng, 3)}".upper(),
            "CountryCode": country.iso3,
            "Type1Code": kind,
        }
        if rng.random() < 0.1:
            actor["Type2Code"] = rng.choice(_ACTOR_TYPES)
        if rng.random() < 0.05:
            actor["KnownGroupCode"] = rng.choice(("UNO", "NATO", "EUR", "ARL", "HMS", "TAL"))
        if rng.random() < 0.05:
            actor["Religion1Code"] = rng.choice(("CHR", "MOS", "JEW", "BUD", "HIN"))
        actors.append(actor)
    return actors


def _gdelt_places(rng: random.Random) -> list[dict[str, str]]:
    """Places of every Geo_Type, each with its own feature id (a country's is its FIPS code,
    an ADM1's its ADM1 code, a city's a number, as GDELT's are)."""
    places = []
    for number in range(PLACES):
        country = _COUNTRIES[number % len(_COUNTRIES)]
        geo_type = _weighted(rng, _GEO_TYPES)
        adm1 = f"{country.fips}{rng.randint(1, 40):02d}"
        lat = round(max(-89.9, min(89.9, country.lat + rng.uniform(-4, 4))), 4)
        lon = round(max(-179.9, min(179.9, country.lon + rng.uniform(-4, 4))), 4)
        if geo_type == "1":
            name, feature, adm1, lat, lon = (
                country.name,
                country.fips,
                country.fips,
                country.lat,
                country.lon,
            )
        elif geo_type in ("2", "5"):
            name, feature = f"{_name(rng, 3)}, {country.name}", adm1
        else:
            name, feature = (
                f"{_name(rng, 3)}, {_name(rng, 2)}, {country.name}",
                str(-rng.randint(1, 9_999_999)),
            )
        places.append(
            {
                "Type": geo_type,
                "FullName": name,
                "CountryCode": country.fips,
                "ADM1Code": adm1,
                "ADM2Code": f"{adm1}{rng.randint(1, 99):03d}" if geo_type in ("3", "4") else "",
                "Lat": str(lat),
                "Long": str(lon),
                "FeatureID": feature,
            }
        )
    return places


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%d%H%M%S")


def _zip(path: Path, member: str, lines: list[str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(member, "".join(lines))
    path.write_bytes(buffer.getvalue())


@dataclass
class _Event:
    cells: dict[str, str]
    mentions: int


def _cameo(rng: random.Random) -> tuple[str, str, str, int, float]:
    root = rng.choices(list(_CAMEO), [share for share, *_ in _CAMEO.values()])[0]
    _, quad, goldstein, codes = _CAMEO[root]
    code = rng.choice(codes)
    return code, code[:3], root, quad, goldstein


def _gdelt_event(
    rng: random.Random,
    event_id: int,
    added: datetime,
    actors: list[dict[str, str]],
    places: list[dict[str, str]],
) -> _Event:
    code, base, root, quad, goldstein = _cameo(rng)
    back = 0 if rng.random() < 0.8 else rng.randint(1, 30)
    day = (added - timedelta(days=back)).date()
    cells = {column: "" for column in EVENT_COLUMNS}
    cells.update(
        GLOBALEVENTID=str(event_id),
        SQLDATE=day.strftime("%Y%m%d"),
        MonthYear=day.strftime("%Y%m"),
        Year=str(day.year),
        FractionDate=f"{day.year + (day.timetuple().tm_yday - 1) / 365:.4f}",
        IsRootEvent=str(int(rng.random() < 0.6)),
        EventCode=code,
        EventBaseCode=base,
        EventRootCode=root,
        QuadClass=str(quad),
        GoldsteinScale=f"{goldstein:.1f}",
        AvgTone=f"{rng.uniform(-9, 4):.6f}",
        DATEADDED=_stamp(added),
    )
    # Actors follow a long tail: a few dozen states and institutions are in most events.
    for which, missing in (("Actor1", 0.05), ("Actor2", 0.25)):
        if rng.random() < missing:
            continue
        actor = (
            actors[min(int(rng.paretovariate(1.2)) - 1, len(actors) - 1)]
            if rng.random() < 0.5
            else rng.choice(actors)
        )
        for field, value in actor.items():
            cells[f"{which}{field}"] = value
    for block in ("Actor1Geo_", "Actor2Geo_", "ActionGeo_"):
        if block == "ActionGeo_" and rng.random() < 0.03:
            cells["ActionGeo_Type"] = "0"
            continue
        if block != "ActionGeo_" and not cells[block.replace("Geo_", "Code")]:
            continue
        place = rng.choice(places)
        for field, value in place.items():
            cells[block + field] = value
    # Rounded, not truncated: the mean stays MENTIONS_PER_EVENT (truncating gave 2.9).
    mentions = 1 + min(round(rng.expovariate(1 / (MENTIONS_PER_EVENT - 1))), 60)
    sources = max(1, mentions - rng.randint(0, mentions // 2))
    cells.update(NumMentions=str(mentions), NumSources=str(sources), NumArticles=str(mentions))
    return _Event(cells, mentions)


def _mention_row(
    rng: random.Random, event: _Event, when: datetime, article: str, first: bool
) -> str:
    outlet = article.split("/")[2]
    cells = {column: "" for column in MENTION_COLUMNS}
    cells.update(
        GLOBALEVENTID=event.cells["GLOBALEVENTID"],
        EventTimeDate=event.cells["DATEADDED"],
        MentionTimeDate=_stamp(when),
        MentionType="1" if first or rng.random() < 0.95 else "2",
        MentionSourceName=outlet,
        MentionIdentifier=article,
        SentenceID=str(rng.randint(1, 40)),
        Actor1CharOffset=str(rng.randint(-1, 4000)),
        Actor2CharOffset=str(rng.randint(-1, 4000)),
        ActionCharOffset=str(rng.randint(0, 4000)),
        InRawText=str(int(rng.random() < 0.7)),
        Confidence=str(rng.choice((10, 20, 30, 40, 50, 60, 70, 80, 90, 100))),
        MentionDocLen=str(rng.randint(500, 12000)),
        MentionDocTone=f"{rng.uniform(-9, 4):.6f}",
    )
    return "\t".join(cells[column] for column in MENTION_COLUMNS) + "\n"


def generate_gdelt(directory: Path, events: int, seed: int) -> dict[str, Any]:
    """A GDELT day of `events` events (in ceil(events / EVENTS_PER_SLOT) fifteen-minute pairs,
    at most 96) and their mentions, into `directory / GDELT_FILES`; its manifest."""
    rng = random.Random(seed)
    files = directory / GDELT_FILES
    files.mkdir(parents=True, exist_ok=True)
    actors, places = _gdelt_actors(rng), _gdelt_places(rng)
    slots = min(SLOTS_PER_DAY, max(1, math.ceil(events / EVENTS_PER_SLOT)))
    times = [DAY + timedelta(minutes=15 * slot) for slot in range(slots)]
    per_slot = [events // slots + (1 if slot < events % slots else 0) for slot in range(slots)]
    # Mentions are drawn first (slot of each), then articles per slot: each article is cited
    # by about four mentions of that slot, the first mention of an event is its own article.
    pending: dict[int, list[tuple[_Event, bool]]] = defaultdict(list)
    next_id = 1_250_000_000 + seed * 10_000_000
    mentions = 0
    for slot, count in enumerate(per_slot):
        slot_events = []
        for _ in range(count):
            event = _gdelt_event(rng, next_id, times[slot], actors, places)
            next_id += 1
            slot_events.append(event)
            pending[slot].append((event, True))
            for _ in range(event.mentions - 1):
                later = 0 if rng.random() < 0.6 else rng.randint(1, LATER_MENTION_SLOTS)
                pending[min(slots - 1, slot + later)].append((event, False))
        articles = [
            f"https://news{rng.randint(1, 400)}.example.com/{times[slot]:%Y/%m/%d}/s{slot}-a{n}"
            for n in range(max(1, round(len(pending[slot]) * ARTICLES_PER_MENTION)))
        ]
        rows = []
        used: dict[str, set[str]] = defaultdict(set)
        for event, first in pending.pop(slot):
            event_id = event.cells["GLOBALEVENTID"]
            article = rng.choice(articles)
            while event_id in used[article]:  # one mention of an event per article
                article = f"{article}x"
            used[article].add(event_id)
            if first:
                event.cells["SOURCEURL"] = article
            rows.append(_mention_row(rng, event, times[slot], article, first))
        mentions += len(rows)
        stamp = _stamp(times[slot])
        lines = ["\t".join(e.cells[c] for c in EVENT_COLUMNS) + "\n" for e in slot_events]
        _zip(files / f"{stamp}.export.CSV.zip", f"{stamp}.export.CSV", lines)
        _zip(files / f"{stamp}.mentions.CSV.zip", f"{stamp}.mentions.CSV", rows)
    manifest = {
        "version": FEED_DATA_VERSION,
        "feed": "gdelt",
        "seed": seed,
        "events": events,
        "mentions": mentions,
        "files": 2 * slots,
        "bytes": sum(path.stat().st_size for path in files.glob("*.zip")),
    }
    _write_manifest(directory, manifest)
    return manifest


# ACLED ---------------------------------------------------------------------------------------

_ACLED_KINDS = (
    (("Battles", "Armed clash"), 22.0),
    (("Battles", "Government regains territory"), 1.0),
    (("Battles", "Non-state actor overtakes territory"), 1.0),
    (("Explosions/Remote violence", "Shelling/artillery/missile attack"), 14.0),
    (("Explosions/Remote violence", "Air/drone strike"), 8.0),
    (("Explosions/Remote violence", "Remote explosive/landmine/IED"), 3.0),
    (("Explosions/Remote violence", "Grenade"), 0.5),
    (("Explosions/Remote violence", "Suicide bomb"), 0.2),
    (("Violence against civilians", "Attack"), 9.0),
    (("Violence against civilians", "Abduction/forced disappearance"), 2.0),
    (("Violence against civilians", "Sexual violence"), 0.3),
    (("Protests", "Peaceful protest"), 24.0),
    (("Protests", "Protest with intervention"), 2.0),
    (("Protests", "Excessive force against protesters"), 0.3),
    (("Riots", "Violent demonstration"), 4.0),
    (("Riots", "Mob violence"), 2.0),
    (("Strategic developments", "Arrests"), 2.0),
    (("Strategic developments", "Looting/property destruction"), 1.5),
    (("Strategic developments", "Change to group/activity"), 1.5),
    (("Strategic developments", "Disrupted weapons use"), 1.0),
    (("Strategic developments", "Agreement"), 0.3),
    (("Strategic developments", "Headquarters or base established"), 0.2),
    (("Strategic developments", "Non-violent transfer of territory"), 0.2),
    (("Strategic developments", "Other"), 0.5),
)
_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Political violence; Demonstrations",
    "Strategic developments": "Strategic developments",
}
_INTER_NAMES = (
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
)
_GROUPS = ("Militia", "Brigade", "Front", "Movement")
_SCALES = ("National", "Subnational", "International", "Local partner-National", "Regional")


def _acled_actors(rng: random.Random) -> list[tuple[str, str]]:
    """(name, inter code) of a few thousand actors, as ACLED names them."""
    actors = []
    for country in _COUNTRIES:
        actors.append((f"Military Forces of {country.name} (2000-)", "1"))
        actors.append((f"Police Forces of {country.name} (2000-)", "1"))
        actors.append((f"Protesters ({country.name})", "6"))
        actors.append((f"Rioters ({country.name})", "5"))
        actors.append((f"Civilians ({country.name})", "7"))
        actors.append((f"Unidentified Armed Group ({country.name})", "3"))
    while len(actors) < ACTORS:
        country = rng.choice(_COUNTRIES)
        inter = rng.choice("23448")
        actors.append(
            (
                f"{_name(rng, 3)} {rng.choice(_GROUPS)} ({country.name})",
                inter,
            )
        )
    return actors


def _acled_places(rng: random.Random) -> list[dict[str, str]]:
    places = []
    for number in range(PLACES):
        country = _COUNTRIES[number % len(_COUNTRIES)]
        admin1 = f"{_name(rng, 2)} {number % 17}"
        places.append(
            {
                "iso": str(country.iso_number),
                "region": country.region,
                "country": country.name,
                "admin1": admin1,
                "admin2": _name(rng, 3) if rng.random() < 0.9 else "",
                "admin3": _name(rng, 2) if rng.random() < 0.5 else "",
                "location": f"{_name(rng, 3)} {number}",
                "latitude": f"{country.lat + rng.uniform(-4, 4):.4f}",
                "longitude": f"{country.lon + rng.uniform(-4, 4):.4f}",
                "_iso3": country.iso3,
            }
        )
    return places


def generate_acled(directory: Path, rows: int, seed: int) -> dict[str, Any]:
    """An ACLED export of `rows` events (`acled.csv`, codebook column order); its manifest."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    actors, places = _acled_actors(rng), _acled_places(rng)
    counters: dict[str, int] = defaultdict(int)
    with (directory / "acled.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ACLED_COLUMNS)
        for _ in range(rows):
            place = rng.choice(places)
            (event_type, sub_type) = rng.choices(
                [kind for kind, _ in _ACLED_KINDS], [w for _, w in _ACLED_KINDS]
            )[0]
            day = DAY - timedelta(days=rng.randint(0, 364))
            counters[place["_iso3"]] += 1
            actor1, inter1 = rng.choice(actors)
            actor2, inter2 = ("", "") if rng.random() < 0.3 else rng.choice(actors)
            violent = _DISORDER[event_type].startswith("Political")
            fatalities = min(int(rng.expovariate(0.5)), 200) if violent else 0
            cells = {
                **{k: v for k, v in place.items() if not k.startswith("_")},
                "event_id_cnty": f"{place['_iso3']}{counters[place['_iso3']]}",
                "event_date": day.date().isoformat(),
                "year": str(day.year),
                "time_precision": _weighted(rng, (("1", 85), ("2", 12), ("3", 3))),
                "disorder_type": _DISORDER[event_type],
                "event_type": event_type,
                "sub_event_type": sub_type,
                "actor1": actor1,
                "assoc_actor_1": rng.choice(actors)[0] if rng.random() < 0.15 else "",
                "inter1": inter1,
                "actor2": actor2,
                "assoc_actor_2": rng.choice(actors)[0] if actor2 and rng.random() < 0.1 else "",
                "inter2": inter2,
                "interaction": f"{_INTER_NAMES[int(inter1) - 1]}-"
                + (_INTER_NAMES[int(inter2) - 1] if inter2 else "only"),
                "civilian_targeting": "Civilian targeting" if rng.random() < 0.1 else "",
                "geo_precision": _weighted(rng, (("1", 70), ("2", 22), ("3", 8))),
                "source": "; ".join(
                    f"{_name(rng, 2)} News" for _ in range(1 + int(rng.random() < 0.3))
                ),
                "source_scale": rng.choice(_SCALES),
                "notes": f"On {day.date().isoformat()}, {actor1} {sub_type.lower()} near "
                f"{place['location']} ({place['admin1']}). {fatalities} reported fatalities.",
                "fatalities": str(fatalities),
                "tags": "crowd size=no report" if event_type == "Protests" else "",
                "timestamp": str(int((day + timedelta(days=7)).timestamp())),
            }
            writer.writerow([cells[column] for column in ACLED_COLUMNS])
    manifest = {
        "version": FEED_DATA_VERSION,
        "feed": "acled",
        "seed": seed,
        "events": rows,
        "bytes": (directory / "acled.csv").stat().st_size,
    }
    _write_manifest(directory, manifest)
    return manifest
