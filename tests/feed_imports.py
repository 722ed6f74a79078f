"""Importing feed samples in tests: with feed options, refused with nothing written, and the
rows a query gives."""

from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from eventgraph.graph import feeds
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.importer import ImportSummary, import_paths
from eventgraph.graph.settings import Settings
from tests.helpers import graph_checksum


def import_feed(driver: Driver, settings: Settings, *paths: Path, **options: Any) -> ImportSummary:
    """Import `paths` with these feed options (`feeds.FeedOptions` fields)."""
    with feeds.using(feeds.FeedOptions(**options)):
        return import_paths(driver, settings.neo4j_database, list(paths), max_bytes=2**24)


def refused_feed(driver: Driver, settings: Settings, *paths: Path, **options: Any) -> str:
    """The refusal of importing `paths`, checked to have written nothing."""
    before = graph_checksum(driver)
    with pytest.raises(InvalidData) as caught:
        import_feed(driver, settings, *paths, **options)
    assert graph_checksum(driver) == before, "a refused import wrote something"
    return str(caught.value)


def graph_rows(driver: Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    return [record.data() for record in driver.execute_query(query, params)[0]]
