"""Whether this process traces: asked at start-up by every process, so it imports only the
OpenTelemetry API (the SDK, the exporter and the instrumentation load only when it is on)."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import trace

_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_wanted(environ: Mapping[str, str]) -> bool:
    """On when `OTEL_TRACES_EXPORTER` names an exporter or an OTLP endpoint is set; off with
    `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`."""
    if environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return any(environ.get(name) for name in _ENDPOINTS)


def tracing_on() -> bool:
    """A tracer provider is installed (by `start_tracing`, or by a test)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
