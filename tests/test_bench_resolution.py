"""The resolution benchmark end to end at a tiny scale: a small world's dataset imported, its
near-duplicates and hard negatives added, the proposals held to the known answers, the report's
section written (bench/resolution.py; `python -m bench --only resolution` runs it at 100k)."""

from pathlib import Path

from neo4j import Driver

from bench.dataset import generate
from bench.resolution import near_duplicates, resolution_section, run_resolution
from bench.world import SMALL_WORLD
from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import Settings

SEED = 3


def test_the_benchmark_holds_proposals_to_known_answers(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    generate(60, SEED, tmp_path, world_size=SMALL_WORLD)
    max_bytes = settings.import_max_mb * 2**20
    import_paths(clean_graph, settings.neo4j_database, [tmp_path / "native"], max_bytes=max_bytes)
    truth = near_duplicates(SEED, SMALL_WORLD)
    figures = run_resolution(clean_graph, settings, SEED, SMALL_WORLD)
    labels = figures["labels"]
    for label in ("Actor", "Asset", "Location"):
        assert labels[label]["known"] == len(truth.duplicates[label]) > 0, label
        assert 0 < labels[label]["found"] <= labels[label]["proposed"], label
    safe = figures["safe"]
    assert safe["known"] == len(truth.safe) > 0
    assert safe["precision"] == 1.0 and safe["recall"] == 1.0  # decoy ids are not taken
    assert figures["hard_negatives"] > 0 and figures["seconds"] > 0
    assert sum(v["known"] for v in figures["variants"].values()) == sum(
        len(pairs) for pairs in truth.duplicates.values()
    )
    section = "\n".join(resolution_section([{"scale": "60", "events": 60, **figures}]))
    assert "| 60 | safe rule (automatic) | " in section and "| 60 | Actor |" in section
