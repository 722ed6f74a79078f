"""`eventgraph serve` when its app cannot start: `AppNotStarted`, told as one line and the
command line's failure code, never a hang or a traceback (`api/serving.py`, `api/errors.py`)."""

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI

from eventgraph.api import serving
from eventgraph.api.errors import AppNotStarted, Exit, answer_of
from eventgraph.graph.settings import Settings


@asynccontextmanager
async def _refusing_start(app: FastAPI) -> AsyncIterator[None]:
    raise RuntimeError("this app refuses to start")
    yield  # pragma: no cover - never reached


def test_serve_raises_app_not_started_when_the_app_fails_its_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serving, "serving_app", lambda: FastAPI(lifespan=_refusing_start))
    announced: list[bool] = []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(AppNotStarted, match="did not start"):
            serving.serve(sock, Settings(), 1, lambda: announced.append(True))
    assert announced == []
    answer = answer_of(AppNotStarted("x"))
    assert answer.exit == Exit.FAILED
    assert answer.route == "EventGraph.Internal"
