"""The ontology, declared once: node labels and what the schema indexes on each.

Constraints and indexes (`graph/schema.py`) are derived from this declaration; the event-type
taxonomy, roles and relationship types join it as the graph model grows.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeLabel:
    """One kind of node in the graph."""

    name: str
    description: str
    searchable: tuple[str, ...] = ("name", "aliases")
    """Properties in the full-text index over names and aliases."""
    time_properties: tuple[str, ...] = ()
    """Properties with a range index, for time-window queries."""
    point_property: str | None = None
    """A WGS-84 point property with a point index."""
    kinds: tuple[str, ...] = field(default=())


LABELS: tuple[NodeLabel, ...] = (
    NodeLabel(
        "Actor",
        "A state, government, armed force or unit, armed group, organisation or person; "
        "possibly unnamed.",
    ),
    NodeLabel("Asset", "An installation (air base, airport, port) or equipment, type or airframe."),
    NodeLabel("Location", "A country, province, city or site.", point_property="point"),
    NodeLabel(
        "Event",
        "Something that happened: a flight, an attack, a statement, a deployment…",
        time_properties=("start", "end"),
    ),
    NodeLabel("Source", "Who reports: an outlet, a data service, an (anonymous) person."),
    NodeLabel("Report", "One publication of a source: an article, a dataset release."),
)

LABELS_BY_NAME = {label.name: label for label in LABELS}
