"""The README stays true: every setting and every command it must mention is there."""

import re

from typer.main import get_command

from eventgraph.api.cli import app
from eventgraph.graph.settings import PROJECT_ROOT, Settings
from tests.helpers import EXPORTING_DOC, jsonl_examples

README = (PROJECT_ROOT / "README.md").read_text()


def test_every_environment_variable_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        variable = str(field.validation_alias)
        assert re.search(rf"`{variable}`", README), f"README does not document {variable} ({name})"


def test_every_cli_command_is_documented() -> None:
    root = get_command(app)
    commands = getattr(root, "commands", {})
    for name, command in commands.items():
        sub = getattr(command, "commands", None)
        for full in [f"eventgraph {name} {s}" for s in sub] if sub else [f"eventgraph {name}"]:
            assert full in README, f"README does not mention `{full}`"


def test_quick_start_is_two_commands() -> None:
    assert "make run" in README
    assert "make test" in README


def test_generated_docs_match_the_ontology() -> None:
    from eventgraph.graph.docgen import generated

    for path, text in generated().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run `.venv/bin/python -m eventgraph.graph.docgen`"
        )


def test_every_csv_table_and_column_is_documented() -> None:
    from eventgraph.graph.importer.reading import CSV_TABLES

    importing = (PROJECT_ROOT / "docs" / "importing.md").read_text().split("## CSV tables")[1]
    for table, columns in CSV_TABLES.items():
        row = next(
            (line for line in importing.splitlines() if line.startswith(f"| `{table}` |")), None
        )
        assert row is not None, f"docs/importing.md has no row for the {table} table"
        for column in columns:
            assert re.search(rf"\b{column}\b", row), f"{table}.{column} is not documented"


def test_every_native_collection_is_documented() -> None:
    from eventgraph.graph.records import RECORD_TYPES

    importing = (PROJECT_ROOT / "docs" / "importing.md").read_text()
    for model in RECORD_TYPES:
        row = next(
            line
            for line in importing.splitlines()
            if line.startswith(f"| `{model.label.collection}` |")
        )
        for name, field in model.model_fields.items():
            assert (field.alias or name) in row, (
                f"{model.label.collection}.{name} is not documented"
            )


FEEDS_DOC = (PROJECT_ROOT / "docs" / "feeds.md").read_text()


def test_every_feed_format_and_grading_is_documented_as_it_is() -> None:
    """docs/feeds.md names every format with its feed, every feed's default grading, and the
    leg and airport thresholds the code uses; README and importing.md link to it."""
    from eventgraph.graph.feeds import FEEDS, FORMATS
    from eventgraph.graph.feeds.airports import LOW_ALTITUDE_FT, RADIUS_KM
    from eventgraph.graph.feeds.tracks import GAP_MINUTES

    for name, feed_format in FORMATS.items():
        assert f"| `{name}` | `{feed_format.feed.name}` |" in FEEDS_DOC, name
        assert f"`{name}`" in FEEDS_DOC.split("## Flight tracks")[1], f"no section on {name}"
    for name, feed in FEEDS.items():
        assert f"| `{name}` | {feed.grading} |" in FEEDS_DOC, f"{name}'s default is {feed.grading}"
    assert f"**{GAP_MINUTES} minutes**" in FEEDS_DOC
    assert f"**{RADIUS_KM:g} km**" in FEEDS_DOC and f"**{LOW_ALTITUDE_FT} ft**" in FEEDS_DOC
    assert "(docs/feeds.md)" in README
    assert "(feeds.md)" in (PROJECT_ROOT / "docs" / "importing.md").read_text()


def test_the_stix_section_gives_the_mapping_and_scale_the_code_uses() -> None:
    """Every STIX type we write is in docs/feeds.md's mapping, and its confidence row is the
    stix2 library's scale."""
    from eventgraph.graph.stix import mapping

    section = FEEDS_DOC.split("## STIX 2.1 in and out")[1]
    for stix_type in {*mapping.COLLECTION_TYPES.values(), "threat-actor", "note", "grouping"}:
        assert f"`{stix_type}`" in section.split("### Mapping")[1], stix_type
    written = [mapping.confidence_of(str(c)) for c in range(1, 7)]
    row = " | ".join("none" if v is None else str(v) for v in written)
    assert f"| `confidence` written | {row} |" in section
    assert "`x_eventgraph_reliability`" in section


def test_the_feed_examples_in_the_docs_are_read_as_the_formats_they_show() -> None:
    """Each sample file docs/feeds.md imports exists and is read, without a problem, as a feed
    format; every import option it shows is one the command has."""
    from eventgraph.graph import feeds

    samples = set(re.findall(r"eventgraph import (tests/feeds/\S+)", FEEDS_DOC))
    assert samples, "docs/feeds.md shows no sample import"
    for sample in samples:
        read = feeds.read_file(PROJECT_ROOT / sample, 2**24)
        assert read is not None and read.problems == [] and read.records, sample
    import_command = getattr(get_command(app), "commands", {})["import"]
    options = {opt for param in import_command.params for opt in getattr(param, "opts", [])}
    for option in set(re.findall(r"eventgraph import .*?(--[a-z-]+)", FEEDS_DOC)) | {
        "--grading",
        "--feed-config",
        "--format",
    }:
        assert option in options, f"docs/feeds.md shows {option}, which import does not take"


def test_every_export_format_and_graphml_type_is_documented_as_it_is() -> None:
    """docs/exporting.md has a row for each `--format` the command takes, says for each Neo4j
    type the GraphML `attr.type` the export declares, and shows JSON Lines in the shapes
    `jsonl.write` gives; README and importing.md link to it."""
    import io
    import json

    from eventgraph.api.cli import _EXPORT_FORMATS
    from eventgraph.graph import model
    from eventgraph.graph.export import elements, graphml, jsonl
    from eventgraph.graph.exporting import Snapshot

    for name in _EXPORT_FORMATS:
        assert f"| `{name}` |" in EXPORTING_DOC, f"docs/exporting.md has no row for {name}"
    rows = EXPORTING_DOC.split("attr.type` | written as |")[1].split("\n\n")[0].splitlines()
    for cypher in {*elements.NODE_TYPES.values(), model.POINT}:
        row = next((r for r in rows if cypher.replace("<", "&lt;").replace(">", "&gt;") in r), "")
        declared = f"`{graphml.ATTR_TYPES.get(cypher, 'string')}`"
        assert ("two `double`s" if cypher == model.POINT else declared) in row, cypher
    snapshot = Snapshot()
    snapshot.nodes["Actor"]["a"] = {"id": "a", "name": "A", "kind": "state"}
    snapshot.nodes["Event"]["e"] = {"id": "e", "name": "E", "type": "flight"}
    snapshot.edges["e"].append(
        {"owner": "e", "owner_label": "Event", "type": "INVOLVES", "target": "a",
         "target_label": "Actor", "props": {"role": "operator", "position": 0}}
    )  # fmt: skip
    written = io.StringIO()
    jsonl.write(snapshot, written)
    shapes = {tuple(json.loads(line)) for line in written.getvalue().splitlines()}
    assert {tuple(example) for example in jsonl_examples()} == shapes
    assert "(docs/exporting.md)" in README
    assert "(exporting.md)" in (PROJECT_ROOT / "docs" / "importing.md").read_text()


def test_the_identity_doc_names_every_scheme_as_the_ontology_declares_it() -> None:
    """docs/identity.md has a row for each external id scheme with the labels it identifies
    (all of them, or each by name) and its example; README links to it."""
    from eventgraph.graph.ontology import ID_SCHEMES, IDENTIFIABLE_LABELS

    identity = (PROJECT_ROOT / "docs" / "identity.md").read_text()
    for scheme in ID_SCHEMES:
        row = next(
            (line for line in identity.splitlines() if line.startswith(f"| `{scheme.name}` |")), ""
        )
        assert row, f"docs/identity.md has no row for {scheme.name}"
        labels = row.split(" | ")[1]
        every = scheme.labels == IDENTIFIABLE_LABELS and labels == "every identifiable label"
        assert every or labels == ", ".join(scheme.labels), (
            f"{scheme.name} identifies {scheme.labels}"
        )
        example = row.split(" | ")[2].strip("`").removesuffix("…")
        assert scheme.example.startswith(example), f"{scheme.name}'s example is {scheme.example}"
    assert "(docs/identity.md)" in README


def _javascript_function(source: str, name: str) -> str:
    """The text of `function NAME(…) { … }` in `source` (up to its closing brace at the start
    of a line), with double quotes spelled as single ones (the docs' style and the tests')."""
    found = re.search(rf"^function {name}\(.*?^\}}$", source, re.MULTILINE | re.DOTALL)
    assert found, f"no function {name}"
    return found.group(0).replace('"', "'")


def test_the_bookmark_recipes_in_the_docs_are_the_code_the_client_test_runs() -> None:
    """docs/graphql.md's Apollo link and urql fetch for read-your-writes are, to the quotes,
    the ones tests/clients/replicas.test.mjs runs against two replicas."""
    graphql_doc = (PROJECT_ROOT / "docs" / "graphql.md").read_text()
    client_test = (PROJECT_ROOT / "tests" / "clients" / "replicas.test.mjs").read_text()
    for name in ("bookmarkLink", "bookmarkFetch"):
        documented = _javascript_function(graphql_doc, name)
        assert documented == _javascript_function(client_test, name), name
