"""How `eventgraph serve` writes its log: one line per record, on standard error, as text or JSON
(`EVENTGRAPH_LOG_FORMAT`).

Text is the default: `make run` and `eventgraph serve` are most often read by a person at a
terminal. JSON is one object a line for a log collector. Both give every line the time (UTC),
the level and, while a request is served, its request id (`api/request_facts.py`), so that a
traceback ties to the access line of the request that raised it. uvicorn's own lines go the same
way; its access log is off, `api/observing.py` writes ours.

A JSON line also names the process that wrote it (`pid`: which worker, with `serve --workers`).
An access line holds: time, level, logger, message, request_id, method, route, path (no query
string), operation, status, duration_ms and token (the token's name). Never a token, a
password, a query or its variables.
"""

import logging
import sys
import time
from typing import Any, Literal

import orjson

from eventgraph.api.request_facts import current_request

_last_second: tuple[int, str] = (-1, "")
"""The last second formatted, and its text: most lines share their second with the one before."""


def _utc(created: float) -> str:
    """ISO 8601 in UTC with milliseconds: `2026-12-02T17:40:01.123Z`."""
    global _last_second
    milliseconds = int(created * 1000)
    second, text = _last_second
    if second != milliseconds // 1000:
        second = milliseconds // 1000
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _last_second = (second, text)
    return f"{text}.{milliseconds % 1000:03d}Z"


class JSONFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker (`serve --workers`)
        }
        facts = current_request()
        if facts is not None:
            line["request_id"] = facts.request_id
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            line.update(access)
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


class TextFormatter(logging.Formatter):
    """`time level [request id] message`, then the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        facts = current_request()
        request = f" [{facts.request_id}]" if facts is not None else ""
        message = record.getMessage()
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            operation = f" {access['operation']}" if access["operation"] else ""
            token = f" token={access['token']}" if access["token"] else ""
            message = f"{message}{operation} {access['duration_ms']:.1f}ms{token}"
        line = f"{_utc(record.created)} {record.levelname:<7}{request} {message}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def quiet_driver() -> None:
    """The driver warns on its `neo4j` logger each time it retries a transaction ("will be
    retried in …"): that is its business, not the user's; what failed is said once, in our
    words, when it gives up. It also logs each broken connection as an error
    ("<CONNECTION> error: Failed to read from defunct connection …") before it retries or
    gives up: the same, so only its critical lines pass."""
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)


def configure_logging(log_format: Literal["text", "json"]) -> None:
    """Send every logger's lines (ours, uvicorn's) to standard error in `log_format`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
