"""The distribution installs one import name: `eventgraph` (its `graph` and `api` packages inside).

A user's own `graph` or `api` module must not be shadowed by ours, so both bare names find
nothing of eventgraph's from outside the repository.
"""

import subprocess
import sys
from pathlib import Path


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_bare_graph_and_api_are_not_ours(tmp_path: Path) -> None:
    for name in ("graph", "api"):
        found = _python(f"import {name}", tmp_path)
        assert found.returncode != 0, f"`import {name}` found {found.stdout!r}"
        assert f"No module named '{name}'" in found.stderr


def test_eventgraph_names_its_layers(tmp_path: Path) -> None:
    found = _python(
        "import eventgraph.graph.ontology as o, eventgraph.api.app as a, eventgraph.api.cli as c;"
        "print(o.__name__, a.__name__, c.main.__module__)",
        tmp_path,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == [
        "eventgraph.graph.ontology",
        "eventgraph.api.app",
        "eventgraph.api.cli",
    ]
