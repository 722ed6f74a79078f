"""The check in worker processes (graph/importer/parallel.py) finds what the check in one
process finds: the same problems in the same order, the same graph, the same bulk files.

The files are small; the pool is forced (`workers=2`), and files are split into chunks of
records by lowering the chunk size, so both ways through the pool are taken."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from neo4j import Driver

from eventgraph.graph import feeds
from eventgraph.graph.errors import InvalidData, Problem
from eventgraph.graph.importer import import_paths, parallel, read_and_validate
from eventgraph.graph.importer.bulk import CsvSpool
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.graph_store import wipe

SEED = PROJECT_ROOT / "seeds" / "hmeimim-airlift-2025.yaml"
ACLED = Path(__file__).parent / "feeds" / "acled-syria-2025-10.csv"
_NOW = datetime(2025, 11, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of more than 4 KiB are checked in chunks (the tasks are planned in this process)."""
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(parallel, "IN_FLIGHT_PER_WORKER", 8)


def _seed_in_files(folder: Path) -> Path:
    """The seed story spread over files of each format: one JSON file per collection, the
    events in two YAML files, so references cross files."""
    story = yaml.safe_load(SEED.read_text())
    folder.mkdir()
    for collection in ("actors", "equipment_types", "assets", "locations", "sources"):
        (folder / f"{collection}.json").write_text(
            json.dumps({"eventgraph": 1, collection: story[collection]})
        )
    half = len(story["events"]) // 2
    for name, events in (("a", story["events"][:half]), ("b", story["events"][half:])):
        (folder / f"events-{name}.yaml").write_text(yaml.safe_dump({"events": events}))
    (folder / "rest.json").write_text(
        json.dumps(
            {
                "eventgraph": 1,
                "assumptions": story["assumptions"],
                "reports": story["reports"],
                "relations": story["relations"],
            },
            default=str,
        )
    )
    return folder


def _broken(folder: Path) -> Path:
    """The seed story's files with problems of every stage, across files."""
    _seed_in_files(folder)
    actors = json.loads((folder / "actors.json").read_text())
    first = actors["actors"][0]
    actors["actors"].append({**first, "name": "Another name"})  # the same id, other content
    actors["actors"].append({"id": "no kind", "name": "X"})  # wrong fields
    (folder / "actors.json").write_text(json.dumps(actors))
    events = yaml.safe_load((folder / "events-b.yaml").read_text())
    events["events"][0]["participants"].append({"role": "operator", "ref": "nobody-at-all"})
    events["events"][1]["time"] = {"start": "2025-13-45", "precision": "day"}
    events["events"][2]["claims"][0]["id"] = "claim-twice"
    (folder / "events-b.yaml").write_text(yaml.safe_dump(events))
    events = yaml.safe_load((folder / "events-a.yaml").read_text())
    events["events"][0]["claims"][0]["id"] = "claim-twice"
    (folder / "events-a.yaml").write_text(yaml.safe_dump(events))
    (folder / "zz-broken.json").write_text('{"eventgraph": 1, "actors": [')
    (folder / "zz-keys.yaml").write_text("actors:\n  - {id: a, id: b}\n")
    return folder


def _problems(driver: Driver, settings: Settings, folder: Path, workers: int) -> InvalidData:
    with pytest.raises(InvalidData) as refused:
        import_paths(driver, settings.neo4j_database, [folder], max_bytes=2**24, workers=workers)
    return refused.value


def test_the_pool_reports_the_same_problems_in_the_same_order(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    folder = _broken(tmp_path / "broken")
    alone = _problems(clean_graph, settings, folder, workers=1)
    pooled = _problems(clean_graph, settings, folder, workers=2)
    assert [str(problem) for problem in pooled.problems] == [
        str(problem) for problem in alone.problems
    ]
    assert pooled.rejected == alone.rejected
    reasons = " | ".join(problem.reason for problem in alone.problems)
    for expected in (
        "twice with different content",
        "appears twice in one mapping",
        "unknown actor",
        "malformed JSON",
        "claim id 'claim-twice' is used twice",
    ):
        assert expected in reasons
    assert all(isinstance(problem, Problem) for problem in pooled.problems)


def test_the_pool_writes_the_same_graph(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    folder = _seed_in_files(tmp_path / "story")
    alone = import_paths(clean_graph, settings.neo4j_database, [folder], max_bytes=2**24, workers=1)
    written_alone = _graph(clean_graph)
    wipe(clean_graph, settings.neo4j_database)
    pooled = import_paths(
        clean_graph, settings.neo4j_database, [folder], max_bytes=2**24, workers=2
    )
    assert pooled.records == alone.records == 75
    assert pooled.assumptions == alone.assumptions
    assert _graph(clean_graph) == written_alone


def test_a_feed_file_is_checked_here_and_the_native_files_before_it_in_the_pool(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Only files that cannot be a feed's go to the workers (a worker would read a feed file
    whole to hand it back); the feed file and those after it are checked in this process."""
    folder = _seed_in_files(tmp_path / "story")
    feed = folder / "zz-acled.csv"
    feed.write_bytes(ACLED.read_bytes())
    assert feeds.may_be_feed(feed)
    assert not any(feeds.may_be_feed(file) for file in folder.iterdir() if file != feed)
    alone = import_paths(clean_graph, settings.neo4j_database, [folder], max_bytes=2**24, workers=1)
    written_alone = _graph(clean_graph)
    wipe(clean_graph, settings.neo4j_database)
    pooled = import_paths(
        clean_graph, settings.neo4j_database, [folder], max_bytes=2**24, workers=2
    )
    assert pooled.records == alone.records > 75
    assert pooled.outcome.created["Event"] == alone.outcome.created["Event"] == 24 + 6
    assert _graph(clean_graph) == written_alone


def _graph(driver: Driver) -> list[str]:
    """Every node and edge with its properties, but when it was written (`*_at`)."""
    nodes = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, "
        "[key IN keys(n) WHERE NOT key ENDS WITH '_at' | [key, n[key]]] AS props"
    )[0]
    edges = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS p, b.id AS b"
    )[0]
    return sorted(repr(sorted(row.data().items())) for row in [*nodes, *edges])


def test_the_pool_spells_the_same_bulk_files(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    folder = _seed_in_files(tmp_path / "story")
    made = {}
    for workers in (1, 2):
        scratch = tmp_path / f"bulk-{workers}"
        scratch.mkdir()
        spool = CsvSpool(scratch, now=_NOW)
        _, plan = read_and_validate(
            clean_graph, settings.neo4j_database, [folder], 2**24, spool, workers=workers
        )
        files = spool.finish_files(plan)
        made[workers] = {path.name: path.read_text() for path in files.directory.glob("*.csv")}
    assert made[2] == made[1]
    assert len(made[1]) > 5
