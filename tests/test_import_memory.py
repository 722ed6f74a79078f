"""An import's memory does not grow with the number of files: it checks one file at a time and
keeps the valid records in a spool on disk (docs/importing.md, "Two passes").

`eventgraph import --bulk-files` runs the check (each record spelled as neo4j-admin's CSV rows
as it passes, its id, digest and claim ids kept in SQLite, ids.py) and writes the files,
without writing to Neo4j. Its peak RSS for 8 bench-shaped files is compared with its peak for
2 of them: reading every file whole, as the importer once did, added about 10 KB per event
(here ~90 MB for the 6 extra files).
"""

import os
from pathlib import Path

import orjson
import pytest
from neo4j import Driver

from bench.dataset import generate
from bench.imports import run_measured
from bench.world import SMALL_WORLD
from tests.helpers import EVENTGRAPH

EVENTS_PER_FILE = 1_500
ALLOWED_GROWTH_MB = 30


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The same world with 2 and with 8 files of `EVENTS_PER_FILE` events each."""
    data = tmp_path_factory.mktemp("memory")
    generate(8 * EVENTS_PER_FILE, 3, data / "dataset", world_size=SMALL_WORLD)
    native = data / "dataset" / "native"
    events = orjson.loads((native / "events-00001.json").read_bytes())["events"]
    folders = {}
    for files in (2, 8):
        folder = folders[files] = data / f"{files}-files"
        folder.mkdir()
        (folder / "world.json").write_bytes((native / "world.json").read_bytes())
        for number in range(files):
            chunk = events[number * EVENTS_PER_FILE : (number + 1) * EVENTS_PER_FILE]
            document = {"eventgraph": 1, "events": chunk}
            (folder / f"events-{number:02d}.json").write_bytes(orjson.dumps(document))
    return folders


def _peak_rss_mb(*args: str) -> tuple[float, str]:
    """Run `eventgraph ARGS`; its peak resident memory in MB and its output (measured as the
    benchmark measures it: started from a fresh interpreter, not counting this process's)."""
    run = run_measured([str(EVENTGRAPH), *args], dict(os.environ), "eventgraph import")
    return run.peak_rss_mib, run.output


def test_peak_memory_does_not_grow_with_the_number_of_files(
    clean_graph: Driver, folders: dict[int, Path], tmp_path: Path
) -> None:
    peaks = {}
    for files, folder in folders.items():
        out = tmp_path / f"bulk-{files}"
        peaks[files], _ = _peak_rss_mb("import", "--bulk-files", str(out), str(folder))
        events = (out / "nodes-Event.csv").read_text(encoding="utf-8").count("\n") - 1
        assert events == files * EVENTS_PER_FILE
    assert peaks[8] - peaks[2] < ALLOWED_GROWTH_MB, peaks
