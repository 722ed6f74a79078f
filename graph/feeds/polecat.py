"""POLECAT: PLOVER-coded political events (the successor of ICEWS), tab-separated with a header.

Each row is one event (`Event ID`), machine-coded from one news story: a PLOVER event type,
mode and contexts, an actor and a recipient (names resolved to Wikipedia, with country and
sectors), and a place geocoded to GeoNames (its id, point and feature type). The columns are
read by the header's names, in any order (`COLUMNS`, the order of the POLECAT files).
docs/feeds.md says what lands where and why.
"""

import re
from datetime import date, datetime
from typing import Any

from eventgraph.graph import ontology
from eventgraph.graph.feeds.external import external_ids
from eventgraph.graph.feeds.registry import FeedFile, Format, Table
from eventgraph.graph.feeds.roles import acting_roles
from eventgraph.graph.feeds.rows import Row, header_names, header_rows, slug
from eventgraph.graph.feeds.sources import FEEDS, dataset_report, source_record

FEED = FEEDS["polecat"]

COLUMNS: tuple[str, ...] = (
    "Event ID",
    "Event Date",
    "Event Type",
    "Event Mode",
    "Intensity",
    "Quad Code",
    "Contexts",
    "Actor Name",
    "Actor Country",
    "Actor COW",
    "Primary Actor Sector",
    "Actor Sectors",
    "Actor Title",
    "Actor Name Raw",
    "Wikipedia Actor ID",
    "Recipient Name",
    "Recipient Country",
    "Recipient COW",
    "Primary Recipient Sector",
    "Recipient Sectors",
    "Recipient Title",
    "Recipient Name Raw",
    "Wikipedia Recipient ID",
    "Placename",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
    "GeoNames ID",
    "Raw Placename",
    "Feature Type",
    "Source",
    "Publication Date",
    "Story People",
    "Story Organizations",
    "Story Locations",
    "Language",
    "Version",
)
"""The columns of a POLECAT file, in its order (any order is read, by the header)."""
REQUIRED = ("Event ID", "Event Date", "Event Type", "Latitude", "Longitude", "GeoNames ID")
"""Columns without which a file is refused: the rest may be missing from older releases."""

GENERIC_TYPE = "assessment"
"""The type of a PLOVER event type no type of ours fits (it is kept, `plover_event_type`)."""
EVENT_TYPES: dict[str, str] = {
    "ASSAULT": "attack",
    "COERCE": GENERIC_TYPE,
    "MOBILIZE": "deployment",
    "RETREAT": "deployment",
    "THREATEN": "signal",
    "PROTEST": "signal",
    "SANCTION": "political_development",
    "AGREE": "political_development",
    "CONCEDE": "political_development",
    "COOPERATE": "political_development",
    "CONSULT": "political_development",
    "AID": "political_development",
    "SUPPORT": "statement",
    "REQUEST": "statement",
    "ACCUSE": "statement",
    "REJECT": "comment_refusal",
}
"""PLOVER event type → our event type: every one of PLOVER's sixteen. An unknown type is kept
with the generic type, never dropped."""

SITE_FEATURES = frozenset({"AIRB", "AIRF", "AIRH", "AIRP", "MILB", "INSM", "PRT", "HBR", "BDG"})
"""GeoNames feature codes of a site (an air base, airport, port, bridge): its own point."""
_REGIONS = frozenset({"RGN", "RGNE", "CONT", "AREA", "ZN"})


def place_precision(feature: str) -> ontology.PlacePrecision:
    """Our precision of a POLECAT place, from its GeoNames feature code (`PPLA` → city): a
    country, a first-level division, a lower division, a populated place, a site; a code that
    says none of these is taken as no more precise than a province."""
    code = feature.strip().upper()
    if code.startswith("PCL"):
        return ontology.PlacePrecision.COUNTRY
    if code == "ADM1":
        return ontology.PlacePrecision.PROVINCE
    if re.fullmatch(r"ADM[2-5]H?|ADMD", code):
        return ontology.PlacePrecision.DISTRICT
    if code.startswith("PPL"):
        return ontology.PlacePrecision.CITY
    if code in SITE_FEATURES:
        return ontology.PlacePrecision.SITE
    if code in _REGIONS:
        return ontology.PlacePrecision.REGION
    return ontology.PlacePrecision.PROVINCE


_SPLIT = re.compile(r"\s*;\s*")


def _listed(text: str) -> list[str]:
    return [item for item in _SPLIT.split(text) if item] if text else []


def _day(text: str) -> date | None:
    """`2025-10-26` (a time after the day, as in some releases' publication dates, is cut)."""
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").date() if len(text) >= 10 else None
    except ValueError:
        return None


def _is_events(rows: Any) -> bool:
    if not isinstance(rows, list) or not rows:
        return False
    names = set(header_names(rows[0]))
    return {"event id", "event date", "event type", "actor name", "recipient name"} <= names


def _cell(row: Row, column: str) -> str:
    return row.cells.get(column, "")


def _actor_kind(sector: str) -> str:
    lowered = sector.lower()
    if "military" in lowered:
        return "armed_force"
    if any(word in lowered for word in ("rebel", "insurgent", "militia", "terror")):
        return "armed_group"
    if any(word in lowered for word in ("government", "executive", "legislative", "police")):
        return "government"
    return "group"


def _parties(row: Row, file: FeedFile, party: str) -> list[tuple[str, str]]:
    """(our id, name) of each actor (or recipient) the row names, several if `;`-separated:
    one `Actor` per name, country and primary sector."""
    names = _listed(_cell(row, f"{party} Name"))
    countries = _listed(_cell(row, f"{party} Country"))
    sectors = _listed(_cell(row, f"Primary {party} Sector"))
    found = []
    for index, name in enumerate(names):
        country = countries[index] if len(countries) == len(names) else ";".join(countries)
        sector = sectors[index] if len(sectors) == len(names) else ";".join(sectors)
        feed_id = f"actor/{slug(country or '-')}/{slug(sector or '-')}/{slug(name)}"
        title = _cell(row, f"{party} Title")
        actor: dict[str, Any] = {
            "id": FEED.record_id(feed_id),
            "name": name,
            "kind": _actor_kind(sector),
            "description": f"An actor as {FEED.title} resolves it"
            + (f" ({title})" if title and len(names) == 1 else "")
            + ".",
            "feed": FEED.name,
            "feed_id": feed_id,
            "country_code": country or None,
            "plover_sector": sector or None,
            "plover_sectors": _listed(_cell(row, f"{party} Sectors")) or None,
            "wikipedia_id": (_cell(row, f"Wikipedia {party} ID") or None)
            if len(names) == 1
            else None,
        }
        record = {key: value for key, value in actor.items() if value is not None}
        found.append((file.add_once("actors", record), name))
    return found


def _place(row: Row, lat: float, lon: float) -> tuple[dict[str, Any], ontology.PlacePrecision]:
    """The location, keyed by its GeoNames id; its precision from the feature type."""
    geonames = row["GeoNames ID"]
    precision = place_precision(_cell(row, "Feature Type"))
    within = ", ".join(
        _cell(row, column) for column in ("District", "Province", "Country") if _cell(row, column)
    )
    feed_id = f"place/{geonames}"
    place = {
        "id": FEED.record_id(feed_id),
        "name": _cell(row, "Placename") or _cell(row, "City") or geonames,
        "kind": precision.value,
        "description": f"A {FEED.title} place, GeoNames {geonames}"
        + (f", feature {_cell(row, 'Feature Type')}" if _cell(row, "Feature Type") else "")
        + (f", in {within}" if within else "")
        + ".",
        "point": {"lat": lat, "lon": lon, "precision": precision.value},
        "feed": FEED.name,
        "feed_id": feed_id,
        **external_ids(("geonames", geonames)),
    }
    return place, precision


DATASET_REPORT = dataset_report(
    FEED, f"{FEED.title}'s data set, released in weekly files and revised in place."
)


def _read_event(row: Row, file: FeedFile) -> None:
    event_id = row["Event ID"]
    if not event_id:
        row.bad("Event ID", "missing: POLECAT's id of the event")
    day = row.parsed("Event Date", _day, "a date (YYYY-MM-DD)")
    plover = row["Event Type"]
    if not plover:
        row.bad("Event Type", "missing: the PLOVER event type")
    if row["GeoNames ID"] and not row["GeoNames ID"].isdigit():
        row.bad("GeoNames ID", f"'{row['GeoNames ID']}' is not a GeoNames id (digits)")
    lat = row.number("Latitude", -90, 90)
    lon = row.number("Longitude", -180, 180)
    intensity = row.number("Intensity", -100, 100) if "Intensity" in row.cells else None
    published = None
    if _cell(row, "Publication Date"):
        published = row.parsed("Publication Date", _day, "a date (YYYY-MM-DD)")
    if not row.good or day is None:
        return
    event_type = EVENT_TYPES.get(plover.upper(), GENERIC_TYPE)
    first, second = acting_roles(event_type)
    participants, names = [], []
    for party, role in (("Actor", first), ("Recipient", second)):
        for ref, name in _parties(row, file, party):
            participants.append({"role": role, "ref": ref})
            names.append(name)
    mode = _cell(row, "Event Mode")
    contexts = _listed(_cell(row, "Contexts"))
    place = None
    if row["GeoNames ID"] and lat is not None and lon is not None:
        place = _place(row, lat, lon)
    where = f"{place[0]['name']}, " if place else ""
    who = ", ".join(names) or "someone"
    name = f"{plover.upper()}: {who} ({where}{day.isoformat()})"
    file.add_once("sources", source_record(FEED, file.grading_of(FEED)))
    file.add_once("reports", DATASET_REPORT)
    grading = file.grading_of(FEED)
    outlet = _cell(row, "Source") or "no outlet named"
    claim: dict[str, Any] = {
        "source": FEED.source_id,
        "report": DATASET_REPORT["id"],
        "credibility": grading.credibility.value,
        "paraphrase": f"{FEED.title} coded a story from {outlet} as: {name}"
        + (f", mode {mode}" if mode else "")
        + (f", contexts {', '.join(contexts)}" if contexts else "")
        + ".",
        "grading_note": f"{grading}, the {FEED.name} feed's grading: machine-coded from a "
        f"curated news pipeline, story from {outlet} (docs/feeds.md)",
    }
    if published is not None:
        claim["reported_on"] = published.isoformat()
    event: dict[str, Any] = {
        "id": FEED.record_id(event_id),
        "name": name[:300],
        "type": event_type,
        "time": {"start": day.isoformat(), "precision": "day"},
        "participants": participants,
        "feed": FEED.name,
        "feed_id": event_id,
        "plover_event_type": plover,
        "plover_mode": mode or None,
        "plover_contexts": contexts or None,
        "plover_intensity": intensity,
        "plover_quad_code": _cell(row, "Quad Code") or None,
        "claims": [claim],
    }
    if place is not None:
        event["at"] = [file.add_once("locations", place[0])]
        event["place_precision"] = place[1].value
    file.add("events", {key: value for key, value in event.items() if value is not None})


MISSING = frozenset({"None", "NA"})
"""How POLECAT files write a value they do not have: read as an empty cell."""


def read_events(table: Table, file: FeedFile) -> None:
    for row in header_rows(table, file, COLUMNS, required=REQUIRED):
        row.cells = {key: "" if cell in MISSING else cell for key, cell in row.cells.items()}
        _read_event(row, file)


EVENTS = Format("polecat", FEED, "a POLECAT events file", "tsv", _is_events, read_events)
