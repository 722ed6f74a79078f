"""The coreference benchmark end to end at a tiny scale: a small world's dataset imported, a
tenth of its events reported again with known answers and decoys added, the proposals held to
them, the report's section written (bench/coreference.py; `python -m bench --only coreference`
runs it at 100k)."""

from datetime import UTC, datetime
from pathlib import Path

from neo4j import Driver

from bench.coreference import (
    alike_originals,
    coreference_section,
    duplicated_events,
    run_coreference,
    timed_alike,
)
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
    with_alternatives = proposals["with_alternatives"]  # each counted right by any one of them
    assert proposals["right_with_alternatives"] <= with_alternatives <= proposals["proposed"]
    if with_alternatives:
        mean = proposals["alternatives_mean"]
        assert mean >= 1  # a pair may be named twice, by two items: at most as many pairs
        assert pairs["proposed"] <= round(proposals["proposed"] + mean * with_alternatives)
    assert pairs["precision"] == pairs["found"] / pairs["proposed"]
    assert proposals["recall"] == proposals["found"] / proposals["known"]
    assert 0 < proposals["precision"] <= 1
    assert figures["automatic"]["found"] <= proposals["found"]
    assert figures["unambiguous"]["proposed"] <= proposals["proposed"]
    assert 0 <= figures["wrong_between_originals"] <= proposals["proposed"] - proposals["found"]
    assert figures["added_events"] == len(truth.events) and figures["seconds"] > 0
    assert figures["timed_originals"] == len(truth.timed)
    timed = [event["id"] for event in truth.timed]
    records, _, _ = clean_graph.execute_query(
        "MATCH (e:Event) WHERE e.id IN $ids RETURN collect(DISTINCT e.time_precision) AS p",
        ids=timed,
        database_=settings.neo4j_database,
    )
    assert records[0]["p"] == (["exact"] if timed else [])  # the import gave them their time
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
    assert f"| 400 | {with_alternatives:,} of {proposals['proposed']:,} | " in section
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


def _flight(key: str, time: dict[str, str], destination: str, *refs: str) -> dict[str, object]:
    return {
        "id": key,
        "type": "airlift" if key.startswith("airlift") else "flight",
        "time": time,
        "origin": "base-a",
        "destination": destination,
        "participants": [
            {"role": "aircraft" if r.startswith("ra-") else "operator", "ref": r} for r in refs
        ],
    }


def test_originals_nothing_tells_apart_are_given_the_instant_they_were_drawn_at() -> None:
    """Two sorties of one airframe to one base on one day, one known to the day, one to the
    minute and naming a unit as well: alike, and the one known to the day gets its instant;
    another base, another airframe, an airlift (no instant is its) are not alike."""
    day = {"start": "2025-10-20", "precision": "day"}
    exact = {"start": "2025-10-20T19:45:00Z", "precision": "exact"}
    originals = [
        _flight("sortie-1", day, "base-b", "air-force", "ra-1"),
        _flight("sortie-2", exact, "base-b", "air-force", "ra-1", "unit"),
        _flight("elsewhere", day, "base-c", "air-force", "ra-1"),
        _flight("other-airframe", day, "base-b", "air-force", "ra-2"),
        _flight("next-day", {"start": "2025-10-21", "precision": "day"}, "base-b", "ra-1"),
        _flight("airlift-1", {"start": "2025-10", "precision": "month"}, "base-b", "air-force"),
        _flight("airlift-2", {"start": "2025-10", "precision": "month"}, "base-b", "air-force"),
    ]
    assert alike_originals(originals) == {0, 1}
    drawn_at = datetime(2025, 10, 20, 6, 14, tzinfo=UTC)
    given, timed = timed_alike([(event, drawn_at) for event in originals])
    assert given[0]["time"] == {"start": "2025-10-20T06:14:00Z", "precision": "exact"}
    assert timed == [given[0]] and given[1:] == originals[1:]  # the exact one keeps its time
