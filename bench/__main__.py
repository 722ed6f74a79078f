"""`python -m bench` (`make bench`): the whole benchmark, end to end, and its report.

For each scale: generate the dataset (cached in `var/bench/data/<scale>-seed<S>`), time our
bulk and online imports against LOAD CSV (each into an emptied database), leave the online
import in place, then check and measure every operation on every side (`--only imports` stops
after the imports: the report then keeps the query tables of the report it replaces, saying
from which run they are). The benchmark's own Neo4j (port 7699, home `var/bench/neo4j`, with the
APOC plugin the reference needs) is started first and stopped at the end. The report goes to
stdout, `docs/benchmarks.md` and `docs/benchmarks.json`. The feed benchmark (`bench/feeds.py`)
runs after the scales; `--only feeds` runs only it, and the report keeps everything else from
the report it replaces (as every other run keeps the feed figures of the last run that had them).
`--only resolution` imports each scale online, then measures entity resolution against known
answers (`bench/resolution.py`); the report keeps the rest, as with the feeds. `--only
coreference` does the same for event coreference (`bench/coreference.py`). `--only bulk` runs
only `eventgraph import --bulk` on each scale (1M in minutes, without the half hour of the
online import and LOAD CSV): the report keeps the rest of the report it replaces, and says which
run each scale's bulk figures come from (`bulk_from`).
"""

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvloop
from neo4j import Driver
from neo4j.exceptions import ClientError

from bench.coreference import run_coreference
from bench.database import GraphCounts, graph_counts
from bench.dataset import GENERATOR_VERSION, MANIFEST, Probes, generate, read_manifest
from bench.feeds import ACLED_ROWS, GDELT_EVENTS, earlier_results, run_feeds
from bench.imports import (
    ImportMeasurement,
    measure_bulk_import,
    measure_eventgraph_import,
    measure_load_csv,
)
from bench.machine import git_commit, machine, versions
from bench.operations import OPERATIONS, Subjects, pick_subjects
from bench.our_server import OurServer
from bench.query_benchmark import SIDES, LoadPlan, measure_queries
from bench.reference import ReferenceServer, install_apoc
from bench.report import earlier_queries, render
from bench.resolution import run_resolution
from bench.webapp import missing_for_webapp, run_webapp
from eventgraph.graph import local_neo4j
from eventgraph.graph.driver import open_driver, server_info
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from eventgraph.graph.tokens import Role, create_token

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_SCALES = "10k,100k"
DEFAULT_PORT = 7699
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
IMPORTS_ONLY = "imports"
FEEDS_ONLY = "feeds"
RESOLUTION_ONLY = "resolution"
COREFERENCE_ONLY = "coreference"
WEBAPP_ONLY = "webapp"
BULK_ONLY = "bulk"
MEASURED_ALONE = (FEEDS_ONLY, RESOLUTION_ONLY, COREFERENCE_ONLY, WEBAPP_ONLY, BULK_ONLY)
"""Runs that measure one thing and keep the rest of the report they replace."""
DEFAULT_PAGECACHE = "4g"
"""The benchmark Neo4j's page cache unless EVENTGRAPH_NEO4J_PAGECACHE says otherwise: the 1M
store (about 2.5 GB) fits in it, as a deployment would size it, so growth measures the queries
rather than the disk. Heap stays at the project's default."""


class Progress:
    """Says what the benchmark is doing, with the time since it started, on stderr."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.scale = ""

    def __call__(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        where = f"{self.scale}: " if self.scale else ""
        print(f"[bench {elapsed:8.1f} s] {where}{message}", file=sys.stderr, flush=True)


def scale_events(name: str) -> int:
    """`10k`, `100k`, `1m` or a plain number of events."""
    if name in SCALES:
        return SCALES[name]
    if name.isdigit() and int(name) > 0:
        return int(name)
    raise argparse.ArgumentTypeError(f"'{name}' is not a scale: use 10k, 100k, 1m or a number")


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES") or DEFAULT_SCALES,
        help="comma-separated: 10k, 100k, 1m or numbers of events (default: $BENCH_SCALES, "
        f"else {DEFAULT_SCALES})",
    )
    parser.add_argument("--seed", type=int, default=1, help="dataset seed (default 1)")
    parser.add_argument("--clients", type=_numbers, default=(1, 8, 32), help="default 1,8,32")
    parser.add_argument(
        "--workers",
        type=_numbers,
        default=(2,),
        help="worker counts (`serve --workers N`) ours is also measured with, at each "
        "concurrency above 1 (default 2; '' for none: one process only)",
    )
    parser.add_argument(
        "--operations",
        type=lambda text: tuple(name for name in text.split(",") if name),
        default=(),
        help="measure only these operations, comma-separated (default all; e.g. node,events_page)",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per point (2)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per point (5)")
    parser.add_argument(
        "--sides",
        default=",".join(SIDES),
        help="what to measure: ours, floor, reference (default all three)",
    )
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--neo4j-port", type=int, default=int(os.environ.get("BENCH_NEO4J_PORT", DEFAULT_PORT))
    )
    parser.add_argument(
        "--neo4j-home",
        type=Path,
        default=Path(os.environ.get("BENCH_NEO4J_HOME", BENCH_DIR / "neo4j")),
    )
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument(
        "--only",
        choices=[IMPORTS_ONLY, *MEASURED_ALONE],
        help="imports: measure only the imports (the report keeps the last run's query "
        "tables); feeds: only the feed imports (the report keeps the rest of the last run's); "
        "resolution: only entity resolution on each scale, imported online (likewise); "
        "coreference: only event coreference, likewise; webapp: only the web app in "
        "Chromium, likewise; bulk: only `eventgraph import --bulk` on each scale, likewise",
    )
    parser.add_argument(
        "--acled-rows", type=int, default=ACLED_ROWS, help=f"feeds: ACLED rows ({ACLED_ROWS:,})"
    )
    parser.add_argument(
        "--gdelt-events",
        type=int,
        default=GDELT_EVENTS,
        help=f"feeds: events of the GDELT day ({GDELT_EVENTS:,}; half of it is run too)",
    )
    parser.add_argument(
        "--no-bulk", action="store_true", help="leave out `eventgraph import --bulk`"
    )
    args = parser.parse_args(argv)
    args.scale_list = [(name, scale_events(name)) for name in args.scales.split(",") if name]
    args.side_list = tuple(side for side in args.sides.split(",") if side)
    unknown = set(args.side_list) - set(SIDES)
    if unknown or "ours" not in args.side_list:
        parser.error(f"--sides takes ours (always) plus floor and reference, not {args.sides}")
    names = {operation.name for operation in OPERATIONS}
    if set(args.operations) - names:
        parser.error(f"--operations takes names of {', '.join(sorted(names))}")
    if any(workers < 2 for workers in args.workers):
        parser.error("--workers takes counts above 1 (one process is always measured)")
    return args


def dataset(directory: Path, events: int, seed: int, say: Progress) -> tuple[dict[str, Any], bool]:
    """The dataset's manifest, generated unless this directory already holds it (cached)."""
    if (directory / MANIFEST).exists():
        manifest = read_manifest(directory)
        if manifest.get("version") == GENERATOR_VERSION and manifest["events"] == events:
            say(f"dataset cached in {directory}")
            return manifest, True
    say(f"generating {events:,} events into {directory}")
    directory.mkdir(parents=True, exist_ok=True)
    return generate(events, seed, directory, progress=True), False


def _import_figures(measurement: ImportMeasurement) -> dict[str, Any]:
    return {
        "events": measurement.events,
        "seconds": measurement.seconds,
        "events_per_s": measurement.events_per_s,
        "peak_rss_mib": measurement.peak_rss_mib,
        "batch_size": measurement.batch_size,
        "offline": measurement.offline,
        "phases": measurement.phases,
    }


def run_imports(
    settings: Settings, directory: Path, with_bulk: bool, say: Progress
) -> dict[str, ImportMeasurement]:
    """Each way into an emptied database, the online import last: it stays for the queries."""
    measured = {}
    if with_bulk:
        say("importing with eventgraph import --bulk (Neo4j restarts)")
        measured["bulk"] = measure_bulk_import(settings, directory)
        say(f"eventgraph import --bulk: {measured['bulk'].events_per_s:,.0f} events/s")
    say("importing with LOAD CSV … IN TRANSACTIONS (the reference)")
    measured["load_csv"] = measure_load_csv(settings, directory)
    say(f"LOAD CSV: {measured['load_csv'].events_per_s:,.0f} events/s; eventgraph import")
    measured["eventgraph"] = measure_eventgraph_import(settings, directory)
    say(f"eventgraph import: {measured['eventgraph'].events_per_s:,.0f} events/s")
    return measured


def run_queries(
    settings: Settings,
    driver: Driver,
    name: str,
    manifest: dict[str, Any],
    args: argparse.Namespace,
    say: Progress,
) -> tuple[Subjects, list[dict[str, Any]]]:
    """Every operation on every side, against the graph the online import left."""
    database = settings.neo4j_database
    plan = LoadPlan(
        args.clients, args.warmup, args.duration, args.side_list, args.workers, args.operations
    )
    if "reference" in plan.sides and _apoc_version(driver, database) is None:
        raise SystemExit(
            f"The Neo4j at {settings.bolt_uri} came back from the imports without APOC"
        )
    token = create_token(driver, database, Role.EDITOR, name=f"bench-{name}")
    subjects = pick_subjects(driver, database, Probes.from_manifest(manifest))
    log_dir = BENCH_DIR / "logs"
    with contextlib.ExitStack() as servers:
        our_server = servers.enter_context(OurServer(settings, log_dir / f"ours-{name}.log"))
        workers_urls = {
            workers: servers.enter_context(
                OurServer(settings, log_dir / f"ours-{name}-{workers}w.log", workers=workers)
            ).url
            for workers in plan.workers
        }
        reference_url = None
        if "reference" in plan.sides:
            say("starting the @neo4j/graphql reference")
            reference = ReferenceServer(settings, log_path=log_dir / f"reference-{name}.log")
            reference_url = servers.enter_context(reference).url
        operations = uvloop.run(
            measure_queries(
                settings, subjects, our_server.url, workers_urls, token, reference_url, plan, say
            )
        )
    return subjects, operations


def run_scale(
    settings: Settings, name: str, events: int, args: argparse.Namespace, say: Progress
) -> dict[str, Any]:
    """Dataset, the imports, then the queries (unless `--only imports`): this scale's results."""
    say.scale = name
    started = time.monotonic()
    directory = args.data_dir / f"{name}-seed{args.seed}"
    manifest, cached = dataset(directory, events, args.seed, say)
    generated = time.monotonic()
    imports = run_imports(settings, directory, not args.no_bulk, say)
    imported = time.monotonic()
    subjects, operations = None, None
    # A new driver: the bulk import restarted Neo4j under the one opened before.
    with open_driver(settings) as driver:
        counts = graph_counts(driver, settings.neo4j_database)  # the online import stays
        if args.only != IMPORTS_ONLY:
            subjects, operations = run_queries(settings, driver, name, manifest, args, say)
    finished = time.monotonic()
    say(f"done in {finished - started:.0f} s")
    return _scale_result(
        name,
        events,
        cached,
        (started, generated, imported, finished),
        counts,
        {way: _import_figures(measured) for way, measured in imports.items()},
        None
        if subjects is None
        else {
            **vars(subjects.probes),
            "event": subjects.event,
            "aircraft": subjects.aircraft,
            "source": subjects.source,
        },
        operations,
    )


def _scale_result(
    name: str,
    events: int,
    cached: bool,
    times: tuple[float, float, float, float],
    counts: GraphCounts,
    imports: dict[str, Any],
    subjects: dict[str, Any] | None,
    operations: Any,
) -> dict[str, Any]:
    """One scale's results as the report reads them; `times` are the monotonic clock at the
    start, once the dataset was ready, once imported and at the end (`queries` is None when
    no operation was measured)."""
    started, generated, imported, finished = times
    return {
        "name": name,
        "events": events,
        "dataset_cached": cached,
        "seconds": {
            "dataset": generated - started,
            "import": imported - generated,
            "queries": None if operations is None else finished - imported,
            "total": finished - started,
        },
        "counts": {"nodes": counts.nodes, "relationships": counts.relationships},
        "import": imports,
        "subjects": subjects,
        "operations": operations,
    }


def run_bulk_scale(
    settings: Settings, name: str, events: int, args: argparse.Namespace, say: Progress
) -> dict[str, Any]:
    """Dataset, then only the bulk import (`--only bulk`): this scale's results, shaped as
    `run_scale`'s, with what was not measured left None."""
    say.scale = name
    started = time.monotonic()
    directory = args.data_dir / f"{name}-seed{args.seed}"
    _, cached = dataset(directory, events, args.seed, say)
    generated = time.monotonic()
    say("importing with eventgraph import --bulk (Neo4j restarts)")
    bulk = measure_bulk_import(settings, directory)
    say(f"eventgraph import --bulk: {bulk.seconds:.1f} s, {bulk.events_per_s:,.0f} events/s")
    finished = time.monotonic()
    assert bulk.counts is not None
    return _scale_result(
        name,
        events,
        cached,
        (started, generated, finished, finished),
        bulk.counts,
        {"bulk": _import_figures(bulk)},
        None,
        None,
    )


def with_bulk_of(
    earlier: dict[str, Any], scales: list[dict[str, Any]], run: dict[str, Any]
) -> dict[str, Any]:
    """The earlier results with these scales' bulk figures in place of theirs (a scale the
    earlier run did not have is added as measured), each marked in `bulk_from` with `run`."""
    merged = {scale["name"]: scale for scale in earlier.get("scales", ())}
    for scale in scales:
        kept = merged.get(scale["name"])
        if kept is None or kept["events"] != scale["events"]:
            merged[scale["name"]] = scale
        else:
            merged[scale["name"]] = {**kept, "import": {**kept["import"], **scale["import"]}}
    return {
        **earlier,
        "scales": sorted(merged.values(), key=lambda scale: int(scale["events"])),
        "bulk_from": {
            **(earlier.get("bulk_from") or {}),
            **{scale["name"]: run for scale in scales},
        },
    }


Measure = Callable[[Driver, Settings, int], dict[str, Any]]
"""One proposal benchmark over the imported dataset: driver, settings, events → its figures."""


def run_proposals_scale(
    settings: Settings,
    name: str,
    events: int,
    args: argparse.Namespace,
    say: Progress,
    what: str,
    measure: Measure,
) -> dict[str, Any]:
    """The dataset imported online, then `measure` (resolution or coreference proposals against
    known answers: bench/resolution.py, bench/coreference.py)."""
    say.scale = name
    directory = args.data_dir / f"{name}-seed{args.seed}"
    dataset(directory, events, args.seed, say)
    say("importing with eventgraph import")
    measure_eventgraph_import(settings, directory)
    say(f"measuring the {what}")
    with open_driver(settings) as driver:
        figures = measure(driver, settings, events)
    say(f"{what}: {figures['seconds']:.1f} s")
    return {"scale": name, "events": events, **figures}


def _webapp_measure(args: argparse.Namespace, name: str) -> Measure:
    """The web app's benchmark on one scale's graph, asked about that dataset's probes."""

    def measure(driver: Driver, settings: Settings, _: int) -> dict[str, Any]:
        manifest = read_manifest(args.data_dir / f"{name}-seed{args.seed}")  # generated by now
        log = BENCH_DIR / "logs" / f"webapp-{name}.log"
        return run_webapp(driver, settings, Probes.from_manifest(manifest), log)

    return measure


def _apoc_version(driver: Driver, database: str) -> str | None:
    try:
        records = driver.execute_query("RETURN apoc.version() AS v", database_=database)[0]
    except ClientError:
        return None
    return str(records[0]["v"])


@contextlib.contextmanager
def benchmark_neo4j(
    settings: Settings, with_apoc: bool, say: Callable[[str], None]
) -> Iterator[None]:
    """The benchmark's Neo4j, with APOC when the reference runs; stopped after if started here."""
    if with_apoc:
        say(f"putting the APOC plugin into {settings.neo4j_home / 'plugins'}")
        install_apoc(settings.neo4j_home)
    say(f"starting the benchmark's Neo4j on {settings.bolt_uri} ({settings.neo4j_home})")
    started = local_neo4j.start(settings, report=say)
    try:
        yield
    finally:
        if started:
            say("stopping the benchmark's Neo4j")
            local_neo4j.stop(settings, report=say)


def bench_settings(port: int, home: Path) -> Settings:
    """The settings of the benchmark's own Neo4j."""
    return Settings(
        neo4j_uri=None,
        neo4j_port=port,
        neo4j_home=home.resolve(),
        neo4j_pagecache=os.environ.get("EVENTGRAPH_NEO4J_PAGECACHE", DEFAULT_PAGECACHE),
    )


def _command(argv: list[str] | None) -> str:
    return " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    say = Progress()
    settings = bench_settings(args.neo4j_port, args.neo4j_home)
    if args.only == WEBAPP_ONLY and (missing := missing_for_webapp()):
        raise SystemExit(f"The web app's benchmark cannot run: {missing}.")
    began = datetime.now(UTC)
    machine_before = machine()
    with_reference = "reference" in args.side_list and args.only not in (
        IMPORTS_ONLY,
        *MEASURED_ALONE,
    )
    scales = []
    earlier = earlier_results(args.report)
    feeds = earlier.get("feeds")
    resolution = earlier.get("resolution")
    coreference = earlier.get("coreference")
    web = earlier.get("webapp")
    with benchmark_neo4j(settings, with_reference, say):
        with open_driver(settings) as driver:
            server = server_info(driver, settings)
            apoc = _apoc_version(driver, settings.neo4j_database)
        if with_reference and apoc is None:
            raise SystemExit(
                f"The Neo4j at {settings.bolt_uri} runs without APOC (it was started before "
                "the plugin was put in place?): stop it (`eventgraph neo4j stop` with "
                "EVENTGRAPH_NEO4J_HOME and EVENTGRAPH_NEO4J_PORT set) and run again."
            )
        if args.only == RESOLUTION_ONLY:
            resolution = [
                run_proposals_scale(
                    settings,
                    name,
                    events,
                    args,
                    say,
                    "resolution",
                    lambda driver, settings, _: run_resolution(driver, settings, args.seed),
                )
                for name, events in args.scale_list
            ]
        if args.only == COREFERENCE_ONLY:
            coreference = [
                run_proposals_scale(
                    settings,
                    name,
                    events,
                    args,
                    say,
                    "coreference",
                    lambda driver, settings, events: run_coreference(
                        driver, settings, args.seed, events
                    ),
                )
                for name, events in args.scale_list
            ]
        if args.only == WEBAPP_ONLY:
            web = [
                run_proposals_scale(
                    settings, name, events, args, say, "web app", _webapp_measure(args, name)
                )
                for name, events in args.scale_list
            ]
        by_scale = args.only not in MEASURED_ALONE
        for name, events in args.scale_list if by_scale else ():
            scales.append(run_scale(settings, name, events, args, say))
        for name, events in args.scale_list if args.only == BULK_ONLY else ():
            scales.append(run_bulk_scale(settings, name, events, args, say))
        if args.only in (None, FEEDS_ONLY):
            say.scale = ""
            feeds = run_feeds(
                settings,
                args.data_dir / "feeds",
                args.acled_rows,
                args.gdelt_events,
                args.seed,
                say,
            )
            feeds |= {
                "started": began.isoformat(timespec="seconds"),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": _command(argv),
                "commit": git_commit(),
                "load_average_15min": machine_before["load_average_15min"],
            }
    # Run in any order (largest first fails fast), reported smallest first: growth is against it.
    scales.sort(key=lambda scale: int(scale["events"]))
    results = {
        "started": began.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": _command(argv),
        "plan": {
            "clients": list(args.clients),
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "seed": args.seed,
            "sides": list(args.side_list),
            "workers": list(args.workers),
            "operations": list(args.operations),
            "only": args.only,
            "bulk": not args.no_bulk,
        },
        "machine": {
            **machine_before,
            "load_average_15min_after": machine()["load_average_15min"],
            "neo4j_memory": f"heap {settings.neo4j_heap}, page cache {settings.neo4j_pagecache}",
        },
        "versions": versions(f"{server.version} {server.edition}", apoc),
        "scales": scales,
        "queries_from": earlier_queries(args.report) if args.only == IMPORTS_ONLY else None,
        "feeds": feeds,
        "resolution": resolution,
        "coreference": coreference,
        "webapp": web,
    }
    if args.only == FEEDS_ONLY and earlier:
        results = {**earlier, "feeds": feeds}
    if args.only == RESOLUTION_ONLY and earlier:
        results = {**earlier, "resolution": resolution}
    if args.only == COREFERENCE_ONLY and earlier:
        results = {**earlier, "coreference": coreference}
    if args.only == WEBAPP_ONLY and earlier:
        results = {**earlier, "webapp": web}
    if args.only == BULK_ONLY:
        run_keys = ("started", "finished", "command", "machine")
        bulk_run = {key: results[key] for key in run_keys}
        bulk_run["commit"] = git_commit()
        results = with_bulk_of(earlier or results, scales, bulk_run)
    markdown, raw = render(results)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(markdown, encoding="utf-8")
    args.report.with_suffix(".json").write_text(raw, encoding="utf-8")
    print(markdown)
    say(f"report written to {args.report} and {args.report.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
