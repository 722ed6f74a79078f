"""Neo4j values as JSON (the `/cypher` answer, `--format json`) and as text (tables, CSV, docs).

JSON: nodes, relationships and paths become typed objects (`{"type": "node", …}`); dates,
times, datetimes and durations their ISO 8601 text; points `{"type": "point", "srid", "x",
"y"[, "z"]}`; byte arrays base64; NaN and infinities the strings Cypher prints for them.
Text: what a person reads in a table cell; `docs/cypher.md` states expected results in it.
"""

import base64
import json
import math
import re
from typing import Any

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]

_TEMPORAL = (Date, DateTime, Time, Duration)
_TRAILING_ZEROS = re.compile(r"\.(\d*?)0+(?=$|[+\-Z])")


def _iso(value: Date | DateTime | Time | Duration) -> str:
    """ISO 8601 as Cypher prints it: no trailing zeros in fractions, `Z` for UTC, [zone]."""
    text = _TRAILING_ZEROS.sub(
        lambda match: f".{match.group(1)}" if match.group(1) else "", str(value.iso_format())
    )
    if text.endswith("+00:00"):
        text = text[: -len("+00:00")] + "Z"
    tzinfo = getattr(value, "tzinfo", None)
    zone = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if isinstance(zone, str) and zone not in ("UTC", "Etc/UTC"):
        text += f"[{zone}]"
    return text


def _node(node: Node) -> dict[str, JsonValue]:
    labels: list[JsonValue] = [str(label) for label in sorted(node.labels)]
    return {
        "type": "node",
        "id": node.element_id,
        "labels": labels,
        "properties": {key: to_json(value) for key, value in sorted(node.items())},
    }


def _relationship(relationship: Relationship) -> dict[str, JsonValue]:
    start, end = relationship.start_node, relationship.end_node
    return {
        "type": "relationship",
        "id": relationship.element_id,
        "relationship_type": relationship.type,
        "start": start.element_id if start is not None else None,
        "end": end.element_id if end is not None else None,
        "properties": {key: to_json(value) for key, value in sorted(relationship.items())},
    }


def _point(point: Point) -> dict[str, JsonValue]:
    shown: dict[str, JsonValue] = {"type": "point", "srid": point.srid}
    shown.update(zip(("x", "y", "z"), (float(c) for c in point), strict=False))
    return shown


def to_json(value: Any) -> JsonValue:
    """A value from a Neo4j record as plain JSON data."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, Node):
        return _node(value)
    if isinstance(value, Relationship):
        return _relationship(value)
    if isinstance(value, Path):
        return {
            "type": "path",
            "nodes": [_node(node) for node in value.nodes],
            "relationships": [_relationship(rel) for rel in value.relationships],
        }
    if isinstance(value, Point):
        return _point(value)
    if isinstance(value, _TEMPORAL):
        return _iso(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return str(value)


def text_of(value: JsonValue) -> str:
    """A JSON value (from `to_json`) as one table cell."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("type") == "node":
        labels = "".join(f":{label}" for label in value["labels"] or [])  # type: ignore[union-attr]
        props = value["properties"]
        key = props.get("id") if isinstance(props, dict) else None
        return f"({labels} {{id: {json.dumps(key)}}})" if key is not None else f"({labels})"
    if isinstance(value, dict) and value.get("type") == "relationship":
        return f"[:{value['relationship_type']}]"
    if isinstance(value, dict) and value.get("type") == "path":
        nodes = value["nodes"]
        return " - ".join(text_of(node) for node in nodes)  # type: ignore[union-attr]
    if isinstance(value, dict) and value.get("type") == "point":
        axes = ("srid", "x", "y", "z")
        fields = ", ".join(f"{key}: {value[key]}" for key in axes if key in value)
        return f"point({{{fields}}})"
    return json.dumps(value, ensure_ascii=False)


def to_text(value: Any) -> str:
    """A Neo4j value as one table cell: strings bare, null as `null`, lists and maps as JSON."""
    return text_of(to_json(value))
