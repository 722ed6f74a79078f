"""`python -m bench.dataset --events N --seed S --out DIR`: a synthetic dataset for the benchmark.

Writes DIR/native/ (JSON for `eventgraph import`), DIR/csv/ (the same records as CSV tables,
for our importer and for LOAD CSV) and, last, DIR/manifest.json with the counts and the probes
the query benchmark asks about. The same seed and event count give byte-identical files. Events
are streamed chunk by chunk, so memory stays flat however many there are.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.dataset_files import EVENTS_PER_FILE, DatasetWriter
from bench.event_stream import EventStream
from bench.reports import build_reports
from bench.world import BENCHMARK_WORLD, BURST_WEEKS, World, WorldSize, build_world

GENERATOR_VERSION = 2
"""Bumped whenever the same seed would give different files (a cached dataset is stale)."""
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Probes:
    """What the query benchmark asks about, chosen the same way at every scale: written to the
    manifest (`manifest.json`), read back from it by the query benchmark."""

    actor: str
    actor_a: str
    actor_b: str
    place: str
    site: str
    window_from: str
    window_to: str
    search_text: str
    event_type: str = "flight"

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> "Probes":
        probes = manifest["probes"]
        return cls(**{name: str(probes[name]) for name in cls.__dataclass_fields__})


def probes_of(world: World) -> Probes:
    """The hub air force, the two rivals, the first build-up's province, base and window."""
    burst = world.bursts[0]
    start = datetime.combine(burst.first_day, datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(weeks=BURST_WEEKS) - timedelta(seconds=1)
    return Probes(
        actor=world.hub_air_force,
        actor_a=world.rivals[0],
        actor_b=world.rivals[1],
        place=burst.province,
        site=burst.bases[0],
        window_from=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        window_to=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        search_text=world.search_text,
    )


def _clear(out: Path) -> None:
    """Remove what an earlier run wrote here (a smaller run must not leave extra chunks)."""
    (out / MANIFEST).unlink(missing_ok=True)
    for folder in (out / "native", out / "csv"):
        if folder.is_dir():
            for file in folder.iterdir():
                if file.suffix in (".json", ".csv"):
                    file.unlink()


def generate(
    events: int,
    seed: int,
    out: Path,
    progress: bool = False,
    world_size: WorldSize = BENCHMARK_WORLD,
) -> dict[str, Any]:
    """Write the dataset and return its manifest (a smaller world is for tests only)."""
    if events < 1:
        raise ValueError("a dataset needs at least one event")
    started = time.monotonic()
    _clear(out)
    world = build_world(seed, world_size)
    reports = build_reports(world, events, seed)
    writer = DatasetWriter(out)
    writer.write_world(
        {
            "locations": world.locations,
            "actors": world.actors,
            "equipment_types": world.equipment_types,
            "assets": world.assets,
            "sources": world.sources,
            "reports": reports.records,
            "relations": world.relations,
        }
    )
    chunk: list[dict[str, Any]] = []
    number = 0
    for event in EventStream(world, reports, events, seed):
        chunk.append(event)
        if len(chunk) == EVENTS_PER_FILE:
            number += 1
            writer.write_events(number, chunk)
            chunk = []
            if progress:
                elapsed = time.monotonic() - started
                print(
                    f"bench.dataset: {number * EVENTS_PER_FILE:,}/{events:,} events "
                    f"({elapsed:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
    if chunk:
        writer.write_events(number + 1, chunk)
    manifest: dict[str, Any] = {
        "seed": seed,
        "events": events,
        "version": GENERATOR_VERSION,
        "counts": dict(sorted(writer.nodes.items())),
        "relationships": dict(sorted(writer.relationships.items())),
        "probes": vars(probes_of(world)),
    }
    partial = out / f"{MANIFEST}.partial"
    partial.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    partial.replace(out / MANIFEST)
    return manifest


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a dataset written by `generate` (absent while it is being written)."""
    manifest: dict[str, Any] = orjson.loads((out / MANIFEST).read_bytes())
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__)
    parser.add_argument("--events", type=int, required=True, help="number of events")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    started = time.monotonic()
    manifest = generate(args.events, args.seed, args.out, progress=not args.quiet)
    if not args.quiet:
        total = sum(manifest["counts"].values())
        print(
            f"bench.dataset: {args.events:,} events, {total:,} nodes in {args.out} "
            f"({time.monotonic() - started:.1f} s)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
