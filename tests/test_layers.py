"""The layers stay layers: graph/ below api/, graph/ free of GraphQL and HTTP, no import cycles
(the contracts in pyproject.toml, checked by import-linter), and no Cypher, session or
`execute_query` in api/ (every statement runs through `graph/executor.py`)."""

import ast
import re
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from eventgraph.graph.settings import PROJECT_ROOT

CYPHER = re.compile(
    r"\b(OPTIONAL MATCH|MATCH|MERGE|UNWIND|DETACH DELETE)\s*[($]|\bRETURN\s+\w+\s+AS\b"
    r"|\bCALL\s*(\(|\{|db\.|dbms\.)"
)
"""Cypher text, as statements hold it (not the words in a sentence)."""
DRIVER_CALLS = {"session", "execute_query", "execute_read", "execute_write", "begin_transaction"}


def test_the_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    kept = lint_imports(str(PROJECT_ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert kept == 0, capsys.readouterr().out


def _api_modules() -> list[Path]:
    return sorted((PROJECT_ROOT / "api").rglob("*.py"))


def test_api_holds_no_cypher_and_opens_no_session() -> None:
    found = []
    for path in _api_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(PROJECT_ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if CYPHER.search(node.value):
                    found.append(f"{where}: Cypher text {node.value[:60]!r}")
            elif isinstance(node, ast.Attribute) and node.attr in DRIVER_CALLS:
                found.append(f"{where}: .{node.attr}")
    assert not found, "\n".join(found)


def test_the_cypher_check_sees_cypher() -> None:
    statements = [
        "MATCH (e:Event) RETURN max(e.updated_at) AS at",
        "OPTIONAL MATCH (n {id: $key}) RETURN n",
        "UNWIND $rows AS row MERGE (n:Actor {id: row.id})",
        "CALL db.index.fulltext.queryNodes('entity_names', $text)",
    ]
    assert all(CYPHER.search(statement) for statement in statements)
    prose = "Events that match the filter; return a page as the client asks for it."
    assert not CYPHER.search(prose)
