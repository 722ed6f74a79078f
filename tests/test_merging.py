"""Merging two nodes into one and undoing it, against the real Neo4j: what moves, the old id
that keeps working (GraphQL, imports), the exact round trip over the seed story and a feed,
what an unmerge does with what came since, and bad input refused with the graph unchanged."""

import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver

from eventgraph.graph.errors import Conflict, EventGraphError, InvalidData, NotFound
from eventgraph.graph.exporting import dump_document, export_document
from eventgraph.graph.importer import ImportSummary, import_paths
from eventgraph.graph.ontology import FOLDED_LABEL, MERGE_LABEL, MOVED_BY
from eventgraph.graph.resolution.merging import Fate, merge, merges, unmerge
from eventgraph.graph.retraction import retract_event
from eventgraph.graph.settings import Settings
from tests.feed_imports import import_feed
from tests.graph_store import SEEDS, wipe

ACLED = Path(__file__).parent / "feeds" / "acled-syria-2025-10.csv"
ACLED_RUSSIA = "acled:actor/military-forces-of-russia-2000"
WHO = {"by": "analyst@test", "reason": "one thing"}

_NODES = (
    f"MATCH (n) WHERE NOT n:{MERGE_LABEL} AND NOT n:EventGraphTestDatabase "
    "AND NOT n:EventGraphSchema AND NOT n:ApiToken "
    "RETURN labels(n) AS labels, properties(n) AS props"
)
_EDGES = (
    "MATCH (a)-[r]->(b) WHERE NOT a:Merge "
    "RETURN coalesce(a.id, a.key) AS a, type(r) AS type, properties(r) AS props, "
    "coalesce(b.id, b.key) AS b"
)


def snapshot(driver: Driver) -> list[str]:
    """Every node (labels, properties) and relationship (ends, type, properties) but the
    merges' own records, as sorted text: equal when the graph is."""

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return sorted((key, canonical(item)) for key, item in value.items())
        if isinstance(value, list):
            return [canonical(item) for item in value]
        return value

    rows = [*driver.execute_query(_NODES)[0], *driver.execute_query(_EDGES)[0]]
    return sorted(repr(canonical(row.data())) for row in rows)


def one(driver: Driver, query: str, **params: Any) -> Any:
    records = driver.execute_query(query, params)[0]
    return records[0][0] if records else None


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"eventgraph": 1, **document}, sort_keys=False))
    return path


def seed_record(collection: str, record_id: str) -> dict[str, Any]:
    """A record of the seed story, as the file gives it."""
    document = yaml.safe_load(next(SEEDS.glob("*.yaml")).read_text())
    return next(r for r in document[collection] if r["id"] == record_id)


def imported(driver: Driver, database: str, paths: list[Path]) -> ImportSummary:
    return import_paths(driver, database, paths, max_bytes=2**24)


@pytest.fixture
def story(fresh_story: Driver, settings: Settings) -> Driver:
    return fresh_story


def test_merging_two_actors_moves_everything_and_unmerging_restores_the_graph_exactly(
    story: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    import_feed(story, settings, ACLED)
    before = snapshot(story)
    participations = one(story, "MATCH (:Actor {id: $id})<-[r:INVOLVES]-() RETURN count(r)",
                         id=ACLED_RUSSIA)  # fmt: skip
    assert participations > 0

    record = merge(story, database, "Actor", "russian-armed-forces", ACLED_RUSSIA, **WHO)

    assert record.count(Fate.MOVED) >= participations
    assert one(story, "MATCH (n:Actor {id: $id}) RETURN count(n)", id=ACLED_RUSSIA) == 0
    moved = one(story, "MATCH (:Actor {id: 'russian-armed-forces'})<-[r:INVOLVES]-(e:Event "
                "{feed: 'acled'}) RETURN count(r)")  # fmt: skip
    assert moved == participations
    alias = one(story, "MATCH (:ExternalId {key: $key})-[:IDENTIFIES]->(n) RETURN n.id",
                key=f"id:{ACLED_RUSSIA}")  # fmt: skip
    assert alias == "russian-armed-forces"
    assert one(story, f"MATCH (:{MERGE_LABEL})-[:FOLDED]->(b:{FOLDED_LABEL}) RETURN b.id") == (
        ACLED_RUSSIA
    )
    # The feed again: its record of the actor folded attaches to the actor kept.
    again = import_feed(story, settings, ACLED)
    assert again.attached == 1 and again.outcome.changed == 0
    assert one(story, "MATCH (n:Actor {id: $id}) RETURN count(n)", id=ACLED_RUSSIA) == 0
    listed = merges(story, database, node="russian-armed-forces")
    assert [(m.id, m.by, m.reason) for m in listed] == [(record.id, "analyst@test", "one thing")]

    undone = unmerge(story, database, record.id, by="analyst@test", reason="two things")

    assert snapshot(story) == before
    assert undone.restored == len(record.edges)
    assert undone.merge.undone_by == "analyst@test"
    again = import_feed(story, settings, ACLED)
    assert again.outcome.changed == 0


@pytest.mark.parametrize(
    ("label", "keep", "fold", "dropped"),
    [
        ("Location", "latakia-province", "hmeimim", {Fate.BETWEEN: 1}),  # hmeimim WITHIN it
        ("Asset", "hmeimim-air-base", "latakia-airport", {Fate.DUPLICATE: 1}),  # one place
        ("EquipmentType", "il-62m", "an-124-100", {Fate.DUPLICATE: 1}),  # one event's aircraft
    ],
)
def test_places_assets_and_types_round_trip_with_what_joins_or_repeats_them(
    story: Driver, settings: Settings, label: str, keep: str, fold: str, dropped: dict[Fate, int]
) -> None:
    """A place inside the one kept, an airfield sharing the kept one's runway, a second aircraft
    type with its own ICAO designator: links between the two are dropped (no loop), the kept
    node takes the rest and the folded one's ids, and the unmerge gives every one back."""
    database = settings.neo4j_database
    before = snapshot(story)
    ids = one(story, f"MATCH (:{label} {{id: $id}})<-[:IDENTIFIES]-(x) RETURN collect(x.key)",
              id=fold)  # fmt: skip

    record = merge(story, database, label, keep, fold, **WHO)

    loops = one(story, f"MATCH (a:{label} {{id: $id}})-[r]->(a) RETURN count(r)", id=keep)
    assert loops == 0
    kept_ids = one(story, f"MATCH (:{label} {{id: $id}})<-[:IDENTIFIES]-(x) RETURN collect(x.key)",
                   id=keep)  # fmt: skip
    assert set(ids) | {f"id:{fold}"} <= set(kept_ids)
    assert record.count(Fate.MOVED) > 0
    assert {fate: record.count(fate) for fate in dropped} == dropped
    unmerge(story, database, record.id, **WHO)
    assert snapshot(story) == before
    assert imported(story, database, [SEEDS]).outcome.changed == 0


def test_two_events_merge_claims_and_participants_move_and_the_old_id_keeps_working(
    story: Driver, settings: Settings, tmp_path: Path
) -> None:
    database = settings.neo4j_database
    keep, fold = "hmeimim-2025-attack", "hmeimim-2025-attack-repelled"
    before = snapshot(story)
    claims = one(story, "MATCH (:Event {id: $id})<-[:SUPPORTS]-(c) RETURN count(c)", id=fold)

    record = merge(story, database, "Event", keep, fold, **WHO)

    supports = one(
        story,
        "MATCH (:Event {id: $keep})<-[s:SUPPORTS]-(c) WHERE s.moved_by = $merge RETURN count(c)",
        keep=keep,
        merge=record.id,
    )
    assert supports == claims > 0
    # Re-importing the folded event's own record attaches it to the event kept.
    again = imported(
        story, database, [write(tmp_path, "again.yaml", {"events": [seed_record("events", fold)]})]
    )
    assert again.attached == 1
    assert one(story, "MATCH (e:Event {id: $id}) RETURN count(e)", id=fold) == 0
    unmerge(story, database, record.id, **WHO)
    assert snapshot(story) == before

    # The kept event's record, changed since a merge, replaces its own claims and keeps those
    # the merge gave it, which go back with the unmerge.
    record = merge(story, database, "Event", keep, fold, **WHO)
    changed = seed_record("events", keep) | {"description": "changed since the merge"}
    imported(story, database, [write(tmp_path, "keep.yaml", {"events": [changed]})])
    assert one(story, "MATCH (:Event {id: $keep})<-[s:SUPPORTS]-() WHERE s.moved_by = $merge "
               "RETURN count(s)", keep=keep, merge=record.id) == claims  # fmt: skip
    unmerge(story, database, record.id, **WHO)
    assert one(story, "MATCH (:Event {id: $id})<-[:SUPPORTS]-(c) RETURN count(c)", id=fold) == (
        claims
    )
    assert imported(story, database, [SEEDS]).outcome.changed == 1


def test_an_event_merged_keeps_its_old_id_through_export_and_import(
    story: Driver, settings: Settings, tmp_path: Path
) -> None:
    database = settings.neo4j_database
    keep, fold = "hmeimim-2025-attack", "hmeimim-2025-attack-repelled"
    merge(story, database, "Event", keep, fold, **WHO)
    exported = dump_document(export_document(story, database), "yaml")
    kept = next(r for r in yaml.safe_load(exported)["events"] if r["id"] == keep)
    assert kept["external_ids"] == [{"scheme": "id", "value": fold}]
    assert fold not in {r["id"] for r in yaml.safe_load(exported)["events"]}

    wipe(story, database)
    summary = imported(story, database, [write_text(tmp_path, "exported.yaml", exported)])
    assert summary.outcome.created["Event"] > 0
    holder = one(
        story,
        "MATCH (:ExternalId {scheme: 'id', value: $fold})-[:IDENTIFIES]->(e:Event) RETURN e.id",
        fold=fold,
    )
    assert holder == keep  # the old id still names the event kept
    assert dump_document(export_document(story, database), "yaml") == exported
    # and a record of the folded event attaches to it, as before the round trip
    again = imported(
        story, database, [write(tmp_path, "again.yaml", {"events": [seed_record("events", fold)]})]
    )
    assert again.attached == 1


def write_text(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_unmerge_leaves_what_came_since_with_the_node_kept_and_a_reimport_puts_it_right(
    story: Driver, settings: Settings, tmp_path: Path
) -> None:
    """An event imported since the merge naming the folded actor's old id joins the actor
    kept; the unmerge leaves it there and marks it to be written again, and importing it
    again links it to the actor it names."""
    database = settings.neo4j_database
    record = merge(story, database, "Actor", "syria-state", "syrian-government", **WHO)
    later = {
        "id": "later-statement",
        "name": "A later statement",
        "type": "statement",
        "time": {"start": "2025-11-02", "precision": "day"},
        "participants": [
            {"role": "speaker", "ref": "syrian-government"},
            {"role": "subject", "ref": "syria-state"},
        ],
        "claims": [{"source": "bloomberg", "credibility": 3, "paraphrase": "Said so."}],
    }
    path = write(tmp_path, "later.yaml", {"events": [later]})
    imported(story, database, [path])
    roles = "MATCH (:Event {id: 'later-statement'})-[r:INVOLVES]->(a) RETURN a.id, r.role"
    assert sorted(tuple(r) for r in story.execute_query(roles)[0]) == [
        ("syria-state", "speaker"),
        ("syria-state", "subject"),
    ]

    undone = unmerge(story, database, record.id, **WHO)

    assert "later-statement" in undone.rewritten
    summary = imported(story, database, [path])
    assert summary.outcome.changed == 1
    assert sorted(tuple(r) for r in story.execute_query(roles)[0]) == [
        ("syria-state", "subject"),
        ("syrian-government", "speaker"),
    ]


def test_the_old_id_reads_as_the_node_kept_in_graphql(story: Driver, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from eventgraph.api.app import create_app
    from tests.helpers import agreed_data

    merge(story, settings.neo4j_database, "Event", "hmeimim-2025-attack",
          "hmeimim-2025-attack-repelled", **WHO)  # fmt: skip
    merge(story, settings.neo4j_database, "Actor", "syria-state", "syrian-government", **WHO)
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with TestClient(app) as client:
        data = agreed_data(
            client,
            '{ e: node(id: "Event:hmeimim-2025-attack-repelled") '
            "    { ... on Event { key externalIds { scheme value } } } "
            '  a: node(id: "Actor:syrian-government") { ... on Actor { key } } '
            '  x: byExternalId(scheme: "id", value: "syrian-government") { ... on Actor { key } } '
            '  y: byExternalId(scheme: "id", value: "hmeimim-2025-attack-repelled") '
            "    { ... on Event { key } } }",
        )
    assert data == {
        "e": {
            "key": "hmeimim-2025-attack",
            "externalIds": [{"scheme": "id", "value": "hmeimim-2025-attack-repelled"}],
        },
        "a": {"key": "syria-state"},
        "x": {"key": "syria-state"},
        "y": {"key": "hmeimim-2025-attack"},
    }


# ---- bad input -------------------------------------------------------------------------------


def refused(driver: Driver, error: type[EventGraphError], work: Any, *args: Any,
            **kwargs: Any) -> str:  # fmt: skip
    """The message of `work` refused with `error`, checked to have changed nothing."""
    before = snapshot(driver)
    merges_before = one(driver, f"MATCH (m:{MERGE_LABEL}) RETURN collect(properties(m))")
    with pytest.raises(error) as caught:
        work(driver, *args, **kwargs)
    assert snapshot(driver) == before
    assert one(driver, f"MATCH (m:{MERGE_LABEL}) RETURN collect(properties(m))") == merges_before
    return str(caught.value)


def test_bad_merges_are_refused_and_change_nothing(story: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    assert "does not merge with itself" in refused(
        story, InvalidData, merge, db, "Actor", "russia", "russia", **WHO
    )
    assert "'hmeimim-air-base' is an Asset, not an Actor" in refused(
        story, InvalidData, merge, db, "Actor", "russia", "hmeimim-air-base", **WHO
    )
    assert "no Actor with key 'nobody'" in refused(
        story, NotFound, merge, db, "Actor", "russia", "nobody", **WHO
    )
    assert "reason: is required" in refused(
        story, InvalidData, merge, db, "Actor", "russia", "turkey", by="a", reason=" "
    )
    assert "'Source' is not a label whose nodes merge" in refused(
        story, InvalidData, merge, db, "Source", "bloomberg", "flightradar24", **WHO
    )
    retract_event(story, db, "hmeimim-2025-signal", "not an event", "editor")
    assert "is retracted" in refused(
        story, Conflict, merge, db, "Event", "hmeimim-2025-attack", "hmeimim-2025-signal", **WHO
    )
    record = merge(story, db, "Actor", "russia", "russian-armed-forces", **WHO)
    assert f"was folded into 'russia' by merge {record.id}" in refused(
        story, Conflict, merge, db, "Actor", "turkey", "russian-armed-forces", **WHO
    )
    assert "was folded into 'russia'" in refused(
        story, Conflict, merge, db, "Actor", "russian-armed-forces", "turkey", **WHO
    )
    assert "no merge 'merge-never'" in refused(story, NotFound, unmerge, db, "merge-never", **WHO)
    unmerge(story, db, record.id, **WHO)
    assert "was undone already" in refused(story, Conflict, unmerge, db, record.id, **WHO)


def test_an_unmerge_waits_for_a_later_merge_of_the_node_kept(
    story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    before = snapshot(story)
    first = merge(story, db, "Actor", "russian-air-force", "russian-armed-forces", **WHO)
    second = merge(story, db, "Actor", "russia", "russian-air-force", **WHO)
    assert "unmerge that first" in refused(story, Conflict, unmerge, db, first.id, **WHO)
    unmerge(story, db, second.id, **WHO)
    unmerge(story, db, first.id, **WHO)
    assert snapshot(story) == before


def test_concurrent_merges_of_one_node_one_wins_the_other_fails_cleanly(
    story: Driver, settings: Settings
) -> None:
    """Two threads fold one actor into two others at once: one merge stands, the other is
    refused saying which merge took it, and the graph is as the winner alone makes it."""
    db = settings.neo4j_database
    start = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def fold_into(keep: str) -> None:
        start.wait()
        try:
            outcomes[keep] = merge(story, db, "Actor", keep, "russian-armed-forces", **WHO)
        except EventGraphError as error:
            outcomes[keep] = error

    threads = [threading.Thread(target=fold_into, args=(keep,)) for keep in ("russia", "turkey")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    won = [k for k, v in outcomes.items() if not isinstance(v, Exception)]
    lost = [v for v in outcomes.values() if isinstance(v, Exception)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], Conflict) and f"folded into '{won[0]}'" in str(lost[0])
    assert len(merges(story, db)) == 1
    assert one(story, f"MATCH (b:{FOLDED_LABEL}) RETURN collect(b.id)") == ["russian-armed-forces"]
    moved = one(story, f"MATCH ()-[r]-() WHERE r.{MOVED_BY} IS NOT NULL RETURN count(r)")
    record = outcomes[won[0]]
    assert moved == 2 * sum(1 for e in record.edges if e.owned and e.fate is Fate.MOVED)


MERGE_NODES = """mutation($keep: ID!, $fold: ID!, $reason: String!) {
  mergeNodes(keep: $keep, fold: $fold, reason: $reason) {
    id label kept folded by reason moved dropped relationships { type outgoing other role fate }
  } }"""
UNMERGE_NODES = """mutation($merge: String!, $reason: String!) {
  unmergeNodes(merge: $merge, reason: $reason) { restored gone rewritten merge { undoneBy } } }"""
MERGES = """{ merges(node: "Actor:syria-state") { id by reason undoneBy folded } }"""


def test_graphql_merges_and_unmerges_as_the_editor_and_lists_who_when_why(
    story: Driver, settings: Settings
) -> None:
    from fastapi.testclient import TestClient

    from eventgraph.api.app import create_app
    from eventgraph.graph.tokens import Role, create_token
    from tests.helpers import ask

    db = settings.neo4j_database
    editor = create_token(story, db, Role.EDITOR, "merging-editor")
    reader = create_token(story, db, Role.READER, "merging-reader")
    before = snapshot(story)

    def post(query: str, token: str, **variables: Any) -> dict[str, Any]:
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    fold = {"keep": "Actor:syria-state", "fold": "Actor:syrian-government", "reason": "one"}
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with TestClient(app) as client:
        denied = post(MERGE_NODES, reader, **fold)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert snapshot(story) == before
        other = post(MERGE_NODES, editor, **(fold | {"fold": "Asset:hmeimim-air-base"}))
        assert other["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "is an Asset, not an Actor" in other["errors"][0]["message"]

        done = post(MERGE_NODES, editor, **fold)["data"]["mergeNodes"]
        assert done["by"] == "merging-editor" and done["folded"] == "Actor:syrian-government"
        assert done["moved"] > 0
        involved = [r for r in done["relationships"] if r["type"] == "INVOLVES"]
        assert involved and all(r["other"].startswith("Event:") for r in involved)
        assert all(r["role"] and not r["outgoing"] for r in involved)
        assert {r["fate"] for r in involved} <= {"moved", "duplicate"}
        listed = [ask(client, MERGES, fast=fast).json()["data"]["merges"] for fast in (True, False)]
        assert listed[0] == listed[1] == [
            {"id": done["id"], "by": "merging-editor", "reason": "one", "undoneBy": None,
             "folded": "Actor:syrian-government"}
        ]  # fmt: skip
        again = post(MERGE_NODES, editor, **fold)
        assert again["errors"][0]["extensions"]["code"] == "CONFLICT"

        undone = post(UNMERGE_NODES, editor, merge=done["id"], reason="two")["data"]
        assert undone["unmergeNodes"]["merge"]["undoneBy"] == "merging-editor"
        assert undone["unmergeNodes"]["restored"] == done["moved"] + done["dropped"]
        never = post(UNMERGE_NODES, editor, merge="merge-never", reason="two")
        assert never["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert snapshot(story) == before


def test_the_commands_merge_list_and_unmerge(story: Driver) -> None:
    import json

    from eventgraph.api.errors import Exit
    from tests.helpers import run_cli

    before = snapshot(story)
    done = run_cli("merge", "syria-state", "syrian-government", "--reason", "one", "--by", "me")
    assert done.returncode == 0, done.stderr
    assert "Actor 'syrian-government' into 'syria-state' by me" in done.stdout
    listed = json.loads(run_cli("merges", "--json").stdout)
    assert [(m["kept"], m["folded"], m["by"], m["reason"]) for m in listed] == [
        ("syria-state", "syrian-government", "me", "one")
    ]
    itself = run_cli("merge", "russia", "russia", "--reason", "one")
    assert itself.returncode == Exit.INVALID_INPUT and "does not merge with itself" in itself.stderr
    undone = run_cli("unmerge", listed[0]["id"], "--reason", "two", "--by", "me")
    assert undone.returncode == 0, undone.stderr
    assert "undone by me" in undone.stdout
    again = run_cli("unmerge", listed[0]["id"], "--reason", "two")
    assert again.returncode == Exit.CONFLICT and "was undone already" in again.stderr
    assert snapshot(story) == before
