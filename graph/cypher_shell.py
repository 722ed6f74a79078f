"""`eventgraph cypher-shell`: Neo4j's own shell, fetched once from Maven Central, run on our Neo4j.

Neo4j publishes cypher-shell to Maven Central as `org.neo4j:cypher-shell` (entry point
`org.neo4j.shell.Main`) but no script to run it. Maven copies it and its jars into
`var/cypher-shell/<version>/lib` (git-ignored) the first time; every run after that is offline.
The shell gets the URI, user, password and database through the environment variables it
reads (`NEO4J_ADDRESS`, `NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`), so the
password never shows in `ps`; arguments given to it override them.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from eventgraph.graph.errors import SetupError
from eventgraph.graph.java import find_jdk, find_maven
from eventgraph.graph.settings import PROJECT_ROOT, Settings

CACHE = PROJECT_ROOT / "var" / "cypher-shell"
MAIN_CLASS = "org.neo4j.shell.Main"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <!-- Written by eventgraph to fetch cypher-shell and its jars; not a build. -->
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.eventgraph</groupId>
  <artifactId>cypher-shell-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>cypher-shell</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""


def shell_dir(settings: Settings) -> Path:
    """Where this Neo4j version's cypher-shell jars are kept (same version as the server)."""
    return CACHE / settings.neo4j_version


def ensure_cypher_shell(settings: Settings) -> Path:
    """The folder of cypher-shell's jars, fetched with Maven the first time only."""
    home = shell_dir(settings)
    if (home / "lib" / f"cypher-shell-{settings.neo4j_version}.jar").is_file():
        return home
    mvn = find_maven()
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{settings.neo4j_version}-", dir=CACHE))
    (staging / "pom.xml").write_text(_POM.format(version=settings.neo4j_version))
    command = [
        str(mvn),
        "-B",
        "-ntp",
        "-q",
        "-f",
        str(staging / "pom.xml"),
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        f"-DoutputDirectory={staging / 'lib'}",
        "-DincludeScope=runtime",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-10:])
        raise SetupError(
            f"Maven could not fetch cypher-shell {settings.neo4j_version} from Maven Central "
            f"(needed once; is Maven Central reachable?):\n{tail}"
        )
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    return home


def command_and_environment(
    settings: Settings, arguments: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The `java … org.neo4j.shell.Main ARGUMENTS` command line and its environment."""
    home = ensure_cypher_shell(settings)
    jdk = find_jdk(settings)
    command = [str(jdk.java), "-cp", str(home / "lib" / "*"), MAIN_CLASS, *arguments]
    environment = {
        **os.environ,
        "JAVA_HOME": str(jdk.home),
        "NEO4J_ADDRESS": settings.bolt_uri,
        "NEO4J_USERNAME": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
    }
    return command, environment
