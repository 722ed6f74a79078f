"""`eventgraph import --bulk`, through the real command, on a throwaway Neo4j of its own (the
bulk load stops and restarts the server and replaces its store, so never the shared test one).

The seed story bulk-loaded exports exactly as when imported online, and an online import of
the same files afterwards finds nothing to change; a database that holds data is refused and
left as it was; invalid input writes nothing (and leaves Neo4j running).
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventgraph.graph.driver import open_driver
from eventgraph.graph.importer.bulk import AFTER_IMPORT, PHASES, phases_in
from eventgraph.graph.involvement import RECOUNTED_WRONG
from eventgraph.graph.local_neo4j import running_launcher
from eventgraph.graph.settings import Settings
from tests.graph_store import SEEDS
from tests.helpers import run_cli, throwaway_neo4j

pytestmark = pytest.mark.lifecycle


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    variables = throwaway_neo4j(tmp_path_factory.mktemp("bulk") / "neo4j")
    started = run_cli("neo4j", "start", env=variables, drop=("NEO4J_URI",))
    assert started.returncode == 0, started.stderr
    yield variables
    run_cli("neo4j", "stop", env=variables, drop=("NEO4J_URI",))


@pytest.fixture
def empty(env: dict[str, str]) -> dict[str, str]:
    """The throwaway database with no nodes."""
    _query(env, "MATCH (n) DETACH DELETE n")
    return env


def _settings(env: dict[str, str]) -> Settings:
    return Settings(
        neo4j_uri=None,
        neo4j_port=int(env["EVENTGRAPH_NEO4J_PORT"]),
        neo4j_home=Path(env["EVENTGRAPH_NEO4J_HOME"]),
    )


def _query(env: dict[str, str], cypher: str) -> list[dict[str, Any]]:
    with open_driver(_settings(env)) as driver:
        return [record.data() for record in driver.execute_query(cypher)[0]]


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = run_cli(*args, env=env, drop=("NEO4J_URI",))
    return result.returncode, result.stdout + result.stderr


def _export(env: dict[str, str], path: Path) -> Any:
    code, output = _cli(env, "export", str(path))
    assert code == 0, output
    return json.loads(path.read_text())


LABELS = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label"
SHAPE = (
    "MATCH (n)-[r]->(m) WITH n, r, m, COLLECT { UNWIND keys(r) AS key RETURN key ORDER BY key } "
    "AS keys RETURN labels(n)[0] AS source, type(r) AS type, labels(m)[0] AS target, "
    "count(*) AS n, collect(DISTINCT keys) AS keys ORDER BY source, type, target"
)
"""What the export does not show: derived labels (`:LongSpan`), claims' edges, edge keys."""
TYPES = (
    "MATCH (n) UNWIND keys(n) AS key RETURN labels(n)[0] AS label, key, "
    "valueType(n[key]) AS type, count(*) AS n ORDER BY label, key, type"
)
"""Nor the Neo4j type each property is stored as (a date is not its text)."""


def test_seed_story_bulk_loaded_is_the_online_import(empty: dict[str, str], tmp_path: Path) -> None:
    code, output = _cli(empty, "import", "--bulk", str(SEEDS))
    assert code == 0, output
    assert "Bulk-loaded 75 records" in output
    phases = phases_in(output)
    assert list(phases) == list(PHASES), output  # each step timed, in order
    assert all(seconds >= 0 for seconds in phases.values())
    bulk = _export(empty, tmp_path / "bulk.json")
    bulk_labels, bulk_shape = _query(empty, LABELS), _query(empty, SHAPE)
    bulk_types = _query(empty, TYPES)

    code, output = _cli(empty, "import", str(SEEDS))
    assert code == 0, output
    assert "Nothing changed: all 75 records" in output

    _query(empty, "MATCH (n) DETACH DELETE n")
    code, output = _cli(empty, "import", str(SEEDS))
    assert code == 0, output
    assert _export(empty, tmp_path / "online.json") == bulk
    assert _query(empty, LABELS) == bulk_labels
    assert _query(empty, SHAPE) == bulk_shape
    assert _query(empty, TYPES) == bulk_types


def test_a_database_with_data_is_refused_and_left_as_it_was(empty: dict[str, str]) -> None:
    _query(empty, "CREATE (:Actor {id: 'actor-kept', name: 'Kept'})")
    pid = running_launcher(_settings(empty))
    code, output = _cli(empty, "import", "--bulk", str(SEEDS))
    assert code != 0
    assert "--bulk loads only an empty database" in output
    assert "holds 1 node(s)" in output
    assert "Import without --bulk" in output
    assert _query(empty, "MATCH (n) RETURN n.id AS id") == [{"id": "actor-kept"}]
    assert running_launcher(_settings(empty)) == pid


def test_invalid_input_writes_nothing(empty: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "eventgraph: 1\nactors:\n  - id: actor-a\n    name: A\n    kind: spaceship\n"
        "events:\n  - id: event-a\n    type: nothing\n"
    )
    code, output = _cli(empty, "import", "--bulk", str(bad))
    assert code != 0
    assert "bad.yaml" in output
    # Neo4j stops while the files are checked; a refused check starts it again, as it was
    assert "Starting Neo4j again: nothing was imported" in output
    assert running_launcher(_settings(empty)) is not None
    assert _query(empty, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert not list(Path(empty["EVENTGRAPH_NEO4J_HOME"]).glob("bulk-*"))


def test_a_reference_to_nothing_is_refused_with_neo4j_stopped_and_started_again(
    empty: dict[str, str], tmp_path: Path
) -> None:
    """The check's end runs with Neo4j stopping (the graph is empty: nothing to look up), and
    still finds what no file gives."""
    story = tmp_path / "missing.yaml"
    story.write_text(
        "eventgraph: 1\n"
        "sources:\n  - {id: source-a, name: A, kind: news_outlet, reliability: B}\n"
        "actors:\n  - {id: actor-a, name: A, kind: state}\n"
        "events:\n  - id: event-a\n    name: Event\n    type: attack\n"
        "    time: {start: 2025-10-26, precision: day}\n"
        "    participants:\n      - {role: perpetrator, ref: actor-missing}\n"
        "    claims:\n      - {source: source-a, credibility: 2, paraphrase: Said}\n"
    )
    code, output = _cli(empty, "import", "--bulk", str(story))
    assert code != 0
    assert "actor-missing" in output
    assert "neither in these files nor in the graph" in output
    assert "Traceback" not in output
    assert "Starting Neo4j again: nothing was imported" in output
    assert _query(empty, "MATCH (n) WHERE NOT n:EventGraphSchema RETURN count(n) AS n") == [
        {"n": 0}
    ]


def test_a_remote_neo4j_is_refused_naming_bulk_files(tmp_path: Path) -> None:
    result = run_cli(
        "import", "--bulk", str(SEEDS), env={"NEO4J_URI": "bolt://neo4j.example.invalid:7687"}
    )
    assert result.returncode != 0
    assert "--bulk-files DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_bulk_files_writes_the_files_and_the_command(empty: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "files"
    code, output = _cli(empty, "import", "--bulk-files", str(out), str(SEEDS))
    assert code == 0, output
    assert "neo4j-admin database import full" in output
    assert f"--nodes=Event={out / 'nodes-Event.csv'}" in output
    header = (out / "nodes-Event.csv").read_text().splitlines()[0]
    assert '"id:ID(Event)"' in header
    assert '"content_hash:string"' in header
    assert '"start:datetime"' in header
    assert _query(empty, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_an_empty_list_loads_as_the_online_import_stores_it(
    empty: dict[str, str], tmp_path: Path
) -> None:
    """A list given empty or not given is an empty list online, and `['']` is itself: neo4j-admin
    reads an empty cell (quoted or not) as no property, so the bulk load sets both afterwards."""
    actors = tmp_path / "actors.yaml"
    actors.write_text(
        "eventgraph: 1\nactors:\n"
        "  - {id: actor-none, name: None, kind: state, aliases: []}\n"
        "  - {id: actor-unsaid, name: Unsaid, kind: state}\n"
        "  - {id: actor-some, name: Some, kind: state, aliases: [S, '']}\n"
        "  - {id: actor-blank, name: Blank, kind: state, aliases: ['']}\n"
    )
    stored = "MATCH (a:Actor) RETURN a.id AS id, a.aliases AS aliases ORDER BY id"
    code, output = _cli(empty, "import", "--bulk", str(actors))
    assert code == 0, output
    bulk = _query(empty, stored)
    _query(empty, "MATCH (n) DETACH DELETE n")
    code, output = _cli(empty, "import", str(actors))
    assert code == 0, output
    assert (
        _query(empty, stored)
        == bulk
        == [
            {"id": "actor-blank", "aliases": [""]},
            {"id": "actor-none", "aliases": []},
            {"id": "actor-some", "aliases": ["S", ""]},
            {"id": "actor-unsaid", "aliases": []},
        ]
    )


def test_bulk_files_come_with_the_statements_that_complete_the_lists(
    empty: dict[str, str], tmp_path: Path
) -> None:
    """neo4j-admin stores neither `[]` nor `['']`: `after-import.cypher`, run on the loaded
    store, sets both (here on nodes shaped as neo4j-admin leaves them)."""
    actors = tmp_path / "actors.yaml"
    actors.write_text(
        "eventgraph: 1\nactors:\n"
        "  - {id: actor-none, name: None, kind: state}\n"
        "  - {id: actor-blank, name: Blank, kind: state, aliases: ['']}\n"
        "  - {id: actor-some, name: Some, kind: state, aliases: [S]}\n"
    )
    out = tmp_path / "files"
    code, output = _cli(empty, "import", "--bulk-files", str(out), str(actors))
    assert code == 0, output
    assert str(out / AFTER_IMPORT) in output
    header = (out / "nodes-Actor.csv").read_text().splitlines()[0]
    assert '"eventgraph_blank_aliases:boolean"' in header
    _query(
        empty,
        "CREATE (:Actor {id: 'actor-none'}), (:Actor {id: 'actor-blank', "
        "eventgraph_blank_aliases: true}), (:Actor {id: 'actor-some', aliases: ['S']})",
    )
    for statement in (out / AFTER_IMPORT).read_text().split(";\n"):
        if statement.strip():
            with open_driver(_settings(empty)) as driver, driver.session() as session:
                session.run(statement).consume()
    assert _query(
        empty,
        "MATCH (a:Actor) RETURN a.id AS id, a.aliases AS aliases, "
        "a.cameo_type_codes AS codes, a.eventgraph_blank_aliases AS marker ORDER BY id",
    ) == [
        {"id": "actor-blank", "aliases": [""], "codes": [], "marker": None},
        {"id": "actor-none", "aliases": [], "codes": [], "marker": None},
        {"id": "actor-some", "aliases": ["S"], "codes": [], "marker": None},
    ]


def test_a_bulk_load_stores_each_property_as_the_online_import_does(
    empty: dict[str, str], tmp_path: Path
) -> None:
    """Every property under the same Neo4j type: a claim's `reported_on` is a date (the bulk
    files once called it a string), a point a point, times zoned datetimes."""
    story = tmp_path / "story.yaml"
    story.write_text(
        "eventgraph: 1\n"
        "sources:\n  - {id: source-a, name: A, kind: news_outlet, reliability: B}\n"
        "locations:\n  - {id: place-a, name: Place, kind: city,"
        " point: {lat: 1.5, lon: 2.5, precision: city}}\n"
        "events:\n  - id: event-a\n    name: Event\n    type: statement\n"
        "    time: {start: 2025-10-26, precision: day}\n    at: [place-a]\n"
        "    claims:\n      - {source: source-a, credibility: 2, paraphrase: Said,"
        " reported_on: 2025-10-27}\n"
    )
    code, output = _cli(empty, "import", "--bulk", str(story))
    assert code == 0, output
    bulk = _query(empty, TYPES)
    _query(empty, "MATCH (n) DETACH DELETE n")
    code, output = _cli(empty, "import", str(story))
    assert code == 0, output
    assert _query(empty, TYPES) == bulk
    assert {"label": "Claim", "key": "reported_on", "type": "DATE NOT NULL", "n": 1} in bulk


def test_a_bulk_load_counts_an_entity_named_twice_as_the_online_import_does(
    empty: dict[str, str], tmp_path: Path
) -> None:
    """The entities' uncounted INVOLVES (graph/involvement.py) are counted on the new store
    after neo4j-admin: the same as the online import writes, and the count a scan gives."""
    story = tmp_path / "twice.yaml"
    story.write_text(
        "eventgraph: 1\n"
        "sources:\n  - {id: source-a, name: A, kind: news_outlet, reliability: B}\n"
        "actors:\n  - {id: actor-a, name: A, kind: state}\n"
        "  - {id: actor-b, name: B, kind: state}\n"
        "events:\n  - id: event-a\n    name: Event\n    type: attack\n"
        "    time: {start: 2025-10-26, precision: day}\n"
        "    participants:\n      - {role: perpetrator, ref: actor-a}\n"
        "      - {role: target, ref: actor-a}\n      - {role: target, ref: actor-b}\n"
        "    claims:\n      - {source: source-a, credibility: 2, paraphrase: Said}\n"
    )
    counted = "MATCH (a:Actor) RETURN a.id AS id, a.uncounted_involves AS n ORDER BY id"
    code, output = _cli(empty, "import", "--bulk", str(story))
    assert code == 0, output
    bulk = _query(empty, counted)
    assert _query(empty, RECOUNTED_WRONG) == []
    _query(empty, "MATCH (n) DETACH DELETE n")
    code, output = _cli(empty, "import", str(story))
    assert code == 0, output
    assert (
        _query(empty, counted)
        == bulk
        == [
            {"id": "actor-a", "n": 1},
            {"id": "actor-b", "n": None},
        ]
    )


def test_what_the_online_writer_derives_the_bulk_files_carry(
    empty: dict[str, str], tmp_path: Path
) -> None:
    """`:LongSpan` and relations' `since_end`/`until_start` come from the files (written from
    the records, as graph/spans.py derives them in Cypher online), the schema's record with
    them, so applying the schema to the new store migrates nothing."""
    claims = "claims: [{source: source-a, credibility: 2, paraphrase: Said}]"
    relations = {
        "rel-year": "supports, from: actor-a, to: actor-b, since: 2015, until: 2024",
        "rel-month": "supports, from: actor-b, to: actor-a, since: 2016-02, until: 2024-12",
        "rel-day": "opposes, from: actor-a, to: actor-b, since: 2016-02-29, until: 2025-01-31",
        "rel-exact": "opposes, from: actor-b, to: actor-a, since: '2016-03-01T10:00:00+02:00', "
        "until: '2025-02-01T23:30:00Z'",
        "rel-open": "supports, from: actor-a, to: actor-a",
    }
    events = {
        "event-day": "{start: 2025-10-26, precision: day}",
        "event-month": "{start: 2025-10, precision: month}",
        "event-year": "{start: 2025, precision: year}",
        "event-open": "{start: 2025-10-26, precision: interval}",
    }
    story = tmp_path / "story.yaml"
    story.write_text(
        "eventgraph: 1\n"
        "sources:\n  - {id: source-a, name: A, kind: news_outlet, reliability: B}\n"
        "actors:\n  - {id: actor-a, name: A, kind: state}\n"
        "  - {id: actor-b, name: B, kind: state}\n"
        "relations:\n"
        + "".join(f"  - {{id: {key}, type: {rest}, {claims}}}\n" for key, rest in relations.items())
        + "events:\n"
        + "".join(
            f"  - {{id: {key}, name: E, type: statement, time: {time}, {claims}}}\n"
            for key, time in events.items()
        )
    )
    derived = (
        "MATCH (n) WHERE n:Relation OR n:Event RETURN n.id AS id, n:LongSpan AS long, "
        "toString(n.since_end) AS since_end, toString(n.until_start) AS until_start, "
        "toString(n.since) AS since, toString(n.until) AS until ORDER BY id"
    )
    code, output = _cli(empty, "import", "--bulk", str(story))
    assert code == 0, output
    bulk = _query(empty, derived)
    record = "MATCH (s:EventGraphSchema) RETURN s.version AS version, s.fingerprint AS f"
    bulk_record = _query(empty, record)
    _query(empty, "MATCH (n) DETACH DELETE n")
    code, output = _cli(empty, "import", str(story))
    assert code == 0, output
    assert _query(empty, derived) == bulk
    assert _query(empty, record) == bulk_record
    by_id = {row["id"]: row for row in bulk}
    assert by_id["rel-year"]["since_end"] == "2015-12-31T23:59:59.999999Z"
    assert by_id["rel-month"]["until_start"] == "2024-12-01T00:00:00Z"
    assert by_id["rel-exact"]["since_end"] == "2016-03-01T08:00:00Z"
    assert by_id["rel-open"]["since_end"] is None
    assert [row["id"] for row in bulk if row["long"]] == ["event-open", "event-year"]
