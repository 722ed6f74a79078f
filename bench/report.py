"""The benchmark's report: markdown for people (docs/benchmarks.md), JSON for programs.

Every number comes from the results of the run; the text around them only says what they are.
A run that measured only the imports (`--only imports`) keeps the query tables of the report it
replaces (`earlier_queries`), under a line naming the run, its date and its commit, and the
query targets say the same; where that report held none, the report says they are absent.
"""

import re
from pathlib import Path
from typing import Any

import orjson

from bench.coreference import coreference_section
from bench.feed_report import feeds_section
from bench.resolution import resolution_section
from bench.targets import (
    BULK,
    LOAD_CSV,
    MET,
    MISSED,
    ONLINE,
    SMALL,
    cost_per_event,
    figure,
    point,
    ratio,
    verdicts,
)
from bench.webapp import webapp_section

SIDE_NAMES = {"ours": "ours", "floor": "floor (Cypher)", "reference": "@neo4j/graphql"}
WORKERS_SIDE = re.compile(r"ours_(\d+)_workers")
"""Our server with `serve --workers N` (bench/query_benchmark.py's `workers_side`)."""
STATUS_MARK = {MET: "✅ met", MISSED: "❌ missed"}


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def rate(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def seconds(value: float) -> str:
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _latencies(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return "—"
    return " / ".join(ms(summary[key]) for key in ("p50_ms", "p95_ms", "p99_ms"))


def _throughput(summary: dict[str, Any] | None) -> str:
    return "—" if summary is None else rate(summary["throughput_rps"])


def earlier_queries(report: Path) -> dict[str, Any] | None:
    """The query results of the report at `report` (its JSON), with the run they come from;
    None when there is no such report or it holds no query tables."""
    raw = report.with_suffix(".json")
    if not raw.exists():
        return None
    earlier = orjson.loads(raw.read_bytes())
    scales = [scale for scale in earlier.get("scales", ()) if scale.get("operations")]
    if not scales:
        return earlier.get("queries_from")  # type: ignore[no-any-return]
    return {
        "started": earlier["started"],
        "finished": earlier["finished"],
        "command": earlier["command"],
        "commit": earlier["versions"].get("eventgraph"),
        "plan": earlier["plan"],
        "scales": [
            {"name": s["name"], "events": s["events"], "operations": s["operations"]}
            for s in scales
        ],
    }


def query_scales(results: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The scales whose query tables the report shows and, when they are not this run's, the
    earlier run they come from."""
    own = [scale for scale in results["scales"] if scale.get("operations") is not None]
    earlier = results.get("queries_from")
    if own or earlier is None:
        return own, None
    return earlier["scales"], earlier


def _earlier_run(earlier: dict[str, Any]) -> str:
    return (
        f"queries of the run of {earlier['started']} to {earlier['finished']}, commit "
        f"{earlier['commit'] or 'unknown'}, `{earlier['command']}`"
    )


def _where_queries_come_from(results: dict[str, Any]) -> str:
    """Whose query figures the report shows, when not this run's."""
    _, earlier = query_scales(results)
    if earlier is not None:
        return (
            "This run measured only the imports (`--only imports`): the query tables, their "
            "targets and growth are kept from the report it replaced: the "
            f"{_earlier_run(earlier)}."
        )
    return (
        "This run measured only the imports (`--only imports`), and the report it replaced "
        "held no query tables: they are absent."
    )


def _header(results: dict[str, Any]) -> list[str]:
    shown, earlier = query_scales(results)
    plan = earlier["plan"] if earlier is not None else results["plan"]
    scales = ", ".join(f"{s['name']} ({s['events']:,} events)" for s in results["scales"])
    if shown and earlier is None:
        origin = "every number below comes from that run"
    else:
        origin = "every import figure comes from that run"
    if results.get("bulk_from"):
        alone = ", ".join(results["bulk_from"])
        origin += f", except the bulk import's at {alone}, measured alone later (see Import)"
    summary = (
        f"Measured by `make bench` (`{results['command']}`) from {results['started']} to "
        f"{results['finished']}; {origin} (raw figures: [benchmarks.json](benchmarks.json)). "
        f"Scales: {scales}."
    )
    if not shown or earlier is not None:
        summary += " " + _where_queries_come_from(results)
    counts = " or ".join(str(n) for n in plan.get("workers", ()))
    also = f"; at several clients also `--workers {counts}`, as a row says" if counts else ""
    return [
        "# Benchmarks",
        "",
        summary,
        "",
        "Each operation a frontend makes is measured three ways against the same database: "
        f"**ours** (`eventgraph serve`, production mode, one uvicorn process{also}), the **floor** "
        "(the same question as hand-written Cypher through the async Python driver, checked to "
        "return the same data as ours before anything is measured) and **@neo4j/graphql** "
        "(Apollo Server on Node, type definitions equivalent to ours, for the operations it can "
        "express). Each point is closed-loop load: "
        f"{', '.join(str(c) for c in plan['clients'])} concurrent clients, each sending its "
        f"next request when the last is answered, for {plan['duration_s']:g} s after a "
        f"{plan['warmup_s']:g} s warm-up; latencies are p50 / p95 / p99 in milliseconds, "
        "throughput in requests per second; errors are counted, never dropped. Ratios "
        "below 1× in latency and above 1× in throughput favour ours. Dataset seed "
        f"{plan['seed']}. The server, the databases and the load client share one machine.",
        "",
        "To run it again: `make bench` (default scales 10k and 100k; "
        "`BENCH_SCALES=10k,100k,1m make bench` adds the 1M scale, `BENCH_ARGS='--duration 10'` "
        "passes options to `python -m bench`, see `--help`; `BENCH_ARGS='--only imports'` "
        "measures only the imports). It starts its own Neo4j "
        "(`BENCH_NEO4J_PORT`, default 7699; `BENCH_NEO4J_HOME`, default `var/bench/neo4j`; "
        "heap from `EVENTGRAPH_NEO4J_HEAP`, default 2g; page cache from "
        "`EVENTGRAPH_NEO4J_PAGECACHE`, default 4g here, so the 1M store fits), caches the "
        "datasets in `var/bench/data/`, and rewrites this file and its JSON.",
        "",
    ]


def _machine(results: dict[str, Any]) -> list[str]:
    machine, versions = results["machine"], results["versions"]
    rows = [
        ["CPU", f"{machine['cpu']} ({machine['cores']} cores)"],
        ["memory", f"{machine['memory_gib']} GiB"],
        ["OS", machine["os"]],
        [
            "load average (15 min) before / after",
            f"{machine['load_average_15min']} / {machine['load_average_15min_after']}",
        ],
        ["benchmark Neo4j", machine["neo4j_memory"]],
        *[[name, version or "—"] for name, version in versions.items()],
    ]
    return ["## Machine and versions", "", *_table(["", ""], rows)]


def judged(results: dict[str, Any]) -> list[Any]:
    """The verdicts on every target."""
    shown, earlier = query_scales(results)
    return verdicts(
        results["scales"],
        shown,
        None if earlier is None else _earlier_run(earlier),
        results.get("feeds"),
    )


def _targets(results: dict[str, Any]) -> list[str]:
    rows = [
        [verdict.target, STATUS_MARK.get(verdict.status, verdict.status), verdict.detail]
        for verdict in judged(results)
    ]
    return ["## The issue's targets", "", *_table(["target", "result", "from the numbers"], rows)]


def _datasets(results: dict[str, Any]) -> list[str]:
    scales = results["scales"]
    labels = sorted({label for scale in scales for label in scale["counts"]["nodes"]})
    rows = [
        [label, *[f"{scale['counts']['nodes'].get(label, 0):,}" for scale in scales]]
        for label in labels
    ]
    rows.append(
        [
            "relationships",
            *[f"{sum(scale['counts']['relationships'].values()):,}" for scale in scales],
        ]
    )
    for part, label in (
        ("dataset", "time: dataset"),
        ("import", "time: the imports"),
        ("queries", "time: queries"),
        ("total", "**time: whole scale**"),
    ):
        cells = []
        for scale in scales:
            spent = scale["seconds"][part]
            cell = "not run" if spent is None else seconds(spent)
            if part == "dataset" and scale["dataset_cached"]:
                cell += " (cached)"
            cells.append(cell)
        rows.append([label, *cells])
    header = ["nodes", *[scale["name"] for scale in scales]]
    return [
        "## Datasets",
        "",
        "Counted in the database after our online import (after each import the graph's "
        "nodes and relationships are checked against the generator's manifest, or the run "
        "stops). Times are wall-clock per scale.",
        "",
        *_table(header, rows),
    ]


WAYS = (
    (ONLINE, "`eventgraph import`", "records"),
    (BULK, "`eventgraph import --bulk`", ""),
    (LOAD_CSV, "LOAD CSV", "rows"),
)


def _transactions(figures: dict[str, Any], unit: str) -> str:
    if figures.get("offline"):
        return "none (neo4j-admin, offline)"
    batch_size = figures.get("batch_size")
    return "one" if batch_size is None else f"of {batch_size:,} {unit}"


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MiB"


def _cost_growth(scales: list[dict[str, Any]]) -> str:
    """The growth line: seconds per event at the largest scale run ÷ at 10k."""
    largest = scales[-1] if scales else None
    small = next((scale for scale in scales if scale["events"] == SMALL), None)
    if largest is None or small is None or largest is small:
        return (
            "Growth (cost per event at the largest scale run ÷ at 10k): not measured, it needs "
            "the 10k scale and a larger one in the same run."
        )
    parts = []
    for way, name, _ in WAYS[:2]:
        then = cost_per_event(small["import"].get(way))
        now = cost_per_event(largest["import"].get(way))
        if then is None or now is None:
            parts.append(f"{name} not measured")
            continue
        parts.append(
            f"{name} {now * 1e6:,.0f} µs per event at {largest['name']} against "
            f"{then * 1e6:,.0f} µs at 10k (**{now / then:.2f}×**)"
        )
    return "Growth (cost per event at the largest scale run ÷ at 10k): " + "; ".join(parts) + "."


def _bulk_runs(results: dict[str, Any]) -> list[str]:
    """Where the bulk figures of a scale measured alone (`--only bulk`) come from."""
    runs: dict[str, list[str]] = {}
    described: dict[str, dict[str, Any]] = {}
    for scale, run in (results.get("bulk_from") or {}).items():
        runs.setdefault(run["started"], []).append(scale)
        described[run["started"]] = run
    lines = []
    for started, scales in runs.items():
        run = described[started]
        machine = run["machine"]
        lines.append(
            f"The bulk rows at {', '.join(scales)} come from a run of the bulk import alone "
            f"(`{run['command']}`, {run['started']} to {run['finished']}, commit "
            f"{run['commit'] or 'unknown'}, load average (15 min) "
            f"{machine['load_average_15min']} before / {machine['load_average_15min_after']} "
            "after); the other rows are the run above's, so a bulk row's ratio to LOAD CSV "
            "compares two runs."
        )
    return [*lines, ""] if lines else []


def _imports(results: dict[str, Any]) -> list[str]:
    rows = []
    for scale in results["scales"]:
        reference = scale["import"].get(LOAD_CSV) or {}
        for way, name, unit in WAYS:
            figures = scale["import"].get(way)
            if figures is None:
                rows.append([scale["name"], name, "not run", "—", "—", "—", "—"])
                continue
            rows.append(
                [
                    scale["name"],
                    name,
                    _transactions(figures, unit),
                    seconds(figures["seconds"]),
                    rate(figures["events_per_s"]),
                    _mib(figures["peak_rss_mib"]),
                    "1×"
                    if way == LOAD_CSV
                    else times(ratio(figures["events_per_s"], reference.get("events_per_s"))),
                ]
            )
    header = [
        "scale",
        "import",
        "transactions",
        "time",
        "events/s",
        "peak RSS",
        "events/s ÷ LOAD CSV",
    ]
    return [
        "## Import",
        "",
        "Three ways into the same schema, each into an emptied database, end to end: "
        "`eventgraph import DIR/native` online (full validation first, then one transaction, "
        "or batches where one transaction would outgrow the server's memory), `eventgraph "
        "import --bulk DIR/native` (validation, neo4j-admin's files, Neo4j stopped, `neo4j-admin "
        "database import full`, Neo4j started again, schema, count check) and `LOAD CSV … CALL "
        "{ … } IN TRANSACTIONS` of the same data as CSV. Peak RSS is the importing command's "
        "(for the bulk import the larger of it and its neo4j-admin child's: the `ru_maxrss` "
        "of the rusage `wait4` returns covers the descendants the command waited for); LOAD "
        "CSV runs inside Neo4j, so it has no process of its own to measure memory of.",
        "",
        *_table(header, rows),
        *_bulk_runs(results),
        _cost_growth(results["scales"]),
        "",
        *_bulk_phases(results["scales"]),
    ]


def _bulk_phases(scales: list[dict[str, Any]]) -> list[str]:
    """Where the bulk import's time goes, per scale (the steps it printed as it went)."""
    measured = [
        (scale["name"], scale["import"][BULK]["phases"])
        for scale in scales
        if (scale["import"].get(BULK) or {}).get("phases")
    ]
    if not measured:
        return []
    names = list(dict.fromkeys(name for _, phases in measured for name in phases))
    rows = [[scale, *(seconds(phases.get(n, 0.0)) for n in names)] for scale, phases in measured]
    return [
        "The bulk import's steps (`eventgraph import --bulk` prints each as it ends):",
        "",
        *_table(["scale", *names], rows),
    ]


def side_name(side: str) -> str:
    """How the report names a side."""
    workers = WORKERS_SIDE.fullmatch(side)
    return f"ours, {workers[1]} workers" if workers else SIDE_NAMES[side]


def _ours_by_workers(operation: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(workers, our point) for every point of ours, by concurrency, then worker count."""
    points = [(1, summary) for summary in operation["sides"]["ours"]]
    for side, summaries in operation["sides"].items():
        workers = WORKERS_SIDE.fullmatch(side)
        if workers:
            points += [(int(workers[1]), summary) for summary in summaries]
    return sorted(points, key=lambda found: (found[1]["clients"], found[0]))


def _queries(scale: dict[str, Any]) -> list[str]:
    rows = []
    for operation in scale["operations"]:
        for workers, ours in _ours_by_workers(operation):
            clients = ours["clients"]
            floor = point(operation, "floor", clients)
            reference = point(operation, "reference", clients)
            errors = sum(
                summary["errors"] for summary in (ours, floor, reference) if summary is not None
            )
            rows.append(
                [
                    operation["name"],
                    str(clients),
                    str(workers),
                    _latencies(ours),
                    _throughput(ours),
                    _latencies(floor),
                    _throughput(floor),
                    _latencies(reference),
                    _throughput(reference),
                    times(ratio(ours["p50_ms"], figure(floor, "p50_ms"))),
                    times(ratio(ours["p50_ms"], figure(reference, "p50_ms"))),
                    times(ratio(ours["throughput_rps"], figure(floor, "throughput_rps"))),
                    times(ratio(ours["throughput_rps"], figure(reference, "throughput_rps"))),
                    f"**{errors}**" if errors else "0",
                ]
            )
    header = [
        "operation",
        "clients",
        "workers",
        "ours ms",
        "ours req/s",
        "floor ms",
        "floor req/s",
        "@neo4j/graphql ms",
        "@neo4j/graphql req/s",
        "p50 ours÷floor",
        "p50 ours÷ref",
        "req/s ours÷floor",
        "req/s ours÷ref",
        "errors",
    ]
    return [
        f"## Queries at {scale['name']} ({scale['events']:,} events)",
        "",
        "`workers`: our server's processes (`eventgraph serve --workers N`); the floor and "
        "@neo4j/graphql figures of a row are those at its number of clients.",
        "",
        *_table(header, rows),
    ]


def _growth(scales: list[dict[str, Any]]) -> list[str]:
    if len(scales) < 2:
        return []
    rows = []
    for operation in scales[0]["operations"]:
        for side in ("ours", "floor", "reference"):
            if side not in operation["sides"]:
                continue
            base = figure(point(operation, side, 1), "p50_ms")
            cells = []
            for scale in scales:
                match = next(
                    (o for o in scale["operations"] if o["name"] == operation["name"]), None
                )
                p50 = figure(match and point(match, side, 1), "p50_ms")
                cells.append(f"{ms(p50)} ({times(ratio(p50, base))})")
            rows.append([operation["name"], SIDE_NAMES[side], *cells])
    header = ["operation", "side", *[f"p50 ms at {scale['name']}" for scale in scales]]
    return [
        "## Growth",
        "",
        f"p50 at 1 client at each scale, and in brackets relative to {scales[0]['name']}.",
        "",
        *_table(header, rows),
    ]


def _operations(scales: list[dict[str, Any]]) -> list[str]:
    if not scales:
        return []
    rows = []
    for operation in scales[0]["operations"]:
        sizes = []
        agrees = set()
        for scale in scales:
            match = next(o for o in scale["operations"] if o["name"] == operation["name"])
            sizes.append(f"{match['answer_size']:,}")
            agrees.add(match["reference_agrees"])
        if operation["reference"] is None:
            reference = "— (not expressible)"
        elif "reference" not in operation["sides"]:
            reference = f"`{operation['reference']}` (not measured in this run)"
        elif operation["writes"]:
            reference = f"`{operation['reference']}` (a write: what it stores is not compared)"
        elif agrees == {True}:
            reference = f"`{operation['reference']}`, same nodes and counts as ours"
        else:
            reference = f"`{operation['reference']}`, **answers differ from ours**"
        rows.append([f"`{operation['name']}`", operation["what"], reference, *sizes])
    header = [
        "operation",
        "what it asks",
        "@neo4j/graphql operation",
        *[f"answer size at {scale['name']}" for scale in scales],
    ]
    return [
        "## The operations",
        "",
        "The answer size is what our answer held at each scale (events, nodes, hits, paths, "
        "buckets or a count): where it grows with the graph, so does the work. The documents "
        "and the floors' Cypher are in `bench/operations.py`, the reference's operations in "
        "`bench/neo4j_graphql/operations.graphql`.",
        "",
        *_table(header, rows),
    ]


def _errors(scales: list[dict[str, Any]]) -> list[str]:
    if not scales:
        return []
    lines = []
    for scale in scales:
        for operation in scale["operations"]:
            for side, summaries in operation["sides"].items():
                for summary in summaries:
                    if summary["errors"]:
                        messages = "; ".join(summary["error_messages"])
                        lines.append(
                            f"- {scale['name']}, {operation['name']}, {side_name(side)}, "
                            f"{summary['clients']} client(s): {summary['errors']} errors "
                            f"({messages})"
                        )
    if not lines:
        return ["## Errors", "", "None: every request of every point was answered.", ""]
    return ["## Errors", "", *lines, ""]


def markdown(results: dict[str, Any]) -> str:
    """The whole report as markdown."""
    lines = [
        *_header(results),
        *_targets(results),
        *_machine(results),
        *_datasets(results),
        *_imports(results),
        *feeds_section(results.get("feeds")),
        *resolution_section(results.get("resolution")),
        *coreference_section(results.get("coreference")),
        *webapp_section(results.get("webapp")),
    ]
    shown, earlier = query_scales(results)
    if earlier is not None or not shown:
        lines += ["## Queries", "", _where_queries_come_from(results), ""]
    for scale in shown:
        lines += _queries(scale)
    lines += [*_growth(shown), *_operations(shown), *_errors(shown)]
    return "\n".join(lines).rstrip() + "\n"


def render(results: dict[str, Any]) -> tuple[str, str]:
    """(markdown, JSON) of one run's results; the JSON holds the verdicts too."""
    raw = {
        **results,
        "targets": [vars(verdict) for verdict in judged(results)],
    }
    return markdown(results), orjson.dumps(raw, option=orjson.OPT_INDENT_2).decode() + "\n"
