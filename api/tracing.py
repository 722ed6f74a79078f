"""OpenTelemetry tracing, opt-in (`EVENTGRAPH_TRACING`, off by default).

FastAPI traces requests itself (its native telemetry, `FastAPI(telemetry=…)`): a server span
per request, named by method and route, with spans for dependencies and the endpoint. Off, it
is switched off outright, so a tracer provider some library sets globally costs our requests
nothing. On, the spans go to an SDK provider made here: `console` prints each span, `otlp`
sends them over OTLP/HTTP to where the standard `OTEL_EXPORTER_OTLP_*` variables say
(`OTEL_SERVICE_NAME` names the service, `eventgraph` unless set). FastAPI's own metrics and
logs stay off (`/metrics` and our log are the API's). `/metrics` and `/health` are not traced:
scrapes and probes would drown the requests. A span's `url.query` is replaced by `REDACTED`:
a GET's query string holds GraphQL variables, which leave the process nowhere.

The SDK and the exporter are the `tracing` extra, so the default install stays without them;
asking for tracing without them is a `SetupError` saying what to install.
"""

import os
from collections.abc import MutableMapping
from typing import Any

from fastapi.telemetry import TelemetryConfig

from eventgraph.graph.errors import SetupError
from eventgraph.graph.settings import Settings

UNTRACED = frozenset({"/metrics", "/health"})
"""Paths not traced."""

OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def telemetry(settings: Settings, tracer_provider: Any | None = None) -> TelemetryConfig:
    """FastAPI's telemetry settings: spans into `tracer_provider`, else as `settings.tracing`
    says (OFF when off)."""
    if tracer_provider is None and settings.tracing == "off":
        return OFF
    try:
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:
        raise SetupError(
            f"EVENTGRAPH_TRACING={settings.tracing} needs OpenTelemetry's SDK: "
            "pip install 'eventgraph[tracing]' (or set EVENTGRAPH_TRACING=off)"
        ) from None
    provider = tracer_provider if tracer_provider is not None else _provider(settings.tracing)
    if isinstance(provider, TracerProvider):
        provider.add_span_processor(_redacted_query())
    return {
        "tracer_provider": provider,
        "tracing": True,
        "metrics": False,
        "logs": False,
        "auto_configure": False,
        "exclude": _untraced,
    }


def _untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in UNTRACED


def _redacted_query() -> Any:
    """A span processor that replaces a span's `url.query` as it starts."""
    from opentelemetry.sdk.trace import SpanProcessor

    class RedactedQuery(SpanProcessor):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            if span.attributes and "url.query" in span.attributes:
                span.set_attribute("url.query", "REDACTED")

    return RedactedQuery()


def _provider(exporter: str) -> Any:
    """An SDK tracer provider that batches spans to `exporter` (`console` or `otlp`)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SpanExporter,
    )

    chosen: SpanExporter
    if exporter == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise SetupError(
                "EVENTGRAPH_TRACING=otlp needs OpenTelemetry's OTLP exporter: "
                "pip install 'eventgraph[tracing]'"
            ) from None
        chosen = OTLPSpanExporter()
    else:
        chosen = ConsoleSpanExporter()
    service = os.environ.get("OTEL_SERVICE_NAME", "eventgraph")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(chosen))
    return provider
