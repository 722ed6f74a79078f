"""The benchmark's report: markdown for people (docs/benchmarks.md), JSON for programs.

Every number comes from the results of the run; the text around them only says what they are.
"""

from typing import Any

import orjson

from bench.targets import MET, MISSED, figure, point, ratio, verdicts

SIDE_NAMES = {"ours": "ours", "floor": "floor (Cypher)", "reference": "@neo4j/graphql"}
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


def _header(results: dict[str, Any]) -> list[str]:
    plan = results["plan"]
    scales = ", ".join(f"{s['name']} ({s['events']:,} events)" for s in results["scales"])
    return [
        "# Benchmarks",
        "",
        f"Measured by `make bench` (`{results['command']}`) from {results['started']} to "
        f"{results['finished']}; every number below comes from that run "
        "(raw figures: [benchmarks.json](benchmarks.json)). Scales: " + scales + ".",
        "",
        "Each operation a frontend makes is measured three ways against the same database: "
        "**ours** (`eventgraph serve`, production mode, one uvicorn process), the **floor** "
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
        "passes options to `python -m bench`, see `--help`). It starts its own Neo4j "
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


def _targets(results: dict[str, Any]) -> list[str]:
    rows = [
        [verdict.target, STATUS_MARK.get(verdict.status, verdict.status), verdict.detail]
        for verdict in verdicts(results["scales"])
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
        ("import", "time: both imports"),
        ("queries", "time: queries"),
        ("total", "**time: whole scale**"),
    ):
        cells = []
        for scale in scales:
            cell = seconds(scale["seconds"][part])
            if part == "dataset" and scale["dataset_cached"]:
                cell += " (cached)"
            cells.append(cell)
        rows.append([label, *cells])
    header = ["nodes", *[scale["name"] for scale in scales]]
    return [
        "## Datasets",
        "",
        "Counted in the database after our import (the generator's manifest agrees, or the "
        "run stops). Times are wall-clock per scale.",
        "",
        *_table(header, rows),
    ]


def _transactions(batch_size: int | None, unit: str) -> str:
    return "one" if batch_size is None else f"of {batch_size:,} {unit}"


def _imports(results: dict[str, Any]) -> list[str]:
    rows = []
    for scale in results["scales"]:
        ours, reference = scale["import"]["eventgraph"], scale["import"]["load_csv"]
        rss = ours["peak_rss_mib"]
        rows.append(
            [
                scale["name"],
                f"{ours['events']:,}",
                _transactions(ours.get("batch_size"), "records"),
                seconds(ours["seconds"]),
                rate(ours["events_per_s"]),
                "—" if rss is None else f"{rss:,.0f} MiB",
                _transactions(reference.get("batch_size"), "rows"),
                seconds(reference["seconds"]),
                rate(reference["events_per_s"]),
                times(ratio(ours["events_per_s"], reference["events_per_s"])),
            ]
        )
    header = [
        "scale",
        "events",
        "eventgraph import: transactions",
        "time",
        "events/s",
        "importer peak RSS",
        "LOAD CSV: transactions",
        "time",
        "events/s",
        "ours ÷ LOAD CSV",
    ]
    return [
        "## Import",
        "",
        "`eventgraph import DIR/native` (full validation first, then one transaction, or "
        "batches where one transaction would outgrow the server's memory) against `LOAD CSV "
        "… CALL { … } IN TRANSACTIONS` of the same data as CSV into the same schema, each into "
        "an emptied database. LOAD CSV runs inside Neo4j, so it has no process of its own "
        "to measure memory of.",
        "",
        *_table(header, rows),
    ]


def _queries(scale: dict[str, Any]) -> list[str]:
    rows = []
    for operation in scale["operations"]:
        for ours in operation["sides"]["ours"]:
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
        *_table(header, rows),
    ]


def _growth(results: dict[str, Any]) -> list[str]:
    scales = results["scales"]
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


def _operations(results: dict[str, Any]) -> list[str]:
    scales = results["scales"]
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


def _errors(results: dict[str, Any]) -> list[str]:
    lines = []
    for scale in results["scales"]:
        for operation in scale["operations"]:
            for side, summaries in operation["sides"].items():
                for summary in summaries:
                    if summary["errors"]:
                        messages = "; ".join(summary["error_messages"])
                        lines.append(
                            f"- {scale['name']}, {operation['name']}, {SIDE_NAMES[side]}, "
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
    ]
    for scale in results["scales"]:
        lines += _queries(scale)
    lines += [*_growth(results), *_operations(results), *_errors(results)]
    return "\n".join(lines).rstrip() + "\n"


def render(results: dict[str, Any]) -> tuple[str, str]:
    """(markdown, JSON) of one run's results; the JSON holds the verdicts too."""
    raw = {
        **results,
        "targets": [vars(verdict) for verdict in verdicts(results["scales"])],
    }
    return markdown(results), orjson.dumps(raw, option=orjson.OPT_INDENT_2).decode() + "\n"
