"""Bad input of every kind: a clear problem naming file, line or record, field and reason;
and not one byte written to the graph."""

import textwrap
from pathlib import Path

import pytest
from neo4j import Driver

from eventgraph.api.errors import Exit
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.importer import import_paths
from eventgraph.graph.settings import Settings
from tests.helpers import PYDANTIC_PHRASES, graph_checksum, run_cli

BASE = """\
eventgraph: 1
locations:
  - {id: syria, name: Syria, kind: country, point: {lat: 35.0, lon: 38.5, precision: country}}
actors:
  - {id: russia, name: Russia, kind: state}
sources:
  - {id: bloomberg, name: Bloomberg, kind: news_outlet, reliability: B}
"""

EVENT = """\
events:
  - id: flight-1
    type: {type}
    name: A flight
    time: {time}
    participants:
      - {{role: {role}, ref: {ref}}}
    claims:
      - {{source: bloomberg, credibility: {credibility}, reliability: {reliability}, paraphrase: A flight}}
"""


def _event(**overrides: str) -> str:
    values = {
        "type": "flight",
        "time": "{start: 2025-10-24, end: 2025-10-27, precision: interval}",
        "role": "operator",
        "ref": "russia",
        "credibility": "2",
        "reliability": "B",
    }
    values.update(overrides)
    return EVENT.format(**values)


def _import(driver: Driver, settings: Settings, *paths: Path, max_mb: int = 16) -> None:
    import_paths(driver, settings.neo4j_database, list(paths), max_bytes=max_mb * 2**20)


def _rejects(driver: Driver, settings: Settings, path: Path, *expected: str) -> str:
    """Import `path`, expect `InvalidData` mentioning every `expected` text, and no writes."""
    before = graph_checksum(driver)
    with pytest.raises(InvalidData) as caught:
        _import(driver, settings, path)
    message = str(caught.value)
    for text in expected:
        assert text in message, message
    assert graph_checksum(driver) == before
    return message


@pytest.fixture
def seeded(clean_graph: Driver, settings: Settings, tmp_path: Path) -> Driver:
    """A graph holding the BASE records, so bad imports have something to leave untouched."""
    base = tmp_path / "base.yaml"
    base.write_text(BASE)
    _import(clean_graph, settings, base)
    return clean_graph


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_unknown_event_type_with_suggestion(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, "bad.yaml", BASE + _event(type="flihgt"))
    message = _rejects(
        seeded,
        settings,
        path,
        "bad.yaml:10",
        "events[0].type",
        "'flihgt' is not a known event type",
    )
    assert "did you mean 'flight'?" in message


def test_dangling_reference_with_suggestion(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, "bad.yaml", BASE + _event(ref="rusia"))
    _rejects(
        seeded,
        settings,
        path,
        "bad.yaml:14",
        "events[0].participants[0].ref",
        "unknown actor 'rusia': neither in these files nor in the graph",
        "did you mean 'russia'?",
    )


def test_reference_to_a_node_already_in_the_graph_is_fine(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, "ok.yaml", _event())
    _import(seeded, settings, path)
    rows = seeded.execute_query(
        "MATCH (:Event {id: 'flight-1'})-[i:INVOLVES]->(a:Actor) RETURN a.id AS id"
    )[0]
    assert [row["id"] for row in rows] == ["russia"]


def test_role_played_by_the_wrong_label(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = _file(tmp_path, "bad.yaml", BASE + _event(role="aircraft"))
    _rejects(seeded, settings, path, "'russia' is an Actor, but this needs Asset or EquipmentType")


def test_unknown_role_and_field(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    text = BASE + _event(role="pilot").replace("    name: A flight", "    nmae: A flight")
    path = _file(tmp_path, "bad.yaml", text)
    _rejects(
        seeded,
        settings,
        path,
        "'pilot' is not a known role",
        "events[0].nmae: is not a field",
        "did you mean 'name'?",
        "events[0].name: is required",
    )


@pytest.mark.parametrize(
    ("time", "reason"),
    [
        (
            "{start: 2025-10-27, end: 2025-10-24, precision: interval}",
            "the end (2025-10-24) is before the start (2025-10-27)",
        ),
        ("{start: 2025-02-30, precision: day}", "is not a time"),
        ("{start: 2025-10-24, end: 2025-10-27, precision: day}", "use precision interval"),
        ("{start: 2025-10, precision: day}", "is month-precise but the precision says day"),
        ("{start: '2025-10-26T10:00:00', precision: exact}", "has no time zone"),
        ("{precision: interval}", "an interval needs a start, an end, or both"),
        (
            "{start: 2025-10-26, precision: sometime}",
            "'sometime' is not one of: exact, day, month, year, interval",
        ),
    ],
)
def test_bad_times(
    seeded: Driver, settings: Settings, tmp_path: Path, time: str, reason: str
) -> None:
    path = _file(tmp_path, "bad.yaml", BASE + _event(time=time))
    _rejects(seeded, settings, path, "bad.yaml:", "events[0].time", reason)


@pytest.mark.parametrize(
    ("point", "field"),
    [
        ("{lat: 95.0, lon: 10.0, precision: site}", "lat"),
        ("{lat: 35.0, lon: -181, precision: site}", "lon"),
    ],
)
def test_coordinates_out_of_range(
    seeded: Driver, settings: Settings, tmp_path: Path, point: str, field: str
) -> None:
    text = f"locations:\n  - {{id: nowhere, name: Nowhere, kind: site, point: {point}}}\n"
    path = _file(tmp_path, "bad.yaml", text)
    _rejects(seeded, settings, path, "bad.yaml:2", f"locations[0].point.{field}")


@pytest.mark.parametrize(("reliability", "credibility"), [("G", "2"), ("B", "7"), ("b", "2")])
def test_wrong_grading(
    seeded: Driver, settings: Settings, tmp_path: Path, reliability: str, credibility: str
) -> None:
    path = _file(
        tmp_path, "bad.yaml", BASE + _event(reliability=reliability, credibility=credibility)
    )
    field = "reliability" if reliability != "B" else "credibility"
    _rejects(seeded, settings, path, f"events[0].claims[0].{field}")


def test_duplicate_id_with_different_content(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    first = _file(tmp_path, "one.yaml", "actors:\n  - {id: iran, name: Iran, kind: state}\n")
    second = _file(tmp_path, "two.yaml", "actors:\n  - {id: iran, name: Persia, kind: state}\n")
    before = graph_checksum(seeded)
    with pytest.raises(
        InvalidData, match=r"'iran' appears twice with different content \(first at .*one.yaml:2"
    ):
        _import(seeded, settings, first, second)
    assert graph_checksum(seeded) == before


def test_identical_duplicates_are_merged(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    first = _file(tmp_path, "one.yaml", "actors:\n  - {id: iran, name: Iran, kind: state}\n")
    second = _file(
        tmp_path, "two.json", '{"actors": [{"id": "iran", "name": "Iran", "kind": "state"}]}'
    )
    _import(seeded, settings, first, second)
    assert seeded.execute_query("MATCH (a:Actor {id: 'iran'}) RETURN count(a) AS n")[0][0]["n"] == 1


def test_an_id_may_not_name_two_kinds_of_entity(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, "bad.yaml", "actors:\n  - {id: syria, name: Syria, kind: state}\n")
    _rejects(seeded, settings, path, "'syria' is already a Location", "share one id space")


def test_unknown_collection(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = _file(tmp_path, "bad.yaml", "actor:\n  - {id: iran, name: Iran, kind: state}\n")
    _rejects(
        seeded,
        settings,
        path,
        "bad.yaml:1",
        "is not a collection we know",
        "did you mean 'actors'?",
    )


def test_one_bad_record_means_nothing_is_written(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = "actors:\n  - {id: iran, name: Iran, kind: state}\n  - {id: turkey, name: Turkey, kind: country}\n"
    path = _file(tmp_path, "bad.yaml", text)
    _rejects(seeded, settings, path, "bad.yaml:3", "actors[1].kind")
    assert seeded.execute_query("MATCH (a:Actor {id: 'iran'}) RETURN count(a) AS n")[0][0]["n"] == 0


# ---- malformed files ---------------------------------------------------------------------


def test_malformed_yaml(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = _file(tmp_path, "bad.yaml", "actors:\n  - {id: iran, name: [Iran\n")
    _rejects(seeded, settings, path, "bad.yaml:", "malformed YAML")


def test_malformed_json(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = _file(tmp_path, "bad.json", '{"actors": [{"id": "iran",}]}')
    _rejects(seeded, settings, path, "bad.json:1", "malformed JSON")


def test_json_duplicate_keys(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "bad.json",
        '{"actors": [{"id": "iran", "name": "Iran", "name": "Persia", "kind": "state"}]}',
    )
    _rejects(seeded, settings, path, "duplicate keys in one object: name")


def test_yaml_duplicate_keys(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "bad.yaml",
        "actors:\n  - id: iran\n    name: Iran\n    name: Persia\n    kind: state\n",
    )
    _rejects(seeded, settings, path, "bad.yaml:4", "appears twice in one mapping")


def test_yaml_merge_keys_are_refused_like_duplicate_keys(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    # A merge gives way to the mapping's own keys: a way round the duplicate-key refusal.
    path = _file(
        tmp_path,
        "merged.yaml",
        "actors:\n  - id: iran\n    name: Iran\n    kind: state\n    <<: {name: Persia}\n",
    )
    _rejects(seeded, settings, path, "merged.yaml:5", "actors[0].<<", "YAML merge key")


def test_a_refused_import_writes_nothing_not_even_the_schema_marker(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    before = graph_checksum(seeded)  # every node, bookkeeping included: EventGraphSchema too
    path = _file(tmp_path, "bad.yaml", BASE + _event(type="flihgt"))
    result = run_cli("import", str(path))
    assert result.returncode == Exit.INVALID_INPUT, result.stderr
    assert graph_checksum(seeded) == before


def test_malformed_csv_rows_and_headers(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    extra = _file(tmp_path, "actors.csv", "id,name,kind\niran,Iran,state,surplus\n")
    _rejects(seeded, settings, extra, "actors.csv:2", "more cells than columns")
    unknown = _file(tmp_path, "actors-2.csv", "id,name,kidn\niran,Iran,state\n")
    _rejects(seeded, settings, unknown, "actors-2.csv:1", "unknown column(s) kidn")
    unnamed = _file(tmp_path, "people.csv", "id,name\nx,y\n")
    _rejects(seeded, settings, unnamed, "does not say which table it holds")


def test_wrong_encoding(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("actors:\n  - {id: iran, name: Ir\u00e2n, kind: state}\n".encode("latin-1"))
    _rejects(seeded, settings, path, "latin1.yaml:2", "is not UTF-8", "save the file as UTF-8")


def test_yaml_bomb_is_refused_before_it_expands(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 12):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    path = _file(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    _rejects(seeded, settings, path, "bomb.yaml:2", "YAML aliases (*name) are not allowed")


def test_python_tags_are_never_executed(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    witness = tmp_path / "executed"
    text = f"actors:\n  - !!python/object/apply:os.system ['touch {witness}']\n"
    path = _file(tmp_path, "evil.yaml", text)
    _rejects(seeded, settings, path, "evil.yaml:2", "tags like !!python/object are not allowed")
    assert not witness.exists()


def test_huge_file_is_refused_unread(seeded: Driver, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as sparse:
        sparse.truncate(2 * 2**30)  # 2 GB, sparse: costs no disk
    before = graph_checksum(seeded)
    with pytest.raises(InvalidData, match=r"huge.json: file: is 2048 MB, above the 16 MB limit"):
        _import(seeded, settings, path)
    assert graph_checksum(seeded) == before


def test_cli_reports_problems_without_a_traceback(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path, "bad.yaml", BASE + _event(type="flihgt", ref="rusia"))
    result = run_cli("import", str(path))
    assert result.returncode == Exit.INVALID_INPUT
    assert "2 problem(s), nothing was written" in result.stderr  # the field and the reference
    assert "did you mean 'flight'?" in result.stderr
    assert "did you mean 'russia'?" in result.stderr
    assert "rejected: Event 1" in result.stderr
    assert "Traceback" not in result.stderr


# ---- hostile strings ------------------------------------------------------------------------

HOSTILE = [
    'O\'Brien "the quote"',
    "x'}) DETACH DELETE n //",
    "{name: $injected} MATCH (n) RETURN n",
    "// not a comment /* nor this */",
    "nul\x00byte",
    "\u202eright-to-left \U0001f600 emoji \ufeff",
    "long " + "\u0416" * 100_000,
]


def test_hostile_names_are_stored_byte_identical(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import json

    actors = [
        {"id": f"hostile-{i}", "name": name, "aliases": [name], "kind": "person"}
        for i, name in enumerate(HOSTILE)
    ]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"actors": actors}), encoding="utf-8")
    _import(clean_graph, settings, path)
    rows = clean_graph.execute_query(
        "MATCH (a:Actor) RETURN a.id AS id, a.name AS name, a.aliases AS aliases"
    )[0]
    stored = {row["id"]: (row["name"], row["aliases"]) for row in rows}
    assert len(stored) == len(HOSTILE)
    for i, name in enumerate(HOSTILE):
        assert stored[f"hostile-{i}"] == (name, [name])


# ---- every problem in one round, in eventgraph's words -------------------------------------


def test_field_problems_and_unknown_references_are_reported_together(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = """\
    actors:
      - {id: bad id, name: Somebody, kind: state}
      - {id: iran, name: Iran, kind: state, anonymous: maybe}
    sources:
      - {id: tass, name: TASS}
    locations:
      - {id: pole, name: Pole, kind: site, point: {lat: 95, lon: 0, precision: site}}
    assets:
      - {id: an-124, name: An-124, kind: aircraft, located_at: nowhere}
    events:
      - id: flight-2
        type: flihgt
        name: ''
        time: {start: [2025], precision: day}
        participants: [{role: operator, ref: rusia}]
        claims: []
      - id: flight-3
        type: flight
        name: Another flight
        time: {start: 2025-10-24, precision: day}
        claims: [{source: bloomberg, credibility: 2, paraphrase: A flight}]
    """
    path = _file(tmp_path, "bad.yaml", text)
    message = _rejects(
        seeded,
        settings,
        path,
        "10 problem(s)",
        # eight fields
        "actors[0].id: 'bad id' is not an id",
        "actors[1].anonymous: must be true or false, not 'maybe'",
        "sources[0].kind: is required",
        "locations[0].point.lat: must be at most 90, not 95",
        "events[0].type: 'flihgt' is not a known event type",
        "events[0].name: must not be empty",
        "events[0].time.start: must be a year, month, day or instant",
        "events[0].claims: needs at least one claim",
        # two references, one in a record whose fields are wrong too
        "assets[0].located_at: unknown location 'nowhere'",
        "events[0].participants[0].ref: unknown actor 'rusia'",
    )
    assert "did you mean 'russia'?" in message


BAD_RECORDS: list[tuple[str, dict[str, object]]] = [
    ("actors", {"name": "No id", "kind": "state"}),
    ("actors", {"id": 7, "name": ["a list"], "kind": "state", "aliases": "one"}),
    ("actors", {"id": "x" * 300, "name": "Long id", "kind": "stat"}),
    ("actors", {"id": "a", "name": "A", "kind": "state", "anonymous": "sometimes", "extra": 1}),
    ("locations", {"id": "l", "name": "L", "kind": "site", "point": "35,38"}),
    (
        "locations",
        {"id": "l2", "name": "L", "kind": "site", "point": {"lat": "north", "lon": -200}},
    ),
    (
        "locations",
        {
            "id": "l3",
            "name": "L",
            "kind": "site",
            "point": {"lat": 1, "lon": 1, "precision": "site", "uncertainty_km": -1},
        },
    ),
    ("sources", {"id": "s", "name": "S", "kind": "news_outlet", "reliability": "b"}),
    ("reports", {"id": "r", "name": "R", "kind": "article", "published": {"start": 2025}}),
    (
        "events",
        {
            "id": "e",
            "type": "flight",
            "name": "E",
            "time": "yesterday",
            "participants": ["russia", {"role": "operator"}],
            "at": "hmeimim",
            "claims": [
                {"source": "s", "credibility": 9, "paraphrase": "", "reported_on": "soon"},
                "a claim",
            ],
        },
    ),
    ("events", {"id": "e2", "type": "flight", "name": "E", "time": {"start": {"y": 1}}}),
    (
        "relations",
        {
            "id": "rel",
            "type": "allied_with",
            "from": "a",
            "to": "b",
            "since": [2025],
            "claims": [{"source": "s", "credibility": "2", "paraphrase": "p", "reliability": "b"}],
        },
    ),
]


def test_no_message_is_in_the_validation_library_s_words(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    import json

    document: dict[str, list[dict[str, object]]] = {}
    for collection, record in BAD_RECORDS:
        document.setdefault(collection, []).append(record)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InvalidData) as caught:
        _import(seeded, settings, path)
    problems = caught.value.problems
    named = {problem.field.split(".")[0].split("[")[0] for problem in problems}
    assert named >= {"actors", "locations", "sources", "reports", "events", "relations"}
    for problem in problems:
        text = str(problem)
        assert not any(phrase in text for phrase in PYDANTIC_PHRASES), text
        assert text.startswith(f"{path}: {problem.field}: "), text
    fields = [problem.field for problem in problems]
    assert len(fields) == len(set(fields)), f"a field is reported twice: {fields}"
    assert "events[0].claims: needs at least one claim" not in str(caught.value)


def test_unreadable_file_is_a_problem_not_a_crash(
    seeded: Driver, settings: Settings, tmp_path: Path
) -> None:
    # a file that exists but cannot be read, whoever runs the tests (root reads any mode 000
    # file): Linux answers reading /proc/self/mem from its start with an I/O error
    path = tmp_path / "unreadable.yaml"
    path.symlink_to("/proc/self/mem")
    _rejects(seeded, settings, path, "unreadable.yaml: file: cannot be read: input/output error")
