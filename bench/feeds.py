"""Feed imports (issue 15): the adapter's overhead, and a GDELT day in bounded memory.

Adapter overhead: `eventgraph import DIR/acled.csv` into an emptied database, then the same
records in our native format (`native_copy`: the feed readers' records, written as native JSON
documents in the native benchmark's layout, `world.json` and `events-NNNNN.json`) into an
emptied database, both with the native benchmark's `--batch-size` rule; the ratio is the feed
import's time over the native one's. The two graphs must have the same nodes per label and
relationships per type, or the run stops: a fast feed import that built less is not fast.
Before either, an untimed import of part of the native copy (`warm_up`) warms Neo4j up: the
first import a freshly started server runs compiles its queries and code as it goes (with
`--only feeds`, at 100k rows, tens of seconds of server CPU more than once warm), and
that would be charged to whichever import came first.

GDELT day: `eventgraph import --batch-size N DIR` of a folder of 15-minute events and mentions
pairs (`bench/feed_data.py`), the whole day and half of it, each into an emptied database,
with wall time, events/s, mentions/s and peak RSS (`run_measured`: `wait4`'s `ru_maxrss`); the
memory ratio is the day's peak over the half's. Half, not less: what the importer holds by
design (the batch being written and the one built ahead of it, `--batch-size` records each;
feed files are checked in the importing process, never in workers) is the same at any size
past a few batches, so only two sizes both well past those windows show whether anything
else grows with the feed (a tenth of the day, some 35,000 records, is under two batches and
their read-ahead: its peak is the windows' filling, not the importer's steady state). Each
graph's events and claims (one per event, one per mention) are checked against the
generator's manifest.

Every import runs the real command line, as `bench/imports.py` does for the native one. The
files are generated and converted in a child process (`_in_child`), never in this one: a child's
`ru_maxrss` starts from the high-water mark of the process that forked it (Python starts
commands with vfork, and exec records the parent's hiwater RSS as the child's), so a benchmark
process that once held 100k records would lend its peak to every import it measures after
(`run_measured` also starts each import from a fresh interpreter, for the same reason).
"""

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import orjson

from bench.database import GraphCounts, empty_database, graph_counts
from bench.dataset_files import EVENTS_PER_FILE, chunk_name
from bench.feed_data import GDELT_FILES, generate_acled, generate_gdelt, read_manifest
from bench.imports import (
    BATCH_RECORDS,
    EVENTGRAPH,
    ONE_TRANSACTION_MAX_EVENTS,
    _environment,
    run_measured,
)
from eventgraph.graph import feeds
from eventgraph.graph.driver import open_driver
from eventgraph.graph.records import FORMAT_VERSION
from eventgraph.graph.settings import Settings

Say = Callable[[str], None]
P = ParamSpec("P")
T = TypeVar("T")
ACLED_ROWS = 100_000
GDELT_EVENTS = 150_000
HALF = 2
"""The day's peak RSS is compared with that of 1/HALF of the day."""
NATIVE = "native"
NATIVE_MANIFEST = "native.json"


@dataclass(frozen=True)
class FeedImport:
    """One `eventgraph import` of one file or folder into an emptied database."""

    seconds: float
    peak_rss_mib: float
    batch_size: int | None
    nodes: dict[str, int]
    relationships: dict[str, int]

    @property
    def events(self) -> int:
        return self.nodes.get("Event", 0)


def measure_import(settings: Settings, path: Path, batch_size: int | None, what: str) -> FeedImport:
    """Time `eventgraph import --quiet PATH` into an emptied database; its peak RSS; the
    graph it built."""
    with open_driver(settings) as driver:
        empty_database(driver, settings.neo4j_database)
    command = [str(EVENTGRAPH), "import", "--quiet", str(path)]
    if batch_size is not None:
        command += ["--batch-size", str(batch_size)]
    run = run_measured(command, _environment(settings), what)
    with open_driver(settings) as driver:
        counts: GraphCounts = graph_counts(driver, settings.neo4j_database)
    return FeedImport(run.seconds, run.peak_rss_mib, batch_size, counts.nodes, counts.relationships)


def _in_child(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args)` in a fresh (spawned) process, so its memory is never this process's."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as child:
        return child.submit(work, *args, **kwargs).result()


def dataset(
    directory: Path, make: Callable[[Path, int, int], dict[str, Any]], size: int, seed: int
) -> tuple[dict[str, Any], bool]:
    """The generated file set's manifest: (manifest, whether it was cached)."""
    manifest = read_manifest(directory)
    if manifest is not None and manifest["events"] == size and manifest["seed"] == seed:
        return manifest, True
    return make(directory, size, seed), False


def native_copy(feed_path: Path, out: Path, max_bytes: int) -> int:
    """Write the records the feed readers make of `feed_path` (a file or a folder) as native
    JSON documents into `out`; how many events they hold. Shared entities are merged as the
    importer merges them, a report several files give is written once, and attached items
    (GDELT mentions) go into their events, as the importer puts them."""
    files = sorted(feed_path.iterdir()) if feed_path.is_dir() else [feed_path]
    collections: dict[str, dict[str, dict[str, Any]]] = {}
    attachments: list[feeds.FeedAttachment] = []
    with feeds.one_import():
        for file in files:
            read = feeds.read_file(file, max_bytes)
            if read is None or read.problems:
                problems = [] if read is None else read.problems[:3]
                raise RuntimeError(f"the feed readers refused {file}: {problems}")
            attachments += [item for _, item in read.attachments]
            for _, (collection, record) in read.records:
                earlier = collections.setdefault(collection, {}).setdefault(record["id"], record)
                for key, value in record.items():
                    earlier.setdefault(key, value)
        for _, (collection, record) in feeds.shared_records():
            collections.setdefault(collection, {})[record["id"]] = record
    events = collections.pop("events", {})
    for attachment in attachments:
        events[attachment.target].setdefault(attachment.field, []).append(attachment.item)
    out.mkdir(parents=True, exist_ok=True)
    world: dict[str, Any] = {"eventgraph": FORMAT_VERSION}
    world |= {name: list(records.values()) for name, records in collections.items()}
    (out / "world.json").write_bytes(orjson.dumps(world))
    ordered = list(events.values())
    for number, start in enumerate(range(0, len(ordered), EVENTS_PER_FILE), start=1):
        chunk = {"eventgraph": FORMAT_VERSION, "events": ordered[start : start + EVENTS_PER_FILE]}
        (out / chunk_name("events", number, "json")).write_bytes(orjson.dumps(chunk))
    return len(ordered)


def _native_of(feed_dir: Path, feed_path: Path, settings: Settings) -> Path:
    """The native copy of a generated feed file set, made once per generated set."""
    out = feed_dir / NATIVE
    stamp = orjson.dumps(read_manifest(feed_dir))
    marker = feed_dir / NATIVE_MANIFEST
    if not (marker.exists() and marker.read_bytes() == stamp):
        events = native_copy(feed_path, out, settings.import_max_mb * 1024 * 1024)
        marker.write_bytes(stamp)
        if events != orjson.loads(stamp)["events"]:
            raise RuntimeError(f"the feed readers gave {events} events of {feed_path}")
    return out


def warm_up(settings: Settings, native: Path, batch_size: int | None) -> None:
    """Import the native copy's world and first events file into an emptied database, untimed:
    the same queries the timed imports run, so neither pays for the server's warming up."""
    with open_driver(settings) as driver:
        empty_database(driver, settings.neo4j_database)
    command = [str(EVENTGRAPH), "import", "--quiet", str(native / "world.json")]
    command += [str(native / chunk_name("events", 1, "json"))]
    if batch_size is not None:
        command += ["--batch-size", str(batch_size)]
    run_measured(command, _environment(settings), "the warm-up import")


def _batch_size(records: int) -> int | None:
    """The native import benchmark's rule (`bench/imports.py`)."""
    return BATCH_RECORDS if records > ONE_TRANSACTION_MAX_EVENTS else None


def _figures(measured: FeedImport) -> dict[str, Any]:
    return {
        "seconds": measured.seconds,
        "events_per_s": measured.events / measured.seconds,
        "peak_rss_mib": measured.peak_rss_mib,
        "batch_size": measured.batch_size,
    }


def adapter_overhead(
    settings: Settings, data_dir: Path, rows: int, seed: int, say: Say
) -> dict[str, Any]:
    """ACLED rows imported as the feed and as the native records the adapter makes of them."""
    directory = data_dir / f"acled-{rows}-seed{seed}"
    say(f"feeds: ACLED export of {rows:,} rows in {directory}")
    manifest, cached = _in_child(dataset, directory, generate_acled, rows, seed)
    native = _in_child(_native_of, directory, directory / "acled.csv", settings)
    batch_size = _batch_size(rows)
    say("feeds: warming Neo4j up (part of the native records, untimed)")
    warm_up(settings, native, batch_size)
    say("feeds: eventgraph import acled.csv")
    feed = measure_import(settings, directory / "acled.csv", batch_size, "the ACLED import")
    say(f"feeds: ACLED {feed.seconds:.1f} s; the same records in the native format")
    own = measure_import(settings, native, batch_size, "the native import of ACLED's records")
    if (feed.nodes, feed.relationships) != (own.nodes, own.relationships):
        raise RuntimeError(
            f"the ACLED import built {feed.nodes} / {feed.relationships}, the native import of "
            f"its records {own.nodes} / {own.relationships}"
        )
    if feed.events != rows:
        raise RuntimeError(f"the ACLED import built {feed.events} events of {rows}")
    say(f"feeds: native {own.seconds:.1f} s (feed ÷ native {feed.seconds / own.seconds:.2f}×)")
    return {
        "feed": "acled",
        "records": rows,
        "dataset_cached": cached,
        "bytes": manifest["bytes"],
        "import": {"feed": _figures(feed), "native": _figures(own)},
        "time_ratio": feed.seconds / own.seconds,
        "counts": {"nodes": feed.nodes, "relationships": feed.relationships},
    }


def gdelt_import(
    settings: Settings, data_dir: Path, events: int, seed: int, say: Say
) -> dict[str, Any]:
    """One generated GDELT day (or part of one) imported in batches, checked and measured."""
    directory = data_dir / f"gdelt-{events}-seed{seed}"
    say(f"feeds: GDELT, {events:,} events in {directory}")
    manifest, cached = _in_child(dataset, directory, generate_gdelt, events, seed)
    files = directory / GDELT_FILES
    measured = measure_import(settings, files, BATCH_RECORDS, "the GDELT import")
    claims = measured.nodes.get("Claim", 0)
    if measured.events != events or claims != events + manifest["mentions"]:
        raise RuntimeError(
            f"the GDELT import built {measured.events} events and {claims} claims, the files "
            f"hold {events} events and {manifest['mentions']} mentions"
        )
    say(f"feeds: GDELT {events:,} events in {measured.seconds:.1f} s")
    return {
        "events": events,
        "mentions": manifest["mentions"],
        "files": manifest["files"],
        "bytes": manifest["bytes"],
        "dataset_cached": cached,
        **_figures(measured),
        "mentions_per_s": manifest["mentions"] / measured.seconds,
        "counts": {"nodes": measured.nodes, "relationships": measured.relationships},
    }


def run_feeds(
    settings: Settings, data_dir: Path, acled_rows: int, gdelt_events: int, seed: int, say: Say
) -> dict[str, Any]:
    """Both feed benchmarks; the results the report's Feeds section shows."""
    started = time.monotonic()
    adapter = adapter_overhead(settings, data_dir, acled_rows, seed, say)
    half = gdelt_import(settings, data_dir, max(1, gdelt_events // HALF), seed, say)
    day = gdelt_import(settings, data_dir, gdelt_events, seed, say)
    return {
        "seed": seed,
        "seconds": time.monotonic() - started,
        "adapter": adapter,
        "gdelt": {
            "half": half,
            "day": day,
            "memory_ratio": day["peak_rss_mib"] / half["peak_rss_mib"],
        },
    }


def earlier_results(report: Path) -> dict[str, Any]:
    """The raw results of the report at `report` (its JSON) without their verdicts, which are
    judged again; empty when there is none."""
    raw = report.with_suffix(".json")
    if not raw.exists():
        return {}
    results: dict[str, Any] = orjson.loads(raw.read_bytes())
    results.pop("targets", None)
    if "half" not in (results.get("feeds") or {}).get("gdelt", {"half": None}):
        results.pop("feeds")  # compared with a tenth of the day: not the figures judged now
    return results
