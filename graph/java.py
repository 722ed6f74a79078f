"""Finding a JDK new enough for the chosen Neo4j, and Maven to build the launcher once."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from eventgraph.graph.errors import SetupError
from eventgraph.graph.settings import Settings

_VERSION_LINE = re.compile(r'version "(\d+)(?:\.(\d+))?')


@dataclass(frozen=True)
class Jdk:
    """An installed Java runtime: its `java` binary, home and major version."""

    java: Path
    home: Path
    major: int


def required_java(neo4j_version: str) -> int:
    """Neo4j 5.x runs on Java 17; the calendar releases (2025.01 on) need Java 21."""
    first = int(neo4j_version.split(".", 1)[0])
    return 17 if first < 2025 else 21


def java_major(java: Path) -> int | None:
    """The major version `java -version` reports, or None if it cannot be run."""
    try:
        completed = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_LINE.search(completed.stderr + completed.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def _candidates(settings: Settings) -> list[Path]:
    """Every `java` worth trying, in order of preference."""
    found: list[Path] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        found.append(Path(java_home) / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        found.append(Path(on_path))
    for folder in filter(None, settings.jdk_dirs.split(":")):
        root = Path(folder)
        if root.is_dir():
            found.extend(sorted(root.glob("*/bin/java"), reverse=True))
    unique: list[Path] = []
    for java in found:
        if java.exists() and java.resolve() not in {seen.resolve() for seen in unique}:
            unique.append(java)
    return unique


def find_jdk(settings: Settings) -> Jdk:
    """The JDK to run the launcher with, or a `SetupError` that says what to install."""
    needed = required_java(settings.neo4j_version)
    what = f"Java {needed} or newer is needed to run Neo4j {settings.neo4j_version}"
    if settings.java_home is not None:
        java = settings.java_home / "bin" / "java"
        major = java_major(java)
        if major is None:
            raise SetupError(f"{what}; EVENTGRAPH_JAVA_HOME={settings.java_home} holds no java.")
        if major < needed:
            raise SetupError(f"{what}; EVENTGRAPH_JAVA_HOME={settings.java_home} is Java {major}.")
        return Jdk(java=java, home=settings.java_home, major=major)
    seen: list[str] = []
    for java in _candidates(settings):
        major = java_major(java)
        if major is None:
            continue
        if major >= needed:
            return Jdk(java=java, home=java.resolve().parent.parent, major=major)
        seen.append(f"{java} is Java {major}")
    found = "; ".join(seen) if seen else "no java found on PATH, JAVA_HOME or EVENTGRAPH_JDK_DIRS"
    raise SetupError(
        f"{what} ({found}). Install a JDK {needed}+ or set EVENTGRAPH_JAVA_HOME, "
        "or set NEO4J_URI to use a Neo4j of your own."
    )


def find_maven() -> Path:
    """The `mvn` binary, needed once to build the launcher."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SetupError(
            "Maven (mvn) is needed once to build the local Neo4j launcher; install Maven 3.6+ "
            "or set NEO4J_URI to use a Neo4j of your own."
        )
    return Path(mvn)
