"""Running the real `eventgraph` console script, and finding free ports."""

import os
import socket
import subprocess
import sys
from pathlib import Path

EVENTGRAPH = Path(sys.executable).parent / "eventgraph"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(
    *args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `eventgraph ARGS` with the test environment plus `env`, minus the names in `drop`."""
    full_env = {key: value for key, value in os.environ.items() if key not in drop}
    full_env.update(env or {})
    return subprocess.run(
        [str(EVENTGRAPH), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
