"""Missing or old Java, missing Maven, a taken port: one clear line, nothing half-started."""

import os
import socket
from pathlib import Path

from eventgraph.graph.java import find_jdk, required_java
from eventgraph.graph.settings import Settings
from tests.helpers import free_port, run_cli


def _isolated_env(tmp_path: Path, path: str) -> dict[str, str]:
    return {
        "PATH": path,
        "EVENTGRAPH_JDK_DIRS": str(tmp_path / "no-jdks"),
        "EVENTGRAPH_NEO4J_PORT": str(free_port()),
        "EVENTGRAPH_NEO4J_HOME": str(tmp_path / "neo4j"),
        "EVENTGRAPH_LAUNCHER_CACHE": str(tmp_path / "launcher-cache"),
    }


_DROP = ("NEO4J_URI", "JAVA_HOME", "EVENTGRAPH_JAVA_HOME")


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_java_missing_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("neo4j", "start", env=_isolated_env(tmp_path, "/nonexistent"), drop=_DROP)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert f"Java {required_java(Settings().neo4j_version)} or newer is needed" in line
    assert "EVENTGRAPH_JAVA_HOME" in line
    assert not (tmp_path / "neo4j" / "launcher.json").exists()


def test_java_too_old_names_the_version_found(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_java = bin_dir / "java"
    fake_java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    fake_java.chmod(0o755)
    result = run_cli("neo4j", "start", env=_isolated_env(tmp_path, str(bin_dir)), drop=_DROP)
    assert result.returncode == 2
    assert "is Java 11" in _one_line(result.stderr)


def test_maven_missing_when_the_launcher_must_be_built(tmp_path: Path) -> None:
    settings = Settings()
    java = find_jdk(settings).java
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    result = run_cli("neo4j", "start", env=_isolated_env(tmp_path, str(bin_dir)), drop=_DROP)
    assert result.returncode == 2
    assert "Maven (mvn) is needed" in _one_line(result.stderr)
    assert not any((tmp_path / "launcher-cache").glob("*/launcher.jar"))


def test_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {**_isolated_env(tmp_path, os.environ["PATH"]), "EVENTGRAPH_NEO4J_PORT": str(port)}
        result = run_cli("neo4j", "start", env=env, drop=_DROP)
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is taken" in _one_line(result.stderr)
    assert not (tmp_path / "neo4j" / "launcher.json").exists()


def test_calendar_releases_need_java_21() -> None:
    assert required_java("5.26.30") == 17
    assert required_java("2025.01.0") == 21
    assert required_java("2026.08.1") == 21
