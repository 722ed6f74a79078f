"""The local Neo4j's life, through the real `eventgraph neo4j` commands, on its own port and data.

One throwaway server per module: start, start again, stop, stop again, restart without
recovery, kill -9 and restart with the data intact, and an API that recovers by itself.
"""

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eventgraph.api.app import create_app
from eventgraph.graph.driver import open_driver
from eventgraph.graph.local_neo4j import running_launcher, state_file
from eventgraph.graph.settings import Settings
from tests.graph_store import claim_for_tests
from tests.helpers import run_cli, throwaway_neo4j

pytestmark = pytest.mark.lifecycle


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    variables = throwaway_neo4j(tmp_path_factory.mktemp("lifecycle") / "neo4j")
    yield variables
    run_cli("neo4j", "stop", env=variables, drop=("NEO4J_URI",))


def _settings(env: dict[str, str]) -> Settings:
    return Settings(
        neo4j_uri=None,
        neo4j_port=int(env["EVENTGRAPH_NEO4J_PORT"]),
        neo4j_home=Path(env["EVENTGRAPH_NEO4J_HOME"]),
    )


RECOVERY_DONE = "Recovery completed"
"""What Neo4j's debug.log says after replaying transactions on a store that was not shut down."""


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = run_cli(*args, env=env, drop=("NEO4J_URI",))
    return result.returncode, result.stdout + result.stderr


def _count_probes(settings: Settings) -> int:
    with open_driver(settings) as driver:
        records = driver.execute_query("MATCH (p:LifecycleProbe) RETURN count(p) AS n")[0]
    return int(records[0]["n"])


def _debug_log_since(settings: Settings, offset: int) -> str:
    with (settings.neo4j_home / "logs" / "debug.log").open() as log:
        log.seek(offset)
        return log.read()


def test_start_status_and_start_again(env: dict[str, str]) -> None:
    code, output = _cli(env, "neo4j", "start")
    assert code == 0, output
    assert "is up on bolt://127.0.0.1:" in output

    code, output = _cli(env, "neo4j", "status")
    assert code == 0, output
    assert "version: Neo4j 5.26." in output or "version: Neo4j 20" in output
    assert "status:  up" in output
    assert f"uri:     bolt://127.0.0.1:{env['EVENTGRAPH_NEO4J_PORT']}" in output

    code, output = _cli(env, "neo4j", "start")
    assert code == 0
    assert "already running" in output


def test_transaction_logs_are_kept_to_a_bounded_size(env: dict[str, str]) -> None:
    """Not Neo4j's two days of logs, which repeated imports grew by gigabytes an hour."""
    with open_driver(_settings(env)) as driver:
        records = driver.execute_query(
            "SHOW SETTINGS YIELD name, value "
            "WHERE name = 'db.tx_log.rotation.retention_policy' RETURN value"
        )[0]
    assert [record["value"] for record in records] == ["512M size"]


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
"""127.0.0.1 and ::1 as /proc/net/tcp{,6} spell them (v4, v4-mapped v6, v6)."""


def test_bolt_listens_on_loopback_only(env: dict[str, str]) -> None:
    settings = _settings(env)
    assert running_launcher(settings) is not None
    port_hex = f"{settings.neo4j_port:04X}"
    listeners = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local.endswith(f":{port_hex}"):  # 0A: LISTEN
                listeners.add(local.rsplit(":", 1)[0])
    assert listeners
    assert listeners <= LOOPBACK, f"Bolt listens beyond loopback: {listeners}"


def test_clean_stop_needs_no_recovery_and_keeps_data(env: dict[str, str]) -> None:
    settings = _settings(env)
    with open_driver(settings) as driver:
        claim_for_tests(driver, "neo4j")
        driver.execute_query("CREATE (:LifecycleProbe {at: 'before clean stop'})")

    code, output = _cli(env, "neo4j", "stop")
    assert code == 0
    assert "stopped cleanly" in output
    assert not state_file(settings).exists()
    code, output = _cli(env, "neo4j", "stop")
    assert code == 0
    assert "not running" in output
    code, output = _cli(env, "neo4j", "status")
    assert code == 3
    assert "status:  down" in output

    offset = (settings.neo4j_home / "logs" / "debug.log").stat().st_size
    code, output = _cli(env, "neo4j", "start")
    assert code == 0, output
    assert RECOVERY_DONE not in _debug_log_since(settings, offset)
    assert _count_probes(settings) == 1


def test_kill_9_then_start_recovers_and_the_api_reconnects(env: dict[str, str]) -> None:
    settings = _settings(env)
    with open_driver(settings) as driver:
        driver.execute_query("CREATE (:LifecycleProbe {at: 'before kill -9'})")
    state = running_launcher(settings)
    assert state is not None

    offset = (settings.neo4j_home / "logs" / "debug.log").stat().st_size
    with TestClient(create_app(settings)) as client:
        assert client.get("/ready").status_code == 200

        os.kill(state.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while running_launcher(settings) is not None and time.monotonic() < deadline:
            time.sleep(0.2)

        down = client.get("/ready")
        assert down.status_code == 503
        assert settings.bolt_uri in down.json()["reason"]
        assert client.get("/health").status_code == 200

        code, output = _cli(env, "neo4j", "start")
        assert code == 0, output
        assert client.get("/ready").status_code == 200
    assert RECOVERY_DONE in _debug_log_since(settings, offset)
    assert _count_probes(settings) == 2


def test_stale_pid_file_is_handled(env: dict[str, str]) -> None:
    settings = _settings(env)
    code, _ = _cli(env, "neo4j", "stop")
    assert code == 0
    state_file(settings).write_text('{"pid": 999999, "port": 1, "version": "5.26.30"}')
    code, output = _cli(env, "neo4j", "start")
    assert code == 0, output
    assert "is up" in output
    assert running_launcher(settings) is not None
