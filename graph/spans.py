"""Derived time properties kept in step with what was imported: events' `:LongSpan` (see
`ontology.LONG_SPAN_LABEL`) and the far ends of relations' `since`/`until`.

Each is one Cypher fragment, used by the importer after it writes the nodes and by the schema
migration that fills it in on graphs imported before it existed, and its Python twin
(`is_long_span`, `relation_bounds`), with which the bulk files carry the same values from the
start (tests/test_import_bulk.py compares the two stores).
"""

from datetime import datetime, timedelta
from typing import Any

from eventgraph.graph.ontology import LONG_SPAN_LABEL, SHORT_SPAN_DAYS
from eventgraph.graph.timespan import bounds


def mark_long_span(node: str) -> str:
    """Clauses that put the label on `node` (an Event bound by the query before) exactly when
    its time is open at either end or spans more than SHORT_SPAN_DAYS, and take it off otherwise.
    They end the query part: nothing may follow but more updating clauses."""
    return (
        f"REMOVE {node}:`{LONG_SPAN_LABEL}` WITH {node} "
        f"WHERE {node}.start IS NULL OR {node}.end IS NULL "
        f"OR {node}.end > {node}.start + duration({{days: {SHORT_SPAN_DAYS}}}) "
        f"SET {node}:`{LONG_SPAN_LABEL}`"
    )


def is_long_span(start: datetime | None, end: datetime | None) -> bool:
    """Whether `mark_long_span` labels an event with these stored bounds."""
    return start is None or end is None or end > start + timedelta(days=SHORT_SPAN_DAYS)


MARK_ALL_LONG_SPANS = (
    f"MATCH (n:Event) CALL (n) {{ {mark_long_span('n')} }} IN TRANSACTIONS OF 10000 ROWS"
)
"""Label every event in the graph (the migration to schema version 2); batched, so it fits a
graph of any size."""


_UNIT = {"year": "years", "month": "months", "day": "days"}
"""Partial-time precisions that cover a calendar unit (an exact bound covers one instant)."""


def _unit_end(node: str, prop: str) -> str:
    """The last instant of the calendar unit that `node.prop` (its first instant) starts."""
    lengths = " ".join(
        f"WHEN '{precision}' THEN duration({{{unit}: 1}})" for precision, unit in _UNIT.items()
    )
    return (
        f"CASE WHEN {node}.`{prop}_precision` IN {list(_UNIT)} "
        f"THEN {node}.`{prop}` + CASE {node}.`{prop}_precision` {lengths} END "
        f"- duration({{nanoseconds: 1000}}) ELSE {node}.`{prop}` END"
    )


def set_relation_bounds(node: str) -> str:
    """A clause setting `since_end` (the last instant of the time `since` was given as) and
    `until_start` (the first of `until`'s) on the Relation `node`, from the stored instants and
    their precisions: "since 2015" is `since` 2015-01-01, `since_end` 2015-12-31T23:59:59.999999."""
    return (
        f"SET {node}.since_end = {_unit_end(node, 'since')}, "
        f"{node}.until_start = CASE WHEN {node}.until_precision IN {list(_UNIT)} "
        f"THEN datetime.truncate({node}.until_precision, {node}.until) ELSE {node}.until END"
    )


def relation_bounds(record: Any) -> dict[str, datetime]:
    """What `set_relation_bounds` sets on a relation's node, from its record: the far end of the
    time `since` and `until` were given as (their stored instants are the near ends, see
    writing.py), which `timespan.bounds` gives as Cypher's arithmetic on the stored instants
    does (every time is UTC)."""
    derived = {}
    if record.since is not None:
        derived["since_end"] = bounds(record.since)[1]
    if record.until is not None:
        derived["until_start"] = bounds(record.until)[0]
    return derived


SET_ALL_RELATION_BOUNDS = (
    f"MATCH (n:Relation) CALL (n) {{ {set_relation_bounds('n')} }} IN TRANSACTIONS OF 10000 ROWS"
)
"""Fill in `since_end`/`until_start` on every relation (the migration to schema version 3)."""
