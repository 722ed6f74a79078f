"""The feed format `stix-bundle`: a STIX 2.1 bundle read into native records.

Each object is parsed by the `stix2` library (`allow_custom`), so a malformed object is refused
with its message, naming the object and the field; every `*_ref` must name an object of the
bundle. Our id of an object is derived from its STIX id (`stix:<id>`; `feed_id` keeps the id), or
is the `x_eventgraph_id` of an object we wrote, so re-importing upserts the same nodes. The
object's `created`/`modified` go on the node (`stix_created`, `stix_modified`): the importer's
writer keeps a newer version in the graph (`graph.importer.writing`). docs/feeds.md has the
mapping (`graph.stix.mapping`).
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

import stix2
from stix2.exceptions import (
    AtLeastOnePropertyError,
    DependentPropertiesError,
    ExtraPropertiesError,
    InvalidValueError,
    MissingPropertiesError,
    MutuallyExclusivePropertiesError,
    STIXError,
)
from stix2.registry import STIX2_OBJ_MAPS

from eventgraph.graph import model, ontology
from eventgraph.graph.feeds.external import add_ids, external_ids
from eventgraph.graph.feeds.registry import FeedFile, Format
from eventgraph.graph.feeds.sources import FEEDS, report_record, source_record
from eventgraph.graph.stix import mapping
from eventgraph.graph.stix.mapping import PREFIX
from eventgraph.graph.stix.writing import TLP

FEED = FEEDS["stix"]

ENTITY_TYPES = {
    "identity": "Actor",
    "threat-actor": "Actor",
    "intrusion-set": "Actor",
    "location": "Location",
    "report": "Report",
    "sighting": "Event",
    "observed-data": "Event",
    "grouping": "Event",
    "relationship": "Relation",
}
"""The label of each STIX type we read (an `x_eventgraph_label` says it for ours)."""
CLAIM_TYPES = ("note", "opinion")
OBSERVABLES = frozenset(STIX2_OBJ_MAPS[mapping.SPEC_VERSION]["observables"])
"""Cyber observables (what observed data refers to): not nodes, named in its event's name."""
GENERIC_TYPE = "assessment"
"""The event type of a sighting, observed data or grouping that does not say ours."""
_OWN = {"label", "id", "position", "claim_id", "group_of_ref", "reliability"}
"""Custom properties that are not record fields."""


def _is_bundle(parsed: Any) -> bool:
    return (
        isinstance(parsed, dict)
        and parsed.get("type") == "bundle"
        and ("spec_version" in parsed or isinstance(parsed.get("objects"), list))
    )


def _stamp(value: Any) -> str:
    return mapping.timestamp(
        value if isinstance(value, datetime) else stix2.utils.parse_into_datetime(value)
    )


def _why(error: Exception) -> tuple[str, str]:
    """(field, reason) of a stix2 refusal."""
    if isinstance(error, InvalidValueError):
        return error.prop_name, error.reason
    if isinstance(error, MissingPropertiesError):
        return ",".join(error.properties), "missing (STIX 2.1 requires it)"
    if isinstance(error, ExtraPropertiesError):
        return ",".join(error.properties), "not a property of this type"
    if isinstance(error, DependentPropertiesError):
        pairs = [f"missing: {given} needs it" for _, given in error.dependencies]
        return ",".join(missing for missing, _ in error.dependencies), "; ".join(pairs)
    if isinstance(error, AtLeastOnePropertyError | MutuallyExclusivePropertiesError):
        which = "at least one of" if isinstance(error, AtLeastOnePropertyError) else "only one of"
        return ",".join(error.properties), f"needs {which} these"
    return "object", str(error)


def _refs(value: Any, where: str) -> list[tuple[str, str]]:
    """(field path, id) of every `*_ref(s)` in an object, nested ones included."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else key
            if key.endswith("_ref") or key == "ref":
                found.append((path, str(item)))
            elif key.endswith("_refs") and isinstance(item, list):
                found.extend((f"{path}[{i}]", str(ref)) for i, ref in enumerate(item))
            elif isinstance(item, (dict, list)):
                found.extend(_refs(item, path))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_refs(item, f"{where}[{i}]"))
    return found


class _Reader:
    def __init__(self, file: FeedFile, objects: list[dict[str, Any]]) -> None:
        self.file = file
        self.objects = {obj["id"]: obj for obj in objects}
        self.label: dict[str, str] = {}
        self.ours: dict[str, str] = {}
        self.sources: set[str] = set()
        self.good = True

    def bad(self, sid: str, field: str, reason: str) -> None:
        self.file.problem(f"{sid}.{field}", reason)
        self.good = False

    # ---- what each object is --------------------------------------------------------------

    def classify(self) -> None:
        for sid, obj in self.objects.items():
            kind = obj["type"]
            label = obj.get(f"{PREFIX}label") or ENTITY_TYPES.get(kind)
            if kind == "grouping" and f"{PREFIX}group_of_ref" in obj:
                continue  # ours: the event and its parts, said again for other tools
            if label is None:
                if kind not in OBSERVABLES and kind not in CLAIM_TYPES:
                    read = ", ".join(sorted({*ENTITY_TYPES, *CLAIM_TYPES, "marking-definition"}))
                    self.bad(sid, "type", f"'{kind}' is not a type eventgraph reads ({read})")
                continue
            if not isinstance(label, str) or label not in mapping.COLLECTION_OF_LABEL:
                self.bad(sid, f"{PREFIX}label", f"'{label}' is not one of our labels")
                continue
            self.label[sid] = label
            own = obj.get(f"{PREFIX}id")
            if own is None:
                self.ours[sid] = FEED.record_id(sid)
            elif mapping.stix_id(kind, label, own) != sid and sid not in _stix_ids_of(obj):
                self.bad(sid, f"{PREFIX}id", f"'{own}' is not the record this id was made for")
            else:
                self.ours[sid] = own
            if kind == "identity" and f"{PREFIX}reliability" in obj and label == "Actor":
                self.sources.add(sid)
        for obj in self.objects.values():
            by = obj.get("created_by_ref")
            if by is not None and self.objects.get(by, {}).get("type") == "identity":
                if self.label.get(by) != "Source":
                    self.sources.add(by)
            elif by is not None:
                self.bad(obj["id"], "created_by_ref", f"'{by}' is not an identity")

    def our_id(self, sid: str, field: str, holder: str, labels: tuple[str, ...]) -> str | None:
        label = "Source" if labels == ("Source",) and sid in self.sources else self.label.get(sid)
        if label not in labels:
            self.bad(holder, field, f"'{sid}' is not a {' or '.join(labels)} here")
            return None
        return self.ours[sid]

    # ---- records ---------------------------------------------------------------------------

    def custom(
        self, obj: dict[str, Any], record: dict[str, Any], label: str, prefix: str = PREFIX
    ) -> None:
        """The record fields our `x_eventgraph_*` properties hold, refs made our ids."""
        collection = mapping.COLLECTION_OF_LABEL[label]
        links = {link.name: link for link in model.SHAPES_BY_COLLECTION[collection].links}
        for key, value in obj.items():
            if not key.startswith(prefix) or (
                prefix == PREFIX and key.startswith(f"{PREFIX}source_")
            ):
                continue
            name = key[len(prefix) :]
            if name in _OWN:
                continue
            if name.endswith(("_ref", "_refs", "participants")) and not _id_shaped(name, value):
                self.bad(
                    obj["id"],
                    key,
                    "must be a STIX id (_ref), a list of them (_refs) or of "
                    "{role, ref} (participants)",
                )
            elif name.endswith("_refs") and name[:-5] in links:
                targets = links[name[:-5]].targets
                record[name[:-5]] = [self.our_id(v, key, obj["id"], targets) for v in value]
            elif name.endswith("_ref") and name[:-4] in links:
                record[name[:-4]] = self.our_id(value, key, obj["id"], links[name[:-4]].targets)
            elif name == "participants":
                record[name] = [
                    {
                        **p,
                        "ref": self.our_id(
                            p.get("ref", ""), key, obj["id"], ontology.ENTITY_LABELS
                        ),
                    }
                    for p in value
                ]
            else:
                record[name] = value

    def common(self, obj: dict[str, Any], label: str | None = None) -> dict[str, Any]:
        sid = obj["id"]
        record: dict[str, Any] = {"id": self.ours[sid]}
        if f"{PREFIX}id" not in obj:
            record["feed"], record["feed_id"] = FEED.name, sid
        record["stix_created"] = _stamp(obj["created"])
        record["stix_modified"] = _stamp(obj["modified"])
        markings = [str(m) for m in obj.get("object_marking_refs", [])]
        for marking in markings:
            if marking not in TLP:
                self.bad(
                    sid,
                    "object_marking_refs",
                    f"'{marking}' is not a TLP marking (only TLP is kept)",
                )
        if markings:
            record["stix_markings"] = markings
        if label != "Source":
            self.custom(obj, record, self.label[sid])
        return record

    def entity(self, obj: dict[str, Any]) -> dict[str, Any]:
        record = self.common(obj)
        kind = obj["type"]
        record.setdefault("name", obj.get("name") or self.place_name(obj))
        if obj.get("description"):
            record.setdefault("description", obj["description"])
        if obj.get("aliases"):
            record.setdefault("aliases", list(obj["aliases"]))
        if kind == "identity":
            record.setdefault(
                "kind",
                mapping.ACTOR_KIND_OF_CLASS.get(obj.get("identity_class", "unknown"), "group"),
            )
        elif kind == "threat-actor":
            record.setdefault("kind", "armed_group")
        elif kind == "intrusion-set":
            record.setdefault("kind", "group")
        elif kind == "location":
            self.point(obj, record)
        return record

    @staticmethod
    def place_name(obj: dict[str, Any]) -> str:
        named = [
            str(obj[k]) for k in ("city", "administrative_area", "country", "region") if obj.get(k)
        ]
        if named:
            return ", ".join(named)
        return f"{obj.get('latitude')}, {obj.get('longitude')}"

    @staticmethod
    def point(obj: dict[str, Any], record: dict[str, Any]) -> None:
        if "latitude" not in obj:
            record.setdefault("kind", "country" if obj.get("country") else "region")
            return
        meters = obj.get("precision")
        km = None if meters is None else float(meters) / 1000
        precision = record.pop("point_precision", None) or _precision_of(km)
        record["point"] = {
            "lat": float(obj["latitude"]),
            "lon": float(obj["longitude"]),
            "precision": precision,
        }
        if km is not None:
            record["point"]["uncertainty_km"] = km
        record.setdefault("kind", "site")

    def source(self, obj: dict[str, Any]) -> dict[str, Any]:
        record = self.common(obj, "Source")
        merged = self.label[obj["id"]] == "Actor"
        self.custom(obj, record, "Source", f"{PREFIX}source_" if merged else PREFIX)
        record.setdefault("name", obj["name"])
        if obj.get("description"):
            record.setdefault("description", obj["description"])
        record.setdefault(
            "kind",
            mapping.SOURCE_KIND_OF_CLASS.get(obj.get("identity_class", "unknown"), "organisation"),
        )
        record["reliability"] = obj.get(
            f"{PREFIX}reliability", self.file.grading_of(FEED).reliability.value
        )
        if merged:
            record.setdefault("actor", self.ours[obj["id"]])
        return record

    def report(self, obj: dict[str, Any]) -> dict[str, Any]:
        record = self.common(obj)
        record.setdefault("name", obj["name"])
        record.setdefault("kind", "document")
        if obj.get("description"):
            record.setdefault("description", obj["description"])
        record.setdefault("published", {"start": _stamp(obj["published"]), "precision": "exact"})
        if obj.get("created_by_ref"):
            record.setdefault(
                "publisher",
                self.our_id(obj["created_by_ref"], "created_by_ref", obj["id"], ("Source",)),
            )
        urls = [ref["url"] for ref in obj.get("external_references", []) if ref.get("url")]
        if urls:
            record.setdefault("url", urls[0])
        return record

    def event(self, obj: dict[str, Any]) -> dict[str, Any]:
        record = self.common(obj)
        kind = obj["type"]
        record.setdefault("type", GENERIC_TYPE)
        if obj.get("description"):
            record.setdefault("description", obj["description"])
        first, last = {
            "sighting": ("first_seen", "last_seen"),
            "observed-data": ("first_observed", "last_observed"),
        }.get(kind, ("", ""))
        if "time" not in record:
            start = _stamp(obj[first]) if obj.get(first) else None
            end = _stamp(obj[last]) if obj.get(last) else None
            if start is None and end is None:
                record["time"] = {
                    "end": _stamp(obj["created"]),
                    "precision": "interval",
                    "note": f"STIX {kind} without a time of its own: no later than it was created",
                }
            else:
                record["time"] = {k: v for k, v in (("start", start), ("end", end)) if v}
                record["time"]["precision"] = "exact" if start == end else "interval"
        if f"{PREFIX}type" not in obj:  # not ours: what STIX says it saw, and where
            self.places_and_parts(obj, record)
        record.setdefault("name", self.event_name(obj))
        return record

    def places_and_parts(self, obj: dict[str, Any], record: dict[str, Any]) -> None:
        seen = obj.get("sighting_of_ref")
        if seen is not None and self.label.get(seen) in ontology.ENTITY_LABELS:
            if self.label[seen] == "Location":
                record["at"] = [self.ours[seen]]
            else:
                record["participants"] = [{"role": "participant", "ref": self.ours[seen]}]
        places = [
            self.ours[s]
            for s in obj.get("where_sighted_refs", [])
            if self.label.get(s) == "Location"
        ]
        if places:
            record["at"] = sorted({*record.get("at", []), *places})

    def event_name(self, obj: dict[str, Any]) -> str:
        if obj.get("name"):
            return str(obj["name"])
        if obj["type"] == "observed-data":  # its observables are named, not kept
            observed = [self.objects[r] for r in obj.get("object_refs", []) if r in self.objects]
            what = [f"{o['type']} {o.get('value', o.get('name', ''))}".strip() for o in observed]
            return f"Observed ({obj.get('number_observed', 1)}×): {'; '.join(what) or 'data'}"[:300]
        seen = self.objects.get(obj.get("sighting_of_ref", ""), {})
        return f"Sighting of {seen.get('name', obj.get('sighting_of_ref', 'something'))}"

    def relation(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        record = self.common(obj)
        kind = str(obj["relationship_type"]).replace("-", "_")
        if kind not in {r.name for r in ontology.RELATION_TYPES}:
            types = ", ".join(r.name.replace("_", "-") for r in ontology.RELATION_TYPES)
            self.bad(
                obj["id"],
                "relationship_type",
                f"'{obj['relationship_type']}' is not one of ours ({types})",
            )
            return None
        record.setdefault("type", kind)
        record["from"] = self.our_id(
            obj["source_ref"], "source_ref", obj["id"], ontology.ENTITY_LABELS
        )
        record["to"] = self.our_id(
            obj["target_ref"], "target_ref", obj["id"], ontology.ENTITY_LABELS
        )
        if obj.get("description"):
            record.setdefault("description", obj["description"])
        if obj.get("start_time"):
            record.setdefault("since", _stamp(obj["start_time"]))
        if obj.get("stop_time"):
            record.setdefault("until", _stamp(obj["stop_time"]))
        return record

    @staticmethod
    def give_stix_id(obj: dict[str, Any], label: str, record: dict[str, Any]) -> None:
        """A foreign object's node carries its STIX id (`stix`), so another bundle naming it,
        or this one after an export, attaches to it; ours carry theirs in
        `x_eventgraph_external_ids` already."""
        if label in ontology.IDENTIFIABLE_LABELS and f"{PREFIX}id" not in obj:
            add_ids(record, external_ids(("stix", obj["id"])).get("external_ids", []))

    # ---- claims ----------------------------------------------------------------------------

    def reports_of(self) -> dict[str, str]:
        """Each object's report: the first (by id) report whose object_refs hold it."""
        found: dict[str, str] = {}
        for sid in sorted(self.objects):
            if self.objects[sid]["type"] == "report" and sid in self.label:
                for ref in self.objects[sid].get("object_refs", []):
                    found.setdefault(ref, self.ours[sid])
        return found

    def claim(
        self, obj: dict[str, Any], reports: dict[str, str], owner: dict[str, Any]
    ) -> dict[str, Any]:
        """A note's, an opinion's or an object's own claim."""
        by = obj.get("created_by_ref")
        if by is None:  # unsigned: the feed's Source says it
            self.file.add_once("sources", source_record(FEED, self.file.grading_of(FEED)))
        claim: dict[str, Any] = {"source": FEED.source_id if by is None else self.ours[by]}
        report = reports.get(obj["id"])
        if report is None and obj["type"] not in CLAIM_TYPES:
            report = reports.get(owner["id"])
        if report is None and by is None:  # in no report of the bundle: the bundle's
            title = "A STIX 2.1 bundle"
            report = self.file.add_once("reports", report_record(FEED, self.file.content, title))
        if report is not None:
            claim["report"] = report
        confidence = obj.get("confidence")
        if confidence is None and obj["type"] == "opinion":
            claim["credibility"] = mapping.OPINION_CREDIBILITY[obj["opinion"]].value
        elif confidence is None:
            claim["credibility"] = self.file.grading_of(FEED).credibility.value
        else:
            claim["credibility"] = mapping.credibility_of(confidence).value
        if obj["type"] == "note":
            claim["paraphrase"] = obj["content"]
        elif obj["type"] == "opinion":
            claim["paraphrase"] = obj.get("explanation") or f"{self.name_of(by)}: {obj['opinion']}."
        else:
            claim["paraphrase"] = (
                obj.get("description") or f"{self.name_of(by)} reports it in STIX."
            )
        for key in ("claim_id", "reliability", "quote", "grading_note", "reported_on"):
            if f"{PREFIX}{key}" in obj:
                claim["id" if key == "claim_id" else key] = obj[f"{PREFIX}{key}"]
        return claim

    def name_of(self, sid: str | None) -> str:
        return str(self.objects[sid].get("name", sid)) if sid else FEED.title

    def add_claims(self, owners: dict[str, dict[str, Any]]) -> None:
        reports = self.reports_of()
        said: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for sid in sorted(self.objects):
            obj = self.objects[sid]
            if obj["type"] not in CLAIM_TYPES:
                continue
            for index, ref in enumerate(obj["object_refs"]):
                if ref in owners:
                    said[ref].append(obj)
                elif self.label.get(ref) not in ("Report",):
                    self.bad(
                        sid,
                        f"object_refs[{index}]",
                        f"'{ref}' is not an event or relation (eventgraph keeps claims on those)",
                    )
        for sid, record in owners.items():
            notes = sorted(  # in the order we wrote them, else by time
                said.get(sid, []),
                key=lambda n: (_position(n), n["created"], n["id"]),
            )
            for note in notes:
                for marking in note.get("object_marking_refs", []):
                    if marking in TLP and marking not in record.setdefault("stix_markings", []):
                        record["stix_markings"].append(marking)
            obj = self.objects[sid]
            own = [obj] if not notes or "created_by_ref" in obj or "confidence" in obj else []
            record["claims"] = [self.claim(n, reports, obj) for n in [*own, *notes]]

    def groupings(self, events: dict[str, dict[str, Any]]) -> None:
        """A grouping we did not write is an event; the events in it are its parts."""
        for sid, obj in self.objects.items():
            if obj["type"] != "grouping" or sid not in self.label:
                continue
            for ref in obj["object_refs"]:
                if ref in events and self.ours[sid] not in events[ref].setdefault("part_of", []):
                    events[ref]["part_of"].append(self.ours[sid])

    def read(self) -> None:
        self.classify()
        if not self.good:
            return
        owners: dict[str, dict[str, Any]] = {}
        events: dict[str, dict[str, Any]] = {}
        for sid in sorted(self.objects, key=lambda s: self.ours.get(s, s)):
            obj = self.objects[sid]
            label = self.label.get(sid)
            if sid in self.sources:
                source = self.source(obj)
                if label == "Source":  # a source only; an actor's identity is the actor's id
                    self.give_stix_id(obj, label, source)
                self.file.add("sources", source)
            if label is None or (label == "Source" and sid in self.sources):
                continue
            collection = mapping.COLLECTION_OF_LABEL[label]
            if label == "Source":
                record: dict[str, Any] | None = self.source(obj)
            elif label == "Report":
                record = self.report(obj)
            elif label == "Event":
                record = events[sid] = self.event(obj)
            elif label == "Relation":
                record = self.relation(obj)
            else:
                record = self.entity(obj)
            if record is None:
                continue
            if label in ("Event", "Relation"):
                owners[sid] = record
            self.give_stix_id(obj, label, record)
            self.file.add(collection, record)
        self.groupings(events)
        self.add_claims(owners)


def _id_shaped(name: str, value: Any) -> bool:
    """A `_ref` is a STIX id, `_refs` a list of them, participants a list of {role, ref}."""
    if name.endswith("_ref"):
        return isinstance(value, str)
    if not isinstance(value, list):
        return False
    if name.endswith("_refs"):
        return all(isinstance(item, str) for item in value)
    return all(
        isinstance(item, dict)
        and isinstance(item.get("ref"), str)
        and isinstance(item.get("role"), str)
        for item in value
    )


def _stix_ids_of(obj: dict[str, Any]) -> list[str]:
    """The STIX ids one of our objects says its node carries: it may be written under one."""
    return mapping.stix_ids_in(obj.get(f"{PREFIX}external_ids"))


def _position(note: dict[str, Any]) -> int:
    position = note.get(f"{PREFIX}position", 0)
    return position if isinstance(position, int) else 0


def _precision_of(km: float | None) -> str:
    """A point's precision from STIX's `precision` (metres), as a radius."""
    if km is None or km <= 5:
        return ontology.PlacePrecision.SITE.value
    if km <= 30:
        return ontology.PlacePrecision.CITY.value
    if km <= 300:
        return ontology.PlacePrecision.PROVINCE.value
    return ontology.PlacePrecision.COUNTRY.value


def _checked(file: FeedFile, bundle: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The bundle's objects as parsed JSON, once stix2 accepts each and every ref resolves."""
    objects = bundle.get("objects")
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        file.problem("objects", "a bundle's objects must be a list of JSON objects")
        return None
    ids: set[str] = set(TLP)
    seen: set[str] = set()
    good = True
    for index, obj in enumerate(objects):
        sid = str(obj.get("id", f"objects[{index}]"))
        kind = str(obj.get("type", ""))
        ids.add(sid)  # refused or not, it is in the bundle: refs to it are not dangling
        try:
            parsed = stix2.parse(obj, allow_custom=True, version=mapping.SPEC_VERSION)
        except (STIXError, ValueError) as error:
            field, reason = _why(error)
            file.problem(f"{sid}.{field}", reason)
            good = False
            continue
        if isinstance(parsed, dict) and not kind.startswith("x-"):
            file.problem(
                f"{sid}.type", f"'{kind}' is not a STIX 2.1 type", "custom types are named x-…"
            )
            good = False
            continue
        confidence = obj.get("confidence")
        if confidence is not None and (
            not isinstance(confidence, int)
            or isinstance(confidence, bool)
            or not 0 <= confidence <= 100
        ):
            file.problem(
                f"{sid}.confidence",
                f"{confidence!r} is not a STIX confidence (a whole number 0–100)",
            )
            good = False
        if sid in seen:
            file.problem(f"{sid}.id", "appears twice in the bundle")
            good = False
        seen.add(sid)
        ids.add(sid)
    for obj in objects:
        for path, ref in _refs({k: v for k, v in obj.items() if k != "id"}, ""):
            if ref not in ids:
                file.problem(f"{obj.get('id')}.{path}", f"'{ref}' is not in the bundle")
                good = False
    return objects if good else None


def read_bundle(bundle: Any, file: FeedFile) -> None:
    if not _is_bundle(bundle):
        file.problem("type", 'is not a STIX bundle (a JSON object with "type": "bundle")')
        return
    objects = _checked(file, bundle)
    if objects is None:
        return
    known = [
        o
        for o in objects
        if not str(o["type"]).startswith("x-") and o["type"] != "marking-definition"
    ]
    _Reader(file, known).read()


BUNDLE = Format("stix-bundle", FEED, "a STIX 2.1 bundle", "json", _is_bundle, read_bundle)
