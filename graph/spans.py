"""Keeping `:LongSpan` (see `ontology.LONG_SPAN_LABEL`) in step with events' times.

One Cypher fragment, used by the importer after it writes events and by the schema migration
that labels events imported before the label existed.
"""

from graph.ontology import LONG_SPAN_LABEL, SHORT_SPAN_DAYS


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


MARK_ALL_LONG_SPANS = (
    f"MATCH (n:Event) CALL (n) {{ {mark_long_span('n')} }} IN TRANSACTIONS OF 10000 ROWS"
)
"""Label every event in the graph (the migration to schema version 2); batched, so it fits a
graph of any size."""
