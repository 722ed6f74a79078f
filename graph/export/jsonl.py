"""`eventgraph export --format jsonl`: JSON Lines, one node or edge per line.

A node: `{"type": "node", "id": "Event:x", "label": "Event", "properties": {…}}`; an edge:
`{"type": "edge", "label": "INVOLVES", "from": "Event:x", "to": "Actor:y", "properties": {…}}`.
All nodes come first, so a reader meets both ends before an edge. Lists are JSON arrays, times
ISO 8601 text, a point its `lat` and `lon` (`elements`). Text is UTF-8 as is, except the
characters some readers take for line ends (U+0085, U+2028, U+2029), which are `\\u` escapes,
so that every line is one object whichever way a reader splits lines.
"""

import json
from typing import Any, TextIO

from eventgraph.graph.export import elements
from eventgraph.graph.exporting import Snapshot

_LINE_ENDS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _line(item: dict[str, Any]) -> str:
    text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _LINE_ENDS.items():
        text = text.replace(character, escaped)  # inside strings only: JSON has them nowhere else
    return text + "\n"


def write(snapshot: Snapshot, out: TextIO) -> None:
    """Write the snapshot as JSON Lines, nodes first."""
    for node in elements.nodes(snapshot):
        out.write(
            _line(
                {"type": "node", "id": node.key, "label": node.label, "properties": node.properties}
            )
        )
    for edge in elements.edges(snapshot):
        out.write(
            _line(
                {
                    "type": "edge",
                    "label": edge.type,
                    "from": edge.source,
                    "to": edge.target,
                    "properties": edge.properties,
                }
            )
        )
