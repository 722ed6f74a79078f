"""`eventgraph import`: read files, validate everything, then write (or write nothing).

    read_all (reading.py) ─▶ validate (validation.py) ─▶ write_plan (writing.py)

Problems from every stage are gathered and reported together; if there is any, nothing is
written. See docs/importing.md for the formats and modes.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver

from graph.errors import InvalidData
from graph.importer.reading import read_all
from graph.importer.validation import validate
from graph.importer.writing import Outcome, write_plan


@dataclass
class ImportSummary:
    """What an import did, per label."""

    files: list[Path]
    records: int
    outcome: Outcome
    assumptions: list[str] = field(default_factory=list)


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
    """Import files and folders; raise `InvalidData` (having written nothing) on any problem."""
    read = read_all(paths, max_bytes)
    plan = validate(read.records, read.attachments, driver, database)
    problems = read.problems + plan.problems
    if problems:
        rejected = Counter(plan.rejected)
        raise InvalidData(problems, rejected=dict(rejected))
    if on_total:
        on_total(len(plan.items))
    outcome = write_plan(driver, database, plan, batch_size=batch_size, progress=on_progress)
    return ImportSummary(read.files, len(plan.items), outcome, read.assumptions)
