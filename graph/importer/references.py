"""Which ids a record points at, read from the record as given (valid or not).

References are read from the raw record rather than the validated model, so a record with a
wrong field still has its references checked in the same round: one report lists both. A
reference in a field that is itself wrong (an id with spaces, a participant of an unknown
role) is left out, as its field problem already says what is wrong.
"""

from typing import Any

from eventgraph.graph import model, ontology
from eventgraph.graph.importer.reading import PathKey, RawRecord

Reference = tuple[str, tuple[str, ...], PathKey]
"""(id, labels it may have, path of the field)."""


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list | tuple) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_LINKS = {
    collection: tuple(link for link in shape.links if not link.by_relation_type)
    for collection, shape in model.SHAPES_BY_COLLECTION.items()
}
"""Per collection, the links whose targets the link itself names (not the relation type)."""


def references(raw: RawRecord, faulty: tuple[PathKey, ...] = ()) -> list[Reference]:
    """Every reference `raw` makes, except those in or around the `faulty` field paths."""
    data = raw.data
    refs: list[Reference] = []
    links = _LINKS[raw.collection]
    for link in links:
        if not link.many and (value := _text(data.get(link.name))) is not None:
            refs.append((value, link.targets, (link.name,)))
    for link in links:
        for index, item in _items(data.get(link.name)) if link.many else ():
            if (value := _text(item)) is not None:
                refs.append((value, link.targets, (link.name, index)))
    if raw.collection == "events":
        for index, participant in _items(data.get("participants")):
            if not isinstance(participant, dict):
                continue
            role = ontology.ROLES_BY_NAME.get(_text(participant.get("role")) or "")
            ref = _text(participant.get("ref"))
            if role is not None and ref is not None:
                refs.append((ref, role.labels, ("participants", index, "ref")))
    if raw.collection == "relations":
        relation = ontology.RELATION_TYPES_BY_NAME.get(_text(data.get("type")) or "")
        if relation is not None:
            start = _text(data.get("from", data.get("from_")))
            if start is not None:
                refs.append((start, relation.from_labels, ("from",)))
            if (end := _text(data.get("to"))) is not None:
                refs.append((end, relation.to_labels, ("to",)))
    if raw.collection in ("events", "relations"):
        for index, claim in _items(data.get("claims")):
            if not isinstance(claim, dict):
                continue
            if (source := _text(claim.get("source"))) is not None:
                refs.append((source, ("Source",), ("claims", index, "source")))
            if (report := _text(claim.get("report"))) is not None:
                refs.append((report, ("Report",), ("claims", index, "report")))
            for at, basis in _items(claim.get("based_on")):
                if (basis := _text(basis)) is not None:
                    refs.append((basis, ("Source",), ("claims", index, "based_on", at)))
    if not faulty:
        return refs
    return [ref for ref in refs if not any(path and _overlap(ref[2], path) for path in faulty)]


def _overlap(a: PathKey, b: PathKey) -> bool:
    """One path lies inside the other (or they are the same)."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]
