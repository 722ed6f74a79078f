"""The report's Feeds section: the feed benchmark's figures (`bench/feeds.py`) as markdown."""

from typing import Any

from bench.targets import GDELT_DAY_EVENTS


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _batches(batch_size: int | None) -> str:
    return "one transaction" if batch_size is None else f"batches of {batch_size:,} records"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def _adapter(adapter: dict[str, Any]) -> list[str]:
    rows = []
    for way, name in (("feed", "`eventgraph import acled.csv`"), ("native", "native JSON")):
        figures = adapter["import"][way]
        rows.append(
            [
                name,
                _batches(figures["batch_size"]),
                _seconds(figures["seconds"]),
                f"{figures['events_per_s']:,.0f}",
                _mib(figures["peak_rss_mib"]),
            ]
        )
    nodes = sum(adapter["counts"]["nodes"].values())
    edges = sum(adapter["counts"]["relationships"].values())
    return [
        f"### Adapter overhead: ACLED, {adapter['records']:,} rows",
        "",
        f"The same {adapter['records']:,} generated ACLED rows ({adapter['bytes'] / 2**20:.0f} "
        "MB of CSV) imported as the feed, then as the native records the ACLED reader makes of "
        "them (written as native JSON documents in the native benchmark's layout), each into "
        "an emptied database, after an untimed warm-up import of part of the native records "
        "(so neither pays for the server's warming up); both built the same graph "
        f"({nodes:,} nodes, {edges:,} relationships, checked per label and type). "
        f"Feed ÷ native time: **{adapter['time_ratio']:.2f}×**.",
        "",
        *_table(["import", "transactions", "time", "events/s", "peak RSS"], rows),
    ]


def _gdelt(gdelt: dict[str, Any]) -> list[str]:
    rows = []
    for part, name in (("half", "half the day"), ("day", "the day")):
        figures = gdelt[part]
        rows.append(
            [
                name,
                f"{figures['files']} ({figures['bytes'] / 2**20:.0f} MB zipped)",
                f"{figures['events']:,}",
                f"{figures['mentions']:,}",
                _seconds(figures["seconds"]),
                f"{figures['events_per_s']:,.0f}",
                f"{figures['mentions_per_s']:,.0f}",
                _mib(figures["peak_rss_mib"]),
            ]
        )
    day = gdelt["day"]
    size = "a whole GDELT day" if day["events"] == GDELT_DAY_EVENTS else "a smaller day"
    return [
        f"### GDELT: {size} in batches",
        "",
        "Generated 15-minute events and mentions pairs (`.CSV.zip`, as GDELT ships them; "
        "half the day is half as many pairs of the same size) imported as one folder with "
        f"`--batch-size {day['batch_size']:,}` into an emptied database; every event and one "
        "claim per event and per mention checked in the graph. Peak RSS of the day ÷ of the "
        f"half: **{gdelt['memory_ratio']:.2f}×**. Both are many batches long: what the "
        "importer holds by design (the batch written and the one built ahead) is full in "
        "both, so the ratio shows what else grows with the feed.",
        "",
        *_table(
            [
                "part",
                "files",
                "events",
                "mentions",
                "time",
                "events/s",
                "mentions/s",
                "peak RSS",
            ],
            rows,
        ),
    ]


def feeds_section(feeds: dict[str, Any] | None) -> list[str]:
    """The Feeds section: what the run measured, or that no run did."""
    lines = ["## Feeds", ""]
    if feeds is None:
        return [*lines, "Not measured: `python -m bench --only feeds` measures them.", ""]
    origin = (
        f"Measured by `{feeds['command']}` from {feeds['started']} to {feeds['finished']} "
        f"(commit {feeds['commit']}, seed {feeds['seed']}, load average over 15 min "
        f"{feeds['load_average_15min']} before)."
    )
    return [*lines, origin, "", *_adapter(feeds["adapter"]), *_gdelt(feeds["gdelt"])]
