"""The benchmark's dataset: deterministic, importable as is, and loaded by LOAD CSV into the
same graph our importer builds (so the import benchmark compares like with like)."""

from pathlib import Path

import pytest
from neo4j import Driver

from bench.database import graph_content, graph_counts
from bench.dataset import generate, read_manifest
from bench.imports import measure_eventgraph_import, measure_load_csv
from bench.world import SMALL_WORLD
from eventgraph.graph.ontology import LONG_SPAN_LABEL
from eventgraph.graph.settings import Settings
from tests.graph_store import wipe
from tests.helpers import run_cli

EVENTS = 200


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset")
    generate(EVENTS, seed=7, out=out)
    return out


@pytest.fixture(scope="module")
def small_world_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same events in a small world: enough of every record to compare the imports."""
    out = tmp_path_factory.mktemp("small-world")
    generate(EVENTS, seed=7, out=out, world_size=SMALL_WORLD)
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_same_bytes(dataset: Path, tmp_path: Path) -> None:
    generate(EVENTS, seed=7, out=tmp_path / "again")
    assert _files(tmp_path / "again") == _files(dataset)
    generate(EVENTS, seed=8, out=tmp_path / "other")
    assert _files(tmp_path / "other")["native/world.json"] != _files(dataset)["native/world.json"]


def test_the_world_stays_the_same_size_as_events_grow(dataset: Path, tmp_path: Path) -> None:
    bigger = generate(4 * EVENTS, seed=7, out=tmp_path / "bigger")
    counts = read_manifest(dataset)["counts"]
    fixed = {"Actor": 1000, "Asset": 5000, "Location": 2000, "Source": 200}
    assert {label: counts[label] for label in fixed} == fixed
    assert {label: bigger["counts"][label] for label in fixed} == fixed
    assert bigger["counts"]["Event"] == 4 * EVENTS
    assert counts["Report"] <= bigger["counts"]["Report"] < 4 * counts["Report"]
    assert counts["EquipmentType"] == bigger["counts"]["EquipmentType"]


def test_rewriting_a_smaller_dataset_leaves_no_extra_files(tmp_path: Path) -> None:
    generate(25_000, seed=1, out=tmp_path, world_size=SMALL_WORLD)
    assert len(list((tmp_path / "native").glob("events-*.json"))) == 2
    generate(10, seed=1, out=tmp_path, world_size=SMALL_WORLD)
    assert [p.name for p in (tmp_path / "native").glob("events-*.json")] == ["events-00001.json"]
    assert read_manifest(tmp_path)["events"] == 10


def test_probes_name_records_of_the_dataset(dataset: Path) -> None:
    probes = read_manifest(dataset)["probes"]
    actors = (dataset / "csv" / "actors.csv").read_text()
    assets = (dataset / "csv" / "assets.csv").read_text()
    locations = (dataset / "csv" / "locations.csv").read_text()
    participants = "".join(p.read_text() for p in (dataset / "csv").glob("participants-*.csv"))
    for actor in (probes["actor"], probes["actor_a"], probes["actor_b"]):
        assert f"\n{actor}," in actors
        assert f",{actor}\n" in participants
    assert f"\n{probes['site']},Air Base" not in assets  # a name is not an id
    assert f"\n{probes['site']}," in assets
    assert f"\n{probes['place']}," in locations
    assert probes["window_from"] < probes["window_to"]
    assert probes["event_type"] == "flight"
    assert actors.count(probes["search_text"]) >= 3


def test_eventgraph_import_and_load_csv_build_the_same_graph(
    small_world_dataset: Path, settings: Settings, driver: Driver
) -> None:
    dataset = small_world_dataset
    manifest = read_manifest(dataset)
    database = settings.neo4j_database
    try:
        ours = measure_eventgraph_import(settings, dataset)
        assert ours.events == EVENTS
        assert ours.peak_rss_mib is not None and ours.peak_rss_mib > 10
        counts = graph_counts(driver, database)
        assert counts.nodes == manifest["counts"]
        assert counts.relationships == manifest["relationships"]
        long_spans = f"MATCH (e:`{LONG_SPAN_LABEL}`) RETURN count(e) AS n"
        assert driver.execute_query(long_spans, database_=database)[0][0]["n"] >= 1
        native = graph_content(driver, database)

        wipe(driver, database)
        result = run_cli("import", "--quiet", str(dataset / "csv"))
        assert result.returncode == 0, result.stderr
        assert graph_content(driver, database) == native

        reference = measure_load_csv(settings, dataset)
        assert reference.events == EVENTS and reference.peak_rss_mib is None
        assert reference.counts == ours.counts
        assert graph_content(driver, database) == native
    finally:
        wipe(driver, database)
