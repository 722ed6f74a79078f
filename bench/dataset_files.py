"""Writing a dataset twice: native JSON documents and the CSV tables, the same records in both.

    DIR/native/world.json            places, actors, equipment, assets, sources, reports, relations
    DIR/native/events-00001.json     EVENTS_PER_FILE events each
    DIR/csv/<table>.csv              the world's tables, relation claims in claims-world.csv
    DIR/csv/events-00001.csv         with participants-00001.csv and claims-00001.csv beside it

Both are what `eventgraph import` reads (docs/importing.md); the CSV files are also what the
LOAD CSV reference loads. Output is byte-for-byte the same for the same records: JSON from
orjson without sorting (records are built in a fixed key order), CSV with `\\n` line ends.
The writer counts nodes per label and relationships per type as the importer will create
them, for the manifest.
"""

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from eventgraph.graph.importer.reading import CSV_TABLES, LIST_SEPARATOR
from eventgraph.graph.ontology import LABELS_BY_NAME
from eventgraph.graph.records import FORMAT_VERSION

Record = dict[str, Any]
EVENTS_PER_FILE = 20_000
"""Events per file: 1M events make 50 files of about 15 MB, far below the importer's limit."""
WORLD_COLLECTIONS = (
    "locations",
    "actors",
    "equipment_types",
    "assets",
    "sources",
    "reports",
    "relations",
)
_LABEL_OF = {label.collection: label.name for label in LABELS_BY_NAME.values()}
_EDGE_OF_FIELD = {
    "within": "WITHIN",
    "located_at": "LOCATED_AT",
    "instance_of": "INSTANCE_OF",
    "actor": "IS_ACTOR",
    "publisher": "PUBLISHED_BY",
    "from": "FROM",
    "to": "TO",
    "at": "OCCURRED_AT",
    "origin": "ORIGIN",
    "destination": "DESTINATION",
    "part_of": "PART_OF",
    "about": "ABOUT",
    "ends": "ENDS",
    "participants": "INVOLVES",
}


def chunk_name(table: str, number: int, suffix: str) -> str:
    """`events-00001.json`, `claims-00001.csv` …: numbered from 1, sorted by name."""
    return f"{table}-{number:05d}.{suffix}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return str(value)


def csv_row(collection: str, record: Record) -> list[str]:
    """A native record as a row of its CSV table (participants and claims go elsewhere)."""
    flat = dict(record)
    point = flat.pop("point", None)
    if point is not None:
        flat.update(
            lat=point["lat"],
            lon=point["lon"],
            point_precision=point["precision"],
            uncertainty_km=point.get("uncertainty_km"),
        )
    time = flat.pop("time", None)
    if time is not None:
        flat.update(
            start=time.get("start"),
            end=time.get("end"),
            precision=time["precision"],
            year_assumed=time.get("year_assumed"),
            time_note=time.get("note"),
        )
    published = flat.pop("published", None)
    if published is not None:
        flat.update({f"published_{key}": value for key, value in published.items()})
    return [_cell(flat.get(column)) for column in CSV_TABLES[collection]]


def claim_row(target: str, claim: Record) -> list[str]:
    """A claim as a row of the claims table."""
    return [_cell({"target": target, **claim}.get(column)) for column in CSV_TABLES["claims"]]


class DatasetWriter:
    """Writes the world once and the events chunk by chunk, counting what they will create."""

    def __init__(self, out: Path) -> None:
        self.native = out / "native"
        self.csv = out / "csv"
        self.native.mkdir(parents=True, exist_ok=True)
        self.csv.mkdir(parents=True, exist_ok=True)
        self.nodes: Counter[str] = Counter()
        self.relationships: Counter[str] = Counter()

    def write_world(self, collections: dict[str, list[Record]]) -> None:
        """`world.json` and one CSV table per collection (relation claims: claims-world.csv)."""
        document: Record = {"eventgraph": FORMAT_VERSION}
        for collection in WORLD_COLLECTIONS:
            records = collections[collection]
            document[collection] = records
            self._write_table(self.csv / f"{collection}.csv", collection, records)
            self._count(collection, records)
        (self.native / "world.json").write_bytes(orjson.dumps(document))
        self._write_claims(self.csv / "claims-world.csv", collections["relations"])

    def write_events(self, number: int, events: list[Record]) -> None:
        """One chunk of events: a JSON document and its three CSV tables."""
        document = {"eventgraph": FORMAT_VERSION, "events": events}
        (self.native / chunk_name("events", number, "json")).write_bytes(orjson.dumps(document))
        self._write_table(self.csv / chunk_name("events", number, "csv"), "events", events)
        with (self.csv / chunk_name("participants", number, "csv")).open(
            "w", encoding="utf-8", newline=""
        ) as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(CSV_TABLES["participants"])
            for event in events:
                for participant in event.get("participants", ()):
                    writer.writerow([event["id"], participant["role"], participant["ref"]])
        self._write_claims(self.csv / chunk_name("claims", number, "csv"), events)
        self._count("events", events)

    def _write_table(self, path: Path, collection: str, records: list[Record]) -> None:
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(CSV_TABLES[collection])
            writer.writerows(csv_row(collection, record) for record in records)

    def _write_claims(self, path: Path, owners: list[Record]) -> None:
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(CSV_TABLES["claims"])
            for owner in owners:
                writer.writerows(claim_row(owner["id"], claim) for claim in owner["claims"])

    def _count(self, collection: str, records: list[Record]) -> None:
        self.nodes[_LABEL_OF[collection]] += len(records)
        for record in records:
            for key, edge in _EDGE_OF_FIELD.items():
                value = record.get(key)
                if value:
                    self.relationships[edge] += len(value) if isinstance(value, list) else 1
            claims = record.get("claims", ())
            if claims:
                self.nodes["Claim"] += len(claims)
                self.relationships["SUPPORTS"] += len(claims)
                self.relationships["SOURCED_FROM"] += len(claims)
                self.relationships["IN_REPORT"] += sum(1 for claim in claims if "report" in claim)
