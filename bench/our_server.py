"""Our API as users run it: `eventgraph serve` (uvicorn, uvloop, httptools; one process, or
`--workers N`) in production mode, in a subprocess against the benchmark's Neo4j."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from eventgraph.graph.settings import Settings

EVENTGRAPH = Path(sys.executable).parent / "eventgraph"
READY_TIMEOUT_S = 60.0


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment that points eventgraph at `settings`' local Neo4j (never a NEO4J_URI)."""
    env = {key: value for key, value in os.environ.items() if key != "NEO4J_URI"}
    env.update(
        EVENTGRAPH_NEO4J_PORT=str(settings.neo4j_port),
        EVENTGRAPH_NEO4J_HOME=str(settings.neo4j_home),
        NEO4J_USER=settings.neo4j_user,
        NEO4J_PASSWORD=settings.neo4j_password.get_secret_value(),
        NEO4J_DATABASE=settings.neo4j_database,
    )
    return env


class OurServer:
    """`eventgraph serve --workers N` (1: one process) on a free port; `.url` is its GraphQL
    endpoint. Its log goes to `log_path`, which the error says when it does not come up."""

    def __init__(
        self, settings: Settings, log_path: Path, port: int | None = None, workers: int = 1
    ) -> None:
        self.settings = settings
        self.workers = workers
        self.port = port or free_port()
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "OurServer":
        env = settings_environment(self.settings)
        env["EVENTGRAPH_PRODUCTION"] = "true"
        env["EVENTGRAPH_ANONYMOUS_READ"] = "false"
        env["EVENTGRAPH_ACCESS_LOG"] = "false"  # as Apollo: no line per request
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    *(str(EVENTGRAPH), "serve", "--host", "127.0.0.1", "--port", str(self.port)),
                    *("--workers", str(self.workers)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_ready(self) -> None:
        ready = f"http://127.0.0.1:{self.port}/ready"
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"eventgraph serve exited with code {self._process.returncode}; "
                    f"see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(ready, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"eventgraph serve was not ready in {READY_TIMEOUT_S:.0f} s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
