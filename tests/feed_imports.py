"""Importing feed samples in tests: with feed options, a sample with one thing wrong, refused
with nothing written and naming the file, row and field, and the rows a query gives."""

import csv
import io
from collections.abc import Sequence
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


def refusal(driver: Driver, settings: Settings, *paths: Path, **options: Any) -> InvalidData:
    """The refusal of importing `paths`, checked to have written nothing."""
    before = graph_checksum(driver)
    with pytest.raises(InvalidData) as caught:
        import_feed(driver, settings, *paths, **options)
    assert graph_checksum(driver) == before, "a refused import wrote something"
    return caught.value


def refused_feed(driver: Driver, settings: Settings, *paths: Path, **options: Any) -> str:
    """The message refusing `paths`, checked to have written nothing."""
    return str(refusal(driver, settings, *paths, **options))


def refused_naming(
    driver: Driver, settings: Settings, bad: Path, expected: str, *also: Path, **options: Any
) -> str:
    """Import `bad` (a sample with one thing wrong) with the files `also`: refused, nothing
    written, and a problem of `bad` (named by its path, and line if it has one) says
    `expected` (its row or object, field and reason: `row 3.event_date: … is not a date`).
    The whole message, for more checks."""
    error = refusal(driver, settings, bad, *also, **options)
    of_bad = [
        str(problem)
        for problem in error.problems
        if problem.where == str(bad) or problem.where.startswith(f"{bad}:")
    ]
    assert any(expected in line for line in of_bad), str(error)
    return str(error)


def changed_sample(
    sample: Path,
    folder: Path,
    row: int,
    column: str,
    value: str,
    *,
    delimiter: str = "\t",
    columns: Sequence[str] | None = None,
) -> Path:
    """`sample` (a delimited table) written into `folder` with one thing wrong: the cell at
    `row`, `column` set to `value`; column `*`: the row cut to `value` fields; row 0: that
    column dropped from the header and every row. Rows count from 1, after the header; a table
    without one (GDELT's) gives its `columns`."""
    text = sample.read_text()
    if delimiter == "\t":
        table = [line.split("\t") for line in text.splitlines()]
    else:
        table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = table[0] if columns is None else list(columns)
    at = row if columns is None else row - 1
    if row == 0:
        index = header.index(column)
        table = [line[:index] + line[index + 1 :] for line in table]
    elif column == "*":
        table[at] = table[at][: int(value)]
    else:
        table[at][header.index(column)] = value
    path = folder / sample.name
    if delimiter == "\t":
        path.write_text("".join("\t".join(line) + "\n" for line in table))
    else:
        with path.open("w", newline="") as handle:
            csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(table)
    return path


def graph_rows(driver: Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    return [record.data() for record in driver.execute_query(query, params)[0]]
