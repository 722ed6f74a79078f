"""What the benchmark ran on: the machine and the versions of everything measured."""

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from eventgraph.graph.settings import PROJECT_ROOT

REFERENCE_PACKAGES = PROJECT_ROOT / "bench" / "neo4j_graphql" / "node_modules"


def _first_line(command: list[str]) -> str | None:
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = completed.stdout.strip().splitlines()
    return lines[0] if completed.returncode == 0 and lines else None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, operating system, and how busy the machine was (the load
    average over the last 15 minutes: other work on it slows every side alike, but noisily)."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "load_average_15min": round(os.getloadavg()[2], 2),
    }


def package_version(name: str) -> str | None:
    """The installed version of one of the reference's npm packages (e.g. `@neo4j/graphql`)."""
    manifest = REFERENCE_PACKAGES / name / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def git_commit() -> str | None:
    """The commit measured, with `+changes` when the working tree differs from it."""
    commit = _first_line(["git", "rev-parse", "--short=12", "HEAD"])
    if commit is None:
        return None
    dirty = _first_line(["git", "status", "--porcelain", "--untracked-files=no"])
    return f"{commit}+changes" if dirty else commit


def versions(neo4j: str | None, apoc: str | None) -> dict[str, str | None]:
    """Python, Neo4j and APOC (as the server reports them), Node, the reference's packages, our
    commit."""
    return {
        "python": platform.python_version(),
        "neo4j": neo4j,
        "node": _first_line(["node", "--version"]),
        "@neo4j/graphql": package_version("@neo4j/graphql"),
        "@apollo/server": package_version("@apollo/server"),
        "neo4j-driver (reference)": package_version("neo4j-driver"),
        "apoc": apoc,
        "eventgraph": git_commit(),
    }
