"""External ids a feed record gives (`external_ids`), in the form the scheme takes.

A record of the same thing from another feed, an earlier import or the seed then attaches to
the node that has the id (docs/identity.md). docs/feeds.md says which ids each feed gives.
"""

from typing import Any

from eventgraph.graph.ontology import ID_SCHEMES_BY_NAME


def external_ids(*given: tuple[str, str | None]) -> dict[str, Any]:
    """`{"external_ids": [...]}` of the (scheme, value) pairs the feed knows, each normalised
    (`{}` if none). A value that is not one of its scheme's ids (a five-letter type code, a
    registration with a space) is left out rather than refusing the record: the feed's value
    is then no id of that scheme."""
    ids: list[dict[str, str]] = []
    for scheme, value in given:
        if not value:
            continue
        try:
            normal = ID_SCHEMES_BY_NAME[scheme].check(value)
        except ValueError:
            continue
        item = {"scheme": scheme, "value": normal}
        if item not in ids:
            ids.append(item)
    return {"external_ids": ids} if ids else {}


def add_ids(record: dict[str, Any], more: list[dict[str, str]]) -> None:
    """Give `record` the ids of `more` it lacks (another file's or row's record of it)."""
    if not more:
        return
    ids = record.setdefault("external_ids", [])
    ids.extend(item for item in more if item not in ids)
