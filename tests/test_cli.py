"""The `eventgraph` console script as a new user meets it: version, help in words, `serve`."""

import re
import socket

import httpx
import pytest
from typer.main import get_command

from eventgraph.api.cli import app
from eventgraph.graph import __version__
from tests.helpers import eventgraph_serve, free_port, run_cli


def _commands() -> list[list[str]]:
    """Every command and group, as the words that name it (`[]` is eventgraph itself)."""
    found: list[list[str]] = [[]]
    for name, command in getattr(get_command(app), "commands", {}).items():
        found.append([name])
        found.extend([name, sub] for sub in getattr(command, "commands", {}))
    return found


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = run_cli(flag)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"eventgraph {__version__}"


PYTHON_TYPES = re.compile(r"<\w+(\[.*?\])?>|\blist\[|\b(str|int|bool|Path|float)\b")


@pytest.mark.parametrize("words", _commands(), ids=lambda words: " ".join(words) or "eventgraph")
def test_help_is_in_words(words: list[str]) -> None:
    short = run_cli(*words, "-h")
    assert short.returncode == 0, short.stderr
    assert short.stdout == run_cli(*words, "--help").stdout
    assert "Usage: eventgraph" in short.stdout
    assert not PYTHON_TYPES.search(short.stdout), short.stdout


def test_import_help_names_its_arguments() -> None:
    text = run_cli("import", "-h").stdout
    assert "Usage: eventgraph import [OPTIONS] PATH..." in text
    assert "--batch-size N" in text


def _get(url: str) -> int:
    return httpx.get(url, timeout=10).status_code


def test_serve_announces_every_route_once_it_answers() -> None:
    port = free_port()
    with eventgraph_serve({"EVENTGRAPH_ACCESS_LOG": "false"}, "--port", str(port)) as server:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith(f"eventgraph {__version__} serves"), first
        assert _get(f"http://127.0.0.1:{port}/health") == 200  # bound and serving already
        lines = [server.stdout.readline()]
        while "/health " not in lines[-1] and len(lines) < 10:  # the last one listed
            lines.append(server.stdout.readline())
        for path in ("/", "/graphql", "/cypher", "/docs", "/metrics", "/ready", "/health"):
            assert any(f"http://127.0.0.1:{port}{path} " in line for line in lines), lines


def test_serve_reads_its_port_from_the_environment() -> None:
    port = free_port()
    with eventgraph_serve({"EVENTGRAPH_PORT": str(port)}) as server:
        assert server.stdout is not None
        server.stdout.readline()
        assert _get(f"http://127.0.0.1:{port}/health") == 200


def test_serve_on_a_port_in_use_is_one_error_and_no_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is in use by another program: stop it, or serve on "
        "another port (--port, EVENTGRAPH_PORT, or `make run PORT=…`)"
    )
