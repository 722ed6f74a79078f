"""ACLED: the events CSV (current codebook columns) and its deleted-events list.

An events row is one event, human-coded by ACLED from the outlets it names (`source`); its
`event_id_cnty` is the feed id, so an updated row (a new `timestamp`) updates the same node.
The deleted-events list (`event_id_cnty`, `deleted_timestamp`) retracts the events it names
(`FeedRetraction`): ACLED removes them from its data set, we keep them for audit. docs/feeds.md
says what lands where and why.
"""

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any

from eventgraph.graph import ontology
from eventgraph.graph.feeds.external import add_ids, external_ids
from eventgraph.graph.feeds.registry import FeedFile, FeedRetraction, Format, Table
from eventgraph.graph.feeds.rows import Row, header_names, header_rows, slug
from eventgraph.graph.feeds.sources import FEEDS, dataset_report, source_record

FEED = FEEDS["acled"]

COLUMNS: tuple[str, ...] = (
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
)
"""The columns of an ACLED export (codebook order; any order is read, by the header)."""
DELETED_COLUMNS = ("event_id_cnty", "deleted_timestamp")

GENERIC_TYPE = "assessment"
"""The type of a sub-event type no type of ours fits (it is kept, `acled_sub_event_type`)."""
EVENT_TYPES: dict[tuple[str, str], str] = {
    ("battles", "armed clash"): "attack",
    ("battles", "government regains territory"): "attack",
    ("battles", "non-state actor overtakes territory"): "attack",
    ("explosions/remote violence", "chemical weapon"): "attack",
    ("explosions/remote violence", "air/drone strike"): "attack",
    ("explosions/remote violence", "suicide bomb"): "attack",
    ("explosions/remote violence", "shelling/artillery/missile attack"): "attack",
    ("explosions/remote violence", "remote explosive/landmine/ied"): "attack",
    ("explosions/remote violence", "grenade"): "attack",
    ("violence against civilians", "sexual violence"): "attack",
    ("violence against civilians", "attack"): "attack",
    ("violence against civilians", "abduction/forced disappearance"): "attack",
    ("protests", "peaceful protest"): "signal",
    ("protests", "protest with intervention"): "signal",
    ("protests", "excessive force against protesters"): "attack",
    ("riots", "violent demonstration"): "attack",
    ("riots", "mob violence"): "attack",
    ("strategic developments", "agreement"): "political_development",
    ("strategic developments", "arrests"): GENERIC_TYPE,
    ("strategic developments", "change to group/activity"): "political_development",
    ("strategic developments", "disrupted weapons use"): "defence",
    ("strategic developments", "headquarters or base established"): "deployment",
    ("strategic developments", "looting/property destruction"): "attack",
    ("strategic developments", "non-violent transfer of territory"): "political_development",
    ("strategic developments", "other"): GENERIC_TYPE,
}
"""(event_type, sub_event_type), lower-cased → our event type: every sub-event type of the
current codebook. An unknown pair is kept with the generic type."""

TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION: dict[str, ontology.PlacePrecision] = {
    "1": ontology.PlacePrecision.CITY,  # the town or village the source names
    "2": ontology.PlacePrecision.DISTRICT,  # near a named town, in its area
    "3": ontology.PlacePrecision.PROVINCE,  # only the province: its capital's point
}
"""`geo_precision` → the event's place precision; ACLED's points are its gazetteer's towns, so
a precision 1 event is as precise as its town (never `site`)."""
INTER_KINDS = {
    "1": "armed_force",
    "state forces": "armed_force",
    "2": "armed_group",
    "rebel group": "armed_group",
    "3": "armed_group",
    "political militia": "armed_group",
    "4": "armed_group",
    "identity militia": "armed_group",
}
"""ACLED's actor type (`inter1`/`inter2`, a digit or, in newer exports, its name) → our kind;
rioters, protesters, civilians and external/other forces are `group`."""
NAMED_INTERS = frozenset(
    {"1", "state forces", "2", "rebel group", "3", "political militia"}
    | {"8", "external/other forces"}
)
"""Actor types whose ACLED names name one organisation (`Military Forces of Russia (2000-)`,
a rebel group, a militia, a foreign force): these give their name as an `acled_actor` id.
Identity militias, rioters, protesters and civilians are names of many (`Civilians (Syria)`),
and so is any `Unidentified …` actor or an associated actor, whose type ACLED does not give."""
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%m-%Y")
"""ISO (the API), `26 October 2025` (the export tool) and the codebook's dd-mm-yyyy."""
_WEEK_HALF = timedelta(days=3)
_SPLIT = re.compile(r"\s*;\s*")


def _is_events(header: Any) -> bool:
    names = set(header_names(header))
    return "event_id_cnty" in names and "deleted_timestamp" not in names and len(names) > 10


def _is_deleted(header: Any) -> bool:
    return set(DELETED_COLUMNS) <= set(header_names(header))


@lru_cache(maxsize=4096)
def _day(text: str) -> date | None:
    """The day a cell names; cached, as an export holds a few hundred days in 100k rows."""
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _time(day: date, precision: str) -> dict[str, Any]:
    """The event's time (a fresh copy, as records are the importer's to change)."""
    return dict(_time_of(day, precision))


@lru_cache(maxsize=4096)
def _time_of(day: date, precision: str) -> dict[str, Any]:
    """The event's time: the day, the week around it (an interval), or its month."""
    if precision == "day":
        return {"start": day.isoformat(), "precision": "day"}
    if precision == "week":
        return {
            "start": (day - _WEEK_HALF).isoformat(),
            "end": (day + _WEEK_HALF).isoformat(),
            "precision": "interval",
            "note": f"ACLED: in the week around {day.isoformat()} (time_precision 2)",
        }
    return {
        "start": f"{day.year:04d}-{day.month:02d}",
        "precision": "month",
        "note": f"ACLED: some time in that month, coded as {day.isoformat()} (time_precision 3)",
    }


_PLACE_COLUMNS = ("country", "admin1", "admin2", "admin3", "location")
_place_names = itemgetter(*_PLACE_COLUMNS)
_ACTOR_COLUMNS = (("actor1", "inter1", "assoc_actor_1"), ("actor2", "inter2", "assoc_actor_2"))

DATASET_REPORT = dataset_report(
    FEED, f"{FEED.title}'s living data set: its rows change in place (timestamp)."
)


class _Reader:
    """One events file being read: the actors and places it names are built once each (an
    export names a few thousand of them in 100k rows), on the first row naming them."""

    def __init__(self, file: FeedFile) -> None:
        self.file = file
        grading = file.grading_of(FEED)
        self.credibility = grading.credibility.value
        self.source = source_record(FEED, grading)
        self.grading_note = (
            f"{grading}, the {FEED.name} feed's grading: human-coded and reviewed from "
        )
        self.actors: dict[tuple[str, str], str] = {}
        self.actor_records: dict[str, dict[str, Any]] = {}
        self.places: dict[tuple[str, ...], str] = {}

    def actor(self, name: str, inter: str) -> str:
        """Our id of the actor ACLED names `name` (one node per name, across files)."""
        key = (name, inter)
        found = self.actors.get(key)
        if found is None:
            record = _actor(name, inter)
            found = self.actors[key] = self.file.add_once("actors", record)
            first = self.actor_records.setdefault(found, record)
            add_ids(first, record.get("external_ids", []))  # a name spelt another way: its id
        return found

    def place(self, cells: dict[str, str], lat: float, lon: float) -> str:
        """Our id of the row's location (the first row naming it gives its point)."""
        key = _place_names(cells)
        found = self.places.get(key)
        if found is None:
            found = self.places[key] = self.file.add_once("locations", _place(cells, lat, lon))
        return found


def _actor(name: str, inter: str) -> dict[str, Any]:
    feed_id = f"actor/{slug(name)}"
    actor: dict[str, Any] = {
        "id": FEED.record_id(feed_id),
        "name": name,
        "kind": INTER_KINDS.get(inter.lower(), "group"),
        "description": f"An actor as {FEED.title} names it.",
        "feed": FEED.name,
        "feed_id": feed_id,
        **external_ids(("acled_actor", name if _names_one(name, inter) else None)),
    }
    if inter:
        actor["acled_inter"] = inter
    return actor


def _names_one(name: str, inter: str) -> bool:
    """Whether ACLED's name of an actor names one organisation (`NAMED_INTERS`)."""
    return inter.lower() in NAMED_INTERS and not name.lower().startswith("unidentified")


def _place(cells: dict[str, str], lat: float, lon: float) -> dict[str, Any]:
    """The location, keyed by ACLED's naming of it: country, admin1–3 and location."""
    names = _place_names(cells)
    feed_id = "place/" + "/".join(slug(name) if name else "-" for name in names)
    within = ", ".join(name for name in reversed(names[:4]) if name)
    return {
        "id": FEED.record_id(feed_id),
        "name": cells["location"] or within,
        "kind": "city",
        "description": f"A {FEED.title} location in {within} ({cells['region'] or 'no region'}, "
        f"ISO {cells['iso'] or '?'}).",
        "point": {"lat": lat, "lon": lon, "precision": ontology.PlacePrecision.CITY.value},
        "feed": FEED.name,
        "feed_id": feed_id,
    }


def _listed(text: str) -> list[str]:
    """A `;`-separated cell's items."""
    return _SPLIT.split(text) if ";" in text else [text]


def _read_event(row: Row, reader: _Reader) -> None:
    cells = row.cells
    event_id = cells["event_id_cnty"]
    if not event_id:
        row.bad("event_id_cnty", "missing: ACLED's id of the event")
    day = _day(cells["event_date"])
    if day is None:
        row.bad("event_date", f"'{cells['event_date']}' is not a date (YYYY-MM-DD)")
    precision = row.code("time_precision", TIME_PRECISION)
    geo = row.code("geo_precision", GEO_PRECISION)
    lat = row.number("latitude", -90, 90, required=True)
    lon = row.number("longitude", -180, 180, required=True)
    fatalities = row.integer("fatalities", signed=False)
    stamp = row.integer("timestamp", signed=False)
    if not cells["timestamp"]:
        row.bad("timestamp", "missing: when ACLED last changed the row")
    if not cells["actor1"]:
        row.bad("actor1", "missing: ACLED names at least one actor")
    if not row.good or day is None or lat is None or lon is None or stamp is None:
        return
    kind = (cells["event_type"], cells["sub_event_type"])
    event_type = EVENT_TYPES.get((kind[0].lower(), kind[1].lower()), GENERIC_TYPE)
    participants = []
    for actor, inter, associated in _ACTOR_COLUMNS:
        if cells[actor]:
            participants.append(
                {"role": "participant", "ref": reader.actor(cells[actor], cells[inter])}
            )
        for name in _listed(cells[associated]) if cells[associated] else ():
            participants.append({"role": "participant", "ref": reader.actor(name, "")})
    place = reader.place(cells, lat, lon)
    who = " and ".join(cells[a] for a in ("actor1", "actor2") if cells[a])
    name = f"{kind[1] or kind[0]}: {who} ({cells['location']}, {day.isoformat()})"
    file = reader.file
    file.add_once("sources", reader.source)
    file.add_once("reports", DATASET_REPORT)
    outlets = "; ".join(_listed(cells["source"])) if cells["source"] else "no source named"
    scale = f", source scale {cells['source_scale']}" if cells["source_scale"] else ""
    event: dict[str, Any] = {
        "id": FEED.record_id(event_id),
        "name": name[:300],
        "type": event_type,
        "time": _time(day, precision),
        "place_precision": geo.value,
        "at": [place],
        "participants": participants,
        "feed": FEED.name,
        "feed_id": event_id,
        "disorder_type": cells["disorder_type"] or None,
        "acled_event_type": kind[0] or None,
        "acled_sub_event_type": kind[1] or None,
        "acled_interaction": cells["interaction"] or None,
        "fatalities": fatalities,
        "civilian_targeting": bool(cells["civilian_targeting"]),
        "acled_tags": _listed(cells["tags"]) if cells["tags"] else None,
        "acled_timestamp": stamp,
        "claims": [
            {
                "source": FEED.source_id,
                "report": DATASET_REPORT["id"],
                "credibility": reader.credibility,
                "paraphrase": cells["notes"] or f"{FEED.title} coded: {name}.",
                "grading_note": f"{reader.grading_note}{outlets}{scale} (docs/feeds.md)",
                "reported_on": _reported_on(stamp),
            }
        ],
    }
    file.add("events", {key: value for key, value in event.items() if value is not None})


@lru_cache(maxsize=4096)
def _reported_on(stamp: int) -> str:
    """The day of ACLED's `timestamp` (when it last changed the row)."""
    return datetime.fromtimestamp(stamp, UTC).date().isoformat()


def read_events(table: Table, file: FeedFile) -> None:
    reader = _Reader(file)
    for row in header_rows(table, file, COLUMNS):
        _read_event(row, reader)


def read_deleted(table: Table, file: FeedFile) -> None:
    """Each named event is retracted, with ACLED's day of deleting it as the reason."""
    for row in header_rows(table, file, DELETED_COLUMNS):
        event_id = row["event_id_cnty"]
        if not event_id:
            row.bad("event_id_cnty", "missing: the id of the deleted event")
        stamp = row.integer("deleted_timestamp", signed=False)
        if not row["deleted_timestamp"]:
            row.bad("deleted_timestamp", "missing: when ACLED deleted the event")
        if not row.good or stamp is None:
            continue
        when = datetime.fromtimestamp(stamp, UTC).date().isoformat()
        file.retractions.append(
            FeedRetraction(FEED.record_id(event_id), f"deleted by ACLED on {when}", event_id)
        )


EVENTS = Format("acled", FEED, "an ACLED events export", "csv", _is_events, read_events)
DELETED = Format(
    "acled-deleted", FEED, "an ACLED deleted-events list", "csv", _is_deleted, read_deleted
)
