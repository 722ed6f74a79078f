"""`eventgraph import`: check every file, then write (or write nothing).

    pass 1, checking: read_file (reading.py) ─▶ Checker (validation.py) ─▶ Spool (spool.py)
    pass 2, writing:  Spool, label by label ─▶ write_plan (writing.py)

Files are read and checked one at a time; only what later records need stays in memory, the
valid records wait in the spool on disk. Problems from every stage and file are gathered and
reported together; if there is any, nothing is written. See docs/importing.md for the formats,
the modes and what the two passes hold.
"""

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from typing import Any

from neo4j import Driver, Record
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from eventgraph.graph import feeds
from eventgraph.graph.errors import InvalidData, Unavailable
from eventgraph.graph.executor import Statement
from eventgraph.graph.importer.parallel import COLLECT_EVERY, CheckPool, pool_worth_it
from eventgraph.graph.importer.reading import (
    RawRecord,
    ReadResult,
    discover,
    holds_attachments,
    read_file,
    shared_feed_records,
)
from eventgraph.graph.importer.skipping import Skips
from eventgraph.graph.importer.spool import Attachments, Spool
from eventgraph.graph.importer.validation import Checker, Plan
from eventgraph.graph.importer.writing import WRITE_ORDER, Outcome, write_and_read, write_plan
from eventgraph.graph.processes import usable_cores
from eventgraph.graph.retraction import Retracted, retract_events

Phase = Callable[[str, int], None]
"""Told when a phase starts: its name (`checking`, `writing`) and how many steps it has
(files for checking, records for writing); `Progress` then counts the steps done."""
Progress = Callable[[int], None]


@dataclass
class ImportSummary:
    """What an import did, per label."""

    files: list[Path]
    records: int
    outcome: Outcome
    assumptions: list[str] = field(default_factory=list)
    retracted: Retracted = field(default_factory=Retracted)
    """What the feed files' retractions (ACLED's deleted events) did; ids of events not in
    the graph are reported here, not refused: a deleted list covers the whole feed."""
    skipped: Skips | None = None
    """With `--skip-bad`: the records left out, and why."""
    attached: int = 0
    """Records that attached to a node already in the graph by an external id (not written:
    their ids were added to it; docs/identity.md)."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a pool's results are taken (parallel.py): they
    arrive as millions of small tuples and strings, none in cycles, and even with
    `_fewer_collections` the collections walking them were most of the unpickling (at 10k
    events, 0.21 s of 0.29; none while it lasts, the few cycles wait for the block's end)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often (`parallel.COLLECT_EVERY`): checking builds
    and drops millions of small objects, none in cycles, and each collection walks every live
    one (at 100k events, an eighth of the checking time went to collections)."""
    before = gc.get_threshold()
    gc.set_threshold(COLLECT_EVERY, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def read_and_validate(
    driver: Driver | None,
    database: str,
    paths: list[Path],
    max_bytes: int,
    spool: Spool,
    *,
    on_phase: Phase | None = None,
    on_progress: Progress | None = None,
    skips: Skips | None = None,
    workers: int | None = None,
) -> tuple[ReadResult, Plan]:
    """Read and check files and folders into `spool`, one file at a time; raise `InvalidData`
    on any problem of any stage, `Unavailable` (nothing written) if Neo4j goes away meanwhile.
    With `skips` (`--skip-bad`), the records it holds are left out, and problems of records
    are added to it instead of refusing (the caller checks again until it is settled).

    The result's `files` and `assumptions` are filled in, its `records` stay empty: the
    records are in the plan's spool.

    `workers` sets how many worker processes check the records (parallel.py; 1: none, in
    this process); by default as many as there are cores, for imports large enough to pay
    for starting them.

    `driver` None says the graph is known to be empty (a bulk load checked it, and stops
    Neo4j meanwhile): nothing is looked up in it (`Checker.finish`)."""
    if skips is not None:
        skips.begin_round()
    keep = skips.keep if skips is not None else None
    kept_before = skips.checked if skips is not None else None
    files, problems = discover(paths)
    read = ReadResult(problems=problems, files=files)
    # CSV participants and claims rows first: they wait for the records they attach to.
    order = sorted(files, key=lambda file: not holds_attachments(file))
    attachments = Attachments(spool.directory)
    checker = Checker(spool, attachments)
    if on_phase:
        on_phase("checking", len(order))
    try:
        with _fewer_collections(), feeds.one_import():
            at = 0
            pooled = False
            while at < len(order):
                file = order[at]
                if not pooled and _may_pool(file, attachments, skips):
                    pooled = True
                    at += _check_in_pool(checker, read, order[at:], max_bytes, workers, on_progress)
                    continue
                result = read_file(file, max_bytes)
                read.problems.extend(result.problems)
                read.assumptions.extend(result.assumptions)
                read.retractions.extend(result.retractions)
                attachments.add(
                    result.attachments
                    if skips is None
                    else [row for row in result.attachments if skips.keep_attachment(row)]
                )
                for raw in result.records:
                    if keep is None or keep(raw):
                        checker.check(raw)
                del result
                at += 1
                if on_progress:
                    on_progress(1)
            for raw in shared_feed_records():
                if keep is None or keep(raw):
                    checker.check(raw)

            def again() -> Iterator[RawRecord]:
                for file in order:
                    yield from _kept(read_file(file, max_bytes).records, kept_before)
                yield from _kept(shared_feed_records(), kept_before)

            plan = checker.finish(driver, database, again)
    except (ServiceUnavailable, SessionExpired):
        raise Unavailable(
            "Neo4j went away while the import was being checked: nothing of it was written. "
            "Once Neo4j is back, run the same import again."
        ) from None
    finally:
        attachments.close()
    problems = read.problems + plan.problems
    if skips is not None:
        referenced = (ref_id for ref_id, _ in checker.references)
        problems = skips.learn(read.problems, plan.problems, referenced)
    if problems:
        raise InvalidData(problems, rejected=dict(Counter(plan.rejected)))
    return read, plan


def _check_in_pool(
    checker: Checker,
    read: ReadResult,
    files: list[Path],
    max_bytes: int,
    workers: int | None,
    on_progress: Progress | None,
) -> int:
    """Check `files` from the first on in worker processes (parallel.py), if they are enough
    work (or `workers` asks for them); how many were, in order: the rest, from the first
    feed file on (or all if the pool broke, a worker killed), are checked here.

    Only the files before the first that may be a feed's (`feeds.may_be_feed`, from its name
    and first bytes) go to the pool: a worker would read a feed file whole only to hand it
    back (at 100k ACLED rows, two workers started and each read the file twice, some 20 s
    before the check began here)."""
    count = workers or usable_cores()
    files = list(takewhile(lambda file: not feeds.may_be_feed(file), files))
    if count < 2 or not files or not (workers or pool_worth_it(files, count)):
        return 0
    done = 0
    with CheckPool(count, max_bytes, checker.spool.encoder()) as pool, _collector_paused():
        try:
            for chunks in pool.check(files):
                if chunks is None:
                    break
                for chunk in chunks:
                    read.problems.extend(chunk.problems)
                    read.assumptions.extend(chunk.assumptions)
                    for checked in chunk.records:
                        checker.apply(checked)
                done += 1
                if on_progress:
                    on_progress(1)
        except BrokenProcessPool:
            pass
    return done


def _may_pool(file: Path, attachments: Attachments, skips: Skips | None) -> bool:
    """Whether the files from `file` on may be checked in worker processes (parallel.py):
    not with `--skip-bad` (its rounds decide per record what is checked), nor while CSV
    rows wait to attach to the records."""
    return skips is None and not attachments.count and not holds_attachments(file)


def _kept(records: list[RawRecord], keep: Callable[[RawRecord], bool] | None) -> list[RawRecord]:
    return records if keep is None else [raw for raw in records if keep(raw)]


@contextmanager
def checked(
    driver: Driver,
    database: str,
    paths: list[Path],
    max_bytes: int,
    *,
    on_phase: Phase | None = None,
    on_progress: Progress | None = None,
    skips: Skips | None = None,
    workers: int | None = None,
) -> Iterator[tuple[ReadResult, Plan]]:
    """`read_and_validate` into a spool on disk that is deleted when the block ends; with
    `skips`, checked again without the bad records until a check finds no new one."""
    while True:
        with Spool.on_disk(WRITE_ORDER) as spool:
            checked = read_and_validate(
                driver,
                database,
                paths,
                max_bytes,
                spool,
                on_phase=on_phase,
                on_progress=on_progress,
                skips=skips,
                workers=workers,
            )
            if skips is None or skips.settled:
                yield checked
                return


def import_paths(
    driver: Driver,
    database: str,
    paths: list[Path],
    *,
    max_bytes: int,
    batch_size: int | None = None,
    on_phase: Phase | None = None,
    on_progress: Progress | None = None,
    skip_bad: bool = False,
    workers: int | None = None,
) -> ImportSummary:
    """Import files and folders; raise `InvalidData` (having written nothing) on any problem,
    `Unavailable` if Neo4j goes away (saying what stays written). With `skip_bad`, records
    with problems (and those referring to them) are left out instead (`summary.skipped`).
    `workers`: see `read_and_validate`."""
    skips = Skips() if skip_bad else None
    with checked(
        driver,
        database,
        paths,
        max_bytes,
        on_phase=on_phase,
        on_progress=on_progress,
        skips=skips,
        workers=workers,
    ) as (read, plan):
        if on_phase:
            on_phase("writing", plan.total)
        with _fewer_collections():
            outcome = write_plan(
                driver, database, plan, batch_size=batch_size, progress=on_progress
            )
        retracted = apply_retractions(driver, database, read.retractions)
    summary = ImportSummary(read.files, plan.total, outcome, read.assumptions, retracted, skips)
    summary.attached = len(plan.attached.nodes)
    return summary


def apply_retractions(
    driver: Driver, database: str, retractions: list[feeds.FeedRetraction]
) -> Retracted:
    """Retract the events the import's feed files name (after its records are written, so an
    event and its deletion may come in one import), by the feed's Source."""
    if not retractions:
        return Retracted()
    reasons = {item.target: item.reason for item in retractions}
    return retract_events(driver, database, reasons, "import of a feed's deleted records")


def import_records(
    driver: Driver,
    database: str,
    records: list[tuple[str, dict[str, Any]]],
    origin: str,
    read_back: Statement | None = None,
) -> tuple[ImportSummary, list[Record]]:
    """Validate and write records given as data (API mutations): the importer's own path,
    with a spool in memory, in one transaction that checks them against the graph, writes
    them and then reads `read_back` (the mutation's answer), whose records it returns.

    `records` are (collection, native-format record) pairs; problems name `origin` and the
    record path (`input.events[0].time.start`), and nothing is written if there is any.
    """
    raw = [
        RawRecord(collection, data, Path(origin), ("input", collection, index))
        for index, (collection, data) in enumerate(records)
    ]
    checked = [_checker_of(raw)]  # the first attempt's: each record checked on its own, before

    def checker_of() -> Checker:
        return checked.pop() if checked else _checker_of(raw)  # a retry checks again

    plan, outcome, read = write_and_read(driver, database, checker_of, lambda: raw, read_back)
    return ImportSummary([], plan.total, outcome, attached=len(plan.attached.nodes)), read


def _checker_of(raw: list[RawRecord]) -> Checker:
    """A checker that has checked each of `raw` on its own (`Checker.finish` does the rest)."""
    checker = Checker(Spool(WRITE_ORDER))
    for record in raw:
        checker.check(record)
    return checker
