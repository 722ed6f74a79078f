"""The Relay envelope around a page: `total_count`, `nodes`, `edges {cursor node}`, `page_info`.

A connection's statement (`queries._connection`) returns the count and one more entry than the
page holds (so `has_next_page` needs no second count); each entry holds the node shaped once per
`nodes` and per `edges.node` selection, under `n_<key>` and `e_<key>`.
"""

from typing import Any

from eventgraph.graph.projection import Selection
from eventgraph.graph.translate.queries import encode_cursor


def connection(
    selection: Selection, total: Any, page: list[dict[str, Any]], skip: int, limit: int
) -> dict[str, Any]:
    """The connection's value, keyed by response key, from its statement's `total` and `page`."""
    has_more = len(page) > limit
    page = page[:limit]
    info = {
        "has_next_page": has_more,
        "has_previous_page": skip > 0,
        "start_cursor": encode_cursor(skip) if page else None,
        "end_cursor": encode_cursor(skip + len(page) - 1) if page else None,
    }
    result: dict[str, Any] = {}
    for child in selection.children:
        if child.name == "total_count":
            result[child.key] = total
        elif child.name == "nodes":
            result[child.key] = [entry[f"n_{child.key}"] for entry in page]
        elif child.name == "edges":
            result[child.key] = [
                _edge(child, entry, offset) for offset, entry in enumerate(page, start=skip)
            ]
        elif child.name == "page_info":
            result[child.key] = {part.key: info[part.name] for part in child.children}
    return result


def _edge(selection: Selection, entry: dict[str, Any], offset: int) -> dict[str, Any]:
    edge: dict[str, Any] = {}
    for part in selection.children:
        if part.name == "cursor":
            edge[part.key] = encode_cursor(offset)
        elif part.name == "node":
            edge[part.key] = entry[f"e_{part.key}"]
    return edge
