"""Resolution proposals against known answers (`python -m bench --only resolution`).

On a graph that holds a benchmark dataset (the online import leaves it), add near-duplicates of
about a tenth of its actors, assets and places, each a realistic variant of its original — a
transliteration, initials, another word order, a typo, an alias instead of the name, another
case with accents — and hard negatives that must not be proposed: an organisation named exactly
as a person, a city of the same name far away (sibling units are in the world already: the 1st
and the 2nd regiment of each air force). About half the duplicate actors and airframes and
their originals carry one external id spelled two ways (an ACLED actor name in another case, a
registration without its hyphen: ids the importer keeps apart, as it keeps their spellings),
given in the records' `external_ids` and written by the importer, plus decoys the safe rule must
not take: one text in two schemes. (An id spelled alike would attach the duplicate to its
original at import: no pair to propose.) Then time `propose` over
every label and report precision and recall per label, per variant and for the safe rule.
"""

import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from neo4j import Driver

from bench.world import BENCHMARK_WORLD, Record, WorldSize, build_world
from eventgraph.graph.importer import import_paths
from eventgraph.graph.resolution import DEFAULT_MIN_SCORE, propose
from eventgraph.graph.settings import Settings

SHARE = 0.1
"""Near-duplicates per original: a tenth of the actors, assets and places."""
WITH_ID_SHARE = 0.5
"""Of those, the share whose pair carries one external id (the safe rule's truth)."""
NEGATIVES = 0.02
"""Hard negatives per original actor (organisations named as persons) and place (far cities)."""
LABELS = {"actors": "Actor", "assets": "Asset", "locations": "Location"}
DECOY_BASE = {"Actor": 1_000, "Asset": 2_000, "Location": 3_000}
SAFE_PRECISION_TARGET = 0.98
SAFE_RECALL_TARGET = 0.9
SECONDS_TARGET = 60.0

_REMOVE_EARLIER = """
MATCH (n)
WHERE (n:Actor OR n:Asset OR n:Location) AND (n.id STARTS WITH 'dup-' OR n.id STARTS WITH 'neg-')
OPTIONAL MATCH (x:ExternalId)-[:IDENTIFIES]->(n)
DETACH DELETE n, x
"""

Pair = tuple[str, str]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _transliterated(name: str, _: random.Random) -> str | None:
    for old, new in (("k", "q"), ("v", "w"), ("ou", "u"), ("y", "i"), ("sh", "ch"), ("i", "y")):
        if old in name:
            return name.replace(old, new, 1)
    return None


def _initials(name: str, _: random.Random) -> str | None:
    stripped = (word.strip("()").removeprefix("al-") for word in name.split())
    words = [word for word in stripped if word.isalpha() and word.lower() not in ("of", "the")]
    return "".join(word[0].upper() for word in words) if len(words) >= 3 else None


def _word_order(name: str, _: random.Random) -> str | None:
    words = name.split()
    return " ".join([*words[1:], words[0]]) if len(words) >= 2 else None


def _typo(name: str, rng: random.Random) -> str | None:
    words = name.split()
    longest = max(range(len(words)), key=lambda n: len(words[n]))
    word = words[longest]
    letters = [n for n in range(1, len(word) - 1) if word[n].isalpha() and word[n + 1].isalpha()]
    if len(word) < 6 or not letters:
        return None
    n = rng.choice(letters)
    words[longest] = word[:n] + word[n + 1] + word[n] + word[n + 2 :]
    return " ".join(words)


def _accented(name: str, _: random.Random) -> str | None:
    for plain, accented in (("a", "á"), ("e", "é"), ("o", "ö"), ("u", "ü"), ("i", "í")):
        if plain in name:
            return f"the {name.replace(plain, accented, 1).upper()}"
    return None


VARIANTS: dict[str, Callable[[str, random.Random], str | None]] = {
    "transliteration": _transliterated,
    "initials": _initials,
    "word order": _word_order,
    "typo": _typo,
    "case and accents": _accented,
}
ALIAS = "alias instead of the name"


@dataclass
class Truth:
    """What the added records are, and the answers resolution should give."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    duplicates: dict[str, set[Pair]] = field(default_factory=dict)
    """Label → (original, duplicate) pairs."""
    variant_of: dict[Pair, str] = field(default_factory=dict)
    safe: set[Pair] = field(default_factory=set)
    given_ids: dict[str, list[Record]] = field(default_factory=dict)
    """Originals with the external ids they are given, imported again (an update of each)."""
    negatives: int = 0


def _variant(record: Record, rng: random.Random) -> tuple[str, str] | None:
    if record.get("aliases") and rng.random() < 0.2:
        return ALIAS, str(record["aliases"][0])
    for name in rng.sample(list(VARIANTS), len(VARIANTS)):
        made = VARIANTS[name](str(record["name"]), rng)
        if made and made != record["name"]:
            return name, made
    return None


def _duplicate(record: Record, name: str, rng: random.Random) -> Record:
    copy: Record = {
        key: value for key, value in record.items() if key not in ("aliases", "within", "point")
    }
    copy["id"] = f"dup-{record['id']}"
    copy["name"] = name
    if "point" in record:
        point = dict(record["point"])
        spread = float(point["uncertainty_km"]) / 3 / 111.0
        point["lat"] = round(point["lat"] + rng.uniform(-spread, spread), 4)
        point["lon"] = round(point["lon"] + rng.uniform(-spread, spread), 4)
        copy["point"] = point
    if record.get("registration") and rng.random() < 0.5:
        registration = str(record["registration"])
        copy["registration"] = registration.replace("-", "")
    return copy


def _external_id(
    label: str, original: Record, unique_name: bool
) -> tuple[dict[str, str], dict[str, str]] | None:
    """One id of the original and of its duplicate, spelled as two feeds would: an ACLED actor
    name in another case (only where the name is one actor's: two actors of one name would be
    one ACLED actor), a registration without its hyphen; None where the label has neither."""
    if label == "Actor" and unique_name:
        name = str(original["name"])
        return {"scheme": "acled_actor", "value": name}, {
            "scheme": "acled_actor",
            "value": name.upper(),
        }
    registration = str(original.get("registration") or "")
    if label == "Asset" and "-" in registration:
        return {"scheme": "registration", "value": registration}, {
            "scheme": "registration",
            "value": registration.replace("-", ""),
        }
    return None


def near_duplicates(seed: int, size: WorldSize = BENCHMARK_WORLD) -> Truth:
    """The records to add to the world of this seed, and the known answers."""
    world = build_world(seed, size)
    rng = random.Random(f"eventgraph-bench/resolution/{seed}")
    truth = Truth()
    for collection, label in LABELS.items():
        originals: list[Record] = getattr(world, collection)
        names = Counter(str(r["name"]) for r in originals)
        added: list[Record] = []
        ids_of: dict[str, list[dict[str, str]]] = {}
        truth.duplicates[label] = set()
        for record in rng.sample(originals, max(1, round(SHARE * len(originals)))):
            found = _variant(record, rng)
            if found is None:
                continue
            variant, name = found
            duplicate = _duplicate(record, name, rng)
            added.append(duplicate)
            pair = _pair(record["id"], duplicate["id"])
            truth.duplicates[label].add(pair)
            truth.variant_of[pair] = variant
            ids = _external_id(label, record, names[str(record["name"])] == 1)
            if ids is not None and rng.random() < WITH_ID_SHARE:
                ids_of.setdefault(record["id"], []).append(ids[0])
                duplicate["external_ids"] = [ids[1]]
                truth.safe.add(pair)
        added += _negatives(label, originals, rng, truth, ids_of)
        truth.records[collection] = added
        truth.given_ids[collection] = [
            {**r, "external_ids": ids_of[r["id"]]} for r in originals if r["id"] in ids_of
        ]
    return truth


def _negatives(
    label: str,
    originals: list[Record],
    rng: random.Random,
    truth: Truth,
    ids_of: dict[str, list[dict[str, str]]],
) -> list[Record]:
    """Records that look like duplicates and are not; decoy external ids for the safe rule."""
    made: list[Record] = []
    count = max(1, round(NEGATIVES * len(originals)))
    if label == "Actor":
        persons = [r for r in originals if r["kind"] == "person" and not r.get("anonymous")]
        for person in rng.sample(persons, min(count, len(persons))):
            made.append(
                {"id": f"neg-{person['id']}", "name": person["name"], "kind": "organisation"}
            )
    elif label == "Location":
        cities = [r for r in originals if r["kind"] == "city"]
        for city in rng.sample(cities, min(count, len(cities))):
            point = {**city["point"], "lat": round(city["point"]["lat"] - 25, 4)}
            made.append(
                {"id": f"neg-{city['id']}", "name": city["name"], "kind": "city", "point": point}
            )
    other_scheme = "cameo_actor" if label == "Actor" else "geonames"
    decoys = rng.sample(originals, 2 * count)
    for n in range(count):  # one text in two schemes is two ids
        a, b = decoys[2 * n], decoys[2 * n + 1]
        number = DECOY_BASE[label] + n  # one id is one record's: apart per label
        other = f"Q{number}" if other_scheme == "cameo_actor" else str(number)
        ids_of.setdefault(a["id"], []).append({"scheme": "wikidata", "value": f"Q{number}"})
        ids_of.setdefault(b["id"], []).append({"scheme": other_scheme, "value": other})
    truth.negatives += len(made)
    return made


def add_to_graph(driver: Driver, settings: Settings, truth: Truth) -> None:
    """Import the added records and the originals' ids (as any import would), having removed
    what an earlier run added."""
    database = settings.neo4j_database
    driver.execute_query(_REMOVE_EARLIER, database_=database)
    with tempfile.TemporaryDirectory(prefix="eventgraph-resolution-") as folder:
        added, given_ids = Path(folder) / "near-duplicates.json", Path(folder) / "ids.json"
        added.write_bytes(orjson.dumps(truth.records))
        given_ids.write_bytes(orjson.dumps(truth.given_ids))
        import_paths(
            driver,
            settings.neo4j_database,
            [added, given_ids],
            max_bytes=settings.import_max_mb * 2**20,
        )


def figures_of(predicted: set[Pair], truth: set[Pair]) -> dict[str, Any]:
    """Proposed, known and found pairs, precision and recall (None where nothing to divide)."""
    found = len(predicted & truth)
    return {
        "proposed": len(predicted),
        "known": len(truth),
        "found": found,
        "precision": found / len(predicted) if predicted else None,
        "recall": found / len(truth) if truth else None,
    }


def _safe_figures(automatic: set[Pair], truth: Truth) -> dict[str, Any]:
    """Recall against the pairs given one id; precision against every known duplicate (an
    import that turns a shared registration into an external id finds more, rightly)."""
    every = set().union(*truth.duplicates.values())
    figures = figures_of(automatic, truth.safe)
    figures["found"] = len(automatic & every)
    figures["precision"] = figures["found"] / len(automatic) if automatic else None
    return figures


def evaluate(driver: Driver, settings: Settings, truth: Truth) -> dict[str, Any]:
    """Time the proposals over every label and hold them to the known answers."""
    started = time.monotonic()
    proposals = propose(driver, settings.neo4j_database, min_score=DEFAULT_MIN_SCORE)
    seconds = time.monotonic() - started
    by_label: dict[str, set[Pair]] = {}
    for proposal in proposals:
        by_label.setdefault(proposal.label, set()).add(_pair(proposal.a.key, proposal.b.key))
    automatic = {_pair(p.a.key, p.b.key) for p in proposals if p.automatic}
    variants: dict[str, Any] = {}
    found = set().union(*by_label.values()) if by_label else set()
    known = Counter(truth.variant_of.values())
    hits = Counter(variant for pair, variant in truth.variant_of.items() if pair in found)
    for variant in sorted(known):
        variants[variant] = {"known": known[variant], "found": hits[variant]}
    labels = sorted({*truth.duplicates, *by_label})
    return {
        "min_score": DEFAULT_MIN_SCORE,
        "seconds": seconds,
        "added_records": sum(len(records) for records in truth.records.values()),
        "hard_negatives": truth.negatives,
        "labels": {
            label: figures_of(by_label.get(label, set()), truth.duplicates.get(label, set()))
            for label in labels
        },
        "safe": _safe_figures(automatic, truth),
        "variants": variants,
    }


def run_resolution(
    driver: Driver, settings: Settings, seed: int, size: WorldSize = BENCHMARK_WORLD
) -> dict[str, Any]:
    """Add the near-duplicates of this seed's world to the graph, then measure the proposals."""
    truth = near_duplicates(seed, size)
    add_to_graph(driver, settings, truth)
    return evaluate(driver, settings, truth)


def share_text(value: float | None) -> str:
    """A share as the report prints it (three decimals, a dash for none)."""
    return "—" if value is None else f"{value:.3f}"


def resolution_section(runs: list[dict[str, Any]] | None) -> list[str]:
    """The report's markdown for the resolution runs (one per scale), or nothing."""
    if not runs:
        return []
    lines = [
        "## Entity resolution",
        "",
        "`python -m bench --only resolution`: bench/resolution.py adds near-duplicates with "
        "known answers and hard negatives to the imported graph, then times `eventgraph "
        f"resolve` over every label (proposals at a score of {DEFAULT_MIN_SCORE} or more). "
        f"Targets: the safe rule's precision ≥ {SAFE_PRECISION_TARGET} with recall ≥ "
        f"{SAFE_RECALL_TARGET}; ≤ {SECONDS_TARGET:g} s.",
        "",
        "| scale | label | proposed | known | found | precision | recall |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        rows = [*run["labels"].items(), ("safe rule (automatic)", run["safe"])]
        for label, figures in rows:
            lines.append(
                f"| {run['scale']} | {label} | {figures['proposed']:,} | {figures['known']:,} | "
                f"{figures['found']:,} | {share_text(figures['precision'])} | "
                f"{share_text(figures['recall'])} |"
            )
    lines += ["", "| scale | time | added records | hard negatives | recall per variant |"]
    lines += ["| --- | ---: | ---: | ---: | --- |"]
    for run in runs:
        per_variant = ", ".join(
            f"{name} {v['found']}/{v['known']}" for name, v in run["variants"].items()
        )
        lines.append(
            f"| {run['scale']} | {run['seconds']:.1f} s | {run['added_records']:,} | "
            f"{run['hard_negatives']:,} | {per_variant} |"
        )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.resolution`: measure on the Neo4j the EVENTGRAPH_NEO4J_* settings name,
    which already holds the dataset of `--seed` (as `python -m bench --only resolution` leaves
    it); the added records are written idempotently, so it can run again on the same graph."""
    import argparse

    from eventgraph.graph import local_neo4j
    from eventgraph.graph.driver import open_driver

    parser = argparse.ArgumentParser(prog="python -m bench.resolution", description=__doc__)
    parser.add_argument("--seed", type=int, default=1, help="the dataset's seed (default 1)")
    args = parser.parse_args(argv)
    settings = Settings()
    if settings.uses_local_neo4j:
        local_neo4j.start(settings)
    with open_driver(settings) as driver:
        figures = run_resolution(driver, settings, args.seed)
    print("\n".join(resolution_section([{"scale": "this graph", **figures}])))
    print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
