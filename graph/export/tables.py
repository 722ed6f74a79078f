"""`eventgraph export --format csv PATH`: a folder of the CSV tables `eventgraph import` reads.

One file per table that has rows (`actors.csv` … `relations.csv`, `participants.csv`,
`claims.csv`), each with every column of its table (`importer.reading.CSV_TABLES`), written
from the native document, so importing the folder into an empty graph gives the same graph.
A value CSV cannot carry is refused before any file is written (`Conflict`): a list item holding
the list separator `;`, starting or ending with a space, or empty, and empty text, all of which
the import would read back differently.
"""

import csv
from pathlib import Path
from typing import Any

from eventgraph.graph import model
from eventgraph.graph.errors import Conflict
from eventgraph.graph.importer.reading import CSV_TABLES, LIST_SEPARATOR

_PARTS = {
    "point": ("lat", "lon", "precision", "uncertainty_km"),
    "time": ("start", "end", "precision", "year_assumed", "note"),
    "duration": ("amount", "unit", "approximate"),
    "published": ("start", "end", "precision", "year_assumed", "note"),
}
"""The native keys of each special part with columns, in the order of its CSV columns."""
_SPECIAL_COLUMNS = {
    shape.label.collection: {
        part.name: dict(zip(_PARTS.get(part.name, (part.name,)), part.columns, strict=True))
        for part in shape.fields
        if isinstance(part, model.Special) and part.columns
    }
    for shape in model.SHAPES
}
"""Per collection, per special part, which column each of its native keys goes to."""
_SHOWN = 10


class _Rows:
    """The tables' rows, and the values that CSV cannot carry."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, str]]] = {table: [] for table in CSV_TABLES}
        self.refused: list[str] = []

    def cell(self, where: str, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            for item in value:
                if LIST_SEPARATOR in item or item != item.strip() or not item:
                    self.refused.append(f"{where}: list item {item!r}")
            return LIST_SEPARATOR.join(value)
        text = str(value)
        if not text:
            self.refused.append(f"{where}: empty text")
        return text

    def record(self, collection: str, record: dict[str, Any]) -> None:
        row: dict[str, str] = {}
        where = f"{collection} '{record['id']}'"
        specials = _SPECIAL_COLUMNS[collection]
        for name, value in record.items():
            if name == "external_ids":  # one cell, `scheme:value` items (docs/identity.md)
                given = [f"{item['scheme']}:{item['value']}" for item in value]
                row[name] = self.cell(f"{where}.{name}", given)
            elif name in specials:
                columns = specials[name]
                parts = value if isinstance(value, dict) else {name: value}
                for key, part in parts.items():
                    if part is not None:
                        row[columns[key]] = self.cell(f"{where}.{name}.{key}", part)
            elif name == "participants":
                for item in value:
                    self.tables["participants"].append(
                        {"event": record["id"], "role": item["role"], "ref": item["ref"]}
                    )
            elif name == "claims":
                for index, claim in enumerate(value):
                    self.tables["claims"].append(
                        {"target": record["id"]}
                        | {
                            key: self.cell(f"{where}.claims[{index}].{key}", part)
                            for key, part in claim.items()
                        }
                    )
            elif value is not None:
                row[name] = self.cell(f"{where}.{name}", value)
        self.tables[collection].append(row)


def write(document: dict[str, Any], folder: Path) -> list[Path]:
    """Write the document's tables into `folder` (new or empty); the files written."""
    rows = _Rows()
    for shape in model.SHAPES:
        for record in document.get(shape.label.collection, []):
            rows.record(shape.label.collection, record)
    if rows.refused:
        shown = "; ".join(rows.refused[:_SHOWN])
        more = f" and {len(rows.refused) - _SHOWN} more" if len(rows.refused) > _SHOWN else ""
        raise Conflict(
            f"the graph holds values CSV cannot carry ({shown}{more}): CSV separates list items "
            f"with '{LIST_SEPARATOR}' and reads an empty cell as no value; export as yaml or json"
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, table_rows in rows.tables.items():
        if not table_rows:
            continue
        path = folder / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=CSV_TABLES[table])
            writer.writeheader()
            writer.writerows(table_rows)
        written.append(path)
    return written
