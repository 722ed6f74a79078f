"""`eventgraph import --skip-bad`: records with problems are left out, and so is every record
that refers to one (transitively); the rest is written, what was skipped is reported, a file
that cannot be read as a whole still refuses the import, and a re-run changes nothing."""

import textwrap
from pathlib import Path

import pytest
from neo4j import Driver

from eventgraph.api.errors import Exit
from eventgraph.graph import feeds
from eventgraph.graph.errors import InvalidData
from eventgraph.graph.feeds import gdelt
from eventgraph.graph.importer import ImportSummary, import_paths
from eventgraph.graph.settings import Settings
from tests.feed_imports import changed_sample, graph_rows
from tests.helpers import graph_checksum, run_cli

SAMPLES = Path(__file__).parent / "feeds"
GDELT_EVENTS = SAMPLES / "20251026150000.export.CSV"
GDELT_MENTIONS = SAMPLES / "20251026150000.mentions.CSV"
ACLED = SAMPLES / "acled-syria-2025-10.csv"

NATIVE = """\
eventgraph: 1
actors:
  - {id: russia, name: Russia, kind: state}
  - {id: ghost-unit, name: A unit, kind: not-a-kind}
sources:
  - {id: bloomberg, name: Bloomberg, kind: news_outlet, reliability: B}
events:
  - id: good-flight
    type: flight
    name: A flight
    time: {start: 2025-10-24, precision: day}
    participants: [{role: operator, ref: russia}]
    claims: [{source: bloomberg, credibility: 2, paraphrase: A flight}]
  - id: bad-flight
    type: flight
    name: A flight on no day
    time: {start: 2025-13-45, precision: day}
    participants: [{role: operator, ref: russia}]
    claims: [{source: bloomberg, credibility: 2, paraphrase: A flight}]
  - id: about-the-bad-flight
    type: statement
    name: Moscow on the flight
    time: {start: 2025-10-25, precision: day}
    about: [bad-flight]
    participants: [{role: speaker, ref: russia}]
    claims: [{source: bloomberg, credibility: 3, paraphrase: Moscow spoke}]
  - id: about-the-statement
    type: statement
    name: A reply to Moscow
    time: {start: 2025-10-26, precision: day}
    about: [about-the-statement-missing, about-the-bad-flight]
    participants: [{role: speaker, ref: russia}]
    claims: [{source: bloomberg, credibility: 3, paraphrase: A reply}]
  - id: by-the-unit
    type: flight
    name: The unit flies
    time: {start: 2025-10-24, precision: day}
    participants: [{role: operator, ref: ghost-unit}]
    claims: [{source: bloomberg, credibility: 2, paraphrase: A flight}]
"""


def _skipping(driver: Driver, settings: Settings, *paths: Path) -> ImportSummary:
    return import_paths(
        driver, settings.neo4j_database, list(paths), max_bytes=2**24, skip_bad=True
    )


def _ids(driver: Driver, label: str) -> list[str]:
    rows = graph_rows(driver, f"MATCH (n:`{label}`) RETURN n.id AS id ORDER BY id")
    return [row["id"] for row in rows]


def test_a_bad_event_and_every_record_referring_to_it_are_left_out(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(NATIVE.replace("about-the-statement-missing, ", ""))
    summary = _skipping(clean_graph, settings, path)
    assert _ids(clean_graph, "Event") == ["good-flight"]
    assert _ids(clean_graph, "Actor") == ["russia"]
    assert summary.skipped is not None
    reasons = [str(problem) for problem in summary.skipped.problems]
    assert any("events[1].time.start" in reason and "2025-13-45" in reason for reason in reasons)
    assert any("actors[1].kind" in reason for reason in reasons)
    assert f"{path}:24: events[2].about[0]: refers to 'bad-flight', which was skipped" in reasons
    assert any(
        "events[3].about[0]: refers to 'about-the-bad-flight', which was skipped" in reason
        for reason in reasons
    ), "transitively"
    assert any(
        "events[4].participants[0].ref: refers to 'ghost-unit', which was skipped" in reason
        for reason in reasons
    )
    assert len(reasons) == 5, reasons
    before = graph_checksum(clean_graph)
    again = _skipping(clean_graph, settings, path)
    assert graph_checksum(clean_graph) == before, "a re-run changes nothing"
    assert not again.outcome.created and not again.outcome.updated
    assert again.skipped is not None and len(again.skipped.problems) == 5


def test_an_unknown_reference_is_skipped_in_the_refusal_s_words(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(NATIVE)
    summary = _skipping(clean_graph, settings, path)
    assert summary.skipped is not None
    [unknown] = [p for p in summary.skipped.problems if "about-the-statement-missing" in p.reason]
    assert unknown.field == "events[3].about[0]" and unknown.reason.startswith("unknown event")
    assert _ids(clean_graph, "Event") == ["good-flight"]


def _broken_gdelt(tmp_path: Path) -> Path:
    folder = tmp_path / "gdelt"
    folder.mkdir()
    columns = gdelt.EVENT_COLUMNS
    changed_sample(GDELT_EVENTS, folder, 1, "SQLDATE", "20251332", columns=columns)  # no day
    (folder / GDELT_MENTIONS.name).write_text(GDELT_MENTIONS.read_text())
    return folder


def test_a_broken_gdelt_row_and_its_mentions_are_left_out(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    folder = _broken_gdelt(tmp_path)
    first_id = GDELT_EVENTS.read_text().split("\t", 1)[0]
    with feeds.using(feeds.FeedOptions()):
        summary = _skipping(clean_graph, settings, folder)
    total = len(GDELT_EVENTS.read_text().splitlines())
    events = _ids(clean_graph, "Event")
    assert len(events) == total - 1 and f"gdelt:{first_id}" not in events
    assert summary.skipped is not None
    reasons = [str(problem) for problem in summary.skipped.problems]
    assert f"{folder / GDELT_EVENTS.name}: row 1.SQLDATE: '20251332' is not a day (YYYYMMDD)" in (
        reasons
    )
    mentions = [line for line in GDELT_MENTIONS.read_text().splitlines() if line]
    of_first = sum(1 for line in mentions if line.split("\t", 1)[0] == first_id)
    assert of_first > 0, "the sample mentions the first event"
    assert len(reasons) == 1 + of_first, reasons
    assert all(f"gdelt:{first_id}" in reason for reason in reasons[1:]), reasons
    before = graph_checksum(clean_graph)
    with feeds.using(feeds.FeedOptions()):
        _skipping(clean_graph, settings, folder)
    assert graph_checksum(clean_graph) == before


def test_an_acled_row_with_a_bad_date_is_left_out_and_the_command_says_so(
    clean_graph: Driver, tmp_path: Path
) -> None:
    path = changed_sample(ACLED, tmp_path, 3, "event_date", "2025-13-45", delimiter=",")
    report = tmp_path / "skipped.txt"
    done = run_cli("import", "--quiet", "--skip-bad", "--report", str(report), str(path))
    assert done.returncode == Exit.SKIPPED, done.stderr
    assert "Skipped 1 bad record(s) or row(s) (--skip-bad)" in done.stderr
    assert f"1 × {path}: row *.event_date" in done.stderr
    line = f"{path}: row 3.event_date: '2025-13-45' is not a date (YYYY-MM-DD)"
    assert line in done.stderr and report.read_text() == line + "\n"
    assert "Traceback" not in done.stderr
    assert len(_ids(clean_graph, "Event")) == 5
    again = run_cli("import", "--quiet", "--skip-bad", str(path))
    assert again.returncode == Exit.SKIPPED and "Nothing changed" in again.stdout


def test_a_file_that_cannot_be_read_still_refuses_the_import(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    good = tmp_path / "story.yaml"
    good.write_text(NATIVE)
    broken = tmp_path / "broken.json"
    broken.write_text('{"events": [')
    before = graph_checksum(clean_graph)
    with pytest.raises(InvalidData) as caught:
        _skipping(clean_graph, settings, good, broken)
    assert "broken.json:1: json: malformed JSON" in str(caught.value)
    assert graph_checksum(clean_graph) == before, "nothing written"


def test_nothing_to_skip_exits_0_and_report_needs_skip_bad(
    clean_graph: Driver, tmp_path: Path
) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(textwrap.dedent(NATIVE).split("events:")[0].replace("not-a-kind", "group"))
    done = run_cli("import", "--quiet", "--skip-bad", str(path))
    assert done.returncode == 0 and "Skipped" not in done.stderr, done.stderr
    assert _ids(clean_graph, "Actor") == ["ghost-unit", "russia"]
    refused = run_cli("import", "--report", str(tmp_path / "r.txt"), str(path))
    assert refused.returncode == Exit.USAGE and "add --skip-bad" in refused.stderr


CSV_TABLES = {
    "sources.csv": "id,name,kind,reliability\nwire,Wire,news_outlet,B\n",
    "events.csv": "id,name,type,start,precision\n"
    "pause,A pause,hiatus,2025-03,month\n"
    "bad-pause,A pause on no day,hiatus,2025-13,month\n",
    "claims.csv": "target,source,credibility,paraphrase\n"
    "pause,wire,2,Flights stopped.\n"
    "bad-pause,wire,2,Flights stopped again.\n",
}


def test_csv_claims_rows_of_a_skipped_event_are_left_out_with_it(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    for name, text in CSV_TABLES.items():
        (tmp_path / name).write_text(text)
    summary = _skipping(clean_graph, settings, tmp_path)
    assert _ids(clean_graph, "Event") == ["pause"]
    assert _ids(clean_graph, "Claim") == ["pause/claim-1"]
    assert summary.skipped is not None
    reasons = [str(problem) for problem in summary.skipped.problems]
    assert len(reasons) == 2, reasons
    assert f"{tmp_path / 'events.csv'}:3: events[1].time.start" in reasons[0]
    assert reasons[1] == (
        f"{tmp_path / 'claims.csv'}:3: target: refers to 'bad-pause', which was skipped"
    )


CHAIN = """\
eventgraph: 1
actors:
  - {id: russia, name: Russia, kind: state}
  - {id: lost-unit, name: A unit, kind: not-a-kind}
sources:
  - {id: wire, name: Wire, kind: news_outlet, reliability: B}
events:
  - id: unit-flight
    type: flight
    name: The unit flies
    time: {start: 2025-10-24, precision: day}
    participants: [{role: operator, ref: lost-unit}]
    claims: [{source: wire, credibility: 2, paraphrase: A flight}]
  - id: on-the-flight
    type: statement
    name: Moscow on the flight
    time: {start: 2025-10-25, precision: day}
    about: [unit-flight]
    participants: [{role: speaker, ref: russia}]
    claims: [{source: wire, credibility: 3, paraphrase: Moscow spoke}]
  - id: on-the-statement
    type: statement
    name: A reply to Moscow
    time: {start: 2025-10-26, precision: day}
    about: [on-the-flight]
    participants: [{role: speaker, ref: russia}]
    claims: [{source: wire, credibility: 3, paraphrase: A reply}]
"""


def test_a_three_link_chain_is_left_out_in_one_extra_round(
    clean_graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "chain.yaml"
    path.write_text(CHAIN)
    summary = _skipping(clean_graph, settings, path)
    assert summary.skipped is not None
    assert [problem.field for problem in summary.skipped.problems] == [
        "actors[1].kind",
        "events[0].participants[0].ref",
        "events[1].about[0]",
        "events[2].about[0]",
    ]
    assert summary.skipped.problems[-1].reason == "refers to 'on-the-flight', which was skipped"
    assert summary.skipped.rounds == 2, "the bad actor's round, then one that leaves out the chain"
    assert _ids(clean_graph, "Event") == []
    assert _ids(clean_graph, "Actor") == ["russia"]
