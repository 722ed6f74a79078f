"""The coreference benchmark end to end at a tiny scale: a small world's dataset imported, a
tenth of its events reported again with known answers and decoys added, the proposals held to
them, the report's section written (bench/coreference.py; `python -m bench --only coreference`
runs it at 100k)."""

from pathlib import Path

from neo4j import Driver

from bench.coreference import coreference_section, duplicated_events, run_coreference
from bench.dataset import generate
from bench.world import SMALL_WORLD
from eventgraph.graph.importer import import_paths
from eventgraph.graph.resolution.coreference import candidate_pairs
from eventgraph.graph.resolution.event_reading import read_events
from eventgraph.graph.resolution.event_scoring import (
    common_participants,
    pair_reasons,
    score_bound,
)
from eventgraph.graph.resolution.scoring import score_of
from eventgraph.graph.settings import Settings

SEED = 3
EVENTS = 400


def test_the_benchmark_holds_coreference_proposals_to_known_answers(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    generate(EVENTS, SEED, tmp_path, world_size=SMALL_WORLD)
    max_bytes = settings.import_max_mb * 2**20
    import_paths(clean_graph, settings.neo4j_database, [tmp_path / "native"], max_bytes=max_bytes)
    truth = duplicated_events(SEED, EVENTS, SMALL_WORLD)
    figures = run_coreference(clean_graph, settings, SEED, EVENTS, SMALL_WORLD)
    proposals = figures["proposals"]
    assert proposals["known"] == len(truth.duplicates) == EVENTS // 10
    pairs = figures["pairs"]  # each pair named, alternatives too; proposals are review items
    assert 0 < proposals["found"] == pairs["found"] <= pairs["proposed"]
    assert proposals["proposed"] <= pairs["proposed"]
    assert pairs["precision"] == pairs["found"] / pairs["proposed"]
    assert proposals["recall"] == proposals["found"] / proposals["known"]
    assert 0 < proposals["precision"] <= 1
    assert figures["automatic"]["found"] <= proposals["found"]
    assert figures["unambiguous"]["proposed"] <= proposals["proposed"]
    assert 0 <= figures["wrong_between_originals"] <= proposals["proposed"] - proposals["found"]
    assert figures["added_events"] == len(truth.events) and figures["seconds"] > 0
    perturbations = figures["perturbations"]
    assert sum(v["known"] for k, v in perturbations.items() if "time" in k or " as " in k) > 0
    assert all(v["found"] <= v["known"] for v in perturbations.values())
    decoys = figures["decoys"]
    assert decoys["interval-only repeats"]["pairs"] > 0
    assert decoys["interval-only repeats"]["proposed"] == 0  # one report's events stay apart
    assert decoys["same day, far away"]["pairs"] > 0
    section = "\n".join(coreference_section([{"scale": "400", "events": EVENTS, **figures}]))
    assert "| 400 | proposals | " in section and "| 400 | automatic | " in section
    assert "| 400 | unambiguous | " in section and "| 400 | every pair | " in section
    events = read_events(clean_graph, settings.neo4j_database)
    candidates = candidate_pairs(events)
    assert len(candidates) >= pairs["proposed"]
    # the bound that skips pairs unexplained never skips one that counts, common participants
    # weighing less or not (none is common at this size; a low bar makes some)
    for common in (common_participants(events), common_participants(events, more_than=5)):
        for i, j in candidates:
            a, b = events[i], events[j]
            reasons = tuple(pair_reasons(a, b, common))
            assert score_bound(a, b, common) >= score_of(reasons), (a.key, b.key)
    assert common_participants(events, more_than=5), "the low bar makes some common"
