"""Corroboration by independent origins (docs/reliability.md): a claim that rests on another
source's data, or sits in a report that repeats another outlet's, counts as that origin; the seed
story's airlift as docs/reliability.md explains it; the `minIndependentOrigins` filter; bad
references in `based_on` and `repeats`. Every GraphQL query runs both ways and must agree."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.importer import import_paths
from eventgraph.graph.power import run_read_query
from eventgraph.graph.projection import MAX_NESTED_LIST
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.helpers import agreed_data, agreed_refusal, ask, graph_checksum

CORROBORATION = """corroboration {
  independentOrigins anonymousOnly claimCount
  origins { source { key anonymous } claimCount }
  bestGrading { reliability credibility code }
  worstGrading { reliability credibility code }
}"""

SYNDICATED = """
eventgraph: 1
actors:
  - {id: c-army, name: An army, kind: armed_force}
  - {id: c-rebels, name: Some rebels, kind: armed_group}
sources:
  - {id: c-wire, name: A wire agency, kind: news_outlet, reliability: A}
  - {id: c-paper, name: A paper, kind: news_outlet, reliability: C}
  - {id: c-blog, name: A blog, kind: social_media, reliability: D}
  - {id: c-tracker, name: A tracker, kind: data_service, reliability: B}
  - {id: c-official, name: An unnamed official, kind: official, anonymous: true, reliability: F}
  - {id: c-witness, name: An unnamed witness, kind: person, anonymous: true, reliability: F}
reports:
  - {id: c-wire-story, name: The wire story, kind: article, publisher: c-wire}
  - {id: c-paper-copy, name: The paper's copy, kind: article, publisher: c-paper, repeats: c-wire-story}
  - {id: c-blog-copy, name: The blog's copy of the copy, kind: post, publisher: c-blog, repeats: c-paper-copy}
  - {id: c-paper-own, name: The paper's own piece, kind: article, publisher: c-paper}
events:
  - id: c-syndicated
    name: Told once, printed three times
    type: attack
    time: {start: 2025-05-01, precision: day}
    participants: [{role: perpetrator, ref: c-rebels}]
    claims:
      - {source: c-wire, report: c-wire-story, credibility: "3", paraphrase: The wire says so.}
      - {source: c-paper, report: c-paper-copy, credibility: "2", paraphrase: The paper repeats it.}
      - {source: c-blog, report: c-blog-copy, credibility: "4", paraphrase: The blog repeats that.}
  - id: c-three-ways
    name: Known three ways
    type: deployment
    time: {start: 2025-05, precision: month}
    participants: [{role: participant, ref: c-army}]
    claims:
      - {source: c-paper, report: c-paper-own, based_on: [c-tracker], credibility: "2",
         paraphrase: The paper reads the tracks.}
      - {source: c-tracker, credibility: "2", paraphrase: The tracks.}
      - {source: c-official, report: c-paper-copy, credibility: "3", paraphrase: Quoted in the copy.}
      - {source: c-witness, report: c-paper-own, credibility: "5", paraphrase: A witness saw it.}
  - id: c-hearsay
    name: Only hearsay
    type: attack
    time: {start: 2025-05-02, precision: day}
    participants: [{role: perpetrator, ref: c-rebels}]
    claims:
      - {source: c-paper, report: c-paper-own, based_on: [c-official, c-witness], credibility: "4",
         paraphrase: The paper heard it from two unnamed people.}
relations:
  - id: c-opposes
    type: opposes
    from: c-army
    to: c-rebels
    claims:
      - {source: c-wire, report: c-wire-story, credibility: "2", paraphrase: They fight.}
      - {source: c-paper, report: c-paper-copy, credibility: "2", paraphrase: They fight (copy).}
  - id: c-fights-back
    type: opposes
    from: c-rebels
    to: c-army
    claims:
      - {source: c-wire, credibility: "2", paraphrase: And back.}
      - {source: c-witness, credibility: "3", paraphrase: Seen.}
"""


@pytest.fixture(scope="module")
def client(
    story_to_extend: Driver, settings: Settings, tmp_path_factory: Any
) -> Iterator[TestClient]:
    """The seed story and the syndication facts above, anonymous read on."""
    path: Path = tmp_path_factory.mktemp("corroboration") / "syndicated.yaml"
    path.write_text(SYNDICATED)
    import_paths(story_to_extend, settings.neo4j_database, [path], max_bytes=2**20)
    with TestClient(create_app(settings.model_copy(update={"anonymous_read": True}))) as client:
        yield client


def _of(client: TestClient, global_id: str) -> dict[str, Any]:
    data = agreed_data(client, f'{{ node(id: "{global_id}") {{ ... on Event {{ {CORROBORATION} }} '
                               f'... on Relation {{ {CORROBORATION} }} }} }}')  # fmt: skip
    corroboration: dict[str, Any] = data["node"]["corroboration"]
    return corroboration


def _origins(corroboration: dict[str, Any]) -> list[tuple[str, int]]:
    return [(o["source"]["key"], o["claimCount"]) for o in corroboration["origins"]]


def _grading(corroboration: dict[str, Any], which: str) -> str:
    grading = corroboration[which]
    assert grading["code"] == f"{grading['reliability']}{grading['credibility']}"
    return str(grading["code"])


# ---- the seed story ---------------------------------------------------------------------------


def test_the_airlift_rests_on_three_origins_bloombergs_reading_of_the_tracks_is_not_one(
    client: TestClient,
) -> None:
    airlift = _of(client, "Event:hmeimim-2025-airlift")
    # Four claims: Flightradar24's tracks, Bloomberg's summary BASED_ON those tracks, the
    # Kremlin-close source's confirmation and the military official's account of the flights.
    assert airlift["claimCount"] == 4
    assert _origins(airlift) == [
        ("flightradar24", 2),
        ("src-kremlin-close-source", 1),
        ("src-russian-military-official", 1),
    ]
    assert airlift["independentOrigins"] == 3
    assert airlift["anonymousOnly"] is False  # Flightradar24 is named
    assert (_grading(airlift, "bestGrading"), _grading(airlift, "worstGrading")) == ("B2", "F3")


def test_the_kremlin_sources_statement_rests_on_that_anonymous_source_alone(
    client: TestClient,
) -> None:
    confirms = _of(client, "Event:hmeimim-2025-stmt-kremlin-source-confirms")
    assert _origins(confirms) == [("src-kremlin-close-source", 1)]
    assert confirms["independentOrigins"] == 1 and confirms["anonymousOnly"] is True


# ---- syndication and data another source gave -------------------------------------------------


def test_a_story_repeated_along_a_chain_of_copies_is_one_origin(client: TestClient) -> None:
    syndicated = _of(client, "Event:c-syndicated")
    # The paper's copy repeats the wire story and the blog repeats the paper's copy: all three
    # claims are the wire's, however each outlet graded or worded it.
    assert _origins(syndicated) == [("c-wire", 3)]
    assert syndicated["independentOrigins"] == 1 and syndicated["claimCount"] == 3
    assert (_grading(syndicated, "bestGrading"), _grading(syndicated, "worstGrading")) == (
        "A3",
        "D4",
    )


def test_a_reading_of_anothers_data_is_that_origin_and_a_quoted_source_stays_its_own(
    client: TestClient,
) -> None:
    three = _of(client, "Event:c-three-ways")
    # The official is quoted in a repeating report, but speaks for themself: their own origin.
    assert _origins(three) == [("c-tracker", 2), ("c-official", 1), ("c-witness", 1)]
    assert three["independentOrigins"] == 3 and three["anonymousOnly"] is False
    assert (_grading(three, "bestGrading"), _grading(three, "worstGrading")) == ("B2", "F5")


def test_a_named_outlet_passing_on_unnamed_people_rests_only_on_anonymous_sources(
    client: TestClient,
) -> None:
    hearsay = _of(client, "Event:c-hearsay")
    assert _origins(hearsay) == [("c-official", 1), ("c-witness", 1)]
    assert hearsay["independentOrigins"] == 2 and hearsay["anonymousOnly"] is True


def test_relations_are_corroborated_by_the_same_rules(client: TestClient) -> None:
    assert _origins(_of(client, "Relation:c-opposes")) == [("c-wire", 2)]
    assert _of(client, "Relation:c-fights-back")["independentOrigins"] == 2


def test_claims_show_what_they_rest_on_and_reports_what_they_repeat(client: TestClient) -> None:
    data = agreed_data(
        client,
        '{ e: node(id: "Event:c-three-ways") { ... on Event { claims { key basedOn { key } } } } '
        'r: node(id: "Report:c-blog-copy") { ... on Report { repeats { key repeats { key } } } } }',
    )
    assert [claim["basedOn"] for claim in data["e"]["claims"]] == [
        [{"key": "c-tracker"}],
        [],
        [],
        [],
    ]
    assert data["r"]["repeats"] == {"key": "c-paper-copy", "repeats": {"key": "c-wire-story"}}


# ---- the filter -------------------------------------------------------------------------------


def _event_keys(client: TestClient, condition: str) -> set[str]:
    query = f"{{ events(filter: {{{condition}}}, first: 500) {{ nodes {{ key corroboration {{ independentOrigins }} }} }} }}"
    nodes = agreed_data(client, query)["events"]["nodes"]
    return {node["key"] for node in nodes}


def test_min_independent_origins_keeps_the_events_with_that_many(client: TestClient) -> None:
    three = _event_keys(client, "minIndependentOrigins: 3")
    assert {"hmeimim-2025-airlift", "c-three-ways"} <= three
    assert not three & {"c-syndicated", "c-hearsay", "hmeimim-2025-stmt-kremlin-source-confirms"}
    two = _event_keys(client, "minIndependentOrigins: 2")
    assert three | {"c-hearsay"} <= two and "c-syndicated" not in two
    assert _event_keys(client, "minIndependentOrigins: 0") == _event_keys(client, "")
    # With another condition: both must hold.
    # With another condition both must hold: the seed's attack rests on Bloomberg and the
    # anonymous soldier, two origins; the syndicated attack on the wire alone.
    assert _event_keys(client, "minIndependentOrigins: 2, types: [attack]") == {
        "c-hearsay",
        "hmeimim-2025-attack",
    }


def test_the_cypher_cookbooks_origins_are_graphqls_on_the_same_graph(
    client: TestClient, story_to_extend: Driver, settings: Settings
) -> None:
    """docs/cypher.md writes the rules out in plain Cypher; over the seed story and the
    syndication above, it must find what the compiled statements find."""
    doc = (PROJECT_ROOT / "docs" / "cypher.md").read_text(encoding="utf-8")
    entry = doc.split("<!-- cookbook: well-corroborated-events -->\n```cypher\n")[1]
    rows = run_read_query(story_to_extend, settings, entry.split("\n```")[0]).rows
    by_cypher = {row[0]: row[2] for row in rows}
    query = (
        "{ events(filter: {minIndependentOrigins: 2}, first: 500) "
        "{ nodes { key corroboration { independentOrigins } } } }"
    )
    nodes = agreed_data(client, query)["events"]["nodes"]
    assert {n["key"]: n["corroboration"]["independentOrigins"] for n in nodes} == by_cypher
    assert {"c-three-ways", "c-hearsay"} <= set(by_cypher) and "c-syndicated" not in by_cypher


def test_min_independent_origins_on_relations(client: TestClient) -> None:
    data = agreed_data(
        client,
        '{ relations(filter: {minIndependentOrigins: 2, involving: "Actor:c-army"}) '
        "{ nodes { key } } }",
    )
    assert [node["key"] for node in data["relations"]["nodes"]] == ["c-fights-back"]


def test_a_negative_minimum_is_refused_by_name(client: TestClient) -> None:
    message = agreed_refusal(
        client, "{ events(filter: {minIndependentOrigins: -1}) { totalCount } }"
    )
    assert "minIndependentOrigins" in message and "0 or more" in message


def test_more_origins_than_a_nested_list_holds_are_refused_not_cut_short(
    client: TestClient, story_to_extend: Driver, settings: Settings, tmp_path: Path
) -> None:
    many = MAX_NESTED_LIST + 1
    sources = "".join(
        f"  - {{id: m-{n}, name: Witness {n}, kind: person, reliability: C}}\n" for n in range(many)
    )
    claims = "".join(
        f"      - {{source: m-{n}, credibility: '3', paraphrase: Seen.}}\n" for n in range(many)
    )
    path = tmp_path / "crowd.yaml"
    path.write_text(
        f"eventgraph: 1\nsources:\n{sources}events:\n  - id: m-crowd\n    name: Seen by many\n"
        f"    type: attack\n    time: {{start: 2025-06-01, precision: day}}\n    claims:\n{claims}"
    )
    import_paths(story_to_extend, settings.neo4j_database, [path], max_bytes=2**22)
    node = '{ node(id: "Event:m-crowd") { ... on Event { corroboration { %s } } } }'
    data = agreed_data(client, node % "independentOrigins claimCount")
    assert data["node"]["corroboration"] == {"independentOrigins": many, "claimCount": many}
    for fast in (True, False):
        body = ask(client, node % "origins { claimCount }", fast).json()
        assert body.get("data") is None, str(body)[:300]
        [error] = body["errors"]
        assert error["extensions"]["code"] == "ANSWER_TOO_LARGE"
        assert f"`origins` holds more than {MAX_NESTED_LIST} items" in error["message"]


# ---- bad input --------------------------------------------------------------------------------

BAD = """
eventgraph: 1
sources:
  - {{id: b-paper, name: A paper, kind: news_outlet, reliability: C}}
reports:
  - {{id: b-report, name: A report, kind: article, publisher: b-paper, repeats: {repeats}}}
events:
  - id: b-event
    name: An event
    type: attack
    time: {{start: 2025-05-01, precision: day}}
    claims:
      - {{source: b-paper, report: b-report, based_on: [{based_on}], credibility: "2", paraphrase: So.}}
"""


@pytest.mark.parametrize(
    ("repeats", "based_on", "expected"),
    [
        ("b-report-0", "b-paper", ("reports[0].repeats", "unknown report 'b-report-0'")),
        ("null", "b-tracker", ("events[0].claims[0].based_on[0]", "unknown source 'b-tracker'")),
        ("b-report", "b-paper", ("reports[0]", "report 'b-report' repeats itself")),
    ],
)
def test_bad_references_are_refused_by_field_and_nothing_is_written(
    clean_graph: Driver,
    settings: Settings,
    tmp_path: Path,
    repeats: str,
    based_on: str,
    expected: tuple[str, ...],
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD.format(repeats=repeats, based_on=based_on))
    before = graph_checksum(clean_graph)
    with pytest.raises(InvalidData) as caught:
        import_paths(clean_graph, settings.neo4j_database, [path], max_bytes=2**20)
    message = str(caught.value)
    assert "bad.yaml" in message and all(text in message for text in expected), message
    assert graph_checksum(clean_graph) == before
