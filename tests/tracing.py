"""Spans recorded in this process, for unit tests: the tracer the service would set up, with
an in-memory exporter. OpenTelemetry allows one tracer provider per process, so the first test
that asks installs it and later ones share it (each starting from no spans)."""

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased

from commerce.adapters.telemetry.setup import EntriesOnly
from commerce.adapters.telemetry.switch import tracing_on

_EXPORTER = InMemorySpanExporter()


def recorded_spans() -> InMemorySpanExporter:
    if not tracing_on():
        provider = TracerProvider(sampler=ParentBased(root=EntriesOnly()))
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    return _EXPORTER


def named(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    (span,) = [s for s in spans if s.name == name]
    return span
