"""`eventgraph import`: read files, validate everything, then write (or write nothing).

    read_all (reading.py) ─▶ validate (validation.py) ─▶ write_plan (writing.py)

Problems from every stage are gathered and reported together; if there is any, nothing is
written. See docs/importing.md for the formats and modes.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from eventgraph.graph.errors import InvalidData, Unavailable
from eventgraph.graph.importer.reading import RawRecord, ReadResult, read_all
from eventgraph.graph.importer.validation import Plan, validate
from eventgraph.graph.importer.writing import Outcome, write_plan


@dataclass
class ImportSummary:
    """What an import did, per label."""

    files: list[Path]
    records: int
    outcome: Outcome
    assumptions: list[str] = field(default_factory=list)


def read_and_validate(
    driver: Driver, database: str, paths: list[Path], max_bytes: int
) -> tuple[ReadResult, Plan]:
    """Read and validate files and folders; raise `InvalidData` on any problem of any stage,
    `Unavailable` (nothing written) if Neo4j goes away meanwhile."""
    read = read_all(paths, max_bytes)
    try:
        plan = validate(read.records, read.attachments, driver, database)
    except (ServiceUnavailable, SessionExpired):
        raise Unavailable(
            "Neo4j went away while the import was being checked: nothing of it was written. "
            "Once Neo4j is back, run the same import again."
        ) from None
    problems = read.problems + plan.problems
    if problems:
        rejected = Counter(plan.rejected)
        raise InvalidData(problems, rejected=dict(rejected))
    return read, plan


def import_paths(
    driver: Driver,
    database: str,
    paths: list[Path],
    *,
    max_bytes: int,
    batch_size: int | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import files and folders; raise `InvalidData` (having written nothing) on any problem,
    `Unavailable` if Neo4j goes away (saying what stays written)."""
    read, plan = read_and_validate(driver, database, paths, max_bytes)
    if on_total:
        on_total(plan.total)
    outcome = write_plan(driver, database, plan, batch_size=batch_size, progress=on_progress)
    return ImportSummary(read.files, len(plan.items), outcome, read.assumptions)


def import_records(
    driver: Driver, database: str, records: list[tuple[str, dict[str, Any]]], origin: str
) -> ImportSummary:
    """Validate and write records given as data (API mutations): the importer's own path.

    `records` are (collection, native-format record) pairs; problems name `origin` and the
    record path (`input.events[0].time.start`), and nothing is written if there is any.
    """
    raw = [
        RawRecord(collection, data, Path(origin), ("input", collection, index))
        for index, (collection, data) in enumerate(records)
    ]
    plan = validate(raw, [], driver, database)
    if plan.problems:
        raise InvalidData(plan.problems, rejected=dict(plan.rejected))
    outcome = write_plan(driver, database, plan)
    return ImportSummary([], len(plan.items), outcome)
