"""The native document (`graph.exporting.export_document`) as a STIX 2.1 bundle.

Ids are deterministic: an object read from STIX keeps its id (`feed_id`), any other record gets
a uuid5 of its label and id, so exporting again gives the same ids. What STIX has no property
for is kept in `x_eventgraph_*` custom properties, so `graph.feeds.stix` reads the bundle
back to the same records (docs/feeds.md says what does not survive).
"""

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from stix2.v21 import TLP_AMBER, TLP_GREEN, TLP_RED, TLP_WHITE

from eventgraph.graph import model, ontology
from eventgraph.graph.exporting import Snapshot
from eventgraph.graph.ontology import TimePrecision
from eventgraph.graph.records import TimeSpec
from eventgraph.graph.stix import mapping
from eventgraph.graph.stix.mapping import PREFIX
from eventgraph.graph.timespan import span

TLP: dict[str, dict[str, Any]] = {
    marking.id: json.loads(marking.serialize())
    for marking in (TLP_WHITE, TLP_GREEN, TLP_AMBER, TLP_RED)
}
"""The TLP 1.0 marking definitions STIX 2.1 defines (their ids are fixed by the spec)."""

_KEPT_APART = {"id", "claims", "stix_created", "stix_modified", "stix_markings"}
"""Record fields every type writes in its own way."""
_STANDARD: dict[str, set[str]] = {
    "actors": {"name", "description"},
    "equipment_types": {"name", "description", "aliases"},
    "assets": {"name", "description", "aliases"},
    "locations": {"name", "description", "point"},
    "sources": {"name", "description", "reliability"},
    "reports": {"name", "description", "publisher", "url"},
    "events": {"description"},
    "relations": {"type", "from", "to", "description"},
}
"""Fields each collection writes as standard STIX properties; the rest are custom."""


class _Ids:
    """The STIX id of every record of the document, by label and our id."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.by_label: dict[str, dict[str, str]] = defaultdict(dict)
        for collection, label in mapping.LABEL_OF_COLLECTION.items():
            for record in document.get(collection, []):
                self.by_label[label][record["id"]] = _own_id(collection, record)

    def of(self, our_id: str, labels: tuple[str, ...]) -> str:
        for label in labels:
            if our_id in self.by_label[label]:
                return self.by_label[label][our_id]
        raise KeyError(our_id)  # an exported document refers only to records it holds


def _type_of(collection: str, record: dict[str, Any]) -> str:
    if collection == "actors":
        return mapping.actor_type(record["kind"])
    if collection == "events" and _kept(record) and record["feed_id"].startswith("grouping--"):
        return "grouping"  # a STIX grouping we read: an event whose parts are its members
    return mapping.COLLECTION_TYPES[collection]


def _kept(record: dict[str, Any]) -> bool:
    """Read from STIX: it keeps its STIX id when written as the type it was read as."""
    return record.get("feed") == "stix" and "--" in str(record.get("feed_id"))


def _own_id(collection: str, record: dict[str, Any]) -> str:
    """Its STIX id: the one it was read with, else the first of its `stix` external ids of
    the type it is written as (a bundle it came in, another tool's id given on import), else
    (not STIX, or observed data we write as a sighting) a uuid5 of its label and our id."""
    written = _type_of(collection, record)
    if _kept(record) and str(record["feed_id"]).split("--")[0] == written:
        return str(record["feed_id"])
    for given in mapping.stix_ids_in(record.get("external_ids")):
        if given.split("--")[0] == written:
            return given
    label = mapping.LABEL_OF_COLLECTION[collection]
    return mapping.stix_id(written, label, record["id"])


def _instant(time: dict[str, Any], end: bool = False) -> str | None:
    resolved = TimeSpec.model_validate(time).resolved()
    value = resolved.end if end else resolved.start
    return None if value is None else mapping.timestamp(value)


def _bound(text: str, end: bool) -> str:
    bounds = (
        span(text, None, TimePrecision.INTERVAL)
        if not end
        else span(None, text, TimePrecision.INTERVAL)
    )
    value = bounds.end if end else bounds.start
    assert value is not None
    return mapping.timestamp(value)


Versions = dict[tuple[str, str], tuple[str, str]]
"""(label, our id) → (`created`, `modified`) of a record with no STIX version of its own."""


def versions_of(snapshot: Snapshot) -> Versions:
    """When the graph first wrote each node and last changed it (`created_at`, `updated_at`):
    the STIX version of a record that did not come from STIX, the same in every export until
    the record changes."""
    versions: Versions = {}
    for label, nodes in snapshot.nodes.items():
        for node_id, props in nodes.items():
            created, updated = props.get("created_at"), props.get("updated_at")
            if isinstance(created, datetime):
                modified = updated if isinstance(updated, datetime) else created
                versions[(label, node_id)] = (
                    mapping.timestamp(created),
                    mapping.timestamp(max(created, modified)),
                )
    return versions


class _Writer:
    def __init__(self, document: dict[str, Any], now: str, versions: Versions) -> None:
        self.document, self.now, self.versions = document, now, versions
        self.ids = _Ids(document)
        self.objects: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self.markings: set[str] = set()
        self.in_report: dict[str, list[str]] = defaultdict(list)

    def common(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        sid = _own_id(collection, record)
        label = mapping.LABEL_OF_COLLECTION[collection]
        created, modified = self.versions.get((label, record["id"]), (self.now, self.now))
        obj: dict[str, Any] = {
            "type": sid.split("--")[0],
            "spec_version": mapping.SPEC_VERSION,
            "id": sid,
            "created": record.get("stix_created", created),
            "modified": record.get("stix_modified", modified),
            f"{PREFIX}label": mapping.LABEL_OF_COLLECTION[collection],
        }
        if sid != record.get("feed_id"):
            obj[f"{PREFIX}id"] = record["id"]
        if record.get("stix_markings"):
            obj["object_marking_refs"] = list(record["stix_markings"])
            self.markings.update(record["stix_markings"])
        return obj

    def custom(self, collection: str, record: dict[str, Any], obj: dict[str, Any]) -> None:
        """Every field no standard property holds, links as `…_ref(s)` to STIX ids."""
        shape = model.SHAPES_BY_COLLECTION[collection]
        links = {link.name: link for link in shape.links}
        skipped = _KEPT_APART | _STANDARD[collection]
        if obj["id"] == record.get("feed_id"):
            skipped = skipped | {"feed", "feed_id"}
        for key, value in record.items():
            if key in skipped:
                continue
            if key in links:
                link = links[key]
                if link.many:
                    obj[f"{PREFIX}{key}_refs"] = [self.ids.of(v, link.targets) for v in value]
                else:
                    obj[f"{PREFIX}{key}_ref"] = self.ids.of(value, link.targets)
            elif key == "participants":
                obj[f"{PREFIX}participants"] = [
                    {"role": p["role"], "ref": self.ids.of(p["ref"], ontology.ENTITY_LABELS)}
                    for p in value
                ]
            else:
                obj[PREFIX + key] = value

    def add(self, obj: dict[str, Any]) -> None:
        self.objects.append(obj)
        self.by_id[obj["id"]] = obj

    def entity(self, collection: str, record: dict[str, Any]) -> None:
        obj = self.common(collection, record)
        obj["name"] = record["name"]
        if record.get("description"):
            obj["description"] = record["description"]
        if collection in ("actors", "sources") and obj["type"] == "identity":
            obj["identity_class"] = mapping.IDENTITY_CLASS[record["kind"]]
        elif record.get("aliases") and obj["type"] != "location":
            obj["aliases"] = list(record["aliases"])
        if collection == "locations":
            point = record.get("point")
            if point is None:
                obj["region"] = "unknown"
            else:
                obj["latitude"], obj["longitude"] = point["lat"], point["lon"]
                obj[f"{PREFIX}point_precision"] = point["precision"]
                if point.get("uncertainty_km") is not None:
                    obj["precision"] = point["uncertainty_km"] * 1000
        if collection == "sources":
            obj[f"{PREFIX}reliability"] = record["reliability"]
        self.custom(collection, record, obj)
        merged = self.by_id.get(obj["id"])
        if merged is None:
            self.add(obj)
        else:  # a STIX identity that is both an actor and a source: one object
            for key, value in obj.items():
                if key.startswith(PREFIX) and key != f"{PREFIX}label":
                    merged.setdefault(key.replace(PREFIX, f"{PREFIX}source_", 1), value)
            merged[f"{PREFIX}reliability"] = record["reliability"]

    def report(self, record: dict[str, Any]) -> None:
        obj = self.common("reports", record)
        obj["name"] = record["name"]
        if record.get("description"):
            obj["description"] = record["description"]
        obj["report_types"] = [mapping.REPORT_TYPES.get(record["kind"], "threat-report")]
        published = record.get("published")
        obj["published"] = (published and _instant(published)) or obj["created"]
        if record.get("publisher"):
            obj["created_by_ref"] = self.ids.of(record["publisher"], ("Source",))
        if record.get("url"):
            obj["external_references"] = [{"source_name": "url", "url": record["url"]}]
        self.custom("reports", record, obj)
        self.add(obj)

    def event(self, record: dict[str, Any], parts: list[str]) -> None:
        obj = self.common("events", record)
        if record.get("description"):
            obj["description"] = record["description"]
        if obj["type"] == "grouping":  # read as one: its parts are its members
            obj["name"], obj["context"] = record["name"], mapping.GROUPING_CONTEXT
            source = self.ids.of(record["claims"][0]["source"], ("Source",))
            obj["object_refs"] = sorted(parts) or [source]
            self.custom("events", record, obj)
            self.add(obj)
            return
        for key, end in (("first_seen", False), ("last_seen", True)):
            instant = _instant(record["time"], end)
            if instant is not None:
                obj[key] = instant
        places = [
            *record.get("at", []),
            *[record[k] for k in ("origin", "destination") if k in record],
        ]
        locations = [p for p in record.get("at", []) if p in self.ids.by_label["Location"]]
        if locations:
            obj["where_sighted_refs"] = [self.ids.of(p, ("Location",)) for p in locations]
        seen = [p["ref"] for p in record.get("participants", [])] + places
        if seen:
            obj["sighting_of_ref"] = self.ids.of(seen[0], ontology.ENTITY_LABELS)
        else:
            obj["sighting_of_ref"] = self.ids.of(record["claims"][0]["source"], ("Source",))
        self.custom("events", record, obj)
        self.add(obj)

    def relation(self, record: dict[str, Any]) -> None:
        obj = self.common("relations", record)
        obj["relationship_type"] = record["type"].replace("_", "-")
        obj["source_ref"] = self.ids.of(record["from"], ontology.ENTITY_LABELS)
        obj["target_ref"] = self.ids.of(record["to"], ontology.ENTITY_LABELS)
        if record.get("description"):
            obj["description"] = record["description"]
        if record.get("since"):
            obj["start_time"] = _bound(str(record["since"]), end=False)
        if record.get("until"):
            obj["stop_time"] = _bound(str(record["until"]), end=True)
        self.custom("relations", record, obj)
        self.add(obj)

    def claims(self, owner: dict[str, Any], owner_sid: str) -> None:
        """Each claim a note by its source, on its event or relation, in its report."""
        for position, claim in enumerate(owner["claims"]):
            claim_id = claim.get("id", f"{owner['id']}/claim-{position + 1}")
            note: dict[str, Any] = {
                "type": "note",
                "spec_version": mapping.SPEC_VERSION,
                "id": mapping.stix_id("note", "Claim", claim_id),
                "created": self.by_id[owner_sid]["created"],
                "modified": self.by_id[owner_sid]["modified"],
                "created_by_ref": self.ids.of(claim["source"], ("Source",)),
                "content": claim["paraphrase"],
                "object_refs": [owner_sid],
                f"{PREFIX}position": position,
            }
            confidence = mapping.confidence_of(claim["credibility"])
            if confidence is not None:
                note["confidence"] = confidence
            if "id" in claim:
                note[f"{PREFIX}claim_id"] = claim["id"]
            for key in ("reliability", "quote", "grading_note", "reported_on"):
                if key in claim:
                    note[PREFIX + key] = claim[key]
            self.add(note)
            if claim.get("report"):
                report = self.ids.of(claim["report"], ("Report",))
                self.in_report[report].extend((note["id"], owner_sid))

    def grouping(self, record: dict[str, Any], parts: list[str]) -> None:
        """An event with parts, as STIX groups them: derived, so not read back."""
        sid = self.ids.of(record["id"], ("Event",))
        self.add(
            {
                "type": "grouping",
                "spec_version": mapping.SPEC_VERSION,
                "id": mapping.stix_id("grouping", "Event", record["id"]),
                "created": self.by_id[sid]["created"],
                "modified": self.by_id[sid]["modified"],
                "name": record["name"],
                "context": mapping.GROUPING_CONTEXT,
                "object_refs": [sid, *sorted(parts)],
                f"{PREFIX}group_of_ref": sid,
            }
        )

    def finish(self) -> None:
        for report_id, refs in self.in_report.items():
            self.by_id[report_id]["object_refs"] = sorted(set(refs))
        for obj in self.objects:
            if obj["type"] == "report" and "object_refs" not in obj:
                obj["object_refs"] = [obj.get("created_by_ref", obj["id"])]
        self.objects[:0] = [TLP[marking] for marking in sorted(self.markings) if marking in TLP]


def bundle_of(
    document: dict[str, Any], versions: Versions | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The STIX 2.1 bundle of a native document. A record with no STIX version takes its
    node's (`versions_of` the snapshot the document is of), else `now`."""
    writer = _Writer(document, mapping.timestamp(now or datetime.now(UTC)), versions or {})
    for collection in ("actors", "equipment_types", "assets", "locations", "sources"):
        for record in document.get(collection, []):
            writer.entity(collection, record)
    for record in document.get("reports", []):
        writer.report(record)
    parts: dict[str, list[str]] = defaultdict(list)
    for record in document.get("events", []):
        for larger in record.get("part_of", []):
            parts[larger].append(writer.ids.of(record["id"], ("Event",)))
    for record in document.get("events", []):
        writer.event(record, parts.get(record["id"], []))
    for record in document.get("relations", []):
        writer.relation(record)
    for collection in ("events", "relations"):
        label = mapping.LABEL_OF_COLLECTION[collection]
        for record in document.get(collection, []):
            writer.claims(record, writer.ids.of(record["id"], (label,)))
    for record in document.get("events", []):
        sid = writer.ids.of(record["id"], ("Event",))
        if record["id"] in parts and writer.by_id[sid]["type"] == "sighting":
            writer.grouping(record, parts[record["id"]])
    writer.finish()
    ids = "\n".join(obj["id"] for obj in writer.objects)
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(mapping.NAMESPACE, ids)}",
        "objects": writer.objects,
    }
