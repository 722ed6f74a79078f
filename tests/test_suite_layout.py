"""The tests share helpers through helper modules (`tests/helpers.py`, `tests/counting.py`,
`tests/graph_store.py`) and fixtures through `conftest.py`, never by importing a test module or
conftest: a test module can then change alone, and pytest never imports one twice."""

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _shared_from(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) for every import of a test module or conftest in the tree."""
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = "." * node.level + (node.module or "")
            names = [base, *(f"{base}.{alias.name}".replace("..", ".") for alias in node.names)]
        for name in names:
            parts = [part for part in name.split(".") if part]
            inside = name.startswith(".") or parts[:1] == ["tests"]
            if inside and any(p == "conftest" or p.startswith("test_") for p in parts[-2:]):
                found.append((node.lineno, name))
                break
    return found


def test_no_test_module_imports_another_or_conftest() -> None:
    wrong = [
        f"{path.relative_to(TESTS.parent)}:{line}: imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        if "node_modules" not in path.parts
        for line, name in _shared_from(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert wrong == [], "move what is shared to a helper module or a fixture:\n" + "\n".join(wrong)


def test_the_check_sees_each_way_of_importing() -> None:
    for source in (
        "from tests.test_graphql import x",
        "import tests.test_graphql",
        "from tests import test_graphql",
        "from tests.conftest import wipe",
        "from .test_graphql import x",
        "def f():\n    from tests.test_graphql import x",
    ):
        assert _shared_from(ast.parse(source)), source
    for source in ("from tests.helpers import ask", "from tests import helpers", "import pytest"):
        assert not _shared_from(ast.parse(source)), source
