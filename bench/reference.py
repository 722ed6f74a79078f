"""The @neo4j/graphql reference: its npm packages, the APOC plugin it needs, its server.

`ReferenceServer(settings)` runs `bench/neo4j_graphql/server.mjs` (Node 20+, packages pinned by
its package-lock.json, installed with `npm ci` only when the lock file changed) against the
Neo4j of `settings`, on a free port of 127.0.0.1, and stops it on exit. @neo4j/graphql needs the
APOC core plugin in that Neo4j; eventgraph itself never does, so `install_apoc(home)` puts it in
one Neo4j home's `plugins/` only (the benchmark's), before that Neo4j starts.

Failures raise `ReferenceSetupError` (exit code 2: Node, npm or Maven missing or failing) or
`ReferenceServerError` (the server did not come up), each one message saying what to do.
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from neo4j import Driver
from neo4j.exceptions import ClientError

from bench.our_server import free_port
from eventgraph.graph.errors import EventGraphError, SetupError
from eventgraph.graph.java import find_maven
from eventgraph.graph.settings import PROJECT_ROOT, Settings

REFERENCE_DIR = Path(__file__).resolve().parent / "neo4j_graphql"
APOC_POM = REFERENCE_DIR / "apoc" / "pom.xml"
APOC_CACHE = PROJECT_ROOT / "var" / "bench" / "plugins"
"""The plugin's jars as Maven fetched them, once; copied from here into each home that needs it."""
INSTALLED_RECORD = ".bench-apoc.json"
"""In a home's plugins/: the jars `install_apoc` put there (and may replace)."""
LOG_DIR = PROJECT_ROOT / "var" / "bench"

NODE_MAJOR = 20
READY_LINE = "neo4j-graphql reference ready at"
"""What server.mjs prints once it listens (after checking Neo4j and APOC)."""
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
_MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"


class ReferenceSetupError(SetupError):
    """Node.js, npm or Maven is missing, too old, or failed to install what the reference needs."""


class ReferenceServerError(EventGraphError):
    """The reference server exited or did not answer in time."""


# ---- npm packages --------------------------------------------------------------------------


def find_node() -> tuple[Path, Path]:
    """`node` (20 or newer) and `npm`, or a message saying what to install."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise ReferenceSetupError(
            f"Node.js {NODE_MAJOR}+ with npm is needed for the @neo4j/graphql reference of the "
            "benchmarks; install it (https://nodejs.org) and put node and npm on PATH."
        )
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    found = re.match(r"v(\d+)\.", version)
    if found is None or int(found.group(1)) < NODE_MAJOR:
        raise ReferenceSetupError(
            f"The @neo4j/graphql reference needs Node.js {NODE_MAJOR}+, but {node} is "
            f"{version or 'of unknown version'}; install a newer one first on PATH."
        )
    return Path(node), Path(npm)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def install_packages(npm: Path) -> None:
    """`npm ci` into bench/neo4j_graphql/node_modules, unless this lock file is installed."""
    stamp = (
        REFERENCE_DIR
        / "node_modules"
        / f".installed-{_digest(REFERENCE_DIR / 'package-lock.json')}"
    )
    if stamp.exists():
        return
    completed = subprocess.run(
        [str(npm), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=REFERENCE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise ReferenceSetupError(
            "npm could not install the @neo4j/graphql reference's packages (is the npm registry "
            f"reachable?):\n{_tail(completed.stdout + completed.stderr)}"
        )
    stamp.touch()  # npm ci emptied node_modules first, so older stamps are gone


# ---- the APOC plugin -----------------------------------------------------------------------


def fetch_apoc() -> list[Path]:
    """APOC core and its dependencies (bench/neo4j_graphql/apoc/pom.xml) in APOC_CACHE."""
    stamp = APOC_CACHE / f".fetched-{_digest(APOC_POM)}"
    if not stamp.exists():
        shutil.rmtree(APOC_CACHE, ignore_errors=True)
        completed = subprocess.run(
            [
                str(find_maven()),
                "-B",
                "-q",
                "-ntp",
                "-f",
                str(APOC_POM),
                f"{_MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={APOC_CACHE}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise ReferenceSetupError(
                "Maven could not fetch the APOC core plugin from Maven Central (is it "
                f"reachable?):\n{_tail(completed.stdout + completed.stderr)}"
            )
        stamp.touch()
    return sorted(APOC_CACHE.glob("*.jar"))


def install_apoc(neo4j_home: Path) -> bool:
    """Put the APOC plugin in `<neo4j_home>/plugins`; True if that changed anything (a Neo4j
    running on that home loads plugins when it starts, so it must be restarted then)."""
    jars = fetch_apoc()
    plugins = neo4j_home / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    record = plugins / INSTALLED_RECORD
    installed = set(json.loads(record.read_text())) if record.exists() else set()
    wanted = {jar.name for jar in jars}
    changed = False
    for stale in installed - wanted:  # another version would load beside the new one
        (plugins / stale).unlink(missing_ok=True)
        changed = True
    for jar in jars:
        target = plugins / jar.name
        if not target.exists() or _digest(target) != _digest(jar):
            shutil.copy2(jar, target)
            changed = True
    record.write_text(json.dumps(sorted(wanted)))
    return changed


def apoc_version(driver: Driver, database: str) -> str | None:
    """The APOC version a running Neo4j has loaded, or None without APOC."""
    try:
        records = driver.execute_query("RETURN apoc.version() AS version", database_=database)[0]
    except ClientError:
        return None
    return str(records[0]["version"])


# ---- the server ----------------------------------------------------------------------------


def reference_environment(settings: Settings, port: int) -> dict[str, str]:
    """server.mjs's environment: the Neo4j of `settings`, production mode, no debug output."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "NODE_OPTIONS")}
    env.update(
        NEO4J_URI=settings.bolt_uri,
        NEO4J_USER=settings.neo4j_user,
        NEO4J_PASSWORD=settings.neo4j_password.get_secret_value(),
        NEO4J_DATABASE=settings.neo4j_database,
        PORT=str(port),
        NODE_ENV="production",
    )
    return env


class ReferenceServer:
    """The @neo4j/graphql reference on 127.0.0.1: `with ReferenceServer(settings) as server:`
    then POST GraphQL to `server.url`. Its output goes to `log_path`."""

    def __init__(
        self, settings: Settings, port: int | None = None, log_path: Path | None = None
    ) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path or LOG_DIR / "reference.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "ReferenceServer":
        node, npm = find_node()
        install_packages(npm)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [str(node), "server.mjs"],
                cwd=REFERENCE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=reference_environment(self.settings, self.port),
            )
        try:
            self._wait_until_ready(self._process)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self, process: "subprocess.Popen[bytes]") -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ReferenceServerError(
                    f"The @neo4j/graphql reference exited (code {process.returncode}) while "
                    f"starting against {self.settings.bolt_uri}. Log: {self.log_path}\n"
                    f"{_tail(self._log_text())}"
                )
            if READY_LINE in self._log_text() and self._answers():
                return
            time.sleep(0.2)
        raise ReferenceServerError(
            f"The @neo4j/graphql reference did not answer on {self.url} within "
            f"{START_TIMEOUT_S:.0f} s. Log: {self.log_path}\n{_tail(self._log_text())}"
        )

    def _answers(self) -> bool:
        """A `{ __typename }` query (which no introspection switch refuses) returns data."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request(
                "POST",
                "/",
                body=json.dumps({"query": "{ __typename }"}),
                headers={"content-type": "application/json"},
            )
            body: dict[str, Any] = json.loads(connection.getresponse().read())
        except (OSError, ValueError, http.client.HTTPException):
            return False
        finally:
            connection.close()
        return body.get("data") == {"__typename": "Query"}

    def _log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        """SIGTERM (the server closes its connections and driver), SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# ---- the reference's answers ---------------------------------------------------------------


def search_hits(data: dict[str, Any], first: int) -> list[dict[str, Any]]:
    """The `Search` answer as a frontend shows it: every type's hits, best `first` by score.

    The library searches one type per root field, so the client merges them; the full-text
    scores come from the same index and query, so they rank across types as ours do."""
    hits = [edge for field in data.values() for edge in field["edges"]]
    hits.sort(key=lambda edge: -float(edge["score"]))
    return hits[:first]
