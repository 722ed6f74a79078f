"""The README stays true: every setting and every command it must mention is there."""

import re

from typer.main import get_command

from eventgraph.api.cli import app
from eventgraph.graph.settings import PROJECT_ROOT, Settings

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
