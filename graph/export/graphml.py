"""`eventgraph export --format graphml`: the graph for networkx, Gephi and other GraphML readers.

Every attribute is declared once with its `attr.type` (`elements.NODE_TYPES`): text, long,
double or boolean. GraphML has no lists, times or points, so lists are JSON text, times ISO 8601
text and a point its `lat` and `lon` doubles. Each node carries its label as `label`, each edge
its type as `type`. XML 1.0 cannot hold most control characters (NUL, U+0001 … U+001F but tab
and line breaks), not even escaped: they are written as U+FFFD, and a carriage return as a
character reference so that readers do not turn it into a line feed.
"""

import json
import re
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

from eventgraph.graph.export import elements
from eventgraph.graph.exporting import Snapshot

ATTR_TYPES = {
    "STRING": "string",
    "INTEGER": "long",
    "FLOAT": "double",
    "BOOLEAN": "boolean",
}
"""GraphML's type of each Neo4j type; the others (lists, times) are written as text."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return escape(_NOT_XML.sub("\ufffd", text), {"\r": "&#13;"})


def _key(domain: str, name: str) -> str:
    return f"{domain[0]}_{name}"


def _keys(domain: str, types: dict[str, str]) -> list[str]:
    return [
        f'  <key id="{_key(domain, name)}" for="{domain}" attr.name="{name}" '
        f'attr.type="{ATTR_TYPES.get(cypher, "string")}"/>\n'
        for name, cypher in types.items()
    ]


def _data(domain: str, values: dict[str, Any]) -> str:
    return "".join(
        f'<data key="{_key(domain, name)}">{_text(value)}</data>' for name, value in values.items()
    )


def write(snapshot: Snapshot, out: TextIO) -> None:
    """Write the snapshot as one GraphML document."""
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    )
    out.writelines(_keys("node", {"label": "STRING", **elements.NODE_TYPES}))
    out.writelines(_keys("edge", {"type": "STRING", **elements.EDGE_DECLARED}))
    out.write('  <graph id="eventgraph" edgedefault="directed">\n')
    for node in elements.nodes(snapshot):
        data = _data("node", {"label": node.label, **node.properties})
        out.write(f"    <node id={quoteattr(node.key)}>{data}</node>\n")
    for edge in elements.edges(snapshot):
        data = _data("edge", {"type": edge.type, **edge.properties})
        ends = f"source={quoteattr(edge.source)} target={quoteattr(edge.target)}"
        out.write(f"    <edge {ends}>{data}</edge>\n")
    out.write("  </graph>\n</graphml>\n")
