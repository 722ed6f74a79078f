"""Event coreference proposals (graph/resolution/coreference.py, docs/resolution.md) on the
real Neo4j: the seed story's three An-124 flights stay three, a second report of one happening
is proposed with its reasons, and what tells two events apart vetoes them."""

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from eventgraph.api.app import create_app
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.importer import import_records
from eventgraph.graph.ontology import ROLES, TimePrecision
from eventgraph.graph.resolution import (
    COREFERENCE_AUTOMATIC_SCORE,
    CoreferenceReasonKind,
    Proposal,
    propose_coreference,
)
from eventgraph.graph.resolution.coreference import candidate_pairs
from eventgraph.graph.resolution.event_reading import (
    EventPlace,
    EventView,
    Participant,
    read_events,
)
from eventgraph.graph.resolution.event_scoring import (
    MAX_PAIR_REASONS,
    common_participants,
    pair_reasons,
    score_bound,
)
from eventgraph.graph.resolution.scoring import Reason, score_of
from eventgraph.graph.retraction import retract_event
from eventgraph.graph.settings import Settings
from eventgraph.graph.tokens import Role, create_token
from tests.helpers import run_cli

Kind = CoreferenceReasonKind
FLIGHTS = tuple(f"hmeimim-2025-an124-flight-{n}" for n in (1, 2, 3))


def _pairs(proposals: list[Proposal]) -> dict[tuple[str, str], Proposal]:
    return {(p.a.key, p.b.key): p for p in proposals}


def _reason(found_in: Proposal | Sequence[Reason], kind: Kind) -> Reason:
    reasons = found_in.reasons if isinstance(found_in, Proposal) else found_in
    found = [reason for reason in reasons if reason.kind is kind]
    assert found, (kind, reasons)
    return found[0]


def _source_and_report(key: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "sources",
            {
                "id": f"src-{key}",
                "name": f"Tracker {key}",
                "kind": "data_service",
                "reliability": "B",
            },
        ),
        (
            "reports",
            {
                "id": f"report-{key}",
                "name": f"Flight log {key}",
                "kind": "dataset",
                "publisher": f"src-{key}",
            },
        ),
    ]


def _an124_report(key: str, time: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Another source's report of an An-124 flight to Latakia airport (the seed's places and
    participants), with its own report."""
    event = {
        "id": key,
        "name": f"An-124 at Latakia ({key})",
        "type": "flight",
        "time": time,
        "destination": "latakia-airport",
        "place_precision": "site",
        "participants": [
            {"role": "operator", "ref": "russia"},
            {"role": "aircraft", "ref": "an-124-100"},
        ],
        "claims": [
            {
                "source": f"src-{key}",
                "report": f"report-{key}",
                "credibility": "3",
                "paraphrase": "An An-124 flew to Latakia airport.",
            }
        ],
    }
    return [*_source_and_report(key), ("events", event)]


def test_the_three_an124_flights_are_not_proposed_as_one(
    seed_story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    assert propose_coreference(seed_story, db) == []
    everything = _pairs(propose_coreference(seed_story, db, min_score=0))
    for n, first in enumerate(FLIGHTS):
        for second in FLIGHTS[n + 1 :]:
            pair = everything[(first, second)]
            assert pair.score == 0 and not pair.automatic
            assert _reason(pair, Kind.INTERVAL_ONLY).weight == 0
            assert _reason(pair, Kind.SAME_REPORT).veto
            assert _reason(pair, Kind.SHARED_PARTICIPANTS).weight > 0  # all agree, and still two


def test_a_dated_report_of_one_of_three_undated_flights_is_never_automatic(
    fresh_story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    import_records(
        fresh_story,
        db,
        _an124_report("tracker-an124", {"start": "2025-10-25", "precision": "day"}),
        "test",
    )
    pair = _one_review_item(propose_coreference(fresh_story, db), "tracker-an124")
    assert _reason(pair, Kind.TIME_WITHIN).weight > 0
    assert _reason(pair, Kind.AMBIGUOUS).weight < 0  # it fits the other two as well
    assert pair.score < COREFERENCE_AUTOMATIC_SCORE and not pair.automatic


def _one_review_item(proposals: list[Proposal], report: str) -> Proposal:
    """The one proposal of a report that fits the three flights alike: the first of them as
    its candidate, the other two as its alternatives (not three proposals)."""
    of_report = [p for p in proposals if report in (p.a.key, p.b.key)]
    assert len(of_report) == 1, of_report
    pair = of_report[0]
    assert pair.a.key == report and pair.b.key == FLIGHTS[0]  # same scores: the smallest key
    assert [alternative.node.key for alternative in pair.alternatives] == list(FLIGHTS[1:])
    assert f"{report} fits {', '.join(FLIGHTS[1:])} as well" in _reason(pair, Kind.AMBIGUOUS).detail
    for alternative in pair.alternatives:  # each with its own reasons, as the pair's
        assert alternative.score == pair.score == score_of(alternative.reasons)
        assert [r.kind for r in alternative.reasons] == [r.kind for r in pair.reasons]
        assert f"{report} fits" in _reason(alternative.reasons, Kind.AMBIGUOUS).detail
    return pair


def test_equal_intervals_from_two_reports_weigh_nothing_and_are_never_automatic(
    fresh_story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    window = {"start": "2025-10-24", "end": "2025-10-27", "precision": "interval"}
    import_records(fresh_story, db, _an124_report("other-an124", window), "test")
    pair = _one_review_item(propose_coreference(fresh_story, db), "other-an124")
    assert _reason(pair, Kind.INTERVAL_ONLY).weight == 0
    assert pair.score < COREFERENCE_AUTOMATIC_SCORE and not pair.automatic


def test_a_month_report_fits_the_three_flights_within_it_alike_and_is_never_automatic(
    fresh_story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    october = {"start": "2025-10", "precision": "month"}
    import_records(fresh_story, db, _an124_report("monthly-an124", october), "test")
    pair = _one_review_item(propose_coreference(fresh_story, db), "monthly-an124")
    within = _reason(pair, Kind.INTERVAL_WITHIN)  # "24 to 27 October" lies in October
    assert within.weight == 0.15 and "lies within the longer" in within.detail
    assert _reason(pair, Kind.AMBIGUOUS).weight < 0  # it fits the other two as well
    assert not pair.automatic  # an interval pins no day


def test_a_common_participant_weighs_less_than_a_rare_one() -> None:
    day = 86_400
    a = _view("flight-a", 0, day, TimePrecision.DAY, "air-force", "airframe-1")
    b = _view("flight-b", 0, day, TimePrecision.DAY, "air-force", "airframe-1")
    crowd = [_view(f"other-{n}", 0, day, TimePrecision.DAY, "air-force") for n in range(3)]
    common = common_participants([a, b, *crowd], more_than=3)
    assert common == {("flight", "air-force"): 5}  # named by 5 flights; the airframe by 2
    rare = _reason(pair_reasons(a, b, {}), Kind.SHARED_PARTICIPANTS)
    weighed = _reason(pair_reasons(a, b, common), Kind.SHARED_PARTICIPANTS)
    assert rare.weight == 0.3 and weighed.weight == 0.25  # 0.15 + 0.1 for the common one
    assert "operator air-force (common: in 5 events)" in weighed.detail
    assert score_bound(a, b, common) >= score_of(tuple(pair_reasons(a, b, common)))


def _attack(
    key: str, time: dict[str, Any], at: str, precision: str, report: str
) -> tuple[str, dict[str, Any]]:
    return (
        "events",
        {
            "id": key,
            "name": f"Attack ({key})",
            "type": "attack",
            "time": time,
            "at": [at],
            "place_precision": precision,
            "participants": [
                {"role": "perpetrator", "ref": "rebels"},
                {"role": "target", "ref": "base"},
            ],
            "claims": [
                {
                    "source": f"src-{report}",
                    "report": f"report-{report}",
                    "credibility": "2",
                    "paraphrase": "Rebels attacked the base.",
                }
            ],
        },
    )


def _attack_world() -> list[tuple[str, dict[str, Any]]]:
    point = {"precision": "site"}
    return [
        ("locations", {"id": "country", "name": "Country", "kind": "country"}),
        (
            "locations",
            {
                "id": "province",
                "name": "North Province",
                "kind": "province",
                "within": "country",
                "point": {"lat": 35.0, "lon": 36.0, "precision": "province"},
            },
        ),
        (
            "locations",
            {
                "id": "base-site",
                "name": "Base site",
                "kind": "site",
                "within": "province",
                "point": {"lat": 35.4, "lon": 35.9, **point},
            },
        ),
        (
            "locations",
            {
                "id": "far-site",
                "name": "Far site",
                "kind": "site",
                "within": "country",
                "point": {"lat": 31.0, "lon": 38.0, **point},
            },
        ),
        ("actors", {"id": "rebels", "name": "Rebels", "kind": "armed_group"}),
        ("assets", {"id": "base", "name": "Base", "kind": "air_base", "located_at": "base-site"}),
        *_source_and_report("wire"),
        *_source_and_report("feed"),
        *_source_and_report("paper"),
    ]


def _import_two_reports_of_one_attack(driver: Driver, database: str) -> None:
    """The wire's report of an attack at the base to the minute, and a feed's of it to the day."""
    exact = {"start": "2025-10-20T03:10:00Z", "precision": "exact"}
    day = {"start": "2025-10-20", "precision": "day"}
    import_records(
        driver,
        database,
        [
            *_attack_world(),
            _attack("wire-attack", exact, "base", "site", "wire"),
            _attack("feed-attack", day, "base", "site", "feed"),
        ],
        "test",
    )


def test_a_second_report_of_one_attack_is_proposed_with_its_reasons(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    exact = {"start": "2025-10-20T03:10:00Z", "precision": "exact"}
    day = {"start": "2025-10-20", "precision": "day"}
    import_records(
        clean_graph,
        db,
        [
            *_attack_world(),
            _attack("wire-attack", exact, "base", "site", "wire"),
            _attack("feed-attack", day, "province", "province", "feed"),
            _attack("paper-attack-elsewhere", day, "far-site", "site", "paper"),
            _attack(
                "wire-attack-next-week",
                {"start": "2025-10-27", "precision": "day"},
                "base",
                "site",
                "wire",
            ),
        ],
        "test",
    )
    found = _pairs(propose_coreference(clean_graph, db))
    assert set(found) == {("feed-attack", "wire-attack")}, found
    pair = found[("feed-attack", "wire-attack")]
    assert {r.kind for r in pair.reasons} == {
        Kind.SAME_TYPE,
        Kind.SAME_TIME,
        Kind.PLACE_WITHIN,
        Kind.SHARED_PARTICIPANTS,
        Kind.DIFFERENT_SOURCES,
    }
    assert "base lies in province" in _reason(pair, Kind.PLACE_WITHIN).detail
    assert pair.score >= COREFERENCE_AUTOMATIC_SCORE
    assert not pair.automatic  # a place known to its province only is for review
    vetoed = _pairs(propose_coreference(clean_graph, db, min_score=0))
    assert _reason(vetoed[("feed-attack", "paper-attack-elsewhere")], Kind.FAR).veto
    assert _reason(vetoed[("paper-attack-elsewhere", "wire-attack")], Kind.FAR).veto
    assert ("wire-attack", "wire-attack-next-week") not in vetoed  # times apart: never paired


def test_a_re_report_at_the_same_place_and_time_is_automatic_and_retracted_events_are_left_out(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _import_two_reports_of_one_attack(clean_graph, db)
    [pair] = propose_coreference(clean_graph, db)
    assert pair.automatic and pair.score == 1.0
    retract_event(clean_graph, db, "feed-attack", "a duplicate", "test")
    assert propose_coreference(clean_graph, db) == []


def test_two_attacks_of_one_day_are_told_apart_by_their_times_of_day(
    clean_graph: Driver, settings: Settings
) -> None:
    """Two sorties of one group against one base on one day, each timed by its source: never
    one; a report that knows only the day fits both alike, so it is one review item naming
    both, never automatic."""
    db = settings.neo4j_database
    night = {"start": "2025-10-20T03:10:00Z", "precision": "exact"}
    evening = {"start": "2025-10-20T19:45:00Z", "precision": "exact"}
    import_records(
        clean_graph,
        db,
        [
            *_attack_world(),
            _attack("wire-attack", night, "base", "site", "wire"),
            _attack("paper-attack", evening, "base", "site", "paper"),
        ],
        "test",
    )
    assert propose_coreference(clean_graph, db, min_score=0) == []  # never even a pair
    views = {view.key: view for view in read_events(clean_graph, db)}
    apart = _reason(pair_reasons(views["paper-attack"], views["wire-attack"], {}), Kind.TIME_APART)
    assert apart.veto and "2025-10-20 19:45 and 2025-10-20 03:10 do not overlap" in apart.detail
    day = {"start": "2025-10-20", "precision": "day"}
    import_records(clean_graph, db, [_attack("feed-attack", day, "base", "site", "feed")], "test")
    [item] = propose_coreference(clean_graph, db)
    assert (item.a.key, item.b.key) == ("feed-attack", "paper-attack")
    assert [alternative.node.key for alternative in item.alternatives] == ["wire-attack"]
    assert _reason(item, Kind.AMBIGUOUS).weight < 0 and not item.automatic


def test_bad_arguments_are_refused(seed_story: Driver, settings: Settings) -> None:
    with pytest.raises(InvalidData, match="between 0 and 1"):
        propose_coreference(seed_story, settings.neo4j_database, min_score=2)
    with pytest.raises(InvalidData, match="negative"):
        propose_coreference(seed_story, settings.neo4j_database, first=-1)


def test_the_cli_and_graphql_give_the_proposals_with_reasons(
    fresh_story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    window = {"start": "2025-10-24", "end": "2025-10-27", "precision": "interval"}
    import_records(fresh_story, db, _an124_report("other-an124", window), "test")
    shown = run_cli("resolve", "--events")
    assert shown.returncode == 0, shown.stderr
    assert f"Event other-an124 'An-124 at Latakia (other-an124)' ~ {FLIGHTS[0]} " in shown.stdout
    assert f"or one of: {FLIGHTS[1]} 'An-124 flight to Latakia airport (2 of 3)', " in shown.stdout
    assert "+0.00 interval_only:" in shown.stdout and "(to review)" in shown.stdout
    assert f"      or 0.50 ~ {FLIGHTS[2]} 'An-124 " in shown.stdout, shown.stdout
    assert "        +0.25 same_place: both at latakia-airport" in shown.stdout, shown.stdout
    assert "accept one: eventgraph merge CHOSEN other-an124 --reason" in shown.stdout
    refused = run_cli("resolve", "--events", "--label", "Actor")
    assert refused.returncode != 0 and "--label" in refused.stderr
    query = """query($min: Float!) {
      coreferenceProposals(minScore: $min, first: 5) {
        a { id key name kind } b { key }
        alternatives { event { key } score reasons { kind weight } }
        score automatic reasons { kind detail weight }
      }
    }"""
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with TestClient(app) as client:
        answer = client.post("/graphql", json={"query": query, "variables": {"min": 0.5}})
    assert answer.status_code == 200, answer.text
    proposals = answer.json()["data"]["coreferenceProposals"]
    assert [(p["a"]["key"], p["b"]["key"]) for p in proposals] == [("other-an124", FLIGHTS[0])]
    first = proposals[0]  # one review item: the report fits the three flights alike
    assert [alternative["event"]["key"] for alternative in first["alternatives"]] == list(
        FLIGHTS[1:]
    )
    for alternative in first["alternatives"]:
        assert alternative["score"] == first["score"]
        assert {"same_place", "ambiguous"} <= {r["kind"] for r in alternative["reasons"]}
    assert first["a"]["id"] == f"Event:{first['a']['key']}" and first["a"]["kind"] == "flight"
    assert not first["automatic"]
    assert any(r["kind"] == "interval_only" and r["weight"] == 0 for r in first["reasons"])


def _claims_and_origins(driver: Driver, settings: Settings, key: str) -> tuple[set[str], int]:
    """The reports whose claims support the event, and its independent origins (GraphQL)."""
    records, _, _ = driver.execute_query(
        "MATCH (e:Event {id: $key})<-[:SUPPORTS]-(:Claim)-[:IN_REPORT]->(r:Report) "
        "RETURN collect(DISTINCT r.id) AS reports",
        key=key,
        database_=settings.neo4j_database,
    )
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    query = '{ node(id: "Event:%s") { ... on Event { corroboration { independentOrigins } } } }'
    with TestClient(app) as client:
        answer = client.post("/graphql", json={"query": query % key})
    assert answer.status_code == 200, answer.text
    origins = answer.json()["data"]["node"]["corroboration"]["independentOrigins"]
    return set(records[0]["reports"]), origins


def test_apply_merges_two_reports_of_one_dated_event_and_unmerge_restores_both(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _import_two_reports_of_one_attack(clean_graph, db)
    applied = run_cli("resolve", "--events", "--apply", "--by", "tester")
    assert applied.returncode == 0, applied.stderr
    [line] = applied.stdout.splitlines()
    merge_id = line.split()[0]
    # the exact time is the narrower one: that event is kept
    assert "Event 'feed-attack' into 'wire-attack'" in line and "1 merge(s)" in applied.stderr
    assert propose_coreference(clean_graph, db) == []
    reports, origins = _claims_and_origins(clean_graph, settings, "wire-attack")
    assert reports == {"report-wire", "report-feed"} and origins == 2
    [record] = clean_graph.execute_query(
        "MATCH (m:Merge {id: $id}) RETURN m.by AS by, m.reason AS reason",
        id=merge_id,
        database_=db,
    ).records
    assert record["by"] == "tester" and "score 1.00" in record["reason"]
    assert "same_time" in record["reason"]
    again = run_cli("resolve", "--events", "--apply")
    assert again.returncode == 0 and again.stdout == "", again.stdout
    assert "0 merge(s), 0 skipped" in again.stderr
    undone = run_cli("unmerge", merge_id, "--reason", "checking the undo")
    assert undone.returncode == 0, undone.stderr
    assert _claims_and_origins(clean_graph, settings, "wire-attack")[0] == {"report-wire"}
    assert _claims_and_origins(clean_graph, settings, "feed-attack")[0] == {"report-feed"}
    [pair] = propose_coreference(clean_graph, db)
    assert pair.automatic  # proposed again: a reviewer may now dismiss it or apply it again


def test_apply_never_merges_the_three_an124_flights(
    fresh_story: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    window = {"start": "2025-10-24", "end": "2025-10-27", "precision": "interval"}
    import_records(fresh_story, db, _an124_report("other-an124", window), "test")
    applied = run_cli("resolve", "--events", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout == "" and "0 merge(s)" in applied.stderr
    keys = {
        r["key"]
        for r in fresh_story.execute_query(
            "MATCH (e:Event) WHERE e.id IN $keys RETURN e.id AS key",
            keys=[*FLIGHTS, "other-an124"],
            database_=db,
        ).records
    }
    assert keys == {*FLIGHTS, "other-an124"}
    refused = run_cli("resolve", "--apply")
    assert refused.returncode != 0 and "--events" in refused.stderr


def _view(key: str, start: int, end: int, precision: TimePrecision, *operators: str) -> EventView:
    return EventView(
        key=key,
        name=key,
        type="flight",
        start=start,
        end=end,
        precision=precision,
        places=(),
        participants=tuple(
            Participant("operator", operator, None) for operator in operators or ("air-force",)
        ),
        reports=frozenset(),
        sources=frozenset(),
        linked=frozenset(),
    )


def test_a_crowded_block_pairs_only_events_pinned_to_the_day() -> None:
    day, month = 86_400, 30 * 86_400
    events = [
        _view("day-1", 0, day, TimePrecision.DAY),
        _view("day-2", 0, day, TimePrecision.DAY),
        _view("month-1", 0, month, TimePrecision.MONTH),
        _view("month-2", 0, month, TimePrecision.MONTH),
    ]
    assert len(candidate_pairs(events, crowded=None)) == 6  # every pair overlaps
    assert candidate_pairs(events, crowded=3) == {(0, 1)}  # a hub: the two days only
    assert len(candidate_pairs(events, crowded=4)) == 6


def test_in_a_crowded_block_a_month_meets_the_day_that_shares_a_second_crowded_key() -> None:
    day, month = 86_400, 30 * 86_400
    events = [
        _view("day-1", 0, day, TimePrecision.DAY, "air-force", "unit-1"),
        _view("month-1", 0, month, TimePrecision.MONTH, "air-force", "unit-1"),
        _view("day-2", 0, day, TimePrecision.DAY, "air-force"),
        _view("day-3", 0, day, TimePrecision.DAY, "air-force"),
        _view("month-2", 0, month, TimePrecision.MONTH, "unit-1"),
        _view("month-3", 0, month, TimePrecision.MONTH, "unit-1"),
    ]
    # at 3, the air force (4 events) and unit-1 (4) are hubs; two events name both
    pairs = candidate_pairs(events, crowded=3)
    assert (0, 1) in pairs  # the month meets the day that shares the two hubs with it
    assert (1, 2) not in pairs and (1, 4) not in pairs  # one hub in common is not enough
    assert pairs == {(0, 1), (0, 2), (0, 3), (2, 3)}  # and the days meet in the hub
    assert (0, 1) not in candidate_pairs(events, crowded=1)  # the two hubs' share is crowded
    assert len(candidate_pairs(events, crowded=None)) == 11  # sharing one key is enough


APPLY = """mutation { applyCoreference {
  merged { id kept folded by reason } skipped { keep fold why } } }"""


def test_graphql_applies_coreference_as_the_editor_only(
    clean_graph: Driver, settings: Settings
) -> None:
    db = settings.neo4j_database
    _import_two_reports_of_one_attack(clean_graph, db)
    editor = create_token(clean_graph, db, Role.EDITOR, "coref-editor")
    reader = create_token(clean_graph, db, Role.READER, "coref-reader")
    app = create_app(settings.model_copy(update={"anonymous_read": True}))
    with TestClient(app) as client:

        def post(token: str) -> dict[str, Any]:
            response = client.post(
                "/graphql", json={"query": APPLY}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

        denied = post(reader)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert len(propose_coreference(clean_graph, db)) == 1
        [merged] = post(editor)["data"]["applyCoreference"]["merged"]
        assert merged["kept"] == "Event:wire-attack" and merged["folded"] == "Event:feed-attack"
        assert merged["by"] == "coref-editor" and "score 1.00" in merged["reason"]
        assert post(editor)["data"]["applyCoreference"] == {"merged": [], "skipped": []}


def test_no_pair_has_more_reasons_than_the_cost_estimate_counts() -> None:
    """The GraphQL cost estimate counts a pair's reasons as `MAX_PAIR_REASONS`: the worst pair
    (linked, one report, places on both sides, every role naming someone else) stays within it,
    and the ambiguity reason a proposal may add still fits."""
    day = 86_400
    place = EventPlace("OCCURRED_AT", "somewhere", 35.4, 35.9, 10.0, frozenset(), frozenset())

    def worst(key: str, other: str) -> EventView:
        return EventView(
            key=key,
            name=key,
            type="flight",
            start=0,
            end=day,
            precision=TimePrecision.DAY,
            places=(place,),
            participants=tuple(
                Participant(role.name, f"{key}-{role.name}", None) for role in ROLES
            ),
            reports=frozenset({"one-report"}),
            sources=frozenset({f"source-{key}"}),
            linked=frozenset({other}),
        )

    reasons = pair_reasons(worst("a", "b"), worst("b", "a"), {})
    kinds = Counter(reason.kind for reason in reasons)
    assert kinds[CoreferenceReasonKind.ROLE_DIFFERS] == len(ROLES)  # once per role
    assert all(n == 1 for kind, n in kinds.items() if kind != CoreferenceReasonKind.ROLE_DIFFERS)
    assert CoreferenceReasonKind.AMBIGUOUS not in kinds  # added by the proposal, once at most
    assert len(reasons) + 1 <= MAX_PAIR_REASONS
