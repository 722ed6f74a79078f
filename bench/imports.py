"""Import throughput: `eventgraph import`, online and `--bulk`, against Neo4j's own LOAD CSV,
on the same dataset.

Each measurement starts from an emptied database with our schema applied (not timed) and ends
when the data is committed; the graph is then counted (nodes per label and relationships per
type against the dataset's manifest), so a run that imported less than the dataset holds fails
instead of looking fast.

`measure_eventgraph_import` times the real command line as a user runs it (`eventgraph import
--quiet DIR/native`: start-up, reading, full validation, writing) and its peak RSS. It reads
the native JSON files rather than the CSV tables because JSON is the format feeds and exports
use (`eventgraph export` writes it) and carries each event whole; the importer's CSV path
reads the same records (the tests check both build the same graph). Up to
`ONE_TRANSACTION_MAX_EVENTS` events it writes in one transaction, the default; beyond, one
transaction would outgrow Neo4j's transaction memory (100k events need more than the 1.4 GiB a
2 GB heap allows), so it uses `--batch-size`, as docs/importing.md says to for large feeds:
everything is still validated before anything is written, then committed batch by batch, as
LOAD CSV … IN TRANSACTIONS does.

`measure_bulk_import` times `eventgraph import --bulk --quiet DIR/native` the same way, end to
end as a user runs it: validation, the import files, stopping the benchmark's Neo4j, neo4j-admin,
starting it again (same port, home, memory and plugins: the command gets the benchmark's
settings), the schema and the count check; the seconds of each of those steps come from the
lines it prints as each ends (`bulk.phases_in`). Its peak RSS covers neo4j-admin too: the rusage
`wait4` returns for a child is the kernel's RUSAGE_BOTH of it, whose `ru_maxrss` is the larger
of its own peak and that of the largest descendant it waited for (Linux `kernel/exit.c`), and
the command waits for neo4j-admin. Neo4j, which the command starts but never waits for, is not
counted. Unlike sampling `/proc`, this misses no short peak and needs no thread. Every command
is started from a small fresh interpreter (`run_measured`), so no peak of the benchmark process
is counted as the command's.

`measure_load_csv` runs the statements of `bench/load_csv.py` over the CSV tables, which it
first links into the server's import directory (`server.directories.import`, asked of the
running server). A server whose configuration sets that directory reads `file:///` URLs
relative to it; the embedded launcher does not set it, and reads them from the file system's
root: `_file_urls` asks the server which of the two it does. Its peak RSS is the server's, which
is not the loader's own memory, so it is reported as None.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from neo4j import Driver
from neo4j.exceptions import ClientError

from bench.database import (
    GraphCounts,
    empty_database,
    graph_counts,
    mark_database,
    unmark_database,
)
from bench.dataset import read_manifest
from bench.load_csv import ROWS_PER_TRANSACTION, load_steps
from eventgraph.graph.driver import open_driver
from eventgraph.graph.importer.bulk import phases_in
from eventgraph.graph.settings import Settings

EVENTGRAPH = Path(sys.executable).parent / "eventgraph"
ONE_TRANSACTION_MAX_EVENTS = 25_000
BATCH_RECORDS = 10_000
"""Records per transaction in batch mode: whole records (each event with its participants and
claims) in one transaction, 10,000 of which fit a 1 GiB heap's transaction memory."""
_LINKED_FOLDER = "eventgraph-bench"
"""Where in the server's import directory the CSV files are linked."""


@dataclass(frozen=True)
class ImportMeasurement:
    """One import of one dataset into an empty database."""

    events: int
    seconds: float
    events_per_s: float
    peak_rss_mib: float | None
    """Peak resident memory of the importing process; None where that is the server itself."""
    counts: GraphCounts | None = None
    """What the graph held afterwards."""
    batch_size: int | None = None
    """Records (rows, for LOAD CSV) per transaction; None for one transaction (or none)."""
    offline: bool = False
    """Written into the stopped store by neo4j-admin, with no transactions at all."""
    phases: dict[str, float] | None = None
    """Seconds per step of a bulk import (`bulk.PHASES`), as it printed them."""


def _environment(settings: Settings) -> dict[str, str]:
    """The environment that makes the `eventgraph` command use these settings."""
    env = dict(os.environ)
    env.update(
        NEO4J_USER=settings.neo4j_user,
        NEO4J_PASSWORD=settings.neo4j_password.get_secret_value(),
        NEO4J_DATABASE=settings.neo4j_database,
        EVENTGRAPH_NEO4J_PORT=str(settings.neo4j_port),
        EVENTGRAPH_NEO4J_HOME=str(settings.neo4j_home),
        EVENTGRAPH_NEO4J_HEAP=settings.neo4j_heap,
        EVENTGRAPH_NEO4J_PAGECACHE=settings.neo4j_pagecache,
        EVENTGRAPH_NEO4J_START_TIMEOUT=str(settings.neo4j_start_timeout),
        EVENTGRAPH_IMPORT_MAX_MB=str(settings.import_max_mb),
    )
    if settings.neo4j_uri:
        env["NEO4J_URI"] = settings.neo4j_uri
    else:
        env.pop("NEO4J_URI", None)
    return env


def _checked(counts: GraphCounts, dataset_dir: Path, what: str) -> GraphCounts:
    manifest = read_manifest(dataset_dir)
    for found, expected, kind in (
        (counts.nodes, manifest["counts"], "nodes"),
        (counts.relationships, manifest["relationships"], "relationships"),
    ):
        if found != expected:
            raise RuntimeError(f"{what} built {kind} {found}, but the dataset holds {expected}")
    return counts


@dataclass(frozen=True)
class MeasuredRun:
    seconds: float
    peak_rss_mib: float
    """The larger of the process's peak and its waited-for descendants' (see the docstring)."""
    output: str = ""
    """What it printed (stdout and stderr)."""


_PEAK_OF = (
    "import os, subprocess, sys\n"
    "process = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(process.pid, 0)\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    out.write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)\n"
)
"""Runs a command and writes its `ru_maxrss` (KiB) to a file (see `run_measured`)."""


def run_measured(command: list[str], env: dict[str, str], what: str) -> MeasuredRun:
    """Run a command to its end: wall-clock seconds and peak RSS; its output only if it fails.

    The command is started by a fresh interpreter (`_PEAK_OF`) that reports its rusage: a
    child's `ru_maxrss` starts from the high-water RSS of the process that forked it (exec
    records the old memory's peak, and with vfork that is the parent's), so measured straight
    from the benchmark process, a `python -c pass` peaked at 85 MiB, and at 885 MiB once the
    benchmark process had held 800 MiB."""
    with tempfile.TemporaryFile() as output, tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "maxrss"
        wrapped = [sys.executable, "-I", "-S", "-c", _PEAK_OF, str(peak_file), *command]
        started = time.monotonic()
        returncode = subprocess.call(wrapped, env=env, stdout=output, stderr=subprocess.STDOUT)
        seconds = time.monotonic() - started
        output.seek(0)
        text = output.read().decode(errors="replace")
        if returncode != 0:
            raise RuntimeError(f"{what} failed ({returncode}):\n{text[-4000:]}")
        peak_kib = int(peak_file.read_text())
    return MeasuredRun(seconds, peak_kib / 1024, text)  # Linux reports KiB


def measure_eventgraph_import(settings: Settings, dataset_dir: Path) -> ImportMeasurement:
    """Time `eventgraph import --quiet DIR/native` into an emptied database; peak RSS too."""
    with open_driver(settings) as driver:
        empty_database(driver, settings.neo4j_database)
    events = read_manifest(dataset_dir)["events"]
    batch_size = BATCH_RECORDS if events > ONE_TRANSACTION_MAX_EVENTS else None
    command = [str(EVENTGRAPH), "import", "--quiet", str(dataset_dir / "native")]
    if batch_size is not None:
        command += ["--batch-size", str(batch_size)]
    run = run_measured(command, _environment(settings), "eventgraph import")
    with open_driver(settings) as driver:
        counts = _checked(
            graph_counts(driver, settings.neo4j_database), dataset_dir, "eventgraph import"
        )
    return ImportMeasurement(
        events=counts.events,
        seconds=run.seconds,
        events_per_s=counts.events / run.seconds,
        peak_rss_mib=run.peak_rss_mib,
        counts=counts,
        batch_size=batch_size,
    )


def measure_bulk_import(settings: Settings, dataset_dir: Path) -> ImportMeasurement:
    """Time `eventgraph import --bulk --quiet DIR/native` into an emptied database, end to end
    (Neo4j stopped and started again inside); peak RSS of it and its neo4j-admin."""
    database = settings.neo4j_database
    with open_driver(settings) as driver:
        empty_database(driver, database)
        unmark_database(driver, database)  # --bulk loads only a database without nodes
    command = [str(EVENTGRAPH), "import", "--bulk", "--quiet", str(dataset_dir / "native")]
    try:
        run = run_measured(command, _environment(settings), "eventgraph import --bulk")
    finally:
        with open_driver(settings) as driver:
            mark_database(driver, database)  # the new store is the benchmark's too
    with open_driver(settings) as driver:
        counts = _checked(graph_counts(driver, database), dataset_dir, "eventgraph import --bulk")
    return ImportMeasurement(
        events=counts.events,
        seconds=run.seconds,
        events_per_s=counts.events / run.seconds,
        peak_rss_mib=run.peak_rss_mib,
        counts=counts,
        offline=True,
        phases=phases_in(run.output),
    )


def import_directory(driver: Driver, database: str) -> Path:
    """The server's LOAD CSV root (`server.directories.import`)."""
    rows = driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name = 'server.directories.import' RETURN value",
        database_=database,
    )[0]
    if not rows or not rows[0]["value"]:
        raise RuntimeError("the server has no import directory: LOAD CSV cannot read files")
    return Path(rows[0]["value"])


def _link_files(csv_dir: Path, target: Path) -> None:
    """Hard links where the file system allows (no copying gigabytes), copies elsewhere."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for file in sorted(csv_dir.glob("*.csv")):
        try:
            os.link(file, target / file.name)
        except OSError:
            shutil.copyfile(file, target / file.name)


def _file_urls(driver: Driver, database: str, root: Path, probe: Path) -> Callable[[Path], str]:
    """How this server names a file under its import directory in LOAD CSV."""

    def relative(file: Path) -> str:
        return "file:///" + file.relative_to(root).as_posix()

    def absolute(file: Path) -> str:
        return file.resolve().as_uri()

    for url_of in (relative, absolute):
        try:
            driver.execute_query(
                "LOAD CSV FROM $url AS row RETURN row LIMIT 1",
                url=url_of(probe),
                database_=database,
            )
        except ClientError as error:
            if error.code != "Neo.ClientError.Statement.ExternalResourceFailed":
                raise
            continue
        return url_of
    raise RuntimeError(f"LOAD CSV cannot read {probe}: is it inside {root}?")


def load_csv(driver: Driver, database: str, dataset_dir: Path) -> float:
    """Load the dataset's CSV tables with LOAD CSV; the seconds the statements took."""
    root = import_directory(driver, database)
    linked = root / _LINKED_FOLDER / dataset_dir.resolve().name
    _link_files(dataset_dir / "csv", linked)
    try:
        steps = list(load_steps(linked))
        url_of = _file_urls(driver, database, root, steps[0].file)
        now = datetime.now(UTC)
        started = time.monotonic()
        with driver.session(database=database) as session:
            for step in steps:
                session.run(step.cypher, url=url_of(step.file), now=now).consume()
        return time.monotonic() - started
    finally:
        shutil.rmtree(linked, ignore_errors=True)


def measure_load_csv(settings: Settings, dataset_dir: Path) -> ImportMeasurement:
    """Time LOAD CSV … IN TRANSACTIONS of the dataset's CSV tables into an emptied database."""
    with open_driver(settings) as driver:
        database = settings.neo4j_database
        empty_database(driver, database)
        seconds = load_csv(driver, database, dataset_dir)
        counts = _checked(graph_counts(driver, database), dataset_dir, "LOAD CSV")
    return ImportMeasurement(
        events=counts.events,
        seconds=seconds,
        events_per_s=counts.events / seconds,
        peak_rss_mib=None,
        counts=counts,
        batch_size=ROWS_PER_TRANSACTION,
    )
