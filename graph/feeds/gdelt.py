"""GDELT 2.0: the events export and the mentions file, 15-minute files shipped as `.CSV.zip`.

Both are tab-separated lines without a header (`EVENT_COLUMNS`, `MENTION_COLUMNS`, in the GDELT
2.0 Event Database codebook's order). An events row is one event, coded by machine from one
article (`SOURCEURL`, its Report); a mentions row is one more article mentioning an event, a
claim on it (attached through the importer, as CSV claims rows are, so the events file may
come in any file of the same import). docs/feeds.md says what lands where and why.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventgraph.graph import ontology
from eventgraph.graph.feeds.external import external_ids
from eventgraph.graph.feeds.registry import FeedAttachment, FeedFile, Format
from eventgraph.graph.feeds.roles import acting_roles
from eventgraph.graph.feeds.rows import Row, headerless_rows, slug
from eventgraph.graph.feeds.sources import FEEDS, source_record

FEED = FEEDS["gdelt"]

_ACTOR_FIELDS = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_GEO_FIELDS = (
    "Type",
    "FullName",
    "CountryCode",
    "ADM1Code",
    "ADM2Code",
    "Lat",
    "Long",
    "FeatureID",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"Actor1{name}" for name in _ACTOR_FIELDS),
    *(f"Actor2{name}" for name in _ACTOR_FIELDS),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(f"Actor1Geo_{name}" for name in _GEO_FIELDS),
    *(f"Actor2Geo_{name}" for name in _GEO_FIELDS),
    *(f"ActionGeo_{name}" for name in _GEO_FIELDS),
    "DATEADDED",
    "SOURCEURL",
)
MENTION_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "EventTimeDate",
    "MentionTimeDate",
    "MentionType",
    "MentionSourceName",
    "MentionIdentifier",
    "SentenceID",
    "Actor1CharOffset",
    "Actor2CharOffset",
    "ActionCharOffset",
    "InRawText",
    "Confidence",
    "MentionDocLen",
    "MentionDocTone",
    "MentionDocTranslationInfo",
    "Extras",
)

GEO_PRECISION: dict[str, ontology.PlacePrecision] = {
    "1": ontology.PlacePrecision.COUNTRY,
    "2": ontology.PlacePrecision.PROVINCE,  # a US state
    "3": ontology.PlacePrecision.CITY,  # a US city or landmark
    "4": ontology.PlacePrecision.CITY,  # a world city or landmark
    "5": ontology.PlacePrecision.PROVINCE,  # a world state (ADM1)
}
"""`Geo_Type` → the place's precision; a landmark is resolved to its city's point at best."""
_GEO_KIND = {
    ontology.PlacePrecision.COUNTRY: "country",
    ontology.PlacePrecision.PROVINCE: "province",
    ontology.PlacePrecision.CITY: "city",
}

GENERIC_TYPE = "assessment"
"""The event type of a CAMEO code no type of ours maps from (the code is kept, `cameo_code`):
what a GDELT row is, short of a type we can name, is the coder's reading of an article."""
SHARED_CODES = {"154": "deployment", "190": "attack"}
"""The type a CAMEO code several of our types give maps to: a GDELT row is one action, not a
series of flights (airlift) nor the answer to an attack (defence)."""
_VERBS = {
    "01": "makes a statement to",
    "02": "appeals to",
    "03": "means to cooperate with",
    "04": "consults",
    "05": "cooperates diplomatically with",
    "06": "cooperates materially with",
    "07": "gives aid to",
    "08": "yields to",
    "09": "investigates",
    "10": "makes demands of",
    "11": "disapproves of",
    "12": "rejects",
    "13": "threatens",
    "14": "protests against",
    "15": "shows force to",
    "16": "cuts relations with",
    "17": "coerces",
    "18": "assaults",
    "19": "fights",
    "20": "uses mass violence against",
}
"""CAMEO root codes in a few words, for event names."""
_MENTION_TYPES = {
    "1": "web",
    "2": "citation only",
    "3": "core",
    "4": "DTIC",
    "5": "JSTOR",
    "6": "non-textual",
}
_TO_WHOM = re.compile(r" (to|of|with|against)$")


def _by_cameo() -> dict[str, str]:
    found: dict[str, str] = {}
    for event_type in ontology.EVENT_TYPES:
        if event_type.cameo is not None:
            found.setdefault(event_type.cameo, event_type.name)
    return found | SHARED_CODES


BY_CAMEO = _by_cameo()
"""CAMEO code → our event type, from the ontology's CAMEO column."""


def event_type_of(code: str, base: str, root: str) -> str:
    """Our type of a CAMEO code: its own, its base code's, or its root's (`19` → `190`)."""
    for candidate in (code, base, f"{root}0"):
        if candidate in BY_CAMEO:
            return BY_CAMEO[candidate]
    return GENERIC_TYPE


def _is_events(rows: Any) -> bool:
    return _shaped(rows, len(EVENT_COLUMNS), lambda row: _day(row[1]) and _instant(row[59]))


def _is_mentions(rows: Any) -> bool:
    return _shaped(rows, len(MENTION_COLUMNS), lambda row: _instant(row[1]) and _instant(row[2]))


def _shaped(rows: Any, width: int, dates: Callable[[list[str]], object]) -> bool:
    """One of the first rows has the format's column count and dates where it has them (a
    bad first row still lets the file be recognised, and its problem be named)."""
    return isinstance(rows, list) and any(
        len(row) == width and bool(dates(row)) for row in rows[:5]
    )


def _day(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d") if len(text) == 8 else None
    except ValueError:
        return None


def _instant(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S") if len(text) == 14 else None
    except ValueError:
        return None


def _rows(data: Any, file: FeedFile, columns: tuple[str, ...]) -> list[Row]:
    return headerless_rows(data, file, columns, FEED.title)


def _instant_of(row: Row, column: str) -> datetime | None:
    return row.parsed(column, _instant, "a time (YYYYMMDDHHMMSS)")


def _source(file: FeedFile) -> None:
    file.add_once("sources", source_record(FEED, file.grading_of(FEED)))


def _report(file: FeedFile, identifier: str) -> str:
    """The Report of one article (or other document) GDELT read: one per identifier, the same
    record from every file that names it (so it says nothing one file knows and another not)."""
    web = identifier.startswith(("http://", "https://"))
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:20]
    report: dict[str, Any] = {
        "id": f"report-gdelt-{digest}",
        "name": identifier[:200],
        "kind": "article" if web else "document",
        "description": f"A {'web page' if web else 'document'} {FEED.title} read.",
        "feed": FEED.name,
        "feed_id": identifier,
    }
    if web:
        report["url"] = identifier
    return file.add_once("reports", report)


STATE_ROLES = ("GOV", "MIL")
"""CAMEO role codes that, after a country code, name one body of that state: its government
(`RUSGOV`) and its armed forces (`RUSMIL`). Other roles name many actors of a country (`REB`
rebels, `OPP` the opposition, `CVL` civilians, `BUS` business …)."""
# fmt: off
REGIONS = frozenset({
    "AFR", "ASA", "BLK", "CAS", "CAU", "CEU", "CFR", "CRB", "EAF", "EEU", "EIN", "EUR", "LAM",
    "MDT", "MEA", "NAF", "NMR", "PGS", "SAF", "SAM", "SAS", "SCN", "SEA", "WAF", "WST",
})
"""CAMEO's regional "country" codes (Africa, Europe, the Middle East …): no one state."""
# fmt: on
_COUNTRY = re.compile(r"[A-Z]{3}")


def identifying_code(code: str, country: str) -> str | None:
    """The actor's code if it names one actor: a state (its country code alone, ISO 3166
    alpha-3: `RUS`) or its government or armed forces (`RUSGOV`, `RUSMIL`); else None (a role
    alone, `REB` rebels of a country, a region's code), as docs/feeds.md explains."""
    if not _COUNTRY.fullmatch(country) or country in REGIONS:
        return None
    if code == country or code in {country + role for role in STATE_ROLES}:
        return code
    return None


def _actor(row: Row, which: str) -> dict[str, Any] | None:
    cells = {name: row[f"{which}{name}"] for name in _ACTOR_FIELDS}
    code, name = cells["Code"], cells["Name"]
    if not code and not name:
        return None
    types = [cells[f"Type{n}Code"] for n in (1, 2, 3) if cells[f"Type{n}Code"]]
    others = [
        cells[key]
        for key in ("KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code")
        if cells[key]
    ]
    identifying = identifying_code(code, cells["CountryCode"])
    if identifying is not None:  # one actor whatever name the article gives it (RUSSIA, MOSCOW)
        feed_id = f"actor/{identifying}"
    else:
        feed_id = f"actor/{code or '-'}/{slug(name or code)}"
    actor: dict[str, Any] = {
        "id": FEED.record_id(feed_id),
        "name": name or code,
        "kind": _actor_kind(code, cells["CountryCode"], types, cells["KnownGroupCode"]),
        "description": f"An actor as {FEED.title} codes it (CAMEO {code or 'no code'}).",
        "feed": FEED.name,
        "feed_id": feed_id,
        **external_ids(("cameo_actor", identifying)),
    }
    if code:
        actor["cameo_actor_code"] = code
    if cells["CountryCode"]:
        actor["country_code"] = cells["CountryCode"]
    if types:
        actor["cameo_type_codes"] = types
    if others:
        actor["cameo_other_codes"] = others
    return actor


def _actor_kind(code: str, country: str, types: list[str], group: str) -> str:
    if "MIL" in types:
        return "armed_force"
    if "GOV" in types:
        return "government"
    if {"REB", "INS", "SEP", "UAF"} & set(types):
        return "armed_group"
    if code and code == country and not group:
        return "state"
    return "group"


def _place(row: Row) -> tuple[dict[str, Any], ontology.PlacePrecision] | None:
    geo = {name: row[f"ActionGeo_{name}"] for name in _GEO_FIELDS}
    lat = row.number("ActionGeo_Lat", -90, 90)
    lon = row.number("ActionGeo_Long", -180, 180)
    if not geo["Type"] or geo["Type"] == "0":
        return None
    precision = GEO_PRECISION.get(geo["Type"])
    if precision is None:
        row.bad("ActionGeo_Type", f"'{geo['Type']}' is not a GDELT Geo_Type (1–5)")
        return None
    if not geo["FeatureID"]:
        return None  # no feature to key the place on
    feed_id = f"place/{geo['FeatureID']}"
    codes = ", ".join(
        f"{label} {geo[key]}"
        for label, key in (("country", "CountryCode"), ("ADM1", "ADM1Code"), ("ADM2", "ADM2Code"))
        if geo[key]
    )
    place: dict[str, Any] = {
        "id": FEED.record_id(feed_id),
        "name": geo["FullName"] or geo["FeatureID"],
        "kind": _GEO_KIND[precision],
        "description": f"A {FEED.title} place, feature {geo['FeatureID']}"
        + (f" ({codes})" if codes else "")
        + ".",
        "feed": FEED.name,
        "feed_id": feed_id,
    }
    if lat is not None and lon is not None:
        place["point"] = {"lat": lat, "lon": lon, "precision": precision.value}
    return place, precision


def _read_event(row: Row, file: FeedFile) -> None:
    event_id = row["GLOBALEVENTID"]
    if not event_id.isdigit():
        row.bad("GLOBALEVENTID", f"'{event_id}' is not a GDELT event id (digits)")
    day = _day(row["SQLDATE"])
    if day is None:
        row.bad("SQLDATE", f"'{row['SQLDATE']}' is not a day (YYYYMMDD)")
    added = _instant_of(row, "DATEADDED")
    numbers = {
        "quad_class": row.integer("QuadClass"),
        "goldstein_scale": row.number("GoldsteinScale", -10, 10),
        "num_mentions": row.integer("NumMentions"),
        "num_sources": row.integer("NumSources"),
        "num_articles": row.integer("NumArticles"),
        "avg_tone": row.number("AvgTone", -100, 100),
    }
    root = row.integer("IsRootEvent")
    place = _place(row)
    url = row["SOURCEURL"]
    if not url:
        row.bad("SOURCEURL", "missing: the article the event was coded from")
    if not row.good or day is None or added is None:
        return
    code, base, root_code = row["EventCode"], row["EventBaseCode"], row["EventRootCode"]
    event_type = event_type_of(code, base, root_code)
    first, second = acting_roles(event_type)
    participants = []
    names = []
    for which, role in (("Actor1", first), ("Actor2", second)):
        actor = _actor(row, which)
        if actor is not None:
            participants.append({"role": role, "ref": file.add_once("actors", actor)})
            names.append(actor["name"])
    verb = _VERBS.get(root_code, f"does CAMEO {code or '?'} to")
    who = names[0] if names else "someone"
    whom = f" {names[1]}" if len(names) > 1 else ""
    if not whom:
        verb = _TO_WHOM.sub("", verb)
    where = f"{place[0]['name']}, " if place else ""
    name = f"{who} {verb}{whom} ({where}{day.date().isoformat()})"
    _source(file)
    grading = file.grading_of(FEED)
    event: dict[str, Any] = {
        "id": FEED.record_id(event_id),
        "name": name,
        "type": event_type,
        "time": {
            "start": day.date().isoformat(),
            "precision": "day",
            "note": f"GDELT gives the day only (SQLDATE); added to GDELT {added.isoformat()}Z",
        },
        "participants": participants,
        "feed": FEED.name,
        "feed_id": event_id,
        "cameo_code": code or None,
        "cameo_base_code": base or None,
        "cameo_root_code": root_code or None,
        **numbers,
        "is_root_event": root == 1,
        "claims": [
            {
                "source": FEED.source_id,
                "report": _report(file, url),
                "credibility": grading.credibility.value,
                "paraphrase": f"{FEED.title} coded this article as: {name}, CAMEO "
                f"{code or 'none'} ({event_type}).",
                "grading_note": f"{grading}, the {FEED.name} feed's grading: machine-coded "
                "from news (docs/feeds.md)",
            }
        ],
    }
    if place is not None:
        event["at"] = [file.add_once("locations", place[0])]
        event["place_precision"] = place[1].value
    file.add("events", {key: value for key, value in event.items() if value is not None})


def read_events(data: Any, file: FeedFile) -> None:
    for row in _rows(data, file, EVENT_COLUMNS):
        _read_event(row, file)


def _read_mention(row: Row, file: FeedFile) -> None:
    event_id = row["GLOBALEVENTID"]
    if not event_id.isdigit():
        row.bad("GLOBALEVENTID", f"'{event_id}' is not a GDELT event id (digits)")
    _instant_of(row, "EventTimeDate")
    mentioned = _instant_of(row, "MentionTimeDate")
    confidence = row.number("Confidence", 0, 100)
    sentence = row.integer("SentenceID")
    raw = row.integer("InRawText")
    identifier = row["MentionIdentifier"]
    if not identifier:
        row.bad("MentionIdentifier", "missing: the document that mentions the event")
    if not row.good or mentioned is None:
        return
    kind = _MENTION_TYPES.get(row["MentionType"], f"type {row['MentionType'] or '?'}")
    outlet = row["MentionSourceName"]
    _source(file)
    grading = file.grading_of(FEED)
    target = FEED.record_id(event_id)
    key = hashlib.sha256(f"{identifier}\t{sentence}".encode()).hexdigest()[:16]
    how = [f"confidence {confidence:g}%" if confidence is not None else "no confidence given"]
    if sentence is not None:
        how.append(f"sentence {sentence}")
    if raw == 1:
        how.append("found in the raw text")
    claim = {
        "id": f"{target}/mention-{key}",
        "source": FEED.source_id,
        "report": _report(file, identifier),
        "credibility": grading.credibility.value,
        "paraphrase": f"{outlet or 'A document'} ({kind}) mentions GDELT event {event_id}.",
        "grading_note": f"{grading}, the {FEED.name} feed's grading; its coder's "
        + ", ".join(how)
        + " (docs/feeds.md)",
        "reported_on": mentioned.date().isoformat(),
    }
    file.attachments.append(FeedAttachment(target, "claims", claim, row.index, "GLOBALEVENTID"))


def read_mentions(data: Any, file: FeedFile) -> None:
    for row in _rows(data, file, MENTION_COLUMNS):
        _read_mention(row, file)


EVENTS = Format(
    "gdelt-events",
    FEED,
    "a GDELT 2.0 events export",
    "tsv",
    _is_events,
    read_events,
    re.compile(r"(?i)\d{14}(\.translation)?\.export"),
)
MENTIONS = Format(
    "gdelt-mentions",
    FEED,
    "a GDELT 2.0 mentions file",
    "tsv",
    _is_mentions,
    read_mentions,
    re.compile(r"(?i)\d{14}(\.translation)?\.mentions"),
    holds_attachments=True,
)
