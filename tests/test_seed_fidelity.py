"""The seed story keeps to what its article says: the rules that keep it honest, read from the
seed file itself (no database needed).

The article (a rewrite of a Bloomberg report, not in the repository) names three days, 24, 26
and 27 October, and one year, 2015; everything else about time is relative ("earlier this
month", "in recent weeks", "a six-month hiatus", "on Wednesday").
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventgraph.graph.ontology import TimePrecision
from eventgraph.graph.records import Document
from eventgraph.graph.settings import PROJECT_ROOT
from eventgraph.graph.timespan import bounds, span

SEED = PROJECT_ROOT / "seeds" / "hmeimim-airlift-2025.yaml"
DAYS_IN_THE_ARTICLE = frozenset({date(2025, 10, 24), date(2025, 10, 26), date(2025, 10, 27)})
"""With the assumed year; the article gives day and month only."""
YEARS_IN_THE_ARTICLE = frozenset({2015})
SPOKEN = ("statement", "comment_refusal")


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(Path(SEED).read_text(encoding="utf-8"))
    Document.model_validate(data)  # what the importer would refuse is not a fidelity question
    return data


def _times(seed: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(whose, time) for every event's time and every report's publication date."""
    for event in seed["events"]:
        yield event["id"], event["time"]
    for report in seed["reports"]:
        if "published" in report:
            yield report["id"], report["published"]


def _bound_values(seed: dict[str, Any]) -> Iterator[tuple[str, object]]:
    for whose, time in _times(seed):
        for name in ("start", "end"):
            if time.get(name) is not None:
                yield f"{whose}.{name}", time[name]
    for relation in seed["relations"]:
        for name in ("since", "until"):
            if relation.get(name) is not None:
                yield f"{relation['id']}.{name}", relation[name]


def _claims(seed: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for record in (*seed["events"], *seed["relations"]):
        for claim in record["claims"]:
            yield record["id"], claim


def test_no_bound_is_more_precise_than_the_article(seed: dict[str, Any]) -> None:
    """A day only where the article names that day; no time of day anywhere; what is derived
    ("earlier this month", the report's date) is a whole month or year."""
    for where, value in _bound_values(seed):
        first, _, precision = bounds(value)
        assert precision is not TimePrecision.EXACT, f"{where}: {value} has a time of day"
        if precision is TimePrecision.DAY:
            assert first.date() in DAYS_IN_THE_ARTICLE, f"{where}: the article names no {value}"


def test_every_derived_time_says_how_it_was_derived(seed: dict[str, Any]) -> None:
    for whose, time in _times(seed):
        assert time.get("note"), f"{whose}: its time has no note"


def test_the_year_is_flagged_wherever_the_article_gives_none(seed: dict[str, Any]) -> None:
    for whose, time in _times(seed):
        years = {bounds(time[n])[0].year for n in ("start", "end") if time.get(n) is not None}
        if not years <= YEARS_IN_THE_ARTICLE:
            assert time.get("year_assumed") is True, f"{whose}: year {years} is assumed"
    for relation in seed["relations"]:
        for name in ("since", "until"):
            if relation.get(name) is not None:
                assert bounds(relation[name])[0].year in YEARS_IN_THE_ARTICLE, relation["id"]


def test_every_claim_is_graded_with_a_note_and_is_a_paraphrase(seed: dict[str, Any]) -> None:
    """The reasons for each grading are data, and the article's sentences are not ours to copy:
    the seed records no quotes."""
    claims = list(_claims(seed))
    assert len(claims) > 40
    for owner, claim in claims:
        assert claim["credibility"], owner
        note = claim.get("grading_note")
        assert isinstance(note, str) and len(note) > 20, f"{owner}: {claim['source']} ungraded"
        assert "quote" not in claim, f"{owner}: the seed keeps to paraphrases"


def test_every_statement_has_its_speaker_and_the_speakers_claim(seed: dict[str, Any]) -> None:
    actor_of = {s["id"]: s.get("actor") for s in seed["sources"]}
    spoken = [event for event in seed["events"] if event["type"] in SPOKEN]
    assert len(spoken) == 6
    for event in spoken:
        speakers = {p["ref"] for p in event["participants"] if p["role"] == "speaker"}
        assert len(speakers) == 1, f"{event['id']}: {speakers or 'no speaker'}"
        claimants = {actor_of[claim["source"]] for claim in event["claims"]}
        assert speakers <= claimants, f"{event['id']}: no claim from its speaker"


def test_what_bloomberg_says_is_on_bloombergs_claim(seed: dict[str, Any]) -> None:
    """The article gives the Wednesday of the last An-124 flight as Bloomberg's word, not the
    tracker's: tracking data carry dates, not what an outlet makes of them."""
    wednesday = [
        (owner, claim["source"])
        for owner, claim in _claims(seed)
        if "Wednesday" in claim["paraphrase"]
    ]
    assert wednesday == [("hmeimim-2025-an124-flight-3", "bloomberg")]


def test_the_pause_lasts_about_six_months_between_honest_bounds(seed: dict[str, Any]) -> None:
    """The hiatus ends within the days the first flight is known to (24-26 Oct), starts no
    later than "about six months" allows, and carries its length as data."""
    (hiatus,) = [event for event in seed["events"] if event["type"] == "hiatus"]
    assert hiatus["duration"] == {"amount": 6, "unit": "month", "approximate": True}
    time = hiatus["time"]
    when = span(time["start"], time["end"], TimePrecision(time["precision"]))
    assert when.start is not None and when.end is not None
    assert when.end.date() == date(2025, 10, 26)
    assert when.start.date() <= date(2025, 3, 24), "a month more than six before 24 Oct"
