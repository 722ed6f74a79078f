"""The local Neo4j: build the embedded launcher once, start it in the background, stop it cleanly.

Used only when `NEO4J_URI` is unset. The launcher (`launcher/`, Java + Maven) runs Neo4j Community
embedded with Bolt on 127.0.0.1; its jars are cached per Neo4j version under
`EVENTGRAPH_LAUNCHER_CACHE`, so every start after the first is offline. The server's pid, port
and version are kept in `<EVENTGRAPH_NEO4J_HOME>/launcher.json`.
"""

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from eventgraph.graph.driver import ServerInfo, open_driver, server_info
from eventgraph.graph.errors import LocalNeo4jError, Unavailable
from eventgraph.graph.java import Jdk, find_jdk, find_maven
from eventgraph.graph.settings import PROJECT_ROOT, Settings

LAUNCHER_SOURCES = PROJECT_ROOT / "launcher"
MAIN_CLASS = "org.eventgraph.launcher.Main"
STOP_TIMEOUT_S = 120.0

Report = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class LauncherState:
    """What the pid file records about a running local Neo4j."""

    pid: int
    port: int
    version: str


@dataclass(frozen=True)
class LocalStatus:
    """`eventgraph neo4j status`: is the local process alive, and does Bolt answer."""

    uri: str
    process: LauncherState | None
    server: ServerInfo | None
    reason: str | None


def state_file(settings: Settings) -> Path:
    return settings.neo4j_home / "launcher.json"


def launcher_log(settings: Settings) -> Path:
    return settings.neo4j_home / "logs" / "launcher.log"


# ---- the process ---------------------------------------------------------------------------


def _is_alive(pid: int) -> bool:
    """True if `pid` runs and is not a zombie (reaping it if it is our child)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    return True


def _command_line(pid: int) -> str:
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.exists():
        try:
            return proc.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""
    completed = subprocess.run(
        ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return completed.stdout


def _is_our_launcher(pid: int, settings: Settings) -> bool:
    """The pid runs our launcher on this data home (not a recycled pid of something else)."""
    if not _is_alive(pid):
        return False
    command = _command_line(pid)
    return MAIN_CLASS in command and str(settings.neo4j_home.resolve()) in command


def running_launcher(settings: Settings) -> LauncherState | None:
    """The launcher recorded in the pid file, if it still runs; a stale file is removed."""
    path = state_file(settings)
    try:
        state = LauncherState(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        path.unlink(missing_ok=True)
        return None
    if _is_our_launcher(state.pid, settings):
        return state
    path.unlink(missing_ok=True)
    return None


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# ---- the build -----------------------------------------------------------------------------


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([LAUNCHER_SOURCES / "pom.xml", *LAUNCHER_SOURCES.rglob("*.java")]):
        digest.update(path.relative_to(LAUNCHER_SOURCES).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def launcher_dir(settings: Settings) -> Path:
    return settings.launcher_cache / settings.neo4j_version


def _is_built(build: Path) -> bool:
    stamp = build / "built-from.sha256"
    return stamp.exists() and stamp.read_text().strip() == _sources_digest()


def ensure_launcher(settings: Settings, jdk: Jdk, report: Report = _quiet) -> Path:
    """Build the launcher and fetch its Neo4j jars once per version; later calls are offline."""
    build = launcher_dir(settings)
    if _is_built(build):
        return build
    mvn = find_maven()
    report(
        f"Building the Neo4j {settings.neo4j_version} launcher with Maven "
        "(first start only; downloads about 125 MB from Maven Central)…"
    )
    settings.launcher_cache.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{settings.neo4j_version}-", dir=settings.launcher_cache)
    )
    log = staging.with_suffix(".log")
    command = [
        str(mvn),
        "-B",
        "-ntp",
        "-q",
        "-f",
        str(LAUNCHER_SOURCES / "pom.xml"),
        f"-Dneo4j.version={settings.neo4j_version}",
        f"-Dlauncher.build.dir={staging}",
        "package",
    ]
    env = {**os.environ, "JAVA_HOME": str(jdk.home)}
    with log.open("w") as out:
        completed = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, check=False
        )
    if completed.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        shutil.rmtree(staging, ignore_errors=True)
        raise LocalNeo4jError(
            f"Maven could not build the launcher for Neo4j {settings.neo4j_version} "
            f"(is that version on Maven Central?). Full log: {log}\n{tail}"
        )
    (staging / "built-from.sha256").write_text(_sources_digest())
    shutil.rmtree(build, ignore_errors=True)
    staging.rename(build)
    log.unlink(missing_ok=True)
    return build


def _jvm_options(settings: Settings, jdk: Jdk, max_heap: str | None) -> list[str]:
    heap = (
        [f"-Xmx{max_heap}"]
        if max_heap
        else [f"-Xms{settings.neo4j_heap}", f"-Xmx{settings.neo4j_heap}"]
    )
    options = [
        *heap,
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dfile.encoding=UTF-8",
        # Neo4j's page cache logs a fallback warning without reflective access to DirectByteBuffer.
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
    ]
    if jdk.major >= 21:
        options.append("--enable-native-access=ALL-UNNAMED")  # JNA, used by Neo4j for native IO
    if jdk.major >= 24:
        options.append("--sun-misc-unsafe-memory-access=allow")
    return options


def java_command(
    settings: Settings,
    jdk: Jdk,
    main_class: str,
    arguments: list[str],
    report: Report = _quiet,
    max_heap: str | None = None,
) -> list[str]:
    """The command that runs `main_class` from the launcher's classpath (Neo4j's jars, the
    launcher's own, and <home>/plugins) with our JVM options; builds the launcher if need be.
    The heap is the server's (`EVENTGRAPH_NEO4J_HEAP`, fixed) unless `max_heap` caps it."""
    build = ensure_launcher(settings, jdk, report)
    # Like Neo4j's own start script, jars in <home>/plugins go on the classpath too: Neo4j loads
    # their procedures from there, but plugin extensions (APOC's config) only from the classpath.
    plugins = settings.neo4j_home.resolve() / "plugins" / "*"
    classpath = os.pathsep.join(
        [str(build / "launcher.jar"), str(build / "lib" / "*"), str(plugins)]
    )
    return [
        str(jdk.java),
        *_jvm_options(settings, jdk, max_heap),
        "-cp",
        classpath,
        main_class,
        *arguments,
    ]


# ---- start / stop / status -----------------------------------------------------------------


def start(settings: Settings, report: Report = _quiet) -> bool:
    """Start the local Neo4j and wait until Bolt answers; False if it was already running."""
    if running_launcher(settings) is not None:
        return False
    if not _port_is_free(settings.neo4j_port):
        raise LocalNeo4jError(
            f"Port {settings.neo4j_port} on 127.0.0.1 is taken by another process, so the local "
            "Neo4j cannot listen there. Stop that process or set EVENTGRAPH_NEO4J_PORT."
        )
    log = launcher_log(settings)
    log.parent.mkdir(parents=True, exist_ok=True)
    jdk = find_jdk(settings)
    command = java_command(
        settings,
        jdk,
        MAIN_CLASS,
        [str(settings.neo4j_home.resolve()), str(settings.neo4j_port), settings.neo4j_pagecache],
        report,
    )
    report(f"Starting Neo4j {settings.neo4j_version} on {settings.bolt_uri} (Java {jdk.major})…")
    env = {**os.environ, "EVENTGRAPH_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}
    log_offset = log.stat().st_size if log.exists() else 0
    with log.open("a") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            cwd=settings.neo4j_home,
        )
    state = LauncherState(pid=process.pid, port=settings.neo4j_port, version=settings.neo4j_version)
    state_file(settings).write_text(json.dumps(asdict(state)))
    try:
        _wait_for_bolt(settings, process, log_offset)
    except BaseException:
        if process.poll() is None:
            _terminate(process.pid, timeout=STOP_TIMEOUT_S)
        state_file(settings).unlink(missing_ok=True)
        raise
    return True


def _log_tail(settings: Settings, log_offset: int, lines: int = 8) -> str:
    """The launcher's own verdict lines from this start, or the last lines of its log."""
    try:
        with launcher_log(settings).open("rb") as log:
            log.seek(log_offset)
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return ""
    all_lines = [line for line in text.splitlines() if line.strip()]
    verdict = [line for line in all_lines if line.startswith("eventgraph-launcher:")]
    return "\n".join((verdict or all_lines)[-lines:])


READY_MARKER = "eventgraph-launcher: Neo4j "
"""The launcher prints this once the password is set, so Bolt is not probed with a stale one
(Neo4j locks a user out for a few seconds after repeated failed logins)."""


def _wait_for_bolt(settings: Settings, process: "subprocess.Popen[bytes]", log_offset: int) -> None:
    deadline = time.monotonic() + settings.neo4j_start_timeout
    with open_driver(settings) as driver:
        while True:
            if process.poll() is not None:
                raise LocalNeo4jError(
                    f"The local Neo4j exited during start-up (exit code {process.returncode}). "
                    f"Log: {launcher_log(settings)}\n{_log_tail(settings, log_offset)}"
                )
            if not _printed_ready(settings, log_offset):
                if time.monotonic() > deadline:
                    raise LocalNeo4jError(
                        f"The local Neo4j did not come up within {settings.neo4j_start_timeout:.0f}"
                        f" s. Log: {launcher_log(settings)}\n{_log_tail(settings, log_offset)}"
                    )
                time.sleep(0.3)
                continue
            try:
                server_info(driver, settings)
                return
            except Unavailable as error:
                if time.monotonic() > deadline:
                    raise LocalNeo4jError(
                        f"The local Neo4j did not answer on {settings.bolt_uri} within "
                        f"{settings.neo4j_start_timeout:.0f} s ({error}). "
                        f"Log: {launcher_log(settings)}"
                    ) from None
            time.sleep(0.5)


def _printed_ready(settings: Settings, log_offset: int) -> bool:
    with launcher_log(settings).open("rb") as log:
        log.seek(log_offset)
        return READY_MARKER.encode() in log.read()


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM and wait for a clean shutdown; True if the process ended in time."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_alive(pid):
            return True
        time.sleep(0.2)
    return False


def stop(settings: Settings, report: Report = _quiet) -> bool:
    """Stop the local Neo4j and wait for its clean shutdown; False if it was not running."""
    state = running_launcher(settings)
    if state is None:
        return False
    report(f"Stopping Neo4j (pid {state.pid}) and waiting for a clean shutdown…")
    if not _terminate(state.pid, timeout=STOP_TIMEOUT_S):
        raise LocalNeo4jError(
            f"The local Neo4j (pid {state.pid}) did not stop within {STOP_TIMEOUT_S:.0f} s. "
            f"See {launcher_log(settings)}; `kill -9 {state.pid}` ends it (the next start "
            "then recovers the store)."
        )
    state_file(settings).unlink(missing_ok=True)
    return True


def status(settings: Settings) -> LocalStatus:
    """Whether the configured Neo4j (local or not) answers, and which version it is."""
    process = running_launcher(settings) if settings.uses_local_neo4j else None
    try:
        with open_driver(settings) as driver:
            return LocalStatus(settings.bolt_uri, process, server_info(driver, settings), None)
    except Unavailable as error:
        return LocalStatus(settings.bolt_uri, process, None, str(error))
