"""The request being served, as the logs and metrics tell it (`api/observing.py` starts one
per request; the GraphQL router and the token check fill it in; `api/logs.py` reads its id).

A context variable: the request's task and the worker threads it hands work to
(`run_in_threadpool`, `asyncio.to_thread` copy the context) all see the same object.
"""

from contextvars import ContextVar


class RequestFacts:
    """One request as the logs and metrics tell it; filled in as the request goes."""

    __slots__ = ("operation", "request_id", "token")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.operation = ""
        """The GraphQL operation label (`api/metrics.py`'s `operation_label`), else empty."""
        self.token = ""
        """The name of the token the request was let in with (`anonymous` without one)."""


_current: ContextVar[RequestFacts | None] = ContextVar("eventgraph_request", default=None)


def current_request() -> RequestFacts | None:
    """The request being served in this context (None outside one)."""
    return _current.get()


def begin_request(facts: RequestFacts) -> None:
    """Make `facts` the current request's, for the rest of this context (the request's task)."""
    _current.set(facts)
